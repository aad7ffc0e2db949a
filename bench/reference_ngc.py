"""Plain reference for NGC: one image at a time, written out from the equations with no batching.

Used by ``bench/bench_ngc.py`` (speed of batched vs per-sample settling) and by
``tests/test_ngc.py`` (the batched circuit must agree with this to rounding).
"""

from __future__ import annotations

import numpy as np


def _act(name, x):
    if name == "tanh":
        return np.tanh(x)
    if name == "relu":
        return np.maximum(x, 0.0)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-x))
    return x


def _dact(name, x):
    if name == "tanh":
        return 1.0 - np.tanh(x) ** 2
    if name == "relu":
        return (x >= 0).astype(float)
    return np.ones_like(x)


def settle_one(x, weights, params, K=None, beta=None):
    """Settle one image ``x`` (shape ``(J_0,)``) from a cold start; returns ``(z, zbar, e)`` lists."""
    K = params.K if K is None else K
    beta = params.beta if beta is None else beta
    L, sizes = params.L, params.sizes
    z = [np.array(x, dtype=float)] + [np.zeros(j) for j in sizes[1:]]
    e = [np.zeros(j) for j in sizes[:L]]
    zbar = [np.zeros(j) for j in sizes[:L]]
    prec = [None if S is None else np.linalg.inv(S) for S in weights.Sigma]
    for _ in range(K):
        new = [z[0]]
        for l in range(1, L + 1):
            if params.error_synapses == "tied":
                up = np.array(
                    [
                        sum(
                            e[l - 1][i] * weights.W[l][j, i]
                            for i in range(sizes[l - 1])
                        )
                        for j in range(sizes[l])
                    ]
                )
            else:
                up = np.array(
                    [
                        sum(
                            e[l - 1][i] * weights.E[l][i, j]
                            for i in range(sizes[l - 1])
                        )
                        for j in range(sizes[l])
                    ]
                )
            if params.use_dphi:
                up = up * _dact(params.phi, z[l])
            d = up - e[l] if l < L else up
            dz = d - params.gamma_v * z[l] - params.lam * np.sign(z[l])
            if weights.V and weights.V[l] is not None:
                a = _act(params.phi, z[l])
                dz = dz - np.array(
                    [
                        sum(a[i] * weights.V[l][i, j] for i in range(sizes[l]))
                        for j in range(sizes[l])
                    ]
                )
            new.append(z[l] + beta * dz)
        z = new
        a = [None] + [_act(params.phi, z[l]) for l in range(1, L + 1)]
        zbar, e = [], []
        for l in range(L):
            h = np.array(
                [
                    sum(
                        a[l + 1][i] * weights.W[l + 1][i, j]
                        for i in range(sizes[l + 1])
                    )
                    for j in range(sizes[l])
                ]
            )
            if l + 2 <= L and weights.M[l + 2] is not None:
                h = h + a[l + 2] @ weights.M[l + 2]
            zbar.append(_act(params.g_out if l == 0 else params.g_hidden, h))
            target = (
                z[l] if (l == 0 or params.hidden_target == "state") else a[l]
            )
            err = target - zbar[l]
            if l > 0 and prec[l] is not None:
                err = err @ prec[l]
            e.append(err)
    return z, zbar, e


def settle_per_sample(X, weights, params, K=None, beta=None):
    """Bottom predictions for every row of ``X``, settling each image on its own."""
    return np.array([settle_one(x, weights, params, K, beta)[1][0] for x in X])


def settle_rows(X, weights, params, K=None, beta=None):
    """Per-sample settling with vectorised rows (the plain version benchmarked at scale):
    the same loop as :func:`pcbook.ngc.settle` but one image at a time."""
    from pcbook.ngc import settle

    return np.array(
        [settle(x[None, :], weights, params, K, beta).prediction[0] for x in X]
    )


def train_per_sample(X, params, n_batches, rng=0):
    """Train like :meth:`pcbook.ngc.NGC.fit` but settle every image of a batch on its own
    (``n_batches`` batches only); the Hebbian update is then computed from the stacked states."""
    from pcbook.maths import Adam
    from pcbook.ngc import (
        SettleState,
        apply_updates,
        hebbian_updates,
        init_weights,
        settle,
    )

    rng = np.random.default_rng(rng)
    weights = init_weights(params, rng)
    opt = Adam(lr=params.lr)
    order = rng.permutation(len(X))
    for b in range(n_batches):
        xb = X[order[b * params.batch_size : (b + 1) * params.batch_size]]
        states = [settle(x[None, :], weights, params) for x in xb]
        stacked = SettleState(
            *(
                [
                    np.vstack([s_.__dict__[k][l] for s_ in states])
                    for l in range(len(states[0].__dict__[k]))
                ]
                for k in ("z", "zbar", "e")
            ),
            tod=np.mean([s_.tod for s_ in states], axis=0),
        )
        apply_updates(
            weights, hebbian_updates(stacked, weights, params), opt, params
        )
    return weights
