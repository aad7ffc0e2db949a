"""Plain reference implementations for the Bogacz chapters (1-3), for the benchmarks.

``interneuron_learning_loop`` is Exercise 5 written the obvious way: for every seed and every
trial, 2000 Euler steps of the error node and the interneuron in a Python loop, then the Hebbian
update of Sigma. It draws phi exactly as ``pcbook.variance.simulate_interneuron_learning`` does
(one spawned stream per seed, all trials drawn up front), so both return the same numbers.
"""

from __future__ import annotations

import math

import numpy as np


def interneuron_learning_loop(
    n_trials: int = 1000,
    lr: float = 0.01,
    n_seeds: int = 10,
    mean_phi: float = 5.0,
    sigma_phi: float = 2.0,
    g_above: float = 5.0,
    sigma0: float = 1.0,
    dt: float = 0.01,
    n_steps: int = 2000,
    seed: int = 0,
) -> list[list[float]]:
    """Sigma before each trial, per seed: a list of ``n_seeds`` lists of ``n_trials + 1`` floats."""
    streams = np.random.default_rng(seed).spawn(n_seeds)
    out = []
    for stream in streams:
        phis = stream.normal(mean_phi, math.sqrt(sigma_phi), n_trials).tolist()
        sigma = [sigma0]
        for phi in phis:
            eps = e = 0.0
            for _ in range(n_steps):
                eps, e = (
                    eps + dt * (phi - g_above - e),
                    e + dt * (sigma[-1] * eps - e),
                )
            sigma.append(sigma[-1] + lr * (eps * e - 1.0))
        out.append(sigma)
    return out


def posterior_loop(
    u: float = 2.0,
    v_p: float = 3.0,
    sigma_p: float = 1.0,
    sigma_u: float = 1.0,
    n: int = 500,
    step: float = 0.01,
) -> tuple[float, float]:
    """Grid posterior of Exercise 1 point by point with the math module; returns (evidence, mode)."""
    joint = []
    for k in range(n):
        v = step * (k + 1)
        prior = math.exp(-0.5 * (v - v_p) ** 2 / sigma_p) / math.sqrt(
            2 * math.pi * sigma_p
        )
        lik = math.exp(-0.5 * (u - v * v) ** 2 / sigma_u) / math.sqrt(
            2 * math.pi * sigma_u
        )
        joint.append(prior * lik)
    evidence = sum(joint) * step
    mode = step * (1 + max(range(n), key=joint.__getitem__))
    return evidence, mode
