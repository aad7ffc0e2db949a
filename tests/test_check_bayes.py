import numpy as np
import pytest

from pcbook import bayes, check


def reference_density(v, u, mu_p, sigma_p, sigma_u):
    joint = bayes.normal_pdf(v, mu_p, sigma_p) * bayes.normal_pdf(
        v, u, sigma_u
    )
    return joint / (joint.sum() * (v[1] - v[0]))


def test_grid_check_passes_the_reference():
    verdict = check.grid_posterior_density(reference_density)
    assert verdict.ok, verdict


def test_grid_check_catches_a_density_that_sums_to_one():
    def sums_to_one(v, u, mu_p, sigma_p, sigma_u):
        p = reference_density(v, u, mu_p, sigma_p, sigma_u)
        return p / p.sum()

    verdict = check.grid_posterior_density(sums_to_one)
    assert not verdict.ok and "grid step" in verdict.hint


def test_grid_check_catches_variances_used_as_standard_deviations():
    def sd_bug(v, u, mu_p, sigma_p, sigma_u):
        prior = bayes.normal_pdf(v, mu_p, sigma_p**2)
        like = bayes.normal_pdf(v, u, sigma_u**2)
        joint = prior * like
        return joint / (joint.sum() * (v[1] - v[0]))

    verdict = check.grid_posterior_density(sd_bug)
    assert not verdict.ok and "variances" in verdict.hint


def test_precision_check_passes_the_reference_and_catches_added_variances():
    def ref(u, m, sp, su):
        var = 1 / (1 / sp + 1 / su)
        return var * (m / sp + u / su), var

    assert check.precision_weighted_posterior(ref).ok
    verdict = check.precision_weighted_posterior(
        lambda u, m, sp, su: (ref(u, m, sp, su)[0], sp + su)
    )
    assert not verdict.ok and "precisions" in verdict.hint
    verdict = check.precision_weighted_posterior(
        lambda u, m, sp, su: (0.5 * (u + m), ref(u, m, sp, su)[1])
    )
    assert not verdict.ok and "precision" in verdict.hint


def test_a_stub_or_a_crash_is_a_verdict_not_an_exception():
    def stub(*args):
        raise NotImplementedError("Exercise 1")

    assert "not implemented" in repr(check.grid_posterior_density(stub))
    assert "ZeroDivisionError" in repr(
        check.precision_weighted_posterior(lambda *a: 1 / 0)
    )


def test_a_forgotten_return_or_a_blank_is_named_whatever_the_check_does():
    """The wrapper watches the student's function: None and ... are told as such, and an
    exception in the check's own code is not reported as the student's traceback."""

    def no_return(u, mu_p, sigma_p, sigma_u):
        mean = var = 1.0  # noqa: F841 (the student forgot the return line)

    def blanks(u, mu_p, sigma_p, sigma_u):
        return ..., ...

    def grid_none(v, u, mu_p, sigma_p, sigma_u):
        return None

    def grid_number(v, u, mu_p, sigma_p, sigma_u):
        return object()

    for verdict in (
        check.precision_weighted_posterior(no_return),
        check.grid_posterior_density(grid_none),
    ):
        assert not verdict and "returned None" in repr(verdict)
        assert "forget the `return`" in repr(verdict)
    assert "a blank" in repr(check.precision_weighted_posterior(blanks))
    text = repr(check.grid_posterior_density(grid_number))
    assert "your function returned a value of type object" in text
    assert "could not use it" in text and "your code raised" not in text


def test_the_answer_is_revealed_after_repeated_tries_or_on_request():
    from pcbook.check import _verdict

    def plain_average(u, mu_p, sigma_p, sigma_u):
        return 0.5 * (u + mu_p), 1 / (1 / sigma_p + 1 / sigma_u)

    label = check.precision_weighted_posterior.exercise_label
    _verdict._WRONG_TRIES[label] = 0
    first = check.precision_weighted_posterior(plain_average)
    assert not first.revealed and "Answer:" not in repr(first)
    assert check.precision_weighted_posterior(
        plain_average, reveal=True
    ).revealed
    _verdict._WRONG_TRIES[label] = 0
    tries = [
        check.precision_weighted_posterior(plain_average)
        for _ in range(_verdict.REVEAL_AFTER)
    ]
    assert [t.revealed for t in tries] == [False] * (
        _verdict.REVEAL_AFTER - 1
    ) + [True]


# ---- wrappers around the book's answer, and the typical mistakes ----------------------------
def _closed(u, m, sp, su):
    exact = bayes.closed_form_posterior(u, m, sp, su)
    return exact.mean, exact.var


def test_wrappers_around_the_book_functions_are_named():
    for chk, wrapper, name in (
        (check.precision_weighted_posterior, _closed, "closed_form_posterior"),
        (
            check.grid_posterior_density,
            lambda v, *a: bayes.grid_posterior(*a, v=v).posterior,
            "grid_posterior",
        ),
    ):
        verdict = chk(wrapper)
        assert not verdict.ok and f"`bayes.{name}`" in verdict.message
        assert "shown after the exercise" in verdict.hint


def test_book_function_called_sees_a_call_however_it_is_imported():
    from pcbook.bayes import closed_form_posterior as alias
    from pcbook.check._verdict import book_function_called

    def own(u, m, sp, su):
        return u + m

    args = (1.0, 0.0, 1.0, 1.0)
    target = bayes.closed_form_posterior
    assert (
        book_function_called(lambda *a: alias(*a).mean, args, target)[1]
        is target
    )
    assert book_function_called(own, args, target) == (1.0, None)


def _prec(var_rule, mean_rule):
    def f(u, mu_p, sigma_p, sigma_u):
        var = var_rule(sigma_p, sigma_u)
        return mean_rule(u, mu_p, sigma_p, sigma_u, var), var

    return f


_RIGHT_VAR = lambda sp, su: 1 / (1 / sp + 1 / su)  # noqa: E731
_RIGHT_MEAN = lambda u, m, sp, su, var: var * (m / sp + u / su)  # noqa: E731
PRECISION_MISTAKES = [
    (_prec(lambda sp, su: sp + su, _RIGHT_MEAN), "precisions (1 / variance)"),
    (_prec(lambda sp, su: (sp + su) / 2, _RIGHT_MEAN), "narrower than both"),
    (_prec(lambda sp, su: sp * su, _RIGHT_MEAN), "narrower than both"),
    (_prec(lambda sp, su: 1 / (sp + su), _RIGHT_MEAN), "precision 1/var"),
    (
        _prec(_RIGHT_VAR, lambda u, m, sp, su, var: (u + m) / 2),
        "its precision",
    ),
    (
        _prec(_RIGHT_VAR, lambda u, m, sp, su, var: var * (m / su + u / sp)),
        "its own precision",
    ),
    (
        _prec(_RIGHT_VAR, lambda u, m, sp, su, var: m / sp + u / su),
        "add up to 1",
    ),
]


@pytest.mark.parametrize("answer, hint", PRECISION_MISTAKES)
def test_precision_check_names_each_typical_mistake(answer, hint):
    verdict = check.precision_weighted_posterior(answer)
    assert not verdict.ok and hint in verdict.hint, verdict
    assert "mean = var" not in verdict.hint and "1/var =" not in verdict.hint


def _grid(prior_var=lambda s: s, lik_var=lambda s: s, use=("prior", "lik")):
    def f(v, u, mu_p, sigma_p, sigma_u):
        prior = bayes.normal_pdf(v, mu_p, prior_var(sigma_p))
        lik = bayes.normal_pdf(v, u, lik_var(sigma_u))
        p = (prior if "prior" in use else 1.0) * (lik if "lik" in use else 1.0)
        return p / (p.sum() * (v[1] - v[0]))

    return f


GRID_MISTAKES = [
    (_grid(lambda s: s**2, lambda s: s**2), "sqrt(sigma)"),
    (_grid(use=("prior",)), "product of prior and likelihood"),
    (_grid(use=("lik",)), "product of prior and likelihood"),
    (lambda *a: _grid()(*a) * 2.0, "divide prior x likelihood"),
    (
        lambda *a: _grid()(*a) * (a[0][1] - a[0][0]),
        "sum(p) * dv",
    ),
    (_grid(lambda s: s, lambda s: 2 * s), "eq-bayes-normal"),
]


@pytest.mark.parametrize("answer, hint", GRID_MISTAKES)
def test_grid_check_names_each_typical_mistake(answer, hint):
    verdict = check.grid_posterior_density(answer)
    assert not verdict.ok and hint in verdict.hint, verdict


# ---- 0.4 one observation after another ------------------------------------------------------
def sequential_reference(us, mu_p, sigma_p, sigma_u):
    mean, var = mu_p, sigma_p
    for u in us:
        mean, var = _closed(u, mean, var, sigma_u)
    return mean, var


def test_sequential_check_passes_a_loop_and_a_batch_formula():
    assert check.sequential_posterior(sequential_reference).ok

    def batch(us, mu_p, sigma_p, sigma_u):
        return _closed(np.mean(us), mu_p, sigma_p, sigma_u / len(us))

    assert check.sequential_posterior(batch).ok


def _last_only(us, mu_p, sigma_p, sigma_u):
    return _closed(us[-1], mu_p, sigma_p, sigma_u)


def _average_as_one(us, mu_p, sigma_p, sigma_u):
    return _closed(np.mean(us), mu_p, sigma_p, sigma_u)


def _average_of_posteriors(us, mu_p, sigma_p, sigma_u):
    each = [_closed(u, mu_p, sigma_p, sigma_u) for u in us]
    return np.mean([m for m, _ in each]), sequential_reference(
        us, mu_p, sigma_p, sigma_u
    )[1]


def _prior_variance_kept(us, mu_p, sigma_p, sigma_u):
    mean = mu_p
    for u in us:  # the prior mean moves, its variance never does
        mean = _closed(u, mean, sigma_p, sigma_u)[0]
    return mean, sequential_reference(us, mu_p, sigma_p, sigma_u)[1]


def _variances_add(us, mu_p, sigma_p, sigma_u):
    mean = sequential_reference(us, mu_p, sigma_p, sigma_u)[0]
    return mean, sigma_p + len(us) * sigma_u


SEQUENTIAL_MISTAKES = [
    (_last_only, "carry it through the loop"),
    (_average_as_one, "variance is sigma_u / "),
    (_average_of_posteriors, "not the original prior"),
    (_prior_variance_kept, "previous posterior mean"),
    (_variances_add, "adds its precision"),
    (lambda *a: sequential_reference(*a)[0], "return mean, var"),
]


@pytest.mark.parametrize("answer, hint", SEQUENTIAL_MISTAKES)
def test_sequential_check_names_each_typical_mistake(answer, hint):
    verdict = check.sequential_posterior(answer)
    assert not verdict.ok and hint in verdict.hint, verdict
