"""Figures of chapter 4 (neural generative coding). Each draws a computed result and returns its Axes."""

from __future__ import annotations

import numpy as np

from pcbook.ngc import CompletionResult, SettleView
from pcbook.plotting import (
    check_axes_array,
    check_keys,
    check_mapping,
    check_optional,
    check_panels,
    get_ax,
    show_images,
)
from pcbook.validate import (
    check_finite_array,
    check_instance,
    check_range,
    check_real,
)

__all__ = [
    "plot_discrepancy",
    "plot_image_rows",
    "plot_reconstructions",
    "plot_learning_curves",
    "plot_completion",
    "plot_samples",
    "plot_accuracies",
    "plot_settling_frame",
    "plot_completion_frame",
]


def _images(name: str, value) -> np.ndarray:
    """An (N, 64) array of 8x8 images (N >= 1) of finite numbers."""
    return check_finite_array(name, value, shape=(None, 64))


def _trace(name: str, value) -> np.ndarray:
    return check_finite_array(name, value, ndim=1)


def _history(name: str, value):
    return check_keys(
        name, value, ("epoch", "test_bce"), "an NGC history_ dict"
    )


def _accuracy(name: str, value) -> float:
    return check_range(name, value, 0.0, 1.0)


def plot_discrepancy(traces: dict, ax=None):
    """Total discrepancy (sum of squared errors, eq-ngc-tod) against the settling step, one line
    per entry of ``traces`` (label -> array of length K)."""
    traces = check_mapping("traces", traces, _trace, "arrays")
    ax = get_ax(ax)
    for label, tod in traces.items():
        ax.plot(np.arange(1, len(tod) + 1), tod, label=label)
    ax.set_xlabel("settling step k")
    ax.set_ylabel("total discrepancy")
    ax.set_yscale("log")
    ax.legend()
    return ax


def plot_image_rows(rows: dict, axes=None, n: int = 10):
    """Show the first ``n`` images of each entry of ``rows`` (label -> (N, 64) array), one row
    each, with the label at the left."""
    import matplotlib.pyplot as plt

    rows = check_mapping("rows", rows, _images, "(N, 64) arrays of images")
    if not rows:
        raise ValueError("rows: expected at least one row of images, got {}")
    n = check_panels("n", n)
    if axes is None:
        _, axes = plt.subplots(
            len(rows), n, figsize=(n * 0.7, len(rows) * 0.8), squeeze=False
        )
    elif check_axes_array("axes", axes, len(rows)).size % len(rows):
        raise ValueError(
            f"axes: expected the same number of Axes for each of the {len(rows)} "
            f"rows, got {np.size(axes)}"
        )
    axes = np.asarray(axes).reshape(len(rows), -1)
    for ax_row, (label, images) in zip(axes, rows.items()):
        show_images(images[:n].reshape(-1, 8, 8), axes=ax_row)
        for ax in ax_row:
            ax.spines[:].set_visible(False)
        ax_row[0].set_ylabel(
            label, rotation=0, ha="right", va="center", fontsize=9
        )
    return axes


def plot_reconstructions(x, reconstructions: dict, axes=None, n: int = 10):
    """Originals above the reconstructions of each model (label -> pixel probabilities)."""
    x = _images("x", x)
    reconstructions = check_mapping(
        "reconstructions", reconstructions, _images, "(N, 64) arrays of images"
    )
    return plot_image_rows({"data": x, **reconstructions}, axes, n)


def plot_learning_curves(
    histories: dict, baselines: dict | None = None, ax=None
):
    """Test BCE (nats per image) after each epoch, one line per model (label -> history_ dict),
    with horizontal reference levels (label -> value)."""
    histories = check_mapping(
        "histories", histories, _history, "history_ dicts"
    )
    baselines = check_optional(
        check_mapping, "baselines", baselines, check_real, "numbers"
    )
    ax = get_ax(ax)
    for label, hist in histories.items():
        ax.plot(hist["epoch"], hist["test_bce"], marker="o", ms=3, label=label)
    for (label, value), style in zip(
        (baselines or {}).items(), (":", "--", "-.")
    ):
        ax.axhline(value, color="0.4", ls=style, lw=1, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("test BCE (nats per image)")
    ax.legend()
    return ax


def _masked_view(result):
    """Seen pixels as in the data; hidden pixels at 0.5 (grey)."""
    return np.where(result.mask == 1, result.x, 0.5)


def plot_completion(result, axes=None, n: int = 10):
    """Pattern completion: data, what the circuit sees (hidden pixels grey), its completion."""
    check_instance("result", result, CompletionResult)
    return plot_image_rows(
        {
            "data": result.x,
            "seen": _masked_view(result),
            "completed": result.p,
        },
        axes,
        n,
    )


def plot_samples(samples, axes=None, ncols: int = 10):
    """Images drawn from the generative model (pixel probabilities)."""
    samples = _images("samples", samples)
    axes = show_images(samples.reshape(-1, 8, 8), axes=axes, ncols=ncols)
    for ax in np.ravel(axes):
        ax.spines[:].set_visible(False)
    return axes


def plot_accuracies(accuracies: dict, ax=None):
    """Horizontal bars of test accuracy of a linear read-out (label -> accuracy in [0, 1])."""
    accuracies = check_mapping(
        "accuracies", accuracies, _accuracy, "accuracies"
    )
    ax = get_ax(ax)
    labels = list(accuracies)
    values = [accuracies[k] for k in labels]
    ax.barh(labels, values, color="0.55")
    for i, v in enumerate(values):
        ax.text(
            v - 0.01,
            i,
            f"{v:.3f}",
            va="center",
            ha="right",
            color="white",
            fontsize=9,
        )
    ax.set_xlim(0, 1)
    ax.set_xlabel("test accuracy of logistic regression")
    ax.invert_yaxis()
    return ax


def _image_grid(rows, n):
    """Stack ``n`` 8x8 images of each row (list of (N, 64) arrays) into one array; the one-pixel
    gaps are NaN, which imshow leaves blank."""
    grid = np.full((len(rows) * 9 - 1, n * 9 - 1), np.nan)
    for r, images in enumerate(rows):
        for i in range(n):
            grid[9 * r : 9 * r + 8, 9 * i : 9 * i + 8] = np.asarray(
                images[i]
            ).reshape(8, 8)
    return grid


#: fixed axes of the settling slider: K from 1 to 200, discrepancy from 16 down to 5 and up to
#: about 180 (K = 200, beta = 0.2)
SETTLING_XLIM, SETTLING_YLIM = (0.8, 250.0), (2.0, 400.0)


def plot_settling_frame(view, axes):
    """One slider frame: the discrepancy trace (left) and reconstructions (right, data on top).

    ``view`` has ``x``, ``p``, ``tod`` and ``bce`` (see :func:`pcbook.ngc.settle_view`); ``axes``
    is an array of two Axes.
    """
    check_instance("view", view, SettleView)
    axes = check_axes_array("axes", axes, 2)
    axes[0].plot(
        np.arange(1, len(view.tod) + 1),
        view.tod,
        marker="o" if len(view.tod) < 20 else None,
        ms=3,
    )
    axes[0].set_xlabel("settling step k")
    axes[0].set_ylabel("total discrepancy")
    axes[0].set_xscale("log")
    axes[0].set_yscale("log")
    axes[0].set_xlim(*SETTLING_XLIM)  # the same axes in every slider frame
    axes[0].set_ylim(*SETTLING_YLIM)
    axes[0].text(
        0.97,
        0.95,
        f"test BCE {view.bce:.2f} nats",
        transform=axes[0].transAxes,
        ha="right",
        va="top",
    )
    axes[1].imshow(
        _image_grid([view.x, view.p], min(4, len(view.x))),
        cmap="gray_r",
        vmin=0,
        vmax=1,
    )
    axes[1].set_xticks([])
    axes[1].set_yticks([3.5, 12.5], ["data", "prediction"])
    axes[1].spines[:].set_visible(False)
    return axes


def plot_completion_frame(result, axes):
    """One slider frame of pattern completion: images (left: data, seen with hidden pixels grey,
    completed) and the masked MSE of the circuit vs filling with the training mean (right)."""
    check_instance("result", result, CompletionResult)
    axes = check_axes_array("axes", axes, 2)
    axes[0].imshow(
        _image_grid(
            [result.x, _masked_view(result), result.p], min(4, len(result.x))
        ),
        cmap="gray_r",
        vmin=0,
        vmax=1,
    )
    axes[0].set_xticks([])
    axes[0].set_yticks([3.5, 12.5, 21.5], ["data", "seen", "completed"])
    axes[0].spines[:].set_visible(False)
    values = [result.masked_mse, result.mean_fill_mse]
    axes[1].bar(["NGC", "mean image"], values, color=["C0", "0.6"])
    for i, v in enumerate(values):
        axes[1].text(i, v, f"{v:.3f}", ha="center", va="bottom")
    axes[1].set_ylim(0, 0.2)
    axes[1].set_ylabel("MSE per hidden pixel")
    return axes
