"""Answer checks of chapter 4: the reference solutions pass, typical mistakes fail with their hint."""

from __future__ import annotations

from typing import NamedTuple

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


def _drift_variant(e1_of_phi=False, linear_out=False):
    def drift(x, z1, z2, W1, W2, gamma_v, lam):
        p = np.tanh(z1) @ W1
        e0 = x - (p if linear_out else maths.sigmoid(p))
        e1 = (np.tanh(z1) if e1_of_phi else z1) - np.tanh(z2) @ W2
        return (
            -e1
            + (1 - np.tanh(z1) ** 2) * (e0 @ W1.T)
            - gamma_v * z1
            - lam * np.sign(z1)
        )

    return drift


@pytest.mark.parametrize(
    "mistake, words",
    [
        (_drift_variant(e1_of_phi=True), "compares phi(z1)"),
        (_drift_variant(linear_out=True), "sigmoid"),
        (lambda **a: -drift_z1(**a), "opposite sign"),
    ],
)
def test_drift_target_and_output_mistakes_are_named(mistake, words):
    verdict = check.ngc_state_drift(mistake)
    assert not verdict and words in verdict.message + verdict.hint


def test_first_hint_never_gives_the_formula():
    """The nudge names the part that is wrong; the formula waits in `answer`."""
    fresh = check.ngc_state_drift(_drift_variant(linear_out=True))
    assert "1 - tanh" not in fresh.hint and "e0 @ W1.T" in fresh.answer
    assert "Answer:" not in repr(fresh) or fresh.revealed
    shown = check.ngc_state_drift(_drift_variant(linear_out=True), reveal=True)
    assert "Answer: -dF/dz1" in repr(shown)


def test_drift_stub_is_not_implemented():
    def stub(x, z1, z2, W1, W2, gamma_v, lam):
        raise NotImplementedError("Exercise 4.1")

    assert "not implemented" in check.ngc_state_drift(stub).message


def test_modulation_reference_passes():
    assert check.ngc_modulation(modulation)


def test_modulation_wrappers_of_the_package_are_refused():
    from pcbook.ngc import modulation_matrix as mm

    for wrapper in (
        ngc.modulation_matrix,
        lambda W: ngc.modulation_matrix(W),
        lambda W: mm(W) + 0.0,
    ):
        verdict = check.ngc_modulation(wrapper)
        assert not verdict and "write it yourself" in verdict.hint


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
            lambda W: np.tile(
                np.minimum(np.abs(W).sum(0) / np.abs(W).sum(0).max(), 1),
                (W.shape[0], 1),
            ),
            "half",
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
    assert "min(2 m_j" not in verdict.hint  # the formula waits in `answer`
    assert "M_W[i, j] = min(2 m_j / max_k m_k, 1)" in verdict.answer


# -- ex-ngc-settle-energy ------------------------------------------------------
def energy_z1(x, z1, z2, W1, W2, gamma_v, lam):
    p = maths.sigmoid(np.tanh(z1) @ W1)
    bce = -np.sum(x * np.log(p) + (1 - x) * np.log(1 - p))
    hidden = 0.5 * np.sum((z1 - np.tanh(z2) @ W2) ** 2)
    return (
        bce + hidden + 0.5 * gamma_v * np.sum(z1**2) + lam * np.abs(z1).sum()
    )


def settle_energies(x, z1, z2, W1, W2, gamma_v, lam, beta, K):
    """Reference solution of the settling exercise (energy of z1 only)."""
    args = (x, z1, z2, W1, W2, gamma_v, lam)
    trace = [energy_z1(*args)]
    for _ in range(K):
        z1 = z1 + beta * drift_z1(x, z1, z2, W1, W2, gamma_v, lam)
        args = (x, z1, z2, W1, W2, gamma_v, lam)
        trace.append(energy_z1(*args))
    return np.array(trace)


@pytest.fixture
def case():
    from pcbook.check.ngc import _drift_case

    return _drift_case(0)[0]


def test_settle_energy_reference_and_step_size(case):
    from pcbook.check.ngc import _reaches_minimum

    largest = max(_reaches_minimum(case))
    assert largest == 0.5  # 2 / (largest curvature) is about 0.8 here
    right = check.ngc_settle_energy(settle_energies, largest, case)
    assert right, right
    assert not check.ngc_settle_energy(settle_energies, None, case)
    too_big = check.ngc_settle_energy(settle_energies, 1.0, case)
    assert not too_big and "does not end at the minimum" in too_big.message
    too_small = check.ngc_settle_energy(settle_energies, 0.2, case)
    assert not too_small and "still reaches" in too_small.message
    off = check.ngc_settle_energy(settle_energies, 0.3, case)
    assert not off and "not one of the step sizes" in off.message


def _settle_variant(sign=1.0, leak=True, mean=False, skip_first=False):
    def settle(x, z1, z2, W1, W2, gamma_v, lam, beta, K):
        def F(z):
            f = energy_z1(x, z, z2, W1, W2, gamma_v, lam)
            if not leak:
                f -= 0.5 * gamma_v * np.sum(z**2) + lam * np.abs(z).sum()
            return f / len(x) if mean else f

        trace = [F(z1)]
        for _ in range(K):
            z1 = z1 + sign * beta * drift_z1(x, z1, z2, W1, W2, gamma_v, lam)
            trace.append(F(z1))
        return np.array(trace[1:] if skip_first else trace)

    return settle


@pytest.mark.parametrize(
    "mistake, words",
    [
        (_settle_variant(sign=-1.0), "climb"),
        (_settle_variant(leak=False), "leak and the prior"),
        (_settle_variant(mean=True), "mean over the images"),
        (_settle_variant(skip_first=True), "K + 1"),
        (_settle_variant(sign=0.0), "does not change"),
    ],
)
def test_settle_energy_mistakes_get_their_hint(mistake, words, case):
    verdict = check.ngc_settle_energy(mistake, 0.5, case)
    assert not verdict and words in verdict.message + verdict.hint, verdict


@pytest.mark.parametrize(
    "answer, words",
    [
        ((10, 0.1), "tuple of 2 items"),
        ("ten", "not a number"),
        ([1.0], "list"),
    ],
)
def test_settling_time_that_is_not_one_number_is_named(answer, words, small):
    verdict = check.ngc_settling_time(answer, small.model, small.X)
    assert not verdict and words in verdict.message
    assert "run your function" not in verdict.hint


def test_completion_given_in_percent_is_named(small):
    verdict = check.ngc_completion_limit("80", *small)
    assert not verdict and "percentage" in verdict.message
    assert "0.8" not in repr(verdict)  # the example does not give the answer


def test_unanswered_explorations_say_so(small):
    assert "not answered" in check.ngc_settling_time(..., *small[:2]).message
    assert "not answered" in check.ngc_completion_limit(..., *small).message


@pytest.mark.parametrize("answer", [..., 10])
def test_bad_context_is_the_callers_error_even_unanswered(answer, small):
    """The model, images and grids come from the notebook: a bad one raises at once (naming
    the argument), answered or not, instead of a verdict that blames the student."""
    model, X, fill = small
    with pytest.raises(TypeError, match=r"^model: expected NGC"):
        check.ngc_settling_time(answer, None, X)
    with pytest.raises(TypeError, match=r"^model\.weights_: .*fit"):
        check.ngc_settling_time(answer, ngc.NGC(), X)
    with pytest.raises(TypeError, match="^X"):
        check.ngc_settling_time(answer, model, None)
    with pytest.raises(ValueError, match=r"^X: expected shape \(any, 64\)"):
        check.ngc_settling_time(answer, model, X[:, :10])
    with pytest.raises(ValueError, match="^X: must lie in"):
        check.ngc_settling_time(answer, model, X * 255)
    with pytest.raises(ValueError, match="^Ks"):
        check.ngc_settling_time(answer, model, X, Ks=(10**9,))
    with pytest.raises(ValueError, match="^betas"):
        check.ngc_settling_time(answer, model, X, betas=(2.0,))
    with pytest.raises(TypeError, match="^model"):
        check.ngc_completion_limit(answer, None, X, fill)
    with pytest.raises(ValueError, match="^fill"):
        check.ngc_completion_limit(answer, model, X, fill[:10])
    with pytest.raises(ValueError, match="^fractions"):
        check.ngc_completion_limit(answer, model, X, fill, fractions=(80,))
    with pytest.raises(TypeError, match="^rng"):
        check.ngc_completion_limit(answer, model, X, fill, rng=2.5)


def test_settle_energy_case_is_the_callers_error(case):
    with pytest.raises(TypeError, match="^case: expected a dict"):
        check.ngc_settle_energy(settle_energies, 0.5, [case])
    with pytest.raises(TypeError, match=r"^case\['W2'\]"):
        check.ngc_settle_energy(
            settle_energies, 0.5, {k: v for k, v in case.items() if k != "W2"}
        )
    verdict = check.ngc_settle_energy(settle_energies, 0.5, None)
    assert not verdict and "pass the circuit" in verdict.message


class Context(NamedTuple):
    """The context an exploration check is called with: model, images, mean image."""

    model: ngc.NGC
    X: np.ndarray
    fill: np.ndarray


@pytest.fixture(scope="module")
def small():
    """A small real context: an NGC (initial synapses), test digits and their mean."""
    data = ngc.load_binary_digits(rng=0)
    model = ngc.NGC(ngc.gncn_t1((64, 8, 4), K=5), rng=0).fit(
        data.X_train[:20], epochs=0
    )
    return Context(model, data.X_test[:20], data.X_train.mean(axis=0))


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


class _TimeOnlyModel(ngc.NGC):
    """A real NGC (initial synapses) whose test BCE depends on the settling time beta * K
    only (best at 10), so that each verdict of the check can be reached on purpose."""

    def score(self, X, K=None, beta=None):
        return abs(np.log(K * beta / 10.0))


@pytest.mark.parametrize(
    "answer, words",
    [
        (10, None),
        (5, "training setting"),
        (100, "number of steps K"),
        (40, "does not give the lowest"),
    ],
)
def test_settling_time_verdicts_on_a_stand_in_model(answer, words, small):
    model = _TimeOnlyModel(small.model.params, rng=0).fit(small.X, epochs=0)
    verdict = check.ngc_settling_time(answer, model, small.X)
    if words is None:
        assert verdict and "10" not in repr(verdict)
    else:
        assert not verdict and words in verdict.message, verdict
