"""Benchmarks of chapter 5 (active NGC on Mountain Car).

* ``angc-headline``: the chapter's headline run, one agent for 200 episodes (the notebook's
  largest cell; the whole notebook must execute in under 90 s on 2 cores).
* ``angc-ablation-batched``: ten agents (5 seeds x epistemic on/off) trained side by side in one
  vectorised loop for 20 episodes, against the same ten agents run one after the other
  (``bench/reference_angc.py``).
* ``ngc-settle``: 100 settle-and-reads of a 103-32-3 circuit on a batch of 64, against a
  per-sample loop with 2-D arrays.
* ``SCALING``: time of one settle as the hidden width grows.
"""

from __future__ import annotations

import numpy as np

from bench.common import Case, Scaling
from bench.reference_angc import run_agents_one_by_one, settle_per_sample
from pcbook import angc

_P = angc.BOOK_PARAMS
_SEEDS, _ALPHA = [0, 1, 2, 3, 4] * 2, [1.0] * 5 + [0.0] * 5
_rng = np.random.default_rng(0)
_W = angc.init_circuit((103, 32, 3), 1, _rng)
_X, _Y = _rng.normal(size=(1, 64, 103)), _rng.normal(size=(1, 64, 3))


def _headline():
    return angc.run_angc(
        "MountainCar-v0", seeds=[0], alpha_e=1.0, episodes=200, params=_P
    )


def _batched():
    return angc.run_angc(
        "MountainCar-v0", seeds=_SEEDS, alpha_e=_ALPHA, episodes=20, params=_P
    )


def _one_by_one():
    return run_agents_one_by_one(_SEEDS, _ALPHA, 20, _P)


def _settle():
    return [angc.settle(_W, _X, _Y, _P.settle) for _ in range(100)]


def _settle_loop():
    W2 = [(W[0], b[0]) for W, b in _W]
    return [
        settle_per_sample(W2, _X[0], _Y[0], _P.settle.K, _P.settle.beta)
        for _ in range(10)
    ]


def _make_step(n: int):
    w = angc.init_circuit((103, n, 3), 1, _rng)
    return lambda: angc.settle(w, _X, _Y, _P.settle)


CASES = [
    Case(
        "angc-headline",
        _headline,
        None,
        repeats=1,
        budget_seconds=30.0,
        notes="1 agent, 200 Mountain Car episodes, K = 5 settling steps, update every 4 steps",
    ),
    Case(
        "angc-ablation-batched",
        _batched,
        _one_by_one,
        repeats=1,
        notes="10 agents x 20 episodes in one loop vs one after the other",
    ),
    Case(
        "ngc-settle",
        _settle,
        _settle_loop,
        reference_scale=0.1,
        repeats=3,
        notes="100 settles + local updates, 103-32-3 circuit, batch 64, K = 5; reference loops over samples",
    ),
]

SCALING = [
    Scaling(
        "ngc-settle-width",
        _make_step,
        sizes=(16, 32, 64, 128, 256),
        steps=20,
        notes="one settle (K = 5, batch 64) of a 103-n-3 circuit",
    )
]
