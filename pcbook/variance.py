"""Chapter 3: learning the prior, the variances and the weights (Bogacz 2017, Sec. 2.4, 4, 5).

Three learners, all driven by the gradient of the negative free energy F:

* :func:`learn_parameters`: v_p, Sigma_p and Sigma_u of the scalar model from a stream of inputs,
  after inferring phi for each input ({eq}`eq-variance-rules`, Bogacz Eqs. 15-21).
* :func:`simulate_interneuron_learning`: Bogacz's Exercise 5, a variance learned by a Hebbian synapse on an
  inhibitory interneuron ({eq}`eq-variance-interneuron`, Eqs. 59-63), vectorised over seeds.
* the vector / hierarchical model g_i = Theta_i h(phi_{i+1}) ({eq}`eq-variance-hier-F`,
  Sec. 4.1-4.2, Eqs. 44-56): :func:`hier_free_energy`, :func:`hier_phi_gradient`, :func:`hier_param_gradients`,
  :func:`relax` and :func:`fit_hierarchy`.

Every ``sigma*`` is a variance (a covariance matrix in the vector model).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import permutations, product

import numpy as np
from numpy.typing import NDArray

from pcbook import gaussian_model as gm
from pcbook.maths import activation, check_activation
from pcbook.progress import progress
from pcbook.reproduce import experiment
from pcbook.rng import as_rng
from pcbook.validate import (
    MAX_ELEMENTS,
    MAX_STEPS,
    check_bool,
    check_cost,
    check_count,
    check_finite_array,
    check_instance,
    check_positive,
    check_range,
    check_real,
    record,
)

__all__ = [
    "LearningHistory",
    "learn_parameters",
    "variance_gradients",
    "interneuron_trial",
    "InterneuronResult",
    "simulate_interneuron_learning",
    "mean_field_sigma",
    "Hierarchy",
    "hier_errors",
    "hier_free_energy",
    "hier_phi_gradient",
    "hier_param_gradients",
    "relax_dt_limit",
    "relax",
    "make_hierarchy",
    "sample_hierarchy",
    "FitHistory",
    "fit_hierarchy",
    "align_signed_permutation",
]


# Sec. 2.4: learning v_p, Sigma_p, Sigma_u of the scalar model
@record
@dataclass(frozen=True)
class LearningHistory:
    """Parameters after each stimulus (index 0: the start) and the inferred phi per stimulus."""

    v_p: NDArray[np.float64]
    sigma_p: NDArray[np.float64]
    sigma_u: NDArray[np.float64]
    phi: NDArray[np.float64]
    u: NDArray[np.float64]
    v: NDArray[np.float64]


def learn_parameters(
    n_items: int = 3000,
    lr: float = 0.01,
    v_true: float = 3.0,
    sigma_p_true: float = 1.0,
    sigma_u_true: float = 1.0,
    v_p0: float = 1.0,
    sigma_p0: float = 2.0,
    sigma_u0: float = 2.0,
    sigma_min: float = 0.05,
    learn=("v_p", "sigma_p", "sigma_u"),
    laplace: bool = False,
    rng=None,
) -> LearningHistory:
    """Learn v_p, Sigma_p, Sigma_u from a stream u ~ N(v^2, Sigma_u_true), v ~ N(v_true, Sigma_p_true).

    Implements {eq}`eq-variance-rules`, i.e. Bogacz (2017) Eqs. (15)-(21): after inferring phi
    (:func:`pcbook.gaussian_model.local_mode`), each parameter moves by ``lr`` times its dF/d:
    dv_p = eps_p, dSigma_p = (eps_p^2 - 1/Sigma_p)/2, dSigma_u = (eps_u^2 - 1/Sigma_u)/2.
    Variances are kept at or above ``sigma_min``: learned from point estimates, Sigma_u collapses
    onto this floor (chapter 3 explains why).

    With ``laplace=True`` the variances climb the Laplace free energy instead
    ({eq}`eq-variance-laplace`): the squared errors gain the posterior's spread
    Sigma_q = -1 / F''(phi), i.e. dSigma_p = ((phi - v_p)^2 + Sigma_q) / (2 Sigma_p^2) - 1 / (2 Sigma_p)
    and dSigma_u = ((u - g(phi))^2 + g'(phi)^2 Sigma_q) / (2 Sigma_u^2) - 1 / (2 Sigma_u).

    Parameters
    ----------
    n_items, lr : int, float
        Number of stimuli (>= 1) and learning rate alpha in (0, 1].
    v_true, sigma_p_true, sigma_u_true : float
        The world that generates the stimuli; v_p0, sigma_p0, sigma_u0: the learner's start.
    sigma_min : float
        Floor for the learned variances (> 0).
    learn : tuple of str
        Which of "v_p", "sigma_p", "sigma_u" are learned; the others stay at their initial value.
    laplace : bool
        Add the Laplace correction to the variance updates (default False: Bogacz's rules).
    rng : None, int or Generator

    Returns
    -------
    LearningHistory
    """
    n_items = check_count("n_items", n_items, 1)
    lr = check_range("lr", lr, 1e-9, 1.0)
    sigma_min = check_range("sigma_min", sigma_min, *gm.VARIANCE_RANGE)
    for name, val in (
        ("sigma_p_true", sigma_p_true),
        ("sigma_u_true", sigma_u_true),
        ("sigma_p0", sigma_p0),
        ("sigma_u0", sigma_u0),
    ):
        check_range(name, val, *gm.VARIANCE_RANGE)
    for name, val in (("v_true", v_true), ("v_p0", v_p0)):
        check_range(name, val, -gm.VALUE_BOUND, gm.VALUE_BOUND)
    laplace = check_bool("laplace", laplace)
    if isinstance(learn, str) or not hasattr(learn, "__iter__"):
        raise TypeError(
            f"learn: expected a collection of names, got {type(learn).__name__}"
        )
    learn = set(learn)
    if not learn <= {"v_p", "sigma_p", "sigma_u"}:
        raise ValueError(
            f"learn: must be a subset of ('v_p', 'sigma_p', 'sigma_u'), got {sorted(learn)}"
        )
    mask = np.array(
        [name in learn for name in ("v_p", "sigma_p", "sigma_u")], dtype=float
    )
    rng = as_rng(rng)
    v = rng.normal(v_true, np.sqrt(sigma_p_true), n_items)
    u = rng.normal(v * v, np.sqrt(sigma_u_true))
    params = np.empty((n_items + 1, 3))
    params[0] = v_p0, sigma_p0, sigma_u0
    phis = np.empty(n_items)
    for k in progress(range(n_items), desc="stimuli", total=n_items):
        v_p, s_p, s_u = params[k]
        model = gm.GaussianModel(
            u=float(u[k]), v_p=v_p, sigma_p=s_p, sigma_u=s_u
        )
        phi = phis[k] = gm.local_mode(model)
        eps_p, _ = gm.prediction_errors(phi, model)
        step = (
            lr
            * mask
            * (eps_p, *variance_gradients(phi, model, laplace=laplace))
        )
        params[k + 1] = params[k] + step
        params[k + 1, 1:] = np.maximum(params[k + 1, 1:], sigma_min)
    return LearningHistory(
        params[:, 0], params[:, 1], params[:, 2], phis, u, v
    )


def variance_gradients(
    phi: float, model: gm.GaussianModel, laplace: bool = False
):
    """(dF/dSigma_p, dF/dSigma_u) at the estimate ``phi``, Bogacz's or the Laplace version.

    Bogacz (2017) Eqs. (20)-(21), {eq}`eq-variance-rules`: (eps_p^2 - 1/Sigma_p) / 2 and
    (eps_u^2 - 1/Sigma_u) / 2. With ``laplace=True``, the gradients of the Laplace free energy
    ({eq}`eq-variance-laplace`), whose q has variance Sigma_q = -1 / F''(phi): the squared
    errors gain Sigma_q / Sigma_p^2 and g'(phi)^2 Sigma_q / Sigma_u^2.
    """
    eps_p, eps_u = gm.prediction_errors(phi, model)
    spread_p = spread_u = 0.0
    laplace = check_bool("laplace", laplace)
    if laplace:
        curvature = gm.d2F_dphi2(phi, model)
        if not curvature < 0:
            raise ValueError(
                f"phi: F''({phi}) = {curvature} >= 0, not a maximum of F"
            )
        sigma_q = -1.0 / curvature
        spread_p = sigma_q / model.sigma_p**2
        spread_u = gm.dg(phi) ** 2 * sigma_q / model.sigma_u**2
    return (
        0.5 * (eps_p**2 + spread_p - 1.0 / model.sigma_p),
        0.5 * (eps_u**2 + spread_u - 1.0 / model.sigma_u),
    )


# Sec. 5.1 and Bogacz's Exercise 5: a variance learned on an interneuron
def interneuron_trial(
    phi: float,
    g_above: float,
    sigma: float,
    dt: float = 0.01,
    n_steps: int = 2000,
):
    """One trial of the error node eps and interneuron e, by plain Euler steps from eps = e = 0.

    Implements {eq}`eq-variance-interneuron`, i.e. Bogacz (2017) Eqs. (59)-(60):
    eps' = phi - g - e, e' = Sigma eps - e. Returns (eps, e) after ``n_steps`` steps.
    """
    sigma = check_positive("sigma", sigma)
    dt = check_positive("dt", dt)
    n_steps = check_count("n_steps", n_steps, 1)
    eps = e = 0.0
    c = check_real("phi", phi) - check_real("g_above", g_above)
    for _ in range(n_steps):
        eps, e = eps + dt * (c - e), e + dt * (sigma * eps - e)
    return eps, e


def _interneuron_end(c, sigma, dt: float, n_steps: int):
    """(eps, e) after ``n_steps`` Euler steps for arrays of inputs c = phi - g and Sigma.

    The Euler map is affine, x <- A x + dt (c, 0) with A = I + dt [[0, -1], [Sigma, -1]], so
    n steps from 0 give exactly x_n = (I - A^n) x*, where x* = (c / Sigma, c) is the fixed point
    (Bogacz Eqs. 61-62). A^n is a stack of 2x2 matrix powers, one per seed.
    """
    sigma = np.asarray(sigma, dtype=float)
    A = np.empty(sigma.shape + (2, 2))
    A[..., 0, 0], A[..., 0, 1] = 1.0, -dt
    A[..., 1, 0], A[..., 1, 1] = dt * sigma, 1.0 - dt
    An = np.linalg.matrix_power(A, n_steps)
    x_star = np.stack([c / sigma, c], axis=-1)
    x = x_star - np.einsum("...ij,...j->...i", An, x_star)
    return x[..., 0], x[..., 1]


@record
@dataclass(frozen=True)
class InterneuronResult:
    """Sigma before each trial (shape (n_seeds, n_trials + 1)) and the sampled phi (n_seeds, n_trials)."""

    sigma: NDArray[np.float64]
    phi: NDArray[np.float64]
    lr: float
    sigma_phi: float

    @property
    def mean_sigma(self) -> NDArray[np.float64]:
        """Average over seeds of Sigma after each trial."""
        return self.sigma.mean(axis=0)

    def sigma_final(self) -> float:
        """Mean of Sigma over the second half of the trials and over seeds."""
        n = self.sigma.shape[1] - 1
        return float(self.sigma[:, n // 2 + 1 :].mean())


def simulate_interneuron_learning(
    n_trials: int = 1000,
    lr: float = 0.01,
    n_seeds: int = 10,
    mean_phi: float = 5.0,
    sigma_phi: float = 2.0,
    g_above: float = 5.0,
    sigma0: float = 1.0,
    dt: float = 0.01,
    t_trial: float = 20.0,
    rng=None,
) -> InterneuronResult:
    """Bogacz's Exercise 5: learn Sigma with the interneuron, for
    ``n_seeds`` independent runs at once.

    Implements {eq}`eq-variance-interneuron` and {eq}`eq-variance-hebb`, i.e.
    Bogacz (2017)
    Eqs. (59)-(63): each trial draws phi ~ N(mean_phi, sigma_phi), runs the two
    nodes for
    ``t_trial`` time units of Euler steps ``dt`` from eps = e = 0, then updates
    Sigma <- Sigma + lr (eps e - 1). The Euler steps are computed exactly in
    closed form
    (:func:`_interneuron_end`); :func:`interneuron_trial` is the step-by-step
    version.

    Returns
    -------
    InterneuronResult
    """
    n_trials = check_count("n_trials", n_trials, 1)
    n_seeds = check_count("n_seeds", n_seeds, 1)
    lr = check_range("lr", lr, 1e-9, 1.0)
    sigma_phi = check_positive("sigma_phi", sigma_phi)
    sigma0 = check_positive("sigma0", sigma0)
    dt = check_range("dt", dt, 1e-6, 1.0)
    t_trial = check_positive("t_trial", t_trial)
    check_cost("t_trial / dt", t_trial / dt, MAX_STEPS, "Euler steps")
    check_cost(
        "n_trials x n_seeds", n_trials * n_seeds, MAX_ELEMENTS, "trials"
    )
    mean_phi = check_range("mean_phi", mean_phi, -1e6, 1e6)
    g_above = check_range("g_above", g_above, -1e6, 1e6)
    check_range("sigma_phi", sigma_phi, *gm.VARIANCE_RANGE)
    check_range("sigma0", sigma0, *gm.VARIANCE_RANGE)
    n_steps = int(round(t_trial / dt))
    streams = as_rng(rng).spawn(n_seeds)
    phi = np.stack(
        [s.normal(mean_phi, np.sqrt(sigma_phi), n_trials) for s in streams]
    )
    sigma = np.empty((n_seeds, n_trials + 1))
    sigma[:, 0] = sigma0
    for k in range(n_trials):
        eps, e = _interneuron_end(
            phi[:, k] - g_above, sigma[:, k], dt, n_steps
        )
        sigma[:, k + 1] = sigma[:, k] + lr * (eps * e - 1.0)
        if np.any(sigma[:, k + 1] <= 0):
            raise ValueError(
                f"lr: Sigma became non-positive at trial {k + 1}; "
                "use a smaller learning rate"
            )
    return InterneuronResult(sigma, phi, lr, sigma_phi)


def mean_field_sigma(
    n_trials: int = 1000,
    lr: float = 0.01,
    sigma_phi: float = 2.0,
    sigma0: float = 1.0,
):
    """The averaged recursion Sigma <- Sigma + lr (sigma_phi / Sigma - 1) (Bogacz Eqs. 63-65)."""
    out = np.empty(check_count("n_trials", n_trials, 1) + 1)
    lr = check_range("lr", lr, 1e-9, 1.0)
    sigma_phi = check_positive("sigma_phi", sigma_phi)
    out[0] = check_positive("sigma0", sigma0)
    for k in range(n_trials):
        out[k + 1] = out[k] + lr * (sigma_phi / out[k] - 1.0)
    return out


@experiment(
    "bogacz-ex5",
    params={"trials": 1000, "lr": 0.01, "n_seeds": 10},
    description="Bogacz (2017) Exercise 5: Sigma learned with an interneuron (phi ~ N(5, 2))",
    limits={"trials": 1_000_000, "n_seeds": 10_000},
)
def _bogacz_ex5(seed, trials, lr, n_seeds):
    res = simulate_interneuron_learning(
        n_trials=trials, lr=lr, n_seeds=n_seeds, rng=seed
    )
    metrics = {"sigma_final": res.sigma_final()}
    reference = {"sigma_final": 2.0}
    for k in (500, 1000):
        if k <= trials:
            metrics[f"sigma_trial_{k}"] = float(res.mean_sigma[k])
            reference[f"sigma_trial_{k}"] = (
                {500: 1.94, 1000: 2.02}[k] if lr == 0.01 else None
            )
    return metrics, reference


# Sec. 4: the vector and hierarchical model
@dataclass(frozen=True)
class Hierarchy:
    """Parameters of p(phi_i | phi_{i+1}) = N(phi_i; Theta_i h(phi_{i+1}), Sigma_i), i = 1..L.

    Level 1 is the input u; the top level L has prior mean ``v_p``. ``thetas[i]`` maps level
    i + 2 to level i + 1 (shape (n_{i+1}, n_{i+2})), ``sigmas[i]`` is level i + 1's covariance.
    """

    thetas: tuple  # L - 1 weight matrices Theta_1..Theta_{L-1}
    sigmas: tuple  # L covariance matrices Sigma_1..Sigma_L
    v_p: NDArray[np.float64]  # prior mean of the top level (length n_L)
    h: str = "tanh"  # activation name from pcbook.maths.ACTIVATIONS

    def __post_init__(self):
        check_instance("thetas", self.thetas, (tuple, list))
        check_instance("sigmas", self.sigmas, (tuple, list))
        if len(self.sigmas) < 2 or len(self.thetas) != len(self.sigmas) - 1:
            raise ValueError(
                f"thetas, sigmas: expected L >= 2 covariances and L - 1 weight "
                f"matrices, got {len(self.sigmas)} and {len(self.thetas)}"
            )
        sizes = [
            check_finite_array("sigmas", S, ndim=2).shape for S in self.sigmas
        ]
        if any(a != b for a, b in sizes):
            raise ValueError(f"sigmas: expected square matrices, got {sizes}")
        for i, T in enumerate(self.thetas):
            want = (sizes[i][0], sizes[i + 1][0])
            if check_finite_array("thetas", T, ndim=2).shape != want:
                raise ValueError(
                    f"thetas: Theta_{i + 1} must have shape {want}, got {np.shape(T)}"
                )
        v_p = check_finite_array("v_p", self.v_p, ndim=1)
        if v_p.shape != (sizes[-1][0],):
            raise ValueError(
                f"v_p: expected {sizes[-1][0]} entries, got {v_p.shape}"
            )
        check_activation("h", self.h)

    @property
    def sizes(self) -> list[int]:
        return [s.shape[0] for s in self.sigmas]


def _levels(phis, hier: Hierarchy, name: str = "phis") -> list:
    """The checked ``phis``: one finite (batch, n_i) array per level of ``hier``."""
    check_instance("hier", hier, Hierarchy)
    if not isinstance(phis, (list, tuple)) or len(phis) != len(hier.sigmas):
        raise ValueError(
            f"{name}: expected a list of {len(hier.sigmas)} levels, got "
            f"{type(phis).__name__} of length {len(phis) if hasattr(phis, '__len__') else '-'}"
        )
    out = [check_finite_array(name, p, ndim=2) for p in phis]
    for p, n in zip(out, hier.sizes):
        if p.shape[1] != n or p.shape[0] != out[0].shape[0]:
            raise ValueError(
                f"{name}: expected shapes (batch, n_i) with n_i = {hier.sizes}, "
                f"got {[q.shape for q in out]}"
            )
    return out


def make_hierarchy(
    sizes=(4, 3, 2), h: str = "tanh", weight_scale: float = 0.5, rng=None
) -> Hierarchy:
    """A random hierarchy with layer ``sizes`` (input first), identity covariances and v_p = 0."""
    check_instance("sizes", sizes, (tuple, list), "a tuple of widths")
    sizes = [check_count("sizes", n, 1, 10**4) for n in sizes]
    if len(sizes) < 2:
        raise ValueError(
            "sizes: need at least two levels (the input and one hidden level)"
        )
    check_activation("h", h)
    weight_scale = check_range("weight_scale", weight_scale, 0.0, 1e3)
    rng = as_rng(rng)
    thetas = tuple(
        weight_scale * rng.standard_normal((a, b))
        for a, b in zip(sizes[:-1], sizes[1:])
    )
    return Hierarchy(
        thetas, tuple(np.eye(n) for n in sizes), np.zeros(sizes[-1]), h
    )


def _predictions(phis, hier: Hierarchy):
    f, _ = activation(hier.h)
    L = len(hier.sigmas)
    mus = [f(phis[i + 1]) @ hier.thetas[i].T for i in range(L - 1)]
    return mus + [np.broadcast_to(hier.v_p, np.shape(phis[-1]))]


def hier_errors(phis, hier: Hierarchy):
    """Prediction errors eps_i = Sigma_i^{-1} (phi_i - Theta_i h(phi_{i+1})), i = 1..L (eps_L uses v_p).

    Implements {eq}`eq-variance-hier-errors`, i.e. Bogacz (2017) Sec. 4.1-4.2: the values at which
    the error nodes of Eqs. (45)-(46) and (54) settle.
    ``phis`` is a list of L arrays of shape (batch, n_i), phis[0] = u.
    """
    phis = _levels(phis, hier)
    mus = _predictions(phis, hier)
    return [
        np.linalg.solve(S, (p - m).T).T
        for p, m, S in zip(phis, mus, hier.sigmas)
    ]


def hier_free_energy(phis, hier: Hierarchy) -> NDArray[np.float64]:
    """F per sample, sum_i -1/2 [(phi_i - mu_i)^T Sigma_i^{-1} (phi_i - mu_i) + ln |Sigma_i|].

    Implements {eq}`eq-variance-hier-F`, i.e. the negative free energy of Bogacz (2017) Sec. 4.1-4.2,
    without the constant.
    """
    phis = _levels(phis, hier)
    mus = _predictions(phis, hier)
    total = 0.0
    for p, m, S, e in zip(phis, mus, hier.sigmas, hier_errors(phis, hier)):
        total = total - 0.5 * (
            np.sum((p - m) * e, axis=-1) + np.linalg.slogdet(S)[1]
        )
    return total


def hier_phi_gradient(phis, hier: Hierarchy):
    """dF/dphi_i = -eps_i + h'(phi_i) * (Theta_{i-1}^T eps_{i-1}) for the hidden levels i = 2..L.

    Implements {eq}`eq-variance-hier-phi`, i.e. Bogacz (2017) Eqs. (44) and (53). Each level
    needs only its own error and the error of the level below: the update is local.
    """
    phis = _levels(phis, hier)
    _, df = activation(hier.h)
    eps = hier_errors(phis, hier)
    return [
        -eps[i] + df(phis[i]) * (eps[i - 1] @ hier.thetas[i - 1])
        for i in range(1, len(phis))
    ]


def hier_param_gradients(phis, hier: Hierarchy) -> dict:
    """Gradients of F summed over the batch: Theta_i, Sigma_i and v_p.

    Implements {eq}`eq-variance-hier-learn`, i.e. Bogacz (2017) Eqs. (47)-(50) and (55)-(56):
    dF/dTheta_i = eps_i h(phi_{i+1})^T, dF/dSigma_i = (eps_i eps_i^T - Sigma_i^{-1}) / 2,
    dF/dv_p = eps_L. Each weight update needs only the activity at the two ends of the synapse.
    """
    phis = _levels(phis, hier)
    f, _ = activation(hier.h)
    eps = hier_errors(phis, hier)
    n = phis[0].shape[0]
    return {
        "thetas": [eps[i].T @ f(phis[i + 1]) for i in range(len(hier.thetas))],
        "sigmas": [
            0.5 * (e.T @ e - n * np.linalg.inv(S))
            for e, S in zip(eps, hier.sigmas)
        ],
        "v_p": eps[-1].sum(axis=0),
    }


def relax_dt_limit(hier: Hierarchy) -> float:
    """A safe Euler step for :func:`relax`: 1 / L, with L a bound on the curvature of F in each phi_i.

    For level i, |d2F/dphi_i2| <= ||Sigma_i^{-1}|| + ||Theta_{i-1}||^2 ||Sigma_{i-1}^{-1}|| max|h'|^2
    (ignoring the small h'' term), and Euler ascent is monotone for dt <= 1 / L
    (the same disc argument as {eq}`eq-error_units-euler-limit`).
    """
    check_instance("hier", hier, Hierarchy)
    _, df = activation(hier.h)
    slope = float(np.max(np.abs(df(np.linspace(-3, 3, 61)))))
    inv = [1.0 / np.linalg.eigvalsh(S).min() for S in hier.sigmas]
    bound = max(
        inv[i]
        + np.linalg.norm(hier.thetas[i - 1], 2) ** 2 * inv[i - 1] * slope**2
        for i in range(1, len(hier.sigmas))
    )
    return float(1.0 / bound)


def relax(u, hier: Hierarchy, n_steps: int = 100, dt: float = 0.1, phis0=None):
    """Infer the hidden levels for a batch of inputs u by Euler ascent on F ({eq}`eq-variance-hier-phi`).

    The step is ``min(dt, relax_dt_limit(hier))``, so that large weights never make the
    relaxation oscillate or diverge.

    Returns the list of levels [u, phi_2, ..., phi_L], each of shape (batch, n_i).
    """
    check_instance("hier", hier, Hierarchy)
    u = check_finite_array("u", u, ndim=2)
    if u.shape[1] != hier.sizes[0]:
        raise ValueError(
            f"u: expected {hier.sizes[0]} columns, got {u.shape[1]}"
        )
    n_steps = check_count("n_steps", n_steps, 0)
    dt = min(check_positive("dt", dt), relax_dt_limit(hier))
    if phis0 is None:
        phis = [u] + [
            np.tile(hier.v_p, (len(u), 1))
            if i == len(hier.sizes) - 1
            else np.zeros((len(u), n))
            for i, n in enumerate(hier.sizes)
            if i > 0
        ]
    else:
        phis = [u] + _levels(phis0, hier, "phis0")[1:]
    for _ in range(n_steps):
        grads = hier_phi_gradient(phis, hier)
        phis = [u] + [p + dt * d for p, d in zip(phis[1:], grads)]
    return phis


def _hier_size(hier: Hierarchy) -> int:
    """Numbers in one sample of every level of ``hier`` (checked to be a Hierarchy)."""
    return sum(check_instance("hier", hier, Hierarchy).sizes)


def sample_hierarchy(hier: Hierarchy, n: int, rng=None) -> list:
    """Draw n samples top-down from the generative model; returns [u, phi_2, ..., phi_L]."""
    n = check_count("n", n, 1, MAX_ELEMENTS // max(_hier_size(hier), 1))
    rng = as_rng(rng)
    f, _ = activation(hier.h)
    L = len(hier.sigmas)
    levels = [None] * L
    levels[-1] = rng.multivariate_normal(hier.v_p, hier.sigmas[-1], n)
    for i in range(L - 2, -1, -1):
        mean = f(levels[i + 1]) @ hier.thetas[i].T
        levels[i] = mean + rng.multivariate_normal(
            np.zeros(hier.sizes[i]), hier.sigmas[i], n
        )
    return levels


@record
@dataclass(frozen=True)
class FitHistory:
    """Mean F per sample after each epoch's inference, and the learned hierarchy."""

    free_energy: NDArray[np.float64]
    hierarchy: Hierarchy
    errors: NDArray[np.float64] = field(
        default_factory=lambda: np.zeros(0)
    )  # mean squared input error


def fit_hierarchy(
    u,
    hier: Hierarchy,
    n_epochs: int = 200,
    lr: float = 0.1,
    learn_sigma: bool = False,
    n_steps: int = 50,
    dt: float = 0.1,
) -> FitHistory:
    """Learn Theta_i (and Sigma_i, v_p) from data u by alternating inference and local updates.

    Implements {eq}`eq-variance-hier-learn` (Bogacz 2017, Sec. 4.2): each epoch relaxes the
    hidden levels for the whole batch (:func:`relax`, warm-started from the last epoch), then
    moves every parameter by ``lr`` times its batch-averaged gradient. Covariances are learned
    only with ``learn_sigma=True``: with point estimates they tend to collapse (Sec. 2.4), so the
    default keeps them fixed.
    """
    check_instance("hier", hier, Hierarchy)
    u = check_finite_array("u", u, ndim=2)
    if np.abs(u).max() > 1e6:
        raise ValueError(
            f"u: must lie within +-1e6 (the model's scale), got {np.abs(u).max():g}"
        )
    learn_sigma = check_bool("learn_sigma", learn_sigma)
    n_epochs = check_count("n_epochs", n_epochs, 1)
    lr = check_range("lr", lr, 1e-9, 1.0)
    f_hist, err_hist, phis = [], [], None
    for _ in progress(range(n_epochs), desc="epochs", total=n_epochs):
        phis = relax(u, hier, n_steps=n_steps, dt=dt, phis0=phis)
        f_hist.append(float(hier_free_energy(phis, hier).mean()))
        err_hist.append(float(np.mean((u - _predictions(phis, hier)[0]) ** 2)))
        grads = hier_param_gradients(phis, hier)
        n = len(u)
        sigmas = hier.sigmas
        if learn_sigma:
            sigmas = tuple(
                S + lr * G / n for S, G in zip(hier.sigmas, grads["sigmas"])
            )
            if any(np.linalg.eigvalsh(S).min() <= 1e-6 for S in sigmas):
                raise ValueError(
                    f"lr: a covariance lost positive definiteness at epoch {len(f_hist)}; "
                    "use a smaller lr or learn_sigma=False"
                )
        hier = replace(
            hier,
            thetas=tuple(
                T + lr * G / n for T, G in zip(hier.thetas, grads["thetas"])
            ),
            sigmas=sigmas,
            v_p=hier.v_p + lr * grads["v_p"] / n,
        )
    return FitHistory(np.array(f_hist), hier, np.array(err_hist))


def align_signed_permutation(learned, reference):
    """The signed column permutation of ``learned`` that best matches ``reference``.

    With an elementwise odd h (tanh) and an isotropic prior N(0, I) on the hidden level, the
    model {eq}`eq-variance-hier-F` is unchanged when the hidden units are permuted or flip sign
    (Theta -> Theta P S, phi -> S P^T phi), and by nothing else in general. This searches
    all n! 2^n such maps (n <= 6 columns) for the smallest Frobenius distance.

    Parameters
    ----------
    learned, reference : array_like, shape (m, n)
        Two weight matrices Theta.

    Returns
    -------
    aligned : ndarray, shape (m, n)
        ``learned[:, perm] * signs``.
    perm : tuple of int
    signs : ndarray of +1/-1
    """
    learned = check_finite_array("learned", learned, ndim=2)
    reference = check_finite_array("reference", reference, ndim=2)
    if learned.shape != reference.shape:
        raise ValueError(
            f"learned: shape {learned.shape} differs from reference {reference.shape}"
        )
    n = learned.shape[1]
    if n > 6:
        raise ValueError(
            f"learned: at most 6 columns for the exhaustive search, got {n}"
        )
    best = None
    for perm in permutations(range(n)):
        for signs in product((1.0, -1.0), repeat=n):
            aligned = learned[:, perm] * np.array(signs)
            dist = np.linalg.norm(aligned - reference)
            if best is None or dist < best[0]:
                best = (dist, aligned, perm, np.array(signs))
    return best[1], best[2], best[3]
