"""Rewrite the chapter notebooks into forms the website and JupyterLab (jupyterlab-myst) both show.

    .venv/bin/python tools/lab_source.py [--check] [book/x.ipynb ...]   (default: every chapter)

Two constructs render on the website but not in JupyterLab:

1. ``{literalinclude} ../pcbook/m.py`` with ``:pyobject: f`` shows nothing in JupyterLab (it
   cannot read the file). The directive becomes a code cell ``show_source("pcbook.m.f")``
   (pcbook.source) with its input hidden: ``remove-input`` for the website, ``source_hidden``
   for JupyterLab; its output, stored here, is the function's source as a code block. The text
   around the directive stays in markdown cells before and after it.
2. A gated sphinx-exercise solution spans several cells. The website folds them all into the
   solution's dropdown; jupyterlab-myst folds only the ``solution-start`` cell, so the solution's
   code and its outputs would stand in plain view. Every other cell of a solution gets
   ``jupyter.source_hidden`` and ``jupyter.outputs_hidden`` (collapsed until clicked; the website
   ignores these).

The script is idempotent and keeps every cell id (new cells get ids derived from their
source cell's). ``--check`` writes nothing and exits 1 if a notebook would change.
Re-store the notebooks afterwards (``make notebooks NB=...``) to refresh execution counts.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pcbook.classroom.exercises import (  # noqa: E402
    chapter_notebooks,
    find_exercises,
)
from pcbook.source import show_source  # noqa: E402

_INCLUDE = re.compile(
    r"^```+\{literalinclude\}[ \t]+(?P<path>\S+)[ \t]*\n"
    r"(?P<opts>(?::[\w-]+:[^\n]*\n)*)```+[ \t]*$\n?",
    re.M,
)
#: a cell that only closes a solution (renders as nothing in JupyterLab and on the website)
_SOLUTION_END_CELL = re.compile(r"```+\{solution-end\}\s*```+")
HIDDEN_INPUT = {"source_hidden": True}
COLLAPSED = {"source_hidden": True, "outputs_hidden": True}


def dotted_name(path: str, pyobject: str) -> str:
    """``../pcbook/ngc/circuit.py`` and ``state_update`` -> ``pcbook.ngc.circuit.state_update``."""
    parts = Path(path).with_suffix("").parts
    if "pcbook" not in parts:
        raise ValueError(f"path: {path} is not a file of the pcbook package")
    return ".".join([*parts[parts.index("pcbook") :], pyobject])


def source_cell(name: str, cell_id: str) -> nbformat.NotebookNode:
    """The hidden-input code cell that shows ``name``'s source, with its output stored."""
    cell = nbformat.v4.new_code_cell(
        f'from pcbook.source import show_source\n\nshow_source("{name}")',
        metadata={"tags": ["remove-input"], "jupyter": dict(HIDDEN_INPUT)},
    )
    cell.id = cell_id
    bundle = show_source(name)._repr_mimebundle_()
    cell.outputs = [
        nbformat.v4.new_output(
            "execute_result", data=bundle, execution_count=None
        )
    ]
    return cell


def split_includes(cell: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """A markdown cell with literalincludes as markdown cells around source cells."""
    if cell.cell_type != "markdown" or not _INCLUDE.search(cell.source):
        return [cell]
    out, pos, n = [], 0, 0
    for match in _INCLUDE.finditer(cell.source):
        opts = dict(
            re.findall(r"^:([\w-]+):\s*(.*)$", match.group("opts"), re.M)
        )
        if "pyobject" not in opts:
            raise ValueError(
                f"cell {cell.id}: literalinclude without :pyobject:"
            )
        before = cell.source[pos : match.start()].strip("\n")
        if before:
            md = nbformat.v4.new_markdown_cell(before, metadata=cell.metadata)
            md.id = cell.id if not out else f"{cell.id}-text{n}"
            out.append(md)
        n += 1
        name = dotted_name(match.group("path"), opts["pyobject"])
        out.append(source_cell(name, f"{cell.id}-src{n}"))
        pos = match.end()
    after = cell.source[pos:].strip("\n")
    if after:
        md = nbformat.v4.new_markdown_cell(after)
        md.id = cell.id if not out else f"{cell.id}-text{n}"
        out.append(md)
    if out[0].id != cell.id:  # keep the original id on the first cell
        out[0].id = cell.id
    return out


def collapse_solutions(nb: nbformat.NotebookNode, path: Path) -> None:
    """Every cell of a solution but its first (which jupyterlab-myst folds) collapsed."""
    for exercise in find_exercises(path):
        for i in exercise.solution_cells[1:]:
            cell = nb.cells[i]
            if cell.cell_type == "markdown" and _SOLUTION_END_CELL.fullmatch(
                cell.source.strip()
            ):
                continue  # renders as nothing
            cell.metadata.setdefault("jupyter", {}).update(COLLAPSED)


def lab_source(path: Path) -> nbformat.NotebookNode:
    """Notebook ``path`` rewritten (see the module docstring); the file is not touched."""
    nb = nbformat.read(path, as_version=4)
    collapse_solutions(nb, path)
    nb.cells = [c for cell in nb.cells for c in split_includes(cell)]
    return nb


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    changed = []
    for path in args.notebooks or chapter_notebooks():
        new = nbformat.writes(lab_source(path)) + "\n"
        if new != path.read_text(encoding="utf-8"):
            changed.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    verb = "would change" if args.check else "rewrote"
    for path in changed:
        print(f"{verb} {path}")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
