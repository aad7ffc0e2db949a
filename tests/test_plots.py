"""Bad input to the plotting functions (issue 16): the shared checks of pcbook.plotting and what
the chapter figures refuse, each error naming the argument as the caller wrote it.

The fuzz suite (tests/test_fuzz_api.py, class TestPlots) gives every parameter of every plotting
function bad values; these tests pin the messages and the cases it cannot see (a valid figure
still drawn the same way, NaN as a missing value in a running mean)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from pcbook import plotting  # noqa: E402
from pcbook.validate import beyond_scale, check_finite_array  # noqa: E402
from pcbook.plots import angc as angc_plots  # noqa: E402
from pcbook.plots import attractor as attractor_plots  # noqa: E402
from pcbook.plots import bogacz as bogacz_plots  # noqa: E402
from pcbook.plots import ngc as ngc_plots  # noqa: E402
from pcbook.plots import som as som_plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _axes(n):
    _, axes = plt.subplots(1, n, squeeze=False)
    return axes[0]


# ---------------------------------------------------------------- shared checks
def test_axes_array_names_the_entry_that_is_not_an_axes():
    axes = [*_axes(1), "abc"]
    with pytest.raises(
        TypeError, match=r"^axes\[1\]: expected a matplotlib Axes, got str"
    ):
        plotting.check_axes_array("axes", axes)


def test_axes_array_counts_the_axes():
    with pytest.raises(
        ValueError, match=r"^axes: expected at least 3 Axes, got 2"
    ):
        plotting.check_axes_array("axes", _axes(2), 3)
    flat = plotting.check_axes_array(
        "axes", np.array(_axes(4)).reshape(2, 2), 4
    )
    assert flat.shape == (4,)


def test_mapping_names_the_label_of_a_bad_entry():
    with pytest.raises(
        TypeError, match=r"^traces: expected a dict mapping a label"
    ):
        plotting.check_mapping("traces", [1.0])
    with pytest.raises(ValueError, match=r"^traces\['b'\]: contains NaN"):
        plotting.check_mapping(
            "traces",
            {"a": [1.0], "b": [np.nan]},
            check_finite_array,
        )


def test_keys_names_the_missing_key():
    with pytest.raises(TypeError, match=r"^bound: expected the dict"):
        plotting.check_keys("bound", "abc", ("q",), "the dict")
    with pytest.raises(ValueError, match=r"^bound: .*missing \['kl'\]"):
        plotting.check_keys("bound", {"q": 1}, ("q", "kl"), "the dict")


def test_panels_beyond_the_book_scale_are_refused_unless_forced():
    with pytest.raises(ValueError, match=r"^ncols: 1e\+09 is far beyond"):
        plotting.check_panels("ncols", 10**9)
    with beyond_scale():
        assert plotting.check_panels("ncols", 10**9) == 10**9


# ---------------------------------------------------------------- wrong objects
@pytest.mark.parametrize(
    "plot, kwargs, expected",
    [
        (attractor_plots.plot_couplings, {"axes": None}, "SequenceResult"),
        (bogacz_plots.plot_posterior, {}, "PosteriorResult"),
        (ngc_plots.plot_completion, {}, "CompletionResult"),
        (som_plots.plot_repertoire, {}, "Repertoire"),
        (angc_plots.plot_returns, {}, "ANGCResult"),
    ],
)
def test_a_dict_for_a_result_is_a_type_error_naming_the_class(
    plot, kwargs, expected
):
    with pytest.raises(
        TypeError, match=rf"^\w+: expected {expected}, got dict"
    ):
        plot({"x": 1}, **kwargs)


# ---------------------------------------------------------------- arrays
def test_frames_name_side_when_rows_are_not_square_images():
    states = np.zeros((3, 64))
    with pytest.raises(ValueError, match=r"^states: 64 values .*side=7"):
        attractor_plots.plot_frames(states, side=7)


def test_frames_still_draw_the_same_mosaic():
    states = np.linspace(-1, 1, 3 * 64).reshape(3, 64)
    ax = attractor_plots.plot_frames(states, titles=[1, 2, 3], ncols=2)
    mosaic = ax.get_images()[0].get_array()
    assert mosaic.shape == (22, 17)
    np.testing.assert_array_equal(mosaic[2:10, 9:17], states[1].reshape(8, 8))
    assert [t.get_text() for t in ax.texts] == ["1", "2", "3"]


def test_titles_must_be_a_list_not_text():
    with pytest.raises(TypeError, match=r"^titles: expected a list"):
        attractor_plots.plot_frames(np.zeros((2, 64)), titles="ab")


def test_running_mean_skips_nan_but_refuses_inf_and_text():
    np.testing.assert_allclose(
        angc_plots.running_mean([1.0, np.nan, 3.0], 2), [1.0, 1.0, 3.0]
    )
    with pytest.raises(ValueError, match=r"^x: contains NaN or infinite"):
        angc_plots.running_mean([1.0, np.inf], 2)
    with pytest.raises(TypeError, match=r"^x: "):
        angc_plots.running_mean("abc", 2)
    with pytest.raises(ValueError, match=r"^width: must be an integer >= 1"):
        angc_plots.running_mean([1.0], 0)


def test_eigenvalues_complex_list_is_drawn_and_text_refused():
    ax = bogacz_plots.plot_eigenvalues([-1 + 0.5j, -1 - 0.5j], dts=(0.1,))
    x, y = ax.lines[-1].get_data()
    np.testing.assert_array_equal(x, [-1.0, -1.0])
    np.testing.assert_array_equal(y, [0.5, -0.5])
    with pytest.raises(TypeError, match=r"^eigenvalues: "):
        bogacz_plots.plot_eigenvalues("abc")
    with pytest.raises(ValueError, match=r"^dts\[0\]: must be > 0"):
        bogacz_plots.plot_eigenvalues([-1.0], dts=(-0.1,))


def test_image_rows_refuse_images_that_are_not_8x8():
    with pytest.raises(ValueError, match=r"^rows\['data'\]: expected shape"):
        ngc_plots.plot_image_rows({"data": np.zeros((3, 63))}, n=3)
    with pytest.raises(ValueError, match=r"^x: expected shape"):
        ngc_plots.plot_reconstructions(np.zeros((3, 65)), {}, n=3)


def test_accuracies_lie_in_the_unit_interval():
    with pytest.raises(ValueError, match=r"^accuracies\['pca'\]: must lie in"):
        ngc_plots.plot_accuracies({"pca": 1.5})


def test_overlay_names_both_arrays_when_shapes_differ():
    with pytest.raises(ValueError, match=r"^image: .*prototype"):
        som_plots.overlay(np.zeros((4, 4)), np.zeros((4, 5)))
