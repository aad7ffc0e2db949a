"""Command line: ``python -m pcbook reproduce NAME [--seed N] [--set key=value ...] [--json]``."""
from __future__ import annotations

import argparse
import json
import sys

from pcbook import reproduce


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pcbook", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("reproduce", help="run a chapter's headline experiment")
    rep.add_argument("name", help="experiment name (use 'list' to see them all)")
    rep.add_argument("--seed", type=int, default=None, help="random seed (default: the experiment's)")
    rep.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                     help="override a parameter; repeat for several")
    rep.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)

    if args.name == "list":
        for name, exp in reproduce.registry().items():
            params = ", ".join(f"{k}={v}" for k, v in exp.params.items())
            print(f"{name:24s} {exp.description}  [{params}]")
        return 0
    try:
        report = reproduce.run(args.name, seed=args.seed, overrides=args.overrides)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(json.dumps(report) if args.json else reproduce.format_table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
