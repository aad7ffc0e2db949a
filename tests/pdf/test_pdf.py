"""The printed book (make pdf): both editions, checked with poppler-utils as a reader would see them.

Run by ``make pdf-test`` after ``make pdf`` has written build/pdf/pcbook.pdf (solutions in an
appendix), build/pdf/pcbook-student.pdf (no solutions) and their LaTeX logs.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import unicodedata
from functools import cache
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pcbook.classroom.exercises import chapter_notebooks, find_exercises
from tools.book_files import toc_entries
from tools.latex_pcbook import (
    chosen_values,
    grid_layout,
    parse_slider_html,
)

PDF_DIR = Path(os.environ.get("PCBOOK_PDF_DIR", ROOT / "build" / "pdf"))
EDITIONS = {"teacher": "pcbook", "student": "pcbook-student"}
OVERFULL_LIMIT_PT = (
    3.0  # the widest box allowed to stick out of the text block
)
MIN_PPI = 200  # every raster image at its printed size
MAX_BYTES = 30e6


def _run(*args: str) -> str:
    return subprocess.run(
        args, capture_output=True, text=True, check=True
    ).stdout


def _pdf(edition: str) -> Path:
    path = PDF_DIR / f"{EDITIONS[edition]}.pdf"
    if not path.exists():
        pytest.fail(f"{path} is missing: run make pdf")
    return path


# LaTeX and Sphinx's smart quotes print these for what the sources type
_PRINTED = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'}
)


def _flat(text: str) -> str:
    """Text as both sides can be compared: ligatures and curly quotes undone, dashes and
    ellipses as typed, hyphenation at line ends undone, white space runs made one space."""
    text = unicodedata.normalize("NFKC", text).translate(_PRINTED)
    text = text.replace("\u2014", "---").replace("\u2013", "--")
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text.replace("\u00ad", ""))
    return re.sub(r"\s+", " ", text)


@cache
def text(edition: str) -> str:
    return _flat(_run("pdftotext", "-enc", "UTF-8", str(_pdf(edition)), "-"))


def _markup_free(title: str) -> str:
    """A heading as printed: MyST roles, backticks and emphasis markers gone."""
    title = re.sub(r"\{[\w:-]+\}`([^`<]*?)(?:\s*<[^>]*>)?`", r"\1", title)
    return re.sub(r"[`*]", "", title).strip()


def _page_title(name: str) -> str:
    path = ROOT / name
    path = (
        path.with_suffix(".ipynb")
        if path.with_suffix(".ipynb").exists()
        else path.with_suffix(".md")
    )
    if path.suffix == ".ipynb":
        sources = [
            c.source
            for c in nbformat.read(path, as_version=4).cells
            if c.cell_type == "markdown"
        ]
    else:
        sources = [path.read_text(encoding="utf-8")]
    for source in sources:
        match = re.search(r"^# (.+)$", source, re.MULTILINE)
        if match:
            return _markup_free(match.group(1))
    raise AssertionError(f"{path.name} has no title")


def _exercises():
    return [ex for path in chapter_notebooks() for ex in find_exercises(path)]


def _printed_start(line: str) -> str:
    """The part of a source line that prints unbroken: a code line without its trailing
    comment (the listing may set it apart), and at most 40 characters (a page break can put
    the running foot inside a longer line)."""
    return re.sub(r"\s+#.*$", "", line)[:40]


def _solution_lines() -> dict[str, list[str]]:
    """For each exercise, the lines of its solution that appear nowhere else in the book's
    notebooks (long enough to be unmistakable)."""
    by_label, elsewhere = {}, set()
    for path in chapter_notebooks():
        cells = nbformat.read(path, as_version=4).cells
        exercises = find_exercises(path)
        inside = {i for ex in exercises for i in ex.solution_cells}
        for i, cell in enumerate(cells):
            if i not in inside:
                elsewhere.update(
                    _flat(line).strip() for line in cell.source.splitlines()
                )
        for ex in exercises:
            lines = [
                _flat(line).strip()
                for i in ex.solution_cells
                for line in cells[i].source.splitlines()
            ]
            by_label[ex.label] = lines
    return {
        label: [
            line
            for line in lines
            if len(line) >= 30
            and line not in elsewhere
            and not re.search(r"[`$\\{}*_]|solution-(start|end)|:class:", line)
        ]
        for label, lines in by_label.items()
    }


def test_both_editions_exist_and_are_small():
    for edition in EDITIONS:
        size = _pdf(edition).stat().st_size
        assert size < MAX_BYTES, f"{edition}: {size / 1e6:.1f} MB"


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_page_title_is_printed(edition):
    missing = [
        title
        for title in map(_page_title, toc_entries())
        if title not in text(edition)
    ]
    assert not missing, f"{edition} edition lacks the pages {missing}"


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_exercise_is_printed_with_its_number(edition):
    missing = [
        f"{ex.number} {ex.title}"
        for ex in _exercises()
        if f"Exercise {ex.number} ({_markup_free(ex.title)})"
        not in text(edition)
    ]
    assert not missing, f"{edition} edition lacks exercises {missing}"


def test_teacher_edition_has_every_solution_in_the_appendix():
    book = text("teacher")
    appendix = book.find("Solution to Exercise")
    assert appendix > 0, "no solutions appendix"
    body, back = book[:appendix], book[appendix:]
    for ex in _exercises():
        heading = f"Solution to Exercise {ex.number} "
        assert heading in back, f"{heading} is not in the appendix"
        assert f"Exercise {ex.number} (" in body, f"{ex.number} is not before"
    assert "Solution on page" in body
    lines = _solution_lines()
    assert sum(map(len, lines.values())) > 20, (
        "too few solution lines to check"
    )
    missing = [
        f"{label}: {line}"
        for label, found in lines.items()
        for line in found
        if _printed_start(line) not in back
    ]
    assert not missing, (
        "solution text missing from the appendix:\n" + "\n".join(missing[:10])
    )


def test_student_edition_has_no_solution_text():
    book = text("student")
    assert "Solution to Exercise" not in book
    assert "Solutions to the exercises" not in book
    assert "Solution on page" not in book
    leaked = [
        f"{label}: {line}"
        for label, found in _solution_lines().items()
        for line in found
        if line in book
    ]
    assert not leaked, "solution text in the student edition:\n" + "\n".join(
        leaked[:10]
    )


@pytest.mark.parametrize("edition", EDITIONS)
def test_no_unresolved_reference(edition):
    book = text(edition)
    spots = [
        book[max(0, m.start() - 60) : m.end() + 20]
        for m in re.finditer(r"\?\?", book)
    ]
    assert not spots, f"{edition}: unresolved references: {spots[:5]}"
    log = (PDF_DIR / f"{EDITIONS[edition]}.log").read_text(errors="replace")
    undefined = re.findall(
        r"(?:Reference|Citation) `([^']+)' .*undefined", log
    )
    assert not undefined, (
        f"{edition}: undefined LaTeX references {undefined[:10]}"
    )


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_font_is_embedded(edition):
    rows = _run("pdffonts", str(_pdf(edition))).splitlines()[2:]
    assert rows, "pdffonts lists no fonts"
    # columns from the right: emb sub uni object ID
    loose = [row for row in rows if row.split()[-5] != "yes"]
    assert not loose, f"{edition}: fonts not embedded:\n" + "\n".join(loose)


def _images(edition: str) -> list[list[str]]:
    rows = _run("pdfimages", "-list", str(_pdf(edition))).splitlines()[2:]
    return [row.split() for row in rows if row.split()[2] == "image"]


def _website_figures() -> tuple[int, list]:
    """The PNG figures and the slider outputs the website shows, from the stored notebooks."""
    pngs, sliders = 0, []
    for path in chapter_notebooks():
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                slider = parse_slider_html(data.get("text/html", ""))
                if slider is not None:
                    sliders.append(slider)
                elif "image/png" in data:
                    pngs += 1
    return pngs, sliders


def _shown_values(slider) -> list[list[int]]:
    """The value indices of each slider its printed grid shows."""
    return chosen_values(
        [len(v) for v in slider.values],
        math.prod(grid_layout(slider.width, slider.height)),
    )


def test_every_figure_is_printed_at_200_ppi_or_more():
    images = _images("teacher")
    pngs, sliders = _website_figures()
    assert len(images) >= pngs + len(sliders), (
        f"{len(images)} images in the PDF, {pngs + len(sliders)} figures on the website"
    )
    panels = sum(
        math.prod(map(len, _shown_values(slider))) for slider in sliders
    )
    assert len(images) >= pngs + panels, (
        f"{len(images)} images, but {pngs} figures and {panels} slider panels"
    )
    coarse = [
        row for row in images if min(int(row[12]), int(row[13])) < MIN_PPI
    ]
    assert not coarse, f"images under {MIN_PPI} ppi (page, ppi): " + str(
        [(row[0], row[12]) for row in coarse[:10]]
    )


def test_every_slider_panel_is_labelled_with_its_values():
    book = text("teacher")
    _, sliders = _website_figures()
    missing = []
    for slider in sliders:
        picks = _shown_values(slider)
        last = [v[p[-1]] for v, p in zip(slider.values, picks)]
        label = ", ".join(f"{n} = {v}" for n, v in zip(slider.names, last))
        if _flat(label) not in book:
            missing.append(label)
    assert not missing, f"slider panels without their label: {missing}"


@pytest.mark.parametrize("edition", EDITIONS)
def test_nothing_runs_into_the_margin(edition):
    log = (PDF_DIR / f"{EDITIONS[edition]}.log").read_text(errors="replace")
    boxes = [
        (float(points), line)
        for points, line in re.findall(
            r"Overfull \\hbox \(([\d.]+)pt too wide\) (.*)", log
        )
    ]
    wide = sorted(boxes, reverse=True)
    assert not wide or wide[0][0] <= OVERFULL_LIMIT_PT, (
        f"{edition}: {len([b for b in wide if b[0] > OVERFULL_LIMIT_PT])} overfull boxes over "
        f"{OVERFULL_LIMIT_PT} pt, widest: {wide[:5]}"
    )


def test_internal_links_are_clickable():
    """Equations, figures, citations, glossary terms and solutions are links inside the PDF."""
    xml = _run(
        "pdftohtml", "-xml", "-i", "-stdout", "-q", str(_pdf("teacher"))
    )
    internal = re.findall(r'<a href="[^"]*?#(\d+)', xml)
    assert len(internal) > 200, f"only {len(internal)} internal links"


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_character_has_a_glyph(edition):
    """xelatex drops a character its font lacks and only says so in the log."""
    log = (PDF_DIR / f"{EDITIONS[edition]}.log").read_text(errors="replace")
    missing = sorted(
        set(re.findall(r"Missing character: There is no (.+?) \(", log))
    )
    assert not missing, f"{edition}: characters printed as nothing: {missing}"
