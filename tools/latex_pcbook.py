"""The printed book: Sphinx transforms for the LaTeX builder (``make pdf``, tools/pdf.mk).

* Sliders: a slider output stores its static frames in its ``text/html`` view (base64 PNGs, the
  values of every slider, row-major; :meth:`pcbook.widgets.SliderFigure.static_html`). On paper
  it becomes a small-multiples grid of those frames (no new computation), each panel labelled with
  the slider values it shows. A grid holds as many panels as fit one page at a legible size
  (:func:`grid_layout`); when the website has more frames, evenly spaced values of each slider are
  shown, and the caption line says how many.
* Figures: a raster figure prints at 200 pixels per inch or more (:class:`SharpFigures`).
* Solutions: in the teacher's edition (``pcbook_edition = "teacher"``) every exercise solution moves
  to an appendix at the back, chapter by chapter; the exercise keeps a link to its solution and the
  solution's title links back; exercises are numbered N.M as on the website. In the student edition (``pcbook_edition = "student"``, or
  ``PCBOOK_EDITION=student`` in the environment) the solutions are dropped.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

EDITIONS = ("teacher", "student")

# the printed text block (jupyterBook.cls: 17.5 cm x 22 cm), in inches
TEXT_WIDTH, TEXT_HEIGHT = 17.5 / 2.54, 22 / 2.54
# a panel is printed at least at this fraction of the size the website shows it at (the frames'
# 10 pt tick labels stay above 4 pt), and a grid fills at most this fraction of the page height
MIN_SCALE = 0.42
MAX_GRID_HEIGHT = 0.8
LABEL_HEIGHT = 0.22  # inches: one line of \scriptsize under each panel
CSS_PIXELS_PER_INCH = 100  # pcbook.widgets renders figsize * 100 CSS pixels


# -- sliders -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SliderFrames:
    """The static frames of one stored slider output."""

    names: list[str]  # slider labels, in order
    values: list[list[str]]  # each slider's values, as the website prints them
    frames: list[str]  # base64 PNGs, row-major over ``values``
    width: int  # CSS pixels the website shows a frame at
    height: int

    def frame(self, index: tuple[int, ...]) -> bytes:
        """The PNG of the frame at ``index`` (one value index per slider)."""
        flat = 0
        for k, i in enumerate(index):
            flat = flat * len(self.values[k]) + i
        return base64.b64decode(self.frames[flat])


_VAR = r"var {}=(\[.*?\]);"


def parse_slider_html(text: str) -> SliderFrames | None:
    """The frames, values and slider names in a ``SliderFigure.static_html`` output, or None."""
    if 'class="pcbook-slider"' not in text:
        return None
    frames = re.search(_VAR.format("frames"), text)
    labels = re.search(r"var labels=(\[\[.*?\]\]);", text)
    size = re.search(
        r'class="pcbook-slider-frame" width="(\d+)" height="(\d+)"', text
    )
    if not (frames and labels and size):
        raise ValueError("a pcbook slider output without its static frames")
    names = [
        html.unescape(n)
        for n in re.findall(r'class="pcbook-slider-name">(.*?)</span>', text)
    ]
    values = json.loads(labels.group(1))
    frames = json.loads(frames.group(1))
    if len(names) != len(values) or math.prod(map(len, values)) != len(frames):
        raise ValueError(
            f"slider output: {len(frames)} frames for sliders {names} "
            f"with {[len(v) for v in values]} values"
        )
    return SliderFrames(
        names, values, frames, int(size.group(1)), int(size.group(2))
    )


def grid_layout(width: int, height: int) -> tuple[int, int]:
    """(columns, rows) of a page's grid of frames shown at ``width`` x ``height`` CSS pixels.

    As many columns as keep each panel at :data:`MIN_SCALE` of its size on the website (at most
    4), and as many rows of panels and labels as fit :data:`MAX_GRID_HEIGHT` of the page."""
    frame_width = width / CSS_PIXELS_PER_INCH
    columns = max(
        1, min(4, int(TEXT_WIDTH / (MIN_SCALE * frame_width) + 1e-9))
    )
    panel_height = TEXT_WIDTH / columns * height / width + LABEL_HEIGHT
    rows = max(1, int(MAX_GRID_HEIGHT * TEXT_HEIGHT / panel_height))
    return columns, rows


def evenly_spaced(n: int, k: int) -> list[int]:
    """``k`` indices out of ``range(n)`` spread evenly, first and last included."""
    if k >= n:
        return list(range(n))
    if k == 1:
        return [n // 2]
    return sorted({round(i * (n - 1) / (k - 1)) for i in range(k)})


def chosen_values(sizes: list[int], budget: int) -> list[list[int]]:
    """For each slider (``sizes`` values each) the value indices a grid of at most ``budget``
    panels shows: the slider with the most values loses one until the product fits."""
    counts = list(sizes)
    while math.prod(counts) > budget:
        k = max(range(len(counts)), key=lambda i: (counts[i], i))
        counts[k] -= 1
    return [evenly_spaced(n, c) for n, c in zip(sizes, counts)]


def _tex(text: str) -> str:
    """``text`` escaped for LaTeX (slider names and values are plain text)."""
    from sphinx.util.texescape import escape

    return escape(text)


def slider_grid_latex(slider: SliderFrames, outdir: Path) -> str:
    """LaTeX for the small-multiples grid of ``slider``; writes its panels into ``outdir``."""
    columns, rows = grid_layout(slider.width, slider.height)
    picks = chosen_values([len(v) for v in slider.values], columns * rows)
    panels = []
    for index in itertools.product(*picks):
        png = slider.frame(index)
        name = f"pcbook-frame-{hashlib.sha1(png).hexdigest()[:16]}.png"
        (outdir / name).write_bytes(png)
        label = ", ".join(
            f"{_tex(n)} = {_tex(v[i])}"
            for n, v, i in zip(slider.names, slider.values, index)
        )
        panels.append(
            f"\\begin{{minipage}}[t]{{\\dimexpr\\linewidth/{columns}-0.6em\\relax}}"
            f"\\centering\\includegraphics[width=\\linewidth]{{{name}}}\\\\[-0.2ex]"
            f"{{\\scriptsize {label}\\par}}\\end{{minipage}}"
        )
    lines = [
        "\\hfill".join(panels[r : r + columns])
        + "\\hfill" * (columns - len(panels[r : r + columns]))
        for r in range(0, len(panels), columns)
    ]
    shown, total = len(panels), len(slider.frames)
    note = (
        f"All {total} frames of the slider on the website."
        if shown == total
        else f"{shown} of the {total} frames of the slider on the website."
    )
    return (
        "\n\\begin{center}\\setlength{\\parskip}{0pt}\\noindent\n"
        + "\\par\\vspace{1ex}\\noindent\n".join(lines)
        + f"\\par\\vspace{{0.5ex}}{{\\footnotesize\\itshape {note}\\par}}"
        + "\\end{center}\n"
    )


def _slider_html(bundle: nodes.Element) -> str | None:
    for child in bundle.children:
        if child.get("mime_type") == "text/html":
            text = child.astext()
            if 'class="pcbook-slider"' in text:
                return text
    return None


class SliderGrids(SphinxPostTransform):
    """Each slider output becomes a grid of its static frames (before myst-nb picks a MIME
    type: its choice for LaTeX would be the text/plain ``SliderFigure(...)``)."""

    default_priority = 3
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        outdir = Path(self.app.builder.outdir)
        for bundle in list(
            self.document.findall(
                lambda n: (
                    isinstance(n, nodes.container)
                    and n.get("nb_element") == "mime_bundle"
                )
            )
        ):
            text = _slider_html(bundle)
            if text is None:
                continue
            grid = slider_grid_latex(parse_slider_html(text), outdir)
            bundle.replace_self(nodes.raw("", grid, format="latex"))


# -- figures -------------------------------------------------------------------------------------
MIN_PPI = 200  # a raster figure is printed no larger than this density allows


def printed_width(pixels: int) -> str | None:
    """The width (percent of the line) that prints ``pixels`` at :data:`MIN_PPI` or more, or
    None when the full line width already does."""
    share = pixels / MIN_PPI / TEXT_WIDTH
    return None if share >= 1 else f"{100 * share:.0f}%"


class SharpFigures(SphinxPostTransform):
    """Raster figures (the notebooks' PNG outputs) are printed at :data:`MIN_PPI` or more: a
    figure stored at the website's 1x density prints narrower than the line, a 2x one full."""

    default_priority = 900
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        from PIL import Image

        for image in self.document.findall(nodes.image):
            uri = image.get("uri", "")
            if "width" in image or not uri.lower().endswith((".png", ".jpg")):
                continue
            path = Path(self.app.srcdir) / uri
            if not path.exists():
                continue
            with Image.open(path) as picture:
                width = printed_width(picture.width)
            if width is not None:
                image["width"] = width


# -- numbering ------------------------------------------------------------------------------------
SECTION_DEPTH = 2  # numbered chapters number their sections and subsections, as on the website


def _secnumdepth(depth: int) -> nodes.raw:
    return nodes.raw(
        "", f"\\setcounter{{secnumdepth}}{{{depth}}}\n", format="latex"
    )


class NumberLikeTheWebsite(SphinxPostTransform):
    """Chapters carry the website's numbers: the pages of the unnumbered parts (chapter 0, the
    notation, the pages for readers and teachers) print without a number and do not advance the
    chapter counter, so that chapter 1 is "The exact posterior" and its figures read "Fig. 1.1";
    parts print their captions ("Part I: ...") without LaTeX's own "Part I" in front."""

    default_priority = (
        790  # after sphinx-jupyterbook-latex has made the parts (700)
    )
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        from sphinx import addnodes

        for start in self.document.findall(addnodes.start_of_file):
            docname = start.get("docname")
            if docname not in self.env.found_docs:
                depth = -2  # a part made from a toctree caption
            elif self.env.toc_secnumbers.get(docname):
                depth = SECTION_DEPTH
            else:
                depth = -1
            start.insert(0, _secnumdepth(depth))


# -- solutions -----------------------------------------------------------------------------------
def edition(config) -> str:
    value = config.pcbook_edition
    if value not in EDITIONS:
        raise ValueError(
            f"pcbook_edition must be one of {EDITIONS}, not {value!r}"
        )
    return value


def _solution_nodes(document):
    from sphinx_exercise.nodes import solution_node

    return list(document.findall(solution_node))


class CollectSolutions(SphinxPostTransform):
    """Teacher's edition: solutions move to an appendix; student edition: solutions go."""

    # after sphinx-exercise has resolved the solutions' titles (21, 22) and after
    # sphinx-jupyterbook-latex has moved the parts to the end of the book (700)
    default_priority = 800
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        solutions = _solution_nodes(self.document)
        if edition(self.config) == "student":
            for solution in solutions:
                solution.parent.remove(solution)
            return
        if not solutions:
            return
        registry = self.env.sphinx_exercise_registry
        appendix = [
            nodes.raw(
                "",
                f"\n\\appendix\\setcounter{{secnumdepth}}{{{SECTION_DEPTH}}}\n"
                "\\chapter{Solutions to the exercises}"
                "\\label{pcbook:solutions}\n",
                format="latex",
            )
        ]
        current = None
        for solution in solutions:
            docname = registry[solution["target_label"]]["docname"]
            target = f"{docname}:{solution['label']}"
            chapter = self.env.titles[docname].astext()
            link = nodes.raw(
                "",
                f"\n\\begin{{flushright}}\\small\\hyperref[{target}]"
                f"{{Solution on page~\\pageref*{{{target}}}}}"
                "\\end{flushright}\n",
                format="latex",
            )
            solution.replace_self(link)
            if chapter != current:
                appendix.append(
                    nodes.raw(
                        "",
                        f"\n\\section*{{{_tex(chapter)}}}\n",
                        format="latex",
                    )
                )
                current = chapter
            appendix.append(solution)
        self.document.extend(appendix)


def _number_by_chapter(app, env) -> list:
    """Exercises numbered N.M as on the website: sphinx-jupyterbook-latex numbers figures by
    section (numfig_secnum_depth 2, so that the printed figures read "Fig. 1.3"), which would
    make exercise 1.2 of section 1.9 "1.9.2"; here the M-th exercise of chapter N is N.M."""
    if app.builder.format != "latex":
        return []
    for numbers in env.toc_fignumbers.values():
        exercises = numbers.get("exercise", {})
        ordered = sorted(exercises, key=exercises.get)
        for rank, node_id in enumerate(ordered, start=1):
            exercises[node_id] = (exercises[node_id][0], rank)
    return []


def setup(app):
    # after Sphinx numbers the figures and tools/sphinx_pcbook.py numbers chapter 0 (900)
    app.connect("env-get-updated", _number_by_chapter, priority=950)
    app.add_config_value(
        "pcbook_edition",
        os.environ.get("PCBOOK_EDITION", "teacher"),
        "",  # chosen at write time: both editions share one environment
    )
    app.add_post_transform(SliderGrids)
    app.add_post_transform(SharpFigures)
    app.add_post_transform(NumberLikeTheWebsite)
    app.add_post_transform(CollectSolutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
