"""Answer checks for the book's exercises.

Call the check named after an exercise with your answer; it prints "Correct!" or what is
wrong with a hint. For example, in the "Bayes' rule in pictures" notebook::

    from pcbook import check
    check.precision_weighted_posterior(precision_weighted_posterior)

Each chapter keeps its checks in its own submodule (``pcbook/check/<topic>.py``) and lists them
in its ``__all__``; this package finds them there without importing anything, and imports a
chapter's module the first time one of its checks is used. A chapter adds checks by adding a
file, with no change here, and ``from pcbook import check`` stays fast.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from pcbook.check._verdict import CHECKS, Verdict, answer_check, correct, wrong

_HERE = Path(__file__).parent


def _topic_names() -> dict[str, str]:
    """check name -> topic module, read statically from each topic's ``__all__``."""
    names = {}
    for path in sorted(_HERE.glob("[!_]*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Assign) and any(
                getattr(t, "id", None) == "__all__" for t in node.targets
            ):
                for name in ast.literal_eval(node.value):
                    names[name] = path.stem
    return names


_TOPICS = _topic_names()
__all__ = [
    "CHECKS",
    "Verdict",
    "answer_check",
    "correct",
    "wrong",
    "load_all",
    *_TOPICS,
]


def __getattr__(name: str):
    if name in _TOPICS:
        module = importlib.import_module(f"{__name__}.{_TOPICS[name]}")
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(
        f"pcbook.check has no check {name!r}; the checks are: {', '.join(sorted(_TOPICS))}"
    )


def __dir__():
    return sorted(set(globals()) | set(_TOPICS))


def load_all() -> dict:
    """Import every topic's checks and return the registry {exercise label: check}."""
    for name in _TOPICS:
        __getattr__(name)
    return CHECKS
