"""Figures of chapter 5 (active NGC): surprise, returns, state-space paths, the epistemic ablation."""

from __future__ import annotations

import numbers

import numpy as np

from pcbook.angc import ANGCResult, SurpriseResult
from pcbook.plotting import (
    check_axes_array,
    check_indices,
    check_optional,
    get_ax,
)
from pcbook.validate import (
    check_count,
    check_finite_array,
    check_instance,
    check_int,
    check_positive,
)

__all__ = [
    "plot_surprise",
    "plot_returns",
    "plot_paths",
    "plot_ablation",
    "running_mean",
]


def _check_series(name: str, x) -> np.ndarray:
    """A 1-d float array of real numbers in which NaN marks a missing value (inf is refused)."""
    if isinstance(x, (list, tuple)) and all(
        isinstance(v, numbers.Real) for v in x
    ):
        x = np.asarray(x, float)
    probe = x
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        probe = np.where(np.isnan(x), 0.0, x)
    check_finite_array(name, probe, ndim=1, min_size=0)
    return np.asarray(x, float)


def _check_windows(name: str, windows) -> list:
    """A sequence of ``(first, end)`` step ranges with ``0 <= first < end``."""
    if isinstance(windows, (str, bytes)) or not hasattr(windows, "__iter__"):
        raise TypeError(
            f"{name}: expected a sequence of (first, end) pairs, got "
            f"{type(windows).__name__}"
        )
    pairs = []
    for i, pair in enumerate(windows):
        if (
            isinstance(pair, (str, bytes))
            or len(np.shape(pair)) != 1
            or len(pair) != 2
        ):
            raise ValueError(
                f"{name}[{i}]: expected a (first, end) pair, got {pair!r}"
            )
        a = check_int(f"{name}[{i}][0]", pair[0])
        b = check_int(f"{name}[{i}][1]", pair[1], a + 1)
        pairs.append((a, b))
    return pairs


def running_mean(x, width: int):
    """Mean of the last ``width`` values at each index (shorter at the start), ignoring NaN."""
    x = _check_series("x", x)
    width = check_count("width", width, 1)
    ok = np.isfinite(x)
    c = np.concatenate([[0.0], np.cumsum(np.where(ok, x, 0.0))])
    n = np.concatenate([[0], np.cumsum(ok)])
    idx = np.arange(1, len(x) + 1)
    lo = np.maximum(idx - width, 0)
    return (c[idx] - c[lo]) / np.maximum(n[idx] - n[lo], 1)


def plot_surprise(
    result, ax=None, width: int = 50, windows=((0, 200), (1000, 2000))
):
    """World-model surprise per step on a log scale, its running mean, and shaded comparison windows."""
    check_instance("result", result, SurpriseResult)
    width = check_count("width", width, 1)
    windows = _check_windows("windows", windows)
    ax = get_ax(ax)
    s = np.asarray(result.surprise)
    t = np.arange(len(s))
    ax.semilogy(
        t, s, lw=0.5, alpha=0.4, color="C0", label="surprise of each step"
    )
    ax.semilogy(
        t,
        running_mean(s, width),
        color="C0",
        lw=2,
        label=f"mean of last {width} steps",
    )
    for (a, b), c in zip(windows, ("C3", "C2")):
        ax.axvspan(a, min(b, len(s)), color=c, alpha=0.12)
        ax.hlines(
            s[a:b].mean(),
            a,
            min(b, len(s)),
            color=c,
            lw=2,
            label=f"mean over steps {a}-{b - 1}",
        )
    ax.set_xlabel("environment step (random play)")
    ax.set_ylabel("settled world-model error")
    ax.legend(fontsize=8)
    return ax


def plot_returns(result, ax=None, agents=None, width: int = 10):
    """Return per episode (dots) and its running mean (line) for the chosen agents."""
    check_instance("result", result, ANGCResult)
    n = len(result.seeds)
    agents = (
        range(n)
        if agents is None
        else check_indices("agents", agents, 0, n - 1)
    )
    width = check_count("width", width, 1)
    ax = get_ax(ax)
    for k, i in enumerate(agents):
        r = result.returns[i]
        ep = np.arange(len(r))
        label = (
            f"seed {result.seeds[i]}, epistemic weight {result.alpha_e[i]:g}"
        )
        ax.plot(ep, r, ".", ms=3, color=f"C{k}", alpha=0.5)
        ax.plot(ep, running_mean(r, width), color=f"C{k}", label=label)
    ax.set_xlabel("episode")
    ax.set_ylabel("return")
    ax.legend(fontsize=8)
    return ax


def plot_paths(
    result, agent: int = 0, episodes=(0, -1), axes=None, vmin=None, vmax=None
):
    """The car's path in (position, velocity) for two episodes, coloured by surprise (log scale)."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    check_instance("result", result, ANGCResult)
    agent = check_int("agent", agent, 0, len(result.seeds) - 1)
    n_ep = result.returns.shape[1]
    episodes = check_indices("episodes", episodes, -n_ep, n_ep - 1)
    vmin = check_optional(check_positive, "vmin", vmin)
    vmax = check_optional(check_positive, "vmax", vmax)
    if axes is None:
        _, axes = plt.subplots(
            1, len(episodes), figsize=(4.2 * len(episodes), 3.4), sharey=True
        )
    else:
        check_axes_array("axes", axes, len(episodes))
    axes = np.atleast_1d(axes)
    sel = [(e % n_ep, result.episode[agent] == e % n_ep) for e in episodes]
    s_all = np.concatenate([result.surprise[agent][m] for _, m in sel])
    s_all = s_all[np.isfinite(s_all) & (s_all > 0)]
    norm = LogNorm(
        vmin=vmin or np.percentile(s_all, 2),
        vmax=vmax or np.percentile(s_all, 98),
    )
    for ax, (e, m) in zip(axes, sel):
        o, s = result.obs[agent][m], result.surprise[agent][m]
        ax.plot(o[:, 0], o[:, 1], color="0.8", lw=0.8, zorder=0)
        sc = ax.scatter(
            o[:, 0],
            o[:, 1],
            c=np.clip(np.nan_to_num(s, nan=norm.vmin), norm.vmin, None),
            norm=norm,
            cmap="viridis",
            s=8,
        )
        ax.axvline(0.5, color="C3", ls="--", lw=1)
        ax.set_xlabel(
            f"position (episode {e}, {'flag reached' if result.success[agent, e] else 'no flag'})"
        )
    axes[0].set_ylabel("velocity")
    plt.colorbar(sc, ax=list(axes), label="surprise")
    return axes


def plot_ablation(result, ax=None, n_episodes=None):
    """First success episode per seed, epistemic term on vs off (lines join runs with the same seed)."""
    check_instance("result", result, ANGCResult)
    n_episodes = check_optional(check_count, "n_episodes", n_episodes, 1)
    ax = get_ax(ax)
    n_ep = result.returns.shape[1] if n_episodes is None else n_episodes
    first = np.where(result.first_success < 0, n_ep, result.first_success)
    on = result.alpha_e > 0
    for seed in np.unique(result.seeds):
        a, b = (
            first[(result.seeds == seed) & ~on],
            first[(result.seeds == seed) & on],
        )
        if len(a) and len(b):
            ax.plot([0, 1], [a[0], b[0]], color="0.6", lw=1, zorder=0)
    for k, (mask, name) in enumerate([(~on, "off"), (on, "on")]):
        ax.scatter(
            np.full(mask.sum(), k), first[mask], color=f"C{k}", zorder=2
        )
        ax.hlines(
            np.median(first[mask]), k - 0.15, k + 0.15, color=f"C{k}", lw=2
        )
    ax.axhline(n_ep, color="0.3", ls=":", lw=1)
    ax.text(0.5, n_ep, "never", ha="center", va="bottom", fontsize=8)
    ax.set_xticks([0, 1], ["epistemic term off", "epistemic term on"])
    ax.set_xlim(-0.5, 1.5)
    ax.set_ylabel("first episode reaching the flag")
    return ax
