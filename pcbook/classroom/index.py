"""The exercises index page (book/exercises.md), generated from the chapter notebooks."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from pcbook.classroom.exercises import (
    KINDS,
    LEVELS,
    ROOT,
    chapter_notebooks,
    find_exercises,
)

__all__ = ["index_markdown"]


def _chapter_title(path: Path) -> str:
    """The title of a chapter notebook: the text of its first level-1 heading."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        match = (
            re.search(r"^# (.+)$", cell.source, re.M)
            if cell.cell_type == "markdown"
            else None
        )
        if match:
            return match.group(1).strip()
    raise ValueError(f"{path.name}: no '# title' heading")


def index_markdown() -> str:
    """The exercises index page (book/exercises.md), generated from the notebooks."""
    from pcbook import check

    checks = {label: func.__name__ for label, func in check.load_all().items()}
    lines = [
        "# Exercises",
        "",
        "Every exercise in the book, chapter by chapter. This page is generated from the chapter notebooks",
        "when the book is built (`python -m pcbook.classroom index --write`), so it always lists what the",
        "chapters contain.",
        "",
        "* **Kind**: a *derivation* is done with pen and paper, *coding* means writing a function, an",
        "  *exploration* is done with the chapter's sliders, and *find the bug* starts from faulty code.",
        "* **Level**: 1 is a warm-up, 2 takes some thought, 3 is hard.",
        "* **Setting**: explorations, bug hunts and warm-up coding suit a lab session; derivations and",
        "  harder coding suit homework.",
        "* **Check**: coding exercises come with an answer check; in the notebook, call the function named",
        "  there on your answer.",
        "",
        '<p><a class="reference download" href="../pcbook-student-notebooks.zip" download>'
        "Download the student notebooks (zip)</a>: every chapter with its solutions replaced by stubs.</p>",
        '<p>Printable book (A4): <a class="reference download" href="../pcbook.pdf" download>'
        "the whole book as one PDF</a>, with the solutions in an appendix, and "
        '<a class="reference download" href="../pcbook-student.pdf" download>the student edition</a>, '
        "without solutions.</p>",
    ]
    for path in chapter_notebooks():
        exercises = find_exercises(path)
        if not exercises:
            continue
        doc = path.relative_to(ROOT / "book").with_suffix("").as_posix()
        chapter = exercises[0].chapter
        lines += [
            "",
            f"## {f'{chapter}. ' if chapter else ''}{_chapter_title(path)}",
            "",
            f"Chapter page: {{doc}}`{doc}`.",
            "",
            "| | exercise | kind | level | setting | check |",
            "|---|---|---|---|---|---|",
        ]
        for ex in exercises:
            fn = checks.get(ex.label)
            check_cell = f"`check.{fn}`" if fn else "-"
            lines.append(
                f"| {ex.number} | {{ref}}`{ex.title} <{ex.label}>` | {KINDS[ex.kind]} | "
                f"{LEVELS[ex.level]} | {ex.setting} | {check_cell} |"
            )
    return "\n".join(lines) + "\n"
