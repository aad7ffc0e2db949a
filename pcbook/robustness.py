"""The robustness appendix: each chapter's headline metrics over many seeds.

Every chapter quotes its headline numbers for one seed. The appendix runs
each headline experiment of :mod:`pcbook.reproduce` over at least 50 seeds
with :mod:`pcbook.sweep` (``python -m pcbook sweep NAME --seeds 0:50 --out
FILE``), stores the runs as one tidy table (``book/data/robustness.csv``:
one row per experiment, seed and metric) and summarises each headline: the
chapter's single-seed value, the median and the 10-90 % range over seeds,
and how many seeds meet the bar the chapter states.

``python -m pcbook.robustness collect NAME=SWEEP.csv ... --out FILE`` turns
the sweeps' tables into the tidy table (``--add`` adds them to the runs
already in ``FILE``); ``python -m pcbook.robustness table
FILE`` prints the summary in the Markdown the appendix shows.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pcbook.validate import check_bool, check_instance, check_int

__all__ = [
    "DATA",
    "EXPERIMENTS",
    "HEADLINES",
    "Headline",
    "chapter_rows",
    "collect",
    "headline_values",
    "load",
    "markdown_table",
    "placing",
    "summarise",
    "tidy",
]

DATA = Path(__file__).resolve().parents[1] / "book/data/robustness.csv"
_COLUMNS = ("experiment", "seed", "metric", "value", "status")


@dataclass(frozen=True)
class Headline:
    """One headline number of a chapter and the bar the chapter sets it.

    ``value`` computes the headline from a run's metrics (a dict of
    metric name to value); ``meets`` says whether a value meets the bar,
    which ``bar`` states in words.
    """

    label: str  # the appendix's anchor: (robustness-<label>)=
    chapter: str
    name: str
    experiment: str
    value: Callable[[dict], float]
    bar: str
    meets: Callable[[float], bool]
    fmt: str = ".3f"
    seed: int = 0  # the seed the chapter quotes

    def __post_init__(self):
        for name in ("label", "chapter", "name", "experiment", "bar", "fmt"):
            check_instance(name, getattr(self, name), str)
        for name in ("value", "meets"):
            check_instance(name, getattr(self, name), Callable, "a function")
        try:
            format(0.0, self.fmt)
        except ValueError:
            raise ValueError(
                f"fmt: expected a format for numbers (.3f), got {self.fmt!r}"
            ) from None
        check_int("seed", self.seed, 0, 2**63 - 1)


def _metric(name: str) -> Callable[[dict], float]:
    def value(metrics: dict) -> float:
        return float(metrics[name])

    value.__name__ = name
    return value


def _bce_gap(metrics: dict) -> float:
    """How many nats per image GNCN-PDH's test BCE is below GNCN-t1's."""
    return float(metrics["bce_t1"]) - float(metrics["bce_pdh"])


def _first_flag(metrics: dict) -> float:
    """The first episode that reached the flag; infinite if none did."""
    episode = float(metrics["first_success_episode"])
    return math.inf if episode < 0 else episode


HEADLINES = (
    Headline(
        "bogacz",
        "Learning variances (Bogacz's Exercise 5)",
        "Σ after 500 trials (mean of 10 runs)",
        "bogacz-ex5",
        _metric("sigma_trial_500"),
        "within 0.05 of the MATLAB run's 1.94",
        lambda v: abs(v - 1.94) <= 0.05,
    ),
    Headline(
        "bogacz",
        "Learning variances (Bogacz's Exercise 5)",
        "Σ after 1000 trials (mean of 10 runs)",
        "bogacz-ex5",
        _metric("sigma_trial_1000"),
        "within 0.05 of the MATLAB run's 2.02",
        lambda v: abs(v - 2.02) <= 0.05,
    ),
    Headline(
        "ngc",
        "Neural generative coding",
        "test BCE of GNCN-t1 minus GNCN-PDH (nats)",
        "ngc-digits",
        _bce_gap,
        "more than 1.5 nats",
        lambda v: v > 1.5,
        fmt=".2f",
    ),
    Headline(
        "angc",
        "Active neural generative coding",
        "first episode at the flag",
        "angc-mountaincar",
        _first_flag,
        "at most episode 150",
        lambda v: v <= 150,
        fmt=".0f",
    ),
    Headline(
        "angc",
        "Active neural generative coding",
        "success rate, episodes 150-199",
        "angc-mountaincar",
        _metric("success_rate_last50"),
        "at least 0.5",
        lambda v: v >= 0.5,
        fmt=".2f",
    ),
    Headline(
        "attractor",
        "Attractor networks (Simulation 3)",
        "asymmetry α of J",
        "attractor-sim3",
        _metric("asymmetry"),
        "0.98 to two decimals, as published",
        lambda v: round(v, 2) == 0.98,
    ),
    Headline(
        "attractor",
        "Attractor networks (Simulation 3)",
        "number of attractors",
        "attractor-sim3",
        _metric("n_attractors"),
        "3, one per digit",
        lambda v: v == 3,
        fmt=".0f",
    ),
    Headline(
        "attractor",
        "Attractor networks (Simulation 3)",
        "fraction of transitions forward",
        "attractor-sim3",
        _metric("forward_fraction"),
        "1.00 (every transition forward)",
        lambda v: v == 1.0,
        fmt=".2f",
    ),
    Headline(
        "som",
        "Motor primitives (SOM)",
        "fraction of goals reached",
        "som-motor",
        _metric("goals_reached_fraction"),
        "at least 0.95",
        lambda v: v >= 0.95,
        fmt=".2f",
    ),
    Headline(
        "som",
        "Motor primitives (SOM)",
        "mean inaccuracy (nats)",
        "som-motor",
        _metric("final_inaccuracy"),
        "at most 100 nats",
        lambda v: v <= 100,
        fmt=".1f",
    ),
)
EXPERIMENTS = tuple(dict.fromkeys(h.experiment for h in HEADLINES))


def tidy(table, experiment: str):
    """A sweep's table (one row per run) as rows of (experiment, seed,
    metric, value, status): one row per run and metric.

    Metrics that are not numbers (True/False count as 1/0) are left out.
    """
    import pandas as pd

    _frame("table", table, ("seed", "status"), "a sweep table")
    check_instance("experiment", experiment, str)
    fixed = {"seed", "seconds", "status", "message", "cached"}
    metrics = [
        c
        for c in table.columns
        if c not in fixed
        and (
            pd.api.types.is_numeric_dtype(table[c])
            or pd.api.types.is_bool_dtype(table[c])
        )
        and c not in _parameters(experiment)
    ]
    rows = table.melt(
        id_vars=["seed", "status"],
        value_vars=metrics,
        var_name="metric",
        value_name="value",
    )
    rows.insert(0, "experiment", experiment)
    rows["value"] = rows["value"].astype(float)
    return rows[list(_COLUMNS)].sort_values(["seed", "metric"], kind="stable")


def _parameters(experiment: str) -> set:
    from pcbook import reproduce

    known = reproduce.registry()
    if experiment not in known:
        raise ValueError(
            f"experiment: unknown experiment {experiment!r}; valid "
            f"experiments: {', '.join(known)}"
        )
    return set(known[experiment].params)


def _frame(name: str, value, columns: tuple, what: str):
    """``value`` if it is a DataFrame with ``columns``; else an error naming ``name``."""
    import pandas as pd

    check_instance(name, value, pd.DataFrame, f"{what} (a DataFrame)")
    missing = [c for c in columns if c not in value.columns]
    if missing:
        raise ValueError(
            f"{name}: expected {what}, missing the columns {', '.join(missing)}"
        )
    return value


def _tidy_data(data):
    """``data`` if it is the tidy table of :func:`load`."""
    return _frame("data", data, _COLUMNS, "the tidy table of load()")


def load(path=DATA):
    """The stored tidy table, every float exactly as it was written."""
    import pandas as pd

    return pd.read_csv(_existing_file("path", path))


def _existing_file(name: str, path) -> Path:
    """``path`` as a Path, or an error naming ``name`` if it is no file name or no file."""
    check_instance(name, path, (str, os.PathLike), "a file name")
    if not Path(path).is_file():
        raise ValueError(f"{name}: no such file {str(path)!r}")
    return Path(path)


def _runs(data, experiment: str) -> dict[int, dict]:
    """seed -> {metric: value} of the finished runs of ``experiment``."""
    rows = data[(data.experiment == experiment) & (data.status == "ok")]
    runs: dict[int, dict] = {}
    for seed, metric, value in zip(rows.seed, rows.metric, rows.value):
        runs.setdefault(int(seed), {})[metric] = value
    return runs


def headline_values(data, headline: Headline) -> dict[int, float]:
    """seed -> the headline's value, for every finished run."""
    _tidy_data(data)
    check_instance("headline", headline, Headline)
    return {
        seed: headline.value(metrics)
        for seed, metrics in sorted(_runs(data, headline.experiment).items())
    }


def _quantile(values: np.ndarray, q: float) -> float:
    """The q-quantile, interpolated linearly between order statistics;
    infinite values (a flag never reached) sort last."""
    if len(values) == 0:
        return math.nan
    ordered = np.sort(values)
    position = q * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    if low == high or ordered[low] == ordered[high]:
        return float(ordered[low])
    return float(
        ordered[low] + (position - low) * (ordered[high] - ordered[low])
    )


def summarise(data) -> list[dict]:
    """One dict per headline: seeds, the chapter's value, median, 10 % and
    90 % quantiles and how many seeds meet the chapter's bar."""
    _tidy_data(data)
    out = []
    for headline in HEADLINES:
        values = headline_values(data, headline)
        array = np.array(list(values.values()), float)
        out.append(
            {
                "headline": headline,
                "seeds": len(array),
                "quoted": values.get(headline.seed, math.nan),
                "median": _quantile(array, 0.5),
                "p10": _quantile(array, 0.1),
                "p90": _quantile(array, 0.9),
                "meet": int(sum(headline.meets(v) for v in array)),
            }
        )
    return out


def chapter_rows(data, label: str) -> list[dict]:
    """The rows of :func:`summarise` of chapter ``label`` (``"som"``)."""
    rows = [r for r in summarise(data) if r["headline"].label == label]
    if not rows:
        known = sorted({h.label for h in HEADLINES})
        raise ValueError(
            f"label: expected one of {', '.join(known)}, got {label!r}"
        )
    return rows


def placing(data, label: str) -> str:
    """Where the chapter's seed lies among the seeds, for each headline of
    chapter ``label`` (``"som"``): the percentages of seeds with a lower
    and with a higher value, and the seeds' standard deviation (of the
    finite values: a flag never reached is left out)."""
    lines = []
    for row in chapter_rows(data, label):
        h = row["headline"]
        x = np.array(list(headline_values(data, h).values()), float)
        lower = 100 * np.mean(x < row["quoted"])
        higher = 100 * np.mean(x > row["quoted"])
        value = _fmt(row["quoted"], h.fmt)
        share = f"{lower:.0f} % of the seeds lower, {higher:.0f} % higher"
        finite = x[np.isfinite(x)]
        sd = _fmt(np.std(finite, ddof=1) if len(finite) > 1 else math.nan, h.fmt)
        lines += [
            f"{h.name}:",
            f"  seed {h.seed} {value}; {share}",
            f"  standard deviation over the seeds {sd}",
        ]
    return "\n".join(lines)


def _fmt(value: float, fmt: str) -> str:
    if math.isinf(value):
        return "never"
    if math.isnan(value):
        return "-"
    return format(value, fmt)


def markdown_table(summary: list[dict]) -> str:
    """The summary as the Markdown table of the appendix."""
    check_instance("summary", summary, list, "a list of rows from summarise()")
    for i, row in enumerate(summary):
        check_instance(f"summary[{i}]", row, dict, "a row from summarise()")
        check_instance(
            f"summary[{i}]['headline']", row.get("headline"), Headline
        )
    lines = [
        "| chapter | headline | seed 0 | median | 10-90 % | bar | seeds |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in summary:
        h = row["headline"]
        lines.append(
            f"| {h.chapter} | {h.name} | "
            f"{_fmt(row['quoted'], h.fmt)} | {_fmt(row['median'], h.fmt)} | "
            f"{_fmt(row['p10'], h.fmt)} to {_fmt(row['p90'], h.fmt)} | "
            f"{h.bar} | {row['meet']} of {row['seeds']} |"
        )
    return "\n".join(lines)


def collect(sweeps: dict, out=DATA, add: bool = False):
    """Write the tidy table of sweep tables ``{experiment: CSV file}``.

    A seed in several files keeps its last row, so a sweep extended by
    more seeds can be collected with the older one. With ``add=True`` the
    rows already stored in ``out`` are kept and the sweeps' runs added to
    them (a run in both keeps the sweep's row): more seeds for one
    experiment without the older sweeps' files.
    """
    import pandas as pd

    check_instance("sweeps", sweeps, dict, "a dict of experiment: file")
    check_instance("out", out, (str, os.PathLike), "a file name")
    check_bool("add", add)
    tables = [load(_existing_file("out", out))] if add else []
    tables += [
        tidy(pd.read_csv(_existing_file(f"sweeps[{name!r}]", path)), name)
        for name, paths in sweeps.items()
        for path in _files(f"sweeps[{name!r}]", paths)
    ]
    data = pd.concat(tables, ignore_index=True)
    data = data.drop_duplicates(["experiment", "seed", "metric"], keep="last")
    data = data.sort_values(["experiment", "seed", "metric"], kind="stable")
    data.to_csv(out, index=False)
    return data


def _files(name: str, paths) -> list:
    """One file name, or a list or tuple of them, as a list."""
    if isinstance(paths, (str, os.PathLike)):
        return [paths]
    check_instance(name, paths, (list, tuple), "a file name or a list of them")
    return list(paths)


def _pair(text: str) -> tuple[str, str]:
    name, sep, path = text.partition("=")
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError(
            f"expected EXPERIMENT=SWEEP.csv, got {text!r}"
        )
    return name, path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pcbook.robustness")
    sub = parser.add_subparsers(dest="command", required=True)
    gather = sub.add_parser("collect", help="sweep tables -> tidy table")
    gather.add_argument(
        "sweeps", nargs="+", type=_pair, metavar="EXPERIMENT=SWEEP.csv"
    )
    gather.add_argument("--out", default=str(DATA))
    gather.add_argument(
        "--add",
        action="store_true",
        help="keep the runs already in --out and add these to them",
    )
    show = sub.add_parser("table", help="print the appendix's table")
    show.add_argument("data", nargs="?", default=str(DATA))
    args = parser.parse_args(argv)
    if args.command == "collect":
        sweeps: dict[str, list[str]] = {}
        for name, path in args.sweeps:
            sweeps.setdefault(name, []).append(path)
        data = collect(sweeps, args.out, add=args.add)
        for name, n in data.groupby("experiment").seed.nunique().items():
            print(f"{name}: {n} seeds")
    else:
        print(markdown_table(summarise(load(args.data))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
