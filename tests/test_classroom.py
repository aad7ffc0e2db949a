"""The classroom kit: every exercise is well-formed, stubs match solutions, student notebooks run,
and the exercises index page is up to date."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from pcbook import classroom

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


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_student_notebook_runs_to_the_first_exercise(path, tmp_path):
    from nbclient import NotebookClient

    student = classroom.student_notebook(path)
    code = [i for i, c in enumerate(student.cells) if c.cell_type == "code"]
    stub = next(
        (
            i
            for i in code
            if "raise NotImplementedError('Exercise" in student.cells[i].source
        ),
        None,
    )
    if stub is None:
        pytest.skip("no coding exercise in this chapter")
    after = next((i for i in code if i > stub), stub)
    student.cells = student.cells[: after + 1]
    NotebookClient(
        student,
        kernel_name="python3",
        timeout=600,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    outputs = "".join(
        o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
        for o in student.cells[after].outputs
    )
    if "check." in student.cells[after].source:
        assert "not implemented yet" in outputs, (
            f"the answer check did not recognise the stub: {outputs!r}"
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
