"""Classroom kit: find the exercises in the chapter notebooks, write student notebooks, and the
exercises index page. One source: solutions live (and are executed) in the chapter notebooks.

Command line::

    python -m pcbook.classroom student [--out build/student] [--zip FILE]
    python -m pcbook.classroom index [--write]

An exercise is a sphinx-exercise gated block (see CONTRIBUTING.md). In a student notebook each
coding solution keeps its functions' signatures and docstrings, its body becomes ``...`` blanks
and ``raise NotImplementedError("Exercise N.M: title")``; markdown solutions are removed.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

__all__ = [
    "Exercise",
    "find_exercises",
    "stub_source",
    "student_notebook",
    "write_students",
    "index_markdown",
]

ROOT = Path(__file__).resolve().parents[1]
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
        """The number the website shows: N.M in the numbered parts, plain M on the unnumbered chapter 0."""
        return (
            f"{self.chapter}.{self.index}" if self.chapter else str(self.index)
        )

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


def _blank(stmt: ast.stmt) -> str | None:
    """``name = ...`` for a simple assignment, None for anything else."""
    targets = (
        stmt.targets
        if isinstance(stmt, ast.Assign)
        else [getattr(stmt, "target", None)]
    )
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and all(
        isinstance(t, (ast.Name, ast.Tuple)) for t in targets
    ):
        return " = ".join(ast.unparse(t) for t in targets) + " = ..."
    return None


def _stub_function(func: ast.FunctionDef, number: str, title: str) -> str:
    header = f"def {func.name}({ast.unparse(func.args)}):"
    if func.returns is not None:
        header = header[:-1] + f" -> {ast.unparse(func.returns)}:"
    body = []
    docstring = ast.get_docstring(func, clean=False)
    if docstring is not None:
        body.append('"""' + docstring.replace('"""', r"\"\"\"") + '"""')
    body.append(
        f"# Exercise {number}: replace every ... below with your code, then delete the raise."
    )
    rest = func.body[1:] if docstring is not None else func.body
    body += [blank for blank in map(_blank, rest) if blank]
    body.append(
        f"raise NotImplementedError({f'Exercise {number}: {title}'!r})"
    )
    decorators = "".join(f"@{ast.unparse(d)}\n" for d in func.decorator_list)
    return (
        decorators
        + header
        + "\n"
        + "\n".join("    " + line for b in body for line in b.splitlines())
        + "\n"
    )


def stub_source(code: str, number: str, title: str) -> str:
    """The student version of one solution code cell (see the module docstring)."""
    tree = ast.parse(code)
    parts = []
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            parts.append(ast.unparse(stmt) + "\n")
        elif isinstance(stmt, ast.FunctionDef):
            parts.append(_stub_function(stmt, number, title))
        else:
            blank = _blank(stmt)
            parts.append(
                (blank or "...") + f"  # Exercise {number}: your code here\n"
            )
    return "\n".join(parts).rstrip() + "\n"


def _student_exercise_markdown(src: str, by_label: dict) -> str:
    def heading(match):
        label = _options(match.group("opts")).get("label")
        ex = by_label[label]
        return f"### Exercise {ex.number}: {ex.title}\n"

    return _EX_END.sub("", _EX_START.sub(heading, src))


def student_notebook(path: Path) -> nbformat.NotebookNode:
    """The student version of notebook ``path``: solutions stubbed, outputs cleared."""
    nb = nbformat.read(path, as_version=4)
    exercises = find_exercises(path)
    by_label = {ex.label: ex for ex in exercises}
    owner = {i: ex for ex in exercises for i in ex.solution_cells}
    cells = []
    for i, cell in enumerate(nb.cells):
        if i in owner:
            ex = owner[i]
            if cell.cell_type == "code":
                cells.append(
                    nbformat.v4.new_code_cell(
                        stub_source(cell.source, ex.number, ex.title)
                    )
                )
            elif _SOL_START.search(cell.source) and not any(
                nb.cells[j].cell_type == "code" for j in ex.solution_cells
            ):
                cells.append(
                    nbformat.v4.new_markdown_cell(
                        f"*Your answer to Exercise {ex.number} here (the solution is in the book).*"
                    )
                )
            continue
        if cell.cell_type == "markdown":
            cell.source = _student_exercise_markdown(cell.source, by_label)
        elif cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    nb.cells = cells
    nb.metadata.setdefault("pcbook", {})["student"] = True
    return nb


def _notebooks() -> list[Path]:
    sys.path.insert(0, str(ROOT))
    from tools.book_files import toc_notebooks

    return toc_notebooks()


def write_students(out: Path, zip_path: Path | None = None) -> list[Path]:
    """Write a student notebook for every chapter notebook that has exercises; optionally zip them."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in _notebooks():
        if not find_exercises(path):
            continue
        target = out / path.name
        nbformat.write(student_notebook(path), target)
        written.append(target)
    if zip_path is not None:
        zip_path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
            for target in written:
                zf.write(target, f"pcbook-student/{target.name}")
            zf.writestr("pcbook-student/README.txt", _STUDENT_README)
    return written


_STUDENT_README = """pcbook student notebooks

Each notebook is a chapter of the book with the exercise solutions removed. Install the book's
environment (`make lab` in the book's repository, or `pip install -r requirements.txt -e .`),
open a notebook, and run it from the top. Each exercise raises NotImplementedError until you fill
in the blanks (...); the cell after it checks your answer with pcbook.check and gives a hint.
"""


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
    ]
    for path in _notebooks():
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pcbook.classroom")
    sub = parser.add_subparsers(dest="command", required=True)
    student = sub.add_parser("student", help="write the student notebooks")
    student.add_argument("--out", default=str(ROOT / "build" / "student"))
    student.add_argument("--zip", default=None)
    index = sub.add_parser(
        "index", help="print (or --write) the exercises index page"
    )
    index.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "student":
        written = write_students(
            Path(args.out), Path(args.zip) if args.zip else None
        )
        print(
            f"wrote {len(written)} student notebooks to {args.out}"
            + (f" and {args.zip}" if args.zip else "")
        )
    else:
        text = index_markdown()
        if args.write:
            (ROOT / "book" / "exercises.md").write_text(text)
        else:
            print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
