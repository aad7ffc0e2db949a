"""The benchmark table (bench/run.py) says when a goal or a budget is missed, in digits that
cannot round a miss into a hit."""

from __future__ import annotations

from bench import run


def _case(name, median, ratio=None, goal=None, budget=None):
    case = {
        "name": name,
        "median_s": median,
        "peak_mb": 1.0,
        "budget_s": budget,
        "goal_ratio": goal,
    }
    if ratio is not None:
        case.update(
            reference_s=median * ratio, reference_scale=1.0, ratio=ratio
        )
    return case


def _table(cases=(), notebooks=None):
    return run.markdown(
        {
            "date": "2026-12-02",
            "machine": "test",
            "python": "3.11",
            "cases": list(cases),
            "scaling": [],
            "notebooks": notebooks,
        }
    )


def _row(table: str, name: str) -> str:
    return next(
        line for line in table.splitlines() if line.startswith(f"| {name} |")
    )


def test_a_ratio_just_below_its_goal_is_not_printed_as_the_goal():
    table = _table([_case("short", 1.0, ratio=1.76, goal=1.8)])
    assert "1.76x" in _row(table, "short")
    assert _row(table, "short").endswith(">= 1.8x, **not met** |")


def test_a_ratio_at_or_above_its_goal_is_met():
    table = _table([_case("fine", 1.0, ratio=1.86, goal=1.8)])
    assert _row(table, "fine").endswith(">= 1.8x, met |")


def test_a_time_over_its_budget_is_marked():
    table = _table(
        [_case("slow", 2.5, budget=2.0), _case("quick", 1.5, budget=2.0)]
    )
    assert "2 s, **over**" in _row(table, "slow")
    assert "over" not in _row(table, "quick")


def test_a_notebook_over_its_budget_is_marked():
    long = run.NOTEBOOK_BUDGET + 0.1
    table = _table(
        notebooks={
            "per_notebook_s": {"a.ipynb": long, "b.ipynb": 1.0},
            "total_s": long + 1.0,
        }
    )
    assert _row(table, "a.ipynb").endswith("| **no** |")
    assert _row(table, "b.ipynb").endswith("| yes |")
    assert _row(table, "**whole book**").endswith("| yes |")
