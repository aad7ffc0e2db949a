"""The nbval figure check (tests/nbval_figures.py) passes an identical figure and fails changed ones."""

from __future__ import annotations

import base64
import io

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from tests.nbval_figures import output_pngs, figure_difference  # noqa: E402


def _png(slope=1.0, width=6.0, linewidth=1.5) -> str:
    """A figure drawn with matplotlib's defaults, whatever style an earlier test in this
    worker left behind (the parametrised figures are drawn at collection, the others later)."""
    with plt.style.context("default"):
        fig, ax = plt.subplots(figsize=(width, 4))
        t = np.linspace(0, 5, 200)
        ax.plot(t, np.exp(-slope * t) * np.cos(3 * t), lw=linewidth)
        ax.set_xlabel("t")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches="tight")
        plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def test_identical_figures_pass():
    assert figure_difference([_png()], [_png()]) is None


def test_a_slightly_thicker_line_passes():
    assert figure_difference([_png()], [_png(linewidth=1.65)]) is None


@pytest.mark.parametrize(
    "fresh, message",
    [
        ([_png(slope=1.2)], "looks different"),
        ([_png(width=7.0)], "px"),
        ([_png(), _png()], "stores 1 image"),
        ([], "stores 1 image"),
    ],
)
def test_a_changed_figure_fails_with_a_reason(fresh, message):
    assert message in figure_difference([_png()], fresh)


def test_the_frames_of_a_static_slider_are_compared_too():
    def slider(*frames):
        html = (
            '<div class="pcbook-slider"><script>var frames=['
            + ",".join(f'"{f}"' for f in frames)
            + "];</script></div>"
        )
        return [
            {
                "output_type": "display_data",
                "data": {"text/html": html, "text/plain": "slider"},
            }
        ]

    a, b = _png(), _png(slope=1.2)
    assert output_pngs(slider(a, b)) == [a, b]
    assert (
        figure_difference(output_pngs(slider(a, b)), output_pngs(slider(a, b)))
        is None
    )
    assert "image 2 looks different" in figure_difference(
        output_pngs(slider(a, b)), output_pngs(slider(a, a))
    )
