"""Copy the subset of npm's mathjax@3 the website needs into _vendor/mathjax (about 2 MB).

Run by ``make vendor`` after ``npm ci``. The site then loads MathJax from itself
(``mathjax_path: mathjax/tex-chtml.js`` in _config.yml) and never from a CDN.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "node_modules" / "mathjax" / "es5"
TARGET = ROOT / "_vendor" / "mathjax"
PARTS = ["tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions", "a11y", "ui"]


def main() -> int:
    if not (SOURCE / "tex-chtml.js").exists():
        print(f"error: {SOURCE} is missing; run `npm ci` first", file=sys.stderr)
        return 1
    if TARGET.exists():
        shutil.rmtree(TARGET)
    for part in PARTS:
        src, dst = SOURCE / part, TARGET / part
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)
    size = sum(f.stat().st_size for f in TARGET.rglob("*") if f.is_file())
    print(f"vendored MathJax into {TARGET.relative_to(ROOT)} ({size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
