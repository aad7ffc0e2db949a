"""NGC learning: two-factor Hebbian updates of a settled circuit, modulation, column-norm clipping.

Same conventions as :mod:`pcbook.ngc.circuit` (row vectors, lists of synapses indexed by layer).
"""

from __future__ import annotations

import numpy as np

from pcbook.validate import (
    check_bool,
    check_finite_array,
    check_instance,
    check_positive,
)
from pcbook.maths import Adam
from pcbook.ngc.circuit import NGCParams, SettleState, Weights, _circuit, _phi

__all__ = [
    "modulation_matrix",
    "clip_columns",
    "hebbian_updates",
    "apply_updates",
    "synapse_alignment",
]


def modulation_matrix(W: np.ndarray) -> np.ndarray:
    """The modulation matrix ``M_W`` of a synaptic matrix (one factor per postsynaptic unit).

    Implements {eq}`eq-ngc-modulation` (Ororbia & Kifer 2022, supplement; ngc-learn's
    ``calc_modulatory_factor``): ``m_j = min(2 sum_i |W_ij| / max_k sum_i |W_ik|, 1)`` and every
    row of ``M_W`` equals ``m``. Scaling ``W`` leaves ``M_W`` unchanged.
    """
    W = check_finite_array("W", W, ndim=2)
    mass = np.abs(W).sum(axis=0)
    top = mass.max()
    m = np.ones_like(mass) if top == 0 else np.minimum(2.0 * mass / top, 1.0)
    return np.broadcast_to(m, W.shape).copy()


def clip_columns(A: np.ndarray, max_norm: float = 1.0) -> np.ndarray:
    """Rescale, in place, every column of ``A`` whose Euclidean norm exceeds ``max_norm``.

    Implements {eq}`eq-ngc-clip`; returns ``A``, a float array of at least two dimensions
    (columns along the second-to-last axis).
    """
    check_finite_array("A", A)
    if not (isinstance(A, np.ndarray) and A.dtype.kind == "f" and A.ndim >= 2):
        raise TypeError(
            "A: expected a float numpy array of at least 2 dimensions (it is "
            f"rescaled in place), got {type(A).__name__} of shape {np.shape(A)}"
        )
    max_norm = check_positive("max_norm", max_norm)
    norms = np.linalg.norm(A, axis=-2, keepdims=True)
    A *= np.where(norms > max_norm, max_norm / np.maximum(norms, 1e-300), 1.0)
    return A


def hebbian_updates(
    state: SettleState,
    weights: Weights,
    params: NGCParams,
    top_clamped: bool = False,
) -> list[np.ndarray]:
    """Two-factor Hebbian deltas from a settled state, batch-averaged, in
    ``weights.learned()`` order.

    Implements {eq}`eq-ngc-dW` and {eq}`eq-ngc-dE` (Ororbia & Kifer 2022; paper
    equation numbers not checked):
    ``dW[l] = phi(z[l])^T e[l-1] (* M_W)``, ``dE[l] = gamma_e dW[l]^T (*
    M_E)``,
    ``dM[l] = phi(z[l])^T e[l-2]`` and ``dSigma[l] = (e[l]^T e[l] -
    Sigma[l]^{-1}) / 2``. These are
    ascent directions (add them).

    Parameters
    ----------
    state : SettleState
        The settled circuit (final states and errors).
    weights, params : the circuit.
    top_clamped : bool
        True if the top layer was clamped (it then enters linearly).

    Returns
    -------
    list of arrays
        One delta per learned array, in the order of ``weights.learned()``.
    """
    top_clamped = _settled(state, weights, params, top_clamped)
    n = state.z[0].shape[-2]
    # transpose; works on stacks of circuits
    T = lambda a: np.swapaxes(a, -1, -2)  # noqa: E731
    act = [None] + [
        _phi(params, l, top_clamped)[0](state.z[l])
        for l in range(1, params.L + 1)
    ]
    deltas = {}
    for l in range(1, params.L + 1):
        dW = T(act[l]) @ state.e[l - 1] / n
        if params.modulation:
            dW = dW * modulation_matrix(weights.W[l])
        deltas["W", l] = dW
        if weights.E[l] is not None:
            dE = params.gamma_e * T(dW)
            deltas["E", l] = (
                dE * modulation_matrix(weights.E[l])
                if params.modulation
                else dE
            )
        if l >= 2 and weights.M[l] is not None:
            deltas["M", l] = T(act[l]) @ state.e[l - 2] / n
        if l < params.L and weights.Sigma[l] is not None:
            deltas["Sigma", l] = 0.5 * (
                T(state.e[l]) @ state.e[l] / n
                - np.linalg.inv(weights.Sigma[l])
            )
    return [deltas[key] for key in weights.learned()]


def _settled(state, weights, params, top_clamped) -> bool:
    """Check the arguments of :func:`hebbian_updates`; return ``top_clamped``."""
    check_instance("state", state, SettleState)
    _circuit(weights, params)
    return check_bool("top_clamped", top_clamped)


def _deltas(deltas, weights: Weights) -> list:
    """``deltas`` as one finite array per learned array of ``weights``, of its shape."""
    arrays = weights.arrays()
    check_instance("deltas", deltas, (list, tuple), "a list of arrays")
    if len(deltas) != len(arrays):
        raise ValueError(
            f"deltas: expected one array per learned array ({len(arrays)}, "
            f"see weights.learned()), got {len(deltas)}"
        )
    return [
        check_finite_array(f"deltas[{i}]", d, shape=np.shape(a))
        for i, (d, a) in enumerate(zip(deltas, arrays))
    ]


def apply_updates(
    weights: Weights, deltas: list, optimizer, params: NGCParams
) -> Weights:
    """Feed the Hebbian deltas to ``optimizer`` (e.g. :class:`pcbook.maths.Adam`, ascent), then
    cap every column norm of ``W``, ``E`` and ``M`` at ``params.max_norm`` and keep each ``Sigma``
    symmetric with diagonal >= 1 ({eq}`eq-ngc-clip`). Modifies ``weights`` in place and returns it."""
    _circuit(weights, params)
    check_instance("optimizer", optimizer, Adam)
    optimizer.step(weights.arrays(), _deltas(deltas, weights))
    for kind, l in weights.learned():
        A = getattr(weights, kind)[l]
        if kind == "Sigma":
            A[...] = 0.5 * (A + np.swapaxes(A, -1, -2))
            diag = np.arange(A.shape[-1])
            A[..., diag, diag] = np.maximum(A[..., diag, diag], 1.0)
        elif params.max_norm:
            clip_columns(A, params.max_norm)
    return weights


def synapse_alignment(weights: Weights) -> list[float]:
    """Cosine between the learned error synapses ``E[l]`` and the transposed generative synapses
    ``W[l]^T``, one value per layer (``eq-ngc-dE``: with ``gamma_e = 1`` both receive the same
    increments, the learned symmetry of Kolen & Pollack 1994). Raises ValueError for tied
    synapses (``E = W^T`` exactly)."""
    check_instance("weights", weights, Weights)
    if all(E is None for E in weights.E):
        raise ValueError(
            "weights: the error synapses are tied (E = W^T); nothing to align"
        )
    return [
        float(np.vdot(E, W.T) / (np.linalg.norm(E) * np.linalg.norm(W)))
        for E, W in zip(weights.E[1:], weights.W[1:])
    ]
