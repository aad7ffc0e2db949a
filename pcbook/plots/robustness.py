"""Figures of the robustness appendix: each headline over the seeds of a
sweep (:mod:`pcbook.robustness`), with the seed the chapter quotes marked.
"""

from __future__ import annotations

import math

import numpy as np

from pcbook.plotting import check_axes_array, check_keys, check_text

__all__ = ["plot_headlines"]

_CHAPTER_SEED = {"s": 70, "marker": "D", "color": "C3", "zorder": 3}
#: the columns of the tidy table this figure reads
_COLUMNS = ("experiment", "status", "seed", "metric", "value")


def _strip(ax, row: dict, values: dict) -> None:
    """One headline: a dot per seed, its 10-90 % band, median and bar."""
    h = row["headline"]
    seeds = np.array(list(values))
    x = np.array(list(values.values()), float)
    shown = np.isfinite(x)
    jitter = np.random.default_rng(0).uniform(-0.3, 0.3, len(x))
    low, high = row["p10"], row["p90"]
    if math.isfinite(low) and math.isfinite(high):
        ax.axvspan(low, high, color="C0", alpha=0.15, lw=0, label="10-90 %")
    ax.axvline(row["median"], color="C0", lw=1.5, label="median")
    ax.scatter(x[shown], jitter[shown], s=14, color="0.45", label="seeds")
    mine = shown & (seeds == h.seed)
    label = f"seed {h.seed} (chapter)"
    ax.scatter(x[mine], jitter[mine], label=label, **_CHAPTER_SEED)
    never = int((~shown).sum())
    note = f" ({never} never)" if never else ""
    ax.set_title(
        f"{h.name}\nbar {h.bar}: {row['meet']} of {row['seeds']} seeds{note}",
        fontsize="small",
    )
    if shown.any() and x[shown].min() == x[shown].max():  # one value
        value = x[shown][0]
        width = 1.0 if h.fmt == ".0f" else 0.1
        ax.set_xticks([value])
        ax.set_xlim(value - width, value + width)
    ax.set_ylim(-0.5, 1.0)  # the top half for the legend
    ax.set_yticks([])


def plot_headlines(data, label: str, axes=None):
    """The headlines of one chapter (``label``, e.g. ``"som"``) over seeds.

    ``data`` is the tidy table :func:`pcbook.robustness.load` reads. Each
    panel shows every seed as a grey dot (values across, random height),
    the 10-90 % range as a band, the median as a line and the seed the
    chapter quotes as a red diamond; its title says how many seeds meet
    the chapter's bar. A first flag never reached is counted, not drawn.
    """
    from pcbook import robustness

    check_keys("data", data, _COLUMNS, "the table of pcbook.robustness.load")
    rows = robustness.chapter_rows(data, check_text("label", label))
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(
            1, len(rows), figsize=(3.6 * len(rows), 2.4), squeeze=False
        )
    else:
        check_axes_array("axes", axes, len(rows))
    axes = np.ravel(axes)
    for ax, row in zip(axes, rows):
        _strip(ax, row, robustness.headline_values(data, row["headline"]))
    axes[0].legend(loc="upper left", fontsize="x-small", ncol=2)
    return axes
