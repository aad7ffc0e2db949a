"""Student notebooks: every chapter with its solutions replaced by stubs, and the zip students get.

In a student notebook each coding solution keeps its functions' signatures, docstrings and
``return`` lines; the rest of the body becomes ``...`` blanks and ``raise NotImplementedError``.
Markdown solutions are removed.
"""

from __future__ import annotations

import ast
import zipfile
from pathlib import Path

import nbformat

from pcbook.classroom.exercises import (
    _EX_END,
    _EX_START,
    _SOL_START,
    _options,
    chapter_notebooks,
    find_exercises,
)
from pcbook.classroom.markdown import plain_markdown

__all__ = ["stub_source", "student_notebook", "write_students"]


def _names(node: ast.expr) -> str:
    """``a`` or ``a, b``: an assignment target or returned value without parentheses."""
    if isinstance(node, ast.Tuple):
        return ", ".join(ast.unparse(e) for e in node.elts)
    return ast.unparse(node)


def _targets(stmt: ast.stmt) -> list[ast.expr] | None:
    """The targets of a simple assignment to names, None for any other statement."""
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, ast.AnnAssign):
        targets = [stmt.target]
    else:
        return None
    simple = all(isinstance(t, (ast.Name, ast.Tuple)) for t in targets)
    return targets if simple else None


def _blank(stmt: ast.stmt) -> str | None:
    """``name = ...`` for a simple assignment, None for anything else."""
    targets = _targets(stmt)
    if targets is None:
        return None
    return " = ".join(_names(t) for t in targets) + " = ..."


def _stub_return(ret: ast.Return, body: list[ast.stmt]) -> str:
    """The stub's ``return`` line: the solution's, when it returns names the stub keeps as blanks
    (``return mean, var``); otherwise ``return ...`` with as many blanks as the solution returns."""
    kept = {
        name.id
        for stmt in body
        for target in _targets(stmt) or []
        for name in ast.walk(target)
        if isinstance(name, ast.Name)
    }
    if ret.value is None:
        return "return"
    value = ret.value
    parts = value.elts if isinstance(value, ast.Tuple) else [value]
    if all(isinstance(p, ast.Name) and p.id in kept for p in parts):
        return "return " + _names(value)
    return "return " + ", ".join("..." for _ in parts)


def _stub_function(func: ast.FunctionDef, number: str, title: str) -> str:
    header = f"def {func.name}({ast.unparse(func.args)}):"
    if func.returns is not None:
        header = header[:-1] + f" -> {ast.unparse(func.returns)}:"
    body = []
    docstring = ast.get_docstring(func, clean=False)
    if docstring is not None:
        body.append('"""' + docstring.replace('"""', r"\"\"\"") + '"""')
    body.append(
        f"# Exercise {number}: replace every ... with your code, then delete the raise."
    )
    rest = func.body[1:] if docstring is not None else func.body
    body += [blank for blank in map(_blank, rest) if blank]
    body.append(
        f"raise NotImplementedError({f'Exercise {number}: {title}'!r})"
    )
    if rest and isinstance(rest[-1], ast.Return):
        body.append(_stub_return(rest[-1], rest))
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
            cell.source = plain_markdown(
                _student_exercise_markdown(cell.source, by_label)
            )
        elif cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    nb.cells = cells
    nb.metadata.setdefault("pcbook", {})["student"] = True
    return nb


def write_students(out: Path, zip_path: Path | None = None) -> list[Path]:
    """Write a student notebook for every chapter notebook that has exercises; optionally zip them."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in chapter_notebooks():
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
