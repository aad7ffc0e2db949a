"""Answer checks of chapters 1-3: the reference passes, a wrapper around the book's own function
is named, and each typical mistake fails with its own hint (never the full formula at once)."""

import numpy as np
import pytest
from scipy import stats

from pcbook import (
    check,
    error_units,
    gaussian_model as gm,
    posterior,
    variance,
)
from pcbook.check import _verdict
from pcbook.check.bogacz import _curvature, _slope


@pytest.fixture(autouse=True)
def _fresh_tries():
    """Each test starts with no wrong tries, so no answer is revealed by an earlier test."""
    _verdict._WRONG_TRIES.clear()


def _assert_hint(chk, answer, hint, formula=None):
    verdict = chk(answer)
    assert not verdict.ok and hint in verdict.message + verdict.hint, verdict
    assert not verdict.revealed and "Answer:" not in repr(verdict)
    if formula:  # the formula waits for the answer field, if there is one
        assert formula not in verdict.hint
        assert not verdict.answer or formula in verdict.answer


def _assert_wrapper_named(chk, wrapper, name):
    verdict = chk(wrapper)
    assert not verdict.ok and f"`{name}`" in verdict.message, verdict


# ---- 1.2 posterior on a grid ----------------------------------------------------------------
def _post(sd=np.sqrt, g=np.square, dv=True, scale=1.0):
    def f(u, v_p, sigma_p, sigma_u, v):
        joint = stats.norm.pdf(v, v_p, sd(sigma_p)) * stats.norm.pdf(
            u, g(v), sd(sigma_u)
        )
        return scale * joint / (joint.sum() * ((v[1] - v[0]) if dv else 1))

    return f


def test_posterior_grid():
    assert check.posterior_grid(_post()).ok
    _assert_wrapper_named(
        check.posterior_grid,
        lambda *a: posterior.posterior_on_grid(*a[:4], v=a[4]).posterior,
        "posterior.posterior_on_grid",
    )


POSTERIOR_GRID_MISTAKES = [
    (_post(sd=lambda s: s), "sqrt(variance)"),
    (_post(dv=False), "dv"),
    (_post(g=lambda v: v), "g(v) = v^2"),
    (_post(scale=3.0), "evidence"),
    (_post(g=lambda v: v**3), "a variance"),
]


@pytest.mark.parametrize("answer, hint", POSTERIOR_GRID_MISTAKES)
def test_posterior_grid_mistakes(answer, hint):
    _assert_hint(check.posterior_grid, answer, hint)


def test_posterior_grid_stub_is_not_implemented():
    verdict = check.posterior_grid(
        lambda *a: (_ for _ in ()).throw(NotImplementedError())
    )
    assert not verdict.ok and "not implemented" in verdict.message


# ---- 1.3 Laplace ----------------------------------------------------------------------------
def _laplace(curv, at=gm.map_estimate, out=np.sqrt):
    def f(u, v_p, sigma_p, sigma_u):
        phi = at(gm.make_model(u, v_p, sigma_p, sigma_u))
        return out(-1 / curv(phi, u, sigma_p, sigma_u))

    return f


def _exact(p, u, sp, su):
    return -1 / sp + (2 * u - 6 * p**2) / su


def test_laplace_sd():
    assert check.laplace_sd(_laplace(_exact)).ok
    _assert_wrapper_named(
        check.laplace_sd,
        lambda *a: posterior.laplace_approximation(gm.make_model(*a))[1],
        "posterior.laplace_approximation",
    )


LAPLACE_MISTAKES = [
    (_laplace(_exact, out=lambda x: x), "standard deviation"),
    (_laplace(lambda p, u, sp, su: (2 * u - 6 * p**2) / su), "-1/Sigma_p"),
    # the trial's curvature 1/Sigma_p + 4 phi^2/Sigma_u at phi*: g treated as linear
    (_laplace(lambda p, u, sp, su: -(1 / sp + 4 * p**2 / su)), "g''(phi)"),
    (_laplace(_exact, at=lambda m: np.sqrt(m.u)), "(sqrt(u))"),
    (_laplace(_exact, at=lambda m: m.v_p), "(v_p)"),
    (_laplace(_exact, at=lambda m: round(gm.map_estimate(m), 2)), "grid mode"),
    (
        _laplace(lambda p, u, sp, su: -_exact(p, u, sp, su)),
        "-1 / F''(phi*), not 1 / F''",
    ),
    (_laplace(lambda p, u, sp, su: 2 * _exact(p, u, sp, su)), "-11.74"),
]


@pytest.mark.parametrize("answer, hint", LAPLACE_MISTAKES)
def test_laplace_sd_mistakes(answer, hint):
    with np.errstate(invalid="ignore"):
        _assert_hint(check.laplace_sd, answer, hint)


# ---- 1.5 the maxima of the posterior --------------------------------------------------------
def _cubic_roots(u, v_p, s_p, s_u, coeffs=None):
    coeffs = coeffs or [-2 * s_p, 0.0, 2 * s_p * u - s_u, s_u * v_p]
    return np.roots(coeffs)


def _maxima(u, v_p, s_p, s_u, keep=lambda c: c < 0, coeffs=None, order=True):
    r = _cubic_roots(u, v_p, s_p, s_u, coeffs)
    r = r[np.abs(r.imag) < 1e-9].real
    r = r[keep(gm.d2F_dphi2(r, gm.make_model(u, v_p, s_p, s_u)))]
    return np.sort(r) if order else -np.sort(-r)


def _global_mode_only(u, v_p, s_p, s_u):
    r = _maxima(u, v_p, s_p, s_u)
    return r[[np.argmax(gm.free_energy(r, gm.make_model(u, v_p, s_p, s_u)))]]


def test_posterior_maxima():
    assert check.posterior_maxima(_maxima).ok
    _assert_wrapper_named(
        check.posterior_maxima,
        lambda *a: gm.stationary_points(gm.make_model(*a))[:1],
        "gaussian_model.stationary_points",
    )


MAXIMA_MISTAKES = [
    (lambda *a: _maxima(*a, keep=lambda c: c == c), "is a minimum"),
    (lambda *a: _maxima(*a, keep=lambda c: c > 0), "F'' < 0"),
    (lambda *a: _cubic_roots(*a), "complex"),
    (lambda *a: _global_mode_only(*a), "you found 1"),
    (
        lambda u, v, sp, su: _maxima(
            u,
            v,
            sp,
            su,
            keep=lambda c: c == c,
            coeffs=[su * v, 2 * sp * u - su, 0.0, -2 * sp],
        ),
        "highest power first",
    ),
    (lambda *a: _maxima(*a, order=False), "ascending"),
]


@pytest.mark.parametrize("answer, hint", MAXIMA_MISTAKES)
def test_posterior_maxima_mistakes(answer, hint):
    _assert_hint(check.posterior_maxima, answer, hint)


# ---- 2.2 gradient ascent --------------------------------------------------------------------
def _ascent(
    prior_sign=1.0, slope=lambda p: 2 * p, start=None, sign=1.0, use_dt=True
):
    def f(u, v_p, sigma_p, sigma_u, dt, n_steps):
        phi = np.empty(n_steps + 1)
        phi[0] = v_p if start is None else start(u, v_p)
        step = dt if use_dt else 1.0
        with np.errstate(all="ignore"):
            for k in range(n_steps):
                p = phi[k]
                phi[k + 1] = p + step * sign * (
                    prior_sign * (v_p - p) / sigma_p
                    + (u - p * p) * slope(p) / sigma_u
                )
        return phi

    return f


def test_gradient_ascent():
    assert check.gradient_ascent(_ascent()).ok
    _assert_wrapper_named(
        check.gradient_ascent,
        lambda u, v_p, sp, su, dt, n: (
            error_units.simulate_gradient_ascent(
                gm.make_model(u, v_p, sp, su), dt=dt, t_max=n * dt
            ).phi
        ),
        "error_units.simulate_gradient_ascent",
    )


ASCENT_MISTAKES = [
    (_ascent(slope=lambda p: p * p), "instead of g'(phi)"),
    (_ascent(prior_sign=-1.0), "towards v_p"),
    (_ascent(sign=-1.0), "gradient descent"),
    (_ascent(slope=lambda p: 1.0), "chain rule"),
    (_ascent(slope=lambda p: p), "derivative 2 phi"),
    (_ascent(start=lambda u, v_p: np.sqrt(u)), "phi[0] = v_p"),
    (_ascent(start=lambda u, v_p: 0.0), "phi[0] = v_p"),
    (lambda *a: _ascent()(*a)[1:], "lacks its first value"),
    (_ascent(use_dt=False), "dt is missing"),
]


@pytest.mark.parametrize("answer, hint", ASCENT_MISTAKES)
def test_gradient_ascent_mistakes(answer, hint):
    _assert_hint(check.gradient_ascent, answer, hint, formula="phi[k+1]")


def test_gradient_ascent_names_the_first_wrong_step():
    def late_bug(u, v_p, sigma_p, sigma_u, dt, n_steps):
        phi = _ascent()(u, v_p, sigma_p, sigma_u, dt, n_steps)
        phi[50:] += 0.1
        return phi

    verdict = check.gradient_ascent(late_bug)
    assert not verdict.ok and "right up to step 49" in verdict.message


# ---- 2.3 find the bug -----------------------------------------------------------------------
def _step(phi_rule=None, eps_p_rule=None, eps_u_rule=None):
    def f(phi, eps_p, eps_u, u, v_p, sigma_p, sigma_u, dt):
        d_phi = (phi_rule or (lambda: 2 * phi * eps_u - eps_p))()
        new_phi = phi + dt * d_phi
        d_ep = (eps_p_rule or (lambda p: p - v_p - sigma_p * eps_p))(phi)
        d_eu = (eps_u_rule or (lambda p: u - p**2 - sigma_u * eps_u))(phi)
        if eps_p_rule == "new":
            d_ep = new_phi - v_p - sigma_p * eps_p
        return new_phi, eps_p + dt * d_ep, eps_u + dt * d_eu

    return f


def test_network_step():
    assert check.network_step(_step()).ok
    _assert_wrapper_named(
        check.network_step,
        lambda phi, ep, eu, u, v_p, sp, su, dt: tuple(
            np.array([phi, ep, eu])
            + dt
            * np.array(
                error_units.network_derivatives(
                    phi, ep, eu, gm.make_model(u, v_p, sp, su)
                )
            )
        ),
        "error_units.network_derivatives",
    )


def _buggy(phi, eps_p, eps_u, u, v_p, sigma_p, sigma_u, dt):
    return (
        phi + dt * (eps_u * (phi**2 - 1)),
        eps_p + dt * (phi - v_p - sigma_p * eps_p),
        eps_u + dt * (u - phi**2 - sigma_u * eps_u),
    )


def _half_fix(phi, eps_p, eps_u, u, v_p, sigma_p, sigma_u, dt):
    return (
        phi + dt * (eps_u * phi**2 - eps_p),
        eps_p + dt * (phi - v_p - sigma_p * eps_p),
        eps_u + dt * (u - phi**2 - sigma_u * eps_u),
    )


def _plus_eps_p(phi, eps_p, eps_u, u, v_p, sigma_p, sigma_u, dt):
    return (
        phi + dt * (2 * phi * eps_u + eps_p),
        eps_p + dt * (phi - v_p - sigma_p * eps_p),
        eps_u + dt * (u - phi**2 - sigma_u * eps_u),
    )


def _sequential(phi, eps_p, eps_u, u, v_p, sigma_p, sigma_u, dt):
    phi = phi + dt * (2 * phi * eps_u - eps_p)
    eps_p = eps_p + dt * (phi - v_p - sigma_p * eps_p)
    eps_u = eps_u + dt * (u - phi**2 - sigma_u * eps_u)
    return phi, eps_p, eps_u


def _eps_u_broken(phi, eps_p, eps_u, u, v_p, sigma_p, sigma_u, dt):
    return (
        phi + dt * (2 * phi * eps_u - eps_p),
        eps_p + dt * (phi - v_p - sigma_p * eps_p),
        eps_u + dt * (u - phi - sigma_u * eps_u),
    )


def _g_prime_phi(phi, eps_p, eps_u, u, v_p, sigma_p, sigma_u, dt):
    return (
        phi + dt * (phi * eps_u - eps_p),
        eps_p + dt * (phi - v_p - sigma_p * eps_p),
        eps_u + dt * (u - phi**2 - sigma_u * eps_u),
    )


NETWORK_MISTAKES = [
    (_buggy, "does not depend on the prior error"),
    (_half_fix, "g(phi) where it needs g'(phi)"),
    (_plus_eps_p, "plus sign"),
    (_sequential, "eps_p uses the new phi"),
    (_eps_u_broken, "new eps_u differs"),
    (_g_prime_phi, "g'(phi) = phi"),
]


@pytest.mark.parametrize("answer, hint", NETWORK_MISTAKES)
def test_network_step_mistakes(answer, hint):
    _assert_hint(check.network_step, answer, hint, formula="phi += dt")


def test_network_step_says_which_update_is_wrong():
    verdict = check.network_step(_half_fix)
    assert "your new phi is wrong (eps_p and eps_u are right)" in (
        verdict.message
    )
    verdict = check.network_step(_eps_u_broken)
    assert "(phi and eps_p right)" in verdict.message


# ---- 2.4 stability limit --------------------------------------------------------------------
def test_max_stable_dt():
    assert check.max_stable_dt(
        lambda ev: np.min(-2 * np.real(ev) / np.abs(ev) ** 2)
    ).ok
    _assert_wrapper_named(
        check.max_stable_dt,
        lambda ev: error_units.max_stable_dt(ev),
        "error_units.max_stable_dt",
    )


STABILITY_MISTAKES = [
    (lambda ev: np.min(2 / np.abs(ev)), "real eigenvalues"),
    (lambda ev: np.min(2 / np.abs(np.real(ev))), "imaginary parts"),
    (lambda ev: np.min(-2 * np.real(ev) / np.abs(ev)), "|lambda|^2"),
    (lambda ev: np.min(-np.real(ev) / np.abs(ev) ** 2), "factor 2"),
    (lambda ev: np.max(-2 * np.real(ev) / np.abs(ev) ** 2), "smallest"),
    (lambda ev: -2 * np.real(ev) / np.abs(ev) ** 2, "one number"),
]


@pytest.mark.parametrize("answer, hint", STABILITY_MISTAKES)
def test_max_stable_dt_mistakes(answer, hint):
    _assert_hint(check.max_stable_dt, answer, hint, formula="-2 Re(lambda)")


# ---- 2.5 a step that cannot overshoot -------------------------------------------------------
def _safe(cap=lambda dt, c: min(dt, 1 / abs(c)), curvature_at=None, clip=None):
    def f(u, v_p, sigma_p, sigma_u, dt, n_steps):
        m = gm.make_model(u, v_p, sigma_p, sigma_u)
        phi = [v_p]
        with np.errstate(all="ignore"):
            for _ in range(n_steps):
                at = phi[-1] if curvature_at is None else curvature_at(m)
                h = cap(dt, _curvature(at, m))
                new = phi[-1] + h * _slope(phi[-1], m)
                phi.append(new if clip is None else float(np.clip(new, *clip)))
        return np.array(phi)

    return f


def test_safe_ascent_passes_capped_steps():
    assert check.safe_ascent(_safe()).ok
    assert check.safe_ascent(_safe(lambda dt, c: min(dt, 0.5 / abs(c)))).ok


SAFE_MISTAKES = [
    (_safe(lambda dt, c: dt), "diverges"),  # plain ascent
    (_safe(lambda dt, c: min(dt, 2 / abs(c))), "edge of stability"),
    (_safe(lambda dt, c: 1 / abs(c)), "more than"),  # Newton, uncapped
    (_safe(curvature_at=gm.map_estimate), "diverges"),  # the mode's limit
    (_safe(lambda dt, c: min(dt, -1 / abs(c))), "against"),
    (_safe(lambda dt, c: dt, clip=(0.0, 5.0)), "where does it stop"),
    (_safe(lambda dt, c: 1e-4), "where does it stop"),
]


@pytest.mark.parametrize("answer, hint", SAFE_MISTAKES)
def test_safe_ascent_mistakes(answer, hint):
    _assert_hint(check.safe_ascent, answer, hint)


# ---- 3.2 interneuron ------------------------------------------------------------------------
def _trial(d_eps=None, d_e=None, sequential=False, extra=0):
    def f(phi, g_above, sigma, dt, n_steps):
        eps = e = 0.0
        for _ in range(n_steps + extra):
            de = (d_eps or (lambda: phi - g_above - e))()
            new_eps = eps + dt * de
            src = new_eps if sequential else eps
            e = e + dt * (d_e or (lambda x: sigma * x - e))(src)
            eps = new_eps
        return eps, e

    return f


def test_interneuron_trial():
    assert check.interneuron_trial(_trial()).ok
    _assert_wrapper_named(
        check.interneuron_trial,
        lambda *a: variance.interneuron_trial(*a),
        "variance.interneuron_trial",
    )


INTERNEURON_MISTAKES = [
    (_trial(sequential=True), "previous step"),
    (lambda *a: _trial()(*a)[::-1], "swapped"),
    (_trial(extra=1), "range(n_steps)"),
]


@pytest.mark.parametrize("answer, hint", INTERNEURON_MISTAKES)
def test_interneuron_trial_mistakes(answer, hint):
    _assert_hint(check.interneuron_trial, answer, hint, formula="eps, e =")


def test_interneuron_trial_mistakes_in_the_equations():
    def sigma_on_decay(phi, g_above, sigma, dt, n_steps):
        eps = e = 0.0
        for _ in range(n_steps):
            eps, e = eps + dt * (phi - g_above - e), e + dt * (eps - sigma * e)
        return eps, e

    def self_excited(phi, g_above, sigma, dt, n_steps):
        eps = e = 0.0
        for _ in range(n_steps):
            eps, e = eps + dt * (phi - g_above - e), e + dt * (sigma * eps + e)
        return eps, e

    def excites(phi, g_above, sigma, dt, n_steps):
        eps = e = 0.0
        for _ in range(n_steps):
            eps, e = eps + dt * (phi - g_above + e), e + dt * (sigma * eps - e)
        return eps, e

    def weighted_input(phi, g_above, sigma, dt, n_steps):
        eps = e = 0.0
        c = (phi - g_above) / sigma
        for _ in range(n_steps):
            eps, e = eps + dt * (c - e), e + dt * (sigma * eps - e)
        return eps, e

    with np.errstate(all="ignore"):
        for answer, hint in (
            (sigma_on_decay, "synapse from eps to e"),
            (self_excited, "leak, -e"),
            (excites, "inhibitory"),
            (weighted_input, "raw error"),
        ):
            _verdict._WRONG_TRIES.clear()
            _assert_hint(check.interneuron_trial, answer, hint)


# ---- 3.3 weight gradient --------------------------------------------------------------------
def test_theta_gradient():
    assert check.theta_gradient(lambda eps, phi: eps.T @ np.tanh(phi)).ok
    # the check agrees with the package's gradient
    hier = variance.make_hierarchy((3, 2), rng=0)
    rng = np.random.default_rng(0)
    phis = [rng.normal(size=(5, 3)), rng.normal(size=(5, 2))]
    eps = variance.hier_errors(phis, hier)[0]
    assert np.allclose(
        variance.hier_param_gradients(phis, hier)["thetas"][0],
        eps.T @ np.tanh(phis[1]),
    )


THETA_MISTAKES = [
    (lambda eps, phi: np.tanh(phi).T @ eps, "shape"),
    (lambda eps, phi: eps.T @ phi, "h(phi_above)"),
    (lambda eps, phi: eps.T @ np.tanh(phi) / len(eps), "averaged"),
    (lambda eps, phi: eps.T @ (1 - np.tanh(phi) ** 2), "h'"),
    (lambda eps, phi: np.outer(eps[0], np.tanh(phi[0])), "first sample"),
    (lambda eps, phi: eps.T @ np.tanh(phi) + 1, "outer product"),
]


@pytest.mark.parametrize("answer, hint", THETA_MISTAKES)
def test_theta_gradient_mistakes(answer, hint):
    _assert_hint(check.theta_gradient, answer, hint, formula="eps.T @")


def test_labels_are_registered():
    for label in (
        "ex-posterior-grid",
        "ex-posterior-laplace",
        "ex-posterior-maxima",
        "ex-error_units-ascent",
        "ex-error_units-findbug",
        "ex-error_units-stability",
        "ex-error_units-safe-step",
        "ex-variance-interneuron",
        "ex-variance-findbug",
        "ex-variance-theta",
        "ex-variance-laplace",
        "ex-variance-learn-mean",
    ):
        assert label in check.load_all()


# ---- 3.4 find the bug: trial count used as step count --------------------------------------
def _learn(steps_of, reset=True, sigma0=1.0):
    def f(phis, lr, dt, t_trial):
        sigma = [sigma0]
        eps = e = 0.0
        for phi in phis:
            if reset:
                eps = e = 0.0
            for _ in range(steps_of(phis, dt, t_trial)):
                eps, e = (
                    eps + dt * (phi - 5.0 - e),
                    e + dt * (sigma[-1] * eps - e),
                )
            sigma.append(sigma[-1] + lr * (eps * e - 1.0))
        return sigma

    return f


_ROUND = lambda phis, dt, t: int(round(t / dt))  # noqa: E731


def test_learn_sigma():
    assert check.learn_sigma(_learn(_ROUND)).ok


LEARN_MISTAKES = [
    (_learn(lambda phis, dt, t: len(phis)), "as many steps as fit"),
    (_learn(lambda phis, dt, t: 2000), "from t_trial and dt"),
    (_learn(lambda phis, dt, t: int(t / dt)), "instead of truncating"),
    (_learn(_ROUND, reset=False), "eps = e = 0"),
    (_learn(_ROUND, sigma0=2.0), "Sigma = 1"),
    (lambda *a: _learn(_ROUND)(*a)[1:], "start the list with Sigma = 1"),
]


@pytest.mark.parametrize("answer, hint", LEARN_MISTAKES)
def test_learn_sigma_mistakes(answer, hint):
    _assert_hint(check.learn_sigma, answer, hint)


def test_learn_sigma_keeps_the_algorithm_for_the_answer_and_names_bogacz():
    verdict = check.learn_sigma(_learn(lambda phis, dt, t: len(phis)))
    assert "round(t_trial / dt)" in verdict.answer
    assert "Sigma +=" not in verdict.hint
    verdict = check.learn_sigma(
        lambda phis, lr, dt, t: [1.0] * (len(phis) + 1)
    )
    assert "Bogacz's Exercise 5" in verdict.message


# ---- 3.5 the Laplace update of Sigma_u --------------------------------------------------------
def _laplace_ref(u, phi, v_p, sigma_p, sigma_u):
    sigma_q = 1.0 / (1.0 / sigma_p + (6.0 * phi**2 - 2.0 * u) / sigma_u)
    return ((u - phi**2) ** 2 + 4.0 * phi**2 * sigma_q) / (
        2 * sigma_u**2
    ) - 1.0 / (2 * sigma_u)


def _plain(u, phi, v_p, sigma_p, sigma_u):  # Bogacz's rule, no spread of q
    return 0.5 * ((u - phi**2) ** 2 / sigma_u**2 - 1.0 / sigma_u)


def _sigma_q(u, phi, sigma_p, sigma_u):
    return 1.0 / (1.0 / sigma_p + (6.0 * phi**2 - 2.0 * u) / sigma_u)


def test_laplace_sigma_u_gradient():
    assert check.laplace_sigma_u_gradient(_laplace_ref).ok
    _assert_wrapper_named(
        check.laplace_sigma_u_gradient,
        lambda u, phi, v_p, s_p, s_u: variance.variance_gradients(
            phi, gm.make_model(u, v_p, s_p, s_u), laplace=True
        )[1],
        "variance.variance_gradients",
    )


LAPLACE_U_MISTAKES = [
    (_plain, "point-estimate rule"),
    (
        lambda u, phi, v_p, s_p, s_u: (
            _plain(u, phi, v_p, s_p, s_u)
            + 0.5 * _sigma_q(u, phi, s_p, s_u) / s_u**2
        ),
        "without g'(phi)^2",
    ),
    (
        lambda u, phi, v_p, s_p, s_u: (
            _plain(u, phi, v_p, s_p, s_u)
            - 0.5 * 4 * phi**2 * _sigma_q(u, phi, s_p, s_u) / s_u**2
        ),
        "negative",
    ),
    (lambda *a: _laplace_ref(*a) + 0.1, "expected squared error"),
]


@pytest.mark.parametrize("answer, hint", LAPLACE_U_MISTAKES)
def test_laplace_sigma_u_gradient_mistakes(answer, hint):
    _assert_hint(
        check.laplace_sigma_u_gradient, answer, hint, formula="Sigma_q = -1"
    )


# ---- 3.6 the circuit learns the mean too ----------------------------------------------------
def _learn_mean(g_rule=lambda eps, e, phi, g: eps, learn_sigma=True):
    def f(phis, lr, dt, t_trial, g0):
        sigmas, gs = [1.0], [g0]
        for phi in phis:
            eps = e = 0.0
            s, g = sigmas[-1], gs[-1]
            for _ in range(int(round(t_trial / dt))):
                eps, e = eps + dt * (phi - g - e), e + dt * (s * eps - e)
            sigmas.append(s + lr * (eps * e - 1.0) if learn_sigma else s)
            gs.append(g + lr * g_rule(eps, e, phi, g))
        return sigmas, gs

    return f


def test_learn_sigma_and_mean():
    assert check.learn_sigma_and_mean(_learn_mean()).ok


LEARN_MEAN_MISTAKES = [
    (_learn_mean(lambda eps, e, phi, g: 0.0), "never moves"),
    (_learn_mean(lambda eps, e, phi, g: -eps), "wrong sign"),
    (_learn_mean(lambda eps, e, phi, g: e), "which node holds"),
    (_learn_mean(lambda eps, e, phi, g: phi - g), "already holds"),
    (_learn_mean(learn_sigma=False), "Sigma never moves"),
    (lambda *a: _learn_mean()(*a)[1], "return sigmas, gs"),
    (lambda *a: [x[1:] for x in _learn_mean()(*a)], "initial values"),
]


@pytest.mark.parametrize("answer, hint", LEARN_MEAN_MISTAKES)
def test_learn_sigma_and_mean_mistakes(answer, hint):
    _assert_hint(check.learn_sigma_and_mean, answer, hint)
