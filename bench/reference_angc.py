"""Plain reference implementations for chapter 5 (active NGC), used by ``bench/bench_angc.py``.

* ``settle_per_sample``: the NGC settling and local updates of ``pcbook.angc.settle`` computed one
  sample at a time with plain 2-D numpy (no batch axis, no agent axis), averaged at the end.
* ``run_agents_one_by_one``: the ablation sweep run the obvious way, one agent after the other,
  instead of all agents in one vectorised loop.
"""

from __future__ import annotations

import numpy as np

from pcbook import angc


def settle_per_sample(weights, x, y, K, beta, leak=0.0):
    """Settle each sample of ``x`` (B, n_in) / ``y`` (B, n_out) alone (ReLU circuit, 2-D weights)."""
    L = len(weights)
    dW = [np.zeros_like(W) for W, _ in weights]
    db = [np.zeros(b.shape[-1]) for _, b in weights]
    for xn, yn in zip(x, y):
        h = [xn]
        for l, (W, b) in enumerate(weights):
            h.append(
                (h[-1] if l == 0 else np.maximum(h[-1], 0)) @ W + b.ravel()
            )
        mu1 = h[1].copy()
        h[L] = yn
        e = [None] + [np.zeros_like(v) for v in h[1:]]
        e[L] = (
            yn
            - (np.maximum(h[L - 1], 0) if L > 1 else h[0]) @ weights[-1][0]
            - weights[-1][1].ravel()
        )
        for _ in range(K):
            for l in range(1, L):
                fb = (h[l] > 0) * (e[l + 1] @ weights[l][0].T)
                h[l] = h[l] + beta * (-leak * h[l] - e[l] + fb)
            for l in range(1, L + 1):
                below = h[l - 1] if l == 1 else np.maximum(h[l - 1], 0)
                e[l] = h[l] - (
                    mu1
                    if l == 1
                    else below @ weights[l - 1][0] + weights[l - 1][1].ravel()
                )
        for l in range(1, L + 1):
            pre = h[l - 1] if l == 1 else np.maximum(h[l - 1], 0)
            dW[l - 1] += np.outer(pre, e[l]) / len(x)
            db[l - 1] += e[l] / len(x)
    return dW, db


def run_agents_one_by_one(seeds, alpha_e, episodes, params):
    """The ablation sweep as a loop of single-agent runs; returns the first-success episodes."""
    return [
        int(
            angc.run_angc(
                "MountainCar-v0",
                seeds=[s],
                alpha_e=a,
                episodes=episodes,
                params=params,
            ).first_success[0]
        )
        for s, a in zip(seeds, alpha_e)
    ]
