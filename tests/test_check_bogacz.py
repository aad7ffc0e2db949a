"""Answer checks of chapters 1-3: the reference passes, typical mistakes fail with the intended hint."""

import numpy as np
from scipy import stats

from pcbook import check, gaussian_model as gm, posterior, variance


# ---- 1.2 posterior on a grid ----------------------------------------------------------------
def _post_ref(u, v_p, sigma_p, sigma_u, v):
    joint = stats.norm.pdf(v, v_p, np.sqrt(sigma_p)) * stats.norm.pdf(
        u, v**2, np.sqrt(sigma_u)
    )
    return joint / (joint.sum() * (v[1] - v[0]))


def test_posterior_grid():
    assert check.posterior_grid(_post_ref).ok
    assert check.posterior_grid(
        lambda *a: posterior.posterior_on_grid(*a[:4], v=a[4]).posterior
    ).ok

    def as_sd(u, v_p, sigma_p, sigma_u, v):
        joint = stats.norm.pdf(v, v_p, sigma_p) * stats.norm.pdf(
            u, v**2, sigma_u
        )
        return joint / (joint.sum() * (v[1] - v[0]))

    verdict = check.posterior_grid(as_sd)
    assert not verdict.ok and "sqrt(variance)" in verdict.hint

    def no_dv(u, v_p, sigma_p, sigma_u, v):
        joint = stats.norm.pdf(v, v_p, np.sqrt(sigma_p)) * stats.norm.pdf(
            u, v**2, np.sqrt(sigma_u)
        )
        return joint / joint.sum()

    verdict = check.posterior_grid(no_dv)
    assert not verdict.ok and "dv" in verdict.hint

    verdict = check.posterior_grid(
        lambda *a: (_ for _ in ()).throw(NotImplementedError())
    )
    assert not verdict.ok and "not implemented" in verdict.message


# ---- 1.3 Laplace ----------------------------------------------------------------------------
def test_laplace_sd():
    def ref(u, v_p, sigma_p, sigma_u):
        phi = gm.map_estimate(gm.make_model(u, v_p, sigma_p, sigma_u))
        return np.sqrt(1 / (1 / sigma_p + (6 * phi**2 - 2 * u) / sigma_u))

    assert check.laplace_sd(ref).ok
    verdict = check.laplace_sd(lambda *a: ref(*a) ** 2)
    assert not verdict.ok and "square root" in verdict.hint

    def no_prior(u, v_p, sigma_p, sigma_u):
        phi = gm.map_estimate(gm.make_model(u, v_p, sigma_p, sigma_u))
        return np.sqrt(1 / ((6 * phi**2 - 2 * u) / sigma_u))

    verdict = check.laplace_sd(no_prior)
    assert not verdict.ok and "both terms" in verdict.hint


# ---- 2.2 gradient ascent --------------------------------------------------------------------
def _ascent(sign_prior=1.0, use_g=False):
    def f(u, v_p, sigma_p, sigma_u, dt, n_steps):
        phi = np.empty(n_steps + 1)
        phi[0] = v_p
        for k in range(n_steps):
            p = phi[k]
            slope = p * p if use_g else 2 * p
            phi[k + 1] = p + dt * (
                sign_prior * (v_p - p) / sigma_p
                + (u - p * p) * slope / sigma_u
            )
        return phi

    return f


def test_gradient_ascent():
    assert check.gradient_ascent(_ascent()).ok
    verdict = check.gradient_ascent(_ascent(use_g=True))
    assert not verdict.ok and "g'(phi)" in verdict.message
    verdict = check.gradient_ascent(_ascent(sign_prior=-1.0))
    assert not verdict.ok and "towards v_p" in verdict.hint
    verdict = check.gradient_ascent(lambda *a: _ascent()(*a)[1:])
    assert not verdict.ok and "phi[0] = v_p" in verdict.hint


# ---- 2.3 find the bug -----------------------------------------------------------------------
def test_network_step():
    def fixed(phi, eps_p, eps_u, u, v_p, sigma_p, sigma_u, dt):
        return (
            phi + dt * (2 * phi * eps_u - eps_p),
            eps_p + dt * (phi - v_p - sigma_p * eps_p),
            eps_u + dt * (u - phi**2 - sigma_u * eps_u),
        )

    def seed_bug(phi, eps_p, eps_u, u, v_p, sigma_p, sigma_u, dt):
        return (
            phi + dt * (eps_u * phi**2 - eps_u),
            eps_p + dt * (phi - v_p - sigma_p * eps_p),
            eps_u + dt * (u - phi**2 - sigma_u * eps_u),
        )

    def half_fix(phi, eps_p, eps_u, u, v_p, sigma_p, sigma_u, dt):
        return (
            phi + dt * (eps_u * phi**2 - eps_p),
            eps_p + dt * (phi - v_p - sigma_p * eps_p),
            eps_u + dt * (u - phi**2 - sigma_u * eps_u),
        )

    assert check.network_step(fixed).ok
    verdict = check.network_step(seed_bug)
    assert not verdict.ok and "prior error" in verdict.message
    verdict = check.network_step(half_fix)
    assert not verdict.ok and "g'(phi)" in verdict.message


# ---- 2.4 stability limit --------------------------------------------------------------------
def test_max_stable_dt():
    assert check.max_stable_dt(
        lambda ev: np.min(-2 * np.real(ev) / np.abs(ev) ** 2)
    ).ok
    verdict = check.max_stable_dt(lambda ev: np.min(2 / np.abs(ev)))
    assert not verdict.ok and "real eigenvalues" in verdict.message


# ---- 3.2 interneuron ------------------------------------------------------------------------
def test_interneuron_trial():
    def ref(phi, g_above, sigma, dt, n_steps):
        eps = e = 0.0
        for _ in range(n_steps):
            eps, e = eps + dt * (phi - g_above - e), e + dt * (sigma * eps - e)
        return eps, e

    assert check.interneuron_trial(ref).ok

    def sequential(phi, g_above, sigma, dt, n_steps):
        eps = e = 0.0
        for _ in range(n_steps):
            eps = eps + dt * (phi - g_above - e)
            e = e + dt * (sigma * eps - e)
        return eps, e

    verdict = check.interneuron_trial(sequential)
    assert not verdict.ok and "previous step" in verdict.hint
    verdict = check.interneuron_trial(lambda *a: ref(*a)[::-1])
    assert not verdict.ok and "swapped" in verdict.message


# ---- 3.3 weight gradient --------------------------------------------------------------------
def test_theta_gradient():
    assert check.theta_gradient(lambda eps, phi: eps.T @ np.tanh(phi)).ok
    verdict = check.theta_gradient(lambda eps, phi: np.tanh(phi).T @ eps)
    assert not verdict.ok and "shape" in verdict.message
    verdict = check.theta_gradient(lambda eps, phi: eps.T @ phi)
    assert not verdict.ok and "h(phi_above)" in verdict.message
    # the check agrees with the package's gradient
    hier = variance.make_hierarchy((3, 2), rng=0)
    rng = np.random.default_rng(0)
    phis = [rng.normal(size=(5, 3)), rng.normal(size=(5, 2))]
    eps = variance.hier_errors(phis, hier)[0]
    assert np.allclose(
        variance.hier_param_gradients(phis, hier)["thetas"][0],
        eps.T @ np.tanh(phis[1]),
    )


def test_labels_are_registered():
    for label in (
        "ex-posterior-grid",
        "ex-posterior-laplace",
        "ex-error_units-ascent",
        "ex-error_units-findbug",
        "ex-error_units-stability",
        "ex-variance-interneuron",
        "ex-variance-theta",
    ):
        assert label in check.CHECKS


# ---- 3.4 find the bug: trial count used as step count --------------------------------------
def _learn(steps_of):
    def f(phis, lr, dt, t_trial):
        sigma = [1.0]
        for phi in phis:
            eps = e = 0.0
            for _ in range(steps_of(phis, dt, t_trial)):
                eps, e = (
                    eps + dt * (phi - 5.0 - e),
                    e + dt * (sigma[-1] * eps - e),
                )
            sigma.append(sigma[-1] + lr * (eps * e - 1.0))
        return sigma

    return f


def test_learn_sigma():
    assert check.learn_sigma(_learn(lambda phis, dt, t: int(round(t / dt)))).ok
    verdict = check.learn_sigma(_learn(lambda phis, dt, t: len(phis)))
    assert not verdict.ok and "t_trial / dt" in verdict.hint
    verdict = check.learn_sigma(
        lambda *a: _learn(lambda phis, dt, t: int(round(t / dt)))(*a)[1:]
    )
    assert not verdict.ok and "Sigma = 1" in verdict.hint
    assert "ex-variance-findbug" in check.CHECKS


# ---- 3.5 the Laplace update of Sigma_u --------------------------------------------------------
def _laplace_ref(u, phi, v_p, sigma_p, sigma_u):
    sigma_q = 1.0 / (1.0 / sigma_p + (6.0 * phi**2 - 2.0 * u) / sigma_u)
    return ((u - phi**2) ** 2 + 4.0 * phi**2 * sigma_q) / (
        2 * sigma_u**2
    ) - 1.0 / (2 * sigma_u)


def test_laplace_sigma_u_gradient():
    assert check.laplace_sigma_u_gradient(_laplace_ref).ok
    assert check.laplace_sigma_u_gradient(
        lambda u, phi, v_p, s_p, s_u: variance.variance_gradients(
            phi, gm.make_model(u, v_p, s_p, s_u), laplace=True
        )[1]
    ).ok

    def plain(u, phi, v_p, sigma_p, sigma_u):  # Bogacz's rule, no spread of q
        return 0.5 * ((u - phi**2) ** 2 / sigma_u**2 - 1.0 / sigma_u)

    verdict = check.laplace_sigma_u_gradient(plain)
    assert (
        not verdict.ok
        and "point-estimate rule" in verdict.message
        and "Sigma_q" in verdict.hint
    )

    def no_slope(u, phi, v_p, sigma_p, sigma_u):  # forgets g'(phi)^2
        sigma_q = 1.0 / (1.0 / sigma_p + (6.0 * phi**2 - 2.0 * u) / sigma_u)
        return (
            plain(u, phi, v_p, sigma_p, sigma_u) + 0.5 * sigma_q / sigma_u**2
        )

    verdict = check.laplace_sigma_u_gradient(no_slope)
    assert not verdict.ok and "without g'(phi)^2" in verdict.message

    verdict = check.laplace_sigma_u_gradient(lambda *a: _laplace_ref(*a) + 0.1)
    assert not verdict.ok and "F''" in verdict.hint
