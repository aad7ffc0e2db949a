"""Figures of chapter 6, free-energy attractor networks. Each ``plot_*`` draws a result computed
by :mod:`pcbook.attractor` or :mod:`pcbook.continuous_bernoulli` and returns its Axes."""

from __future__ import annotations

import numpy as np

from pcbook import continuous_bernoulli as cb
from pcbook.attractor import RegimeResult, Replay, SequenceResult, TrainResult
from pcbook.plotting import (
    check_axes_array,
    check_labels,
    check_mapping,
    check_optional,
    check_panels,
    get_ax,
)
from pcbook.validate import (
    check_finite_array,
    check_instance,
    check_int,
    check_positive,
    check_real,
)

__all__ = [
    "plot_cb_densities",
    "plot_langevin",
    "plot_image",
    "plot_images",
    "plot_couplings",
    "plot_label_trace",
    "plot_training_monitor",
    "plot_window",
    "plot_frames",
    "plot_regimes",
]

_DIGIT_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00"]


def _square_side(name: str, size: int, side: int | None = None) -> int:
    """The side of the square image of ``size`` pixels (``side`` if given), or raise naming
    ``name`` (and ``side``) if ``size`` pixels do not make one."""
    side = int(round(np.sqrt(size))) if side is None else side
    if side * side != size:
        raise ValueError(
            f"{name}: {size} values do not make a square image "
            f"(side={side}: {side * side} pixels)"
        )
    return side


def _check_cell(name: str, cell) -> tuple:
    """An (evidence, beta) pair of finite numbers."""
    if isinstance(cell, (str, bytes)) or np.shape(cell) != (2,):
        raise ValueError(
            f"{name}: expected an (evidence, beta) pair, got {cell!r}"
        )
    return check_real(f"{name}[0]", cell[0]), check_real(f"{name}[1]", cell[1])


def plot_cb_densities(bs, ax=None):
    """Densities of CB(b) on [-1, 1] for each natural parameter in ``bs``, with their means L(b)."""
    bs = check_finite_array("bs", bs, ndim=1)
    ax = get_ax(ax)
    x = np.linspace(-1, 1, 401)
    for b in bs:
        (line,) = ax.plot(x, cb.density(x, b), label=f"$b = {b:g}$")
        ax.axvline(cb.langevin(b), color=line.get_color(), ls=":", lw=1.2)
    ax.set_xlabel("activation $x$")
    ax.set_ylabel("density $p(x \\mid b)$")
    ax.legend(loc="upper left", fontsize=8)
    return ax


def plot_langevin(bs, ax=None):
    """The Langevin function L(b) (the mean) and its derivative L'(b) (the variance) over ``bs``."""
    bs = check_finite_array("bs", bs, ndim=1)
    ax = get_ax(ax)
    ax.plot(bs, cb.langevin(bs), label="mean $L(b)$")
    ax.plot(bs, cb.dlangevin(bs), label="variance $L'(b)$")
    ax.plot(
        bs, np.clip(bs / 3, -1, 1), ls="--", color="gray", lw=1, label="$b/3$"
    )
    ax.axhline(0, color="black", lw=0.5)
    ax.set_xlabel("natural parameter $b$")
    ax.legend(loc="upper left", fontsize=8)
    return ax


def plot_image(
    vector, ax=None, side: int | None = None, vmax: float | None = None
):
    """One activation vector (or pattern) as a square image, red positive and blue negative."""
    vector = check_finite_array("vector", vector, ndim=1)
    side = check_optional(check_int, "side", side, 1)
    side = _square_side("vector", vector.size, side)
    vmax = check_optional(check_positive, "vmax", vmax)
    ax = get_ax(ax)
    vmax = vmax or max(np.nanmax(np.abs(vector)), 1e-12)
    ax.imshow(
        vector.reshape(side, side),
        cmap="RdBu_r",
        vmin=-vmax,
        vmax=vmax,
        interpolation="nearest",
    )
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def plot_images(vectors, axes, titles=None, vmax=None):
    """Several activation vectors on an array of axes (as many axes as vectors); returns axes."""
    vectors = check_finite_array("vectors", vectors, ndim=2)
    _square_side("vectors", vectors.shape[1])
    flat = check_axes_array("axes", axes)
    if titles is not None:
        titles = check_labels("titles", titles, min(len(vectors), len(flat)))
    vmax = check_optional(check_positive, "vmax", vmax)
    for k, ax in enumerate(flat):
        if k < len(vectors):
            plot_image(vectors[k], ax, vmax=vmax)
            if titles is not None:
                ax.set_title(titles[k], fontsize=8)
        else:
            ax.set_axis_off()
    return axes


def plot_couplings(result, axes):
    """Heat maps of J, its symmetric part and its antisymmetric part (three axes) of a
    :class:`pcbook.attractor.SequenceResult`."""
    check_instance("result", result, SequenceResult)
    check_axes_array("axes", axes, 3)
    mats = [result.train.J, result.J_sym, result.J_anti]
    names = ["$J$", "symmetric part $J^{+}$", "antisymmetric part $J^{-}$"]
    vmax = np.abs(result.train.J).max()
    for ax, mat, name in zip(np.ravel(axes), mats, names):
        im = ax.imshow(
            mat, cmap="RdBu_r", vmin=-vmax, vmax=vmax, interpolation="nearest"
        )
        ax.set_xlabel(f"{name}: from unit $j$", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    np.ravel(axes)[0].set_ylabel("to unit $i$")
    np.ravel(axes)[0].figure.colorbar(im, ax=list(np.ravel(axes)), shrink=0.8)
    return axes


def _check_replay(name: str, value):
    return check_instance(name, value, Replay)


def plot_label_trace(replays: dict, ax=None, digits=None):
    """Which pattern each free-run frame resembles most, one row per condition in ``replays``
    (a dict name -> :class:`pcbook.attractor.Replay`)."""
    from matplotlib.colors import ListedColormap

    replays = check_mapping(
        "replays", replays, _check_replay, "Replay results"
    )
    if not replays:
        raise ValueError("replays: expected at least one condition, got {}")
    if digits is not None:
        digits = check_labels("digits", digits, 1)
        if len(digits) > len(_DIGIT_COLORS):
            raise ValueError(
                f"digits: at most {len(_DIGIT_COLORS)} digits have a colour, got {digits!r}"
            )
    ax = get_ax(ax)
    names = list(replays)
    rows = np.array([replays[n].labels for n in names])
    k = int(rows.max()) + 1 if digits is None else len(digits)
    ax.imshow(
        rows,
        aspect="auto",
        interpolation="nearest",
        cmap=ListedColormap(_DIGIT_COLORS[:k]),
        vmin=-0.5,
        vmax=k - 0.5,
    )
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(names, fontsize=8)
    ax.set_xlabel("free-running step")
    labels = digits if digits is not None else range(k)
    for j, d in enumerate(labels):
        ax.plot([], [], "s", color=_DIGIT_COLORS[j], label=f"{d}")
    ax.legend(
        title="closest digit",
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=8,
    )
    return ax


def plot_training_monitor(train, ax=None, window: int = 50):
    """Accuracy, complexity and VFE of a monitored :class:`pcbook.attractor.TrainResult`, smoothed
    by a moving average over ``window`` steps."""
    check_instance("train", train, TrainResult)
    if train.vfe.size == 0:
        raise ValueError(
            "train: was run without monitor=True, there is nothing to plot"
        )
    window = check_int("window", window, 1, train.vfe.size)
    ax = get_ax(ax)
    kernel = np.ones(window) / window
    t = np.arange(window, len(train.vfe) + 1)
    for name, series in [
        ("$-$accuracy", -train.accuracy),
        ("complexity", train.complexity),
    ]:
        ax.plot(t, np.convolve(series, kernel, mode="valid"), label=name)
    ax.plot(
        t,
        np.convolve(train.vfe, kernel, mode="valid"),
        "k--",
        lw=1.2,
        label="VFE",
    )
    ax.set_xlabel("training step")
    ax.set_ylabel(f"moving average ({window} steps)")
    ax.legend(fontsize=8)
    return ax


def plot_window(result, axes):
    """For the training-window slider: the free run's label trace (left) and the attractors of
    the symmetric part next to each other (right) of a :class:`pcbook.attractor.SequenceResult`."""
    check_instance("result", result, SequenceResult)
    ax_trace, ax_att = check_axes_array("axes", axes, 2)[:2]
    rep = result.replay
    ax_trace.step(
        np.arange(len(rep.labels)),
        np.array(result.params.digits)[rep.labels],
        where="mid",
    )
    ax_trace.set_yticks(result.params.digits)
    ax_trace.set_ylim(
        min(result.params.digits) - 0.5, max(result.params.digits) + 0.5
    )
    ax_trace.set_xlim(
        -0.5, len(rep.labels) - 0.5
    )  # the same axes in every slider frame
    ax_trace.set_xlabel("free-running step")
    ax_trace.set_ylabel("closest digit")
    ax_trace.text(
        0.02,
        1.02,
        f"{rep.transitions} transitions, {100 * rep.forward_fraction:.0f}% forward",
        transform=ax_trace.transAxes,
        fontsize=9,
    )
    k = len(result.attractors)
    strip = np.full((8, 9 * k - 1), np.nan)
    for j, a in enumerate(result.attractors):
        strip[:, 9 * j : 9 * j + 8] = a.reshape(8, 8)
    ax_att.imshow(
        strip, cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest"
    )
    ax_att.set_xticks([])
    ax_att.set_yticks([])
    ax_att.set_xlabel(
        f"attractors of $J^{{+}}$ ({result.n_attractors} distinct)"
    )
    return axes


def plot_frames(states, titles=None, ax=None, ncols: int = 10, side: int = 8):
    """Frames of a run (rows of ``states``) tiled into one image, ``ncols`` per row, with a short
    title above each tile (red positive, blue negative activations)."""
    states = check_finite_array("states", states, ndim=2)
    n = len(states)
    if titles is not None:
        titles = check_labels("titles", titles, n)
    ncols = check_panels("ncols", ncols)
    side = _square_side("states", states.shape[1], check_int("side", side, 1))
    ax = get_ax(ax)
    nrows = int(np.ceil(n / ncols))
    gap = side + 3  # rows of each tile band: title space + image
    mosaic = np.full((nrows * gap, ncols * (side + 1) - 1), np.nan)
    for k, frame in enumerate(states):
        r, c = divmod(k, ncols)
        mosaic[
            r * gap + 2 : r * gap + 2 + side,
            c * (side + 1) : c * (side + 1) + side,
        ] = frame.reshape(side, side)
        if titles is not None:
            ax.text(
                c * (side + 1) + side / 2 - 0.5,
                r * gap + 0.6,
                str(titles[k]),
                ha="center",
                va="center",
                fontsize=8,
            )
    ax.imshow(mosaic, cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    return ax


def plot_regimes(result, axes, marks=None):
    """Simulation 2's four metrics over the grid of evidence levels (rows) and training inverse
    temperatures (columns) of a :class:`pcbook.attractor.RegimeResult` from
    :func:`pcbook.attractor.regime_grid`, one heat map per axis (four axes). ``marks`` maps a
    label to an (evidence, beta) cell to outline, e.g. the showcase cases."""
    check_instance("result", result, RegimeResult)
    check_axes_array("axes", axes, 4)
    marks = check_optional(check_mapping, "marks", marks, _check_cell, "cells")
    evidence, betas = np.unique(result.evidence), np.unique(result.beta)
    shape = (len(evidence), len(betas))
    panels = [
        ("retrieval $\\Delta R^2$", result.retrieval, "viridis", None),
        (
            "generalisation $\\Delta R^2$",
            result.generalisation,
            "RdBu_r",
            "centre",
        ),
        (
            "number of attractors",
            result.n_attractors.astype(float),
            "cividis",
            None,
        ),
        ("orthogonality (deg from 90)", result.orthogonality, "magma_r", None),
    ]
    fig = np.ravel(axes)[0].figure
    for ax, (title, values, cmap, centre) in zip(np.ravel(axes), panels):
        grid = np.asarray(values, dtype=float).reshape(shape)
        lim = {}
        if centre:
            v = np.nanmax(np.abs(grid))
            lim = {"vmin": -v, "vmax": v}
        im = ax.imshow(
            grid,
            origin="lower",
            aspect="auto",
            cmap=cmap,
            interpolation="nearest",
            **lim,
        )
        ax.set_facecolor("#bbbbbb")  # NaN cells (a single attractor) show grey
        fig.colorbar(im, ax=ax, shrink=0.9)
        ax.set_title(title, fontsize=9)
        ticks = np.arange(0, len(betas), 3)
        ax.set_xticks(ticks)
        ax.set_xticklabels([f"{betas[t]:.2g}" for t in ticks], fontsize=7)
        ax.set_yticks(np.arange(0, len(evidence), 3))
        ax.set_yticklabels(
            [f"{evidence[t]:g}" for t in range(0, len(evidence), 3)],
            fontsize=7,
        )
        ax.set_xlabel("training $\\beta$", fontsize=8)
        ax.set_ylabel("evidence", fontsize=8)
        for label, (ev, beta) in (marks or {}).items():
            i, j = (
                np.argmin(np.abs(evidence - ev)),
                np.argmin(np.abs(betas - beta)),
            )
            ax.add_patch(_cell_outline(j, i))
            ax.text(
                j,
                i + 0.9,
                label,
                ha="center",
                va="bottom",
                fontsize=7,
                color="black",
                bbox={"facecolor": "white", "alpha": 0.7, "pad": 1, "lw": 0},
            )
    return axes


def _cell_outline(x, y):
    from matplotlib.patches import Rectangle

    return Rectangle(
        (x - 0.5, y - 0.5), 1, 1, fill=False, edgecolor="white", lw=1.5
    )
