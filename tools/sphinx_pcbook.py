"""The book's own Sphinx extension: fixes and trims for an offline, accessible, light website.

* Thebe: sphinx-thebe registers its configuration script twice under Jupyter Book 1.x, which makes
  every page log "Identifier 'THEBE_JS_URL' has already been declared", and it names a CDN URL. Live
  code (thebe) is off in this book, so its scripts are removed from every page.
* Icons: the theme loads ``fontawesome.js`` (1.5 MB) on every page for about fifteen icons. The
  template ``tools/pcbook_templates/layout.html`` drops that script; the icons then come from the
  Font Awesome webfont that the theme's CSS already declares, and :func:`_write_icon_font` subsets
  that font at build time to the glyphs the pages use (a few kB; ``_static/pcbook-icons.css``
  redeclares the font face so that browsers fetch only the subset) and drops the theme's CSS rules
  for the icons no page uses. Nothing leaves the site.
* sphinx-design's CSS and JS stay off pages that use none of its components (none do today), and
  the notebooks' PNG figures are re-encoded with a palette when that is smaller (build output only).
* Search: the theme loads Sphinx's search index (70 kB) on every page for a search-as-you-type
  mode this book does not use; the template keeps it on search.html only.
* Bibliography: in-text citations read "Bogacz (2017)" (:class:`RoundAuthorYear`), and the list is
  labelled the same way (:class:`AuthorYearLabels`, style ``pcbook`` in _config.yml); the list gets
  list/listitem roles (docutils writes role="doc-biblioentry" inside role="list", which axe-core
  reports as a critical violation) and arXiv identifiers become links to arxiv.org.
* Inline code gets break opportunities (<wbr>) after dots, underscores and brackets, so a long
  function name wraps there on a phone instead of widening the page or breaking mid-word.
* Exercises of the unnumbered chapter 0 are numbered 0.1, 0.2, ... (sphinx-exercise numbers them
  1, 2, ..., clashing with chapter 1's 1.1, 1.2), as in the student notebooks and the exercises
  index (``pcbook.classroom``): :func:`_number_chapter_zero_exercises`.
* Print: the theme's "print to PDF" button printed one page with every hidden solution open; it
  goes, and the front page and the exercises page link the book's two PDFs (``make pdf``).
* Tables: each table sits in a container that scrolls sideways if the table is wider than the column,
  reachable by keyboard (tabindex="0") and labelled for screen readers (role="region").
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _is_thebe(script) -> bool:
    filename = getattr(script, "filename", None) or ""
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return "thebe" in filename or "THEBE_JS_URL" in body


def _drop_thebe(app, pagename, templatename, context, doctree):
    if "script_files" in context:
        context["script_files"] = [
            s for s in context["script_files"] if not _is_thebe(s)
        ]


def _drop_print_button(app, pagename, templatename, context, doctree):
    for group in context.get("header_buttons", []):
        if "buttons" in group:
            group["buttons"] = [
                b
                for b in group["buttons"]
                if b.get("label") != "download-pdf-button"
            ]


def _drop_unused_design(app, pagename, templatename, context, doctree):
    """sphinx-design's CSS and JS (62 kB) on pages that use none of its components."""
    if 'class="sd-' in context.get("body", ""):
        return
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [
                f
                for f in context[key]
                if "sphinx-design" not in str(getattr(f, "filename", f))
                and "design-tabs" not in str(getattr(f, "filename", f))
            ]


def _shrink_images(app, exception):
    """Re-encode the notebooks' PNG figures with a 256-colour palette when that is smaller (plots
    have few colours; about 2-3 times fewer bytes, no visible change). Deterministic."""
    if exception is not None or app.builder.format != "html":
        return
    import io

    from PIL import Image

    for path in (Path(app.outdir) / "_images").glob("*.png"):
        data = path.read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            if image.mode == "P":
                continue
            rgba = image.convert("RGBA")
            if (
                rgba.getextrema()[3][0] < 255
            ):  # transparent pixels: octree keeps the alpha channel
                palette = rgba.quantize(
                    colors=256, method=Image.Quantize.FASTOCTREE
                )
            else:
                palette = rgba.convert("RGB").quantize(
                    colors=256, method=Image.Quantize.MEDIANCUT
                )
            small = io.BytesIO()
            palette.save(small, format="PNG", optimize=True)
        if len(small.getvalue()) < 0.9 * len(data):
            path.write_bytes(small.getvalue())


# -- page body ------------------------------------------------------------------------------------
_TABLE = re.compile(r"<table\b.*?</table>", re.S)
_CAPTION = re.compile(r'<span class="caption-text">(.*?)</span>', re.S)
_ARXIV = re.compile(r"(?<![/\w>])arXiv:(\d{4}\.\d{4,5})(?![^<]*</a>)")
_TAGS = re.compile(r"<[^>]+>")


_CODE_TEXT = re.compile(r'(<span class="pre">)([^<]+)(</span>)')


def _break_points(match: re.Match) -> str:
    # inline code may break after a dot, an underscore or an opening bracket, never inside a word
    return (
        match.group(1)
        + re.sub(r"([._(])(?=\w)", r"\1<wbr>", match.group(2))
        + match.group(3)
    )


def _wrap_table(match: re.Match) -> str:
    table = match.group(0)
    caption = _CAPTION.search(table)
    label = _TAGS.sub("", caption.group(1)).strip() if caption else "Table"
    label = label.replace('"', "&quot;")
    return (
        f'<div class="pcbook-table-scroll" tabindex="0" role="region" '
        f'aria-label="{label} (scrolls sideways if wider than the page)">{table}</div>'
    )


def _fix_body(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if not body:
        return
    body = _CODE_TEXT.sub(_break_points, _TABLE.sub(_wrap_table, body))
    if "doc-biblioentry" in body:
        body = body.replace('role="doc-biblioentry"', 'role="listitem"')
        body = _ARXIV.sub(
            r'<a class="reference external" href="https://arxiv.org/abs/\1">arXiv:\1</a>',
            body,
        )
    context["body"] = body


def _drop_scripts(html: str, *names: str) -> str:
    """``html`` without the <script src=...> tags whose source names one of ``names``."""
    for name in names:
        html = re.sub(
            r'\s*<script[^>]*src="[^"]*'
            + re.escape(name)
            + r'[^"]*"[^>]*></script>',
            "",
            str(html),
        )
    return html


def _add_template_filter(app):
    if hasattr(app.builder, "templates"):
        app.builder.templates.environment.filters["pcbook_drop_scripts"] = (
            _drop_scripts
        )


# -- icons ----------------------------------------------------------------------------------------
_ICON_RULE = re.compile(
    r'((?:\.fa-[\w-]+:before,?)+)\{content:"\\([0-9a-f]+)"\}'
)
_ICON_USE = re.compile(r"\bfa-[a-z0-9-]+")
_FONT_FACE = re.compile(r"@font-face\{[^}]*Font Awesome[^}]*\}")


def _write_icon_font(app, exception):
    """Subset the theme's Font Awesome solid font to the icons the built pages use."""
    if exception is not None or app.builder.format != "html":
        return
    from fontTools import subset

    static = Path(app.outdir) / "_static"
    css = (static / "styles" / "pydata-sphinx-theme.css").read_text(
        encoding="utf-8"
    )
    codepoints = {}
    for names, code in _ICON_RULE.findall(css):
        for name in re.findall(r"fa-[\w-]+", names):
            codepoints[name] = int(code, 16)
    used = set()
    sources = [
        *Path(app.outdir).rglob("*.html"),
        *(static / "scripts").glob("*.js"),
    ]
    for path in sources:
        if path.name.startswith("fontawesome"):
            continue
        used.update(
            _ICON_USE.findall(
                path.read_text(encoding="utf-8", errors="replace")
            )
        )
    glyphs = sorted({codepoints[name] for name in used if name in codepoints})

    # the theme's CSS carries a content rule for each of Font Awesome's 2000 icons (86 kB): keep the used ones
    def keep_used(rule: re.Match) -> str:
        return (
            rule.group(0)
            if set(re.findall(r"fa-[\w-]+", rule.group(1))) & used
            else ""
        )

    # ... and its Font Awesome font faces (solid 156 kB, regular, brands): the subset below replaces them
    css = _FONT_FACE.sub("", _ICON_RULE.sub(keep_used, css))
    (static / "styles" / "pydata-sphinx-theme.css").write_text(
        css, encoding="utf-8"
    )
    font = static / "vendor" / "fontawesome" / "webfonts" / "fa-solid-900.ttf"
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    sub = subset.Subsetter(options)
    ttf = subset.load_font(str(font), options)
    sub.populate(unicodes=glyphs)
    sub.subset(ttf)
    subset.save_font(ttf, str(static / "pcbook-icons.woff"), options)
    (static / "pcbook-icons.css").write_text(
        "/* Font Awesome Free 6 solid (SIL OFL 1.1), subset by tools/sphinx_pcbook.py to the "
        f"{len(glyphs)} icons the pages use; replaces the theme's 1.5 MB fontawesome.js */\n"
        '@font-face{font-display:block;font-family:"Font Awesome 6 Free";font-style:normal;'
        'font-weight:900;src:url(pcbook-icons.woff) format("woff")}\n',
        encoding="utf-8",
    )


# -- bibliography styles --------------------------------------------------------------------------
def _register_bibliography_styles():
    import sphinxcontrib.bibtex.plugin
    from pybtex.plugin import register_plugin
    from pybtex.style.formatting.unsrt import Style as UnsrtStyle
    from pybtex.style.labels import BaseLabelStyle
    from sphinxcontrib.bibtex.style.referencing import BracketStyle
    from sphinxcontrib.bibtex.style.referencing.author_year import (
        AuthorYearReferenceStyle,
    )

    def _round():
        return BracketStyle(left="(", right=")")

    @dataclass
    class RoundAuthorYear(AuthorYearReferenceStyle):
        """{cite:t} gives "Bogacz (2017)", {cite:p} "(Bogacz, 2017)"."""

        bracket_parenthetical: BracketStyle = field(default_factory=_round)
        bracket_textual: BracketStyle = field(default_factory=_round)
        bracket_author: BracketStyle = field(default_factory=_round)
        bracket_label: BracketStyle = field(default_factory=_round)
        bracket_year: BracketStyle = field(default_factory=_round)

    class AuthorYearLabels(BaseLabelStyle):
        """List labels as the text cites them: "Bogacz (2017)", "Annabi et al. (2020)"."""

        def format_labels(self, sorted_entries):
            labels = [self._label(entry) for entry in sorted_entries]
            count, seen = Counter(labels), Counter()
            for label in labels:
                if count[label] == 1:
                    yield label
                else:
                    yield label[:-1] + chr(ord("a") + seen[label]) + ")"
                    seen.update([label])

        @staticmethod
        def _label(entry):
            people = (
                entry.persons.get("author")
                or entry.persons.get("editor")
                or []
            )
            last = [" ".join(p.last_names) for p in people]
            names = (
                last[0]
                if len(last) == 1
                else f"{last[0]} and {last[1]}"
                if len(last) == 2
                else f"{last[0]} et al."
                if last
                else entry.key
            )
            names = re.sub(r"[{}]", "", names)
            return f"{names} ({entry.fields.get('year', 'n.d.')})"

    class Style(UnsrtStyle):
        """unsrt, with author-year labels and the list sorted by author, year and title."""

        default_label_style = "pcbook_author_year"
        default_sorting_style = "author_year_title"

    register_plugin(
        "pybtex.style.labels", "pcbook_author_year", AuthorYearLabels
    )
    register_plugin("pybtex.style.formatting", "pcbook", Style)
    sphinxcontrib.bibtex.plugin.register_plugin(
        "sphinxcontrib.bibtex.style.referencing",
        "author_year_round",
        RoundAuthorYear,
    )


def _add_templates(app, config):
    config.templates_path = [
        str(HERE / "pcbook_templates"),
        *config.templates_path,
    ]


def _chapter(path) -> int | None:
    """The chapter number in a notebook's metadata (``pcbook.chapter``), None for other files."""
    path = Path(path)
    if path.suffix != ".ipynb":
        return None
    metadata = json.loads(path.read_text(encoding="utf-8"))["metadata"]
    return metadata.get("pcbook", {}).get("chapter")


def _number_chapter_zero_exercises(app, env):
    """Prefix chapter 0's exercise numbers with 0 (runs after Sphinx numbers the figures)."""
    for docname, numbers in env.toc_fignumbers.items():
        exercises = numbers.get("exercise", {})
        if exercises and _chapter(env.doc2path(docname)) == 0:
            for node_id, number in exercises.items():
                if len(number) == 1:
                    exercises[node_id] = (0, *number)
    return []


def setup(app):
    _register_bibliography_styles()
    app.connect("config-inited", _add_templates)
    app.connect("builder-inited", _add_template_filter)
    app.connect(
        "env-get-updated", _number_chapter_zero_exercises, priority=900
    )
    app.connect("html-page-context", _drop_thebe, priority=900)
    app.connect("html-page-context", _fix_body, priority=900)
    app.connect("html-page-context", _drop_unused_design, priority=900)
    app.connect("html-page-context", _drop_print_button, priority=900)
    app.connect("build-finished", _write_icon_font)
    app.connect("build-finished", _shrink_images)
    app.add_css_file("pcbook-icons.css", priority=900)
    app.add_js_file("pcbook.js", priority=900, defer="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
