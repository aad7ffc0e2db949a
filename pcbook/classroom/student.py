"""Student notebooks: every chapter with its solutions replaced by stubs, and the zip students get.

In a student notebook each coding solution keeps its functions' signatures, docstrings and
``return`` lines; the rest of the body becomes ``...`` blanks and ``raise NotImplementedError``.
Markdown solutions are removed.

``make student`` is deterministic (the same bytes on every run): the cells keep their ids from
the chapter notebook (a stub takes its solution cell's id), execution timestamps are dropped,
and the zip's entries are written in a fixed order with a fixed date. The zip stands alone: the
package source with ``pyproject.toml`` and the requirements, the notebooks with the data files
they read (in ``notebooks/``, so that a kernel imports the installed package, not the source
folder), and a README whose one install command (:data:`INSTALL_COMMAND`) works from the
unzipped folder.
"""

from __future__ import annotations

import ast
import re
import zipfile
from pathlib import Path

import nbformat

from pcbook.classroom._args import (
    check_file,
    check_files,
    check_out,
    check_text,
)
from pcbook.classroom.exercises import (
    _EX_END,
    _EX_START,
    _SOL_START,
    ROOT,
    _options,
    chapter_notebooks,
    find_exercises,
)
from pcbook.classroom.markdown import (
    References,
    book_references,
    myst_settings_cell,
    plain_markdown,
)
from pcbook.source import show_source
from pcbook.validate import check_instance

__all__ = [
    "stub_source",
    "student_notebook",
    "write_students",
    "zip_entries",
    "INSTALL_COMMAND",
    "ZIP_FOLDER",
    "NOTEBOOK_FOLDER",
]

#: the top folder of the student zip, and its folder of notebooks
ZIP_FOLDER = "pcbook-student"
NOTEBOOK_FOLDER = "notebooks"
#: run in the unzipped folder: installs pcbook and everything the notebooks import
INSTALL_COMMAND = "python -m pip install -r requirements.txt ."
#: what the zip needs, besides the notebooks, to install pcbook (paths relative to the repository)
INSTALL_FILES = ("pyproject.toml", "requirements.txt", "requirements-lock.txt")
#: the date of every zip entry (the earliest a zip can hold), so that two runs give the same bytes
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
#: cell metadata that changes from run to run and means nothing to a student
VOLATILE_METADATA = ("execution",)


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
    # one blank per unpacked name, so the stub runs before it is filled in
    width = max(
        len(t.elts) if isinstance(t, ast.Tuple) else 1 for t in targets
    )
    blanks = ", ".join(["..."] * width)
    return " = ".join(_names(t) for t in targets) + " = " + blanks


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
    for name, text in (("code", code), ("number", number), ("title", title)):
        check_text(name, text)
    try:
        tree = ast.parse(code)
    except SyntaxError as err:
        raise ValueError(
            f"code: not valid Python ({err.msg}, line {err.lineno})"
        ) from None
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


_SHOW_SOURCE = re.compile(r'^show_source\("(?P<name>[\w.]+)"\)\s*$')


def _source_listing(cell) -> nbformat.NotebookNode | None:
    """A hidden ``show_source("pcbook.m.f")`` cell (tools/lab_source.py) as a markdown cell
    holding the function's source, so a student sees it without running anything."""
    lines = [
        ln
        for ln in cell.source.splitlines()
        if not ln.startswith(("from ", "import "))
    ]
    match = _SHOW_SOURCE.match("\n".join(lines).strip())
    if cell.cell_type != "code" or match is None:
        return None
    return nbformat.v4.new_markdown_cell(
        show_source(match.group("name")).markdown(), id=cell.id
    )


def student_notebook(path: Path, refs=None) -> nbformat.NotebookNode:
    """The student version of notebook ``path``: solutions stubbed, outputs cleared.

    ``refs`` (``classroom.markdown.book_references()``, computed when not given) numbers
    equations, figures and exercises as the website does."""
    path = check_file("path", path)
    if refs is not None:
        check_instance("refs", refs, References, "References or None")
    nb = nbformat.read(path, as_version=4)
    exercises = find_exercises(path)
    by_label = {ex.label: ex for ex in exercises}
    owner = {i: ex for ex in exercises for i in ex.solution_cells}
    refs = book_references() if refs is None else refs
    cells = [myst_settings_cell()]
    for i, cell in enumerate(nb.cells):
        if i in owner:
            ex = owner[i]
            if cell.cell_type == "code":
                cells.append(
                    nbformat.v4.new_code_cell(
                        stub_source(cell.source, ex.number, ex.title),
                        id=cell.id,
                    )
                )
            elif _SOL_START.search(cell.source) and not any(
                nb.cells[j].cell_type == "code" for j in ex.solution_cells
            ):
                cells.append(
                    nbformat.v4.new_markdown_cell(
                        f"*Your answer to Exercise {ex.number} here (the solution is in the book).*",
                        id=cell.id,
                    )
                )
            continue
        listing = _source_listing(cell)
        if listing is not None:
            cells.append(listing)
            continue
        if cell.cell_type == "markdown":
            cell.source = plain_markdown(
                _student_exercise_markdown(cell.source, by_label), refs
            )
        elif cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        for key in VOLATILE_METADATA:
            cell.metadata.pop(key, None)
        cells.append(cell)
    nb.cells = cells
    nb.metadata.setdefault("pcbook", {})["student"] = True
    return nb


def write_students(out: Path, zip_path: Path | None = None) -> list[Path]:
    """Write a student notebook for every chapter notebook that has exercises and the data
    files they read (``data/``) into ``out``; optionally the zip (see the module docstring).
    Return the notebooks written."""
    check_out("out", out)
    check_out("zip_path", zip_path, optional=True)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    refs = book_references()
    for path in chapter_notebooks():
        if not find_exercises(path):
            continue
        target = out / path.name
        nbformat.write(student_notebook(path, refs), target)
        written.append(target)
    for name, data in _data_files().items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    if zip_path is not None:
        _write_zip(zip_path, zip_entries(written))
    return written


def _data_files() -> dict[str, bytes]:
    """The files the chapter notebooks read (``book/data``), by their path next to the notebooks."""
    data = ROOT / "book" / "data"
    return {
        p.relative_to(data.parent).as_posix(): p.read_bytes()
        for p in sorted(data.rglob("*"))
        if p.is_file()
    }


def _package_files() -> dict[str, bytes]:
    """The source of the pcbook package and what installs it, by path in the repository."""
    package = ROOT / "pcbook"
    files = {
        p.relative_to(ROOT).as_posix(): p.read_bytes()
        for p in sorted(package.rglob("*"))
        if p.is_file()
        and p.suffix in (".py", ".mplstyle")
        and "__pycache__" not in p.parts
    }
    files.update({name: (ROOT / name).read_bytes() for name in INSTALL_FILES})
    return files


def zip_entries(notebooks: list[Path]) -> dict[str, bytes]:
    """Every file of the student zip, by its name in the zip, in the order they are written."""
    notebooks = check_files("notebooks", notebooks)
    files = {p.name: p.read_bytes() for p in notebooks}
    files.update(_data_files())
    files = {f"{NOTEBOOK_FOLDER}/{name}": data for name, data in files.items()}
    files.update(_package_files())
    files["README.md"] = STUDENT_README.encode()
    return {f"{ZIP_FOLDER}/{name}": files[name] for name in sorted(files)}


def _write_zip(zip_path: Path, entries: dict[str, bytes]) -> None:
    """Write ``entries`` with a fixed date and permissions: the same bytes on every run."""
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path, "w") as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever machine wrote it
            zf.writestr(info, data, compresslevel=9)


STUDENT_README = f"""# pcbook: the student notebooks

Each notebook here is a chapter of the book *pcbook* (predictive coding, step by step) with the
solutions of its exercises replaced by stubs. Run a notebook from the top: each exercise's stub
raises `NotImplementedError` until you replace its blanks (`...`) with your code and delete the
`raise`; the cell after it checks your answer (`pcbook.check`) and gives a hint. A hint names
what is wrong; after three wrong tries, or with `reveal=True`, the check also shows the answer.

## Install (once)

You need Python 3.10 or newer. In this folder (the one with this README):

    python -m venv .venv
    source .venv/bin/activate          (on Windows: .venv\\Scripts\\activate)
    {INSTALL_COMMAND}

The last command installs the book's package `pcbook` (its source is in `pcbook/`) with
JupyterLab and everything the notebooks import (`requirements.txt`). To get exactly the versions
the book was made with instead (Python 3.11 only):

    python -m pip install --require-hashes -r requirements-lock.txt
    python -m pip install --no-deps .

## Work

    jupyter lab {NOTEBOOK_FOLDER}

opens JupyterLab on the notebooks. Open one (`bayes_in_pictures.ipynb` is the first chapter)
and run its cells in order. `{NOTEBOOK_FOLDER}/data/` holds a table one chapter reads; keep it
next to the notebooks.
"""
