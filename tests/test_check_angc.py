"""The chapter 5 answer checks accept the reference answers and catch typical mistakes."""

import numpy as np

from pcbook import angc, check


def test_q_target_accepts_reference():
    assert check.q_target(angc.controller_target)


def test_q_target_catches_mistakes():
    def no_terminal(q, q_next, a, r, term, gamma):
        return angc.controller_target(
            q, q_next, a, r, np.zeros_like(term), gamma
        )

    def all_actions(q, q_next, a, r, term, gamma):
        return np.repeat(
            (r + gamma * q_next.max(axis=1) * (1 - term))[:, None],
            q.shape[1],
            axis=1,
        )

    def from_q(q, q_next, a, r, term, gamma):
        return angc.controller_target(q, q, a, r, term, gamma)

    v = check.q_target(no_terminal)
    assert not v and "(1 - terminated)" in v.hint
    v = check.q_target(all_actions)
    assert not v and "only y[i, action[i]]" in v.hint
    v = check.q_target(from_q)
    assert not v and "q_next" in v.hint


def test_state_coverage():
    assert check.state_coverage(angc.coverage)

    def visits(obs, low, high, bins):
        return len(obs) / bins**2

    def no_clip(obs, low, high, bins):
        cells = ((obs - low) / (high - low) * bins).astype(int)
        return len(set(map(tuple, cells))) / bins**2

    v = check.state_coverage(visits)
    assert not v and "set" in v.hint
    v = check.state_coverage(no_clip)
    assert not v and "clip" in v.hint


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
