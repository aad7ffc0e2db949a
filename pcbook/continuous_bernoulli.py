"""The continuous Bernoulli distribution on [-1, 1], the unit of the free-energy attractor network.

Notation (chapter 6, Spisak & Friston 2025, appendix):

* ``b``: natural parameter (bias); the density is p(x | b) = b e^{b x} / (2 sinh b) on [-1, 1],
  {eq}`eq-attractor-cb-density`, and the uniform density 1/2 at b = 0;
* ``phi(b) = ln(2 sinh b / b)``: log-partition, {eq}`eq-attractor-cb-logpartition`;
* ``L(b) = coth b - 1/b``: the Langevin function, the mean of the distribution,
  {eq}`eq-attractor-langevin`; its derivative ``L'(b)`` is the variance.

Every function accepts scalars or arrays and is stable for all finite ``b``: small ``|b|`` use
Taylor series, large ``|b|`` never call ``sinh`` or ``exp`` of a large number.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from pcbook.rng import as_rng
from pcbook.validate import check_finite_array

__all__ = [
    "langevin",
    "dlangevin",
    "inverse_langevin",
    "log_partition",
    "density",
    "entropy",
    "kl",
    "sample",
]

_LN2 = float(np.log(2.0))
_SMALL_L = 1e-2  # |b| below this: series for L(b)
_SMALL_DL = 0.1  # |b| below this: series for L'(b)
_SMALL_PHI = 1e-4  # |b| below this: series for phi(b)
_SMALL_SAMPLE = 1e-8  # |b| below this: first-order expansion of the sampler
_TINY = np.finfo(float).tiny


def _langevin(x: NDArray) -> NDArray:
    """L(x) without input checks (the network's inner loop calls this)."""
    small = np.abs(x) < _SMALL_L
    if not small.any():
        return 1.0 / np.tanh(x) - 1.0 / x
    xs = np.where(small, 1.0, x)
    x2 = x * x  # x/3 - x^3/45 + 2x^5/945 - x^7/4725
    series = x * (
        1.0 / 3.0 + x2 * (-1.0 / 45.0 + x2 * (2.0 / 945.0 - x2 / 4725.0))
    )
    return np.where(small, series, 1.0 / np.tanh(xs) - 1.0 / xs)


def _sample(b: NDArray, u: NDArray) -> NDArray:
    """Inverse-CDF draw from CB(b) given uniforms ``u`` in [0, 1), without input checks.

    x = logaddexp(b + ln u, ln(1 - u) - b) / b never forms e^{|b|}. Where |b| < 0.5 that division
    would lose digits, so there, with a = |b| and v = u (b >= 0) or 1 - u (b < 0),
    x = sign(b) (1 + log1p((1 - v) expm1(-2a)) / a); below a = 1e-8 a series.
    """
    shape = np.shape(b)
    b, u = (
        np.ravel(b),
        np.maximum(np.ravel(u), _TINY),
    )  # u = 0 would give log(0)
    small = np.flatnonzero(np.abs(b) < 0.5)
    if small.size:
        b_div = b.copy()
        b_div[small] = 1.0
    else:
        b_div = b
    x = np.logaddexp(b + np.log(u), np.log1p(-u) - b) / b_div
    if small.size:
        x[small] = _sample_small(b[small], u[small])
    return np.maximum(np.minimum(x, 1.0, out=x), -1.0, out=x).reshape(shape)


def _sample_small(b: NDArray, u: NDArray) -> NDArray:
    """The sampler for |b| < 0.5, written so that no digits are lost as b -> 0."""
    a = np.abs(b)
    v = np.where(b >= 0, u, 1.0 - u)
    x = 1.0 + np.log1p((1.0 - v) * np.expm1(-2.0 * a)) / np.maximum(a, _TINY)
    tiny = (
        a < _SMALL_SAMPLE
    )  # x = m + a (1 - m^2) / 2 with m = 2v - 1, written for b >= 0
    if tiny.any():
        m = 2.0 * v - 1.0
        x = np.where(tiny, m + 0.5 * a * (1.0 - m * m), x)
    return np.where(b >= 0, x, -x)


def _as_float(name: str, value) -> NDArray:
    return check_finite_array(name, value, min_size=1)


def _broadcast(**named) -> list[NDArray]:
    """The checked arrays ``named`` (in order) broadcast to one shape; a ValueError names them if
    their shapes do not broadcast."""
    arrays = {name: _as_float(name, value) for name, value in named.items()}
    try:
        return np.broadcast_arrays(*arrays.values())
    except ValueError:
        shapes = ", ".join(f"{k} {v.shape}" for k, v in arrays.items())
        raise ValueError(
            f"{', '.join(arrays)}: shapes do not broadcast together ({shapes})"
        ) from None


def _out(arr: NDArray):
    return float(arr) if arr.ndim == 0 else arr


def langevin(b) -> NDArray | float:
    """The Langevin function L(b) = coth b - 1/b, the mean of CB(b).

    Implements {eq}`eq-attractor-langevin`, i.e. the expected value in Spisak & Friston (2025),
    appendix ("Expected value of the CB").

    Parameters
    ----------
    b : float or array
        Natural parameter(s), any finite value.

    Returns
    -------
    float or array
        L(b) in (-1, 1); odd, L(0) = 0, and L(b) = b/3 - b^3/45 + ... for small ``|b|``
        (that series is used below ``|b| = 0.01``, where coth b - 1/b cancels).
    """
    return _out(_langevin(_as_float("b", b)))


def dlangevin(b) -> NDArray | float:
    """The derivative L'(b) = 1/b^2 - 1/sinh^2 b, the variance of CB(b); L'(0) = 1/3.

    Implements {eq}`eq-attractor-dlangevin` (the Fisher information of the CB).
    """
    b = _as_float("b", b)
    ab = np.abs(b)
    small = ab < _SMALL_DL
    xs = np.clip(ab, _SMALL_DL, 300.0)
    out = 1.0 / np.where(small, 1.0, ab) ** 2 - 1.0 / np.sinh(xs) ** 2
    b2 = b * b  # 1/3 - b^2/15 + 2b^4/189 - b^6/675 + 2b^8/10395
    series = 1.0 / 3.0 + b2 * (
        -1.0 / 15.0
        + b2 * (2.0 / 189.0 + b2 * (-1.0 / 675.0 + b2 * 2.0 / 10395.0))
    )
    return _out(np.where(small, series, out))


def inverse_langevin(y) -> NDArray | float:
    """Cohen's Pade approximant L^-1(y) = y (3 - y^2) / (1 - y^2) (relative error < 5 %).

    Parameters
    ----------
    y : float or array in (-1, 1)
    """
    y = _as_float("y", y)
    if np.any(np.abs(y) >= 1.0):
        raise ValueError("y: must lie strictly inside (-1, 1)")
    return _out(y * (3.0 - y * y) / (1.0 - y * y))


def _log_partition(b: NDArray) -> NDArray:
    ab = np.abs(b)
    small = ab < _SMALL_PHI
    xs = np.where(small, 1.0, ab)
    # ln(2 sinh|b| / |b|) = |b| + ln(1 - e^{-2|b|}) - ln|b|, never evaluates sinh of a large number
    out = xs + np.log(-np.expm1(-2.0 * xs)) - np.log(xs)
    return np.where(small, _LN2 + b * b / 6.0, out)


def log_partition(b) -> NDArray | float:
    """Log-partition phi(b) = ln(2 sinh b / b) of CB(b) on [-1, 1], with phi(0) = ln 2.

    Implements {eq}`eq-attractor-cb-logpartition`. Its derivative is the mean, phi'(b) = L(b).
    """
    return _out(_log_partition(_as_float("b", b)))


def density(x, b) -> NDArray | float:
    """Density p(x | b) = exp(b x - phi(b)) of CB(b) on [-1, 1] (0 outside).

    Implements {eq}`eq-attractor-cb-density`, i.e. Spisak & Friston (2025) eq. (3).
    """
    x, b = _broadcast(x=x, b=b)
    inside = np.abs(x) <= 1.0
    return _out(np.where(inside, np.exp(b * x - _log_partition(b)), 0.0))


def entropy(b) -> NDArray | float:
    """Differential entropy H(b) = phi(b) - b L(b) of CB(b); H(0) = ln 2 (the uniform)."""
    b = _as_float("b", b)
    return _out(_log_partition(b) - b * _langevin(b))


def _kl(b_q: NDArray, b: NDArray) -> NDArray:
    return (b_q - b) * _langevin(b_q) - _log_partition(b_q) + _log_partition(b)


def kl(b_q, b) -> NDArray | float:
    """KL(CB(b_q) || CB(b)) = (b_q - b) L(b_q) - phi(b_q) + phi(b) >= 0.

    Implements {eq}`eq-attractor-cb-kl` (Spisak & Friston 2025, appendix, the complexity term).
    """
    b_q, b = _broadcast(b_q=b_q, b=b)
    return _out(np.maximum(_kl(b_q, b), 0.0))


def sample(b, rng=None) -> NDArray | float:
    """Draw one sample from CB(b) per entry of ``b`` by the inverse CDF, one uniform per entry.

    Implements {eq}`eq-attractor-cb-sample`: with u ~ U(0, 1),
    x = ln((1 - u) e^{-b} + u e^{b}) / b, evaluated as ``logaddexp(b + ln u, ln(1 - u) - b) / b`` so
    that no exponential of a large ``|b|`` is ever formed, and rewritten with ``log1p``/``expm1``
    below ``|b| = 0.5`` so that no digits are lost as b -> 0 (a series below ``|b| = 1e-8``).

    Parameters
    ----------
    b : float or array
        Natural parameter(s), any finite value.
    rng : None, int or numpy.random.Generator
        The uniforms are drawn as ``rng.random(b.shape)``, i.e. in entry order.

    Returns
    -------
    float or array in [-1, 1], the shape of ``b``.
    """
    rng = as_rng(rng)
    b = _as_float("b", b)
    return _out(_sample(b, rng.random(b.shape)))
