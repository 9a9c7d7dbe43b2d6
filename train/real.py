"""Handwritten crops as the pipeline cuts them from generated pages, labelled from the truth.

    python -m train.real var/real6101 var/real6102 --out var/handwriting/real-a.pkl

The handwriting reader learned from crops that ``train.synth`` draws and damages by itself.
The pipeline hands it something else: a box cut from a whole page that a channel (a fax at
204x98, a phone photo, a scanner) damaged, that was deskewed, turned and registered, with the
box's border and its neighbours' overruns at its edges. On the held-out hands of dev set 7575
faxed times were read right 59-70 % of the time against 76-84 % on synthesised fax crops of
the same hands. These are crops of that first kind, for fine-tuning (``train.handwriting
--real``).

Sets must be generated with ``--hands train`` (``python -m sample_scans.generate --hands
train``): a held-out hand's crops must never train the reader that is measured on them.

Each crop is kept as the network input (``hw.prepare``), the text written in it, and its kind.
The truth holds values, not the text as written ("17:10" may have been written "5:10p"):
the text is the way of writing the value that the current reader finds likeliest (the CTC
likelihood over the usual ways, ``written``). A box the truth says is empty but that holds ink
(a speck, a neighbour's overrun) is kept with an empty text, so that the reader learns to see
nothing there.

Measured (fourteenth session), and not adopted: six sets of seeds 6101-6106 (900 files, 2 382
pages, train hands) gave 23 301 crops, labels fitting well (median -0.01 nats per character;
1-2 % under -1). Each reader was trained on to them for 34 minutes from its committed weights
(``--from-onnx``, 30 000 synthesised crops beside them, peak rate 7e-4). On the pipeline's own
crops of held-out dev set 7575 (3 652 boxes in fonts neither saw), read alone without priors:

    reader   times          dates          codes          numbers
    first    0.680 -> 0.692  0.883 -> 0.890  0.961 -> 0.961  0.850 -> 0.858
    second   0.753 -> 0.752  0.941 -> 0.915  0.970 -> 0.970  0.866 -> 0.858

End to end on 7575 with only the first replaced (and the pair calibration refitted), times
were read worse (fax fine 70.2 -> 67.7 %) and clean documents accepted fell 40 -> 36 of 103:
the first reader grew surer, so the second, better on these hands, was asked less. The gap
on held-out hands is the hands, not the cutting: real crops of the training hands do not
teach unseen ones. Reading each box again slanted or thickened (test-time variants, averaged)
gained under one point on the same crops, and pooling the two readers always rather than
below ``hw.SECOND_BELOW`` changed nothing.
"""
from __future__ import annotations

import argparse
import json
import pickle
import sys
from datetime import date
from itertools import product
from pathlib import Path

import numpy as np

from extractors import normalize, pipeline, weeks
from extractors.forms import load_form
from extractors.read import HANDWRITING_KINDS, crop_fields
from extractors.readers import handwriting as hw

SUFFIXES = ("", "a", "p", " a", " p", "am", "pm", " am", " pm", "AM", "PM", " AM", " PM",
            "A", "P", " a.m.", " p.m.")
EMPTY_SHARE = 0.25            # of the empty boxes with ink, this share is kept (seeded)


def written(kind: str, value: str) -> list[str]:
    """The usual ways of writing a normalised ``value`` of ``kind`` by hand."""
    if kind == "date":
        return weeks.written(date.fromisoformat(value))
    if kind != "time":
        return [value]                                  # codes and numbers: digits as read
    hour, minute = int(value[:2]), value[3:]
    out = {f"{h}{sep}{minute}" for h in {str(hour), f"{hour:02d}"} for sep in ":."}
    h12 = hour % 12 or 12
    half = "a" if hour < 12 else "p"
    for h, sep, suffix in product({str(h12), f"{h12:02d}"}, ":.", SUFFIXES):
        if suffix.strip(" .").lower()[:1] in ("", half):
            out.add(f"{h}{sep}{minute}{suffix}")
    return sorted(out)


def _truth_values(truth: dict) -> dict[tuple[int, str], str | None]:
    return {(f["page"], name): f["value"] for doc in truth["documents"]
            for name, f in doc["fields"].items() if f.get("page") is not None}


def crops_of(path: Path, truth: dict, keep_empty) -> list[tuple[np.ndarray, str, str, str]]:
    """(prepared input, truth value, kind, field name) of every handwritten box of ``path``
    that holds ink."""
    values = _truth_values(truth)
    pages = {p["index"]: p for p in truth["pages"]}
    out = []
    for index, source in enumerate(pipeline.load_pages(path).pages):
        placed = pipeline.place_page(source, index)
        if placed.layout is None or source.text_words is not None or index not in pages:
            continue
        if pages[index]["form"] != placed.read.form:
            continue                                    # misclassified: no labels to trust
        form = load_form(placed.read.form)
        number = pages[index].get("page") or placed.read.page
        names = (form.renaming(placed.read.page, number)
                 if number > 1 and form.repeat is not None else {})
        shades = not normalize.is_bilevel(source.image)
        for c in crop_fields(placed.layout, placed.fit, placed.grey, placed.binary, shades):
            if not (c.field.handwritten and c.field.type in HANDWRITING_KINDS and c.ink.present):
                continue
            key = (index, names.get(c.field.name, c.field.name))
            if key not in values:
                continue
            value = values[key]
            if value is None and not keep_empty():
                continue
            x = hw.prepare(c.grey)
            if x is not None:
                out.append(((x * 255).astype(np.uint8), value, c.field.type, key[1]))
    return out


def label(crops: list) -> list[tuple[np.ndarray, str, str, float]]:
    """(input, text, kind, log-likelihood per character of that text): the value's likeliest
    way of writing under the current first reader."""
    logps = hw.log_probs([x.astype(np.float32) / 255 for x, *_ in crops])
    out = []
    for (x, value, kind, _), logp in zip(crops, logps):
        if value is None:
            out.append((x, "", kind, 0.0))
            continue
        texts = written(kind, value)
        scores = hw.ctc_log_likelihoods(logp, texts)
        best = int(np.argmax(scores))
        out.append((x, texts[best], kind, float(scores[best]) / max(1, len(texts[best]))))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, help="generated sets with truth")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    crops = []
    for folder in args.folders:
        for truth_path in sorted(folder.glob("*.truth.json")):
            path = truth_path.with_name(truth_path.name[: -len(".truth.json")])
            truth = json.loads(truth_path.read_text())
            crops += crops_of(path, truth, lambda: rng.random() < EMPTY_SHARE)
        print(f"{folder}: {len(crops)} crops so far", flush=True)
    labelled = label(crops)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(pickle.dumps([(x, text, kind) for x, text, kind, _ in labelled]))
    fit = np.array([s for *_, s in labelled])
    print(f"wrote {len(labelled)} crops to {args.out}; per-character log-likelihood of the "
          f"label: median {np.median(fit):.2f}, under -1: {(fit < -1).mean():.1%}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
