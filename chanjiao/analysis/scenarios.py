"""What-if scenarios: a named set of curriculum changes, kept beside the graph and re-run.

A scenario holds only the changes (courses added or removed, coverage levels set,
courses that do not exist yet), never a result: reopening it runs `what_if_compare`
against the store as it is now, so a saved plan never shows stale numbers. Scenarios
are documents (`DocumentKind.SCENARIO`): no analysis, count or export of the graph
sees them, and saving one changes no data.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Protocol

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from chanjiao.analysis.inputs import LevelChange, change_level, level_changes
from chanjiao.analysis.whatif import PlannedCourse, WhatIfResult, what_if_compare
from chanjiao.errors import InvalidInput, InvalidRequest, NotFound
from chanjiao.graph.store import Document, DocumentKind, GraphEditing, GraphReads

Id = Annotated[str, Field(min_length=1, max_length=100)]
#: Scenario names: what a person types, without control characters.
NAME_MAX = 100


class ScenarioStore(GraphReads, GraphEditing, Protocol):
    """A store the analysis reads that also keeps documents (every store class is one)."""


def _level(value: Any) -> Any:
    level = change_level(value)
    return value if level is None else level


Level = Annotated[int, BeforeValidator(_level), Field(ge=0, le=4)]


class CoverageChange(BaseModel):
    """Teach `ability` in `course` at `level` (1–4 or 了解…熟练); 0 removes that coverage."""

    model_config = ConfigDict(extra="forbid")
    course: Id
    ability: Id
    level: Level


class TaughtAbility(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ability: Id
    level: Annotated[int, BeforeValidator(_level), Field(ge=1, le=4)]


class NewCourse(BaseModel):
    """A course that does not exist yet (`PlannedCourse`)."""

    model_config = ConfigDict(extra="forbid")
    id: Id
    name: Annotated[str, Field(min_length=1, max_length=200)]
    hours: Annotated[float | None, Field(ge=0, le=10000)] = None
    abilities: list[TaughtAbility] = Field(default_factory=list, max_length=1000)

    def planned(self) -> PlannedCourse:
        taught: dict[str, int] = {}
        for item in self.abilities:
            if item.ability in taught:
                raise InvalidInput(
                    f"新课程 {self.id} 中能力 {item.ability} 出现了两次",
                    f"new course {self.id} names ability {item.ability} twice",
                )
            taught[item.ability] = item.level
        return PlannedCourse(self.id, self.name.strip(), taught, self.hours)


class Changes(BaseModel):
    """The curriculum changes of a what-if, against cluster × chain (× segment)."""

    model_config = ConfigDict(extra="forbid")
    cluster: Id
    chain: Id
    segment: Id | None = None
    add_courses: list[Id] = Field(default_factory=list, max_length=1000)
    remove_courses: list[Id] = Field(default_factory=list, max_length=1000)
    coverage: list[CoverageChange] = Field(default_factory=list, max_length=5000)
    new_courses: list[NewCourse] = Field(default_factory=list, max_length=200)

    def levels(self) -> dict[tuple[str, str], int]:
        """The level changes as `what_if` takes them.

        Raises:
            InvalidInput: the same course and ability are given twice.
        """
        return level_changes(LevelChange(c.course, c.ability, c.level) for c in self.coverage)

    def arguments(self) -> dict[str, Any]:
        """The keyword arguments of `what_if` and `what_if_compare` for these changes."""
        return {
            "add_courses": self.add_courses,
            "remove_courses": self.remove_courses,
            "coverage": self.levels(),
            "new_courses": [c.planned() for c in self.new_courses],
        }


def run_changes(store: GraphReads, changes: Changes, *, with_closers: bool = True) -> WhatIfResult:
    """Baseline, changed report and comparison of `changes` (nothing is written)."""
    return what_if_compare(
        store,
        changes.cluster,
        changes.chain,
        changes.segment,
        with_closers=with_closers,
        **changes.arguments(),
    )


def scenario_name(name: str) -> str:
    """A scenario name as kept: trimmed, 1–100 characters, no control characters.

    Raises:
        InvalidRequest: the name is empty, too long or holds control characters.
    """
    text = name.strip()
    if not text or len(text) > NAME_MAX or any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise InvalidRequest(
            f"方案名称应为 1–{NAME_MAX} 个字符，且不含控制字符",
            f"a scenario name needs 1–{NAME_MAX} characters and no control characters",
        )
    return text


def save_scenario(
    store: ScenarioStore, name: str, changes: Changes, *, replace: bool = False
) -> Document:
    """Keep `changes` under `name` after checking that they run on the store.

    Raises:
        InvalidRequest: a bad name, or changes the what-if refuses.
        NotFound: the changes name a cluster, chain, course or ability that does not exist.
        AlreadyExists: a scenario of that name exists and `replace` is False.
    """
    key = scenario_name(name)
    run_changes(store, changes)
    body = json.dumps(changes.model_dump(), ensure_ascii=False, sort_keys=True)
    return store.save_document(DocumentKind.SCENARIO, key, body, replace=replace)


def load_scenario(store: ScenarioStore, name: str) -> Changes:
    """The changes saved under `name`.

    Raises:
        NotFound: no scenario has that name.
        InvalidRequest: the stored document is not a scenario this version reads.
    """
    document = store.document(DocumentKind.SCENARIO, name.strip())
    if document is None:
        raise NotFound(f"找不到方案 {name}", f"no scenario named {name}")
    try:
        return Changes.model_validate_json(document.body)
    except ValidationError:
        raise InvalidRequest(
            f"方案 {name} 的内容无法读取", f"scenario {name} cannot be read"
        ) from None


def list_scenarios(store: ScenarioStore) -> list[dict[str, Any]]:
    """Every saved scenario's name and time of saving, oldest first."""
    return [
        {"name": d.name, "created": d.created, "size": d.size}
        for d in store.documents(DocumentKind.SCENARIO)
    ]


def delete_scenario(store: ScenarioStore, name: str) -> None:
    """Remove a scenario.

    Raises:
        NotFound: no scenario has that name.
    """
    if not store.delete_document(DocumentKind.SCENARIO, name.strip()):
        raise NotFound(f"找不到方案 {name}", f"no scenario named {name}")
