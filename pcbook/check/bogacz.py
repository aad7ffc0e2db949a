"""Answer checks for chapters 1-3 (Bogacz 2017): exact posterior, error units, learning.

Each check takes the student's function, runs it on a few settings (including variances other
than 1, where a variance passed as a standard deviation shows), compares with pcbook and
recognises the typical mistakes.
"""

from __future__ import annotations

import numpy as np

from pcbook import error_units, gaussian_model as gm, posterior, variance
from pcbook.check._verdict import answer_check, correct, wrong

__all__ = [
    "posterior_grid",
    "laplace_sd",
    "gradient_ascent",
    "network_step",
    "max_stable_dt",
    "interneuron_trial",
    "learn_sigma",
    "theta_gradient",
    "laplace_sigma_u_gradient",
]

_SETTINGS = [(2.0, 3.0, 1.0, 1.0), (2.5, 2.0, 0.5, 2.0), (1.0, 1.5, 2.0, 0.25)]


def _close(a, b, rtol=1e-6, atol=1e-9) -> bool:
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


# ---- chapter 1 --------------------------------------------------------------------------------
@answer_check("ex-posterior-grid")
def posterior_grid(func):
    """Check ``func(u, v_p, sigma_p, sigma_u, v) -> posterior on the grid v`` (Exercise 1.2)."""
    v = posterior.make_grid()
    dv = v[1] - v[0]
    for u, v_p, s_p, s_u in _SETTINGS:
        got = np.asarray(func(u, v_p, s_p, s_u, v), dtype=float)
        want = posterior.posterior_on_grid(u, v_p, s_p, s_u, v=v).posterior
        if got.shape != want.shape:
            return wrong(
                f"expected an array of shape {want.shape}, got {got.shape}.",
                "return one posterior value per grid point.",
            )
        if _close(got, want, rtol=1e-5):
            continue
        if _close(got * dv, want, rtol=1e-5) or abs(np.sum(got) - 1.0) < 1e-6:
            return wrong(
                "your posterior sums to 1 instead of integrating to 1.",
                "divide by sum(prior * likelihood) * dv: the grid spacing belongs in the normaliser.",
            )
        as_sd = gm.normal_pdf(v, v_p, s_p**2) * gm.normal_pdf(u, v * v, s_u**2)
        if _close(got, as_sd / (np.sum(as_sd) * dv), rtol=1e-5):
            return wrong(
                f"wrong for Sigma_p={s_p}, Sigma_u={s_u}: you passed a variance where a standard "
                "deviation is expected.",
                "scipy.stats.norm.pdf(x, loc, scale) takes scale = sqrt(variance).",
            )
        return wrong(
            f"the posterior differs from the exact one for u={u}, v_p={v_p}, Sigma_p={s_p}, "
            f"Sigma_u={s_u}.",
            "posterior = prior * likelihood / (sum(prior * likelihood) * dv), "
            "with likelihood N(u; v^2, Sigma_u).",
        )
    return correct(
        "your grid posterior matches in three settings (variances != 1 too)."
    )


@answer_check("ex-posterior-laplace")
def laplace_sd(func):
    """Check ``func(u, v_p, sigma_p, sigma_u) -> standard deviation of the Laplace approximation``."""
    for u, v_p, s_p, s_u in _SETTINGS:
        model = gm.make_model(u, v_p, s_p, s_u)
        phi, want = posterior.laplace_approximation(model)
        got = float(func(u, v_p, s_p, s_u))
        if abs(got - want) <= 1e-6 * want:
            continue
        if abs(got - want**2) <= 1e-6 * want**2:
            return wrong(
                "you returned the variance.",
                "take the square root of -1 / F''(phi*).",
            )
        no_prior = np.sqrt(1.0 / ((6 * phi**2 - 2 * u) / s_u))
        if abs(got - no_prior) <= 1e-6 * no_prior:
            return wrong(
                "your curvature misses the prior's contribution.",
                "F''(phi) = -1/Sigma_p + (2u - 6 phi^2)/Sigma_u: both terms bend F.",
            )
        return wrong(
            f"for u={u}, v_p={v_p}, Sigma_p={s_p}, Sigma_u={s_u} the Laplace s.d. is {want:.4f}, "
            f"you gave {got:.4f}.",
            "evaluate the curvature at the exact mode phi* (the cubic's root).",
        )
    return correct(
        "your Laplace standard deviation matches for three settings."
    )


# ---- chapter 2 --------------------------------------------------------------------------------
def _euler(deriv, x0: float, n: int) -> np.ndarray:
    out = [x0]
    with np.errstate(all="ignore"):
        for _ in range(n):
            out.append(out[-1] + 0.01 * deriv(out[-1]))
    return np.array(out)


@answer_check("ex-error_units-ascent")
def gradient_ascent(func):
    """Check ``func(u, v_p, sigma_p, sigma_u, dt, n_steps) -> phi`` (length n_steps + 1, phi[0] = v_p)."""
    for u, v_p, s_p, s_u in _SETTINGS:
        model = gm.make_model(u, v_p, s_p, s_u)
        want = error_units.simulate_gradient_ascent(
            model, dt=0.01, t_max=1.0
        ).phi
        got = np.asarray(func(u, v_p, s_p, s_u, 0.01, 100), dtype=float)
        if got.shape != want.shape:
            return wrong(
                f"expected {want.size} values (phi at t = 0 and after each of 100 steps), got shape "
                f"{got.shape}.",
                "start the array with phi[0] = v_p.",
            )
        if _close(got, want, rtol=1e-8):
            continue
        with_g = _euler(
            lambda x: (v_p - x) / s_p + (u - x * x) * x * x / s_u, v_p, 100
        )
        if _close(got, with_g, rtol=1e-8):
            return wrong(
                "the likelihood term is multiplied by g(phi) instead of g'(phi).",
                "dF/dphi = (v_p - phi)/Sigma_p + (u - phi^2) * 2 phi / Sigma_u.",
            )
        flipped = _euler(
            lambda x: (x - v_p) / s_p + (u - x * x) * 2 * x / s_u, v_p, 100
        )
        if _close(got, flipped, rtol=1e-8):
            return wrong(
                "the prior term has the wrong sign: phi is pushed away from v_p.",
                "the prior pulls phi towards v_p: + (v_p - phi) / Sigma_p.",
            )
        return wrong(
            f"phi differs from Euler ascent on F for u={u}, v_p={v_p}, Sigma_p={s_p}, Sigma_u={s_u}.",
            "phi <- phi + dt * dF/dphi, with dF/dphi evaluated at the previous phi.",
        )
    return correct("your Euler ascent matches for three settings.")


@answer_check("ex-error_units-findbug")
def network_step(func):
    """Check ``func(phi, eps_p, eps_u, u, v_p, sigma_p, sigma_u, dt) -> (phi, eps_p, eps_u)`` (one step)."""
    rng = np.random.default_rng(7)
    for u, v_p, s_p, s_u in _SETTINGS:
        phi, ep, eu = rng.normal(size=3) + (1.5, -1.0, -0.5)
        model = gm.make_model(u, v_p, s_p, s_u)
        d = error_units.network_derivatives(phi, ep, eu, model)
        want = np.array([phi, ep, eu]) + 0.01 * np.array(d)
        got = np.asarray(
            func(phi, ep, eu, u, v_p, s_p, s_u, 0.01), dtype=float
        )
        if _close(got, want, rtol=1e-9):
            continue
        other = np.asarray(
            func(phi, ep + 1.0, eu, u, v_p, s_p, s_u, 0.01), dtype=float
        )
        if np.isclose(other[0], got[0]):
            return wrong(
                "phi does not depend on the prior error eps_p: v_p cannot pull the estimate.",
                "d phi/dt = eps_u g'(phi) - eps_p (Bogacz Eq. 12).",
            )
        if np.isclose(got[0], phi + 0.01 * (eu * phi**2 - ep)):
            return wrong(
                "phi's update uses g(phi) where it needs g'(phi).",
                "g(phi) = phi^2, so g'(phi) = 2 phi.",
            )
        return wrong(
            "one of the three updates differs from Bogacz Eqs. (12)-(14).",
            "phi += dt (2 phi eps_u - eps_p); eps_p += dt (phi - v_p - Sigma_p eps_p); "
            "eps_u += dt (u - phi^2 - Sigma_u eps_u), all from the old values.",
        )
    return correct("fixed: the prior error feeds back into phi again.")


@answer_check("ex-error_units-stability")
def max_stable_dt(func):
    """Check ``func(eigenvalues) -> largest stable Euler step``."""
    cases = [
        error_units.linearisation_eigenvalues(),
        np.array([-1.0, -4.0]),
        np.array([-0.5 + 2j, -0.5 - 2j]),
    ]
    for ev in cases:
        want = error_units.max_stable_dt(ev)
        got = float(func(ev))
        if abs(got - want) <= 1e-9 * want:
            continue
        if abs(got - float(np.min(2.0 / np.abs(ev)))) <= 1e-9:
            return wrong(
                "you used 2 / |lambda|, which only holds for real eigenvalues.",
                "solve |1 + dt lambda|^2 < 1 for complex lambda: dt < -2 Re(lambda) / |lambda|^2.",
            )
        return wrong(
            f"for eigenvalues {np.round(ev, 3)} the limit is {want:.4f}, you gave {got:.4f}.",
            "take the smallest -2 Re(lambda) / |lambda|^2 over all eigenvalues.",
        )
    return correct(
        "your stability limit is right for real and complex eigenvalues."
    )


# ---- chapter 3 --------------------------------------------------------------------------------
@answer_check("ex-variance-interneuron")
def interneuron_trial(func):
    """Check ``func(phi, g_above, sigma, dt, n_steps) -> (eps, e)`` after n_steps Euler steps from 0."""
    for phi, g_above, sigma, n in [
        (6.0, 5.0, 2.0, 3),
        (3.5, 5.0, 1.0, 50),
        (7.0, 5.0, 0.5, 2000),
    ]:
        want = np.array(
            variance.interneuron_trial(phi, g_above, sigma, 0.01, n)
        )
        got = np.asarray(func(phi, g_above, sigma, 0.01, n), dtype=float)
        if _close(got, want, rtol=1e-9, atol=1e-12):
            continue
        if got.shape == want.shape and _close(
            got[::-1], want, rtol=1e-9, atol=1e-12
        ):
            return wrong(
                "eps and e are swapped.",
                "return (eps, e): eps ends near (phi - g)/Sigma, e near phi - g.",
            )
        e_first = np.array([0.0, 0.0])
        for _ in range(n):
            eps_new = e_first[0] + 0.01 * (phi - g_above - e_first[1])
            e_first = np.array(
                [eps_new, e_first[1] + 0.01 * (sigma * eps_new - e_first[1])]
            )
        if _close(got, e_first, rtol=1e-9):
            return wrong(
                "the interneuron update uses the new eps of this step.",
                "compute both derivatives from the previous step's values, then update both.",
            )
        return wrong(
            f"(eps, e) after {n} steps should be {np.round(want, 5)}, you gave {np.round(got, 5)}.",
            "eps' = phi - g - e and e' = Sigma eps - e (Bogacz Eqs. 59-60).",
        )
    return correct(
        "your trial matches Euler steps and ends at the fixed point."
    )


def _sigma_path(
    phis, lr: float, dt: float, n_steps: int, g_above: float = 5.0
) -> np.ndarray:
    sigma = [1.0]
    for phi in phis:
        eps, e = variance._interneuron_end(
            phi - g_above, sigma[-1], dt, n_steps
        )
        sigma.append(sigma[-1] + lr * (eps * e - 1.0))
    return np.array(sigma)


@answer_check("ex-variance-findbug")
def learn_sigma(func):
    """Check ``func(phis, lr, dt, t_trial) -> Sigma before each trial`` (length len(phis) + 1, from 1)."""
    phis = np.random.default_rng(11).normal(5.0, np.sqrt(2.0), 40)
    want = _sigma_path(phis, 0.01, 0.01, 2000)
    got = np.asarray(func(phis, 0.01, 0.01, 20.0), dtype=float)
    if got.shape != want.shape:
        return wrong(
            f"expected {want.size} values (Sigma = 1 before the first trial, then after each), "
            f"got shape {got.shape}.",
            "start the list with Sigma = 1 and append after every trial.",
        )
    if _close(got, want, rtol=1e-8):
        return correct("every trial now runs t_trial / dt = 2000 Euler steps.")
    if _close(got, _sigma_path(phis, 0.01, 0.01, len(phis)), rtol=1e-8):
        return wrong(
            "each trial still runs one Euler step per trial of the experiment (40 here).",
            "the inner loop must run round(t_trial / dt) steps; the trial count is another number.",
        )
    return wrong(
        "Sigma differs from Exercise 5's learning rule.",
        "per trial: reset eps = e = 0, run round(t_trial / dt) Euler steps, "
        "then Sigma += lr * (eps * e - 1).",
    )


@answer_check("ex-variance-theta")
def theta_gradient(func):
    """Check ``func(eps, phi_above) -> dF/dTheta`` summed over a batch (eps: (B, n), phi_above: (B, m))."""
    rng = np.random.default_rng(3)
    eps, phi_above = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    want = eps.T @ np.tanh(phi_above)
    got = np.asarray(func(eps, phi_above), dtype=float)
    if _close(got, want):
        return correct(
            "dF/dTheta = eps h(phi_above)^T: pre- times postsynaptic activity."
        )
    if _close(got, want.T):
        return wrong(
            f"your gradient has shape {got.shape}; Theta has shape {want.shape}.",
            "Theta maps the level above (m) to the level below (n): the gradient is eps h(phi)^T.",
        )
    if _close(got, eps.T @ phi_above):
        return wrong(
            "you used phi_above where h(phi_above) is needed.",
            "the prediction is Theta h(phi_above), so the gradient has h = tanh applied.",
        )
    return wrong(
        "your gradient differs from eps h(phi_above)^T summed over the batch.",
        "with batches as rows: eps.T @ np.tanh(phi_above).",
    )


# (u, phi, v_p, Sigma_p, Sigma_u); F''(phi) < 0 in each
_LAPLACE_SETTINGS = [
    (2.0, 1.5, 3.0, 1.0, 1.0),
    (6.0, 2.3, 3.0, 1.0, 0.2),
    (1.0, 1.2, 1.5, 2.0, 0.5),
]


@answer_check("ex-variance-laplace")
def laplace_sigma_u_gradient(func):
    """Check ``func(u, phi, v_p, sigma_p, sigma_u) -> dF/dSigma_u`` (Laplace F)."""
    for u, phi, v_p, s_p, s_u in _LAPLACE_SETTINGS:
        model = gm.make_model(u, v_p, s_p, s_u)
        want = variance.variance_gradients(phi, model, laplace=True)[1]
        got = float(func(u, phi, v_p, s_p, s_u))
        if _close(got, want):
            continue
        plain = variance.variance_gradients(phi, model)[1]
        sigma_q = -1.0 / gm.d2F_dphi2(phi, model)
        if _close(got, plain):
            return wrong(
                "this is Bogacz's point-estimate rule "
                "(eps_u^2 - 1/Sigma_u) / 2.",
                "add the spread of q: the expected squared error is "
                "(u - g)^2 + g'(phi)^2 Sigma_q.",
            )
        if _close(got, plain + 0.5 * sigma_q / s_u**2):
            return wrong(
                "the spread of q enters without g'(phi)^2.",
                "q's variance is in v; through g it becomes "
                "g'(phi)^2 Sigma_q in u.",
            )
        return wrong(
            f"for u={u}, phi={phi}, Sigma_u={s_u} the gradient is "
            f"{want:.4f}, you gave {got:.4f}.",
            "Sigma_q = -1 / F''(phi) with "
            "F'' = -1/Sigma_p + (2u - 6 phi^2)/Sigma_u.",
        )
    return correct("the spread of q stops the update rewarding a perfect fit.")
