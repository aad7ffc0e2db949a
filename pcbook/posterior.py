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
from scipy import integrate

from pcbook import gaussian_model as gm
from pcbook.reproduce import experiment
from pcbook.validate import check_finite_array, check_positive, check_range

__all__ = ["PosteriorResult", "make_grid", "posterior_on_grid", "laplace_approximation",
           "evidence_by_quadrature", "total_variation"]


@dataclass(frozen=True)
class PosteriorResult:
    """The exact posterior on a grid and its summaries (all densities are over ``v``)."""

    model: gm.GaussianModel
    v: NDArray[np.float64]           # grid of sizes, uniform spacing dv
    prior: NDArray[np.float64]       # p(v)
    likelihood: NDArray[np.float64]  # p(u | v) as a function of v
    posterior: NDArray[np.float64]   # p(v | u), integrates to 1 on the grid
    evidence: float                  # p(u) = sum p(v) p(u | v) dv
    grid_mode: float                 # grid point with the largest posterior
    mean: float                      # posterior mean
    sd: float                        # posterior standard deviation
    map_phi: float                   # exact mode phi* from the cubic
    laplace: NDArray[np.float64]     # Laplace approximation N(v; phi*, -1/F''(phi*)) on the grid
    laplace_sd: float                # its standard deviation

    @property
    def dv(self) -> float:
        return float(self.v[1] - self.v[0])


def make_grid(low: float = 0.01, high: float = 5.0, step: float = 0.01) -> NDArray[np.float64]:
    """The uniform grid low, low + step, ..., high (inclusive), as in Bogacz's v = 0.01:0.01:5."""
    low = check_range("low", low, -np.inf, np.inf)
    high = check_range("high", high, -np.inf, np.inf)
    step = check_positive("step", step)
    n = int(round((high - low) / step))
    if n < 1:
        raise ValueError(f"high: the grid [{low}, {high}] with step {step} has fewer than 2 points")
    return low + step * np.arange(n + 1)


def posterior_on_grid(u: float = 2.0, v_p: float = 3.0, sigma_p: float = 1.0, sigma_u: float = 1.0,
                      v=None) -> PosteriorResult:
    """The exact posterior p(v | u) on a grid, normalised by the evidence.

    Implements {eq}`eq-posterior-bayes` and {eq}`eq-posterior-evidence`, i.e. Bogacz (2017)
    Eqs. (4)-(5) and the solution of Exercise 1.

    Parameters
    ----------
    u : float
        Observed input u.
    v_p, sigma_p : float
        Prior mean and prior **variance** Sigma_p (> 0).
    sigma_u : float
        Sensory noise **variance** Sigma_u (> 0).
    v : array_like, optional
        Uniform grid of at least 2 points; default :func:`make_grid` (0.01..5 in steps of 0.01).

    Returns
    -------
    PosteriorResult

    Notes
    -----
    .. math:: p(v \\mid u) = \\frac{p(v)\\,p(u \\mid v)}{\\sum_v p(v)\\,p(u \\mid v)\\,\\Delta v}

    Examples
    --------
    >>> r = posterior_on_grid()
    >>> round(r.grid_mode, 2), round(r.map_phi, 6)
    (1.57, 1.567468)
    """
    model = gm.make_model(u=u, v_p=v_p, sigma_p=sigma_p, sigma_u=sigma_u)
    v = make_grid() if v is None else check_finite_array("v", v, ndim=1, min_size=2)
    dv = np.diff(v)
    if np.any(dv <= 0) or not np.allclose(dv, dv[0], rtol=1e-6, atol=0):
        raise ValueError("v: the grid must be increasing with uniform spacing")
    dv = float(dv[0])
    prior = gm.normal_pdf(v, model.v_p, model.sigma_p)
    likelihood = gm.normal_pdf(model.u, gm.g(v), model.sigma_u)
    joint = prior * likelihood
    evidence = float(np.sum(joint) * dv)
    if not evidence > 0:
        raise ValueError("v: prior x likelihood underflows to 0 everywhere on this grid; "
                         "widen the grid or the variances")
    post = joint / evidence
    mean = float(np.sum(v * post) * dv)
    sd = float(np.sqrt(np.sum((v - mean) ** 2 * post) * dv))
    phi, lap_sd = laplace_approximation(model)
    return PosteriorResult(model, v, prior, likelihood, post, evidence, float(v[np.argmax(post)]), mean,
                           sd, phi, gm.normal_pdf(v, phi, lap_sd ** 2), lap_sd)


def laplace_approximation(model: gm.GaussianModel) -> tuple[float, float]:
    """Mean and standard deviation of the Laplace (Gaussian) approximation at the mode.

    Implements {eq}`eq-posterior-laplace`: mean phi* (the exact MAP, {eq}`eq-posterior-cubic`),
    variance -1 / F''(phi*) with F'' = -1/Sigma_p + (2u - 6 phi*^2)/Sigma_u. It is not in Bogacz (2017);
    the book uses it to measure how far the exact posterior of his Exercise 1 is from a Gaussian.
    """
    phi = gm.map_estimate(model)
    curvature = gm.d2F_dphi2(phi, model)
    return phi, float(np.sqrt(-1.0 / curvature))


def evidence_by_quadrature(model: gm.GaussianModel) -> float:
    """p(u) = integral over the whole real line of p(v) p(u | v) dv, by adaptive quadrature.

    An independent check of the grid sum in {eq}`eq-posterior-evidence` (the grid covers only
    0.01..5; the rest of the line, including negative sizes, carries almost no mass here).
    """
    def joint(v):
        return gm.normal_pdf(v, model.v_p, model.sigma_p) * gm.normal_pdf(model.u, v * v, model.sigma_u)

    points = sorted({model.v_p, *gm.stationary_points(model)})
    lo, hi = min(points) - 12 * np.sqrt(model.sigma_p) - 3, max(points) + 12 * np.sqrt(model.sigma_p) + 3
    value, _ = integrate.quad(joint, lo, hi, points=points, limit=400, epsabs=1e-14, epsrel=1e-11)
    return float(value)


def total_variation(p, q, dv: float) -> float:
    """Total-variation distance 1/2 sum |p - q| dv between two densities on the same grid."""
    return float(0.5 * np.sum(np.abs(np.asarray(p) - np.asarray(q))) * dv)


@experiment("bogacz-ex1", params={"u": 2.0, "v_p": 3.0, "sigma_p": 1.0, "sigma_u": 1.0},
            description="Bogacz (2017) Exercise 1: exact posterior on the grid 0.01..5")
def _bogacz_ex1(seed, u, v_p, sigma_p, sigma_u):
    r = posterior_on_grid(u=u, v_p=v_p, sigma_p=sigma_p, sigma_u=sigma_u)
    metrics = {"map_phi": r.map_phi, "grid_mode": r.grid_mode, "posterior_mean": r.mean,
               "posterior_sd": r.sd, "evidence": r.evidence}
    default = (u, v_p, sigma_p, sigma_u) == (2.0, 3.0, 1.0, 1.0)
    reference = {"map_phi": 1.567468 if default else r.map_phi,
                 "grid_mode": 1.57 if default else None,
                 "posterior_mean": 1.485 if default else None,
                 "posterior_sd": 0.328 if default else None,
                 "evidence": evidence_by_quadrature(r.model)}
    return metrics, reference
