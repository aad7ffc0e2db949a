"""Shared numerical primitives: activations with their derivatives, Adam, safe logs.

Nothing chapter-specific lives here; the NGC (chapter 4) and active NGC (chapter 5)
circuits both build on these pieces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pcbook.validate import (
    check_finite_array,
    check_instance,
    check_positive,
    check_range,
)

__all__ = [
    "sigmoid",
    "relu",
    "identity",
    "activation",
    "ACTIVATIONS",
    "Adam",
    "log_clip",
    "bce",
    "one_blas_thread",
]


def _sigmoid(x):
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    ex = np.exp(x[~pos])
    out[~pos] = ex / (1.0 + ex)
    return out


def _relu(x):
    return np.maximum(x, 0.0)


def _identity(x):
    return np.asarray(x, dtype=float)


def _real(x) -> np.ndarray:
    """``x`` as a float array of any shape (scalars too), refusing text, complex and NaN."""
    return check_finite_array("x", x, min_size=0)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function 1 / (1 + exp(-x)), computed without overflow."""
    return _sigmoid(_real(x))


def relu(x: np.ndarray) -> np.ndarray:
    """max(x, 0)."""
    return _relu(_real(x))


def identity(x: np.ndarray) -> np.ndarray:
    """x itself (a linear unit)."""
    return _identity(_real(x))


def _d_sigmoid(x):
    s = _sigmoid(x)
    return s * (1.0 - s)


def _d_tanh(x):
    return 1.0 - np.tanh(x) ** 2


ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "identity": (
        _identity,
        lambda x: np.ones_like(np.asarray(x, dtype=float)),
    ),
    "relu": (_relu, lambda x: (np.asarray(x) > 0).astype(float)),
    "tanh": (np.tanh, _d_tanh),
    "sigmoid": (_sigmoid, _d_sigmoid),
}


def activation(name: str) -> tuple[Callable, Callable]:
    """The pair (f, f') for activation ``name`` (one of ``ACTIVATIONS``)."""
    return ACTIVATIONS[check_activation("name", name)]


def check_activation(label: str, name) -> str:
    """``name`` if it names an activation, else a ValueError naming ``label``."""
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(
            f"{label}: the activation must be one of {sorted(ACTIVATIONS)}, "
            f"got {name!r}"
        )
    return name


def log_clip(p: np.ndarray, eps: float = 1e-7) -> np.ndarray:
    """log(p) with p clipped to [eps, 1] so that log(0) never appears."""
    p = check_finite_array("p", p, min_size=0)
    eps = check_range("eps", eps, 1e-300, 1.0)
    return np.log(np.clip(p, eps, 1.0))


def bce(x: np.ndarray, p: np.ndarray, eps: float = 1e-7) -> np.ndarray:
    """Binary cross-entropy in nats summed over the last axis, -sum x log p + (1 - x) log(1 - p).

    ``p`` is clipped to [eps, 1 - eps]; ``eps`` must lie in (0, 0.5) so that the bounds are in
    order (a larger ``eps`` would invert them and return a wrong value).
    """
    x = check_finite_array("x", x, min_size=0)
    p = check_finite_array("p", p, min_size=0)
    try:
        np.broadcast_shapes(x.shape, p.shape)
    except ValueError:
        raise ValueError(
            f"p: shape {p.shape} does not match x's {x.shape}"
        ) from None
    eps = check_positive("eps", eps)
    if not eps < 0.5:
        raise ValueError(
            f"eps: must be < 0.5 (p is clipped to [eps, 1 - eps]), got {eps}"
        )
    return _bce(x, p, eps)


def _bce(x, p, eps):
    p = np.clip(p, eps, 1.0 - eps)
    return -np.sum(x * np.log(p) + (1.0 - x) * np.log(1.0 - p), axis=-1)


@dataclass
class Adam:
    """Adam (Kingma & Ba 2015) applied to a list of arrays, in place.

    ``step(params, deltas)`` *adds* the Adam-scaled deltas (ascent on the direction
    given); pass negative gradients to descend. ``deltas`` need not be gradients of any
    function: NGC feeds it local Hebbian updates.
    """

    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    def __post_init__(self):
        check_positive("lr", self.lr)
        # a decay rate of 1 never forgets and divides by 1 - beta**t = 0
        for name in ("beta1", "beta2"):
            if not check_range(name, getattr(self, name), 0.0, 1.0) < 1.0:
                raise ValueError(f"{name}: must be < 1, got 1.0")
        check_positive("eps", self.eps)
        self._m: list[np.ndarray] | None = None
        self._v: list[np.ndarray] | None = None
        self._t = 0

    def step(self, params: list[np.ndarray], deltas: list[np.ndarray]) -> None:
        """Move every ``params[i]`` by the Adam-normalised ``deltas[i]``."""
        for name, arrays in (("params", params), ("deltas", deltas)):
            check_instance(name, arrays, (list, tuple), "a list of arrays")
        if len(params) != len(deltas):
            raise ValueError("deltas: need one delta per parameter array")
        if self._m is None:
            self._m = [np.zeros_like(p) for p in params]
            self._v = [np.zeros_like(p) for p in params]
        self._t += 1
        c1 = 1.0 - self.beta1**self._t
        c2 = 1.0 - self.beta2**self._t
        for p, d, m, v in zip(params, deltas, self._m, self._v):
            m *= self.beta1
            m += (1.0 - self.beta1) * d
            v *= self.beta2
            v += (1.0 - self.beta2) * d * d
            p += self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


def one_blas_thread():
    """Context manager that runs BLAS on one thread and restores the previous setting on exit.

    The book's matrices are small (at most a few hundred rows): a second BLAS thread saves
    nothing, and its busy-waiting slowed NGC and SOM training several times over when the two
    cores were shared with other work. Uses threadpoolctl (a dependency of scikit-learn).
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")
