"""Markdown that JupyterLab shows as the website does, for the student notebooks.

The chapters are written in MyST, which the website (Sphinx) renders and plain Markdown does
not. :func:`plain_markdown` rewrites one markdown cell into Markdown that JupyterLab renders with
or without jupyterlab-myst, using the numbers the website prints (:class:`References`):

- ``{term}`text <entry>``` and ``{ref}`text <label>``` become their text;
- ``{eq}`label``` becomes the equation number, ``(1.3)``, and the labelled display equation
  carries the same ``\\tag``; ``{numref}`fig-x``` becomes ``Fig. 1.2``; ``{ref}`ex-x``` an
  exercise becomes ``Exercise 1.2``;
- ``{cite:t}`key``` becomes ``Bogacz (2017)`` and ``{cite:p}`key``` ``(Bogacz, 2017)``, from
  ``book/references.bib``;
- ``(label)=`` target lines are removed;
- an admonition with ``:class: dropdown`` becomes a collapsed ``<details>`` block, any other
  admonition a block quote with its title in bold;
- ``{literalinclude}`` with ``:pyobject:`` becomes a fenced code block holding the object's
  source, read from the package file, so the notebook stands alone;
- math stays ``$...$`` and ``$$...$$`` (JupyterLab typesets it).

jupyterlab-myst numbers every display equation itself, beside the ``\\tag``; the hidden first cell
:func:`myst_settings_cell` turns that off, so an equation shows the website's number once.

A role or directive it does not know raises ValueError, so nothing is passed through raw.
"""

from __future__ import annotations

import ast
import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from pcbook.classroom._args import (
    check_file,
    check_files,
    check_notebook,
    check_text,
)
from pcbook.validate import check_instance

__all__ = [
    "References",
    "book_references",
    "notebook_references",
    "citation_names",
    "section_targets",
    "plain_markdown",
    "pyobject_source",
    "myst_settings_cell",
]

ROOT = Path(__file__).resolve().parents[2]
BIB = ROOT / "book" / "references.bib"

_EQ_LABELLED = re.compile(
    r"\$\$(?P<body>(?:(?!\$\$).)+?)\$\$[ \t]*\((?P<label>[\w.:-]+)\)", re.S
)
_TARGET = re.compile(r"^\((?P<label>[\w.:-]+)\)=[ \t]*\n?", re.M)
_HEADING = re.compile(r"^#{1,6}[ \t]+(?P<title>.+?)[ \t]*#*[ \t]*$", re.M)
# a role, or a code span (kept as it is): one left-to-right scan tells them apart
_ROLE_OR_CODE = re.compile(
    r"\{(?P<name>[\w:-]+)\}`(?P<text>[^`]*)`|(?P<ticks>`+).+?(?P=ticks)", re.S
)
_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>[^\n]*)$", re.M
)
_DIRECTIVE = re.compile(r"^\{(?P<name>[\w:-]+)\}[ \t]*(?P<arg>.*)$")
_OPTION = re.compile(r"^:(?P<key>[\w-]+):[ \t]*(?P<value>.*)$")
_ADMONITIONS = {
    "admonition",
    "note",
    "tip",
    "hint",
    "important",
    "warning",
    "caution",
    "attention",
    "danger",
    "error",
    "seealso",
}


@dataclass(frozen=True)
class References:
    """The numbers and texts the website prints for the book's labels.

    ``equations``, ``figures`` and ``exercises`` map a label to its number as the website shows
    it (``"1.3"``; plain ``"3"`` in the unnumbered chapter 0); ``sections`` maps a ``(label)=``
    target to the heading that follows it; ``citations`` maps a bibliography key to its authors
    and year; ``base`` is the folder the notebook's relative paths start from.
    """

    equations: dict[str, str] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)
    exercises: dict[str, str] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)
    citations: dict[str, tuple[str, str]] = field(default_factory=dict)
    base: Path = ROOT / "book"

    def __post_init__(self):
        for name in (
            "equations",
            "figures",
            "exercises",
            "sections",
            "citations",
        ):
            check_instance(
                f"References {name}", getattr(self, name), dict, "a dict"
            )
        check_instance("References base", self.base, Path, "a pathlib.Path")

    def merged(self, other: References) -> References:
        """These references with ``other``'s added (``other`` wins on a clash; keeps ``base``)."""
        check_instance("other", other, References, "a markdown.References")
        return References(
            {**self.equations, **other.equations},
            {**self.figures, **other.figures},
            {**self.exercises, **other.exercises},
            {**self.sections, **other.sections},
            {**self.citations, **other.citations},
            self.base,
        )


def _number(chapter: int, index: int) -> str:
    """The website's number of the ``index``-th numbered item of a chapter."""
    return f"{chapter}.{index}" if chapter else str(index)


def notebook_references(nb: nbformat.NotebookNode) -> References:
    """The equations, figures, exercises and section targets of one chapter notebook.

    The chapter comes from the notebook metadata ``{"pcbook": {"chapter": N}}``; equations and
    figures are numbered in the order they appear, as Sphinx numbers them.
    """
    check_notebook("nb", nb)
    chapter = nb.get("metadata", {}).get("pcbook", {}).get("chapter")
    if not isinstance(chapter, int):
        raise ValueError(
            "nb: notebook metadata needs {'pcbook': {'chapter': N}}"
        )
    from pcbook.classroom.exercises import _EX_START, _options

    equations, figures, exercises, sections = [], [], [], {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            src = cell.source
            equations += [m.group("label") for m in _EQ_LABELLED.finditer(src)]
            exercises += [
                _options(m.group("opts"))["label"]
                for m in _EX_START.finditer(src)
                if "label" in _options(m.group("opts"))
            ]
            sections.update(section_targets(src))
        elif "caption" in cell.metadata.get("mystnb", {}).get("figure", {}):
            name = cell.metadata["mystnb"]["figure"].get("name")
            figures.append(name)

    def numbered(labels):
        return {
            label: _number(chapter, i)
            for i, label in enumerate(labels, 1)
            if label
        }

    # exercises are N.M in every chapter, 0.M in the unnumbered chapter 0 (Exercise.number)
    exercise_numbers = {
        label: f"{chapter}.{i}" for i, label in enumerate(exercises, 1)
    }
    return References(
        numbered(equations),
        numbered(figures),
        exercise_numbers,
        sections,
    )


def section_targets(text: str) -> dict[str, str]:
    """``(label)=`` targets in Markdown ``text`` -> the heading right after each."""
    check_text("text", text)
    sections = {}
    for target in _TARGET.finditer(text):
        heading = _HEADING.search(text, target.end())
        if heading and not text[target.end() : heading.start()].strip():
            sections[target.group("label")] = heading.group("title")
    return sections


def citation_names(bib: Path = BIB) -> dict[str, tuple[str, str]]:
    """Bibliography key -> (authors, year) as the website cites them.

    Authors are "Bogacz", "Ororbia and Kifer" or "Annabi et al." (last names, LaTeX accents as
    letters, braces dropped).
    """
    import latexcodec  # noqa: F401  (registers the "ulatex" codec)
    from pybtex.database import parse_file

    names = {}
    bib = check_file("bib", bib)
    for key, entry in parse_file(
        str(bib), bib_format="bibtex"
    ).entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor")
        last = [
            re.sub(
                r"[{}]", "", codecs.decode(" ".join(p.last_names), "ulatex")
            )
            for p in people or []
        ]
        if not last:
            authors = key
        elif len(last) == 1:
            authors = last[0]
        elif len(last) == 2:
            authors = f"{last[0]} and {last[1]}"
        else:
            authors = f"{last[0]} et al."
        names[key] = (authors, entry.fields.get("year", "n.d."))
    return names


def book_references(notebooks: list[Path] | None = None) -> References:
    """The references of every chapter notebook (by default the book's), the section targets of
    the book's Markdown pages, and the bibliography."""
    if notebooks is None:
        from pcbook.classroom.exercises import chapter_notebooks

        notebooks = chapter_notebooks()
    notebooks = check_files("notebooks", notebooks)
    pages = {}
    for page in sorted((ROOT / "book").glob("*.md")):
        pages.update(section_targets(page.read_text(encoding="utf-8")))
    refs = References(sections=pages, citations=citation_names())
    for path in notebooks:
        refs = refs.merged(notebook_references(nbformat.read(path, 4)))
    return refs


def pyobject_source(path: Path, name: str) -> str:
    """The source lines of function or class ``name`` (``Class.method`` too) in file ``path``.

    Decorators are included; raises ValueError if the file defines no such object.
    """
    text = check_file("path", path).read_text(encoding="utf-8")
    check_text("name", name)
    body = ast.parse(text).body
    node = None
    for part in name.split("."):
        node = next(
            (
                n
                for n in body
                if isinstance(
                    n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
                )
                and n.name == part
            ),
            None,
        )
        if node is None:
            raise ValueError(f"name: {path} defines no {name!r}")
        body = node.body
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    lines = text.splitlines()[start - 1 : node.end_lineno]
    indent = min(len(ln) - len(ln.lstrip()) for ln in lines if ln.strip())
    return "\n".join(ln[indent:] for ln in lines) + "\n"


#: jupyterlab-myst reads its settings from the front matter of a notebook's first markdown cell
MYST_FRONTMATTER = "---\nnumbering:\n  equation: false\n---"


def myst_settings_cell() -> nbformat.NotebookNode:
    """A collapsed first cell for a student notebook: jupyterlab-myst numbers no equation
    itself (each carries the website's number as its ``\\tag``). Plain JupyterLab shows it as
    a collapsed cell; its id is fixed, so the notebook is the same on every build."""
    cell = nbformat.v4.new_markdown_cell(
        MYST_FRONTMATTER, metadata={"jupyter": {"source_hidden": True}}
    )
    cell.id = "pcbook-myst-settings"
    return cell


# -- roles ----------------------------------------------------------------------------------------
def _split_target(text: str) -> tuple[str | None, str]:
    """``"text <target>"`` -> ("text", "target"); ``"target"`` -> (None, "target")."""
    match = re.fullmatch(r"(?P<text>.*?)\s*<(?P<target>[^<>]+)>", text, re.S)
    if match:
        return match.group("text"), match.group("target")
    return None, text.strip()


def _lookup(table: dict, label: str, what: str) -> str:
    if label not in table:
        raise ValueError(f"source: unknown {what} label {label!r}")
    return table[label]


def _cite(name: str, keys: str, refs: References) -> str:
    found = [
        _lookup(refs.citations, k.strip(), "citation")
        for k in keys.split(",")
        if k.strip()
    ]
    if name in ("cite:t", "cite:ts"):
        return ", ".join(f"{a} ({y})" for a, y in found)
    if name in ("cite", "cite:p", "cite:ps"):
        return "(" + "; ".join(f"{a}, {y}" for a, y in found) + ")"
    raise ValueError(f"source: unsupported citation role {{{name}}}")


def _ref(text: str, refs: References) -> str:
    given, label = _split_target(text)
    if given is not None:
        return given
    if label in refs.exercises:
        return f"Exercise {refs.exercises[label]}"
    if label in refs.figures:
        return f"Fig. {refs.figures[label]}"
    return _lookup(refs.sections, label, "section")


def _role(match: re.Match, refs: References) -> str:
    name, text = match.group("name"), match.group("text")
    if name == "term":
        given, entry = _split_target(text)
        return given if given is not None else entry
    if name == "eq":
        return f"({_lookup(refs.equations, text.strip(), 'equation')})"
    if name == "numref":
        given, label = _split_target(text)
        number = _lookup(
            {**refs.figures, **refs.exercises}, label, "figure or exercise"
        )
        if given is None:
            kind = "Exercise" if label in refs.exercises else "Fig."
            return f"{kind} {number}"
        return given.replace("%s", number).replace("{number}", number)
    if name in ("ref", "doc"):
        if name == "doc":
            given, target = _split_target(text)
            return given if given is not None else Path(target).stem
        return _ref(text, refs)
    if name.startswith("cite"):
        return _cite(name, text, refs)
    if name == "math":
        return f"${text}$"
    raise ValueError(f"source: unsupported MyST role {{{name}}}")


def _tagged(match: re.Match, refs: References) -> str:
    """A labelled display equation with the website's number as its ``\\tag``."""
    number = _lookup(refs.equations, match.group("label"), "equation")
    body = match.group("body").rstrip()
    newline = "\n" if "\n" in body else ""
    return f"$${body} \\tag{{{number}}}{newline}$$"


def _inline(text: str, refs: References) -> str:
    """Roles replaced outside code spans; labelled display equations tagged; targets removed."""
    text = _TARGET.sub("", text)
    text = _EQ_LABELLED.sub(lambda m: _tagged(m, refs), text)
    return _ROLE_OR_CODE.sub(
        lambda m: m.group(0) if m.group("ticks") else _role(m, refs), text
    )


# -- directives -----------------------------------------------------------------------------------
def _options_and_body(lines: list[str]) -> tuple[dict[str, str], str]:
    options = {}
    while lines and _OPTION.match(lines[0]):
        match = _OPTION.match(lines.pop(0))
        options[match.group("key")] = match.group("value").strip()
    return options, "\n".join(lines).strip("\n")


def _directive(name: str, arg: str, lines: list[str], refs: References) -> str:
    options, body = _options_and_body(lines)
    if name in _ADMONITIONS:
        title = arg.strip() or name.capitalize()
        inner = plain_markdown(body, refs)
        if "dropdown" in options.get("class", "").split():
            return (
                f"<details>\n<summary>{_inline(title, refs)}</summary>\n\n"
                f"{inner}\n\n</details>"
            )
        quoted = "\n".join(
            ("> " + ln).rstrip()
            for ln in [f"**{_inline(title, refs)}**", ""] + inner.splitlines()
        )
        return quoted
    if name == "literalinclude":
        if "pyobject" not in options:
            raise ValueError(
                "source: {literalinclude} needs :pyobject: (the book shows functions)"
            )
        code = pyobject_source(
            (refs.base / arg.strip()).resolve(), options["pyobject"]
        )
        from pcbook.source import Source

        return (
            Source(code, options.get("language", "python"))
            .markdown()
            .rstrip("\n")
        )
    if name in ("code-cell", "code", "code-block"):
        return f"```{arg.strip() or 'python'}\n{body}\n```"
    if name == "math":
        label = options.get("label")
        tag = (
            f" \\tag{{{_lookup(refs.equations, label, 'equation')}}}"
            if label
            else ""
        )
        return f"$$\n{body}{tag}\n$$"
    raise ValueError(f"source: unsupported MyST directive {{{name}}}")


def plain_markdown(source: str, refs: References | None = None) -> str:
    """The markdown cell ``source`` as plain Markdown JupyterLab renders (see the module docstring).

    ``refs`` gives the numbers and citations the website prints (:func:`book_references`); with
    None, a cell that refers to anything raises ValueError.
    """
    check_text("source", source)
    refs = (
        References()
        if refs is None
        else check_instance("refs", refs, References, "References or None")
    )
    out, pos = [], 0
    while True:
        start = _FENCE.search(source, pos)
        if start is None:
            out.append(_inline(source[pos:], refs))
            break
        out.append(_inline(source[pos : start.start()], refs))
        fence, indent = start.group("fence"), start.group("indent")
        closing = re.compile(
            rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.M
        )
        end = closing.search(source, start.end() + 1)
        stop = end.start() if end else len(source)
        after = end.end() if end else len(source)
        inner = source[start.end() + 1 : stop]
        directive = _DIRECTIVE.match(start.group("info").strip())
        if directive:
            lines = [ln[len(indent) :] for ln in inner.splitlines()]
            out.append(
                _indent(
                    _directive(
                        directive.group("name"),
                        directive.group("arg"),
                        lines,
                        refs,
                    ),
                    indent,
                )
            )
        else:
            out.append(source[start.start() : after])
        pos = after
    return "".join(out)


def _indent(text: str, indent: str) -> str:
    return "\n".join(indent + ln if ln else ln for ln in text.splitlines())
