"""Output records (issue 16): the dataclasses the library fills with results check their
fields' types (``pcbook.validate.record``).

A record holds what a computation gave, so its values are not refused (NaN marks a diverged
run); a field of the wrong type is a TypeError naming the field. Every record of
``fuzz_support.RECORDS`` is built once from a real computation (``fuzz_support.instance``),
rebuilt from its own fields, then rebuilt with each field in turn replaced by an object of no
admitted type.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
from dataclasses import dataclass

import numpy as np
import pytest
from numpy.typing import NDArray

import fuzz_support as fs
from pcbook.validate import record

#: registry entries, not results: reproduce.Experiment is validated where it is registered
NOT_RESULTS = {"pcbook.reproduce.Experiment"}


def _record_class(qualname: str):
    module, _, name = qualname.rpartition(".")
    return getattr(importlib.import_module(module), name)


class _Alien:
    """A value of no type any record admits."""


@pytest.mark.parametrize("qualname", sorted(fs.RECORDS - NOT_RESULTS))
def test_a_record_refuses_a_field_of_the_wrong_type_by_name(qualname):
    cls = _record_class(qualname)
    example = fs.instance(cls.__name__)
    dataclasses.replace(example)  # rebuilt from its own fields
    for field in dataclasses.fields(cls):
        if not field.init:
            continue
        with pytest.raises(TypeError, match=rf"^{field.name}: expected "):
            dataclasses.replace(example, **{field.name: _Alien()})


@record
@dataclass(frozen=True)
class _Example:
    mean: float
    values: NDArray[np.float64] | None = None
    diverged: bool = False
    steps: int = 0
    layers: list[np.ndarray] | None = None


def test_record_checks_the_outer_type_and_keeps_bools_apart_from_numbers():
    _Example(np.float64(1.5), np.zeros(2), np.bool_(True), np.int64(3), [])
    _Example(float("nan"))  # a diverged value is a value
    for fields, message in [
        ({"mean": "1"}, "mean: expected float, got str (_Example)"),
        ({"mean": True}, "mean: expected float, got bool"),
        ({"mean": 1.0, "values": [1.0]}, "values: expected ndarray or None, got list"),
        ({"mean": 1.0, "diverged": 1}, "diverged: expected bool, got int"),
        ({"mean": 1.0, "steps": 2.0}, "steps: expected int, got float"),
        ({"mean": 1.0, "layers": (1,)}, "layers: expected list or None, got tuple"),
    ]:
        with pytest.raises(TypeError, match="^" + re.escape(message)):
            _Example(**fields)


def test_record_is_for_dataclasses():
    with pytest.raises(TypeError, match="record: expected a dataclass"):
        record(int)
