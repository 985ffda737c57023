"""Resource shortfalls against values computed by hand on tests/data/valid/small (K1 × H1).

C(K1) = C1, C2, C3, C5.  Required by H1's positions: A1, A2, A3, A4, A5.
Team: T2 teaches C1; T1 is employed by E1, a partner of IC1, which builds K1.
Dual-qualified: T1 only (it teaches nothing), so no course of C(K1) has one:
    C1 (taught by T2, not dual), C2, C3, C5 (no teacher).
Experts in the team: T1 -> A3; T2 -> A1, A4.  No expert: A2 (P1, P3), A5 (P3).
Textbooks: B1 is used in C4 (outside), B2 in C2 -> the cluster's textbooks = {B2};
    no textbook: C1, C3, C5.
Composition (1 textbook, B2 national_planned, standard):
    national_planned 1/1 meets 0.3; school_enterprise 0/1 < 0.3, needs n with
    n/(1+n) >= 0.3 -> n >= 0.43 -> 1;  loose_leaf 0.2 -> n >= 0.25 -> 1;
    workbook 0.1 -> n >= 0.11 -> 1.
Skills required: A1, A2, A4 (A3 knowledge, A5 literacy). R2 supports C2, which
    covers A2 and A4; nothing supports A1 or C1 -> A1 lacks a practice resource.
Resources of the cluster: R2 (supports C2), R1 (supports A5, required in H1).
Current year 2025, limit 3 years: B2 (2019) is 6 years old, R1 (2021) 4, R2 (2023) 2
    -> stale: B2, R1.
"""

from __future__ import annotations

import pytest

from chanjiao.analysis.resources import ResourceTargets, needed_for, resource_shortfalls
from chanjiao.errors import InvalidRequest, NotFound
from chanjiao.graph.schema import Label, Node, Rel, Relationship
from chanjiao.graph.store import GraphStore


def report(store: GraphStore, **targets: object) -> dict[str, object]:
    return resource_shortfalls(
        store,
        "K1",
        targets=ResourceTargets(current_year=2025, **targets),  # type: ignore[arg-type]
    ).to_dict()


def test_teachers(small: GraphStore) -> None:
    data = report(small)
    assert data["team"] == ["T1", "T2"]
    assert data["courses_without_dual_teacher"] == [
        {"course": "C1", "name": "半导体材料", "teachers": ["T2"]},
        {"course": "C2", "name": "光刻工艺", "teachers": []},
        {"course": "C3", "name": "大学体育", "teachers": []},
        {"course": "C5", "name": "军事理论", "teachers": []},
    ]
    assert data["abilities_without_expert"] == [
        {"ability": "A2", "name": "光刻", "positions": ["P1", "P3"], "candidates": []},
        {"ability": "A5", "name": "洁净室规范", "positions": ["P3"], "candidates": []},
    ]


def test_textbooks(small: GraphStore) -> None:
    data = report(small)
    assert [c["course"] for c in data["courses_without_textbook"]] == ["C1", "C3", "C5"]  # type: ignore[attr-defined]
    assert data["textbooks"] == ["B2"]
    kinds = {r["value"]: (r["count"], r["share"], r["needed"]) for r in data["textbook_kinds"]}  # type: ignore[attr-defined]
    assert kinds == {
        "national_planned": (1, 1.0, 0),
        "school_enterprise": (0, 0.0, 1),
        "self_compiled": (0, 0.0, 0),
    }
    formats = {r["value"]: r["needed"] for r in data["textbook_formats"]}  # type: ignore[attr-defined]
    assert formats == {"standard": 0, "loose_leaf": 1, "workbook": 1}
    assert data["summary"]["textbook_targets_missed"] == 3  # type: ignore[index]


def test_practice_resources_and_age(small: GraphStore) -> None:
    data = report(small)
    assert data["skills_without_resource"] == [
        {"ability": "A1", "name": "晶体生长", "positions": ["P1", "P2"], "courses": ["C1"]}
    ]
    assert data["stale_textbooks"] == [{"id": "B2", "name": "光刻工艺教程", "year": 2019, "age": 6}]
    assert data["stale_resources"] == [
        {"id": "R1", "name": "洁净室实训基地", "year": 2021, "age": 4}
    ]
    # A limit of 4 years keeps R1 (age 4 is not older than 4).
    looser = report(small, max_age_years=4)
    assert [r["id"] for r in looser["stale_resources"]] == []  # type: ignore[attr-defined]


def test_targets_are_configurable(small: GraphStore) -> None:
    data = report(small, textbook_kinds={"national_planned": 0.5}, textbook_formats={})
    assert [r["needed"] for r in data["textbook_kinds"]] == [0, 0, 0]  # type: ignore[attr-defined]
    assert data["summary"]["textbook_targets_missed"] == 0  # type: ignore[index]
    with pytest.raises(InvalidRequest, match="national"):
        report(small, textbook_kinds={"nationale": 0.3})
    with pytest.raises(InvalidRequest):
        report(small, textbook_formats={"workbook": 1.5})


def test_expert_outside_the_team_is_a_candidate(small: GraphStore) -> None:
    """T3 (school, teaches nothing, not employed by a partner) is expert in A2: a candidate."""
    small.write(
        [Node(Label.TEACHER, "T3", {"name": "王老师", "dual_qualified": True})],
        [Relationship(Rel.EXPERT_IN, Label.TEACHER, "T3", Label.ABILITY, "A2")],
    )
    rows = {r["ability"]: r["candidates"] for r in report(small)["abilities_without_expert"]}  # type: ignore[attr-defined]
    assert rows == {"A2": ["T3"], "A5": []}


def test_needed_for() -> None:
    assert needed_for(0, 1, 0.3) == 1
    assert needed_for(1, 10, 0.3) == 3  # (1 + 3) / 13 = 0.308 >= 0.3; (1 + 2) / 12 = 0.25
    assert needed_for(3, 10, 0.3) == 0
    assert needed_for(0, 0, 0.2) == 1


def test_unknown_cluster(small: GraphStore) -> None:
    with pytest.raises(NotFound):
        resource_shortfalls(small, "K9")
