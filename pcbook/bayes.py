"""Bayes' rule in pictures: a Gaussian prior times a Gaussian likelihood (the book's chapter 0).

Notation (variances, not standard deviations, as in Bogacz 2017):

* prior over the hidden cause ``v``: ``p(v) = N(v; mu_p, sigma_p)``
* likelihood of the observation ``u``: ``p(u | v) = N(u; v, sigma_u)``
* posterior: ``p(v | u) = N(v; mu_post, sigma_post)`` with precisions adding up,
  ``1 / sigma_post = 1 / sigma_p + 1 / sigma_u`` and
  ``mu_post = sigma_post * (mu_p / sigma_p + u / sigma_u)`` (eq-bayes-posterior).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pcbook.reproduce import experiment
from pcbook.gaussian_model import VALUE_BOUND, VARIANCE_RANGE
from pcbook.validate import (
    check_finite,
    check_finite_array,
    check_positive,
    check_range,
    record,
)

__all__ = [
    "normal_pdf",
    "GaussianPosterior",
    "closed_form_posterior",
    "grid_posterior",
    "grid_moments",
]


def normal_pdf(x, mean: float, var: float) -> np.ndarray:
    """Density of N(mean, var) at ``x``; ``var`` is a variance (eq-bayes-normal)."""
    var = check_positive("var", var)
    x, mean = check_finite("x", x), check_finite("mean", mean)
    try:
        np.broadcast_shapes(np.shape(x), np.shape(mean))
    except ValueError:
        raise ValueError(
            f"mean: shape {np.shape(mean)} does not broadcast with x's "
            f"{np.shape(x)}"
        ) from None
    return np.exp(-0.5 * (x - mean) ** 2 / var) / np.sqrt(2.0 * np.pi * var)


@record
@dataclass(frozen=True)
class GaussianPosterior:
    """Mean and variance of a Gaussian posterior."""

    mean: float
    var: float


def closed_form_posterior(
    u: float, mu_p: float, sigma_p: float, sigma_u: float
) -> GaussianPosterior:
    """The exact posterior of the conjugate Gaussian model.

    Implements eq-bayes-posterior of the book: precisions add, and the
    posterior mean is the
    precision-weighted average of the prior mean and the observation.

    Parameters
    ----------
    u : float
        The observation.
    mu_p, sigma_p : float
        Prior mean and prior variance (> 0).
    sigma_u : float
        Sensory (likelihood) variance (> 0).
    """
    u = check_range("u", u, -VALUE_BOUND, VALUE_BOUND)
    mu_p = check_range("mu_p", mu_p, -VALUE_BOUND, VALUE_BOUND)
    sigma_p = check_range("sigma_p", sigma_p, *VARIANCE_RANGE)
    sigma_u = check_range("sigma_u", sigma_u, *VARIANCE_RANGE)
    var = 1.0 / (1.0 / sigma_p + 1.0 / sigma_u)
    return GaussianPosterior(
        mean=var * (mu_p / sigma_p + u / sigma_u), var=var
    )


@dataclass(frozen=True)
class GridPosterior:
    """Prior, likelihood and normalised posterior evaluated on the grid ``v``."""

    v: np.ndarray
    prior: np.ndarray
    likelihood: np.ndarray
    posterior: np.ndarray
    evidence: float
    exact: GaussianPosterior


def grid_posterior(
    u: float = 1.0,
    mu_p: float = 0.0,
    sigma_p: float = 1.0,
    sigma_u: float = 1.0,
    v=None,
) -> GridPosterior:
    """Prior x likelihood on a grid, divided by its Riemann sum (eq-bayes-grid).

    The normaliser ``p(u) = sum_i p(v_i) p(u | v_i) dv`` is the evidence; it is what the grid
    makes easy here and what the brain cannot compute for realistic models.

    Parameters
    ----------
    u, mu_p, sigma_p, sigma_u : float
        As in :func:`closed_form_posterior`.
    v : array_like, optional
        An evenly spaced grid (at least 3 points); default 2001 points over mu_p +/- 6 sd
        widened to include ``u``.
    """
    exact = closed_form_posterior(u, mu_p, sigma_p, sigma_u)
    if v is None:
        half = 6.0 * np.sqrt(max(sigma_p, sigma_u))
        v = np.linspace(min(mu_p, u) - half, max(mu_p, u) + half, 2001)
    v = check_finite_array("v", v, ndim=1, min_size=3)
    dv = np.diff(v)
    if not np.allclose(dv, dv[0], rtol=1e-6) or dv[0] <= 0:
        raise ValueError("v: the grid must be increasing and evenly spaced")
    prior = normal_pdf(v, mu_p, sigma_p)
    likelihood = normal_pdf(u, v, sigma_u)
    joint = prior * likelihood
    evidence = float(joint.sum() * dv[0])
    if evidence <= 0:
        raise ValueError(
            "u, mu_p, sigma_p, sigma_u, v: prior x likelihood underflows to 0 "
            "everywhere on the grid v (u is too far from the prior for its "
            "variances); widen the grid or the variances"
        )
    return GridPosterior(
        v, prior, likelihood, joint / evidence, evidence, exact
    )


def grid_moments(v, density) -> GaussianPosterior:
    """Mean and variance of a density tabulated on an evenly spaced grid (Riemann sums)."""
    v = check_finite_array("v", v, ndim=1, min_size=3)
    density = check_finite_array("density", density, ndim=1, min_size=3)
    if density.shape != v.shape:
        raise ValueError(
            f"density: shape {density.shape} does not match v {v.shape}"
        )
    if np.any(density < 0):
        raise ValueError("density: must be >= 0 everywhere")
    dv = v[1] - v[0]
    with np.errstate(all="ignore"):
        mass = density.sum() * dv
        mean = float((v * density).sum() * dv / mass)
        var = float(((v - mean) ** 2 * density).sum() * dv / mass)
    if not (mass > 0 and np.isfinite(mass) and np.isfinite(var)):
        raise ValueError(
            "v, density: the moments are not finite (a zero, huge or "
            "unevenly spaced tabulation)"
        )
    return GaussianPosterior(mean, var)


@experiment(
    "bayes-gaussian",
    params={"u": 1.0, "mu_p": 0.0, "sigma_p": 1.0, "sigma_u": 0.5},
    description="conjugate Gaussian posterior on a grid vs the closed form (chapter 0)",
)
def _bayes_gaussian(seed, u, mu_p, sigma_p, sigma_u):
    result = grid_posterior(u=u, mu_p=mu_p, sigma_p=sigma_p, sigma_u=sigma_u)
    moments = grid_moments(result.v, result.posterior)
    exact = result.exact
    evidence = float(normal_pdf(u, mu_p, sigma_p + sigma_u))
    metrics = {
        "posterior_mean": moments.mean,
        "posterior_var": moments.var,
        "evidence": result.evidence,
    }
    reference = {
        "posterior_mean": exact.mean,
        "posterior_var": exact.var,
        "evidence": evidence,
    }
    return metrics, reference
