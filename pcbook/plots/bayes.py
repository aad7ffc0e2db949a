"""Figures of chapter 0, Bayes' rule in pictures."""

from __future__ import annotations

from pcbook.bayes import GridPosterior, normal_pdf
from pcbook.plotting import get_ax
from pcbook.validate import check_bool, check_instance

__all__ = [
    "plot_grid_posterior",
]


def plot_grid_posterior(result, ax=None, show_exact: bool = True):
    """Prior, likelihood (as a function of v) and posterior of a :class:`pcbook.bayes.GridPosterior`.

    The likelihood is rescaled to unit area so that the three curves share one axis; the
    exact posterior is overlaid as dots when ``show_exact``.
    """
    check_instance("result", result, GridPosterior)
    show_exact = check_bool("show_exact", show_exact)
    ax = get_ax(ax)
    v = result.v
    dv = v[1] - v[0]
    ax.plot(v, result.prior, label="prior $p(v)$")
    ax.plot(
        v,
        result.likelihood / (result.likelihood.sum() * dv),
        label=r"likelihood $p(u\mid v)$ (scaled)",
    )
    ax.plot(
        v, result.posterior, label=r"posterior $p(v\mid u)$", color="black"
    )
    if show_exact:
        step = max(1, len(v) // 40)
        ax.plot(
            v[::step],
            normal_pdf(v[::step], result.exact.mean, result.exact.var),
            "o",
            ms=3,
            color="#D55E00",
            label="closed form",
        )
    ax.set_xlabel("hidden cause $v$")
    ax.set_ylabel("density")
    ax.set_xlim(-4, 5)
    ax.set_ylim(0, 1.25)  # fixed, so that slider frames compare at a glance
    ax.legend(loc="upper left", fontsize=8)
    return ax
