"""Answer checks for the book's exercises.

Call the check named after an exercise with your answer; it prints "Correct!" or what is
wrong with a hint. For example, in the "Bayes' rule in pictures" notebook::

    from pcbook import check
    check.gaussian_posterior(gaussian_posterior)

Each chapter keeps its checks in its own submodule (``pcbook/check/<topic>.py``); this
package imports them all and re-exports every name in their ``__all__``, so a chapter adds
checks by adding a file, with no change here.
"""
from __future__ import annotations

import importlib
import pkgutil

from pcbook.check._verdict import CHECKS, Verdict, answer_check, correct, wrong

__all__ = ["CHECKS", "Verdict", "answer_check", "correct", "wrong"]


def _import_topics() -> None:
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name in getattr(module, "__all__", []):
            globals()[name] = getattr(module, name)
            __all__.append(name)


_import_topics()
