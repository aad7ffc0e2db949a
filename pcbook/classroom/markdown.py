"""Markdown that JupyterLab shows as the website does, for the student notebooks.

:func:`plain_markdown` rewrites one markdown cell of a student notebook (placeholder: it returns
the cell unchanged; the MyST-to-plain-Markdown conversion is being written).
"""

from __future__ import annotations

__all__ = ["plain_markdown"]


def plain_markdown(source: str) -> str:
    """The markdown cell ``source`` as plain Markdown JupyterLab renders."""
    return source
