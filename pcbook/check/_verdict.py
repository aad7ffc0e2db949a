"""The answer-check machinery: a Verdict and the ``answer_check`` decorator."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Verdict", "answer_check", "correct", "wrong", "CHECKS"]

#: exercise label -> check function, filled by ``@answer_check``
CHECKS: dict[str, Callable] = {}


@dataclass(frozen=True)
class Verdict:
    """The outcome of an answer check: ``ok``, what was found, and a hint when wrong."""

    ok: bool
    message: str
    hint: str = ""

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        if self.ok:
            return f"Correct! {self.message}".rstrip()
        text = f"Not yet: {self.message}"
        return f"{text}\nHint: {self.hint}" if self.hint else text


def correct(message: str = "") -> Verdict:
    """A passing verdict."""
    return Verdict(True, message)


def wrong(message: str, hint: str = "") -> Verdict:
    """A failing verdict with what is wrong and a hint."""
    return Verdict(False, message, hint)


def answer_check(label: str) -> Callable:
    """Register a check for the exercise labelled ``label`` (its sphinx-exercise label).

    The decorated function receives the student's answer (a function, a number, an
    array) and returns a :class:`Verdict`. The wrapper turns the exceptions a student's
    code can raise into verdicts, so a check never crashes the notebook: a stub that
    still raises ``NotImplementedError`` gives "not implemented yet".
    """

    def register(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args, **kwargs) -> Verdict:
            try:
                return func(*args, **kwargs)
            except NotImplementedError:
                return wrong(
                    "the exercise is not implemented yet.",
                    "replace the `...` blanks and remove the `raise NotImplementedError`.",
                )
            except (
                Exception
            ) as err:  # the student's code failed: report it, do not crash
                return wrong(
                    f"your code raised {type(err).__name__}: {err}",
                    "run your function on its own first and read the traceback.",
                )

        wrapper.exercise_label = label
        CHECKS[label] = wrapper
        return wrapper

    return register
