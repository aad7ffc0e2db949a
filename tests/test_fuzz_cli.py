"""Fuzz of the command line: bad ``--set`` / ``--seed`` / sweep options, always valid JSON.

Every case runs ``python -m pcbook ...`` in this process (``pcbook.__main__.main``) under the
time limit and memory cap of tests/fuzz_support.py, and asserts: one RFC 8259 JSON object on
stdout, exit status 0 or 2, no traceback, and for an error a message naming the option as it
was typed (``--set epochs``, ``--seed``). A few cases run in a real subprocess too.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import fuzz_support as fs

CASES = fs.cli_cases()


def _run(argv, capsys):
    from pcbook.__main__ import main

    try:
        with fs.scratch_dir(), fs.bounded():
            try:
                code = main(argv)
            except SystemExit as exit_:  # argparse's usage errors
                code = exit_.code
    except fs.Hang:
        pytest.fail(f"{argv}: no answer within {fs.TIME_LIMIT} s")
    out, err = capsys.readouterr()
    return code, out, err


def _assert_contract(argv, option, code, out, err):
    assert "Traceback" not in err, f"{argv}: traceback\n{err}"
    assert code in (0, 2), f"{argv}: exit status {code}"
    lines = out.strip().splitlines()
    assert len(lines) == 1, f"{argv}: expected one JSON line, got {out!r}"
    report = fs.strict_json(lines[0])
    assert isinstance(report, dict)
    if "error" in report:
        assert code == 2
        assert (
            fs.names(report["error"], option) or option in report["error"]
        ), f"{argv}: the error does not name {option}: {report['error']}"
    else:
        assert code == 0, f"{argv}: exit {code} without an error"


@pytest.mark.parametrize(
    "argv, option", CASES, ids=[" ".join(a[1:]) for a, _ in CASES]
)
def test_cli_answers_json_naming_the_option(argv, option, capsys):
    code, out, err = _run(argv, capsys)
    _assert_contract(argv, option, code, out, err)


@pytest.mark.parametrize(
    "argv, option",
    [
        (["reproduce", "bogacz-ex1", "--json", "--set", "v_p=-50"], "--set v_p"),
        (["reproduce", "bogacz-ex1", "--json", "--seed", "-1"], "--seed"),
        (["reproduce", "attractor-sim3", "--json", "--set", "steps=1e9"],
         "--set steps"),
    ],
)  # fmt: skip
def test_cli_subprocess_prints_json_and_no_traceback(argv, option):
    """The same contract seen from outside: the real process, its real streams."""
    done = subprocess.run(
        [sys.executable, "-m", "pcbook", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PCBOOK_QUIET": "1", "OPENBLAS_NUM_THREADS": "1", "PATH": ""},
    )
    _assert_contract(argv, option, done.returncode, done.stdout, done.stderr)
