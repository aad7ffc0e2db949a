"""Fixtures for the website checks: the built site and a server for it on 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: the built site; PCBOOK_SITE=<folder> checks another build (e.g. a copy kept from before a change)
SITE = Path(os.environ.get("PCBOOK_SITE", ROOT / "_build" / "html"))
sys.path.insert(0, str(ROOT))  # tools.book_files


@pytest.fixture(scope="session")
def site() -> Path:
    """The built website; fails (does not skip) when it is missing."""
    if not (SITE / "index.html").exists():
        pytest.fail(
            "no built website in _build/html: run 'make book' first (make test does)"
        )
    return SITE


@pytest.fixture(scope="session")
def pages(site) -> list[Path]:
    """Every HTML page of the book (not the search and index pages Sphinx adds)."""
    found = sorted(p for p in (site / "book").glob("*.html"))
    assert found, "the site has no pages under book/"
    return found


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server(site):
    """Serve the site on a free port of 127.0.0.1; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def browser():
    """A real headless Chromium driven by playwright (Debian's chromium; nothing is downloaded)."""
    path = chromium_path()
    if path is None:
        pytest.fail(
            "NO BROWSER: the browser checks need Chromium (Debian: apt-get install chromium); "
            ".ci/run installs it. The site was NOT checked in a browser."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chrome = pw.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield chrome
        chrome.close()
