"""A registry of each chapter's headline experiments, run by ``python -m pcbook reproduce NAME``.

A chapter module registers an experiment with the :func:`experiment` decorator::

    @experiment("bayes-gaussian", params={"mu_p": 0.0, "sigma_p": 1.0}, description="...")
    def _bayes_gaussian(seed, mu_p, sigma_p):
        ...
        return {"posterior_mean": m}, {"posterior_mean": closed_form_m}

The function receives ``seed`` and every parameter by keyword and returns two dicts:
the measured ``metrics`` and the ``reference`` values they are read against (analytic,
published, or from a slow reference implementation). A parameter's type is the type of
its default: int, float, bool (given as on/off, true/false, 1/0) or str.
"""
from __future__ import annotations

import importlib
import pkgutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["experiment", "Experiment", "registry", "get", "run", "parse_params", "format_table"]

_REGISTRY: dict[str, "Experiment"] = {}


@dataclass(frozen=True)
class Experiment:
    """One registered experiment: its name, default parameters and the function that runs it."""

    name: str
    func: Callable
    params: dict = field(default_factory=dict)
    description: str = ""
    default_seed: int = 0


def experiment(name: str, params: dict | None = None, description: str = "", seed: int = 0):
    """Decorator that registers ``func`` as experiment ``name`` (see the module docstring)."""

    def register(func: Callable) -> Callable:
        if name in _REGISTRY and _REGISTRY[name].func.__qualname__ != func.__qualname__:
            raise ValueError(f"experiment {name!r} is registered twice")
        _REGISTRY[name] = Experiment(name, func, dict(params or {}), description, seed)
        return func

    return register


def _load_all() -> None:
    """Import every pcbook module so that their ``@experiment`` decorators run."""
    import pcbook

    for info in pkgutil.walk_packages(pcbook.__path__, prefix="pcbook."):
        skip = ("pcbook.plots", "pcbook.check", "pcbook.widgets", "pcbook.classroom")
        if info.name.split(".")[-1].startswith("_") or info.name.startswith(skip):
            continue
        importlib.import_module(info.name)


def registry() -> dict[str, Experiment]:
    """All registered experiments, by name."""
    _load_all()
    return dict(sorted(_REGISTRY.items()))


def get(name: str) -> Experiment:
    """The experiment called ``name``; an unknown name raises a ValueError listing the valid ones."""
    known = registry()
    if name not in known:
        raise ValueError(f"unknown experiment {name!r}; valid experiments: {', '.join(known)}")
    return known[name]


def _convert(key: str, text: str, default):
    if isinstance(default, bool):
        lowered = str(text).lower()
        if lowered in ("on", "true", "1", "yes"):
            return True
        if lowered in ("off", "false", "0", "no"):
            return False
        raise ValueError(f"parameter {key}: expected on/off, got {text!r}")
    try:
        return type(default)(text)
    except (TypeError, ValueError):
        raise ValueError(
            f"parameter {key}: expected {type(default).__name__}, got {text!r}"
        ) from None


def parse_params(exp: Experiment, overrides: dict | list[str] | None) -> dict:
    """Defaults of ``exp`` updated by ``overrides`` (a dict, or ``["key=value", ...]`` strings)."""
    params = dict(exp.params)
    if overrides is None:
        return params
    if not isinstance(overrides, dict):
        pairs = {}
        for item in overrides:
            if "=" not in item:
                raise ValueError(f"--set expects key=value, got {item!r}")
            key, value = item.split("=", 1)
            pairs[key.strip()] = value.strip()
        overrides = pairs
    for key, value in overrides.items():
        if key not in params:
            valid = ", ".join(params) or "(none)"
            raise ValueError(
                f"unknown parameter {key!r} for experiment {exp.name!r}; valid parameters: {valid}"
            )
        params[key] = _convert(key, value, params[key]) if isinstance(value, str) else value
    return params


def _plain(value):
    """numpy scalars and arrays as plain Python values, so that reports are JSON."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def run(name: str, seed: int | None = None, overrides: dict | list[str] | None = None) -> dict:
    """Run experiment ``name`` and return the report dictionary printed by ``--json``."""
    exp = get(name)
    params = parse_params(exp, overrides)
    seed = exp.default_seed if seed is None else int(seed)
    start = time.perf_counter()
    metrics, reference = exp.func(seed=seed, **params)
    seconds = time.perf_counter() - start
    return {
        "experiment": name,
        "seed": seed,
        "params": _plain(params),
        "metrics": _plain(dict(metrics)),
        "reference": _plain(dict(reference)),
        "seconds": round(seconds, 3),
    }


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return "-" if value is None else str(value)


def format_table(report: dict) -> str:
    """A readable table of measured vs reference values for one report."""
    lines = [
        f"experiment {report['experiment']}  (seed {report['seed']}, {report['seconds']:.2f} s)",
        "params: " + ", ".join(f"{k}={_fmt(v)}" for k, v in report["params"].items()),
        "",
    ]
    rows = [("metric", "measured", "reference")]
    rows += [(k, _fmt(v), _fmt(report["reference"].get(k))) for k, v in report["metrics"].items()]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for i, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
