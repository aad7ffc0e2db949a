"""The chapter 6 answer checks pass the reference solutions and catch the typical mistakes."""

import numpy as np

from pcbook import attractor, check
from pcbook.continuous_bernoulli import _sample, langevin


# -- ex-attractor-sampler ---------------------------------------------------------------------------
def test_sampler_check_passes_the_reference():
    assert check.cb_sampler(_sample).ok


def test_sampler_check_passes_a_plain_logaddexp_solution():
    def student(b, u):
        b = np.asarray(b, dtype=float)
        safe = np.where(np.abs(b) < 1e-8, 1.0, b)
        x = np.logaddexp(safe + np.log(u), np.log1p(-u) - safe) / safe
        return np.where(np.abs(b) < 1e-8, 2 * u - 1, x)

    verdict = check.cb_sampler(student)
    assert verdict.ok, verdict


def test_sampler_check_catches_overflow_zero_and_sign():
    naive = lambda b, u: np.log(np.exp(-b) + u * (np.exp(b) - np.exp(-b))) / b
    verdict = check.cb_sampler(naive)
    assert (
        not verdict.ok and "0/0" in verdict.hint
    )  # b = 0 is met before b = 800

    def no_zero_branch_overflows(b, u):
        safe = np.where(b == 0, 1.0, b)
        x = np.log(np.exp(-safe) + u * (np.exp(safe) - np.exp(-safe))) / safe
        return np.where(b == 0, 2 * u - 1, x)

    verdict = check.cb_sampler(no_zero_branch_overflows)
    assert not verdict.ok and "logaddexp" in verdict.hint
    verdict = check.cb_sampler(lambda b, u: -_sample(b, u))
    assert not verdict.ok and "sign" in verdict.message
    verdict = check.cb_sampler(lambda b, u: 2 * u - 1)
    assert not verdict.ok and "uniform sample" in verdict.message
    verdict = check.cb_sampler(lambda b, u: _sample(b, u) ** 3)
    assert not verdict.ok and "inverse CDF" in verdict.message


def _uniform_below(threshold):
    def sampler(b, u):
        b = np.asarray(b, dtype=float)
        small = np.abs(b) < threshold
        safe = np.where(small, 1.0, b)
        x = np.logaddexp(safe + np.log(u), np.log1p(-u) - safe) / safe
        return np.where(small, 2 * u - 1, x)

    return sampler


def test_sampler_check_catches_a_uniform_shortcut_taken_too_early():
    """2u - 1 for |b| < 0.5 is 0.19 off at b = 0.4; small |b| are tested to 1e-6."""
    for threshold in (0.5, 0.1, 1e-3):
        verdict = check.cb_sampler(_uniform_below(threshold))
        assert not verdict.ok and "uniform sample 2u - 1" in verdict.message
        assert "only at b = 0" in verdict.hint
    assert check.cb_sampler(_uniform_below(1e-8)).ok


def test_sampler_check_reports_an_unfinished_stub():
    def stub(b, u):
        raise NotImplementedError("Exercise 6.2")

    verdict = check.cb_sampler(stub)
    assert not verdict.ok and "not implemented" in verdict.message


# -- ex-attractor-learning --------------------------------------------------------------------------
def reference_update(J, b, sigma_prev, sigma_new, eta):
    """Reference solution of Exercise 6.3 (as in the notebook)."""
    dJ = eta * np.outer(sigma_new - langevin(J @ sigma_prev), sigma_new)
    np.fill_diagonal(dJ, 0.0)
    return dJ


def _with_diag_zero(dJ):
    np.fill_diagonal(dJ, 0)
    return dJ


def test_learning_check_passes_the_reference():
    assert check.coupling_update(reference_update).ok


def test_learning_check_refuses_the_package_rule():
    wrapper = lambda J, b, sp, sn, eta: attractor.learning_rule(J, sp, sn, eta)
    verdict = check.coupling_update(wrapper)
    assert not verdict.ok and "learning_rule" in verdict.message


def test_learning_hints_hold_back_the_formula():
    unscaled = lambda J, b, sp, sn, eta: reference_update(J, b, sp, sn, 1.0)
    verdict = check.coupling_update(unscaled)
    assert not verdict.ok and "eta" in verdict.hint
    vague = lambda J, b, sp, sn, eta: reference_update(J, b, sp, sn, eta) + 1
    verdict = check.coupling_update(vague)
    assert not verdict.ok and "L(sum_j" not in verdict.hint
    assert "L(sum_j J_ij sigma_prev_j)" in verdict.answer


def test_learning_check_catches_the_papers_literal_rule_with_the_bias():
    paper = lambda J, b, sp, sn, eta: _with_diag_zero(
        np.outer(eta * (sn - langevin(b + J @ sn)), sn)
    )
    verdict = check.coupling_update(paper)
    assert not verdict.ok and "bias" in verdict.message
    paper_prev = lambda J, b, sp, sn, eta: _with_diag_zero(
        np.outer(eta * (sn - langevin(b + J @ sp)), sn)
    )
    assert "bias" in check.coupling_update(paper_prev).message


def test_learning_check_catches_new_state_diagonal_and_transpose():
    now = lambda J, b, sp, sn, eta: _with_diag_zero(
        np.outer(eta * (sn - langevin(J @ sn)), sn)
    )
    assert "sigma_new" in check.coupling_update(now).message
    diag = lambda J, b, sp, sn, eta: np.outer(
        eta * (sn - langevin(J @ sp)), sn
    )
    assert "diagonal" in check.coupling_update(diag).message
    trans = lambda J, b, sp, sn, eta: reference_update(J, b, sp, sn, eta).T
    assert "transposed" in check.coupling_update(trans).message


# -- ex-attractor-transitions -----------------------------------------------------------------------
def reference_transitions(labels, k):
    labels = np.asarray(labels)
    changed = labels[1:] != labels[:-1]
    n = int(changed.sum())
    forward = np.sum(changed & (labels[1:] == (labels[:-1] + 1) % k))
    return n, (forward / n if n else 0.0)


def test_transitions_check_passes_the_reference():
    verdict = check.replay_transitions(reference_transitions)
    assert verdict.ok, verdict


def test_transitions_check_catches_missing_wrap_around_and_frame_counts():
    def no_wrap(labels, k):
        changed = labels[1:] != labels[:-1]
        n = int(changed.sum())
        return n, (
            np.sum(changed & (labels[1:] == labels[:-1] + 1)) / n if n else 0.0
        )

    verdict = check.replay_transitions(no_wrap)
    assert not verdict.ok and "3 -> 1" in verdict.hint
    verdict = check.replay_transitions(lambda labels, k: (len(labels), 1.0))
    assert not verdict.ok and "frames" in verdict.hint
    verdict = check.replay_transitions(
        lambda labels, k: reference_transitions(labels, k)[0]
    )
    assert not verdict.ok and "pair" in verdict.message


# -- ex-attractor-window --------------------------------------------------------------------------
def test_window_check_passes_the_clean_values_and_names_each_mistake():
    from pcbook.check.attractor import (
        WINDOW_DIGITS,
        WINDOW_GRID,
        clean_cycle_failure,
        window_run,
    )

    why = {
        v: clean_cycle_failure(window_run(WINDOW_DIGITS, v))
        for v in WINDOW_GRID
    }
    clean = [v for v in WINDOW_GRID if not why[v]]
    assert clean == [3.5, 4.0]  # later than digits 1, 2, 3 (1.5 and 2.0)
    assert check.training_window(clean).ok
    assert check.training_window(np.array(clean[::-1])).ok
    verdict = check.training_window([1.5, 2.0])
    assert not verdict.ok and "digits 1, 2, 3" in verdict.message
    verdict = check.training_window(clean + [2.5])
    assert not verdict.ok and "2.5" in verdict.message
    assert "go forward" in verdict.message
    verdict = check.training_window(clean[:1])
    assert not verdict.ok and "leaves out 1" in verdict.message
    verdict = check.training_window([3.75])
    assert not verdict.ok and "not on the grid" in verdict.message
    assert "not answered" in check.training_window(...).message
