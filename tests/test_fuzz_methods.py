"""Fuzz of public methods: each method of fuzz_support.METHODS, each parameter given bad values
one at a time, under the contract of tests/test_fuzz_api.py (a ValueError or TypeError naming
the parameter, or a finite result; no hang; bounded memory)."""

from __future__ import annotations

import pytest

import fuzz_support as fs


@pytest.mark.parametrize("qualname", sorted(fs.METHODS))
def test_contract(qualname):
    rows = fs.fuzz_method(qualname)
    failed = [
        f"{p}={label}: {out}" for p, label, out in rows if out != "clean"
    ]
    assert rows, f"{qualname}: no parameter was fuzzed"
    assert not failed, f"{qualname}: " + "; ".join(failed)


@pytest.mark.parametrize("prefix", fs.METHOD_MODULES)
def test_every_public_method_of_these_modules_is_fuzzed(prefix):
    missing = [
        q
        for q in fs.public_methods()
        if q.startswith(prefix)
        and q not in fs.METHODS
        and q not in fs.METHODS_SKIPPED
    ]
    assert not missing, f"add to fuzz_support.METHODS: {missing}"


def test_registered_methods_exist():
    """A renamed or removed method does not linger in METHODS or METHODS_SKIPPED."""
    registered = set(fs.METHODS) | set(fs.METHODS_SKIPPED)
    stale = sorted(registered - set(fs.public_methods()))
    assert not stale, f"not public methods: {stale}"
