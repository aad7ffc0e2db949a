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
* ``text/html``: a self-contained slider with frames precomputed over the slider grid while the
  notebook executes, switched in the browser by a few lines of inline JavaScript. The website shows
  this one (``nb_mime_priority_overrides`` in ``_config.yml``); it needs no kernel, no require.js and
  no widget manager, and makes no request.

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

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

_COUNTER = itertools.count(1)


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
        for name in ("low", "high", "step"):
            if not isinstance(getattr(self, name), numbers.Real):
                raise TypeError(
                    f"Slider {name}: expected a number, got {getattr(self, name)!r}"
                )
        if not self.high > self.low:
            raise ValueError(
                f"Slider high: must exceed low={self.low}, got {self.high}"
            )
        if not self.step > 0:
            raise ValueError(f"Slider step: must be > 0, got {self.step}")
        if self.value is not None and not self.low <= self.value <= self.high:
            raise ValueError(
                f"Slider value: must lie in [{self.low}, {self.high}], got {self.value}"
            )

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
        if len(self.options) == 0:
            raise ValueError("Choice options: need at least one option")
        if self.value is not None and self.value not in list(self.options):
            raise ValueError(
                f"Choice value: must be one of {list(self.options)}, got {self.value!r}"
            )

    @property
    def static_values(self) -> list:
        return list(self.options)

    @property
    def start(self):
        return self.options[0] if self.value is None else self.value


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
        if not callable(compute) or not callable(plot):
            raise TypeError("compute and plot: both must be callables")
        if not sliders:
            raise ValueError("sliders: need at least one slider")
        for name, spec in sliders.items():
            if not isinstance(spec, (Slider, Choice)):
                raise TypeError(
                    f"sliders[{name!r}]: expected a widgets.Slider or widgets.Choice"
                )
        self.compute, self.plot = compute, plot
        self.sliders = dict(sliders)
        self.fixed = dict(fixed or {})
        self.figsize, self.nrows, self.ncols, self.dpi = (
            figsize,
            nrows,
            ncols,
            dpi,
        )
        self.caption = caption
        if not isinstance(alt, str):
            raise TypeError(
                f"alt: expected a string describing the figure, got {alt!r}"
            )
        self.alt = alt
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

    # -- computing one frame ------------------------------------------------------------
    def draw(self, axes, **values) -> None:
        """Compute and draw the figure for one setting of the sliders on ``axes``."""
        from pcbook.plotting import annotate_failure

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
        """The PNG of the figure at one setting of the sliders (one pixel per CSS pixel)."""
        return render_png(
            lambda axes: self.draw(axes, **values),
            self.figsize,
            self.dpi,
            self.nrows,
            self.ncols,
        )

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
        image = ipw.Image(
            format="png",
            value=self.png(**{k: c.value for k, c in controls.items()}),
        )

        def refresh(_change=None):
            image.value = self.png(**{k: c.value for k, c in controls.items()})

        for control in controls.values():
            control.observe(refresh, names="value")
        self._widget = ipw.VBox([*controls.values(), image])
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {
            "text/plain": f"SliderFigure({', '.join(self.sliders)})",
            "text/html": self.static_html(),
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
