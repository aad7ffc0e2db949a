"""The Makefile's provisioning: a missing browser stops `make test` at once with the install
command, a missing TeX stops `make pdf` the same way, and the OpenBLAS kernel pin is only set
where the processor can run it."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HIDDEN = ("chromium", "chromium-browser", "google-chrome")
TEX_PACKAGES = "texlive-xetex texlive-latex-recommended texlive-latex-extra"


def _path_without_browser(tmp_path: Path, hidden=HIDDEN) -> str:
    """A PATH with every program of the current PATH except those whose names start with one of
    ``hidden`` (the browsers by default), symlinked into one folder."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for folder in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(folder):
            continue
        for entry in os.scandir(folder):
            target = bin_dir / entry.name
            if (
                entry.name.startswith(hidden)
                or target.exists()
                or not os.access(entry.path, os.X_OK)
            ):
                continue
            target.symlink_to(entry.path)
    return str(bin_dir)


def _make_without(tmp_path, target: str, hidden) -> tuple[str, float, int]:
    """Run ``make target`` with the programs ``hidden`` off PATH and provisioning in check
    mode: (output, seconds, exit status)."""
    env = dict(
        os.environ,
        PATH=_path_without_browser(tmp_path, hidden),
        PCBOOK_PROVISION="check",
    )
    env.pop("MAKEFLAGS", None)
    start = time.perf_counter()
    proc = subprocess.run(
        ["make", "-C", str(ROOT), target],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return (
        proc.stdout + proc.stderr,
        time.perf_counter() - start,
        proc.returncode,
    )


def test_make_test_stops_within_seconds_when_the_browser_is_missing(tmp_path):
    output, seconds, status = _make_without(tmp_path, "test", HIDDEN)
    assert status != 0, output
    assert seconds < 30, f"make test took {seconds:.0f} s before stopping"
    assert "apt-get install -y --no-install-recommends chromium" in output, (
        output
    )
    assert "pytest" not in output and "passed" not in output, (
        "tests ran before the browser check"
    )


@pytest.mark.parametrize("need", ["browser", "tex"])
def test_the_check_passes_when_the_tools_are_there(need):
    """Chromium, and TeX Live with poppler-utils, are installed here (as in CI)."""
    proc = subprocess.run(
        [str(ROOT / "tools" / "provision.sh"), need],
        capture_output=True,
        text=True,
        env=dict(os.environ, PCBOOK_PROVISION="check"),
    )
    assert proc.returncode == 0, proc.stderr


def test_unknown_provisioning_need_is_refused():
    proc = subprocess.run(
        [str(ROOT / "tools" / "provision.sh"), "printer"],
        capture_output=True,
        text=True,
    )
    assert (
        proc.returncode == 2 and "allowed: browser, npm, venv" in proc.stderr
    )


def test_make_pdf_stops_within_seconds_when_tex_is_missing(tmp_path):
    output, seconds, status = _make_without(tmp_path, "pdf", ("xelatex",))
    assert status != 0, output
    assert seconds < 30, f"make pdf took {seconds:.0f} s before stopping"
    assert f"apt-get install -y --no-install-recommends {TEX_PACKAGES}" in (
        output
    ), output
    assert "poppler-utils" in output, output
    assert "jupyter-book" not in output, "the book was built before the check"


def test_the_tex_check_fails_without_a_latex_package(tmp_path):
    """Programs alone are not enough: a TeX without ucharclasses.sty (texlive-xetex) fails."""
    kpsewhich = tmp_path / "bin" / "kpsewhich"
    path = _path_without_browser(tmp_path, ("kpsewhich",))
    kpsewhich.write_text(
        '#!/bin/sh\n[ "$1" = ucharclasses.sty ] && exit 1\n'
        f'exec {shutil.which("kpsewhich")} "$@"\n'
    )
    kpsewhich.chmod(0o755)
    proc = subprocess.run(
        [str(ROOT / "tools" / "provision.sh"), "tex"],
        capture_output=True,
        text=True,
        env=dict(os.environ, PATH=path, PCBOOK_PROVISION="check"),
    )
    assert proc.returncode == 1, proc.stderr
    assert TEX_PACKAGES in proc.stderr, proc.stderr


def _kernel_pin(
    tmp_path, arch: str, flags: str
) -> subprocess.CompletedProcess:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {flags}\n")
    env = dict(os.environ, PCBOOK_ARCH=arch, PCBOOK_CPUINFO=str(cpuinfo))
    return subprocess.run(
        [str(ROOT / "tools" / "blas_kernel.sh")],
        capture_output=True,
        text=True,
        env=env,
    )


def test_haswell_pin_only_with_avx2_and_fma(tmp_path):
    assert (
        _kernel_pin(tmp_path, "x86_64", "fpu sse2 avx avx2 fma").stdout.strip()
        == "OPENBLAS_CORETYPE=Haswell"
    )
    for arch, flags in [
        ("x86_64", "fpu sse2 avx"),
        ("x86_64", "fpu avx2"),
        ("aarch64", "fp asimd"),
    ]:
        proc = _kernel_pin(tmp_path, arch, flags)
        assert proc.returncode == 0
        assert proc.stdout.strip() == "", (
            f"{arch} {flags}: pinned {proc.stdout!r} without AVX2/FMA"
        )
        assert "book/som.ipynb" in proc.stderr, (
            "the note must say which stored digits may differ"
        )
