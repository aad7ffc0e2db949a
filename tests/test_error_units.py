"""Chapter 2: gradient ascent on F and the prediction-error network (Exercises 2-3)."""

import numpy as np
import pytest

from pcbook import error_units as eu
from pcbook import gaussian_model as gm
from pcbook import reproduce

PHI_STAR = 1.567468374852422


def test_gradient_matches_finite_difference_of_F():
    m = gm.make_model(2.3, 2.0, 0.7, 1.6)
    for phi in (-1.0, 0.3, 1.5, 2.8):
        h = 1e-6
        fd = (gm.free_energy(phi + h, m) - gm.free_energy(phi - h, m)) / (
            2 * h
        )
        assert gm.dF_dphi(phi, m) == pytest.approx(fd, rel=1e-7)


def test_free_energy_is_log_joint_plus_constant():
    m = gm.make_model(2.0, 3.0, 0.5, 2.0)
    phi = np.linspace(0, 3, 7)
    log_joint = np.log(
        gm.normal_pdf(phi, m.v_p, m.sigma_p)
        * gm.normal_pdf(m.u, phi**2, m.sigma_u)
    )
    assert np.allclose(gm.free_energy(phi, m) - log_joint, np.log(2 * np.pi))


def test_ascent_is_monotone_and_converges():
    tr = eu.simulate_gradient_ascent()
    assert (
        tr.t[0] == 0 and tr.t[-1] == pytest.approx(5.0) and tr.phi.size == 501
    )
    assert np.all(np.diff(tr.phi) <= 0)
    assert tr.phi[1] - tr.phi[0] == pytest.approx(-0.42)
    assert tr.phi[-1] == pytest.approx(PHI_STAR, abs=1e-9)
    assert eu.first_time_within(tr, PHI_STAR, 0.1) == pytest.approx(0.15)
    assert eu.first_time_within(tr, PHI_STAR, 0.01) == pytest.approx(0.33)
    assert eu.first_time_within(tr, PHI_STAR, 1e-3) == pytest.approx(0.51)


def test_ascent_matches_slow_reference_loop():
    m = gm.make_model(1.5, 2.5, 0.8, 1.3)
    tr = eu.simulate_gradient_ascent(m, dt=0.02, t_max=2.0)
    phi = [m.v_p]
    for _ in range(100):
        p = phi[-1]
        phi.append(
            p
            + 0.02
            * ((m.v_p - p) / m.sigma_p + (m.u - p**2) * 2 * p / m.sigma_u)
        )
    assert np.allclose(tr.phi, phi)


def test_network_numbers():
    tr = eu.simulate_network()
    k = np.argmin(tr.phi)
    assert tr.phi[k] == pytest.approx(0.893, abs=1e-3)
    assert tr.t[k] == pytest.approx(
        0.84
    )  # the paper's axis, starting at dt, reads 0.85
    assert tr.phi[-1] == pytest.approx(1.5524, abs=1e-4)
    assert tr.eps_p[-1] == pytest.approx(-1.4305, abs=1e-4)
    assert tr.eps_u[-1] == pytest.approx(-0.4417, abs=1e-4)
    long = eu.simulate_network(t_max=20.0)
    assert long.phi[-1] == pytest.approx(PHI_STAR, abs=1e-6)
    assert eu.first_time_within(tr, PHI_STAR, 0.1) == pytest.approx(3.06)


def test_fixed_point_is_the_map_and_its_errors():
    phi, ep, e_u = eu.fixed_point()
    assert phi == pytest.approx(PHI_STAR)
    assert ep == pytest.approx(PHI_STAR - 3.0) and ep == pytest.approx(
        -1.4325, abs=1e-4
    )
    assert e_u == pytest.approx(2 - PHI_STAR**2) and e_u == pytest.approx(
        -0.4570, abs=1e-4
    )
    assert np.allclose(
        eu.network_derivatives(phi, ep, e_u, gm.GaussianModel()), 0, atol=1e-12
    )


def test_jacobian_matches_finite_differences_and_eigenvalues():
    m = gm.make_model(2.0, 3.0, 0.8, 1.4)
    x0 = np.array([1.2, -0.4, 0.3])
    J = eu.jacobian(m, x0)
    h = 1e-6
    for j in range(3):
        dx = np.zeros(3)
        dx[j] = h
        fd = (
            np.array(eu.network_derivatives(*(x0 + dx), m))
            - np.array(eu.network_derivatives(*(x0 - dx), m))
        ) / (2 * h)
        assert np.allclose(J[:, j], fd, atol=1e-7)
    ev = eu.linearisation_eigenvalues()
    assert ev[0] == pytest.approx(-0.95696 - 3.29029j, abs=1e-4)
    assert ev[1] == pytest.approx(-1.0, abs=1e-9)
    assert ev[2] == pytest.approx(-0.95696 + 3.29029j, abs=1e-4)


def test_oscillation_period_and_envelope_follow_eigenvalues():
    tr = eu.simulate_network(t_max=12.0, dt=0.001)
    d = tr.phi - PHI_STAR
    # successive maxima of the deviation are one period apart and shrink by exp(Re lambda * period)
    peaks = [
        i
        for i in range(1, len(d) - 1)
        if d[i - 1] < d[i] >= d[i + 1] and d[i] > 1e-4
    ]
    ev = eu.linearisation_eigenvalues()[2]
    period = 2 * np.pi / ev.imag
    assert np.diff(tr.t[peaks])[-2] == pytest.approx(period, rel=0.02)
    ratio = d[peaks[-1]] / d[peaks[-2]]
    assert ratio == pytest.approx(np.exp(ev.real * period), rel=0.05)


def test_max_stable_dt_and_divergence():
    ev = eu.linearisation_eigenvalues()
    lim = eu.max_stable_dt(ev)
    assert lim == pytest.approx(0.1630, abs=1e-4)
    for lam in ev:  # just inside and outside the limit
        assert abs(1 + 0.99 * lim * lam) <= 1 + 1e-12
    assert max(abs(1 + 1.01 * lim * lam) for lam in ev) > 1
    stable = eu.simulate_network(dt=0.9 * lim, t_max=200.0)
    assert not stable.diverged and stable.phi[-1] == pytest.approx(
        PHI_STAR, abs=1e-6
    )
    blown = eu.simulate_network(dt=0.4)
    assert (
        blown.diverged
        and blown.t_diverged < 5.0
        and np.all(np.isfinite(blown.phi))
    )
    assert eu.simulate_gradient_ascent(dt=0.15).diverged
    with pytest.raises(ValueError, match="eigenvalues"):
        eu.max_stable_dt([0.1, -1.0])


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"dt": -0.01}, "dt"),
        ({"dt": 0.0}, "dt"),
        ({"t_max": 0.0}, "t_max"),
        ({"dt": 1.0, "t_max": 0.5}, "t_max"),
    ],
)
def test_bad_input(kwargs, word):
    with pytest.raises(ValueError, match=word):
        eu.simulate_network(**kwargs)
    with pytest.raises(ValueError, match=word):
        eu.simulate_gradient_ascent(**kwargs)


def test_model_rejects_negative_variance():
    with pytest.raises(ValueError, match="sigma_u"):
        gm.make_model(sigma_u=-1.0)


def test_seed_bug_network_settles_at_likelihood_only_value():
    """The seed's phi update (eps_u (phi^2 - 1), no eps_p) ends at sqrt(u), ignoring the prior."""
    phi, ep, e_u = 3.0, 0.0, 0.0
    for _ in range(20000):
        phi, ep, e_u = (
            phi + 0.01 * (e_u * phi**2 - e_u),
            ep + 0.01 * (phi - 3 - ep),
            e_u + 0.01 * (2 - phi**2 - e_u),
        )
    assert phi == pytest.approx(np.sqrt(2), abs=1e-4)
    assert ep == pytest.approx(np.sqrt(2) - 3, abs=1e-3)


def test_reproduce_bogacz_ex2_ex3():
    m2 = reproduce.run("bogacz-ex2")["metrics"]
    assert set(m2) == {"phi_final", "t_converged"}
    assert m2["t_converged"] == pytest.approx(0.51)
    m3 = reproduce.run("bogacz-ex3")["metrics"]
    assert set(m3) == {
        "phi_final",
        "phi_min",
        "t_phi_min",
        "eps_p_final",
        "eps_u_final",
    }
    assert m3["phi_min"] == pytest.approx(0.89, abs=5e-3)


def test_numbers_stated_in_chapter_2():
    m = gm.GaussianModel()
    pair = eu.linearisation_eigenvalues(m)[-1]
    assert 2 * np.pi / pair.imag == pytest.approx(1.91, abs=5e-3)
    assert np.exp(pair.real * 2 * np.pi / pair.imag) == pytest.approx(
        0.161, abs=5e-4
    )
    assert (2 * PHI_STAR) ** 2 / m.sigma_u == pytest.approx(9.83, abs=5e-3)
    assert 2 / abs(gm.d2F_dphi2(PHI_STAR, m)) == pytest.approx(0.170, abs=5e-4)
    assert gm.d2F_dphi2(3.0, m) == pytest.approx(-51.0)
    assert 3.0 + 0.15 * gm.dF_dphi(3.0, m) == pytest.approx(-3.3)
    assert PHI_STAR - eu.simulate_network(m).phi[-1] == pytest.approx(
        0.0151, abs=1e-4
    )
    expected = {
        0.05: (False, False),
        0.11: (False, False),
        0.15: (True, False),
        0.21: (True, False),
        0.31: (True, False),
        0.41: (True, True),
    }
    for dt, (ascent_diverges, network_diverges) in expected.items():
        assert (
            eu.simulate_gradient_ascent(m, dt=dt).diverged == ascent_diverges
        )
        assert eu.simulate_network(m, dt=dt).diverged == network_diverges
    # the buggy port of the find-the-bug exercise ignores v_p
    for v_p in (3.0, 5.0):
        phi, ep, e_u = v_p, 0.0, 0.0
        for _ in range(20000):
            phi, ep, e_u = (
                phi + 0.01 * e_u * (phi**2 - 1),
                ep + 0.01 * (phi - v_p - ep),
                e_u + 0.01 * (2 - phi**2 - e_u),
            )
        assert phi == pytest.approx(1.4142, abs=5e-5)


def test_step_size_figure_reports_divergence_in_the_figure():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from pcbook.plots import bogacz as plots

    for dt, expect in [
        (0.01, None),
        (0.21, "gradient ascent diverged"),
        (0.41, "diverged: the network blew up"),
    ]:
        ax = Figure().subplots()
        plots.plot_dynamics(eu.compare_dynamics(dt=dt), ax)
        texts = " ".join(t.get_text() for t in ax.texts)
        if expect is None:
            assert texts == "" and len(ax.lines) >= 4
        else:
            assert expect in texts
    ax = Figure().subplots()
    plots.plot_eigenvalues(eu.linearisation_eigenvalues(), ax, dts=(0.1, 0.2))
    assert len(ax.lines) >= 3


# ---- answer 3 of the slider questions (issue 13): a small Sigma_p settles *slower* --------------
from claims import assert_printed, assert_prose  # noqa: E402


def test_claim_small_prior_variance_settles_four_times_slower():
    nb = "error_units"
    assert_prose(nb, "the prior error node decays at the rate $\\Sigma_p$")
    assert_prose(
        nb,
        "four times *slower* at $\\Sigma_p = 0.25$. The real eigenvalue, which carries that "
        "decay, goes from $-1$ to $-0.30$ and becomes the slowest",
    )
    assert_prose(nb, "0.01 of its mode only from $t = 10.3$ instead of 5.8")
    assert_printed(
        nb,
        "Sigma_p = 1.00: real eigenvalue -1.000, complex pair -0.957 +- 3.290i "
        "phi stays within 0.01 of its mode from t = 5.8",
    )
    assert_printed(
        nb,
        "Sigma_p = 0.25: real eigenvalue -0.297, complex pair -1.778 +- 3.673i "
        "phi stays within 0.01 of its mode from t = 10.3",
    )
    times, slowest, real = {}, {}, {}
    for s_p in (1.0, 0.25):
        m = gm.GaussianModel(u=2.0, v_p=3.0, sigma_p=s_p, sigma_u=1.0)
        # the decay rate of the prior error node is its self-inhibition Sigma_p (the Jacobian's entry)
        assert eu.jacobian(m)[1, 1] == pytest.approx(-s_p)
        ev = eu.linearisation_eigenvalues(m)
        real[s_p] = ev[np.abs(ev.imag) < 1e-12].real[0]
        slowest[s_p] = ev.real.max()
        run = eu.simulate_network(m, dt=0.01, t_max=30.0)
        times[s_p] = eu.first_time_within(run, gm.map_estimate(m), 0.01)
    assert real[1.0] == pytest.approx(-1.0, abs=1e-3) and real[
        0.25
    ] == pytest.approx(-0.297, abs=1e-3)
    assert (
        slowest[1.0] > real[1.0] and slowest[0.25] == real[0.25]
    )  # it becomes the slowest
    assert times[0.25] > 1.5 * times[1.0]  # slower, not faster
    assert times[1.0] == pytest.approx(5.8, abs=0.05) and times[
        0.25
    ] == pytest.approx(10.3, abs=0.05)


def test_dynamics_slider_has_fixed_axes():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from pcbook.plots import bogacz as plots

    for dt in (0.01, 0.21):
        ax = plots.plot_dynamics(
            eu.compare_dynamics(dt=dt, sigma_p=0.25), Figure().subplots()
        )
        assert ax.get_ylim() == plots.DYNAMICS_YLIM and ax.get_xlim() == (
            0.0,
            5.0,
        )


# ---- Exercises 2.4 and 2.5: the complex pair's limit, and a step capped by the curvature -----
def test_claim_two_over_lambda_is_three_times_the_limit():
    nb = "error_units"
    assert_prose(
        nb, "it gives 0.584, more than three times the true limit 0.163"
    )
    assert_printed(nb, "complex pair: 2 / |lambda| = 0.584, limit 0.163")
    ev = eu.linearisation_eigenvalues()
    pair = ev[np.abs(ev.imag) > 0][0]
    assert 2 / abs(pair) == pytest.approx(0.584, abs=5e-4)
    assert 2 / abs(pair) > 3 * eu.max_stable_dt(ev)
    # at 2 / |lambda| the complex pair's Euler factor has modulus above 1: it grows
    assert abs(1 + (2 / abs(pair)) * pair) > 1


def _capped_ascent(dt, n=2000):
    m = gm.GaussianModel(u=2.0, v_p=3.0, sigma_p=1.0, sigma_u=1.0)
    phi = [3.0]
    for _ in range(n):
        h = min(dt, 1.0 / abs(gm.d2F_dphi2(phi[-1], m)))
        phi.append(phi[-1] + h * gm.dF_dphi(phi[-1], m))
    return np.array(phi), gm.map_estimate(m)


def test_claim_capped_steps_reach_the_mode_in_5_steps_at_large_dt():
    nb = "error_units"
    assert_prose(
        nb,
        "within $10^{-6}$ of $\\phi^*$ after 5 steps at $\\Delta t = 0.15$ or "
        "0.5, against 106 at $\\Delta t = 0.01$",
    )
    for dt, steps in ((0.01, 106), (0.15, 5), (0.5, 5)):
        assert_printed(
            nb, f"dt = {dt:4.2f}: within 1e-6 of phi* from step {steps}"
        )
        run, phi_star = _capped_ascent(dt)
        near = np.abs(run - phi_star) < 1e-6
        assert near[steps:].all() and not near[steps - 1]
    # plain ascent at dt = 0.15 diverges, as the chapter prints
    m = gm.GaussianModel(u=2.0, v_p=3.0, sigma_p=1.0, sigma_u=1.0)
    assert eu.simulate_gradient_ascent(m, dt=0.15).diverged
