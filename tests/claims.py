"""Tie a sentence of a chapter's prose to the value a cell prints and to a recomputation.

A claim test (``test_claim_*`` in ``tests/test_<topic>.py``) does three things:

1. ``assert_prose(notebook, phrase)``: the chapter's markdown still makes the claim, word for word
   (whitespace-insensitive), so a reworded claim has to come back to its test;
2. ``assert_printed(notebook, text)``: a stored cell output prints the number the claim rests on
   (nbval then proves that a fresh run prints it too);
3. recomputes the number with pcbook and asserts the claim's direction and size
   ("by a factor of about 2", "four times slower"), so a change in the code that breaks the claim
   fails here even where the printed digits would still be re-stored by ``make notebooks``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

BOOK = Path(__file__).resolve().parents[1] / "book"

__all__ = ["prose", "printed", "assert_prose", "assert_printed"]


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=None)
def _cells(notebook: str) -> tuple[dict, ...]:
    path = BOOK / (
        notebook if notebook.endswith(".ipynb") else f"{notebook}.ipynb"
    )
    return tuple(json.loads(path.read_text(encoding="utf-8"))["cells"])


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def prose(notebook: str) -> str:
    """All markdown of ``notebook`` (``"ngc"`` or ``"ngc.ipynb"``), whitespace collapsed."""
    return _normalise(
        " ".join(
            _text(c["source"])
            for c in _cells(notebook)
            if c["cell_type"] == "markdown"
        )
    )


def printed(notebook: str) -> str:
    """Every stored text output of ``notebook`` (streams and text/plain), whitespace collapsed."""
    parts = []
    for cell in _cells(notebook):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append(_text(out.get("text", "")))
            elif "text/plain" in out.get("data", {}):
                parts.append(_text(out["data"]["text/plain"]))
    return _normalise(" ".join(parts))


def assert_prose(notebook: str, phrase: str) -> None:
    """Fail unless the chapter's prose contains ``phrase`` (whitespace-insensitive)."""
    assert _normalise(phrase) in prose(notebook), (
        f"{notebook}: the prose no longer says {phrase!r}"
    )


def assert_printed(notebook: str, text: str) -> None:
    """Fail unless a stored output of the chapter prints ``text`` (whitespace-insensitive)."""
    assert _normalise(text) in printed(notebook), (
        f"{notebook}: no stored output prints {text!r}"
    )
