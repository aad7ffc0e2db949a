"""Answer checks for chapter 5, active neural generative coding."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pcbook import angc
from pcbook.check._verdict import answer_check, correct, wrong
from pcbook.validate import check_instance
from pcbook.check.ngc import reimplement, reuses

__all__ = ["q_target", "state_coverage", "zil_steps"]

#: the Mountain Car state box (position, velocity) of Exercise 5.2
MOUNTAIN_CAR_BOX = (np.array([-1.2, -0.07]), np.array([0.6, 0.07]))
#: the complete episodes of Exercise 5.2's runs (the run records a 21st, partial one)
EXPLORE_EPISODES = 20


def _target_case(seed):
    rng = np.random.default_rng(seed)
    q, q_next = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    a = rng.integers(0, 3, 6)
    r = rng.normal(size=6)
    term = np.array([0, 1, 0, 0, 1, 0])
    return q, q_next, a, r, term


_TARGET_ANSWER = (
    "y = a copy of q; for each row i: "
    "y[i, action[i]] = reward[i] + gamma * max(q_next[i]) * (1 - terminated[i])."
)


def _target_mistake(answer, q, q_next, a, r, term) -> object | None:
    """The verdict for a typical mistake in the clamped target, or None."""
    taken = np.arange(len(a)), a
    others = np.ones_like(q, bool)
    others[taken] = False
    if not np.allclose(answer[others], q[others]):
        return wrong(
            "the actions the agent did not take should keep their current values q.",
            "their errors must be zero: only one entry per row changes.",
            answer=_TARGET_ANSWER,
        )
    mistakes = [
        (
            r + 0.9 * q_next.max(axis=1),
            "episodes that ended in a terminal state still bootstrap from q_next.",
            "after a terminal state nothing comes next: its value is the reward alone.",
        ),
        (
            r + 0.9 * q.max(axis=1) * (1 - term),
            "you bootstrap from q (the current state), not from q_next.",
            "the value of what comes next is read from the target network's q_next.",
        ),
        (
            r + 0.9 * q_next[taken] * (1 - term),
            "you bootstrap from q_next of the action taken now.",
            "Q-learning assumes the best action next: the maximum over the row.",
        ),
        (
            r + q_next.max(axis=1) * (1 - term),
            "the bootstrap term is not discounted.",
            "multiply the value of the next state by gamma.",
        ),
    ]
    for candidate, message, hint in mistakes:
        if np.allclose(answer[taken], candidate):
            return wrong(message, hint, answer=_TARGET_ANSWER)
    return None


@answer_check("ex-angc-target")
def q_target(func):
    """Check ``func(q, q_next, action, reward, terminated, gamma)`` returns the controller's clamped target."""
    if reuses(func, angc.controller_target):
        return reimplement("angc.controller_target")
    for seed in range(3):
        q, q_next, a, r, term = _target_case(seed)
        args = (q.copy(), q_next.copy(), a.copy(), r.copy(), term.copy(), 0.9)
        answer = np.asarray(func(*args), dtype=float)
        changed = [
            name
            for name, given, kept in zip(("q", "q_next"), args, (q, q_next))
            if not np.array_equal(given, kept)
        ]
        if changed:
            return wrong(
                f"your function changed the caller's `{changed[0]}` in place.",
                "the agent still needs its predictions after building the "
                "target: write into a copy (np.array(q) or q.copy()).",
            )
        expected = angc.controller_target(q, q_next, a, r, term, 0.9)
        if answer.shape != q.shape:
            return wrong(
                f"expected an array of shape {q.shape} (one target per action), got {answer.shape}.",
                "start from a copy of q and overwrite only the taken action's entry.",
            )
        if np.allclose(answer, expected):
            continue
        verdict = _target_mistake(answer, q, q_next, a, r, term)
        if verdict is not None:
            return verdict
        return wrong(
            "the taken action's target is not the one-step Q-learning target.",
            "check the maximum is over actions (axis=-1), per transition.",
            answer=_TARGET_ANSWER,
        )
    return correct(
        "only the taken action is pushed, towards the one-step Q-learning target."
    )


_COVERAGE_ANSWER = (
    "cells = clip(floor((obs - low) / (high - low) * bins), 0, bins - 1) per "
    "axis; coverage = (number of distinct rows of cells) / bins**2."
)


def _coverage_function(func) -> object | None:
    """The verdict for a wrong ``state_coverage``, or None if it is right."""
    if reuses(func, angc.coverage):
        return reimplement("angc.coverage")
    rng = np.random.default_rng(0)
    low, high = MOUNTAIN_CAR_BOX
    cases = [
        (rng.uniform(low, high, (300, 2)), 20),
        (np.array([[0.6, 0.07], [0.59, 0.069], [-1.2, -0.07]]), 10),
        (rng.normal([-0.5, 0.0], [0.05, 0.005], (500, 2)), 20),
    ]
    for obs, bins in cases:
        answer = float(func(obs.copy(), low.copy(), high.copy(), bins))
        expected = angc.coverage(obs, low, high, bins)
        if np.isclose(answer, expected):
            continue
        if obs.max(axis=0)[0] >= high[0] and np.isclose(
            answer, expected, atol=1.5 / bins**2
        ):
            return wrong(
                "points on the upper edge of the box fall outside the grid.",
                "clip the cell indices to 0 .. bins - 1.",
                answer=_COVERAGE_ANSWER,
            )
        if np.isclose(answer, len(obs) / bins**2) or answer > 1:
            return wrong(
                f"got {answer:.4g}: you count visits, not distinct cells.",
                "a cell visited twice counts once: collect the distinct cells.",
                answer=_COVERAGE_ANSWER,
            )
        one_axis = (
            len(
                np.unique(
                    np.clip(
                        (
                            (obs[:, 0] - low[0]) / (high[0] - low[0]) * bins
                        ).astype(int),
                        0,
                        bins - 1,
                    )
                )
            )
            / bins
        )
        if np.isclose(answer, one_axis):
            return wrong(
                f"got {answer:.4g}: you count the cells of the position axis only.",
                "a cell is a (position, velocity) pair.",
                answer=_COVERAGE_ANSWER,
            )
        return wrong(
            f"got {answer:.4g}, expected {expected:.4g} for {len(obs)} points on a {bins}x{bins} grid.",
            "scale each axis of the box to 0 .. bins and cut it into whole cells.",
            answer=_COVERAGE_ANSWER,
        )
    return None


def _coverage_of_run(coverages, explore) -> object | None:
    """The verdict for the two coverages of Exercise 5.2's runs, or None if they are right."""
    got = np.asarray(coverages, dtype=float).ravel()
    n = len(explore.obs)
    if got.shape != (n,):
        return wrong(
            f"run_coverages returns {got.size} numbers; the run has {n} agents.",
            "one coverage per agent, in the order of explore.alpha_e.",
        )

    def per_agent(mask):
        return np.array(
            [
                angc.coverage(o[m], *MOUNTAIN_CAR_BOX)
                for o, m in zip(explore.obs, mask)
            ]
        )

    whole = explore.episode < EXPLORE_EPISODES
    if np.allclose(got, per_agent(whole)):
        return None
    if np.allclose(got, per_agent(np.ones_like(whole))):
        return wrong(
            "your coverages include the run's last, partial episode.",
            f"keep the steps of the {EXPLORE_EPISODES} complete episodes: "
            "explore.episode[i] < 20.",
        )
    return wrong(
        "your coverages differ from the grid of the exercise.",
        "use the Mountain Car box and bins = 20 on the steps with "
        "explore.episode[i] < 20.",
    )


@answer_check("ex-angc-explore")
def state_coverage(func, run_coverages=None, explore=None):
    """Check ``func(obs, low, high, bins)`` (the fraction of grid cells visited), then
    ``run_coverages(explore)``: one coverage per agent of the run, over its complete episodes.

    ``explore`` is the book's run (an :class:`pcbook.angc.ANGCResult`); a bad ``explore`` or a
    ``run_coverages`` that is not a function is an error, not a verdict."""
    if run_coverages is not None:
        check_instance(
            "run_coverages", run_coverages, Callable, "a function or None"
        )
    if explore is not None:
        check_instance(
            "explore", explore, angc.ANGCResult, "pcbook.angc.ANGCResult"
        )
    verdict = _coverage_function(func)
    if verdict is not None:
        return verdict
    if run_coverages is None or explore is None:
        return correct(
            "your coverage counts each visited cell of the grid once."
        )
    verdict = _coverage_of_run(run_coverages(explore), explore)
    if verdict is not None:
        return verdict
    return correct(
        "your coverage counts each visited cell once, and the two\n"
        "agents are compared on the same 20 complete episodes."
    )


@answer_check("ex-angc-zil")
def zil_steps(func):
    """Check ``func(L, l)`` returns after how many settling steps weight layer l's update equals backprop."""
    for L in range(1, 7):
        for l in range(1, L + 1):
            answer = func(L, l)
            if answer == L - l:
                continue
            if answer == l - 1:
                return wrong(
                    f"zil_steps({L}, {l}) = {answer}: you count from the input.",
                    "the output error is there at once; it needs one step per layer "
                    "to travel towards the input (layers nearer the input stay silent).",
                )
            if answer == L - l + 1:
                return wrong(
                    f"zil_steps({L}, {l}) = {answer} is one too many.",
                    "the last layer (l = L) needs no settling: its error is y - f(x) at step 0.",
                )
            return wrong(
                f"zil_steps({L}, {l}) = {answer!r}, expected {L - l}.",
                "follow the error from the output towards the input, "
                "one layer per step.",
            )
    return correct(
        "layer l's error equals the backprop delta after L - l steps of size 1."
    )
