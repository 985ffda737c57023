"""What-if (`chanjiao.analysis.whatif`) against numbers computed by hand on tests/data/valid/small.

The unchanged graph is derived in tests/test_gaps.py: H1 = 0.679167, P1 = 0.75,
P2 = 2/3, P3 = 0.375, gaps A4 1.333333, A3 1.25, A2 0.375, A5 0.25.

Adding C4 (covers A3 at 4, A5 at 2; it is in M3, outside K1):
    P1: A1 r3 w2 -> 1, A2 r2 w1 -> 1, A3 r4 w1 taught 4 -> 1      = 1.0
    P2 unchanged                                                     = 2/3
    P3: A2 r4 w3 taught 2 -> 1/2, A5 r2 w1 taught 2 -> 1 = (1.5 + 1)/4 = 0.625
    H1 = (5*1 + 4*2/3 + 1*0.625) / 10 = 8.291667 / 10 = 0.829167
    S1 = (5 + 2.666667) / 9 = 0.851852;  S2 = 0.625
    gaps closed A3 (1.25 -> 0), A5 (0.25 -> 0); A4 and A2 unchanged.
Also setting C2:A4 = 3 makes P2 = 1, so H1 = (5 + 4 + 0.625) / 10 = 0.9625.

Removing C1 (A1 taught 0):
    P1 = (0 + 1 + 0) / 4 = 0.25;  P2 = (0 + 1/3) / 2 = 1/6;  P3 = 0.375
    H1 = (1.25 + 0.666667 + 0.375) / 10 = 0.229167
    gap A1 opens: P1 5 * 2/4 * 1 + P2 4 * 1/2 * 1 = 2.5 + 2 = 4.5

Setting C2:A2 = 0 (A2 no longer taught):
    P1 = (2 + 0 + 0) / 4 = 0.5;  P3 = (0 + 0) / 4 = 0
    H1 = (2.5 + 2.666667 + 0) / 10 = 0.516667
"""

from __future__ import annotations

import pytest

from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.analysis.whatif import compare, target_chain, what_if, what_if_compare
from chanjiao.errors import InvalidRequest, NotFound
from chanjiao.graph.store import GraphStore
from tests.util import dump


def test_add_a_course(small: GraphStore) -> None:
    report = what_if(small, "K1", "H1", add_courses=["C4"]).to_dict()
    assert report["coverage"] == 0.8292
    assert [(s["id"], s["coverage"]) for s in report["segments"]] == [
        ("S1", 0.8519),
        ("S2", 0.625),
        ("S3", None),
    ]
    assert {p["id"]: p["coverage"] for p in report["positions"]} == {
        "P1": 1.0,
        "P2": 0.6667,
        "P3": 0.625,
    }
    assert [(g["ability"], g["priority"]) for g in report["gaps"]] == [
        ("A4", 1.3333),
        ("A2", 0.375),
    ]
    # C4 is now the cluster's own: no longer a closer; it is no orphan (it covers A3).
    assert report["orphan_courses"] == ["C3", "C5"]


def test_add_and_set_a_level(small: GraphStore) -> None:
    report = what_if(small, "K1", "H1", add_courses=["C4"], coverage={("C2", "A4"): 3})
    assert round(report.coverage or 0, 4) == 0.9625
    assert [g.ability for g in report.gaps] == ["A2"]


def test_remove_a_course_opens_a_gap(small: GraphStore) -> None:
    result = what_if_compare(small, "K1", "H1", remove_courses=["C1"])
    comparison = result.comparison.to_dict()
    assert comparison["chain"] == {
        "id": "H1",
        "name": "测试产业链",
        "before": 0.6792,
        "after": 0.2292,
        "delta": -0.45,
    }
    assert [(p["id"], p["after"]) for p in comparison["positions"]] == [
        ("P1", 0.25),
        ("P2", 0.1667),
    ]  # P3 did not change, so it is not listed
    assert comparison["gaps_opened"] == [
        {"ability": "A1", "name": "晶体生长", "before": 0.0, "after": 4.5, "delta": 4.5}
    ]
    assert comparison["gaps_closed"] == []
    assert comparison["courses_removed"] == ["C1"]
    assert comparison["courses_added"] == []


def test_level_zero_removes_coverage(small: GraphStore) -> None:
    report = what_if(small, "K1", "H1", coverage={("C2", "A2"): 0})
    assert round(report.coverage or 0, 4) == 0.5167
    assert {p.id: round(p.coverage, 4) for p in report.positions}["P3"] == 0.0


def test_compare_lists_closed_gaps_and_segment_deltas(small: GraphStore) -> None:
    before = analyse_gaps(small, "K1", "H1")
    after = what_if(small, "K1", "H1", add_courses=["C4"])
    comparison = compare(before, after).to_dict()
    assert [(g["ability"], g["before"], g["after"]) for g in comparison["gaps_closed"]] == [
        ("A3", 1.25, 0.0),
        ("A5", 0.25, 0.0),
    ]
    assert comparison["gaps_changed"] == []
    assert [(s["id"], s["delta"]) for s in comparison["segments"]] == [
        ("S1", 0.1389),  # 0.851852 - 0.712963
        ("S2", 0.25),
        ("S3", None),
    ]


def test_segment_scope(small: GraphStore) -> None:
    report = what_if(small, "K1", "H1", "S2", add_courses=["C4"])
    assert report.coverage == pytest.approx(0.625)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"add_courses": ["C9"]}, NotFound, "C9"),
        ({"coverage": {("C1", "A9"): 2}}, NotFound, "A9"),
        ({"remove_courses": ["C4"]}, InvalidRequest, "C4"),
        ({"add_courses": ["C4"], "remove_courses": ["C4"]}, InvalidRequest, "同时"),
        ({"coverage": {("C1", "A1"): 5}}, InvalidRequest, "0–4"),
        ({"coverage": {("C4", "A3"): 2}}, InvalidRequest, "C4"),
    ],
)
def test_bad_requests_write_nothing(
    small: GraphStore, kwargs: dict[str, object], error: type[Exception], words: str
) -> None:
    before = dump(small)
    with pytest.raises(error) as caught:
        what_if(small, "K1", "H1", **kwargs)  # type: ignore[arg-type]
    assert words in str(caught.value)
    assert dump(small) == before


def test_nothing_is_written(small: GraphStore) -> None:
    before = dump(small)
    what_if_compare(small, "K1", "H1", add_courses=["C4"], remove_courses=["C1"])
    assert dump(small) == before
    assert analyse_gaps(small, "K1", "H1").to_dict()["coverage"] == 0.6792


def test_target_chain(small: GraphStore) -> None:
    assert target_chain(small, "K1") == "H1"
    assert target_chain(small, "K1", "H2") == "H2"
    with pytest.raises(NotFound):
        target_chain(small, "K9")
    with pytest.raises(NotFound):
        target_chain(small, "K1", "H9")
