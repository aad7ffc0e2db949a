"""Expected free energy on a small discrete model: a T-maze with a cue (chapter 5, first section).

An agent starts in the centre of a T. One arm holds a reward (the hidden context, left or
right, equally likely a priori); a cue location at the foot of the T shows which one, correctly
with probability ``cue_reliability``. The arms are absorbing: once in an arm the agent stays.
Its preferences are a distribution over outcomes, ``ln p(o) = C(o) - ln sum exp C`` with
``C = preference`` for "reward" and 0 for every other outcome.

For beliefs ``q(s)`` about the hidden state after a move, with outcome likelihood ``p(o|s)``,
the expected free energy of that move is (eq-efe-risk-ambiguity, eq-efe-values)

``G = KL[q(o) || p(o)] + E_q(s)[H[p(o|s)]]``  (risk + ambiguity)
``  = -E_q(o)[ln p(o)] - E_q(o)[KL[q(s|o) || q(s)]]``  (-pragmatic - epistemic value)

with ``q(o) = sum_s p(o|s) q(s)``; the epistemic value is the mutual information between
states and outcomes (the expected information gain). A plan of several moves sums the
expected free energy of its moves, each evaluated with the beliefs the agent will hold after
the outcomes before it (Friston et al. 2015; the recursive, belief-conditioned evaluation of
sophisticated inference, Friston et al. 2021).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from pcbook.validate import (
    check_finite_array,
    check_instance,
    check_int,
    check_positive,
    check_range,
    record,
)

__all__ = [
    "LOCATIONS",
    "OUTCOMES",
    "CONTEXTS",
    "TMaze",
    "likelihood",
    "log_preferences",
    "EFE",
    "expected_free_energy",
    "Plan",
    "plan",
    "first_moves",
]

LOCATIONS = ("centre", "cue", "left arm", "right arm")
OUTCOMES = ("nothing", "cue: left", "cue: right", "reward", "no reward")
CONTEXTS = ("reward left", "reward right")
_ARMS = (2, 3)


@dataclass(frozen=True)
class TMaze:
    """The T-maze's parameters."""

    cue_reliability: float = 0.9  # p(the cue shows the rewarded arm)
    reward_prob: float = (
        0.98  # p(reward) in the rewarded arm (1 - this in the other)
    )
    preference: float = (
        3.0  # C: ln p(reward) - ln p(any other outcome), in nats
    )
    horizon: int = 2  # moves the agent plans ahead

    def __post_init__(self):
        check_range("cue_reliability", self.cue_reliability, 0.0, 1.0)
        check_range("reward_prob", self.reward_prob, 0.0, 1.0)
        check_positive("preference", self.preference, allow_zero=True)
        check_int("horizon", self.horizon, 1, 4)


def likelihood(maze: TMaze) -> np.ndarray:
    """Outcome likelihood ``A[location, context, outcome] = p(o | s)`` of the T-maze."""
    check_instance("maze", maze, TMaze)
    if not isinstance(maze, TMaze):
        raise TypeError("maze: expected a TMaze")
    r, p = maze.cue_reliability, maze.reward_prob
    A = np.zeros((len(LOCATIONS), len(CONTEXTS), len(OUTCOMES)))
    A[0, :, 0] = 1.0  # centre: nothing to see
    A[1, 0, 1:3] = (
        r,
        1 - r,
    )  # cue: points to the rewarded arm with probability r
    A[1, 1, 1:3] = 1 - r, r
    for arm, good in zip(_ARMS, (0, 1)):
        A[arm, good, 3:5] = p, 1 - p
        A[arm, 1 - good, 3:5] = 1 - p, p
    return A


def log_preferences(maze: TMaze) -> np.ndarray:
    """``ln p(o)``: a softmax of ``C`` (``preference`` on "reward", 0 elsewhere)."""
    check_instance("maze", maze, TMaze)
    C = np.zeros(len(OUTCOMES))
    C[3] = maze.preference
    return C - np.log(np.sum(np.exp(C)))


def _xlogy(x, y):
    """``x ln y`` with ``0 ln 0 = 0``."""
    return np.where(x > 0, x * np.log(np.where(x > 0, y, 1.0)), 0.0)


@record
@dataclass(frozen=True)
class EFE:
    """Expected free energy and its two decompositions (floats, or arrays over moves)."""

    risk: float | np.ndarray  # KL[q(o) || p(o)]
    ambiguity: float | np.ndarray  # E_q(s) H[p(o|s)]
    pragmatic: float | np.ndarray  # E_q(o) ln p(o)
    epistemic: float | np.ndarray  # E_q(o) KL[q(s|o) || q(s)] = I(s; o)

    @property
    def G(self):
        """Risk plus ambiguity (eq-efe-risk-ambiguity)."""
        return self.risk + self.ambiguity

    @property
    def G_values(self):
        """Minus pragmatic minus epistemic value (eq-efe-values); equal to ``G``."""
        return -self.pragmatic - self.epistemic

    def __add__(self, other):
        return EFE(*(getattr(self, k) + getattr(other, k) for k in _FIELDS))

    def scaled(self, w):
        """Every term times ``w``, the probability of the outcome this EFE follows."""
        w = check_range("w", w, 0.0, 1.0)
        return EFE(*(w * getattr(self, k) for k in _FIELDS))


_FIELDS = ("risk", "ambiguity", "pragmatic", "epistemic")


def expected_free_energy(q_s, A_s, log_p_o) -> EFE:
    """Expected free energy of one move, both ways (eq-efe-risk-ambiguity, eq-efe-values).

    Parameters
    ----------
    q_s : array (n_states,)
        Beliefs about the hidden state after the move (a distribution).
    A_s : array (n_states, n_outcomes)
        ``p(o | s)`` at the place the move leads to; rows are distributions.
    log_p_o : array (n_outcomes,)
        Log preferences ``ln p(o)``.

    Returns
    -------
    EFE
        Risk and ambiguity, and pragmatic and epistemic value, each computed on its own.
    """
    q_s = check_finite_array("q_s", q_s, ndim=1)
    A_s = check_finite_array("A_s", A_s, ndim=2)
    log_p_o = check_finite_array("log_p_o", log_p_o, ndim=1)
    if np.any(q_s < 0) or abs(q_s.sum() - 1) > 1e-9:
        raise ValueError("q_s: expected a probability distribution")
    shape = (len(q_s), len(log_p_o))
    if (
        A_s.shape != shape
        or np.any(A_s < 0)
        or np.any(abs(A_s.sum(1) - 1) > 1e-9)
    ):
        raise ValueError(
            f"A_s: expected rows that are distributions, shape {shape}"
        )
    return _efe(q_s, A_s, log_p_o)


def _efe(q_s, A_s, log_p_o):
    """:func:`expected_free_energy` without the input checks (the planner's inner loop)."""
    q_o = q_s @ A_s
    risk = np.sum(_xlogy(q_o, q_o)) - q_o @ log_p_o
    ambiguity = -q_s @ np.sum(_xlogy(A_s, A_s), axis=1)
    joint = q_s[:, None] * A_s  # q(s, o)
    post = joint / np.where(q_o > 0, q_o, 1.0)  # q(s | o), columns
    epistemic = np.sum(_xlogy(joint, post)) - np.sum(
        _xlogy(joint, np.broadcast_to(q_s[:, None], joint.shape))
    )
    return EFE(
        risk=float(risk),
        ambiguity=float(ambiguity),
        pragmatic=float(q_o @ log_p_o),
        epistemic=float(epistemic),
    )


def _moves(loc):
    return (loc,) if loc in _ARMS else tuple(range(len(LOCATIONS)))


def _best(maze, A, log_p, loc, q_s, steps):
    """(EFE of the best plan of ``steps`` moves from ``loc`` with beliefs ``q_s``, its first move)."""
    options = [_value(maze, A, log_p, loc, a, q_s, steps) for a in _moves(loc)]
    k = int(np.argmin([o.G for o in options]))
    return options[k], _moves(loc)[k]


def _value(maze, A, log_p, loc, move, q_s, steps):
    """EFE of ``move`` followed by the best plan, beliefs updated on each possible outcome."""
    total = _efe(q_s, A[move], log_p)
    if steps > 1:
        q_o = q_s @ A[move]
        for o in np.flatnonzero(q_o > 0):
            post = q_s * A[move][:, o] / q_o[o]
            total = total + _best(maze, A, log_p, move, post, steps - 1)[
                0
            ].scaled(q_o[o])
    return total


@record
@dataclass(frozen=True)
class Plan:
    """Expected free energy of each first move from the centre (each followed by its best plan)."""

    maze: TMaze
    efe: EFE  # arrays (n_locations,): one entry per first move
    then: tuple  # for each outcome of the cue, the best next move (when horizon > 1)

    @property
    def best(self) -> int:
        """Index into LOCATIONS of the first move with the lowest G (the lowest index on ties)."""
        return int(np.argmin(np.round(self.efe.G, 12)))


@lru_cache(maxsize=512)
def plan(maze: TMaze = TMaze()) -> Plan:
    """Score every first move from the centre of the T-maze by expected free energy.

    Each first move is followed by the plan of lowest expected free energy for the remaining
    ``horizon - 1`` moves, evaluated with the beliefs updated on every outcome (Bayes' rule):
    ``G(move) = G_1 + E_q(o_1)[min G_2 | o_1] + ...`` (eq-efe-plan).

    Results are cached per maze (a frozen dataclass); do not modify the returned arrays.

    Returns
    -------
    Plan
    """
    check_instance("maze", maze, TMaze)
    if not isinstance(maze, TMaze):
        raise TypeError("maze: expected a TMaze")
    A, log_p = likelihood(maze), log_preferences(maze)
    prior = np.full(len(CONTEXTS), 1.0 / len(CONTEXTS))
    values = [
        _value(maze, A, log_p, 0, a, prior, maze.horizon)
        for a in range(len(LOCATIONS))
    ]
    efe = EFE(*(np.array([getattr(v, k) for v in values]) for k in _FIELDS))
    then = ()
    if maze.horizon > 1:
        then = tuple(
            _best(
                maze,
                A,
                log_p,
                1,
                prior * A[1][:, o] / (prior @ A[1][:, o]),
                maze.horizon - 1,
            )[1]
            if prior @ A[1][:, o] > 0
            else None
            for o in (1, 2)
        )
    return Plan(maze=maze, efe=efe, then=then)


def first_moves(
    cue_reliability, preference, reward_prob: float = 0.98, horizon: int = 2
) -> np.ndarray:
    """The best first move (index into LOCATIONS) on a grid of cue reliabilities x preferences."""
    r = check_finite_array("cue_reliability", cue_reliability, ndim=1)
    c = check_finite_array("preference", preference, ndim=1)
    return np.array(
        [
            [plan(TMaze(ri, reward_prob, ci, horizon)).best for ci in c]
            for ri in r
        ]
    )
