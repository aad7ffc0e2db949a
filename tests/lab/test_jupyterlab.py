"""A real JupyterLab 4 (with jupyterlab-myst) in headless Chromium shows a chapter and a student
notebook as the website does: no raw MyST, answers collapsed, Run All without an error output,
live sliders. Run by `make site`; needs Debian's chromium (make provision-test)."""

from __future__ import annotations

import re
import time

import nbformat
import pytest

import labdriver
from pcbook.classroom.exercises import _SOL_END, find_exercises

KINDS = ["chapter", "student"]
_PLAIN = re.compile(r"[A-Za-z0-9 ,.;:()=+\-]{30,}")


def _words(text: str) -> str:
    return " ".join(text.split())


def plain_fragments(text: str) -> list[str]:
    """Runs of plain words in markdown or code that render as themselves (no markup, quotes
    or math), long enough to be distinctive."""
    return [
        _words(m.group(0))
        for line in text.splitlines()
        if "$" not in line
        for m in _PLAIN.finditer(line)
        if len(_words(m.group(0))) >= 30
    ]


def hidden_answers(kind: str, files) -> list[str]:
    """Fragments of what must stay collapsed: a chapter's solution cells, a student notebook's
    <details> answers."""
    path = files[kind]
    nb = nbformat.read(path, as_version=4)
    if kind == "chapter":
        cells = [
            nb.cells[i]
            for ex in find_exercises(path)
            for i in ex.solution_cells
            if not _SOL_END.fullmatch(nb.cells[i].source.strip())
        ]
        texts = [c.source.split("```", 3)[-1] for c in cells]
    else:
        texts = [
            m.group(1)
            for c in nb.cells
            if c.cell_type == "markdown"
            for m in re.finditer(r"</summary>(.*?)</details>", c.source, re.S)
        ]
    return [f for t in texts for f in plain_fragments(t)]


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
    answers = hidden_answers(kind, lab_files)
    assert answers, f"{kind}: found no answers to check"
    seen = _words(labdriver.visible_text(page))
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
    seen = _words(labdriver.visible_text(page))
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
