"""Rebuild the committed sample set in ``sample_scans/`` and its README table.

    python -m sample_scans.curate          # or: make sample-set

The set comes from ``scenarios.curated_plans()``: every channel and every rule id at least
once, plus clean documents, about 40 files. Generation is deterministic, so running this again
gives the same bytes; a change shows up in ``git status`` only when the generator changed.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from . import generate, scenarios

HERE = Path(__file__).resolve().parent
SEED = 2022
SUFFIXES = (".tif", ".pdf", ".jpg", ".png", ".eml")
LIMIT_MB = 25

HEAD = """# Committed sample scans

Made by `python -m sample_scans.curate` (seed {seed}; the generator is `sample_scans/generate.py`).
Each file has its ground truth beside it (`FILE.truth.json`, in the extract schema's shape) and,
when its gateway writes one, a sidecar (`FILE.json`: `received_at`, `channel`, `sender`).
Channels: `fax_fine` (Group 4 TIFF, 204 x 196 dpi), `fax_normal` (Group 3 TIFF, 204 x 98),
`scan_pdf` (greyscale JPEG in PDF, 200-300 dpi), `digital_pdf` (born digital, text layer),
`photo` (phone picture, JPEG/PNG), `email` (`.eml` with a scanned PDF attached).
Larger sets are generated on demand (`make samples N=500`), never committed.

{count} files, {pages} pages, {size:.1f} MB; rule ids expected: {rules} of {all_rules}.

| file | channel | pages | forms | expected rule ids | defects |
| --- | --- | ---: | --- | --- | --- |
"""


def sample_files(folder: Path = HERE) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES)


def main() -> int:
    for old in sample_files():
        for extra in (Path(f"{old}.json"), Path(f"{old}.truth.json"), old):
            extra.unlink(missing_ok=True)
    plans = scenarios.curated_plans(SEED)
    made = generate.generate(SEED, len(plans), HERE, plans=plans)
    rows, seen = [], set()
    for m in made:
        truth = json.loads(Path(f"{m.path}.truth.json").read_text())
        rules = sorted({f["rule"] for d in truth["documents"] for f in d["findings"]})
        seen.update(rules)
        rows.append(f"| `{m.path.name}` | {m.channel} | {m.pages} | {' + '.join(m.forms)} | "
                    f"{', '.join(rules) or 'clean'} | {'; '.join(truth['defects']) or ''} |")
    size = sum(p.stat().st_size for p in HERE.iterdir() if p.suffix in SUFFIXES + (".json",))
    from extractors.forms import rules as all_rules
    text = HEAD.format(seed=SEED, count=len(made), pages=sum(m.pages for m in made),
                       size=size / 1e6, rules=len(seen), all_rules=len(all_rules()))
    (HERE / "README.md").write_text(text + "\n".join(rows) + "\n")
    print(generate.summary(made))
    print(f"{size / 1e6:.1f} MB in {HERE}")
    if size > LIMIT_MB * 1e6:
        print(f"the set is over {LIMIT_MB} MB: shrink curated_plans()", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
