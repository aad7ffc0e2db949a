"""Find the exercises in the chapter notebooks: one source for stubs, checks, the index and grading.

An exercise is a sphinx-exercise gated block (see CONTRIBUTING.md) with a label, a kind and a
level in its ``:class:``; its solution cells run in the chapter notebook like any other cell.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from pcbook.classroom._args import check_file
from pcbook.validate import record

__all__ = [
    "Exercise",
    "find_exercises",
    "chapter_notebooks",
    "KINDS",
    "LEVELS",
]

ROOT = Path(__file__).resolve().parents[2]
KINDS = {
    "kind-derivation": "derivation",
    "kind-coding": "coding",
    "kind-exploration": "exploration",
    "kind-findbug": "find the bug",
}
LEVELS = {"level-1": "1", "level-2": "2", "level-3": "3"}
_EX_START = re.compile(
    r"```\{exercise-start\}\s*(?P<title>[^\n]*)\n(?P<opts>(?::[\w-]+:[^\n]*\n)*)```",
    re.M,
)
_SOL_START = re.compile(r"```\{solution-start\}\s*(?P<label>[\w-]+)")
_SOL_END = re.compile(r"```\{solution-end\}")
_EX_END = re.compile(r"```\{exercise-end\}\s*```\s*")


@record
@dataclass
class Exercise:
    """One exercise found in a chapter notebook."""

    notebook: Path
    chapter: int
    index: int  # 1-based position in its notebook
    label: str
    title: str
    kind: str
    level: str
    solution_cells: list[int] = field(default_factory=list)

    @property
    def number(self) -> str:
        """The number the website shows: N.M, the M-th exercise of chapter N; the unnumbered
        chapter 0 too (0.M, see ``tools/sphinx_pcbook.py``), so no two exercises share one."""
        return f"{self.chapter}.{self.index}"

    @property
    def setting(self) -> str:
        """Suggested setting: explorations, bug hunts and warm-up coding in a lab, the rest as homework."""
        if self.kind in ("kind-exploration", "kind-findbug") or (
            self.kind == "kind-coding" and self.level == "level-1"
        ):
            return "lab session"
        return "homework"


def _options(text: str) -> dict:
    return dict(re.findall(r"^:([\w-]+):\s*(.*)$", text, re.M))


def find_exercises(path: Path) -> list[Exercise]:
    """Every exercise of notebook ``path`` in order, with the indices of its solution cells.

    Raises ValueError if an exercise lacks a label, a kind or a level, or if a solution refers
    to an unknown exercise or is not closed.
    """
    path = check_file("path", path)
    nb = nbformat.read(path, as_version=4)
    chapter = nb.metadata.get("pcbook", {}).get("chapter")
    if not isinstance(chapter, int):
        raise ValueError(
            f"{path.name}: notebook metadata needs {{'pcbook': {{'chapter': N}}}}"
        )
    exercises: dict[str, Exercise] = {}
    open_solution = None
    for i, cell in enumerate(nb.cells):
        src = cell.source
        if cell.cell_type == "markdown":
            for match in _EX_START.finditer(src):
                opts = _options(match.group("opts"))
                classes = opts.get("class", "").split()
                kind = next((c for c in classes if c in KINDS), None)
                level = next((c for c in classes if c in LEVELS), None)
                label = opts.get("label")
                if not (label and kind and level):
                    raise ValueError(
                        f"{path.name}: exercise {match.group('title')!r} needs :label: and a :class: "
                        f"with one of {sorted(KINDS)} and one of {sorted(LEVELS)}"
                    )
                exercises[label] = Exercise(
                    path,
                    chapter,
                    len(exercises) + 1,
                    label,
                    match.group("title").strip(),
                    kind,
                    level,
                )
            start = _SOL_START.search(src)
            if start:
                if start.group("label") not in exercises:
                    raise ValueError(
                        f"{path.name}: solution for unknown exercise {start.group('label')!r}"
                    )
                open_solution = exercises[start.group("label")]
            if open_solution is not None:
                open_solution.solution_cells.append(i)
            if _SOL_END.search(src):
                if open_solution is None:
                    raise ValueError(
                        f"{path.name}: solution-end without solution-start (cell {i})"
                    )
                open_solution = None
        elif open_solution is not None:
            open_solution.solution_cells.append(i)
    if open_solution is not None:
        raise ValueError(
            f"{path.name}: the solution of {open_solution.label!r} is never closed"
        )
    return list(exercises.values())


def chapter_notebooks() -> list[Path]:
    """The chapter notebooks in the order of the table of contents."""
    sys.path.insert(0, str(ROOT))
    from tools.book_files import toc_notebooks

    return toc_notebooks()
