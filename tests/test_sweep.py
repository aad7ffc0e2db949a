"""pcbook.sweep (issue 19): seeds x a grid on Dask, the cache, failed runs,
the command line. A 2-worker local cluster is started once for the module;
the experiments are the cheap ones (bogacz-ex5 with few trials draws random
numbers, so the seed matters; bayes-gaussian is exact)."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import psutil
import pytest

from pcbook import reproduce, sweep
from pcbook.__main__ import main

EXP = "bogacz-ex5"
GRID = {"trials": [60, 120], "lr": [0.01, 0.02]}
UNREACHABLE = "tcp://127.0.0.1:9"  # nothing listens there


@pytest.fixture(scope="module")
def cluster():
    local = sweep.local_cluster(2)
    yield local
    local.close()


@pytest.fixture(scope="module")
def address(cluster):
    return cluster.scheduler_address


def _blas():
    import numpy  # noqa: F401  (loads OpenBLAS in the worker)
    from threadpoolctl import threadpool_info

    return [
        (i["num_threads"], i.get("architecture"))
        for i in threadpool_info()
        if i["user_api"] == "blas"
    ]


def test_workers_get_the_makefile_environment_and_listen_on_localhost(cluster):
    from distributed import Client

    wanted = sweep.worker_environment()
    assert wanted["OPENBLAS_NUM_THREADS"] == "1"
    assert wanted["PCBOOK_QUIET"] == "1"
    with Client(cluster, set_as_default=False) as client:
        facts = client.run(sweep._worker_facts)
        blas = client.run(_blas)
    assert len(facts) == 2
    for fact in facts.values():
        assert fact["source"] == sweep.source_hash()
        assert {k: fact["env"][k] for k in wanted} == wanted
    pin = wanted.get("OPENBLAS_CORETYPE")
    for libs in blas.values():
        assert libs and all(n == 1 for n, _ in libs)
        if pin:  # the kernel was chosen before numpy was loaded
            assert all(arch.lower() == pin.lower() for _, arch in libs)
    me = psutil.Process()
    ports = [
        c.laddr
        for p in [me, *me.children(recursive=True)]
        for c in p.net_connections(kind="inet")
        if c.status == "LISTEN"
    ]
    assert len(ports) >= 5  # scheduler, its HTTP server, 2 workers, nannies
    assert {a.ip for a in ports} == {"127.0.0.1"}
    assert 8787 not in {a.port for a in ports}  # no fixed dashboard port


def test_dask_sweep_equals_a_serial_loop_of_reproduce(address):
    table = sweep.run(
        EXP, seeds="0:3", grid=GRID, scheduler=address, cache=None
    )
    assert len(table) == 12 and (table["status"] == "ok").all()
    assert not table["cached"].any()
    assert list(table.columns[:4]) == ["trials", "lr", "n_seeds", "seed"]
    for row in table.to_dict("records"):
        report = reproduce.run(
            EXP,
            seed=row["seed"],
            overrides={"trials": row["trials"], "lr": row["lr"]},
        )
        for key, value in report["metrics"].items():
            assert row[key] == value, (row, key)  # identical, not approx
    assert table["sigma_final"].nunique() == 12  # each seed is its own
    serial = sweep.run(EXP, seeds=range(3), grid=GRID, serial=True, cache=None)
    pd.testing.assert_frame_equal(
        serial.drop(columns="seconds"), table.drop(columns="seconds")
    )


def test_cache_resumes_an_interrupted_sweep_and_a_repeat_runs_nothing(
    address, tmp_path, monkeypatch
):
    args = dict(seeds="0:2", grid={"trials": [60, 80]}, cache=tmp_path)
    first = sweep.run(EXP, scheduler=address, **args)
    files = sorted((tmp_path / EXP).iterdir())
    assert len(files) == 4 and all(f.suffix == ".json" for f in files)
    files[0].unlink()  # as if the sweep had been stopped before this run
    resumed = sweep.run(EXP, scheduler=address, **args)
    assert resumed["cached"].sum() == 3
    # all cached: no run and no Dask (the scheduler is never contacted)
    again = sweep.run(EXP, scheduler=UNREACHABLE, **args)
    assert again["cached"].all()
    same = ["trials", "seed", "sigma_final", "status"]
    pd.testing.assert_frame_equal(again[same], first[same])
    # edited source files make new keys: nothing stale is reused
    monkeypatch.setattr(sweep, "source_hash", lambda: "edited")
    edited = sweep.run(EXP, serial=True, **args)
    assert not edited["cached"].any()


def _copy_of_pcbook(tmp_path, monkeypatch) -> Path:
    """A copy of the package that source_hash reads instead of the real one."""
    import shutil
    import types

    root = Path(sweep.pcbook.__file__).resolve().parent
    copy = tmp_path / "pcbook"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("__pycache__"))
    fake = types.SimpleNamespace(
        __file__=str(copy / "__init__.py"), __version__="0"
    )
    monkeypatch.setattr(sweep, "pcbook", fake)
    return copy


def test_source_hash_follows_the_code_runs_run_and_not_the_figures(
    tmp_path, monkeypatch
):
    copy = _copy_of_pcbook(tmp_path, monkeypatch)
    before = sweep.source_hash()
    for part in ("plots/som.py", "check/ngc.py", "widgets.py"):
        with open(copy / part, "a") as handle:
            handle.write("# an edited figure or answer check\n")
    (copy / "classroom" / "new.py").write_text("x = 1\n")
    assert sweep.source_hash() == before
    with open(copy / "attractor.py", "a") as handle:
        handle.write("# an edited experiment\n")
    edited = sweep.source_hash()
    assert edited != before
    (copy / "som" / "new.py").write_text("x = 1\n")
    assert sweep.source_hash() != edited


def _imports(path: Path) -> set[str]:
    import ast

    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_no_module_that_runs_imports_what_the_source_hash_leaves_out():
    root = Path(sweep.pcbook.__file__).resolve().parent
    left_out = tuple(
        f"pcbook.{part.removesuffix('.py')}" for part in sweep.NOT_RUN
    )
    hashed = [
        path
        for path in root.rglob("*.py")
        if path.relative_to(root).parts[0] not in sweep.NOT_RUN
    ]
    assert len(hashed) > 20
    for path in hashed:
        bad = {
            name
            for name in _imports(path)
            if name == "pcbook.mplstyle"
            or any(name == m or name.startswith(m + ".") for m in left_out)
        }
        assert not bad, f"{path.relative_to(root)} imports {sorted(bad)}"
    for exp in reproduce.registry().values():
        assert not exp.func.__module__.startswith(left_out), exp.name


def test_a_failing_run_is_recorded_and_the_sweep_completes(address, tmp_path):
    table = sweep.run(
        "bayes-gaussian",
        seeds="0:2",
        grid={"sigma_p": [-1.0, 1.0]},
        scheduler=address,
        cache=tmp_path,
    )
    failed = table[table["sigma_p"] < 0]
    assert (failed["status"] == "failed").all()
    assert (
        failed["message"]
        .str.fullmatch(r"ValueError: .*\bsigma_p: must .*, got -1\.0")
        .all()
    )
    assert failed["posterior_mean"].isna().all()
    good = table[table["sigma_p"] > 0]
    assert (good["status"] == "ok").all()
    assert good["posterior_mean"].tolist() == pytest.approx([2 / 3] * 2)


@pytest.fixture
def toy(monkeypatch):
    """An experiment that fails for x < 0 and diverges for x == 0."""

    def func(seed, x):
        if x < 0:
            raise RuntimeError("boom")
        return {"inverse": 1 / x if x else math.inf, "seed": seed}, {}

    reproduce.registry()
    monkeypatch.setitem(
        reproduce._REGISTRY,
        "toy-sweep",
        reproduce.Experiment("toy-sweep", func, {"x": 1.0}),
    )
    return "toy-sweep"


def test_diverged_and_failed_runs_have_a_status_and_a_message(toy, capsys):
    table = sweep.run(
        toy, seeds=[5], grid={"x": [-1, 0, 2]}, serial=True, cache=None
    )
    assert table["status"].tolist() == ["failed", "diverged", "ok"]
    assert table["message"].tolist() == [
        "RuntimeError: boom",
        "not finite: inverse",
        "",
    ]
    assert table["inverse"].iloc[2] == 0.5 and table["inverse"].isna()[1]
    assert table["metric_seed"].iloc[2] == 5  # a metric named like a column
    code = main(
        ["sweep", toy, "--set", "x=0,2", "--serial", "--json", "--no-cache"]
    )
    out, err = capsys.readouterr()
    report = json.loads(out)  # valid JSON: the infinity is null
    assert code == 0 and report["diverged"] == 1
    assert [r["inverse"] for r in report["rows"]] == [None, 0.5]
    last = err.rstrip("\n").split("\r")[-1]  # after any progress bar
    assert last.startswith("warning: 0 runs failed and 1 diverged")


def test_seeds_and_grid_syntax():
    assert sweep.parse_seeds("0:3") == [0, 1, 2]
    assert sweep.parse_seeds("0:2, 7") == [0, 1, 7]
    assert sweep.parse_seeds(range(2)) == [0, 1]
    assert sweep.parse_seeds(None, default=4) == [4]
    for bad, match in [
        ("5:2", "empty"),
        ("a:b", "START:STOP"),
        ("-1", "START:STOP"),
        ("1:2:3", "START:STOP"),
        ([1, 1], "seed 1 is given twice"),
    ]:
        with pytest.raises(ValueError, match=f"seeds: .*{match}"):
            sweep.parse_seeds(bad)
    with pytest.raises(TypeError, match=r"seeds: .*range\b"):
        sweep.parse_seeds(3)
    with pytest.raises(ValueError, match="far beyond"):
        sweep.parse_seeds("0:200000")
    exp = reproduce.get("bayes-gaussian")
    points = sweep.parse_grid(exp, ["u=1,2", "sigma_p=0.5", "u=3"], cli=True)
    assert [(p["u"], p["sigma_p"]) for p in points] == [
        (1.0, 0.5),
        (2.0, 0.5),
        (3.0, 0.5),
    ]
    assert sweep.parse_grid(exp, None) == [exp.params]
    with pytest.raises(ValueError, match=r"grid\['u'\]: no values"):
        sweep.parse_grid(exp, {"u": []})
    with pytest.raises(TypeError, match="parameter u: expected float"):
        sweep.parse_grid(exp, {"u": [True]})
    # a text parameter whose default holds commas takes each --set whole
    seq = reproduce.get("attractor-sim3")
    points = sweep.parse_grid(seq, ["digits=1,2,3", "digits=3,2,1"], cli=True)
    assert [p["digits"] for p in points] == ["1,2,3", "3,2,1"]


@pytest.mark.parametrize(
    "args, named",
    [
        (["--seeds", "5:2"], "--seeds"),
        (["--seeds", "a:b"], "--seeds"),
        (["--seeds", "0:1000000"], "--seeds"),
        (["--set", "nope=1,2"], "unknown parameter 'nope'"),
        (["--set", "u="], "--set u"),
        (["--set", "u=abc"], "--set u"),
        (["--set", "u=1,1"], "--set u"),
        (["--workers", "0"], "--workers"),
        (["--workers", "two"], "--workers"),
        (
            ["--workers", "2", "--scheduler", UNREACHABLE],
            "--workers and --scheduler",
        ),
        (["--out", "runs.txt"], "--out"),
    ],
)
def test_cli_mistakes_are_one_line_naming_the_option(args, named, capsys):
    code = main(["sweep", "bayes-gaussian", *args, "--json", "--no-cache"])
    out, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and named in err
    assert named in json.loads(out)["error"]


def test_parquet_needs_pyarrow(tmp_path, capsys):
    path = tmp_path / "runs.parquet"
    code = main(
        [
            "sweep",
            "bayes-gaussian",
            "--serial",
            "--no-cache",
            "--out",
            str(path),
        ]
    )
    out, err = capsys.readouterr()
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        assert code == 2 and "--out" in err and "pyarrow" in err
    else:
        assert code == 0 and len(pd.read_parquet(path)) == 1


def test_an_unreachable_scheduler_or_other_code_is_a_clear_error(
    address, monkeypatch
):
    monkeypatch.setattr(sweep, "CONNECT_TIMEOUT", 1.0)
    with pytest.raises(ValueError, match="scheduler: cannot reach"):
        sweep.run("bayes-gaussian", scheduler=UNREACHABLE, cache=None)
    real = sweep.worker_environment()
    monkeypatch.setattr(
        sweep,
        "worker_environment",
        lambda: {**real, "OPENBLAS_CORETYPE": "Prescott"},
    )
    with pytest.warns(sweep.SweepWarning, match="OPENBLAS_CORETYPE=Presc"):
        sweep.run("bayes-gaussian", scheduler=address, cache=None)
    monkeypatch.setattr(sweep, "source_hash", lambda: "edited")
    with pytest.raises(ValueError, match="run a different pcbook"):
        sweep.run("bayes-gaussian", scheduler=address, cache=None)


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "pcbook", *args], capture_output=True, text=True
    )


def test_cli_sweep_on_a_scheduler_started_by_hand_prints_reproduce_metrics(
    cluster, tmp_path
):
    before = cluster.scheduler.transition_counter
    out = tmp_path / "runs.csv"
    result = _cli(
        "sweep",
        EXP,
        "--seeds",
        "2:4",
        "--set",
        "trials=60,120",
        "--scheduler",
        cluster.scheduler_address,
        "--out",
        str(out),
        "--cache",
        str(tmp_path / "cache"),
        "--json",
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "warning" not in result.stderr  # the workers are pinned
    report = json.loads(result.stdout)
    assert (report["runs"], report["ok"], report["cached"]) == (4, 4, 0)
    assert cluster.scheduler.transition_counter > before  # it ran there
    table = pd.read_csv(out)
    assert table["sigma_final"].tolist() == [
        r["sigma_final"] for r in report["rows"]
    ]
    one = json.loads(
        _cli(
            "reproduce", EXP, "--seed", "3", "--set", "trials=120", "--json"
        ).stdout
    )
    row = next(
        r for r in report["rows"] if r["seed"] == 3 and r["trials"] == 120
    )
    assert {k: row[k] for k in one["metrics"]} == one["metrics"]


def test_cli_error_is_valid_json_without_a_traceback():
    for args in (["--seeds", "5:2"], ["--workers"]):
        result = _cli("sweep", "bayes-gaussian", *args, "--json")
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert "error" in json.loads(result.stdout)


@pytest.mark.slow
def test_default_sweep_starts_and_stops_its_own_local_cluster():
    me = psutil.Process()
    children = {p.pid for p in me.children(recursive=True)}
    table = sweep.run("bayes-gaussian", seeds="0:2", workers=1, cache=None)
    assert (table["status"] == "ok").all()
    left = {p.pid for p in me.children(recursive=True)} - children
    assert not [
        p
        for p in left
        if psutil.pid_exists(p)
        and psutil.Process(p).status() != psutil.STATUS_ZOMBIE
    ]


def test_flags_tables_and_defaults_are_checked_before_any_run():
    """serial=None used to start a cluster (it read as False); it is a TypeError now."""
    with pytest.raises(TypeError, match="^serial: expected True or False"):
        sweep.run("bogacz-ex1", serial=None, cache=None)
    with pytest.raises(TypeError, match="^--force: expected True or False"):
        sweep.run("bogacz-ex1", serial=True, force="yes", cli=True)
    with pytest.raises(TypeError, match="^table: expected a sweep table"):
        sweep.summary("abc")
    with pytest.raises(TypeError, match="^exp: expected Experiment"):
        sweep.parse_grid("bogacz-ex1")
    assert sweep.parse_seeds(default=7) == [7]
    assert sweep.parse_grid(reproduce.get(EXP)) == [reproduce.get(EXP).params]
