"""Web handwriting fonts for the trainer: pins, face choice, integrity, use as a hand.

No network: packages laid out like Fontsource's are built here and served from a file:// URL."""
from __future__ import annotations

import base64
import hashlib
import io
import random
import sys
import tarfile
from pathlib import Path

import pytest

from sample_scans.hand import HELDOUT, HandBook, font_file

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # train/ is not installed
from train import mnist, webfonts  # noqa: E402

A_FONT = font_file("DejaVuSans.ttf")


def package(name: str, weights=(300, 400, 700)) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        members = [f"package/files/{name}-latin-{w}-normal.woff" for w in weights]
        members += [f"package/files/{name}-latin-400-italic.woff",
                    f"package/files/{name}-latin-ext-400-normal.woff",
                    "package/package.json"]
        for member in members:
            blob = A_FONT.read_bytes() if member.endswith("latin-400-normal.woff") \
                else member.encode()
            info = tarfile.TarInfo(member)
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return buf.getvalue()


def integrity(blob: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(blob).digest()).decode()


def test_pins_leave_out_the_held_out_families():
    pins = webfonts.packages()
    assert len(pins) >= 60
    held_out = {h.lower().split("-")[0] for h in HELDOUT} | {"comic"}
    assert not any(name.split("-")[0] in held_out for name in pins)
    assert all(p["integrity"].startswith("sha512-") for p in pins.values())


def test_face_is_the_latin_upright_regular():
    assert webfonts.face(package("hand")) == A_FONT.read_bytes()
    with pytest.raises(ValueError):
        webfonts.face(package("hand", weights=()))


def test_fetch_checks_integrity_and_keeps_the_face(tmp_path, monkeypatch):
    blob = package("hand")
    registry = tmp_path / "registry"
    (registry / "hand" / "-").mkdir(parents=True)
    (registry / "hand" / "-" / "hand-1.0.0.tgz").write_bytes(blob)
    monkeypatch.setattr(webfonts, "REGISTRY", registry.as_uri())
    data = tmp_path / "fonts"

    with pytest.raises(mnist.IntegrityError, match="@fontsource/hand"):
        webfonts.fetch_one("hand", {"version": "1.0.0", "integrity": integrity(b"other")}, data)
    assert not data.exists()                        # nothing kept from a bad download

    path = webfonts.fetch_one("hand", {"version": "1.0.0", "integrity": integrity(blob)}, data)
    assert path == data / "hand.woff" and path.read_bytes() == A_FONT.read_bytes()


def test_a_font_path_is_a_hand():
    assert font_file(str(A_FONT)) == A_FONT
    book = HandBook(1, fonts=[str(A_FONT)])
    mask = book.write("7:45", "parent", 120, 40, random.Random(1))
    assert mask.shape == (40, 120) and mask.max() > 0
