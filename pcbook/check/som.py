"""Answer checks for chapter 7 (self-organising maps learn motor primitives)."""

from __future__ import annotations

import numpy as np

from pcbook.check._verdict import answer_check, correct, wrong

__all__ = ["som_complexity", "som_inaccuracy", "som_draw_goal"]


@answer_check("ex-som-complexity")
def som_complexity(func) -> object:
    """Check ``func(winner, goal, n, beta)`` against beta * d_ring + ln Z on cases that wrap around."""
    from pcbook import som

    cases = [
        (3, 3, 50, 8.0),
        (4, 7, 50, 8.0),
        (0, 49, 50, 8.0),
        (2, 47, 50, 8.0),
        (0, 25, 50, 8.0),
        (1, 9, 10, 0.5),
        (9, 0, 10, 2.0),
        (5, 5, 7, 1.0),
    ]
    for winner, goal, n, beta in cases:
        got = float(func(winner, goal, n, beta))
        want = float(som.complexity(winner, goal, n, beta))
        if np.isclose(got, want, rtol=1e-9, atol=1e-12):
            continue
        linear = beta * abs(winner - goal) + float(
            som.complexity(0, 0, n, beta)
        )
        if np.isclose(got, linear):
            return wrong(
                f"winner {winner}, goal {goal} on a ring of {n}: you return {got:.4f}, expected {want:.4f}.",
                "the map is a ring: unit 0 and unit n-1 are neighbours. Use min(|i - j|, n - |i - j|).",
            )
        if np.isclose(got, want - float(som.complexity(0, 0, n, beta))):
            return wrong(
                f"winner {winner}, goal {goal}, beta {beta}: you return {got:.6f}, expected {want:.6f}.",
                "the prior must be normalised: add ln Z, Z = sum_j exp(-beta d_ring(j, 0)).",
            )
        return wrong(
            f"winner {winner}, goal {goal}, n {n}, beta {beta}: you return {got:.6f}, expected {want:.6f}.",
            "complexity = -ln p(winner | goal) with p proportional to exp(-beta d_ring(winner, goal)).",
        )
    return correct("the complexity is beta d_ring plus the log normaliser.")


@answer_check("ex-som-inaccuracy")
def som_inaccuracy(func) -> object:
    """Check ``func(s, w)`` (flattened image and prototype) against the squashed Bernoulli NLL."""
    from pcbook import som

    rng = np.random.default_rng(0)
    w = np.clip(rng.random(64) ** 3, 0, 1)
    w[:8] = 0.0  # pure ink pixels: ln(0) without the squashing
    w[8:16] = 1.0
    for s in (
        np.ones(64),
        np.where(rng.random(64) < 0.2, 0.0, 1.0),
        rng.random(64),
    ):
        got = float(func(s.copy(), w.copy()))
        want = float(som.inaccuracy(s, w))
        if not np.isfinite(got):
            return wrong(
                f"you return {got} when the prototype has pixels that are exactly 0 or 1.",
                "squash the prototype first: f = 0.999 w + 0.0005, so that ln f and ln(1 - f) stay finite.",
            )
        if np.isclose(got, want, rtol=1e-9):
            continue
        swapped = float(som.inaccuracy(1 - s, w))
        if np.isclose(got, swapped, rtol=1e-9):
            return wrong(
                f"you return {got:.3f}, expected {want:.3f}.",
                "s = 1 is blank paper and so is w = 1: the term for a pixel is s ln f + (1 - s) ln(1 - f).",
            )
        if np.isclose(got, -want, rtol=1e-9):
            return wrong(
                f"you return {got:.3f}, expected {want:.3f}.",
                "inaccuracy is the NEGATIVE log-likelihood: it is >= 0.",
            )
        return wrong(
            f"you return {got:.4f}, expected {want:.4f}.",
            "-sum over pixels of [s ln f + (1 - s) ln(1 - f)], with f = 0.999 w + 0.0005.",
        )
    return correct("the inaccuracy is the Bernoulli NLL under the prototype.")


_SMALL_MODEL = {}


def _small_model():
    """A briefly trained model (a few hundred epochs), built once per session for the draw check."""
    if "model" not in _SMALL_MODEL:
        from pcbook import som

        params = som.SOMParams(epochs=200, n_prototypes=10)
        _SMALL_MODEL["model"] = som.MotorSOM(params, n_snapshots=1).fit(rng=1)
    return _SMALL_MODEL["model"]


@answer_check("ex-som-angle-scale")
def som_draw_goal(func) -> object:
    """Check ``func(model, goal)``, which must return the pen path (T+1, 2) the model trained with."""
    model = _small_model()
    points, _ = model.draw()
    for goal in (0, 3, 7):
        got = np.asarray(func(model, goal), dtype=float)
        want = points[goal]
        if got.shape != want.shape:
            return wrong(
                f"goal {goal}: your path has shape {got.shape}, expected {want.shape}.",
                "return the start point (0, 0) followed by one pen position per motor command.",
            )
        if np.allclose(got, want, atol=1e-3):
            continue
        slow, _ = model.draw(angle_scale=1 / 30)
        if np.allclose(got, slow[goal], atol=1e-3):
            return wrong(
                f"goal {goal}: your path is the one drawn at omega/30.",
                "the controller learned its initial states with theta += omega/10: draw with "
                "model.params.arm.angle_scale, the scale used in training.",
            )
        err = float(np.abs(got - want).max())
        return wrong(
            f"goal {goal}: your path differs from the trained movement by up to {err:.3g} canvas units.",
            "run the ESN from model.C_[goal], then arm_trajectory(omega, model.params.arm).",
        )
    return correct(
        "the movement is drawn at the angle scale it was trained with."
    )
