"""book/references.bib parses, and every entry in it is its own entry (a missing brace swallows the
next one or stops the website build, which fails only minutes into `make book`)."""
from __future__ import annotations

from pathlib import Path

from pybtex.database import parse_file

BIB = Path(__file__).resolve().parents[1] / "book" / "references.bib"


def test_references_parse_with_one_entry_per_at_sign():
    text = BIB.read_text(encoding="utf-8")
    starts = [line for line in text.splitlines() if line.startswith("@")]
    entries = parse_file(str(BIB)).entries  # raises on a syntax error
    assert len(entries) == len(starts), f"{len(starts)} entries written, {len(entries)} parsed"


def test_braces_close_before_every_entry():
    depth, unclosed = 0, []
    for number, line in enumerate(BIB.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("@") and depth:
            unclosed.append(number)
        depth += line.count("{") - line.count("}")
    assert not unclosed and depth == 0, f"an entry is not closed before line(s) {unclosed}"
