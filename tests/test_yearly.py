"""The yearly update on every store: load year 1, save it, sync year 2, compare.

tests/data/yearly/ holds both years. Hand computation (DESIGN §4), cluster K1 (majors
M1, M2) against chain H1 (S1 order 1, S2 order 2):

Year 1. taught: A1 = 2 (C1), A2 = 2 (C2), A3 = 2 (C3), A4 = 0.
  P1 demand 6 (E1 offers 6): A1 r3 w2 f 2/3, A2 r2 w1 f 1 → (4/3 + 1)/3 = 7/9 = 0.7778
  P2 demand 4: A3 r4 f 1/2 → 0.5;  P3 demand 2: A1 r2 f 1, A4 r2 f 0 → 0.5
  S1 = (6·7/9 + 4·0.5)/10 = 2/3 = 0.6667;  S2 = 0.5
  chain = (14/3 + 2 + 1)/12 = 23/36 = 0.6389
  priorities: A3 = 4·1·(1/2) = 2;  A1 = 6·(2/3)·(1/3) = 4/3 = 1.3333;  A4 = 2·(1/2)·1 = 1
  (sum 4.3333 = Σ demand·(1 − coverage) = 4/3 + 2 + 1)

Year 2 (sync): C3 and its coverage deleted, C4 added (A3 熟练, A4 了解), C1 covers A1
at 掌握; P1–A2 deleted, P2–A2 added (掌握), P3–A4 raised to 熟练; P3 demand 5, E1
offers 8, P4 added without requirements.
  taught: A1 = 3, A2 = 2, A3 = 4, A4 = 1.
  P1 demand 8: A1 r3 f 1 → 1.0
  P2 demand 4: A3 r4 f 1, A2 r3 f 2/3 → 5/6 = 0.8333
  P3 demand 5: A1 r2 f 1, A4 r4 f 1/4 → 5/8 = 0.625;  P4 unmodelled
  S1 = (8 + 4·5/6)/12 = 17/18 = 0.9444;  S2 = 0.625
  chain = (8 + 10/3 + 25/8)/17 = 347/408 = 0.8505
  priorities: A4 = 5·(1/2)·(3/4) = 1.875;  A2 = 4·(1/2)·(1/3) = 2/3 = 0.6667
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.errors import AlreadyExists, IngestError, InvalidRequest
from chanjiao.graph.schema import Label, Rel
from chanjiao.graph.store import GraphStore
from chanjiao.history.changelog import changes
from chanjiao.history.compare import compare_versions
from chanjiao.history.versions import list_versions, save_version
from chanjiao.ingest.load import ingest
from tests.util import DATA, dump

YEAR1 = DATA / "yearly" / "year1"
YEAR2 = DATA / "yearly" / "year2"


def numbers(store: GraphStore) -> tuple[object, ...]:
    report = analyse_gaps(store, "K1", "H1").to_dict()
    return (
        report["coverage"],
        [(s["id"], s["coverage"]) for s in report["segments"]],
        [(p["id"], p["coverage"]) for p in report["positions"]],
        [(g["ability"], g["priority"]) for g in report["gaps"]],
        report["unmodelled_positions"],
    )


YEAR1_NUMBERS = (
    0.6389,
    [("S1", 0.6667), ("S2", 0.5)],
    [("P1", 0.7778), ("P2", 0.5), ("P3", 0.5)],
    [("A3", 2.0), ("A1", 1.3333), ("A4", 1.0)],
    [],
)
YEAR2_NUMBERS = (
    0.8505,
    [("S1", 0.9444), ("S2", 0.625)],
    [("P1", 1.0), ("P2", 0.8333), ("P3", 0.625)],
    [("A4", 1.875), ("A2", 0.6667)],
    ["P4"],
)


def test_yearly_update(store: GraphStore, tmp_path: Path) -> None:
    ingest(store, YEAR1, author="王老师")
    assert numbers(store) == YEAR1_NUMBERS
    save_version(store, "2025级", author="王老师")
    with pytest.raises(AlreadyExists):
        save_version(store, "2025级")

    preview = ingest(store, YEAR2, sync=True, dry_run=True)
    before = dump(store)
    assert numbers(store) == YEAR1_NUMBERS  # a dry run writes nothing
    courses = {f.file: f for f in preview.diff.ordered()}["courses"]
    assert (courses.added, courses.changed, courses.removed) == (2, 2, 3)
    assert preview.nodes[Label.COURSE].removed == 1
    assert preview.relationships[Rel.COVERS].removed == 1
    assert preview.relationships[Rel.PREREQUISITE_OF].removed == 1

    result = ingest(store, YEAR2, sync=True, author="李老师")
    assert result.changed == preview.changed
    assert numbers(store) == YEAR2_NUMBERS
    assert store.get_node(Label.COURSE, "C3") is None
    c1 = store.get_node(Label.COURSE, "C1")
    assert c1 is not None and "hours" not in c1.props  # the emptied cell cleared it
    assert store.relationships(Rel.PREREQUISITE_OF) == []
    assert dump(store) != before

    # Syncing the same year again changes nothing.
    assert ingest(store, YEAR2, sync=True).changed == 0

    # The saved year 1 still answers year 1's numbers.
    data = compare_versions(store, "2025级", None, "K1", "H1")
    assert data["coverage"] == {"before": 0.6389, "after": 0.8505}
    assert data["segments"] == [
        {"id": "S1", "name": "晶圆制造", "before": 0.6667, "after": 0.9444},
        {"id": "S2", "name": "封装测试", "before": 0.5, "after": 0.625},
    ]
    assert [(p["id"], p["before"], p["after"]) for p in data["positions"]] == [
        ("P1", 0.7778, 1.0),
        ("P2", 0.5, 0.8333),
        ("P3", 0.5, 0.625),
    ]
    assert [(g["ability"], g["priority"]) for g in data["gaps_closed"]] == [
        ("A3", 2.0),
        ("A1", 1.3333),
    ]
    assert [(g["ability"], g["priority"]) for g in data["gaps_opened"]] == [("A2", 0.6667)]
    assert [(g["ability"], g["before"], g["after"]) for g in data["priority_changes"]] == [
        ("A4", 1.0, 1.875)
    ]
    assert [c["id"] for c in data["courses"]["added"]] == ["C4"]
    assert [c["id"] for c in data["courses"]["removed"]] == ["C3"]
    changed = {c["id"]: [f["field"] for f in c["fields"]] for c in data["courses"]["changed"]}
    assert changed == {"C1": ["hours", "covers"], "C2": ["hours", "name"]}
    reqs = data["requirements"]
    assert [(r["position"], r["ability"]) for r in reqs["added"]] == [("P2", "A2")]
    assert [(r["position"], r["ability"]) for r in reqs["removed"]] == [("P1", "A2")]
    assert [(r["position"], r["before"]["level"], r["level"]) for r in reqs["changed"]] == [
        ("P3", 2, 4)
    ]

    segment = compare_versions(store, "2025级", None, "K1", "H1", "S2")
    assert segment["coverage"] == {"before": 0.5, "after": 0.625}
    assert [p["id"] for p in segment["positions"]] == ["P3"]

    # Year 2 saved too: comparing the two versions gives the same answer as against now.
    save_version(store, "2026级")
    assert compare_versions(store, "2025级", "2026级", "K1", "H1")["coverage"] == data["coverage"]
    assert [v.name for v in list_versions(store)] == ["2025级", "2026级"]

    # The change log: who did what, and who changed C1's coverage level.
    log = changes(store)
    assert [(e.action, e.author) for e in log] == [
        ("ingest", "王老师"),
        ("version", "王老师"),
        ("sync", "李老师"),
        ("version", "未知 unknown"),
    ]
    assert changes(store, since="2999-01-01") == []
    with pytest.raises(InvalidRequest):
        changes(store, since="去年")
    [entry] = changes(store, label="coverage", node_id="C1", since=log[1].when)
    [record] = entry.files[0]["records"]
    assert (entry.author, record["action"], record["fields"][0]["old"]) == ("李老师", "changed", 2)
    assert record["fields"][0]["new_text"] == "掌握(3)"


def test_a_version_survives_reopening(backend: str, tmp_path: Path) -> None:
    from tests.conftest import make_store

    with make_store(backend, tmp_path) as first:
        ingest(first, YEAR1)
        save_version(first, "2025级")
        ingest(first, YEAR2, sync=True)
    with make_store(backend, tmp_path) as again:
        data = compare_versions(again, "2025级", None, "K1", "H1")
    assert data["coverage"] == {"before": 0.6389, "after": 0.8505}


def write_dataset(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir()
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


COURSES_HEADER = "id,name,hours,credits,kind,semester,major_ids,core_major_ids,prerequisite_ids\n"


def test_sync_refuses_to_strand_a_relationship_of_an_absent_file(
    store: GraphStore, tmp_path: Path
) -> None:
    ingest(store, YEAR1)
    before = dump(store)
    only_courses = write_dataset(
        tmp_path / "d",
        {
            "courses": COURSES_HEADER
            + "C1,半导体工艺,64,4,理论,2,M1,M1,\nC2,设备维护实训,48,3,实践,3,M1,,C1\n"
        },
    )
    with pytest.raises(IngestError) as caught:
        ingest(store, only_courses, sync=True)
    [problem] = caught.value.problems
    assert problem.source == "courses.csv"
    assert "课程 C3" in problem.zh and "能力 A3" in problem.zh and "coverage" in problem.zh
    assert dump(store) == before


def test_sync_refuses_a_row_naming_a_removed_node(store: GraphStore, tmp_path: Path) -> None:
    ingest(store, YEAR1)
    before = dump(store)
    dataset = write_dataset(
        tmp_path / "d",
        {
            "courses": COURSES_HEADER + "C1,半导体工艺,64,4,理论,2,M1,M1,\n",
            "coverage": "course_id,ability_id,level\nC1,A1,2\nC2,A2,2\n",
        },
    )
    with pytest.raises(IngestError) as caught:
        ingest(store, dataset, sync=True)
    rows = {(p.source, p.row, p.column) for p in caught.value.problems}
    assert ("coverage.csv", 3, "course_id") in rows  # C2 is not in courses.csv
    assert dump(store) == before


def test_plain_ingest_removes_nothing(store: GraphStore) -> None:
    ingest(store, YEAR1)
    result = ingest(store, YEAR2)
    assert store.get_node(Label.COURSE, "C3") is not None
    assert len(store.relationships(Rel.REQUIRES)) == 6  # year 1's five and P2–A2
    assert all(c.removed == 0 for c in result.nodes.values())
    c1 = store.get_node(Label.COURSE, "C1")
    assert c1 is not None and c1.props["hours"] == 64  # an empty cell leaves it as is


def test_sync_of_one_file_leaves_other_files_alone(store: GraphStore, tmp_path: Path) -> None:
    ingest(store, YEAR1)
    dataset = write_dataset(tmp_path / "d", {"coverage": "course_id,ability_id,level\nC1,A1,4\n"})
    result = ingest(store, dataset, sync=True)
    assert [(r.src, r.dst, r.props["level"]) for r in store.relationships(Rel.COVERS)] == [
        ("C1", "A1", 4)
    ]
    assert len(store.nodes(Label.COURSE)) == 3
    [file_diff] = result.diff.ordered()
    assert (file_diff.file, file_diff.added, file_diff.changed, file_diff.removed) == (
        "coverage",
        0,
        1,
        2,
    )


def test_a_version_answers_as_the_live_graph_did(store: GraphStore) -> None:
    """The compare loads only the part of a version a gap analysis reads (`gap_scope`):
    on the sample college, every cluster × chain still gives the live report exactly."""
    from chanjiao.history.versions import opened

    ingest(store, Path(__file__).parents[1] / "chanjiao" / "data" / "sample")
    save_version(store, "now")
    pairs = [
        (cluster, chain)
        for cluster in store.nodes(Label.SPECIALTY_CLUSTER)
        for chain in store.nodes(Label.INDUSTRY_CHAIN)
    ]
    assert len(pairs) >= 2
    for cluster, chain in pairs:
        live = analyse_gaps(store, cluster, chain, with_closers=False).to_dict()
        with opened(store, "now", (cluster, chain)) as (_, version):
            assert analyse_gaps(version, cluster, chain, with_closers=False).to_dict() == live


def test_an_emptied_relationship_cell_clears_it(store: GraphStore, tmp_path: Path) -> None:
    """Emptying E1's offer headcount makes P1's demand its own (10) instead of 6:
    chain = (10·7/9 + 4·0.5 + 2·0.5) / 16 = 97/144 = 0.6736."""
    ingest(store, YEAR1)
    dataset = write_dataset(
        tmp_path / "d", {"offers": "enterprise_id,position_id,headcount\nE1,P1,\n"}
    )
    result = ingest(store, dataset, sync=True)
    [offer] = store.relationships(Rel.OFFERS)
    assert offer.props == {}
    [record] = result.diff.ordered()[0].records
    assert (record.action, record.cleared) == ("changed", ("headcount",))
    assert analyse_gaps(store, "K1", "H1").coverage == pytest.approx(97 / 144)
