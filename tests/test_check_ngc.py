"""Answer checks of chapter 4: the reference solutions pass, typical mistakes fail with their hint."""

from __future__ import annotations

import numpy as np
import pytest

from pcbook import check, maths, ngc


def drift_z1(x, z1, z2, W1, W2, gamma_v, lam):
    """Reference solution of Exercise 4.1 (as in the notebook)."""
    e0 = x - maths.sigmoid(np.tanh(z1) @ W1)
    e1 = z1 - np.tanh(z2) @ W2
    return (
        -e1
        + (1 - np.tanh(z1) ** 2) * (e0 @ W1.T)
        - gamma_v * z1
        - lam * np.sign(z1)
    )


def modulation(W):
    """Reference solution of Exercise 4.2."""
    m = np.abs(W).sum(axis=0)
    return np.tile(np.minimum(2 * m / m.max(), 1.0), (W.shape[0], 1))


def test_drift_reference_passes():
    assert check.ngc_state_drift(drift_z1)


@pytest.mark.parametrize(
    "mistake, hint",
    [
        (
            lambda x, z1, z2, W1, W2, gamma_v, lam: (
                -(z1 - np.tanh(z2) @ W2)
                + (x - maths.sigmoid(np.tanh(z1) @ W1)) @ W1.T
                - gamma_v * z1
                - lam * np.sign(z1)
            ),
            "phi'(z1)",
        ),
        (
            lambda x, z1, z2, W1, W2, gamma_v, lam: (
                drift_z1(x, z1, z2, W1, W2, gamma_v, lam)
                + 2 * (z1 - np.tanh(z2) @ W2)
            ),
            "wrong sign",
        ),
        (
            lambda x, z1, z2, W1, W2, gamma_v, lam: drift_z1(
                x, z1, z2, W1, W2, 0.0, 0.0
            ),
            "leak",
        ),
        (
            lambda x, z1, z2, W1, W2, gamma_v, lam: drift_z1(
                x, z1, z2, W1, W2, gamma_v, lam
            )[:1],
            "shape",
        ),
    ],
)
def test_drift_mistakes_get_their_hint(mistake, hint):
    verdict = check.ngc_state_drift(mistake)
    assert not verdict
    assert hint in verdict.message + verdict.hint


def test_drift_stub_is_not_implemented():
    def stub(x, z1, z2, W1, W2, gamma_v, lam):
        raise NotImplementedError("Exercise 4.1")

    assert "not implemented" in check.ngc_state_drift(stub).message


def test_modulation_reference_passes():
    assert check.ngc_modulation(modulation)
    assert check.ngc_modulation(ngc.modulation_matrix)


@pytest.mark.parametrize(
    "mistake, hint",
    [
        (
            lambda W: np.tile(
                np.minimum(2 * W.sum(0) / W.sum(0).max(), 1), (W.shape[0], 1)
            ),
            "signed",
        ),
        (
            lambda W: np.tile(
                np.minimum(2 * np.abs(W).sum(1) / np.abs(W).sum(1).max(), 1)[
                    :, None
                ],
                (1, W.shape[1]),
            ),
            "per row",
        ),
        (
            lambda W: np.tile(
                2 * np.abs(W).sum(0) / np.abs(W).sum(0).max(), (W.shape[0], 1)
            ),
            "exceed 1",
        ),
        (
            lambda W: np.minimum(
                2 * np.abs(W).sum(0) / np.abs(W).sum(0).max(), 1
            ),
            "shape",
        ),
    ],
)
def test_modulation_mistakes_get_their_hint(mistake, hint):
    verdict = check.ngc_modulation(mistake)
    assert not verdict
    assert hint in verdict.message + verdict.hint


def test_unanswered_explorations_say_so():
    assert "not answered" in check.ngc_settling_time(..., None, None).message
    assert (
        "not answered"
        in check.ngc_completion_limit(..., None, None, None).message
    )


@pytest.fixture(scope="module")
def run():
    return ngc.fit_models(seed=0, epochs=10)


@pytest.mark.slow
def test_settling_time_answers(run):
    pdh, X = run.models["pdh"], run.data.X_test
    right = check.ngc_settling_time(10, pdh, X)
    assert right and "10" not in repr(
        right
    )  # the message does not give the answer away
    assert all(len(line) <= 76 for line in repr(right).splitlines())
    verdict = check.ngc_settling_time(5, pdh, X)
    assert not verdict and "training setting" in verdict.message
    assert not check.ngc_settling_time(1, pdh, X)


@pytest.mark.slow
def test_completion_limit_answers(run):
    pdh, data = run.models["pdh"], run.data
    fill = data.X_train.mean(axis=0)
    right = check.ngc_completion_limit(0.8, pdh, data.X_test, fill)
    assert right and "0.8" not in repr(right)
    assert all(len(line) <= 76 for line in repr(right).splitlines())
    too_far = check.ngc_completion_limit(0.9, pdh, data.X_test, fill)
    assert not too_far and "not below" in too_far.message
    too_near = check.ngc_completion_limit(0.5, pdh, data.X_test, fill)
    assert not too_near and "still beats" in too_near.message
