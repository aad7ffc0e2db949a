"""The NGC circuit: parameters, synapses, predictions, error neurons and settling (inference).

Row-vector convention (one sample per row, as in ngc-learn and pcrl): layer ``l`` holds a state
``z[l]`` of shape ``(N, J_l)``; ``W[l]`` of shape ``(J_l, J_{l-1})`` predicts layer ``l - 1`` from
layer ``l``; ``E[l]`` of shape ``(J_{l-1}, J_l)`` carries the error ``e[l-1]`` up to ``z[l]``;
``M[l]`` of shape ``(J_l, J_{l-2})`` is a skip prediction from two layers up (GNCN-PDH). Lists are
indexed by layer, with ``None`` where a layer has no such matrix. Layer 0 is clamped to the data;
the top layer ``L`` is free (a generative model) or clamped (an x -> y circuit, as in active NGC).

Every function here is generic: any number of layers, any widths, clamped bottom and optionally
clamped top, cold (zero) or feed-forward initialisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pcbook.maths import activation, check_activation
from pcbook.rng import as_rng
from pcbook.validate import (
    check_bool,
    check_choice,
    check_count,
    check_finite_array,
    check_instance,
    check_int,
    check_positive,
    check_range,
    record,
)

__all__ = [
    "NGCParams",
    "Weights",
    "SettleState",
    "init_weights",
    "lateral_matrix",
    "predictions",
    "precisions",
    "error_neurons",
    "total_discrepancy",
    "state_update",
    "settle_step",
    "initial_state",
    "settle",
]


@dataclass(frozen=True)
class NGCParams:
    """Architecture and dynamics of one NGC circuit (defaults: GNCN-t1 on 8x8 digits)."""

    sizes: tuple = (64, 64, 64, 32)  # widths J_0 (data) ... J_L (top)
    phi: str = "tanh"  # state activation phi of the hidden layers
    phi_top: str | None = (
        None  # activation of the top layer (None: same as phi)
    )
    g_out: str = "sigmoid"  # prediction activation g^0 of the bottom layer
    g_hidden: str = "identity"  # prediction activation g^l of hidden layers
    error_synapses: str = (
        "tied"  # "tied": E = W^T (type 1); "learned": separate E (type 2)
    )
    use_dphi: bool = True  # multiply the bottom-up message by phi'(z) (type 1)
    hidden_target: str = "state"  # hidden errors compare the prediction with z ("state") or phi(z) ("phi")
    skip: bool = False  # skip predictions M from two layers up (PDH)
    n_group: int = 0  # lateral competition group size (0: no lateral matrix V)
    alpha_e: float = 0.15  # self-excitation strength in V
    alpha_h: float = 0.1  # within-group inhibition strength in V
    lam: float = 0.01  # Laplace prior strength lambda
    precision: bool = (
        False  # learned error covariance Sigma on hidden errors (t1-Sigma)
    )
    K: int = 50  # settling steps
    beta: float = 0.1  # state step size beta = dt / tau
    gamma_v: float = 0.001  # state leak gamma_v
    gamma_e: float = 1.0  # error-synapse learning factor gamma_e
    modulation: bool = (
        False  # multiply updates by the modulation matrices M_W, M_E
    )
    weight_sd: float = 0.05  # initial weights ~ N(0, weight_sd^2)
    max_norm: float = (
        1.0  # column-norm cap after every update (0: no clipping)
    )
    lr: float = 1e-3  # Adam learning rate
    batch_size: int = 50  # images per settled batch

    def __post_init__(self):
        check_instance("sizes", self.sizes, (tuple, list), "a tuple of widths")
        if len(self.sizes) < 2:
            raise ValueError(
                f"sizes: need at least two layers, got {self.sizes!r}"
            )
        for j in self.sizes:
            check_count("sizes", j, 1, 10**4)
        for name in ("phi", "g_out", "g_hidden"):
            check_activation(name, getattr(self, name))
        if self.phi_top is not None:
            check_activation("phi_top", self.phi_top)
        check_choice(
            "error_synapses", self.error_synapses, ("tied", "learned")
        )
        check_choice("hidden_target", self.hidden_target, ("state", "phi"))
        check_count("K", self.K, low=1)
        check_settling_beta("beta", self.beta)
        check_positive("gamma_v", self.gamma_v, allow_zero=True)
        check_positive("lam", self.lam, allow_zero=True)
        check_positive("lr", self.lr)
        check_positive("weight_sd", self.weight_sd)
        check_positive("max_norm", self.max_norm, allow_zero=True)
        check_positive("alpha_e", self.alpha_e, allow_zero=True)
        check_positive("alpha_h", self.alpha_h, allow_zero=True)
        check_positive("gamma_e", self.gamma_e, allow_zero=True)
        for flag in ("use_dphi", "skip", "precision", "modulation"):
            check_bool(flag, getattr(self, flag))
        check_int("batch_size", self.batch_size, low=1)
        check_int("n_group", self.n_group, low=0)
        if self.n_group and any(j % self.n_group for j in self.sizes[1:]):
            raise ValueError(
                f"n_group: every hidden width {self.sizes[1:]} must be divisible by {self.n_group}"
            )

    @property
    def L(self) -> int:
        """Index of the top layer (the number of weight layers)."""
        return len(self.sizes) - 1


_LAYER_LIST = "a list of arrays by layer (None where a layer has none)"


@dataclass
class Weights:
    """The synapses of a circuit, each a list indexed by layer (``None`` where absent)."""

    W: list
    E: list
    M: list
    Sigma: list
    V: list = field(
        default_factory=list
    )  # fixed lateral matrices (not learned)

    def __post_init__(self):
        layers = len(check_instance("W", self.W, (list, tuple), _LAYER_LIST))
        for kind in ("W", "E", "M", "Sigma", "V"):
            arrays = check_instance(
                kind, getattr(self, kind), (list, tuple), _LAYER_LIST
            )
            if len(arrays) != layers and not (kind == "V" and not arrays):
                raise ValueError(
                    f"{kind}: expected one entry per layer ({layers}, as in W), "
                    f"got {len(arrays)}"
                )
            for l, a in enumerate(arrays):
                if a is not None:
                    check_instance(
                        f"{kind}[{l}]", a, np.ndarray, "an array or None"
                    )
                    check_finite_array(f"{kind}[{l}]", a)

    def learned(self) -> list[tuple[str, int]]:
        """``(kind, layer)`` of every learned array, in a fixed order (used with Adam)."""
        return [
            (k, l)
            for k in ("W", "E", "M", "Sigma")
            for l, a in enumerate(getattr(self, k))
            if a is not None
        ]

    def arrays(self) -> list[np.ndarray]:
        """The learned arrays in the order of :meth:`learned`."""
        return [getattr(self, k)[l] for k, l in self.learned()]

    def copy(self) -> "Weights":
        cp = lambda lst: [None if a is None else a.copy() for a in lst]  # noqa: E731
        return Weights(
            cp(self.W), cp(self.E), cp(self.M), cp(self.Sigma), cp(self.V)
        )


@record
@dataclass
class SettleState:
    """States ``z``, predictions ``zbar``, errors ``e`` (lists by layer) and the discrepancy trace."""

    z: list
    zbar: list
    e: list
    tod: np.ndarray  # total discrepancy after each step, shape (K,)

    @property
    def prediction(self) -> np.ndarray:
        """The prediction of the bottom layer, ``zbar[0]``."""
        return self.zbar[0]


def lateral_matrix(
    J: int, n_group: int, alpha_e: float = 0.15, alpha_h: float = 0.1
) -> np.ndarray:
    """The lateral competition matrix ``V = alpha_h (B * (1 - I)) - alpha_e I``.

    Implements {eq}`eq-ngc-lateral` (Ororbia & Kifer 2022; paper equation number not checked).
    ``B`` is a 0/1 block mask that groups consecutive units in columns of ``n_group``; the state
    receives ``-phi(z) V``, so each unit excites itself by ``alpha_e`` and inhibits the other units of its group by ``alpha_h``.
    """
    check_count("J", J, 1, 10**4)
    J = check_int("J", J, low=1)
    n_group = check_int("n_group", n_group, low=1)
    if J % n_group:
        raise ValueError(f"n_group: must divide J={J}, got {n_group}")
    alpha_e = check_positive("alpha_e", alpha_e, allow_zero=True)
    alpha_h = check_positive("alpha_h", alpha_h, allow_zero=True)
    block = np.kron(np.eye(J // n_group), np.ones((n_group, n_group)))
    return alpha_h * block * (1.0 - np.eye(J)) - alpha_e * np.eye(J)


#: the largest stable settling step: each error unit pulls its state back with unit gain, so
#: an Euler step beta > 1 overshoots the state it moves toward (chapter 4 uses 0.05-0.2; at
#: beta = 5 the digits' BCE is 399 nats, worse than a uniform guess's 44)
MAX_SETTLING_BETA = 1.0


def check_settling_beta(name: str, beta) -> float:
    """``beta`` as a float in (0, MAX_SETTLING_BETA], or a ValueError naming ``name``."""
    beta = check_positive(name, beta)
    if beta > MAX_SETTLING_BETA:
        raise ValueError(
            f"{name}: settling is stable only for 0 < beta <= "
            f"{MAX_SETTLING_BETA:g} (a larger Euler step overshoots and the "
            f"energy grows instead of falling), got {beta:g}"
        )
    return beta


def _circuit(weights, params) -> None:
    """Refuse anything but a :class:`Weights` and an :class:`NGCParams` (TypeError)."""
    check_instance("weights", weights, Weights)
    check_instance("params", params, NGCParams)


def _layers(name: str, arrays, params: NGCParams, extra: int = 1) -> None:
    """Refuse anything but a list of L + ``extra`` arrays (one per layer), naming ``name``."""
    check_instance("params", params, NGCParams)
    if (
        not isinstance(arrays, (list, tuple))
        or len(arrays) < params.L + extra - 1
    ):
        raise TypeError(
            f"{name}: expected a list of arrays, one per layer "
            f"({params.L + extra} for this circuit), got {type(arrays).__name__}"
        )


#: largest magnitude of a clamped value: the book clamps 0/1 pixels and targets of about
#: [-1, 1]; far larger ones overflow the errors and their squares
MAX_INPUT = 1e6


def _clamped(name: str, value, width: int, ndim=(2, 3)) -> np.ndarray:
    """A clamped layer: finite values of shape ``(N, width)`` (``(S, N, width)`` for a stack of
    circuits) and at most :data:`MAX_INPUT` in size, or an error naming ``name``."""
    value = check_finite_array(name, value)
    if value.ndim not in ndim or value.shape[-1] != width:
        raise ValueError(
            f"{name}: expected shape (N, {width}) for this circuit, got "
            f"shape {value.shape}"
        )
    if np.max(np.abs(value)) > MAX_INPUT:
        raise ValueError(
            f"{name}: values must lie in [-{MAX_INPUT:g}, {MAX_INPUT:g}], got "
            f"{np.max(np.abs(value)):g}"
        )
    return value


def _mask_prec(mask, prec, shape: tuple, params: NGCParams):
    """Check the optional ``mask`` (weights in [0, 1] that broadcast to the data's ``shape``)
    and ``prec`` (a list from :func:`precisions`); return ``mask`` as an array or None."""
    if prec is not None:
        _layers("prec", prec, params)
    if mask is None:
        return None
    mask = check_finite_array("mask", mask)
    try:
        fits = np.broadcast_shapes(mask.shape, shape) == tuple(shape)
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"mask: expected the shape of the data {tuple(shape)}, got "
            f"shape {mask.shape}"
        )
    _unit_interval("mask", mask)
    return mask


def _unit_interval(name: str, values: np.ndarray) -> np.ndarray:
    """``values`` (a non-empty array), or a ValueError naming ``name`` if any lies outside
    [0, 1] (pixels, masks, probabilities)."""
    check_range(name, float(np.min(values)), 0.0, 1.0)
    check_range(name, float(np.max(values)), 0.0, 1.0)
    return values


def _step_args(z, e, weights, params, beta, top_clamped) -> tuple:
    """Check the arguments of one settling step; return ``(beta, top_clamped)``."""
    _layers("z", z, params)
    _layers("e", e, params, 0)
    beta = check_settling_beta("beta", beta)
    top_clamped = check_bool("top_clamped", top_clamped)
    _circuit(weights, params)
    return beta, top_clamped


def init_weights(params: NGCParams, rng=None) -> Weights:
    """Initial synapses of a circuit described by ``params``.

    Parameters
    ----------
    params : NGCParams
    rng : None, int or numpy.random.Generator

    Returns
    -------
    Weights
        ``W`` (and ``E``, ``M`` where the variant has them) drawn from ``N(0, weight_sd^2)``,
        identity covariances ``Sigma`` (GNCN-t1-Sigma), and the fixed lateral matrices ``V``
        of {eq}`eq-ngc-lateral` when ``params.n_group > 0``.
    """
    check_instance("params", params, NGCParams)
    rng = as_rng(rng)
    s, L, sd = params.sizes, params.L, params.weight_sd
    W = [None] + [
        rng.normal(0.0, sd, (s[l], s[l - 1])) for l in range(1, L + 1)
    ]
    learned = params.error_synapses == "learned"
    E = [None] + [
        rng.normal(0.0, sd, (s[l - 1], s[l])) if learned else None
        for l in range(1, L + 1)
    ]
    M = [None, None] + [
        rng.normal(0.0, sd, (s[l], s[l - 2])) if params.skip else None
        for l in range(2, L + 1)
    ]
    Sigma = (
        [None]
        + [np.eye(s[l]) if params.precision else None for l in range(1, L)]
        + [None]
    )
    V = [None] + [
        lateral_matrix(s[l], params.n_group, params.alpha_e, params.alpha_h)
        if params.n_group
        else None
        for l in range(1, L + 1)
    ]
    return Weights(W, E, M, Sigma, V)


def _d_relu_at_zero_one(x):
    """ReLU derivative with the subgradient 1 at exactly 0, so a cold start (z = 0) can move."""
    return (np.asarray(x) >= 0).astype(float)


def _phi(params: NGCParams, l: int, top_clamped: bool):
    """(phi, phi') of layer ``l``: the clamped top is linear, the free top may differ.

    The derivative of ReLU at exactly 0 is taken as 1 (a valid subgradient): with the shared
    convention 0, every state of a cold-started ReLU circuit that uses phi' would stay at 0.
    """
    name = params.phi
    if l == params.L:
        name = "identity" if top_clamped else (params.phi_top or params.phi)
    f, df = activation(name)
    return (f, _d_relu_at_zero_one) if name == "relu" else (f, df)


def predictions(
    z: list, weights: Weights, params: NGCParams, top_clamped: bool = False
) -> list:
    """Top-down predictions ``zbar[l] = g^l(phi(z[l+1]) W[l+1] + phi(z[l+2]) M[l+2])``, l = 0 .. L-1.

    Implements {eq}`eq-ngc-prediction` (Ororbia & Kifer 2022; paper equation number not
    checked); the skip term only for PDH.

    Parameters
    ----------
    z : list of arrays
        States by layer, ``z[l]`` of shape ``(N, J_l)``; ``z[0]`` is not used.
    weights : Weights
    params : NGCParams
    top_clamped : bool
        If True the top layer is an input and enters linearly (no ``phi``).

    Returns
    -------
    list of arrays
        ``zbar[0] ... zbar[L-1]``, ``zbar[l]`` of shape ``(N, J_l)``.
    """
    _layers("z", z, params)
    check_bool("top_clamped", top_clamped)
    _circuit(weights, params)
    L = params.L
    act = [None] + [
        _phi(params, l, top_clamped)[0](z[l]) for l in range(1, L + 1)
    ]
    zbar = []
    for l in range(L):
        h = act[l + 1] @ weights.W[l + 1]
        if l + 2 <= L and weights.M[l + 2] is not None:
            h = h + act[l + 2] @ weights.M[l + 2]
        zbar.append(
            activation(params.g_out if l == 0 else params.g_hidden)[0](h)
        )
    return zbar


def precisions(weights: Weights) -> list:
    """The precision matrices ``Sigma[l]^{-1}`` (``None`` where a layer has no learned covariance)."""
    check_instance("weights", weights, Weights)
    return [None if S is None else np.linalg.inv(S) for S in weights.Sigma]


def error_neurons(
    z: list,
    zbar: list,
    weights: Weights,
    params: NGCParams,
    mask=None,
    prec=None,
) -> list:
    """Error neurons ``e[l] = (target[l] - zbar[l]) Sigma[l]^{-1}``, l = 0 .. L-1.

    Implements {eq}`eq-ngc-error` (Ororbia & Kifer 2022; paper equation number not checked).
    The bottom target is the clamped data ``z[0]``; hidden targets are ``z[l]`` or ``phi(z[l])``
    (``params.hidden_target``). ``mask`` (same shape as ``z[0]``, 1 = observed) silences the
    bottom errors of unobserved pixels.
    ``prec`` (from :func:`precisions`) saves recomputing the precisions at every step.

    Returns
    -------
    list of arrays
        ``e[0] ... e[L-1]``, ``e[l]`` of shape ``(N, J_l)``; the top layer has no error neurons.
    """
    _layers("z", z, params)
    _layers("zbar", zbar, params, 0)
    _circuit(weights, params)
    mask = _mask_prec(mask, prec, np.shape(z[0]), params)
    prec = precisions(weights) if prec is None else prec
    e = [z[0] - zbar[0]]
    if mask is not None:
        e[0] = e[0] * mask
    phi = activation(params.phi)[0]
    for l in range(1, params.L):
        target = z[l] if params.hidden_target == "state" else phi(z[l])
        err = target - zbar[l]
        if prec[l] is not None:
            err = err @ prec[l]
        e.append(err)
    return e


def total_discrepancy(e: list):
    """Total discrepancy ``sum_l sum_j (e[l]_j)^2``, averaged over the batch ({eq}`eq-ngc-tod`).

    A float for errors of shape ``(N, J_l)``; one value per circuit for a stack of circuits
    (errors of shape ``(S, N, J_l)``, see :func:`pcbook.ngc.fit_stack`).
    """
    check_instance("e", e, (list, tuple), "a list of arrays, one per layer")
    tod = sum(np.sum(err * err, axis=(-2, -1)) for err in e) / e[0].shape[-2]
    return float(tod) if np.ndim(tod) == 0 else tod


def state_update(
    z: list,
    e: list,
    weights: Weights,
    params: NGCParams,
    beta: float,
    top_clamped: bool = False,
) -> list:
    """One Euler step of the free states, driven by the previous step's errors.

    Implements {eq}`eq-ngc-state` (Ororbia & Kifer 2022; paper equation numbers
    not checked):
    ``z[l] += beta (-gamma_v z[l] + d[l] - phi(z[l]) V[l] - lam sign(z[l]))``
    with
    ``d[l] = -e[l] + phi'(z[l]) * (e[l-1] W[l]^T)`` (tied) or ``-e[l] + e[l-1]
    E[l]`` (learned).
    The top layer has no error of its own; clamped layers do not move.

    Parameters
    ----------
    z, e : lists of arrays
        States (``z[0]`` clamped) and the errors of the previous step.
    weights, params : the circuit.
    beta : float
        Step size.
    top_clamped : bool
        If True ``z[L]`` is clamped (an x -> y circuit) and is not updated.

    Returns
    -------
    list of arrays
        The new states (a new list; the arrays of ``z`` are not modified).
    """
    beta, top_clamped = _step_args(z, e, weights, params, beta, top_clamped)
    L = params.L
    new = list(z)
    for l in range(1, L if top_clamped else L + 1):
        f, df = _phi(params, l, top_clamped)
        if params.error_synapses == "tied":
            up = e[l - 1] @ np.swapaxes(weights.W[l], -1, -2)
        else:
            up = e[l - 1] @ weights.E[l]
        if params.use_dphi:
            up = up * df(z[l])
        d = up - e[l] if l < L else up
        dz = d - params.gamma_v * z[l]
        if weights.V and weights.V[l] is not None:
            dz = dz - f(z[l]) @ weights.V[l]
        if params.lam:
            dz = dz - params.lam * np.sign(z[l])
        new[l] = z[l] + beta * dz
    return new


def settle_step(
    z: list,
    e: list,
    weights: Weights,
    params: NGCParams,
    beta: float,
    top_clamped: bool = False,
    mask=None,
    prec=None,
) -> tuple[list, list, list]:
    """One settling step in ngc-learn's order: states from the previous errors, then predictions,
    then errors (part of {eq}`eq-ngc-settle`).

    Parameters are those of :func:`state_update` and :func:`error_neurons`.

    Returns
    -------
    tuple of lists
        ``(z, zbar, e)`` after the step.
    """
    beta, top_clamped = _step_args(z, e, weights, params, beta, top_clamped)
    z = state_update(z, e, weights, params, beta, top_clamped)
    zbar = predictions(z, weights, params, top_clamped)
    return z, zbar, error_neurons(z, zbar, weights, params, mask, prec)


def initial_state(
    x,
    weights: Weights,
    params: NGCParams,
    z_top=None,
    init: str = "zero",
    mask=None,
    prec=None,
) -> tuple[list, list, list]:
    """The ``(z, zbar, e)`` that settling starts from.

    ``init="zero"``: cold start, every free state, prediction and error at zero.
    ``init="feedforward"``: each hidden state set to its top-down prediction from the clamped
    top ``z_top`` (so hidden errors start at zero for a ``"state"`` target), errors computed.
    Arguments as in :func:`settle`.

    Returns
    -------
    tuple of lists
        ``(z, zbar, e)`` at step 0.
    """
    _circuit(weights, params)
    x = _clamped("x", x, params.sizes[0])
    check_choice("init", init, ("zero", "feedforward"))
    mask = _mask_prec(mask, prec, x.shape, params)
    lead, L = x.shape[:-1], params.L
    z = [x] + [np.zeros(lead + (j,)) for j in params.sizes[1:]]
    if z_top is not None:
        z[L] = _clamped("z_top", z_top, params.sizes[L], ndim=(2,))
        if z[L].shape != lead + (params.sizes[L],):
            raise ValueError(
                f"z_top: expected shape {lead + (params.sizes[L],)}, got {z[L].shape}"
            )
    if init == "zero":
        return (
            z,
            [np.zeros_like(a) for a in z[:L]],
            [np.zeros_like(a) for a in z[:L]],
        )
    if z_top is None:
        raise ValueError(
            "init: 'feedforward' needs a clamped top (pass z_top)"
        )
    for l in range(L - 1, 0, -1):
        z[l] = predictions(z, weights, params, True)[l]
    zbar = predictions(z, weights, params, True)
    return z, zbar, error_neurons(z, zbar, weights, params, mask, prec)


def settle(
    x,
    weights: Weights,
    params: NGCParams,
    K: int | None = None,
    beta: float | None = None,
    z_top=None,
    init: str = "zero",
    mask=None,
) -> SettleState:
    """Settle the circuit for ``K`` steps with the data ``x`` clamped at the bottom (inference).

    Implements {eq}`eq-ngc-settle`. ``init="zero"`` is the cold start (states and errors at
    zero: the first prediction of a sigmoid output is 0.5 everywhere); ``init="feedforward"``
    starts every hidden state at its top-down prediction from the clamped top ``z_top`` and
    computes the errors of that start.

    Parameters
    ----------
    x : array (N, J_0)
        Data clamped to the bottom layer.
    weights, params : the circuit.
    K, beta : int, float, optional
        Settling steps and step size (default ``params.K``, ``params.beta``).
    z_top : array (N, J_L), optional
        Clamp the top layer to this input (an x -> y circuit); None leaves it free.
    init : {"zero", "feedforward"}
    mask : array like ``x``, optional
        1 where the pixel is observed; unobserved pixels send no error (pattern completion).

    Returns
    -------
    SettleState
        Final states, predictions and errors, and the total discrepancy after every step.

    Examples
    --------
    >>> from pcbook import ngc
    >>> params = ngc.gncn_t1()
    >>> state = ngc.settle(np.zeros((2, 64)), ngc.init_weights(params, 0), params, K=1)
    >>> float(state.prediction[0, 0])
    0.5
    """
    _circuit(weights, params)
    x = _clamped("x", x, params.sizes[0], ndim=(2,))
    K = params.K if K is None else check_count("K", K, low=1)
    beta = params.beta if beta is None else check_settling_beta("beta", beta)
    return _settle_loop(x, weights, params, K, beta, z_top, init, mask)


def _settle_loop(
    x, weights, params, K, beta, z_top=None, init="zero", mask=None
) -> SettleState:
    """The settling loop of :func:`settle` without its checks; ``x`` may carry a leading
    stack axis ``(S, N, J_0)`` matching stacked weights (:func:`pcbook.ngc.fit_stack`)."""
    prec = precisions(weights)
    z, zbar, e = initial_state(x, weights, params, z_top, init, mask, prec)
    top_clamped = z_top is not None
    tod = np.empty((K,) + x.shape[:-2])
    for k in range(K):
        z, zbar, e = settle_step(
            z, e, weights, params, beta, top_clamped, mask, prec
        )
        tod[k] = total_discrepancy(e)
    return SettleState(z, zbar, e, tod)
