"""The fixed echo-state network (ESN) whose initial state is the agent's motor command."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pcbook.rng import as_rng
from pcbook.som.params import SOMParams
from pcbook.validate import check_choice, check_finite_array, check_int

__all__ = ["Reservoir", "make_reservoir", "esn_rollout"]


@dataclass(frozen=True)
class Reservoir:
    """The fixed echo-state network: recurrent W_r (U, U), b_r (U,), readout W_o (2, U), b_o (2,)."""

    W_r: NDArray[np.float64]
    b_r: NDArray[np.float64]
    W_o: NDArray[np.float64]
    b_o: NDArray[np.float64]
    tau: float


def make_reservoir(params: SOMParams = SOMParams(), rng=None) -> Reservoir:
    """Draw the fixed ESN: W_r ~ N(0, sigma_r^2) kept with probability p_connect, W_o ~ N(0, 1)/U,
    biases ~ N(0, 1)/10 (Annabi's notebook)."""
    rng = as_rng(rng)
    u = params.n_units
    W_r = rng.standard_normal((u, u)) * params.sigma_r * (rng.random((u, u)) < params.p_connect)
    b_r = rng.standard_normal(u) / 10
    W_o = rng.standard_normal((2, u)) / u
    b_o = rng.standard_normal(2) / 10
    return Reservoir(W_r, b_r, W_o, b_o, float(params.tau))


def esn_rollout(reservoir: Reservoir, h0: NDArray, n_steps: int = 100, dtype: str = "float64") -> NDArray[np.float64]:
    """Run the ESN from initial states ``h0`` and return its outputs, the motor commands.

    Implements {eq}`eq-som-esn`: h_{t+1} = (1 - 1/tau) h_t + (1/tau)(W_r tanh h_t + b_r) and
    omega_t = W_o tanh h_{t+1} + b_o.

    Parameters
    ----------
    reservoir : Reservoir
    h0 : array (U,) or (B, U)
        Initial states; a batch is run in one pass.
    n_steps : int
        T, the number of motor commands.
    dtype : {"float64", "float32"}
        Precision of the recurrent loop. Training uses float32 (as the seed's torch code does; about
        twice as fast); the output is float64 either way.

    Returns
    -------
    omega : array (T, 2) or (B, T, 2)
    """
    h = check_finite_array("h0", h0)
    u = reservoir.W_r.shape[0]
    if h.shape[-1] != u or h.ndim not in (1, 2):
        raise ValueError(f"h0: expected shape ({u},) or (B, {u}), got {h.shape}")
    n_steps = check_int("n_steps", n_steps, low=1)
    dt = np.dtype(check_choice("dtype", dtype, ("float64", "float32")))
    single = h.ndim == 1
    h = np.atleast_2d(h).astype(dt)
    leak, gain = dt.type(1.0 - 1.0 / reservoir.tau), 1.0 / reservoir.tau
    W_in, b_in = (reservoir.W_r.T * gain).astype(dt), (reservoir.b_r * gain).astype(dt)
    rates = np.empty((n_steps, len(h), u), dtype=dt)
    r = np.tanh(h)
    for t in range(n_steps):
        h *= leak
        h += r @ W_in
        h += b_in
        r = rates[t]
        np.tanh(h, out=r)
    omega = np.moveaxis(rates @ reservoir.W_o.T.astype(dt) + reservoir.b_o.astype(dt), 0, 1).astype(float)
    return omega[0] if single else omega
