"""A synthetic class for the grader's tests, built from the current chapter and
student notebooks.

Every submission starts from ``pcbook.classroom.student_notebook`` (what
students get) and has its answer cells replaced: by the chapter's reference
solution, by a solution with one typical mistake, or by a misbehaving cell.
Nothing here stores a copy of a notebook: the class is rebuilt from the current
sources on each run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from pcbook.classroom import student_notebook
from pcbook.classroom.cells import code_cells, defining_cells
from pcbook.classroom.grade import chapter_plans

#: one typical mistake per check: (text in the reference solution, what the
#: student wrote)
MISTAKES = {
    "ex-bayes-grid": (
        "joint / (joint.sum() * dv)",
        "joint / joint.sum()",
    ),
    "ex-bayes-precision": (
        "var = 1.0 / (1.0 / sigma_p + 1.0 / sigma_u)",
        "var = sigma_p + sigma_u",
    ),
    "ex-bayes-sequential": (
        "precision_weighted_posterior(u, mean, var, sigma_u)",
        "precision_weighted_posterior(u, mu_p, sigma_p, sigma_u)",
    ),
    "ex-error_units-safe-step": (
        "h = min(dt, 1.0 / abs(curvature))",
        "h = dt",
    ),
    "ex-error_units-ascent": (
        "prior_pull = (v_p - phi[k]) / sigma_p",
        "prior_pull = (phi[k] - v_p) / sigma_p",
    ),
    "ex-error_units-findbug": (
        "eps_u * 2 * phi - eps_p",
        "eps_u * phi**2 - eps_u",
    ),
    "ex-error_units-stability": (
        "-2 * ev.real / np.abs(ev) ** 2",
        "-2 / ev.real",
    ),
    "ex-som-complexity": ("d = min(gap, n - gap)", "d = gap"),
    "ex-som-inaccuracy": (
        "f = 0.999 * np.asarray(w) + 0.0005",
        "f = np.asarray(w, dtype=float)",
    ),
    "ex-som-angle-scale": (
        "return drawing.arm_trajectory(omega, p.arm)",
        "return drawing.arm_trajectory(\n"
        "        omega, dataclasses.replace(p.arm, angle_scale=1 / 30)\n"
        "    )",
    ),
}


@dataclass
class Submission:
    """One synthetic student: a notebook (or raw bytes) and what the grader
    should say."""

    name: str
    chapter: int
    nb: object = None  # nbformat node; None when ``raw`` is set
    raw: bytes | None = None
    expect: dict = field(default_factory=dict)  # exercise number -> verdict

    def write(self, folder: Path) -> Path:
        path = folder / f"{self.name}.ipynb"
        if self.raw is not None:
            path.write_bytes(self.raw)
        else:
            nbformat.write(self.nb, path)
        return path


def plan(chapter: int):
    return chapter_plans()[chapter]


def reference_source(chapter: int, label: str) -> str:
    """The chapter's solution cell that defines the answer of exercise
    ``label``."""
    p = plan(chapter)
    item = next(i for i in p.exercises if i.exercise.label == label)
    nb = nbformat.read(p.path, as_version=4)
    solution = set(item.exercise.solution_cells)
    cells = [c for c in code_cells(nb) if c.number - 1 in solution]
    return defining_cells(cells, item.names)[-1].source


def answer_cell(nb, chapter: int, label: str) -> int:
    """Index (0-based) of the student notebook's cell that defines the answer
    of ``label``."""
    item = next(
        i for i in plan(chapter).exercises if i.exercise.label == label
    )
    return defining_cells(code_cells(nb), item.names)[-1].number - 1


def student(chapter: int):
    return student_notebook(plan(chapter).path)


def with_answers(chapter: int, answers: dict | None = None):
    """The student notebook with every answer cell filled: ``answers[label]``
    if given, else the reference solution."""
    nb = student(chapter)
    for item in plan(chapter).exercises:
        if item.check is None:
            continue
        label = item.exercise.label
        source = (answers or {}).get(label) or reference_source(chapter, label)
        nb.cells[answer_cell(nb, chapter, label)].source = source
    return nb


def mistakes(chapter: int) -> dict:
    """{label: source with the typical mistake} for every check of ``chapter``
    in MISTAKES."""
    return {
        lab: mistaken(chapter, lab)
        for lab in numbers(chapter)
        if lab in MISTAKES
    }


def expect_mistakes(chapter: int) -> dict:
    """Not yet where a mistake was made; correct for a check MISTAKES does not
    know yet."""
    made = mistakes(chapter)
    return expect_all(chapter, "correct", **dict.fromkeys(made, "not yet"))


def mistaken(chapter: int, label: str) -> str:
    old, new = MISTAKES[label]
    source = reference_source(chapter, label)
    assert old in source, (
        f"{label}: the reference solution no longer has {old!r}"
    )
    if "dataclasses." in new:
        source = "import dataclasses\n" + source
    return source.replace(old, new)


def numbers(chapter: int) -> dict:
    """{exercise label: number} of the chapter's checked exercises."""
    return {
        i.exercise.label: i.exercise.number
        for i in plan(chapter).exercises
        if i.check is not None
    }


def dependents(chapter: int, label: str) -> set:
    """The checked exercises whose reference answer calls the answer of
    ``label``."""
    item = next(
        i for i in plan(chapter).exercises if i.exercise.label == label
    )
    return {
        other
        for other in numbers(chapter)
        if other != label
        and any(
            f"{n}(" in reference_source(chapter, other) for n in item.names
        )
    }


def expect_all(chapter: int, verdict: str, **overrides) -> dict:
    """Every checked exercise gets ``verdict``, by-hand ones "by hand", except
    ``overrides`` (exercise label -> verdict)."""
    out = {}
    for item in plan(chapter).exercises:
        label = item.exercise.label
        if item.check is None:
            out[item.exercise.number] = "by hand"
        else:
            out[item.exercise.number] = overrides.get(label, verdict)
    return out


# ------------------------------------------------------------ misbehaving answ

MONKEYPATCH = """\
import pcbook.check
from pcbook.check import _verdict

def _always_right(*args, **kwargs):
    return _verdict.correct("patched")

for _name in list(pcbook.check.CHECKS):
    pcbook.check.CHECKS[_name] = _always_right
pcbook.check.grid_posterior_density = _always_right
pcbook.check.precision_weighted_posterior = _always_right
_verdict.Verdict.__bool__ = lambda self: True
"""

FAKE_OUTPUT = (
    'print("Correct! your grid posterior is prior times likelihood, '
    'normalised.")\n'
)

EQUAL_TO_EVERYTHING = """\
class Anything(float):
    def __eq__(self, other):
        return True

    __ne__ = lambda self, other: False
    __lt__ = __le__ = __gt__ = __ge__ = __eq__
    __hash__ = float.__hash__


class AnyArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(self), bool)


def grid_posterior_density(v, u, mu_p, sigma_p, sigma_u):
    return np.zeros_like(v).view(AnyArray)


def precision_weighted_posterior(u, mu_p, sigma_p, sigma_u):
    return Anything(0.0), Anything(1.0)
"""

WRAPPER_CH0 = """\
from pcbook.bayes import closed_form_posterior


def precision_weighted_posterior(u, mu_p, sigma_p, sigma_u):
    exact = closed_form_posterior(u, mu_p, sigma_p, sigma_u)
    return exact.mean, exact.var
"""

WRAPPER_CH5 = """\
from pcbook import angc as agent


def q_target(q, q_next, action, reward, terminated, gamma):
    return agent.controller_target(
        q, q_next, action, reward, terminated, gamma
    )
"""

INFINITE = """\
def precision_weighted_posterior(u, mu_p, sigma_p, sigma_u):
    while True:
        pass
"""

HUGE_OUTPUT_AND_DELETE = """\
import os
import shutil

print("x" * 50_000_000)
for entry in os.listdir("."):
    if os.path.isdir(entry):
        shutil.rmtree(entry, ignore_errors=True)
    else:
        os.remove(entry)
shutil.rmtree(os.path.expanduser("~"), ignore_errors=True)
"""


def light_class() -> list[Submission]:
    """Chapters 0 and 2 (fast): the reference, stubs, mistakes and every
    failure."""
    c2 = numbers(2)
    grid, prec = "ex-bayes-grid", "ex-bayes-precision"
    subs = [
        Submission(
            "solved-ch0", 0, with_answers(0), expect=expect_all(0, "correct")
        ),
        Submission(
            "stubs-ch0", 0, student(0), expect=expect_all(0, "not yet")
        ),
        Submission(
            "solved-ch2", 2, with_answers(2), expect=expect_all(2, "correct")
        ),
        Submission(
            "stubs-ch2", 2, student(2), expect=expect_all(2, "not yet")
        ),
        Submission(
            "mistakes-ch0",
            0,
            with_answers(0, mistakes(0)),
            expect=expect_mistakes(0),
        ),
        Submission(
            "mistakes-ch2",
            2,
            with_answers(2, mistakes(2)),
            expect=expect_mistakes(2),
        ),
        Submission(
            "invalid-json", 0, raw=b'{"cells": [ {"cell_type": "code",'
        ),
    ]
    # tampering: patch pcbook.check in the notebook, with wrong answers
    nb = with_answers(0, mistakes(0))
    nb.cells.insert(1, nbformat.v4.new_code_cell(MONKEYPATCH))
    cell = answer_cell(nb, 0, grid)
    nb.cells[cell].source = MONKEYPATCH + "\n" + nb.cells[cell].source
    subs.append(
        Submission("monkeypatch-check", 0, nb, expect=expect_mistakes(0))
    )
    # tampering: print a fake verdict where the check would print
    nb = with_answers(0, mistakes(0))
    for c in nb.cells:
        if c.cell_type == "code" and "check." in c.source:
            c.source = FAKE_OUTPUT
    subs.append(Submission("fake-verdict", 0, nb, expect=expect_mistakes(0)))
    # tampering: objects equal to everything
    nb = with_answers(
        0, {grid: EQUAL_TO_EVERYTHING, prec: EQUAL_TO_EVERYTHING}
    )
    subs.append(
        Submission(
            "equal-to-everything",
            0,
            nb,
            expect=expect_all(
                0,
                "correct",
                **dict.fromkeys({grid, prec} | dependents(0, prec), "error"),
            ),
        )
    )
    # a thin wrapper of the book's own function (the check sees the call at run
    # time)
    subs.append(
        Submission("wrapper-ch0", 0, with_answers(0, {prec: WRAPPER_CH0}))
    )
    # an infinite loop in a function the check calls; the other exercise still
    # graded
    nb = with_answers(0, {prec: INFINITE})
    subs.append(
        Submission(
            "infinite-loop",
            0,
            nb,
            expect=expect_all(
                0,
                "correct",
                **dict.fromkeys({prec} | dependents(0, prec), "timed out"),
            ),
        )
    )
    # os._exit at the top of an answer cell: that exercise errs, the next is
    # graded
    nb = with_answers(0)
    cell = answer_cell(nb, 0, grid)
    nb.cells[cell].source = "import os\nos._exit(3)\n" + nb.cells[cell].source
    subs.append(
        Submission(
            "os-exit",
            0,
            nb,
            expect=expect_all(0, "correct", **{grid: "error"}),
        )
    )
    # an infinite loop at the top of a cell the answers need (the imports)
    nb = with_answers(2)
    first = next(
        c for c in nb.cells if c.cell_type == "code" and "import" in c.source
    )
    first.source += "\nwhile True:\n    pass\n"
    uses_np = {lab for lab in c2 if "np." in reference_source(2, lab)}
    subs.append(
        Submission(
            "loop-in-setup",
            2,
            nb,
            expect=expect_all(
                2, "correct", **dict.fromkeys(uses_np, "timed out")
            ),
        )
    )
    # a syntax error in one answer; the rest correct
    nb = with_answers(2)
    label = next(iter(c2))
    cell = answer_cell(nb, 2, label)
    nb.cells[cell].source = nb.cells[cell].source.replace("):", ")", 1)
    subs.append(
        Submission(
            "syntax-error",
            2,
            nb,
            expect=expect_all(2, "correct", **{label: "error"}),
        )
    )
    # cells deleted and reordered: one answer deleted, one moved to the top
    nb = with_answers(2)
    labels = list(c2)
    gone = answer_cell(nb, 2, labels[0])
    moved = nb.cells[answer_cell(nb, 2, labels[1])]
    del nb.cells[gone]
    nb.cells.remove(moved)
    nb.cells.insert(0, moved)
    subs.append(
        Submission(
            "deleted-reordered",
            2,
            nb,
            expect=expect_all(2, "correct", **{labels[0]: "missing"}),
        )
    )
    # huge output and a cell that deletes every file it can reach from its
    # folder
    nb = with_answers(0)
    cell = answer_cell(nb, 0, prec)
    nb.cells[cell].source = HUGE_OUTPUT_AND_DELETE + nb.cells[cell].source
    subs.append(
        Submission(
            "huge-output-deletes", 0, nb, expect=expect_all(0, "correct")
        )
    )
    # more memory than the cap (8 GB) in an answer cell
    nb = with_answers(0)
    cell = answer_cell(nb, 0, grid)
    nb.cells[cell].source = (
        "hog = bytearray(8 * 2**30)\n" + nb.cells[cell].source
    )
    subs.append(
        Submission(
            "memory-hog",
            0,
            nb,
            expect=expect_all(0, "correct", **{grid: "error"}),
        )
    )
    # no metadata: the chapter comes from the cells
    nb = with_answers(2)
    nb.metadata.pop("pcbook", None)
    subs.append(
        Submission("no-metadata", 2, nb, expect=expect_all(2, "correct"))
    )
    return subs


def as_json(nb) -> bytes:
    return json.dumps(nb).encode()


def heavier_class() -> list[Submission]:
    """Chapter 5, whose 5.2 check also takes the chapter's own agent run
    (context)."""
    nb = with_answers(5)
    nb.cells.append(nbformat.v4.new_code_cell("explore = None  # not the run"))
    return [
        Submission(
            "solved-ch5", 5, with_answers(5), expect=expect_all(5, "correct")
        ),
        Submission(
            "stubs-ch5", 5, student(5), expect=expect_all(5, "not yet")
        ),
        Submission("own-context-ch5", 5, nb, expect=expect_all(5, "correct")),
        # a wrapper the check finds by reading the function's names
        Submission(
            "wrapper-ch5",
            5,
            with_answers(5, {"ex-angc-target": WRAPPER_CH5}),
            expect=expect_all(5, "correct", **{"ex-angc-target": "not yet"}),
        ),
    ]
