"""Free-energy attractor networks (chapter 6; Spisak & Friston 2025).

Notation, shared by every function below:

* ``sigma`` (N,): activations in [-1, 1]; ``b`` (N,): biases, the channel through which data enter;
* ``J`` (N, N): couplings, ``J[i, j]`` is the weight from unit j to unit i; the diagonal stays 0;
* ``h = J @ sigma``: net input; ``beta``: inverse temperature; ``eta``: learning rate;
* ``L``: the Langevin function (:mod:`pcbook.continuous_bernoulli`).

One network step (synchronous, every unit sees the previous state of all others),
{eq}`eq-attractor-update` and {eq}`eq-attractor-learning`::

    h = J sigma(t-1);  sigma(t) ~ CB(beta (b + h));  J += eta (sigma(t) - L(h)) sigma(t)^T, diag 0

The prediction L(h) uses the previous state through the couplings only, with no bias and no
beta, as the authors' code does; the state is never reset between epochs. The updates are
synchronous (Little's model, not a Boltzmann machine); with asymmetric J no energy exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from pcbook import continuous_bernoulli as cb
from pcbook.continuous_bernoulli import _langevin, _log_partition, _sample
from pcbook.progress import progress
from pcbook.reproduce import experiment
from pcbook.rng import as_rng
from pcbook.validate import (
    MAX_ELEMENTS,
    MAX_STEPS,
    check_bool,
    check_choice,
    check_cost,
    check_count,
    check_finite_array,
    check_instance,
    check_int,
    check_positive,
    check_range,
    check_real,
    record,
)

__all__ = [
    "VALUE_BOUND",
    "MAX_EVIDENCE",
    "DIVERGENCE_RMS",
    "SequenceParams",
    "OrthoParams",
    "TrainResult",
    "Replay",
    "SequenceResult",
    "OrthoResult",
    "digit_patterns",
    "line_images",
    "update",
    "learning_rule",
    "step_loop",
    "train",
    "antisymmetric_from_predictions",
    "prediction_overlap",
    "free_energy",
    "relax",
    "attractors",
    "n_distinct",
    "decompose",
    "asymmetry",
    "forward_terms",
    "free_run",
    "replay",
    "simulate_sequence",
    "attractors_match",
    "simulate_orthogonalisation",
    "REGIME_EVIDENCE",
    "REGIME_BETAS",
    "SHOWCASE",
    "SHOWCASE_PUBLISHED",
    "RegimeParams",
    "RegimeResult",
    "unseen_digits",
    "orthogonality",
    "simulate_regime",
    "simulate_regimes",
    "regime_grid",
]


#: largest |entry| of J, b and sigma, and largest beta, the public functions accept: within it
#: beta (b + J sigma) stays finite (the book's couplings stay below 3, its biases below 200 and
#: its beta at most 2)
VALUE_BOUND = 1e6
#: largest evidence level: a z-scored row of N entries has |z| <= sqrt(N - 1) (7.9 for 64
#: units), so the biases evidence x z stay within VALUE_BOUND (the book uses at most 30)
MAX_EVIDENCE = 1e5


def _check_level(name: str, value, high: float = VALUE_BOUND) -> float:
    """``value`` as a float in (0, ``high``]: an inverse temperature or an evidence level."""
    return check_range(name, check_positive(name, value), 0.0, high)


def _check_levels(name: str, values, high: float = VALUE_BOUND) -> NDArray:
    """A 1-d array whose every entry lies in (0, ``high``] (see :func:`_check_level`)."""
    arr = check_finite_array(name, values, ndim=1)
    bad = arr[(arr <= 0) | (arr > high)]
    if bad.size:
        raise ValueError(
            f"{name}: every entry must lie in (0, {high:g}], got {bad[0]:g}"
        )
    return arr


def _check_bounded(name: str, value, **shape) -> NDArray:
    """A finite array (``shape``: as for check_finite_array) with |entries| <= VALUE_BOUND."""
    arr = check_finite_array(name, value, **shape)
    big = float(np.max(np.abs(arr), initial=0.0))
    if big > VALUE_BOUND:
        raise ValueError(
            f"{name}: entries must lie in [-{VALUE_BOUND:g}, {VALUE_BOUND:g}], "
            f"got one of size {big:g}"
        )
    return arr


def _check_couplings(name: str, J, n: int | None = None) -> NDArray:
    """A square coupling matrix (n x n if ``n`` is given) with |entries| <= VALUE_BOUND."""
    J = _check_bounded(name, J, ndim=2)
    if J.shape[0] != J.shape[1] or (n is not None and J.shape[0] != n):
        want = "square" if n is None else f"of shape ({n}, {n})"
        raise ValueError(f"{name}: must be {want}, got shape {J.shape}")
    return J


# -- data ------------------------------------------------------------------------------------------
def _zscore_rows(X: NDArray) -> NDArray:
    X = np.atleast_2d(np.asarray(X, dtype=float))
    std = X.std(axis=1, keepdims=True)
    return (X - X.mean(axis=1, keepdims=True)) / np.where(std > 0, std, 1.0)


def digit_patterns(digits=(1, 2, 3)) -> NDArray:
    """The first image of each digit in ``digits`` (rows 0..9 of scikit-learn's set are 0..9),
    squared pixel by pixel and z-scored per image, as the authors preprocess them; shape (K, 64)."""
    from pcbook.data import load_digits

    check_instance(
        "digits",
        digits,
        (tuple, list, range, np.ndarray),
        "a sequence of digits",
    )
    digits = tuple(digits)
    if len(digits) < 2 or len(set(digits)) != len(digits):
        raise ValueError(
            f"digits: need at least two distinct digits, got {digits}"
        )
    for d in digits:
        check_int("digits", d, 0, 9)
    return _zscore_rows(load_digits().X[:10][list(digits)] ** 2)


def line_images() -> NDArray:
    """Simulation 1's two 5x5 images, z-scored: a vertical and a horizontal line through a bright
    centre (value 4 on a line of ones); shape (2, 25), Pearson r = 0.7706."""
    vertical, horizontal = np.zeros((5, 5)), np.zeros((5, 5))
    vertical[:, 2] = 1.0
    horizontal[2, :] = 1.0
    vertical[2, 2] = horizontal[2, 2] = 4.0
    return _zscore_rows(np.stack([vertical.ravel(), horizontal.ravel()]))


# -- one network step ------------------------------------------------------------------------------
def _check_net(J, b, sigma, names=("J", "b", "sigma")):
    """Couplings (N, N) and two vectors (N,), each named as the caller wrote it in ``names``."""
    J = _check_couplings(names[0], J)
    b, sigma = (
        _check_bounded(name, v, shape=(len(J),))
        for name, v in zip(names[1:], (b, sigma))
    )
    return J, b, sigma


def update(
    J, b, sigma, beta: float = 1.0, deterministic: bool = False, rng=None
) -> NDArray:
    """New activations of every unit from the previous state (synchronous update).

    Implements {eq}`eq-attractor-update` (Spisak & Friston 2025, eq. (11) and the code's
    sampling): ``sigma_i(t) ~ CB(beta (b_i + sum_j J_ij sigma_j(t-1)))``, or its mean
    ``L(beta (b + J sigma))`` when ``deterministic`` (the "least action" update).
    """
    J, b, sigma = _check_net(J, b, sigma)
    beta = _check_level("beta", beta)
    theta = beta * (b + J @ sigma)
    if check_bool("deterministic", deterministic):
        return _langevin(theta)
    return _sample(theta, as_rng(rng).random(len(theta)))


#: frames of a free run that :func:`replay` skips by default (the settling-in)
REPLAY_SKIP = 10


def check_learning_rate(name: str, eta, n: int) -> float:
    """``eta`` >= 0 and within the stable range of the learning rule for ``n`` units.

    One update moves the predicted field of the state it learns by eta |sigma|^2 times the
    prediction error, and the prediction L(h) follows with slope at most 1/3, so the error
    shrinks only while eta |sigma|^2 / 3 < 2: eta < 6 / n for states in [-1, 1]^n (0.094 for
    the book's 64 units, which use at most 0.01). A larger eta is refused, not reported.
    """
    eta = check_positive(name, eta, allow_zero=True)
    if eta >= 6.0 / n:
        raise ValueError(
            f"{name}: learning is stable only for eta < 6 / n = {6.0 / n:.3g} "
            f"with n = {n} units (the couplings blow up beyond it), got {eta:g}"
        )
    return eta


def learning_rule(J, sigma_prev, sigma_new, eta: float) -> NDArray:
    """Coupling change ``eta (sigma(t) - L(J sigma(t-1))) sigma(t)^T`` with a zero diagonal.

    Implements {eq}`eq-attractor-learning`, the authors' code form of Spisak & Friston (2025)
    eq. (12): Hebbian term minus the network's one-step prediction of each unit from the previous
    state through the couplings alone (no bias, no beta).
    """
    J, sigma_prev, sigma_new = _check_net(
        J, sigma_prev, sigma_new, ("J", "sigma_prev", "sigma_new")
    )
    eta = check_learning_rate("eta", eta, len(J))
    dJ = np.outer(eta * (sigma_new - _langevin(J @ sigma_prev)), sigma_new)
    np.fill_diagonal(dJ, 0.0)
    return dJ


def _step(
    J: NDArray, b: NDArray, sigma: NDArray, beta: float, eta: float, u: NDArray
) -> NDArray:
    """One stochastic step with uniforms ``u``; updates ``J`` in place and
    returns sigma(t)."""
    h = J @ sigma
    new = _sample(beta * (b + h), u)
    if eta > 0.0:
        J += np.outer(eta * (new - _langevin(h)), new)
        J.flat[:: len(new) + 1] = 0.0
    return new


def _check_step(J, b, sigma, beta, eta):
    """:func:`step_loop`'s arguments, checked; ``J`` must be a float array (updated in place)."""
    checked, b, sigma = _check_net(J, b, sigma)
    if checked is not J:
        raise TypeError(
            "J: expected a numpy array of float64 (step_loop updates it in "
            f"place), got {getattr(J, 'dtype', type(J).__name__)}"
        )
    beta = _check_level("beta", beta)
    return b, sigma, beta, check_learning_rate("eta", eta, len(J))


def step_loop(J, b, sigma, beta=1.0, eta=0.0, rng=None):
    """One network step written unit by unit: the teaching version of
    :func:`train`'s step.

    Implements {eq}`eq-attractor-update` and {eq}`eq-attractor-learning` with
    explicit loops.
    Updates ``J`` in place and returns the new activations. Draws one uniform
    per unit, in unit
    order, so it follows the same trajectory as the vectorised step for the
    same seed.
    """
    b, sigma, beta, eta = _check_step(J, b, sigma, beta, eta)
    rng = as_rng(rng)
    n = len(sigma)
    # 1. every unit's net input, from the previous state of all units
    h = [sum(J[i, j] * sigma[j] for j in range(n)) for i in range(n)]
    # 2. every unit draws its new activation from CB(beta (b_i + h_i))
    new = [cb.sample(beta * (b[i] + h[i]), rng) for i in range(n)]
    # 3. every coupling i <- j learns:
    #    (new activity - prediction from the couplings) x presynaptic
    for i in range(n):
        error = eta * (new[i] - cb.langevin(h[i]))
        for j in range(n):
            if i != j:
                J[i, j] += error * new[j]
    return np.array(new)


# -- training and monitoring -----------------------------------------------------------------------
@record
@dataclass(frozen=True)
class TrainResult:
    """Couplings after training, the state left behind and per-step histories."""

    J: NDArray  # (N, N) learned couplings
    sigma: NDArray  # (N,) state after the last step (training never resets it)
    states: NDArray  # (T, N) activations after each step
    sequence: NDArray  # (T,) index of the pattern in the biases at each step
    predictions: NDArray = field(
        default_factory=lambda: np.empty((0, 0))
    )  # (T, N) L(J sigma(t-1))
    accuracy: NDArray = field(
        default_factory=lambda: np.empty(0)
    )  # (T,) if monitored
    complexity: NDArray = field(
        default_factory=lambda: np.empty(0)
    )  # (T,) if monitored
    vfe: NDArray = field(
        default_factory=lambda: np.empty(0)
    )  # (T,) if monitored


def _monitor(J, b, m, phi_b):
    """Accuracy, complexity and b_q = b + J m of the state ``m`` (:func:`free_energy`), with
    phi(b) given: :func:`relax` computes it once and reuses b_q for its next step."""
    b_q = b + J @ m
    mq = _langevin(b_q)
    kl = (b_q - b) * mq - _log_partition(b_q) + phi_b  # KL(CB(b_q) || CB(b))
    return float(b @ mq + mq @ J @ mq), float(np.sum(kl)), b_q


def _free_energy(J, b, m):
    accuracy, complexity, _ = _monitor(J, b, m, _log_partition(b))
    return accuracy, complexity, complexity - accuracy


def free_energy(J, b, sigma) -> tuple[float, float, float]:
    """The authors' monitor (accuracy, complexity, VFE) of the state ``sigma``.

    Implements {eq}`eq-attractor-vfe` as the authors' code computes it: with b_q = b + J sigma,
    complexity = sum_i KL(CB(b_q,i) || CB(b_i)), accuracy = b^T L(b_q) + L(b_q)^T J L(b_q), and
    VFE = complexity - accuracy. Only a monitor: neither inference nor learning uses it, and it
    is not the quantity inference minimises. As a function of b_q its stationary point is
    b_q = 2 b + (J + J^T) L(b_q) (the bias counted twice, no factor 1/2), not the update's
    b_q = b + J sigma; each unit's own free energy, {eq}`eq-attractor-unit-vfe`, is the one the
    update minimises. A falling monitor is therefore no evidence of optimisation.
    """
    return _free_energy(*_check_net(J, b, sigma))


def train(
    patterns,
    sequence,
    beta: float = 1.0,
    eta: float = 1e-3,
    J0=None,
    sigma0=None,
    monitor: bool = False,
    loop: bool = False,
    rng=None,
) -> TrainResult:
    """Write ``patterns[sequence[t]]`` into the biases at step t and update and learn once per step.

    Implements {eq}`eq-attractor-update` and {eq}`eq-attractor-learning` (Spisak & Friston 2025,
    simulations 1-3). The state carries over from step to step and from pattern to pattern.

    Parameters
    ----------
    patterns : (K, N) array, already scaled by the evidence level.
    sequence : (T,) ints in [0, K): which pattern drives each step.
    beta, eta : inverse temperature (> 0) and learning rate (>= 0).
    J0, sigma0 : starting couplings (default zeros) and state (default zeros).
    monitor : also record the prediction L(J sigma(t-1)) and accuracy, complexity and VFE after
        every step (slower).
    loop : use :func:`step_loop` (the teaching version) instead of the vectorised step.
    rng : None, int or Generator for the sampling noise.

    Runs of 20,000 steps or more show a progress bar (see :mod:`pcbook.progress`).
    """
    rng = as_rng(rng)
    patterns = _check_bounded("patterns", patterns, ndim=2)
    k, n = patterns.shape
    check_cost("patterns", n * n, MAX_ELEMENTS, "couplings")
    sequence = np.asarray(sequence)
    if (
        sequence.ndim != 1
        or not np.issubdtype(sequence.dtype, np.integer)
        or np.any(sequence < 0)
        or np.any(sequence >= k)
    ):
        raise ValueError(
            f"sequence: expected a 1-d array of integers in [0, {k})"
        )
    check_cost("sequence", len(sequence), MAX_STEPS, "network steps")
    beta = _check_level("beta", beta)
    eta = check_learning_rate("eta", eta, n)
    monitor, loop = check_bool("monitor", monitor), check_bool("loop", loop)
    J = (
        np.zeros((n, n))
        if J0 is None
        else _check_couplings("J0", J0, n).copy()
    )
    sigma = (
        np.zeros(n)
        if sigma0 is None
        else _check_bounded("sigma0", sigma0, shape=(n,)).copy()
    )
    states = np.empty((len(sequence), n))
    hist = np.empty((len(sequence), 3)) if monitor else np.empty((0, 3))
    preds = np.empty((len(sequence), n)) if monitor else np.empty((0, 0))
    steps = range(len(sequence))
    for t in (
        progress(steps, desc="training") if len(steps) >= 20_000 else steps
    ):
        b = patterns[sequence[t]]
        if monitor:
            preds[t] = _langevin(J @ sigma)
        if loop:
            sigma = step_loop(J, b, sigma, beta, eta, rng)
        else:
            sigma = _step(J, b, sigma, beta, eta, rng.random(n))
        states[t] = sigma
        if monitor:
            hist[t] = _free_energy(J, b, sigma)
    return TrainResult(J, sigma, states, sequence, preds, *hist.T)


def _monitored(train: TrainResult) -> TrainResult:
    check_instance("train", train, TrainResult)
    if train.predictions.size == 0:
        raise ValueError(
            "train: was run without monitor=True, it holds no predictions"
        )
    return train


def _previous_states(train: TrainResult) -> NDArray:
    """sigma(t-1) for every step t (training starts from zero unless sigma0 was given)."""
    return np.vstack([np.zeros(train.states.shape[1]), train.states[:-1]])


def antisymmetric_from_predictions(
    train: TrainResult, eta: float, stay: bool = False
) -> NDArray:
    """The antisymmetric part of the learned J, summed from the anti-Hebbian terms of training.

    The Hebbian term of {eq}`eq-attractor-learning` is symmetric, so from J = 0 only the
    prediction p_t = L(J sigma(t-1)) builds J^- ({eq}`eq-attractor-anti-sum`):
    J^- = -(eta / 2) sum_t (p_t sigma(t)^T - sigma(t) p_t^T). With ``stay`` the prediction is
    replaced by its least-squares fit c_t sigma(t-1) (the network predicting "stay"), the
    approximation behind {eq}`eq-attractor-anti-pair`.

    Parameters
    ----------
    train : a :class:`TrainResult` from ``train(..., monitor=True)`` started from J = 0.
    eta : the learning rate of that training (>= 0).
    stay : use the "stay" approximation instead of the recorded predictions.
    """
    train = _monitored(train)
    eta = check_learning_rate("eta", eta, train.states.shape[1])
    pred, new = train.predictions, train.states
    if check_bool("stay", stay):
        prev = _previous_states(train)
        norm2 = np.sum(prev * prev, axis=1)
        c = np.sum(pred * prev, axis=1) / np.where(norm2 > 0, norm2, 1.0)
        pred = c[:, None] * prev
    outer = pred.T @ new
    return -0.5 * eta * (outer - outer.T)


def prediction_overlap(
    train: TrainResult, last: int = 200
) -> tuple[float, float]:
    """Mean Pearson r of the prediction L(J sigma(t-1)) with sigma(t-1) and with sigma(t).

    Over the ``last`` steps of a monitored training ({eq}`eq-attractor-learning`): a
    prediction of the next state would correlate best with sigma(t); one that mostly says
    "stay" correlates best with sigma(t-1). Returns ``(r_previous, r_next)``.
    """
    train = _monitored(train)
    last = check_int("last", last, 1, len(train.states) - 1)
    pred = _zscore_rows(train.predictions[-last:])
    prev = _zscore_rows(_previous_states(train)[-last:])
    new = _zscore_rows(train.states[-last:])
    n = pred.shape[1]
    return (
        float(np.mean(np.sum(pred * prev, axis=1)) / n),
        float(np.mean(np.sum(pred * new, axis=1)) / n),
    )


# -- relaxation and attractors ---------------------------------------------------------------------
def relax(
    J,
    sigma0,
    b=None,
    beta: float = 1.0,
    max_steps: int = 1000,
    tol: float = 1e-12,
):
    """Iterate the deterministic update sigma <- L(beta (b + J sigma)) until the VFE settles.

    Implements {eq}`eq-attractor-relax`. Stops at the first step where the monitor VFE changes by
    less than ``tol`` (the authors' stopping rule). With zero bias the monitor is the same at
    sigma and -sigma, so it also stops on a two-cycle sigma <-> -sigma: check a fixed point with
    one more update. Returns ``(sigma, steps, vfe_start, vfe_end)``; ``sigma`` is all NaN and
    ``steps == max_steps`` if it did not settle.
    """
    sigma0 = _check_bounded("sigma0", sigma0, ndim=1)
    b = np.zeros(len(sigma0)) if b is None else b
    J, b, sigma = _check_net(J, b, sigma0, ("J", "b", "sigma0"))
    beta = _check_level("beta", beta)
    max_steps = check_count("max_steps", max_steps, 1)
    tol = check_positive("tol", tol)
    phi_b = _log_partition(b)
    accuracy, complexity, h = _monitor(J, b, sigma, phi_b)
    f0 = f = complexity - accuracy
    for step in range(1, max_steps + 1):
        sigma = _langevin(beta * h)  # h = b + J sigma, from the monitor
        accuracy, complexity, h = _monitor(J, b, sigma, phi_b)
        f_new = complexity - accuracy
        if abs(f_new - f) < tol:
            return sigma, step, f0, f_new
        f = f_new
    return np.full_like(sigma, np.nan), max_steps, f0, f


def attractors(
    J, starts, beta: float = 1.0, max_steps: int = 1000, tol: float = 1e-12
):
    """Relax the zero-bias network from each row of ``starts`` with {eq}`eq-attractor-relax`;
    returns (states (K, N), steps (K,), vfe (K, 2) at start and end), see :func:`relax`."""
    starts = _check_bounded("starts", starts, ndim=2)
    out = [relax(J, s, None, beta, max_steps, tol) for s in starts]
    return (
        np.array([o[0] for o in out]),
        np.array([o[1] for o in out]),
        np.array([[o[2], o[3]] for o in out]),
    )


def n_distinct(states, decimals: int = 2) -> int:
    """Number of distinct rows of the (K, N) array ``states`` after rounding to ``decimals``
    (0..15). A row that is all NaN (a start that did not converge, see :func:`relax`) is
    ignored; any other NaN or inf is refused."""
    if (
        isinstance(states, np.ndarray)
        and states.ndim == 2
        and states.dtype.kind == "f"
    ):
        states = states[~np.all(np.isnan(states), axis=1)]
    ok = check_finite_array("states", states, ndim=2, min_size=0)
    decimals = check_int("decimals", decimals, 0, 15)
    return len(np.unique(np.round(ok, decimals) + 0.0, axis=0))


def decompose(J) -> tuple[NDArray, NDArray]:
    """Symmetric and antisymmetric parts (J + J^T)/2 and (J - J^T)/2, {eq}`eq-attractor-decompose`
    (Spisak & Friston 2025, eqs. (13)-(14))."""
    J = _check_couplings("J", J)
    return 0.5 * (J + J.T), 0.5 * (J - J.T)


def asymmetry(J) -> float:
    """||J - J^T||_F / ||J||_F in [0, 2] (0: symmetric, 2: antisymmetric), {eq}`eq-attractor-asymmetry`."""
    J = _check_couplings("J", J)
    norm = np.linalg.norm(J)
    if norm == 0:
        raise ValueError("J: the asymmetry of an all-zero matrix is undefined")
    return float(np.linalg.norm(J - J.T) / norm)


def forward_terms(J_anti, X) -> NDArray:
    """x_{k+1}^T J_anti x_k for consecutive rows of ``X`` (cyclically), {eq}`eq-attractor-forward`."""
    J_anti = check_finite_array("J_anti", J_anti, ndim=2)
    X = check_finite_array("X", X, ndim=2)
    return np.einsum("ki,ij,kj->k", np.roll(X, -1, axis=0), J_anti, X)


# -- free running and replay -----------------------------------------------------------------------
def free_run(
    J,
    sigma0,
    steps: int = 100,
    beta: float = 1.0,
    rng=None,
    *,
    deterministic: bool = False,
) -> NDArray:
    """Steps of {eq}`eq-attractor-update` with zero bias and no learning from ``sigma0`` (the
    free run of Spisak & Friston 2025, fig. 5F); returns the (steps, N) states.

    Stochastic by default; with ``deterministic`` every step is the mean L(beta J sigma), the
    noise-free control ({eq}`eq-attractor-relax` without the stopping rule).
    """
    rng = as_rng(rng)
    sigma0 = _check_bounded("sigma0", sigma0, ndim=1)
    J, zero, sigma = _check_net(
        J, np.zeros(len(sigma0)), sigma0, ("J", "b", "sigma0")
    )
    steps = check_count("steps", steps, 1)
    check_cost(
        "steps", steps * len(sigma), MAX_ELEMENTS, "recorded state entries"
    )
    beta = _check_level("beta", beta)
    deterministic = check_bool("deterministic", deterministic)
    out = np.empty((steps, len(sigma)))
    for t in range(steps):
        if deterministic:
            sigma = out[t] = _langevin(beta * (J @ sigma))
        else:
            sigma = out[t] = _step(
                J, zero, sigma, beta, 0.0, rng.random(len(sigma))
            )
    return out


@record
@dataclass(frozen=True)
class Replay:
    """What a free run replays: labels and transition counts (label = best-correlated pattern)."""

    labels: (
        NDArray  # (T,) index of the pattern each frame correlates with best
    )
    r_max: NDArray  # (T,) that correlation
    transitions: int  # number of label changes
    forward_fraction: float  # share of changes k -> k+1 (mod K), in the order of the patterns
    backward_fraction: float  # share of changes k -> k-1 (mod K)
    visited: int  # distinct labels after the first ``skip`` frames
    period: (
        float  # mean steps per full cycle, K * T / transitions (inf if none)
    )


def replay(states, patterns, skip: int = REPLAY_SKIP) -> Replay:
    """Label every frame of a free run by its best Pearson correlate among ``patterns`` and count
    the transitions between labels ({eq}`eq-attractor-forward` predicts their direction)."""
    states = check_finite_array("states", states, ndim=2)
    patterns = check_finite_array("patterns", patterns, ndim=2)
    skip = check_int("skip", skip, 0, len(states) - 1)
    r = _zscore_rows(states) @ _zscore_rows(patterns).T / states.shape[1]
    labels = np.argmax(r, axis=1)
    k = len(patterns)
    prev, nxt = labels[:-1], labels[1:]
    changed = prev != nxt
    n = int(changed.sum())
    fwd = int(np.sum(changed & (nxt == (prev + 1) % k)))
    bwd = int(np.sum(changed & (nxt == (prev - 1) % k)))
    return Replay(
        labels,
        r.max(axis=1),
        n,
        fwd / n if n else 0.0,
        bwd / n if n else 0.0,
        len(np.unique(labels[skip:])),
        k * len(labels) / n if n else float("inf"),
    )


# -- simulation 3: sequence learning ---------------------------------------------------------------
@dataclass(frozen=True)
class SequenceParams:
    """Simulation 3 (Spisak & Friston 2025, fig. 5), the authors' settings by default."""

    digits: tuple = (
        1,
        2,
        3,
    )  # training digits, in the order that counts as "forward"
    order: str = "forward"  # presentation: "forward" (1,2,3,1,...), "reversed" or "random"
    steps: int = (
        2000  # one-step epochs, so one network step per presented digit
    )
    eta: float = 1e-3  # learning rate
    beta: float = 1.0  # inverse temperature, training and free run
    evidence: float = (
        20.0  # the z-scored digits are multiplied by this in the biases
    )
    free_steps: int = 100  # length of the free run after training

    def __post_init__(self):
        digit_patterns(self.digits)
        check_choice("order", self.order, ("forward", "reversed", "random"))
        check_count("steps", self.steps, 1)
        check_learning_rate("eta", self.eta, 64)
        _check_level("beta", self.beta)
        _check_level("evidence", self.evidence, MAX_EVIDENCE)
        # the replay of the free run skips its first REPLAY_SKIP frames
        check_count("free_steps", self.free_steps, REPLAY_SKIP + 1)


@record
@dataclass(frozen=True)
class SequenceResult:
    """Everything the chapter shows about a trained sequence network."""

    params: SequenceParams
    patterns: NDArray  # (K, 64) z-scored digits
    train: TrainResult
    J_sym: NDArray  # symmetric part of J
    J_anti: NDArray  # antisymmetric part of J
    asymmetry: float
    attractors: NDArray  # (K, 64) fixed points of J_sym relaxed from L(0.1 evidence z_k)
    attractor_steps: NDArray  # (K,) relaxation steps
    attractor_vfe: NDArray  # (K, 2) VFE at start and at the attractor
    n_attractors: int
    attractor_r: NDArray  # (K, K) Pearson r of attractor k with digit j
    forward: NDArray  # (K,) x_{k+1}^T J_anti x_k, with x = L(evidence z)
    free_states: (
        NDArray  # (free_steps, 64) free run from the state training left
    )
    replay: Replay


def _presentation(order: str, k: int, steps: int, rng) -> NDArray:
    if order == "random":
        return rng.integers(k, size=steps)
    idx = np.arange(steps) % k
    return idx if order == "forward" else (k - 1 - idx)


def simulate_sequence(
    params: SequenceParams = SequenceParams(), monitor: bool = False, rng=None
) -> SequenceResult:
    """Simulation 3: train on digits in a fixed order with one-step epochs, then analyse J.

    Implements {eq}`eq-attractor-update`, {eq}`eq-attractor-learning`,
    {eq}`eq-attractor-decompose` and {eq}`eq-attractor-forward` (Spisak & Friston 2025, fig. 5).
    """
    check_instance("params", params, SequenceParams)
    monitor = check_bool("monitor", monitor)
    rng_order, rng_net = as_rng(rng).spawn(2)
    z = digit_patterns(params.digits)
    data = params.evidence * z
    seq = _presentation(params.order, len(z), params.steps, rng_order)
    tr = train(
        data, seq, params.beta, params.eta, monitor=monitor, rng=rng_net
    )
    J_sym, J_anti = decompose(tr.J)
    att, steps, vfe = attractors(J_sym, _langevin(0.1 * data), params.beta)
    r = np.corrcoef(np.vstack([np.nan_to_num(att), z]))[: len(z), len(z) :]
    states = free_run(tr.J, tr.sigma, params.free_steps, params.beta, rng_net)
    return SequenceResult(
        params,
        z,
        tr,
        J_sym,
        J_anti,
        asymmetry(tr.J) if tr.J.any() else 0.0,
        att,
        steps,
        vfe,
        n_distinct(att),
        r,
        forward_terms(J_anti, _langevin(data)),
        states,
        replay(states, z),
    )


def attractors_match(result: SequenceResult) -> bool:
    """True when there are K attractors and attractor k correlates best with digit k."""
    check_instance("result", result, SequenceResult)
    return bool(
        result.n_attractors == len(result.patterns)
        and np.array_equal(
            np.argmax(result.attractor_r, axis=1),
            np.arange(len(result.patterns)),
        )
    )


# -- simulation 1: orthogonalisation ---------------------------------------------------------------
@dataclass(frozen=True)
class OrthoParams:
    """Simulation 1 (Spisak & Friston 2025, fig. 3), the authors' settings by default."""

    evidence: float = 30.0  # scale of the z-scored images in the biases
    beta: float = 0.1  # inverse temperature during training
    eta: float = 0.01  # learning rate
    epochs: int = 500  # epochs, each showing one randomly chosen image
    steps_per_epoch: int = 10  # network steps per epoch
    beta_attractor: float = (
        1.0  # inverse temperature of the deterministic attractor search
    )

    def __post_init__(self):
        _check_level("evidence", self.evidence, MAX_EVIDENCE)
        for name in ("beta", "beta_attractor"):
            _check_level(name, getattr(self, name))
        check_positive("eta", self.eta)
        check_learning_rate("eta", self.eta, 64)
        check_count("epochs", self.epochs, 1)
        check_count("steps_per_epoch", self.steps_per_epoch, 1)
        check_cost(
            "epochs x steps_per_epoch",
            self.epochs * self.steps_per_epoch,
            MAX_STEPS,
            "network steps",
        )


@record
@dataclass(frozen=True)
class OrthoResult:
    """Simulation 1: the two images, the trained network and its two attractors."""

    params: OrthoParams
    patterns: NDArray  # (2, 25) z-scored images
    train: TrainResult  # with the VFE monitor
    attractors: NDArray  # (2, 25) relaxed from L(0.1 z) with zero bias
    input_correlation: float
    attractor_correlation: float


def simulate_orthogonalisation(
    params: OrthoParams = OrthoParams(), rng=None
) -> OrthoResult:
    """Simulation 1: learn two correlated line images in random order; the attractors come out
    anti-correlated. Implements {eq}`eq-attractor-learning` (Spisak & Friston 2025, fig. 3)."""
    if not isinstance(params, OrthoParams):
        raise TypeError(
            f"params: expected OrthoParams, got {type(params).__name__}"
        )
    rng_order, rng_net = as_rng(rng).spawn(2)
    z = line_images()
    seq = np.repeat(
        rng_order.integers(len(z), size=params.epochs), params.steps_per_epoch
    )
    tr = train(
        params.evidence * z,
        seq,
        params.beta,
        params.eta,
        monitor=True,
        rng=rng_net,
    )
    att = attractors(tr.J, _langevin(0.1 * z), params.beta_attractor)[0]
    return OrthoResult(
        params,
        z,
        tr,
        att,
        float(np.corrcoef(z)[0, 1]),
        float(np.corrcoef(att)[0, 1]),
    )


# -- simulation 2: learning regimes ----------------------------------------------------------------
REGIME_EVIDENCE = tuple(
    float(e) for e in range(1, 21)
)  # evidence levels 1, 2, ..., 20
REGIME_BETAS = tuple(
    float(b) for b in np.geomspace(0.01, 1.0, 19)
)  # 19 values, log-spaced
#: a trained network has diverged when its RMS coupling ||J||_F / N exceeds this (or a coupling
#: is not finite): over three times the largest RMS coupling of the book's grid at eta = 0.001
#: (1.02, at evidence 20 and beta 1). Of 55 grid networks (every 7th) trained with the paper's
#: eta = 0.01, 27 reach 4.1 to 12.8 (the balanced one 5.8, ||J||_F = 370), 28 stay below 3
DIVERGENCE_RMS = 3.5
#: the paper's three showcase networks (fig. 4C-E): (evidence, training beta)
SHOWCASE = {
    "balanced": (11.0, REGIME_BETAS[11]),
    "high complexity": (16.0, REGIME_BETAS[14]),
    "low complexity": (6.0, REGIME_BETAS[4]),
}
#: their published retrieval and generalisation Delta R^2, attractors and orthogonality (deg)
SHOWCASE_PUBLISHED = {
    "balanced": (0.292, 0.070, 10, 17.34),
    "high complexity": (0.270, -0.051, 10, 27.57),
    "low complexity": (0.164, 0.085, 1, float("nan")),
}


@dataclass(frozen=True)
class RegimeParams:
    """Simulation 2 (Spisak & Friston 2025, fig. 4), the settings of the authors' code."""

    epochs: int = (
        5000  # epochs, each showing one randomly chosen training digit
    )
    steps_per_epoch: int = 10  # network steps per epoch
    eta: float = 1e-3  # learning rate of the code; the paper's text says 0.01
    signal: float = 0.1  # evaluation: the target is signal x evidence x digit
    snr: float = 1.0  # evaluation: noise sd = sd(target) / snr
    beta_eval: float = 1.0  # inverse temperature of the evaluation runs
    eval_steps: int = (
        100  # steps per evaluation trial (the response is their mean)
    )
    trials: int = 100  # evaluation trials for retrieval and for generalisation
    beta_attractor: float = (
        1.0  # inverse temperature of the deterministic attractor search
    )

    def __post_init__(self):
        for name in ("signal", "beta_eval", "beta_attractor"):
            _check_level(name, getattr(self, name))
        check_range("snr", self.snr, 1 / VALUE_BOUND, VALUE_BOUND)
        check_positive("eta", self.eta)
        check_learning_rate("eta", self.eta, 64)
        for name in ("epochs", "steps_per_epoch", "eval_steps", "trials"):
            check_count(name, getattr(self, name), 1)
        check_cost(
            "epochs x steps_per_epoch",
            self.epochs * self.steps_per_epoch,
            MAX_STEPS,
            "network steps",
        )


@record
@dataclass(frozen=True)
class RegimeResult:
    """Simulation 2 metrics of G networks, one entry per network (arrays of shape (G,)).

    ``diverged`` marks the networks whose couplings blew up in training: RMS coupling
    ||J||_F / N above :data:`DIVERGENCE_RMS` (3.5), or a coupling not finite, as with the
    paper's eta = 0.01. Their metrics describe a broken network, not a learning regime.
    """

    params: RegimeParams
    evidence: NDArray  # evidence level of each network
    beta: NDArray  # training inverse temperature of each network
    retrieval: NDArray  # median Delta R^2 on noisy training digits
    generalisation: NDArray  # median Delta R^2 on noisy test digits
    n_attractors: NDArray  # distinct deterministic attractors (2 decimals)
    orthogonality: (
        NDArray  # mean |90 - angle| between distinct attractors, degrees
    )
    J_norm: NDArray  # Frobenius norm of the learned couplings
    diverged: NDArray  # bool: the couplings blew up (see DIVERGENCE_RMS)
    attractors: (
        NDArray  # (G, 10, 64) attractor reached from each training digit
    )
    data_orthogonality: (
        float  # the authors' reference value of the training digits
    )

    def index(self, evidence: float, beta: float) -> int:
        """Position of the network trained at ``evidence`` and ``beta`` (to 4 significant
        digits, as the paper prints beta)."""
        evidence, beta = (
            check_real("evidence", evidence),
            check_real("beta", beta),
        )
        hit = np.flatnonzero(
            np.isclose(self.evidence, evidence)
            & np.isclose(self.beta, beta, rtol=5e-4, atol=0)
        )
        if hit.size == 0:
            raise ValueError(
                f"evidence, beta: no network at ({evidence}, {beta})"
            )
        return int(hit[0])


def unseen_digits() -> NDArray:
    """Rows 10..1796 of scikit-learn's digits (1787 images, none of them seen in training),
    preprocessed like :func:`digit_patterns`; shape (1787, 64)."""
    from pcbook.data import load_digits

    return _zscore_rows(load_digits().X[10:] ** 2)


def orthogonality(vectors, reference_diagonal: bool = False) -> float:
    """Mean absolute deviation from 90 degrees of the angles between the rows of ``vectors``.

    Implements {eq}`eq-attractor-orthogonality` as the authors' code computes it (Spisak &
    Friston 2025, fig. 4; the paper calls it a mean squared deviation, but it is absolute). By
    default over the pairs i != j whose angle lies in (1, 179) degrees, so repeated (or
    opposite) rows count once; the code does this for the attractors. With
    ``reference_diagonal`` it averages over all K x K entries of the angle matrix including its
    zero diagonal (each diagonal entry deviates by 90 degrees), which is how the code computes
    the reference value of the training digits (29.94 degrees; 23.26 over the pairs alone).
    NaN when no pair is left (a single attractor).
    """
    X = check_finite_array("vectors", vectors, ndim=2)
    reference_diagonal = check_bool("reference_diagonal", reference_diagonal)
    norms = np.linalg.norm(X, axis=1)
    if np.any(norms == 0):
        raise ValueError(
            "vectors: every row needs a non-zero norm to have an angle"
        )
    cos = (X @ X.T) / np.outer(norms, norms)
    angles = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    off = ~np.eye(len(X), dtype=bool)
    if reference_diagonal:
        angles = np.where(off, angles, 0.0)
        return float(np.mean(np.abs(90.0 - angles)))
    keep = angles[off]
    keep = keep[(keep > 1.0) & (keep < 179.0)]
    return float(np.mean(np.abs(90.0 - keep))) if keep.size else float("nan")


def _r2(a: NDArray, b: NDArray) -> NDArray:
    """Squared Pearson r along the last axis, rounded to 3 decimals as the authors' code does."""
    a = a - a.mean(axis=-1, keepdims=True)
    b = b - b.mean(axis=-1, keepdims=True)
    r = np.sum(a * b, axis=-1) / np.sqrt(
        np.sum(a * a, axis=-1) * np.sum(b * b, axis=-1)
    )
    return np.round(r * r, 3)


def _recall(J, sigma, patterns, scale, sample, params: RegimeParams, rngs):
    """Median Delta R^2 of G networks (leading axis) recalling noisy ``patterns``.

    Trial k shows pattern k mod P (``sample`` False) or a random one; the target is
    o = scale_g x pattern, the input o + noise with sd(o) / snr, and the response is the mean of
    ``eval_steps`` stochastic steps of {eq}`eq-attractor-update` without learning. The state
    carries over from trial to trial. Returns the medians (G,) and the final states (G, N).
    Each network draws [its pattern,] its noise and its uniforms from its own generator.
    """
    g, n = sigma.shape
    beta = params.beta_eval
    gain = np.empty((params.trials, g))
    for k in range(params.trials):
        idx = [
            r.integers(len(patterns)) if sample else k % len(patterns)
            for r in rngs
        ]
        target = scale[:, None] * patterns[idx]
        sd = target.std(axis=1) / params.snr
        noisy = target + sd[:, None] * np.array(
            [r.standard_normal(n) for r in rngs]
        )
        u = np.stack([r.random((params.eval_steps, n)) for r in rngs], axis=1)
        total = np.zeros((g, n))
        for t in range(params.eval_steps):
            sigma = _sample(
                beta * (noisy + np.matmul(J, sigma[..., None])[..., 0]), u[t]
            )
            total += sigma
        gain[k] = _r2(total / params.eval_steps, target) - _r2(noisy, target)
    return np.median(gain, axis=0), sigma


def _metrics(J, sigma, evidence, params: RegimeParams, rngs):
    """Retrieval, generalisation (shared :func:`_recall`), attractors and orthogonality of
    trained networks ``J`` (G, N, N) left in states ``sigma`` (G, N)."""
    z, test = digit_patterns(range(10)), unseen_digits()
    scale = params.signal * np.asarray(evidence, dtype=float)
    retrieval, sigma = _recall(J, sigma, z, scale, False, params, rngs)
    generalisation, _ = _recall(J, sigma, test, scale, True, params, rngs)
    att = np.full((len(J), len(z), z.shape[1]), np.nan)
    for k, (Jk, ev) in enumerate(zip(J, evidence)):
        if np.all(np.abs(Jk) <= VALUE_BOUND):
            att[k] = attractors(
                Jk, _langevin(0.1 * ev * z), params.beta_attractor
            )[0]
    n_att = np.array([n_distinct(a) for a in att])
    ortho = np.array([_attractor_orthogonality(a) for a in att])
    return retrieval, generalisation, n_att, ortho, att


def _attractor_orthogonality(states) -> float:
    """:func:`orthogonality` of the attractors that converged and have a direction (the code's
    angles with a NaN or zero vector are NaN and drop out); NaN if fewer than two are left."""
    ok = states[
        np.all(np.isfinite(states), axis=1)
        & (np.linalg.norm(states, axis=1) > 0)
    ]
    return orthogonality(ok) if len(ok) > 1 else float("nan")


def _regime_streams(rng, count: int):
    """(order, network, evaluation) generators of each of ``count`` networks: network g's
    generator spawns three, as :func:`simulate_regime` does with its ``rng``."""
    if isinstance(rng, (list, tuple)):
        if len(rng) != count or not all(
            isinstance(r, np.random.Generator) for r in rng
        ):
            raise TypeError(
                f"rng: expected one numpy Generator per network ({count})"
            )
        gens = rng
    else:
        gens = as_rng(rng).spawn(count)
    return [g.spawn(3) for g in gens]


def _check_regimes(evidence, beta, params):
    check_instance("params", params, RegimeParams)
    evidence = _check_levels("evidence", evidence, MAX_EVIDENCE)
    beta = _check_levels("beta", beta)
    if len(evidence) != len(beta):
        raise ValueError(
            f"evidence, beta: need one beta per evidence level, got {len(evidence)} "
            f"and {len(beta)}"
        )
    check_cost("evidence", len(evidence) * 64**2, MAX_ELEMENTS, "couplings")
    return evidence, beta


def simulate_regime(
    evidence: float,
    beta: float,
    params: RegimeParams = RegimeParams(),
    rng=None,
) -> RegimeResult:
    """Simulation 2 for one network, with :func:`train` (the single-network step).

    Implements {eq}`eq-attractor-update`, {eq}`eq-attractor-learning` and
    {eq}`eq-attractor-orthogonality` (Spisak & Friston 2025, fig. 4): train on the ten digits
    scaled by ``evidence`` at inverse temperature ``beta``, then measure retrieval,
    generalisation, attractors and their orthogonality. :func:`simulate_regimes` gives the same
    numbers for many networks at once (same generator, same result, up to rounding).
    """
    ev, b = _check_regimes(
        [_check_level("evidence", evidence, MAX_EVIDENCE)],
        [_check_level("beta", beta)],
        params,
    )
    order, net, ev_rng = as_rng(rng).spawn(3)
    z = digit_patterns(range(10))
    seq = np.repeat(
        order.integers(len(z), size=params.epochs), params.steps_per_epoch
    )
    tr = train(ev[0] * z, seq, b[0], params.eta, rng=net)
    return _regime_result(params, ev, b, tr.J[None], tr.sigma[None], [ev_rng])


def _diverged(J_norm: NDArray, n: int) -> NDArray:
    """Which networks' couplings blew up: RMS coupling ``J_norm / n`` above
    :data:`DIVERGENCE_RMS`, or not finite."""
    return ~np.isfinite(J_norm) | (J_norm / n > DIVERGENCE_RMS)


def _regime_result(
    params, evidence, beta, J, sigma, eval_rngs
) -> RegimeResult:
    retrieval, generalisation, n_att, ortho, att = _metrics(
        J, sigma, evidence, params, eval_rngs
    )
    ref = orthogonality(digit_patterns(range(10)), reference_diagonal=True)
    J_norm = np.linalg.norm(J, axis=(1, 2))
    return RegimeResult(
        params,
        evidence,
        beta,
        retrieval,
        generalisation,
        n_att,
        ortho,
        J_norm,
        _diverged(J_norm, J.shape[-1]),
        att,
        ref,
    )


def _train_many(
    evidence,
    beta,
    params: RegimeParams,
    orders,
    nets,
    rank: int = 16,
    block: int = 100,
):
    """Train G networks at once (leading axis): {eq}`eq-attractor-update` and
    {eq}`eq-attractor-learning` with every network drawing from its own generators as
    :func:`train` would. The couplings change every step, but the change is kept as a sum of
    ``rank`` outer products, h = J_old sigma + E^T (S sigma) - diag(E^T S) sigma, and added to
    J in one matrix product every ``rank`` steps (rank 1: the step of :func:`train` exactly)."""
    z = digit_patterns(range(10))
    g, n = len(evidence), z.shape[1]
    data = evidence[:, None, None] * z[None]
    seqs = np.array([r.integers(len(z), size=params.epochs) for r in orders])
    rows, diag = np.arange(g), np.arange(n)
    J, sigma = np.zeros((g, n, n)), np.zeros((g, n))
    err, new_s, d = (
        np.zeros((g, rank, n)),
        np.zeros((g, rank, n)),
        np.zeros((g, n)),
    )
    betas, eta, spe = beta[:, None], params.eta, params.steps_per_epoch
    total, k = params.epochs * spe, 0
    for t0 in progress(range(0, total, block), desc="training the grid"):
        u = np.stack(
            [r.random((min(block, total - t0), n)) for r in nets], axis=1
        )
        for dt, u_t in enumerate(u):
            if (t0 + dt) % spe == 0:
                b = data[rows, seqs[:, (t0 + dt) // spe]]
            h = np.matmul(J, sigma[..., None])[..., 0]
            if k:
                c = np.matmul(new_s[:, :k], sigma[..., None])
                h += (
                    np.matmul(err[:, :k].transpose(0, 2, 1), c)[..., 0]
                    - d * sigma
                )
            sigma = _sample(betas * (b + h), u_t)
            err[:, k] = eta * (sigma - _langevin(h))
            new_s[:, k] = sigma
            d += err[:, k] * sigma
            k += 1
            if k == rank or t0 + dt == total - 1:
                J += np.matmul(err[:, :k].transpose(0, 2, 1), new_s[:, :k])
                J[:, diag, diag] = 0.0
                d[:], k = 0.0, 0
    return J, sigma


def _regimes_part(evidence, beta, params, streams):
    J, sigma = _train_many(
        evidence,
        beta,
        params,
        [s[0] for s in streams],
        [s[1] for s in streams],
    )
    return _regime_result(
        params, evidence, beta, J, sigma, [s[2] for s in streams]
    )


def simulate_regimes(
    evidence,
    beta,
    params: RegimeParams = RegimeParams(),
    rng=None,
    workers: int = 1,
) -> RegimeResult:
    """Simulation 2 for many networks at once: network g is trained on the ten digits scaled by
    ``evidence[g]`` at inverse temperature ``beta[g]`` and then evaluated.

    Implements {eq}`eq-attractor-update`, {eq}`eq-attractor-learning` and
    {eq}`eq-attractor-orthogonality` (Spisak & Friston 2025, fig. 4). All networks step together
    along a leading array axis (one batched matrix-vector product and one vectorised draw per
    step); network g uses the g-th generator spawned from ``rng`` (or ``rng[g]`` if a list of
    Generators is given), the same numbers :func:`simulate_regime` gives with that generator.

    Parameters
    ----------
    evidence, beta : 1-d arrays of the same length G, entries > 0.
    params : :class:`RegimeParams`.
    rng : None, int, Generator, or a list of G Generators.
    workers : processes to split the networks over (1: this process); the result does not
        depend on it.
    """
    evidence, beta = _check_regimes(evidence, beta, params)
    workers = check_int("workers", workers, 1, 64)
    streams = _regime_streams(rng, len(evidence))
    parts = np.array_split(
        np.arange(len(evidence)), min(workers, len(evidence))
    )
    args = [
        (evidence[p], beta[p], params, [streams[i] for i in p]) for p in parts
    ]
    if len(args) == 1:
        results = [_regimes_part(*args[0])]
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(len(args)) as pool:
            results = list(pool.map(_regimes_part, *zip(*args)))
    fields = (
        "evidence",
        "beta",
        "retrieval",
        "generalisation",
        "n_attractors",
        "orthogonality",
        "J_norm",
        "diverged",
        "attractors",
    )
    merged = {
        f: np.concatenate([getattr(r, f) for r in results]) for f in fields
    }
    return RegimeResult(
        params, data_orthogonality=results[0].data_orthogonality, **merged
    )


def regime_grid(
    evidence=REGIME_EVIDENCE,
    betas=REGIME_BETAS,
    params: RegimeParams = RegimeParams(),
    rng=None,
    workers: int = 1,
) -> RegimeResult:
    """Simulation 2's grid: every evidence level with every inverse temperature (by default
    20 x 19 = 380 networks) through :func:`simulate_regimes`, evidence-major (network
    i * len(betas) + j has evidence[i] and betas[j]); reshape the metrics to (E, B)."""
    evidence = _check_levels("evidence", evidence, MAX_EVIDENCE)
    betas = _check_levels("betas", betas)
    ev, be = np.meshgrid(evidence, betas, indexing="ij")
    return simulate_regimes(ev.ravel(), be.ravel(), params, rng, workers)


# -- python -m pcbook reproduce --------------------------------------------------------------------
@experiment(
    "attractor-sim1",
    params={"evidence": 30.0, "beta": 0.1, "eta": 0.01, "epochs": 500},
    description="Spisak & Friston 2025 sim. 1: attractors of two correlated images decorrelate",
    limits={"epochs": 100_000},
)
def _exp_sim1(seed, evidence, beta, eta, epochs):
    res = simulate_orthogonalisation(
        OrthoParams(evidence, beta, eta, epochs), rng=seed
    )
    return (
        {
            "input_correlation": res.input_correlation,
            "attractor_correlation": res.attractor_correlation,
        },
        {"input_correlation": 0.7706, "attractor_correlation": -0.19},
    )


@experiment(
    "attractor-sim3",
    params={
        "digits": "1,2,3",
        "order": "forward",
        "steps": 2000,
        "eta": 0.001,
        "beta": 1.0,
    },
    description="Spisak & Friston 2025 sim. 3: a digit sequence is stored in J and replayed",
    limits={"steps": 200_000},
)
def _exp_sim3(seed, digits, order, steps, eta, beta):
    try:
        digits = tuple(int(d) for d in str(digits).split(","))
    except ValueError:
        raise ValueError(
            f"digits: expected comma-separated digits such as 1,2,3, got {digits!r}"
        ) from None
    res = simulate_sequence(
        SequenceParams(digits, order, steps, eta, beta), rng=seed
    )
    return (
        {
            "asymmetry": res.asymmetry,
            "n_attractors": res.n_attractors,
            "attractors_match_digits": attractors_match(res),
            "forward_fraction": res.replay.forward_fraction,
            "transitions": res.replay.transitions,
        },
        _sim3_reference(digits, order, steps, eta, beta),
    )


def _sim3_reference(digits, order, steps, eta, beta) -> dict:
    """Published values (forward order; Spisak & Friston 2025, fig. 5) and the spec's 10-seed
    control means (reversed, random) for the published settings; None where there is no reference."""
    names = (
        "asymmetry",
        "n_attractors",
        "attractors_match_digits",
        "forward_fraction",
        "transitions",
    )
    if (
        digits != (1, 2, 3)
        or steps != 2000
        or not np.isclose(eta, 1e-3)
        or not np.isclose(beta, 1.0)
    ):
        return dict.fromkeys(names)
    return {
        "forward": dict(zip(names, (0.981247, 3, True, 1.0, 26))),
        "reversed": dict(zip(names, (0.954, None, None, 0.0, 29))),
        "random": dict(zip(names, (0.209, None, None, None, 0))),
    }[order]


@experiment(
    "attractor-sim2",
    params={"evidence": 11.0, "beta": 0.1668, "eta": 0.001, "epochs": 5000},
    description="Spisak & Friston 2025 sim. 2: one network of the learning-regime grid",
    limits={"epochs": 100_000},
)
def _exp_sim2(seed, evidence, beta, eta, epochs):
    res = simulate_regime(
        evidence, beta, RegimeParams(epochs=epochs, eta=eta), rng=seed
    )
    names = ("retrieval", "generalisation", "n_attractors", "orthogonality")
    metrics = {name: float(getattr(res, name)[0]) for name in names}
    metrics["n_attractors"] = int(metrics["n_attractors"])
    metrics["J_norm"] = float(res.J_norm[0])
    metrics["couplings_diverged"] = bool(res.diverged[0])  # see DIVERGENCE_RMS
    reference = dict.fromkeys(names)
    for case, (ev, b) in SHOWCASE.items():
        if (
            np.isclose(evidence, ev)
            and np.isclose(beta, b, rtol=5e-4)
            and np.isclose(eta, 1e-3)
            and epochs == 5000
        ):
            published = SHOWCASE_PUBLISHED[case]
            reference = dict(
                zip(
                    names,
                    (
                        *published[:3],
                        None if case == "low complexity" else published[3],
                    ),
                )
            )
    return metrics, reference
