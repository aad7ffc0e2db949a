"""Argument checks shared by the classroom kit (paths, notebooks, text), on top of
:mod:`pcbook.validate`: each error names the argument as the caller wrote it."""

from __future__ import annotations

import os
from pathlib import Path

from pcbook.validate import check_instance


def check_text(name: str, value) -> str:
    """``value`` if it is a str, else a TypeError naming ``name``."""
    return check_instance(name, value, str, "a string")


def check_notebook(name: str, nb):
    """``nb`` if it is a notebook (an nbformat node, or the dict it reads as)."""
    return check_instance(name, nb, dict, "a notebook (nbformat.NotebookNode)")


def check_file(name: str, path) -> Path:
    """``path`` (a str or path) as a Path to an existing file, else an error naming ``name``."""
    check_instance(name, path, (str, os.PathLike), "a path to a file")
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{name}: no such file: {str(path)!r}")
    return path


def check_files(name: str, paths) -> list[Path]:
    """``paths`` (a list or tuple of paths) as Paths to existing files; an error names the
    entry (``name[i]``)."""
    check_instance(name, paths, (list, tuple), "a list of paths")
    return [check_file(f"{name}[{i}]", p) for i, p in enumerate(paths)]


def check_out(name: str, path, optional: bool = False) -> Path | None:
    """``path`` if it is a ``pathlib.Path`` (a place to write; None too if ``optional``)."""
    if optional and path is None:
        return None
    what = "a pathlib.Path or None" if optional else "a pathlib.Path"
    return check_instance(name, path, Path, what)
