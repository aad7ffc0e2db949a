import numpy as np
import pytest

from pcbook.rng import as_rng, spawn


def test_int_seed_gives_reproducible_streams():
    assert as_rng(3).normal() == as_rng(3).normal()


def test_generator_is_passed_through_not_copied():
    rng = np.random.default_rng(0)
    assert as_rng(rng) is rng


def test_none_gives_a_generator():
    assert isinstance(as_rng(None), np.random.Generator)


@pytest.mark.parametrize("bad", [1.5, "3", np.random.RandomState(0), True])
def test_other_types_are_rejected_naming_the_argument(bad):
    with pytest.raises(TypeError, match="rng"):
        as_rng(bad)


def test_negative_seed_is_rejected():
    with pytest.raises(ValueError, match="rng"):
        as_rng(-1)


def test_spawned_streams_differ_and_are_reproducible():
    a, b = spawn(7, 2)
    assert a.normal() != b.normal()
    assert spawn(7, 2)[0].normal() == spawn(7, 2)[0].normal()
    with pytest.raises(ValueError, match="n"):
        spawn(0, 0)


def test_global_numpy_state_is_never_touched():
    from pcbook import bayes, reproduce

    before = np.random.get_state()[1].copy()
    reproduce.run("bayes-gaussian")
    bayes.grid_posterior()
    assert np.array_equal(before, np.random.get_state()[1])
