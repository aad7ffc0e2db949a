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
    assert not verdict.ok and "inverse CDF" in verdict.message


def test_sampler_check_reports_an_unfinished_stub():
    def stub(b, u):
        raise NotImplementedError("Exercise 6.2")

    verdict = check.cb_sampler(stub)
    assert not verdict.ok and "not implemented" in verdict.message


# -- ex-attractor-learning --------------------------------------------------------------------------
def reference_update(J, b, sigma_prev, sigma_new, eta):
    return attractor.learning_rule(J, sigma_prev, sigma_new, eta)


def _with_diag_zero(dJ):
    np.fill_diagonal(dJ, 0)
    return dJ


def test_learning_check_passes_the_reference():
    assert check.coupling_update(reference_update).ok


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
