"""Answer checks for chapter 6, free-energy attractor networks."""

from __future__ import annotations

import numpy as np

from pcbook.attractor import learning_rule, replay
from pcbook.check._verdict import answer_check, correct, wrong
from pcbook.continuous_bernoulli import _sample, langevin

__all__ = ["cb_sampler", "coupling_update", "replay_transitions"]


@answer_check("ex-attractor-sampler")
def cb_sampler(func):
    """Check ``func(b, u)`` returns the inverse-CDF sample of CB(b) on [-1, 1] for arrays b, u."""
    u = np.linspace(0.005, 0.995, 199)
    for b in (2.0, -0.7, 0.0, 1e-9, -30.0, 800.0, -800.0):
        with np.errstate(all="ignore"):
            answer = np.asarray(
                func(np.full_like(u, b), u.copy()), dtype=float
            )
        if answer.shape != u.shape:
            return wrong(
                f"expected an array of shape {u.shape}, got {answer.shape}.",
                "return one sample per entry of b (and of u).",
            )
        if not np.all(np.isfinite(answer)):
            if abs(b) >= 100:
                return wrong(
                    f"for b = {b:g} some samples are inf or NaN: exp(b) overflows.",
                    "write ln(e^-b + u (e^b - e^-b)) as np.logaddexp(b + np.log(u), "
                    "np.log1p(-u) - b), which never forms e^b.",
                )
            return wrong(
                f"for b = {b:g} some samples are inf or NaN.",
                "at b = 0 the formula is 0/0: the distribution is uniform there, so return 2u - 1 "
                "when |b| is tiny.",
            )
        if np.any(np.abs(answer) > 1 + 1e-12):
            return wrong(
                f"for b = {b:g} some samples lie outside [-1, 1].",
                "divide the logarithm by b, and check the formula at u = 0 and u = 1.",
            )
        expected = _sample(np.full_like(u, b), u)
        if np.allclose(answer, -expected, atol=1e-6) and b != 0:
            return wrong(
                f"for b = {b:g} your samples have the wrong sign.",
                f"a positive b favours x near +1: the mean is L(b) = {langevin(b):.3f}.",
            )
        if not np.allclose(answer, expected, atol=1e-6):
            worst = int(np.argmax(np.abs(answer - expected)))
            return wrong(
                f"for b = {b:g}, u = {u[worst]:.3f} you return {answer[worst]:.6f}; the inverse CDF "
                f"gives {expected[worst]:.6f}.",
                "solve F(x) = (e^{bx} - e^{-b}) / (e^b - e^{-b}) = u for x.",
            )
    return correct(
        "your sampler inverts the CDF and stays finite for every b."
    )


def _net(n=6, seed=0):
    rng = np.random.default_rng(seed)
    J = rng.normal(0, 0.4, (n, n))
    np.fill_diagonal(J, 0)
    return J, rng.normal(0, 5, n), rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)


@answer_check("ex-attractor-learning")
def coupling_update(func):
    """Check ``func(J, b, sigma_prev, sigma_new, eta)`` returns the code's coupling change."""
    for seed in range(3):
        J, b, prev, new = _net(seed=seed)
        eta = 0.01
        answer = np.asarray(
            func(J.copy(), b.copy(), prev.copy(), new.copy(), eta), dtype=float
        )
        if answer.shape != J.shape:
            return wrong(
                f"expected an array of shape {J.shape}, got {answer.shape}.",
                "return the change dJ, one entry per coupling.",
            )
        expected = learning_rule(J, prev, new, eta)
        if np.allclose(answer, expected, atol=1e-12):
            continue

        def rule(
            prediction,
        ):  # eta (sigma_new - prediction) sigma_new^T with a zero diagonal
            dJ = np.outer(eta * (new - prediction), new)
            np.fill_diagonal(dJ, 0)
            return dJ

        with_bias, prev_bias = (
            rule(langevin(b + J @ new)),
            rule(langevin(b + J @ prev)),
        )
        now = rule(langevin(J @ new))
        full = expected + np.diag(eta * (new - langevin(J @ prev)) * new)
        if np.allclose(answer, with_bias) or np.allclose(answer, prev_bias):
            return wrong(
                "your prediction includes the bias b.",
                "with b = 20 z the prediction L(b + J sigma) already equals sigma and nothing is "
                "learned: predict from the couplings alone, L(J sigma_prev).",
            )
        if np.allclose(answer, now):
            return wrong(
                "your prediction uses the new state sigma_new.",
                "the prediction is made before the new input arrives: L(J sigma_prev).",
            )
        if np.allclose(answer, full):
            return wrong(
                "the diagonal of your dJ is not zero.",
                "units have no self-coupling: zero the diagonal.",
            )
        if np.allclose(answer, expected.T):
            return wrong(
                "your dJ is transposed.",
                "J[i, j] is the weight from j to i: dJ[i, j] = "
                "eta * error_i * sigma_new_j, i.e. np.outer(error, sigma_new).",
            )
        return wrong(
            "your dJ differs from eta (sigma_new - L(J sigma_prev)) sigma_new^T.",
            "error_i = sigma_new_i - L(sum_j J_ij sigma_prev_j); dJ_ij = eta error_i sigma_new_j, i != j.",
        )
    return correct(
        "your rule learns the one-step prediction from the previous state, as the authors' code does."
    )


@answer_check("ex-attractor-transitions")
def replay_transitions(func):
    """Check ``func(labels, k)`` returns ``(number of label changes, share of them forward)``."""
    rng = np.random.default_rng(1)
    cases = [
        np.array([0, 0, 1, 1, 2, 0, 2, 1]),
        np.array([2, 2, 2]),
        rng.integers(3, size=60),
        rng.integers(4, size=80),
    ]
    for labels in cases:
        k = int(labels.max()) + 1 if labels.max() > 0 else 3
        k = max(k, 3)
        answer = func(labels.copy(), k)
        try:
            n, share = int(answer[0]), float(answer[1])
        except (TypeError, ValueError, IndexError):
            return wrong(
                f"expected a pair (transitions, forward_fraction), got {answer!r}.",
                "return n, forward_fraction",
            )
        onehot = np.eye(k)[labels] * 2 - 1
        ref = replay(onehot, np.eye(k) * 2 - 1, skip=0)
        if n != ref.transitions:
            hint = (
                "count the changes labels[t] != labels[t-1], not the frames."
                if n in (len(labels), len(set(labels.tolist())))
                else "a transition is a step where the label changes: np.sum(labels[1:] != labels[:-1])."
            )
            return wrong(
                f"for labels {labels[:10].tolist()}... you count {n} transitions, not {ref.transitions}.",
                hint,
            )
        if not np.isclose(share, ref.forward_fraction):
            changed = labels[1:] != labels[:-1]
            no_wrap = np.sum(changed & (labels[1:] == labels[:-1] + 1)) / max(
                changed.sum(), 1
            )
            hint = (
                "the step from the last pattern back to the first (3 -> 1) is forward too: compare "
                "with (labels[:-1] + 1) % k."
                if np.isclose(share, no_wrap)
                else "divide the forward changes by the number of changes (0 if there are none)."
            )
            return wrong(
                f"your forward fraction is {share:.3f}, not {ref.forward_fraction:.3f}.",
                hint,
            )
    return correct(
        "you count the transitions and their direction as the chapter does."
    )
