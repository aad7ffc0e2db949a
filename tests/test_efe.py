"""Tests of pcbook.efe: expected free energy on the T-maze, against brute-force enumeration."""

import itertools

import numpy as np
import pytest

from claims import assert_printed, assert_prose
from pcbook import efe

NB = "angc"


# ----------------------------------------------------------------------------- brute force
def _plans(A, loc, depth):
    """Every deterministic plan of ``depth`` moves from ``loc``: (move, {outcome: subplan})."""
    moves = (loc,) if loc in (2, 3) else range(4)
    for m in moves:
        outs = [o for o in range(A.shape[2]) if A[m, :, o].sum() > 0]
        if depth == 1:
            yield (m, {})
            continue
        for subs in itertools.product(
            *[list(_plans(A, m, depth - 1)) for _ in outs]
        ):
            yield (m, dict(zip(outs, subs)))


def _trajectories(A, plan_tree):
    """(p(s, o_1..o_T), s, [(location, outcome), ...]) for every path with non-zero probability."""
    out = []
    for s in range(A.shape[1]):
        stack = [(0.5, [], plan_tree)]
        while stack:
            p, path, (m, subs) = stack.pop()
            for o in range(A.shape[2]):
                if A[m, s, o] > 0:
                    if subs:
                        stack.append(
                            (p * A[m, s, o], path + [(m, o)], subs[o])
                        )
                    else:
                        out.append((p * A[m, s, o], s, path + [(m, o)]))
    return out


def _brute_force(A, log_p, plan_tree):
    """G of a plan from the joint over (s, o_1..o_T): info-gain form, and risk + ambiguity."""
    traj = _trajectories(A, plan_tree)
    T = len(traj[0][2])
    P = lambda pred: sum(p for p, s, path in traj if pred(s, path))  # noqa: E731
    G_info = risk = amb = 0.0
    for p, s, path in traj:
        for t in range(T):
            prev, upto, (m, o) = path[:t], path[: t + 1], path[t]
            q_prev = P(lambda s2, pa: s2 == s and pa[:t] == prev) / P(
                lambda s2, pa: pa[:t] == prev
            )
            q_upto = P(lambda s2, pa: s2 == s and pa[: t + 1] == upto) / P(
                lambda s2, pa: pa[: t + 1] == upto
            )
            G_info += p * (np.log(q_prev) - np.log(q_upto) - log_p[o])
            q_o = P(lambda s2, pa: pa[: t + 1] == upto) / P(
                lambda s2, pa: pa[:t] == prev
            )
            risk += p * (np.log(q_o) - log_p[o])
            amb -= p * np.log(A[m, s, o])
    return G_info, risk, amb


@pytest.mark.parametrize(
    "r,c", [(0.9, 3.0), (0.6, 1.0), (1.0, 0.5), (0.8, 6.0)]
)
@pytest.mark.parametrize("horizon", [1, 2, 3])
def test_plan_matches_brute_force_enumeration(r, c, horizon):
    maze = efe.TMaze(
        cue_reliability=r,
        reward_prob=0.98 if r < 1 else 0.9,
        preference=c,
        horizon=horizon,
    )
    A, log_p = efe.likelihood(maze), efe.log_preferences(maze)
    result = efe.plan(maze)
    best = {}
    for tree in _plans(A, 0, horizon):
        g, rk, am = _brute_force(A, log_p, tree)
        assert g == pytest.approx(rk + am, abs=1e-12)
        if tree[0] not in best or g < best[tree[0]][0] - 1e-12:
            best[tree[0]] = (g, rk, am)
    for move in range(4):
        g, rk, am = best[move]
        assert result.efe.G[move] == pytest.approx(g, abs=1e-12)
        assert result.efe.G_values[move] == pytest.approx(g, abs=1e-12)
        assert result.efe.risk[move] == pytest.approx(rk, abs=1e-12)
        assert result.efe.ambiguity[move] == pytest.approx(am, abs=1e-12)


def test_one_move_by_hand():
    """Going to the cue with flat beliefs: risk, ambiguity, information gain in closed form."""
    r, c = 0.9, 2.0
    maze = efe.TMaze(cue_reliability=r, preference=c)
    e = efe.expected_free_energy(
        [0.5, 0.5], efe.likelihood(maze)[1], efe.log_preferences(maze)
    )
    lnZ = np.log(4 + np.exp(c))
    H = -(r * np.log(r) + (1 - r) * np.log(1 - r))
    assert e.risk == pytest.approx(lnZ - np.log(2), abs=1e-14)
    assert e.ambiguity == pytest.approx(H, abs=1e-14)
    assert e.epistemic == pytest.approx(np.log(2) - H, abs=1e-14)
    assert e.pragmatic == pytest.approx(-lnZ, abs=1e-14)
    assert e.G == pytest.approx(e.G_values, abs=1e-14)


def test_decompositions_agree_on_random_models():
    rng = np.random.default_rng(0)
    for _ in range(50):
        q = rng.dirichlet(np.ones(3))
        A = rng.dirichlet(np.ones(4), size=3)
        logp = np.log(rng.dirichlet(np.ones(4)))
        e = efe.expected_free_energy(q, A, logp)
        assert abs(e.G - e.G_values) < 1e-12
        # epistemic value is the mutual information I(s; o) = H(o) - H(o | s)
        qo = q @ A
        assert e.epistemic == pytest.approx(
            -qo @ np.log(qo) - e.ambiguity, abs=1e-12
        )
        assert e.epistemic >= 0 and e.risk >= 0 and e.ambiguity >= 0


def test_input_errors():
    with pytest.raises(ValueError, match="cue_reliability"):
        efe.TMaze(cue_reliability=1.5)
    with pytest.raises(ValueError, match="preference"):
        efe.TMaze(preference=-1.0)
    with pytest.raises(ValueError, match="horizon"):
        efe.TMaze(horizon=0)
    with pytest.raises(TypeError, match="maze"):
        efe.likelihood({})
    with pytest.raises(ValueError, match="q_s"):
        efe.expected_free_energy([0.5, 0.6], np.eye(2), np.log([0.5, 0.5]))
    with pytest.raises(ValueError, match="A_s"):
        efe.expected_free_energy(
            [0.5, 0.5], np.ones((2, 2)), np.log([0.5, 0.5])
        )


def test_symmetry_and_uninformative_cue():
    p = efe.plan(efe.TMaze(cue_reliability=0.5, horizon=3))
    assert p.efe.G[2] == pytest.approx(p.efe.G[3], abs=1e-12)
    assert p.efe.epistemic[1] == pytest.approx(
        p.efe.epistemic[0], abs=1e-12
    )  # a coin-flip cue tells nothing


# ----------------------------------------------------------------------------- what the chapter says
GRID = np.round(np.arange(0.5, 1.0001, 0.05), 2)


def _threshold(horizon, c=3.0):
    moves = efe.first_moves(GRID, [c], horizon=horizon)[:, 0]
    cue = np.flatnonzero(moves == 1)
    return GRID[cue[0]] if len(cue) else None


def test_claim_horizon_decides_whether_the_cue_is_worth_a_move():
    assert_prose(NB, "with two moves the agent never visits the cue")
    assert_prose(
        NB,
        "With three moves it does so once the cue is right at least 80 % of the time",
    )
    assert_printed(
        NB, "2 moves: straight to an arm for every reliability on the grid"
    )
    assert_printed(NB, "3 moves: cue first for reliability >= 0.80")
    assert_printed(NB, "4 moves: cue first for reliability >= 0.70")
    assert (
        _threshold(2) is None and _threshold(3) == 0.8 and _threshold(4) == 0.7
    )
    # the cue is right everywhere above the threshold, and the arm below it
    moves = efe.first_moves(GRID, [3.0], horizon=3)[:, 0]
    assert np.all(moves[GRID >= 0.8] == 1) and np.all(moves[GRID < 0.8] == 2)


def test_claim_preference_strength_barely_moves_the_switch():
    assert_prose(NB, "the preference strength hardly moves the switch")
    r = np.round(np.arange(0.7, 0.851, 0.01), 2)
    thresholds = []
    for c in (1.0, 3.0, 6.0):
        m = efe.first_moves(r, [c], horizon=3)[:, 0]
        thresholds.append(r[np.flatnonzero(m == 1)[0]])
    assert max(thresholds) - min(thresholds) <= 0.011, thresholds


def test_claim_default_maze_numbers():
    p = efe.plan(efe.TMaze(cue_reliability=0.9, preference=3.0, horizon=3))
    assert efe.LOCATIONS[p.best] == "cue"
    assert_printed(
        NB,
        f"cue first {p.efe.G[1]:6.3f} {p.efe.risk[1]:6.3f} {p.efe.ambiguity[1]:6.3f}",
    )
    assert p.then == (2, 3)  # after the cue, the arm it shows


def test_claim_cue_plan_wins_on_pragmatic_value_not_information():
    assert_prose(NB, "epistemic value 0.687 against 0.678 nats")
    assert_prose(NB, "minus pragmatic value 4.241 against 5.045 nats")
    assert_prose(NB, "waiting in the centre is the worst first move")
    p = efe.plan(efe.TMaze(cue_reliability=0.9, preference=3.0, horizon=3))
    e = p.efe
    assert_printed(
        NB,
        f"left arm first {e.G[2]:6.3f} {e.risk[2]:6.3f} {e.ambiguity[2]:6.3f} "
        f"{-e.pragmatic[2]:7.3f} {-e.epistemic[2]:7.3f}",
    )
    assert (round(e.epistemic[2], 3), round(e.epistemic[1], 3)) == (
        0.687,
        0.678,
    )
    assert (round(-e.pragmatic[1], 3), round(-e.pragmatic[2], 3)) == (
        4.241,
        5.045,
    )
    assert e.epistemic[2] > e.epistemic[1] and e.pragmatic[1] > e.pragmatic[2]
    assert np.argmax(e.G) == 0


def test_claim_coin_flip_cue_is_ambiguous_and_uninformative():
    assert_prose(
        NB,
        r"A coin-flip cue ($r = 0.5$) has an ambiguity of $\ln 2 = 0.693$ nats and no epistemic",
    )
    assert_printed(
        NB,
        "one look at a coin-flip cue: ambiguity 0.693, epistemic value 0.000 nats",
    )
    maze = efe.TMaze(cue_reliability=0.5)
    e = efe.expected_free_energy(
        [0.5, 0.5], efe.likelihood(maze)[1], efe.log_preferences(maze)
    )
    assert (
        e.ambiguity == pytest.approx(np.log(2), abs=1e-14)
        and abs(e.epistemic) < 1e-14
    )
