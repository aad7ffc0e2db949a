"""Fixtures for the real JupyterLab test: a server on 127.0.0.1 and a headless Chromium.

The server is rooted at a temporary folder holding a copy of a chapter notebook (book/, or
PCBOOK_LAB_CHAPTER=<path> to try another, e.g. one from before a change) and its student
version, so running cells never touches the book's files.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import labdriver

ROOT = labdriver.ROOT
#: a light chapter with sliders, and the student notebook with dropdown answers
CHAPTER = Path(
    os.environ.get(
        "PCBOOK_LAB_CHAPTER", ROOT / "book" / "bayes_in_pictures.ipynb"
    )
)
STUDENT_OF = ROOT / "book" / "posterior.ipynb"


@pytest.fixture(scope="session")
def lab_files(tmp_path_factory) -> dict[str, Path]:
    """The notebooks the server shows: {"chapter": ..., "student": ...} under one root."""
    import nbformat

    from pcbook.classroom.student import student_notebook

    root = tmp_path_factory.mktemp("lab")
    (root / "chapter").mkdir()
    (root / "student").mkdir()
    chapter = root / "chapter" / CHAPTER.name
    shutil.copy(CHAPTER, chapter)
    student = root / "student" / STUDENT_OF.name
    nbformat.write(student_notebook(STUDENT_OF), student)
    return {"root": root, "chapter": chapter, "student": student}


@pytest.fixture(scope="session")
def lab(lab_files):
    """(base URL, token) of a JupyterLab server; stopped, with its kernels, at teardown."""
    with labdriver.jupyterlab(lab_files["root"]) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = labdriver.chromium(p)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def notebook(lab, lab_files, browser):
    """notebook(kind) -> a page with that notebook open (one page per kind, kept open)."""
    pages = {}

    def open_kind(kind: str):
        if kind not in pages:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            rel = lab_files[kind].relative_to(lab_files["root"])
            labdriver.open_notebook(page, *lab, str(rel))
            pages[kind] = page
        return pages[kind]

    yield open_kind
    for page in pages.values():
        page.close()
