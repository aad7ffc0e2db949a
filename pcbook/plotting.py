"""Shared plotting helpers. Every ``plot_*`` function draws on ``ax`` (a new one if None) and
returns the Axes; nothing here calls ``plt.show()`` or changes rcParams on import.

Chapter-specific figures live in ``pcbook/plots/<topic>.py`` modules that build on these.
The ``check_*`` helpers here (Axes, arrays of Axes, dicts of curves, labels, counts of panels)
build on :mod:`pcbook.validate`, so that every plotting function refuses bad input with an
error naming the argument (issue 16).
Apply the house style explicitly in a notebook's setup cell::

    plt.style.use(plotting.STYLE)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .validate import (
    check_count,
    check_finite_array,
    check_instance,
    check_int,
    check_real,
)

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

#: images, tiles or columns in one figure beyond which a plot is refused unless forced
#: (:func:`pcbook.validate.beyond_scale`): the book's largest figure has about 100
MAX_PANELS = 1000


def check_axes(name: str, ax):
    """Return ``ax``, or raise a TypeError naming ``name`` if it is not a matplotlib Axes."""
    from matplotlib.axes import Axes

    return check_instance(name, ax, Axes, "a matplotlib Axes")


def check_text(name: str, value) -> str:
    """Return ``value``, or raise a TypeError naming ``name`` if it is not text (a label)."""
    return check_instance(name, value, str, "text")


def check_optional(check, name: str, value, *args, **kwargs):
    """``None`` (an argument left at its default), or ``check(name, value, ...)``."""
    return None if value is None else check(name, value, *args, **kwargs)


def check_mapping(name: str, value, check_entry=None, what: str = "values"):
    """Return ``value`` (a dict mapping a label to ``what``) with each entry passed through
    ``check_entry(f"{name}[label]", entry)``, or raise naming ``name`` (and the label)."""
    check_instance(name, value, dict, f"a dict mapping a label to {what}")
    if check_entry is None:
        return dict(value)
    return {
        label: check_entry(f"{name}[{label!r}]", v)
        for label, v in value.items()
    }


def check_keys(name: str, value, keys, what: str):
    """Return ``value`` (a dict or a table), or raise naming ``name`` if it is not one or lacks one
    of ``keys``; ``what`` says what was expected ("the dict of free_energy_bound")."""
    if isinstance(value, (str, bytes, type)) or not hasattr(value, "keys"):
        raise TypeError(f"{name}: expected {what}, got {type(value).__name__}")
    present = set(value.keys())
    missing = [k for k in keys if k not in present]
    if missing:
        raise ValueError(
            f"{name}: expected {what}, with keys {list(keys)}; missing {missing}"
        )
    return value


def check_curves(name: str, curves, length: int) -> dict:
    """Return ``curves`` (legend label -> values) with each value as a float array of
    ``length`` finite numbers, or raise naming ``name`` and the label."""
    return check_mapping(
        name,
        curves,
        lambda entry, v: check_finite_array(entry, v, shape=(length,)),
    )


def check_axes_array(name: str, axes, n: int = 1) -> np.ndarray:
    """The Axes of ``axes`` (one Axes, or a list or array of them) as a flat array of at least
    ``n``; raise naming ``name`` if an entry is not an Axes or there are fewer than ``n``."""
    flat = np.ravel(np.asarray(axes, dtype=object))
    for i, ax in enumerate(flat):
        check_axes(f"{name}[{i}]" if flat.size > 1 else name, ax)
    if flat.size < n:
        raise ValueError(
            f"{name}: expected at least {n} Axes, got {flat.size}"
        )
    return flat


def check_panels(name: str, value, low: int = 1) -> int:
    """Return ``value``, a count of images, tiles or columns in one figure: an integer >= ``low``
    and at most :data:`MAX_PANELS` (unless forced), or raise naming ``name``."""
    return check_count(name, value, low, limit=MAX_PANELS)


def check_indices(name: str, value, low: int, high: int) -> list:
    """Return ``value`` (a sequence of indices) as a list of at least one integer in
    [low, high], or raise naming ``name`` and the entry."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
        raise TypeError(
            f"{name}: expected a sequence of integers, got {type(value).__name__}"
        )
    if len(value) == 0:
        raise ValueError(f"{name}: expected at least one entry, got {value!r}")
    return [
        check_int(f"{name}[{i}]", v, low, high) for i, v in enumerate(value)
    ]


def check_labels(name: str, labels, n: int) -> list:
    """Return ``labels`` (one per item: titles) as a list of ``n``, or raise naming ``name``."""
    if isinstance(labels, (str, bytes)) or not hasattr(labels, "__len__"):
        raise TypeError(
            f"{name}: expected a list of {n} labels, got {type(labels).__name__}"
        )
    if len(labels) < n:
        raise ValueError(
            f"{name}: expected at least {n} labels, got {len(labels)}"
        )
    return list(labels)


def get_ax(ax=None, figsize=None):
    """Return ``ax``, or the axes of a new figure when ``ax`` is None."""
    if ax is not None:
        return check_axes("ax", ax)
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_density(
    x, densities: dict, ax=None, xlabel: str = "v", ylabel: str = "density"
):
    """Plot one or more densities over the grid ``x``; ``densities`` maps a legend label to values."""
    x = check_finite_array("x", x, ndim=1)
    densities = check_curves("densities", densities, len(x))
    xlabel, ylabel = check_text("xlabel", xlabel), check_text("ylabel", ylabel)
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
    t = check_finite_array("t", t, ndim=1)
    series = check_curves("series", series, len(t))
    xlabel, ylabel = check_text("xlabel", xlabel), check_text("ylabel", ylabel)
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

    images = check_finite_array("images", images, ndim=3)
    n = len(images)
    ncols = check_panels("ncols", ncols)
    vmin, vmax = check_real("vmin", vmin), check_real("vmax", vmax)
    if vmin >= vmax:
        raise ValueError(f"vmin: must be below vmax ({vmax}), got {vmin}")
    if titles is not None:
        if isinstance(titles, str) or len(titles) != n:
            raise ValueError(
                f"titles: expected one title per image ({n}), got {titles!r}"
            )
    if axes is None:
        nrows = int(np.ceil(n / ncols))
        _, axes = plt.subplots(
            nrows,
            min(ncols, n),
            figsize=(min(ncols, n) * 0.8, nrows * 0.8),
            squeeze=False,
        )
    flat = np.ravel(axes)
    for ax in flat:
        check_axes("axes", ax)
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
    check_axes("ax", ax)
    check_text("message", message)
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
