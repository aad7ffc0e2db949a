"""The book's files as _toc.yml lists them (shared by the notebook runner, tests and the kit)."""
from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


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
    return [toc["root"], *_walk(toc.get("chapters")), *(f for p in parts for f in _walk(p.get("chapters")))]


def toc_files() -> list[Path]:
    """Paths of every page in _toc.yml with their real suffix; a missing page raises FileNotFoundError."""
    paths = []
    for name in toc_entries():
        found = [ROOT / f"{name}{s}" for s in (".ipynb", ".md") if (ROOT / f"{name}{s}").exists()]
        if not found:
            raise FileNotFoundError(f"_toc.yml lists {name!r} but neither {name}.ipynb nor {name}.md exists")
        paths.append(found[0])
    return paths


def toc_notebooks() -> list[Path]:
    """The notebooks (.ipynb) among the pages of _toc.yml that exist, in book order."""
    return [ROOT / f"{name}.ipynb" for name in toc_entries() if (ROOT / f"{name}.ipynb").exists()]
