"""Input checks shared by every public function: clear errors that name the argument.

Every public function of pcbook passes its arguments through these checks, so that bad input
raises a ValueError (a value out of range, NaN, a wrong shape) or a TypeError (a wrong type)
whose message names the argument as the caller wrote it, the value received and what is
allowed. ``tests/test_fuzz_api.py`` holds every exported callable to that contract.

Bounded cost: a size far beyond the book's scale is refused with the estimate in the message
(:func:`check_scale`, :func:`check_count`, :func:`check_cost`) unless the caller opts in with
``force=True`` or, for any call inside it, ``with beyond_scale(): ...``. The limits:

- :data:`MAX_STEPS` = 10**6 iterations of one loop (time steps, epochs, items, trials): the
  book's longest loop is about 5 x 10**4 steps (chapter 6, Simulation 2);
- :data:`MAX_ELEMENTS` = 5 x 10**7 numbers in one array (0.4 GB of float64): the book's
  largest array holds about 4 x 10**6 (chapter 7's map snapshots).
"""

from __future__ import annotations

import contextlib
import contextvars
import numbers

import numpy as np

#: iterations of one loop beyond which a call is refused unless forced (see the module docstring)
MAX_STEPS = 10**6
#: numbers in one array beyond which a call is refused unless forced
MAX_ELEMENTS = 5 * 10**7

_FORCED = contextvars.ContextVar("pcbook_beyond_scale", default=False)

__all__ = [
    "MAX_STEPS",
    "MAX_ELEMENTS",
    "beyond_scale",
    "check_bool",
    "check_count",
    "check_cost",
    "check_real",
    "check_positive",
    "check_range",
    "check_int",
    "check_finite",
    "check_finite_array",
    "check_choice",
    "check_instance",
    "check_scale",
    "record",
]


def _label(name) -> str:
    """The argument's name as the caller wrote it (a programming error if it is not text)."""
    if not isinstance(name, str):
        raise TypeError(f"name: expected str, got {type(name).__name__}")
    return name


def check_bool(name: str, value) -> bool:
    """Return ``value`` as bool, or raise a TypeError if it is not True or False."""
    _label(name)
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"{_label(name)}: expected True or False, got {value!r}"
        )
    return bool(value)


@contextlib.contextmanager
def beyond_scale():
    """Within the block, sizes beyond the book's scale are allowed (as with ``force=True``)."""
    token = _FORCED.set(True)
    try:
        yield
    finally:
        _FORCED.reset(token)


def check_real(name: str, value) -> float:
    """Return ``value`` as float, or raise if it is not a finite real number."""
    _label(name)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name}: expected a real number, got {type(value).__name__}"
        )
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, got {value}")
    return value


def check_positive(name: str, value, *, allow_zero: bool = False) -> float:
    """Return ``value`` as float, or raise if it is not a finite number > 0 (>= 0 with ``allow_zero``)."""
    value = check_real(name, value)
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name}: must be {bound}, got {value}")
    return value


def check_range(name: str, value, low: float, high: float) -> float:
    """Return ``value`` as float, or raise if it lies outside the closed interval [low, high]."""
    value = check_real(name, value)
    if not low <= value <= high:
        raise ValueError(f"{name}: must lie in [{low}, {high}], got {value}")
    return value


def check_int(name: str, value, low: int = 0, high: int | None = None) -> int:
    """Return ``value`` as int, or raise if it is not an integer in [low, high]."""
    _label(name)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name}: expected an integer, got {type(value).__name__}"
        )
    value = int(value)
    if value < low or (high is not None and value > high):
        allowed = f"in [{low}, {high}]" if high is not None else f">= {low}"
        raise ValueError(f"{name}: must be an integer {allowed}, got {value}")
    return value


def check_finite_array(
    name: str,
    value,
    ndim: int | None = None,
    min_size: int = 1,
    shape: tuple | None = None,
) -> np.ndarray:
    """Return ``value`` as a float array, or raise if it is not an array of finite real numbers.

    Refused, each with a message naming ``name``: text, ``None`` and other non-numeric entries
    (TypeError), complex numbers (TypeError: the imaginary part would be dropped silently),
    ragged nested lists, the wrong number of dimensions, fewer than ``min_size`` entries, NaN or inf,
    and a shape other than ``shape`` (a tuple whose ``None`` entries allow any length; it also
    sets ``ndim``).
    """
    _label(name)
    if value is None or isinstance(value, (str, bytes, bool, np.bool_)):
        raise TypeError(
            f"{name}: expected an array of real numbers, got {type(value).__name__}"
        )
    try:
        arr = np.asarray(value)
    except ValueError:  # numpy refuses ragged nested sequences
        raise ValueError(
            f"{name}: expected a rectangular array of real numbers, got a ragged nested sequence"
        ) from None
    if arr.dtype.kind == "c":
        raise TypeError(f"{name}: expected real numbers, got complex values")
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name}: expected an array of real numbers, got entries of type "
            f"{type(arr.flat[0]).__name__ if arr.size else arr.dtype}"
        )
    arr = arr.astype(float, copy=False)
    if shape is not None:
        ndim = len(shape)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(
            f"{name}: expected a {ndim}-d array, got shape {arr.shape}"
        )
    if shape is not None and any(
        want is not None and got != want for got, want in zip(arr.shape, shape)
    ):
        wanted = ", ".join("any" if n is None else str(n) for n in shape)
        raise ValueError(
            f"{name}: expected shape ({wanted}), got shape {arr.shape}"
        )
    if arr.size < min_size:
        raise ValueError(
            f"{name}: expected at least {min_size} entries, got {arr.size}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    return arr


def check_finite(name: str, value):
    """A finite real number (returned as float) or array of them (returned as a float array)."""
    if isinstance(value, (numbers.Number, str, bytes)) or value is None:
        return check_real(name, value)
    return check_finite_array(name, value, min_size=0)


def check_instance(
    name: str,
    value,
    expected: type | tuple[type, ...],
    what: str | None = None,
):
    """Return ``value``, or raise a TypeError naming ``name`` and the expected type."""
    _label(name)
    if not isinstance(value, expected):
        if what is None:
            types = expected if isinstance(expected, tuple) else (expected,)
            what = " or ".join(t.__name__ for t in types)
        raise TypeError(f"{name}: expected {what}, got {type(value).__name__}")
    return value


def check_scale(
    name: str,
    value: float,
    limit: float,
    *,
    force: bool = False,
    unit: str = "",
) -> float:
    """Refuse a size far beyond the book's scale unless the caller opts in with ``force=True``.

    ``limit`` is the largest value the book's own runs come near (times a generous margin); the
    message gives it, so a caller sees the cost coming instead of waiting for days or running out
    of memory.
    """
    check_real(name, value)
    if value > limit and not (force or _FORCED.get()):
        raise ValueError(
            f"{name}: {value:g}{unit} is far beyond the book's scale (at most {limit:g}{unit}); "
            "pass force=True (--force on the command line, or run inside "
            "pcbook.validate.beyond_scale()) to run it anyway"
        )
    return value


def check_count(name: str, value, low: int = 0, limit: int = MAX_STEPS) -> int:
    """Return ``value`` as int, or raise if it is not an integer >= ``low`` and within ``limit``.

    ``limit`` is the book's scale (:data:`MAX_STEPS` by default); beyond it the call is refused
    unless forced (:func:`beyond_scale`).
    """
    value = check_int(name, value, low)
    check_scale(name, value, limit)
    return value


def check_cost(name: str, estimate: float, limit: float, what: str) -> float:
    """Refuse a call whose estimated cost (``what``: "time steps", "grid points") exceeds
    ``limit`` unless forced; the message names ``name``, the argument that sets the cost."""
    _label(name)
    if isinstance(estimate, bool) or not isinstance(estimate, numbers.Real):
        raise TypeError(
            f"{name}: the estimated cost must be a number, got "
            f"{type(estimate).__name__}"
        )
    if not (np.isfinite(estimate) and estimate <= limit) and not _FORCED.get():
        raise ValueError(
            f"{_label(name)}: the call would need about {estimate:.3g} {what}, far "
            f"beyond the book's scale (at most {limit:.3g}); run it inside "
            "pcbook.validate.beyond_scale() (--force) to run it anyway"
        )
    return estimate


def check_choice(name: str, value, choices) -> object:
    """Return ``value`` or raise if it is not one of ``choices``."""
    _label(name)
    if (
        isinstance(value, (list, dict, set, np.ndarray))
        or value not in choices
    ):
        raise ValueError(
            f"{name}: must be one of {sorted(map(str, choices))}, got {value!r}"
        )
    return value


# ---------------------------------------------------------------- output records
def _classes(hint) -> tuple[tuple[type, ...], bool] | None:
    """The classes a type hint admits and whether a bool is one of them; None for
    any value (``typing.Any``, a TypeVar, a Callable). Containers by their outer
    type: ``list[ndarray]`` admits a list, ``NDArray[float64]`` an ndarray."""
    import types
    import typing

    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        arms = [_classes(arm) for arm in typing.get_args(hint)]
        if any(arm is None for arm in arms):
            return None
        return sum((a[0] for a in arms), ()), any(a[1] for a in arms)
    hint = typing.get_origin(hint) or hint
    if hint is bool:
        return (bool, np.bool_), True
    numeric = {int: numbers.Integral, float: numbers.Real}
    if hint in numeric:
        return (numeric[hint],), False
    return ((hint,), False) if isinstance(hint, type) else None


def _describe(hint) -> str:
    """A type hint in words: ``ndarray or None``."""
    import types
    import typing

    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return " or ".join(_describe(arm) for arm in typing.get_args(hint))
    hint = typing.get_origin(hint) or hint
    return "None" if hint is type(None) else getattr(hint, "__name__", str(hint))


def record(cls):
    """Class decorator for an output record: a dataclass of results that the library
    fills (a trajectory, a history, a fit). Put it above ``@dataclass``.

    Its constructor checks each field against the field's annotation and raises a
    TypeError naming the field (``mean: expected float, got str``). Only types are
    checked, not values: a record holds what a computation gave, NaN for a run that
    diverged included (such a record says so in its own fields). A bool is not taken
    for a number.
    """
    import dataclasses
    import functools
    import typing

    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"record: expected a dataclass, got {cls!r}")
    checks: list = []  # (field, classes, bool admitted, in words), compiled on first use
    compiled: list = []
    init = cls.__init__

    def compile_checks():
        hints = typing.get_type_hints(cls)
        for field in dataclasses.fields(cls):
            admits = _classes(hints.get(field.name, typing.Any))
            if admits is not None:
                checks.append((field.name, *admits, _describe(hints[field.name])))

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        if not compiled:
            compile_checks()
            compiled.append(True)
        for name, classes, bools, what in checks:
            value = getattr(self, name)
            flag = isinstance(value, (bool, np.bool_))
            if not isinstance(value, classes) or (flag and not bools):
                raise TypeError(
                    f"{name}: expected {what}, got {type(value).__name__} "
                    f"({cls.__name__})"
                )

    cls.__init__ = __init__
    return cls
