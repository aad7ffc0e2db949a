"""Answer checks of chapter 7: the reference answers pass, typical wrong answers get their hint."""

import numpy as np
import pytest

from pcbook import check, som
from pcbook.envs import drawing


# -- ex-som-complexity -------------------------------------------------------------------------------
def ring_complexity(winner, goal, n=50, beta=8.0):
    gap = abs(winner - goal) % n
    ring = np.minimum(np.arange(n), n - np.arange(n))
    return beta * min(gap, n - gap) + np.log(np.sum(np.exp(-beta * ring)))


def test_complexity_reference_passes():
    verdict = check.som_complexity(ring_complexity)
    assert verdict.ok, verdict


def test_complexity_without_wrap_gets_ring_hint():
    def linear(winner, goal, n=50, beta=8.0):
        ring = np.minimum(np.arange(n), n - np.arange(n))
        return beta * abs(winner - goal) + np.log(np.sum(np.exp(-beta * ring)))

    verdict = check.som_complexity(linear)
    assert (
        not verdict.ok
        and "ring" in verdict.hint
        and "min(|winner - goal|" in verdict.answer
    )


def test_complexity_without_normaliser_gets_log_z_hint():
    def unnormalised(winner, goal, n=50, beta=8.0):
        gap = abs(winner - goal) % n
        return beta * min(gap, n - gap)

    verdict = check.som_complexity(unnormalised)
    assert not verdict.ok and "ln Z" in verdict.hint


def test_complexity_stub_is_not_implemented():
    def stub(winner, goal, n=50, beta=8.0):
        raise NotImplementedError("Exercise 7.1")

    verdict = check.som_complexity(stub)
    assert not verdict.ok and "not implemented" in verdict.message


# -- ex-som-inaccuracy -------------------------------------------------------------------------------
def bernoulli_inaccuracy(s, w):
    f = 0.999 * np.asarray(w) + 0.0005
    return -np.sum(s * np.log(f) + (1 - s) * np.log(1 - f))


def test_inaccuracy_reference_passes():
    verdict = check.som_inaccuracy(bernoulli_inaccuracy)
    assert verdict.ok, verdict


def test_inaccuracy_without_squashing_gets_squash_hint():
    def raw(s, w):
        with np.errstate(divide="ignore", invalid="ignore"):
            return -np.sum(s * np.log(w) + (1 - s) * np.log(1 - w))

    verdict = check.som_inaccuracy(raw)
    assert not verdict.ok and "0.999 w + 0.0005" in verdict.hint


def test_inaccuracy_with_swapped_ink_gets_blank_hint():
    verdict = check.som_inaccuracy(lambda s, w: bernoulli_inaccuracy(1 - s, w))
    assert not verdict.ok and "blank" in verdict.hint


def test_inaccuracy_with_wrong_sign_gets_negative_hint():
    verdict = check.som_inaccuracy(lambda s, w: -bernoulli_inaccuracy(s, w))
    assert not verdict.ok and "NEGATIVE" in verdict.hint


# -- ex-som-angle-scale ------------------------------------------------------------------------------
def draw_goal(model, goal):
    p = model.params
    return drawing.arm_trajectory(
        som.esn_rollout(
            model.reservoir_, model.C_[goal], p.n_steps, p.esn_dtype
        ),
        p.arm,
    )


def draw_goal_buggy(model, goal):
    omega = som.esn_rollout(
        model.reservoir_, model.C_[goal], model.params.n_steps
    )
    theta = np.array(model.params.arm.theta0) + np.cumsum(omega / 30, axis=0)
    theta = np.vstack([model.params.arm.theta0, theta])
    return drawing.pen_position(theta, model.params.arm)


def test_draw_goal_reference_passes():
    verdict = check.som_draw_goal(draw_goal)
    assert verdict.ok, verdict


def test_draw_goal_in_float64_also_passes():
    def draw64(model, goal):
        omega = som.esn_rollout(
            model.reservoir_, model.C_[goal], model.params.n_steps
        )
        return drawing.arm_trajectory(omega, model.params.arm)

    assert check.som_draw_goal(draw64).ok


def test_draw_goal_at_omega_over_30_gets_scale_hint():
    verdict = check.som_draw_goal(draw_goal_buggy)
    assert (
        not verdict.ok
        and "omega/30" in verdict.message
        and "model.params" in verdict.hint
    )


def test_draw_goal_without_start_point_gets_shape_hint():
    verdict = check.som_draw_goal(
        lambda model, goal: draw_goal(model, goal)[1:]
    )
    assert not verdict.ok and "start point" in verdict.hint


def test_draw_goal_with_a_scale_written_in_gets_scale_hint():
    """omega / 10 is right for the chapter's arm only: a copy that turns at 1/8 catches it."""

    def hard_coded(model, goal):
        p = model.params
        omega = som.esn_rollout(
            model.reservoir_, model.C_[goal], p.n_steps, p.esn_dtype
        )
        theta = np.array(p.arm.theta0) + np.cumsum(omega / 10, axis=0)
        return drawing.pen_position(np.vstack([p.arm.theta0, theta]), p.arm)

    verdict = check.som_draw_goal(hard_coded)
    assert not verdict.ok and "omega/10" in verdict.message
    assert "omega/8" in verdict.message and "model.params" in verdict.hint


# -- ex-som-floor ------------------------------------------------------------------------------------
def best_inaccuracy(w):
    """Reference solution of the floor exercise: the best drawing copies the likelier value."""
    f = 0.999 * np.asarray(w) + 0.0005
    return -np.sum(np.log(np.maximum(f, 1 - f)))


def test_floor_reference_passes_and_is_below_every_drawing():
    assert check.som_best_inaccuracy(best_inaccuracy).ok
    rng = np.random.default_rng(5)
    w = rng.random(64)
    drawings = rng.random((200, 64)).round()
    assert np.all(som.inaccuracy(drawings, w) >= best_inaccuracy(w) - 1e-12)


@pytest.mark.parametrize(
    "mistake, words",
    [
        (lambda w: float(som.inaccuracy(w, w)), "under itself"),
        (lambda w: -np.sum(np.log(np.maximum(w, 1 - w))), "not squashed"),
        (
            lambda w: float(som.inaccuracy(np.where(w > 0.5, 0.0, 1.0), w)),
            "WORST",
        ),
        (lambda w: np.where(w > 0.5, 1.0, 0.0), "one number"),
        (lambda w: best_inaccuracy(w) / 64, "lowest inaccuracy"),
    ],
)
def test_floor_mistakes_get_their_hint(mistake, words):
    verdict = check.som_best_inaccuracy(mistake)
    assert not verdict.ok and words in verdict.message + verdict.hint
    assert "ln max" not in verdict.hint
    assert words == "one number" or "ln max" in verdict.answer


def test_complexity_messages_show_enough_digits():
    from pcbook.check.som import som_complexity

    off = lambda winner, goal, n, beta: (
        float(som.complexity(winner, goal, n, beta)) * (1 + 1e-7)
    )
    verdict = som_complexity(off)
    got, expected = verdict.message.split("you return ")[1].split(
        ", expected "
    )
    assert got != expected.rstrip(".")


def test_checks_are_registered_under_their_labels():
    for label in (
        "ex-som-complexity",
        "ex-som-inaccuracy",
        "ex-som-angle-scale",
        "ex-som-floor",
    ):
        assert label in check.CHECKS
