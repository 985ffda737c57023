"""Course and position alignment, checked by hand on tests/data/valid/small."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from chanjiao.analysis.alignment import (
    CourseIndex,
    align_course,
    align_position,
    prerequisite_order,
    warm_alignment,
)
from chanjiao.errors import NotFound
from chanjiao.graph.schema import Label, Node, Rel, Relationship
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


# --- the precomputed index (`CourseIndex`, what a warmed server answers from) ----------

PAGES: list[dict[str, int]] = [{}, {"limit": 100}, {"limit": 2}, {"limit": 1, "offset": 1}]


def _indexed(store: GraphStore, index: CourseIndex, course_id: str, **page: int) -> Any:
    from chanjiao.analysis.alignment import _course_reads

    with store.reading():
        course, covers, majors, names = _course_reads(store, course_id)
    return index.align(course, covers, majors, names, **page).to_dict()


def _tiny(store: GraphStore) -> None:
    """C1 covers A1 at 2 and A2 at 3; four positions need some of A1, A2, A8, A9."""
    abilities = [Node(Label.ABILITY, a, {"name": f"能力{a}"}) for a in ("A1", "A2", "A8", "A9")]
    positions = [Node(Label.POSITION, p, {"name": f"岗位{p}"}) for p in ("P1", "P2", "P3", "P4")]

    def needs(position: str, ability: str, level: int, weight: float) -> Relationship:
        props = {"level": level, "weight": weight}
        return Relationship(Rel.REQUIRES, Label.POSITION, position, Label.ABILITY, ability, props)

    store.write(
        [Node(Label.COURSE, "C1", {"name": "课程一"}), *abilities, *positions],
        [
            Relationship(Rel.COVERS, Label.COURSE, "C1", Label.ABILITY, "A1", {"level": 2}),
            Relationship(Rel.COVERS, Label.COURSE, "C1", Label.ABILITY, "A2", {"level": 3}),
            needs("P1", "A1", 2, 1.0),
            needs("P1", "A2", 3, 1.0),
            needs("P2", "A1", 4, 2.0),
            needs("P2", "A9", 1, 2.0),
            needs("P3", "A2", 3, 1.0),
            needs("P3", "A8", 2, 3.0),
            needs("P4", "A8", 1, 1.0),
        ],
    )


def test_index_gives_the_hand_computed_shares_and_pages(store: GraphStore) -> None:
    # P1 (W=2): A1 1·2/2/2 + A2 1·3/3/2 = 1.0; P2 (W=4): A1 2·2/4/4 = 0.25;
    # P3 (W=4): A2 1·3/3/4 = 0.25 (ties with P2: by id); P4 needs only A8: not served.
    _tiny(store)
    index = CourseIndex.build(store)
    whole = _indexed(store, index, "C1")
    assert [(p["id"], p["share"]) for p in whole["positions"]] == [
        ("P1", 1.0),
        ("P2", 0.25),
        ("P3", 0.25),
    ]
    assert [r["status"] for r in whole["positions"][1]["requirements"]] == ["partial"]
    page = _indexed(store, index, "C1", limit=1, offset=1)
    assert page["page"] == {"offset": 1, "limit": 1, "total": 3}
    assert [p["id"] for p in page["positions"]] == ["P2"]
    assert [(a["ability"], [p["position"] for p in a["positions"]]) for a in page["abilities"]] == [
        ("A1", ["P2"]),
        ("A2", []),
    ]
    assert page["abilities"][0]["positions"][0]["share"] == 0.25
    ranked = _indexed(store, index, "C1", limit=3)
    assert [p["id"] for p in ranked["positions"]] == ["P1", "P2", "P3"]
    for kwargs in PAGES:
        assert (
            _indexed(store, index, "C1", **kwargs) == align_course(store, "C1", **kwargs).to_dict()
        )


def test_index_equals_the_plain_reading_on_every_course(small: GraphStore) -> None:
    index = CourseIndex.build(small)
    for course in sorted(small.nodes(Label.COURSE)):
        for kwargs in PAGES:
            plain = align_course(small, course, **kwargs).to_dict()
            assert _indexed(small, index, course, **kwargs) == plain, (course, kwargs)
            assert repr(_indexed(small, index, course, **kwargs)) == repr(plain)  # int vs float


def test_index_equals_the_plain_reading_on_the_sample(tmp_path: Path) -> None:
    from chanjiao.cli import sample_path
    from chanjiao.graph.embedded import EmbeddedStore
    from chanjiao.ingest.load import ingest

    store = EmbeddedStore(tmp_path / "s.db")
    ingest(store, sample_path())
    index = CourseIndex.build(store)
    served = 0
    for course in sorted(store.nodes(Label.COURSE)):
        for kwargs in PAGES:
            plain = align_course(store, course, **kwargs).to_dict()
            assert repr(_indexed(store, index, course, **kwargs)) == repr(plain), (course, kwargs)
        served += bool(plain["positions"])
    assert served > 10


def test_a_warmed_store_answers_from_its_index_and_rebuilds_it_after_a_write(
    small: GraphStore,
) -> None:
    from chanjiao.analysis import alignment

    before = align_course(small, "C2").to_dict()
    warm_alignment(small)
    if small.generation() is None:  # such a store is never indexed
        assert small not in alignment._INDEXES
        return
    built = alignment._INDEXES[small]
    assert align_course(small, "C2").to_dict() == before
    assert alignment._INDEXES[small] is built  # no write: the same index answers
    # P2 (W=2) now also needs A2 at 2 (w 1): W = 3, C2 (A2 at 2, A4 at 1) gives it
    # 1·2/2/3 + 1·1/3/3 = 0.4444 instead of 0.1667.
    small.write(
        [],
        [Relationship(Rel.REQUIRES, Label.POSITION, "P2", Label.ABILITY, "A2", {"level": 2})],
    )
    shares = {p["id"]: p["share"] for p in align_course(small, "C2").to_dict()["positions"]}
    assert shares["P2"] == 0.4444
    assert alignment._INDEXES[small] is not built
