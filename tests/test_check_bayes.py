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
