"""``make bench``: time the book's heavy experiments against plain reference versions, the scaling of
the networks with their size, and the execution time of every notebook.

Writes ``bench/results.json`` and ``bench/results.md`` (with ``--only``, which times some cases,
``build/bench/results-only.*`` instead, so the stored full results stay), prints the table, and
copies it into the README between the ``bench:start`` / ``bench:end`` markers. The load average
at the start and the end goes into the table's header. Usage::

    python -m bench.run [--only NAME ...] [--skip-notebooks] [--skip-scaling] [--no-readme]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import math
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import Case, Scaling  # noqa: E402

NOTEBOOK_BUDGET = 90.0  # seconds, per notebook
BOOK_BUDGET = 300.0  # seconds, the whole book


def _modules():
    for path in sorted((ROOT / "bench").glob("bench_*.py")):
        yield importlib.import_module(f"bench.{path.stem}")


def _time(func, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return times


def _peak_mb(func) -> float:
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def run_case(case: Case) -> dict:
    """Median time of ``fast`` and ``reference`` measured side by side, and the peak memory of ``fast``."""
    case.fast()  # warm-up: imports, caches, first-call costs
    fast = _time(case.fast, case.repeats)
    row = {
        "name": case.name,
        "median_s": statistics.median(fast),
        "runs": len(fast),
        "peak_mb": _peak_mb(case.fast),
        "budget_s": case.budget_seconds,
        "goal_ratio": case.goal_ratio,
        "notes": case.notes,
    }
    if case.reference is not None:
        ref = _time(case.reference, max(1, min(case.repeats, 3)))
        ref_full = statistics.median(ref) / case.reference_scale
        row.update(
            reference_s=ref_full,
            reference_scale=case.reference_scale,
            ratio=ref_full / row["median_s"],
        )
    return row


def run_scaling(scaling: Scaling) -> dict:
    """Seconds per step for each size, and the log-log slope between the two largest sizes."""
    per_step = {}
    for n in scaling.sizes:
        step = scaling.make_step(n)
        step()
        per_step[n] = statistics.median(_time(step, scaling.steps))
    sizes = list(per_step)
    slope = math.log(per_step[sizes[-1]] / per_step[sizes[-2]]) / math.log(
        sizes[-1] / sizes[-2]
    )
    return {
        "name": scaling.name,
        "seconds_per_step": per_step,
        "slope_last_doubling": slope,
        "notes": scaling.notes,
    }


def run_notebooks() -> dict:
    """Execution time of every notebook in a fresh kernel (copies; the stored ones are untouched)."""
    import nbformat
    from nbclient import NotebookClient

    from tools.book_files import toc_notebooks

    os.environ["PCBOOK_QUIET"] = (
        "1"  # inherited by the kernels: no progress bars
    )
    times = {}
    for path in toc_notebooks():
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        NotebookClient(
            nb,
            kernel_name="python3",
            timeout=900,
            store_widget_state=False,
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
        times[path.name] = time.perf_counter() - start
    return {"per_notebook_s": times, "total_s": sum(times.values())}


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def _fmt(x, unit="s"):
    if x is None:
        return "-"
    return f"{x:.3g} {unit}".strip()


def _times(ratio: float) -> str:
    """A speed-up as the table prints it: 0.962, 1.86, 12, 98 (three digits below 10, so that
    1.76 is not printed as 1.8 beside a goal of 1.8)."""
    return f"{ratio:.3g}" if ratio < 10 else f"{ratio:.0f}"


def markdown(results: dict) -> str:
    load = results.get("load")
    loaded = (
        f" Load average (1 min) {load['start']:.1f} at the start and "
        f"{load['end']:.1f} at the end, on {os.cpu_count()} cores."
        if load
        else ""
    )
    lines = [
        f"Measured {results['date']} on {results['machine']} (`make bench`; shared machines are noisy, "
        f"so read ratios, which are measured side by side, more than absolute times).{loaded}",
        "",
    ]
    if results["cases"]:
        lines += [
            "| experiment | median time | budget | peak memory | plain reference | speed-up | goal |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in results["cases"]:
            ref = _fmt(r.get("reference_s"))
            if r.get("reference_scale", 1.0) != 1.0 and "reference_s" in r:
                ref += f" (est. from {r['reference_scale']:.2%} of the run)"
            ratio = f"{_times(r['ratio'])}x" if "ratio" in r else "-"
            lines.append(
                f"| {r['name']} | {_fmt(r['median_s'])} | {_budget(r)} | "
                f"{r['peak_mb']:.1f} MB | {ref} | {ratio} | {_goal(r)} |"
            )
        lines.append("")
    if results["scaling"]:
        lines += [
            "Time per step as the network grows (ms per step at each size); slope = log-log growth over "
            "the last doubling (2 = quadratic, the cost of a dense matrix-vector product):",
            "",
            "| network | ms per step at size n | slope |",
            "|---|---|---|",
        ]
        for s in results["scaling"]:
            cells = ", ".join(
                f"{n}: {t * 1e3:.3g}" for n, t in s["seconds_per_step"].items()
            )
            lines.append(
                f"| {s['name']} | {cells} | {s['slope_last_doubling']:.2f} |"
            )
        lines.append("")
    if results.get("notebooks"):
        nbs = results["notebooks"]
        lines += [
            f"Notebook execution (fresh kernel; budget {NOTEBOOK_BUDGET:.0f} s each, "
            f"{BOOK_BUDGET:.0f} s for the book):",
            "",
            "| notebook | seconds | within budget |",
            "|---|---|---|",
        ]
        lines += [
            f"| {name} | {sec:.1f} | {_within(sec, NOTEBOOK_BUDGET)} |"
            for name, sec in nbs["per_notebook_s"].items()
        ]
        total = nbs["total_s"]
        lines += [
            f"| **whole book** | **{total:.1f}** | {_within(total, BOOK_BUDGET)} |",
            "",
        ]
    return "\n".join(lines)


def _goal(case: dict) -> str:
    """The speed-up a case must reach, and whether it did: ``>= 1.8x, met``."""
    goal = case.get("goal_ratio")
    if not goal:
        return "-"
    met = case.get("ratio", 0.0) >= goal
    return f">= {_times(goal)}x, " + ("met" if met else "**not met**")


def _budget(case: dict) -> str:
    """A case's time budget, marked when its median is over it."""
    budget = case["budget_s"]
    over = budget is not None and case["median_s"] > budget
    return _fmt(budget) + (", **over**" if over else "")


def _within(seconds: float, budget: float) -> str:
    """``yes``, or a bold ``no`` that an over-budget row cannot hide in."""
    return "yes" if seconds <= budget else "**no**"


def _update_readme(table: str) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        readme.write_text(f"{head}{start}\n{table}\n{end}{tail}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument(
        "--only",
        nargs="*",
        default=None,
        help="run only cases whose name contains these",
    )
    parser.add_argument("--skip-notebooks", action="store_true")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument(
        "--render",
        action="store_true",
        help="only re-render results.md from results.json",
    )
    args = parser.parse_args(argv)
    if args.render:
        results = json.loads((ROOT / "bench" / "results.json").read_text())
        table = markdown(results)
        (ROOT / "bench" / "results.md").write_text(
            "# Benchmark results\n\n" + table + "\n"
        )
        if not args.no_readme:
            _update_readme(table)
        print(table)
        return 0
    os.environ.setdefault("PCBOOK_QUIET", "1")

    results = {
        "date": dt.date.today().isoformat(),
        "machine": _machine(),
        "load": {"start": os.getloadavg()[0]},
        "cases": [],
        "scaling": [],
    }
    for module in _modules():
        for case in getattr(module, "CASES", []):
            if args.only and not any(o in case.name for o in args.only):
                continue
            print(f"timing {case.name} ...", flush=True)
            results["cases"].append(run_case(case))
        if not args.skip_scaling and not args.only:
            for scaling in getattr(module, "SCALING", []):
                print(f"scaling {scaling.name} ...", flush=True)
                results["scaling"].append(run_scaling(scaling))
    if not args.skip_notebooks and not args.only:
        print("executing notebooks ...", flush=True)
        results["notebooks"] = run_notebooks()

    results["load"]["end"] = os.getloadavg()[0]
    table = markdown(results)
    # a partial run (--only) must not replace the stored full results
    out = ROOT / "build" / "bench" if args.only else ROOT / "bench"
    stem = "results-only" if args.only else "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{stem}.json").write_text(
        json.dumps(results, indent=2, default=str) + "\n"
    )
    (out / f"{stem}.md").write_text("# Benchmark results\n\n" + table + "\n")
    if not args.no_readme and not args.only:
        _update_readme(table)
    print()
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
