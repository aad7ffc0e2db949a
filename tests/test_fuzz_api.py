"""Fuzz of the public API: every exported callable, each parameter given bad values one at a time.

The contract (issue 16, tests/fuzz_support.py): a refused value raises a ValueError or TypeError
naming the parameter; an extreme value raises such an error or gives a finite result; no call
hangs (more than fuzz_support.TIME_LIMIT) or runs out of its memory cap.
"""

from __future__ import annotations

import pytest

import fuzz_support as fs

API = fs.public_callables()


def _marks(qualname: str):
    if qualname in fs.SKIP_CALLABLES:
        return [pytest.mark.skip(reason=fs.SKIP_CALLABLES[qualname])]
    if qualname in fs.RECORDS:
        return [
            pytest.mark.skip(reason="output record: tests/test_fuzz_records.py")
        ]
    return []


def _params(names):
    return [pytest.param(q, id=q, marks=_marks(q)) for q in names]


def _check(qualname: str):
    rows = fs.fuzz_callable(qualname, API[qualname])
    failed = [
        f"{p}={label}: {out}" for p, label, out in rows if out != "clean"
    ]
    assert not failed, f"{qualname}: " + "; ".join(failed)


COMPUTE = sorted(q for q in API if not q.startswith(("pcbook.plot",)))
PLOTS = sorted(q for q in API if q.startswith(("pcbook.plot",)))


class TestComputeA:
    """Compute modules, first half (xdist --dist loadscope runs a class on one worker)."""

    @pytest.mark.parametrize("qualname", _params(COMPUTE[::2]))
    def test_contract(self, qualname):
        _check(qualname)


class TestComputeB:
    """Compute modules, second half (a second xdist group)."""

    @pytest.mark.parametrize("qualname", _params(COMPUTE[1::2]))
    def test_contract(self, qualname):
        _check(qualname)


class TestPlots:
    """Plotting modules (a second xdist group)."""

    @pytest.mark.parametrize("qualname", _params(PLOTS))
    def test_contract(self, qualname):
        _check(qualname)


@pytest.mark.parametrize("module", [m.__name__ for m in fs.public_modules()])
def test_module_declares_all(module):
    """Every public module says what it exports; helpers it imports are not public names."""
    import importlib

    mod = importlib.import_module(module)
    assert hasattr(mod, "__all__"), f"{module} has no __all__"
    missing = [n for n in mod.__all__ if not hasattr(mod, n)]
    assert not missing, f"{module}.__all__ names what it lacks: {missing}"
