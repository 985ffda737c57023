"""Learning paths against placements worked out by hand on tests/data/plan/paths.

    PP requires Q1 (2), Q2 (3), Q3 (1), Q9 (1).  C(KP) = K0..K4 (major MP).
    Builders: K1 (Q1 2), K2 (Q2 3), K3 (Q3 1), K4 (Q1 1); nothing in C(KP) covers Q9.
    Prerequisites: K0 -> K1 -> K2 -> K3;  O0 -> O1 -> K4 (O0, O1 outside the cluster).
    The path adds K0 (a prerequisite inside the cluster): order K0, K1, K2, K3, K4
    (ties by semester then id: K0 is semester 1, K3 semester 2, the rest unset).
    Given semesters: K0 1, K3 2.

4 semesters, at most 2 courses each:
    K0 @1 and K3 @2 stay.  K1 after K0: 2 (1 + 1 = 2 fits) -> 2.  K2 after K1 -> 3.
    K4 (no prerequisite in the path) -> 1 (K0 + K4 = 2 fits).
    K3 @2 comes after K2 @3: an order conflict.  Outside prerequisite: O1 -> K4.
    Longest chain K0 -> K1 -> K2 -> K3 has 4 courses: not longer than 4 semesters.
3 semesters, no load limit: that chain is longer than 3 -> reported (once, whole).
4 semesters, 100 hours each (K0 32, K1 64, K2 64, K3 48, K4 unknown -> 0):
    K1: semester 2 holds K3 48 + 64 > 100 -> 3;  K2 -> 4;  K4 -> 1.
Free (ignore given semesters), 4 semesters, 2 courses: K0 1, K1 2, K2 3, K3 4, K4 1.
Load 0.5: K0 and K3 alone overload semesters 1 and 2; K1, K2, K4 find no room.
"""

from __future__ import annotations

import pytest

from chanjiao.analysis.paths import semester_plan
from chanjiao.errors import InvalidRequest, NotFound
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.load import ingest
from tests.util import DATA


@pytest.fixture
def paths(store: GraphStore) -> GraphStore:
    ingest(store, DATA / "plan" / "paths")
    return store


def placed(path: object) -> dict[str, int | None]:
    return {c.id: c.semester for c in path.courses}  # type: ignore[attr-defined]


def test_placement_with_a_load_limit(paths: GraphStore) -> None:
    path = semester_plan(paths, "PP", "KP", semesters=4, max_load=2)
    assert [c.id for c in path.courses] == ["K0", "K1", "K2", "K3", "K4"]
    assert placed(path) == {"K0": 1, "K1": 2, "K2": 3, "K3": 2, "K4": 1}
    assert [c.fixed for c in path.courses] == [True, False, False, True, False]
    assert path.courses[0].abilities == {}  # K0 is there only as a prerequisite
    assert path.courses[2].abilities == {"Q2": 3}
    assert path.untaught == ["Q9"]
    assert path.outside_prerequisites == [{"course": "K4", "prerequisite": "O1"}]
    assert path.order_conflicts == [
        {"prerequisite": "K2", "prerequisite_semester": 3, "course": "K3", "semester": 2}
    ]
    assert path.long_chains == []
    assert path.overloaded == [] and path.unplaced == []
    assert path.to_dict()["plan"] == [
        {"semester": 1, "courses": ["K0", "K4"], "load": 2.0},
        {"semester": 2, "courses": ["K1", "K3"], "load": 2.0},
        {"semester": 3, "courses": ["K2"], "load": 1.0},
        {"semester": 4, "courses": [], "load": 0.0},
    ]


def test_chain_longer_than_the_semesters(paths: GraphStore) -> None:
    path = semester_plan(paths, "PP", "KP", semesters=3)
    assert path.long_chains == [["K0", "K1", "K2", "K3"]]


def test_hours_as_load(paths: GraphStore) -> None:
    path = semester_plan(paths, "PP", "KP", semesters=4, max_load=100, load_by="hours")
    assert placed(path) == {"K0": 1, "K1": 3, "K2": 4, "K3": 2, "K4": 1}
    assert path.unknown_load == ["K4"]


def test_free_placement(paths: GraphStore) -> None:
    path = semester_plan(paths, "PP", "KP", semesters=4, max_load=2, keep_semesters=False)
    assert placed(path) == {"K0": 1, "K1": 2, "K2": 3, "K3": 4, "K4": 1}
    assert path.order_conflicts == []


def test_overload_and_no_room(paths: GraphStore) -> None:
    path = semester_plan(paths, "PP", "KP", semesters=4, max_load=0.5)
    assert path.overloaded == [{"semester": 1, "load": 1.0}, {"semester": 2, "load": 1.0}]
    assert path.unplaced == ["K1", "K2", "K4"]


def test_small_graph_path(small: GraphStore) -> None:
    """P1 in K1: C1 (A1, semester 2) and C2 (A2, semester 3, after C1); A3 is untaught."""
    path = semester_plan(small, "P1", "K1")
    assert placed(path) == {"C1": 2, "C2": 3}
    assert path.untaught == ["A3"]


def test_errors(paths: GraphStore) -> None:
    with pytest.raises(NotFound):
        semester_plan(paths, "P9", "KP")
    with pytest.raises(NotFound):
        semester_plan(paths, "PP", "K9")
    with pytest.raises(InvalidRequest):
        semester_plan(paths, "PP", "KP", semesters=0)
    with pytest.raises(InvalidRequest):
        semester_plan(paths, "PP", "KP", max_load=-1)
