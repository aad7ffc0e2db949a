"""The robustness appendix (issue 19, outcome 3): the stored sweeps are
what the experiments compute, and the page shows the stored table's
summary.

A sample of the stored runs is recomputed on a one-worker local cluster
(the workers get the Makefile's BLAS pin, so the digits do not depend on
how pytest was started): a few seeds of the cheap experiments and one run
of each heavier one, each required to the last digit."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pcbook import robustness, sweep

PAGE = Path(__file__).resolve().parents[1] / "book" / "robustness.ipynb"
MIN_SEEDS = 50
# (experiment, seeds): the first, a middle and the last stored seed of the
# cheap ones, and one run of each heavier one
SAMPLE = {
    "bogacz-ex5": "first middle last",
    "attractor-sim3": "first middle last",
    "ngc-digits": "middle",
    "angc-mountaincar": "last",
    "som-motor": "last",
}


@pytest.fixture(scope="module")
def stored():
    return robustness.load()


@pytest.fixture(scope="module")
def address():
    cluster = sweep.local_cluster(1)
    yield cluster.scheduler_address
    cluster.close()


def _sample_seeds(stored, experiment: str, which: str) -> list[int]:
    seeds = sorted(stored[stored.experiment == experiment].seed.unique())
    picks = {"first": 0, "middle": len(seeds) // 2, "last": -1}
    return [int(seeds[picks[w]]) for w in which.split()]


def test_stored_table_is_tidy_and_every_headline_has_its_runs(stored):
    assert list(stored.columns) == list(robustness._COLUMNS)
    assert set(stored.experiment) == set(robustness.EXPERIMENTS)
    assert not stored.duplicated(["experiment", "seed", "metric"]).any()
    assert (stored.status == "ok").all()
    for headline in robustness.HEADLINES:
        values = robustness.headline_values(stored, headline)
        assert headline.seed in values, headline.name
        assert all(not math.isnan(v) for v in values.values())


@pytest.mark.parametrize("experiment", robustness.EXPERIMENTS)
def test_each_experiment_has_at_least_50_seeds(stored, experiment):
    seeds = stored[stored.experiment == experiment].seed.unique()
    assert sorted(seeds) == list(range(len(seeds)))
    assert len(seeds) >= MIN_SEEDS


@pytest.mark.parametrize("experiment", SAMPLE)
def test_a_recomputed_sample_of_the_stored_runs_is_the_same(
    stored, address, experiment
):
    seeds = _sample_seeds(stored, experiment, SAMPLE[experiment])
    table = sweep.run(experiment, seeds=seeds, scheduler=address, cache=None)
    again = robustness.tidy(table, experiment).set_index(["seed", "metric"])
    mine = stored[stored.experiment == experiment]
    mine = mine[mine.seed.isin(seeds)].set_index(["seed", "metric"])
    assert len(mine) > 0 and sorted(again.index) == sorted(mine.index)
    for key, value in mine.value.items():
        assert again.value[key] == value, (
            f"{experiment} seed {key[0]} {key[1]}: stored {value!r}, "
            f"recomputed {again.value[key]!r}"
        )


def _outputs(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append("".join(out["text"]))
        for kind in ("text/markdown", "text/plain"):
            if kind in out.get("data", {}):
                parts.append("".join(out["data"][kind]))
    return "\n".join(parts)


def _page():
    return json.loads(PAGE.read_text(encoding="utf-8"))["cells"]


def test_the_page_shows_the_stored_tables_summary(stored):
    table = robustness.markdown_table(robustness.summarise(stored))
    shown = [c for c in _page() if table in _outputs(c)]
    assert len(shown) == 1, "the page's table is not the stored table's"


def test_the_page_defines_a_label_per_chapter_and_states_the_seed_count(
    stored,
):
    text = "\n".join(
        "".join(c["source"]) for c in _page() if c["cell_type"] == "markdown"
    )
    for label in dict.fromkeys(h.label for h in robustness.HEADLINES):
        assert f"(robustness-{label})=" in text
    printed = "\n".join(_outputs(c) for c in _page())
    for experiment in robustness.EXPERIMENTS:
        n = stored[stored.experiment == experiment].seed.nunique()
        assert f"{experiment}: {n} seeds" in printed


# --- the computation on small made-up tables ----------------------------


def _sweep_table(values: dict, experiment="bogacz-ex5"):
    """A table as sweep.run returns it, with one metric per column."""
    n = len(next(iter(values.values())))
    return pd.DataFrame(
        {
            "trials": [1000] * n,
            "lr": [0.01] * n,
            "n_seeds": [10] * n,
            "seed": range(n),
            **values,
            "seconds": [0.1] * n,
            "status": ["ok"] * n,
            "message": [""] * n,
            "cached": [False] * n,
        }
    )


def test_tidy_keeps_every_metric_and_no_parameter():
    table = _sweep_table(
        {"sigma_trial_500": [1.9, 2.0], "sigma_trial_1000": [2.0, 2.1]}
    )
    rows = robustness.tidy(table, "bogacz-ex5")
    assert set(rows.metric) == {"sigma_trial_500", "sigma_trial_1000"}
    assert len(rows) == 4 and set(rows.seed) == {0, 1}
    assert (
        rows.set_index(["seed", "metric"]).value[(1, "sigma_trial_1000")]
        == 2.1
    )


def test_summary_quantiles_bars_and_a_flag_never_reached():
    first = [-1, 40, 30, 50, 150, 151, 60, 70, 80, 90, 100]
    rows = pd.DataFrame(
        {
            "experiment": "angc-mountaincar",
            "seed": [*range(len(first))] * 2,
            "metric": ["first_success_episode"] * len(first)
            + ["success_rate_last50"] * len(first),
            "value": np.array(first + [0.5] * len(first), float),
            "status": "ok",
        }
    )
    flag = next(
        r
        for r in robustness.summarise(rows)
        if r["headline"].name == "first episode at the flag"
    )
    reached = np.array([v for v in first if v >= 0], float)
    assert flag["seeds"] == 11 and math.isinf(flag["quoted"])
    assert flag["meet"] == 9  # 151 and "never" miss the bar of 150
    # "never" sorts last: the quantiles are numpy's with it as the largest
    for key, q in (("median", 50), ("p10", 10), ("p90", 90)):
        assert flag[key] == np.percentile([*reached, 1e9], q)
    assert "| never |" in robustness.markdown_table([flag])
    assert (
        "  seed 0 never; 91 % of the seeds lower, 0 % higher"
        in robustness.placing(rows, "angc").splitlines()
    )


def test_an_unknown_chapter_label_is_refused_by_name(stored):
    with pytest.raises(ValueError, match="label: expected one of angc"):
        robustness.placing(stored, "ngc-digits")


def test_collect_refuses_what_is_not_a_dict_of_files(tmp_path):
    with pytest.raises(TypeError, match="sweeps"):
        robustness.collect(["bogacz-ex5.csv"], tmp_path / "x.csv")


def test_collect_add_extends_the_stored_runs_with_new_seeds(tmp_path):
    """``collect --add``: the runs already in --out stay, new seeds join them, a run in
    both keeps the sweep's row."""
    old = sweep.run("bogacz-ex1", seeds="0:2", serial=True, cache=None)
    new = sweep.run("bogacz-ex1", seeds="1:3", serial=True, cache=None)
    old.to_csv(tmp_path / "old.csv", index=False)
    new.to_csv(tmp_path / "new.csv", index=False)
    out = tmp_path / "runs.csv"
    robustness.main(["collect", f"bogacz-ex1={tmp_path / 'old.csv'}", "--out", str(out)])
    stored = robustness.load(out)
    stored.loc[stored.seed == 1, "value"] = -1.0  # marks the older row of seed 1
    stored.to_csv(out, index=False)
    robustness.main(
        ["collect", f"bogacz-ex1={tmp_path / 'new.csv'}", "--out", str(out), "--add"]
    )
    both = robustness.load(out)
    assert sorted(both.seed.unique()) == [0, 1, 2]
    assert not both.duplicated(["experiment", "seed", "metric"]).any()
    assert (both[both.seed == 1].value != -1.0).all()
    without = robustness.collect({"bogacz-ex1": tmp_path / "new.csv"}, out)
    assert sorted(without.seed.unique()) == [1, 2]


def test_placing_gives_the_seeds_standard_deviation(stored):
    """The spread the appendix sets each bar against: statistics.stdev of the stored values."""
    import statistics

    for headline in robustness.HEADLINES[:2]:
        values = list(robustness.headline_values(stored, headline).values())
        line = f"  standard deviation over the seeds {statistics.stdev(values):.3f}"
        assert line in robustness.placing(stored, "bogacz").splitlines()
