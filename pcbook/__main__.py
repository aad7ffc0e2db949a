"""Command line: ``python -m pcbook reproduce NAME [--seed N] [--set key=value ...] [--json] [--force]``.

A user's mistake (an unknown experiment or parameter, a value of the wrong type, a size far
beyond the book's scale) prints one line naming the option as it was typed (``--seed``,
``--set epochs``) and exits with status 2, never a traceback. With ``--json`` the output is
always one valid JSON object (RFC 8259), also for an error (``{"error": ...}``) and for a run
that diverged (its non-finite metrics are ``null`` and listed under ``diverged``).
"""
from __future__ import annotations

import argparse
import json
import sys
import warnings

import numpy as np

from pcbook import reproduce


def _seed(text: str) -> int:
    try:
        seed = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None
    if seed < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")
    return seed


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as JSON too when ``--json`` was asked for."""

    def error(self, message):
        if "--json" in sys.argv[1:]:
            print(json.dumps({"error": message}))
        super().error(message)


def _fail(message: str, as_json: bool, name: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    if as_json:
        print(json.dumps({"experiment": name, "error": message}))
    return 2


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m pcbook", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("reproduce", help="run a chapter's headline experiment")
    rep.add_argument("name", help="experiment name (use 'list' to see them all)")
    rep.add_argument("--seed", type=_seed, default=None, help="random seed, an integer >= 0 (default: the experiment's)")
    rep.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                     help="override a parameter; repeat for several")
    rep.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    rep.add_argument("--force", action="store_true",
                     help="run even where a parameter is far beyond the book's scale")
    rep.error = parser.error  # JSON-aware usage errors for the subcommand too
    args = parser.parse_args(argv)

    if args.name == "list":
        for name, exp in reproduce.registry().items():
            params = ", ".join(f"{k}={v}" for k, v in exp.params.items())
            print(f"{name:24s} {exp.description}  [{params}]")
        return 0
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)  # divergence is reported in the result
            report = reproduce.run(args.name, seed=args.seed, overrides=args.overrides,
                                   force=args.force, cli=True)
    except (ValueError, TypeError) as err:
        return _fail(str(err), args.json, args.name)
    except MemoryError:
        return _fail("the run needs more memory than this machine has; choose smaller parameters",
                     args.json, args.name)
    except KeyboardInterrupt:
        return _fail("interrupted", args.json, args.name)
    if report["diverged"]:
        print(f"warning: the run diverged: {', '.join(report['diverged'])} not finite (reported as null)",
              file=sys.stderr)
    print(json.dumps(report, allow_nan=False) if args.json else reproduce.format_table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
