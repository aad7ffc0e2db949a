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


def toc_files() -> list[Path]:
    """Paths of every page in _toc.yml (root first), with their real suffix (.md or .ipynb)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    names = [toc["root"], *_walk(toc.get("chapters")), *(f for p in toc.get("parts", []) for f in _walk(p.get("chapters")))]
    paths = []
    for name in names:
        for suffix in (".ipynb", ".md"):
            candidate = ROOT / f"{name}{suffix}"
            if candidate.exists():
                paths.append(candidate)
                break
        else:
            raise FileNotFoundError(f"_toc.yml lists {name!r} but neither {name}.ipynb nor {name}.md exists")
    return paths
