"""Answer checks for chapter 7 (self-organising maps learn motor primitives)."""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np

from pcbook.check._verdict import answer_check, correct, wrong

__all__ = [
    "som_complexity",
    "som_inaccuracy",
    "som_draw_goal",
    "som_best_inaccuracy",
]


_COMPLEXITY_ANSWER = (
    "d = min(|winner - goal| mod n, n - |winner - goal| mod n); "
    "complexity = beta d + ln sum_j exp(-beta min(j, n - j)), j = 0 .. n-1."
)


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
                f"winner {winner}, goal {goal} on a ring of {n}: you return "
                f"{got:.10g}, expected {want:.10g}.",
                "the map is a ring: unit 0 and unit n-1 are neighbours.",
                answer=_COMPLEXITY_ANSWER,
            )
        if np.isclose(got, want - float(som.complexity(0, 0, n, beta))):
            return wrong(
                f"winner {winner}, goal {goal}, beta {beta}: you return "
                f"{got:.10g}, expected {want:.10g}.",
                "the prior must be normalised: add ln Z.",
                answer=_COMPLEXITY_ANSWER,
            )
        return wrong(
            f"winner {winner}, goal {goal}, n {n}, beta {beta}: you return "
            f"{got:.10g}, expected {want:.10g}.",
            "complexity = -ln p(winner | goal) with p proportional to "
            "exp(-beta d_ring(winner, goal)).",
            answer=_COMPLEXITY_ANSWER,
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
                f"you return {got:.10g}, expected {want:.10g}.",
                "s = 1 is blank paper and so is w = 1: the term for a pixel is s ln f + (1 - s) ln(1 - f).",
            )
        if np.isclose(got, -want, rtol=1e-9):
            return wrong(
                f"you return {got:.10g}, expected {want:.10g}.",
                "inaccuracy is the NEGATIVE log-likelihood: it is >= 0.",
            )
        return wrong(
            f"you return {got:.10g}, expected {want:.10g}.",
            "compare your sum with eq-som-inaccuracy pixel by pixel.",
            answer="-sum over pixels of [s ln f + (1 - s) ln(1 - f)], "
            "with f = 0.999 w + 0.0005.",
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


def _rescaled(model, angle_scale: float):
    """A shallow copy of ``model`` whose arm (training and drawing) turns at ``angle_scale``."""
    other = copy.copy(model)
    p = model.params
    other.params = replace(p, arm=replace(p.arm, angle_scale=angle_scale))
    return other


_DRAW_ANSWER = (
    "omega = som.esn_rollout(model.reservoir_, model.C_[goal], "
    "p.n_steps, p.esn_dtype); return drawing.arm_trajectory(omega, p.arm) "
    "with p = model.params."
)


@answer_check("ex-som-angle-scale")
def som_draw_goal(func) -> object:
    """Check ``func(model, goal)``, which must return the pen path (T+1, 2) the model trained with.

    Tried on the chapter's small model and on a copy whose arm turns at 1/8, so a scale
    written into the code (``omega / 10``) fails as the ``/ 30`` does.
    """
    trained = _small_model()
    for model in (trained, _rescaled(trained, 1 / 8)):
        points, _ = model.draw()
        scale = model.params.arm.angle_scale
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
            for fixed in (1 / 30, 1 / 10):
                drawn, _ = model.draw(angle_scale=fixed)
                if np.isclose(fixed, scale) or not np.allclose(
                    got, drawn[goal], atol=1e-3
                ):
                    continue
                return wrong(
                    f"goal {goal}: your path is drawn at omega/{1 / fixed:.0f}, "
                    f"but this model's arm turns at omega/{1 / scale:.0f}.",
                    "a scale written into the code is right for one body "
                    "only: read the one the controller was trained with "
                    "from model.params.",
                    answer=_DRAW_ANSWER,
                )
            err = float(np.abs(got - want).max())
            return wrong(
                f"goal {goal}: your path differs from the trained movement by up to {err:.3g} canvas units.",
                "run the ESN from the goal's learned initial state, then "
                "turn the joints as in eq-som-angles.",
                answer=_DRAW_ANSWER,
            )
    return correct(
        "the movement is drawn at the angle scale it was trained with."
    )


def _best_drawing(w) -> np.ndarray:
    """The drawing with the lowest inaccuracy under prototype ``w``: each pixel 0 or 1, as f is."""
    return (0.999 * np.asarray(w, dtype=float) + 0.0005 > 0.5).astype(float)


_FLOOR_ANSWER = (
    "s_i = 1 where f_i > 1/2, else 0; the floor is "
    "-sum_i ln max(f_i, 1 - f_i), f = 0.999 w + 0.0005."
)


@answer_check("ex-som-floor")
def som_best_inaccuracy(func) -> object:
    """Check ``func(w)`` = the smallest inaccuracy any drawing s in [0, 1]^D has under prototype ``w``."""
    from pcbook import som

    rng = np.random.default_rng(2)
    grey = rng.random(64)
    cases = (
        grey,
        np.concatenate([np.zeros(8), np.ones(8), grey[:48]]),
        np.full(64, 0.9),
    )
    for w in cases:
        got = np.asarray(func(w.copy()), dtype=float)
        want = float(som.inaccuracy(_best_drawing(w), w))
        if got.shape != ():
            return wrong(
                f"you return an array of shape {got.shape}; the check wants "
                "one number, "
                "the lowest inaccuracy in nats.",
                "find the best drawing, then return its inaccuracy.",
            )
        got = float(got)
        if np.isclose(got, want, rtol=1e-9):
            continue
        mistakes = [
            (
                float(som.inaccuracy(w, w)),
                "you score the prototype under itself, a grey drawing.",
                "the inaccuracy is linear in each pixel s_i: over [0, 1] a "
                "linear function is smallest at an end.",
            ),
            (
                float(som.inaccuracy(1 - _best_drawing(w), w)),
                "you return the inaccuracy of the WORST drawing.",
                "each pixel should agree with the prototype's more likely value.",
            ),
            (
                float(-np.sum(np.log(np.maximum(w, 1 - w)))),
                "your prototype is not squashed.",
                "score with f = 0.999 w + 0.0005, as the agent does.",
            ),
        ]
        for candidate, message, hint in mistakes:
            if np.isclose(got, candidate, rtol=1e-9):
                return wrong(
                    f"{message} (you return {got:.10g}, expected {want:.10g})",
                    hint,
                    answer=_FLOOR_ANSWER,
                )
        return wrong(
            f"you return {got:.10g}, expected {want:.10g}.",
            "which drawing has the lowest inaccuracy? Score that one.",
            answer=_FLOOR_ANSWER,
        )
    return correct(
        "no drawing can score below this: the best one copies the\n"
        "prototype's more likely value in every pixel."
    )
