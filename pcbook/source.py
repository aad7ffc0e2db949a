"""The real source of a pcbook function, shown as a code block on the website and in JupyterLab.

A chapter shows the implementation that matters with a hidden-input code cell::

    from pcbook.source import show_source
    show_source("pcbook.posterior.posterior_on_grid")

Its output is a Markdown code block (``text/markdown``), which the website (MyST-NB) and
JupyterLab both render, read from the installed package, so a notebook copied elsewhere shows
it too (a ``literalinclude`` of ``../pcbook/...`` needs the repository next to the notebook).
"""

from __future__ import annotations

import importlib
import inspect
import re
import textwrap

from pcbook.validate import check_instance

__all__ = ["Source", "show_source", "find_object"]


def find_object(name: str):
    """The object a dotted name ``"pcbook.module.function"`` (or ``...Class.method``) names."""
    return _find("name", name)


def _find(label: str, name):
    """:func:`find_object`, its errors naming the caller's argument ``label``."""
    check_instance(label, name, str, "a str")
    parts = name.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        try:
            for attr in parts[split:]:
                obj = getattr(obj, attr)
        except AttributeError:
            break
        return obj
    raise ValueError(f"{label}: {name!r} names no importable object")


class Source:
    """Source code that displays as a fenced code block (Markdown) and as plain text."""

    def __init__(self, code: str, language: str = "python"):
        check_instance("code", code, str, "a str")
        check_instance("language", language, str, "a str")
        self.code = code if code.endswith("\n") else code + "\n"
        self.language = language

    def markdown(self) -> str:
        """The code as a Markdown fenced block (a fence longer than any run of backticks in it)."""
        longest = max(map(len, re.findall(r"`+", self.code)), default=0)
        ticks = "`" * max(3, longest + 1)
        return f"{ticks}{self.language}\n{self.code}{ticks}\n"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/markdown": self.markdown(), "text/plain": self.code}

    def __repr__(self) -> str:
        return self.code


def show_source(obj) -> Source:
    """The source of ``obj`` (a function or class, or its dotted name) as :class:`Source`.

    Decorators are included, as the website's ``literalinclude :pyobject:`` shows them.
    """
    if isinstance(obj, str):
        obj = _find("obj", obj)
    try:
        code = inspect.getsource(obj)
    except TypeError:
        raise TypeError(
            f"obj: expected a function or class, got {type(obj).__name__}"
        ) from None
    return Source(textwrap.dedent(code))
