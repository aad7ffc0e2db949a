"""Progress bars that show for a person and stay quiet for the website and the tests.

A notebook run by hand in JupyterLab shows a ``tqdm.auto`` bar. When the book is built
or tested, the Makefile sets ``PCBOOK_QUIET=1`` and the bar is disabled, so stored
outputs hold no progress-bar widgets (nbval compares them with a fresh run).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

__all__ = ["progress", "quiet"]


def quiet() -> bool:
    """True when progress bars should be hidden (``PCBOOK_QUIET`` set to anything but 0)."""
    return os.environ.get("PCBOOK_QUIET", "0") not in ("", "0")


def progress(
    iterable: Iterable, desc: str | None = None, total: int | None = None
):
    """Wrap ``iterable`` in a tqdm.auto progress bar unless :func:`quiet`."""
    if quiet():
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc, total=total, leave=False)
