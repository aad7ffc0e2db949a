"""Benchmarks of the sweep machinery (``pcbook.sweep``, issue 19 outcome 4).

* ``sweep-2-workers``: 8 seeds of ``bogacz-ex5`` with 12,000 trials (about
  1 s each on an idle core) on a running local Dask cluster of 2
  one-thread workers, against the plain serial loop of ``reproduce.run``
  over the same seeds. Goal: 1.8x, which needs two idle cores.
* ``sweep-2-workers-cold``: the same sweep as ``python -m pcbook sweep
  --workers 2`` runs it, starting and stopping its own cluster (worker
  processes that import every chapter): what a short sweep costs a reader.
* ``sweep-overhead-20-runs``: 20 runs of ``bayes-gaussian`` (about 2 ms
  of work each) through the whole machinery on 1 running worker:
  connecting, checking the workers, submitting, running, collecting,
  writing the cache and building the table. Divided by 20 it is what a
  sweep adds to each run. The reference is one run of about 1 s
  (``bogacz-ex5``, 12,000 trials) timed beside it under the same load, so
  the goal, 1x, says the 20 runs cost at most one 1 s run: under 5 % of a
  1 s run each. The budget, 1 s, is the same on an idle machine.

The running clusters are started on first use (the warm-up call, which
also imports pcbook in the workers) and kept for the repeats; each timed
sweep writes a fresh cache, so nothing is read back from an earlier repeat.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile

from bench.common import Case
from pcbook import reproduce, sweep

_EXP, _GRID, _SEEDS = "bogacz-ex5", {"trials": 12_000}, range(8)
_CLUSTERS: dict[int, object] = {}


def _address(workers: int) -> str:
    if workers not in _CLUSTERS:
        _CLUSTERS[workers] = sweep.local_cluster(workers)
        atexit.register(_CLUSTERS[workers].close)
    return _CLUSTERS[workers].scheduler_address


def _sweep(name: str, seeds, grid: dict, **where):
    cache = tempfile.mkdtemp(prefix="pcbook-bench-sweep-")
    try:
        return sweep.run(name, seeds=seeds, grid=grid, cache=cache, **where)
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def _serial_loop():
    return [reproduce.run(_EXP, seed=s, overrides=_GRID) for s in _SEEDS]


CASES = [
    Case(
        "sweep-2-workers",
        lambda: _sweep(_EXP, _SEEDS, _GRID, scheduler=_address(2)),
        _serial_loop,
        repeats=3,
        goal_ratio=1.8,
        notes="8 seeds of bogacz-ex5 (trials=12000, about 1 s each) on 2 "
        "running local Dask workers; reference: the plain serial loop of "
        "reproduce.run",
    ),
    Case(
        "sweep-2-workers-cold",
        lambda: _sweep(_EXP, _SEEDS, _GRID, workers=2),
        _serial_loop,
        repeats=1,
        notes="the same 8 runs, the sweep starting and stopping its own "
        "2-worker cluster (sweep --workers 2)",
    ),
    Case(
        "sweep-overhead-20-runs",
        lambda: _sweep("bayes-gaussian", range(20), {}, scheduler=_address(1)),
        lambda: reproduce.run(_EXP, seed=0, overrides=_GRID),
        repeats=5,
        budget_seconds=1.0,
        goal_ratio=1.0,
        notes="20 runs of about 2 ms through the sweep (1 running worker, "
        "cache written); time / 20 = overhead per run; reference: one run "
        "of about 1 s, so 1x = 5 % of a 1 s run per run",
    ),
]
