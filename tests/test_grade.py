"""``python -m pcbook grade``: a synthetic class (tests/grading_class.py)
graded row by row.

The class is rebuilt from the current student and chapter notebooks on every
run; it is graded once (two workers, a 5 s time limit) and the tests read the
gradebook, the feedback and the summary it wrote.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

from pcbook import check
from pcbook.classroom import grade as grading
from pcbook.classroom.cells import code_cells, needed_cells
from pcbook.classroom.sandbox import Limits, Refused, decode, encode

from grading_class import (
    MISTAKES,
    heavier_class,
    light_class,
    numbers,
    plan,
    with_answers,
)

LIMITS = Limits(timeout=5.0, memory_mb=4096)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The light class graded once: (submissions by name, rows, output folder,
    inputs)."""
    inputs = tmp_path_factory.mktemp("class")
    out = tmp_path_factory.mktemp("graded")
    subs = light_class()
    paths = [s.write(inputs) for s in subs]
    rows = grading.grade(
        paths, out, limits=LIMITS, jobs=2, show_progress=False
    )
    return {s.name: s for s in subs}, rows, out, inputs


def _by_submission(rows) -> dict:
    found = {}
    for r in rows:
        found.setdefault(Path(r.submission).stem, []).append(r)
    return found


def test_gradebook_row_by_row(graded):
    subs, rows, _, _ = graded
    found = _by_submission(rows)
    assert set(found) == set(subs)
    for name, sub in subs.items():
        got = {r.exercise: r.verdict for r in found[name]}
        if sub.raw is not None:  # unreadable: one row, no exercise
            assert list(got) == [""], name
            assert got[""] == "error", name
            continue
        if sub.expect:  # (else: compared with the in-notebook checks below)
            assert got == sub.expect, name
        assert all(r.chapter == str(sub.chapter) for r in found[name])


def test_every_exercise_of_every_readable_submission_has_a_row(graded):
    subs, rows, _, _ = graded
    found = _by_submission(rows)
    for name, sub in subs.items():
        if sub.raw is None:
            want = [i.exercise.number for i in plan(sub.chapter).exercises]
            assert [r.exercise for r in found[name]] == want, name


def test_the_csv_holds_the_rows(graded):
    _, rows, out, _ = graded
    assert grading.read_gradebook(out / "gradebook.csv") == rows
    header = (out / "gradebook.csv").read_text().splitlines()[0]
    assert header.split(",")[:7] == [
        "submission",
        "chapter",
        "exercise",
        "title",
        "verdict",
        "message",
        "hint",
    ]


def _in_notebook_verdicts(nb, chapter: int) -> dict:
    """What the checks say when run in this process on the notebook's own
    functions (exercises whose check takes no context from the chapter)."""
    checks = check.load_all()
    out = {}
    for item in plan(chapter).exercises:
        if item.check is None or item.context:
            continue
        ns = {"__name__": "__main__"}
        for cell in needed_cells(code_cells(nb), item.names):
            exec(compile(cell.source, "<cell>", "exec"), ns)
        args = [eval(src, ns) for src in item.answers]
        out[item.exercise.number] = checks[item.exercise.label](*args)
    return out


@pytest.mark.parametrize(
    "name",
    [
        "solved-ch0",
        "mistakes-ch0",
        "wrapper-ch0",
        "solved-ch2",
        "mistakes-ch2",
    ],
)
def test_same_verdicts_as_the_checks_in_the_notebook(graded, name):
    subs, rows, _, _ = graded
    sub = subs[name]
    expected = _in_notebook_verdicts(sub.nb, sub.chapter)
    for r in _by_submission(rows)[name]:
        if r.exercise in expected:
            v = expected[r.exercise]
            assert r.verdict == ("correct" if v.ok else "not yet"), r
            assert r.message == v.message, r
            assert r.hint == (v.hint if not v.ok else ""), r


def test_each_mistake_gets_its_own_hint(graded):
    """The wrong answers get the specific hint, never the generic fallbacks."""
    _, rows, _, _ = graded
    found = _by_submission(rows)
    for chapter in (0, 2):
        mistakes = {
            numbers(chapter)[lab]
            for lab in numbers(chapter)
            if lab in MISTAKES
        }
        hints = {
            r.exercise: r.hint
            for r in found[f"mistakes-ch{chapter}"]
            if r.exercise in mistakes
        }
        assert len(hints) == len(mistakes)
        for number, hint in hints.items():
            assert hint, number
            assert "traceback" not in hint, number
            assert "NotImplementedError" not in hint, number
        assert len(set(hints.values())) == len(hints)


def test_every_check_of_the_class_chapters_has_a_mistake():
    missing = [
        lab for c in (0, 2) for lab in numbers(c) if lab not in MISTAKES
    ]
    assert not missing, f"add a typical mistake to MISTAKES for {missing}"


def test_tampering_is_not_graded_correct(graded):
    _, rows, _, _ = graded
    found = _by_submission(rows)
    honest = {
        r.exercise: (r.verdict, r.message) for r in found["mistakes-ch0"]
    }
    for name in ("monkeypatch-check", "fake-verdict"):
        got = {r.exercise: (r.verdict, r.message) for r in found[name]}
        assert got == honest, name
    magic = {r.exercise: r for r in found["equal-to-everything"]}
    c0 = numbers(0)
    grid = magic[c0["ex-bayes-grid"]]
    prec = magic[c0["ex-bayes-precision"]]
    assert "object of type AnyArray" in grid.message
    assert "object of type Anything" in prec.message


def test_failures_are_named(graded):
    _, rows, _, _ = graded
    found = _by_submission(rows)
    (bad,) = found["invalid-json"]
    assert bad.message.startswith("not a notebook")
    c0, c2 = numbers(0), numbers(2)
    exited = {r.exercise: r for r in found["os-exit"]}[c0["ex-bayes-grid"]]
    assert "exited with status 3" in exited.message
    loop = {r.exercise: r for r in found["infinite-loop"]}
    assert "longer than 5 s" in loop[c0["ex-bayes-precision"]].message
    syntax = {r.exercise: r for r in found["syntax-error"]}
    first = c2[next(iter(c2))]
    assert "SyntaxError" in syntax[first].message
    hog = {r.exercise: r for r in found["memory-hog"]}[c0["ex-bayes-grid"]]
    assert "MemoryError" in hog.message
    gone = {r.exercise: r for r in found["deleted-reordered"]}
    assert "does not define" in gone[first].message


def test_the_teachers_files_survive(graded):
    """A submission that deletes what it can reach deletes only its own
    temporary folder."""
    subs, _, out, inputs = graded
    assert sorted(p.stem for p in inputs.iterdir()) == sorted(subs)
    assert (out / "gradebook.csv").exists()
    assert Path.home().exists()


def test_feedback_has_every_hint_and_the_summary_counts(graded):
    subs, rows, out, _ = graded
    for name, mine in _by_submission(rows).items():
        text = (out / "feedback" / f"{name}.md").read_text()
        for r in mine:
            assert r.message in text
            if r.verdict != "correct":
                assert r.hint in text
    summary = (out / "summary.md").read_text()
    for number in {r.exercise for r in rows if r.exercise}:
        mine = [r for r in rows if r.exercise == number]
        line = next(
            x for x in summary.splitlines() if x.startswith(f"| {number} |")
        )
        cells = [c.strip() for c in line.split("|")[1:-1]]
        counts = [int(c) for c in cells[2 : 2 + len(grading.VERDICTS)]]
        assert counts == [
            sum(r.verdict == v for r in mine) for v in grading.VERDICTS
        ]
    assert f"{len(subs)} submissions." in summary


def test_a_notebook_of_another_chapter_is_missing_every_exercise(tmp_path):
    path = tmp_path / "wrong.ipynb"
    nbformat.write(with_answers(2), path)
    rows = grading.grade(
        [path], tmp_path / "out", limits=LIMITS, chapter=0, show_progress=False
    )
    assert [r.verdict for r in rows] == ["missing"] * len(plan(0).exercises)
    assert "chapter 2" in rows[0].message


def test_folders_and_zips_are_read(tmp_path):
    nb = json.dumps(with_answers(0)).encode()
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.ipynb").write_bytes(nb)
    with zipfile.ZipFile(tmp_path / "class.zip", "w") as zf:
        zf.writestr("class/two.ipynb", nb)
        zf.writestr("class/notes.txt", "not a notebook")
        zf.writestr("__MACOSX/class/._two.ipynb", b"junk")
    found = grading._submissions([tmp_path / "a", tmp_path / "class.zip"])
    assert [Path(name).name for name, _ in found] == ["one.ipynb", "two.ipynb"]
    assert all(data == nb for _, data in found)


def test_the_command_line(tmp_path, capsys):
    from pcbook.__main__ import main

    path = tmp_path / "bad.ipynb"
    path.write_text("{")
    assert main(["grade", str(path), "--out", str(tmp_path / "o")]) == 0
    assert "1 error" in capsys.readouterr().out
    assert (tmp_path / "o" / "gradebook.csv").exists()
    code = main(["grade", str(path), "--out", str(tmp_path), "--jobs", "0"])
    assert code == 2
    assert "--jobs" in capsys.readouterr().err


# ---------------------------------------------------------------- plain data


class _Float(float):
    def __eq__(self, other):
        return True


@pytest.mark.parametrize(
    "value",
    [
        1.5,
        3,
        True,
        None,
        Ellipsis,
        "text",
        (1.0, [2, (3,)]),
        np.float64(0.25),
        np.arange(6.0).reshape(2, 3),
        np.array([True, False]),
        {"a": np.int32(4)},
    ],
)
def test_plain_data_crosses(value):
    back = decode(json.loads(json.dumps(encode(value))))
    assert type(back) is type(value)
    assert (
        np.array_equal(back, value)
        if isinstance(value, np.ndarray)
        else (back == value)
    )


@pytest.mark.parametrize(
    "value",
    [
        _Float(1.0),
        np.zeros(3).view(type("Sub", (np.ndarray,), {})),
        np.array([object()]),
        object(),
        lambda: 1,
    ],
)
def test_other_objects_are_refused(value):
    with pytest.raises(Refused):
        encode(value)


@pytest.mark.parametrize(
    "obj",
    [
        {"$": "nd", "dtype": "|O", "shape": [1], "b64": ""},
        {"$": "nd", "dtype": "<f8", "shape": [2], "b64": "AAAA"},
        {"$": "np", "dtype": "<f8", "v": "1", "extra": 1},
        {"$": "dc", "type": ["os", "path"], "fields": {}},
        {"a": 1},
    ],
)
def test_decode_is_strict(obj):
    with pytest.raises(ValueError):
        decode(obj)


# ---------------------------------------------------------------- the cells it


def test_only_the_cells_an_answer_needs_run():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(src)
        for src in [
            "import numpy as np\nimport time",
            "scale = 2.0",
            "time.sleep(100)\nresult = np.ones(3)",  # heavy, unrelated
            "def answer(x):\n    y = x * scale\n    return np.sum(y)",
            "scale = 3.0",  # rebinding after the answer: used at call time
            "y = 5",  # a global named like the answer's local
            "%matplotlib inline\nbest = answer(1.0)",
        ]
    ]
    cells = code_cells(nb)
    assert [c.number for c in needed_cells(cells, {"answer"})] == [1, 4, 5]
    assert [c.number for c in needed_cells(cells, {"best"})] == [1, 4, 5, 7]


def test_a_chapter_whose_check_takes_the_chapters_own_run(tmp_path):
    """Chapter 5: the agents' run the 5.2 check needs comes from the chapter
    notebook, run by the grader; a submission that replaces it changes nothing.
    """
    subs = heavier_class()
    paths = [s.write(tmp_path) for s in subs]
    assert any(item.context for item in plan(5).exercises)
    rows = grading.grade(
        paths, tmp_path / "out", limits=Limits(timeout=60), show_progress=False
    )
    found = _by_submission(rows)
    for sub in subs:
        got = {r.exercise: r.verdict for r in found[sub.name]}
        assert got == sub.expect, sub.name
    wrapped = _in_notebook_verdicts(subs[-1].nb, 5)
    for r in found["wrapper-ch5"]:
        if r.exercise in wrapped:
            assert r.message == wrapped[r.exercise].message


def test_a_context_that_cannot_be_computed_is_an_error_row():
    chapter = plan(5)
    item = next(i for i in chapter.exercises if i.context)
    only = grading.ChapterPlan(5, chapter.title, chapter.path, (item,))
    nb = nbformat.read(chapter.path, as_version=4)
    (row,) = grading.grade_notebook("nb", nb, only, LIMITS, "RuntimeError: x")
    assert row.verdict == "error"
    assert "RuntimeError: x" in row.message
