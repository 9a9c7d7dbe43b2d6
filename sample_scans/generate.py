"""Generate a sample set: files as the gateways deliver them, each with its ground truth.

    python -m sample_scans.generate --seed 7 --n 500 --out var/samples
    python -m sample_scans.generate --seed 7 --n 200 --out var/heldout --hands heldout

For every planned file it writes ``NAME.EXT`` (fax TIFF, PDF, JPEG/PNG or .eml), the gateway's
sidecar ``NAME.EXT.json`` where the channel has one, and ``NAME.EXT.truth.json`` (the extract
schema's shape: pages, documents, every field's normalised value, expected findings and route).
The same seed gives the same files. ``--hands`` picks the handwriting fonts: ``train`` and
``heldout`` are disjoint pools, so a reader trained on one can be measured on the other.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from . import channels, hand, render, scenarios, truth
from .model import SubmissionPlan


def font_pool(name: str) -> list[str] | None:
    """Handwriting fonts for a pool (``hand.pool``: whole font families are held out)."""
    return hand.pool(name)


@dataclass
class Made:
    path: Path
    channel: str
    pages: int
    forms: list[str]
    rules: list[str]
    seconds: float


def make_file(plan: SubmissionPlan, out: Path, seed: int, pool: str) -> Made:
    """Render, write and record the truth of one planned file."""
    start = time.process_time()
    if plan.received_at is not None:       # fax headers and sidecars carry whole minutes
        plan = replace(plan, received_at=plan.received_at.replace(second=0, microsecond=0))
    rng = random.Random(f"{seed}:{plan.name}")
    hands = hand.HandBook(seed, fonts=font_pool(pool))
    images = [render.render_page(plan.documents[p.document], p.page, rng, hands)
              for p in plan.pages]
    written = channels.write(plan, images, out, rng, hands)
    main = written.paths[0]
    record = truth.build(plan, main.name, written.fax_headers)
    main.with_name(main.name + ".truth.json").write_text(json.dumps(record, indent=1) + "\n")
    return Made(main, plan.channel, len(plan.pages), [d["form"] for d in record["documents"]],
                sorted({f["rule"] for d in record["documents"] for f in d["findings"]}),
                time.process_time() - start)


def generate(seed: int, n: int, out: Path, pool: str = "all", jobs: int = 2,
             plans: list[SubmissionPlan] | None = None) -> list[Made]:
    out.mkdir(parents=True, exist_ok=True)
    plans = plans if plans is not None else scenarios.plan_set(seed, n)
    if jobs <= 1:
        return [make_file(p, out, seed, pool) for p in plans]
    with ProcessPoolExecutor(jobs) as executor:
        return list(executor.map(make_file, plans, [out] * len(plans), [seed] * len(plans),
                                 [pool] * len(plans)))


def summary(made: list[Made]) -> str:
    lines = [f"{'file':<28} {'channel':<11} {'pages':>5}  forms / expected rules"]
    for m in made:
        rules = ", ".join(m.rules) or "clean"
        lines.append(f"{m.path.name:<28} {m.channel:<11} {m.pages:>5}  "
                     f"{' + '.join(m.forms)} / {rules}")
    pages = sum(m.pages for m in made)
    cpu = sum(m.seconds for m in made)
    seen = sorted({r for m in made for r in m.rules})
    lines.append(f"{len(made)} files, {pages} pages, {len(seen)} distinct rule ids expected; "
                 f"{cpu / max(pages, 1):.2f} s CPU per page")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_scans.generate",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--n", type=int, required=True, help="number of files")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--hands", choices=["all", "train", "heldout"], default="all")
    parser.add_argument("--jobs", type=int, default=2, help="processes (default 2)")
    args = parser.parse_args(argv)
    start = time.monotonic()
    made = generate(args.seed, args.n, args.out, args.hands, args.jobs)
    print(summary(made))
    print(f"wrote {args.out}/ in {time.monotonic() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
