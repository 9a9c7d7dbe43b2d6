"""The ``ccap`` command line: one subcommand per job, each a thin call into the package."""
from __future__ import annotations

import argparse
import sys


def _demo(args: argparse.Namespace) -> int:
    from sample_scans import generate
    return generate.main(["--seed", str(args.seed), "--n", str(args.n), "--out", args.out])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ccap", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="generate a sample set and show what was made")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--n", type=int, default=12)
    demo.add_argument("--out", default="var/demo")
    demo.set_defaults(run=_demo)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
