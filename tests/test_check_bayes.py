from pcbook import bayes, check


def reference_density(v, u, mu_p, sigma_p, sigma_u):
    result = bayes.grid_posterior(u, mu_p, sigma_p, sigma_u, v=v)
    return result.posterior


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
        like = bayes.normal_pdf(u, v, sigma_u**2)
        joint = prior * like
        return joint / (joint.sum() * (v[1] - v[0]))

    verdict = check.grid_posterior_density(sd_bug)
    assert not verdict.ok and "variances" in verdict.hint


def test_precision_check_passes_the_reference_and_catches_added_variances():
    ref = lambda u, m, sp, su: (
        bayes.closed_form_posterior(u, m, sp, su).mean,
        bayes.closed_form_posterior(u, m, sp, su).var,
    )
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
    assert check.precision_weighted_posterior(plain_average, reveal=True).revealed
    _verdict._WRONG_TRIES[label] = 0
    tries = [
        check.precision_weighted_posterior(plain_average)
        for _ in range(_verdict.REVEAL_AFTER)
    ]
    assert [t.revealed for t in tries] == [False] * (
        _verdict.REVEAL_AFTER - 1
    ) + [True]
