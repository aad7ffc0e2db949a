"""Chapter 7: a self-organising map and active inference learn a repertoire of drawing movements.

After Annabi, Pitti & Quoy (2020) and Annabi's notebook "Motor sequence learning with SOMs and
AIF". Notation:

* ``h`` (U,): state of the echo-state network (ESN, U = 100 tanh units, leak ``tau``); the
  network is fixed, only its initial state ``h0`` is learned, one per goal;
* ``omega`` (T, 2): the ESN output, the arm's angular velocities (see :mod:`pcbook.envs.drawing`);
* ``s`` (D,): the 64x64 image of the finished drawing, flattened (1 blank, 0 ink);
* ``W`` (n, D): the n prototypes of the ring Kohonen map; ``win`` the winner, ``d_ring`` the
  distance around the ring;
* ``C`` (n, U): the controller, row k is the initial ESN state for goal k;
* free energy F = inaccuracy + complexity ({eq}`eq-som-free-energy`).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from pcbook.envs.drawing import ArmParams, arm_trajectory, rasterise
from pcbook.maths import one_blas_thread
from pcbook.progress import progress
from pcbook.reproduce import experiment
from pcbook.rng import as_rng
from pcbook.validate import check_choice, check_finite_array, check_int, check_positive, check_range

__all__ = ["SOMParams", "Reservoir", "make_reservoir", "esn_rollout", "ring_distance", "neighbourhood",
           "inaccuracy", "complexity", "schedules", "MotorSOM", "History", "Repertoire", "Movement", "squash"]


@dataclass(frozen=True)
class SOMParams:
    """Model and schedules of Annabi's notebook (defaults reproduce it)."""

    n_prototypes: int = 50        # n: prototypes of the ring map = goals of the repertoire
    n_units: int = 100            # U: ESN units
    tau: float = 50.0             # ESN leak: h <- (1 - 1/tau) h + (1/tau)(W_r tanh h + b_r)
    p_connect: float = 0.6        # probability of a recurrent connection
    sigma_r: float = 1.5          # s.d. of the recurrent weights
    n_steps: int = 100            # T: motor commands per movement
    n_directions: int = 5         # antithetic search directions per epoch (2x rollouts)
    beta: float = 8.0             # precision of the ring prior in the complexity term
    epochs: int = 20000           # E: one random goal per epoch
    freeze: float = 0.7           # the map learns until this fraction of training, then is frozen
    lr: float = 0.01              # map learning rate while it learns (epoch 0 uses 1)
    width0: float = 10.0          # neighbourhood width at epoch 0+ (ring units; epoch 0 uses 100)
    width_decay: float = 6.0      # width = width0 exp(-width_decay e / E)
    search_mid: float = 0.75      # the search s.d. halves at this fraction of training
    search_sharpness: float = 20.0  # ... and falls from 1 to 0 over about 1/sharpness of it
    alpha_explore: float = 1e-5   # controller step times search s.d., while the map learns
    alpha_refine: float = 1e-3    # ... and after it is frozen
    esn_dtype: str = "float32"    # precision of the ESN loop in training ("float64" for exact checks)
    arm: ArmParams = field(default_factory=ArmParams)

    def __post_init__(self):
        check_int("n_prototypes", self.n_prototypes, low=2)
        check_int("n_units", self.n_units, low=1)
        check_positive("tau", self.tau)
        if self.tau < 1:
            raise ValueError(f"tau: must be >= 1, got {self.tau}")
        check_range("p_connect", self.p_connect, 0.0, 1.0)
        check_positive("sigma_r", self.sigma_r, allow_zero=True)
        check_int("n_steps", self.n_steps, low=1)
        check_int("n_directions", self.n_directions, low=1)
        check_positive("beta", self.beta, allow_zero=True)
        check_int("epochs", self.epochs, low=2)
        check_range("freeze", self.freeze, 0.0, 1.0)
        check_range("lr", self.lr, 0.0, 1.0)
        for name in ("width0", "width_decay", "search_sharpness", "alpha_explore", "alpha_refine"):
            check_positive(name, getattr(self, name), allow_zero=name == "width_decay")
        check_range("search_mid", self.search_mid, 0.0, 1.0)
        check_choice("esn_dtype", self.esn_dtype, ("float64", "float32"))


@dataclass(frozen=True)
class Reservoir:
    """The fixed echo-state network: recurrent W_r (U, U), b_r (U,), readout W_o (2, U), b_o (2,)."""

    W_r: NDArray[np.float64]
    b_r: NDArray[np.float64]
    W_o: NDArray[np.float64]
    b_o: NDArray[np.float64]
    tau: float


def make_reservoir(params: SOMParams = SOMParams(), rng=None) -> Reservoir:
    """Draw the fixed ESN: W_r ~ N(0, sigma_r^2) kept with probability p_connect, W_o ~ N(0, 1)/U,
    biases ~ N(0, 1)/10 (Annabi's notebook)."""
    rng = as_rng(rng)
    u = params.n_units
    W_r = rng.standard_normal((u, u)) * params.sigma_r * (rng.random((u, u)) < params.p_connect)
    b_r = rng.standard_normal(u) / 10
    W_o = rng.standard_normal((2, u)) / u
    b_o = rng.standard_normal(2) / 10
    return Reservoir(W_r, b_r, W_o, b_o, float(params.tau))


def esn_rollout(reservoir: Reservoir, h0: NDArray, n_steps: int = 100, dtype: str = "float64") -> NDArray[np.float64]:
    """Run the ESN from initial states ``h0`` and return its outputs, the motor commands.

    Implements {eq}`eq-som-esn`: h_{t+1} = (1 - 1/tau) h_t + (1/tau)(W_r tanh h_t + b_r) and
    omega_t = W_o tanh h_{t+1} + b_o.

    Parameters
    ----------
    reservoir : Reservoir
    h0 : array (U,) or (B, U)
        Initial states; a batch is run in one pass.
    n_steps : int
        T, the number of motor commands.
    dtype : {"float64", "float32"}
        Precision of the recurrent loop. Training uses float32 (as the seed's torch code does; about
        twice as fast); the output is float64 either way.

    Returns
    -------
    omega : array (T, 2) or (B, T, 2)
    """
    h = check_finite_array("h0", h0)
    u = reservoir.W_r.shape[0]
    if h.shape[-1] != u or h.ndim not in (1, 2):
        raise ValueError(f"h0: expected shape ({u},) or (B, {u}), got {h.shape}")
    n_steps = check_int("n_steps", n_steps, low=1)
    dt = np.dtype(check_choice("dtype", dtype, ("float64", "float32")))
    single = h.ndim == 1
    h = np.atleast_2d(h).astype(dt)
    leak, gain = dt.type(1.0 - 1.0 / reservoir.tau), 1.0 / reservoir.tau
    W_in, b_in = (reservoir.W_r.T * gain).astype(dt), (reservoir.b_r * gain).astype(dt)
    rates = np.empty((n_steps, len(h), u), dtype=dt)
    r = np.tanh(h)
    for t in range(n_steps):
        h *= leak
        h += r @ W_in
        h += b_in
        r = rates[t]
        np.tanh(h, out=r)
    omega = np.moveaxis(rates @ reservoir.W_o.T.astype(dt) + reservoir.b_o.astype(dt), 0, 1).astype(float)
    return omega[0] if single else omega


def ring_distance(i, j, n: int) -> NDArray[np.int64]:
    """Distance between units ``i`` and ``j`` around a ring of ``n`` units: min(|i-j|, n-|i-j|)."""
    n = check_int("n", n, low=1)
    gap = np.abs(np.asarray(i) - np.asarray(j)) % n
    return np.minimum(gap, n - gap)


def neighbourhood(winner: int, width: float, n: int) -> NDArray[np.float64]:
    """Kohonen neighbourhood exp(-d_ring(j, winner)^2 / width^2) of every unit j ({eq}`eq-som-kohonen`).

    Annabi's notebook divides by width^2, not 2 width^2; we keep that.
    """
    width = check_positive("width", width)
    return np.exp(-ring_distance(np.arange(n), winner, n) ** 2 / width**2)


def squash(prototype: NDArray) -> NDArray[np.float64]:
    """Bernoulli means f = 0.999 w + 0.0005, kept inside (0, 1) so that the logs stay finite."""
    return 0.999 * np.asarray(prototype, dtype=float) + 0.0005


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
        raise ValueError(f"s, prototype: need the same number of pixels on the last axis, got {s.shape} and {w.shape}")
    if min(s.min(), w.min()) < -1e-9 or max(s.max(), w.max()) > 1 + 1e-9:
        raise ValueError("s, prototype: pixel values must lie in [0, 1]")
    f = squash(w)
    return -np.sum(s * np.log(f) + (1 - s) * np.log1p(-f), axis=-1)


def complexity(winner, goal, n: int, beta: float = 8.0) -> NDArray[np.float64]:
    """Complexity: -ln of the ring prior p(win | goal) proportional to exp(-beta d_ring(win, goal)).

    Implements {eq}`eq-som-complexity`: beta d_ring + ln Z, Z = sum_j exp(-beta d_ring(j, 0)).
    """
    n = check_int("n", n, low=1)
    beta = check_positive("beta", beta, allow_zero=True)
    for name, value in (("winner", winner), ("goal", goal)):
        v = np.asarray(value)
        if v.dtype.kind not in "iu" or v.min() < 0 or v.max() >= n:
            raise ValueError(f"{name}: expected integers in [0, {n - 1}], got {value!r}")
    log_z = np.log(np.sum(np.exp(-beta * ring_distance(np.arange(n), 0, n))))
    return beta * ring_distance(winner, goal, n) + log_z


def schedules(params: SOMParams = SOMParams()) -> dict[str, NDArray[np.float64]]:
    """Per-epoch schedules ({eq}`eq-som-schedules`): search s.d. ``sigma``, map ``width`` and ``lr``,
    controller step ``alpha``; the map is frozen (lr = 0) from ``freeze * epochs`` on."""
    p, e = params, np.arange(params.epochs)
    sigma = 1 - (np.tanh(p.search_sharpness * (e / p.epochs - p.search_mid)) + 1) / 2
    sigma = np.maximum(sigma, 1e-300)
    learning = e < p.freeze * p.epochs
    width = np.where(e == 0, 100.0, p.width0 * np.exp(-p.width_decay * e / p.epochs))
    lr = np.where(learning, np.where(e == 0, 1.0, p.lr), 0.0)
    alpha = np.where(learning, p.alpha_explore, p.alpha_refine) / sigma
    return {"sigma": sigma, "width": width, "lr": lr, "alpha": alpha}


@dataclass
class History:
    """What happened during training: ``goal`` (E,), and per rollout (E, 2K) the ``winner``,
    ``inaccuracy`` and ``complexity``; ``snapshot_epochs`` with the map ``snapshot_W`` and the
    controller ``snapshot_C`` at those epochs (taken before the epoch runs; the last is the end)."""

    goal: NDArray
    winner: NDArray
    inaccuracy: NDArray
    complexity: NDArray
    snapshot_epochs: NDArray
    snapshot_W: NDArray
    snapshot_C: NDArray
    freeze_epoch: int


@dataclass
class Repertoire:
    """Every goal executed without exploration noise: pen ``points`` (n, T+1, 2), ``images``
    (n, 64, 64), the map's ``winner`` for each, ``inaccuracy`` and ``complexity`` (n,)."""

    prototypes: NDArray
    points: NDArray
    images: NDArray
    winner: NDArray
    inaccuracy: NDArray
    complexity: NDArray
    angle_scale: float
    epoch: int | None = None

    @property
    def goals_reached_fraction(self) -> float:
        """Fraction of goals whose drawing is classified as the goal itself (winner == goal)."""
        return float(np.mean(self.winner == np.arange(len(self.winner))))


class MotorSOM:
    """Ring Kohonen map + fixed ESN + random-search controller, trained by free-energy minimisation.

    ``fit`` learns ``W_`` (the prototypes), ``C_`` (one initial ESN state per goal) and records
    ``history_``; ``reservoir_`` is the fixed ESN it drew. ``evaluate`` executes every goal.
    """

    def __init__(self, params: SOMParams = SOMParams(), n_snapshots: int = 20):
        if not isinstance(params, SOMParams):
            raise TypeError(f"params: expected SOMParams, got {type(params).__name__}")
        self.params = params
        self.n_snapshots = check_int("n_snapshots", n_snapshots, low=1)

    def fit(self, rng=None) -> "MotorSOM":
        """Train for ``params.epochs`` epochs ({eq}`eq-som-random-search`, {eq}`eq-som-kohonen`).

        Each epoch picks a goal k, runs the 2K antithetic rollouts C_k +- delta_j, lets the map
        classify (and, while it learns, absorb) every drawing in turn, scores each with free energy
        ({eq}`eq-som-free-energy`), and moves C_k along sum_j (F(C_k - delta_j) - F(C_k + delta_j)) delta_j.

        Rollouts of consecutive epochs with distinct goals do not depend on each other (only goal
        k's row of C changes in an epoch), so they are run and drawn in one batch; the map's
        sequential updates within an epoch only touch the inked pixels (see ``_Map``). The result
        equals the plain epoch-by-epoch loop of ``bench/reference_som.py`` up to rounding.

        Parameters
        ----------
        rng : None, int or numpy.random.Generator
            Spawned into four streams: reservoir, initial map, goals, search directions.

        Returns
        -------
        self, with ``reservoir_``, ``W_`` (n, 4096), ``C_`` (n, U) and ``history_`` (:class:`History`).
        """
        with one_blas_thread():
            return self._fit(rng)

    def _fit(self, rng) -> "MotorSOM":
        p = self.params
        rng = as_rng(rng)
        rng_res, rng_map, rng_goal, rng_search = rng.spawn(4)
        self.reservoir_ = make_reservoir(p, rng_res)
        n, k2 = p.n_prototypes, 2 * p.n_directions
        grid = p.arm.size**2
        the_map = _Map(1 - 0.1 * rng_map.random((n, grid)))
        C = np.zeros((n, p.n_units))
        goals = rng_goal.integers(n, size=p.epochs)
        sched = schedules(p)
        hist = {k: np.empty((p.epochs, k2)) for k in ("inaccuracy", "complexity")}
        hist["winner"] = np.empty((p.epochs, k2), dtype=np.int64)
        snap_at = np.unique(np.linspace(0, p.epochs, self.n_snapshots + 1).round().astype(int))
        snaps_W, snaps_C = [], []
        log_z = float(complexity(0, 0, n, p.beta))
        sign = np.tile([-1.0, 1.0], p.n_directions)                    # rollout order: -d0, +d0, -d1, ...
        ring0 = ring_distance(np.arange(n), 0, n)
        shift = (np.arange(n)[None, :] - np.arange(n)[:, None]) % n     # shift[w, j] = (j - w) mod n
        runs = _distinct_runs(goals)
        for start, stop in progress(runs, desc="training", total=len(runs)):
            # 1. draw every rollout of the run's epochs in one batch
            deltas = rng_search.standard_normal((stop - start, p.n_directions, p.n_units))
            deltas *= sched["sigma"][start:stop, None, None]
            h0 = C[goals[start:stop], None, :] + sign[None, :, None] * np.repeat(deltas, 2, axis=1)
            omega = esn_rollout(self.reservoir_, h0.reshape(-1, p.n_units), p.n_steps, p.esn_dtype)
            images = rasterise(arm_trajectory(omega, p.arm), p.arm).reshape(stop - start, k2, grid)
            # 2. then the epochs one after another: map, free energy, controller
            for e in range(start, stop):
                while len(snaps_W) < len(snap_at) and snap_at[len(snaps_W)] <= e:
                    snaps_W.append(the_map.W.astype(np.float32))
                    snaps_C.append(C.copy())
                g = goals[e]
                eta0 = sched["lr"][e] * np.exp(-ring0**2 / sched["width"][e] ** 2)
                inacc, win = _score_epoch(the_map, images[e - start], g, eta0, shift)
                comp = p.beta * ring_distance(win, g, n) + log_z
                fe = inacc + comp
                C[g] += sched["alpha"][e] * ((fe[0::2] - fe[1::2]) @ deltas[e - start])
                hist["inaccuracy"][e], hist["complexity"][e], hist["winner"][e] = inacc, comp, win
        W = the_map.W
        snaps_W.append(W.astype(np.float32))
        snaps_C.append(C.copy())
        self.W_, self.C_ = W, C
        self.history_ = History(goals, hist["winner"], hist["inaccuracy"], hist["complexity"],
                                snap_at, np.array(snaps_W), np.array(snaps_C),
                                int(np.ceil(p.freeze * p.epochs)))
        return self

    def _check_fitted(self):
        if not hasattr(self, "W_"):
            raise ValueError("MotorSOM: call fit() first")

    def draw(self, C=None, angle_scale: float | None = None) -> tuple[NDArray, NDArray]:
        """Execute every goal from the initial states ``C`` (default the learned ``C_``), without noise.

        Returns the pen paths (n, T+1, 2) and the images (n, 64, 64). ``angle_scale`` overrides the
        arm's scale (the exercise on the omega/30 bug); by default the training scale is used.
        """
        self._check_fitted()
        arm = self.params.arm
        if angle_scale is not None:
            arm = replace(arm, angle_scale=check_positive("angle_scale", angle_scale))
        C = self.C_ if C is None else check_finite_array("C", C, ndim=2)
        with one_blas_thread():
            omega = esn_rollout(self.reservoir_, C, self.params.n_steps, self.params.esn_dtype)
        points = arm_trajectory(omega, arm)
        return points, rasterise(points, arm)

    def evaluate(self, angle_scale: float | None = None, W=None, C=None) -> Repertoire:
        """Draw every goal without exploration noise and classify it with the (frozen) map."""
        self._check_fitted()
        p = self.params
        W = self.W_ if W is None else np.asarray(W, dtype=float)
        points, images = self.draw(C, angle_scale)
        s = images.reshape(len(images), -1)
        win = np.argmin((W * W).sum(1)[None, :] - 2 * s @ W.T, axis=1)
        goal = np.arange(p.n_prototypes)
        return Repertoire(W, points, images, win, inaccuracy(s, W), complexity(win, goal, p.n_prototypes, p.beta),
                          p.arm.angle_scale if angle_scale is None else float(angle_scale))

    def snapshot(self, index: int) -> Repertoire:
        """The repertoire as it stood at snapshot ``index`` of training (map and controller then)."""
        self._check_fitted()
        h = self.history_
        index = check_int("index", index, low=0, high=len(h.snapshot_epochs) - 1)
        rep = self.evaluate(W=h.snapshot_W[index].astype(float), C=h.snapshot_C[index])
        rep.epoch = int(h.snapshot_epochs[index])
        return rep

    def movement(self, goal: int, angle_scale: float | None = None) -> "Movement":
        """The movement the agent makes for ``goal``: joint angles, pen path, drawing and its score."""
        self._check_fitted()
        p = self.params
        goal = check_int("goal", goal, low=0, high=p.n_prototypes - 1)
        rep = self.evaluate(angle_scale=angle_scale)
        scale = p.arm.angle_scale if angle_scale is None else angle_scale
        omega = esn_rollout(self.reservoir_, self.C_[goal], p.n_steps, p.esn_dtype)
        theta = np.vstack([p.arm.theta0, np.asarray(p.arm.theta0) + scale * np.cumsum(omega, axis=0)])
        size = p.arm.size
        return Movement(goal, self.W_[goal].reshape(size, size), theta, rep.points[goal],
                        rep.images[goal], int(rep.winner[goal]), float(rep.inaccuracy[goal]),
                        float(rep.complexity[goal]), p.arm)


@dataclass
class Movement:
    """One goal's movement: ``theta`` (T+1, 2) joint angles, pen ``points`` (T+1, 2), the ``image`` it
    draws, the ``prototype`` it aims at, the map's ``winner`` and the free-energy terms."""

    goal: int
    prototype: NDArray
    theta: NDArray
    points: NDArray
    image: NDArray
    winner: int
    inaccuracy: float
    complexity: float
    arm: ArmParams


def _score_epoch(the_map: "_Map", s: NDArray, goal: int, eta0: NDArray, shift: NDArray):
    """Inaccuracy of the epoch's drawings ``s`` (2K, D) under the goal's prototype as it stood at the
    start of the epoch ({eq}`eq-som-inaccuracy`), and the map's winners (updating the map)."""
    ink = 1.0 - s
    cols = np.flatnonzero(ink.any(axis=0))
    ink = ink[:, cols]
    # -sum [s ln f + (1 - s) ln(1 - f)] = -sum ln f + u.(ln f - ln(1 - f)), with u = 1 - s the ink
    f = squash(the_map.row(goal))
    inacc = -np.log(f).sum() + ink @ (np.log(f[cols]) - np.log1p(-f[cols]))
    return inacc, the_map.epoch(ink, cols, eta0, shift)


def _distinct_runs(goals: NDArray) -> list[tuple[int, int]]:
    """Split epochs into maximal runs [start, stop) in which no goal repeats."""
    runs, start, seen = [], 0, set()
    for e, g in enumerate(goals.tolist()):
        if g in seen:
            runs.append((start, e))
            start, seen = e, set()
        seen.add(g)
    runs.append((start, len(goals)))
    return runs


class _Map:
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
        self.Vs = np.ascontiguousarray((1.0 - W).T)          # (D, n): pixel-major, inked rows gather fast
        self.scale = np.ones(len(W))
        self.norms = np.einsum("ij,ij->j", self.Vs, self.Vs)

    @property
    def W(self) -> NDArray[np.float64]:
        return 1.0 - (self.Vs * self.scale).T

    def row(self, g: int) -> NDArray[np.float64]:
        return 1.0 - self.scale[g] * self.Vs[:, g]

    def epoch(self, u: NDArray, cols: NDArray, eta0: NDArray, shift: NDArray) -> NDArray[np.int64]:
        """Classify the inks ``u`` (m, len(cols)) on pixels ``cols`` in turn, updating after each."""
        dots = self.scale[:, None] * (self.Vs[cols].T @ u.T)                 # V_j . u_m, (n, m)
        gram = u @ u.T
        norms = self.norms
        if not eta0.any():
            return np.argmin(norms[:, None] - 2 * dots, axis=0)
        n, m = len(dots), len(u)
        eta_of = eta0[shift]                                   # row w: the step of every unit when w wins
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
            norms = keep * (keep * norms + 2 * eta * X[:, k]) + eta * eta * gram[k, k]
            X *= keep[:, None]
            X += eta[:, None] * grow[k]
            a *= keep
        c = X[:, m:]
        self.norms = norms
        scale = self.scale * a
        if scale.min() < 1e-100:                       # (nearly) overwritten rows: fold the scale in
            self.Vs *= scale
            self.Vs[cols] += u.T @ c.T
            self.scale = np.ones(n)
        else:
            self.scale = scale
            self.Vs[cols] += u.T @ (c / scale[:, None]).T
        return winners


@experiment("som-motor", params={"epochs": 20000, "n_prototypes": 50},
            description="Annabi et al. 2020: a ring SOM + active inference learn 50 drawing movements")
def _som_motor(seed: int, epochs: int, n_prototypes: int):
    model = MotorSOM(SOMParams(epochs=epochs, n_prototypes=n_prototypes), n_snapshots=1).fit(rng=seed)
    rep = model.evaluate()
    metrics = {"goals_reached_fraction": rep.goals_reached_fraction,
               "final_inaccuracy": float(rep.inaccuracy.mean()),
               "final_complexity": float(rep.complexity.mean())}
    # targets of the issue; Annabi's notebook (numpy port, spec B.4): 98-100 %, 67-85 nats, 0-0.4
    reference = {"goals_reached_fraction": 0.95, "final_inaccuracy": 100.0, "final_complexity": 1.0}
    return metrics, reference
