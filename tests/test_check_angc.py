"""The chapter 5 answer checks accept the reference answers and catch typical mistakes."""

import dataclasses

import numpy as np
import pytest

from pcbook import angc, check
from pcbook.check.angc import MOUNTAIN_CAR_BOX


def q_target(q, q_next, action, reward, terminated, gamma):
    """Reference solution of Exercise 5.1 (as in the notebook)."""
    y = np.array(q, dtype=float)
    rows = np.arange(len(action))
    y[rows, action] = reward + gamma * q_next.max(axis=1) * (1 - terminated)
    return y


def state_coverage(obs, low, high, bins=20):
    """Reference solution of Exercise 5.2."""
    idx = ((obs - low) / (high - low) * bins).astype(int)
    return len(np.unique(np.clip(idx, 0, bins - 1), axis=0)) / bins**2


def run_coverages(explore):
    """Reference solution of Exercise 5.2's second part."""
    low, high = MOUNTAIN_CAR_BOX
    return [
        state_coverage(obs[episode < 20], low, high)
        for obs, episode in zip(explore.obs, explore.episode)
    ]


def test_q_target_accepts_reference():
    assert check.q_target(q_target)


def test_package_wrappers_are_refused():
    from pcbook.angc import coverage as cov

    for func, target in (
        (angc.controller_target, "controller_target"),
        (lambda *a: angc.controller_target(*a), "controller_target"),
    ):
        v = check.q_target(func)
        assert not v and target in v.message and "yourself" in v.hint
    for func in (angc.coverage, lambda o, lo, hi, b: cov(o, lo, hi, b)):
        v = check.state_coverage(func)
        assert not v and "angc.coverage" in v.message


def _in_place(q, q_next, action, reward, terminated, gamma):
    rows = np.arange(len(action))
    q[rows, action] = reward + gamma * q_next.max(axis=1) * (1 - terminated)
    return q


def _no_terminal(q, q_next, a, r, term, gamma):
    return q_target(q, q_next, a, r, np.zeros_like(term), gamma)


def _all_actions(q, q_next, a, r, term, gamma):
    target = r + gamma * q_next.max(axis=1) * (1 - term)
    return np.repeat(target[:, None], q.shape[1], axis=1)


def _taken_next(q, q_next, a, r, term, gamma):
    y = np.array(q, dtype=float)
    rows = np.arange(len(a))
    y[rows, a] = r + gamma * q_next[rows, a] * (1 - term)
    return y


@pytest.mark.parametrize(
    "mistake, words",
    [
        (_in_place, "in place"),
        (_no_terminal, "terminal state"),
        (_all_actions, "keep their current values"),
        (lambda q, qn, a, r, t, g: q_target(q, q, a, r, t, g), "q_next"),
        (_taken_next, "maximum over the row"),
        (lambda q, qn, a, r, t, g: q_target(q, qn, a, r, t, 1.0), "gamma"),
    ],
)
def test_q_target_catches_mistakes(mistake, words):
    v = check.q_target(mistake)
    assert not v and words in v.message + v.hint, v
    assert "y[i, action[i]] =" not in v.hint  # the formula waits


def test_state_coverage():
    assert check.state_coverage(state_coverage)

    def visits(obs, low, high, bins):
        return len(obs) / bins**2

    def no_clip(obs, low, high, bins):
        cells = ((obs - low) / (high - low) * bins).astype(int)
        return len(set(map(tuple, cells))) / bins**2

    def position_only(obs, low, high, bins):
        idx = ((obs - low) / (high - low) * bins).astype(int)
        return len(np.unique(np.clip(idx[:, 0], 0, bins - 1))) / bins

    v = check.state_coverage(visits)
    assert not v and "distinct" in v.hint
    v = check.state_coverage(no_clip)
    assert not v and "clip" in v.hint
    v = check.state_coverage(position_only)
    assert not v and "position axis" in v.message


def _fake_run(seed=0):
    """Two agents' observations over 20 episodes and a 21st, partial one."""
    rng = np.random.default_rng(seed)
    low, high = MOUNTAIN_CAR_BOX
    obs = rng.uniform(low, high, (2, 300, 2))
    obs[:, 280:] = [0.55, 0.065]  # the partial episode visits a corner
    episode = np.repeat(np.arange(21), [14] * 20 + [20])[None].repeat(2, 0)
    fields = {f.name: np.zeros(0) for f in dataclasses.fields(angc.ANGCResult)}
    given = {"env": "MountainCar-v0", "obs": obs, "episode": episode}
    return angc.ANGCResult(**fields | given)


def test_coverages_of_the_run_are_measured_on_the_complete_episodes():
    run = _fake_run()
    right = [
        angc.coverage(o[e < 20], *MOUNTAIN_CAR_BOX)
        for o, e in zip(run.obs, run.episode)
    ]
    whole = [angc.coverage(o, *MOUNTAIN_CAR_BOX) for o in run.obs]
    assert right != whole

    def returns(values):
        return lambda explore: values

    assert check.state_coverage(state_coverage, run_coverages, run)
    v = check.state_coverage(state_coverage, returns(whole), run)
    assert not v and "partial episode" in v.message
    v = check.state_coverage(state_coverage, returns(right[:1]), run)
    assert not v and "2 agents" in v.message
    v = check.state_coverage(state_coverage, returns([0.5, 0.5]), run)
    assert not v and "episode[i] < 20" in v.hint
    v = check.state_coverage(state_coverage, returns(None), run)
    assert not v and "returned None" in v.message


@pytest.mark.parametrize(
    "context, error, match",
    [
        (
            {"run_coverages": "abc"},
            TypeError,
            "run_coverages: expected a function",
        ),
        (
            {"explore": "abc"},
            TypeError,
            "explore: expected pcbook.angc.ANGCResult",
        ),
    ],
)
def test_a_bad_context_is_an_error_not_a_verdict(context, error, match):
    arguments = {"run_coverages": run_coverages, "explore": _fake_run()}
    with pytest.raises(error, match=match):
        check.state_coverage(state_coverage, **arguments | context)


def test_zil_steps():
    assert check.zil_steps(lambda L, l: L - l)
    v = check.zil_steps(lambda L, l: l - 1)
    assert not v and "one step per layer" in v.hint
    v = check.zil_steps(lambda L, l: L - l + 1)
    assert not v and "no settling" in v.hint


def test_stub_is_not_implemented_yet():
    def stub(*args):
        raise NotImplementedError("Exercise 5.1")

    assert "not implemented" in check.q_target(stub).message
