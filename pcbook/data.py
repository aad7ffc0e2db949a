"""Data sets: scikit-learn's bundled 8x8 digits and small synthetic generators.

Nothing is ever downloaded: the digits ship inside scikit-learn's wheel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pcbook.rng import as_rng
from pcbook.validate import check_range, record

__all__ = ["Digits", "load_digits", "train_test_split_digits"]


@record
@dataclass(frozen=True)
class Digits:
    """Images as rows of pixel intensities in [0, 1] (shape ``(n, 64)``) and their labels."""

    X: np.ndarray
    y: np.ndarray

    @property
    def images(self) -> np.ndarray:
        """The same images as an ``(n, 8, 8)`` array."""
        return self.X.reshape(-1, 8, 8)


def load_digits() -> Digits:
    """All 1797 of scikit-learn's 8x8 handwritten digits, scaled from 0..16 to [0, 1]."""
    from sklearn.datasets import load_digits as _sk_load_digits

    bunch = _sk_load_digits()
    return Digits(
        X=bunch.data.astype(float) / 16.0, y=bunch.target.astype(int)
    )


def train_test_split_digits(
    test_fraction: float = 0.25, rng=None
) -> tuple[Digits, Digits]:
    """A seeded random split of :func:`load_digits` into train and test sets.

    Parameters
    ----------
    test_fraction : float in (0, 1)
        Share of the images held out for testing.
    rng : None, int or numpy.random.Generator
        Seed or generator for the permutation.
    """
    check_range("test_fraction", test_fraction, 1e-9, 1 - 1e-9)
    data = load_digits()
    order = as_rng(rng).permutation(len(data.y))
    n_test = int(round(test_fraction * len(order)))
    test, train = order[:n_test], order[n_test:]
    return Digits(data.X[train], data.y[train]), Digits(
        data.X[test], data.y[test]
    )
