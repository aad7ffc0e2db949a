"""nbval plugin: compare the stored figures of a notebook with a fresh run, not only its text.

nbval skips ``image/png`` outputs (and the sanitize file masks the frames of static sliders), so a
change that alters a figure but no printed number would leave a stale picture on the website. This
plugin (``pytest -p tests.nbval_figures``) adds one check to every cell nbval compares: the fresh
run makes as many PNG images as the stored notebook (figures, and every frame of a static slider),
and each looks the same. "The same" is judged on a coarse picture, so that a new
font-rendering or antialiasing version of matplotlib does not fail the book, but a moved curve,
a changed colour map or a different panel does:

* the pixel sizes differ by at most ``SIZE_TOLERANCE`` (inline figures are cropped to their ink);
* on both images scaled to ``GRID`` x ``GRID`` grey cells, no cell differs by more than
  ``CELL_TOLERANCE`` (grey levels in [0, 1]).

Measured on chapter 2's gradient-ascent figure (2026-11-23): a fresh run on the same machine is
byte-identical (0); moving u from 2.0 to 2.05 gives 0.10 and doubling the step size 0.086, so both
fail; 20 % thicker lines give 0.039 and pass. Fonts are drawn by the FreeType that matplotlib
bundles, so text renders the same on every machine with the same matplotlib.
"""

from __future__ import annotations

import base64
import io
import os
import re

import numpy as np
from nbval.plugin import IPyNbCell
from PIL import Image

GRID = 48
CELL_TOLERANCE = 0.05
SIZE_TOLERANCE = 0.03


_SLIDER_FRAMES = re.compile(r"var frames=\[([^\]]*)\]")


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else value


def output_pngs(outputs) -> list[str]:
    """Every base64 PNG of a cell's outputs: figures, then the frames of its static sliders."""
    pngs = []
    for output in outputs:
        data = output.get("data", {})
        if "image/png" in data:
            pngs.append(_text(data["image/png"]))
        for frames in _SLIDER_FRAMES.findall(_text(data.get("text/html", ""))):
            pngs += re.findall(r'"([A-Za-z0-9+/=]+)"', frames)
    return pngs


def _grey_cells(
    png_base64: str, size: tuple[int, int] | None = None
) -> tuple[tuple[int, int], np.ndarray]:
    """Pixel size of a base64 PNG and its GRID x GRID grey-level picture in [0, 1]."""
    image = Image.open(io.BytesIO(base64.b64decode(png_base64))).convert("L")
    cells = image.resize((GRID, GRID), Image.Resampling.BOX)
    return image.size, np.asarray(cells, dtype=float) / 255


def figure_difference(stored: list[str], fresh: list[str]) -> str | None:
    """Why the ``fresh`` PNG figures (base64) differ from the ``stored`` ones, or None if they match."""
    if len(stored) != len(fresh):
        return f"the notebook stores {len(stored)} image(s) here but a fresh run makes {len(fresh)}"
    for k, (old, new) in enumerate(zip(stored, fresh), 1):
        (old_size, old_cells), (new_size, new_cells) = (
            _grey_cells(old),
            _grey_cells(new),
        )
        if any(
            abs(a - b) > SIZE_TOLERANCE * a for a, b in zip(old_size, new_size)
        ):
            return f"image {k}: stored {old_size[0]}x{old_size[1]} px, fresh run {new_size[0]}x{new_size[1]} px"
        worst = float(np.abs(old_cells - new_cells).max())
        if worst > CELL_TOLERANCE:
            return (
                f"image {k} looks different in a fresh run (a grey cell differs by {worst:.3f} > "
                f"{CELL_TOLERANCE}): re-run the notebook with 'make notebooks NB=...'"
            )
    return None


_compare_text = IPyNbCell.compare_outputs


def _compare_text_and_figures(self, test, ref, skip_compare=None):
    if not _compare_text(self, test, ref, skip_compare):
        return False
    problem = figure_difference(output_pngs(ref), output_pngs(test))
    if problem:
        self.comparison_traceback.append(problem)
        return False
    return True


IPyNbCell.compare_outputs = _compare_text_and_figures


def pytest_configure(config):
    """Kernels started by nbval draw the website's static slider frames, which the stored
    outputs hold (``make nbval`` sets this too; a bare ``pytest --nbval`` then works alike)."""
    from pcbook.widgets import STATIC_FRAMES_ENV

    os.environ.setdefault(STATIC_FRAMES_ENV, "1")
