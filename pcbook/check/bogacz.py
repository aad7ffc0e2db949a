"""Answer checks for chapters 1-3 (Bogacz 2017): exact posterior, error units, learning.

Each check takes the student's function, runs it on a few settings (including variances other
than 1, where a variance passed as a standard deviation shows), compares with pcbook and
recognises the typical mistakes: the first wrong try gets a hint that says which part is wrong,
the full formula is kept for ``answer=`` (shown after repeated tries or with ``reveal=True``).
Where the book has a function with the exercise's signature, the check notices a call to it
(:func:`pcbook.check._verdict.book_function_used`): the exercise asks for a reimplementation.
"""

from __future__ import annotations

import numpy as np

from pcbook import error_units, gaussian_model as gm, posterior, variance
from pcbook.check._verdict import (
    answer_check,
    book_function_used,
    correct,
    wrong,
)

__all__ = [
    "posterior_grid",
    "laplace_sd",
    "posterior_maxima",
    "gradient_ascent",
    "network_step",
    "max_stable_dt",
    "safe_ascent",
    "interneuron_trial",
    "learn_sigma",
    "theta_gradient",
    "laplace_sigma_u_gradient",
    "learn_sigma_and_mean",
]

_SETTINGS = [(2.0, 3.0, 1.0, 1.0), (2.5, 2.0, 0.5, 2.0), (1.0, 1.5, 2.0, 0.25)]


def _close(a, b, rtol=1e-6, atol=1e-9) -> bool:
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _where(u, v_p, s_p, s_u) -> str:
    return f"for u={u}, v_p={v_p}, Sigma_p={s_p}, Sigma_u={s_u}"


def _slope(phi, model):
    """dF/dphi (eq-error_units-dF) at any value a student's run reaches.

    gaussian_model.dF_dphi refuses values beyond the model's scale; a check has to judge them.
    """
    m = model
    with np.errstate(all="ignore"):
        return (m.v_p - phi) / m.sigma_p + (
            m.u - phi * phi
        ) * 2.0 * phi / m.sigma_u


def _curvature(phi, model):
    """F''(phi) (eq-posterior-laplace) at any value, like :func:`_slope`."""
    m = model
    with np.errstate(all="ignore"):
        return -1.0 / m.sigma_p + (2.0 * m.u - 6.0 * phi * phi) / m.sigma_u


# ---- chapter 1 --------------------------------------------------------------------------------
def _grid_density(prior_var, lik_var, u, v_p, v, g=lambda x: x * x):
    joint = gm.normal_pdf(v, v_p, prior_var) * gm.normal_pdf(g(v), u, lik_var)
    return joint / (np.sum(joint) * (v[1] - v[0]))


@answer_check("ex-posterior-grid")
def posterior_grid(func):
    """Check ``func(u, v_p, sigma_p, sigma_u, v) -> posterior on the grid v`` (Exercise 1.2)."""
    v = posterior.make_grid()
    dv = v[1] - v[0]
    for u, v_p, s_p, s_u in _SETTINGS:
        got, used = book_function_used(
            func,
            (u, v_p, s_p, s_u, v),
            posterior.posterior_on_grid,
            posterior.posterior_on_line,
        )
        if used is not None:
            return used
        got = np.asarray(got, dtype=float)
        want = _grid_density(s_p, s_u, u, v_p, v)
        where = _where(u, v_p, s_p, s_u)
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
                "a density integrates as sum(p) * dv: the grid spacing "
                "belongs in the normaliser.",
                answer="divide by sum(prior * likelihood) * dv.",
            )
        if abs(np.sum(got) * dv - 1.0) > 1e-3:
            return wrong(
                f"{where} your posterior integrates to {np.sum(got) * dv:.4g}"
                ", not 1.",
                "divide prior x likelihood by the evidence "
                "eq-posterior-evidence.",
                answer="posterior = prior * likelihood / "
                "(sum(prior * likelihood) * dv).",
            )
        if _close(got, _grid_density(s_p**2, s_u**2, u, v_p, v), rtol=1e-5):
            return wrong(
                f"{where} you passed a variance where a standard deviation "
                "is expected.",
                "scipy.stats.norm.pdf(x, loc, scale) takes scale = "
                "sqrt(variance).",
            )
        if _close(got, _grid_density(s_p, s_u, u, v_p, v, g=lambda x: x)):
            return wrong(
                f"{where} your likelihood is centred at v: the intensity "
                "the model predicts is g(v) = v^2.",
                "the likelihood is the density of u given v: "
                "f(u; g(v), Sigma_u).",
            )
        return wrong(
            f"{where} the posterior differs from the exact one, although "
            "it is normalised.",
            "plot prior and likelihood separately: each must be a normal "
            "density with a variance, as in eq-posterior-model.",
            answer="posterior = prior * likelihood / "
            "(sum(prior * likelihood) * dv), prior f(v; v_p, Sigma_p), "
            "likelihood f(u; v^2, Sigma_u).",
        )
    return correct(
        "your grid posterior matches in three settings (variances != 1 too)."
    )


_LAPLACE_ANSWER = (
    "s.d. = sqrt(-1 / F''(phi*)), F''(phi) = -1/Sigma_p + "
    "(2u - 6 phi^2)/Sigma_u at the mode phi*."
)


def _curvature_point(sd, u, s_p, s_u):
    """The phi >= 0 at which the Laplace formula gives the s.d. ``sd``, if there is one."""
    phi2 = (2.0 * u - s_u * (-1.0 / sd**2 + 1.0 / s_p)) / 6.0
    return float(np.sqrt(phi2)) if phi2 >= 0 else None


@answer_check("ex-posterior-laplace")
def laplace_sd(func):
    """Check ``func(u, v_p, sigma_p, sigma_u) -> standard deviation of the Laplace approximation``."""
    for u, v_p, s_p, s_u in _SETTINGS:
        model = gm.make_model(u, v_p, s_p, s_u)
        phi = gm.map_estimate(model)
        want = float(np.sqrt(-1.0 / gm.d2F_dphi2(phi, model)))
        got, used = book_function_used(
            func, (u, v_p, s_p, s_u), posterior.laplace_approximation
        )
        if used is not None:
            return used
        got = float(got)
        where = _where(u, v_p, s_p, s_u)
        if abs(got - want) <= 1e-6 * want:
            continue
        if np.isnan(got):
            return wrong(
                f"{where} you returned nan: the square root of a negative "
                "number.",
                "at a maximum F'' is negative, so the variance is "
                "-1 / F''(phi*), not 1 / F''(phi*).",
                answer=_LAPLACE_ANSWER,
            )
        if abs(got - want**2) <= 1e-6 * want**2:
            return wrong(
                "you returned the variance -1 / F''(phi*).",
                "the exercise asks for the standard deviation.",
            )
        no_prior = np.sqrt(1.0 / ((6 * phi**2 - 2 * u) / s_u))
        if abs(got - no_prior) <= 1e-6 * no_prior:
            return wrong(
                "your curvature misses the prior's contribution.",
                "both terms of F bend it: the prior's term in F'' is "
                "-1/Sigma_p.",
                answer=_LAPLACE_ANSWER,
            )
        linear_g = np.sqrt(1.0 / (1.0 / s_p + 4.0 * phi**2 / s_u))
        if abs(got - linear_g) <= 1e-6 * linear_g:
            return wrong(
                "your curvature is 1/Sigma_p + g'(phi)^2/Sigma_u = "
                "1/Sigma_p + 4 phi^2/Sigma_u: it treats g as linear near "
                "the mode.",
                "differentiate dF/dphi once more: the product "
                "(u - g(phi)) g'(phi) also gives (u - g(phi)) g''(phi), "
                "which is not zero at the mode, since u != g(phi*).",
                answer=_LAPLACE_ANSWER,
            )
        at = _curvature_point(got, u, s_p, s_u)
        if at is not None:
            named = {
                "sqrt(u)": np.sqrt(u),
                "v_p": v_p,
                "the grid mode": round(phi, 2),
            }
            for name, x in named.items():
                if abs(at - x) < 1e-6:
                    return wrong(
                        f"{where} your s.d. is the Laplace formula at "
                        f"phi = {x:.4f} ({name}), but the mode is "
                        f"phi* = {phi:.6f}.",
                        "evaluate F'' at the exact mode, the root of the "
                        "cubic that gaussian_model.map_estimate returns.",
                        answer=_LAPLACE_ANSWER,
                    )
        return wrong(
            f"{where} the Laplace s.d. is {want:.4f}, you gave {got:.4f}.",
            "differentiate dF/dphi eq-error_units-dF once more to get "
            "F'', and check it at Bogacz's values: F''(phi*) = -11.74.",
            answer=_LAPLACE_ANSWER,
        )
    return correct(
        "your Laplace standard deviation matches for three settings."
    )


_MAXIMA_SETTINGS = [
    (2.0, 3.0, 1.0, 1.0),
    (4.0, 0.5, 1.0, 1.0),
    (2.5, 2.0, 0.5, 2.0),
    (1.0, 1.5, 2.0, 0.25),
]
_MAXIMA_ANSWER = (
    "np.roots([-2 Sigma_p, 0, 2 Sigma_p u - Sigma_u, Sigma_u v_p]); keep the "
    "real roots (|imag| < 1e-9) with F''(phi) < 0, sorted."
)


@answer_check("ex-posterior-maxima")
def posterior_maxima(func):
    """Check ``func(u, v_p, sigma_p, sigma_u) -> sorted array of the posterior's local maxima``."""
    for u, v_p, s_p, s_u in _MAXIMA_SETTINGS:
        model = gm.make_model(u, v_p, s_p, s_u)
        roots = gm.stationary_points(model)
        want = roots[gm.d2F_dphi2(roots, model) < 0]
        got, used = book_function_used(
            func, (u, v_p, s_p, s_u), gm.stationary_points
        )
        if used is not None:
            return used
        got = np.atleast_1d(np.asarray(got))
        where = _where(u, v_p, s_p, s_u)
        if np.iscomplexobj(got):
            return wrong(
                f"{where} you returned complex numbers {np.round(got, 4)}.",
                "numpy.roots returns complex roots; keep those whose "
                "imaginary part is below 1e-9 and take their .real.",
                answer=_MAXIMA_ANSWER,
            )
        got = got.astype(float)
        if _close(got, want):
            continue
        if got.ndim != 1:
            return wrong(
                f"expected a 1-d array of maxima, got shape {got.shape}.",
                "return the maxima as one sorted 1-d array.",
            )
        slope = np.abs(_slope(got, model))
        if np.any(slope > 1e-5 * (1.0 + np.abs(got)) ** 3):
            k = int(np.argmax(slope))
            return wrong(
                f"{where} dF/dphi at your value {got[k]:.4f} is "
                f"{_slope(got[k], model):.4g}, not 0: it is not a "
                "stationary point of the posterior.",
                "check the cubic's coefficients against "
                "eq-posterior-cubic; numpy.roots wants the highest "
                "power first, and the phi^2 coefficient is 0.",
                answer=_MAXIMA_ANSWER,
            )
        curv = _curvature(got, model)
        if np.any(curv >= 0):
            k = int(np.argmax(curv))
            return wrong(
                f"{where} your value {got[k]:.4f} is a minimum of the "
                f"posterior: F'' there is {curv[k]:+.2f} > 0.",
                "a stationary point is a maximum only where F'' < 0: "
                "between two peaks the cubic has a root at the dip.",
                answer=_MAXIMA_ANSWER,
            )
        if got.size == 0:
            return wrong(
                f"{where} you returned no maxima; every posterior has at "
                "least one.",
                "check the cubic's coefficients (highest power first for "
                "numpy.roots) and the sign of your F'' test: maxima have "
                "F'' < 0.",
                answer=_MAXIMA_ANSWER,
            )
        if got.size < want.size:
            return wrong(
                f"{where} the posterior has {want.size} maxima, you found "
                f"{got.size}.",
                "when the cubic has three real roots, keep every one with "
                "F'' < 0, not only the mode: two sizes, of opposite signs, "
                "explain a large u.",
                answer=_MAXIMA_ANSWER,
            )
        if _close(np.sort(got), want):
            return wrong(
                "your maxima are right but not sorted.",
                "return them in ascending order (np.sort).",
            )
        return wrong(
            f"{where} the maxima are {np.round(want, 4)}, you gave "
            f"{np.round(got, 4)}.",
            "each real root of the cubic appears once.",
            answer=_MAXIMA_ANSWER,
        )
    return correct(
        "your maxima are right with one peak and with two, so the "
        "posterior of a large u can have two modes."
    )


# ---- chapter 2 --------------------------------------------------------------------------------
def _euler(deriv, x0: float, n: int, dt: float = 0.01) -> np.ndarray:
    out = [x0]
    with np.errstate(all="ignore"):
        for _ in range(n):
            out.append(out[-1] + dt * deriv(out[-1]))
    return np.array(out)


_ASCENT_ANSWER = (
    "phi[0] = v_p; phi[k+1] = phi[k] + dt * ((v_p - phi[k])/Sigma_p + "
    "(u - phi[k]^2) * 2 phi[k] / Sigma_u)."
)


def _ascent_mistakes(u, v_p, s_p, s_u, dt):
    """(step from phi, message, hint) of the typical wrong versions of one ascent step."""

    def step(prior_sign=1.0, slope=lambda x: 2 * x, size=dt):
        return lambda x: (
            size
            * (prior_sign * (v_p - x) / s_p + (u - x * x) * slope(x) / s_u)
        )

    return [
        (
            lambda x: -step()(x),
            "phi runs down F's slope: the step has the wrong sign, so this "
            "is gradient descent.",
            "in Part I F is ascended: phi moves with +dF/dphi.",
        ),
        (
            step(prior_sign=-1.0),
            "the prior term has the wrong sign: phi is pushed away from v_p.",
            "the prior pulls phi towards v_p: its term is positive when "
            "phi < v_p.",
        ),
        (
            step(slope=lambda x: 1.0),
            "the likelihood term lacks g'(phi): you differentiated the "
            "error, not the error through g.",
            "chain rule: d/dphi of -(u - g(phi))^2 / (2 Sigma_u) carries "
            "a factor g'(phi).",
        ),
        (
            step(slope=lambda x: x * x),
            "the likelihood term is multiplied by g(phi) instead of g'(phi).",
            "the chain rule brings the derivative of g, not g itself.",
        ),
        (
            step(slope=lambda x: x),
            "the likelihood term uses g'(phi) = phi.",
            "g(phi) = phi^2 has the derivative 2 phi.",
        ),
        (
            step(size=1.0),
            "each step adds the whole slope: the step size dt is missing.",
            "an Euler step moves by dt times the slope.",
        ),
    ]


@answer_check("ex-error_units-ascent")
def gradient_ascent(func):
    """Check ``func(u, v_p, sigma_p, sigma_u, dt, n_steps) -> phi`` (length n_steps + 1, phi[0] = v_p)."""
    for u, v_p, s_p, s_u in _SETTINGS:
        model = gm.make_model(u, v_p, s_p, s_u)
        want = _euler(lambda x: gm.dF_dphi(x, model), v_p, 100)
        got, used = book_function_used(
            func,
            (u, v_p, s_p, s_u, 0.01, 100),
            error_units.simulate_gradient_ascent,
        )
        if used is not None:
            return used
        got = np.asarray(got, dtype=float)
        where = _where(u, v_p, s_p, s_u)
        if got.shape == (100,) and _close(got, want[1:], rtol=1e-8):
            return wrong(
                "your array lacks its first value: 100 steps give 101 "
                "values of phi.",
                "start the array with phi[0] = v_p, then append each step.",
            )
        if got.shape != want.shape:
            return wrong(
                f"expected {want.size} values (phi at t = 0 and after each "
                f"of 100 steps), got shape {got.shape}.",
                "start the array with phi[0] = v_p.",
            )
        if _close(got, want, rtol=1e-8):
            continue
        if not np.isclose(got[0], v_p):
            return wrong(
                f"{where} your ascent starts at phi = {got[0]:.4g}.",
                "Bogacz's Exercise 2 starts at the prior mean: phi[0] = v_p.",
                answer=_ASCENT_ANSWER,
            )
        k = int(np.argmax(~np.isclose(got, want, rtol=1e-8, atol=1e-9)))
        before, taken = got[k - 1], got[k] - got[k - 1]
        for rule, message, hint in _ascent_mistakes(u, v_p, s_p, s_u, 0.01):
            if np.isclose(taken, rule(before), rtol=1e-8, atol=1e-12):
                return wrong(f"{where} {message}", hint, _ASCENT_ANSWER)
        expected = 0.01 * _slope(before, model)
        return wrong(
            f"{where} your phi is right up to step {k - 1}; step {k} moves "
            f"it by {taken:.6g}, dt * dF/dphi at the previous phi is "
            f"{expected:.6g}.",
            "each step uses the slope at the previous phi, never the new "
            "one, with both terms of eq-error_units-dF.",
            answer=_ASCENT_ANSWER,
        )
    return correct("your Euler ascent matches for three settings.")


_NETWORK_ANSWER = (
    "phi += dt (2 phi eps_u - eps_p); eps_p += dt (phi - v_p - Sigma_p "
    "eps_p); eps_u += dt (u - phi^2 - Sigma_u eps_u), all from the old "
    "values."
)
_NETWORK_NAMES = ("phi", "eps_p", "eps_u")


def _network_diagnosis(got, state, setting):
    """(message, hint) naming the wrong update(s) of one network step, and why."""
    phi, ep, eu = state
    u, v_p, s_p, s_u = setting
    dt = 0.01
    want = np.array(state) + dt * np.array(
        error_units.network_derivatives(phi, ep, eu, gm.make_model(*setting))
    )
    bad = [
        n for n, a, b in zip(_NETWORK_NAMES, got, want) if not np.isclose(a, b)
    ]
    if bad and bad != ["phi"]:
        new_phi = want[0]
        if "eps_p" in bad and np.isclose(
            got[1], ep + dt * (new_phi - v_p - s_p * ep)
        ):
            return (
                "the update of eps_p uses the new phi of this step.",
                "compute all three derivatives from the old values, then "
                "update all three.",
            )
        if "eps_u" in bad and np.isclose(
            got[2], eu + dt * (u - new_phi**2 - s_u * eu)
        ):
            return (
                "the update of eps_u uses the new phi of this step.",
                "compute all three derivatives from the old values, then "
                "update all three.",
            )
        right = [n for n in _NETWORK_NAMES if n not in bad]
        return (
            f"your new {' and '.join(bad)} differ"
            f"{'s' if len(bad) == 1 else ''} from eq-error_units-network"
            + (f" ({' and '.join(right)} right)." if right else "."),
            "the bug was in phi's update only; the two error nodes were "
            "right in buggy_network_step.",
        )
    return None


@answer_check("ex-error_units-findbug")
def network_step(func):
    """Check ``func(phi, eps_p, eps_u, u, v_p, sigma_p, sigma_u, dt) -> (phi, eps_p, eps_u)`` (one step)."""
    rng = np.random.default_rng(7)
    for setting in _SETTINGS:
        phi, ep, eu = rng.normal(size=3) + (1.5, -1.0, -0.5)
        u, v_p, s_p, s_u = setting
        model = gm.make_model(*setting)
        d = error_units.network_derivatives(phi, ep, eu, model)
        want = np.array([phi, ep, eu]) + 0.01 * np.array(d)
        raw, used = book_function_used(
            func,
            (phi, ep, eu, u, v_p, s_p, s_u, 0.01),
            error_units.network_derivatives,
            error_units.simulate_network,
        )
        if used is not None:
            return used
        got = np.asarray(raw, dtype=float)
        if got.shape != (3,):
            return wrong(
                f"expected three numbers (phi, eps_p, eps_u), got shape "
                f"{got.shape}.",
                "return new_phi, new_eps_p, new_eps_u",
            )
        if _close(got, want, rtol=1e-9):
            continue
        found = _network_diagnosis(got, (phi, ep, eu), setting)
        if found is not None:
            return wrong(*found, answer=_NETWORK_ANSWER)
        other = np.asarray(
            func(phi, ep + 1.0, eu, u, v_p, s_p, s_u, 0.01), dtype=float
        )
        if np.isclose(other[0], got[0]):
            return wrong(
                "your new phi is wrong (eps_p and eps_u are right): it does "
                "not depend on the prior error eps_p, so v_p cannot pull "
                "the estimate.",
                "the prior error must feed back into phi, with the sign "
                "that pulls phi towards v_p.",
                answer=_NETWORK_ANSWER,
            )
        if np.isclose(got[0], phi + 0.01 * (eu * 2 * phi + ep)):
            return wrong(
                "your new phi is wrong (eps_p and eps_u are right): eps_p "
                "enters with a plus sign, pushing phi away from v_p.",
                "eps_p = (phi - v_p)/Sigma_p is positive when phi is above "
                "v_p, and then phi must go down.",
                answer=_NETWORK_ANSWER,
            )
        for slope, what in (
            (phi**2, "g(phi) where it needs g'(phi)"),
            (phi**2 - 1, "phi^2 - 1, which is not g'(phi)"),
            (phi, "g'(phi) = phi; for g(phi) = phi^2 it is 2 phi"),
        ):
            if np.isclose(got[0], phi + 0.01 * (eu * slope - ep)):
                return wrong(
                    "your new phi is wrong (eps_p and eps_u are right): "
                    f"the sensory error is weighted by {what}.",
                    "the sensory error reaches phi through the slope of g.",
                    answer=_NETWORK_ANSWER,
                )
        return wrong(
            "your new phi is wrong (eps_p and eps_u are right).",
            "phi's derivative is dF/dphi written with the two errors, "
            "eq-error_units-errors.",
            answer=_NETWORK_ANSWER,
        )
    return correct("fixed: the prior error feeds back into phi again.")


_STABILITY_CASES = [
    error_units.linearisation_eigenvalues(),
    np.array([-1.0, -4.0]),
    np.array([-0.5 + 2j, -0.5 - 2j, -3.0]),
]
_STABILITY_ANSWER = (
    "dt_max = min over eigenvalues of -2 Re(lambda) / |lambda|^2."
)


def _limit(ev):
    return -2.0 * ev.real / np.abs(ev) ** 2


#: (rule, message, hint): wrong limits a student computes, recognised when they hold on every case
_STABILITY_MISTAKES = [
    (
        lambda ev: np.min(2.0 / np.abs(ev)),
        "you used 2 / |lambda|, which only holds for real eigenvalues.",
        "solve |1 + dt lambda|^2 < 1 with lambda = a + ib: the imaginary "
        "part shrinks the disc you can step in.",
    ),
    (
        lambda ev: np.min(2.0 / np.abs(ev.real)),
        "you used 2 / |Re lambda|: the imaginary parts are ignored.",
        "|1 + dt lambda|^2 = (1 + dt a)^2 + (dt b)^2 includes the "
        "imaginary part b.",
    ),
    (
        lambda ev: np.min(-2.0 * ev.real / np.abs(ev)),
        "your limit is -2 Re(lambda) / |lambda|, not over |lambda|^2.",
        "expand |1 + dt lambda|^2 < 1 and divide by dt: the quadratic "
        "term has |lambda|^2.",
    ),
    (
        lambda ev: np.min(_limit(ev)) / 2.0,
        "your limit is half the right one.",
        "expand |1 + dt lambda|^2 = 1 + 2 dt a + dt^2 |lambda|^2 and keep "
        "the factor 2.",
    ),
    (
        lambda ev: np.max(_limit(ev)),
        "you took the largest of the per-eigenvalue limits.",
        "a step above any one limit makes that mode grow: take the smallest.",
    ),
]


@answer_check("ex-error_units-stability")
def max_stable_dt(func):
    """Check ``func(eigenvalues) -> largest stable Euler step``."""
    got = []
    for ev in _STABILITY_CASES:
        raw, used = book_function_used(func, (ev,), error_units.max_stable_dt)
        if used is not None:
            return used
        if np.ndim(raw) != 0:
            return wrong(
                f"expected one number, got {np.size(raw)} values.",
                "every eigenvalue must decay, so the step must satisfy all "
                "the limits at once: return the tightest one.",
                _STABILITY_ANSWER,
            )
        got.append(float(np.real(raw)))
    want = [float(np.min(_limit(ev))) for ev in _STABILITY_CASES]
    if np.allclose(got, want, rtol=1e-9):
        return correct(
            "your stability limit is right for real and complex eigenvalues."
        )
    for rule, message, hint in _STABILITY_MISTAKES:
        if np.allclose(got, [rule(ev) for ev in _STABILITY_CASES], rtol=1e-9):
            return wrong(message, hint, _STABILITY_ANSWER)
    k = int(np.argmax(~np.isclose(got, want, rtol=1e-9)))
    return wrong(
        f"for eigenvalues {np.round(_STABILITY_CASES[k], 3)} the limit is "
        f"{want[k]:.4f}, you gave {got[k]:.4f}.",
        "write lambda = a + ib and solve |1 + dt lambda|^2 < 1 for dt.",
        _STABILITY_ANSWER,
    )


_SAFE_DTS = (0.01, 0.15, 0.5)
_SAFE_STEPS = 1000


def _oscillates(tail, target) -> bool:
    signs = np.sign(tail - target)
    return bool(np.all(signs[1:] * signs[:-1] < 0))


@answer_check("ex-error_units-safe-step")
def safe_ascent(func):
    """Check ``func(u, v_p, sigma_p, sigma_u, dt, n_steps) -> phi``: steps phi += h_k dF/dphi, 0 < h_k <= dt, that converge."""
    for u, v_p, s_p, s_u in _SETTINGS + [(2.0, 5.0, 1.0, 1.0)]:
        model = gm.make_model(u, v_p, s_p, s_u)
        target = gm.local_mode(model)
        where = _where(u, v_p, s_p, s_u)
        for dt in _SAFE_DTS:
            with np.errstate(all="ignore"):
                got = np.asarray(
                    func(u, v_p, s_p, s_u, dt, _SAFE_STEPS), dtype=float
                )
            if got.shape != (_SAFE_STEPS + 1,):
                return wrong(
                    f"expected {_SAFE_STEPS + 1} values of phi for "
                    f"{_SAFE_STEPS} steps, got shape {got.shape}.",
                    "start the array with phi[0] = v_p, then one value per "
                    "step.",
                )
            if not np.isclose(got[0], v_p):
                return wrong(
                    f"{where} your run starts at phi = {got[0]:.4g}.",
                    "start at the prior mean, phi[0] = v_p, as in 2.2.",
                )
            finite = int(np.argmax(~np.isfinite(got))) or got.size
            head = got[:finite]
            slope = _slope(head[:-1], model)
            moving = np.abs(slope) > 1e-6
            h = np.diff(head)[moving] / slope[moving]
            if np.any(h <= 0):
                k = int(np.flatnonzero(moving)[np.argmax(h <= 0)])
                return wrong(
                    f"{where} at dt = {dt}, step {k} moves phi against "
                    "dF/dphi.",
                    "every step must be gradient ascent, phi += h dF/dphi "
                    "with h > 0; clipping phi or reversing steps is not.",
                )
            if np.any(h > dt * (1 + 1e-6)):
                k = int(np.flatnonzero(moving)[np.argmax(h > dt * (1 + 1e-6))])
                return wrong(
                    f"{where} step {k} uses h = {h.max():.4g}, more than "
                    f"dt = {dt}.",
                    "dt is the largest step you may take: make the step "
                    "smaller where the curvature demands, never larger.",
                )
            if finite < got.size:
                return wrong(
                    f"{where} at dt = {dt} your run diverges (phi is "
                    f"{got[finite]} at step {finite}).",
                    "before each step, compare dt with the largest step "
                    "the curvature F''(phi_k) at the current phi allows, "
                    "and take the smaller one.",
                    answer="h_k = min(dt, 1 / |F''(phi_k)|), "
                    "phi[k+1] = phi[k] + h_k * dF/dphi(phi[k]).",
                )
            if abs(got[-1] - target) > 1e-6:
                if _oscillates(got[-6:], target):
                    return wrong(
                        f"{where} at dt = {dt} your run flips around "
                        f"phi* = {target:.6f} from step to step instead "
                        "of settling.",
                        "a step of 2 / |F''| is the edge of stability, "
                        "where a deviation changes sign but keeps its size: "
                        "stay well inside it.",
                        answer="h_k = min(dt, 1 / |F''(phi_k)|).",
                    )
                return wrong(
                    f"{where} at dt = {dt} your run ends at phi = "
                    f"{got[-1]:.6f}, not at the mode {target:.6f}; its last "
                    f"values are {np.round(got[-4:], 4)}.",
                    "print the step h_k = (phi[k+1] - phi[k]) / dF/dphi "
                    "along your run: where does it stop the approach?",
                    answer="h_k = min(dt, 1 / |F''(phi_k)|).",
                )
    return correct(
        "your steps stay gradient ascent, never exceed dt, and arrive at "
        "dt = 0.5 too."
    )


# ---- chapter 3 --------------------------------------------------------------------------------
def _trial(c, sigma, dt, n, d_eps=None, d_e=None, sequential=False):
    """(eps, e) after ``n`` Euler steps from 0 of eps' = d_eps(c, eps, e), e' = d_e(sigma, eps, e)."""
    d_eps = d_eps or (lambda c, eps, e: c - e)
    d_e = d_e or (lambda s, eps, e: s * eps - e)
    eps = e = 0.0
    with np.errstate(all="ignore"):
        for _ in range(n):
            new_eps = eps + dt * d_eps(c, eps, e)
            e = e + dt * d_e(sigma, new_eps if sequential else eps, e)
            eps = new_eps
    return np.array([eps, e])


_TRIAL_ANSWER = (
    "repeat n_steps times: eps, e = eps + dt (phi - g - e), "
    "e + dt (Sigma eps - e), both from the old values."
)


@answer_check("ex-variance-interneuron")
def interneuron_trial(func):
    """Check ``func(phi, g_above, sigma, dt, n_steps) -> (eps, e)`` after n_steps Euler steps from 0."""
    for phi, g_above, sigma, n in [
        (6.0, 5.0, 2.0, 3),
        (3.5, 5.0, 1.0, 50),
        (7.0, 5.0, 0.5, 2000),
    ]:
        c = phi - g_above
        want = _trial(c, sigma, 0.01, n)
        raw, used = book_function_used(
            func,
            (phi, g_above, sigma, 0.01, n),
            variance.interneuron_trial,
            variance._interneuron_end,
        )
        if used is not None:
            return used
        got = np.asarray(raw, dtype=float)
        if got.shape != (2,):
            return wrong(
                f"expected two numbers (eps, e), got shape {got.shape}.",
                "return eps, e",
            )
        if _close(got, want, rtol=1e-9, atol=1e-12):
            continue
        where = f"for phi={phi}, g={g_above}, Sigma={sigma}, {n} steps"
        mistakes = [
            (
                want[::-1],
                "eps and e are swapped.",
                "return (eps, e): eps ends near (phi - g)/Sigma, e near "
                "phi - g.",
            ),
            (
                _trial(c, sigma, 0.01, n, sequential=True),
                "the interneuron update uses the new eps of this step.",
                "compute both derivatives from the previous step's values, "
                "then update both.",
            ),
            (
                _trial(c, sigma, 0.01, n, d_e=lambda s, eps, e: eps - s * e),
                "Sigma multiplies the interneuron's decay instead of its "
                "input from eps.",
                "Sigma is the weight of the synapse from eps to e; e's "
                "own decay has rate 1.",
            ),
            (
                _trial(c, sigma, 0.01, n, d_e=lambda s, eps, e: s * eps + e),
                "e feeds itself (+e): it grows instead of decaying.",
                "the interneuron's own term is a leak, -e.",
            ),
            (
                _trial(c, sigma, 0.01, n, d_eps=lambda c, eps, e: c + e),
                "e excites eps (+e).",
                "the interneuron is inhibitory: it subtracts e from eps.",
            ),
            (
                _trial(
                    c, sigma, 0.01, n, d_eps=lambda c, eps, e: c / sigma - e
                ),
                "eps receives (phi - g)/Sigma.",
                "eps receives the raw error phi - g; the division by Sigma "
                "is what the loop through e computes at rest.",
            ),
            (
                _trial(c, sigma, 0.01, n + 1),
                f"you ran {n + 1} steps for n_steps = {n}.",
                "range(n_steps) runs exactly n_steps steps.",
            ),
        ]
        for path, message, hint in mistakes:
            if _close(got, path, rtol=1e-9, atol=1e-12):
                return wrong(f"{where}: {message}", hint, _TRIAL_ANSWER)
        return wrong(
            f"(eps, e) {where} should be {np.round(want, 5)}, you gave "
            f"{np.round(got, 5)}.",
            "after 2000 steps eps should be near (phi - g)/Sigma and e near "
            "phi - g: run yours on (7, 5, 0.5, 0.01, 2000) and compare.",
            _TRIAL_ANSWER,
        )
    return correct(
        "your trial matches Euler steps and ends at the fixed point."
    )


def _learn_path(
    phis,
    lr,
    dt,
    n_steps,
    g0=5.0,
    reset=True,
    g_rule=None,
    sigma0=1.0,
):
    """Sigma (and g) before each trial of Bogacz's Exercise 5, by plain Euler steps.

    ``g_rule(eps, e, phi, g)`` is the change of g after a trial divided by ``lr`` (None: g fixed).
    """
    sigmas, gs = [sigma0], [g0]
    eps = e = 0.0
    for phi in phis:
        if reset:
            eps = e = 0.0
        c, s = phi - gs[-1], sigmas[-1]
        for _ in range(n_steps):
            eps, e = eps + dt * (c - e), e + dt * (s * eps - e)
        sigmas.append(s + lr * (eps * e - 1.0))
        step = 0.0 if g_rule is None else g_rule(eps, e, phi, gs[-1])
        gs.append(gs[-1] + lr * step)
    return np.array(sigmas), np.array(gs)


#: (t_trial, dt): 2000 steps as in the chapter, 500, and 2.3 / 0.1 = 22.999999999999996 steps
_TRIAL_TIMES = [(20.0, 0.01), (10.0, 0.02), (2.3, 0.1)]
_SIGMA_ANSWER = (
    "Sigma = [1]; per trial: eps = e = 0, run round(t_trial / dt) Euler "
    "steps of eq-variance-interneuron with g = 5, then "
    "Sigma += lr * (eps * e - 1)."
)


@answer_check("ex-variance-findbug")
def learn_sigma(func):
    """Check ``func(phis, lr, dt, t_trial) -> Sigma before each trial`` (length len(phis) + 1, from 1)."""
    phis = np.random.default_rng(11).normal(5.0, np.sqrt(2.0), 40)
    for t_trial, dt in _TRIAL_TIMES:
        n = int(round(t_trial / dt))
        want = _learn_path(phis, 0.01, dt, n)[0]
        got = np.asarray(func(phis, 0.01, dt, t_trial), dtype=float)
        if got.shape != want.shape:
            return wrong(
                f"expected {want.size} values (Sigma = 1 before the first "
                f"trial, then after each), got shape {got.shape}.",
                "start the list with Sigma = 1 and append after every trial.",
            )
        if _close(got, want, rtol=1e-8):
            continue
        where = f"with t_trial = {t_trial}, dt = {dt}"
        if not np.isclose(got[0], 1.0):
            return wrong(
                f"your Sigma starts at {got[0]:.4g}.",
                "Bogacz's Exercise 5 starts from Sigma = 1.",
                answer=_SIGMA_ANSWER,
            )
        mistakes = [
            (
                _learn_path(phis, 0.01, dt, len(phis))[0],
                f"each trial still runs one Euler step per trial of the "
                f"experiment ({len(phis)} here).",
                "the inner loop must run as many steps as fit in t_trial; "
                "the trial count is another number.",
            ),
            (
                _learn_path(phis, 0.01, dt, 2000)[0],
                f"your trials always run 2000 steps, but t_trial / dt is "
                f"{n} here.",
                "compute the number of steps from t_trial and dt.",
            ),
            (
                _learn_path(phis, 0.01, dt, int(t_trial / dt))[0],
                f"t_trial / dt is {t_trial / dt!r} in floating point, and "
                f"int() cuts it to {int(t_trial / dt)} steps.",
                "round to the nearest integer instead of truncating.",
            ),
            (
                _learn_path(phis, 0.01, dt, n, reset=False)[0],
                "eps and e carry over from one trial to the next.",
                "each trial starts from eps = e = 0, as in 3.2.",
            ),
        ]
        for path, message, hint in mistakes:
            if _close(got, path, rtol=1e-8):
                return wrong(f"{where} {message}", hint, _SIGMA_ANSWER)
        return wrong(
            f"{where} Sigma differs from the learning rule of Bogacz's "
            "Exercise 5 from trial "
            f"{int(np.argmax(~np.isclose(got, want, rtol=1e-8)))} on.",
            "compare one trial of yours with your 3.2 interneuron_trial: "
            "the bug was in the number of steps only.",
            _SIGMA_ANSWER,
        )
    return correct(
        "every trial now runs round(t_trial / dt) Euler steps, whatever "
        "the number of trials."
    )


_THETA_ANSWER = "dF/dTheta = eps.T @ np.tanh(phi_above) (rows are samples)."


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
            f"your gradient has shape {got.shape}; Theta has shape "
            f"{want.shape}.",
            "Theta maps the level above (m) to the level below (n): rows "
            "of the gradient belong to the level below.",
            _THETA_ANSWER,
        )
    mistakes = [
        (
            eps.T @ phi_above,
            "you used phi_above where h(phi_above) is needed.",
            "the prediction is Theta h(phi_above), so Theta's gradient "
            "sees h = tanh of the activity.",
        ),
        (
            want / len(eps),
            "you averaged over the batch; the exercise sums.",
            "the batch gradient is the sum of the per-sample gradients.",
        ),
        (
            eps.T @ (1.0 - np.tanh(phi_above) ** 2),
            "you used h'(phi_above) = 1 - tanh^2.",
            "h' belongs in the update of phi eq-variance-hier-phi; Theta "
            "multiplies h itself.",
        ),
        (
            np.outer(eps[0], np.tanh(phi_above[0])),
            "you used only the first sample of the batch.",
            "rows are samples: every row contributes one outer product.",
        ),
    ]
    for path, message, hint in mistakes:
        if _close(got, path):
            return wrong(message, hint, _THETA_ANSWER)
    return wrong(
        "your gradient differs from eps h(phi_above)^T summed over the batch.",
        "for one sample the gradient is an outer product of the error "
        "below and the activity above; then sum over samples.",
        _THETA_ANSWER,
    )


# (u, phi, v_p, Sigma_p, Sigma_u); F''(phi) < 0 in each
_LAPLACE_SETTINGS = [
    (2.0, 1.5, 3.0, 1.0, 1.0),
    (6.0, 2.3, 3.0, 1.0, 0.2),
    (1.0, 1.2, 1.5, 2.0, 0.5),
]
_LAPLACE_U_ANSWER = (
    "Sigma_q = -1 / F''(phi), F'' = -1/Sigma_p + (2u - 6 phi^2)/Sigma_u; "
    "dF/dSigma_u = ((u - phi^2)^2 + 4 phi^2 Sigma_q) / (2 Sigma_u^2) "
    "- 1 / (2 Sigma_u)."
)


@answer_check("ex-variance-laplace")
def laplace_sigma_u_gradient(func):
    """Check ``func(u, phi, v_p, sigma_p, sigma_u) -> dF/dSigma_u`` (Laplace F)."""
    for u, phi, v_p, s_p, s_u in _LAPLACE_SETTINGS:
        model = gm.make_model(u, v_p, s_p, s_u)
        want = variance.variance_gradients(phi, model, laplace=True)[1]
        raw, used = book_function_used(
            func, (u, phi, v_p, s_p, s_u), variance.variance_gradients
        )
        if used is not None:
            return used
        got = float(raw)
        if _close(got, want):
            continue
        plain = variance.variance_gradients(phi, model)[1]
        sigma_q = -1.0 / gm.d2F_dphi2(phi, model)
        if _close(got, plain):
            return wrong(
                "this is Bogacz's point-estimate rule "
                "(eps_u^2 - 1/Sigma_u) / 2.",
                "add the spread of q: the expected squared error under q "
                "has a second term besides (u - g)^2.",
                _LAPLACE_U_ANSWER,
            )
        if _close(got, plain + 0.5 * sigma_q / s_u**2):
            return wrong(
                "the spread of q enters without g'(phi)^2.",
                "q's variance is in v; through g it becomes "
                "g'(phi)^2 Sigma_q in u.",
                _LAPLACE_U_ANSWER,
            )
        if _close(got, plain - 0.5 * gm.dg(phi) ** 2 * sigma_q / s_u**2):
            return wrong(
                "your Sigma_q is negative: you took 1 / F''(phi).",
                "F'' < 0 at a maximum, so the variance of q is -1 / F''.",
                _LAPLACE_U_ANSWER,
            )
        return wrong(
            f"for u={u}, phi={phi}, Sigma_u={s_u} the gradient is "
            f"{want:.4f}, you gave {got:.4f}.",
            "write the expected squared error under q first, then "
            "differentiate -ln(Sigma_u)/2 - (expected error)/(2 Sigma_u).",
            _LAPLACE_U_ANSWER,
        )
    return correct("the spread of q stops the update rewarding a perfect fit.")


_MEAN_ANSWER = (
    "after each trial: Sigma += lr * (eps * e - 1) and g += lr * eps, "
    "with eps and e the activities at the end of the trial."
)


@answer_check("ex-variance-learn-mean")
def learn_sigma_and_mean(func):
    """Check ``func(phis, lr, dt, t_trial, g0) -> (sigmas, gs)``: Sigma and g before each trial."""
    phis = np.random.default_rng(12).normal(5.0, np.sqrt(2.0), 30)
    for g0, t_trial, dt in [(4.0, 20.0, 0.01), (6.5, 10.0, 0.02)]:
        n = int(round(t_trial / dt))
        want = _learn_path(
            phis, 0.05, dt, n, g0, g_rule=lambda ep, e, p, g: ep
        )
        answer = func(phis, 0.05, dt, t_trial, g0)
        try:
            sigmas, gs = (np.asarray(a, dtype=float) for a in answer)
        except (TypeError, ValueError):
            return wrong(
                f"expected a pair (sigmas, gs), got {type(answer).__name__}.",
                "return sigmas, gs",
            )
        if sigmas.shape != want[0].shape or gs.shape != want[1].shape:
            return wrong(
                f"expected two sequences of {phis.size + 1} values (before "
                f"the first trial and after each), got {sigmas.shape} and "
                f"{gs.shape}.",
                "start both lists with their initial values (1 and g0) "
                "and append after every trial.",
            )
        if _close(sigmas, want[0], rtol=1e-8) and _close(
            gs, want[1], rtol=1e-8
        ):
            continue
        where = f"with g0 = {g0}"
        if not (np.isclose(sigmas[0], 1.0) and np.isclose(gs[0], g0)):
            return wrong(
                f"your lists start at Sigma = {sigmas[0]:.4g}, g = {gs[0]:.4g}.",
                "start from Sigma = 1 and g = g0.",
            )
        if np.allclose(gs, g0):
            return wrong(
                f"{where} g never moves.",
                "g is a parameter of F like v_p in eq-variance-rules: "
                "give it its own gradient-ascent step after each trial.",
                _MEAN_ANSWER,
            )
        mistakes = [
            (
                lambda ep, e, p, g: -ep,
                "g moves away from the mean of phi: its update has the "
                "wrong sign.",
                "F grows when g moves towards phi: dF/dg is positive when "
                "phi > g.",
            ),
            (
                lambda ep, e, p, g: e,
                "g follows e, the raw error phi - g.",
                "dF/dg is the precision-weighted error: which node holds "
                "(phi - g)/Sigma at the end of a trial?",
            ),
            (
                lambda ep, e, p, g: p - g,
                "g follows the raw error phi - g, computed outside the "
                "circuit.",
                "dF/dg is (phi - g)/Sigma, and the circuit already holds "
                "it at the end of the trial.",
            ),
        ]
        for rule, message, hint in mistakes:
            path = _learn_path(phis, 0.05, dt, n, g0, g_rule=rule)
            if _close(sigmas, path[0], rtol=1e-8) and _close(
                gs, path[1], rtol=1e-8
            ):
                return wrong(f"{where} {message}", hint, _MEAN_ANSWER)
        if np.allclose(sigmas, 1.0):
            return wrong(
                f"{where} Sigma never moves.",
                "keep learning Sigma as well: Sigma's update is 3.4's.",
                _MEAN_ANSWER,
            )
        return wrong(
            f"{where} g differs from gradient ascent on F from trial "
            f"{int(np.argmax(~np.isclose(gs, want[1], rtol=1e-8)))} on.",
            "run each trial with the current g, then update Sigma and g "
            "from the activities at its end.",
            _MEAN_ANSWER,
        )
    return correct(
        "the circuit learns the mean and the variance with local rules."
    )
