"""Fit the ink test's confidence table from generated sets with truth.

The ink test (``extractors.ink``) answers initials and check marks by itself, and says alone
that a printed box is empty: something is written or not. Its raw certainty is a distance
from its thresholds, not a probability, and on development sets it was far off both ways:
initials read "present" at a raw 0.5-0.6 were empty 7 times in 10 (fax specks just over the
thresholds), while "present" at 0.65-0.8 was right 9 times in 10. This fits what each raw
certainty is worth, per decision, as a table of probabilities that only rise with the raw
certainty (isotonic regression, scikit-learn); ``extractors.ink.judged`` applies it, and a
decision that is wrong more often than not is turned over. Needs requirements-train.txt.

    python -m train.ink --dir var/dev5151 --dir var/dev6061     # sets of bench/accuracy.py

Never fit on the benchmark's own set (seed 90210): it would grade its own answers.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.isotonic import IsotonicRegression

from extractors import normalize, pipeline
from extractors.forms import load_form
from extractors.ink import CALIBRATION_FILE, group_of
from extractors.read import crop_fields
from extractors.register import register

EMPTY = (None, "", "absent", "blank", "unchecked")
BIN = 0.05                      # raw certainties are pooled in bins this wide


def measurements(folder: Path):
    """(group, raw decision, raw certainty, written in truth) for every crop of a group."""
    for truth_path in sorted(folder.glob("*.truth.json")):
        name = truth_path.name[: -len(".truth.json")]
        truth = json.loads(truth_path.read_text())
        written = {(f["page"], field): f["value"] not in EMPTY
                   for d in truth["documents"] for field, f in d["fields"].items()}
        loaded = pipeline.load_pages(folder / name)
        for i, source in enumerate(loaded.pages):
            if source.text_words is not None:
                continue
            read = pipeline.read_page(source, i)
            if read.form == "other":
                continue
            binary = normalize.despeckle(normalize.binarize(read.image), source.dpi)
            layout = load_form(read.form).page(read.page)
            fit = register(normalize.ink_mask(binary), layout, source.dpi)
            for c in crop_fields(layout, fit, read.image, binary):
                group = group_of(c.field.type, c.field.handwritten)
                if group is not None and (i, c.field.name) in written:
                    yield group, c.ink.present, c.ink.certainty, written[(i, c.field.name)]
        print(f"  {folder.name}/{name}", file=sys.stderr, flush=True)


def isotonic(bins: list[tuple[float, int, int]]) -> list[tuple[float, float]]:
    """[(upper raw certainty, right, total)] -> [(upper raw certainty, P(right))], P never
    falling as the raw certainty rises. Each bin's rate is smoothed by Laplace's rule of
    succession first (40 right of 40 is not certainty) and weighted by its count."""
    uppers = np.array([u for u, _, _ in bins])
    rates = np.array([(r + 1) / (t + 2) for _, r, t in bins])
    weights = np.array([t for _, _, t in bins], float)
    fitted = IsotonicRegression(increasing=True).fit_transform(uppers, rates,
                                                              sample_weight=weights)
    steps: list[tuple[float, float]] = []
    for upper, p in zip(uppers, fitted):
        step = (round(float(upper), 2), round(float(p), 4))
        if steps and steps[-1][1] == step[1]:
            steps[-1] = step
        else:
            steps.append(step)
    return steps


def fit(rows) -> dict:
    counts: dict = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for group, present, certainty, written in rows:
        upper = min(1.0, (int(certainty / BIN) + 1) * BIN)
        cell = counts[(group, "present" if present else "absent")][upper]
        cell[0] += present == written
        cell[1] += 1
    table: dict = defaultdict(dict)
    for (group, decision), by_bin in sorted(counts.items()):
        bins = [(u, r, t) for u, (r, t) in sorted(by_bin.items())]
        table[group][decision] = isotonic(bins)
    return dict(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, action="append", required=True,
                        help="a generated set with *.truth.json (repeatable)")
    parser.add_argument("--out", type=Path, default=CALIBRATION_FILE)
    args = parser.parse_args(argv)
    rows = [row for folder in args.dir for row in measurements(folder)]
    table = fit(rows)
    meta = {"fitted_on": [d.name for d in args.dir], "crops": len(rows), "table": table}
    args.out.write_text(json.dumps(meta, indent=1) + "\n")
    for group, decisions in table.items():
        for decision, steps in decisions.items():
            print(group, decision, steps)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
