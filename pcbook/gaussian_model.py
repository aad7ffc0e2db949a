"""The scalar Gaussian generative model shared by chapters 1-3 (Bogacz 2017, Sec. 2).

Notation (ASCII names follow the paper's symbols; every ``sigma_*`` is a **variance**):

* ``v``: the hidden cause (the size of a food item), with prior p(v) = N(v; v_p, sigma_p);
* ``u``: the observed input (the light intensity), with likelihood p(u | v) = N(u; g(v), sigma_u);
* ``g(v) = v**2`` and its derivative ``g'(v) = 2 v``;
* ``phi``: the brain's point estimate of v;
* ``eps_p = (phi - v_p) / sigma_p`` and ``eps_u = (u - g(phi)) / sigma_u``: the prediction errors.

A normal density here always takes a *variance*; :func:`normal_pdf` converts to the standard
deviation internally, so nothing in the book passes a variance where a library wants a scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pcbook.validate import (
    check_finite,
    check_instance,
    check_positive,
    check_range,
)

#: the model's numbers stay within these bounds, so that g(v) = v**2 and F stay finite
VALUE_BOUND = 1e6  # |u|, |v_p|
VARIANCE_RANGE = (1e-6, 1e6)  # Sigma_p, Sigma_u

__all__ = [
    "GaussianModel",
    "make_model",
    "normal_pdf",
    "g",
    "dg",
    "free_energy",
    "dF_dphi",
    "d2F_dphi2",
    "prediction_errors",
    "stationary_points",
    "map_estimate",
    "local_mode",
]


@dataclass(frozen=True)
class GaussianModel:
    """Parameters of the scalar model of {eq}`eq-posterior-model` (Bogacz 2017, Eqs. 1-3)."""

    u: float = 2.0  # observed input (light intensity)
    v_p: float = 3.0  # prior mean of the hidden size v
    sigma_p: float = (
        1.0  # prior variance Sigma_p (a variance, not a standard deviation)
    )
    sigma_u: float = 1.0  # sensory noise variance Sigma_u

    def __post_init__(self):
        for name in ("u", "v_p"):
            check_range(name, getattr(self, name), -VALUE_BOUND, VALUE_BOUND)
        for name in ("sigma_p", "sigma_u"):
            check_positive(name, getattr(self, name))
            check_range(name, getattr(self, name), *VARIANCE_RANGE)


def check_model(name: str, model) -> GaussianModel:
    """``model`` if it is a :class:`GaussianModel`, else a TypeError naming ``name``."""
    return check_instance(name, model, GaussianModel)


def _bounded(name: str, value):
    """``value`` (a number or an array) checked finite and within +-VALUE_BOUND."""
    value = check_finite(name, value)
    if np.size(value) and np.max(np.abs(value)) > VALUE_BOUND:
        raise ValueError(
            f"{name}: must lie in [-{VALUE_BOUND:g}, {VALUE_BOUND:g}] (the model's "
            f"scale), got {np.max(np.abs(value)):g}"
        )
    return value


def _phi(phi, model):
    """The checked (phi, model) of the functions of phi below."""
    return _bounded("phi", phi), check_model("model", model)


def make_model(
    u: float = 2.0,
    v_p: float = 3.0,
    sigma_p: float = 1.0,
    sigma_u: float = 1.0,
) -> GaussianModel:
    """A validated :class:`GaussianModel` (raises ValueError/TypeError naming a bad argument)."""
    return GaussianModel(u=u, v_p=v_p, sigma_p=sigma_p, sigma_u=sigma_u)


def normal_pdf(x, mean, var) -> NDArray[np.float64]:
    """Normal density f(x; mean, var) with **variance** ``var`` (Bogacz 2017, Eq. 2).

    Implements {eq}`eq-posterior-normal`.
    """
    var = check_finite("var", var)
    if np.any(var <= 0):
        raise ValueError("var: a variance must be > 0")
    x, mean = check_finite("x", x), check_finite("mean", mean)
    try:
        np.broadcast_shapes(np.shape(x), np.shape(mean), np.shape(var))
    except ValueError:
        raise ValueError(
            f"x, mean, var: shapes {np.shape(x)}, {np.shape(mean)}, "
            f"{np.shape(var)} do not broadcast"
        ) from None
    return np.exp(-0.5 * (x - mean) ** 2 / var) / np.sqrt(2.0 * np.pi * var)


def g(v):
    """The nonlinear mapping g(v) = v**2 from size to light intensity."""
    v = _bounded("v", v)
    return v * v


def dg(v):
    """Its derivative g'(v) = 2 v."""
    return 2.0 * _bounded("v", v)


def free_energy(phi, model: GaussianModel):
    """Negative free energy F(phi) of a point estimate, up to a constant.

    Implements {eq}`eq-error_units-F`, i.e. Bogacz (2017) Eq. (7):
    F = 1/2 (-ln Sigma_p - (phi - v_p)^2 / Sigma_p - ln Sigma_u - (u - g(phi))^2 / Sigma_u).
    It equals ln p(u, phi) + ln(2 pi), so maximising F finds the posterior mode.
    """
    phi, m = _phi(phi, model)
    phi = np.asarray(phi, dtype=float)
    return 0.5 * (
        -np.log(m.sigma_p)
        - (phi - m.v_p) ** 2 / m.sigma_p
        - np.log(m.sigma_u)
        - (m.u - phi**2) ** 2 / m.sigma_u
    )


def dF_dphi(phi, model: GaussianModel):
    """Gradient of F: (v_p - phi)/Sigma_p + (u - g(phi)) g'(phi)/Sigma_u.

    Implements {eq}`eq-error_units-dF`, i.e. Bogacz (2017) Eq. (8).
    """
    phi, m = _phi(phi, model)
    return (m.v_p - phi) / m.sigma_p + (
        m.u - phi * phi
    ) * 2.0 * phi / m.sigma_u


def d2F_dphi2(phi, model: GaussianModel):
    """Curvature of F: -1/Sigma_p + (2u - 6 phi^2)/Sigma_u (used by the Laplace approximation)."""
    phi, m = _phi(phi, model)
    return -1.0 / m.sigma_p + (2.0 * m.u - 6.0 * phi * phi) / m.sigma_u


def prediction_errors(phi, model: GaussianModel):
    """The prediction errors (eps_p, eps_u) at ``phi`` (Bogacz 2017, Eqs. 10-11).

    Implements {eq}`eq-error_units-errors`.
    """
    phi, m = _phi(phi, model)
    return (phi - m.v_p) / m.sigma_p, (m.u - phi * phi) / m.sigma_u


def stationary_points(model: GaussianModel) -> NDArray[np.float64]:
    """Real roots of dF/dphi = 0, sorted ascending.

    Multiplying {eq}`eq-error_units-dF` by Sigma_p Sigma_u gives the cubic
    -2 Sigma_p phi^3 + (2 Sigma_p u - Sigma_u) phi + Sigma_u v_p = 0 ({eq}`eq-posterior-cubic`),
    i.e. the depressed cubic phi^3 + p phi + q = 0 with p = Sigma_u / (2 Sigma_p) - u and
    q = -Sigma_u v_p / (2 Sigma_p). It is solved in closed form (Cardano's formula for one real
    root, the trigonometric form for three), each root polished by two Newton steps; the tests
    compare it with :func:`numpy.roots`.
    """
    check_model("model", model)
    p = model.sigma_u / (2.0 * model.sigma_p) - model.u
    q = -model.sigma_u * model.v_p / (2.0 * model.sigma_p)
    disc = q * q / 4.0 + p * p * p / 27.0
    if disc > 0 or p == 0:  # one real root
        r = math.sqrt(max(disc, 0.0))
        roots = [
            math.copysign(abs(-q / 2 + r) ** (1 / 3), -q / 2 + r)
            + math.copysign(abs(-q / 2 - r) ** (1 / 3), -q / 2 - r)
        ]
    else:  # three real roots (p < 0)
        m = 2.0 * math.sqrt(-p / 3.0)
        arg = max(-1.0, min(1.0, 3.0 * q / (p * m)))
        theta = math.acos(arg) / 3.0
        roots = [
            m * math.cos(theta - 2.0 * math.pi * k / 3.0) for k in range(3)
        ]
    polished = []
    for x in roots:
        for _ in range(2):
            slope = 3.0 * x * x + p
            if slope != 0:
                x -= (x * x * x + p * x + q) / slope
        polished.append(x)
    return np.sort(np.array(polished))


def map_estimate(model: GaussianModel) -> float:
    """The exact posterior mode phi*: the root of the cubic {eq}`eq-posterior-cubic` with the largest F.

    For u = 2, v_p = 3, Sigma_p = Sigma_u = 1 the cubic is 2 phi^3 - 3 phi - 3 = 0 and
    phi* = 1.567468 (Bogacz 2017, Exercise 1 rounds it to 1.6).
    """
    roots = stationary_points(check_model("model", model))
    return float(roots[np.argmax(free_energy(roots, model))])


def local_mode(model: GaussianModel) -> float:
    """The maximum of F reached by gradient ascent started at phi = v_p, run to convergence.

    In one dimension the flow d phi/dt = dF/dphi moves uphill to the nearest stationary point in
    the direction of the initial gradient, so it is read off the roots of the cubic
    {eq}`eq-posterior-cubic` instead of simulating the ascent of {eq}`eq-error_units-ascent`.
    """
    roots = stationary_points(check_model("model", model))
    slope = dF_dphi(model.v_p, model)
    if slope > 0:
        return float(roots[roots >= model.v_p].min())
    if slope < 0:
        return float(roots[roots <= model.v_p].max())
    return float(model.v_p)
