"""Answer checks for chapter 6, free-energy attractor networks."""

from __future__ import annotations

import numpy as np

from pcbook.attractor import learning_rule, replay
from pcbook.check._verdict import answer_check, correct, wrong
from pcbook.check.ngc import reimplement, reuses
from pcbook.continuous_bernoulli import _sample, langevin

__all__ = [
    "cb_sampler",
    "coupling_update",
    "replay_transitions",
    "training_window",
]


_SAMPLER_BS = (2.0, -0.7, 0.0, 0.3, -0.05, 1e-4, -1e-4, 1e-9, -1e-9)
_SAMPLER_BS += (-30.0, 800.0, -800.0)
_SAMPLER_ANSWER = (
    "x = ln((1 - u) e^-b + u e^b) / b, computed as np.logaddexp(b + np.log(u), "
    "np.log1p(-u) - b) / b; where |b| < 1e-8, x = 2u - 1."
)


def _sampler_mistake(answer, b, u) -> object | None:
    """The verdict for a sampler whose samples at ``b`` are wrong, or None if they are right."""
    expected = _sample(np.full_like(u, b), u)
    if np.allclose(answer, expected, atol=1e-6):
        return None
    if np.allclose(answer, -expected, atol=1e-6) and b != 0:
        return wrong(
            f"for b = {b:g} your samples have the wrong sign.",
            f"a positive b favours x near +1: the mean is L(b) = {langevin(b):.3f}.",
            answer=_SAMPLER_ANSWER,
        )
    if b != 0 and np.allclose(answer, 2 * u - 1, atol=1e-12):
        return wrong(
            f"for b = {b:g} you return the uniform sample 2u - 1.",
            "CB(b) is uniform only at b = 0: keep the shortcut for |b| "
            "below about 1e-8, where the formula itself loses its digits.",
            answer=_SAMPLER_ANSWER,
        )
    worst = int(np.argmax(np.abs(answer - expected)))
    if abs(b) < 1e-6:
        return wrong(
            f"for b = {b:g}, u = {u[worst]:.3f} you return "
            f"{answer[worst]:.9f}; the inverse CDF gives {expected[worst]:.9f}.",
            "dividing by a tiny b loses digits: for |b| below about 1e-8 "
            "the density is uniform to that precision.",
            answer=_SAMPLER_ANSWER,
        )
    return wrong(
        f"for b = {b:g}, u = {u[worst]:.3f} you return {answer[worst]:.9f}; "
        f"the inverse CDF gives {expected[worst]:.9f}.",
        "solve F(x) = (e^{bx} - e^{-b}) / (e^b - e^{-b}) = u for x.",
        answer=_SAMPLER_ANSWER,
    )


@answer_check("ex-attractor-sampler")
def cb_sampler(func):
    """Check ``func(b, u)`` returns the inverse-CDF sample of CB(b) on [-1, 1] for arrays b, u.

    Small |b| (down to 1e-9) are tested to 1e-6, so a uniform shortcut taken too early fails.
    """
    u = np.linspace(0.005, 0.995, 199)
    for b in _SAMPLER_BS:
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
                "at b = 0 the formula is 0/0: what is the density of CB(0)?",
                answer=_SAMPLER_ANSWER,
            )
        if np.any(np.abs(answer) > 1 + 1e-12):
            return wrong(
                f"for b = {b:g} some samples lie outside [-1, 1].",
                "divide the logarithm by b, and check the formula at u = 0 and u = 1.",
                answer=_SAMPLER_ANSWER,
            )
        verdict = _sampler_mistake(answer, b, u)
        if verdict is not None:
            return verdict
    return correct(
        "your sampler inverts the CDF and stays finite for every b."
    )


def _net(n=6, seed=0):
    rng = np.random.default_rng(seed)
    J = rng.normal(0, 0.4, (n, n))
    np.fill_diagonal(J, 0)
    return J, rng.normal(0, 5, n), rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)


_RULE_ANSWER = (
    "error_i = sigma_new_i - L(sum_j J_ij sigma_prev_j); "
    "dJ_ij = eta error_i sigma_new_j for i != j, dJ_ii = 0."
)


@answer_check("ex-attractor-learning")
def coupling_update(func):
    """Check ``func(J, b, sigma_prev, sigma_new, eta)`` returns the code's coupling change."""
    if reuses(func, learning_rule):
        return reimplement("attractor.learning_rule")
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
                "with b = 20 z, L(b + ...) is already the new state and "
                "nothing is learned: the couplings alone must predict it.",
                answer=_RULE_ANSWER,
            )
        if np.allclose(answer, now):
            return wrong(
                "your prediction uses the new state sigma_new.",
                "the prediction is made before the new input arrives: "
                "from which state?",
                answer=_RULE_ANSWER,
            )
        if np.allclose(answer, full):
            return wrong(
                "the diagonal of your dJ is not zero.",
                "units have no self-coupling: zero the diagonal.",
                answer=_RULE_ANSWER,
            )
        if np.allclose(answer, expected.T):
            return wrong(
                "your dJ is transposed.",
                "J[i, j] is the weight from j to i: the error of unit i "
                "goes with row i.",
                answer=_RULE_ANSWER,
            )
        if np.allclose(answer, rule(langevin(J @ prev)) / eta):
            return wrong(
                "your dJ is not scaled by the learning rate.",
                "multiply the change by eta.",
                answer=_RULE_ANSWER,
            )
        return wrong(
            "your dJ is not the rule of eq-attractor-learning.",
            "compare the prediction of each unit with its new state: "
            "from which state, and with which inputs, is it made?",
            answer=_RULE_ANSWER,
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


#: Exercise 6.5: the digits, the grid of eta x steps (eta = 0.001) and the seed of its runs
WINDOW_DIGITS = (4, 5, 6)
WINDOW_GRID = (1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0)
WINDOW_SEED = 0
_RUNS: dict = {}


def window_run(digits, eta_steps: float, seed: int = WINDOW_SEED):
    """Simulation 3 trained for ``eta_steps`` (eta = 0.001) on ``digits``; kept for the session."""
    from pcbook.attractor import SequenceParams, simulate_sequence

    key = (tuple(digits), round(float(eta_steps), 6), seed)
    if key not in _RUNS:
        params = SequenceParams(
            digits=tuple(digits), steps=int(round(eta_steps / 1e-3))
        )
        _RUNS[key] = simulate_sequence(params, rng=seed)
    return _RUNS[key]


def clean_cycle_failure(result) -> str:
    """Why a trained network's free run is not a clean forward cycle ('' if it is one).

    Clean: at least 3 transitions, at least 90 % of them forward, and one attractor of J+ per
    digit, each closest to its own digit.
    """
    from pcbook.attractor import attractors_match

    rep = result.replay
    if rep.transitions < 3:
        return f"the free run makes only {rep.transitions} transition(s)"
    if rep.forward_fraction < 0.9:
        return (
            f"only {100 * rep.forward_fraction:.0f} % of its transitions go "
            "forward"
        )
    if not attractors_match(result):
        return (
            f"J+ has {result.n_attractors} attractors that do not match the "
            f"{len(result.patterns)} digits one to one"
        )
    return ""


@answer_check("ex-attractor-window")
def training_window(clean_window):
    """Check the list of eta x steps on ``WINDOW_GRID`` at which digits 4, 5, 6 replay cleanly."""
    if clean_window is Ellipsis or clean_window is None:
        return wrong(
            "`clean_window` is not answered yet.",
            "replace the ... by the list of eta x steps values you found.",
        )
    try:
        given = sorted({round(float(v), 6) for v in np.ravel(clean_window)})
    except (TypeError, ValueError):
        return wrong(
            f"`clean_window` is {clean_window!r}; the check wants a list of numbers.",
            "for example clean_window = [2.0, 2.5].",
        )
    off_grid = [v for v in given if not np.isclose(WINDOW_GRID, v).any()]
    if off_grid:
        return wrong(
            f"{off_grid[0]:g} is not on the grid of the exercise.",
            f"try the values {', '.join(f'{v:g}' for v in WINDOW_GRID)}.",
        )
    why = {
        v: clean_cycle_failure(window_run(WINDOW_DIGITS, v))
        for v in WINDOW_GRID
    }
    clean = [v for v in WINDOW_GRID if not why[v]]
    if given == clean:
        return correct(
            "digits 4, 5, 6 need more training than 1, 2, 3: the window\n"
            "is not a fixed amount of eta x steps."
        )
    default = [
        v
        for v in WINDOW_GRID
        if not clean_cycle_failure(window_run((1, 2, 3), v))
    ]
    if given == default:
        return wrong(
            "this is the window of digits 1, 2, 3, the chapter's sequence.",
            "train on SequenceParams(digits=(4, 5, 6), ...).",
        )
    extra = [v for v in given if why[v]]
    if extra:
        return wrong(
            f"at eta x steps = {extra[0]:g} {why[extra[0]]}.",
            "a clean cycle needs all three: transitions, mostly forward, and "
            "one attractor per digit.",
        )
    return wrong(
        f"your list leaves out {len(clean) - len(given)} value(s) of the grid "
        "where the replay is clean.",
        "check every value of the grid, the largest ones too.",
    )
