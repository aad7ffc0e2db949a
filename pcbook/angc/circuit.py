"""NGC x -> y circuits: feed-forward start, settling, local two-factor updates (chapter 5).

See :mod:`pcbook.angc` for the notation. Every array may carry leading "agent" axes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pcbook.maths import activation, check_activation
from pcbook.rng import as_rng
from pcbook.validate import (
    check_bool,
    check_count,
    check_finite_array,
    check_instance,
    check_int,
    check_positive,
    check_range,
    record,
)

#: largest width of a layer (the book's circuits have 64 hidden units)
MAX_UNITS = 10**4
#: largest clamped value: observations and targets are scaled to about [-1, 1]
MAX_INPUT = 1e6

__all__ = [
    "SettleParams",
    "Settled",
    "init_circuit",
    "forward",
    "settle",
    "surprise",
    "backprop_alignment",
]


@dataclass(frozen=True)
class SettleParams:
    """How an NGC circuit settles (eq-angc-settle)."""

    K: int = 10  # settling steps (paper: "K = 10 and K = 20 sufficient")
    beta: float = 0.1  # state step size dt / tau
    leak: float = 0.0  # state leak gamma_v
    act: str = "relu"  # hidden activation phi
    zil: bool = False  # read layer l's update after L - l steps (Z-IL schedule) instead of after K

    def __post_init__(self):
        check_int("K", self.K, 0)
        check_range("beta", self.beta, 0.0, 1.0)
        check_positive("leak", self.leak, allow_zero=True)
        check_activation("act", self.act)
        check_bool("zil", self.zil)


@record
@dataclass(frozen=True)
class Settled:
    """States, errors and local updates of a circuit after settling."""

    h: list  # states h[0..L]
    e: list  # errors e[1..L] (e[0] is None)
    dW: list  # Hebbian updates, one per weight layer
    db: list  # bias updates


def init_circuit(sizes, n_agents: int = 1, rng=None) -> list:
    """Random weights ``[(W1, b1), ..., (WL, bL)]`` of an x -> y circuit, one set per agent.

    ``W[l]`` has shape ``(n_agents, sizes[l-1], sizes[l])``, entries N(0, 1 / fan_in); biases are 0.
    """
    check_count("n_agents", n_agents, 1, 10**4)
    rng = as_rng(rng)
    check_instance("sizes", sizes, (tuple, list), "a sequence of widths")
    sizes = [check_count("sizes", s, 1, MAX_UNITS) for s in sizes]
    if len(sizes) < 2:
        raise ValueError(
            f"sizes: need at least an input and an output width, got {sizes}"
        )
    return [
        (
            rng.normal(0.0, 1.0 / np.sqrt(n_in), (n_agents, n_in, n_out)),
            np.zeros((n_agents, 1, n_out)),
        )
        for n_in, n_out in zip(sizes[:-1], sizes[1:])
    ]


def _check_weights(weights):
    if not isinstance(weights, (list, tuple)) or not weights:
        raise TypeError("weights: expected a non-empty list of (W, b) pairs")
    return weights


def _check_layer(name: str, value, width: int) -> np.ndarray:
    """A clamped layer: finite values of shape (..., B, width), at most MAX_INPUT in size."""
    value = check_finite_array(name, value)
    if value.ndim < 2 or value.shape[-1] != width:
        raise ValueError(
            f"{name}: expected shape (..., B, {width}), got {value.shape}"
        )
    if np.max(np.abs(value)) > MAX_INPUT:
        raise ValueError(
            f"{name}: values must lie in [-{MAX_INPUT:g}, {MAX_INPUT:g}] "
            "(inputs are scaled to about [-1, 1])"
        )
    return value


def forward(weights, x, act: str = "relu") -> list:
    """Feed-forward pass: the states ``h[0..L]`` when every error neuron is silent (eq-angc-predict)."""
    check_activation("act", act)
    f, _ = activation(act)
    weights = _check_weights(weights)
    h = [_check_layer("x", x, np.shape(weights[0][0])[-2])]
    for l, (W, b) in enumerate(_check_weights(weights)):
        h.append((h[-1] if l == 0 else f(h[-1])) @ W + b)
    return h


def settle(
    weights,
    x,
    y,
    params: SettleParams = SettleParams(),
    zil: bool | None = None,
) -> Settled:
    """Clamp input ``x`` and target ``y``, settle the hidden states K steps,
    read the local updates.

    Implements {eq}`eq-angc-settle`, {eq}`eq-angc-error` and {eq}`eq-angc-hebb`
    (the NGC state and synapse dynamics of Ororbia & Kifer 2022, as used by
    Ororbia & Mali 2022;
    we could not check the papers' equation numbers).

    Parameters
    ----------
    weights : list of (W, b)
        ``W[l]`` of shape ``(..., n_{l-1}, n_l)``, ``b[l]`` of shape ``(..., 1,
        n_l)``.
    x : array (..., B, n_0)
        Clamped input (top of the circuit).
    y : array (..., B, n_L)
        Clamped target (bottom of the circuit).
    params : SettleParams
        Settling steps K, step size beta, leak, activation.
    zil : bool or None
        None takes ``params.zil``. True reads layer ``l``'s update after ``L -
        l`` steps instead of after K (the Z-IL schedule,
        Song et al. 2020). With ``beta = 1``, ``leak = 0`` and ``K >= L - 1``
        the updates then
        equal minus the backprop gradient of ``0.5 * ||y - f(x)||^2 / B``
        exactly.

    Returns
    -------
    Settled
    """
    weights = _check_weights(weights)
    check_instance("params", params, SettleParams)
    zil = params.zil if zil is None else check_bool("zil", zil)
    f, df = activation(params.act)
    L = len(weights)
    if zil and params.K < L - 1:
        raise ValueError(
            f"K: the Z-IL schedule needs K >= {L - 1} for {L} weight layers, "
            f"got {params.K}"
        )
    h = forward(
        weights, x, params.act
    )  # 1. feed-forward initialisation: hidden errors are 0
    mu = list(h)
    y = _check_layer("y", y, mu[L].shape[-1])
    if y.shape != mu[L].shape:
        raise ValueError(
            f"y: expected shape {mu[L].shape} (set by x of shape "
            f"{h[0].shape}), got {y.shape}"
        )
    h[L] = y
    e = [None] + [h[l] - mu[l] for l in range(1, L + 1)]
    p = [h[0]] + [f(h[l]) for l in range(1, L)]
    dW, db = [None] * L, [None] * L
    B = h[0].shape[-2]

    def read(l):  # 2. the local two-factor update of weight layer l (1-based)
        dW[l - 1] = np.swapaxes(p[l - 1], -1, -2) @ e[l] / B
        db[l - 1] = e[l].mean(axis=-2, keepdims=True)

    for s in range(params.K + 1):
        if zil:
            for l in range(1, L + 1):
                if L - l == s:
                    read(l)
        if s == params.K or L == 1:
            break
        for l in range(
            1, L
        ):  # 3. move the free states down the local error gradient
            drive = -e[l] + df(h[l]) * (
                e[l + 1] @ np.swapaxes(weights[l][0], -1, -2)
            )
            h[l] = h[l] + params.beta * (drive - params.leak * h[l])
        for l in range(1, L):
            p[l] = f(h[l])
        for l in range(
            2, L + 1
        ):  # 4. new predictions and errors (layer 1's input is clamped)
            W, b = weights[l - 1]
            e[l] = h[l] - (p[l - 1] @ W + b)
        e[1] = h[1] - mu[1]
    if not zil:
        for l in range(1, L + 1):
            read(l)
    return Settled(h=h, e=e, dW=dW, db=db)


def surprise(settled: Settled) -> np.ndarray:
    """Epistemic signal per sample: the summed squared settled errors of all layers (eq-angc-epistemic)."""
    check_instance("settled", settled, Settled)
    return sum(np.sum(e * e, axis=-1) for e in settled.e[1:])


def backprop_alignment(weights, x, y, params: SettleParams = SettleParams()):
    """Cosine and norm ratio of each layer's settled update to the backprop update.

    Compares the update eq-angc-hebb after settling with ``params`` against the Z-IL update
    (``beta = 1``, ``L - l`` steps), which equals minus the backprop gradient of
    ``0.5 * ||y - f(x)||^2 / B`` exactly (Song et al. 2020). A cosine near 1 with a norm
    ratio below 1 is a down-scaled backprop step.

    Parameters
    ----------
    weights, x, y
        As for :func:`settle`.
    params : SettleParams
        The settling to compare (its own ``zil`` flag is respected).

    Returns
    -------
    cosine, norm_ratio : arrays (L,)
        ``<dW, dW_bp> / (|dW| |dW_bp|)`` and ``|dW| / |dW_bp|`` per weight layer (all agents
        of a batched circuit pooled).
    """
    check_instance("params", params, SettleParams)
    L = len(_check_weights(weights))
    bp = settle(
        weights,
        x,
        y,
        SettleParams(K=max(L - 1, 1), beta=1.0, act=params.act),
        zil=True,
    )
    ngc = settle(weights, x, y, params)
    cos, ratio = [], []
    for a, b in zip(ngc.dW, bp.dW):
        na, nb = np.linalg.norm(a), np.linalg.norm(b)
        cos.append(np.sum(a * b) / (na * nb))
        ratio.append(na / nb)
    return np.array(cos), np.array(ratio)
