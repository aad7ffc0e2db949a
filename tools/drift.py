"""Report what newer dependencies change: `make test-latest` runs this in `.venv-latest`.

Usage: python tools/drift.py [--out FILE] [NOTEBOOK ...]   (default: every notebook in _toc.yml)

1. Versions: every package whose installed version differs from requirements-lock.txt.
2. Unit tests: pytest on the package (not the browser checks); the failing tests, by name.
3. Notebooks: each one executed in a fresh kernel of this environment, every text output compared
   with the stored one after the same sanitising nbval applies (tests/nbval_sanitize.cfg), and
   each difference shown as old and new lines side by side.

Drift is a finding, not a crash: the script exits 0 when it ran to the end, whatever it found,
and writes the report to ``--out`` (default build/drift-report.md) as well as printing it.
It is the step before refreshing the lock (`make lock`): read what moved, decide whether the new
digits are right, re-store the notebooks with `make notebooks`, then lock.
"""

from __future__ import annotations

import argparse
import configparser
import os
import difflib
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.book_files import toc_notebooks  # noqa: E402

LOCK = ROOT / "requirements-lock.txt"


def locked_versions(lock: Path = LOCK) -> dict[str, str]:
    """``{normalised name: version}`` of every ``name==version`` line of the lock file."""
    pins = {}
    for line in lock.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)", line)
        if match:
            pins[_normal(match[1])] = match[2]
    return pins


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def version_drift() -> list[tuple[str, str, str]]:
    """``(package, locked, installed)`` for every locked package whose installed version differs."""
    installed = {
        _normal(d.metadata["Name"]): d.version
        for d in metadata.distributions()
    }
    return [
        (name, old, installed.get(name, "not installed"))
        for name, old in sorted(locked_versions().items())
        if installed.get(name) != old
    ]


def sanitisers(
    cfg: Path = ROOT / "tests" / "nbval_sanitize.cfg",
) -> list[tuple[re.Pattern, str]]:
    """The (pattern, replacement) pairs nbval applies before comparing outputs."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(cfg)
    return [
        (re.compile(parser[s]["regex"]), parser[s]["replace"])
        for s in parser.sections()
    ]


def _text_outputs(cell, rules) -> list[str]:
    lines = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            text = out.get("text", "")
        elif out.get("output_type") in ("execute_result", "display_data"):
            text = out.get("data", {}).get("text/plain", "")
        elif out.get("output_type") == "error":
            text = f"{out.get('ename')}: {out.get('evalue')}"
        else:
            continue
        text = "".join(text) if isinstance(text, list) else text
        for pattern, replacement in rules:
            text = pattern.sub(replacement, text)
        lines += text.splitlines()
    return lines


def notebook_drift(path: Path, timeout: int = 900) -> list[str]:
    """Lines of the report for one notebook: each changed cell's old and new text side by side."""
    stored = nbformat.read(path, as_version=4)
    fresh = nbformat.read(path, as_version=4)
    try:
        NotebookClient(
            fresh,
            kernel_name="python3",
            timeout=timeout,
            allow_errors=True,
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    except (
        CellExecutionError,
        RuntimeError,
        TimeoutError,
    ) as err:  # the kernel died or hung
        return [
            f"- the notebook did not run to the end: {str(err).splitlines()[0]}"
        ]
    rules, report = sanitisers(), []
    for k, (old, new) in enumerate(zip(stored.cells, fresh.cells)):
        if old.cell_type != "code":
            continue
        before, after = _text_outputs(old, rules), _text_outputs(new, rules)
        if before == after:
            continue
        report.append(
            f"- cell {k} (execution count {old.get('execution_count')}):"
        )
        report.append("  | stored | now |\n  |---|---|")
        matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            olds, news = before[i1:i2], after[j1:j2]
            for a, b in zip(
                olds + [""] * (len(news) - len(olds)),
                news + [""] * (len(olds) - len(news)),
            ):
                report.append(f"  | `{a}` | `{b}` |")
    return report


def unit_test_failures() -> tuple[int, list[str]]:
    """Run the unit tests in this environment; return pytest's exit code and the failing test ids."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests",
            "--ignore=tests/site",
            "-p",
            "no:cacheprovider",
            "-q",
            "-rf",
            "-n",
            "2",
            "--dist",
            "loadscope",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},  # tests draw off-screen
    )
    failed = [
        line.split(" ", 1)[1].split(" - ")[0]
        for line in proc.stdout.splitlines()
        if line.startswith("FAILED ")
    ]
    return proc.returncode, failed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "build" / "drift-report.md"
    )
    parser.add_argument(
        "--skip-unit", action="store_true", help="do not run the unit tests"
    )
    args = parser.parse_args(argv)
    report = [
        "# Drift against requirements-lock.txt",
        "",
        "## Versions that differ from the lock",
        "",
    ]
    moved = version_drift()
    report += [f"- {name}: {old} -> {new}" for name, old, new in moved] or [
        "- none"
    ]
    if not args.skip_unit:
        code, failed = unit_test_failures()
        report += ["", f"## Unit tests (pytest exit code {code})", ""]
        report += [f"- FAILED {name}" for name in failed] or [
            "- all passed" if code == 0 else "- see pytest"
        ]
    report += ["", "## Notebook outputs that changed", ""]
    changed = 0
    for path in [p.resolve() for p in args.notebooks] or toc_notebooks():
        lines = notebook_drift(path)
        print(
            f"{path.name}: {'drifted' if lines else 'same outputs'}",
            flush=True,
        )
        if lines:
            changed += 1
            report += [f"### {path.name}", "", *lines, ""]
    if not changed:
        report.append("- every stored text output is reproduced")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(report) + "\n")
    print("\n".join(report))
    print(f"\n(report written to {args.out})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
