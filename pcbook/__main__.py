"""Command line: ``python -m pcbook reproduce NAME ...`` and ``sweep NAME``.

``reproduce NAME [--seed N] [--set key=value ...] [--json] [--force]``
runs one experiment; ``sweep NAME [--seeds 0:100] [--set key=v1,v2 ...]
[--workers N | --scheduler ADDRESS | --serial] [--out FILE]
[--cache DIR | --no-cache] [--json] [--force]`` runs it over seeds x a
parameter grid on Dask (``pcbook.sweep``); ``grade SUBMISSION... --out DIR
[--timeout SECONDS] [--jobs N] [--memory MB] [--chapter N]`` grades a
class's notebooks (``pcbook.classroom.grade``).

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
import time
import warnings

import numpy as np

from pcbook import reproduce, sweep


def _seed(text: str) -> int:
    try:
        seed = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a non-negative integer, got {text!r}"
        ) from None
    if seed < 0:
        raise argparse.ArgumentTypeError(
            f"expected a non-negative integer, got {text!r}"
        )
    return seed


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as JSON too when ``--json`` was asked for."""

    as_json = False  # set by main() from the arguments it parses

    def error(self, message):
        if self.as_json:
            print(json.dumps({"error": message}))
        super().error(message)


def _fail(message: str, as_json: bool, name: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    if as_json:
        print(json.dumps({"experiment": name, "error": message}))
    return 2


def _add_sweep(sub, parser) -> None:
    swp = sub.add_parser(
        "sweep", help="run an experiment over seeds x a parameter grid"
    )
    add = swp.add_argument
    add("name", help="experiment name (see 'reproduce list')")
    add(
        "--seeds",
        default=None,
        metavar="START:STOP",
        help="seeds START..STOP-1, or integers separated by commas "
        "(default: the experiment's seed)",
    )
    add(
        "--set",
        dest="grid",
        action="append",
        default=[],
        metavar="KEY=V1,V2,...",
        help="values of one parameter; repeat for several parameters",
    )
    add(
        "--workers",
        default=None,
        metavar="N",
        help="processes of the local Dask cluster (default: one per core)",
    )
    add(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on a running Dask cluster, e.g. tcp://127.0.0.1:8786",
    )
    add(
        "--serial",
        action="store_true",
        help="run in this process, without Dask",
    )
    add(
        "--out",
        default=None,
        metavar="FILE",
        help="write the table to a .csv or .parquet file",
    )
    add(
        "--cache",
        default=str(sweep.DEFAULT_CACHE),
        metavar="DIR",
        help=f"cache of finished runs (default: {sweep.DEFAULT_CACHE})",
    )
    add(
        "--no-cache",
        action="store_true",
        help="run everything and cache nothing",
    )
    add(
        "--json",
        action="store_true",
        help="print one JSON object instead of a table",
    )
    add(
        "--force",
        action="store_true",
        help="run even where a parameter or the number of runs is far "
        "beyond the book's scale",
    )
    swp.error = parser.error  # JSON-aware usage errors here too


def _add_grade(sub) -> None:
    grd = sub.add_parser(
        "grade",
        help="grade a class's notebooks (see the teacher's guide)",
    )
    add = grd.add_argument
    add(
        "submissions",
        nargs="+",
        metavar="SUBMISSION",
        help="notebooks, folders of notebooks, or zips of them",
    )
    add(
        "--out",
        required=True,
        metavar="DIR",
        help="folder for gradebook.csv, feedback/ and summary.md",
    )
    add(
        "--timeout",
        default="120",
        metavar="SECONDS",
        help="time limit for a notebook's cells, and for each check (120)",
    )
    add(
        "--jobs",
        default="1",
        metavar="N",
        help="submissions graded at the same time (1)",
    )
    add(
        "--memory",
        default="4096",
        metavar="MB",
        help="memory cap of each submission's process (4096)",
    )
    add(
        "--chapter",
        default=None,
        metavar="N",
        help="grade every submission as chapter N",
    )


def _workers(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise ValueError(
            f"--workers: expected an integer >= 1, got {text!r}"
        ) from None


def _sweep(args) -> int:
    start = time.perf_counter()
    name, as_json = args.name, args.json
    try:
        # the sweep's own warnings become one line each; Dask's are dropped
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", sweep.SweepWarning)
            table = sweep.run(
                name,
                seeds=args.seeds,
                grid=args.grid,
                workers=_workers(args.workers),
                scheduler=args.scheduler,
                serial=args.serial,
                cache=None if args.no_cache else args.cache,
                out=args.out,
                force=args.force,
                cli=True,
            )
    except (ValueError, TypeError) as err:
        return _fail(str(err), as_json, name)
    except MemoryError:
        return _fail(
            "the sweep needs more memory than this machine has; "
            "choose fewer runs",
            as_json,
            name,
        )
    except KeyboardInterrupt:
        return _fail(
            "interrupted; the finished runs are cached: run the "
            "same command again to resume",
            as_json,
            name,
        )
    for warning in caught:
        if issubclass(warning.category, sweep.SweepWarning):
            print(f"warning: {warning.message}", file=sys.stderr)
    counts = sweep.summary(table)
    seconds = round(time.perf_counter() - start, 3)
    if counts["failed"] or counts["diverged"]:
        print(
            f"warning: {counts['failed']} runs failed and "
            f"{counts['diverged']} diverged (see the status and message "
            "columns)",
            file=sys.stderr,
        )
    if as_json:
        print(
            json.dumps(
                {
                    "experiment": name,
                    **counts,
                    "seconds": seconds,
                    "out": args.out,
                    "rows": sweep.records(table),
                },
                allow_nan=False,
            )
        )
        return 0
    if args.out is None:
        print(table.to_string(index=False))
    print(
        f"sweep {name}: {counts['runs']} runs ({counts['ok']} ok, "
        f"{counts['diverged']} diverged, {counts['failed']} failed; "
        f"{counts['cached']} from the cache) in {seconds:.1f} s"
        + (f"; wrote {args.out}" if args.out else "")
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(
        prog="python -m pcbook", description=__doc__.splitlines()[0]
    )
    parser.as_json = "--json" in (sys.argv[1:] if argv is None else argv)
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser(
        "reproduce", help="run a chapter's headline experiment"
    )
    rep.add_argument(
        "name", help="experiment name (use 'list' to see them all)"
    )
    rep.add_argument(
        "--seed",
        type=_seed,
        default=None,
        help="random seed, an integer >= 0 (default: the experiment's)",
    )
    rep.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter; repeat for several",
    )
    rep.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object instead of a table",
    )
    rep.add_argument(
        "--force",
        action="store_true",
        help="run even where a parameter is far beyond the book's scale",
    )
    rep.error = parser.error  # JSON-aware usage errors for the subcommand too
    _add_sweep(sub, parser)
    _add_grade(sub)
    args = parser.parse_args(argv)
    if args.command == "sweep":
        return _sweep(args)
    if args.command == "grade":
        from pcbook.classroom.grade import command

        return command(args)

    if args.name == "list":
        for name, exp in reproduce.registry().items():
            params = ", ".join(f"{k}={v}" for k, v in exp.params.items())
            print(f"{name:24s} {exp.description}  [{params}]")
        return 0
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter(
                "ignore", RuntimeWarning
            )  # divergence is reported in the result
            report = reproduce.run(
                args.name,
                seed=args.seed,
                overrides=args.overrides,
                force=args.force,
                cli=True,
            )
    except (ValueError, TypeError) as err:
        return _fail(str(err), args.json, args.name)
    except MemoryError:
        return _fail(
            "the run needs more memory than this machine has; choose smaller parameters",
            args.json,
            args.name,
        )
    except KeyboardInterrupt:
        return _fail("interrupted", args.json, args.name)
    if report["diverged"]:
        print(
            f"warning: the run diverged: {', '.join(report['diverged'])} not finite (reported as null)",
            file=sys.stderr,
        )
    print(
        json.dumps(report, allow_nan=False)
        if args.json
        else reproduce.format_table(report)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
