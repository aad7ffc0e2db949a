"""Figures of chapter 7 (self-organising maps learn motor primitives).

Colours follow Annabi's notebook: a prototype is drawn in magenta, the agent's drawing in cyan,
and where both have ink the pixel is blue.
"""

from __future__ import annotations

import numpy as np

from pcbook.plotting import (
    check_axes_array,
    check_indices,
    check_keys,
    check_optional,
    check_panels,
    get_ax,
)
from pcbook.som import History, Movement, Repertoire
from pcbook.validate import check_finite_array, check_instance, check_int

__all__ = [
    "overlay",
    "repertoire_mosaic",
    "plot_schedules",
    "plot_learning_curves",
    "plot_repertoire",
    "plot_ring",
    "plot_snapshot",
    "plot_movement",
    "plot_reservoir_spread",
]


def _check_pair(prototypes, images):
    """Two stacks of finite numbers (arrays of >= 2 dimensions) with as many items and as many
    values per item, or raise naming them."""
    arrays = {
        name: check_finite_array(name, a)
        for name, a in (("prototypes", prototypes), ("images", images))
    }
    for name, a in arrays.items():
        if a.ndim < 2:
            raise ValueError(
                f"{name}: expected a stack of images (2 or more dimensions), got shape {a.shape}"
            )
    first, second = arrays.values()
    if first.size != second.size or len(first) != len(second):
        raise ValueError(
            f"images: expected as many items and values as prototypes {first.shape}, "
            f"got shape {second.shape}"
        )
    return first, second


def _stack(name: str, value, min_items: int = 1) -> np.ndarray:
    """A stack of at least ``min_items`` images or vectors (an array of >= 2 dimensions)."""
    stack = check_finite_array(name, value)
    if stack.ndim < 2 or len(stack) < min_items or stack[0].size < min_items:
        raise ValueError(
            f"{name}: expected at least {min_items} items of at least {min_items} "
            f"values each, got shape {stack.shape}"
        )
    return stack


def overlay(prototype, image):
    """RGB image: red channel = the drawing, green = the prototype, blue = 1 (both 64x64, 1 blank)."""
    prototype = check_finite_array("prototype", prototype)
    image = check_finite_array("image", image)
    if prototype.shape != image.shape:
        raise ValueError(
            f"image: expected the shape of prototype {prototype.shape}, got {image.shape}"
        )
    return np.clip(
        np.stack([image, prototype, np.ones_like(image)], axis=-1), 0, 1
    )


def repertoire_mosaic(prototypes, images, ncols: int = 10, gap: int = 2):
    """All overlays of a repertoire tiled in rows of ``ncols`` with white gaps; returns (H, W, 3)."""
    prototypes, images = _check_pair(prototypes, images)
    ncols = check_panels("ncols", ncols)
    gap = check_panels("gap", gap, 0)
    n = len(prototypes)
    size = int(round(np.sqrt(prototypes[0].size)))
    if size * size != prototypes[0].size:
        raise ValueError(
            f"prototypes: {prototypes[0].size} pixels per item do not make a square image"
        )
    nrows = int(np.ceil(n / ncols))
    mosaic = np.ones(
        (nrows * (size + gap) - gap, ncols * (size + gap) - gap, 3)
    )
    for k in range(n):
        r, c = divmod(k, ncols)
        tile = overlay(
            np.reshape(prototypes[k], (size, size)),
            np.reshape(images[k], (size, size)),
        )
        mosaic[
            r * (size + gap) : r * (size + gap) + size,
            c * (size + gap) : c * (size + gap) + size,
        ] = tile
    return mosaic


def plot_schedules(sched: dict, axes=None):
    """The schedules of training: search s.d. and map learning rate, and the neighbourhood width."""
    check_keys(
        "sched",
        sched,
        ("sigma", "lr", "alpha", "width"),
        "the dict of schedules",
    )
    check_optional(check_axes_array, "axes", axes, 2)
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, 2, figsize=(7.5, 2.8))
    epochs = np.arange(
        1, len(sched["sigma"])
    )  # epoch 0 (lr 1, width 100) is special
    axes[0].plot(epochs, sched["sigma"][1:], label="search s.d. $\\sigma_e$")
    lr = sched["lr"][1:]
    axes[0].plot(
        epochs,
        lr / max(lr.max(), 1e-300),
        label=f"map learning rate / {lr.max():g}",
    )
    axes[0].plot(
        epochs,
        sched["alpha"][1:]
        * sched["sigma"][1:]
        / sched["alpha"][1]
        / sched["sigma"][1]
        / 100,
        label="controller step $\\alpha_e \\sigma_e$ / 100",
        linestyle="--",
    )
    axes[0].set_xlabel("epoch")
    axes[0].legend(loc="center left")
    axes[1].semilogy(epochs, sched["width"][1:], color="C2")
    axes[1].set_xlabel("epoch")
    axes[1].set_ylabel("neighbourhood width")
    return axes


def plot_learning_curves(history, ax=None, bin_epochs: int = 100):
    """Mean inaccuracy and complexity per rollout, averaged over bins of ``bin_epochs`` epochs, with
    95 % intervals of the bin mean; the dotted line marks when the map is frozen."""
    check_instance("history", history, History)
    bin_epochs = check_int(
        "bin_epochs", bin_epochs, 1, max(len(history.goal), 1)
    )
    ax = get_ax(ax, figsize=(6.5, 3.4))
    n_bins = len(history.goal) // bin_epochs
    centres = (np.arange(n_bins) + 0.5) * bin_epochs
    for values, label, colour in (
        (history.inaccuracy, "inaccuracy", "C0"),
        (history.complexity, "complexity", "C1"),
    ):
        per_epoch = (
            values[: n_bins * bin_epochs]
            .mean(axis=1)
            .reshape(n_bins, bin_epochs)
        )
        mean = per_epoch.mean(axis=1)
        half = 1.96 * per_epoch.std(axis=1) / np.sqrt(bin_epochs)
        ax.plot(centres, mean, color=colour, label=label)
        ax.fill_between(
            centres,
            mean - half,
            mean + half,
            color=colour,
            alpha=0.3,
            linewidth=0,
        )
    ax.axvline(history.freeze_epoch, color="0.4", linestyle=":", linewidth=1)
    ax.text(
        history.freeze_epoch,
        ax.get_ylim()[1],
        " map frozen",
        va="top",
        fontsize=8,
        color="0.3",
    )
    ax.set_xlabel("epoch")
    ax.set_ylabel("nats per drawing")
    ax.legend(loc="center left")
    return ax


def plot_repertoire(repertoire, ax=None, ncols: int = 10, goals=None):
    """Every goal's prototype (magenta) and the drawing the agent makes for it (cyan); goals whose
    drawing the map classifies elsewhere get a red number. ``goals`` shows only those goals."""
    check_instance("repertoire", repertoire, Repertoire)
    ncols = check_panels("ncols", ncols)
    n = len(repertoire.winner)
    goals = (
        np.arange(n)
        if goals is None
        else np.asarray(check_indices("goals", goals, 0, n - 1))
    )
    ax = get_ax(ax, figsize=(7.5, 4.0))
    size = repertoire.images.shape[-1]
    ax.imshow(
        repertoire_mosaic(
            repertoire.prototypes[goals], repertoire.images[goals], ncols
        ),
        interpolation="nearest",
    )
    fontsize = 6 if ncols >= 10 else 9
    for i, k in enumerate(goals):
        r, c = divmod(i, ncols)
        missed = repertoire.winner[k] != k
        ax.text(
            c * (size + 2) + 2,
            r * (size + 2) + 2,
            str(k),
            fontsize=fontsize,
            va="top",
            color="#B00020" if missed else "0.35",
            fontweight="bold" if missed else "normal",
        )
    ax.set_axis_off()
    return ax


def plot_ring(prototypes, axes=None):
    """The ring topology: distances between every pair of prototypes (left) and the prototypes
    projected on their first two principal components, joined in ring order (right)."""
    prototypes = _stack("prototypes", prototypes, 2)
    check_optional(check_axes_array, "axes", axes, 2)
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, 2, figsize=(7.5, 3.4))
    W = np.asarray(prototypes, float).reshape(len(prototypes), -1)
    sq = (W * W).sum(1)
    dist = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2 * W @ W.T, 0))
    im = axes[0].imshow(dist, cmap="viridis")
    axes[0].set_xlabel("prototype")
    axes[0].set_ylabel("prototype")
    axes[0].figure.colorbar(
        im, ax=axes[0], shrink=0.8, label="euclidean distance"
    )
    centred = W - W.mean(axis=0)
    u, s, _ = np.linalg.svd(centred, full_matrices=False)
    xy = u[:, :2] * s[:2]
    loop = np.vstack([xy, xy[:1]])
    axes[1].plot(loop[:, 0], loop[:, 1], color="0.6", linewidth=1, zorder=1)
    pts = axes[1].scatter(
        xy[:, 0],
        xy[:, 1],
        c=np.arange(len(W)),
        cmap="twilight",
        s=28,
        zorder=2,
    )
    axes[1].figure.colorbar(
        pts, ax=axes[1], shrink=0.8, label="position on the ring"
    )
    axes[1].set_xlabel("principal component 1")
    axes[1].set_ylabel("principal component 2")
    axes[1].set_aspect("equal", adjustable="datalim")
    return axes


def plot_snapshot(repertoire, ax=None, every: int = 5, ncols: int = 5):
    """One moment of training, legible: every ``every``-th goal's prototype and the controller's
    drawing then (in rows of ``ncols``), with the share of all goals reached written below."""
    check_instance("repertoire", repertoire, Repertoire)
    every = check_int("every", every, 1)
    goals = np.arange(0, len(repertoire.winner), every)
    ax = plot_repertoire(repertoire, ax, ncols, goals)
    if repertoire.epoch is not None:
        reached = 100 * repertoire.goals_reached_fraction
        ax.text(
            0.0,
            -0.02,
            f"epoch {repertoire.epoch}: {reached:.0f} % of all "
            f"{len(repertoire.winner)} goals reached (goals {every} apart shown)",
            transform=ax.transAxes,
            va="top",
            fontsize=10,
        )
    return ax


def plot_movement(movement, axes=None):
    """One goal's movement: the arm over the canvas (grey frame) and the goal's prototype, the pen
    path coloured by time (left; the part off the canvas is not drawn on the image), and the two
    joint angles over the movement (right)."""
    from matplotlib.collections import LineCollection
    from matplotlib.patches import Rectangle

    check_instance("movement", movement, Movement)
    check_optional(check_axes_array, "axes", axes, 2)
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, 2, figsize=(7.5, 3.4))
    arm = movement.arm
    h = arm.half_width
    rgba = np.zeros(movement.prototype.shape + (4,))
    rgba[..., 0] = rgba[..., 2] = 1.0
    rgba[..., 3] = (
        1 - movement.prototype
    )  # magenta where the prototype has ink
    ax = axes[0]
    ax.imshow(rgba, extent=(-h, h, -h, h), interpolation="nearest")
    pts = movement.points
    segs = np.stack([pts[:-1], pts[1:]], axis=1)
    lc = LineCollection(segs, cmap="viridis", linewidth=2.5, zorder=3)
    lc.set_array(np.arange(len(segs)))
    ax.add_collection(lc)
    shoulder = arm.shoulder
    seen = [np.array([[-h, -h], [h, h]]), pts]
    for t, colour in ((0, "0.6"), (len(pts) - 1, "0.1")):
        th = movement.theta[t]
        elbow = shoulder + arm.link * np.array([np.cos(th[0]), np.sin(th[0])])
        joints = np.array([shoulder, elbow, pts[t]])
        seen.append(joints)
        ax.plot(
            joints[:, 0],
            joints[:, 1],
            "-o",
            color=colour,
            markersize=3,
            linewidth=2,
        )
    ax.add_patch(
        Rectangle(
            (-h, -h), 2 * h, 2 * h, fill=False, edgecolor="0.5", linewidth=1
        )
    )
    lo, hi = np.vstack(seen).min(axis=0) - 5, np.vstack(seen).max(axis=0) + 5
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_aspect("equal")
    ax.set_axis_off()
    verdict = (
        "reached"
        if movement.winner == movement.goal
        else f"classified as {movement.winner}"
    )
    axes[1].text(
        0.02,
        0.98,
        f"goal {movement.goal}: {verdict}, inaccuracy {movement.inaccuracy:.1f} nats",
        transform=axes[1].transAxes,
        fontsize=8,
        va="top",
    )
    steps = np.arange(len(movement.theta))
    axes[1].plot(
        steps, np.degrees(movement.theta[:, 0]), label="shoulder $\\theta_1$"
    )
    axes[1].plot(
        steps, np.degrees(movement.theta[:, 1]), label="elbow $\\theta_2$"
    )
    axes[1].set_xlabel("step")
    axes[1].set_ylabel("angle (degrees)")
    axes[1].legend(loc="best")
    return axes


#: the headline metrics of ``reproduce som-motor`` shown by :func:`plot_reservoir_spread`, with axis labels
SPREAD_METRICS = {
    "goals_reached_fraction": "goals reached (%)",
    "final_inaccuracy": "mean inaccuracy (nats)",
    "inaccuracy_floor": "floor: drawing under itself (nats)",
    "ring_topography": "topography rho",
}


def plot_reservoir_spread(table, axes=None, seed: int = 0):
    """One strip per headline metric over the reservoirs of a sweep; ``seed``'s value is marked.

    ``table`` has a ``seed`` column and the metric columns of :data:`SPREAD_METRICS` (the table
    ``python -m pcbook sweep som-motor`` writes).
    """
    check_keys(
        "table",
        table,
        ("seed", *SPREAD_METRICS),
        "a table of a som-motor sweep",
    )
    seed = check_int("seed", seed)
    check_optional(check_axes_array, "axes", axes, len(SPREAD_METRICS))
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, len(SPREAD_METRICS), figsize=(10, 2.6))
    seeds = np.asarray(table["seed"])
    for ax, (column, label) in zip(np.ravel(axes), SPREAD_METRICS.items()):
        values = np.asarray(table[column], float) * (
            100 if column == "goals_reached_fraction" else 1
        )
        jitter = np.linspace(-0.15, 0.15, len(values))
        ax.scatter(jitter, values, s=18, color="0.45", label="reservoirs")
        chosen = seeds == seed
        ax.scatter(
            jitter[chosen],
            values[chosen],
            s=60,
            marker="D",
            color="C3",
            label=f"seed {seed}",
        )
        ax.set_xlim(-0.5, 0.5)
        ax.set_xticks([])
        ax.set_title(label, fontsize="medium")
    np.ravel(axes)[0].legend(loc="lower left", fontsize="small")
    return axes
