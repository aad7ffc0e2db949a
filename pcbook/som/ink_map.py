"""The fast training kernel: the ring map stored by its ink, so that an epoch costs O(n x inked pixels).

Used by :meth:`pcbook.som.MotorSOM.fit`; ``bench/reference_som.py`` is the plain loop it must equal.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from pcbook.som.free_energy import squash
from pcbook.validate import check_finite_array, check_instance, check_int

__all__ = ["InkMap", "score_epoch", "distinct_goal_runs"]


class InkMap:
    """The ring map during training, stored so that one epoch costs O(n x inked pixels).

    With V = 1 - W (the prototypes' ink) and u = 1 - s (the drawing's ink, a few hundred pixels),
    the Kohonen update W_j += eta_j (s - W_j) reads V_j += eta_j (u - V_j) ({eq}`eq-som-kohonen`).
    After the 2K updates of an epoch, V_j = a_j V_j(start) + sum_m c_jm u_m, so:

    * V is kept as ``scale[j] * Vs[j]``: the factor a_j goes into ``scale`` and only the inked
      columns of ``Vs`` change;
    * the winners ({eq}`eq-som-winner`) need |V_j - u_k|^2 = |V_j|^2 - 2 V_j.u_k + |u_k|^2, with
      |V_j|^2 (``norms``) and the dot products V_j.u_m updated in O(n) per drawing.

    Every update is the same as the plain loop's, up to rounding.
    """

    def __init__(self, W: NDArray):
        W = _unit_interval("W", W, ndim=2)
        self.Vs = np.ascontiguousarray(
            (1.0 - W).T
        )  # (D, n): pixel-major, inked rows gather fast
        self.scale = np.ones(len(W))
        self.norms = np.einsum("ij,ij->j", self.Vs, self.Vs)

    @property
    def W(self) -> NDArray[np.float64]:
        return 1.0 - (self.Vs * self.scale).T

    def row(self, g: int) -> NDArray[np.float64]:
        """Prototype ``g`` (one unit of the map) as pixel intensities."""
        g = check_int("g", g, 0, len(self.scale) - 1)
        return 1.0 - self.scale[g] * self.Vs[:, g]

    def epoch(
        self, u: NDArray, cols: NDArray, eta0: NDArray, shift: NDArray
    ) -> NDArray[np.int64]:
        """Classify the inks ``u`` (m, len(cols)) on pixels ``cols`` in turn, updating after each.

        ``eta0`` and ``shift`` are as for :func:`score_epoch`."""
        n_pixels, n = self.Vs.shape
        cols = _indices("cols", cols, (None,), n_pixels)
        if not cols.size:
            raise ValueError(
                "cols: expected at least one inked pixel, got none"
            )
        u = _unit_interval("u", u, shape=(None, len(cols)))
        eta0 = _unit_interval("eta0", eta0, shape=(n,))
        shift = _indices("shift", shift, (n, n), n)
        return self._epoch(u, cols, eta0, shift)

    def _epoch(self, u, cols, eta0, shift) -> NDArray[np.int64]:
        """:meth:`epoch` on checked arguments (the training loop's call)."""
        dots = self.scale[:, None] * (
            self.Vs[cols].T @ u.T
        )  # V_j . u_m, (n, m)
        gram = u @ u.T
        norms = self.norms
        if not eta0.any():
            return np.argmin(norms[:, None] - 2 * dots, axis=0)
        n, m = len(dots), len(u)
        eta_of = eta0[shift]  # row w: the step of every unit when w wins
        keep_of = 1.0 - eta_of
        # X = [dots | c]: both shrink by keep and grow by eta times [gram row k | one-hot k]
        X = np.concatenate([dots, np.zeros((n, m))], axis=1)
        grow = np.concatenate([gram, np.eye(m)], axis=1)
        a = np.ones(n)
        winners = np.empty(m, dtype=np.int64)
        for k in range(m):
            win = int(np.argmin(norms - 2 * X[:, k]))
            winners[k] = win
            eta, keep = eta_of[win], keep_of[win]
            norms = (
                keep * (keep * norms + 2 * eta * X[:, k])
                + eta * eta * gram[k, k]
            )
            X *= keep[:, None]
            X += eta[:, None] * grow[k]
            a *= keep
        c = X[:, m:]
        self.norms = norms
        scale = self.scale * a
        if (
            scale.min() < 1e-100
        ):  # (nearly) overwritten rows: fold the scale in
            self.Vs *= scale
            self.Vs[cols] += u.T @ c.T
            self.scale = np.ones(n)
        else:
            self.scale = scale
            self.Vs[cols] += u.T @ (c / scale[:, None]).T
        return winners


def score_epoch(
    the_map: InkMap, s: NDArray, goal: int, eta0: NDArray, shift: NDArray
):
    """Inaccuracy of the epoch's drawings ``s`` (2K, D) under the goal's prototype as it stood at the
    start of the epoch ({eq}`eq-som-inaccuracy`), and the map's winners (updating the map).

    ``eta0`` (n,) is the step of each unit when unit 0 wins, ``shift`` (n, n) the integer array
    with ``eta0[shift[w]]`` the steps when unit ``w`` wins."""
    check_instance("the_map", the_map, InkMap)
    n_pixels, n = the_map.Vs.shape
    s = _unit_interval("s", s, shape=(None, n_pixels))
    goal = check_int("goal", goal, 0, n - 1)
    eta0 = _unit_interval("eta0", eta0, shape=(n,))
    shift = _indices("shift", shift, (n, n), n)
    ink = 1.0 - s
    cols = np.flatnonzero(ink.any(axis=0))
    ink = ink[:, cols]
    # -sum [s ln f + (1 - s) ln(1 - f)] = -sum ln f + u.(ln f - ln(1 - f)), with u = 1 - s the ink
    f = squash(the_map.row(goal))
    inacc = -np.log(f).sum() + ink @ (np.log(f[cols]) - np.log1p(-f[cols]))
    return inacc, the_map._epoch(ink, cols, eta0, shift)


def _unit_interval(name: str, value, **shape) -> np.ndarray:
    """``value`` as a float array (``shape``: as for check_finite_array) with entries in [0, 1]."""
    arr = check_finite_array(name, value, **shape)
    if arr.min() < 0 or arr.max() > 1:
        raise ValueError(
            f"{name}: values must lie in [0, 1], got {arr.min():g} to {arr.max():g}"
        )
    return arr


def _indices(name: str, value, shape: tuple, n: int) -> np.ndarray:
    """``value`` as an int64 array of ``shape`` (None: any length) with entries in [0, n)."""
    arr = check_finite_array(name, value, shape=shape, min_size=0)
    if not np.array_equal(arr, np.floor(arr)) or (
        arr.size and not 0 <= arr.min() <= arr.max() < n
    ):
        raise ValueError(
            f"{name}: expected integers in [0, {n - 1}], got values from "
            f"{arr.min():g} to {arr.max():g}"
        )
    return arr.astype(np.int64)


def distinct_goal_runs(goals: NDArray) -> list[tuple[int, int]]:
    """Split epochs into maximal runs [start, stop) in which no goal repeats."""
    goals = _indices("goals", goals, (None,), np.iinfo(np.int64).max)
    runs, start, seen = [], 0, set()
    for e, g in enumerate(goals.tolist()):
        if g in seen:
            runs.append((start, e))
            start, seen = e, set()
        seen.add(g)
    runs.append((start, len(goals)))
    return runs
