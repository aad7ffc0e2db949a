"""Progress bars that show for a person, leave nothing behind, and stay quiet for the website.

Run by hand in JupyterLab, :func:`progress` shows a one-line text bar in the cell's output,
updated in place (an IPython display with a ``display_id``) and blanked when the loop ends, so a
saved notebook holds no progress-bar widget (which would read "Error displaying widget: model not
found" when the notebook is reopened) and no stale "training: 0%" line. In a terminal it is
tqdm's text bar, removed when done (``leave=False``). When the book is built or tested, the
Makefile sets ``PCBOOK_QUIET=1`` and there is no bar at all.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator

from pcbook.validate import check_instance, check_int

__all__ = ["progress", "quiet", "NOTEBOOK_REFRESH"]

#: seconds between two redraws of a notebook bar (each redraw is a message to the browser)
NOTEBOOK_REFRESH = 0.5


def quiet() -> bool:
    """True when progress bars should be hidden (``PCBOOK_QUIET`` set to anything but 0)."""
    return os.environ.get("PCBOOK_QUIET", "0") not in ("", "0")


def in_notebook() -> bool:
    """True inside a Jupyter kernel (an IPython shell with a kernel attached)."""
    ipython = sys.modules.get(
        "IPython"
    )  # never imported here for a plain script
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "kernel", None) is not None


def progress(
    iterable: Iterable, desc: str | None = None, total: int | None = None
):
    """Iterate over ``iterable`` with a progress bar unless :func:`quiet`.

    ``total`` (default ``len(iterable)`` when it has one) is the number of items the bar counts
    to. In a notebook the bar is a text line blanked when the loop ends (see the module
    docstring); elsewhere tqdm's text bar with ``leave=False``. A string is refused as
    ``iterable`` (a loop over its characters is a mistake).
    """
    _check_arguments(iterable, desc, total)
    if quiet():
        return iterable
    if total is None and hasattr(iterable, "__len__"):
        total = len(iterable)
    if in_notebook():
        return _notebook_bar(iterable, desc, total)
    from tqdm import tqdm

    return tqdm(iterable, desc=desc, total=total, leave=False)


def _check_arguments(iterable, desc, total) -> None:
    """Refuse what :func:`progress` cannot count: a non-iterable (or a string), a ``desc``
    that is not text, a ``total`` that is not a count of items."""
    if isinstance(iterable, (str, bytes)) or not isinstance(
        iterable, Iterable
    ):
        raise TypeError(
            "iterable: expected an iterable of items (not a string), got "
            f"{type(iterable).__name__}"
        )
    if desc is not None:
        check_instance("desc", desc, str, "a string or None")
    if total is not None:
        check_int("total", total, 0)


def _bar_line(n: int, total: int | None, elapsed: float, desc) -> str:
    """One line in tqdm's format: ``desc: 42%|####      | 42/100 [00:04<00:05, 9.8it/s]``."""
    from tqdm import tqdm

    return tqdm.format_meter(n, total, elapsed, ncols=80, prefix=desc or "")


def _notebook_bar(iterable: Iterable, desc, total) -> Iterator:
    """Yield from ``iterable`` while one notebook output shows the bar; blank it at the end,
    also when the loop stops early (``break`` closes the generator)."""
    from IPython.display import display

    start = last = time.monotonic()
    handle = display(
        {"text/plain": _bar_line(0, total, 0.0, desc)},
        raw=True,
        display_id=True,
    )
    try:
        for n, item in enumerate(iterable, 1):
            yield item
            now = time.monotonic()
            if now - last >= NOTEBOOK_REFRESH:
                line = _bar_line(n, total, now - start, desc)
                handle.update({"text/plain": line}, raw=True)
                last = now
    finally:
        handle.update({"text/plain": ""}, raw=True)
