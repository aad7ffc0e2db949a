"""The book's files as _toc.yml lists them (shared by the Makefile, the notebook runner, tests and the kit)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

# Pages that _toc.yml lists but the repository does not store: `make student` (run by `make book`)
# writes them from the notebooks, so they may be absent in a fresh clone before the first build.
GENERATED_PAGES = {"book/exercises": "book/exercises.md"}


def _walk(entries):
    for entry in entries or []:
        if "file" in entry:
            yield entry["file"]
        yield from _walk(entry.get("chapters"))
        yield from _walk(entry.get("sections"))


def toc_entries() -> list[str]:
    """Every page name in _toc.yml (root first), without suffix, in book order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    parts = toc.get("parts", [])
    return [
        toc["root"],
        *_walk(toc.get("chapters")),
        *(f for p in parts for f in _walk(p.get("chapters"))),
    ]


def toc_notebooks() -> list[Path]:
    """The notebooks (.ipynb) among the pages of _toc.yml, in book order.

    A listed page that is neither a notebook nor a stored Markdown file raises FileNotFoundError,
    unless it is one of the GENERATED_PAGES, which a fresh clone does not have yet.
    """
    notebooks = []
    for name in toc_entries():
        if (ROOT / f"{name}.ipynb").exists():
            notebooks.append(ROOT / f"{name}.ipynb")
        elif (
            not (ROOT / f"{name}.md").exists() and name not in GENERATED_PAGES
        ):
            raise FileNotFoundError(
                f"_toc.yml lists {name!r} but neither {name}.ipynb nor {name}.md exists"
            )
    return notebooks
