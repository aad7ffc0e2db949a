"""Static checks of the built website: every resource a page loads is inside the site and exists."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

#: tag -> attributes whose URL the browser fetches without a click
FETCHED = {
    "script": ["src"],
    "img": ["src", "srcset"],
    "iframe": ["src"],
    "source": ["src", "srcset"],
    "video": ["src", "poster"],
    "audio": ["src"],
    "embed": ["src"],
    "object": ["data"],
    "link": ["href"],
}
CSS_URL = re.compile(
    r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]"""
)


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fetched: list[str] = []
        self.links: list[str] = []
        self.inline_css: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in FETCHED.get(tag, []):
            if attrs.get(name):
                if tag == "link" and attrs.get("rel") in ("canonical",):
                    continue
                urls = (
                    [u.strip().split(" ")[0] for u in attrs[name].split(",")]
                    if name == "srcset"
                    else [attrs[name]]
                )
                self.fetched += urls
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if attrs.get("style"):
            self.inline_css.append(attrs["style"])


def _refs(page: Path) -> _Refs:
    parser = _Refs()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(
        parts.scheme and parts.scheme not in ("data", "javascript", "mailto")
    ) or url.startswith("//")


def _target(page: Path, url: str, site: Path) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme or not parts.path:
        return None
    target = (page.parent / unquote(parts.path)).resolve()
    return target


def test_every_page_loads_only_site_resources(site, pages):
    bad = []
    for page in [*pages, site / "index.html", site / "search.html"]:
        refs = _refs(page)
        for url in refs.fetched:
            if _external(url):
                bad.append(f"{page.relative_to(site)} loads {url}")
        for css in refs.inline_css:
            bad += [
                f"{page.relative_to(site)} style loads {m}"
                for m in CSS_URL.findall(css)
                if _external(m[0] or m[1])
            ]
    assert not bad, (
        "pages fetch resources from outside the site:\n" + "\n".join(bad)
    )


def test_every_stylesheet_loads_only_site_resources(site):
    bad = []
    for css in site.rglob("*.css"):
        for match in CSS_URL.finditer(
            css.read_text(encoding="utf-8", errors="replace")
        ):
            url = match.group(1) or match.group(2)
            if _external(url):
                bad.append(f"{css.relative_to(site)} loads {url}")
    assert not bad, "style sheets fetch from outside the site:\n" + "\n".join(
        bad
    )


def test_every_local_resource_and_link_exists(site, pages):
    missing = []
    for page in pages:
        refs = _refs(page)
        for url in [*refs.fetched, *refs.links]:
            target = _target(page, url, site)
            if target is not None and not target.exists():
                missing.append(f"{page.relative_to(site)} -> {url}")
    assert not missing, "broken local references:\n" + "\n".join(missing)


def test_site_stays_small(site, pages):
    total = sum(f.stat().st_size for f in site.rglob("*") if f.is_file())
    assert total < 150e6, (
        f"the site is {total / 1e6:.0f} MB, over the 150 MB budget"
    )
    heavy = [
        (p.name, p.stat().st_size / 1e6)
        for p in pages
        if p.stat().st_size > 10e6
    ]
    assert not heavy, f"pages over 10 MB: {heavy}"


@pytest.mark.parametrize(
    "name",
    [
        "intro",
        "bayes_in_pictures",
        "notation",
        "glossary",
        "bibliography",
        "exercises",
    ],
)
def test_front_matter_pages_exist(site, name):
    assert (site / "book" / f"{name}.html").exists(), (
        f"the site has no {name} page"
    )


def test_student_zip_is_on_the_site(site):
    import zipfile

    path = site / "pcbook-student-notebooks.zip"
    assert path.exists(), (
        "the student notebooks zip is not on the site (make student)"
    )
    names = zipfile.ZipFile(path).namelist()
    assert "pcbook-student/notebooks/bayes_in_pictures.ipynb" in names, names


def test_exercise_numbers_in_the_kit_match_the_website(site):
    """The student stubs and the exercises index use the number the chapter page shows."""
    from pcbook.classroom import find_exercises
    from tools.book_files import toc_notebooks

    caption = re.compile(
        r'id="(?P<label>[\w-]+)">\s*<p class="admonition-title">'
        r'<span class="caption-number">Exercise (?P<number>[\d.]+) </span>'
    )
    checked = 0
    for path in toc_notebooks():
        shown = dict(
            caption.findall((site / "book" / f"{path.stem}.html").read_text())
        )
        for ex in find_exercises(path):
            assert shown.get(ex.label) == ex.number, (
                f"{ex.label}: page shows {shown.get(ex.label)}, kit {ex.number}"
            )
            checked += 1
    assert checked >= 20


_IMG = re.compile(r"<img\b[^>]*>")
_ALT = re.compile(r'\balt="([^"]*)"')
_FIGURE = re.compile(r"<figure\b.*?</figure>", re.S)
GENERIC_ALT = {
    "figure for the chosen slider values",
    "image",
    "figure",
    "plot",
}


def _article(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    start = text.find('<article class="bd-article">')
    return text[start : text.find("</article>", start)] if start >= 0 else ""


def test_every_image_has_real_alt_text_and_sits_in_a_numbered_figure(pages):
    """No file path or generic text as alt text; every image (static or slider frame) is inside a
    <figure> whose caption has a number (myst-nb's mystnb.figure metadata, numfig)."""
    problems = []
    for page in pages:
        article = _article(page)
        numbered = [
            f
            for f in _FIGURE.findall(article)
            if 'class="caption-number"' in f
        ]
        in_figures = sum(len(_IMG.findall(f)) for f in numbered)
        images = _IMG.findall(article)
        for tag in images:
            alt = (
                _ALT.search(tag).group(1) if _ALT.search(tag) else ""
            ).strip()
            if (
                not alt
                or alt.lower() in GENERIC_ALT
                or (" " not in alt and "/" in alt)
                or alt.lower().endswith(".png")
                or len(alt) < 15
            ):
                problems.append(f"{page.name}: image alt text {alt[:60]!r}")
        if in_figures < len(images):
            problems.append(
                f"{page.name}: {len(images) - in_figures} of {len(images)} images are not in a numbered figure"
            )
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_no_page_shows_a_markdown_table_as_text(pages):
    """A notebook's Markdown output (the robustness appendix's table) is rendered, not shown as
    its pipes: myst-nb renders Markdown outputs as CommonMark, which has no tables, unless
    _config.yml says gfm."""
    raw = re.compile(r"\|\s*(?:-{3,}|—+)\s*\|")  # smartquotes turn --- into an em dash
    shown = [p.name for p in pages if raw.search(_article(p))]
    assert not shown, f"Markdown table shown as text on {shown}"
    assert "<table" in _article(
        next(p for p in pages if p.name == "robustness.html")
    )
