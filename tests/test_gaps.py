"""Gap analysis (DESIGN §4) against numbers computed by hand on tests/data/valid/small.

The graph, on paper (K1 = majors M1, M2; chain H1 = segments S1, S2, S3):

    curriculum C(K1) = C1 (M1), C2 (M2), C3 (M1), C5 (M1); C4 is in M3 only.
    taught: A1 = 3 (C1), A2 = 2 (C2), A4 = 1 (C2), A6 = 2 (C3); A3, A5 = 0.

    P1 (S1): demand = offers 3 + 2 = 5 (its column says 10: offers win)
        A1 r3 w2 taught 3 -> 1;  A2 r2 w1 taught 2 -> 1;  A3 r4 w1 taught 0 -> 0
        coverage = (2 + 1 + 0) / 4 = 0.75
    P2 (S1): demand = column 4 (no offers)
        A1 r2 w1 -> 1;  A4 r3 w1 taught 1 -> 1/3
        coverage = (1 + 1/3) / 2 = 0.666667
    P3 (S2): demand = 1 (no offers, no column)
        A2 r4 w3 taught 2 -> 1/2;  A5 r2 w1 taught 0 -> 0
        coverage = (1.5 + 0) / 4 = 0.375
    P4 (S2): no requirements -> unmodelled
    S1 = (5*0.75 + 4*2/3) / 9 = 6.416667 / 9 = 0.712963
    S2 = 0.375;  S3 has no position -> null
    H1 = (3.75 + 2.666667 + 0.375) / 10 = 0.679167

    priorities: A4 = 4 * 1/2 * 2/3 = 1.333333;  A3 = 5 * 1/4 * 1 = 1.25;
                A2 = 1 * 3/4 * 1/2 = 0.375;      A5 = 1 * 1/4 * 1 = 0.25
    sum = 3.208333 = 5*0.25 + 4*(1/3) + 1*0.625  (the chain's shortfall)
    orphans: C3 (covers only A6, required nowhere), C5 (covers nothing)
"""

from __future__ import annotations

import json
import math

import pytest

from chanjiao.analysis.gaps import analyse_gaps, demand_of
from chanjiao.errors import NotFound
from chanjiao.graph.schema import Label, Node, Rel, Relationship
from chanjiao.graph.store import GraphStore, ScopePosition


def test_chain_and_segment_coverage(small: GraphStore) -> None:
    report = analyse_gaps(small, "K1", "H1").to_dict()
    assert report["coverage"] == 0.6792
    assert [(s["id"], s["coverage"]) for s in report["segments"]] == [
        ("S1", 0.713),
        ("S2", 0.375),
        ("S3", None),
    ]
    assert [s["demand"] for s in report["segments"]] == [9, 1, 0]


def test_positions_demand_and_requirements(small: GraphStore) -> None:
    report = analyse_gaps(small, "K1", "H1").to_dict()
    positions = {p["id"]: p for p in report["positions"]}
    assert list(positions) == ["P1", "P2", "P3"]
    assert positions["P1"]["demand"] == 5  # offers (3 + 2) win over the column (10)
    assert positions["P2"]["demand"] == 4  # the column, as there are no offers
    assert positions["P3"]["demand"] == 1  # neither: 1
    assert positions["P1"]["coverage"] == 0.75
    assert positions["P2"]["coverage"] == 0.6667
    assert positions["P3"]["coverage"] == 0.375
    p3 = positions["P3"]["requirements"]
    assert p3 == [
        {
            "ability": "A2",
            "name": "光刻",
            "required": 4,
            "taught": 2,
            "weight": 3.0,
            "status": "partial",
        },
        {
            "ability": "A5",
            "name": "洁净室规范",
            "required": 2,
            "taught": 0,
            "weight": 1.0,
            "status": "missing",
        },
    ]
    statuses = [r["status"] for r in positions["P1"]["requirements"]]
    assert statuses == ["covered", "covered", "missing"]
    assert report["unmodelled_positions"] == ["P4"]


def test_gap_priorities_split_the_shortfall(small: GraphStore) -> None:
    result = analyse_gaps(small, "K1", "H1")
    report = result.to_dict()
    assert [(g["ability"], g["priority"]) for g in report["gaps"]] == [
        ("A4", 1.3333),
        ("A3", 1.25),
        ("A2", 0.375),
        ("A5", 0.25),
    ]
    assert [g["positions"] for g in report["gaps"]] == [["P2"], ["P1"], ["P3"], ["P3"]]
    shortfall = sum(p.demand * (1 - p.coverage) for p in result.positions)
    assert math.isclose(sum(g.priority for g in result.gaps), shortfall)
    assert math.isclose(shortfall, 5 * 0.25 + 4 / 3 + 0.625)


def test_closers(small: GraphStore) -> None:
    gaps = {g["ability"]: g["closers"] for g in analyse_gaps(small, "K1", "H1").to_dict()["gaps"]}
    assert gaps["A3"] == {
        "courses": ["C4"],  # outside the cluster
        "teachers": ["T1"],
        "textbooks": ["B1"],  # used in C4, which covers A3
        "training_resources": [],
        "enterprises": ["E1", "E2"],  # they offer P1, which requires A3
        "certificates": ["X1"],
        "competitions": [],
    }
    assert gaps["A4"] == {
        "courses": [],  # C2 covers A4 but is the cluster's own
        "teachers": ["T2"],
        "textbooks": ["B2"],
        "training_resources": ["R2"],  # supports C2, which covers A4
        "enterprises": [],  # P2 has no offers
        "certificates": [],
        "competitions": ["G1"],
    }
    # A5 is required by P5 of the *other* chain, offered by E3: partners come from anywhere.
    assert gaps["A5"]["enterprises"] == ["E3"]
    assert gaps["A5"]["training_resources"] == ["R1"]  # supports A5 directly
    assert gaps["A5"]["courses"] == ["C4"]


def test_orphan_courses(small: GraphStore) -> None:
    assert analyse_gaps(small, "K1", "H1").to_dict()["orphan_courses"] == ["C3", "C5"]


def test_segment_filter(small: GraphStore) -> None:
    report = analyse_gaps(small, "K1", "H1", "S2").to_dict()
    assert report["segment"] == "S2"
    assert report["coverage"] == 0.375
    assert [s["id"] for s in report["segments"]] == ["S2"]
    assert [p["id"] for p in report["positions"]] == ["P3"]
    assert [(g["ability"], g["priority"]) for g in report["gaps"]] == [("A2", 0.375), ("A5", 0.25)]
    assert report["unmodelled_positions"] == ["P4"]
    # In S2 only A2 and A5 are required: C1 (A1 only) becomes an orphan too.
    assert report["orphan_courses"] == ["C1", "C3", "C5"]


def test_other_cluster_and_chain(small: GraphStore) -> None:
    # K2 = M3 = C4 (A3 at 4, A5 at 2) against H2 = P5 (A5 r1, demand 7 from E3's offer).
    report = analyse_gaps(small, "K2", "H2").to_dict()
    assert report["coverage"] == 1.0
    assert report["gaps"] == []
    assert report["positions"][0]["demand"] == 7
    assert report["orphan_courses"] == []


def test_json_has_the_design_keys(small: GraphStore) -> None:
    report = analyse_gaps(small, "K1", "H1").to_dict()
    for key in (
        "cluster",
        "chain",
        "coverage",
        "segments",
        "positions",
        "gaps",
        "unmodelled_positions",
        "orphan_courses",
    ):
        assert key in report
    assert report["cluster"] == "K1" and report["chain"] == "H1"
    assert set(report["gaps"][0]["closers"]) == {
        "courses",
        "teachers",
        "textbooks",
        "training_resources",
        "enterprises",
        "certificates",
        "competitions",
    }


def test_unknown_ids_are_not_found(small: GraphStore) -> None:
    with pytest.raises(NotFound, match="K9"):
        analyse_gaps(small, "K9", "H1")
    with pytest.raises(NotFound, match="H9"):
        analyse_gaps(small, "K1", "H9")
    with pytest.raises(NotFound, match="S4"):
        analyse_gaps(small, "K1", "H1", "S4")  # S4 exists, but in H2


def test_adding_a_course_closes_a_gap(small: GraphStore) -> None:
    small.write(
        [Node(Label.COURSE, "C9", {"name": "切磨抛实训"})],
        [
            Relationship(Rel.IN_MAJOR, Label.COURSE, "C9", Label.MAJOR, "M2", {"core": False}),
            Relationship(Rel.COVERS, Label.COURSE, "C9", Label.ABILITY, "A4", {"level": 3}),
        ],
    )
    report = analyse_gaps(small, "K1", "H1").to_dict()
    assert "A4" not in [g["ability"] for g in report["gaps"]]
    # P2 is now fully covered: H1 = (3.75 + 4 + 0.375) / 10
    assert report["coverage"] == 0.8125


@pytest.mark.parametrize(
    ("demand", "offered", "expected"),
    [(10, 5, 5), (4, None, 4), (None, None, 1), (None, 7, 7)],
)
def test_demand_rule(demand: int | None, offered: int | None, expected: int) -> None:
    assert demand_of(ScopePosition("P", "p", "S", demand, offered)) == expected


def _plain_json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


@pytest.mark.parametrize("segment", [None, "S1", "S2", "S3"])
def test_encoded_report_is_the_dict_byte_for_byte(small: GraphStore, segment: str | None) -> None:
    for cluster in ("K1", "K2"):
        for closers in (True, False):
            report = analyse_gaps(small, cluster, "H1", segment, with_closers=closers)
            assert report.to_json() == _plain_json(report.to_dict())
    # a gap some own course covers lists the other courses only, in the bytes too
    gaps = json.loads(analyse_gaps(small, "K1", "H1").to_json())["gaps"]
    assert {g["ability"]: g["closers"]["courses"] for g in gaps}["A4"] == []


def test_a_changed_curriculum_is_checked_course_by_course(small: GraphStore) -> None:
    """What-if passes C(K) itself: C4 joins K1 and leaves A3's and A5's closing courses."""
    curriculum = small.curriculum("K1")
    curriculum["C4"] = {}  # in the cluster now, teaching nothing yet
    report = analyse_gaps(small, "K1", "H1", curriculum=curriculum)
    closers = {g.ability: g.closers["courses"] for g in report.gaps}
    assert closers["A3"] == [] and closers["A5"] == []
    assert report.to_json() == _plain_json(report.to_dict())
    # the store's own C(K) is untouched, and so is its answer
    own = {g.ability: g.closers["courses"] for g in analyse_gaps(small, "K1", "H1").gaps}
    assert list(own["A3"]) == ["C4"]


def test_answers_follow_writes(small: GraphStore) -> None:
    """Arrays and closers laid out for one store state are not reused after a write."""
    before = analyse_gaps(small, "K1", "H1")
    assert [g.ability for g in before.gaps] == ["A4", "A3", "A2", "A5"]
    small.write(
        [Node(Label.TEACHER, "T9", {"name": "王老师"})],
        [Relationship(Rel.EXPERT_IN, Label.TEACHER, "T9", Label.ABILITY, "A3", {})],
    )
    after = json.loads(analyse_gaps(small, "K1", "H1").to_json())
    assert {g["ability"]: g["closers"]["teachers"] for g in after["gaps"]}["A3"] == ["T1", "T9"]
    small.write(
        [],
        [Relationship(Rel.COVERS, Label.COURSE, "C2", Label.ABILITY, "A4", {"level": 3})],
    )
    report = analyse_gaps(small, "K1", "H1")
    assert [g.ability for g in report.gaps] == ["A3", "A2", "A5"]
    assert report.status_counts() == {"covered": 4, "partial": 1, "missing": 2}


def test_own_courses_are_cut_from_closers_wherever_they_stand(small: GraphStore) -> None:
    """A4's closing courses become C0, C10, C2 (K1's own), C7, C99 (others): ids of
    unequal length, the own ones first. The encoded report leaves exactly the own ones
    out, lists them under taught_partly, and is the dict byte for byte."""
    courses = {"C0": "M1", "C10": "M2", "C7": "M3", "C99": "M3", "C8": "M3"}
    small.write(
        [Node(Label.COURSE, c, {"name": f"课程{c}"}) for c in courses],
        [
            *(
                Relationship(Rel.IN_MAJOR, Label.COURSE, c, Label.MAJOR, m, {"core": False})
                for c, m in courses.items()
            ),
            *(
                Relationship(Rel.COVERS, Label.COURSE, c, Label.ABILITY, "A4", {"level": 1})
                for c in ("C0", "C10", "C7", "C99")
            ),
            Relationship(Rel.COVERS, Label.COURSE, "C8", Label.ABILITY, "A2", {"level": 1}),
        ],
    )
    report = analyse_gaps(small, "K1", "H1")
    assert report.to_json() == _plain_json(report.to_dict())
    gaps = {g["ability"]: g for g in json.loads(report.to_json())["gaps"]}
    assert gaps["A4"]["closers"]["courses"] == ["C7", "C99"]
    assert [c["course"] for c in gaps["A4"]["taught_partly"]] == ["C0", "C10", "C2"]
    assert gaps["A2"]["closers"]["courses"] == ["C8"]  # C2 (own) went, first of two
    assert [g["ability"] for g in report.to_dict()["gaps"]] == ["A4", "A3", "A2", "A5"]
    # a changed C(K) (what-if) with C7 and C99 in it: every closing course of A4 is own
    changed = small.curriculum("K1") | {"C7": {"A4": 1}, "C99": {}}
    report = analyse_gaps(small, "K1", "H1", curriculum=changed)
    assert report.to_json() == _plain_json(report.to_dict())
    gaps = {g["ability"]: g for g in json.loads(report.to_json())["gaps"]}
    assert gaps["A4"]["closers"]["courses"] == []
    # a level of two digits is written in full (A4 is then covered in P2)
    report = analyse_gaps(small, "K1", "H1", curriculum=changed | {"C7": {"A4": 12}})
    assert report.to_json() == _plain_json(report.to_dict())
    taught = {
        (p["id"], r["ability"]): r["taught"]
        for p in json.loads(report.to_json())["positions"]
        for r in p["requirements"]
    }
    assert taught[("P2", "A4")] == 12
