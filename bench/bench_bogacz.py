"""Benchmarks of chapters 1-3 (Bogacz 2017).

* ``bogacz-ex5``: Exercise 5, 10 seeds x 1000 trials x 2000 Euler steps, vectorised over seeds with
  the Euler steps of a trial as one 2x2 matrix power (``pcbook.variance``), against the plain
  per-trial Python loop in ``bench/reference_bogacz.py`` (run on 50 trials of the 10 seeds and
  scaled; both give the same Sigma to 1e-10).
* ``bogacz-ex1``: the grid posterior, numpy vs a point-by-point ``math`` loop.
* ``bogacz-ex3``: 5 time units of the prediction-error network (500 Euler steps).
* ``bogacz-sec2.4``: learning v_p and Sigma_p from 3000 stimuli.
* ``bogacz-hierarchy``: 150 epochs of learning Theta on 200 generated inputs.
"""

from __future__ import annotations

import numpy as np

from bench.common import Case
from bench.reference_bogacz import interneuron_learning_loop, posterior_loop
from pcbook import error_units, posterior, variance

_REF_TRIALS = 50


def _ex5():
    return variance.simulate_interneuron_learning(
        n_trials=1000, lr=0.01, n_seeds=10, rng=0
    )


def _ex5_loop():
    return interneuron_learning_loop(n_trials=_REF_TRIALS, n_seeds=10, seed=0)


def _hierarchy():
    true = variance.make_hierarchy((4, 2), weight_scale=1.5, rng=3)
    true = variance.Hierarchy(
        true.thetas, (0.05 * np.eye(4), np.eye(2)), np.zeros(2)
    )
    u = variance.sample_hierarchy(true, 200, rng=4)[0]
    return variance.fit_hierarchy(
        u,
        variance.make_hierarchy((4, 2), weight_scale=0.3, rng=5),
        n_epochs=150,
    )


CASES = [
    Case(
        "bogacz-ex5",
        _ex5,
        _ex5_loop,
        reference_scale=_REF_TRIALS / 1000,
        repeats=3,
        budget_seconds=1.0,
        notes="10 seeds x 1000 trials x 2000 Euler steps; reference: plain per-trial Python loop "
        "(bench/reference_bogacz.py) on 50 trials, scaled",
    ),
    Case(
        "bogacz-ex1",
        posterior.posterior_on_grid,
        posterior_loop,
        repeats=5,
        budget_seconds=0.05,
        notes="grid posterior on 500 points; reference: math-module loop",
    ),
    Case(
        "bogacz-ex3",
        error_units.simulate_network,
        None,
        repeats=5,
        budget_seconds=0.05,
        notes="500 Euler steps of the three-node network",
    ),
    Case(
        "bogacz-sec2.4",
        lambda: variance.learn_parameters(
            learn=("v_p", "sigma_p"), sigma_u0=1.0, rng=0
        ),
        None,
        repeats=3,
        budget_seconds=2.0,
        notes="3000 stimuli, inference by the roots of the cubic",
    ),
    Case(
        "bogacz-hierarchy",
        _hierarchy,
        None,
        repeats=3,
        budget_seconds=3.0,
        notes="150 epochs, 200 inputs, 4 -> 2 hierarchy, 50 relaxation steps per epoch",
    ),
]
