"""NGC as gradient descent: the energy that type-1 settling descends, and the limit in which an
NGC circuit computes exactly the backprop gradient (zero-divergence inference learning, Song et
al. 2020; the setting of the released active-NGC code).

An x -> y circuit: the top layer is clamped to an input ``x_top``, the bottom to a target ``y``.
With feed-forward initialisation, ``beta = 1``, no leak and no prior, tied error synapses with
``phi'`` (type 1) and identity hidden predictions, the error reaching layer ``l`` after ``l``
settling steps is exactly backprop's delta, so the Hebbian update of ``W[l+1]`` read at that
step is the negative gradient of the loss.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from pcbook.maths import activation
from pcbook.validate import check_instance, check_range
from pcbook.ngc.circuit import (
    NGCParams,
    Weights,
    _circuit,
    _clamped,
    _layers,
    _mask_prec,
    _phi,
    error_neurons,
    initial_state,
    predictions,
    state_update,
)

__all__ = [
    "energy",
    "drift_asymmetry",
    "zil_params",
    "scheduled_updates",
    "backprop_updates",
]


def energy(z: list, weights: Weights, params: NGCParams, mask=None) -> float:
    """The energy ``F`` whose negative gradient is the type-1 state update, summed over the batch.

    Implements {eq}`eq-ngc-energy`: ``F = BCE(x, zbar[0]) + 1/2 sum_{l>=1} ||z[l] - zbar[l]||^2
    + gamma_v/2 sum_l ||z[l]||^2 + lam sum_l |z[l]|`` (with ``1/2 ||x - zbar[0]||^2`` instead of the
    BCE for an identity output). Defined for GNCN-t1-like circuits (tied synapses with phi',
    identity hidden predictions of ``z``, no lateral, skip or precision terms); the top is free.
    """
    _circuit(weights, params)
    if (
        params.error_synapses != "tied"
        or not params.use_dphi
        or params.g_hidden != "identity"
        or params.hidden_target != "state"
        or params.skip
        or params.n_group
        or params.precision
    ):
        raise ValueError(
            "params: the energy is defined here for type-1 circuits (GNCN-t1) only"
        )
    zbar = predictions(z, weights, params)
    mask = _mask_prec(mask, None, np.shape(z[0]), params)
    w = 1.0 if mask is None else mask
    if params.g_out == "sigmoid":
        p = np.clip(zbar[0], 1e-300, 1.0)
        q = np.clip(1.0 - zbar[0], 1e-300, 1.0)
        F = -np.sum(w * (z[0] * np.log(p) + (1.0 - z[0]) * np.log(q)))
    else:
        F = 0.5 * np.sum(w * (z[0] - zbar[0]) ** 2)
    for l in range(1, params.L + 1):
        if l < params.L:
            F += 0.5 * np.sum((z[l] - zbar[l]) ** 2)
        F += 0.5 * params.gamma_v * np.sum(z[l] ** 2) + params.lam * np.sum(
            np.abs(z[l])
        )
    return float(F)


def drift_asymmetry(
    x, weights: Weights, params: NGCParams, z: list, h: float = 1e-6
) -> float:
    """How far the settling drift is from being the gradient of any energy.

    The drift of the free states is ``d(z) = (state_update(z, e(z), beta=1) - z)``, with the
    errors ``e(z)`` recomputed from the states ({eq}`eq-ngc-state`). A vector field is the
    gradient of a function only if its Jacobian ``J`` is symmetric; this returns
    ``||J - J^T||_F / ||J||_F`` (0 for a gradient flow, up to the finite-difference error; at
    most 2), with ``J`` from central differences of step ``h`` in every free state of the
    single image ``x`` (shape ``(1, J_0)``) around the states ``z``; ``h`` lies in
    [1e-10, 1] (a smaller step loses the drift to rounding).
    """
    _circuit(weights, params)
    _layers("z", z, params)
    h = check_range("h", h, 1e-10, 1.0)
    x = _clamped("x", x, params.sizes[0], ndim=(2,))
    if x.shape[0] != 1:
        raise ValueError(
            f"x: expected one image (shape (1, J_0)), got shape {x.shape}"
        )
    sizes = params.sizes[1:]

    def drift(flat):
        zs = [x] + list(np.split(flat[None, :], np.cumsum(sizes)[:-1], axis=1))
        e = error_neurons(
            zs, predictions(zs, weights, params), weights, params
        )
        return np.concatenate(
            [
                n - o
                for n, o in zip(
                    state_update(zs, e, weights, params, 1.0)[1:], zs[1:]
                )
            ],
            axis=1,
        )[0]

    z0 = np.concatenate(
        [np.asarray(a, dtype=float)[:1] for a in z[1:]], axis=1
    )[0]
    jac = np.empty((z0.size, z0.size))
    for i in range(z0.size):
        step = np.zeros_like(z0)
        step[i] = h
        jac[:, i] = (drift(z0 + step) - drift(z0 - step)) / (2 * h)
    return float(np.linalg.norm(jac - jac.T) / np.linalg.norm(jac))


def zil_params(params: NGCParams) -> NGCParams:
    """``params`` moved to the backprop limit: ``beta = 1``, no leak, no prior, ``K = L``.

    Raises ValueError if the circuit is not type 1 with identity hidden predictions (learned
    error synapses, skip or lateral connections and precisions break the equivalence).
    """
    check_instance("params", params, NGCParams)
    if params.error_synapses != "tied" or not params.use_dphi:
        raise ValueError(
            "params: the backprop limit needs tied error synapses with phi' (type 1)"
        )
    if params.g_hidden != "identity" or params.hidden_target != "state":
        raise ValueError(
            "params: the backprop limit needs identity hidden predictions of the state z"
        )
    if params.skip or params.n_group or params.precision:
        raise ValueError(
            "params: skip, lateral and precision terms break the backprop limit"
        )
    return dataclasses.replace(
        params, beta=1.0, gamma_v=0.0, lam=0.0, K=params.L
    )


def _pair(x_top, y, params: NGCParams) -> tuple:
    """The clamped input ``x_top`` and target ``y`` of an x -> y circuit, checked."""
    x_top = _clamped("x_top", x_top, params.sizes[-1], ndim=(2,))
    y = _clamped("y", y, params.sizes[0], ndim=(2,))
    if len(x_top) != len(y):
        raise ValueError(
            f"y: expected one row per row of x_top ({len(x_top)}), got "
            f"{len(y)}"
        )
    return x_top, y


def scheduled_updates(
    x_top, y, weights: Weights, params: NGCParams
) -> list[np.ndarray]:
    """Hebbian updates ``dW[l] = phi(z[l])^T e[l-1] / N`` with layer ``l``'s update read after
    ``l - 1`` settling steps from a feed-forward start (``K = L`` error readings in all).

    Implements {eq}`eq-ngc-zil`. Returns ``[dW[1], ..., dW[L]]``, equal to
    :func:`backprop_updates` up to rounding.
    """
    _circuit(weights, params)
    p = zil_params(params)
    x_top, y = _pair(x_top, y, p)
    z, _, e = initial_state(y, weights, p, z_top=x_top, init="feedforward")
    n, dW = len(y), []
    for l in range(1, p.L + 1):
        dW.append(
            _phi(p, l, True)[0](z[l]).T @ e[l - 1] / n
        )  # read after l - 1 steps
        z = state_update(z, e, weights, p, 1.0, top_clamped=True)
        e = error_neurons(z, predictions(z, weights, p, True), weights, p)
    return dW


def backprop_updates(
    x_top, y, weights: Weights, params: NGCParams
) -> list[np.ndarray]:
    """Negative gradients ``-dLoss/dW[l]`` of the feed-forward network ``x_top -> y`` by backprop.

    The loss is the batch-mean BCE for a sigmoid output, or half the squared error for an
    identity output (for both, the output delta is ``y - prediction``).
    """
    _circuit(weights, params)
    p = zil_params(params)
    x_top, y = _pair(x_top, y, p)
    L, n = p.L, len(y)
    a, pre = [None] * (L + 1), [None] * (L + 1)
    a[L] = x_top
    for l in range(L - 1, 0, -1):  # forward pass, top to bottom
        pre[l] = a[l + 1] @ weights.W[l + 1]
        a[l] = _phi(p, l, True)[0](pre[l])
    delta = y - activation(p.g_out)[0](a[1] @ weights.W[1])
    grads = []
    for l in range(1, L + 1):  # backward pass, bottom to top
        grads.append(a[l].T @ delta / n)
        if l < L:
            delta = (delta @ weights.W[l].T) * _phi(p, l, True)[1](pre[l])
    return grads
