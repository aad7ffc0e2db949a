"""Random number generators, following Scientific Python SPEC 7.

Every stochastic function in pcbook takes ``rng=`` and starts with
``rng = as_rng(rng)``. Nothing in the package touches NumPy's global state.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["as_rng", "check_rng", "spawn"]

#: independent streams beyond which spawn is far beyond the book's scale (it uses at most 20)
MAX_STREAMS = 10**5


def as_rng(
    rng: np.random.Generator | int | None = None,
) -> np.random.Generator:
    """Normalise ``rng`` to a :class:`numpy.random.Generator`.

    Parameters
    ----------
    rng : None, int or numpy.random.Generator
        ``None`` gives fresh OS entropy, an integer seeds a new generator, and a
        Generator is returned unchanged (so a caller's stream is shared, not copied).

    Returns
    -------
    numpy.random.Generator

    Raises
    ------
    TypeError
        If ``rng`` is of any other type (for example the legacy ``RandomState``).
    ValueError
        If ``rng`` is a negative integer.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"rng: an integer seed must be >= 0, got {rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(
        "rng: expected None, a non-negative int or a numpy.random.Generator, "
        f"got {type(rng).__name__}"
    )


def check_rng(rng):
    """Return ``rng`` unchanged, or raise as :func:`as_rng` would (for objects that store the
    caller's ``rng`` and turn it into a Generator later: nothing is drawn here)."""
    if rng is not None and not isinstance(rng, np.random.Generator):
        as_rng(rng)
    return rng


def spawn(
    rng: np.random.Generator | int | None, n: int
) -> list[np.random.Generator]:
    """Return ``n`` statistically independent child generators of ``rng``.

    Use this for independent streams (agent vs environment, repeated runs)
    instead of ``seed + i``.
    """
    from pcbook.validate import check_count

    return as_rng(rng).spawn(check_count("n", n, 1, MAX_STREAMS))
