"""Slider figures that are live in JupyterLab and still work on the static website.

:func:`slider_figure` joins a compute function and a plot function with sliders:

.. code-block:: python

    widgets.slider_figure(
        compute=lambda u, sigma_u: posterior.posterior_on_grid(u=u, sigma_u=sigma_u),
        plot=plots.plot_posterior,                # plot(result, ax) draws, returns nothing needed
        sliders={"u": widgets.Slider(0.5, 4.0, 0.25, value=2.0),
                 "sigma_u": widgets.Slider(0.25, 2.0, 0.25, value=1.0, label="sensory variance")},
    )

The returned object displays as one bundle with two views of the same figure:

* ``application/vnd.jupyter.widget-view+json``: live ipywidgets sliders and an image that is
  recomputed on every move. JupyterLab shows this one.
* ``text/html``: when the notebook is stored for the website (``make notebooks``) or checked by
  nbval (``make nbval``), which set ``PCBOOK_STATIC_SLIDERS=1`` (:data:`STATIC_FRAMES_ENV`), a
  self-contained slider with frames precomputed over the slider grid, switched in the browser by a
  few lines of inline JavaScript. The website shows this one (``nb_mime_priority_overrides`` in
  ``_config.yml``); it needs no kernel, no require.js and no widget manager, and makes no request.
  Run live (the variable unset), the cell skips those frames, the slow part, and the HTML view is
  the first frame alone.

Live and static frames are drawn at the same density (:data:`DENSITIES`, 2 pixels per CSS
pixel) and shown at the same size, ``figsize * dpi`` CSS pixels.

If ``compute`` or ``plot`` raises for some slider setting (a diverged simulation, an impossible
combination), the frame shows the error message in the figure instead of crashing.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import itertools
import json
import numbers
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from pcbook.validate import (
    MAX_ELEMENTS,
    check_cost,
    check_count,
    check_instance,
    check_int,
    check_positive,
    check_range,
    check_real,
)

__all__ = [
    "Slider",
    "Choice",
    "SliderFigure",
    "slider_figure",
    "render_png",
    "render_pngs",
    "MAX_FRAMES",
    "MAX_HTML_BYTES",
    "DENSITIES",
    "STATIC_FRAMES_ENV",
    "static_frames_wanted",
]

#: most frames a static slider may precompute (the product of every slider's static grid)
MAX_FRAMES = 160
#: largest self-contained HTML a slider may produce: a page with two sliders stays within its
#: 3 MB budget (about 0.5 MB of scripts, styles, fonts and static figures besides)
MAX_HTML_BYTES = 1_200_000
#: pixels per displayed (CSS) pixel of a static frame, tried in this order until the slider fits
#: MAX_HTML_BYTES: 2 is sharp on high-density (phone, retina) screens
DENSITIES = (2.0, 1.5, 1.0)
#: palette size of a static frame (at 2 pixels per CSS pixel 48 colours look like the original)
FRAME_COLORS = 48

#: most steps a live slider may have (more than a slider has pixels)
MAX_STEPS = 100_000
#: most rows (or columns) of Axes in one figure unless forced (the book's figures have at most 3)
MAX_PANELS = 100
#: set to 1 (by make notebooks and make nbval) to precompute the website's static frames
STATIC_FRAMES_ENV = "PCBOOK_STATIC_SLIDERS"

_COUNTER = itertools.count(1)


def static_frames_wanted() -> bool:
    """True when slider figures should precompute the website's frames: :data:`STATIC_FRAMES_ENV`
    is set to anything but 0 (the notebook is being stored for the website or checked by nbval)."""
    return os.environ.get(STATIC_FRAMES_ENV, "0") not in ("", "0")


@dataclass(frozen=True)
class Slider:
    """A numeric slider from ``low`` to ``high`` in steps of ``step``, starting at ``value``.

    ``static_step`` (a multiple of ``step``, default ``step``) sets the coarser grid of frames
    precomputed for the website; the live slider always moves in ``step``.
    """

    low: float
    high: float
    step: float
    value: float | None = None
    label: str | None = None
    static_step: float | None = None

    def __post_init__(self):
        low, high = (
            check_real(f"Slider {n}", getattr(self, n))
            for n in ("low", "high")
        )
        if not high > low:
            raise ValueError(f"Slider high: must exceed low={low}, got {high}")
        step = check_positive("Slider step", self.step)
        if step > high - low:
            raise ValueError(
                f"Slider step: must be at most high - low = {high - low}, got {step}"
            )
        _check_steps("Slider step", (high - low) / step, MAX_STEPS)
        if self.static_step is not None:
            static = check_positive("Slider static_step", self.static_step)
            _check_steps(
                "Slider static_step", (high - low) / static, MAX_FRAMES
            )
        if self.value is not None:
            check_range("Slider value", self.value, low, high)
        _check_label("Slider label", self.label)

    @property
    def is_int(self) -> bool:
        return all(
            isinstance(v, numbers.Integral)
            for v in (self.low, self.high, self.step)
        )

    def _grid(self, step: float) -> list:
        n = int(round((self.high - self.low) / step))
        values = self.low + step * np.arange(n + 1)
        values = values[values <= self.high + 1e-9 * step]
        return (
            [int(round(v)) for v in values]
            if self.is_int
            else [round(float(v), 10) for v in values]
        )

    @property
    def static_values(self) -> list:
        """The values precomputed for the website; always includes the start value."""
        values = self._grid(self.static_step or self.step)
        start = self.start
        if all(abs(v - start) > 1e-12 for v in values):
            values = sorted(values + [start])
        return values

    @property
    def start(self):
        """The slider's initial value: ``value``, or the middle of its grid."""
        if self.value is not None:
            return self.value
        grid = self._grid(self.step)
        return grid[len(grid) // 2]


@dataclass(frozen=True)
class Choice:
    """A slider over a list of discrete ``options`` (numbers or strings), starting at ``value``."""

    options: Sequence
    value: object = None
    label: str | None = None

    def __post_init__(self):
        if isinstance(self.options, str) or not isinstance(
            self.options, Sequence
        ):
            raise TypeError(
                "Choice options: expected a list of options, got "
                f"{type(self.options).__name__}"
            )
        if len(self.options) == 0:
            raise ValueError("Choice options: need at least one option")
        if self.value is not None and self.value not in list(self.options):
            raise ValueError(
                f"Choice value: must be one of {list(self.options)}, got {self.value!r}"
            )
        _check_label("Choice label", self.label)

    @property
    def static_values(self) -> list:
        return list(self.options)

    @property
    def start(self):
        return self.options[0] if self.value is None else self.value


def _check_steps(name: str, steps: float, limit: int) -> None:
    """Raise if a grid of ``steps`` steps (``(high - low) / step``) is longer than ``limit``."""
    if not steps <= limit:  # also refuses inf and nan
        raise ValueError(
            f"{name}: (high - low) / step gives {steps:.3g} steps, more than {limit}; "
            "use a coarser step"
        )


def _check_label(name: str, label) -> None:
    if label is not None:
        check_instance(name, label, str, "a string or None")


def _check_callable(name: str, func) -> None:
    if not callable(func):
        raise TypeError(
            f"{name}: expected a callable, got {type(func).__name__}"
        )


def _check_layout(
    figsize, dpi, nrows, ncols, density: float = 1.0, cost="figsize and dpi"
) -> None:
    """Refuse a figure layout that cannot be drawn: ``figsize`` (width, height) in inches,
    ``dpi``, and an ``nrows`` x ``ncols`` grid of Axes, each within the book's scale (a figure
    rendered at ``density`` pixels per dot with more than :data:`pcbook.validate.MAX_ELEMENTS`
    pixels, or more than :data:`MAX_PANELS` rows or columns, is refused unless forced; the
    message then names ``cost``)."""
    check_instance("figsize", figsize, (tuple, list), "(width, height)")
    if len(figsize) != 2:
        raise ValueError(
            f"figsize: expected (width, height) in inches, got {figsize!r}"
        )
    width, height = (
        check_positive(f"figsize {k}", inches)
        for k, inches in zip(("width", "height"), figsize)
    )
    dpi = check_positive("dpi", dpi)
    check_cost(
        cost,
        width * height * (dpi * density) * (dpi * density),
        MAX_ELEMENTS,
        "pixels",
    )
    check_count("nrows", nrows, 1, MAX_PANELS)
    check_count("ncols", ncols, 1, MAX_PANELS)


def _check_colors(colors) -> None:
    if colors is not None:
        check_int("colors", colors, 1, 256)


def _format_value(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _png_bytes(fig, dpi: float, colors: int | None) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    if not colors:
        return buffer.getvalue()
    from PIL import Image  # a matplotlib dependency

    buffer.seek(0)
    palette = (
        Image.open(buffer)
        .convert("RGB")
        .quantize(colors=colors, method=Image.Quantize.MEDIANCUT)
    )
    small = io.BytesIO()
    palette.save(small, format="PNG", optimize=True)
    return small.getvalue()


def render_pngs(
    draws,
    figsize=(6.0, 3.6),
    dpi: float = 100,
    nrows: int = 1,
    ncols: int = 1,
    colors: int | None = 128,
) -> list[bytes]:
    """Run each ``draw(ax)`` of ``draws`` on an off-screen figure and return the PNG bytes of each.

    ``ax`` is one Axes for a 1x1 grid and an array of Axes otherwise; every frame gets a fresh
    figure in the book's house style (``pcbook.mplstyle``, as the static figures) with constrained
    layout. No pyplot figure is created, so nothing is shown or leaked in a notebook. With
    ``colors`` each image is reduced to a palette of that many colours, about 4 times smaller with
    no visible change.
    """
    check_instance(
        "draws", draws, (list, tuple), "a list of draw(ax) functions"
    )
    for i, draw in enumerate(draws):
        _check_callable(f"draws[{i}]", draw)
    _check_layout(figsize, dpi, nrows, ncols)
    _check_colors(colors)
    import matplotlib.style
    from matplotlib.figure import Figure

    from pcbook.plotting import STYLE

    pngs = []
    with matplotlib.style.context(STYLE):
        for draw in draws:
            fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
            draw(fig.subplots(nrows, ncols, squeeze=True))
            pngs.append(_png_bytes(fig, dpi, colors))
    return pngs


def render_png(
    draw: Callable,
    figsize=(6.0, 3.6),
    dpi: float = 100,
    nrows: int = 1,
    ncols: int = 1,
    colors: int | None = 128,
) -> bytes:
    """The PNG bytes of one ``draw(ax)``; see :func:`render_pngs`."""
    _check_callable("draw", draw)
    return render_pngs([draw], figsize, dpi, nrows, ncols, colors)[0]


class SliderFigure:
    """A figure with sliders; see the module docstring. Build it with :func:`slider_figure`."""

    def __init__(
        self,
        compute,
        plot,
        sliders,
        fixed=None,
        figsize=(6.0, 3.6),
        nrows=1,
        ncols=1,
        dpi=100,
        caption="",
        alt="",
    ):
        _check_callable("compute", compute)
        _check_callable("plot", plot)
        check_instance("sliders", sliders, dict, "a dict of name -> Slider")
        if not sliders:
            raise ValueError("sliders: need at least one slider")
        for name, spec in sliders.items():
            check_instance("sliders keys", name, str, "argument names (str)")
            check_instance(
                f"sliders[{name!r}]",
                spec,
                (Slider, Choice),
                "a widgets.Slider or widgets.Choice",
            )
        if fixed is not None:
            check_instance("fixed", fixed, dict, "a dict or None")
            both = sorted(set(fixed) & set(sliders))
            if both:
                raise ValueError(
                    f"fixed: {both} also have sliders; give each argument once"
                )
        _check_layout(figsize, dpi, nrows, ncols, DENSITIES[0])
        check_instance("caption", caption, str, "a string")
        check_instance("alt", alt, str, "a string describing the figure")
        self.compute, self.plot = compute, plot
        self.sliders = dict(sliders)
        self.fixed = dict(fixed or {})
        self.figsize, self.nrows, self.ncols, self.dpi = (
            tuple(figsize),
            nrows,
            ncols,
            dpi,
        )
        self.caption, self.alt = caption, alt
        n_frames = int(
            np.prod([len(s.static_values) for s in self.sliders.values()])
        )
        if n_frames > MAX_FRAMES:
            sizes = ", ".join(
                f"{k}: {len(s.static_values)}" for k, s in self.sliders.items()
            )
            raise ValueError(
                f"sliders: the static grid has {n_frames} frames ({sizes}), more than MAX_FRAMES="
                f"{MAX_FRAMES}; give a Slider a coarser static_step"
            )
        self._widget = None
        self._first_png = None

    # -- computing one frame ------------------------------------------------------------
    def draw(self, axes, **values) -> None:
        """Compute and draw the figure for one setting of the sliders on ``axes``."""
        from matplotlib.axes import Axes

        from pcbook.plotting import annotate_failure

        for ax in np.ravel(axes):
            check_instance(
                "axes", ax, Axes, "a matplotlib Axes or an array of them"
            )
        try:
            result = self.compute(**self.fixed, **values)
            self.plot(result, axes)
        except Exception as err:  # a slider must never crash the figure
            for ax in np.ravel(axes):
                ax.clear()
            annotate_failure(
                np.ravel(axes)[0], f"cannot show this setting:\n{err}"
            )

    def png(self, **values) -> bytes:
        """The PNG of the figure at one setting of the sliders, drawn at the first of
        :data:`DENSITIES` (2 pixels per CSS pixel, as the website's frames) and not reduced to a
        palette: what the live view shows."""
        return render_png(
            lambda axes: self.draw(axes, **values),
            self.figsize,
            self.dpi * DENSITIES[0],
            self.nrows,
            self.ncols,
            colors=None,
        )

    def first_png(self) -> bytes:
        """The PNG of the start setting (computed once; the live view and its HTML share it)."""
        if self._first_png is None:
            self._first_png = self.png(**self.start_values)
        return self._first_png

    @property
    def start_values(self) -> dict:
        """Every slider at its start value."""
        return {name: spec.start for name, spec in self.sliders.items()}

    @property
    def css_size(self) -> tuple[int, int]:
        """The (width, height) in CSS pixels a static frame is shown at: ``figsize * dpi``."""
        return round(self.figsize[0] * self.dpi), round(
            self.figsize[1] * self.dpi
        )

    def frames(
        self, density: float = DENSITIES[0]
    ) -> tuple[list[list], list[str]]:
        """Every slider's static values and the base64 PNG of every grid point (row-major),
        rendered at ``density`` pixels per CSS pixel."""
        density = check_positive("density", density)
        _check_layout(
            self.figsize, self.dpi, self.nrows, self.ncols, density, "density"
        )
        names = list(self.sliders)
        grids = [self.sliders[n].static_values for n in names]
        draws = [
            functools.partial(self.draw, **dict(zip(names, combo)))
            for combo in itertools.product(*grids)
        ]
        pngs = render_pngs(
            draws,
            self.figsize,
            self.dpi * density,
            self.nrows,
            self.ncols,
            FRAME_COLORS,
        )
        return grids, [base64.b64encode(png).decode("ascii") for png in pngs]

    def frame_alt(self, values: dict) -> str:
        """Alt text of one frame: the figure's description and the slider values it shows."""
        check_instance(
            "values", values, dict, "a dict of slider name -> value"
        )
        shown = ", ".join(
            f"{self.sliders[n].label or n} = {_format_value(v)}"
            for n, v in values.items()
        )
        return f"{self.alt or 'Figure'} ({shown})"

    # -- the two views ------------------------------------------------------------------
    def static_html(self) -> str:
        """A self-contained HTML slider (no kernel, no external request).

        Frames are drawn at the first of :data:`DENSITIES` (2 pixels per CSS pixel) whose slider
        fits :data:`MAX_HTML_BYTES`, and shown at :attr:`css_size` like a static figure."""
        for density in DENSITIES:
            text = self._static_html(density)
            if len(text) <= MAX_HTML_BYTES:
                return text
        raise ValueError(
            f"sliders: the static slider is {len(text) / 1e6:.1f} MB even at {DENSITIES[-1]:g} pixel per "
            f"CSS pixel, over {MAX_HTML_BYTES / 1e6:.1f} MB; use fewer frames (a coarser static_step) "
            "or a smaller figsize"
        )

    def _static_html(self, density: float) -> str:
        names = list(self.sliders)
        grids, pngs = self.frames(density)
        width, height = self.css_size
        uid = f"pcbook-slider-{next(_COUNTER)}"
        start = [
            grid.index(
                min(grid, key=lambda v: _distance(v, self.sliders[n].start))
            )
            for n, grid in zip(names, grids)
        ]
        controls = []
        for k, (name, grid) in enumerate(zip(names, grids)):
            label = html.escape(self.sliders[name].label or name)
            controls.append(
                f'<label class="pcbook-slider-row"><span class="pcbook-slider-name">{label}</span>'
                f'<input type="range" min="0" max="{len(grid) - 1}" step="1" value="{start[k]}" '
                f'aria-label="{label}"><output>{html.escape(_format_value(grid[start[k]]))}</output></label>'
            )
        labels = [[_format_value(v) for v in grid] for grid in grids]
        first = int(np.ravel_multi_index(start, [len(g) for g in grids]))
        alts = [
            self.frame_alt(dict(zip(names, combo)))
            for combo in itertools.product(*grids)
        ]
        caption = (
            f'<div class="pcbook-slider-caption">{html.escape(self.caption)}</div>'
            if self.caption
            else ""
        )
        text = (
            f'<div class="pcbook-slider" id="{uid}">'
            f'<div class="pcbook-slider-controls">{"".join(controls)}</div>'
            f'<img class="pcbook-slider-frame" width="{width}" height="{height}" '
            f'alt="{html.escape(alts[first])}" src="data:image/png;base64,{pngs[first]}">{caption}'
            '<div class="pcbook-slider-note">Static preview: frames were computed when the notebook ran. '
            "Run the notebook for the live version with finer steps.</div>"
            f'<script>(function(){{var root=document.getElementById("{uid}");'
            f"var frames={json.dumps(pngs)};var alts={json.dumps(alts)};var labels={json.dumps(labels)};"
            f"var sizes={json.dumps([len(g) for g in grids])};"
            'var inputs=root.querySelectorAll("input");var outs=root.querySelectorAll("output");'
            'var img=root.querySelector("img");'
            "function update(){var idx=0;for(var i=0;i<inputs.length;i++){var v=parseInt(inputs[i].value);"
            "idx=idx*sizes[i]+v;outs[i].textContent=labels[i][v];}"
            'img.src="data:image/png;base64,"+frames[idx];img.alt=alts[idx];}'
            'for(var i=0;i<inputs.length;i++){inputs[i].addEventListener("input",update);}'
            "})();</script></div>"
        )
        return text

    def widget(self):
        """The live ipywidgets view: sliders above an image recomputed on every change."""
        if self._widget is not None:
            return self._widget
        import ipywidgets as ipw

        controls = {}
        for name, spec in self.sliders.items():
            desc = spec.label or name
            style = {"description_width": "initial"}
            if isinstance(spec, Choice):
                controls[name] = ipw.SelectionSlider(
                    options=list(spec.options),
                    value=spec.start,
                    description=desc,
                    style=style,
                )
            elif spec.is_int:
                controls[name] = ipw.IntSlider(
                    value=spec.start,
                    min=spec.low,
                    max=spec.high,
                    step=spec.step,
                    description=desc,
                    style=style,
                )
            else:
                controls[name] = ipw.FloatSlider(
                    value=spec.start,
                    min=spec.low,
                    max=spec.high,
                    step=spec.step,
                    description=desc,
                    style=style,
                    continuous_update=False,
                    readout_format=".3g",
                )
        width, height = self.css_size
        image = ipw.Image(
            format="png",
            value=self.first_png(),
            width=str(width),
            height=str(height),
        )

        def refresh(_change=None):
            image.value = self.png(**{k: c.value for k, c in controls.items()})

        for control in controls.values():
            control.observe(refresh, names="value")
        self._widget = ipw.VBox([*controls.values(), image])
        return self._widget

    def live_html(self) -> str:
        """The HTML view of a live run: the start setting's frame alone, at :attr:`css_size`."""
        width, height = self.css_size
        png = base64.b64encode(self.first_png()).decode("ascii")
        alt = html.escape(self.frame_alt(self.start_values))
        return (
            f'<div class="pcbook-slider"><img class="pcbook-slider-frame" width="{width}" '
            f'height="{height}" alt="{alt}" src="data:image/png;base64,{png}">'
            '<div class="pcbook-slider-note">Run this cell in JupyterLab to move the sliders.'
            "</div></div>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The live widget and an HTML view: every static frame when :func:`static_frames_wanted`
        (the notebook is stored for the website or checked by nbval), else the first frame."""
        bundle = {
            "text/plain": f"SliderFigure({', '.join(self.sliders)})",
            "text/html": self.static_html()
            if static_frames_wanted()
            else self.live_html(),
        }
        try:
            widget = self.widget()
            bundle["application/vnd.jupyter.widget-view+json"] = {
                "version_major": 2,
                "version_minor": 0,
                "model_id": widget.model_id,
            }
        except ImportError:  # ipywidgets missing: the static view still works
            pass
        return bundle


def _distance(a, b) -> float:
    if isinstance(a, numbers.Real) and isinstance(b, numbers.Real):
        return abs(float(a) - float(b))
    return 0.0 if a == b else 1.0


def slider_figure(
    compute: Callable,
    plot: Callable,
    sliders: dict,
    *,
    fixed: dict | None = None,
    figsize=(6.0, 3.6),
    nrows: int = 1,
    ncols: int = 1,
    dpi: float = 100,
    caption: str = "",
    alt: str = "",
) -> SliderFigure:
    """A figure driven by sliders, live in JupyterLab and precomputed for the website.

    Parameters
    ----------
    compute : callable
        ``compute(**fixed, **slider_values) -> result``; holds no plotting code.
    plot : callable
        ``plot(result, ax)`` draws ``result`` on ``ax`` (an Axes, or an array of Axes when
        ``nrows * ncols > 1``).
    sliders : dict of str -> Slider or Choice
        One entry per keyword argument of ``compute`` that the reader can move.
    fixed : dict, optional
        Further keyword arguments passed to ``compute`` unchanged.
    figsize, nrows, ncols : figure layout of every frame.
    dpi : float
        CSS pixels per inch of ``figsize``: a frame is shown ``figsize * dpi`` CSS pixels wide
        (100, as the static figures, so its text is as large as theirs) and rendered at twice that
        for high-density screens (see :data:`DENSITIES`).
    caption : str
        Text shown under the static figure. The chapters give the caption as the code cell's
        ``mystnb.figure.caption`` metadata instead, which numbers the figure.
    alt : str
        What the figure shows, for readers who cannot see it; each frame's alt text adds the
        slider values it shows ("... (u = 2, sensory variance = 1)").

    Returns
    -------
    SliderFigure
        Display it (last expression of a cell) to show the sliders.
    """
    return SliderFigure(
        compute,
        plot,
        sliders,
        fixed=fixed,
        figsize=figsize,
        nrows=nrows,
        ncols=ncols,
        dpi=dpi,
        caption=caption,
        alt=alt,
    )
