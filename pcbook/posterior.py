"""Chapter 1: the exact posterior of Bogacz's scalar model on a grid (Bogacz 2017, Exercise 1).

The model is :mod:`pcbook.gaussian_model`: prior p(v) = N(v; v_p, Sigma_p), likelihood
p(u | v) = N(u; g(v), Sigma_u) with g(v) = v^2; every Sigma is a variance. The posterior is
prior x likelihood divided by the evidence p(u), which we compute by summing over a grid
({eq}`eq-posterior-bayes`, {eq}`eq-posterior-evidence`). The posterior mode is the root of a
cubic ({eq}`eq-posterior-cubic`), and the Laplace approximation is the Gaussian with that mean
and the inverse curvature of ln p(u, v) as variance ({eq}`eq-posterior-laplace`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import integrate, optimize

from pcbook import gaussian_model as gm
from pcbook.reproduce import experiment
from pcbook.validate import (
    check_cost,
    check_finite_array,
    check_instance,
    check_positive,
    check_range,
    record,
)

__all__ = [
    "PosteriorResult",
    "make_grid",
    "LINE_GRID",
    "posterior_on_grid",
    "posterior_on_line",
    "laplace_approximation",
    "evidence_by_quadrature",
    "mass_outside",
    "total_variation",
    "gaussian_free_energy",
    "best_gaussian",
    "kl_to_grid_posterior",
    "free_energy_bound",
]


@record
@dataclass(frozen=True)
class PosteriorResult:
    """The exact posterior on a grid and its summaries (all densities are over ``v``)."""

    model: gm.GaussianModel
    v: NDArray[np.float64]  # grid of sizes, uniform spacing dv
    prior: NDArray[np.float64]  # p(v)
    likelihood: NDArray[np.float64]  # p(u | v) as a function of v
    posterior: NDArray[np.float64]  # p(v | u), integrates to 1 on the grid
    evidence: float  # p(u) = sum p(v) p(u | v) dv
    grid_mode: float  # grid point with the largest posterior
    mean: float  # posterior mean
    sd: float  # posterior standard deviation
    map_phi: float  # exact mode phi* from the cubic
    laplace: NDArray[
        np.float64
    ]  # Laplace approximation N(v; phi*, -1/F''(phi*)) on the grid
    laplace_sd: float  # its standard deviation

    @property
    def dv(self) -> float:
        return float(self.v[1] - self.v[0])

    @property
    def skewness(self) -> float:
        """Skewness E[(v - mean)^3] / sd^3 of the grid posterior."""
        z = (self.v - self.mean) / self.sd
        return float(np.sum(z**3 * self.posterior) * self.dv)


def make_grid(
    low: float = 0.01, high: float = 5.0, step: float = 0.01
) -> NDArray[np.float64]:
    """The uniform grid low, low + step, ..., high (inclusive), as in Bogacz's v = 0.01:0.01:5."""
    low = check_range("low", low, -np.inf, np.inf)
    high = check_range("high", high, -np.inf, np.inf)
    step = check_positive("step", step)
    check_cost(
        "(high - low) / step", (high - low) / step, MAX_GRID, "grid points"
    )
    n = int(round((high - low) / step))
    if n < 1:
        raise ValueError(
            f"low, high: the grid [{low}, {high}] with step {step} has fewer than 2 points"
        )
    return low + step * np.arange(n + 1)


# A grid over negative and positive sizes that holds all but 1e-4 of the
# posterior mass for every setting of chapter 1's sliders (u <= 3.5, v_p <= 5,
# Sigma_p <= 1.9, Sigma_u <= 5).
#: grid points beyond which a grid is far beyond the book's scale (its grids have 500-900)
MAX_GRID = 10**7

LINE_GRID = np.round(np.arange(-3.0, 6.0 + 1e-9, 0.01), 10)


def posterior_on_grid(
    u: float = 2.0,
    v_p: float = 3.0,
    sigma_p: float = 1.0,
    sigma_u: float = 1.0,
    v=None,
) -> PosteriorResult:
    """The exact posterior p(v | u) on a grid, normalised by the evidence.

    Implements {eq}`eq-posterior-bayes` and {eq}`eq-posterior-evidence`, i.e.
    Bogacz (2017)
    Eqs. (4)-(5) and the solution of Bogacz's Exercise 1.

    Parameters
    ----------
    u : float
        Observed input u.
    v_p, sigma_p : float
        Prior mean and prior **variance** Sigma_p (> 0).
    sigma_u : float
        Sensory noise **variance** Sigma_u (> 0).
    v : array_like, optional
        Uniform grid of at least 2 points; default :func:`make_grid` (0.01..5
        in steps of 0.01).

    Returns
    -------
    PosteriorResult

    Notes
    -----
    .. math::

        p(v \\mid u) = \\frac{p(v)\\,p(u \\mid v)}
                            {\\sum_v p(v)\\,p(u \\mid v)\\,\\Delta v}

    Examples
    --------
    >>> r = posterior_on_grid()
    >>> round(r.grid_mode, 2), round(r.map_phi, 6)
    (1.57, 1.567468)
    """
    model = gm.make_model(u=u, v_p=v_p, sigma_p=sigma_p, sigma_u=sigma_u)
    v = (
        make_grid()
        if v is None
        else check_finite_array("v", v, ndim=1, min_size=2)
    )
    dv = np.diff(v)
    if np.any(dv <= 0) or not np.allclose(dv, dv[0], rtol=1e-6, atol=0):
        raise ValueError("v: the grid must be increasing with uniform spacing")
    dv = float(dv[0])
    prior = gm.normal_pdf(v, model.v_p, model.sigma_p)
    likelihood = gm.normal_pdf(model.u, gm.g(v), model.sigma_u)
    joint = prior * likelihood
    evidence = float(np.sum(joint) * dv)
    if not evidence > 0:
        raise ValueError(
            "u, v_p, sigma_p, sigma_u: prior x likelihood underflows to 0 "
            "everywhere on the grid v; widen the grid v or the variances"
        )
    post = joint / evidence
    mean = float(np.sum(v * post) * dv)
    sd = float(np.sqrt(np.sum((v - mean) ** 2 * post) * dv))
    phi, lap_sd = laplace_approximation(model)
    return PosteriorResult(
        model,
        v,
        prior,
        likelihood,
        post,
        evidence,
        float(v[np.argmax(post)]),
        mean,
        sd,
        phi,
        gm.normal_pdf(v, phi, lap_sd**2),
        lap_sd,
    )


def posterior_on_line(
    u: float = 2.0,
    v_p: float = 3.0,
    sigma_p: float = 1.0,
    sigma_u: float = 1.0,
) -> PosteriorResult:
    """:func:`posterior_on_grid` on :data:`LINE_GRID`, -3..6: negative v too.

    Bogacz's grid 0.01..5 cuts off the part of {eq}`eq-posterior-bayes` at
    v < 0.01; for small u and v_p that is a quarter of the posterior. This grid
    keeps it.
    """
    return posterior_on_grid(
        u=u, v_p=v_p, sigma_p=sigma_p, sigma_u=sigma_u, v=LINE_GRID
    )


def laplace_approximation(model: gm.GaussianModel) -> tuple[float, float]:
    """Mean and standard deviation of the Laplace (Gaussian) approximation at the mode.

    Implements {eq}`eq-posterior-laplace`: mean phi* (the exact MAP, {eq}`eq-posterior-cubic`),
    variance -1 / F''(phi*) with F'' = -1/Sigma_p + (2u - 6 phi*^2)/Sigma_u. It is not in Bogacz (2017);
    the book uses it to measure how far the exact posterior of his Exercise 1 is from a Gaussian.
    """
    phi = gm.map_estimate(gm.check_model("model", model))
    curvature = gm.d2F_dphi2(phi, model)
    return phi, float(np.sqrt(-1.0 / curvature))


def evidence_by_quadrature(model: gm.GaussianModel) -> float:
    """p(u) = integral over the whole real line of p(v) p(u | v) dv, by adaptive quadrature.

    An independent check of the grid sum in {eq}`eq-posterior-evidence` (the grid covers only
    0.01..5; the rest of the line, including negative sizes, carries almost no mass here).
    """
    gm.check_model("model", model)
    points = sorted({model.v_p, *gm.stationary_points(model)})
    lo, hi = (
        min(points) - 12 * np.sqrt(model.sigma_p) - 3,
        max(points) + 12 * np.sqrt(model.sigma_p) + 3,
    )
    value, _ = integrate.quad(
        _joint,
        lo,
        hi,
        args=(model,),
        points=points,
        limit=400,
        epsabs=1e-14,
        epsrel=1e-11,
    )
    return float(value)


def _joint(v, model: gm.GaussianModel):
    prior = gm.normal_pdf(v, model.v_p, model.sigma_p)
    return prior * gm.normal_pdf(model.u, v * v, model.sigma_u)


def mass_outside(
    model: gm.GaussianModel, low: float = 0.01, high: float = 5.0
) -> float:
    """Posterior probability of v < low or v > high, by adaptive quadrature.

    The part of {eq}`eq-posterior-bayes` that a grid from ``low`` to ``high``
    leaves out (by default Bogacz's grid 0.01..5), relative to
    :func:`evidence_by_quadrature`.
    """
    gm.check_model("model", model)
    low = check_range("low", low, -gm.VALUE_BOUND, gm.VALUE_BOUND)
    high = check_range("high", high, -gm.VALUE_BOUND, gm.VALUE_BOUND)
    if not low < high:
        raise ValueError(f"low, high: need low < high, got {low} and {high}")
    reach = 12 * np.sqrt(model.sigma_p) + abs(model.v_p) + 3
    kw = {"args": (model,), "limit": 400, "epsabs": 1e-14, "epsrel": 1e-11}
    below = integrate.quad(_joint, min(-reach, low - 1), low, **kw)[0]
    above = integrate.quad(_joint, high, max(reach, high + 1), **kw)[0]
    return float((below + above) / evidence_by_quadrature(model))


def total_variation(p, q, dv: float) -> float:
    """Total-variation distance 1/2 sum |p - q| dv between two densities on the same grid."""
    p = check_finite_array("p", p, ndim=1)
    q = check_finite_array("q", q, ndim=1)
    if p.shape != q.shape:
        raise ValueError(
            f"q: expected the shape of p {p.shape}, got {q.shape}"
        )
    return float(0.5 * np.sum(np.abs(p - q)) * check_positive("dv", dv))


def _q(q_mean, q_var) -> tuple[float, float]:
    """The checked mean and variance of a Gaussian q (bounded so that m**4 and s**2 stay finite)."""
    m = check_range("q_mean", q_mean, -gm.VALUE_BOUND, gm.VALUE_BOUND)
    s = check_range("q_var", q_var, 0.0, gm.VALUE_BOUND**2)
    if s == 0:
        raise ValueError("q_var: must be > 0, got 0.0")
    return m, s


def gaussian_free_energy(
    q_mean: float, q_var: float, model: gm.GaussianModel
) -> float:
    """The free energy F[q] of a Gaussian q = N(q_mean, q_var), in closed form.

    Implements {eq}`eq-posterior-elbo`: F = E_q[ln p(u, v)] + H[q], with
    E_q[v^2] = m^2 + s, E_q[v^4] = m^4 + 6 m^2 s + 3 s^2 (s = q_var) for
    g(v) = v^2, and H[q] = ln(2 pi e s) / 2. F <= ln p(u), with equality only
    if q is the posterior. Sign convention of Part I (Bogacz 2017, Eq. 7): F is
    the quantity that inference *ascends*.

    Parameters
    ----------
    q_mean : float
        Mean of q.
    q_var : float
        Variance of q (> 0). A point mass (q_var -> 0) has H[q] = -infinity.
    model : GaussianModel

    Returns
    -------
    float
    """
    m, s = _q(q_mean, q_var)
    mo = gm.check_model("model", model)
    ev2 = m * m + s
    ev4 = m**4 + 6 * m * m * s + 3 * s * s
    prior = -0.5 * np.log(2 * np.pi * mo.sigma_p) - ((m - mo.v_p) ** 2 + s) / (
        2 * mo.sigma_p
    )
    lik = -0.5 * np.log(2 * np.pi * mo.sigma_u) - (
        mo.u**2 - 2 * mo.u * ev2 + ev4
    ) / (2 * mo.sigma_u)
    return float(prior + lik + 0.5 * np.log(2 * np.pi * np.e * s))


def best_gaussian(model: gm.GaussianModel) -> tuple[float, float]:
    """Mean and s.d. of the Gaussian q with the largest F.

    Maximises :func:`gaussian_free_energy` ({eq}`eq-posterior-elbo`) over
    (mean, ln variance), starting from the Laplace approximation: the best
    Gaussian in the sense of KL(q || p(v | u)).
    """
    phi, sd = laplace_approximation(gm.check_model("model", model))

    def neg_f(x):
        return -gaussian_free_energy(x[0], np.exp(x[1]), model)

    res = optimize.minimize(
        neg_f,
        [phi, 2 * np.log(sd)],
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-13, "maxiter": 4000},
    )
    return float(res.x[0]), float(np.exp(0.5 * res.x[1]))


def kl_to_grid_posterior(
    q_mean: float, q_var: float, result: PosteriorResult
) -> float:
    """KL(q || p(v | u)) of q = N(q_mean, q_var) to a grid posterior.

    The gap ln p(u) - F[q] of {eq}`eq-posterior-elbo`, computed without F:
    both densities are taken on ``result.v`` (q renormalised there) and
    sum q ln(q / p) dv runs over the grid.
    """
    m, s = _q(q_mean, q_var)
    check_instance("result", result, PosteriorResult)
    q = gm.normal_pdf(result.v, m, s)
    q = q / (np.sum(q) * result.dv)
    keep = q > 0
    if np.any(result.posterior[keep] <= 0):
        raise ValueError(
            "result: the grid posterior is 0 where q is not; use a wider grid"
        )
    ratio = np.log(q[keep]) - np.log(result.posterior[keep])
    return float(np.sum(q[keep] * ratio) * result.dv)


def free_energy_bound(
    q_mean: float = 1.5,
    q_sd: float = 0.3,
    u: float = 2.0,
    v_p: float = 3.0,
    sigma_p: float = 1.0,
    sigma_u: float = 1.0,
) -> dict:
    """F of a Gaussian q against ln p(u), for chapter 1's free-energy slider.

    Returns a dict with the posterior on :data:`LINE_GRID` (``result``), q on
    that grid (``q``), its free energy ``F`` ({eq}`eq-posterior-elbo`), the
    log evidence ``log_evidence`` (quadrature) and ``kl``
    (:func:`kl_to_grid_posterior`), so that ``F + kl = log_evidence``.
    """
    q_mean = check_range("q_mean", q_mean, -gm.VALUE_BOUND, gm.VALUE_BOUND)
    q_sd = check_range("q_sd", q_sd, 0.0, gm.VALUE_BOUND)
    if q_sd == 0:
        raise ValueError("q_sd: must be > 0, got 0.0")
    result = posterior_on_line(u=u, v_p=v_p, sigma_p=sigma_p, sigma_u=sigma_u)
    model = result.model
    return {
        "result": result,
        "q_mean": float(q_mean),
        "q_sd": q_sd,
        "q": gm.normal_pdf(result.v, q_mean, q_sd**2),
        "F": gaussian_free_energy(q_mean, q_sd**2, model),
        "log_evidence": float(np.log(evidence_by_quadrature(model))),
        "kl": _kl_on_the_line(q_mean, q_sd, result),
    }


def _kl_on_the_line(q_mean: float, q_sd: float, result) -> float:
    """:func:`kl_to_grid_posterior` for :func:`free_energy_bound`, whose caller gave the
    model's values, not a grid result: a q the line grid cannot hold is told in their names."""
    try:
        return kl_to_grid_posterior(q_mean, q_sd**2, result)
    except ValueError:
        raise ValueError(
            "q_mean, q_sd, u, v_p, sigma_p, sigma_u: q puts mass where the posterior on "
            f"the line grid [{result.v[0]:g}, {result.v[-1]:g}] is 0; choose a q or a "
            "model whose posterior the grid holds"
        ) from None


@experiment(
    "bogacz-ex1",
    params={"u": 2.0, "v_p": 3.0, "sigma_p": 1.0, "sigma_u": 1.0},
    description="Bogacz (2017) Exercise 1: exact posterior on the grid 0.01..5",
)
def _bogacz_ex1(seed, u, v_p, sigma_p, sigma_u):
    r = posterior_on_grid(u=u, v_p=v_p, sigma_p=sigma_p, sigma_u=sigma_u)
    metrics = {
        "map_phi": r.map_phi,
        "grid_mode": r.grid_mode,
        "posterior_mean": r.mean,
        "posterior_sd": r.sd,
        "evidence": r.evidence,
    }
    default = (u, v_p, sigma_p, sigma_u) == (2.0, 3.0, 1.0, 1.0)
    reference = {
        "map_phi": 1.567468 if default else r.map_phi,
        "grid_mode": 1.57 if default else None,
        "posterior_mean": 1.485 if default else None,
        "posterior_sd": 0.328 if default else None,
        "evidence": evidence_by_quadrature(r.model),
    }
    return metrics, reference
