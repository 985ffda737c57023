"""The inputs the planning analyses take, defined once for the CLI and the API alike.

A budget's unit, a solver method, the exact solver's time limit and a what-if's level
changes each have one type and one rule here; the shells only read their own syntax
(``--level C1:A1=3`` or a JSON object) into these.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import NamedTuple

from chanjiao.errors import InvalidInput
from chanjiao.graph.schema import parse_level


class BudgetKind(StrEnum):
    """What a budget (or a semester's load) counts: courses, hours or credits."""

    COURSES = "courses"
    HOURS = "hours"
    CREDITS = "credits"


class Method(StrEnum):
    """How the cluster builder chooses: greedy, exact (an ILP with HiGHS), or both."""

    GREEDY = "greedy"
    EXACT = "exact"
    BOTH = "both"


#: Seconds the exact solver may take unless told otherwise, and the most it may be given.
DEFAULT_TIME_LIMIT = 60.0
MAX_TIME_LIMIT = 300.0


class LevelChange(NamedTuple):
    """What-if: teach `ability` in `course` at `level` (1–4); 0 removes that coverage."""

    course: str
    ability: str
    level: int


def change_level(value: object) -> int | None:
    """A what-if level: 0 (remove) or a level 1–4 as a number or a word; None if neither."""
    if value in (0, "0") and not isinstance(value, bool):
        return 0
    return parse_level(value.strip() if isinstance(value, str) else value)


def level_changes(changes: Iterable[LevelChange]) -> dict[tuple[str, str], int]:
    """Level changes keyed by (course, ability), as `what_if` takes them.

    Raises:
        InvalidInput: the same course and ability are given twice (whatever the levels:
            which one was meant cannot be told).
    """
    found: dict[tuple[str, str], int] = {}
    for change in changes:
        key = (change.course, change.ability)
        if key in found:
            raise InvalidInput(
                f"培养等级的调整中 {change.course} → {change.ability} 出现了两次",
                f"the level changes name {change.course} -> {change.ability} twice",
                {"course": change.course, "ability": change.ability},
            )
        found[key] = change.level
    return found


__all__ = [
    "DEFAULT_TIME_LIMIT",
    "MAX_TIME_LIMIT",
    "BudgetKind",
    "LevelChange",
    "Method",
    "change_level",
    "level_changes",
]
