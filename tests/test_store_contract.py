"""The GraphStore contract: every backend must pass these (the `store` fixture is parametrized)."""

from __future__ import annotations

import pytest

from chanjiao.errors import AlreadyExists, NotFound
from chanjiao.graph.schema import Label, Node, Rel, Relationship
from chanjiao.graph.store import DocumentKind, GraphStore, ResultRow, StudentRow
from chanjiao.ingest.load import ingest
from tests.util import DATA


def course(cid: str, **props: object) -> Node:
    return Node(Label.COURSE, cid, {"name": f"课程{cid}", **props})


def covers(cid: str, aid: str, level: int) -> Relationship:
    return Relationship(Rel.COVERS, Label.COURSE, cid, Label.ABILITY, aid, {"level": level})


def ability(aid: str) -> Node:
    return Node(Label.ABILITY, aid, {"name": f"能力{aid}"})


def test_write_then_read(store: GraphStore) -> None:
    store.write([course("C1", hours=64, credits=4.0), ability("A1")], [covers("C1", "A1", 3)])
    assert store.get_node(Label.COURSE, "C1") == course("C1", hours=64, credits=4.0)
    assert store.get_node(Label.COURSE, "C2") is None
    assert store.get_node(Label.ABILITY, "C1") is None  # ids are unique per label only
    [rel] = store.relationships(Rel.COVERS)
    assert (rel.src, rel.dst, rel.props) == ("C1", "A1", {"level": 3})


def test_properties_merge_like_cypher_plus_equals(store: GraphStore) -> None:
    store.write([course("C1", hours=64, kind="theory")], [])
    store.write([Node(Label.COURSE, "C1", {"hours": 48, "semester": 2})], [])
    node = store.get_node(Label.COURSE, "C1")
    assert node is not None
    assert node.props == {"name": "课程C1", "hours": 48, "kind": "theory", "semester": 2}


def test_relationship_upsert_by_ends(store: GraphStore) -> None:
    store.write([course("C1"), ability("A1")], [covers("C1", "A1", 2)])
    store.write([], [covers("C1", "A1", 4)])
    rels = store.relationships(Rel.COVERS)
    assert len(rels) == 1 and rels[0].props == {"level": 4}


def test_filters_and_missing_ids(store: GraphStore) -> None:
    store.write(
        [course("C1"), course("C2"), ability("A1"), ability("A2")],
        [covers("C1", "A1", 1), covers("C2", "A1", 2), covers("C2", "A2", 3)],
    )
    assert set(store.nodes(Label.COURSE, ["C1", "C9"])) == {"C1"}
    assert set(store.nodes(Label.COURSE)) == {"C1", "C2"}
    assert [(r.src, r.dst) for r in store.relationships(Rel.COVERS, src_ids=["C2"])] == [
        ("C2", "A1"),
        ("C2", "A2"),
    ]
    assert [r.src for r in store.relationships(Rel.COVERS, dst_ids=["A1"])] == ["C1", "C2"]
    assert store.relationships(Rel.COVERS, src_ids=[]) == []


def test_failed_write_changes_nothing(store: GraphStore) -> None:
    store.write([course("C1", hours=10)], [])
    bad = Relationship(Rel.COVERS, Label.COURSE, "C1", Label.ABILITY, "A1", {"level": object()})
    with pytest.raises(TypeError):
        store.write([course("C1", hours=99), ability("A1")], [bad])
    assert store.get_node(Label.COURSE, "C1") == course("C1", hours=10)
    assert store.get_node(Label.ABILITY, "A1") is None


def test_neighbours_both_directions(small: GraphStore) -> None:
    found = {(n.rel, n.direction, n.node.id) for n in small.neighbours(Label.COURSE, "C2")}
    assert found == {
        (Rel.IN_MAJOR, "out", "M2"),
        (Rel.COVERS, "out", "A2"),
        (Rel.COVERS, "out", "A4"),
        (Rel.PREREQUISITE_OF, "in", "C1"),
        (Rel.USED_IN, "in", "B2"),
        (Rel.SUPPORTS, "in", "R2"),
    }


def test_stats(small: GraphStore) -> None:
    stats = small.stats()
    assert stats.nodes[Label.COURSE] == 5
    assert stats.nodes[Label.ABILITY] == 7
    assert stats.relationships[Rel.REQUIRES] == 8
    assert stats.relationships[Rel.IN_MAJOR] == 5
    assert stats.relationships[Rel.PARTNER_OF] == 2
    assert sum(stats.nodes.values()) == 41


def test_partner_ends_resolve_to_their_label(small: GraphStore) -> None:
    labels = {(r.src_label, r.src) for r in small.relationships(Rel.PARTNER_OF)}
    assert labels == {(Label.ORGANIZATION, "U1"), (Label.ENTERPRISE, "E1")}


def test_curriculum(small: GraphStore) -> None:
    assert small.curriculum("K1") == {
        "C1": {"A1": 3},
        "C2": {"A2": 2, "A4": 1},
        "C3": {"A6": 2},
        "C5": {},
    }
    assert small.curriculum("nope") == {}


def test_chain_scope(small: GraphStore) -> None:
    scope = small.chain_scope("H1")
    assert sorted((s.id, s.order) for s in scope.segments) == [("S1", 1), ("S2", 2), ("S3", 3)]
    positions = {p.id: (p.segment, p.demand, p.offered) for p in scope.positions}
    assert positions == {
        "P1": ("S1", 10, 5),
        "P2": ("S1", 4, None),
        "P3": ("S2", None, None),
        "P4": ("S2", 3, None),
    }
    assert len(scope.requirements) == 7
    only = small.chain_scope("H1", "S2")
    assert [s.id for s in only.segments] == ["S2"]
    assert sorted(p.id for p in only.positions) == ["P3", "P4"]
    with pytest.raises(NotFound):
        small.chain_scope("H9")
    with pytest.raises(NotFound):
        small.chain_scope("H1", "S4")


def test_closers_raw(small: GraphStore) -> None:
    found = small.closers(["A2", "A9"])
    assert list(found["A2"]["courses"]) == ["C2"]  # every course; analysis scopes
    assert list(found["A2"]["enterprises"]) == ["E1", "E2"]
    assert all(len(v) == 0 for v in found["A9"].values())


def test_warm_changes_no_answer(small: GraphStore, second_handle: GraphStore) -> None:
    """`warm()` reads every chain, cluster and ability at once: what it keeps must equal
    what each read loads on its own (asked through a handle that never warmed)."""
    small.warm()
    for chain in ["H1", "H2", "H9"]:
        segments = [None] + [s.id for s in second_handle.chain_scope("H1").segments]
        for segment in segments if chain == "H1" else [None]:
            if chain == "H9":
                with pytest.raises(NotFound):
                    small.chain_scope(chain)
                continue
            assert small.chain_scope(chain, segment) == second_handle.chain_scope(chain, segment)
    for cluster in ["K1", "K2", "nope"]:
        assert small.curriculum(cluster) == second_handle.curriculum(cluster)
    abilities = [*small.nodes(Label.ABILITY), "A9"]

    def raw(store: GraphStore) -> dict[str, dict[str, list[str]]]:
        found = store.closers(abilities)
        return {a: {kind: list(ids) for kind, ids in found[a].items()} for a in abilities}

    warmed = raw(small)
    assert warmed == raw(second_handle)
    assert warmed["A5"]["training_resources"] == ["R1"]  # direct: R1 SUPPORTS A5
    assert warmed["A2"]["training_resources"] == ["R2"]  # through C2, which covers A2
    assert warmed["A2"]["textbooks"] == ["B2"]
    assert warmed["A3"]["teachers"] == ["T1"]
    second_handle.delete(relationships=[(Rel.EXPERT_IN, Label.TEACHER, "T1", Label.ABILITY, "A3")])
    assert list(small.closers(["A3"])["A3"]["teachers"]) == []  # never the warmed answer


def test_a_second_handle_sees_committed_writes(
    small: GraphStore, second_handle: GraphStore
) -> None:
    assert set(small.prerequisite_graph().edges) == {("C1", "C2")}
    second_handle.write(
        [course("C6")],
        [Relationship(Rel.PREREQUISITE_OF, Label.COURSE, "C2", Label.COURSE, "C6")],
    )
    assert set(small.prerequisite_graph().edges) == {("C1", "C2"), ("C2", "C6")}
    assert small.get_node(Label.COURSE, "C6") is not None


def test_reading_block_is_one_snapshot(small: GraphStore, second_handle: GraphStore) -> None:
    with small.reading():
        assert small.get_node(Label.COURSE, "C7") is None
        second_handle.write([course("C7")], [])
        assert small.get_node(Label.COURSE, "C7") is None  # still the old snapshot
    assert small.get_node(Label.COURSE, "C7") is not None


def test_delete_node_removes_its_relationships(small: GraphStore) -> None:
    small.delete(nodes=[(Label.COURSE, "C2")])
    assert small.get_node(Label.COURSE, "C2") is None
    assert small.get_node(Label.ABILITY, "A2") is not None
    assert small.relationships(Rel.COVERS, src_ids=["C2"]) == []
    assert small.relationships(Rel.PREREQUISITE_OF) == []  # C1 -> C2 went with C2
    assert small.relationships(Rel.USED_IN, dst_ids=["C2"]) == []
    assert small.stats().relationships[Rel.COVERS] == 4


def test_delete_relationships_and_unknowns(small: GraphStore) -> None:
    key = (Rel.COVERS, Label.COURSE, "C1", Label.ABILITY, "A1")
    small.delete(relationships=[key], nodes=[(Label.COURSE, "nope")])
    assert small.relationships(Rel.COVERS, src_ids=["C1"]) == []
    assert small.get_node(Label.COURSE, "C1") is not None
    assert small.stats().relationships[Rel.COVERS] == 5


def test_delete_is_seen_by_the_analysis(small: GraphStore) -> None:
    from chanjiao.analysis.gaps import analyse_gaps

    assert analyse_gaps(small, "K1", "H1").coverage is not None  # fills caches
    small.delete(nodes=[(Label.POSITION, "P2")])
    report = analyse_gaps(small, "K1", "H1").to_dict()
    assert [p["id"] for p in report["positions"]] == ["P1", "P3"]


def test_find_nodes_pages_searches_and_filters(small: GraphStore) -> None:
    first = small.find_nodes(Label.COURSE, limit=2)
    assert [n.id for n in first] == ["C1", "C2"]
    second = small.find_nodes(Label.COURSE, after="C2", limit=2)
    assert [n.id for n in second] == ["C3", "C4"]
    assert [n.id for n in small.find_nodes(Label.COURSE, text="工艺")] == ["C2"]
    assert [n.id for n in small.find_nodes(Label.COURSE, filters={"semester": 3})] == ["C2", "C4"]
    teachers = small.find_nodes(Label.TEACHER, filters={"dual_qualified": True})
    assert [n.id for n in teachers] == ["T1"]
    assert small.find_nodes(Label.COURSE, text="%") == []  # a literal, not a wildcard
    with pytest.raises(ValueError):
        small.find_nodes(Label.COURSE, filters={"x') OR 1=1 --": 1})


def test_prerequisite_graph_is_frozen_and_shared_safely(small: GraphStore) -> None:
    """A backend may cache the graph for every caller: nobody can change it."""
    import networkx as nx

    graph = small.prerequisite_graph()
    assert ("C1", "C2") in graph.edges  # C1 is a prerequisite of C2 (courses.csv)
    assert nx.is_frozen(graph)
    with pytest.raises(nx.NetworkXError):
        graph.add_edge("C2", "C1")
    assert ("C2", "C1") not in small.prerequisite_graph().edges


def test_bad_filter_keys_are_refused_alike(store: GraphStore) -> None:
    """The shared check (graph.store.check_filters), on every backend."""
    with pytest.raises(ValueError, match="not a property name"):
        store.find_nodes(Label.COURSE, filters={"name') OR 1=1 --": "x"})


def test_the_analysis_reads_only_graph_reads() -> None:
    """`chanjiao.analysis` is typed against `GraphReads` (mypy holds it to that), never
    against the whole `GraphStore` or a backend."""
    from pathlib import Path

    import chanjiao.analysis

    for path in Path(chanjiao.analysis.__file__).parent.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "GraphStore" not in text and "graph.embedded" not in text, path.name
        assert "graph.neo4j" not in text, path.name


def test_documents_beside_the_graph(small: GraphStore, second_handle: GraphStore) -> None:
    before = small.stats()
    generation = small.generation()
    saved = small.save_document(DocumentKind.VERSION, "2025级", '{"a": "数据"}')
    assert saved.size == len('{"a": "数据"}') and saved.created.endswith("Z")
    small.save_document(DocumentKind.SCENARIO, "2025级", "[]")
    # Documents are not part of the graph: counts and the write generation stay.
    assert small.stats() == before
    assert small.generation() == generation
    found = second_handle.document(DocumentKind.VERSION, "2025级")
    assert found is not None and found.body == '{"a": "数据"}'
    assert second_handle.document(DocumentKind.VERSION, "2026级") is None
    with pytest.raises(AlreadyExists, match="2025级"):
        small.save_document(DocumentKind.VERSION, "2025级", "{}")
    assert small.document(DocumentKind.VERSION, "2025级").body == '{"a": "数据"}'  # type: ignore[union-attr]
    small.save_document(DocumentKind.VERSION, "2026级", "{}")
    listed = small.documents(DocumentKind.VERSION)
    assert [(d.name, d.body, d.size) for d in listed] == [("2025级", "", 11), ("2026级", "", 2)]
    small.save_document(DocumentKind.SCENARIO, "2025级", "[1]", replace=True)
    assert small.document(DocumentKind.SCENARIO, "2025级").body == "[1]"  # type: ignore[union-attr]
    assert small.delete_document(DocumentKind.VERSION, "2025级") is True
    assert small.delete_document(DocumentKind.VERSION, "2025级") is False
    assert [d.name for d in small.documents(DocumentKind.VERSION)] == ["2026级"]


def test_one_write_removes_clears_and_upserts(store: GraphStore) -> None:
    store.write(
        [course("C1", hours=64, kind="theory"), course("C2"), ability("A1"), ability("A2")],
        [covers("C1", "A1", 3), covers("C2", "A1", 2), covers("C2", "A2", 1)],
    )
    store.write(
        [course("C3", hours=8), Node(Label.COURSE, "C1", {"semester": 2})],
        [covers("C3", "A2", 4)],
        remove_nodes=[(Label.COURSE, "C2")],
        remove_relationships=[covers("C1", "A1", 0).key],
        clear_nodes=[(Label.COURSE, "C1", ["hours", "kind"]), (Label.COURSE, "C9", ["hours"])],
    )
    assert set(store.nodes(Label.COURSE)) == {"C1", "C3"}
    node = store.get_node(Label.COURSE, "C1")
    assert node is not None and node.props == {"name": "课程C1", "semester": 2}
    assert [(r.src, r.dst) for r in store.relationships(Rel.COVERS)] == [("C3", "A2")]


def test_clearing_relationship_properties(store: GraphStore) -> None:
    offer = Relationship(Rel.OFFERS, Label.ENTERPRISE, "E1", Label.POSITION, "P1", {"headcount": 3})
    store.write(
        [Node(Label.ENTERPRISE, "E1", {"name": "甲"}), Node(Label.POSITION, "P1", {"name": "岗"})],
        [offer],
    )
    store.write([], [], clear_relationships=[(offer.key, ["headcount"])])
    [found] = store.relationships(Rel.OFFERS)
    assert found.props == {}


def test_a_failed_write_with_removals_changes_nothing(store: GraphStore) -> None:
    store.write([course("C1", hours=64), ability("A1")], [covers("C1", "A1", 3)])
    bad = Relationship(Rel.COVERS, Label.COURSE, "C1", Label.ABILITY, "A1", {"level": object()})
    with pytest.raises(TypeError):
        store.write(
            [],
            [bad],
            documents=[(DocumentKind.CHANGE, "c1", "{}")],
            remove_nodes=[(Label.ABILITY, "A1")],
            clear_nodes=[(Label.COURSE, "C1", ["hours"])],
        )
    with pytest.raises(ValueError):
        store.write([], [], clear_nodes=[(Label.COURSE, "C1", ["name"])])
    assert store.get_node(Label.COURSE, "C1") == course("C1", hours=64)
    assert len(store.relationships(Rel.COVERS)) == 1
    assert store.documents(DocumentKind.CHANGE) == []  # the log entry went with the write


def test_a_write_saves_its_documents_with_it(store: GraphStore) -> None:
    store.write([course("C1")], [], documents=[(DocumentKind.CHANGE, "c1", '{"a":"课"}')])
    [listed] = store.documents(DocumentKind.CHANGE)
    assert listed.name == "c1"
    found = store.document(DocumentKind.CHANGE, "c1")
    assert found is not None and found.body == '{"a":"课"}'


def test_a_document_bigger_than_a_batch_round_trips(store: GraphStore) -> None:
    body = "课程" * 300_000 + "end"  # 1.8 MB of UTF-8: more than one Cypher batch
    store.write([], [], documents=[(DocumentKind.CHANGE, "big", body)])
    store.save_document(DocumentKind.VERSION, "big", body)
    for kind in (DocumentKind.CHANGE, DocumentKind.VERSION):
        found = store.document(kind, "big")
        assert found is not None and found.body == body and found.size == len(body)


def test_student_records(store: GraphStore) -> None:
    ingest(store, DATA / "valid" / "talent")
    records = store.student_records(cohort="2023")
    assert records.students == [
        StudentRow("S1", "赵一", "2023", "enrolled", "M1"),
        StudentRow("S2", "钱二", "2023", "enrolled", "M1"),
        StudentRow("S3", "孙三", "2023", "enrolled", "M2"),
    ]
    assert records.results == [
        ResultRow("S1", "C1", 85.0, None),
        ResultRow("S1", "C2", None, True),
        ResultRow("S2", "C1", 59.0, None),
        ResultRow("S2", "C2", 60.0, None),
        ResultRow("S3", "C3", 90.0, None),
    ]
    assert records.holdings == [("S3", "X1")]
    assert records.covers == {"C1": {"A1": 3}, "C2": {"A1": 1, "A2": 2}, "C3": {"A3": 2}}
    assert records.certifies == {"X1": ("A3",)}
    assert [s.id for s in store.student_records(major="M1").students] == ["S1", "S2", "S4"]
    only = store.student_records(ids=["S4", "S9"], major="M1")
    assert [s.id for s in only.students] == ["S4"]
    assert only.results == [ResultRow("S4", "C2", None, False)]
    assert store.student_records(ids=["S4"], cohort="2023").students == []
    assert store.student_records(cohort="1999") == type(records)()
    store.write([Node(Label.STUDENT, "S7", {"name": "吴七", "cohort": 2023})], [])
    assert "S7" in [s.id for s in store.student_records(cohort="2023").students]
