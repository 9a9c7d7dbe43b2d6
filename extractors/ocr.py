"""The one place that runs the ``tesseract`` program.

Everything that reads printed text goes through here, so every call gets the same care:

* ``OMP_THREAD_LIMIT=1``: Tesseract's OpenMP threads fight over our two cores (a full page took
  about 10 s without it, 1-2 s with it).
* the resolution is always stated: images cross from numpy through PIL without one, and
  Tesseract then assumes 70 dpi. ``--dpi`` alone is ignored by the orientation detector, so the
  PNG we hand over also carries it in its ``pHYs`` chunk.
* one process for many crops (``read_lines``): starting Tesseract and loading its model costs
  about 0.15 s, so 40 fields read one by one cost seconds; read as one list file they cost a
  fraction of that, each crop still with its own single-line page segmentation.
* failures (not installed, crashed, killed, timed out) become ``OcrFailed`` with a one-line
  message; nothing read from the page is ever put in a message.

We call the program with ``subprocess`` rather than through pytesseract because we need the
environment, the timeout and the exit status (a crash is a signal, not a Tesseract error) in
our own hands; the command lines are the documented ones. ``tesseract`` is looked up on
``PATH`` at each call, which is how the tests inject a broken one.
"""
from __future__ import annotations

import io
import os
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from .errors import OcrFailed

TESSERACT = "tesseract"
PAGE_TIMEOUT_S = 60            # one page (osd, words)
CROP_TIMEOUT_S = 2             # added per crop in a batch
PAD_IN = 0.06                  # white margin added round each crop: Tesseract misreads glyphs
                               # that touch the image edge


@dataclass(frozen=True)
class Word:
    """One word on a page image, read by OCR or taken from a PDF's text layer."""
    text: str
    box: tuple[int, int, int, int]     # x0, y0, x1, y1 in pixels of the page image
    confidence: float                  # 0..1 (1.0 for a PDF text layer)
    line: int = 0                      # words with the same number share a text line


@dataclass(frozen=True)
class Osd:
    """Tesseract's orientation guess: ``rotate`` clockwise degrees make the page upright."""
    rotate: int
    confidence: float                  # Tesseract's orientation confidence (about 0..50)
    script: str


def _png(image: np.ndarray, dpi: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(_grey(image)).save(buffer, "PNG", dpi=(dpi, dpi))
    return buffer.getvalue()


def _grey(image: np.ndarray) -> np.ndarray:
    if image.dtype == bool:
        image = np.where(image, 0, 255)          # a boolean array is an ink mask
    return np.ascontiguousarray(image, dtype=np.uint8)


def _for_reading(image: np.ndarray) -> np.ndarray:
    """Soften a bilevel (fax) image with a 3x3 Gaussian before Tesseract reads it.

    Tesseract's LSTM is trained on anti-aliased text; on jagged 1-bit fax glyphs it confuses
    0/6/8 and O/@. Measured on the example forms faxed at 204x98: printed fields 56 -> 59 of
    66 exact, header lines parsed 17 -> 32 of 54; on clean pages no change (68 of 69 either
    way). Greyscale images are left as they are.
    """
    grey = _grey(image)
    sample = grey[::3, ::3]
    if grey.shape[0] >= 3 and grey.shape[1] >= 3 and np.isin(sample, (0, 255)).all():
        return cv2.GaussianBlur(grey, (3, 3), 0)
    return grey


def _options(dpi: int, psm: int, whitelist: str | None, dictionary: bool) -> list[str]:
    args = ["--dpi", str(int(dpi)), "--psm", str(psm)]
    if whitelist is not None:
        args += ["-c", f"tessedit_char_whitelist={whitelist}"]
    if not dictionary:
        args += ["-c", "load_system_dawg=0", "-c", "load_freq_dawg=0"]
    return args


def run(args: list[str], stdin: bytes | None = None, timeout: float | None = None,
        allowed: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
    """Run ``tesseract ARGS``; any failure is an ``OcrFailed`` with a one-line reason."""
    timeout = PAGE_TIMEOUT_S if timeout is None else timeout
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    try:
        done = subprocess.run([TESSERACT, *args], input=stdin, capture_output=True, env=env,
                              timeout=timeout)
    except FileNotFoundError:
        raise OcrFailed("tesseract is not installed or not on PATH") from None
    except PermissionError:
        raise OcrFailed("tesseract on PATH is not executable") from None
    except subprocess.TimeoutExpired:
        raise OcrFailed(f"tesseract timed out after {timeout:.0f} s") from None
    if done.returncode < 0:
        try:
            name = signal.Signals(-done.returncode).name
        except ValueError:
            name = str(-done.returncode)
        raise _Crashed(f"tesseract was killed by signal {name}")
    if done.returncode not in allowed:
        raise OcrFailed(f"tesseract failed with exit status {done.returncode}: "
                        f"{_last_line(done.stderr)}")
    return done


def _last_line(stderr: bytes) -> str:
    lines = [s for s in stderr.decode(errors="replace").splitlines() if s.strip()]
    return lines[-1][:160] if lines else "no message"


def _tsv_rows(tsv: bytes, unsure: bool = False):
    """Word rows of Tesseract's TSV as (page, line key, Word); page is 1-based.

    Words of confidence 0 are dropped unless ``unsure``: that is what Tesseract makes of an
    empty crop with a forced single-line segmentation ("BS" on a blank box). On a crop known to
    hold ink they are worth keeping: Tesseract also gives 0 to a faxed "C2510059776" it reads
    as "2510059776" (measured: 11 more of 1,217 printed fields right on a development set).
    """
    lines = tsv.decode(errors="replace").splitlines()
    for raw in lines[1:]:
        cols = raw.split("\t", 11)
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        page, block, par, line = (int(c) for c in cols[1:5])
        left, top, width, height = (int(c) for c in cols[6:10])
        conf = max(0.0, float(cols[10]) / 100)
        if conf <= 0 and not unsure:
            continue
        yield page, (block, par, line), Word(cols[11].strip(), (left, top, left + width,
                                                                 top + height), conf)


def words(image: np.ndarray, dpi: int, psm: int = 3, whitelist: str | None = None,
          dictionary: bool = True) -> list[Word]:
    """Every word Tesseract finds on ``image`` (greyscale or ink mask), with its box."""
    done = run(["stdin", "stdout", *_options(dpi, psm, whitelist, dictionary), "tsv"],
               _png(_for_reading(image), dpi))
    keys: dict[tuple[int, int, int], int] = {}
    out = []
    for _, key, word in _tsv_rows(done.stdout):
        line = keys.setdefault(key, len(keys))
        out.append(Word(word.text, word.box, word.confidence, line))
    return out


def read_lines(crops: list[np.ndarray], dpi: int, psm: int = 7, whitelist: str | None = None,
               dictionary: bool = True, unsure: bool = False) -> list[tuple[str, float]]:
    """Read many small crops (field boxes) in ONE Tesseract run: ``(text, confidence)`` each.

    The crops are written as PNGs (each padded with a white margin) and handed to Tesseract as
    a list file, so each is still its own page with its own segmentation (``psm`` 7: one text
    line) while the process and model are loaded once. ``confidence`` is the least confident
    word's (0..1); a crop where nothing is read gives ``("", 0.0)``. Lines of a multi-line
    crop (``psm`` 6) are joined with newlines. ``unsure``: keep words read with confidence 0
    (for crops already known to hold ink; see ``_tsv_rows``).

    Tesseract 5.3 itself crashes (SIGFPE) on the odd image. One bad crop must not cost the
    other 399 of a page, so a crashed batch is split in halves and retried; a crop that
    crashes on its own is read as ``("", 0.0)`` (unread, so it goes to a person), provided
    Tesseract still reads a plain test image. If it does not, Tesseract is broken: OcrFailed.
    """
    results: list[tuple[str, float]] = [("", 0.0)] * len(crops)
    todo = [i for i, c in enumerate(crops) if c.size and min(c.shape[:2]) >= 2]
    if not todo:
        return results
    options = _options(dpi, psm, whitelist, dictionary)
    pad = max(2, round(PAD_IN * dpi))
    with tempfile.TemporaryDirectory(prefix="ccap-ocr-") as tmp:
        paths = []
        for n, i in enumerate(todo):
            path = Path(tmp, f"{n:05d}.png")
            crop = np.pad(_grey(crops[i]), pad, constant_values=255)
            path.write_bytes(_png(_for_reading(crop), dpi))
            paths.append(path)
        for i, found in zip(todo, _read_batch(paths, options, Path(tmp), unsure)):
            results[i] = found
    return results


class _Crashed(OcrFailed):
    """Tesseract died of a signal (as opposed to refusing to start or timing out)."""


def _read_batch(paths: list[Path], options: list[str], tmp: Path,
                unsure: bool = False) -> list[tuple[str, float]]:
    listing = tmp / f"list-{paths[0].stem}-{len(paths)}.txt"
    listing.write_text("".join(f"{p}\n" for p in paths))
    try:
        done = run([str(listing), "stdout", *options, "tsv"],
                   timeout=PAGE_TIMEOUT_S + CROP_TIMEOUT_S * len(paths))
    except _Crashed:
        if len(paths) == 1:
            _check_works()
            return [("", 0.0)]
        half = len(paths) // 2
        return (_read_batch(paths[:half], options, tmp, unsure)
                + _read_batch(paths[half:], options, tmp, unsure))
    lines: dict[int, dict[tuple[int, int, int], list[Word]]] = {}
    for page, key, word in _tsv_rows(done.stdout, unsure):
        lines.setdefault(page, {}).setdefault(key, []).append(word)
    out = [("", 0.0)] * len(paths)
    for page, by_line in lines.items():
        if 1 <= page <= len(paths):
            text = "\n".join(" ".join(w.text for w in ws) for _, ws in sorted(by_line.items()))
            out[page - 1] = (text, min(w.confidence for ws in by_line.values() for w in ws))
    return out


def _check_works() -> None:
    """Raise OcrFailed unless Tesseract can read a small plain image."""
    probe = np.full((40, 120), 255, np.uint8)
    probe[12:28, 20:24] = 0
    run(["stdin", "stdout", "--dpi", "200", "--psm", "7"], _png(probe, 200))


def read_line(crop: np.ndarray, dpi: int, **options) -> tuple[str, float]:
    """One crop; prefer ``read_lines`` for more than one."""
    return read_lines([crop], dpi, **options)[0]


def osd(image: np.ndarray, dpi: int) -> Osd | None:
    """Tesseract's orientation and script detection; None when the page has too little text."""
    done = run(["stdin", "stdout", "--dpi", str(int(dpi)), "--psm", "0"], _png(image, dpi),
               allowed=(0, 1))
    fields = dict(line.split(":", 1) for line in done.stdout.decode(errors="replace").splitlines()
                  if ":" in line)
    if done.returncode != 0 or "Rotate" not in fields:
        if b"Too few characters" in done.stderr or done.returncode == 0:
            return None
        raise OcrFailed(f"tesseract failed with exit status 1: {_last_line(done.stderr)}")
    return Osd(int(fields["Rotate"]) % 360, float(fields.get("Orientation confidence", 0)),
               fields.get("Script", "").strip())
