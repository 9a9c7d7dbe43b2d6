"""Paper forms re-sent as other fax machines send them: text mode, and photo modes that dither.

    python bench/faxmodes.py --dir var/bench/seed90210-all          # every mode
    python bench/faxmodes.py --dir DIR --modes diffusion,ordered --out /tmp/modes

The generator's faxes threshold the page (a fax machine's text mode). Many machines, and most
PC fax drivers, have a photo mode that sends shades of grey as a pattern of dots instead: error
diffusion (Floyd-Steinberg) or an ordered (Bayer) dither. This bench takes the files of a
generated set that hold a paper form in shades of grey (office scans, e-mail attachments and
born-digital PDFs; faxes and phone photos are left out), sends every page again as a 1-bit fax
at 204 x 196 dpi in each mode, and scores ``ccap extract`` on them with the same scorer as
``bench/accuracy.py``:

- ``as-sent``: the files as the set has them (the figures to compare with);
- ``text``: thresholded at mid-grey, after the machine's automatic exposure has made the paper
  white; ``text-dark`` and ``text-light``: the same machine set darker or lighter (thresholded
  at 200 or at 80);
- ``diffusion``: exposure as in text mode, then error diffusion;
- ``ordered``: exposure as in text mode, then a 4 x 4 ordered dither;
- ``diffusion-grey``: error diffusion of the page as scanned, its paper tone and all (what a
  PC fax driver does with a scanned PDF).

Each mode's files, truth and sidecars are written under ``--out``/MODE, with their extracts, so
``bench/accuracy.py --dir OUT/MODE --why`` can look closer.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import accuracy  # noqa: E402
from extractors import normalize, pipeline  # noqa: E402

MODES = ("as-sent", "text", "text-dark", "text-light", "diffusion", "ordered", "diffusion-grey")
THRESHOLDS = {"text": 128, "text-dark": 200, "text-light": 80}
SOURCES = ("scan_pdf", "email", "digital_pdf")     # channels whose files hold a grey paper form
FAX_DPI = (204, 196)                                # fine resolution
BAYER = np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]])
LINES = ("page classification", "system", "  code ", "  time ", "  date ", "  name ",
         "  number ", "precision", "clean documents")


def sent(grey: np.ndarray, dpi: int, mode: str) -> Image.Image:
    """One page image (``dpi`` square pixels) as a 1-bit fax page in ``mode``."""
    h, w = grey.shape
    size = (round(w * FAX_DPI[0] / dpi), round(h * FAX_DPI[1] / dpi))
    # a machine's automatic exposure makes the paper white, the ink keeping its shade
    page = cv2.resize(grey if mode == "diffusion-grey" else normalize.without_paper(grey), size,
                      interpolation=cv2.INTER_AREA)
    if mode in THRESHOLDS:
        ink = page < THRESHOLDS[mode]
        return Image.fromarray(np.where(ink, 0, 255).astype(np.uint8)).convert("1")
    if mode in ("diffusion", "diffusion-grey"):
        return Image.fromarray(page).convert("1")          # Pillow dithers by Floyd-Steinberg
    if mode == "ordered":
        levels = np.tile(BAYER, (size[1] // 4 + 1, size[0] // 4 + 1))[:size[1], :size[0]]
        ink = page < (levels + 0.5) * 256 / 16
        return Image.fromarray(np.where(ink, 0, 255).astype(np.uint8)).convert("1")
    raise ValueError(f"unknown fax mode {mode!r}")


def resend(source: Path, out: Path, mode: str) -> None:
    """``source`` (a file of a generated set) as ``out``/MODE, with its truth and a sidecar."""
    truth = json.loads(source.with_name(source.name + ".truth.json").read_text())
    folder = out / mode
    folder.mkdir(parents=True, exist_ok=True)
    if mode == "as-sent":
        for path in source.parent.glob(source.name + "*"):
            if not path.name.endswith((".extract.json", ".reads.json")):
                shutil.copy(path, folder / path.name)
        return
    target = folder / f"fax-{source.stem}-{source.suffix[1:]}.tif"
    pages = [sent(p.image, p.dpi, mode) for p in pipeline.load_pages(source).pages]
    pages[0].save(target, "TIFF", save_all=True, append_images=pages[1:], dpi=FAX_DPI,
                  compression="group4")
    truth["source"], truth["channel"] = target.name, f"fax_{mode}"
    target.with_name(target.name + ".truth.json").write_text(json.dumps(truth))
    target.with_name(target.name + ".json").write_text(json.dumps(
        {"received_at": truth["received_at"], "channel": truth["channel"]}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, required=True, help="a generated set")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "faxmodes")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--full", action="store_true", help="print each mode's whole report")
    args = parser.parse_args(argv)
    modes = args.modes.split(",")
    sources = []
    for path in accuracy.inputs(args.dir):
        truth = json.loads(path.with_name(path.name + ".truth.json").read_text())
        if truth["channel"] in SOURCES:
            sources.append(path)
    print(f"{len(sources)} files of {args.dir} hold a grey paper form")
    for mode in modes:
        shutil.rmtree(args.out / mode, ignore_errors=True)
        for source in sources:
            resend(source, args.out, mode)
        score, pages, cpu, _ = accuracy.score_folder(args.out / mode, args.jobs)
        print(f"== {mode}: {pages.total()} pages, {cpu.total() / max(pages.total(), 1):.2f} s "
              "CPU per page")
        for line in score.report().splitlines():
            if args.full or any(key in line for key in LINES):
                print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
