"""Answer checks for chapter 0, Bayes' rule in pictures."""

from __future__ import annotations

import numpy as np

from pcbook.bayes import closed_form_posterior, grid_posterior, normal_pdf
from pcbook.check._verdict import (
    Verdict,
    answer_check,
    book_function_used,
    correct,
    wrong,
)

__all__ = [
    "grid_posterior_density",
    "precision_weighted_posterior",
    "sequential_posterior",
]

_CASES = [(1.0, 0.0, 1.0, 0.5), (2.5, -1.0, 2.0, 0.25), (-0.5, 1.0, 0.3, 3.0)]


# ---- 0.1 the posterior on a grid ---------------------------------------------------------------
def _normalised(density, dv):
    return density / (density.sum() * dv)


@answer_check("ex-bayes-grid")
def grid_posterior_density(func):
    """Check ``func(v, u, mu_p, sigma_p, sigma_u)``: the normalised posterior on the grid ``v``."""
    v = np.linspace(-8.0, 8.0, 1601)
    dv = v[1] - v[0]
    for u, mu_p, sigma_p, sigma_u in _CASES:
        got, used = book_function_used(
            func, (v, u, mu_p, sigma_p, sigma_u), grid_posterior
        )
        if used is not None:
            return used
        answer = np.asarray(got, dtype=float)
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
                f"your values sum to 1, so as a density they integrate to "
                f"{area:.3g}, not 1.",
                "a density on a grid integrates as sum(p) * dv: the grid "
                "step belongs in the normaliser.",
                answer="divide prior * likelihood by "
                "sum(prior * likelihood) * dv.",
            )
        if not np.isclose(area, 1.0, rtol=1e-3):
            return wrong(
                f"your posterior integrates to {area:.4g}, not 1.",
                "divide prior x likelihood by the evidence, the integral of "
                "prior x likelihood over the grid.",
                answer="posterior = prior * likelihood / "
                "(sum(prior * likelihood) * dv).",
            )
        if np.allclose(answer, expected, rtol=1e-4, atol=1e-8):
            continue
        prior = normal_pdf(v, mu_p, sigma_p)
        likelihood = normal_pdf(v, u, sigma_u)
        as_sd = normal_pdf(v, mu_p, sigma_p**2) * normal_pdf(v, u, sigma_u**2)
        where = f"for u={u}, mu_p={mu_p}, sigma_p={sigma_p}, sigma_u={sigma_u}"
        if np.allclose(answer, _normalised(as_sd, dv), rtol=1e-4):
            return wrong(
                f"{where} your posterior is normalised but too wide or "
                "too narrow.",
                "the sigmas are variances: a scale parameter (scipy's "
                "scale=) needs sqrt(sigma).",
                answer="N(x; m, Sigma) = exp(-(x - m)^2 / (2 Sigma)) / "
                "sqrt(2 pi Sigma).",
            )
        for part, alone in (("prior", prior), ("likelihood", likelihood)):
            if np.allclose(answer, _normalised(alone, dv), rtol=1e-4):
                return wrong(
                    f"{where} your posterior is the {part} alone, normalised.",
                    "the posterior is the product of prior and likelihood.",
                )
        return wrong(
            f"{where} your posterior is normalised but has the wrong shape.",
            "plot yours against prior x likelihood: is each factor "
            "centred and scaled as in eq-bayes-normal?",
            answer="prior N(v; mu_p, sigma_p), likelihood N(u; v, sigma_u), "
            "posterior = prior * likelihood / (sum(prior * likelihood) * dv).",
        )
    return correct(
        "your grid posterior is prior times likelihood, normalised."
    )


# ---- 0.2 precision-weighted averaging ----------------------------------------------------------
def _pair(answer):
    """(mean, var) as floats, or None if ``answer`` is not a pair of numbers."""
    try:
        mean, var = (float(a) for a in answer)
    except (TypeError, ValueError):
        return None
    return mean, var


def _not_a_pair(answer) -> Verdict:
    return wrong(
        f"expected a pair (mean, variance), got {answer!r}.",
        "return mean, var",
    )


@answer_check("ex-bayes-precision")
def precision_weighted_posterior(func):
    """Check ``func(u, mu_p, sigma_p, sigma_u)`` returns the exact posterior ``(mean, var)``."""
    for u, mu_p, sigma_p, sigma_u in _CASES:
        answer, used = book_function_used(
            func, (u, mu_p, sigma_p, sigma_u), closed_form_posterior
        )
        if used is not None:
            return used
        pair = _pair(answer)
        if pair is None:
            return _not_a_pair(answer)
        mean, var = pair
        exact = closed_form_posterior(u, mu_p, sigma_p, sigma_u)
        if np.isclose(var, sigma_p + sigma_u):
            return wrong(
                f"your variance {var:.4g} is sigma_p + sigma_u: two sources "
                "of information made you less certain.",
                "precisions (1 / variance) add, not variances.",
                answer="1/var = 1/sigma_p + 1/sigma_u.",
            )
        if np.isclose(var, 0.5 * (sigma_p + sigma_u)) or np.isclose(
            var, sigma_p * sigma_u
        ):
            return wrong(
                f"your variance {var:.4g} should be {exact.var:.4g} for "
                f"sigma_p={sigma_p}, sigma_u={sigma_u}.",
                "the posterior is narrower than both the prior and the "
                "likelihood: add what adds, the precisions.",
                answer="1/var = 1/sigma_p + 1/sigma_u.",
            )
        if not np.isclose(var, exact.var, rtol=1e-8):
            return wrong(
                f"variance {var:.4g} should be {exact.var:.4g} for "
                f"sigma_p={sigma_p}, sigma_u={sigma_u}.",
                "write the precision 1/var first, then invert it.",
                answer="1/var = 1/sigma_p + 1/sigma_u.",
            )
        swapped = var * (mu_p / sigma_u + u / sigma_p)
        if np.isclose(mean, 0.5 * (u + mu_p)) and not np.isclose(
            mean, exact.mean
        ):
            return wrong(
                f"your mean {mean:.4g} is the plain average of u and mu_p.",
                "weight each by its precision: the surer source counts more.",
                answer="mean = var * (mu_p / sigma_p + u / sigma_u).",
            )
        if np.isclose(mean, swapped) and not np.isclose(mean, exact.mean):
            return wrong(
                f"your mean {mean:.4g} gives u the prior's weight and mu_p "
                "the observation's.",
                "each value is weighted by its own precision: u by "
                "1/sigma_u, mu_p by 1/sigma_p.",
                answer="mean = var * (mu_p / sigma_p + u / sigma_u).",
            )
        if not np.isclose(mean, exact.mean, rtol=1e-8, atol=1e-12):
            return wrong(
                f"mean {mean:.4g} should be {exact.mean:.4g} for u={u}, "
                f"mu_p={mu_p}.",
                "the weights of u and mu_p must add up to 1.",
                answer="mean = var * (mu_p / sigma_p + u / sigma_u).",
            )
    return correct(
        "precisions add, and the mean is the precision-weighted average."
    )


# ---- 0.4 one observation after another ---------------------------------------------------------
_SEQUENCES = [
    ([1.0], 0.0, 1.0, 0.5),
    ([1.0, 2.0, 0.5], 0.0, 1.0, 0.5),
    ([2.0, -1.0, 0.5, 3.0, 1.5], 1.0, 0.3, 2.0),
]


def _batch(us, mu_p, sigma_p, sigma_u):
    """Exact posterior after all of ``us``: precisions add once per observation."""
    var = 1.0 / (1.0 / sigma_p + len(us) / sigma_u)
    return var * (mu_p / sigma_p + np.sum(us) / sigma_u), var


@answer_check("ex-bayes-sequential")
def sequential_posterior(func):
    """Check ``func(us, mu_p, sigma_p, sigma_u)`` returns the posterior ``(mean, var)`` after all of ``us``."""
    for us, mu_p, sigma_p, sigma_u in _SEQUENCES:
        answer = func(list(us), mu_p, sigma_p, sigma_u)
        pair = _pair(answer)
        if pair is None:
            return _not_a_pair(answer)
        mean, var = pair
        want_mean, want_var = _batch(us, mu_p, sigma_p, sigma_u)
        if np.isclose(mean, want_mean, rtol=1e-8, atol=1e-12) and np.isclose(
            var, want_var, rtol=1e-8
        ):
            continue
        n, where = len(us), f"for {len(us)} observations {us}"
        last = closed_form_posterior(us[-1], mu_p, sigma_p, sigma_u)
        one = closed_form_posterior(np.mean(us), mu_p, sigma_p, sigma_u)
        each = [closed_form_posterior(x, mu_p, sigma_p, sigma_u) for x in us]
        if np.isclose(mean, last.mean) and np.isclose(var, last.var):
            return wrong(
                f"{where} your posterior uses only the last one.",
                "after each observation the posterior becomes the prior "
                "for the next one: carry it through the loop.",
                answer="mean, var = mu_p, sigma_p; for each u: "
                "mean, var = the 0.2 update of (u, mean, var, sigma_u).",
            )
        if np.isclose(var, one.var) and np.isclose(mean, one.mean):
            return wrong(
                f"{where} you combined their average with the prior as if "
                "it were one observation of variance sigma_u.",
                f"the average of {n} independent observations is surer "
                f"than one: its variance is sigma_u / {n}.",
                answer="1/var = 1/sigma_p + n/sigma_u, "
                "mean = var * (mu_p/sigma_p + sum(us)/sigma_u).",
            )
        if n > 1 and np.isclose(mean, np.mean([p.mean for p in each])):
            return wrong(
                f"{where} your mean is the average of the posteriors of "
                "each observation taken alone, each with the original prior.",
                "the prior of observation k is the posterior after the "
                "first k - 1, not the original prior.",
                answer="mean, var = mu_p, sigma_p; for each u: "
                "mean, var = the 0.2 update of (u, mean, var, sigma_u).",
            )
        if not np.isclose(var, want_var, rtol=1e-8):
            return wrong(
                f"{where} your variance is {var:.4g}, the posterior's is "
                f"{want_var:.4g}.",
                "each observation adds its precision 1/sigma_u once.",
                answer="1/var = 1/sigma_p + n/sigma_u.",
            )
        return wrong(
            f"{where} your variance is right but your mean is {mean:.4g}, "
            f"the posterior's is {want_mean:.4g}.",
            "in each update, the prior mean is the previous posterior mean.",
            answer="mean = var * (mu_p/sigma_p + sum(us)/sigma_u).",
        )
    return correct(
        "one observation at a time gives the same posterior as all at once."
    )
