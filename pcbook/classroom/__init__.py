"""Classroom kit: exercises, student notebooks, the exercises index and grading, all from the
chapter notebooks. One source: solutions live (and are executed) in the chapter notebooks.

Command line::

    python -m pcbook.classroom student [--out build/student] [--zip FILE]
    python -m pcbook.classroom index [--write]
    python -m pcbook grade SUBMISSION... --out DIR [--timeout S] [--jobs N]

Modules: :mod:`~pcbook.classroom.exercises` finds the exercises, :mod:`~pcbook.classroom.student`
writes the student notebooks and zip, :mod:`~pcbook.classroom.index` the exercises page,
:mod:`~pcbook.classroom.grade` grades a class (its submissions run in
:mod:`~pcbook.classroom.sandbox` children, only the cells :mod:`~pcbook.classroom.cells` finds
the answers need).
"""

from pcbook.classroom.exercises import Exercise, find_exercises
from pcbook.classroom.index import index_markdown
from pcbook.classroom.student import (
    stub_source,
    student_notebook,
    write_students,
)

__all__ = [
    "Exercise",
    "find_exercises",
    "stub_source",
    "student_notebook",
    "write_students",
    "index_markdown",
]
