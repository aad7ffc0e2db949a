"""Chapter 2: gradient ascent on F and the prediction-error network (Bogacz 2017, Exercises 2-3).

Same scalar model as chapter 1 (:mod:`pcbook.gaussian_model`). Instead of normalising a
posterior, the brain keeps one estimate phi and climbs the negative free energy F
({eq}`eq-error_units-F`, Bogacz Eq. 7) along dF/dphi ({eq}`eq-error_units-dF`, Eq. 8).
The network version ({eq}`eq-error_units-network`, Eqs. 12-14) computes the same gradient with
two prediction-error nodes eps_p and eps_u that relax towards their targets
({eq}`eq-error_units-errors`, Eqs. 10-11).

Both simulations use the forward Euler scheme x <- x + dt f(x), with every right-hand side
evaluated at the previous step's values. A run whose state leaves [-1e6, 1e6] (or becomes NaN)
is stopped and marked ``diverged``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pcbook import gaussian_model as gm
from pcbook.reproduce import experiment
from pcbook.validate import (
    MAX_STEPS,
    check_cost,
    check_finite_array,
    check_instance,
    check_positive,
    check_real,
    record,
)

__all__ = [
    "Trajectory",
    "simulate_gradient_ascent",
    "network_derivatives",
    "simulate_network",
    "fixed_point",
    "jacobian",
    "compare_dynamics",
    "linearisation_eigenvalues",
    "max_stable_dt",
    "first_time_within",
]

#: a state larger than this in absolute value counts as diverged
DIVERGENCE_BOUND = 1e6


@record
@dataclass(frozen=True)
class Trajectory:
    """An Euler run: times ``t`` (from 0), the estimate ``phi`` and, for the network, the errors.

    If the run diverged, the arrays stop at the last finite step and ``diverged`` is True.
    """

    model: gm.GaussianModel
    dt: float
    t: NDArray[np.float64]
    phi: NDArray[np.float64]
    eps_p: NDArray[np.float64] | None = None
    eps_u: NDArray[np.float64] | None = None
    diverged: bool = False

    @property
    def t_diverged(self) -> float | None:
        """Time at which the run was stopped, or None if it did not diverge."""
        return float(self.t[-1]) if self.diverged else None


def _check_run(dt, t_max) -> int:
    dt = check_positive("dt", dt)
    t_max = check_positive("t_max", t_max)
    check_cost("t_max / dt", t_max / dt, MAX_STEPS, "Euler steps")
    n = int(round(t_max / dt))
    if n < 1:
        raise ValueError(
            f"t_max: must be at least one step dt={dt}, got {t_max}"
        )
    return n


def _model(model) -> gm.GaussianModel:
    """The default model for None, else ``model`` checked to be a GaussianModel."""
    return (
        gm.GaussianModel() if model is None else gm.check_model("model", model)
    )


def _bad(*xs) -> bool:
    return any(not abs(x) <= DIVERGENCE_BOUND for x in xs)  # also True for NaN


def simulate_gradient_ascent(
    model: gm.GaussianModel | None = None,
    dt: float = 0.01,
    t_max: float = 5.0,
    phi0: float | None = None,
) -> Trajectory:
    """Euler gradient ascent phi <- phi + dt dF/dphi from phi0 (default v_p).

    Implements {eq}`eq-error_units-ascent`, i.e. Bogacz (2017) Eq. (8) and
    his Exercise 2.

    Parameters
    ----------
    model : GaussianModel, optional
        Default: u = 2, v_p = 3, Sigma_p = Sigma_u = 1.
    dt : float
        Euler step (> 0).
    t_max : float
        Duration; the run has round(t_max / dt) steps.
    phi0 : float, optional
        Initial estimate; default the prior mean v_p.

    Returns
    -------
    Trajectory
        ``t`` and ``phi`` of length n + 1 (including t = 0), shorter if the run
        diverged.
    """
    model = _model(model)
    n = _check_run(dt, t_max)
    phi = float(model.v_p) if phi0 is None else check_real("phi0", phi0)
    out = [phi]
    for _ in range(n):
        phi = phi + dt * gm.dF_dphi(phi, model)
        if _bad(phi):
            break
        out.append(phi)
    k = len(out)
    return Trajectory(
        model, dt, dt * np.arange(k), np.array(out), diverged=k < n + 1
    )


def network_derivatives(
    phi: float, eps_p: float, eps_u: float, model: gm.GaussianModel
):
    """Right-hand sides of the prediction-error network (d phi, d eps_p, d eps_u) / dt.

    Implements {eq}`eq-error_units-network`, i.e. Bogacz (2017) Eqs. (12)-(14):
    phi' = eps_u g'(phi) - eps_p,  eps_p' = phi - v_p - Sigma_p eps_p,
    eps_u' = u - g(phi) - Sigma_u eps_u.
    """
    return _derivatives(
        gm._bounded("phi", phi),
        gm._bounded("eps_p", eps_p),
        gm._bounded("eps_u", eps_u),
        gm.check_model("model", model),
    )


def _derivatives(phi, eps_p, eps_u, m):
    return (
        eps_u * 2.0 * phi - eps_p,
        phi - m.v_p - m.sigma_p * eps_p,
        m.u - phi * phi - m.sigma_u * eps_u,
    )


def simulate_network(
    model: gm.GaussianModel | None = None, dt: float = 0.01, t_max: float = 5.0
) -> Trajectory:
    """Euler simulation of the network of Bogacz Fig. 3 from phi = v_p, eps_p = eps_u = 0.

    Implements {eq}`eq-error_units-network` (Bogacz 2017, Eqs. 12-14, Exercise 3). All three
    right-hand sides use the previous step's values.
    """
    model = _model(model)
    n = _check_run(dt, t_max)
    phi, ep, eu = float(model.v_p), 0.0, 0.0
    out = [(phi, ep, eu)]
    for _ in range(n):
        d_phi, d_ep, d_eu = _derivatives(phi, ep, eu, model)
        phi, ep, eu = phi + dt * d_phi, ep + dt * d_ep, eu + dt * d_eu
        if _bad(phi, ep, eu):
            break
        out.append((phi, ep, eu))
    arr = np.array(out)
    k = len(arr)
    return Trajectory(
        model,
        dt,
        dt * np.arange(k),
        arr[:, 0],
        arr[:, 1],
        arr[:, 2],
        diverged=k < n + 1,
    )


def fixed_point(
    model: gm.GaussianModel | None = None,
) -> tuple[float, float, float]:
    """The network's fixed point (phi*, eps_p*, eps_u*): the exact MAP and its prediction errors.

    Setting {eq}`eq-error_units-network` to zero gives eps_p = (phi - v_p)/Sigma_p,
    eps_u = (u - g(phi))/Sigma_u and dF/dphi = 0, so phi* is the mode of chapter 1.
    """
    model = _model(model)
    phi = gm.map_estimate(model)
    ep, eu = gm.prediction_errors(phi, model)
    return phi, float(ep), float(eu)


def jacobian(
    model: gm.GaussianModel | None = None, state=None
) -> NDArray[np.float64]:
    """Jacobian of the network's right-hand side at ``state`` (default: the fixed point).

    Implements {eq}`eq-error_units-jacobian`; rows and columns are ordered (phi, eps_p, eps_u).
    """
    model = _model(model)
    if state is None:
        phi, ep, eu = fixed_point(model)
    else:
        state = check_finite_array("state", state, ndim=1)
        if len(state) != 3:
            raise ValueError(
                f"state: expected (phi, eps_p, eps_u), got {state!r}"
            )
        phi, ep, eu = gm._bounded("state", state)
    return np.array(
        [
            [2.0 * eu, -1.0, 2.0 * phi],
            [1.0, -model.sigma_p, 0.0],
            [-2.0 * phi, 0.0, -model.sigma_u],
        ]
    )


def linearisation_eigenvalues(
    model: gm.GaussianModel | None = None,
) -> NDArray[np.complex128]:
    """Eigenvalues of :func:`jacobian` at the fixed point, sorted by imaginary part.

    For the default model they are about -0.957 - 3.29i, -1 and -0.957 + 3.29i: the complex pair
    makes the network oscillate with period 2 pi / 3.29 = 1.9 and decay like exp(-0.957 t).
    """
    ev = np.linalg.eigvals(jacobian(model))
    return ev[np.argsort(ev.imag)]


def _eigenvalues(eigenvalues) -> np.ndarray:
    """Finite complex numbers (eigenvalues may be complex, unlike most arrays in pcbook)."""
    if eigenvalues is None or isinstance(eigenvalues, (str, bytes)):
        raise TypeError(
            f"eigenvalues: expected an array of numbers, got {type(eigenvalues).__name__}"
        )
    try:
        ev = np.asarray(eigenvalues)
    except ValueError:
        raise ValueError(
            "eigenvalues: expected a flat array of numbers"
        ) from None
    if ev.dtype.kind not in "biufc":
        raise TypeError(f"eigenvalues: expected numbers, got {ev.dtype}")
    ev = ev.astype(complex).ravel()
    if not np.all(np.isfinite(ev)):
        raise ValueError("eigenvalues: contains NaN or infinite values")
    return ev


def max_stable_dt(eigenvalues) -> float:
    """Largest Euler step for which the linearised system still decays: min over eigenvalues of
    -2 Re(lambda) / |lambda|^2 (the condition |1 + dt lambda| < 1, {eq}`eq-error_units-euler-limit`).
    """
    ev = _eigenvalues(eigenvalues)
    if ev.size == 0:
        raise ValueError("eigenvalues: need at least one eigenvalue")
    if np.any(ev.real >= 0):
        raise ValueError(
            "eigenvalues: all must have negative real part for Euler to be stable at any dt"
        )
    return float(np.min(-2.0 * ev.real / np.abs(ev) ** 2))


def compare_dynamics(
    dt: float = 0.01,
    sigma_p: float = 1.0,
    sigma_u: float = 1.0,
    u: float = 2.0,
    v_p: float = 3.0,
    t_max: float = 5.0,
) -> dict:
    """Both Euler runs for one setting, for the step-size slider of chapter 2.

    Returns a dict with the gradient-ascent and network :class:`Trajectory` (``ascent``,
    ``network``), the exact mode ``phi_star`` and the linear stability limit ``dt_limit``
    ({eq}`eq-error_units-euler-limit`) of the network at its fixed point.
    """
    model = gm.make_model(u=u, v_p=v_p, sigma_p=sigma_p, sigma_u=sigma_u)
    eigenvalues = linearisation_eigenvalues(model)
    if np.any(eigenvalues.real >= 0):
        raise ValueError(
            "u, v_p, sigma_p, sigma_u: the network's fixed point is not stable "
            f"for this model (eigenvalues {np.round(eigenvalues, 3)}), so no "
            "step size makes Euler converge"
        )
    return {
        "ascent": simulate_gradient_ascent(model, dt=dt, t_max=t_max),
        "network": simulate_network(model, dt=dt, t_max=t_max),
        "phi_star": gm.map_estimate(model),
        "dt_limit": max_stable_dt(eigenvalues),
    }


def first_time_within(traj: Trajectory, target: float, tol: float) -> float:
    """First time after which |phi - target| stays below ``tol`` (NaN if it never does)."""
    check_instance("traj", traj, Trajectory)
    target, tol = check_real("target", target), check_positive("tol", tol)
    far = np.abs(traj.phi - target) >= tol
    if far[-1]:
        return float("nan")
    idx = np.nonzero(far)[0]
    return float(traj.t[0] if idx.size == 0 else traj.t[idx[-1] + 1])


@experiment(
    "bogacz-ex2",
    description="Bogacz (2017) Exercise 2: Euler gradient ascent on F, dt = 0.01",
)
def _bogacz_ex2(seed):
    traj = simulate_gradient_ascent()
    phi_star = gm.map_estimate(traj.model)
    return (
        {
            "phi_final": float(traj.phi[-1]),
            "t_converged": first_time_within(traj, phi_star, 1e-3),
        },
        {"phi_final": phi_star, "t_converged": 0.52},
    )


@experiment(
    "bogacz-ex3",
    description="Bogacz (2017) Exercise 3: prediction-error network, 5 time units",
)
def _bogacz_ex3(seed):
    traj = simulate_network()
    k = int(np.argmin(traj.phi))
    phi_star, ep, eu = fixed_point(traj.model)
    metrics = {
        "phi_final": float(traj.phi[-1]),
        "phi_min": float(traj.phi[k]),
        "t_phi_min": float(traj.t[k]),
        "eps_p_final": float(traj.eps_p[-1]),
        "eps_u_final": float(traj.eps_u[-1]),
    }
    reference = {
        "phi_final": 1.552,
        "phi_min": 0.89,
        "t_phi_min": 0.85,
        "eps_p_final": -1.430,
        "eps_u_final": -0.442,
    }
    return metrics, reference
