"""Chapter 1: the exact posterior of Bogacz's scalar model (Exercise 1)."""

import numpy as np
import pytest
from scipy import stats

from pcbook import gaussian_model as gm
from pcbook import posterior, reproduce


@pytest.fixture(scope="module")
def default():
    return posterior.posterior_on_grid()


def test_grid_is_paper_grid_inclusive():
    v = posterior.make_grid()
    assert v.size == 500
    assert v[0] == pytest.approx(0.01) and v[-1] == pytest.approx(5.0)


def test_map_is_root_of_cubic_2phi3_minus_3phi_minus_3():
    roots = np.roots([2.0, 0.0, -3.0, -3.0])
    real = roots[np.abs(roots.imag) < 1e-12].real
    assert real.size == 1
    assert gm.map_estimate(gm.GaussianModel()) == pytest.approx(
        real[0], abs=1e-12
    )
    assert real[0] == pytest.approx(1.567468, abs=5e-7)


def test_map_has_zero_gradient_and_negative_curvature_for_many_settings():
    for u, v_p, s_p, s_u in [
        (2, 3, 1, 1),
        (0.5, 2, 0.3, 2),
        (4, -1, 1, 0.5),
        (1, 0.5, 2, 0.1),
    ]:
        m = gm.make_model(u, v_p, s_p, s_u)
        phi = gm.map_estimate(m)
        assert abs(gm.dF_dphi(phi, m)) < 1e-8
        assert gm.d2F_dphi2(phi, m) < 0
        # global: F at phi* beats a dense scan of F
        scan = np.linspace(-10, 10, 200001)
        assert gm.free_energy(phi, m) >= gm.free_energy(scan, m).max() - 1e-9


def test_default_numbers(default):
    r = default
    assert r.grid_mode == pytest.approx(1.57, abs=1e-9)
    assert r.mean == pytest.approx(1.485, abs=5e-4)
    assert r.sd == pytest.approx(0.328, abs=5e-4)
    assert r.evidence == pytest.approx(0.0392, abs=5e-5)
    assert r.posterior.max() == pytest.approx(1.31, abs=5e-3)
    assert np.sum(r.posterior) * r.dv == pytest.approx(1.0)
    assert r.posterior[np.argmin(np.abs(r.v - 3.0))] == pytest.approx(
        9.3e-11, rel=0.01
    )


def test_evidence_matches_quadrature(default):
    quad = posterior.evidence_by_quadrature(default.model)
    assert quad == pytest.approx(0.039291, abs=2e-6)
    # the grid misses the negative-size mass and the tail beyond 5: a relative gap of 0.3 %
    assert default.evidence == pytest.approx(quad, rel=4e-3)
    # restricted to the grid's interval, quadrature and the Riemann sum agree closely
    from scipy import integrate

    m = default.model
    inner, _ = integrate.quad(
        lambda v: (
            gm.normal_pdf(v, m.v_p, m.sigma_p)
            * gm.normal_pdf(m.u, v * v, m.sigma_u)
        ),
        0.005,
        5.005,
        points=[1.57],
        epsabs=1e-13,
    )
    assert default.evidence == pytest.approx(inner, rel=1e-4)


def test_density_uses_variances_not_standard_deviations():
    x = np.array([-1.0, 0.3, 2.5])
    assert np.allclose(gm.normal_pdf(x, 0.5, 4.0), stats.norm.pdf(x, 0.5, 2.0))
    r = posterior.posterior_on_grid(u=2.0, v_p=3.0, sigma_p=4.0, sigma_u=0.25)
    joint = stats.norm.pdf(r.v, 3.0, 2.0) * stats.norm.pdf(2.0, r.v**2, 0.5)
    assert np.allclose(r.posterior, joint / (joint.sum() * r.dv))


def test_mode_lies_between_sqrt_u_and_prior_mean():
    for u, v_p in [(2, 3), (4, 1), (1, 2.5), (3, 0.5)]:
        phi = gm.map_estimate(gm.make_model(u, v_p))
        lo, hi = sorted((np.sqrt(u), v_p))
        assert lo < phi < hi


def test_laplace_sd_is_inverse_curvature_and_narrower_than_exact(default):
    h = 1e-5
    m = default.model
    phi = default.map_phi
    curv = (
        gm.free_energy(phi + h, m)
        - 2 * gm.free_energy(phi, m)
        + gm.free_energy(phi - h, m)
    ) / h**2
    assert default.laplace_sd == pytest.approx(np.sqrt(-1 / curv), rel=1e-4)
    assert default.laplace_sd == pytest.approx(0.29183, abs=1e-5)
    assert posterior.total_variation(
        default.posterior, default.laplace, default.dv
    ) == pytest.approx(0.0771, abs=1e-3)


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"sigma_p": -1.0}, "sigma_p"),
        ({"sigma_u": 0.0}, "sigma_u"),
        ({"u": float("nan")}, "u"),
        ({"v": []}, "v"),
        ({"v": [1.0]}, "v"),
        ({"v": [0.0, 1.0, 1.5]}, "v"),
        ({"sigma_p": "1"}, "sigma_p"),
    ],
)
def test_bad_input_names_the_argument(kwargs, word):
    with pytest.raises((ValueError, TypeError), match=word):
        posterior.posterior_on_grid(**kwargs)


def test_empty_grid_from_make_grid():
    with pytest.raises(ValueError, match="high"):
        posterior.make_grid(1.0, 1.0, 0.1)
    with pytest.raises(ValueError, match="step"):
        posterior.make_grid(0.0, 1.0, -0.1)


def test_reproduce_bogacz_ex1():
    report = reproduce.run("bogacz-ex1")
    m = report["metrics"]
    assert set(m) == {
        "map_phi",
        "grid_mode",
        "posterior_mean",
        "posterior_sd",
        "evidence",
    }
    assert m["map_phi"] == pytest.approx(1.567468, abs=1e-6)
    assert m["grid_mode"] == pytest.approx(1.57)
    report = reproduce.run(
        "bogacz-ex1", overrides=["u=3", "sigma_u=0.5", "v_p=2", "sigma_p=2"]
    )
    assert report["metrics"]["map_phi"] == pytest.approx(
        gm.map_estimate(gm.make_model(3, 2, 2, 0.5))
    )


def test_numbers_stated_in_chapter_1(default):
    m = default.model
    assert gm.dF_dphi(np.sqrt(2.0), m) == pytest.approx(
        3 - np.sqrt(2), abs=1e-12
    )  # +1.586
    assert gm.dF_dphi(3.0, m) == pytest.approx(-42.0)
    phi = default.map_phi
    assert m.sigma_u / (2 * phi) ** 2 == pytest.approx(0.102, abs=5e-4)
    laplace_evidence = (
        np.exp(gm.free_energy(phi, m))
        / (2 * np.pi)
        * np.sqrt(2 * np.pi)
        * default.laplace_sd
    )
    quad = posterior.evidence_by_quadrature(m)
    assert laplace_evidence == pytest.approx(0.0376, abs=5e-5)
    assert laplace_evidence / quad - 1 == pytest.approx(-0.043, abs=1e-3)
    assert phi - default.mean == pytest.approx(0.083, abs=5e-4)


def test_grid_misses_a_quarter_percent_of_the_evidence(default):
    quad = posterior.evidence_by_quadrature(default.model)
    assert (quad - default.evidence) / quad == pytest.approx(0.0026, abs=5e-5)


def test_closed_form_cubic_roots_match_numpy_roots():
    rng = np.random.default_rng(0)
    for _ in range(2000):
        u, v_p = rng.uniform(-3, 12), rng.uniform(-5, 5)
        s_p, s_u = np.exp(rng.uniform(-3, 2, size=2))
        m = gm.make_model(u, v_p, s_p, s_u)
        ref = np.roots([-2 * s_p, 0.0, 2 * s_p * u - s_u, s_u * v_p])
        ref = np.sort(
            ref[np.abs(ref.imag) < 1e-7 * max(1, np.abs(ref).max())].real
        )
        got = gm.stationary_points(m)
        if (
            got.size != ref.size
        ):  # only at a (near-)double root, where both are ill-conditioned
            assert (
                np.min(
                    np.abs(
                        np.diff(
                            np.sort(
                                np.roots(
                                    [-2 * s_p, 0, 2 * s_p * u - s_u, s_u * v_p]
                                ).real
                            )
                        )
                    )
                )
                < 1e-3
            )
            continue
        assert np.allclose(got, ref, atol=1e-8 * max(1.0, np.abs(ref).max()))
        for x in got:
            assert abs(gm.dF_dphi(x, m)) < 1e-7 * max(
                1.0, abs(x) ** 3 * 2 * s_p / (s_p * s_u)
            )


def test_figures_draw(default):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from pcbook.plots import bogacz as plots

    ax = plots.plot_posterior(default, Figure().subplots())
    assert (
        len(ax.lines) == 6
    )  # prior, likelihood, posterior and three reference lines
    ax = plots.plot_laplace(default, Figure().subplots())
    assert len(ax.lines) == 4


# ---- what Bogacz's grid cuts off, and the free-energy bound (issue 13) --------------------------
from claims import assert_printed, assert_prose  # noqa: E402

NB = "posterior"


def _joint(v, m):
    return gm.normal_pdf(v, m.v_p, m.sigma_p) * gm.normal_pdf(
        m.u, v * v, m.sigma_u
    )


def test_mass_outside_matches_quadrature_inside():
    from scipy import integrate

    for u, v_p in [(2.0, 3.0), (0.5, 1.0), (3.5, 5.0)]:
        m = gm.make_model(u=u, v_p=v_p)
        inside = integrate.quad(
            _joint, 0.01, 5.0, args=(m,), limit=200, epsabs=1e-14
        )[0]
        want = 1.0 - inside / posterior.evidence_by_quadrature(m)
        assert posterior.mass_outside(m) == pytest.approx(want, abs=1e-9)
    with pytest.raises(ValueError, match="high"):
        posterior.mass_outside(gm.make_model(), low=1.0, high=0.5)


def test_line_grid_covers_every_slider_frame():
    import itertools

    for u, v_p, s_p, s_u in itertools.product(
        [0.5, 2, 3.5], [1, 3, 5], [0.1, 1.0, 1.9], [1, 3, 5]
    ):
        m = gm.make_model(u, v_p, s_p, s_u)
        assert (
            posterior.mass_outside(
                m, posterior.LINE_GRID[0], posterior.LINE_GRID[-1]
            )
            < 1e-4
        )


def test_skewness_matches_a_fine_independent_grid():
    m = gm.make_model(u=0.5, v_p=1.0)
    v = np.linspace(-8, 8, 160001)
    p = _joint(v, m)
    p /= np.trapezoid(p, v)
    mean = np.trapezoid(v * p, v)
    sd = np.sqrt(np.trapezoid((v - mean) ** 2 * p, v))
    skew = np.trapezoid(((v - mean) / sd) ** 3 * p, v)
    assert posterior.posterior_on_line(
        u=0.5, v_p=1.0
    ).skewness == pytest.approx(skew, abs=2e-3)


def test_claim_grid_cut_drops_a_quarter_and_flips_the_skew():
    assert_prose(
        NB,
        "With $u = 0.5$ and $v_p = 1$ Bogacz's grid drops 24 % of the posterior.",
    )
    assert_prose(
        NB,
        "(skew $+0.14$); on the whole line it is skewed to the left (skew $-0.52$)",
    )
    assert_printed(
        NB, "u = 0.5, v_p = 1: Bogacz's grid drops 24% of the posterior"
    )
    assert_printed(NB, "posterior skew, grid / line: +0.14 / -0.52")
    m = gm.make_model(u=0.5, v_p=1.0)
    assert 0.235 < posterior.mass_outside(m) < 0.245
    grid, line = (
        posterior.posterior_on_grid(u=0.5, v_p=1.0),
        posterior.posterior_on_line(u=0.5, v_p=1.0),
    )
    assert grid.skewness == pytest.approx(
        0.14, abs=0.005
    ) and line.skewness == pytest.approx(-0.52, abs=0.005)


def test_claim_missing_mass_is_the_left_tail_not_a_mirror_mode():
    from scipy import integrate

    assert_prose(
        NB,
        "(87 % of the missing mass lies in $-1 < v < 0$), not a mirror image of the mode",
    )
    assert_printed(NB, "share of it in -1 < v < 0: 87%")
    m = gm.make_model()
    missing = posterior.mass_outside(m) * posterior.evidence_by_quadrature(m)
    tail = integrate.quad(_joint, -1.0, 0.0, args=(m,), epsabs=1e-15)[0]
    assert 0.85 < tail / missing < 0.9
    near_mirror = integrate.quad(
        _joint, -np.sqrt(2) - 0.3, -np.sqrt(2) + 0.3, args=(m,), epsabs=1e-15
    )[0]
    assert near_mirror / missing < 0.1
    assert (
        gm.stationary_points(m).size == 1
    )  # no second mode at negative sizes


def _log_normal(x, mean, var):
    return -0.5 * np.log(2 * np.pi * var) - 0.5 * (x - mean) ** 2 / var


def _log_joint(v, m):
    return _log_normal(v, m.v_p, m.sigma_p) + _log_normal(
        m.u, v * v, m.sigma_u
    )


def _expected_log_joint_by_quadrature(mean, var, m):
    from scipy import integrate

    sd = np.sqrt(var)

    def integrand(v):
        return gm.normal_pdf(v, mean, var) * _log_joint(v, m)

    return integrate.quad(
        integrand, mean - 12 * sd, mean + 12 * sd, limit=200, epsabs=1e-12
    )[0]


@pytest.mark.parametrize(
    "mean,var,model",
    [
        (1.5, 0.09, (2, 3, 1, 1)),
        (0.3, 0.5, (0.5, 1, 0.4, 2)),
        (-1.0, 0.01, (3, -2, 2, 0.5)),
    ],
)
def test_gaussian_free_energy_closed_form_matches_quadrature(mean, var, model):
    m = gm.make_model(*model)
    entropy = 0.5 * np.log(2 * np.pi * np.e * var)
    want = _expected_log_joint_by_quadrature(mean, var, m) + entropy
    assert posterior.gaussian_free_energy(mean, var, m) == pytest.approx(
        want, abs=1e-9
    )


def test_free_energy_is_a_bound_with_the_kl_as_gap():
    from scipy import integrate

    m = gm.make_model()
    log_z = np.log(posterior.evidence_by_quadrature(m))
    line = posterior.posterior_on_line()
    rng = np.random.default_rng(0)
    for mean, sd in zip(rng.uniform(0.8, 2.2, 20), rng.uniform(0.08, 0.6, 20)):
        F = posterior.gaussian_free_energy(mean, sd**2, m)
        assert F < log_z
        kl_grid = posterior.kl_to_grid_posterior(mean, sd**2, line)
        assert F + kl_grid == pytest.approx(log_z, abs=1e-6)

        def kl_density(v):
            log_q = _log_normal(v, mean, sd**2)
            return np.exp(log_q) * (log_q - _log_joint(v, m) + log_z)

        kl_quad = integrate.quad(
            kl_density, mean - 10 * sd, mean + 10 * sd, limit=200
        )[0]
        assert kl_grid == pytest.approx(kl_quad, abs=1e-6)


def test_best_gaussian_is_a_maximum_and_misses_the_bound():
    m = gm.make_model()
    mean, sd = posterior.best_gaussian(m)
    F = posterior.gaussian_free_energy(mean, sd**2, m)
    for dm, ds in [(0.01, 0), (-0.01, 0), (0, 0.01), (0, -0.01)]:
        assert posterior.gaussian_free_energy(mean + dm, (sd + ds) ** 2, m) < F
    assert np.log(posterior.evidence_by_quadrature(m)) - F == pytest.approx(
        0.0268, abs=5e-5
    )


def test_free_energy_bound_validates():
    with pytest.raises(ValueError, match="q_var"):
        posterior.gaussian_free_energy(1.0, 0.0, gm.make_model())
    with pytest.raises(ValueError, match="q_sd"):
        posterior.free_energy_bound(q_sd=-0.1)
    with pytest.raises(ValueError, match="q_mean"):
        posterior.kl_to_grid_posterior(
            np.nan, 0.1, posterior.posterior_on_line()
        )


def test_claim_free_energy_numbers():
    assert_prose(
        NB, "Every Gaussian stays below $\\ln p(u) = \\ln 0.0393 = -3.2368$"
    )
    assert_prose(
        NB, "The Laplace Gaussian misses by $\\mathrm{KL} = 0.0551$ nats."
    )
    assert_prose(
        NB, "and misses by 0.0268 nats: no Gaussian reaches the bound"
    )
    assert_prose(
        NB, "The Laplace formula {eq}`eq-posterior-laplace-F` gives $-3.2810$"
    )
    assert_printed(NB, "ln p(u) = ln 0.0393 = -3.2368")
    assert_printed(NB, "F -3.2919, KL 0.0551, F+KL -3.2368")
    assert_printed(NB, "F -3.2636, KL 0.0268, F+KL -3.2368")
    assert_printed(NB, "= -3.2810 = ln 0.0376")
    m = gm.make_model()
    log_z = np.log(posterior.evidence_by_quadrature(m))
    assert log_z == pytest.approx(
        np.log(0.0393), abs=2e-3
    ) and log_z == pytest.approx(-3.2368, abs=5e-5)
    phi, sd = posterior.laplace_approximation(m)
    F_laplace_q = posterior.gaussian_free_energy(phi, sd**2, m)
    assert log_z - F_laplace_q == pytest.approx(0.0551, abs=5e-5)
    # the Laplace formula is the log of the Laplace evidence estimate, and closer to ln p(u) here
    formula = (
        gm.free_energy(phi, m)
        - np.log(2 * np.pi)
        + 0.5 * np.log(2 * np.pi * sd**2)
    )
    assert np.exp(formula) == pytest.approx(0.0376, abs=5e-5)
    assert F_laplace_q < formula < log_z


def test_claim_exercise_b_is_reachable_with_the_sliders():
    assert_printed(
        NB,
        "u=3.5, v_p=1.0, Sigma_p=0.1, Sigma_u=5.0: mode 1.101, 88% of the way to v_p",
    )
    m = gm.make_model(3.5, 1.0, 0.1, 5.0)
    way = (gm.map_estimate(m) - np.sqrt(3.5)) / (1.0 - np.sqrt(3.5))
    assert way > 0.85
    m = gm.make_model(3.5, 5.0, 1.9, 1.0)
    assert (gm.map_estimate(m) - np.sqrt(3.5)) / (5.0 - np.sqrt(3.5)) < 0.05


def test_new_figures_draw():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from pcbook.plots import bogacz as plots

    ax = plots.plot_posterior_line(
        posterior.posterior_on_line(u=0.5, v_p=1.0), Figure().subplots()
    )
    assert (
        ax.get_xlim() == plots.LINE_XLIM and ax.get_ylim() == plots.LINE_YLIM
    )
    assert "23.9%" in " ".join(
        t.get_text() for t in ax.get_legend().get_texts()
    )
    ax = plots.plot_free_energy_bound(
        posterior.free_energy_bound(), Figure().subplots()
    )
    assert "KL(q || p)" in ax.texts[0].get_text()


def test_claim_two_peaks_and_the_mass_one_gaussian_misses():
    """Exercise 1.5: for u = 4, v_p = 0.5 the posterior has two maxima, 14.2 % of it beyond 0."""
    assert_prose(
        NB, "the maxima are $-1.834$ and $1.906$, the mode is the positive one"
    )
    assert_prose(NB, "and 14.2 % of the posterior lies on the negative side")
    assert_prose(NB, "gives the far peak 14.0 %")
    assert_printed(NB, "maxima: [-1.834   1.9056], mode phi* = 1.9056")
    assert_printed(NB, "posterior mass on the far side of 0: 14.2%")
    assert_printed(NB, "two Laplace Gaussians give the far peak 14.0%")
    m = gm.make_model(4.0, 0.5)
    roots = gm.stationary_points(m)
    peaks = roots[gm.d2F_dphi2(roots, m) < 0]
    assert peaks == pytest.approx([-1.8340, 1.9056], abs=1e-4)
    # independent of the grid: quadrature of the joint below 0 over the evidence
    from scipy import integrate

    def joint(v):
        return gm.normal_pdf(v, 0.5, 1.0) * gm.normal_pdf(4.0, v * v, 1.0)

    below = integrate.quad(joint, -np.inf, 0.0)[0]
    assert below / posterior.evidence_by_quadrature(m) == pytest.approx(
        0.142, abs=5e-4
    )
