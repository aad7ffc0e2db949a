"""Answer checks for chapter 0, Bayes' rule in pictures."""

from __future__ import annotations

import numpy as np

from pcbook.bayes import closed_form_posterior, grid_posterior
from pcbook.check._verdict import answer_check, correct, wrong

__all__ = ["grid_posterior_density", "precision_weighted_posterior"]

_CASES = [(1.0, 0.0, 1.0, 0.5), (2.5, -1.0, 2.0, 0.25), (-0.5, 1.0, 0.3, 3.0)]


@answer_check("ex-bayes-grid")
def grid_posterior_density(func):
    """Check ``func(v, u, mu_p, sigma_p, sigma_u)`` returns the normalised posterior on the grid ``v``."""
    v = np.linspace(-8.0, 8.0, 1601)
    dv = v[1] - v[0]
    for u, mu_p, sigma_p, sigma_u in _CASES:
        answer = np.asarray(func(v, u, mu_p, sigma_p, sigma_u), dtype=float)
        expected = grid_posterior(u, mu_p, sigma_p, sigma_u, v=v).posterior
        if answer.shape != v.shape:
            return wrong(
                f"expected an array of shape {v.shape}, got {answer.shape}.",
                "return one density value per grid point.",
            )
        area = answer.sum() * dv
        if np.isclose(answer.sum(), 1.0, rtol=1e-3) and not np.isclose(
            area, 1.0, rtol=1e-3
        ):
            return wrong(
                f"your values sum to 1, so as a density they integrate to {area:.3g}, not 1.",
                "a density on a grid integrates as sum(p) * dv: divide by the sum times the grid step.",
            )
        if not np.isclose(area, 1.0, rtol=1e-3):
            return wrong(
                f"your posterior integrates to {area:.4g}, not 1.",
                "did you divide prior x likelihood by the evidence, sum(prior * likelihood) * dv?",
            )
        if not np.allclose(answer, expected, rtol=1e-4, atol=1e-8):
            return wrong(
                f"for u={u}, mu_p={mu_p}, sigma_p={sigma_p}, sigma_u={sigma_u} your posterior is "
                "normalised but has the wrong shape.",
                "the sigmas are variances: a scale parameter (scipy's scale=) needs sqrt(sigma).",
            )
    return correct(
        "your grid posterior is prior times likelihood, normalised."
    )


@answer_check("ex-bayes-precision")
def precision_weighted_posterior(func):
    """Check ``func(u, mu_p, sigma_p, sigma_u)`` returns the exact posterior ``(mean, var)``."""
    for u, mu_p, sigma_p, sigma_u in _CASES:
        answer = func(u, mu_p, sigma_p, sigma_u)
        try:
            mean, var = (float(a) for a in answer)
        except (TypeError, ValueError):
            return wrong(
                f"expected a pair (mean, variance), got {answer!r}.",
                "return mean, var",
            )
        exact = closed_form_posterior(u, mu_p, sigma_p, sigma_u)
        if np.isclose(var, sigma_p + sigma_u):
            return wrong(
                f"your variance {var:.4g} is sigma_p + sigma_u.",
                "precisions (1 / variance) add, not variances: 1/var = 1/sigma_p + 1/sigma_u.",
            )
        if not np.isclose(var, exact.var, rtol=1e-8):
            return wrong(
                f"variance {var:.4g} should be {exact.var:.4g} for sigma_p={sigma_p}, sigma_u={sigma_u}.",
                "1/var = 1/sigma_p + 1/sigma_u.",
            )
        if np.isclose(mean, 0.5 * (u + mu_p)) and not np.isclose(
            mean, exact.mean
        ):
            return wrong(
                f"your mean {mean:.4g} is the plain average of u and mu_p.",
                "weight each by its precision: mean = var * (mu_p / sigma_p + u / sigma_u).",
            )
        if not np.isclose(mean, exact.mean, rtol=1e-8, atol=1e-12):
            return wrong(
                f"mean {mean:.4g} should be {exact.mean:.4g} for u={u}, mu_p={mu_p}.",
                "mean = var * (mu_p / sigma_p + u / sigma_u).",
            )
    return correct(
        "precisions add, and the mean is the precision-weighted average."
    )
