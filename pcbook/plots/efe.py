"""Figures of the expected-free-energy section (chapter 5): the T-maze's first moves."""

from __future__ import annotations

import numpy as np

from pcbook.efe import LOCATIONS, Plan
from pcbook.plotting import check_optional, get_ax
from pcbook.validate import check_instance, check_positive

__all__ = ["plot_plan"]


def plot_plan(result, ax=None, ymax=None):
    """Expected free energy of each first move, both ways: risk + ambiguity beside
    -pragmatic - epistemic value; the chosen (lowest) move is marked.

    ``ymax`` fixes the y-axis (pass the same value for every slider frame).
    """
    check_instance("result", result, Plan)
    ymax = check_optional(check_positive, "ymax", ymax)
    ax = get_ax(ax)
    e = result.efe
    x = np.arange(len(LOCATIONS))
    w = 0.38
    ax.bar(x - w / 2, e.risk, w, color="C0", label="risk")
    ax.bar(
        x - w / 2, e.ambiguity, w, bottom=e.risk, color="C1", label="ambiguity"
    )
    ax.bar(
        x + w / 2,
        -e.pragmatic,
        w,
        color="C2",
        label="−pragmatic value (whole bar)",
    )
    ax.bar(
        x + w / 2,
        -e.epistemic,
        w,
        bottom=-e.pragmatic,
        color="white",
        edgecolor="C3",
        hatch="///",
        label="epistemic value (taken off)",
    )
    ax.plot(x, e.G, "_", color="k", ms=28, mew=2, label="G")
    b = result.best
    top = ymax if ymax is not None else 1.1 * float(np.max(-e.pragmatic))
    ax.annotate(
        "chosen",
        (b, e.G[b]),
        xytext=(b, e.G[b] + 0.2 * top),
        ha="center",
        fontsize=9,
        arrowprops={"arrowstyle": "->"},
    )
    m = result.maze
    ax.set_title(
        f"cue reliability {m.cue_reliability:.2f}, {m.horizon} moves, "
        f"preference {m.preference:g} nats",
        fontsize=10,
    )
    ax.set_xticks(x, [f"{name}\nfirst" for name in LOCATIONS])
    ax.set_ylim(0, top)
    ax.set_ylabel("expected free energy (nats)")
    ax.legend(fontsize=8, ncol=3, loc="upper right")
    return ax
