"""Chapter 7 (pcbook.som): the ESN, the ring map, free energy, the schedules, and training.

The batched training is checked against the plain rollout-by-rollout loop of
bench/reference_som.py (the seed's algorithm); the full 20000-epoch training is checked for
three reservoirs in the slow tests, and seed 0's printed claims are recomputed there.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from claims import assert_printed, assert_prose, prose

from pcbook import reproduce, som
from pcbook.envs import drawing
from pcbook.som.ink_map import InkMap, distinct_goal_runs, score_epoch

ROOT = Path(__file__).resolve().parents[1]


def _reference_module():
    spec = importlib.util.spec_from_file_location(
        "reference_som", ROOT / "bench" / "reference_som.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- the echo-state network ----------------------------------------------------------------------
def test_esn_batch_equals_plain_loop():
    res = som.make_reservoir(rng=0)
    h0 = np.random.default_rng(1).standard_normal((4, 100)) * 2
    omega = som.esn_rollout(res, h0, 30)
    for b in range(4):
        h = h0[b].copy()
        for t in range(30):
            h = (1 - 1 / 50) * h + (1 / 50) * (res.W_r @ np.tanh(h) + res.b_r)
            np.testing.assert_allclose(
                omega[b, t],
                res.W_o @ np.tanh(h) + res.b_o,
                rtol=1e-10,
                atol=1e-12,
            )
    np.testing.assert_allclose(
        som.esn_rollout(res, h0[2], 30), omega[2], rtol=1e-12, atol=1e-14
    )


def test_float32_esn_stays_close_to_float64():
    res = som.make_reservoir(rng=0)
    h0 = np.random.default_rng(1).standard_normal((20, 100)) * 3
    np.testing.assert_allclose(
        som.esn_rollout(res, h0, 100, "float32"),
        som.esn_rollout(res, h0, 100),
        atol=1e-4,
    )


def test_reservoir_statistics():
    radii = []
    for seed in range(3):
        res = som.make_reservoir(rng=seed)
        frac = np.mean(res.W_r != 0)
        assert 0.56 < frac < 0.64
        nz = res.W_r[res.W_r != 0]
        assert 1.4 < nz.std() < 1.6
        assert res.W_o.std() == pytest.approx(0.01, rel=0.2)
        radii.append(np.abs(np.linalg.eigvals(res.W_r)).max())
    # spectral radius ~ sigma_r sqrt(p U) = 1.5 sqrt(60) = 11.6 (circular law)
    assert all(10.0 < r < 13.5 for r in radii)


def test_states_stay_bounded_by_the_row_sums():
    """|h_i| <= max(|h_0,i|, sum_j |W_r,ij| + |b_r,i|): tanh saturation bounds the state."""
    res = som.make_reservoir(rng=0)
    h = np.random.default_rng(2).standard_normal((20, 100)) * 30
    bound = np.maximum(np.abs(h), np.abs(res.W_r).sum(1) + np.abs(res.b_r))
    for _ in range(300):
        h = (1 - 1 / 50) * h + (np.tanh(h) @ res.W_r.T + res.b_r) / 50
        assert np.all(np.abs(h) <= bound + 1e-9)


def test_perturbation_growth_is_a_derivative_far_below_the_linear_bound():
    res = som.make_reservoir(rng=0)
    h0 = np.random.default_rng(0).standard_normal((10, 100)) * 3
    g = som.perturbation_growth(res, h0, rng=1)
    assert g.shape == (10,)
    # a finite-difference derivative: the same at two small eps
    np.testing.assert_allclose(
        g, som.perturbation_growth(res, h0, eps=1e-5, rng=1), rtol=1e-2
    )
    assert som.perturbation_growth(res, h0[3], rng=1).shape == ()
    leaky = (1 - 1 / 50) * np.eye(100) + res.W_r / 50
    assert g.max() < 1e-5 * np.abs(np.linalg.eigvals(leaky)).max() ** 100
    with pytest.raises(ValueError, match="eps"):
        som.perturbation_growth(res, h0, eps=0.0)


@pytest.mark.parametrize("seed", range(4))
def test_perturbation_growth_median_across_reservoirs(seed):
    """Across reservoirs the median growth over a movement is a few-fold (3 to 7 measured)."""
    res = som.make_reservoir(rng=seed)
    h0 = np.random.default_rng(seed).standard_normal((10, 100)) * 3
    g = som.perturbation_growth(res, np.repeat(h0, 10, axis=0), rng=seed)
    assert 2.0 < np.median(g) < 10.0


# -- the ring map -----------------------------------------------------------------------------------
def test_ring_distance():
    assert som.ring_distance(0, 49, 50) == 1
    assert som.ring_distance(3, 28, 50) == 25
    assert som.ring_distance(10, 12, 50) == 2
    d = som.ring_distance(np.arange(50)[:, None], np.arange(50)[None, :], 50)
    assert np.array_equal(d, d.T) and d.max() == 25 and np.all(np.diag(d) == 0)


def test_neighbourhood_shape():
    nf = som.neighbourhood(48, 2.0, 50)
    assert nf[48] == 1.0
    assert nf[0] == pytest.approx(
        np.exp(-1.0)
    )  # two steps around the ring, d = width
    assert nf[46] == pytest.approx(np.exp(-1.0))
    assert nf[23] == pytest.approx(np.exp(-625 / 4))


def test_ring_topography():
    angle = 2 * np.pi * np.arange(30) / 30
    ring = np.stack([np.cos(angle), np.sin(angle)], axis=1) * 5
    assert som.ring_topography(ring) > 0.99  # 1 up to ties broken by rounding
    rng = np.random.default_rng(0)
    shuffled = [som.ring_topography(rng.permutation(ring)) for _ in range(20)]
    assert abs(np.mean(shuffled)) < 0.05
    # images (n, size, size) are flattened
    assert som.ring_topography(ring.reshape(30, 1, 2)) == som.ring_topography(
        ring
    )
    with pytest.raises(ValueError, match="prototypes"):
        som.ring_topography(np.zeros((2, 4)))


def test_epoch_zero_copies_the_last_drawing():
    """lr 1, width 100: each drawing replaces >= exp(-25^2/100^2) of every prototype, so after the
    epoch every prototype is within 6.1 % of the epoch's last drawing (the fast kernel)."""
    sched = som.schedules(som.SOMParams(epochs=100))
    n = 50
    eta0 = sched["lr"][0] * np.exp(
        -(som.ring_distance(np.arange(n), 0, n) ** 2) / sched["width"][0] ** 2
    )
    assert (
        eta0.min()
        == pytest.approx(np.exp(-625 / 10000))
        == pytest.approx(0.939, abs=5e-4)
    )
    rng = np.random.default_rng(0)
    W0 = 1 - 0.1 * rng.random((n, 4096))
    paths = drawing.arm_trajectory(rng.standard_normal((10, 100, 2)) * 0.5)
    s = drawing.rasterise(paths).reshape(10, -1)
    the_map = InkMap(W0)
    shift = (np.arange(n)[None, :] - np.arange(n)[:, None]) % n
    score_epoch(the_map, s, 0, eta0, shift)
    W = the_map.W
    before = np.abs(W0 - s[-1]).max() + np.abs(s - s[-1]).max()
    assert np.abs(W - s[-1]).max() <= (1 - eta0.min()) * before + 1e-9
    nearest = np.argmin(((W[:, None, :] - s[None]) ** 2).sum(-1), axis=1)
    assert np.all(nearest == 9)


# -- free energy -----------------------------------------------------------------------------------
def test_complexity_is_beta_times_ring_distance_plus_log_normaliser():
    log_z = np.log(
        1 + 2 * sum(np.exp(-8 * d) for d in range(1, 25)) + np.exp(-8 * 25)
    )
    assert som.complexity(5, 5, 50) == pytest.approx(log_z)
    assert log_z == pytest.approx(6.71e-4, rel=1e-3)
    assert som.complexity(0, 47, 50) == pytest.approx(24 + log_z)
    # the prior is normalised: sum_j exp(-complexity(j, g)) = 1
    assert np.exp(
        -som.complexity(np.arange(50), 7, 50)
    ).sum() == pytest.approx(1.0)


def test_inaccuracy_is_bernoulli_nll():
    from scipy.stats import bernoulli

    rng = np.random.default_rng(0)
    w = rng.random(4096)
    s = (rng.random(4096) < 0.7).astype(float)
    expected = -bernoulli.logpmf(s, 0.999 * w + 0.0005).sum()
    assert som.inaccuracy(s, w) == pytest.approx(expected, rel=1e-12)
    # blank drawing on a blank prototype: 4096 * -ln(0.9995)
    assert som.inaccuracy(np.ones(4096), np.ones(4096)) == pytest.approx(
        -4096 * np.log(0.9995)
    )
    # batched over drawings and prototypes
    S, Wp = rng.random((3, 4096)), rng.random((3, 4096))
    np.testing.assert_allclose(
        som.inaccuracy(S, Wp), [som.inaccuracy(a, b) for a, b in zip(S, Wp)]
    )


def test_inaccuracy_floor_is_at_least_the_binary_entropy():
    """A drawing under itself costs at least the binary entropy of its pixels (0 for 0/1 pixels,
    up to ln 2 for grey ones): the floor of the chapter's inaccuracy."""
    paths = drawing.arm_trajectory(
        np.random.default_rng(1).standard_normal((5, 100, 2)) * 0.5
    )
    s = drawing.rasterise(paths).reshape(5, -1)
    p = np.clip(s, 1e-12, 1 - 1e-12)
    entropy = -(p * np.log(p) + (1 - p) * np.log1p(-p)).sum(1)
    floor = som.inaccuracy(s, s)
    assert np.all(floor >= entropy) and np.all(floor < entropy + 4096 * 0.0006)
    assert np.all(entropy > 5.0)  # grey antialiased pixels: a real floor
    # no prototype does better: perturbing the prototype only raises the cost
    w = np.clip(s + np.random.default_rng(2).normal(0, 0.05, s.shape), 0, 1)
    assert np.all(som.inaccuracy(s, w) > entropy)
    binary = np.round(s)
    assert som.inaccuracy(binary[0], binary[0]) == pytest.approx(
        -4096 * np.log(0.9995)
    )


# -- schedules ---------------------------------------------------------------------------------------
def test_schedules_match_the_seed():
    sch = som.schedules()
    E = 20000
    assert sch["sigma"][0] == pytest.approx(1.0, abs=1e-6)
    assert sch["sigma"][int(0.70 * E)] == pytest.approx(0.88, abs=0.01)
    assert sch["sigma"][int(0.75 * E)] == pytest.approx(0.5)
    assert sch["sigma"][int(0.80 * E)] == pytest.approx(0.12, abs=0.01)
    assert sch["sigma"][int(0.85 * E)] == pytest.approx(0.018, abs=0.001)
    assert sch["sigma"][-1] == pytest.approx(4.6e-5, rel=0.05)
    assert sch["width"][0] == 100 and sch["lr"][0] == 1
    assert sch["width"][1] == pytest.approx(10.0, rel=1e-3)
    assert sch["width"][int(0.7 * E) - 1] == pytest.approx(
        10 * np.exp(-4.2), rel=1e-3
    )
    assert np.all(sch["lr"][1:14000] == 0.01) and np.all(
        sch["lr"][14000:] == 0
    )
    np.testing.assert_allclose(
        sch["alpha"] * sch["sigma"], np.where(np.arange(E) < 14000, 1e-5, 1e-3)
    )


# -- training ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def short_runs():
    params = som.SOMParams(epochs=160, esn_dtype="float64")
    ref = _reference_module().train_reference(params, rng=3, render="numpy")
    fast = som.MotorSOM(params, n_snapshots=4).fit(rng=3)
    return params, ref, fast


def test_batched_training_equals_plain_loop(short_runs):
    """The runs of distinct goals, the batched ESN and rasteriser and the sparse map updates give
    the plain loop's numbers over every phase of the schedule (map learning, then frozen)."""
    _, ref, fast = short_runs
    h = fast.history_
    assert np.array_equal(h.winner, ref["winner"])
    np.testing.assert_allclose(h.inaccuracy, ref["inaccuracy"], rtol=1e-8)
    np.testing.assert_allclose(h.complexity, ref["complexity"], rtol=1e-12)
    np.testing.assert_allclose(fast.W_, ref["W"], atol=1e-9)
    np.testing.assert_allclose(fast.C_, ref["C"], atol=1e-7)


def test_history_and_snapshots(short_runs):
    params, _, fast = short_runs
    h = fast.history_
    assert h.inaccuracy.shape == (160, 10) and h.freeze_epoch == 112
    assert list(h.snapshot_epochs) == [0, 40, 80, 120, 160]
    np.testing.assert_allclose(h.snapshot_W[-1], fast.W_, atol=1e-6)
    np.testing.assert_allclose(h.snapshot_C[-1], fast.C_)
    assert np.all(h.snapshot_C[0] == 0)
    snap = fast.snapshot(2)
    assert snap.epoch == 80 and snap.images.shape == (50, 64, 64)


def test_evaluate_and_movement(short_runs):
    params, _, fast = short_runs
    rep = fast.evaluate()
    points, images = fast.draw()
    assert np.array_equal(rep.images, images)
    assert rep.goals_reached_fraction == np.mean(rep.winner == np.arange(50))
    mv = fast.movement(7)
    np.testing.assert_allclose(
        drawing.pen_position(mv.theta), mv.points, atol=1e-9
    )
    np.testing.assert_allclose(mv.points, points[7])
    # the omega/30 drawing is a different (shorter-turning) movement
    slow = fast.movement(7, angle_scale=1 / 30)
    np.testing.assert_allclose(
        slow.theta[-1] - slow.theta[0],
        (mv.theta[-1] - mv.theta[0]) / 3,
        rtol=1e-9,
    )


def test_same_seed_same_result_and_no_global_state():
    state = np.random.get_state()[1].copy()
    a = som.MotorSOM(som.SOMParams(epochs=30), n_snapshots=1).fit(rng=5)
    b = som.MotorSOM(som.SOMParams(epochs=30), n_snapshots=1).fit(rng=5)
    c = som.MotorSOM(som.SOMParams(epochs=30), n_snapshots=1).fit(rng=6)
    assert np.array_equal(a.W_, b.W_) and np.array_equal(a.C_, b.C_)
    assert not np.array_equal(a.C_, c.C_)
    assert np.array_equal(np.random.get_state()[1], state)


def test_reproduce_registry_runs_small():
    exp = reproduce.get("som-motor")
    assert set(exp.params) == {"epochs", "n_prototypes"}
    report = reproduce.run(
        "som-motor", seed=0, overrides=["epochs=60", "n_prototypes=10"]
    )
    assert set(report["metrics"]) == {
        "goals_reached_fraction",
        "final_inaccuracy",
        "final_complexity",
        "inaccuracy_floor",
        "ring_topography",
    }
    assert 0 <= report["metrics"]["goals_reached_fraction"] <= 1
    assert -1 <= report["metrics"]["ring_topography"] <= 1


# -- input validation --------------------------------------------------------------------------------
def test_bad_input_raises():
    with pytest.raises(ValueError, match="epochs"):
        som.SOMParams(epochs=1)
    with pytest.raises(TypeError, match="n_prototypes"):
        som.SOMParams(n_prototypes=2.5)
    with pytest.raises(ValueError, match="freeze"):
        som.SOMParams(freeze=1.5)
    with pytest.raises(TypeError, match="params"):
        som.MotorSOM({"epochs": 10})
    res = som.make_reservoir(rng=0)
    with pytest.raises(ValueError, match="h0"):
        som.esn_rollout(res, np.zeros(7))
    with pytest.raises(ValueError, match="winner"):
        som.complexity(50, 0, 50)
    with pytest.raises(ValueError, match="goal"):
        som.complexity(0, 1.5, 50)
    with pytest.raises(ValueError, match="s, prototype"):
        som.inaccuracy(np.ones(10), np.ones(12))
    with pytest.raises(ValueError, match="s, prototype"):
        som.inaccuracy(np.full(10, 2.0), np.ones(10))
    with pytest.raises(ValueError, match="fit"):
        som.MotorSOM().evaluate()


# -- the headline result, several seeds -------------------------------------------------------------
# The thresholds come from a sweep of 12 reservoirs (seeds 0-11, full length, Dec 2026), not from
# the seeds tested here: goals reached 92-100 % (8 of 12 reach 100 %, 11 of 12 at least 95 %),
# final inaccuracy 64.6-97.7 nats, topography rho 0.30-0.71 (median 0.49).
@pytest.fixture(scope="module")
def seed0_model():
    return som.MotorSOM(n_snapshots=1).fit(rng=0)


def _check_headline(model):
    rep = model.evaluate()
    assert rep.goals_reached_fraction >= 0.9
    assert rep.inaccuracy.mean() < 100.0
    assert rep.complexity.mean() < 1.0
    # the two phases: while the map sharpens, inaccuracy does not fall below its early level;
    # once the map is frozen and the search narrows, it collapses
    per_epoch = model.history_.inaccuracy.mean(axis=1)
    early, late = per_epoch[100:1000].mean(), per_epoch[-1000:].mean()
    assert late < 0.5 * early
    assert (
        model.history_.complexity[:1000].mean()
        > 50
        > 1
        > model.history_.complexity[-1000:].mean()
    )
    # one angle scale: drawing at omega/30 loses most goals
    assert model.evaluate(angle_scale=1 / 30).goals_reached_fraction < 0.5
    # the map is ordered: ring distance and image distance are rank-correlated
    assert som.ring_topography(model.W_) > 0.25
    return rep


@pytest.mark.slow
def test_full_training_reaches_the_targets_seed0(seed0_model):
    _check_headline(seed0_model)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_full_training_reaches_the_targets(seed):
    _check_headline(som.MotorSOM(n_snapshots=1).fit(rng=seed))


# -- claims of the prose ------------------------------------------------------------------------
def test_claim_esn_perturbation_grows_about_sixfold():
    assert_prose("som", "grows only by a factor of about 6 over the 100 steps")
    assert_prose("som", "$1.21^{100} \\approx 2 \\cdot 10^8$")
    assert_printed("som", "of the leaky update: 1.210")
    assert_printed("som", "linearised growth over 100 steps: 1.9e+08")
    assert_printed("som", "median 5.9 (range 0.7 to 36.0)")
    res = som.make_reservoir(rng=0)
    h0 = np.random.default_rng(0).standard_normal((10, 100)) * 3
    g = som.perturbation_growth(res, np.repeat(h0, 10, axis=0), rng=0)
    assert 5.0 <= np.median(g) < 7.0 and g.min() < 1.0 and 30 < g.max() < 40
    leaky = (1 - 1 / 50) * np.eye(100) + res.W_r / 50
    linear = np.abs(np.linalg.eigvals(leaky)).max() ** 100
    assert 1.5e8 < linear < 2.5e8 and g.max() < 1e-6 * linear


def test_claim_epoch_zero_copies_the_last_drawing():
    assert_prose(
        "som",
        "each of the epoch's ten drawings replaces at least 93.9 % of every prototype",
    )
    assert_prose("som", "copies of one drawing, the epoch's last")
    assert_printed(
        "som", "each drawing replaces at least 93.9% of every prototype"
    )
    assert_printed("som", "leaving at most 6.1% of what it was before")
    eta0 = som.neighbourhood(
        0, som.schedules(som.SOMParams(epochs=10))["width"][0], 50
    )
    assert round(100 * eta0.min(), 1) == 93.9


def test_claim_not_the_same_quantity():
    """The map is not said to minimise the free energy; the cost is not called a VFE."""
    assert_prose(
        "som",
        "Perception and action learn at the same time, but not from the same quantity",
    )
    assert_prose("som", "Only the controller descends the free energy")
    assert_prose("som", "a drawing that misses its goal is penalised twice")
    assert_prose("som", "What $F$ is, is a goal-conditioned cost")
    for phrase in (
        "from the same quantity, and",
        "Perception and action minimise the same free energy",
    ):
        assert phrase not in prose("som")


@pytest.mark.slow
def test_claim_inaccuracy_floor_and_topography(seed0_model):
    """Seed 0's printed floor (more than half of the final inaccuracy) and topography."""
    assert_prose("som", "more than half of the final 70.5 nats is a floor")
    assert_prose(
        "som",
        "a drawing of the trained agent already costs 40.8 nats on average",
    )
    assert_prose("som", "only slightly less. Only the rest, about 30 nats,")
    assert_prose("som", "The trained map has $\\rho = 0.54$")
    assert_printed("som", "mean inaccuracy 70.5 nats")
    assert_printed(
        "som",
        "40.8 nats on average, 6.8 to 54.2 nats; 58% of the mean inaccuracy",
    )
    assert_printed("som", "the least any prototype can cost: 38.8")
    assert_printed(
        "som",
        "topography rho: 0.54; the same prototypes in a random order: -0.02",
    )
    rep = seed0_model.evaluate()
    s = rep.images.reshape(50, -1)
    floor = som.inaccuracy(s, s)
    p = np.clip(s, 1e-12, 1 - 1e-12)
    entropy = -(p * np.log(p) + (1 - p) * np.log1p(-p)).sum(1)
    final = rep.inaccuracy.mean()
    assert (
        entropy.mean() / final > 0.5 and floor.mean() / final > 0.5
    )  # "more than half"
    assert 25 < final - floor.mean() < 35  # "about 30 nats"
    assert (
        0.9 * floor.mean() < entropy.mean() < floor.mean()
    )  # "only slightly less"
    rho = som.ring_topography(seed0_model.W_)
    assert round(rho, 2) == 0.54
    assert (
        abs(
            som.ring_topography(
                np.random.default_rng(0).permutation(seed0_model.W_)
            )
        )
        < 0.1
    )


SWEEP_TABLE = (
    Path(__file__).resolve().parents[1]
    / "book"
    / "data"
    / "som_reservoirs.csv"
)


def _stored_reservoirs():
    import pandas as pd

    return pd.read_csv(SWEEP_TABLE)


def test_claim_twelve_reservoirs_spread():
    """The chapter's counts over the stored sweep, and the sentence that states them."""
    table = _stored_reservoirs()
    share = table.goals_reached_fraction
    assert (
        sorted(table.seed) == list(range(12)) and (table.status == "ok").all()
    )
    assert (
        (share == 1).sum() == 8
        and (share >= 0.95).sum() == 11
        and share.min() == pytest.approx(0.92)
    )
    assert_prose(
        "som",
        "8 of the 12 reservoirs reach every goal and 11 of 12 reach at least 95 %; "
        "the worst reaches 92 %",
    )
    assert_printed(
        "som",
        "12 reservoirs: every goal reached by 8, at least 95 % by 11, lowest 92 %",
    )
    assert_printed("som", "seed 0's row is the reservoir trained above: True")
    inacc = table.final_inaccuracy
    assert inacc.min() < 70.6 < inacc.median(), (
        "seed 0's 70.5 nats is among the lowest"
    )
    assert (table.inaccuracy_floor > 0.3 * inacc).all(), (
        "the floor is a large part of every inaccuracy"
    )
    assert (
        table.ring_topography.min() > 0.25
        and table.ring_topography.max() < 0.75
    )


@pytest.mark.slow
def test_a_stored_reservoir_is_reproduced_to_the_last_digit():
    """The worst of the twelve, retrained as `reproduce som-motor --seed 4` runs it."""
    row = _stored_reservoirs().set_index("seed").loc[4]
    metrics = reproduce.run("som-motor", seed=4)["metrics"]
    for name, value in metrics.items():
        assert value == row[name], (
            f"{name}: stored {row[name]!r}, recomputed {value!r}"
        )


@pytest.mark.slow
def test_claim_prototype_floor_leaves_little_to_gain(seed0_model):
    """Exercise 7.5's solution: the best drawings under the prototypes cost 54.1 nats, 16.5 below the agent's."""
    from pcbook.check.som import _best_drawing

    assert_prose(
        "som",
        "best drawings would still cost 54.1 nats on average, so a perfect",
    )
    assert_prose("som", "controller could gain only 16.5 of the 70.5 nats")
    assert_printed(
        "som", "best drawings under the prototypes: 54.1 nats on average"
    )
    assert_printed("som", "a perfect controller gains 16.5 on average")
    rep = seed0_model.evaluate()
    W = seed0_model.W_
    best = som.inaccuracy(np.array([_best_drawing(w) for w in W]), W)
    assert np.all(best <= rep.inaccuracy + 1e-9)
    assert round(best.mean(), 1) == 54.1
    assert round((rep.inaccuracy - best).mean(), 1) == 16.5
    assert best.mean() > rep.inaccuracy.mean() / 2  # most of it is the map's


def test_fast_kernel_and_reservoir_name_their_bad_arguments():
    """The training kernel and the reservoir refuse what would give NaN or a wrong index."""
    n = 6
    W = np.full((n, 64 * 64), 0.5)
    eta0, s = np.full(n, 0.1), np.full((2, 64 * 64), 0.5)
    shift = (np.arange(n)[None, :] - np.arange(n)[:, None]) % n
    with pytest.raises(ValueError, match="^W: values must lie in"):
        InkMap(W + 1.0)
    with pytest.raises(ValueError, match="^goal: must be an integer in"):
        score_epoch(InkMap(W), s, n, eta0, shift)
    with pytest.raises(ValueError, match="^shift: expected integers"):
        score_epoch(InkMap(W), s, 0, eta0, shift + 0.5)
    with pytest.raises(ValueError, match="^s: expected shape"):
        score_epoch(InkMap(W), s[:, :10], 0, eta0, shift)
    with pytest.raises(TypeError, match="^goals: expected an array"):
        distinct_goal_runs("abc")
    res = som.make_reservoir(som.SOMParams(n_units=20), rng=0)
    with pytest.raises(ValueError, match="^tau: must be >= 1"):
        som.Reservoir(res.W_r, res.b_r, res.W_o, res.b_o, 0.5)
    with pytest.raises(ValueError, match=r"^b_o: expected shape \(2\)"):
        som.Reservoir(res.W_r, res.b_r, res.W_o, np.zeros(3), 50.0)
    with pytest.raises(TypeError, match="^return_rates: expected True or"):
        som.esn_rollout(res, np.zeros(20), 5, return_rates="yes")
