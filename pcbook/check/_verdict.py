"""The answer-check machinery: a Verdict and the ``answer_check`` decorator.

A check receives the student's answer (a function, a number, an array) and returns a
:class:`Verdict`. The decorator adds what every check needs and no check should repeat:

* the student's functions are watched while the check runs, so a function that returned
  ``None`` (a forgotten ``return``) or ``...`` (a blank left) is told exactly that, whatever
  the check did with the value;
* an exception raised inside the student's code is reported as the student's; one raised in
  the check's own code is reported as a failure of the check to use the answer (with what the
  answer was), never as the student's traceback; a bad argument to the check itself (an
  error from :mod:`pcbook.validate` before the student's code ran: a check validates its
  context arguments first) is raised to the caller as the ValueError/TypeError it is;
* hints escalate: a wrong answer gets a nudge (``hint``); the full formula (``answer``) is
  shown from the third wrong try of the same exercise on, or at once with ``reveal=True``.
"""

from __future__ import annotations

import functools
import sys
import types
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "Verdict",
    "answer_check",
    "correct",
    "wrong",
    "CHECKS",
    "REVEAL_AFTER",
    "book_function_called",
    "book_function_used",
]

#: exercise label -> check function, filled by ``@answer_check``
CHECKS: dict[str, Callable] = {}
#: wrong tries of one exercise after which the verdict shows the full answer
REVEAL_AFTER = 3
#: wrong tries so far in this session, by exercise label
_WRONG_TRIES: Counter = Counter()
_PCBOOK = Path(__file__).resolve().parents[1]
_VALIDATE = str(_PCBOOK / "validate.py")


@dataclass(frozen=True)
class Verdict:
    """The outcome of an answer check.

    ``ok``: passed or not; ``message``: what was found; ``hint``: a nudge towards the
    mistake; ``answer``: the formula or step that fixes it, shown only when ``revealed``.
    """

    ok: bool
    message: str
    hint: str = ""
    answer: str = ""
    revealed: bool = False

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        if self.ok:
            return f"Correct! {self.message}".rstrip()
        lines = [f"Not yet: {self.message}"]
        if self.hint:
            lines.append(f"Hint: {self.hint}")
        if self.answer and self.revealed:
            lines.append(f"Answer: {self.answer}")
        elif self.answer:
            lines.append(
                f"(After {REVEAL_AFTER} tries, or called with reveal=True, "
                "the check also shows the answer.)"
            )
        return "\n".join(lines)

    def text(self) -> str:
        """The verdict as the student sees it (the same as ``repr``)."""
        return repr(self)


def correct(message: str = "") -> Verdict:
    """A passing verdict."""
    return Verdict(True, message)


def wrong(message: str, hint: str = "", answer: str = "") -> Verdict:
    """A failing verdict: what is wrong, a nudge, and the full answer kept for later tries."""
    return Verdict(False, message, hint, answer)


def book_function_called(func, args, *targets):
    """Run ``func(*args)``; return ``(result, target)``: the first of the book's functions
    ``targets`` that ran inside the call (however it was imported), or None.

    A profile hook sees every Python call, so a thin wrapper around the package's answer is
    told apart from a reimplementation.
    """
    codes = {t.__code__: t for t in targets}
    seen = []

    def profile(frame, event, arg):
        if event == "call" and frame.f_code in codes:
            seen.append(codes[frame.f_code])

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        result = func(*args)
    finally:
        sys.setprofile(previous)
    return result, (seen[0] if seen else None)


def book_function_used(func, args, *targets):
    """Run ``func(*args)``; return ``(result, verdict)``.

    ``verdict`` is a wrong verdict naming the book's function if one of ``targets`` ran
    inside the call (:func:`book_function_called`), else None: the exercise asks for a
    reimplementation (the book's function is shown after the exercise).
    """
    result, used = book_function_called(func, args, *targets)
    if used is None:
        return result, None
    name = f"{used.__module__.removeprefix('pcbook.')}.{used.__name__}"
    return result, wrong(
        f"your function calls the book's `{name}`, so the check cannot "
        "see your own code.",
        "write the computation yourself; the book's function is shown "
        "after the exercise, to compare with yours.",
    )


def _describe(value) -> str:
    """A short description of a returned value: its type, and its shape for arrays."""
    if value is None:
        return "None"
    if value is Ellipsis:
        return "... (a blank)"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} items"
    if isinstance(value, (int, float, np.number)):
        return f"the number {value!r}"
    return f"a value of type {type(value).__name__}"


def _has_blank(value) -> bool:
    if value is Ellipsis:
        return True
    return isinstance(value, (tuple, list)) and any(
        v is Ellipsis for v in value
    )


class _Watch:
    """Wraps the student's functions: records what they return and the exceptions they raise."""

    def __init__(self):
        self.returned: list = []
        self.raised: list[BaseException] = []
        self.used = False

    @property
    def ran(self) -> bool:
        """Whether any of the student's functions has been called yet."""
        return bool(self.returned or self.raised)

    def wrap(self, value):
        if not isinstance(value, types.FunctionType):
            return value
        if value.__code__.co_filename.startswith(str(_PCBOOK)):
            return value  # a package function passed as context, not the student's
        self.used = True

        @functools.wraps(value)
        def watched(*args, **kwargs):
            try:
                result = value(*args, **kwargs)
            except BaseException as err:
                self.raised.append(err)
                raise
            self.returned.append(result)
            return result

        return watched

    def raised_by_student(self, err: BaseException) -> bool:
        seen = err
        while seen is not None:
            if any(seen is r for r in self.raised):
                return True
            seen = seen.__context__
        return False

    def blank_or_none(self) -> Verdict | None:
        """The verdict for a forgotten ``return`` or a blank left, if the student's code did that."""
        if any(r is None for r in self.returned):
            return wrong(
                "your function returned None.",
                "did you forget the `return` line at the end of your function?",
            )
        if any(_has_blank(r) for r in self.returned):
            return wrong(
                "your function returned ... (a blank that is still there).",
                "replace every `...` in your function, including the one after `return`.",
            )
        return None


def _from_validate(err: BaseException) -> bool:
    """True if ``err`` was raised by pcbook.validate (a bad argument to the check itself)."""
    tb = err.__traceback__
    last = None
    while tb is not None:
        last = tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    return last == _VALIDATE


def _could_not_use(err: Exception, watch: _Watch, answer) -> Verdict:
    """The verdict when the check's own code failed on what the student gave it."""
    if watch.returned:
        got = f"your function returned {_describe(watch.returned[-1])}"
    elif watch.used:
        got = "your function"
    else:
        got = f"your answer is {_describe(answer)}"
    return wrong(
        f"{got}, and the check could not use it ({type(err).__name__}: {err}).",
        "compare what you return with the docstring: the type, and the shape of any array.",
    )


def answer_check(label: str) -> Callable:
    """Register a check for the exercise labelled ``label`` (its sphinx-exercise label).

    The decorated function receives the student's answer and returns a :class:`Verdict`;
    the wrapper adds what the module docstring lists. Called with ``reveal=True``, the
    check shows the full answer of a wrong verdict at once.
    """

    def register(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args, reveal: bool = False, **kwargs) -> Verdict:
            watch = _Watch()
            args = tuple(watch.wrap(a) for a in args)
            kwargs = {k: watch.wrap(v) for k, v in kwargs.items()}
            try:
                verdict = func(*args, **kwargs)
            except NotImplementedError:
                verdict = wrong(
                    "the exercise is not implemented yet.",
                    "replace the `...` blanks and remove the `raise NotImplementedError`.",
                )
            except Exception as err:
                if _from_validate(err) and not (watch.used and watch.ran):
                    raise  # the check was called with a bad argument: say so plainly
                verdict = watch.blank_or_none()
                if verdict is None and watch.raised_by_student(err):
                    verdict = wrong(
                        f"your code raised {type(err).__name__}: {err}",
                        "run your function on its own first and read the traceback.",
                    )
                elif verdict is None:
                    verdict = _could_not_use(
                        err, watch, args[0] if args else None
                    )
            else:
                if not verdict.ok and watch.blank_or_none() is not None:
                    verdict = watch.blank_or_none()
            if verdict.ok:
                return verdict
            _WRONG_TRIES[label] += 1
            if reveal or _WRONG_TRIES[label] >= REVEAL_AFTER:
                verdict = Verdict(
                    False, verdict.message, verdict.hint, verdict.answer, True
                )
            return verdict

        wrapper.exercise_label = label
        CHECKS[label] = wrapper
        return wrapper

    return register
