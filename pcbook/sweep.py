"""Sweeps: any ``reproduce`` experiment over seeds x a parameter grid, on Dask.

``python -m pcbook sweep NAME --seeds 0:100 --set key=v1,v2 ...`` and
:func:`run` run every registered experiment (:mod:`pcbook.reproduce`) with
no change to its code: this module knows nothing about any chapter. Each run
is ``reproduce.run(name, seed=S, overrides=params)``, so its metrics are the
ones ``python -m pcbook reproduce NAME --seed S --set ...`` prints.

Where the runs execute:

* by default on a :func:`local_cluster` of worker processes on this machine
  (one thread each, everything bound to 127.0.0.1);
* on an existing Dask cluster given by its scheduler address
  (``scheduler="tcp://host:8786"``, ``--scheduler``);
* in this process, one after the other, with ``serial=True`` (``--serial``).

Workers get the Makefile's environment before they import numpy
(:func:`worker_environment`): one BLAS thread, ``PCBOOK_QUIET=1`` and the
OpenBLAS kernel pin of ``tools/blas_kernel.sh``, so that a run prints the
same digits as ``make`` does.

Finished runs are cached on disk, one small JSON file per run, written
atomically, keyed by experiment, parameters, seed, pcbook's version, a hash
of pcbook's source files, numpy's version and the BLAS kernel pin: an
interrupted sweep resumes where it stopped and a repeated one runs nothing.
The source hash is there because the version string does not change while
the code does: a fix in a shared module must not leave stale results behind.
It leaves out the parts no experiment runs (figures, answer checks,
widgets, the classroom kit, the command line: :data:`NOT_RUN`), so that
editing those does not throw finished runs away.

A run that raises, or whose metrics come out NaN or infinite, is a row with
``status`` ``failed`` or ``diverged`` and its ``message``; the sweep goes on.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import logging
import math
import os
import subprocess
import tempfile
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np

import pcbook
from pcbook import progress, reproduce
from pcbook.validate import check_bool, check_instance, check_int, check_scale

__all__ = [
    "run",
    "summary",
    "records",
    "parse_seeds",
    "parse_grid",
    "local_cluster",
    "worker_environment",
    "source_hash",
    "SweepWarning",
    "DEFAULT_CACHE",
    "MAX_RUNS",
    "NOT_RUN",
]

DEFAULT_CACHE = Path("build") / "sweep-cache"  # relative to the working dir
MAX_RUNS = 100_000  # seeds x grid points; more needs force=True (--force)
CONNECT_TIMEOUT = 10.0  # seconds to reach a scheduler given by address
_BASE_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "PCBOOK_QUIET": "1",
}  # as the Makefile's QUIET
_ENV_KEYS = (*_BASE_ENV, "OPENBLAS_CORETYPE")
_COLUMNS = ("seed", "seconds", "status", "message", "cached")


class SweepWarning(UserWarning):
    """A sweep can run, but its workers may not print the book's digits."""


def _label(cli: bool, option: str, python: str) -> str:
    return option if cli else python


# --- what to run --------------------------------------------------------


def _seed_items(text: str, label: str) -> list[range]:
    """``START:STOP`` (STOP excluded) and single integers, comma-separated."""
    usage = (
        f"{label}: expected START:STOP (STOP excluded) or integers "
        f">= 0 separated by commas, got {text!r}"
    )
    items = []
    for part in text.split(","):
        bounds = part.strip().split(":")
        try:
            if len(bounds) > 2 or any(b.strip() == "" for b in bounds):
                raise ValueError
            numbers = [int(b) for b in bounds]
        except ValueError:
            raise ValueError(usage) from None
        if min(numbers) < 0:
            raise ValueError(usage)
        if len(numbers) == 1:
            numbers.append(numbers[0] + 1)
        elif numbers[1] <= numbers[0]:
            raise ValueError(
                f"{label}: the range {part.strip()!r} is empty "
                "(STOP must be greater than START)"
            )
        items.append(range(*numbers))
    return items


def parse_seeds(
    seeds=None, default: int = 0, *, cli: bool = False, force: bool = False
) -> list[int]:
    """The seeds of a sweep, in order.

    Parameters
    ----------
    seeds : str, sequence of int, range or None
        ``"0:100"`` (seeds 0..99: STOP is excluded, as in ``range``),
        ``"3"``, ``"0:10,20,30"``; or integers ``>= 0`` (``range(100)``,
        ``[1, 5]``); None for the experiment's own seed ``default``.
        A bare integer is refused (``[n]`` or ``range(n)`` say which).
    default : int
        The seed used when ``seeds`` is None.
    cli : bool
        Name the argument ``--seeds`` (command line) instead of ``seeds``.
    force : bool
        Allow more than :data:`MAX_RUNS` seeds.

    Returns
    -------
    list of int
        Distinct seeds; a seed given twice is an error.
    """
    cli = check_bool("cli", cli)
    force = check_bool(_label(cli, "--force", "force"), force)
    default = check_int("default", default, 0, 2**63 - 1)
    label = _label(cli, "--seeds", "seeds")
    if seeds is None:
        return [default]
    if isinstance(seeds, str):
        items = _seed_items(seeds, label)
    elif isinstance(seeds, range):
        items = [seeds]
    else:
        check_instance(
            label,
            seeds,
            (list, tuple, np.ndarray),
            "'START:STOP', a range or a list of integers",
        )
        items = [
            [
                check_int(f"{label}[{i}]", s, 0, 2**63 - 1)
                for i, s in enumerate(list(seeds))
            ]
        ]
    check_scale(
        label,
        sum(len(item) for item in items),
        MAX_RUNS,
        force=force,
        unit=" seeds",
    )
    out = [int(s) for item in items for s in item]
    if not out:
        raise ValueError(f"{label}: no seeds")
    seen = set()
    for s in out:
        if s in seen:
            raise ValueError(f"{label}: seed {s} is given twice")
        seen.add(s)
    return out


def _cli_grid(items: list[str], exp: reproduce.Experiment) -> dict:
    """``["u=1,2", "v=3"]`` as ``{"u": ["1", "2"], "v": ["3"]}``.

    Commas separate values, except for a parameter whose default itself
    contains a comma (a list written as text): each ``--set`` gives one value
    there. Repeating ``--set KEY=...`` adds values.
    """
    grid: dict[str, list[str]] = {}
    for item in items:
        if not isinstance(item, str) or "=" not in item:
            raise ValueError(f"--set expects key=v1,v2,..., got {item!r}")
        key, text = (s.strip() for s in item.split("=", 1))
        default = exp.params.get(key)
        whole = isinstance(default, str) and "," in default
        values = [text] if whole else [v.strip() for v in text.split(",")]
        if text == "" or any(v == "" for v in values):
            raise ValueError(
                f"--set {key}: expected one or more values "
                f"separated by commas, got {text!r}"
            )
        grid.setdefault(key, []).extend(values)
    return grid


def parse_grid(
    exp: reproduce.Experiment,
    grid=None,
    *,
    cli: bool = False,
    force: bool = False,
) -> list[dict]:
    """Every point of the parameter grid, as complete parameter dicts.

    Parameters
    ----------
    exp : reproduce.Experiment
        The experiment whose parameters are swept.
    grid : dict, list of str or None
        ``{"u": [1.0, 2.0], "sigma_p": 0.5}`` (a list, tuple, range or
        array of values per parameter; a single value is one value), or the
        command line's ``["u=1.0,2.0", "sigma_p=0.5"]``. None or ``{}``:
        the defaults only.
    cli : bool
        Name parameters ``--set key`` (command line) in messages.
    force : bool
        Allow values above the experiment's ``limits``.

    Returns
    -------
    list of dict
        The product of the values, first key slowest, each point completed
        with the experiment's defaults and checked by
        :func:`pcbook.reproduce.parse_params` (types, limits).
    """
    check_instance("exp", exp, reproduce.Experiment)
    cli = check_bool("cli", cli)
    force = check_bool(_label(cli, "--force", "force"), force)
    label = _label(cli, "--set", "grid")
    if grid is None:
        grid = {}
    if isinstance(grid, (list, tuple)):
        grid = _cli_grid(list(grid), exp)
    check_instance(label, grid, dict, "a dict of parameter values")
    axes = {}
    for key, values in grid.items():
        name = f"{label} {key}" if cli else f"grid[{key!r}]"
        if isinstance(values, np.ndarray):
            values = values.tolist()
        values = (
            list(values)
            if isinstance(values, (list, tuple, range))
            else [values]
        )
        if not values:
            raise ValueError(f"{name}: no values")
        checked = []
        for value in values:
            point = reproduce.parse_params(
                exp, {key: value}, force=force, cli=cli
            )
            if point[key] in checked:
                raise ValueError(f"{name}: value {value!r} is given twice")
            checked.append(point[key])
        axes[key] = checked
    check_scale(
        label,
        math.prod(len(v) for v in axes.values()),
        MAX_RUNS,
        force=force,
        unit=" grid points",
    )
    points = [
        dict(exp.params, **dict(zip(axes, combo)))
        for combo in itertools.product(*axes.values())
    ]
    return points


# --- where to run -------------------------------------------------------


def _blas_kernel() -> dict:
    """The Makefile's OpenBLAS pin: this process's, or tools/blas_kernel.sh's.

    An ``OPENBLAS_CORETYPE`` already set here (``make`` sets it) wins;
    otherwise the script of the source checkout decides; an installed
    package without the script pins nothing.
    """
    if "OPENBLAS_CORETYPE" in os.environ:
        return {"OPENBLAS_CORETYPE": os.environ["OPENBLAS_CORETYPE"]}
    return _script_kernel()


@functools.lru_cache(maxsize=1)
def _script_kernel() -> dict:
    """What tools/blas_kernel.sh prints (the processor does not change)."""
    script = Path(pcbook.__file__).resolve().parents[1] / "tools"
    script = script / "blas_kernel.sh"
    if not script.is_file():
        return {}
    out = subprocess.run(
        ["bash", str(script)], capture_output=True, text=True, check=False
    ).stdout.strip()
    key, sep, value = out.partition("=")
    return {key: value} if sep and key == "OPENBLAS_CORETYPE" else {}


def worker_environment() -> dict[str, str]:
    """Environment a sweep's worker needs before it imports numpy.

    One BLAS/OpenMP thread, quiet progress bars and the OpenBLAS kernel pin
    of the Makefile (``OPENBLAS_CORETYPE=Haswell`` on x86-64 with AVX2,
    nothing elsewhere), so that every run prints what ``make`` prints.
    """
    return {**_BASE_ENV, **_blas_kernel()}


def local_cluster(workers: int):
    """A ``distributed.LocalCluster`` of ``workers`` one-thread processes.

    Every address (scheduler, workers, nannies and the scheduler's small
    HTTP server, which has no dashboard) is on 127.0.0.1 with a free port.
    The :func:`worker_environment` is in each worker's environment from its
    start, before numpy is imported there, and for a worker the nanny
    restarts; this process's own environment is left as it was.
    """
    import dask
    from distributed import LocalCluster

    workers = check_int("workers", workers, 1)
    env = worker_environment()
    spawn_key = "distributed.nanny.pre-spawn-environ"
    spawn_env = {**dask.config.get(spawn_key, default={}), **env}
    saved = {k: os.environ.get(k) for k in spawn_env}
    try:
        with dask.config.set({spawn_key: spawn_env}):
            return LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                silence_logs=logging.ERROR,
                env=env,
            )
    finally:  # the nannies copy spawn_env into this process's environment
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# Parts of the package no experiment runs (the ones ``reproduce`` does not
# load: figures, answer checks, widgets, the classroom kit, the plot style,
# the command line): editing them leaves every cached result valid. A test
# checks that no other module imports them.
NOT_RUN = (
    "plots",
    "check",
    "classroom",
    "widgets.py",
    "pcbook.mplstyle",
    "__main__.py",
)


def source_hash() -> str:
    """SHA-256 of the files of the installed pcbook package that runs do run.

    Every file counts but caches and the parts in :data:`NOT_RUN`, which
    no experiment imports. Part of the cache key and compared with each
    worker's, so that results computed by other code are neither reused nor
    mixed in, while an edit to a figure or an answer check (frequent, on a
    tree shared by several authors) does not make a stopped sweep start
    again from nothing.
    """
    root = Path(pcbook.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if (
            not path.is_file()
            or parts[0] in NOT_RUN
            or "__pycache__" in parts
            or path.suffix == ".pyc"
        ):
            continue
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _worker_facts() -> dict:
    """What a worker runs: pcbook's source and its BLAS environment."""
    return {
        "source": source_hash(),
        "env": {k: os.environ.get(k) for k in _ENV_KEYS},
    }


def _check_workers(client, label: str, address: str) -> None:
    """Refuse workers with other pcbook code; warn about other BLAS setups."""
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
    except (TimeoutError, OSError):
        raise ValueError(
            f"{label}: the scheduler at {address!r} has no "
            "workers; start some with `dask worker "
            f"{address}`"
        ) from None
    facts = client.run(_worker_facts)
    mine = source_hash()
    other = sorted(w for w, f in facts.items() if f["source"] != mine)
    if other:
        raise ValueError(
            f"{label}: the workers {', '.join(other)} run a different pcbook "
            "(another version or edited source files); install this one "
            "there, or their results would be mixed with this one's"
        )
    wanted = worker_environment()
    expected = {k: wanted.get(k) for k in _ENV_KEYS}
    unpinned = sorted(w for w, f in facts.items() if f["env"] != expected)
    if unpinned:
        start = " ".join(f"{k}={v}" for k, v in wanted.items())
        warnings.warn(
            f"the workers {', '.join(unpinned)} were not started with the "
            "book's BLAS settings, so metrics may differ from `reproduce` "
            f"in the last digits; start them as `env {start} dask worker "
            f"{address}`",
            SweepWarning,
            stacklevel=3,
        )


@contextmanager
def _connect(workers: int | None, scheduler: str | None, todo: int, cli: bool):
    """A ``distributed.Client`` for the sweep, closed (with its cluster)."""
    from distributed import Client

    if scheduler is None:
        count = workers or min(os.cpu_count() or 1, todo)
        with (
            local_cluster(count) as cluster,
            Client(cluster, set_as_default=False) as client,
        ):
            yield client
        return
    label = _label(cli, "--scheduler", "scheduler")
    try:
        client = Client(
            scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False
        )
    except (OSError, TimeoutError, ValueError) as err:
        raise ValueError(
            f"{label}: cannot reach a Dask scheduler at {scheduler!r} ({err})"
        ) from None
    with client:
        _check_workers(client, label, scheduler)
        yield client


# --- one run ------------------------------------------------------------

_WORKER = {"ready": False}


def _prepare_worker() -> None:
    """Once per worker process: import every chapter, one BLAS thread.

    The thread limit also holds on a cluster whose workers were started
    without ``OPENBLAS_NUM_THREADS=1`` (the kernel pin cannot be set this
    late; :func:`_check_workers` warns about that).
    """
    if not _WORKER["ready"]:
        from threadpoolctl import threadpool_limits

        reproduce.registry()
        threadpool_limits(1)
        _WORKER["ready"] = True


def _execute(
    name: str, seed: int, params: dict, force: bool, worker: bool = True
) -> dict:
    """Run one experiment (in a worker) and describe the outcome."""
    if worker:
        _prepare_worker()
    start = time.perf_counter()
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            report = reproduce.run(
                name, seed=seed, overrides=params, force=force
            )
    except Exception as err:  # recorded in the table; the sweep goes on
        return {
            "status": "failed",
            "message": f"{type(err).__name__}: {err}",
            "metrics": {},
            "seconds": round(time.perf_counter() - start, 3),
            "keep": not isinstance(err, MemoryError),
        }
    diverged = report["diverged"]
    return {
        "status": "diverged" if diverged else "ok",
        "message": ("not finite: " + ", ".join(diverged) if diverged else ""),
        "metrics": report["metrics"],
        "seconds": report["seconds"],
        "keep": True,
    }


class _Cache:
    """One JSON file per finished run under ``root/<experiment>/``."""

    def __init__(self, root, name: str, label: str, blas: str):
        self.dir = Path(root) / name
        self.label = label
        self.code = {
            "pcbook": pcbook.__version__,
            "source": source_hash(),
            "numpy": np.__version__,
            "blas": blas,
        }

    def _key(self, seed: int, params: dict) -> tuple[dict, Path]:
        key = {
            "experiment": self.dir.name,
            "seed": seed,
            "params": params,
            **self.code,
        }
        text = json.dumps(key, sort_keys=True, allow_nan=False)
        digest = hashlib.sha256(text.encode()).hexdigest()[:32]
        return key, self.dir / f"{digest}.json"

    def get(self, seed: int, params: dict) -> dict | None:
        key, path = self._key(seed, params)
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        return record["result"] if record.get("key") == key else None

    def put(self, seed: int, params: dict, result: dict) -> None:
        key, path = self._key(seed, params)
        text = json.dumps({"key": key, "result": result}, allow_nan=False)
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "w") as handle:
                handle.write(text)
            os.replace(tmp, path)  # atomic: a reader sees all or nothing
        except OSError as err:
            raise ValueError(
                f"{self.label}: cannot write the cache in "
                f"{self.dir} ({err.strerror})"
            ) from None


# --- the table ----------------------------------------------------------


def _check_out(out, cli: bool) -> Path | None:
    """The output file, refused before any run if it cannot be written."""
    if out is None:
        return None
    label = _label(cli, "--out", "out")
    path = Path(check_instance(label, out, (str, os.PathLike), "a file name"))
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise ValueError(
            f"{label}: expected a .csv or .parquet file, got {str(out)!r}"
        )
    if suffix == ".parquet":
        import importlib.util

        if importlib.util.find_spec("pyarrow") is None:
            raise ValueError(
                f"{label}: writing Parquet needs pyarrow, which "
                "is not installed (pip install pyarrow); or "
                "write a .csv file"
            )
    return path


def _write(table, path: Path, cli: bool) -> None:
    label = _label(cli, "--out", "out")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            dir=path.parent, prefix=".", suffix=path.suffix
        )
        os.close(fd)
        if path.suffix.lower() == ".parquet":
            table.to_parquet(tmp, index=False)
        else:
            table.to_csv(tmp, index=False)
        os.replace(tmp, path)
    except OSError as err:
        raise ValueError(
            f"{label}: cannot write {str(path)!r} ({err.strerror})"
        ) from None


def _table(exp: reproduce.Experiment, runs: list, results: list):
    """One row per run: parameters, seed, metrics, seconds, status, ..."""
    import pandas as pd

    taken = set(exp.params) | set(_COLUMNS)
    rows = []
    for (params, seed), result in zip(runs, results):
        row = dict(params, seed=seed)
        for key, value in result["metrics"].items():
            row[f"metric_{key}" if key in taken else key] = value
        row.update(
            seconds=result["seconds"],
            status=result["status"],
            message=result["message"],
            cached=result["cached"],
        )
        rows.append(row)
    table = pd.DataFrame(rows)
    last = [c for c in _COLUMNS[1:] if c in table]
    table = table[[c for c in table if c not in last] + last]
    table.attrs["experiment"] = exp.name
    return table


# --- the sweep ----------------------------------------------------------


def _check_where(workers, scheduler, serial: bool, cli: bool):
    names = {
        "workers": workers is not None,
        "scheduler": scheduler is not None,
        "serial": bool(serial),
    }
    given = [_label(cli, f"--{k}", k) for k, v in names.items() if v]
    if len(given) > 1:
        raise ValueError(
            f"{' and '.join(given)}: give one of them, not several"
        )
    if workers is not None:
        workers = check_int(_label(cli, "--workers", "workers"), workers, 1)
    if scheduler is not None:
        label = _label(cli, "--scheduler", "scheduler")
        check_instance(label, scheduler, str, "a scheduler address")
        if not scheduler.strip():
            raise ValueError(
                f"{label}: expected an address such as "
                "tcp://127.0.0.1:8786, got ''"
            )
    return workers, scheduler


def run(
    name: str,
    seeds=None,
    grid=None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    serial: bool = False,
    cache=DEFAULT_CACHE,
    out=None,
    force: bool = False,
    cli: bool = False,
):
    """Run experiment ``name`` for every seed and grid point; one row each.

    Parameters
    ----------
    name : str
        A registered experiment (``python -m pcbook reproduce list``).
    seeds : str, sequence of int, range or None
        See :func:`parse_seeds` (``"0:100"`` is seeds 0..99); None: the
        experiment's own seed.
    grid : dict or None
        Values per parameter, see :func:`parse_grid`; the rest keep their
        defaults.
    workers : int, optional
        Size of the local cluster (default: the number of cores, at most
        the number of runs to do).
    scheduler : str, optional
        Address of a running Dask scheduler (``"tcp://127.0.0.1:8786"``)
        to run on instead of a local cluster. Its workers must have this
        pcbook installed; see :func:`worker_environment` for how to start
        them.
    serial : bool
        Run in this process, one run after the other (no Dask).
    cache : str, Path or None
        Directory of the run cache (default ``build/sweep-cache`` under
        the working directory); None runs everything and stores nothing.
    out : str or Path, optional
        Also write the table to this ``.csv`` (or ``.parquet``, which needs
        pyarrow) file.
    force : bool
        Allow parameter values above the experiment's limits and more than
        :data:`MAX_RUNS` runs.
    cli : bool
        Name arguments as the command line spells them (``--seeds``).

    Returns
    -------
    pandas.DataFrame
        One row per run, grid point by grid point and seed by seed: every
        parameter, ``seed``, every metric (NaN where it diverged or the run
        failed), ``seconds`` (the experiment's own time), ``status`` (ok,
        diverged, failed), ``message`` and ``cached``.
    """
    check_instance("name", name, str)
    cli = check_bool("cli", cli)
    serial = check_bool(_label(cli, "--serial", "serial"), serial)
    force = check_bool(_label(cli, "--force", "force"), force)
    workers, scheduler = _check_where(workers, scheduler, serial, cli)
    seed_list = (
        None if seeds is None else parse_seeds(seeds, cli=cli, force=force)
    )
    out = _check_out(out, cli)
    exp = reproduce.get(name)  # imports every chapter: after quick checks
    if seed_list is None:
        seed_list = [exp.default_seed]
    points = parse_grid(exp, grid, cli=cli, force=force)
    check_scale(
        _label(cli, "--seeds x --set", "seeds x grid"),
        len(seed_list) * len(points),
        MAX_RUNS,
        force=force,
        unit=" runs",
    )
    store = None
    if cache is not None:
        label = _label(cli, "--cache", "cache")
        check_instance(label, cache, (str, os.PathLike), "a directory")
        # the kernel the runs use: this process's for serial runs
        env = os.environ if serial else worker_environment()
        store = _Cache(cache, name, label, env.get("OPENBLAS_CORETYPE", ""))
    runs = [(params, seed) for params in points for seed in seed_list]
    results: list = [None] * len(runs)
    todo = []
    for i, (params, seed) in enumerate(runs):
        found = store.get(seed, params) if store else None
        if found is None:
            todo.append(i)
        else:
            results[i] = dict(found, cached=True)

    def finish(i: int, result: dict) -> None:
        keep = result.pop("keep", False)
        if store is not None and keep:
            store.put(runs[i][1], runs[i][0], result)
        results[i] = dict(result, cached=False)

    desc = f"sweep {name}"
    if todo and serial:
        for i in progress.progress(todo, desc=desc, total=len(todo)):
            finish(
                i, _execute(name, runs[i][1], runs[i][0], force, worker=False)
            )
    elif todo:
        from distributed import as_completed

        with _connect(workers, scheduler, len(todo), cli) as client:
            submitted = client.map(  # one message for all the runs
                _execute,
                [name] * len(todo),
                [runs[i][1] for i in todo],
                [runs[i][0] for i in todo],
                [force] * len(todo),
                pure=False,
            )
            futures = dict(zip(submitted, todo))
            done = as_completed(
                futures,
                loop=client.loop,
                with_results=True,
                raise_errors=False,
            )
            for future, value in progress.progress(
                done, desc=desc, total=len(todo)
            ):
                if future.status != "finished":  # a worker died or was lost
                    err = value[1] if isinstance(value, tuple) else value
                    value = {
                        "status": "failed",
                        "metrics": {},
                        "message": f"{type(err).__name__}: {err}",
                        "seconds": math.nan,
                        "keep": False,
                    }
                finish(futures.pop(future), value)
    table = _table(exp, runs, results)
    if out is not None:
        _write(table, out, cli)
    return table


def _check_table(table):
    """``table`` if it is a sweep table (a DataFrame with ``status`` and ``cached`` columns)."""
    import pandas as pd

    check_instance("table", table, pd.DataFrame, "a sweep table from run()")
    missing = [c for c in ("status", "cached") if c not in table]
    if missing:
        raise ValueError(
            f"table: expected a sweep table from run(), missing the "
            f"columns {', '.join(missing)}"
        )
    return table


def summary(table) -> dict:
    """Counts of a sweep table: runs, ok, diverged, failed, cached."""
    status = _check_table(table)["status"].value_counts()
    return {
        "runs": len(table),
        "ok": int(status.get("ok", 0)),
        "diverged": int(status.get("diverged", 0)),
        "failed": int(status.get("failed", 0)),
        "cached": int(table["cached"].sum()),
    }


def records(table) -> list[dict]:
    """The rows as plain dicts for JSON: NaN and infinities become None."""
    rows = _check_table(table).to_dict("records")
    return [
        {
            k: (
                None
                if isinstance(v, float) and not math.isfinite(v)
                else v.item()
                if isinstance(v, np.generic)
                else v
            )
            for k, v in row.items()
        }
        for row in rows
    ]
