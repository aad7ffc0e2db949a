"""Chapter 7 (pcbook.som): the ESN, the ring map, free energy, the schedules, and training.

The batched training is checked against the plain rollout-by-rollout loop of
bench/reference_som.py (the seed's algorithm); the full 20000-epoch targets are checked for
three seeds in the slow tests.
"""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from pcbook import reproduce, som
from pcbook.envs import drawing

ROOT = Path(__file__).resolve().parents[1]


def _reference_module():
    spec = importlib.util.spec_from_file_location("reference_som", ROOT / "bench" / "reference_som.py")
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
            np.testing.assert_allclose(omega[b, t], res.W_o @ np.tanh(h) + res.b_o, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(som.esn_rollout(res, h0[2], 30), omega[2], rtol=1e-12, atol=1e-14)


def test_float32_esn_stays_close_to_float64():
    res = som.make_reservoir(rng=0)
    h0 = np.random.default_rng(1).standard_normal((20, 100)) * 3
    np.testing.assert_allclose(som.esn_rollout(res, h0, 100, "float32"), som.esn_rollout(res, h0, 100),
                               atol=1e-4)


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
    assert nf[0] == pytest.approx(np.exp(-1.0))          # two steps around the ring, d = width
    assert nf[46] == pytest.approx(np.exp(-1.0))
    assert nf[23] == pytest.approx(np.exp(-625 / 4))


# -- free energy -----------------------------------------------------------------------------------
def test_complexity_is_beta_times_ring_distance_plus_log_normaliser():
    log_z = np.log(1 + 2 * sum(np.exp(-8 * d) for d in range(1, 25)) + np.exp(-8 * 25))
    assert som.complexity(5, 5, 50) == pytest.approx(log_z)
    assert log_z == pytest.approx(6.71e-4, rel=1e-3)
    assert som.complexity(0, 47, 50) == pytest.approx(24 + log_z)
    # the prior is normalised: sum_j exp(-complexity(j, g)) = 1
    assert np.exp(-som.complexity(np.arange(50), 7, 50)).sum() == pytest.approx(1.0)


def test_inaccuracy_is_bernoulli_nll():
    from scipy.stats import bernoulli

    rng = np.random.default_rng(0)
    w = rng.random(4096)
    s = (rng.random(4096) < 0.7).astype(float)
    expected = -bernoulli.logpmf(s, 0.999 * w + 0.0005).sum()
    assert som.inaccuracy(s, w) == pytest.approx(expected, rel=1e-12)
    # blank drawing on a blank prototype: 4096 * -ln(0.9995)
    assert som.inaccuracy(np.ones(4096), np.ones(4096)) == pytest.approx(-4096 * np.log(0.9995))
    # batched over drawings and prototypes
    S, Wp = rng.random((3, 4096)), rng.random((3, 4096))
    np.testing.assert_allclose(som.inaccuracy(S, Wp), [som.inaccuracy(a, b) for a, b in zip(S, Wp)])


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
    assert sch["width"][int(0.7 * E) - 1] == pytest.approx(10 * np.exp(-4.2), rel=1e-3)
    assert np.all(sch["lr"][1:14000] == 0.01) and np.all(sch["lr"][14000:] == 0)
    np.testing.assert_allclose(sch["alpha"] * sch["sigma"], np.where(np.arange(E) < 14000, 1e-5, 1e-3))


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
    np.testing.assert_allclose(drawing.pen_position(mv.theta), mv.points, atol=1e-9)
    np.testing.assert_allclose(mv.points, points[7])
    # the omega/30 drawing is a different (shorter-turning) movement
    slow = fast.movement(7, angle_scale=1 / 30)
    np.testing.assert_allclose(slow.theta[-1] - slow.theta[0], (mv.theta[-1] - mv.theta[0]) / 3, rtol=1e-9)


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
    report = reproduce.run("som-motor", seed=0, overrides=["epochs=60", "n_prototypes=10"])
    assert set(report["metrics"]) == {"goals_reached_fraction", "final_inaccuracy", "final_complexity"}
    assert 0 <= report["metrics"]["goals_reached_fraction"] <= 1


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
@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_full_training_reaches_the_targets(seed):
    model = som.MotorSOM(n_snapshots=1).fit(rng=seed)
    rep = model.evaluate()
    assert rep.goals_reached_fraction >= 0.95
    assert rep.inaccuracy.mean() < 100.0
    assert rep.complexity.mean() < 1.0
    # the two phases: while the map sharpens, inaccuracy does not fall below its early level;
    # once the map is frozen and the search narrows, it collapses
    per_epoch = model.history_.inaccuracy.mean(axis=1)
    early, late = per_epoch[100:1000].mean(), per_epoch[-1000:].mean()
    assert late < 0.5 * early
    assert model.history_.complexity[:1000].mean() > 50 > 1 > model.history_.complexity[-1000:].mean()
    # one angle scale: drawing at omega/30 loses most goals
    assert model.evaluate(angle_scale=1 / 30).goals_reached_fraction < 0.5
