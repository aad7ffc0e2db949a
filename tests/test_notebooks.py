"""Notebook hygiene: stored as one fresh top-to-bottom run, listed in the toc, free of widget state."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tools import book_files  # noqa: E402
from tools.book_files import GENERATED_PAGES, toc_notebooks  # noqa: E402

NOTEBOOKS = toc_notebooks()


def test_every_notebook_in_book_is_in_the_table_of_contents():
    on_disk = {p.resolve() for p in (ROOT / "book").glob("*.ipynb")}
    assert on_disk <= {p.resolve() for p in NOTEBOOKS}, on_disk - set(
        NOTEBOOKS
    )


def test_generated_pages_are_not_stored_and_do_not_block_the_notebook_list(
    tmp_path, monkeypatch
):
    """A fresh clone (CI runs `make test` without `make book`) lacks the generated pages."""
    ignored = (ROOT / ".gitignore").read_text().split()
    assert set(GENERATED_PAGES.values()) <= set(ignored)
    (tmp_path / "_toc.yml").write_text((ROOT / "_toc.yml").read_text())
    (tmp_path / "book").mkdir()
    for path in NOTEBOOKS:
        (tmp_path / path.relative_to(ROOT)).write_text("{}")
    for name in book_files.toc_entries():
        page = tmp_path / f"{name}.md"
        if (
            name not in GENERATED_PAGES
            and not (tmp_path / f"{name}.ipynb").exists()
        ):
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text("# page")
    monkeypatch.setattr(book_files, "ROOT", tmp_path)
    assert [p.name for p in book_files.toc_notebooks()] == [
        p.name for p in NOTEBOOKS
    ]
    (tmp_path / "book" / "notation.md").unlink()
    with pytest.raises(FileNotFoundError, match="book/notation"):
        book_files.toc_notebooks()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_as_one_fresh_run(path):
    nb = nbformat.read(path, as_version=4)
    counts = [
        c.execution_count
        for c in nb.cells
        if c.cell_type == "code" and c.source.strip()
    ]
    assert counts and None not in counts, (
        "cells were never executed: run `make notebooks`"
    )
    assert counts == list(range(1, len(counts) + 1)), (
        "not one top-to-bottom run in a fresh kernel"
    )
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert not errors, f"stored error outputs: {[e.ename for e in errors]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_metadata(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    assert isinstance(nb.metadata.get("pcbook", {}).get("chapter"), int)
    assert "widgets" not in nb.metadata, (
        "stored widget state bloats the page; the website uses the static view"
    )
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), (
        "first cell must be the # title"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_uses_no_global_random_state(path):
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for banned in (
        "np.random.seed(",
        "np.random.rand(",
        "np.random.randn(",
        "np.random.normal(",
        "random.seed(",
    ):
        assert banned not in code, (
            f"{banned} in a notebook: pass a seeded Generator as rng="
        )


#: widest code line that fits the website's desktop text column (ruff format --line-length 79)
CODE_COLUMNS = 79
#: widest printed line that fits the same column beside the output box's padding
PRINTED_COLUMNS = 76


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_code_and_printed_lines_fit_the_column(path):
    """The browser test measures the overflow; this says which line to shorten, before any build."""
    nb = nbformat.read(path, as_version=4)
    wide = []
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        wide += [
            f"cell {k} code: {line}"
            for line in cell.source.splitlines()
            if len(line) > CODE_COLUMNS
        ]
        for out in cell.outputs:
            if out.output_type == "stream":
                wide += [
                    f"cell {k} prints: {line}"
                    for line in out.text.splitlines()
                    if len(line) > PRINTED_COLUMNS
                ]
    assert not wide, "lines wider than the website's column:\n" + "\n".join(
        wide
    )


def test_chapters_are_in_the_forms_jupyterlab_shows():
    """tools/lab_source.py has nothing left to rewrite: no literalinclude that JupyterLab
    cannot show, no solution cell that would stand open there."""
    from tools import lab_source

    assert lab_source.main(["--check"]) == 0, (
        "run .venv/bin/python tools/lab_source.py, then make notebooks"
    )
