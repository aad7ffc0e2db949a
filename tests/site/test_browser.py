"""A real headless Chromium opens every page of the book from a server on 127.0.0.1 and checks what a
reader sees: math typeset by the site's own MathJax, every image loaded, sliders that change the
figure, tables that fit the text column, no console error, and no request leaving 127.0.0.1."""
from __future__ import annotations

import zipfile
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser


def _open(browser, url):
    """Open ``url`` in a fresh context; return the page, its requests and its console errors."""
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda req: requests.append(req.url))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda res: errors.append(f"HTTP {res.status} for {res.url}") if res.status >= 400 else None)
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return context, page, requests, errors


_MATHJAX_DONE = """async () => {
    if (!window.MathJax || !window.MathJax.startup) { return "never loaded"; }
    await window.MathJax.startup.promise;
    return "typeset";
}"""


_WIDE_TABLES = """() => [...document.querySelectorAll('.bd-article table')]
    .map(t => [t.scrollWidth, t.parentElement.clientWidth, t.innerText.slice(0, 40)])
    .filter(([wide, column]) => wide > column + 1)"""


def _page_names(pages):
    return [p.stem for p in pages]


@pytest.fixture(scope="module")
def page_names(pages):
    return _page_names(pages)


def test_every_page_in_a_real_browser(browser, server, pages):
    problems = []
    for path in pages:
        url = f"{server}/book/{path.name}"
        context, page, requests, errors = _open(browser, url)
        host = urlsplit(server).netloc
        outside = [r for r in requests if urlsplit(r).scheme in ("http", "https") and urlsplit(r).netloc != host]
        problems += [f"{path.name}: request left 127.0.0.1: {r}" for r in outside]
        problems += [f"{path.name}: console error: {e}" for e in errors]
        has_math = page.locator(".math, span.math, div.math").count() > 0
        if has_math:
            state = page.evaluate(_MATHJAX_DONE)  # waits for MathJax's first typeset pass
            raw = page.locator(".math:not(:has(mjx-container))").count()
            if state != "typeset" or raw:
                problems.append(f"{path.name}: MathJax {state}; {raw} math elements left untypeset")
        broken = page.evaluate(
            "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80))")
        problems += [f"{path.name}: image did not load: {src}" for src in broken]
        wide = page.evaluate(_WIDE_TABLES)
        problems += [f"{path.name}: table {w} px wide in a {c} px column (scrolls sideways): {text}" for w, c, text in wide]
        context.close()
    assert not problems, "\n".join(problems)


def test_every_slider_changes_its_figure(browser, server, pages):
    checked, problems = 0, []
    for path in pages:
        if "pcbook-slider" not in path.read_text(encoding="utf-8"):
            continue
        context, page, _, errors = _open(browser, f"{server}/book/{path.name}")
        sliders = page.locator("div.pcbook-slider")
        for k in range(sliders.count()):
            slider = sliders.nth(k)
            img = slider.locator("img.pcbook-slider-frame")
            inputs = slider.locator("input[type=range]")
            start = [inputs.nth(j).input_value() for j in range(inputs.count())]
            for j in range(inputs.count()):
                for i, value in enumerate(start):  # every other input back at its start value
                    inputs.nth(i).fill(value)
                handle = inputs.nth(j)
                before = img.get_attribute("src")
                low, high = (int(handle.get_attribute(a)) for a in ("min", "max"))
                value = int(start[j])
                target = low if value != low else high
                handle.fill(str(target))  # sets the value and fires input/change, as a drag does
                after = img.get_attribute("src")
                label = slider.locator("output").nth(j).inner_text()
                checked += 1
                if after == before:
                    problems.append(f"{path.name}: slider {k} input {j} moved to {target} ({label}) "
                                    "but the figure did not change")
                visible = img.evaluate("i => i.complete && i.naturalWidth > 0")
                if not visible:
                    problems.append(f"{path.name}: slider {k} input {j}: the new frame is not a valid image")
        problems += [f"{path.name}: console error: {e}" for e in errors]
        context.close()
    assert checked > 0, "no slider found on any page: the static slider view is missing"
    assert not problems, "\n".join(problems)


def test_student_zip_downloads_from_the_exercises_page(browser, server, tmp_path):
    context, page, _, _ = _open(browser, f"{server}/book/exercises.html")
    with page.expect_download() as info:
        page.get_by_text("Download the student notebooks").click()
    target = tmp_path / "student.zip"
    info.value.save_as(target)
    names = zipfile.ZipFile(target).namelist()
    context.close()
    assert any(n.endswith(".ipynb") for n in names), f"the zip holds no notebooks: {names}"


def test_screenshot_of_the_bayes_page(browser, server, tmp_path):
    """Keeps a screenshot of the Bayes page (math and the slider) for people to look at."""
    context, page, _, _ = _open(browser, f"{server}/book/bayes_in_pictures.html")
    page.wait_for_selector("mjx-container")
    slider = page.locator("div.pcbook-slider").first
    slider.scroll_into_view_if_needed()
    out = tmp_path / "bayes.png"
    page.screenshot(path=str(out), full_page=False)
    context.close()
    assert out.stat().st_size > 10_000
