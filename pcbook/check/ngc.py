"""Answer checks for chapter 4 (neural generative coding)."""

from __future__ import annotations

import numpy as np

from pcbook.check._verdict import answer_check, correct, wrong

__all__ = [
    "ngc_state_drift",
    "ngc_modulation",
    "ngc_settling_time",
    "ngc_completion_limit",
]


def _drift_case(seed: int):
    """A random two-weight-layer GNCN-t1 circuit and the pcbook drift of its hidden layer."""
    from pcbook import ngc

    rng = np.random.default_rng(seed)
    params = ngc.gncn_t1((5, 4, 3), gamma_v=0.05, lam=0.02)
    w = ngc.init_weights(params, rng)
    w.W[1], w.W[2] = rng.normal(0, 0.7, (4, 5)), rng.normal(0, 0.7, (3, 4))
    x = (rng.uniform(size=(2, 5)) > 0.5).astype(float)
    z1, z2 = rng.normal(size=(2, 4)), rng.normal(size=(2, 3))
    z = [x, z1, z2]
    e = ngc.error_neurons(z, ngc.predictions(z, w, params), w, params)
    expected = ngc.state_update(z, e, w, params, beta=1.0)[1] - z1
    return (
        dict(x=x, z1=z1, z2=z2, W1=w.W[1], W2=w.W[2], gamma_v=0.05, lam=0.02),
        expected,
        e,
    )


@answer_check("ex-ngc-drift")
def ngc_state_drift(drift_z1):
    """Check ``drift_z1(x, z1, z2, W1, W2, gamma_v, lam)`` = -dF/dz1 of a GNCN-t1 circuit."""
    for seed in range(3):
        args, expected, e = _drift_case(seed)
        got = np.asarray(drift_z1(**args), dtype=float)
        if got.shape != expected.shape:
            return wrong(
                f"the drift has shape {got.shape}, expected {expected.shape} (one row per image).",
                "keep row vectors: e0 @ W1.T has one column per hidden unit.",
            )
        if np.allclose(got, expected, atol=1e-10):
            continue
        bottom_up = e[0] @ args["W1"].T
        no_dphi = (
            expected + bottom_up - bottom_up * (1 - np.tanh(args["z1"]) ** 2)
        )
        if np.allclose(got, no_dphi, atol=1e-10):
            return wrong(
                "the bottom-up message is missing the factor phi'(z1).",
                "the prediction of x uses phi(z1) = tanh(z1); the chain rule gives 1 - tanh(z1)^2.",
            )
        if np.allclose(got, expected + 2 * e[1], atol=1e-10):
            return wrong(
                "the top-down error enters with the wrong sign.",
                "F contains +1/2 ||z1 - phi(z2) W2||^2, whose derivative in z1 is +e1; the drift is -dF/dz1.",
            )
        if np.allclose(
            got,
            expected + 0.05 * args["z1"] + 0.02 * np.sign(args["z1"]),
            atol=1e-10,
        ):
            return wrong(
                "the leak and the Laplace prior are missing.",
                "F also contains gamma_v/2 ||z1||^2 + lam |z1|.",
            )
        return wrong(
            f"the drift differs from -dF/dz1 by up to {np.max(np.abs(got - expected)):.3g}.",
            "write F term by term and differentiate each one that contains z1.",
        )
    return correct(
        "your drift is exactly -dF/dz1:\n"
        "the GNCN-t1 state update is gradient descent on F."
    )


@answer_check("ex-ngc-modulation")
def ngc_modulation(modulation):
    """Check ``modulation(W)`` against the modulation matrix M_W of eq-ngc-modulation."""
    from pcbook.ngc import modulation_matrix

    rng = np.random.default_rng(0)
    for shape in [(6, 4), (3, 7), (5, 5)]:
        W = rng.normal(size=shape)
        got = np.asarray(modulation(W), dtype=float)
        expected = modulation_matrix(W)
        if got.shape != W.shape:
            return wrong(
                f"M_W has shape {got.shape}, expected the shape of W, {W.shape}.",
                "broadcast the per-column factors m_j over every row.",
            )
        if np.allclose(got, expected, atol=1e-12):
            continue
        signed = W.sum(axis=0)
        if np.allclose(
            got,
            np.broadcast_to(np.minimum(2 * signed / signed.max(), 1), W.shape),
            atol=1e-12,
        ):
            return wrong(
                "you summed signed weights.",
                "use the total absolute strength sum_i |W_ij|.",
            )
        rows = np.abs(W).sum(axis=1)
        if np.allclose(
            got,
            np.broadcast_to(
                np.minimum(2 * rows / rows.max(), 1)[:, None], W.shape
            ),
            atol=1e-12,
        ):
            return wrong(
                "the factors are per row (presynaptic unit).",
                "sum over axis 0, the presynaptic units, to get one factor per column j.",
            )
        mass = np.abs(W).sum(axis=0)
        if np.allclose(
            got, np.broadcast_to(2 * mass / mass.max(), W.shape), atol=1e-12
        ):
            return wrong(
                "some entries exceed 1.",
                "cap the factors at 1: m_j = min(2 m_j / max_k m_k, 1).",
            )
        return wrong(
            "M_W differs from min(2 m_j / max_k m_k, 1).",
            "compute m_j = sum_i |W_ij| first.",
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


def _settling_grid(model, X, Ks, betas):
    return {(K, b): model.score(X, K=K, beta=b) for K in Ks for b in betas}


@answer_check("ex-ngc-settling-time")
def ngc_settling_time(
    answer, model, X, Ks=(1, 5, 10, 20, 50, 100, 200), betas=(0.05, 0.1, 0.2)
):
    """Check the settling time ``beta * K`` at which ``model`` reaches its lowest BCE on ``X``."""
    if answer is Ellipsis or answer is None:
        return _unanswered("settling_time")
    answer = float(answer)
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

    if answer is Ellipsis or answer is None:
        return _unanswered("largest_fraction")
    answer = float(answer)
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
    if answer > limit:
        return wrong(
            f"at {answer:g} the circuit's masked MSE is not below the mean fill.",
            "read both numbers printed above the images of each frame.",
        )
    return wrong(
        f"the circuit still beats the mean fill at fractions above {answer:g}.",
        "move the slider further right and compare the two numbers in each frame.",
    )
