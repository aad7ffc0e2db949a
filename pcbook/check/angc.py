"""Answer checks for chapter 5, active neural generative coding."""

from __future__ import annotations

import numpy as np

from pcbook import angc
from pcbook.check._verdict import answer_check, correct, wrong

__all__ = ["q_target", "state_coverage", "zil_steps"]


def _target_case(seed):
    rng = np.random.default_rng(seed)
    q, q_next = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    a = rng.integers(0, 3, 6)
    r = rng.normal(size=6)
    term = np.array([0, 1, 0, 0, 1, 0])
    return q, q_next, a, r, term


@answer_check("ex-angc-target")
def q_target(func):
    """Check ``func(q, q_next, action, reward, terminated, gamma)`` returns the controller's clamped target."""
    for seed in range(3):
        q, q_next, a, r, term = _target_case(seed)
        args = (q.copy(), q_next.copy(), a.copy(), r.copy(), term.copy(), 0.9)
        answer = np.asarray(func(*args), dtype=float)
        expected = angc.controller_target(q, q_next, a, r, term, 0.9)
        if answer.shape != q.shape:
            return wrong(
                f"expected an array of shape {q.shape} (one target per action), got {answer.shape}.",
                "start from a copy of q and overwrite only the taken action's entry.",
            )
        if np.allclose(answer, expected):
            continue
        taken = np.arange(len(a)), a
        others = np.ones_like(q, bool)
        others[taken] = False
        if not np.allclose(answer[others], q[others]):
            return wrong(
                "the actions the agent did not take should keep their current values q.",
                "their errors must be zero, so only y[i, action[i]] changes.",
            )
        no_term = r + 0.9 * q_next.max(axis=1)
        if np.allclose(answer[taken], no_term):
            return wrong(
                "episodes that ended in a terminal state still bootstrap from q_next.",
                "multiply the bootstrap term by (1 - terminated).",
            )
        if np.allclose(answer[taken], r + 0.9 * q.max(axis=1) * (1 - term)):
            return wrong(
                "you bootstrap from q (the current state), not from q_next.",
                "the value of what comes next is max over actions of q_next.",
            )
        return wrong(
            "the taken action's target is not r + gamma * max q_next * (1 - terminated).",
            "check the maximum is over actions (axis=-1), per transition.",
        )
    return correct(
        "only the taken action is pushed, towards the one-step Q-learning target."
    )


@answer_check("ex-angc-explore")
def state_coverage(func):
    """Check ``func(obs, low, high, bins)`` returns the fraction of grid cells visited."""
    rng = np.random.default_rng(0)
    low, high = np.array([-1.2, -0.07]), np.array([0.6, 0.07])
    cases = [
        (rng.uniform(low, high, (300, 2)), 20),
        (np.array([[0.6, 0.07], [0.59, 0.069], [-1.2, -0.07]]), 10),
        (rng.normal([-0.5, 0.0], [0.05, 0.005], (500, 2)), 20),
    ]
    for obs, bins in cases:
        answer = float(func(obs.copy(), low, high, bins))
        expected = angc.coverage(obs, low, high, bins)
        if np.isclose(answer, expected):
            continue
        if obs.max(axis=0)[0] >= high[0] and np.isclose(
            answer, expected, atol=1.5 / bins**2
        ):
            return wrong(
                "points on the upper edge of the box fall outside the grid.",
                "clip the cell indices to 0 .. bins - 1.",
            )
        if np.isclose(answer, len(obs) / bins**2) or answer > 1:
            return wrong(
                f"got {answer:.4g}: you count visits, not distinct cells.",
                "collect the visited (i, j) cells in a set (or np.unique) and divide by bins**2.",
            )
        return wrong(
            f"got {answer:.4g}, expected {expected:.4g} for {len(obs)} points on a {bins}x{bins} grid.",
            "cell index = floor((obs - low) / (high - low) * bins), per axis.",
        )
    return correct("your coverage counts each visited cell of the grid once.")


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
