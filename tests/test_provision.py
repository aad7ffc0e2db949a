"""The Makefile's provisioning: a missing browser stops `make test` at once with the install
command, and the OpenBLAS kernel pin is only set where the processor can run it."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HIDDEN = ("chromium", "chromium-browser", "google-chrome")


def _path_without_browser(tmp_path: Path) -> str:
    """A PATH with every program of the current PATH except the browsers (symlinked into one folder)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for folder in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(folder):
            continue
        for entry in os.scandir(folder):
            target = bin_dir / entry.name
            if (
                entry.name.startswith(HIDDEN)
                or target.exists()
                or not os.access(entry.path, os.X_OK)
            ):
                continue
            target.symlink_to(entry.path)
    return str(bin_dir)


def test_make_test_stops_within_seconds_when_the_browser_is_missing(tmp_path):
    env = dict(
        os.environ,
        PATH=_path_without_browser(tmp_path),
        PCBOOK_PROVISION="check",
    )
    env.pop("MAKEFLAGS", None)
    start = time.perf_counter()
    proc = subprocess.run(
        ["make", "-C", str(ROOT), "test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    seconds = time.perf_counter() - start
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert seconds < 30, f"make test took {seconds:.0f} s before stopping"
    assert "apt-get install -y --no-install-recommends chromium" in output, (
        output
    )
    assert "pytest" not in output and "passed" not in output, (
        "tests ran before the browser check"
    )


def test_the_browser_check_passes_when_chromium_is_there():
    proc = subprocess.run(
        [str(ROOT / "tools" / "provision.sh"), "browser"],
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
