"""The classroom kit and pcbook.source refuse bad arguments with an error naming them (issue 16)."""

from pathlib import Path

import fuzz_support as fs
import pytest

from pcbook import source
from pcbook.classroom import (
    cells,
    exercises,
    grade,
    markdown,
    sandbox,
    student,
)

BOOK = Path(__file__).resolve().parents[1] / "book"


_nb, _plan = fs.classroom_notebook, fs.chapter_plan


CASES = [
    (exercises.find_exercises, {"path": "no-such.ipynb"}, ValueError, "path: no such file"),
    (exercises.find_exercises, {"path": None}, TypeError, "path: expected a path"),
    (markdown.References, {"figures": None}, TypeError, "References figures"),
    (markdown.References, {"base": "book"}, TypeError, "References base"),
    (markdown.book_references, {"notebooks": "abc"}, TypeError, "notebooks: expected a list"),
    (markdown.book_references, {"notebooks": [BOOK / "no.ipynb"]}, ValueError, r"notebooks\[0\]"),
    (markdown.citation_names, {"bib": 1.5}, TypeError, "bib"),
    (markdown.notebook_references, {"nb": "abc"}, TypeError, "nb: expected a notebook"),
    (markdown.section_targets, {"text": None}, TypeError, "text"),
    (markdown.plain_markdown, {"source": "a", "refs": "abc"}, TypeError, "refs: expected References"),
    (markdown.pyobject_source, {"path": "nowhere.py", "name": "f"}, ValueError, "path"),
    (sandbox.Limits, {"timeout": float("nan")}, ValueError, "Limits timeout"),
    (sandbox.Limits, {"memory_mb": 2.5}, TypeError, "Limits memory_mb"),
    (sandbox.Limits, {"file_mb": 0}, ValueError, "Limits file_mb"),
    (sandbox.Sandbox, {"limits": None}, TypeError, "limits: expected a sandbox.Limits"),
    (sandbox.Sandbox, {"limits": sandbox.Limits(), "trusted": "yes"}, TypeError, "trusted"),
    (student.stub_source, {"code": 1.5, "number": "1", "title": "t"}, TypeError, "code"),
    (student.stub_source, {"code": "def (", "number": "1", "title": "t"}, ValueError, "code: not valid Python"),
    (student.stub_source, {"code": "x = 1", "number": 1, "title": "t"}, TypeError, "number"),
    (student.student_notebook, {"path": BOOK / "bayes_in_pictures.ipynb", "refs": "abc"}, TypeError, "refs"),
    (student.write_students, {"out": "abc"}, TypeError, "out: expected a pathlib.Path"),
    (student.write_students, {"out": Path("x"), "zip_path": "x.zip"}, TypeError, "zip_path"),
    (student.zip_entries, {"notebooks": [1.5]}, TypeError, r"notebooks\[0\]"),
    (cells.code_cells, {"nb": 1.5}, TypeError, "nb"),
    (cells.needed_cells, {"cells": [1], "names": ["x"]}, TypeError, r"cells\[0\]: expected a Cell"),
    (cells.needed_cells, {"cells": [], "names": "x"}, TypeError, "names"),
    (cells.defining_cells, {"cells": [], "names": ["x"], "before": 0}, ValueError, "before"),
    (grade.detect_chapter, {"nb": _nb(), "plans": {}}, ValueError, "plans: need at least one"),
    (grade.grade_notebook, {"name": "a", "nb": _nb(), "plan": None, "limits": sandbox.Limits()}, TypeError, "plan"),
    (grade.grade_notebook, {"name": "a", "nb": _nb(), "plan": _plan(), "limits": sandbox.Limits(), "context": 1.5}, TypeError, "context"),
    (grade.grade, {"paths": "a.ipynb", "out": Path("x")}, TypeError, "paths: expected a list"),
    (grade.grade, {"paths": [], "out": "x"}, TypeError, "out"),
    (grade.grade, {"paths": [], "out": Path("x"), "jobs": 10**6}, ValueError, "jobs: .* beyond the book's scale"),
    (grade.grade, {"paths": [], "out": Path("x"), "show_progress": None}, TypeError, "show_progress"),
    (source.Source, {"code": None}, TypeError, "code"),
    (source.show_source, {"obj": "pcbook.nowhere"}, ValueError, "obj: 'pcbook.nowhere' names no"),
]  # fmt: skip


@pytest.mark.parametrize(
    "func, kwargs, error, match",
    CASES,
    ids=[f"{c[0].__name__}-{'-'.join(c[1])}" for c in CASES],
)
def test_bad_arguments_are_named(func, kwargs, error, match):
    with pytest.raises(error, match=match):
        func(**kwargs)


def test_valid_arguments_still_work(tmp_path):
    nb = _nb()
    found = cells.code_cells(nb)
    assert [c.number for c in cells.defining_cells(found, ["x"])] == [1]
    assert cells.defining_cells(found, ["x"], before=1) == []
    assert grade.detect_chapter(nb, {1: _plan()}) == (1, "metadata")
    assert grade.grade_notebook("a", nb, _plan(), sandbox.Limits()) == []
    assert grade.grade([], tmp_path, show_progress=False) == []
    assert source.show_source("pcbook.source.find_object").code.startswith(
        "def find_object"
    )
