"""Course and position alignment, checked by hand on tests/data/valid/small."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from chanjiao.analysis.alignment import align_course, align_position, prerequisite_order
from chanjiao.errors import NotFound
from chanjiao.graph.schema import Label, Node
from chanjiao.graph.store import GraphStore


def test_course_serves_positions_with_shares(small: GraphStore) -> None:
    # C2 covers A2 at 2 and A4 at 1.
    #   P1 (W=4): A2 r2 w1 -> 1 * 2/2 / 4 = 0.25
    #   P3 (W=4): A2 r4 w3 -> 3 * 2/4 / 4 = 0.375
    #   P2 (W=2): A4 r3 w1 -> 1 * 1/3 / 2 = 0.1667
    result = align_course(small, "C2").to_dict()
    assert result["majors"] == ["M2"]
    assert [(a["ability"], a["level"]) for a in result["abilities"]] == [("A2", 2), ("A4", 1)]
    shares = {p["id"]: p["share"] for p in result["positions"]}
    assert shares == {"P1": 0.25, "P2": 0.1667, "P3": 0.375}
    p1 = next(p for p in result["positions"] if p["id"] == "P1")
    assert (p1["segment"], p1["chain"], p1["enterprises"]) == ("S1", "H1", ["E1", "E2"])
    assert result["segments"] == ["S1", "S2"]
    assert result["chains"] == ["H1"]
    assert result["enterprises"] == ["E1", "E2"]
    a2 = result["abilities"][0]["positions"]
    assert [(p["position"], p["share"]) for p in a2] == [("P1", 0.25), ("P3", 0.375)]


def test_course_covering_nothing_serves_nobody(small: GraphStore) -> None:
    result = align_course(small, "C5").to_dict()
    assert result["abilities"] == [] and result["positions"] == []


def test_position_requirements_and_learning_path(small: GraphStore) -> None:
    result = align_position(small, "P1").to_dict()
    assert (result["segment"], result["chain"]) == ("S1", "H1")
    assert [(r["ability"], r["required"]) for r in result["requirements"]] == [
        ("A1", 3),
        ("A2", 2),
        ("A3", 4),
    ]
    a3 = result["requirements"][2]["courses"]
    assert a3 == [{"id": "C4", "name": "外延与表征", "level": 4, "semester": 3, "meets": True}]
    # C1 (semester 2) is a prerequisite of C2 (3); C4 (3) ties with C2 and sorts by id.
    assert [c["id"] for c in result["learning_path"]] == ["C1", "C2", "C4"]


def test_position_within_a_cluster(small: GraphStore) -> None:
    result = align_position(small, "P1", "K1").to_dict()
    assert result["requirements"][2]["courses"] == []  # C4 is outside K1
    assert [c["id"] for c in result["learning_path"]] == ["C1", "C2"]


def test_unknown_ids(small: GraphStore) -> None:
    with pytest.raises(NotFound):
        align_course(small, "C99")
    with pytest.raises(NotFound):
        align_position(small, "P99")
    with pytest.raises(NotFound):
        align_position(small, "P1", "K99")


def _courses(**semesters: int | None) -> dict[str, Node]:
    return {
        c: Node(Label.COURSE, c, {"name": c} | ({} if s is None else {"semester": s}))
        for c, s in semesters.items()
    }


def test_prerequisites_beat_semesters_and_pass_through_other_courses() -> None:
    graph = nx.DiGraph([("a", "b"), ("b", "c"), ("x", "y"), ("y", "z")])
    # c is listed in semester 1 but needs b, which needs a; z needs x through y (not chosen).
    order = prerequisite_order(graph, _courses(a=3, b=2, c=1, x=5, z=1, w=None))
    assert order.index("a") < order.index("b") < order.index("c")
    assert order.index("x") < order.index("z")
    assert order[-1] == "w"  # no semester sorts last


@pytest.mark.parametrize("dataset", ["small", "sample"])
def test_one_learning_path_everywhere(dataset: str, tmp_path: Path) -> None:
    """`align position`, `viz path` and `plan path` (its semester plan) show the same
    learning path: the same courses in the same prerequisite order, for every position."""
    from chanjiao.analysis.paths import semester_plan
    from chanjiao.cli import sample_path
    from chanjiao.graph.embedded import EmbeddedStore
    from chanjiao.ingest.load import ingest
    from chanjiao.viz import path_graph
    from tests.util import SMALL

    store = EmbeddedStore(tmp_path / "p.db")
    ingest(store, SMALL if dataset == "small" else sample_path())
    clusters = sorted(store.nodes(Label.SPECIALTY_CLUSTER))
    compared = 0
    for position in sorted(store.nodes(Label.POSITION)):
        for cluster in clusters:
            aligned = [c["id"] for c in align_position(store, position, cluster).learning_path]
            planned = [c.id for c in semester_plan(store, position, cluster).courses]
            drawn = [
                n["id"].split(":", 1)[1]
                for n in sorted(path_graph(store, position, cluster).data()["nodes"], key=str)
                if n["id"].startswith("Course:")
            ]
            assert aligned == planned, (position, cluster)
            assert sorted(drawn) == sorted(aligned), (position, cluster)
            compared += bool(aligned)
    assert compared > 0
