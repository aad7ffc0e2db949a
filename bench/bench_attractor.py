"""Benchmarks of chapter 6 (attractor networks): Simulation 3 training, fast vs loop-per-unit.

* ``sim3-training`` times the 2000 training steps of Simulation 3 with the vectorised step
  (budget 0.3 s) against the chapter's loop-per-unit teaching version
  (``pcbook.attractor.step_loop``, goal: at least 50 times slower), run on 200 steps and scaled.
* ``sim3-training-plain`` compares with the plain pure-Python version in
  ``bench/reference_attractor.py`` (``math`` module, nested lists, no numpy in the step).
* ``sim3-full`` times the whole of Simulation 3 (training, attractors, free run).
* ``sim2-grid`` times Simulation 2's whole grid (380 networks x 50,000 training steps, then
  retrieval, generalisation and attractors) batched along a leading axis on 2 worker processes
  (goal: under 3 minutes on 2 cores; the authors' code: about 30 minutes on 16 cores), against
  the single-network simulation (:func:`pcbook.attractor.simulate_regime`, ``train``'s step) on
  2 networks, scaled to 380.
* ``SCALING``: time per network step (sampling plus learning) as the number of units doubles.
"""

from __future__ import annotations

import numpy as np

from bench.common import Case, Scaling
from bench.reference_attractor import train_reference
from pcbook import attractor

_STEPS = 2000
_REF_STEPS = 200
_PATTERNS = 20.0 * attractor.digit_patterns((1, 2, 3))


def _fast():
    return attractor.train(
        _PATTERNS, np.arange(_STEPS) % 3, beta=1.0, eta=1e-3, rng=0
    )


def _loop():
    return attractor.train(
        _PATTERNS,
        np.arange(_REF_STEPS) % 3,
        beta=1.0,
        eta=1e-3,
        loop=True,
        rng=0,
    )


def _plain():
    return train_reference(
        _PATTERNS.tolist(),
        (np.arange(_REF_STEPS) % 3).tolist(),
        1.0,
        1e-3,
        seed=0,
    )


def _full():
    return attractor.simulate_sequence(rng=0)


def _grid():
    return attractor.regime_grid(rng=0, workers=2)


def _grid_one_by_one():
    for ev, beta in list(attractor.SHOWCASE.values())[:2]:
        attractor.simulate_regime(ev, beta, rng=0)


def _make_step(n: int):
    rng = np.random.default_rng(n)
    J = rng.normal(0.0, 1.0 / np.sqrt(n), (n, n))
    np.fill_diagonal(J, 0.0)
    b = 20.0 * rng.normal(size=n)
    state = {"sigma": rng.uniform(-1, 1, n)}

    def step():
        state["sigma"] = attractor._step(
            J, b, state["sigma"], 1.0, 1e-3, rng.random(n)
        )

    return step


CASES = [
    Case(
        "sim3-training",
        _fast,
        _loop,
        reference_scale=_REF_STEPS / _STEPS,
        budget_seconds=0.3,
        goal_ratio=50.0,
        notes="2000 steps, N = 64; reference: the chapter's loop-per-unit step_loop",
    ),
    Case(
        "sim3-training-plain",
        _fast,
        _plain,
        reference_scale=_REF_STEPS / _STEPS,
        budget_seconds=0.3,
        notes="reference: pure-Python loops with the math module (bench/reference_attractor.py)",
    ),
    Case(
        "sim3-full",
        _full,
        None,
        budget_seconds=1.0,
        notes="training, three relaxations of J_sym and a 100-step free run",
    ),
    Case(
        "sim2-grid",
        _grid,
        _grid_one_by_one,
        reference_scale=2 / 380,
        repeats=1,
        budget_seconds=180.0,
        notes="380 networks x 50,000 steps + evaluation, batched, 2 workers; reference: "
        "simulate_regime one network at a time (2 of 380, scaled)",
    ),
]

SCALING = [
    Scaling(
        "network-step",
        _make_step,
        sizes=(64, 128, 256, 512, 1024),
        steps=50,
        notes="one synchronous stochastic step with learning: a mat-vec, N samples, an outer product",
    ),
]
