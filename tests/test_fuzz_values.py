"""Property-based fuzz: hypothesis draws any value for one numeric parameter at a time.

Complements tests/test_fuzz_api.py (a fixed list of bad values) with values nobody listed:
every float (NaN, +-inf, subnormals, +-1.8e308), huge and negative integers, text, None. The
contract is the same: a ValueError or TypeError naming the parameter, or a finite result.
Deterministic (derandomize=True, no example database), so CI sees the same cases every run.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzz_support as fs

#: modules whose functions answer in milliseconds (the rest are covered by test_fuzz_api)
FAST = (
    "pcbook.bayes.",
    "pcbook.gaussian_model.",
    "pcbook.posterior.",
    "pcbook.error_units.",
    "pcbook.continuous_bernoulli.",
    "pcbook.maths.",
    "pcbook.efe.",
    "pcbook.som.free_energy.",
)
API = fs.public_callables()
NUMERIC = ("float", "int")


def _numeric_parameters(qualname):
    func = API[qualname]
    base = fs.example_arguments(qualname, func)
    return [
        p.name
        for p in fs.parameters(func)
        if fs.kind_of(p, base[p.name]) in NUMERIC
    ]


CALLABLES = sorted(
    q
    for q in API
    if q.startswith(FAST) and q not in fs.RECORDS and _numeric_parameters(q)
)

ANY_VALUE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from(["abc", "", None, True, 1j]),
)


@pytest.mark.parametrize("qualname", CALLABLES)
@settings(
    derandomize=True,
    database=None,
    max_examples=40,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
def test_any_value_is_refused_by_name_or_gives_a_finite_result(qualname, data):
    func = API[qualname]
    param = data.draw(st.sampled_from(_numeric_parameters(qualname)))
    value = data.draw(ANY_VALUE)
    kwargs = fs.example_arguments(qualname, func) | {param: value}
    out = fs.outcome(func, kwargs, param, refused=False)
    if out == "nan" and qualname in fs.NAN_DOCUMENTED:
        return
    assert out == "clean", f"{qualname}({param}={value!r}): {out}"
