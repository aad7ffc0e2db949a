"""The fixed echo-state network (ESN) whose initial state is the agent's motor command."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pcbook.rng import as_rng
from pcbook.som.params import SOMParams
from pcbook.validate import (
    check_bool,
    check_choice,
    check_count,
    check_finite_array,
    check_instance,
    check_positive,
)

__all__ = ["Reservoir", "make_reservoir", "esn_rollout", "perturbation_growth"]


@dataclass(frozen=True)
class Reservoir:
    """The fixed echo-state network: recurrent W_r (U, U), b_r (U,), readout W_o (2, U), b_o (2,)."""

    W_r: NDArray[np.float64]
    b_r: NDArray[np.float64]
    W_o: NDArray[np.float64]
    b_o: NDArray[np.float64]
    tau: float

    def __post_init__(self):
        u = check_finite_array("W_r", self.W_r, shape=(None, None)).shape[0]
        shapes = {"W_r": (u, u), "b_r": (u,), "W_o": (2, u), "b_o": (2,)}
        for name, shape in shapes.items():
            arr = check_finite_array(name, getattr(self, name), shape=shape)
            object.__setattr__(self, name, arr)
        tau = check_positive("tau", self.tau)
        if tau < 1:
            raise ValueError(f"tau: must be >= 1, got {tau}")
        object.__setattr__(self, "tau", tau)


def make_reservoir(params: SOMParams = SOMParams(), rng=None) -> Reservoir:
    """Draw the fixed ESN: W_r ~ N(0, sigma_r^2) kept with probability p_connect, W_o ~ N(0, 1)/U,
    biases ~ N(0, 1)/10 (Annabi's notebook)."""
    check_instance("params", params, SOMParams)
    rng = as_rng(rng)
    u = params.n_units
    W_r = (
        rng.standard_normal((u, u))
        * params.sigma_r
        * (rng.random((u, u)) < params.p_connect)
    )
    b_r = rng.standard_normal(u) / 10
    W_o = rng.standard_normal((2, u)) / u
    b_o = rng.standard_normal(2) / 10
    return Reservoir(W_r, b_r, W_o, b_o, float(params.tau))


def _initial_states(reservoir, h0, n_steps) -> tuple[NDArray, int]:
    """The checked arguments of a rollout: ``h0`` (U,) or (B, U) as floats, and ``n_steps``."""
    check_instance("reservoir", reservoir, Reservoir)
    u = reservoir.W_r.shape[0]
    h = check_finite_array("h0", h0)
    if h.ndim not in (1, 2) or h.shape[-1] != u:
        raise ValueError(
            f"h0: expected shape ({u},) or (B, {u}), got {h.shape}"
        )
    return h, check_count("n_steps", n_steps, 1)


def esn_rollout(
    reservoir: Reservoir,
    h0: NDArray,
    n_steps: int = 100,
    dtype: str = "float64",
    return_rates: bool = False,
):
    """Run the ESN from initial states ``h0`` and return its outputs, the motor
    commands.

    Implements {eq}`eq-som-esn`: h_{t+1} = (1 - 1/tau) h_t + (1/tau)(W_r tanh
    h_t + b_r) and
    omega_t = W_o tanh h_{t+1} + b_o.

    Parameters
    ----------
    reservoir : Reservoir
    h0 : array (U,) or (B, U)
        Initial states; a batch is run in one pass.
    n_steps : int
        T, the number of motor commands.
    dtype : {"float64", "float32"}
        Precision of the recurrent loop. Training uses float32 (as the seed's
        torch code does; about
        twice as fast); the output is float64 either way.
    return_rates : bool
        Also return the rates tanh h_1 ... tanh h_T.

    Returns
    -------
    omega : array (T, 2) or (B, T, 2)
    rates : array (T, U) or (B, T, U), only with ``return_rates``
    """
    h, n_steps = _initial_states(reservoir, h0, n_steps)
    dt = np.dtype(check_choice("dtype", dtype, ("float64", "float32")))
    return_rates = check_bool("return_rates", return_rates)
    single, u = h.ndim == 1, h.shape[-1]
    h = np.atleast_2d(h).astype(dt)
    leak, gain = dt.type(1.0 - 1.0 / reservoir.tau), 1.0 / reservoir.tau
    W_in, b_in = (
        (reservoir.W_r.T * gain).astype(dt),
        (reservoir.b_r * gain).astype(dt),
    )
    rates = np.empty((n_steps, len(h), u), dtype=dt)
    r = np.tanh(h)
    for t in range(n_steps):
        h *= leak
        h += r @ W_in
        h += b_in
        r = rates[t]
        np.tanh(h, out=r)
    omega = np.moveaxis(
        rates @ reservoir.W_o.T.astype(dt) + reservoir.b_o.astype(dt), 0, 1
    ).astype(float)
    if not return_rates:
        return omega[0] if single else omega
    rates = np.moveaxis(rates, 0, 1).astype(float)
    return (omega[0], rates[0]) if single else (omega, rates)


def perturbation_growth(
    reservoir: Reservoir,
    h0: NDArray,
    n_steps: int = 100,
    eps: float = 1e-6,
    rng=None,
) -> NDArray[np.float64]:
    """How much a tiny perturbation of the initial state grows over a movement.

    Runs {eq}`eq-som-esn` from ``h0`` and from ``h0 + eps v`` (v a random unit vector per state)
    and returns |tanh h'_T - tanh h_T| / |tanh h'_0 - tanh h_0|, the growth of the perturbation of
    the rates (what the readout sees). The linearised map at h = 0 would predict up to
    rho^T (rho its spectral radius); tanh saturation keeps the real growth far below that.

    Parameters
    ----------
    reservoir : Reservoir
    h0 : array (U,) or (B, U)
    n_steps : int
        T, the length of the movement.
    eps : float
        Size of the perturbation (small: the result is a finite-difference derivative).
    rng : None, int or numpy.random.Generator
        Draws the directions v.

    Returns
    -------
    growth : float array, shape () or (B,)
    """
    h, n_steps = _initial_states(reservoir, h0, n_steps)
    rng = as_rng(rng)
    eps = check_positive("eps", eps)
    v = rng.standard_normal(h.shape)
    v /= np.linalg.norm(v, axis=-1, keepdims=True)
    _, r = esn_rollout(reservoir, h, n_steps, return_rates=True)
    _, r_eps = esn_rollout(reservoir, h + eps * v, n_steps, return_rates=True)
    start = np.linalg.norm(np.tanh(h + eps * v) - np.tanh(h), axis=-1)
    return np.linalg.norm(r_eps[..., -1, :] - r[..., -1, :], axis=-1) / start
