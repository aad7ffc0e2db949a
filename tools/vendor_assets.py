"""Copy the front-end files the website serves itself from npm's packages into _vendor (about 4 MB).

Run by ``make vendor`` after ``npm ci``:

* ``_vendor/mathjax``: MathJax 4's loader (``startup.js``) and the components a page needs (core,
  TeX input with the extensions loaded on demand, HTML output, the hidden MathML copy for screen
  readers: 0.6 MB where the all-in-one ``tex-chtml.js`` is 1 MB), and its default font (``@mathjax/mathjax-newcm-font``)
  under ``_vendor/mathjax/fonts`` -- MathJax 4 because it breaks long display equations at the
  width of the text column, which MathJax 3 cannot. The site loads MathJax from itself
  (``mathjax_path`` and ``mathjax3_config.loader.paths.fonts`` in _config.yml), never from a CDN.
* ``_vendor/axe/axe.min.js``: axe-core, the accessibility checker that the browser tests
  (tests/site) inject into each page. No page of the book loads it.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE = ROOT / "node_modules"
TARGET = ROOT / "_vendor"
#: (source under node_modules, target under _vendor); a directory is copied whole
PARTS = [
    ("mathjax/startup.js", "mathjax/startup.js"),
    ("mathjax/core.js", "mathjax/core.js"),
    ("mathjax/input/tex-base.js", "mathjax/input/tex-base.js"),
    ("mathjax/output/chtml.js", "mathjax/output/chtml.js"),
    ("mathjax/input/tex/extensions", "mathjax/input/tex/extensions"),
    ("mathjax/a11y", "mathjax/a11y"),
    ("mathjax/ui", "mathjax/ui"),
    ("mathjax/LICENSE", "mathjax/LICENSE"),
    (
        "@mathjax/mathjax-newcm-font/chtml.js",
        "mathjax/fonts/mathjax-newcm-font/chtml.js",
    ),
    (
        "@mathjax/mathjax-newcm-font/chtml",
        "mathjax/fonts/mathjax-newcm-font/chtml",
    ),
    (
        "@mathjax/mathjax-newcm-font/LICENSE",
        "mathjax/fonts/mathjax-newcm-font/LICENSE",
    ),
    ("axe-core/axe.min.js", "axe/axe.min.js"),
    ("axe-core/LICENSE", "axe/LICENSE"),
]


def main() -> int:
    missing = [
        src
        for src, _ in PARTS
        if not (NODE / src).exists() and not src.endswith("LICENSE")
    ]
    if missing:
        print(
            f"error: {', '.join(missing)} missing under {NODE}; run `npm ci` first",
            file=sys.stderr,
        )
        return 1
    for sub in ("mathjax", "axe"):
        if (TARGET / sub).exists():
            shutil.rmtree(TARGET / sub)
    for src, dst in PARTS:
        src, dst = NODE / src, TARGET / dst
        if not src.exists():
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)
    size = sum(f.stat().st_size for f in TARGET.rglob("*") if f.is_file())
    print(
        f"vendored MathJax and axe-core into {TARGET.relative_to(ROOT)} ({size / 1e6:.1f} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
