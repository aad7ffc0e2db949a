import json
import subprocess
import sys

import pytest

from pcbook import reproduce


def test_registry_holds_every_chapter_experiment():
    names = set(reproduce.registry())
    assert "bayes-gaussian" in names


def test_json_report_has_the_documented_keys():
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pcbook",
            "reproduce",
            "bayes-gaussian",
            "--json",
            "--set",
            "u=2.5",
            "--seed",
            "4",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    report = json.loads(out)
    assert set(report) == {
        "experiment",
        "seed",
        "params",
        "metrics",
        "reference",
        "seconds",
        "diverged",
    }
    assert report["diverged"] == []
    assert report["seed"] == 4 and report["params"]["u"] == 2.5
    for key, value in report["metrics"].items():
        assert value == pytest.approx(report["reference"][key], rel=1e-6), key


def test_table_lists_measured_and_reference():
    out = subprocess.run(
        [sys.executable, "-m", "pcbook", "reproduce", "bayes-gaussian"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "measured" in out and "reference" in out and "posterior_mean" in out


def test_unknown_experiment_lists_the_valid_ones():
    result = subprocess.run(
        [sys.executable, "-m", "pcbook", "reproduce", "no-such-thing"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert (
        "bayes-gaussian" in result.stderr and "no-such-thing" in result.stderr
    )


def test_unknown_or_malformed_parameter_is_a_clear_error():
    exp = reproduce.get("bayes-gaussian")
    with pytest.raises(
        ValueError, match="valid parameters: u, mu_p, sigma_p, sigma_u"
    ):
        reproduce.parse_params(exp, ["nope=1"])
    with pytest.raises(ValueError, match="key=value"):
        reproduce.parse_params(exp, ["u"])
    with pytest.raises(ValueError, match="parameter u: expected float"):
        reproduce.parse_params(exp, ["u=abc"])


def test_boolean_parameters_accept_on_off():
    exp = reproduce.Experiment(
        "toy", lambda seed, flag: ({}, {}), {"flag": True}
    )
    assert reproduce.parse_params(exp, ["flag=off"]) == {"flag": False}
    assert reproduce.parse_params(exp, ["flag=on"]) == {"flag": True}
    with pytest.raises(ValueError, match="on/off"):
        reproduce.parse_params(exp, ["flag=maybe"])


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "pcbook", "reproduce", *args],
        capture_output=True,
        text=True,
    )


def test_cli_errors_name_the_option_as_typed_and_stay_json():
    for args, named in [
        (["--seed", "-1"], "--seed"),
        (["--seed", "2.5"], "--seed"),
        (["--set", "u=abc"], "--set u"),
        (["--set", "u=nan"], "--set u"),
        (["--set", "nope=1"], "nope"),
    ]:
        result = _cli("bayes-gaussian", "--json", *args)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr, args
        report = json.loads(result.stdout)  # valid JSON even for an error
        assert named in report["error"], (args, report)


def test_a_diverged_run_is_valid_json_and_says_so():
    exp = reproduce.Experiment(
        "toy",
        lambda seed, x: (
            {"m": float("nan"), "v": [1.0, float("inf")], "ok": x},
            {"m": 1.0},
        ),
        {"x": 1.0},
    )
    reproduce._REGISTRY["toy-diverges"] = exp
    try:
        report = reproduce.run("toy-diverges")
    finally:
        del reproduce._REGISTRY["toy-diverges"]
    assert report["diverged"] == ["m", "v"]
    assert report["metrics"] == {"m": None, "v": [1.0, None], "ok": 1.0}
    json.dumps(report, allow_nan=False)  # raises on NaN or inf


def test_seed_must_be_a_non_negative_integer():
    with pytest.raises(TypeError, match="seed: expected an integer"):
        reproduce.run("bayes-gaussian", seed=2.5)
    with pytest.raises(ValueError, match=r"seed: must be an integer in \[0"):
        reproduce.run("bayes-gaussian", seed=-3)


def test_limits_refuse_sizes_far_beyond_the_book_unless_forced():
    exp = reproduce.Experiment(
        "toy",
        lambda seed, epochs: ({}, {}),
        {"epochs": 10},
        limits={"epochs": 1000},
    )
    with pytest.raises(
        ValueError,
        match=r"--set epochs: 1e\+09 is far beyond the book's scale \(at most 1000\)",
    ):
        reproduce.parse_params(exp, ["epochs=1000000000"], cli=True)
    assert reproduce.parse_params(exp, ["epochs=1000000000"], force=True) == {
        "epochs": 1_000_000_000
    }
    assert reproduce.parse_params(exp, {"epochs": 1000}) == {"epochs": 1000}
    with pytest.raises(TypeError, match="parameter epochs: expected int"):
        reproduce.parse_params(exp, {"epochs": 2.5})


def test_every_registered_experiment_caps_its_size_parameters():
    """A count parameter (epochs, steps, trials, ...) without a limit could run for days."""
    counts = (
        "epochs",
        "steps",
        "trials",
        "episodes",
        "n_seeds",
        "K",
        "n_prototypes",
    )
    missing = [
        f"{exp.name}:{key}"
        for exp in reproduce.registry().values()
        for key in exp.params
        if key in counts and key not in exp.limits
    ]
    assert not missing, f"size parameters without limits=: {missing}"


def test_overrides_that_are_not_key_value_are_named_as_the_caller_wrote_them():
    exp = reproduce.get("bogacz-ex1")
    with pytest.raises(ValueError, match="^overrides: expected key=value"):
        reproduce.parse_params(exp, "abc")
    with pytest.raises(ValueError, match="^--set: expected key=value"):
        reproduce.parse_params(exp, ["abc"], cli=True)
