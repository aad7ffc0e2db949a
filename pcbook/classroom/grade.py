"""Grade a class: ``python -m pcbook grade SUBMISSION... --out DIR``.

For each submitted notebook the grader works out its chapter, runs the cells
its exercises' answers need in a fresh, limited child process
(:mod:`pcbook.classroom.sandbox`), and judges each answer with the book's own
check (``pcbook.check``, the same function the student's notebook calls), run
here, in the grader's process. The check receives a stand-in for the student's
function: each call is sent to the child, which calls the student's function
and sends back plain data only. Nothing from the student's process (a patched
``pcbook.check``, a printed "Correct!", an object equal to everything) can
reach the check or its verdict.

The exercises, and how each is checked, come from the chapter notebooks: the
cell that calls ``check.<name>(answer, context...)`` names the answer; context
values (a trained model, test data) are computed by running the chapter
notebook itself in a trusted child, never taken from the submission. Writes
``gradebook.csv``, ``feedback/<submission>.md`` and ``summary.md`` (see the
teacher's guide, "Grading a class").
"""

from __future__ import annotations

import ast
import base64
import builtins
import csv
import io
import keyword
import os
import pickle
import re
import sys
import time
import zipfile
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, fields
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from types import SimpleNamespace

import nbformat

from pcbook.classroom._args import check_notebook, check_out, check_text
from pcbook.classroom.cells import Cell, code_cells, needed_cells
from pcbook.classroom.exercises import (
    Exercise,
    chapter_notebooks,
    find_exercises,
)
from pcbook.classroom.sandbox import (
    Limits,
    Refused,
    Sandbox,
    SandboxCrash,
    SandboxTimeout,
    book_object,
    decode,
)
from pcbook.validate import (
    check_bool,
    check_count,
    check_instance,
    check_int,
    record,
)

__all__ = [
    "Row",
    "ExercisePlan",
    "ChapterPlan",
    "chapter_plans",
    "detect_chapter",
    "grade_notebook",
    "grade",
    "VERDICTS",
]

#: the verdicts, in the order the summary lists them
VERDICTS = ("correct", "not yet", "error", "timed out", "missing", "by hand")
#: child processes started for one submission at most (a timeout or crash costs
#: one)
MAX_STARTS = 4
#: largest submission read (bytes)
MAX_NOTEBOOK = 50 * 2**20
#: submissions graded at the same time at most, unless forced (each is a child process)
MAX_JOBS = 64
_PLAIN = (
    "numbers, strings, booleans, None, lists, tuples and dicts of them, "
    "numpy arrays of numbers, and the book's own result objects"
)


@record
@dataclass
class Row:
    """One line of the gradebook: one exercise of one submission."""

    submission: str
    chapter: str
    exercise: str
    title: str
    verdict: str
    message: str
    hint: str = ""
    seconds: float = 0.0


def _names(expr: str) -> set:
    """The names an expression reads."""
    return {
        n.id
        for n in ast.walk(ast.parse(expr, mode="eval"))
        if isinstance(n, ast.Name)
    }


@record
@dataclass(frozen=True)
class ExercisePlan:
    """How the grader checks one exercise: the check and its arguments.

    ``args``: (source, from the student?) for each argument of the chapter's
    ``check.<name>(...)`` call. An argument is the student's when the
    exercise's solution cells define one of its names (``gradient_ascent``,
    ``explore``); otherwise it is context, computed from the chapter notebook
    (``pdh``, ``data.X_test``)."""

    exercise: Exercise
    check: str | None = None  # pcbook.check name; None: graded by hand
    args: tuple = ()

    @property
    def answers(self) -> tuple:
        return tuple(src for src, mine in self.args if mine)

    @property
    def context(self) -> tuple:
        return tuple(src for src, mine in self.args if not mine)

    @property
    def answer(self) -> str:
        """The first of the student's arguments (for messages)."""
        return self.answers[0] if self.answers else ""

    @property
    def names(self) -> set:
        """The notebook names the student's arguments read."""
        return set().union(*map(_names, self.answers))


@record
@dataclass(frozen=True)
class ChapterPlan:
    """A chapter's exercises as the grader sees them."""

    chapter: int
    title: str
    path: Path
    exercises: tuple = field(default_factory=tuple)

    @property
    def context(self) -> tuple:
        """Every context expression of the chapter's checks, once."""
        return tuple(
            dict.fromkeys(c for e in self.exercises for c in e.context)
        )


def _check_calls(nb) -> dict:
    """{exercise label: (check name, [argument sources])} from
    ``check.<name>(...)`` calls."""
    from pcbook import check

    registry = check.load_all()
    labels = {fn.__name__: label for label, fn in registry.items()}
    calls = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "check"
                and node.func.attr in labels
            ):
                if node.keywords or not node.args:
                    raise ValueError(
                        f"check.{node.func.attr}: the grader needs "
                        "positional arguments"
                    )
                calls[labels[node.func.attr]] = (
                    node.func.attr,
                    [ast.unparse(a) for a in node.args],
                )
    return calls


def _title(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, re.M)
            if match:
                return match.group(1).strip()
    return ""


@cache
def chapter_plans() -> dict[int, ChapterPlan]:
    """Every chapter with exercises, from the chapter notebooks: {chapter:
    plan}."""
    plans = {}
    for path in chapter_notebooks():
        nb = nbformat.read(path, as_version=4)
        if not any("{exercise-start}" in c.source for c in nb.cells):
            continue  # a page without exercises (it may have no chapter)
        exercises = find_exercises(path)
        calls = _check_calls(nb)
        cells = code_cells(nb)
        items = []
        for ex in exercises:
            if ex.label not in calls:
                items.append(ExercisePlan(ex))
                continue
            name, args = calls[ex.label]
            solution = [c for c in cells if c.number - 1 in ex.solution_cells]
            mine = set().union(*(c.bound for c in solution))
            marked = tuple((a, bool(_names(a) & mine)) for a in args)
            items.append(ExercisePlan(ex, name, marked))
        chapter = exercises[0].chapter
        plans[chapter] = ChapterPlan(chapter, _title(nb), path, tuple(items))
    return plans


# ---------------------------------------------------------------- which chapte


def _evidence(nb, plan: ChapterPlan) -> int:
    """How many of the chapter's exercises the notebook's cells mention."""
    text = "\n".join(
        c.get("source", "") if isinstance(c.get("source"), str) else ""
        for c in nb.get("cells", [])
        if isinstance(c, dict)
    )
    score = 0
    for item in plan.exercises:
        number = re.escape(item.exercise.number)
        if re.search(rf"Exercise {number}\b", text):
            score += 1
        if item.check and re.search(rf"\bcheck\.{item.check}\(", text):
            score += 1
    return score


def detect_chapter(
    nb, plans: dict[int, ChapterPlan]
) -> tuple[int | None, str]:
    """The chapter of notebook ``nb`` and how it was found.

    The notebook metadata ``pcbook.chapter`` decides when the cells do not
    contradict it (they mention its exercises, or no chapter's); otherwise the
    chapter whose exercises and checks the cells mention most."""
    check_notebook("nb", nb)
    check_instance("plans", plans, dict, "a dict of chapter -> ChapterPlan")
    if not plans:
        raise ValueError("plans: need at least one chapter's plan")
    meta = nb.get("metadata", {}).get("pcbook", {})
    chapter = meta.get("chapter") if isinstance(meta, dict) else None
    scores = {c: _evidence(nb, p) for c, p in plans.items()}
    best = max(scores, key=scores.get)
    if type(chapter) is int and chapter in plans:
        if scores[chapter] > 0 or scores[best] == 0:
            return chapter, "metadata"
    if scores[best] > 0:
        return best, "cells"
    return None, "none"


# ---------------------------------------------------------------- grading one


def _student_exception(error: dict) -> Exception:
    """An exception like the one the student's code raised (type name and
    message)."""
    name = str(error.get("type", "Exception"))
    message = str(error.get("message", ""))
    cls = getattr(builtins, name, None)
    if error.get("builtin") is True and isinstance(cls, type):
        if issubclass(cls, Exception):
            return cls(message)
    if not name.isidentifier():
        name = "Exception"
    return type(name, (Exception,), {})(message)


def _describe_error(error: dict) -> str:
    line = error.get("line")
    where = f" (line {line})" if type(line) is int else ""
    return f"{error.get('type')}: {error.get('message')}{where}"


class _Run:
    """One child process running a submission's cells, and the answers it
    exposes."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.box = Sandbox(limits)
        self.running = None  # the cell running now
        self.errors = {}  # cell number -> the error it raised

    def start(self, cells: list[Cell]) -> None:
        """Run ``cells`` in order, within the time limit."""
        order = [(c.number, c.source) for c in cells]
        self.errors = self.box.run_cells(
            order, time.monotonic() + self.limits.timeout, self._started
        )
        self.running = None

    def _started(self, number: int) -> None:
        self.running = number

    def close(self) -> None:
        self.box.close()

    def answer(self, expr: str, deadline_box: list):
        """The student's answer: a stand-in function, or the value as plain
        data."""
        reply = self.box.request(deadline_box[0], op="value", expr=expr)
        if "function" in reply:
            return self._proxy(expr, deadline_box, reply["function"])
        if "value" in reply:
            try:
                return decode(reply["value"])
            except (ValueError, TypeError, KeyError) as err:
                raise SandboxCrash(f"it sent an unreadable value ({err})")
        if "refused" in reply:
            raise Refused(f"`{expr}` is {reply['refused']}")
        if "raised" in reply:
            raise NameError(_describe_error(reply["raised"]))
        raise NameError(str(reply.get("undefined", "")))

    def _call(self, expr: str, deadline_box: list, args, kwargs):
        """Call the student's ``expr`` in the child; what it returns, as plain
        data."""
        try:
            reply = self.box.request(
                deadline_box[0], op="call", expr=expr, args=args, kwargs=kwargs
            )
        except (pickle.PicklingError, TypeError, AttributeError) as err:
            raise SandboxCrash(f"the check's arguments cannot be sent ({err})")
        _replay_book_calls(reply.get("book_calls"))
        if "raised" in reply and isinstance(reply["raised"], dict):
            raise _student_exception(reply["raised"])
        if "refused" in reply:
            raise Refused(f"your function returned {reply['refused']}")
        try:
            value = decode(reply["value"])
            for arg, new in zip(args, reply.get("args") or []):
                if new is not None and hasattr(arg, "shape"):
                    new = decode(new)
                    if new.shape == arg.shape and arg.flags.writeable:
                        arg[...] = new  # the student changed it in place
        except (ValueError, TypeError, KeyError) as err:
            raise SandboxCrash(f"it sent an unreadable value ({err})")
        return value

    def _proxy(self, expr: str, deadline_box: list, info):
        """A function that calls the student's ``expr`` in the child.

        It is compiled outside the package, so the check's wrapper watches it
        as the student's function. Its code refers to the global names the
        student's function refers to, bound (in the grader) to the same pcbook
        objects, so a check that looks for a call of the package's own answer
        sees what it would see in the notebook."""
        names, bound = _names_info(info)
        name = expr if expr.isidentifier() else "answer"
        refs = f"    lambda: ({', '.join(names)},)\n" if names else ""
        source = (
            f"def {name}(*args, **kwargs):\n{refs}"
            "    return _call(args, kwargs)\n"
        )
        namespace = {
            **bound,
            "_call": lambda args, kwargs: self._call(
                expr, deadline_box, args, kwargs
            ),
        }
        exec(compile(source, "<submission>", "exec"), namespace)
        return namespace[name]


def _names_info(info) -> tuple[list, dict]:
    """Checked names and pcbook bindings reported by the child for a student
    function."""
    if type(info) is not dict:
        return [], {}
    names = info.get("names")
    names = [
        n
        for n in (names if type(names) is list else [])[:1000]
        if type(n) is str
        and n.isidentifier()
        and not keyword.iskeyword(n)
        and n != "_call"
    ]
    bound = info.get("bound") if type(info.get("bound")) is dict else {}
    resolved = {n: book_object(bound.get(n)) for n in names if n in bound}
    return names, {n: v for n, v in resolved.items() if v is not None}


def _replay_book_calls(calls) -> None:
    """Show the grader's profile hook (a check watching for calls of the
    package's own answer) the pcbook functions the student's function called in
    the child."""
    hook = sys.getprofile()
    if hook is None or type(calls) is not list:
        return
    for entry in calls[:1000]:
        func = book_object(entry)
        code = getattr(func, "__code__", None)
        if code is not None:
            hook(SimpleNamespace(f_code=code), "call", None)


def _row(name, item: ExercisePlan, verdict, message, hint="", seconds=0.0):
    ex = item.exercise
    return Row(
        name,
        str(ex.chapter),
        ex.number,
        ex.title,
        verdict,
        message,
        hint,
        round(seconds, 3),
    )


def _by_hand(name: str, item: ExercisePlan) -> Row:
    kind = {"kind-derivation": "a derivation"}.get(
        item.exercise.kind, "no answer check"
    )
    return _row(
        name,
        item,
        "by hand",
        f"graded by hand ({kind}): read the student's answer under "
        f"'Exercise {item.exercise.number}'.",
    )


def _why_missing(name, item, answer, cells, failures, errors) -> Row:
    """The row of an exercise whose ``answer`` is not defined after the cells
    ran."""
    wanted = _names(answer)
    for cell in cells:
        if not cell.bound & wanted:
            continue
        if cell.number in failures:
            verdict, message = failures[cell.number]
            return _row(name, item, verdict, message)
        if errors.get(cell.number):
            return _row(
                name,
                item,
                "error",
                f"cell {cell.number}, which defines `{answer}`, raised "
                + _describe_error(errors[cell.number]),
                "run that cell on its own and read the error.",
            )
    return _row(
        name,
        item,
        "missing",
        f"the notebook does not define `{answer}` "
        "(its cell was deleted, renamed or never run).",
    )


def _judge(name, item, run: _Run, cells, failures, check, context, limits):
    """Run the real check on the student's answer (the child may die)."""
    deadline = [time.monotonic() + limits.timeout]
    start = time.perf_counter()

    def row(verdict, message, hint=""):
        return _row(
            name, item, verdict, message, hint, time.perf_counter() - start
        )

    try:
        args = []
        for src, mine in item.args:
            if not mine:
                args.append(context[src])
                continue
            try:
                args.append(run.answer(src, deadline))
            except NameError:
                return _why_missing(
                    name, item, src, cells, failures, run.errors
                )
        verdict = check(*args)
    except SandboxTimeout:
        return row(
            "timed out",
            f"your code ran longer than {limits.timeout:g} s during the "
            "check (an infinite loop, or far too slow).",
        )
    except SandboxCrash as err:
        return row(
            "error",
            f"the notebook's process stopped during the check: {err}; "
            f"{run.box.how_it_ended()}.",
        )
    except Refused as err:
        return row(
            "error",
            f"{err}; the grader accepts only {_PLAIN}.",
            "return plain numbers or arrays, as the docstring says.",
        )
    except Exception as err:
        return row(
            "error",
            f"the check could not use the answer: {type(err).__name__}: {err}",
        )
    if verdict.ok:
        return row("correct", verdict.message)
    for cell in needed_cells(cells, item.names):
        if cell.number in failures:  # the answer could not work without it
            status, message = failures[cell.number]
            return row(
                status,
                f"{message} Exercise {item.exercise.number} needs that cell; "
                f"without it the check said: {verdict.message}",
            )
    return row("not yet", verdict.message, verdict.hint)


def _context_values(plan: ChapterPlan, context) -> dict | None:
    """{expression: value} of the chapter's context (None if it failed)."""
    if not plan.context:
        return {}
    if not isinstance(context, bytes):
        return None
    return dict(zip(plan.context, pickle.loads(context)))


def grade_notebook(
    name: str,
    nb,
    plan: ChapterPlan,
    limits: Limits,
    context: bytes | str | None = None,
) -> list[Row]:
    """Grade notebook ``nb`` as chapter ``plan``: one row per exercise, in
    order.

    ``context``: the pickled values of the chapter's context expressions
    (:func:`build_context`), or the text of the error that prevented them."""
    from pcbook import check

    check_text("name", name)
    check_notebook("nb", nb)
    check_instance("plan", plan, ChapterPlan, "a ChapterPlan")
    check_instance("limits", limits, Limits, "a sandbox.Limits")
    if context is not None:
        check_instance("context", context, (bytes, str), "bytes, str or None")

    checks = check.load_all()
    values = _context_values(plan, context)
    cells = code_cells(nb)
    rows: dict[str, Row] = {}
    pending = []
    for item in plan.exercises:
        if item.check is None:
            rows[item.exercise.label] = _by_hand(name, item)
        elif item.context and values is None:
            rows[item.exercise.label] = _row(
                name,
                item,
                "error",
                "the grader could not compute what this check needs from "
                f"the chapter notebook: {context}",
            )
        else:
            pending.append(item)
    failures: dict[int, tuple] = {}  # cell number -> (verdict, message)
    for _ in range(MAX_STARTS):
        if not pending:
            break
        wanted = set().union(*(item.names for item in pending))
        todo = [
            c for c in needed_cells(cells, wanted) if c.number not in failures
        ]
        run = _Run(limits)
        try:
            failure = _start(run, todo, limits)
            if failure is not None:
                failures[run.running] = failure
                continue
            while pending and run.box.process.poll() is None:
                item = pending.pop(0)
                rows[item.exercise.label] = _judge(
                    name,
                    item,
                    run,
                    cells,
                    failures,
                    checks[item.exercise.label],
                    values,
                    limits,
                )
        finally:
            run.close()
    for item in pending:
        rows[item.exercise.label] = _row(
            name,
            item,
            "error",
            f"gave up after starting the notebook {MAX_STARTS} times: "
            + " ".join(message for _, message in failures.values()),
        )
    return [rows[item.exercise.label] for item in plan.exercises]


def _start(run: _Run, cells: list[Cell], limits: Limits) -> tuple | None:
    """Run the cells; (verdict, message) for the cell that timed out or
    crashed, else None."""
    try:
        run.start(cells)
    except SandboxTimeout:
        return (
            "timed out",
            f"cell {run.running} ran longer than {limits.timeout:g} s "
            "(an infinite loop, or far too slow).",
        )
    except SandboxCrash as err:
        return (
            "error",
            f"cell {run.running} stopped the notebook's process: {err}; "
            f"{run.box.how_it_ended()}.",
        )
    return None


# ---------------------------------------------------------------- a class


def _submissions(paths) -> list[tuple[str, bytes | str]]:
    """(name, bytes) for every notebook in ``paths`` (files, folders, zips);
    (name, error) for a submission that cannot be read at all."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += _submissions(sorted(path.rglob("*.ipynb")))
        elif path.suffix.lower() == ".zip":
            found += _zip_members(path)
        elif not path.is_file():
            found.append((str(path), "no such file"))
        elif path.stat().st_size > MAX_NOTEBOOK:
            found.append((str(path), f"larger than {MAX_NOTEBOOK >> 20} MB"))
        else:
            found.append((str(path), path.read_bytes()))
    return found


def _zip_members(path: Path) -> list[tuple[str, bytes | str]]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        return [(str(path), f"not a readable zip file ({err})")]
    found = []
    with archive:
        for info in archive.infolist():
            member = info.filename
            if info.is_dir() or not member.endswith(".ipynb"):
                continue
            if "__MACOSX" in member or ".ipynb_checkpoints" in member:
                continue
            name = f"{path}/{member}"
            if info.file_size > MAX_NOTEBOOK:
                found.append((name, f"larger than {MAX_NOTEBOOK >> 20} MB"))
                continue
            try:
                found.append((name, archive.read(info)))
            except (zipfile.BadZipFile, OSError, ValueError) as err:
                found.append((name, f"cannot be extracted ({err})"))
    return found


def _read(data: bytes | str):
    """The notebook, or the reason it cannot be read (a string)."""
    if isinstance(data, str):
        return data
    try:
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    except UnicodeDecodeError:
        return "not a notebook: the file is not UTF-8 text"
    except Exception as err:  # invalid JSON or not a notebook at all
        text = str(err).splitlines()[0][:200] if str(err) else ""
        return f"not a notebook: {type(err).__name__}: {text}"
    if not isinstance(nb.get("cells"), list):
        return "not a notebook: it has no list of cells"
    return nb


def _unreadable(name: str, reason: str, chapter: str = "") -> Row:
    return Row(name, chapter, "", "", "error", reason)


def _other_chapter(name, nb, found, plan: ChapterPlan, plans) -> list[Row]:
    what = (
        f"chapter {found} ({plans[found].title})"
        if found is not None
        else "no chapter of the book"
    )
    return [
        _row(
            name,
            item,
            "missing",
            f"this notebook is {what}, not chapter {plan.chapter} "
            f"({plan.title}).",
        )
        for item in plan.exercises
    ]


def build_context(plan: ChapterPlan, limits: Limits) -> bytes | None:
    """The context values of the chapter's checks, pickled, computed from the
    chapter notebook itself in a trusted child (never from a submission)."""
    if not plan.context:
        return None
    nb = nbformat.read(plan.path, as_version=4)
    cells = code_cells(nb)
    names = set().union(*map(_names, plan.context))
    long = Limits(timeout=3600, memory_mb=limits.memory_mb, cpu_seconds=7200)
    with Sandbox(long, trusted=True) as box:
        order = [(c.number, c.source) for c in needed_cells(cells, names)]
        errors = box.run_cells(order, time.monotonic() + long.timeout)
        failed = {n: e for n, e in errors.items() if e}
        if failed:
            raise RuntimeError(
                f"{plan.path.name}: the chapter's own cells failed: {failed}"
            )
        reply = box.request(
            time.monotonic() + long.timeout,
            op="pickled",
            exprs=list(plan.context),
        )
    return base64.b64decode(reply["pickle"])


def _context_or_error(plan: ChapterPlan, limits: Limits):
    """:func:`build_context`, or the reason it failed (a string)."""
    try:
        return build_context(plan, limits)
    except (RuntimeError, SandboxCrash, SandboxTimeout, KeyError) as err:
        return f"{type(err).__name__}: {err}"


def _grade_task(task) -> list[Row]:
    """One submission (run in a worker process)."""
    name, data, chapter, limits, contexts = task
    plans = chapter_plans()
    nb = _read(data)
    if isinstance(nb, str):
        return [_unreadable(name, nb)]
    found, _ = detect_chapter(nb, plans)
    wanted = chapter if chapter is not None else found
    if wanted is None:
        return [
            _unreadable(
                name,
                "cannot tell which chapter this notebook is: no pcbook "
                "chapter "
                "in its metadata, and no exercise of the book in its cells.",
            )
        ]
    plan = plans[wanted]
    if found != wanted:
        return _other_chapter(name, nb, found, plan, plans)
    try:
        return grade_notebook(name, nb, plan, limits, contexts.get(wanted))
    except Exception as err:  # a bug of the grader: still one row per exercise
        return [
            _row(name, item, "error", f"the grader failed: {err!r}")
            for item in plan.exercises
        ]


def _chapters_needed(subs, chapter) -> set:
    if chapter is not None:
        return {chapter}
    plans, found = chapter_plans(), set()
    for _, data in subs:
        nb = _read(data)
        if not isinstance(nb, str):
            found.add(detect_chapter(nb, plans)[0])
    return found - {None}


def grade(
    paths,
    out,
    *,
    limits: Limits = Limits(),
    jobs: int = 1,
    chapter: int | None = None,
    show_progress: bool = True,
) -> list[Row]:
    """Grade every submission in ``paths``; write the gradebook, feedback and
    summary to ``out``.

    ``chapter``: grade every submission as this chapter (a notebook of another
    chapter gets "missing" rows); by default each notebook's own chapter.
    Returns the gradebook's rows.
    """
    from pcbook.progress import progress

    _check_grade_arguments(paths, out, limits, jobs, chapter, show_progress)

    plans = chapter_plans()
    if chapter is not None and chapter not in plans:
        raise ValueError(
            f"--chapter: expected one of {sorted(plans)}, got {chapter!r}"
        )
    subs = _submissions(paths)
    contexts = {
        c: _context_or_error(plans[c], limits)
        for c in _chapters_needed(subs, chapter)
    }
    tasks = [(name, data, chapter, limits, contexts) for name, data in subs]
    results: dict[str, list[Row]] = {}
    bar = (
        (lambda it, total: progress(it, desc="grading", total=total))
        if (show_progress)
        else (lambda it, total: it)
    )
    if jobs <= 1:
        for task in bar(tasks, len(tasks)):
            results[task[0]] = _grade_task(task)
    else:
        with ProcessPoolExecutor(
            jobs, mp_context=get_context("spawn")
        ) as pool:
            futures = {pool.submit(_grade_task, t): t[0] for t in tasks}
            for future in bar(as_completed(futures), len(futures)):
                name = futures[future]
                try:
                    results[name] = future.result()
                except Exception as err:  # a worker died: say so, go on
                    results[name] = [
                        _unreadable(name, f"the grader failed: {err!r}")
                    ]
    rows = [row for name, _ in subs for row in results[name]]
    write_reports(rows, Path(out))
    return rows


def _check_grade_arguments(paths, out, limits, jobs, chapter, show_progress):
    """Refuse what :func:`grade` cannot use (a missing submission is a row, not an error)."""
    check_instance("paths", paths, (list, tuple), "a list of paths")
    for i, path in enumerate(paths):
        check_instance(f"paths[{i}]", path, (str, os.PathLike), "a path")
    check_out("out", out)
    check_instance("limits", limits, Limits, "a sandbox.Limits")
    check_count("jobs", jobs, 1, MAX_JOBS)
    if chapter is not None:
        check_int("chapter", chapter, 0)
    check_bool("show_progress", show_progress)


# ---------------------------------------------------------------- reports

COLUMNS = [f.name for f in fields(Row)]


def write_gradebook(rows: list[Row], path: Path) -> None:
    """``gradebook.csv``: one row per submission and exercise."""
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS)
        writer.writeheader()
        writer.writerows(asdict(r) for r in rows)


def read_gradebook(path: Path) -> list[Row]:
    """The rows of a ``gradebook.csv``."""
    with open(path, newline="") as f:
        return [
            Row(**{**r, "seconds": float(r["seconds"])})
            for r in csv.DictReader(f)
        ]


def _feedback_name(submission: str) -> str:
    stem = re.sub(r"\.ipynb$", "", Path(submission).name)
    return re.sub(r"[^\w.-]+", "_", stem).strip("_") + ".md"


def feedback_markdown(submission: str, rows: list[Row]) -> str:
    """What one student gets back: every verdict, with the hint they would have
    seen."""
    out = io.StringIO()
    out.write(f"# Feedback: {Path(submission).name}\n\n")
    chapter = rows[0].chapter if rows else ""
    if chapter:
        got = sum(r.verdict == "correct" for r in rows)
        auto = sum(r.verdict != "by hand" for r in rows)
        out.write(
            f"Chapter {chapter}: {got} of {auto} checked exercises "
            "correct.\n\n"
        )
    for r in rows:
        heading = (
            f"Exercise {r.exercise}: {r.title}" if r.exercise else "Submission"
        )
        out.write(f"## {heading}\n\n**{r.verdict}**: {r.message}\n\n")
        if r.hint and r.verdict != "correct":
            out.write(f"Hint: {r.hint}\n\n")
    return out.getvalue()


def summary_markdown(rows: list[Row]) -> str:
    """For the teacher: per exercise, how many got it and the commonest
    wrong-answer hint."""
    out = io.StringIO()
    out.write("# Grading summary\n\n")
    subs = list(dict.fromkeys(r.submission for r in rows))
    out.write(f"{len(subs)} submissions.\n\n")
    out.write(
        "| exercise | title | "
        + " | ".join(VERDICTS)
        + " | commonest hint |\n"
    )
    out.write("|---" * (len(VERDICTS) + 3) + "|\n")
    keys = dict.fromkeys(
        (r.chapter, r.exercise, r.title) for r in rows if r.exercise
    )
    for chapter, number, title in keys:
        mine = [
            r for r in rows if (r.chapter, r.exercise) == (chapter, number)
        ]
        counts = Counter(r.verdict for r in mine)
        hints = Counter(
            r.hint or r.message
            for r in mine
            if r.verdict in ("not yet", "error")
        )
        hint = ""
        if hints:
            text, n = hints.most_common(1)[0]
            hint = f"{text} ({n})".replace("|", "\\|")
        cells = " | ".join(str(counts.get(v, 0)) for v in VERDICTS)
        out.write(f"| {number} | {title} | {cells} | {hint} |\n")
    unread = [r for r in rows if not r.exercise]
    if unread:
        out.write("\nNot graded:\n\n")
        for r in unread:
            out.write(f"* {r.submission}: {r.message}\n")
    return out.getvalue()


def write_reports(rows: list[Row], out: Path) -> None:
    """The gradebook, one feedback file per submission and the summary, in
    ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    write_gradebook(rows, out / "gradebook.csv")
    folder = out / "feedback"
    folder.mkdir(exist_ok=True)
    by_sub: dict[str, list[Row]] = {}
    for r in rows:
        by_sub.setdefault(r.submission, []).append(r)
    used = Counter()
    for submission, mine in by_sub.items():
        name = _feedback_name(submission)
        used[name] += 1
        if used[name] > 1:
            name = name[:-3] + f"-{used[name]}.md"
        (folder / name).write_text(feedback_markdown(submission, mine))
    (out / "summary.md").write_text(summary_markdown(rows))


# ---------------------------------------------------------------- command line


def _number(text: str, option: str, kind, low):
    """``text`` as a ``kind`` >= ``low``, or a ValueError naming ``option``."""
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not value >= low or value != value:
        what = "an integer" if kind is int else "a number"
        raise ValueError(f"{option}: expected {what} >= {low}, got {text!r}")
    return value


def command(args) -> int:
    """``python -m pcbook grade``: see the module docstring and the teacher's
    guide."""
    try:
        limits = Limits(
            timeout=_number(args.timeout, "--timeout", float, 1),
            memory_mb=_number(args.memory, "--memory", int, 256),
        )
        jobs = _number(args.jobs, "--jobs", int, 1)
        chapter = (
            None
            if args.chapter is None
            else _number(args.chapter, "--chapter", int, 0)
        )
        rows = grade(
            args.submissions,
            Path(args.out),
            limits=limits,
            jobs=jobs,
            chapter=chapter,
        )
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    counts = Counter(r.verdict for r in rows)
    subs = len({r.submission for r in rows})
    print(
        f"graded {subs} submissions: "
        + ", ".join(f"{counts[v]} {v}" for v in VERDICTS if counts[v])
        + f"; wrote {Path(args.out) / 'gradebook.csv'}, "
        f"{Path(args.out) / 'feedback'}/ and {Path(args.out) / 'summary.md'}"
    )
    return 0
