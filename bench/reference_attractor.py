"""A plain loop-per-unit, loop-per-coupling version of the attractor network (chapter 6).

Written in pure Python with the ``math`` module and nested lists, in the style of the authors'
object-per-node reference: every coupling's input J_ij sigma_j is refreshed before any unit
changes, then every unit draws its new state, then every coupling learns. It draws one uniform
per unit per step from a numpy Generator, in unit order, so for the same seed it follows the
same trajectory as :func:`pcbook.attractor.train`. Used by ``bench_attractor.py`` and as an
independent oracle in ``tests/test_attractor.py``.
"""

from __future__ import annotations

import math

import numpy as np


def mean_cb(x: float) -> float:
    """coth x - 1/x, with its series near 0."""
    if abs(x) < 1e-2:
        return x / 3.0 - x**3 / 45.0 + 2.0 * x**5 / 945.0
    return 1.0 / math.tanh(x) - 1.0 / x


def draw_cb(b: float, u: float) -> float:
    """Inverse CDF of the continuous Bernoulli on [-1, 1], solved for x unit by unit."""
    u = max(u, 5e-324)
    if abs(b) < 1e-8:
        m = 2.0 * u - 1.0
        return m + 0.5 * b * (1.0 - m * m)
    if abs(b) < 0.5:
        a, v = abs(b), (u if b >= 0 else 1.0 - u)
        x = 1.0 + math.log1p((1.0 - v) * math.expm1(-2.0 * a)) / a
        x = x if b > 0 else -x
    else:  # ln((1 - u) e^{-b} + u e^{b}) / b as a log-sum-exp
        p, q = b + math.log(u), math.log1p(-u) - b
        top = max(p, q)
        x = (top + math.log1p(math.exp(min(p, q) - top))) / b
    return min(1.0, max(-1.0, x))


def train_reference(patterns, sequence, beta=1.0, eta=1e-3, seed=0):
    """Train from J = 0 and sigma = 0; returns (J as a list of lists, list of states)."""
    rng = np.random.default_rng(seed)
    n = len(patterns[0])
    J = [[0.0] * n for _ in range(n)]
    sigma = [0.0] * n
    states = []
    for k in sequence:
        b = patterns[k]
        inputs = [
            [J[i][j] * sigma[j] for j in range(n)] for i in range(n)
        ]  # "boundary" values
        h = [math.fsum(row) for row in inputs]
        new = [
            draw_cb(beta * (b[i] + h[i]), float(rng.random()))
            for i in range(n)
        ]
        for i in range(n):
            error = eta * (new[i] - mean_cb(h[i]))
            row = J[i]
            for j in range(n):
                if i != j:
                    row[j] += error * new[j]
        sigma = new
        states.append(new)
    return J, states
