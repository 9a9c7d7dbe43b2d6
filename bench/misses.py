"""Every wrongly read field of a scored folder, for a developer looking for the next fix.

    python bench/accuracy.py --dir var/dev             # writes FILE.extract.json beside truth
    python bench/misses.py var/dev                     # then: what was read wrong, and how
    python bench/misses.py var/dev --filler system --type code

One line per wrong non-empty field: file, channel (from the file name), form, field, type,
who filled it, confidence, read value and true value; then counts by (filler, type). Use it
on a development set of your own seed, never on the benchmark's set (tuning on the files that
measure you hides how the readers do on new ones).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sample_scans.score import EMPTY, _layout_field, _match_documents  # noqa: E402


def misses(folder: Path):
    for truth_path in sorted(folder.glob("*.truth.json")):
        name = truth_path.name[: -len(".truth.json")]
        extract_path = folder / f"{name}.extract.json"
        if not extract_path.exists():
            continue
        truth, pred = json.loads(truth_path.read_text()), json.loads(extract_path.read_text())
        for t_doc, p_doc in _match_documents(pred["documents"], truth["documents"]):
            fields = p_doc["fields"] if p_doc else {}
            for field, t in t_doc["fields"].items():
                if t["value"] in EMPTY:
                    continue
                layout = _layout_field(t_doc["form"], truth["pages"][t["page"]]["page"], field)
                got = fields.get(field, {})
                if got.get("value") != t["value"]:
                    yield {"file": name, "form": t_doc["form"], "field": field,
                           "type": t.get("type") or (layout.type if layout else "text"),
                           "filler": layout.filled_by if layout else "?",
                           "confidence": got.get("confidence"), "read": got.get("value"),
                           "true": t["value"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--filler")
    parser.add_argument("--type")
    args = parser.parse_args(argv)
    counts = Counter()
    for m in misses(args.folder):
        if (args.filler and m["filler"] != args.filler) or (args.type and m["type"] != args.type):
            continue
        counts[(m["filler"], m["type"])] += 1
        conf = "-" if m["confidence"] is None else f"{m['confidence']:.2f}"
        print(f"{m['file']:<16} {m['form']:<8} {m['field']:<28} {m['type']:<9} {m['filler']:<8} "
              f"{conf:>5} {m['read']!r} != {m['true']!r}")
    for (filler, kind), n in counts.most_common():
        print(f"{n:5d}  {filler} {kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
