"""A real headless Chromium opens every page of the book from a server on 127.0.0.1 and checks what a
reader sees, at a laptop's 1366x768 and a phone's 390x844: math typeset by the site's own MathJax
(no error node, no raw TeX left in the text), every image loaded and described, every figure
numbered, nothing wider than its column (display math, code, outputs, tables, the page itself),
navigation that opens and closes by mouse and keyboard, no critical or serious axe-core violation,
every page within its weight budget, sliders that change the figure, no console error, and no
request leaving 127.0.0.1.

One browser visits every page once per width (``visits``, a session fixture); each test below
asserts one property over those visits, so a failure names the check, the page and the width."""

from __future__ import annotations

import time
import zipfile
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

#: (name, width, height): a laptop and a phone
VIEWPORTS = [("desktop", 1366, 768), ("phone", 390, 844)]
#: bytes a page may transfer (cache off, uncompressed): pages without sliders and slider pages
BUDGET_TEXT, BUDGET_SLIDERS = 1_500_000, 3_000_000
#: alt texts that describe nothing
GENERIC_ALT = (
    "figure for the chosen slider values",
    "image",
    "figure",
    "png",
    "plot",
)

_MATHJAX_DONE = """async () => {
    if (!window.MathJax || !window.MathJax.startup) { return "never loaded"; }
    await window.MathJax.startup.promise;
    if (window.pcbookMathFitted) { await window.pcbookMathFitted; }
    return "typeset";
}"""

# Everything measured in the page, in one pass after MathJax has typeset it.
_MEASURE = r"""() => {
    const article = document.querySelector('.bd-article') || document.body;
    const column = article.getBoundingClientRect();
    const doc = document.documentElement;
    const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
    const text = el => (el.innerText || el.getAttribute('aria-label') || '').replace(/\s+/g, ' ').trim().slice(0, 50);
    const wide = [];
    if (doc.scrollWidth > doc.clientWidth + 1) {
        wide.push(['page', doc.scrollWidth, doc.clientWidth, document.title]);
    }
    const kinds = [['display math', 'div.math, mjx-container[display="true"]'],
                   ['code', '.cell_input pre, div.highlight pre'],
                   ['output', '.cell_output pre, .cell_output .output'],
                   ['table', 'table'], ['image', 'img'], ['slider', '.pcbook-slider'],
                   ['figure', 'figure'], ['box', '.admonition, .exercise, .solution, dl, blockquote']];
    const scrollers = [];
    for (const [kind, selector] of kinds) {
        for (const el of article.querySelectorAll(selector)) {
            if (!visible(el) || (kind === 'code' && el.closest('.cell_output'))) { continue; }
            const r = el.getBoundingClientRect();
            const holder = el.closest('.pcbook-table-scroll');
            if (kind === 'table' && holder) {
                // a wide table may scroll, but only in a focusable, labelled container
                if (holder.scrollWidth > holder.clientWidth + 1) {
                    scrollers.push([text(el), holder.getAttribute('tabindex'), holder.getAttribute('role'),
                                    holder.getAttribute('aria-label')]);
                }
                continue;
            }
            if (el.scrollWidth > el.clientWidth + 1) {
                wide.push([kind, el.scrollWidth, el.clientWidth, text(el)]);
            } else if (r.right > column.right + 1 || r.left < column.left - 1) {
                wide.push([kind, Math.round(r.width), Math.round(column.width), text(el)]);
            }
        }
    }
    const merrors = [...article.querySelectorAll('mjx-merror, [data-mjx-error], .MathJax_Error')]
        .map(e => e.getAttribute('data-mjx-error') || e.textContent.slice(0, 60));
    const tex = [];
    const skip = 'pre, code, script, style, mjx-container, .pcbook-slider script, .highlight, .cell_input, .cell_output pre, kbd, samp';
    const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
    const raw = /\$|\\[A-Za-z]{2,}|\\[()[\]{}]|[_^]\{/;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || el.closest(skip) || !raw.test(n.textContent)) { continue; }
        tex.push(n.textContent.replace(/\s+/g, ' ').trim().slice(0, 70));
    }
    const images = [...article.querySelectorAll('img')].map(img => {
        const figure = img.closest('figure');
        const number = figure && figure.querySelector('figcaption .caption-number');
        return {src: img.getAttribute('src').slice(0, 60), alt: img.getAttribute('alt'),
                numbered: !!number, loaded: img.complete && img.naturalWidth > 0,
                natural: img.naturalWidth, shown: Math.round(img.getBoundingClientRect().width),
                slider: !!img.closest('.pcbook-slider')};
    });
    return {wide, scrollers, merrors, tex, images,
            tracks: [...document.querySelectorAll('.pcbook-slider input[type=range]')]
                .map(i => Math.round(i.getBoundingClientRect().width)),
            untypeset: document.querySelectorAll('.math:not(:has(mjx-container))').length,
            sliders: document.querySelectorAll('.pcbook-slider').length};
}"""

# The site navigation and "On this page": every visible toggle button must open (and then close)
# its panel, once by mouse and once by keyboard.
_PANEL_SHOWN = """(kind) => {
    const modal = document.querySelector(`#pst-${kind}-sidebar-modal`);
    if (modal && modal.open) { return 'modal'; }
    const side = document.querySelector(`#pst-${kind}-sidebar`);
    if (!side) { return 'none'; }
    const r = side.getBoundingClientRect();
    const style = getComputedStyle(side);
    const shown = r.width > 20 && r.right > 20 && style.visibility !== 'hidden' && style.display !== 'none';
    return shown ? 'sidebar' : 'none';
}"""


def _visit(context, url, axe_url):
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    requests, errors, responses = [], [], []
    page.on("request", lambda req: requests.append(req.url))
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if msg.type == "error" else None,
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda res: responses.append(res))
    sizes = {}  # request id -> bytes received (the test server sends no compression)
    cdp.on(
        "Network.dataReceived",
        lambda e: sizes.__setitem__(
            e["requestId"], sizes.get(e["requestId"], 0) + e["dataLength"]
        ),
    )
    page.goto(url, wait_until="load")
    result = {"requests": requests, "errors": errors}
    result["mathjax"] = (
        page.evaluate(_MATHJAX_DONE)
        if page.locator(".math").count()
        else "no math"
    )
    page.wait_for_load_state("networkidle")  # the fonts MathJax asked for
    errors += [
        f"HTTP {res.status} for {res.url}"
        for res in responses
        if res.status >= 400
    ]
    result["weight"] = sum(sizes.values())
    result.update(page.evaluate(_MEASURE))
    page.add_script_tag(
        url=axe_url
    )  # axe-core from the site's own _static, added by this test only
    result["axe"] = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => v.impact === 'critical' || v.impact === 'serious')
            .map(v => [v.impact, v.id, v.nodes.length, v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')]);
    }""")
    result["nav"] = _check_navigation(
        page
    )  # after axe: a sidebar mid-transition has faded text
    page.close()
    return result


def _press(page, button, how, kind, state, until):
    """Activate ``button`` with a click or with the keyboard (focus, Enter); wait up to 3 s (a busy
    machine) until the panel's state is no longer ``state`` (``until="changed"``) or is ``state`` again."""
    if how == "mouse":
        button.click()
    else:
        button.focus()
        page.keyboard.press("Enter")
    _wait_for(page, kind, state, until)


def _wait_for(page, kind, state, until):
    test = "!==" if until == "changed" else "==="
    try:  # a sidebar slides and fades: wait for the end, not for the first change
        page.wait_for_function(
            f"(state) => ({_PANEL_SHOWN})('{kind}') {test} state",
            arg=state,
            timeout=3000,
        )
    except Exception:  # the caller reports the panel's state
        pass


def _check_navigation(page) -> list[str]:
    """Problems with the navigation toggles (empty when every visible toggle works)."""
    problems = []
    for kind in ("primary", "secondary"):
        buttons = page.locator(f"button.{kind}-toggle")
        shown = [
            buttons.nth(i)
            for i in range(buttons.count())
            if buttons.nth(i).is_visible()
        ]
        if kind == "primary" and not shown:
            problems.append("no visible site-navigation button")
        for button in shown[:1]:
            for how in ("mouse", "keyboard"):
                before = page.evaluate(_PANEL_SHOWN, kind)
                _press(page, button, how, kind, before, "changed")
                after = page.evaluate(_PANEL_SHOWN, kind)
                if after == before:
                    problems.append(
                        f"{kind} toggle ({how}) did nothing (panel stays '{before}')"
                    )
                    continue
                page.wait_for_timeout(
                    300
                )  # a reader looks before closing; the dialog settles its focus
                if (
                    after == "modal"
                ):  # Escape closes a modal, the button closes a sidebar
                    page.keyboard.press("Escape")
                    _wait_for(page, kind, before, "back")
                else:
                    _press(page, button, how, kind, before, "back")
                if page.evaluate(_PANEL_SHOWN, kind) != before:
                    problems.append(
                        f"{kind} toggle ({how}) opened the panel but it did not close again"
                    )
    return problems


@pytest.fixture(scope="session")
def visits(browser, server, site, pages):
    """{(page name, viewport): measurements} for every page (and search.html) at both widths."""
    axe_url = f"{server}/_static/axe/axe.min.js"
    if not (site / "_static" / "axe" / "axe.min.js").exists():
        pytest.fail(
            "axe-core is not on the site (_static/axe/axe.min.js): run 'make vendor' / 'make book'"
        )
    names = [f"book/{p.name}" for p in pages] + ["search.html"]
    found = {}
    for view, width, height in VIEWPORTS:
        context = browser.new_context(
            viewport={"width": width, "height": height}, accept_downloads=True
        )
        for name in names:
            start = time.perf_counter()
            found[name, view] = _visit(context, f"{server}/{name}", axe_url)
            found[name, view]["seconds"] = time.perf_counter() - start
        context.close()
    return found


def test_report_what_was_measured(visits):
    """Prints one line per page and width (run with -s to see it): weight, overflows, axe, time."""
    for (name, view), v in sorted(visits.items()):
        sliders = [
            f"{i['natural']}/{i['shown']}" for i in v["images"] if i["slider"]
        ]
        print(
            f"MEASURED {name:28s} {view:7s} {v['weight'] / 1e6:5.2f} MB  wide {len(v['wide']):3d}  "
            f"axe {sum(1 for a in v['axe'] if a[0] == 'critical')}/{sum(1 for a in v['axe'] if a[0] == 'serious')} "
            f"({sum(a[2] for a in v['axe'])} nodes)  tex {len(v['tex'])}  nav {len(v['nav'])}  "
            f"imgs {len(v['images'])}  slider px {' '.join(sliders[:2])}  {v['seconds']:.1f} s"
        )


def _report(problems):
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_no_request_leaves_127_0_0_1_and_no_console_error(visits, server):
    host = urlsplit(server).netloc
    problems = []
    for (name, view), v in visits.items():
        outside = [
            r
            for r in v["requests"]
            if urlsplit(r).scheme in ("http", "https")
            and urlsplit(r).netloc != host
        ]
        problems += [
            f"{name} ({view}): request left 127.0.0.1: {r}" for r in outside
        ]
        problems += [
            f"{name} ({view}): console error: {e}" for e in v["errors"]
        ]
    _report(problems)


def test_math_is_typeset_without_errors_or_raw_tex(visits):
    problems = []
    for (name, view), v in visits.items():
        if v["mathjax"] not in ("typeset", "no math") or v["untypeset"]:
            problems.append(
                f"{name} ({view}): MathJax {v['mathjax']}; {v['untypeset']} math elements left untypeset"
            )
        problems += [
            f"{name} ({view}): MathJax error node: {e}" for e in v["merrors"]
        ]
        problems += [
            f"{name} ({view}): raw TeX in the text: {t!r}" for t in v["tex"]
        ]
    _report(problems)


def test_nothing_is_wider_than_its_column(visits):
    problems = []
    for (name, view), v in visits.items():
        problems += [
            f"{name} ({view}): {kind} {w} px wide in {c} px: {text!r}"
            for kind, w, c, text in v["wide"]
        ]
        for text, tabindex, role, label in v["scrollers"]:
            if tabindex != "0" or not role or not label:
                problems.append(
                    f"{name} ({view}): a table scrolls in a container that a keyboard cannot "
                    f"reach or that has no role/label: {text!r}"
                )
    _report(problems)


def test_navigation_opens_and_closes_by_mouse_and_keyboard(visits):
    _report(
        [
            f"{name} ({view}): {p}"
            for (name, view), v in visits.items()
            for p in v["nav"]
        ]
    )


def test_no_critical_or_serious_accessibility_violation(visits):
    _report(
        [
            f"{name} ({view}): axe {impact} {rule} on {n} elements: {where}"
            for (name, view), v in visits.items()
            for impact, rule, n, where in v["axe"]
        ]
    )


def _real_alt(alt: str | None) -> bool:
    if not alt or not alt.strip():
        return False
    low = alt.strip().lower()
    if low in GENERIC_ALT or any(low.startswith(g) for g in GENERIC_ALT[:1]):
        return False
    looks_like_a_path = (" " not in low and "/" in low) or low.endswith(
        (".png", ".svg", ".jpg", ".jpeg", ".gif")
    )
    return not looks_like_a_path and len(low) >= 15


def test_every_image_loads_has_real_alt_text_and_a_numbered_caption(visits):
    problems = []
    for (name, view), v in visits.items():
        if view != "desktop":  # the same images at both widths
            continue
        for img in v["images"]:
            if not img["loaded"]:
                problems.append(f"{name}: image did not load: {img['src']}")
            if not _real_alt(img["alt"]):
                problems.append(
                    f"{name}: image without real alt text ({img['alt']!r}): {img['src']}"
                )
            if not img["numbered"]:
                problems.append(
                    f"{name}: image not in a numbered figure (alt {str(img['alt'])[:40]!r})"
                )
    _report(problems)


def test_slider_frames_are_sharp(visits):
    """Slider frames carry at least twice the pixels they are shown at (high-density screens)."""
    problems = []
    for (name, view), v in visits.items():
        for img in v["images"]:
            if (
                img["slider"]
                and img["loaded"]
                and img["natural"] < 2 * img["shown"] - 1
            ):
                problems.append(
                    f"{name} ({view}): slider frame {img['natural']} px wide shown at {img['shown']} px"
                )
    _report(problems)


def test_every_page_is_within_its_weight_budget(visits):
    problems = []
    for (name, view), v in visits.items():
        budget = BUDGET_SLIDERS if v["sliders"] else BUDGET_TEXT
        if v["weight"] > budget:
            problems.append(
                f"{name} ({view}): {v['weight'] / 1e6:.2f} MB, over {budget / 1e6:.1f} MB"
            )
    _report(problems)


def test_search_page_has_one_search_field_and_clean_snippets(browser, server):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(f"{server}/search.html?q=posterior", wait_until="load")
    page.wait_for_selector("#search-results li", timeout=20_000)
    page.wait_for_timeout(
        1500
    )  # snippets are filled in after the pages are fetched
    fields = page.locator(
        "input[type=search]:visible, input[name=q]:visible"
    ).count()
    snippets = page.locator("#search-results p.context").all_inner_texts()
    context.close()
    assert fields == 1, f"search.html shows {fields} search fields"
    assert snippets, "the search shows no snippets"
    dirty = [
        s[:80]
        for s in snippets
        if "\\" in s or "$" in s or ".pdf" in s or ".ipynb" in s
    ]
    assert not dirty, f"search snippets with raw TeX or button labels: {dirty}"


def test_every_slider_changes_its_figure(browser, server, pages):
    checked, problems = 0, []
    context = browser.new_context()
    for path in pages:
        if "pcbook-slider" not in path.read_text(encoding="utf-8"):
            continue
        page = context.new_page()
        errors = []
        page.on(
            "console",
            lambda msg: (
                errors.append(msg.text) if msg.type == "error" else None
            ),
        )
        page.goto(f"{server}/book/{path.name}", wait_until="load")
        sliders = page.locator("div.pcbook-slider")
        for k in range(sliders.count()):
            slider = sliders.nth(k)
            img = slider.locator("img.pcbook-slider-frame")
            inputs = slider.locator("input[type=range]")
            start = [
                inputs.nth(j).input_value() for j in range(inputs.count())
            ]
            for j in range(inputs.count()):
                for i, value in enumerate(
                    start
                ):  # every other input back at its start value
                    inputs.nth(i).fill(value)
                handle = inputs.nth(j)
                before, alt_before = (
                    img.get_attribute("src"),
                    img.get_attribute("alt"),
                )
                low, high = (
                    int(handle.get_attribute(a)) for a in ("min", "max")
                )
                value = int(start[j])
                target = low if value != low else high
                handle.fill(
                    str(target)
                )  # sets the value and fires input/change, as a drag does
                after, alt_after = (
                    img.get_attribute("src"),
                    img.get_attribute("alt"),
                )
                label = slider.locator("output").nth(j).inner_text()
                checked += 1
                if after == before:
                    problems.append(
                        f"{path.name}: slider {k} input {j} moved to {target} ({label}) "
                        "but the figure did not change"
                    )
                if alt_after == alt_before:
                    problems.append(
                        f"{path.name}: slider {k} input {j}: the alt text did not follow the frame"
                    )
                if not img.evaluate("i => i.complete && i.naturalWidth > 0"):
                    problems.append(
                        f"{path.name}: slider {k} input {j}: the new frame is not a valid image"
                    )
        problems += [f"{path.name}: console error: {e}" for e in errors]
        page.close()
    context.close()
    assert checked > 0, (
        "no slider found on any page: the static slider view is missing"
    )
    _report(problems)


def test_slider_track_is_wide_on_a_phone(visits):
    """A slider's track fills the column on a phone (it was 96 px wide), so a thumb can be dragged."""
    _report(
        [
            f"{name} (phone): slider track {w} px wide"
            for (name, view), v in visits.items()
            if view == "phone"
            for w in v["tracks"]
            if w < 200
        ]
    )


def test_student_zip_downloads_from_the_exercises_page(
    browser, server, tmp_path
):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(f"{server}/book/exercises.html", wait_until="load")
    with page.expect_download() as info:
        page.get_by_text("Download the student notebooks").click()
    target = tmp_path / "student.zip"
    info.value.save_as(target)
    names = zipfile.ZipFile(target).namelist()
    context.close()
    assert any(n.endswith(".ipynb") for n in names), (
        f"the zip holds no notebooks: {names}"
    )
