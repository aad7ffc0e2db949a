"""pcbook.continuous_bernoulli: arguments whose shapes do not broadcast are named (issue 16)."""

import numpy as np
import pytest

from pcbook import continuous_bernoulli as cb


def test_shapes_that_do_not_broadcast_are_named():
    with pytest.raises(ValueError, match=r"^x, b: shapes do not broadcast"):
        cb.density(np.linspace(-1, 1, 5), [1.0, 2.0])
    with pytest.raises(
        ValueError, match=r"^b_q, b: .*\(b_q \(3,\), b \(2,\)\)"
    ):
        cb.kl(np.zeros(3), np.zeros(2))


def test_broadcasting_shapes_still_give_the_density():
    x, b = np.array([[-0.5], [0.5]]), np.array([0.0, 2.0])
    expected = np.exp(b * x) * np.array([0.5, 2.0 / (2.0 * np.sinh(2.0))])
    np.testing.assert_allclose(cb.density(x, b), expected, rtol=1e-12)
