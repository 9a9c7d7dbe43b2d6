"""More hands to train on: Google Fonts' handwriting typefaces, fetched from npm (Fontsource).

The generator's twenty Debian handwriting fonts give the reader ten hands to learn from; the
held-out hands showed that ten is too few (a reader learns those ten shapes of each digit).
Fontsource publishes every Google Fonts family as an npm package; ``webfonts.json`` pins 71
handwriting families (scans of real people's writing, school "beginner" hands, markers,
cursive) by version and npm integrity, leaving out the families of the generator's held-out
pool. ``fetch`` downloads each package once, checks it against its pinned sha512, and keeps
its Latin regular face as ``var/handwriting/webfonts/NAME.woff`` (FreeType, and so Pillow,
reads WOFF directly).

Only training uses these (``train.handwriting``); the sample generator and the benchmark
keep to the Debian fonts, so the held-out score still measures hands the reader never saw.

    python -m train.webfonts            # fetch all, print the paths
"""
from __future__ import annotations

import argparse
import io
import json
import re
import tarfile
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .mnist import check_integrity

PINS = Path(__file__).with_name("webfonts.json")
DATA = Path("var/handwriting/webfonts")
REGISTRY = "https://registry.npmjs.org/@fontsource"
_FACE = re.compile(r"package/files/[\w-]+-latin-(\d+)-normal\.woff")


def packages() -> dict[str, dict]:
    """Package name -> {"version", "integrity"}."""
    return json.loads(PINS.read_text())["packages"]


def face(tarball: bytes) -> bytes:
    """The Latin upright face nearest to regular weight (400) in a Fontsource tarball."""
    with tarfile.open(fileobj=io.BytesIO(tarball)) as tar:
        faces = [(abs(int(m.group(1)) - 400), member) for member in tar.getmembers()
                 if (m := _FACE.fullmatch(member.name))]
        if not faces:
            raise ValueError("no Latin upright WOFF face in the package")
        return tar.extractfile(min(faces, key=lambda f: f[0])[1]).read()


def fetch_one(name: str, pin: dict, data_dir: Path = DATA) -> Path:
    path = data_dir / f"{name}.woff"
    if path.exists():
        return path
    url = f"{REGISTRY}/{name}/-/{name}-{pin['version']}.tgz"
    with urllib.request.urlopen(url, timeout=120) as response:
        blob = response.read()
    check_integrity(blob, pin["integrity"], f"@fontsource/{name}")
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(face(blob))
    tmp.replace(path)
    return path


def fetch(data_dir: Path = DATA) -> list[str]:
    """Absolute paths of every pinned face, downloading those not yet in ``data_dir``."""
    with ThreadPoolExecutor(8) as pool:
        paths = pool.map(lambda item: fetch_one(*item, data_dir), sorted(packages().items()))
        return [str(p.resolve()) for p in paths]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args(argv)
    for path in fetch(args.data):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
