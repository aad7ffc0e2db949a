"""Shared plotting helpers. Every ``plot_*`` function draws on ``ax`` (a new one if None) and
returns the Axes; nothing here calls ``plt.show()`` or changes rcParams on import.

Chapter-specific figures live in ``pcbook/plots/<topic>.py`` modules that build on these.
Apply the house style explicitly in a notebook's setup cell::

    plt.style.use(plotting.STYLE)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = [
    "STYLE",
    "get_ax",
    "plot_density",
    "plot_trajectories",
    "show_images",
    "annotate_failure",
]

#: path of the house style sheet shipped in the package
STYLE = str(Path(__file__).with_name("pcbook.mplstyle"))


def get_ax(ax=None, figsize=None):
    """Return ``ax``, or the axes of a new figure when ``ax`` is None."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_density(
    x, densities: dict, ax=None, xlabel: str = "v", ylabel: str = "density"
):
    """Plot one or more densities over the grid ``x``; ``densities`` maps a legend label to values."""
    ax = get_ax(ax)
    for label, values in densities.items():
        ax.plot(x, values, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if len(densities) > 1:
        ax.legend()
    return ax


def plot_trajectories(
    t, series: dict, ax=None, xlabel: str = "time", ylabel: str = ""
):
    """Plot time series over ``t``; ``series`` maps a legend label to values."""
    ax = get_ax(ax)
    for label, values in series.items():
        ax.plot(t, values, label=label)
    ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if len(series) > 1:
        ax.legend()
    return ax


def show_images(
    images,
    axes=None,
    ncols: int = 10,
    cmap: str = "gray_r",
    titles=None,
    vmin=0.0,
    vmax=1.0,
):
    """Show a stack of 2-D images on a grid of axes without ticks; returns the array of axes."""
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    n = len(images)
    if axes is None:
        nrows = int(np.ceil(n / ncols))
        _, axes = plt.subplots(
            nrows,
            min(ncols, n),
            figsize=(min(ncols, n) * 0.8, nrows * 0.8),
            squeeze=False,
        )
    flat = np.ravel(axes)
    for i, ax in enumerate(flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i < n:
            ax.imshow(images[i], cmap=cmap, vmin=vmin, vmax=vmax)
            if titles is not None:
                ax.set_title(str(titles[i]), fontsize=8)
        else:
            ax.set_axis_off()
    return axes


def annotate_failure(ax, message: str):
    """Write ``message`` across an empty axes: what a figure shows when a setting cannot be computed
    (a diverged simulation, an invalid slider combination) instead of crashing or going blank."""
    ax.text(
        0.5,
        0.5,
        message,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=11,
        color="#B00020",
        wrap=True,
        bbox=dict(boxstyle="round", facecolor="#FFF0F0", edgecolor="#B00020"),
    )
    return ax
