"""Answer checks for chapter 4 (neural generative coding)."""

from __future__ import annotations

import inspect
import numbers
import types

import numpy as np

from pcbook.check._verdict import answer_check, correct, wrong
from pcbook.validate import (
    check_count,
    check_finite_array,
    check_instance,
    check_int,
    check_positive,
    check_range,
)

__all__ = [
    "ngc_state_drift",
    "ngc_modulation",
    "ngc_settling_time",
    "ngc_completion_limit",
    "ngc_settle_energy",
]

#: the step sizes of the settling exercise and its number of steps
SETTLE_BETAS = (0.1, 0.2, 0.5, 1.0, 2.0)
SETTLE_K = 50


def reuses(func, target) -> bool:
    """True if the student's ``func`` is, or calls, the package function ``target``.

    Looks at the names the function's code (and the code of functions defined inside it)
    refers to, and at what those names and its closure are bound to, so that
    ``angc.coverage(...)``, ``from pcbook.angc import coverage`` and an alias all count.
    """
    func = inspect.unwrap(func)
    if func is target:
        return True
    code = getattr(func, "__code__", None)
    if code is None:
        return False
    names, stack = set(), [code]
    while stack:
        code = stack.pop()
        names.update(code.co_names)
        stack.extend(
            c for c in code.co_consts if isinstance(c, types.CodeType)
        )
    bound = [func.__globals__.get(n) for n in names]
    bound += [c.cell_contents for c in func.__closure__ or ()]
    return target.__name__ in names or any(b is target for b in bound)


def reimplement(name: str) -> object:
    """The verdict for an answer that calls the package's own function."""
    return wrong(
        f"your function calls the package's `{name}`.",
        "the exercise is to write it yourself with numpy; compare your result "
        f"with `{name}` afterwards, outside the function.",
    )


def _circuit(W1, W2, gamma_v, lam):
    """The GNCN-t1 circuit (5, 4, 3 units) of the drift exercises with given weights."""
    from pcbook import ngc

    params = ngc.gncn_t1(
        (W1.shape[1], W1.shape[0], W2.shape[0]), gamma_v=gamma_v, lam=lam
    )
    w = ngc.init_weights(params, np.random.default_rng(0))
    w.W[1], w.W[2] = np.array(W1, dtype=float), np.array(W2, dtype=float)
    return params, w


def _drift_case(seed: int):
    """A random two-weight-layer GNCN-t1 circuit and the pcbook drift of its hidden layer."""
    rng = np.random.default_rng(seed)
    W1, W2 = rng.normal(0, 0.7, (4, 5)), rng.normal(0, 0.7, (3, 4))
    x = (rng.uniform(size=(2, 5)) > 0.5).astype(float)
    z1, z2 = rng.normal(size=(2, 4)), rng.normal(size=(2, 3))
    args = dict(x=x, z1=z1, z2=z2, W1=W1, W2=W2, gamma_v=0.05, lam=0.02)
    drift, e = _reference_drift(args, z1)
    return args, drift, e


def _reference_drift(args, z1):
    """-dF/dz1 at hidden states ``z1`` (the top z2 held), from pcbook's state update."""
    from pcbook import ngc

    params, w = _circuit(args["W1"], args["W2"], args["gamma_v"], args["lam"])
    z = [args["x"], z1, args["z2"]]
    e = ngc.error_neurons(z, ngc.predictions(z, w, params), w, params)
    return ngc.state_update(z, e, w, params, beta=1.0)[1] - z1, e


_DRIFT_ANSWER = (
    "-dF/dz1 = -e1 + phi'(z1) * (e0 @ W1.T) - gamma_v z1 - lam sign(z1), "
    "with e0 = x - sigmoid(tanh(z1) @ W1) and e1 = z1 - tanh(z2) @ W2."
)


def _drift_mistake(got, expected, e, args) -> object | None:
    """The verdict for a typical mistake in -dF/dz1, or None if none fits."""
    z1, W1 = args["z1"], args["W1"]
    dphi = 1 - np.tanh(z1) ** 2
    bottom_up = dphi * (e[0] @ W1.T)
    linear_out = args["x"] - np.tanh(z1) @ W1
    mistakes = [
        (
            expected - bottom_up + e[0] @ W1.T,
            "the bottom-up message is missing the factor phi'(z1).",
            "the prediction of x uses phi(z1) = tanh(z1): apply the chain "
            "rule through tanh.",
        ),
        (
            expected + 2 * e[1],
            "the top-down error e1 enters with the wrong sign.",
            "differentiate +1/2 ||z1 - phi(z2) W2||^2 in z1, and remember "
            "that the drift is MINUS dF/dz1.",
        ),
        (
            expected + e[1] - (np.tanh(z1) - np.tanh(args["z2"]) @ args["W2"]),
            "your hidden error compares phi(z1) with its prediction.",
            "in GNCN-t1 the prediction phi(z2) W2 targets the state z1 "
            "itself (e1 = z1 - ...), not phi(z1).",
        ),
        (
            expected - bottom_up + dphi * (linear_out @ W1.T),
            "your bottom error e0 leaves out the output's sigmoid.",
            "the image is predicted by maths.sigmoid(tanh(z1) @ W1).",
        ),
        (
            expected + args["gamma_v"] * z1 + args["lam"] * np.sign(z1),
            "the leak and the Laplace prior are missing.",
            "F has two more terms that contain z1 besides the two errors.",
        ),
        (
            -expected,
            "your drift has the opposite sign everywhere: it is +dF/dz1.",
            "the states move DOWN the energy: return minus the gradient.",
        ),
    ]
    for candidate, message, hint in mistakes:
        if np.allclose(got, candidate, atol=1e-10):
            return wrong(message, hint, answer=_DRIFT_ANSWER)
    return None


@answer_check("ex-ngc-drift")
def ngc_state_drift(drift_z1):
    """Check ``drift_z1(x, z1, z2, W1, W2, gamma_v, lam)`` = -dF/dz1 of a GNCN-t1 circuit."""
    for seed in range(3):
        args, expected, e = _drift_case(seed)
        got = np.asarray(
            drift_z1(**{k: np.copy(v) for k, v in args.items()}), dtype=float
        )
        if got.shape != expected.shape:
            return wrong(
                f"the drift has shape {got.shape}, expected {expected.shape} "
                "(one row per image, one column per hidden unit).",
                "keep row vectors: e0 @ W1.T has one column per hidden unit.",
            )
        if np.allclose(got, expected, atol=1e-10):
            continue
        verdict = _drift_mistake(got, expected, e, args)
        if verdict is not None:
            return verdict
        return wrong(
            "the drift differs from -dF/dz1 by up to "
            f"{np.max(np.abs(got - expected)):.3g}.",
            "write F term by term and differentiate each one that contains z1.",
            answer=_DRIFT_ANSWER,
        )
    return correct(
        "your drift is exactly -dF/dz1:\n"
        "the GNCN-t1 state update is gradient descent on F."
    )


_MODULATION_ANSWER = (
    "m_j = sum_i |W_ij| (one number per column j); "
    "M_W[i, j] = min(2 m_j / max_k m_k, 1) for every row i."
)


@answer_check("ex-ngc-modulation")
def ngc_modulation(modulation):
    """Check ``modulation(W)`` against the modulation matrix M_W of eq-ngc-modulation."""
    from pcbook.ngc import modulation_matrix

    if reuses(modulation, modulation_matrix):
        return reimplement("ngc.modulation_matrix")
    rng = np.random.default_rng(0)
    for shape in [(6, 4), (3, 7), (5, 5)]:
        W = rng.normal(size=shape)
        got = np.asarray(modulation(W.copy()), dtype=float)
        expected = modulation_matrix(W)
        if got.shape != W.shape:
            return wrong(
                f"M_W has shape {got.shape}, expected the shape of W, {W.shape}.",
                "compute one factor per column j, then repeat it in every row.",
                answer=_MODULATION_ANSWER,
            )
        if np.allclose(got, expected, atol=1e-12):
            continue
        mass = np.abs(W).sum(axis=0)
        signed = W.sum(axis=0)
        rows = np.abs(W).sum(axis=1)
        mistakes = [
            (
                np.minimum(2 * signed / signed.max(), 1),
                "you summed signed weights.",
                "positive and negative synapses both add to the strength "
                "converging on a unit.",
            ),
            (
                np.minimum(2 * rows / rows.max(), 1)[:, None],
                "the factors are per row (presynaptic unit).",
                "one factor per postsynaptic unit: sum over axis 0.",
            ),
            (
                2 * mass / mass.max(),
                "some entries exceed 1.",
                "the factor is capped: a unit with at least half the top "
                "strength is not modulated at all.",
            ),
            (
                np.minimum(mass / mass.max(), 1),
                "your factors are half of what they should be.",
                "a unit with half the strongest unit's strength gets "
                "factor 1: look at the 2 in eq-ngc-modulation.",
            ),
        ]
        for candidate, message, hint in mistakes:
            if np.allclose(
                got, np.broadcast_to(candidate, W.shape), atol=1e-12
            ):
                return wrong(message, hint, answer=_MODULATION_ANSWER)
        return wrong(
            "M_W differs from eq-ngc-modulation by up to "
            f"{np.max(np.abs(got - expected)):.3g}.",
            "compute the strength m_j = sum_i |W_ij| of each column first.",
            answer=_MODULATION_ANSWER,
        )
    return correct(
        "M_W has identical rows, entries in (0, 1],\n"
        "and it ignores the scale of W."
    )


def _unanswered(name: str):
    return wrong(
        f"`{name}` is not answered yet.",
        f"replace the ... in `{name} = ...` by a number.",
    )


def _one_number(answer, name: str, what: str):
    """(number, None) for a real number, else (None, the verdict that says what is wrong)."""
    if answer is Ellipsis or answer is None:
        return None, _unanswered(name)
    if isinstance(answer, str):
        try:
            answer = float(answer)
        except ValueError:
            return None, wrong(
                f"`{name}` is the text {answer!r}, not a number.",
                f"write {what} as a number, without quotes.",
            )
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        kind = (
            f"a {type(answer).__name__} of {len(answer)} items"
            if isinstance(answer, (tuple, list, np.ndarray))
            else f"a {type(answer).__name__}"
        )
        return None, wrong(
            f"`{name}` is {kind}; the check wants one number.",
            f"give {what} only, e.g. `{name} = 2.5`.",
        )
    return float(answer), None


def _model_context(model, X) -> np.ndarray:
    """The context of an exploration check: a fitted NGC ``model`` and images ``X`` for it.

    A bad context is the notebook's, not the student's: it is refused (by pcbook.validate, so
    the error reaches the caller) before the answer is read, also when it is not answered.
    """
    from pcbook.ngc.model import _fitted, _images

    _fitted("model", model)
    return _images("X", X, model.params.sizes[0])


def _grid(name: str, values, check) -> list:
    """A non-empty tuple or list of grid ``values``, each passed through ``check(name, v)``."""
    check_instance(name, values, (tuple, list), "a tuple of values")
    check_count(name, len(values), 1, 100)
    return [check(name, v) for v in values]


def _settling_beta(name: str, beta) -> float:
    """A step size of the settling grid: in (0, MAX_SETTLING_BETA]."""
    from pcbook.ngc.circuit import MAX_SETTLING_BETA

    return check_range(name, check_positive(name, beta), 0, MAX_SETTLING_BETA)


def _seed(name: str, rng):
    """``rng`` as the check passes it on: None, a seed >= 0 or a Generator."""
    check_instance(
        name,
        rng,
        (type(None), numbers.Integral, np.random.Generator),
        "None, a seed or a numpy Generator",
    )
    return check_int(name, rng) if isinstance(rng, numbers.Integral) else rng


def _settling_grid(model, X, Ks, betas):
    return {(K, b): model.score(X, K=K, beta=b) for K in Ks for b in betas}


@answer_check("ex-ngc-settling-time")
def ngc_settling_time(
    answer, model, X, Ks=(1, 5, 10, 20, 50, 100, 200), betas=(0.05, 0.1, 0.2)
):
    """Check the settling time ``beta * K`` at which ``model`` reaches its lowest BCE on ``X``."""
    X = _model_context(model, X)
    Ks = _grid("Ks", Ks, lambda n, K: check_count(n, K, 1, 10**4))
    betas = _grid("betas", betas, _settling_beta)
    answer, verdict = _one_number(
        answer, "settling_time", "the product beta * K"
    )
    if verdict is not None:
        return verdict
    grid = _settling_grid(model, X, Ks, betas)
    best = min(grid.values())
    good = sorted(
        {round(K * b, 6) for (K, b), v in grid.items() if v <= best + 0.05}
    )
    if any(abs(answer - t) <= 0.1 * t for t in good):
        return correct(
            "this settling time gives the lowest test BCE on the grid:\n"
            "what matters is the integration time beta * K,\n"
            "not K or beta alone."
        )
    if abs(answer - 5.0) < 0.5:
        return wrong(
            "beta * K = 5 is the training setting, not the best one.",
            "look at the BCE printed in the frames for larger products beta * K.",
        )
    if answer in Ks and any(
        abs(answer * b - t) <= 0.1 * t for b in betas for t in good
    ):
        return wrong(
            f"{answer:g} looks like a number of steps K, not a time.",
            "multiply K by the beta of that frame: the check wants beta * K.",
        )
    return wrong(
        f"beta * K = {answer:g} does not give the lowest BCE on the grid.",
        "the frames print the test BCE: compare settings with the same product beta * K.",
    )


@answer_check("ex-ngc-completion")
def ngc_completion_limit(
    answer,
    model,
    X,
    fill,
    fractions=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
    rng=0,
):
    """Check the largest hidden fraction at which ``model``'s completion beats the mean fill."""
    from pcbook.ngc import complete
    from pcbook.ngc.model import _fill

    X = _model_context(model, X)
    fill = _fill(fill, X.shape[1])
    fractions = _grid(
        "fractions", fractions, lambda n, f: check_range(n, f, 0.0, 1.0)
    )
    rng = _seed("rng", rng)
    answer, verdict = _one_number(
        answer, "largest_fraction", "the hidden fraction"
    )
    if verdict is not None:
        return verdict
    if 1 < answer <= 100:
        return wrong(
            f"{answer:g} looks like a percentage.",
            "give the fraction of hidden pixels between 0 and 1, as on the "
            "slider (0.25 for 25 %).",
        )
    if not 0 <= answer <= 1:
        return wrong(
            f"{answer:g} is not a fraction of the pixels.",
            "the slider's values lie between 0 and 1.",
        )
    wins = [
        f
        for f in fractions
        if (r := complete(model, X, f, rng=rng, fill=fill)).masked_mse
        < r.mean_fill_mse
    ]
    limit = max(wins) if wins else 0.0
    if abs(answer - limit) < 1e-6:
        return correct(
            "up to this hidden fraction the circuit fills in\n"
            "the hidden pixels better than the mean image; beyond it,\n"
            "the mean image wins."
        )
    if not any(abs(answer - f) < 1e-6 for f in fractions):
        return wrong(
            f"{answer:g} is not on the slider's grid.",
            "pick one of the slider's values, 0.1, 0.2, ..., 0.9.",
        )
    if answer > limit:
        return wrong(
            f"at {answer:g} the circuit's masked MSE is not below the mean fill.",
            "read both numbers printed above the images of each frame.",
        )
    return wrong(
        f"the circuit still beats the mean fill at fractions above {answer:g}.",
        "move the slider further right and compare the two numbers in each frame.",
    )


_SETTLE_KEYS = ("x", "z1", "z2", "W1", "W2", "gamma_v", "lam")


def _energy(args, z1) -> float:
    """F of eq-ngc-energy at hidden states ``z1``, summed over the images (pcbook's energy)."""
    from pcbook import ngc

    params, w = _circuit(args["W1"], args["W2"], args["gamma_v"], args["lam"])
    return ngc.energy([args["x"], z1, args["z2"]], w, params)


def _settle_case(case) -> None:
    """Refuse a ``case`` that is not the exercise's circuit (a dict of finite arrays)."""
    check_instance(
        "case", case, dict, f"a dict with the keys {', '.join(_SETTLE_KEYS)}"
    )
    for key in _SETTLE_KEYS:
        check_finite_array(f"case[{key!r}]", case.get(key))


def _trace(args, beta, K, energy=_energy) -> np.ndarray:
    """F before and after each of ``K`` Euler steps z1 += beta * (-dF/dz1), z2 held fixed."""
    z1 = np.array(args["z1"], dtype=float)
    trace = [energy(args, z1)]
    with np.errstate(all="ignore"):
        for _ in range(K):
            z1 = z1 + beta * _reference_drift(args, z1)[0]
            trace.append(energy(args, z1))
    return np.array(trace)


def _reaches_minimum(args, betas=SETTLE_BETAS, K=SETTLE_K) -> list:
    """The step sizes whose K-step settling ends within 0.01 nats of the smallest one's end."""
    ends = {b: _trace(args, b, K)[-1] for b in betas}
    low = ends[min(betas)]
    return [b for b in betas if np.isfinite(ends[b]) and ends[b] <= low + 0.01]


def _without_leak(args, z1) -> float:
    return _energy(args, z1) - (
        0.5 * args["gamma_v"] * np.sum(z1**2)
        + args["lam"] * np.sum(np.abs(z1))
    )


_SETTLE_ANSWER = (
    "start from F(z1); then K times: z1 = z1 + beta * drift_z1(...) with z2 "
    "unchanged, and append F(z1), where F = BCE(x, sigmoid(tanh(z1) @ W1)) + "
    "1/2 ||z1 - tanh(z2) @ W2||^2 + gamma_v/2 ||z1||^2 + lam |z1| (sums over "
    "images and units)."
)


def _trace_mistake(got, args, beta, K) -> object | None:
    """The verdict for a typical mistake in the energy trace, or None if none fits."""
    ref = _trace(args, beta, K)
    if got.shape == (K,):
        return wrong(
            f"your trace has {K} values, expected K + 1 = {K + 1}.",
            "record F before the first step as well as after each step.",
            answer=_SETTLE_ANSWER,
        )
    if got.shape != ref.shape:
        return wrong(
            f"your trace has shape {got.shape}, expected ({K + 1},): one "
            "total energy (a number) per step.",
            "sum F over the images and units: one number per step.",
            answer=_SETTLE_ANSWER,
        )
    rises = got - got[0]
    if np.allclose(got, got[0]) and not np.allclose(ref, ref[0]):
        return wrong(
            "your energy does not change from step to step.",
            "update z1 inside the loop and compute F from the new z1.",
            answer=_SETTLE_ANSWER,
        )
    variants = [
        (
            _trace(args, -beta, K),
            "your energy rises: the states climb F.",
            "step along the drift, which is MINUS the gradient of F.",
        ),
        (
            _trace(args, beta, K, _without_leak),
            "your F leaves out the leak and the prior.",
            "F has four terms; the states move under all four.",
        ),
        (
            ref / len(args["x"]),
            "your F is the mean over the images; the drift descends the sum.",
            "sum F over the images (rows) as well as the units.",
        ),
    ]
    for candidate, message, hint in variants:
        if np.allclose(rises, candidate - candidate[0], rtol=1e-6, atol=1e-9):
            return wrong(message, hint, answer=_SETTLE_ANSWER)
    return None


@answer_check("ex-ngc-settle-energy")
def ngc_settle_energy(settle_energies, largest_beta=None, case=None):
    """Check ``settle_energies(x, z1, z2, W1, W2, gamma_v, lam, beta, K)`` and the step-size answer.

    The function must return F before and after each of K Euler steps of z1 (z2 held);
    ``largest_beta`` is the largest step size of ``SETTLE_BETAS`` whose 50-step settling of
    ``case`` still reaches the energy minimum. ``case`` (the exercise's circuit, a dict of the
    keys of ``_SETTLE_KEYS``) is checked first: a bad one is the notebook's error.
    """
    if case is not None:
        _settle_case(case)
    for seed, beta, K in ((0, 0.1, 5), (1, 0.5, 8), (2, 0.2, 3)):
        args = _drift_case(seed)[0]
        got = settle_energies(
            **{k: np.copy(v) for k, v in args.items()}, beta=beta, K=K
        )
        got = np.asarray(got, dtype=float)
        verdict = _trace_mistake(got, args, beta, K)
        if verdict is not None:
            return verdict
        ref = _trace(args, beta, K)
        if not np.allclose(got - got[0], ref - ref[0], rtol=1e-6, atol=1e-9):
            worst = int(np.argmax(np.abs(got - got[0] - ref + ref[0])))
            return wrong(
                f"with beta = {beta}, F changes by {got[worst] - got[0]:.6g} "
                f"after {worst} steps; the chapter's circuit changes by "
                f"{ref[worst] - ref[0]:.6g}.",
                "check F term by term at the starting z1, then one step of "
                "your drift.",
                answer=_SETTLE_ANSWER,
            )
    if largest_beta is None:
        return wrong(
            "your trace is right; `largest_beta` is not answered yet.",
            "run your function for each beta of the grid and compare the "
            "last energies.",
        )
    answer, verdict = _one_number(
        largest_beta, "largest_beta", "the step size"
    )
    if verdict is not None:
        return verdict
    if case is None:
        return wrong(
            "pass the circuit of the exercise as `case`.",
            "call check.ngc_settle_energy(settle_energies, largest_beta, case).",
        )
    if not any(np.isclose(answer, b) for b in SETTLE_BETAS):
        return wrong(
            f"{answer:g} is not one of the step sizes {SETTLE_BETAS}.",
            "run the 50 steps for each of the grid's step sizes.",
        )
    good = _reaches_minimum(case)
    if np.isclose(answer, max(good)):
        return correct(
            "the trace is right, and so is the largest step:\n"
            "settling is gradient descent, and like any gradient descent\n"
            "it overshoots once beta exceeds 2 / (largest curvature of F)."
        )
    if answer > max(good):
        return wrong(
            f"at beta = {answer:g} the settling does not end at the minimum.",
            "compare the last value of the trace with the last value at "
            "beta = 0.1: they should agree to 0.01.",
        )
    return wrong(
        f"a step larger than {answer:g} still reaches the minimum.",
        "look at the last value of each trace, not only at whether F falls "
        "at every step.",
    )
