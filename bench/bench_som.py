"""Benchmarks of chapter 7 (self-organising maps learn motor primitives).

* ``som-training-20k``: the full 20000-epoch training of ``pcbook.som.MotorSOM`` (budget 60 s on
  2 cores) against the seed's loop in ``bench/reference_som.py``, which renders every rollout
  through a new matplotlib Axes; the reference runs 20 epochs and is scaled to 20000.
* ``som-training-2k-plain-numpy``: 2000 epochs of training against the same plain loop with
  pcbook's rasteriser instead of matplotlib (what is left once the figures are gone: per-rollout
  ESN, dense map updates); the reference runs 20 epochs of that schedule, scaled.
* ``som-rasterise``: 1000 drawings with the batched numpy rasteriser against a matplotlib figure
  per drawing as the seed does (100 drawings, scaled).
* ``SCALING``: time of one batched rasterisation as the number of paths doubles.
"""

from __future__ import annotations

import numpy as np

from bench.common import Case, Scaling
from bench.reference_som import SeedCanvas, train_reference
from pcbook import som
from pcbook.envs import drawing

_EPOCHS = 20000
_REF_EPOCHS = 20


def _paths(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    res = som.make_reservoir(rng=rng)
    return drawing.arm_trajectory(
        som.esn_rollout(res, rng.standard_normal((n, 100)) * 3)
    )


_PATHS = _paths(1000)


def _fast():
    return som.MotorSOM(n_snapshots=1).fit(rng=0)


def _seed_loop():
    return train_reference(
        som.SOMParams(), rng=0, epochs=_REF_EPOCHS, render="matplotlib"
    )


def _fast_2k():
    return som.MotorSOM(som.SOMParams(epochs=2000), n_snapshots=1).fit(rng=0)


def _plain_numpy():
    return train_reference(
        som.SOMParams(epochs=2000), rng=0, epochs=_REF_EPOCHS, render="numpy"
    )


def _rasterise_fast():
    return drawing.rasterise(_PATHS)


def _rasterise_seed():
    canvas = SeedCanvas()
    return [canvas(p) for p in _PATHS[:100]]


def _make_step(n: int):
    paths = _PATHS[:n] if n <= len(_PATHS) else _paths(n, seed=1)
    return lambda: drawing.rasterise(paths)


CASES = [
    Case(
        "som-training-20k",
        _fast,
        _seed_loop,
        reference_scale=_REF_EPOCHS / _EPOCHS,
        repeats=1,
        budget_seconds=60.0,
        goal_ratio=50.0,
        notes="20000 epochs x 10 rollouts; reference: the seed's loop with a matplotlib Axes per rollout, "
        f"{_REF_EPOCHS} epochs scaled",
    ),
    Case(
        "som-training-2k-plain-numpy",
        _fast_2k,
        _plain_numpy,
        reference_scale=_REF_EPOCHS / 2000,
        repeats=3,
        budget_seconds=6.0,
        notes=f"2000 epochs; reference: the plain loop with the numpy rasteriser ({_REF_EPOCHS} epochs scaled)",
    ),
    Case(
        "som-rasterise",
        _rasterise_fast,
        _rasterise_seed,
        reference_scale=0.1,
        budget_seconds=0.2,
        notes="1000 101-point paths to 64x64; reference: a new matplotlib Axes per drawing (100, scaled)",
    ),
]

SCALING = [
    Scaling(
        "som-rasterise-batch",
        _make_step,
        sizes=(10, 20, 40, 80, 160, 320),
        steps=20,
        notes="one batched call of drawing.rasterise on n paths of 101 points",
    ),
]
