import json
import subprocess
import sys

import pytest

from pcbook import reproduce


def test_registry_holds_every_chapter_experiment():
    names = set(reproduce.registry())
    assert "bayes-gaussian" in names


def test_json_report_has_the_documented_keys():
    out = subprocess.run([sys.executable, "-m", "pcbook", "reproduce", "bayes-gaussian", "--json",
                          "--set", "u=2.5", "--seed", "4"], capture_output=True, text=True, check=True).stdout
    report = json.loads(out)
    assert set(report) == {"experiment", "seed", "params", "metrics", "reference", "seconds"}
    assert report["seed"] == 4 and report["params"]["u"] == 2.5
    for key, value in report["metrics"].items():
        assert value == pytest.approx(report["reference"][key], rel=1e-6), key


def test_table_lists_measured_and_reference():
    out = subprocess.run([sys.executable, "-m", "pcbook", "reproduce", "bayes-gaussian"],
                         capture_output=True, text=True, check=True).stdout
    assert "measured" in out and "reference" in out and "posterior_mean" in out


def test_unknown_experiment_lists_the_valid_ones():
    result = subprocess.run([sys.executable, "-m", "pcbook", "reproduce", "no-such-thing"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "bayes-gaussian" in result.stderr and "no-such-thing" in result.stderr


def test_unknown_or_malformed_parameter_is_a_clear_error():
    exp = reproduce.get("bayes-gaussian")
    with pytest.raises(ValueError, match="valid parameters: u, mu_p, sigma_p, sigma_u"):
        reproduce.parse_params(exp, ["nope=1"])
    with pytest.raises(ValueError, match="key=value"):
        reproduce.parse_params(exp, ["u"])
    with pytest.raises(ValueError, match="parameter u: expected float"):
        reproduce.parse_params(exp, ["u=abc"])


def test_boolean_parameters_accept_on_off():
    exp = reproduce.Experiment("toy", lambda seed, flag: ({}, {}), {"flag": True})
    assert reproduce.parse_params(exp, ["flag=off"]) == {"flag": False}
    assert reproduce.parse_params(exp, ["flag=on"]) == {"flag": True}
    with pytest.raises(ValueError, match="on/off"):
        reproduce.parse_params(exp, ["flag=maybe"])
