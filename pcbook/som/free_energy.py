"""Free energy of a drawing: inaccuracy under the goal's prototype plus complexity of the ring prior,
and the per-epoch schedules of training."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from pcbook.som.params import SOMParams
from pcbook.validate import (
    check_count,
    check_finite_array,
    check_instance,
    check_int,
    check_range,
)

__all__ = [
    "ring_distance",
    "neighbourhood",
    "squash",
    "inaccuracy",
    "complexity",
    "schedules",
]


def _check_units(name: str, value, n: int) -> NDArray[np.int64]:
    """``value`` as an array of unit indices, integers in [0, n - 1]."""
    try:
        v = np.asarray(value)
    except ValueError:  # a ragged nested sequence
        v = np.asarray(None)
    if v.dtype.kind not in "iu" or (v.size and (v.min() < 0 or v.max() >= n)):
        raise ValueError(
            f"{name}: expected integers in [0, {n - 1}] (a ring of n = {n} "
            f"units), got {value!r}"
        )
    return v


def ring_distance(i, j, n: int) -> NDArray[np.int64]:
    """Distance between units ``i`` and ``j`` around a ring of ``n`` units: min(|i-j|, n-|i-j|)."""
    n = check_count("n", n, 1, 10**5)
    gap = np.abs(_check_units("i", i, n) - _check_units("j", j, n)) % n
    return np.minimum(gap, n - gap)


def neighbourhood(winner: int, width: float, n: int) -> NDArray[np.float64]:
    """Kohonen neighbourhood exp(-d_ring(j, winner)^2 / width^2) of every unit j ({eq}`eq-som-kohonen`).

    Annabi's notebook divides by width^2, not 2 width^2; we keep that.
    """
    n = check_count("n", n, 1, 10**5)
    winner = check_int("winner", winner, 0, n - 1)
    width = check_range("width", width, 1e-6, 1e6)
    return np.exp(-(ring_distance(np.arange(n), winner, n) ** 2) / width**2)


def squash(prototype: NDArray) -> NDArray[np.float64]:
    """Bernoulli means f = 0.999 w + 0.0005, kept inside (0, 1) so that the logs stay finite."""
    prototype = check_finite_array("prototype", prototype, min_size=0)
    return 0.999 * prototype + 0.0005


def inaccuracy(s: NDArray, prototype: NDArray) -> NDArray[np.float64]:
    """Inaccuracy: the Bernoulli negative log-likelihood (nats) of images ``s`` under a prototype.

    Implements {eq}`eq-som-inaccuracy`: -sum_px [s ln f + (1 - s) ln(1 - f)], f = 0.999 w + 0.0005.

    Parameters
    ----------
    s : array (..., D), values in [0, 1]
        Flattened images (pixels along the last axis), 1 blank and 0 ink.
    prototype : array (..., D), broadcastable to ``s``, values in [0, 1]
        The prototype(s) w of the goal.

    Returns
    -------
    array of shape ``broadcast(s, prototype).shape[:-1]``
    """
    s = check_finite_array("s", s)
    w = check_finite_array("prototype", prototype)
    if s.shape[-1] != w.shape[-1]:
        raise ValueError(
            f"s, prototype: need the same number of pixels on the last axis, got {s.shape} and {w.shape}"
        )
    if min(s.min(), w.min()) < -1e-9 or max(s.max(), w.max()) > 1 + 1e-9:
        raise ValueError("s, prototype: pixel values must lie in [0, 1]")
    f = squash(w)
    return -np.sum(s * np.log(f) + (1 - s) * np.log1p(-f), axis=-1)


def complexity(winner, goal, n: int, beta: float = 8.0) -> NDArray[np.float64]:
    """Complexity: -ln of the ring prior p(win | goal) proportional to exp(-beta d_ring(win, goal)).

    Implements {eq}`eq-som-complexity`: beta d_ring + ln Z, Z = sum_j exp(-beta d_ring(j, 0)).
    """
    n = check_count("n", n, 1, 10**5)
    beta = check_range("beta", beta, 0.0, 1e6)  # beyond, beta * d overflows
    _check_units("winner", winner, n)
    _check_units("goal", goal, n)
    log_z = np.log(np.sum(np.exp(-beta * ring_distance(np.arange(n), 0, n))))
    return beta * ring_distance(winner, goal, n) + log_z


def schedules(
    params: SOMParams = SOMParams(),
) -> dict[str, NDArray[np.float64]]:
    """Per-epoch schedules ({eq}`eq-som-schedules`): search s.d. ``sigma``, map ``width`` and ``lr``,
    controller step ``alpha``; the map is frozen (lr = 0) from ``freeze * epochs`` on."""
    check_instance("params", params, SOMParams)
    p, e = params, np.arange(params.epochs)
    sigma = (
        1
        - (np.tanh(p.search_sharpness * (e / p.epochs - p.search_mid)) + 1) / 2
    )
    sigma = np.maximum(sigma, 1e-300)
    learning = e < p.freeze * p.epochs
    width = np.where(
        e == 0, 100.0, p.width0 * np.exp(-p.width_decay * e / p.epochs)
    )
    lr = np.where(learning, np.where(e == 0, 1.0, p.lr), 0.0)
    alpha = np.where(learning, p.alpha_explore, p.alpha_refine) / sigma
    return {"sigma": sigma, "width": width, "lr": lr, "alpha": alpha}
