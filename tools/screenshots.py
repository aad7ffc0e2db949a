"""Screenshots of every page of the built website, for people to look at (``make screenshots``).

Writes ``build/screenshots/<page>-<desktop|phone>-<light|dark>.png``: each page at 1366x768 and at
390x844 (a phone), in light and dark mode, the full length of the page. Serves _build/html on 127.0.0.1
and uses the machine's Chromium through playwright, like the browser checks in tests/site.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VIEWPORTS = [("desktop", 1366, 768), ("phone", 390, 844)]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "build" / "screenshots"
    )
    parser.add_argument(
        "--full-page",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the whole page (default) or the first screen only",
    )
    args = parser.parse_args(argv)
    if not (args.site / "index.html").exists():
        print(
            f"error: no website in {args.site}: run 'make book' first",
            file=sys.stderr,
        )
        return 1
    chromium = next(
        (
            shutil.which(n)
            for n in ("chromium", "chromium-browser", "google-chrome")
            if shutil.which(n)
        ),
        None,
    )
    if chromium is None:
        print(
            "error: no Chromium (Debian: apt-get install chromium)",
            file=sys.stderr,
        )
        return 1
    from playwright.sync_api import sync_playwright

    pages = [
        f"book/{p.name}" for p in sorted((args.site / "book").glob("*.html"))
    ] + ["search.html"]
    args.out.mkdir(parents=True, exist_ok=True)
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(args.site))
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    count = 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium,
            args=["--headless", "--no-sandbox", "--disable-gpu"],
        )
        for view, width, height in VIEWPORTS:
            for mode in ("light", "dark"):
                context = browser.new_context(
                    viewport={"width": width, "height": height},
                    color_scheme=mode,
                )
                # the theme reads its mode from localStorage before the page is drawn
                context.add_init_script(
                    f"localStorage.setItem('theme', '{mode}'); localStorage.setItem('mode', '{mode}');"
                )
                page = context.new_page()
                for name in pages:
                    page.goto(f"{base}/{name}", wait_until="load")
                    page.wait_for_load_state("networkidle")
                    page.evaluate("""async () => {
                        if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
                        if (window.pcbookMathFitted) { await window.pcbookMathFitted; }
                    }""")
                    stem = Path(name).stem
                    page.screenshot(
                        path=str(args.out / f"{stem}-{view}-{mode}.png"),
                        full_page=args.full_page,
                    )
                    count += 1
                context.close()
        browser.close()
    httpd.shutdown()
    print(
        f"wrote {count} screenshots to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
