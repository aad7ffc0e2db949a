"""What a benchmark file declares. ``bench/run.py`` collects every ``bench/bench_*.py``.

A topic's file defines ``CASES``, a list of :class:`Case`, and optionally ``SCALING``, a list of
:class:`Scaling`. A case times ``fast`` (the book's implementation) and, side by side in the same
run, ``reference`` (a plain implementation kept in ``bench/``, for example a loop per unit or a
matplotlib figure per rollout) and reports the ratio.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    """One heavy experiment: ``fast()`` runs the book's version, ``reference()`` the plain one.

    ``reference_scale`` says how much of the work ``reference`` does, when running the whole
    experiment the plain way would take too long (for example 0.01 if it runs 1 % of the epochs);
    its time is divided by this to estimate the full run, and the report says so.
    ``budget_seconds`` is the target the table is read against (None: no target).
    ``goal_ratio`` is the speed-up over the reference the issue asks for (None: no goal).
    """

    name: str
    fast: Callable[[], object]
    reference: Callable[[], object] | None = None
    reference_scale: float = 1.0
    repeats: int = 3
    budget_seconds: float | None = None
    goal_ratio: float | None = None
    notes: str = ""


@dataclass(frozen=True)
class Scaling:
    """Time per step of ``make_step(n)()`` for each size ``n`` in ``sizes``."""

    name: str
    make_step: Callable[[int], Callable[[], object]]
    sizes: tuple = (64, 128, 256, 512, 1024)
    steps: int = 20
    notes: str = field(default="")
