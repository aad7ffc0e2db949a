"""Figures for chapters 1-3 (Bogacz 2017): posterior, gradient ascent, error network, learning.

Every ``plot_*(result, ax=None)`` draws a result from :mod:`pcbook.posterior`,
:mod:`pcbook.error_units` or :mod:`pcbook.variance` and returns the Axes.
"""

from __future__ import annotations

import numbers

import numpy as np

from pcbook.error_units import Trajectory
from pcbook.plotting import (
    annotate_failure,
    check_keys,
    check_mapping,
    check_optional,
    get_ax,
    plot_density,
    plot_trajectories,
)
from pcbook.posterior import PosteriorResult
from pcbook.validate import (
    check_finite_array,
    check_instance,
    check_positive,
    check_real,
)
from pcbook.variance import FitHistory, InterneuronResult, LearningHistory

__all__ = [
    "plot_posterior",
    "plot_posterior_line",
    "plot_free_energy_bound",
    "plot_laplace",
    "plot_ascent",
    "plot_network",
    "plot_dynamics",
    "plot_eigenvalues",
    "plot_parameter_learning",
    "plot_interneuron",
    "plot_fit",
]


def plot_posterior(result, ax=None):
    """Prior, likelihood (normalised over v), exact posterior; marks sqrt(u), v_p and phi*."""
    check_instance("result", result, PosteriorResult)
    ax = get_ax(ax)
    lik = result.likelihood / max(
        np.sum(result.likelihood) * result.dv, 1e-300
    )
    plot_density(
        result.v,
        {
            "prior p(v)": result.prior,
            "likelihood p(u|v), normalised over v": lik,
            "posterior p(v|u)": result.posterior,
        },
        ax=ax,
    )
    m = result.model
    marks = [
        (np.sqrt(max(m.u, 0.0)), r"$\sqrt{u}$ (input alone)", ":"),
        (m.v_p, "$v_p$ (prior mean)", "--"),
        (result.map_phi, r"$\phi^*$ (exact mode)", "-"),
    ]
    for x, label, style in marks:
        if result.v[0] <= x <= result.v[-1]:
            ax.axvline(x, color="0.35", ls=style, lw=1, label=label)
    ax.legend(loc="upper right", fontsize=8)
    return ax


# Fixed axes of chapter 1's sliders, so that frames can be compared.
LINE_XLIM = (-2.5, 5.0)
LINE_YLIM = (0.0, 2.9)


def plot_posterior_line(result, ax=None, cut: float = 0.01):
    """:func:`plot_posterior` over the whole line, shading the sizes v < ``cut``.

    ``cut`` is the left end of Bogacz's grid (0.01); the legend gives the
    posterior mass there, the part his grid leaves out. The axes are fixed
    (:data:`LINE_XLIM`, :data:`LINE_YLIM`).
    """
    check_instance("result", result, PosteriorResult)
    cut = check_real("cut", cut)
    ax = plot_posterior(result, ax=ax)
    left = result.v < cut
    mass = float(np.sum(result.posterior[left]) * result.dv)
    ax.fill_between(
        result.v[left],
        result.posterior[left],
        color="0.6",
        alpha=0.5,
        label=f"v < {cut:g}, not on Bogacz's grid: {mass:.1%}",
    )
    ax.set_xlim(*LINE_XLIM)
    ax.set_ylim(*LINE_YLIM)
    ax.legend(loc="upper left", fontsize=7)
    return ax


_BOUND_KEYS = ("result", "q_mean", "q_sd", "q", "F", "log_evidence", "kl")


def plot_free_energy_bound(bound, ax=None):
    """The posterior and a Gaussian q, with F[q], ln p(u) and their gap KL.

    ``bound`` is the dict of :func:`pcbook.posterior.free_energy_bound`; the
    axes are fixed.
    """
    check_keys("bound", bound, _BOUND_KEYS, "the dict of free_energy_bound")
    r = check_instance("bound['result']", bound["result"], PosteriorResult)
    ax = get_ax(ax)
    label = f"q = N({bound['q_mean']:.2f}, {bound['q_sd']:.2f}$^2$)"
    plot_density(
        r.v, {"posterior p(v|u)": r.posterior, label: bound["q"]}, ax=ax
    )
    text = (
        f"F[q] = {bound['F']:.3f}\nln p(u) = {bound['log_evidence']:.3f}\n"
        f"KL(q || p) = {bound['kl']:.3f}"
    )
    ax.text(
        0.02,
        0.96,
        text,
        transform=ax.transAxes,
        va="top",
        fontsize=9,
        family="monospace",
    )
    ax.set_xlim(0.0, 3.0)
    ax.set_ylim(0.0, 4.2)
    ax.legend(loc="upper right", fontsize=8)
    return ax


def plot_laplace(result, ax=None):
    """The exact posterior against its Laplace approximation at the mode."""
    check_instance("result", result, PosteriorResult)
    ax = get_ax(ax)
    plot_density(
        result.v,
        {
            "exact posterior": result.posterior,
            f"Laplace: N($\\phi^*$, {result.laplace_sd:.3f}$^2$)": result.laplace,
        },
        ax=ax,
    )
    ax.axvline(result.mean, color="0.4", ls=":", lw=1)
    ax.axvline(result.map_phi, color="0.4", ls="-", lw=1)
    ax.set_xlim(
        max(result.v[0], result.map_phi - 5 * result.sd),
        min(result.v[-1], result.map_phi + 4 * result.sd),
    )
    return ax


def _check_traj(traj, phi_star):
    """The arguments of :func:`plot_ascent` and :func:`plot_network`, checked."""
    check_instance("traj", traj, Trajectory)
    return check_optional(check_real, "phi_star", phi_star)


def _diverged(traj, ax, what: str) -> bool:
    if not traj.diverged:
        return False
    annotate_failure(
        ax,
        f"{what} diverged at t = {traj.t_diverged:.2f}:\n"
        f"step size dt = {traj.dt:g} is past the stability limit",
    )
    ax.set_xlabel("time")
    return True


def plot_ascent(traj, ax=None, phi_star: float | None = None):
    """phi(t) of Euler gradient ascent, with the exact mode as a dashed line."""
    phi_star = _check_traj(traj, phi_star)
    ax = get_ax(ax)
    if _diverged(traj, ax, "gradient ascent"):
        return ax
    plot_trajectories(traj.t, {r"$\phi$": traj.phi}, ax=ax, ylabel=r"$\phi$")
    if phi_star is not None:
        ax.axhline(phi_star, color="0.4", ls="--", lw=1)
    return ax


def plot_network(traj, ax=None, phi_star: float | None = None):
    """phi, eps_p and eps_u of the prediction-error network over time."""
    phi_star = _check_traj(traj, phi_star)
    ax = get_ax(ax)
    if _diverged(traj, ax, "the network"):
        return ax
    plot_trajectories(
        traj.t,
        {
            r"$\phi$": traj.phi,
            r"$\varepsilon_p$": traj.eps_p,
            r"$\varepsilon_u$": traj.eps_u,
        },
        ax=ax,
        ylabel="activity",
    )
    if phi_star is not None:
        ax.axhline(phi_star, color="0.4", ls="--", lw=1)
    return ax


# Holds every stable run of chapter 2's slider (dt <= 0.11).
DYNAMICS_YLIM = (-5.0, 4.0)
_DYNAMICS_KEYS = ("ascent", "network", "phi_star", "dt_limit")


def plot_dynamics(result, ax=None):
    """One panel for the step-size slider: the network (solid) and plain gradient ascent (dashed).

    ``result`` is a dict with keys ``ascent``, ``network``, ``phi_star`` and ``dt_limit``. A run
    that blew up is reported in the figure instead of being drawn. The axes are
    fixed (:data:`DYNAMICS_YLIM`); an unstable run that grows past them is
    clipped.
    """
    check_keys(
        "result", result, _DYNAMICS_KEYS, "the dict of compare_dynamics"
    )
    net = check_instance("result['network']", result["network"], Trajectory)
    asc = check_instance("result['ascent']", result["ascent"], Trajectory)
    check_real("result['dt_limit']", result["dt_limit"])
    ax = get_ax(ax)
    if net.diverged:
        annotate_failure(
            ax,
            f"diverged: the network blew up at t = {net.t_diverged:.2f}\n"
            f"step size dt = {net.dt:g} is past the stability limit",
        )
        ax.set_xlabel("time")
        return ax
    plot_network(net, ax, result["phi_star"])
    notes = []
    if net.dt > result["dt_limit"]:
        notes.append(
            f"dt > {result['dt_limit']:.3f}: the network's fixed point is unstable"
        )
    if asc.diverged:
        notes.append(f"gradient ascent diverged at t = {asc.t_diverged:.2f}")
    else:
        ax.plot(
            asc.t,
            asc.phi,
            color="#0072B2",
            ls="--",
            lw=1.2,
            label=r"$\phi$, gradient ascent",
        )
    if notes:
        ax.text(
            0.02,
            0.03,
            "\n".join(notes),
            transform=ax.transAxes,
            fontsize=9,
            color="#B00020",
            va="bottom",
            bbox=dict(
                boxstyle="round",
                facecolor="white",
                edgecolor="none",
                alpha=0.8,
            ),
        )
    ax.legend(loc="upper right", fontsize=8)
    ax.set_xlim(0.0, 5.0)
    ax.set_ylim(*DYNAMICS_YLIM)  # fixed, so that frames can be compared
    return ax


def _check_eigenvalues(name: str, value) -> np.ndarray:
    """A 1-d array of finite numbers, complex or real (of a complex one, both parts are checked)."""
    if isinstance(value, (list, tuple)) and all(
        isinstance(v, numbers.Number) for v in value
    ):
        value = np.asarray(value)
    if isinstance(value, np.ndarray) and value.dtype.kind == "c":
        check_finite_array(name, value.real, ndim=1)
        check_finite_array(name, value.imag, ndim=1)
        return value
    return check_finite_array(name, value, ndim=1)


def _check_steps(name: str, value) -> list:
    """A sequence of step sizes > 0."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(
            f"{name}: expected a sequence of step sizes, got {type(value).__name__}"
        )
    return [check_positive(f"{name}[{i}]", dt) for i, dt in enumerate(value)]


def plot_eigenvalues(eigenvalues, ax=None, dts=()):
    """Eigenvalues in the complex plane, with the Euler stability discs |1 + dt z| < 1 for ``dts``."""
    ev = _check_eigenvalues("eigenvalues", eigenvalues)
    dts = _check_steps("dts", dts)
    ax = get_ax(ax)
    ax.axhline(0, color="0.7", lw=0.8)
    ax.axvline(0, color="0.7", lw=0.8)
    theta = np.linspace(0, 2 * np.pi, 200)
    for dt, style in zip(dts, ("--", ":", "-.")):
        ax.plot(
            (np.cos(theta) - 1) / dt,
            np.sin(theta) / dt,
            color="0.4",
            ls=style,
            lw=1,
            label=f"Euler stable for dt = {dt:g}",
        )
    ax.plot(ev.real, ev.imag, "o", color="#D55E00", ms=7, label="eigenvalues")
    ax.legend(loc="upper left", fontsize=8)
    ax.set_xlabel("real part")
    ax.set_ylabel("imaginary part")
    ax.set_aspect("equal", adjustable="datalim")
    return ax


def plot_parameter_learning(history, ax=None, truth: dict | None = None):
    """v_p, Sigma_p and Sigma_u after each stimulus (dotted lines: the values that made the data)."""
    check_instance("history", history, LearningHistory)
    truth = check_optional(
        check_mapping, "truth", truth, check_real, "numbers"
    )
    ax = get_ax(ax)
    k = np.arange(len(history.v_p))
    plot_trajectories(
        k,
        {
            "$v_p$": history.v_p,
            r"$\Sigma_p$": history.sigma_p,
            r"$\Sigma_u$": history.sigma_u,
        },
        ax=ax,
        xlabel="stimulus",
        ylabel="parameter",
    )
    for (name, value), color in zip(
        (truth or {}).items(), ("#0072B2", "#D55E00", "#009E73")
    ):
        ax.axhline(value, color=color, ls=":", lw=1)
    return ax


def plot_interneuron(result, ax=None):
    """Sigma over trials for every seed (thin) and their mean (thick); dashed: the variance of phi."""
    check_instance("result", result, InterneuronResult)
    ax = get_ax(ax)
    k = np.arange(result.sigma.shape[1])
    for row in result.sigma:
        ax.plot(k, row, color="0.75", lw=0.6)
    ax.plot(
        k,
        result.mean_sigma,
        color="#0072B2",
        lw=2,
        label=f"mean of {result.sigma.shape[0]} seeds",
    )
    ax.axhline(
        result.sigma_phi,
        color="0.3",
        ls="--",
        lw=1,
        label=r"variance of $\phi$",
    )
    ax.set_xlabel("trial")
    ax.set_ylabel(r"$\Sigma$")
    ax.legend(loc="lower right")
    return ax


def plot_fit(history, ax=None):
    """Mean F per sample and mean squared input error over the epochs of :func:`fit_hierarchy`."""
    check_instance("history", history, FitHistory)
    ax = get_ax(ax)
    ep = np.arange(len(history.free_energy))
    ax.plot(ep, history.free_energy, label="F per sample")
    ax.plot(ep, history.errors, label="mean squared error at the input")
    ax.set_xlabel("epoch")
    ax.legend()
    return ax
