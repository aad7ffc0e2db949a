"""A real JupyterLab 4 (with jupyterlab-myst) in headless Chromium shows a chapter and a student
notebook as the website does: no raw MyST, answers collapsed, Run All without an error output,
live sliders. Run by `make site`; needs Debian's chromium (make provision-test)."""

from __future__ import annotations

import time

import pytest

import labdriver

KINDS = ["chapter", "student"]


@pytest.mark.parametrize("kind", KINDS)
def test_no_raw_myst_is_visible(notebook, kind):
    page = notebook(kind)
    raw = labdriver.raw_markup(page)
    assert raw == [], (
        f"{kind}: {len(raw)} lines of raw MyST visible: {raw[:8]}"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_answers_are_collapsed_until_opened(notebook, lab_files, kind):
    page = notebook(kind)
    answers = labdriver.answer_fragments(lab_files[kind])
    assert answers, f"{kind}: found no answers to check"
    seen = labdriver.words(labdriver.visible_text(page))
    shown = [a for a in answers if a in seen]
    assert shown == [], f"{kind}: answers visible before a click: {shown[:5]}"
    # opening them shows them: the check above can see an answer when it is there
    if kind == "student":
        for summary in page.query_selector_all(
            ".jp-Notebook details > summary"
        ):
            summary.click()
    else:
        page.evaluate(
            "window.jupyterapp.commands.execute('notebook:show-all-cell-code')"
        )
        page.evaluate(
            "window.jupyterapp.commands.execute('notebook:show-all-cell-outputs')"
        )
    time.sleep(1.0)
    seen = labdriver.words(labdriver.visible_text(page))
    assert any(a in seen for a in answers), f"{kind}: opened answers not seen"


@pytest.mark.parametrize("kind", KINDS)
def test_run_all_gives_no_error_output(notebook, kind):
    page = notebook(kind)
    unrun = labdriver.run_all(page, timeout=120)
    errors = labdriver.error_outputs(page)
    assert errors == [], f"{kind}: error outputs after Run All: {errors[:3]}"
    assert unrun == 0, f"{kind}: {unrun} code cells did not run"


def test_moving_a_slider_changes_the_figure(notebook):
    page = notebook("chapter")  # Run All above made its sliders live
    handle = page.locator(".jp-Notebook .widget-slider .noUi-handle").first
    image = page.locator(".jp-Notebook img.widget-image").first
    handle.wait_for(timeout=30_000)
    before = image.get_attribute("src")
    handle.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "([el, src]) => el.getAttribute('src') !== src",
        arg=[image.element_handle(), before],
        timeout=20_000,
    )
    assert image.get_attribute("src") != before
