"""Accuracy and speed of ``ccap extract`` on sample sets it has never seen.

    python bench/accuracy.py                       # fresh set, seeds the tests never use
    python bench/accuracy.py --hands heldout       # handwriting fonts no reader was trained on
    python bench/accuracy.py --dir var/samples     # score an existing generated set
    python bench/accuracy.py --dir DIR --reassemble  # stages 8-9 again on the saved page reads

Generates a set (at least ``--pages`` pages, every channel), extracts every file (``--jobs``
processes, one Tesseract thread each), and prints the scorer's report (``sample_scans.score``):
page classification, fields by type and by who filled them, signature confusion, confidence
calibration, findings precision/recall, routing; then CPU seconds per page (this process and
the Tesseract processes it started).

Beside each file's ``.extract.json`` it keeps the page reads (``.reads.json``: every field with
the reader's alternatives and posterior, and the crops the document stage reads again), so a
change to grouping, the document-stage re-reads or the validators can be measured with
``--reassemble`` in seconds, exactly as the pipeline would run it, without reading the pages
again. ``--why`` lists, for clean documents not accepted, the fields that held them back.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import validators  # noqa: E402
from extractors import pipeline  # noqa: E402
from extractors.errors import ExtractError  # noqa: E402
from sample_scans import generate  # noqa: E402
from sample_scans.score import Score, _match_documents  # noqa: E402

BENCH_SEED = 90210          # tests use other seeds; never tune on this set's individual files
SUFFIXES = (".tif", ".tiff", ".pdf", ".jpg", ".jpeg", ".png", ".eml")
REASONS = "_held_back_by"


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _reads_file(path: Path) -> Path:
    return path.with_name(f"{path.name}.reads.json")


def _extract(path: Path) -> tuple[str, dict | None, str | None, float]:
    """One file through every stage (``pipeline.extract_file``, with the page reads kept in
    ``.reads.json``)."""
    start = _cpu()
    try:
        received, reads = pipeline.read_file(path)
        _reads_file(path).write_text(json.dumps(
            {"received_at": received, "reads": [r.to_json() for r in reads]}))
        result = _with_reasons(pipeline.assemble(path.name, received, reads))
        error = None
    except ExtractError as exc:
        result, error = None, str(exc)
    return path.name, result, error, _cpu() - start


def _reassemble(path: Path) -> tuple[str, dict | None, str | None, float]:
    """Stages 8-9 again on the page reads ``_extract`` kept (no page is read)."""
    start = _cpu()
    saved = _reads_file(path)
    if not saved.exists():
        return path.name, None, "no saved page reads", 0.0
    raw = json.loads(saved.read_text())
    reads = [pipeline.PageRead.from_json(r) for r in raw["reads"]]
    result = _with_reasons(pipeline.assemble(path.name, raw["received_at"], reads))
    return path.name, result, None, _cpu() - start


def _with_reasons(extract) -> dict:
    """The extract's JSON, and per document the fields that kept it from ``accept`` without
    a finding (under ``REASONS``; taken off before the JSON is written or scored)."""
    out = extract.to_json()
    out[REASONS] = [sorted({*d.low_confidence, *d.unreadable})
                    for d in validators.run(extract).decisions]
    return out


def _why(pred: dict, truth: dict, reasons: list[list[str]]) -> list[str]:
    """For each clean document not accepted: its form, then each field that held it back with
    its confidence, marked ``WRONG`` where the value read is not the truth (a PBF can be held
    by the fields of a sheet it was compared with: those are named as a paired document's)."""
    out = []
    for t_doc, p_doc in _pairs(pred, truth):
        if t_doc["route"] != "accept" or p_doc is None or p_doc["route"] == "accept":
            continue
        held = []
        for name in reasons[pred["documents"].index(p_doc)]:
            if name not in p_doc["fields"]:     # a paired document's (a PBF held by a sheet)
                held.append(f"{name} of a paired document")
                continue
            got = p_doc["fields"][name]
            want = t_doc["fields"].get(name, {}).get("value")
            mark = "" if got.get("value") == want else " WRONG"
            held.append(f"{name} {got.get('confidence', 0):.2f}{mark}")
        found = [f["rule"] for f in p_doc["findings"] if f["severity"] in ("error", "warning")]
        out.append(f"{t_doc['form']}: " + ", ".join(held + [f"finding {r}" for r in found]))
    return out


def _pairs(pred: dict, truth: dict):
    return _match_documents(pred["documents"], truth["documents"])


def inputs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES)


def score_folder(folder: Path, jobs: int, reassemble: bool = False, why: bool = False
                 ) -> tuple[Score, Counter, Counter, list[str]]:
    """The scores of every file in ``folder``, with pages and CPU seconds by channel."""
    files = inputs(folder)
    score, pages, cpu, errors = Score(), Counter(), Counter(), []
    with ProcessPoolExecutor(jobs) as pool:
        for name, pred, error, seconds in pool.map(_reassemble if reassemble else _extract,
                                                   files):
            truth = json.loads((folder / f"{name}.truth.json").read_text())
            pages[truth["channel"]] += len(truth["pages"])
            cpu[truth["channel"]] += seconds
            if pred is None:
                errors.append(f"{name}: {error}")
                pred = {"source": name, "received_at": None, "pages": [], "documents": []}
            reasons = pred.pop(REASONS, [])
            if why:
                errors += [f"{name}: held back: {line}" for line in _why(pred, truth, reasons)]
            (folder / f"{name}.extract.json").write_text(json.dumps(pred))   # for a closer look
            score.add(pred, truth)
            for t_doc, p_doc in _pairs(pred, truth):
                if t_doc["route"] != "accept" and p_doc and p_doc["route"] == "accept":
                    errors.append(f"{name}: {t_doc['form']} routed accept, truth "
                                  f"{sorted(f['rule'] for f in t_doc['findings'])}")
    return score, pages, cpu, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, help="score this generated set instead")
    parser.add_argument("--seed", type=int, default=BENCH_SEED)
    parser.add_argument("--pages", type=int, default=150, help="at least this many pages")
    parser.add_argument("--hands", choices=["all", "train", "heldout"], default="all")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--reassemble", action="store_true",
                        help="with --dir: group, re-read and check the saved page reads again")
    parser.add_argument("--why", action="store_true",
                        help="list what held back each clean document not accepted")
    args = parser.parse_args(argv)
    folder = args.dir
    if folder is None:
        folder = args.out / f"seed{args.seed}-{args.hands}"
        if not folder.exists() or not any(folder.glob("*.truth.json")):
            n, made = 8, []
            while sum(m.pages for m in made) < args.pages:      # grow until enough pages
                n *= 2
                made = generate.generate(args.seed, n, folder, args.hands, args.jobs)
            print(f"generated {len(made)} files, {sum(m.pages for m in made)} pages "
                  f"in {folder}")
    start = time.monotonic()
    score, pages, cpu, errors = score_folder(folder, args.jobs, args.reassemble, args.why)
    print(score.report())
    for line in errors:
        print("look at:", line)
    what = "stages 8-9 only" if args.reassemble else "one core, Tesseract included"
    print(f"{pages.total()} pages; {cpu.total() / max(pages.total(), 1):.2f} s CPU per page "
          f"({what}); {time.monotonic() - start:.0f} s wall with {args.jobs} processes")
    print("  CPU per page by channel: " + ", ".join(
        f"{ch} {cpu[ch] / pages[ch]:.2f} s ({pages[ch]})" for ch in sorted(pages) if pages[ch]))
    faxes = [ch for ch in pages if ch.startswith("fax")]
    fax_pages = sum(pages[ch] for ch in faxes)
    if fax_pages:
        print(f"  CPU per fax page {sum(cpu[ch] for ch in faxes) / fax_pages:.2f} s "
              f"({fax_pages} pages; target 1.5 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
