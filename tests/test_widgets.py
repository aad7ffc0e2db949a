import base64
import json
import re

import pytest

from pcbook import widgets


def _compute(a, b=1.0):
    if b > 2.5:
        raise ValueError("b too large: the simulation diverged")
    return (a, b)


def _plot(result, ax):
    a, b = result
    ax.plot([0, 1], [a, b])
    ax.set_ylim(-5, 5)


def _frames(html):
    return json.loads(re.search(r"var frames=(\[.*?\]);", html).group(1))


def test_static_html_has_one_frame_per_grid_point_and_no_external_reference():
    fig = widgets.slider_figure(
        _compute,
        _plot,
        {
            "a": widgets.Slider(-1.0, 1.0, 0.1, value=0.0, static_step=0.5),
            "b": widgets.Choice([1.0, 2.0], value=2.0),
        },
    )
    html = fig.static_html()
    frames = _frames(html)
    assert len(frames) == 5 * 2
    assert all(base64.b64decode(f)[:8] == b"\x89PNG\r\n\x1a\n" for f in frames)
    assert len(set(frames)) == len(frames), (
        "different slider values must give different figures"
    )
    assert "http://" not in html and "https://" not in html
    assert html.count('type="range"') == 2


def test_start_value_is_on_the_static_grid_and_shown_first():
    slider = widgets.Slider(0.0, 1.0, 0.05, value=0.35, static_step=0.25)
    assert 0.35 in slider.static_values
    fig = widgets.slider_figure(_compute, _plot, {"a": slider})
    html = fig.static_html()
    frames = _frames(html)
    first = re.search(r'src="data:image/png;base64,([^"]+)"', html).group(1)
    assert first == frames[slider.static_values.index(0.35)]


def test_a_failing_setting_draws_a_message_instead_of_crashing():
    fig = widgets.slider_figure(
        _compute,
        _plot,
        {"b": widgets.Slider(1.0, 3.0, 1.0, value=1.0)},
        fixed={"a": 0.0},
    )
    png = fig.png(b=3.0)
    assert png[:4] == b"\x89PNG"
    assert len(_frames(fig.static_html())) == 3


def test_too_many_frames_is_a_clear_error():
    sliders = {name: widgets.Slider(0, 20, 1) for name in "xy"}
    with pytest.raises(ValueError, match="static_step"):
        widgets.slider_figure(lambda x, y: None, _plot, sliders)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"low": 1.0, "high": 0.0, "step": 0.1}, ValueError, "high"),
        ({"low": 0.0, "high": 1.0, "step": 0.0}, ValueError, "step"),
        (
            {"low": 0, "high": 1, "step": 0.1, "value": 2.0},
            ValueError,
            "value",
        ),
        ({"low": 0, "high": float("inf"), "step": 1}, ValueError, "high"),
        ({"low": float("nan"), "high": 1, "step": 1}, ValueError, "low"),
        ({"low": 0, "high": 1, "step": float("nan")}, ValueError, "step"),
        ({"low": 0, "high": 1, "step": 2}, ValueError, "step"),
        ({"low": 0, "high": 1e308, "step": 1e-308}, ValueError, "step"),
        ({"low": 0, "high": 1, "step": 0.5, "value": "a"}, TypeError, "value"),
        ({"low": "0", "high": 1, "step": 0.5}, TypeError, "low"),
        ({"low": True, "high": 2, "step": 1}, TypeError, "low"),
        (
            {"low": 0, "high": 1, "step": 0.5, "static_step": -1},
            ValueError,
            "static_step",
        ),
        (
            {"low": 0, "high": 1, "step": 1e-4, "static_step": 1e-3},
            ValueError,
            "static_step",
        ),
        ({"low": 0, "high": 1, "step": 0.5, "label": 3}, TypeError, "label"),
    ],
)
def test_slider_validation(kwargs, error, match):
    with pytest.raises(error, match=f"Slider {match}"):
        widgets.Slider(**kwargs)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"options": "abc"}, TypeError, "options"),
        ({"options": []}, ValueError, "options"),
        ({"options": [1, 2], "value": 3}, ValueError, "value"),
        ({"options": [1, 2], "label": ["x"]}, TypeError, "label"),
    ],
)
def test_choice_validation(kwargs, error, match):
    with pytest.raises(error, match=f"Choice {match}"):
        widgets.Choice(**kwargs)


_ONE = {"a": widgets.Slider(-1, 1, 1, value=0)}


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"compute": None}, TypeError, "compute"),
        ({"plot": 3}, TypeError, "plot"),
        ({"sliders": [("a", _ONE["a"])]}, TypeError, "sliders"),
        ({"sliders": {}}, ValueError, "sliders"),
        ({"sliders": {"a": (0, 1)}}, TypeError, r"sliders\['a'\]"),
        ({"fixed": {"a": 1}}, ValueError, "fixed"),
        ({"fixed": [1]}, TypeError, "fixed"),
        ({"figsize": (6.0,)}, ValueError, "figsize"),
        ({"figsize": (6.0, float("inf"))}, ValueError, "figsize height"),
        ({"figsize": "wide"}, TypeError, "figsize"),
        ({"nrows": 0}, ValueError, "nrows"),
        ({"ncols": 1.5}, TypeError, "ncols"),
        ({"dpi": 0}, ValueError, "dpi"),
        ({"caption": None}, TypeError, "caption"),
        ({"alt": 1}, TypeError, "alt"),
    ],
)
def test_slider_figure_validation(kwargs, error, match):
    arguments = {"compute": _compute, "plot": _plot, "sliders": _ONE}
    with pytest.raises(error, match=match):
        widgets.slider_figure(**{**arguments, **kwargs})


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"draw": None}, TypeError, "draw: expected a callable"),
        ({"figsize": None}, TypeError, "figsize"),
        ({"figsize": (1.0, -1.0)}, ValueError, "figsize height"),
        ({"dpi": True}, TypeError, "dpi"),
        ({"dpi": 1e6}, ValueError, "figsize and dpi: .* pixels"),
        ({"nrows": 0}, ValueError, "nrows"),
        ({"ncols": 10**9}, ValueError, "ncols: .* beyond the book's scale"),
        ({"colors": 0}, ValueError, "colors"),
        ({"colors": 257}, ValueError, "colors"),
        ({"colors": "many"}, TypeError, "colors"),
    ],
)
def test_render_png_validation(kwargs, error, match):
    arguments = {"draw": lambda ax: ax.plot([0, 1]), "figsize": (1, 1)}
    with pytest.raises(error, match=match):
        widgets.render_png(**{**arguments, "dpi": 20, **kwargs})


def test_render_pngs_names_the_draw_that_is_not_callable():
    with pytest.raises(TypeError, match=r"draws\[1\]"):
        widgets.render_pngs([lambda ax: None, "plot"], figsize=(1, 1))
    with pytest.raises(TypeError, match="draws: expected a list"):
        widgets.render_pngs(lambda ax: None, figsize=(1, 1))


def test_render_png_draws_with_a_palette_or_in_full_colour():
    draw = lambda ax: ax.imshow([[0.0, 1.0]], cmap="viridis")
    full, few = (
        widgets.render_png(draw, figsize=(1, 1), dpi=20, colors=c)
        for c in (None, 2)
    )
    assert full[:4] == few[:4] == b"\x89PNG" and full != few


def _counting_compute(calls):
    def compute(a, b=1.0):
        calls.append((a, b))
        return _compute(a, b)

    return compute


def test_bundle_offers_the_live_widget_and_the_static_html(monkeypatch):
    monkeypatch.setenv(widgets.STATIC_FRAMES_ENV, "1")
    fig = widgets.slider_figure(
        _compute, _plot, {"a": widgets.Slider(-1, 1, 1, value=0)}
    )
    bundle = fig._repr_mimebundle_()
    assert {
        "text/html",
        "text/plain",
        "application/vnd.jupyter.widget-view+json",
    } <= set(bundle)
    assert len(_frames(bundle["text/html"])) == 3
    live = fig.widget()
    slider = live.children[0]
    image = live.children[-1]
    before = image.value
    slider.value = 1
    assert image.value != before, (
        "moving the live slider must redraw the image"
    )


@pytest.mark.parametrize("unset", [None, "0", ""])
def test_a_live_run_draws_only_the_first_frame(monkeypatch, unset):
    if unset is None:
        monkeypatch.delenv(widgets.STATIC_FRAMES_ENV, raising=False)
    else:
        monkeypatch.setenv(widgets.STATIC_FRAMES_ENV, unset)
    calls = []
    fig = widgets.slider_figure(
        _counting_compute(calls),
        _plot,
        {
            "a": widgets.Slider(-1.0, 1.0, 0.1, value=0.5, static_step=0.5),
            "b": widgets.Choice([1.0, 2.0], value=2.0),
        },
        figsize=SMALL,
    )
    bundle = fig._repr_mimebundle_()
    assert calls == [(0.5, 2.0)], "a live cell computes its first frame once"
    page = bundle["text/html"]
    assert "var frames" not in page and page.count("data:image/png") == 1
    shown = re.search(r'src="data:image/png;base64,([^"]+)"', page).group(1)
    image = fig.widget().children[-1]
    assert base64.b64decode(shown) == image.value, (
        "the HTML view shows the live image's first frame"
    )


def test_live_frames_are_as_crisp_as_the_static_ones():
    from PIL import Image
    import io

    fig = widgets.slider_figure(
        _compute,
        _plot,
        {"a": widgets.Slider(-1, 1, 1, value=0)},
        figsize=SMALL,
    )
    width, height = fig.css_size
    image = fig.widget().children[-1]
    pixels = Image.open(io.BytesIO(image.value)).size
    density = widgets.DENSITIES[0]
    assert pixels[0] >= density * width and pixels[1] >= density * height
    assert (image.width, image.height) == (str(width), str(height)), (
        "shown at the static frames' CSS size"
    )
    static = Image.open(
        io.BytesIO(base64.b64decode(_frames(fig.static_html())[1]))
    )
    assert static.size == pixels


def test_integer_sliders_give_integer_values():
    seen = []
    fig = widgets.slider_figure(
        lambda k: seen.append(k) or k,
        lambda r, ax: ax.plot([r]),
        {"k": widgets.Slider(1, 5, 2)},
    )
    fig.static_html()
    assert seen == [1, 3, 5] and all(isinstance(k, int) for k in seen)


#: a small frame keeps these tests fast
SMALL = (2.0, 1.2)


def _alts(html):
    return json.loads(re.search(r"var alts=(\[.*?\]);", html).group(1))


def test_frames_are_drawn_for_high_density_screens_and_shown_at_the_static_figures_size():
    from PIL import Image
    import io

    fig = widgets.slider_figure(
        _compute,
        _plot,
        {"a": widgets.Slider(-1, 1, 1, value=0)},
        figsize=(3.0, 1.8),
    )
    html = fig.static_html()
    width, height = fig.css_size
    assert (width, height) == (300, 180), (
        "shown at 100 CSS pixels per inch, like the static figures"
    )
    assert f'width="{width}" height="{height}"' in html
    for frame in _frames(html):
        image = Image.open(io.BytesIO(base64.b64decode(frame)))
        assert image.size[0] >= 2 * width and image.size[1] >= 2 * height, (
            image.size
        )


def test_frames_are_deterministic():
    sliders = {"a": widgets.Slider(-1, 1, 1, value=0)}
    first = widgets.slider_figure(
        _compute, _plot, sliders, figsize=SMALL
    ).static_html()
    again = widgets.slider_figure(
        _compute, _plot, sliders, figsize=SMALL
    ).static_html()
    strip = lambda h: re.sub(r"pcbook-slider-\d+", "", h)  # noqa: E731 - the id counts sliders
    assert strip(first) == strip(again)


def test_every_frame_has_alt_text_naming_its_slider_values():
    fig = widgets.slider_figure(
        _compute,
        _plot,
        {
            "a": widgets.Slider(-1, 1, 1, value=0, label="weight"),
            "b": widgets.Choice([1.0, 2.0], value=1.0),
        },
        alt="A line from a to b",
        figsize=SMALL,
    )
    html = fig.static_html()
    alts = _alts(html)
    assert len(alts) == len(_frames(html)) == 3 * 2
    assert alts[0] == "A line from a to b (weight = -1, b = 1)"
    assert len(set(alts)) == len(alts), (
        "each frame's alt text names its own values"
    )
    shown = re.search(r'<img[^>]*alt="([^"]*)"', html).group(1)
    assert shown == "A line from a to b (weight = 0, b = 1)", (
        "the first frame shown is the start value's"
    )


def test_a_slider_too_heavy_for_two_pixels_per_css_pixel_falls_back_to_fewer(
    monkeypatch,
):
    sliders = {"a": widgets.Slider(-1, 1, 1, value=0)}
    full = widgets.slider_figure(
        _compute, _plot, sliders, figsize=SMALL
    ).static_html()
    monkeypatch.setattr(widgets, "MAX_HTML_BYTES", len(full) - 1)
    lighter = widgets.slider_figure(
        _compute, _plot, sliders, figsize=SMALL
    ).static_html()
    assert len(lighter) < len(full)
    monkeypatch.setattr(widgets, "MAX_HTML_BYTES", 1000)
    with pytest.raises(ValueError, match="static_step"):
        widgets.slider_figure(
            _compute, _plot, sliders, figsize=SMALL
        ).static_html()


def test_caption_argument_still_shows_under_the_frame():
    fig = widgets.slider_figure(
        _compute,
        _plot,
        {"a": widgets.Slider(-1, 1, 1, value=0)},
        caption="A & B",
        figsize=SMALL,
    )
    assert (
        '<div class="pcbook-slider-caption">A &amp; B</div>'
        in fig.static_html()
    )


# -- progress bars (pcbook.progress) leave no dead widget in a saved notebook ----------


def _run_in_a_kernel(code: str, monkeypatch):
    """Run ``code`` in one notebook cell of a real kernel; return the cell and the display
    messages the browser received while it ran."""
    import nbformat
    from nbclient import NotebookClient

    class Recorder(NotebookClient):
        def process_message(self, msg, cell, cell_index):
            kind = msg["msg_type"]
            if kind in ("display_data", "update_display_data", "stream"):
                messages.append((kind, msg["content"]))
            return super().process_message(msg, cell, cell_index)

    messages = []
    monkeypatch.delenv("PCBOOK_QUIET", raising=False)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    Recorder(nb, kernel_name="python3", timeout=120).execute()
    return nb.cells[0], messages


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"iterable": None}, TypeError, "iterable"),
        ({"iterable": "abc"}, TypeError, "iterable: .*not a string"),
        ({"desc": 1.5}, TypeError, "desc"),
        ({"total": "3"}, TypeError, "total"),
        ({"total": -1}, ValueError, "total"),
    ],
)
def test_progress_validation(kwargs, error, match):
    from pcbook.progress import progress

    with pytest.raises(error, match=match):
        progress(**{"iterable": range(3), **kwargs})


def test_a_notebook_progress_bar_shows_then_leaves_nothing_widget_like(
    monkeypatch,
):
    cell, messages = _run_in_a_kernel(
        "import time\n"
        "from pcbook import progress\n"
        "progress.NOTEBOOK_REFRESH = 0.05\n"
        "for i in progress.progress(range(6), desc='training'):\n"
        "    for j in progress.progress(range(2), desc='inner'):\n"
        "        time.sleep(0.03)\n"
        "for i in progress.progress(iter(int, 1), desc='open-ended'):\n"
        "    if i == 0:\n"
        "        break\n"
        "print('done')\n",
        monkeypatch,
    )
    shown = [
        c["data"]["text/plain"] for kind, c in messages if kind != "stream"
    ]
    assert any(
        line.startswith("training:") and "/6" in line for line in shown
    ), f"the bar was never shown: {shown}"
    assert any(kind == "update_display_data" for kind, _ in messages), (
        "the bar is never redrawn in place"
    )
    widget_like = [
        o
        for o in cell.outputs
        if any("widget" in mime for mime in o.get("data", {}))
    ]
    assert not widget_like, widget_like
    left = [
        o.get("text", "") or o.get("data", {}).get("text/plain", "")
        for o in cell.outputs
    ]
    assert [text for text in left if text.strip()] == ["done\n"], (
        f"a finished bar leaves text behind: {left}"
    )
