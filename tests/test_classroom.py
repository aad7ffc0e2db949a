"""The classroom kit: every exercise is well-formed, stubs match solutions, student notebooks run,
and the exercises index page is up to date."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml

from pcbook import check, classroom
from pcbook.classroom import student as kit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tools.book_files import toc_notebooks  # noqa: E402

NOTEBOOKS = toc_notebooks()
WITH_EXERCISES = [nb for nb in NOTEBOOKS if classroom.find_exercises(nb)]


def _functions(code: str) -> dict:
    return {
        f.name: (ast.unparse(f.args), ast.get_docstring(f))
        for f in ast.parse(code).body
        if isinstance(f, ast.FunctionDef)
    }


def test_there_are_notebooks_with_exercises():
    assert WITH_EXERCISES, "no notebook has exercises"


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_every_exercise_has_a_solution(path):
    missing = [
        ex.label
        for ex in classroom.find_exercises(path)
        if not ex.solution_cells
    ]
    assert not missing, f"exercises without a solution: {missing}"


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_every_stub_matches_its_solution(path):
    nb = nbformat.read(path, as_version=4)
    student = classroom.student_notebook(path)
    stubs = {}
    for cell in student.cells:
        if cell.cell_type == "code":
            stubs.update(_functions(cell.source))
    for ex in classroom.find_exercises(path):
        for i in ex.solution_cells:
            if nb.cells[i].cell_type != "code":
                continue
            for name, (args, doc) in _functions(nb.cells[i].source).items():
                assert name in stubs, (
                    f"Exercise {ex.number}: no stub for {name}()"
                )
                assert stubs[name] == (args, doc), (
                    f"Exercise {ex.number}: stub of {name}() differs from its solution"
                )
    text = "\n".join(c.source for c in student.cells)
    for ex in classroom.find_exercises(path):
        if any(nb.cells[i].cell_type == "code" for i in ex.solution_cells):
            assert f"Exercise {ex.number}: {ex.title}" in text


#: chapters whose student notebook runs top to bottom in a few seconds: they are run whole;
#: the others run the cells their first exercise's check needs (their other cells are the
#: chapter's own, unchanged, which nbval runs: see the test below)
RUN_WHOLE = {"bayes_in_pictures", "posterior", "error_units", "variance"}


#: the line a stub function raises with (the title is quoted as repr quotes it)
_STUB_RAISE = re.compile(r"raise NotImplementedError\(['\"]Exercise ")


def _is_stub(cell) -> bool:
    return bool(_STUB_RAISE.search(cell.source)) or (
        "# Exercise " in cell.source and "your code here" in cell.source
    )


def _first_check(nb) -> tuple[int, int]:
    """The indices in ``nb`` of the first stub and of the first answer check after it."""
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    stub = next(i for i in code if _STUB_RAISE.search(nb.cells[i].source))
    check_cell = next(
        i
        for i in code
        if i > stub
        and "check." in nb.cells[i].source
        and not _is_stub(nb.cells[i])
    )
    return stub, check_cell


def _text(cell) -> str:
    return "".join(
        o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
        for o in cell.outputs
    )


def _run(nb, folder: Path, kernel_name: str = "python3", **options) -> None:
    """Execute ``nb`` in place in a fresh kernel started in ``folder``."""
    from nbclient import NotebookClient

    NotebookClient(
        nb,
        kernel_name=kernel_name,
        timeout=600,
        resources={"metadata": {"path": str(folder)}},
        **options,
    ).execute()


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_student_code_is_the_chapters_except_the_stubs(path):
    """Every code cell of a student notebook is a stub or the chapter's own cell, unchanged
    (same id, same source): nbval runs those, so a student notebook fails only where a stub
    is."""
    chapter = {
        c.id: c.source
        for c in nbformat.read(path, as_version=4).cells
        if c.cell_type == "code"
    }
    for cell in classroom.student_notebook(path).cells:
        if cell.cell_type == "code" and not _is_stub(cell):
            assert chapter.get(cell.id) == cell.source, (
                f"cell {cell.id} differs from the chapter's"
            )


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_student_notebook_runs_to_the_first_exercise(path):
    """Light chapters run whole: the only errors are the stubs' NotImplementedError (where a
    later cell calls a student's function), none before the first check, and every check cell
    gives a verdict. Heavy chapters run the cells their first check needs."""
    from pcbook.classroom.cells import code_cells, needed_cells

    student = classroom.student_notebook(path)
    stub, check_cell = _first_check(student)
    if path.stem not in RUN_WHOLE:
        cells = code_cells(student)
        wanted = next(c for c in cells if c.number == check_cell + 1)
        earlier = [c for c in cells if c.number < wanted.number]
        keep = {c.number - 1 for c in needed_cells(earlier, wanted.used)}
        assert stub in keep, "the first check does not use the first stub"
        student.cells = [
            c for i, c in enumerate(student.cells) if i in keep | {check_cell}
        ]
        check_cell = len(student.cells) - 1
    _run(student, path.parent, allow_errors=True)
    errors = [
        (i, o)
        for i, c in enumerate(student.cells)
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    for i, error in errors:
        assert i > check_cell, f"cell {i} raised before the first check"
        assert (
            error.ename == "NotImplementedError"
            and error.evalue.startswith("Exercise ")
        ), f"cell {i} raised {error.ename}: {error.evalue}"
    assert "not implemented yet" in _text(student.cells[check_cell]), (
        f"the answer check did not recognise the stub: "
        f"{_text(student.cells[check_cell])!r}"
    )
    checks = [
        c
        for c in student.cells
        if c.cell_type == "code" and "check." in c.source and not _is_stub(c)
    ]
    for cell in checks:
        assert "Not yet" in _text(cell), (
            f"a check cell gave no verdict: {cell.source!r} -> {_text(cell)!r}"
        )


def test_chapter_numbers_follow_the_table_of_contents():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    number = 0
    for part in toc["parts"]:
        for entry in part["chapters"]:
            path = ROOT / f"{entry['file']}.ipynb"
            if part.get("numbered"):
                number += 1
            if path.exists():
                chapter = (
                    nbformat.read(path, as_version=4)
                    .metadata.get("pcbook", {})
                    .get("chapter")
                )
                expected = number if part.get("numbered") else 0
                assert chapter == expected, (
                    f"{path.name}: metadata chapter {chapter}, the toc numbers it {expected}"
                )


def test_exercise_labels_are_unique_across_the_book():
    labels = [
        ex.label
        for nb in WITH_EXERCISES
        for ex in classroom.find_exercises(nb)
    ]
    assert len(labels) == len(set(labels))


def test_the_exercises_index_lists_every_exercise_with_its_number():
    page = classroom.index_markdown()
    for nb in WITH_EXERCISES:
        for ex in classroom.find_exercises(nb):
            assert f"| {ex.number} |" in page and f"<{ex.label}>" in page, (
                ex.label
            )
    assert "pcbook-student-notebooks.zip" in page


def test_stub_source_keeps_signature_docstring_and_blanks():
    code = 'import numpy as np\n\ndef f(x, y=2):\n    """Doc."""\n    z = x + y\n    return z\n\nw = f(1)\n'
    stub = classroom.stub_source(code, "9.1", "Title")
    ns = {}
    exec(stub, ns)
    with pytest.raises(NotImplementedError, match="Exercise 9.1: Title"):
        ns["f"](1)
    assert (
        ns["f"].__doc__ == "Doc."
        and "x + y" not in stub
        and "z = ..." in stub
        and "w = ..." in stub
    )


def test_malformed_exercise_is_a_clear_error(tmp_path):
    nb = nbformat.v4.new_notebook(metadata={"pcbook": {"chapter": 1}})
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "```{exercise-start} T\n:label: ex-x\n```\nText\n```{exercise-end}\n```"
        )
    ]
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(ValueError, match="kind-"):
        classroom.find_exercises(path)


# -- every stub keeps its return, and a forgotten return is named by every check --------


def _ends_in_return(func: ast.FunctionDef) -> bool:
    return isinstance(func.body[-1], ast.Return)


def _defined(cell) -> dict:
    """The functions a code cell defines, by name."""
    return {
        f.name: f
        for f in ast.parse(cell.source).body
        if isinstance(f, ast.FunctionDef)
    }


def _checked_name(nb, ex) -> str | None:
    """The name the notebook passes to the exercise's answer check: ``check.x(name, ...)``
    in the first code cell after the solution that calls a check."""
    for cell in nb.cells[max(ex.solution_cells) + 1 :]:
        if cell.cell_type != "code" or "check." not in cell.source:
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and ast.unparse(node.func.value) == "check"
                and node.args
                and isinstance(node.args[0], ast.Name)
            ):
                return node.args[0].id
        return None
    return None


def _function_answers(path: Path) -> list:
    """(exercise, solution code cells, answer) for each exercise whose answer, the name its
    check is called with, is a function of the solution that ends in ``return``."""
    nb = nbformat.read(path, as_version=4)
    found = []
    for ex in classroom.find_exercises(path):
        cells = [
            i for i in ex.solution_cells if nb.cells[i].cell_type == "code"
        ]
        functions = {
            name: f for i in cells for name, f in _defined(nb.cells[i]).items()
        }
        answer = _checked_name(nb, ex) if cells else None
        if answer in functions and _ends_in_return(functions[answer]):
            found.append((ex, cells, answer))
    return found


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_every_stub_keeps_its_return_line(path):
    nb = nbformat.read(path, as_version=4)
    student = classroom.student_notebook(path)
    stubs = {
        name: f
        for cell in student.cells
        if cell.cell_type == "code"
        for name, f in _defined(cell).items()
    }
    for ex in classroom.find_exercises(path):
        for i in ex.solution_cells:
            if nb.cells[i].cell_type != "code":
                continue
            for name, solution in _defined(nb.cells[i]).items():
                if _ends_in_return(solution):
                    assert _ends_in_return(stubs[name]), (
                        f"Exercise {ex.number}: the stub of {name}() has no "
                        "return line"
                    )


def _light_context(nb, before: int) -> dict:
    """What a solution needs to be defined and called without running the notebook: the
    notebook's imports, and the functions and literal constants of the cells before it."""
    namespace = {}
    for cell in nb.cells[:before]:
        if cell.cell_type != "code":
            continue
        for stmt in ast.parse(cell.source).body:
            literal = isinstance(stmt, ast.Assign) and isinstance(
                stmt.value, ast.Constant
            )
            if literal or isinstance(
                stmt, (ast.Import, ast.ImportFrom, ast.FunctionDef)
            ):
                exec(ast.unparse(stmt), namespace)
    return namespace


def _definitions_without_return(code: str, answer: str) -> str:
    """The imports and functions of a solution cell, with the last line of ``answer``
    deleted (its ``return``): a student's answer that forgot to return."""
    tree = ast.parse(code)
    kept = []
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name == answer:
            stmt.body = stmt.body[:-1] or [ast.Pass()]
        if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.FunctionDef)):
            kept.append(stmt)
    return ast.unparse(ast.Module(body=kept, type_ignores=[]))


FUNCTION_ANSWERS = [
    (path, ex, cells, answer)
    for path in WITH_EXERCISES
    for ex, cells, answer in _function_answers(path)
    if ex.label in check.load_all()
]


def test_every_coding_exercise_with_a_check_is_tried_without_its_return():
    tried = {ex.label for _, ex, _, _ in FUNCTION_ANSWERS}
    coding = {
        ex.label
        for path in WITH_EXERCISES
        for ex in classroom.find_exercises(path)
        if ex.kind in ("kind-coding", "kind-findbug")
        and ex.label in check.load_all()
    }
    assert coding <= tried, f"not tried: {sorted(coding - tried)}"


@pytest.mark.parametrize(
    "path, ex, cells, answer",
    FUNCTION_ANSWERS,
    ids=[ex.label for _, ex, _, _ in FUNCTION_ANSWERS],
)
def test_a_solution_without_its_return_is_told_it_returned_none(
    path, ex, cells, answer
):
    """The book's own solution with its last ``return`` deleted: the check names the
    forgotten return, whatever else it does with the None."""
    nb = nbformat.read(path, as_version=4)
    namespace = _light_context(nb, cells[0])
    for i in cells:
        exec(
            _definitions_without_return(nb.cells[i].source, answer), namespace
        )
    verdict = check.load_all()[ex.label](namespace[answer])
    assert not verdict and "returned None" in repr(verdict), repr(verdict)


# -- make student: the same bytes twice, and a zip that stands alone ----------------------


@pytest.fixture(scope="module")
def student_zips(tmp_path_factory):
    """``make student``'s command run twice, in two processes (as make runs it)."""
    zips = []
    for run in (1, 2):
        folder = tmp_path_factory.mktemp(f"student-{run}")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pcbook.classroom",
                "student",
                "--out",
                str(folder / "notebooks"),
                "--zip",
                str(folder / "student.zip"),
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
            env={**os.environ, "PCBOOK_QUIET": "1"},
        )
        zips.append(folder / "student.zip")
    return zips


def test_make_student_gives_the_same_bytes_twice(student_zips):
    first, again = (
        hashlib.sha256(z.read_bytes()).hexdigest() for z in student_zips
    )
    assert first == again
    with zipfile.ZipFile(student_zips[0]) as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert {info.date_time for info in zf.infolist()} == {kit.ZIP_DATE}


def _fresh_venv(folder: Path) -> Path:
    """A new virtual environment that sees this environment's installed requirements (so
    that installing them needs no download) but not its pcbook; return its python."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(folder)],
        check=True,
    )
    python = folder / "bin" / "python"
    site = subprocess.run(
        [
            python,
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # a path entry only: this environment's .pth files (its editable pcbook) are not read
    Path(site, "installed-requirements.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n"
    )
    return python


def test_the_zip_installs_pcbook_in_a_fresh_venv_and_a_notebook_runs(
    student_zips, tmp_path, monkeypatch
):
    with zipfile.ZipFile(student_zips[0]) as zf:
        zf.extractall(tmp_path)
    folder = tmp_path / kit.ZIP_FOLDER
    readme = (folder / "README.md").read_text()
    assert kit.INSTALL_COMMAND in readme and "make " not in readme
    python = _fresh_venv(tmp_path / "venv")
    command = shlex.split(kit.INSTALL_COMMAND)
    assert command[0] == "python"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    offline = {"PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0"}
    subprocess.run(
        [str(python), *command[1:]],
        cwd=folder,
        check=True,
        capture_output=True,
        env={**env, **offline},
    )
    kernels = tmp_path / "jupyter" / "kernels" / "student"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [str(python), "-m", "ipykernel_launcher"]
                + ["-f", "{connection_file}"],
                "display_name": "student",
                "language": "python",
            }
        )
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.delenv(
        "PYTHONPATH", raising=False
    )  # the kernel sees the venv only
    notebooks = folder / kit.NOTEBOOK_FOLDER
    nb = nbformat.read(notebooks / "bayes_in_pictures.ipynb", as_version=4)
    nb.cells = nb.cells[: _first_check(nb)[1] + 1]
    nb.cells.append(
        nbformat.v4.new_code_cell("import pcbook\nprint(pcbook.__file__)")
    )
    _run(nb, notebooks, kernel_name="student")
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error" or o.get("name") == "stderr"
    ]
    assert not errors, errors
    used = nb.cells[-1].outputs[0]["text"].strip()
    assert used.startswith(str(tmp_path / "venv")), (
        f"the kernel imported pcbook from {used}, not from the fresh venv"
    )
    verdict = _text(nb.cells[-2])
    assert "not implemented yet" in verdict, verdict


def test_the_website_numbers_chapter_zeros_exercises_as_the_kit_does():
    """tools/sphinx_pcbook.py prefixes chapter 0's exercise numbers with 0 (sphinx-exercise
    gives 1, 2, ...): the website then shows the numbers of Exercise.number."""
    from types import SimpleNamespace

    from tools.sphinx_pcbook import _number_chapter_zero_exercises

    by_chapter = {}
    for path in WITH_EXERCISES:
        exercises = classroom.find_exercises(path)
        by_chapter[path.stem] = (path, exercises)
    numbers = {
        stem: {
            "exercise": {
                ex.label: (ex.chapter, ex.index) if ex.chapter else (ex.index,)
                for ex in exercises
            }
        }
        for stem, (_, exercises) in by_chapter.items()
    }
    env = SimpleNamespace(
        toc_fignumbers=numbers,
        doc2path=lambda stem: by_chapter[stem][0],
    )
    _number_chapter_zero_exercises(None, env)
    shown = {
        label: ".".join(map(str, number))
        for stem in numbers
        for label, number in numbers[stem]["exercise"].items()
    }
    expected = {
        ex.label: ex.number
        for _, exercises in by_chapter.values()
        for ex in exercises
    }
    assert shown == expected
    assert len(set(shown.values())) == len(shown), (
        "two exercises share a number"
    )
