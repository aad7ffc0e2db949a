"""Execute notebooks top to bottom in a fresh kernel and store their outputs in place.

Usage: python tools/run_notebooks.py [NOTEBOOK ...]   (default: every notebook in _toc.yml)

Widget state is not stored (the website shows each slider's self-contained HTML view), and
the run fails loudly if any cell raises, except cells tagged ``raises-exception``. The kernel
runs with ``PCBOOK_STATIC_SLIDERS=1`` (``pcbook.widgets.STATIC_FRAMES_ENV``), so every slider
precomputes the website's static frames; a live run in JupyterLab skips them.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pcbook.widgets import STATIC_FRAMES_ENV  # noqa: E402
from tools.book_files import toc_notebooks  # noqa: E402


def execute(path: Path, timeout: int = 600) -> float:
    """Execute ``path`` in place; return the wall time in seconds."""
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    start = time.perf_counter()
    NotebookClient(
        nb,
        kernel_name="python3",
        timeout=timeout,
        store_widget_state=False,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    seconds = time.perf_counter() - start
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str]) -> int:
    os.environ[STATIC_FRAMES_ENV] = "1"  # the kernels inherit it
    paths = [Path(a).resolve() for a in argv] or toc_notebooks()
    for path in paths:
        seconds = execute(path)
        print(
            f"{seconds:6.1f} s  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
