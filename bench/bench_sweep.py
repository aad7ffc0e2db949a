"""Benchmarks of the sweep machinery (``pcbook.sweep``, issue 19 outcome 4).

* ``sweep-2-workers``: 8 seeds of ``bogacz-ex5`` with 2000 trials (about
  1 s each) on a local Dask cluster of 2 one-thread workers, against the
  plain serial loop of ``reproduce.run`` over the same seeds. Goal: 1.8x.
* ``sweep-overhead-20-runs``: 20 runs of ``bayes-gaussian`` (about 1 ms of
  work each) through the whole machinery on 1 worker: submitting, running,
  collecting, writing the cache and building the table. Divided by 20 it is
  the cost a sweep adds to each run; the budget, 1 s for the 20, is 5 % of
  a 1 s run each.

Both clusters are started on first use (the warm-up call, which also
imports pcbook in the workers) and kept for the repeats; each timed sweep
writes a fresh cache, so nothing is read back from an earlier repeat.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile

from bench.common import Case
from pcbook import reproduce, sweep

_EXP, _GRID, _SEEDS = "bogacz-ex5", {"trials": 2000}, range(8)
_CLUSTERS: dict[int, object] = {}


def _address(workers: int) -> str:
    if workers not in _CLUSTERS:
        _CLUSTERS[workers] = sweep.local_cluster(workers)
        atexit.register(_CLUSTERS[workers].close)
    return _CLUSTERS[workers].scheduler_address


def _sweep(name: str, seeds, grid: dict, workers: int):
    cache = tempfile.mkdtemp(prefix="pcbook-bench-sweep-")
    try:
        return sweep.run(
            name,
            seeds=seeds,
            grid=grid,
            scheduler=_address(workers),
            cache=cache,
        )
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def _serial_loop():
    return [reproduce.run(_EXP, seed=s, overrides=_GRID) for s in _SEEDS]


CASES = [
    Case(
        "sweep-2-workers",
        lambda: _sweep(_EXP, _SEEDS, _GRID, 2),
        _serial_loop,
        repeats=3,
        goal_ratio=1.8,
        notes="8 seeds of bogacz-ex5 (trials=2000, about 1 s each) on 2 "
        "local Dask workers; reference: the plain serial loop of "
        "reproduce.run",
    ),
    Case(
        "sweep-overhead-20-runs",
        lambda: _sweep("bayes-gaussian", range(20), {}, 1),
        None,
        repeats=5,
        budget_seconds=1.0,
        notes="20 runs of about 1 ms through the sweep (1 worker, cache "
        "written); time / 20 = overhead per run; budget = 5 % of a "
        "1 s run each",
    ),
]
