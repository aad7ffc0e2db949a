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

``limits={"epochs": 100_000}`` caps a parameter at the book's scale (the largest value its own
runs come near, times a generous margin): a larger value is refused with the limit in the
message unless the caller passes ``force=True`` (``--force``), so a typo such as
``epochs=1000000000`` fails at once instead of running for days or exhausting memory.

A metric that comes out NaN or infinite is reported as ``null`` and named in the report's
``diverged`` list, so the report stays valid JSON (RFC 8259 has no NaN) and says what happened.
"""

from __future__ import annotations

import contextlib
import importlib
import math
import numbers
import pkgutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pcbook.validate import (
    beyond_scale,
    check_bool,
    check_instance,
    check_int,
    check_scale,
)

__all__ = [
    "experiment",
    "Experiment",
    "registry",
    "get",
    "run",
    "parse_params",
    "format_table",
]

_REGISTRY: dict[str, "Experiment"] = {}


@dataclass(frozen=True)
class Experiment:
    """One registered experiment: its name, default parameters and the function that runs it."""

    name: str
    func: Callable
    params: dict = field(default_factory=dict)
    description: str = ""
    default_seed: int = 0
    limits: dict = field(default_factory=dict)


def experiment(
    name: str,
    params: dict | None = None,
    description: str = "",
    seed: int = 0,
    limits: dict | None = None,
):
    """Decorator that registers ``func`` as experiment ``name`` (see the module docstring)."""
    check_instance("name", name, str)
    check_instance("params", params, (dict, type(None)), "a dict or None")
    check_instance("description", description, str)
    check_int("seed", seed, 0, 2**63 - 1)
    check_instance("limits", limits, (dict, type(None)), "a dict or None")

    def register(func: Callable) -> Callable:
        if (
            name in _REGISTRY
            and _REGISTRY[name].func.__qualname__ != func.__qualname__
        ):
            raise ValueError(f"experiment {name!r} is registered twice")
        unknown = set(limits or {}) - set(params or {})
        if unknown:
            raise ValueError(
                f"experiment {name!r}: limits for unknown parameters {sorted(unknown)}"
            )
        _REGISTRY[name] = Experiment(
            name,
            func,
            dict(params or {}),
            description,
            seed,
            dict(limits or {}),
        )
        return func

    return register


#: packages with no experiments, never imported to find them (classroom pulls in nbformat)
_NO_EXPERIMENTS = ("plots", "check", "widgets", "classroom")


def _import_experiments(path, prefix: str) -> None:
    """Import the modules under ``path`` that may register experiments, recursing into
    packages; the ones in ``_NO_EXPERIMENTS`` and private ones are not imported at all."""
    for info in pkgutil.iter_modules(path):
        if info.name.startswith("_") or info.name in _NO_EXPERIMENTS:
            continue
        module = importlib.import_module(prefix + info.name)
        if info.ispkg:
            _import_experiments(module.__path__, f"{module.__name__}.")


def _load_all() -> None:
    """Import every pcbook module so that their ``@experiment`` decorators run."""
    import pcbook

    _import_experiments(pcbook.__path__, "pcbook.")


def registry() -> dict[str, Experiment]:
    """All registered experiments, by name."""
    _load_all()
    return dict(sorted(_REGISTRY.items()))


def get(name: str) -> Experiment:
    """The experiment called ``name``; an unknown name raises a ValueError listing the valid ones."""
    known = registry()
    if not isinstance(name, str) or name not in known:
        raise ValueError(
            f"name: unknown experiment {name!r}; valid experiments: {', '.join(known)}"
        )
    return known[name]


def _convert(label: str, text: str, default):
    if isinstance(default, bool):
        lowered = str(text).lower()
        if lowered in ("on", "true", "1", "yes"):
            return True
        if lowered in ("off", "false", "0", "no"):
            return False
        raise ValueError(f"{label}: expected on/off, got {text!r}")
    try:
        value = type(default)(text)
    except (TypeError, ValueError):
        raise ValueError(
            f"{label}: expected {type(default).__name__}, got {text!r}"
        ) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{label}: expected a finite number, got {text!r}")
    return value


def _check_type(label: str, value, default):
    """A value given from Python must have its default's type (an int may stand for a float)."""
    if isinstance(default, bool) or isinstance(value, bool):
        ok = isinstance(value, bool) and isinstance(default, bool)
    elif isinstance(default, numbers.Integral):
        ok = isinstance(value, numbers.Integral)
    elif isinstance(default, numbers.Real):
        ok = isinstance(value, numbers.Real) and math.isfinite(value)
    else:
        ok = isinstance(value, type(default))
    if not ok:
        raise TypeError(
            f"{label}: expected {type(default).__name__} (finite), got {value!r}"
        )
    return value


def parse_params(
    exp: Experiment,
    overrides: dict | list[str] | None,
    *,
    force: bool = False,
    cli: bool = False,
) -> dict:
    """Defaults of ``exp`` updated by ``overrides`` (a dict, or ``["key=value", ...]`` strings).

    Values above the experiment's ``limits`` are refused unless ``force``. Messages name a
    parameter as the caller wrote it: ``--set epochs`` when ``cli``, ``parameter epochs`` otherwise.
    """
    check_instance("exp", exp, Experiment)
    force, cli = check_bool("force", force), check_bool("cli", cli)
    params = dict(exp.params)
    if overrides is None:
        return params
    check_instance(
        "overrides",
        overrides,
        (dict, list, tuple, str),
        "a dict or key=value strings",
    )
    if not isinstance(overrides, dict):
        if isinstance(overrides, str):
            overrides = [overrides]
        pairs = {}
        for item in overrides:
            if not isinstance(item, str) or "=" not in item:
                raise ValueError(
                    f"{'--set' if cli else 'overrides'}: expected key=value, got {item!r}"
                )
            key, value = item.split("=", 1)
            pairs[key.strip()] = value.strip()
        overrides = pairs
    for key, value in overrides.items():
        label = f"--set {key}" if cli else f"parameter {key}"
        if key not in params:
            valid = ", ".join(params) or "(none)"
            raise ValueError(
                f"{label}: unknown parameter {key!r} for experiment {exp.name!r}; valid parameters: {valid}"
            )
        if isinstance(value, str) and not isinstance(params[key], str):
            params[key] = _convert(label, value, params[key])
        else:
            params[key] = _check_type(label, value, params[key])
        if key in exp.limits:
            check_scale(label, params[key], exp.limits[key], force=force)
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


def _finite_or_none(value):
    """``value`` with every NaN or infinite float replaced by ``None`` (JSON has no NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite_or_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite_or_none(v) for v in value]
    return value


def _has_non_finite(value) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        value = list(value.values())
    return isinstance(value, list) and any(_has_non_finite(v) for v in value)


def _in_callers_names(
    message: str, exp: Experiment, params: dict, cli: bool
) -> str:
    """An error from inside an experiment, told with the caller's names.

    ``"epochs: ..."`` becomes ``"--set epochs: ..."`` (``"parameter epochs: ..."`` from
    Python); an error about an internal name (``"v: ..."``) is prefixed with the parameters
    the run was given, so the caller sees which of their settings it concerns.
    """
    label = "--set {}" if cli else "parameter {}"
    head, sep, rest = message.partition(":")
    if sep and head in exp.params:
        return f"{label.format(head)}:{rest}"
    changed = [k for k in exp.params if params[k] != exp.params[k]]
    if not changed:
        return message
    settings = ", ".join(f"{label.format(k)}={params[k]!r}" for k in changed)
    return f"with {settings}: {message}"


def run(
    name: str,
    seed: int | None = None,
    overrides: dict | list[str] | None = None,
    *,
    force: bool = False,
    cli: bool = False,
) -> dict:
    """Run experiment ``name`` and return the report dictionary printed by ``--json``.

    The report holds ``experiment, seed, params, metrics, reference, seconds`` and ``diverged``:
    the names of the metrics that came out NaN or infinite (reported as ``None``).
    """
    exp = get(name)
    force, cli = check_bool("force", force), check_bool("cli", cli)
    params = parse_params(exp, overrides, force=force, cli=cli)
    seed = (
        exp.default_seed
        if seed is None
        else check_int("--seed" if cli else "seed", seed, 0, 2**63 - 1)
    )
    start = time.perf_counter()
    try:
        with beyond_scale() if force else contextlib.nullcontext():
            metrics, reference = exp.func(seed=seed, **params)
    except (ValueError, TypeError) as err:
        raise type(err)(
            _in_callers_names(str(err), exp, params, cli)
        ) from None
    seconds = time.perf_counter() - start
    metrics = _plain(dict(metrics))
    return {
        "experiment": name,
        "seed": seed,
        "params": _plain(params),
        "metrics": _finite_or_none(metrics),
        "reference": _finite_or_none(_plain(dict(reference))),
        "seconds": round(seconds, 3),
        "diverged": [k for k, v in metrics.items() if _has_non_finite(v)],
    }


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return "-" if value is None else str(value)


def format_table(report: dict) -> str:
    """A readable table of measured vs reference values for one report."""
    check_instance("report", report, dict, "a report dict from run()")
    lines = [
        f"experiment {report['experiment']}  (seed {report['seed']}, {report['seconds']:.2f} s)",
        "params: "
        + ", ".join(f"{k}={_fmt(v)}" for k, v in report["params"].items()),
        "",
    ]
    rows = [("metric", "measured", "reference")]
    rows += [
        (k, _fmt(v), _fmt(report["reference"].get(k)))
        for k, v in report["metrics"].items()
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for i, row in enumerate(rows):
        lines.append(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
        )
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
