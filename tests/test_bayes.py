import numpy as np
import pytest

from pcbook import bayes


@pytest.mark.parametrize(
    "u, mu_p, sigma_p, sigma_u",
    [(1.0, 0.0, 1.0, 0.5), (-2.0, 1.0, 0.2, 3.0), (4.0, 3.5, 2.0, 2.0)],
)
def test_grid_posterior_matches_the_closed_form(u, mu_p, sigma_p, sigma_u):
    result = bayes.grid_posterior(u, mu_p, sigma_p, sigma_u)
    moments = bayes.grid_moments(result.v, result.posterior)
    exact = bayes.closed_form_posterior(u, mu_p, sigma_p, sigma_u)
    assert moments.mean == pytest.approx(exact.mean, abs=1e-6)
    assert moments.var == pytest.approx(exact.var, rel=1e-5)
    # the evidence of the conjugate model is N(u; mu_p, sigma_p + sigma_u)
    assert result.evidence == pytest.approx(
        bayes.normal_pdf(u, mu_p, sigma_p + sigma_u), rel=1e-6
    )


def test_precisions_add():
    post = bayes.closed_form_posterior(0.3, 0.0, 2.0, 0.5)
    assert 1 / post.var == pytest.approx(1 / 2.0 + 1 / 0.5)


def test_posterior_is_narrower_than_prior_and_likelihood():
    post = bayes.closed_form_posterior(1.0, 0.0, 1.0, 1.0)
    assert post.var < 1.0 and post.mean == pytest.approx(0.5)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"sigma_p": -1.0}, "sigma_p"),
        ({"sigma_u": 0.0}, "sigma_u"),
        ({"u": float("nan")}, "u"),
        ({"v": []}, "v"),
        ({"v": [0.0, 1.0, 3.0]}, "v"),
    ],
)
def test_bad_input_names_the_argument(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        bayes.grid_posterior(**kwargs)


def test_normal_pdf_integrates_to_one():
    x = np.linspace(-20, 20, 40001)
    assert (
        bayes.normal_pdf(x, 1.0, 2.0).sum() * (x[1] - x[0])
    ) == pytest.approx(1.0, rel=1e-9)


# ---- Exercise 0.5: one observation after another ------------------------------------------
def test_claim_the_prior_keeps_a_tenth_after_nine_observations():
    from claims import assert_printed, assert_prose

    nb = "bayes_in_pictures"
    assert_prose(nb, "here $1/(n + 1)$: a tenth (0.100) after 9 observations")
    assert_printed(nb, "after 9 observed: the prior mean keeps 0.100")
    # folding in 9 observations one by one equals one update with precision 1 + 9
    mean, var = 0.0, 1.0
    for _ in range(9):
        post = bayes.closed_form_posterior(1.0, mean, var, 1.0)
        mean, var = post.mean, post.var
    assert var == pytest.approx(0.1) and mean == pytest.approx(0.9)
    assert bayes.closed_form_posterior(1.0, 0.0, 1.0, 1.0 / 8).var > 0.1
