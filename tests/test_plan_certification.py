"""岗课赛证 against values computed by hand on tests/data/valid/small (K1 × H1).

    taught over C(K1): A1 3, A2 2, A4 1, A6 2 (A3, A5 not taught).
    X1 certifies A3 and is aligned with P1, which requires A3 at 4: taught 0 -> missing,
        beyond the courses; no course of C(K1) covers A3 (C4 does, outside) -> no
        preparing course, A3 uncovered.
    G1 exercises A4: P2 requires A4 at 3, taught 1 -> partial, beyond the courses.
    P3 (A2, A5) and P4 (no requirements) have neither.
Adding C4 to M1 brings A3 in at 4: X1 is then prepared by C4 and nothing is beyond.
"""

from __future__ import annotations

from chanjiao.analysis.certification import certification
from chanjiao.graph.schema import Label, Rel, Relationship
from chanjiao.graph.store import GraphStore


def test_positions_certificates_competitions(small: GraphStore) -> None:
    data = certification(small, "K1").to_dict()
    positions = {p["id"]: p for p in data["positions"]}
    assert list(positions) == ["P1", "P2", "P3", "P4"]
    assert positions["P1"]["certificates"] == [
        {
            "id": "X1",
            "name": "集成电路开发与测试",
            "level": "中级",
            "abilities": [
                {
                    "ability": "A3",
                    "name": "外延表征",
                    "required": 4,
                    "taught": 0,
                    "status": "missing",
                }
            ],
            "beyond_courses": ["A3"],
            "courses": [],
            "uncovered": ["A3"],
        }
    ]
    assert positions["P1"]["competitions"] == []
    assert positions["P2"]["certificates"] == []
    assert positions["P2"]["competitions"] == [
        {
            "id": "G1",
            "name": "集成电路开发及应用",
            "level": "national",
            "abilities": [
                {"ability": "A4", "name": "切磨抛", "required": 3, "taught": 1, "status": "partial"}
            ],
            "beyond_courses": ["A4"],
        }
    ]
    assert data["summary"] == {
        "positions": 4,
        "without_certificate": ["P2", "P3", "P4"],
        "without_competition": ["P1", "P3", "P4"],
    }


def test_courses_that_prepare(small: GraphStore) -> None:
    small.write([], [Relationship(Rel.IN_MAJOR, Label.COURSE, "C4", Label.MAJOR, "M1")])
    data = certification(small, "K1", "H1", "S1").to_dict()
    x1 = data["positions"][0]["certificates"][0]
    assert x1["courses"] == [{"course": "C4", "name": "外延与表征", "abilities": {"A3": 4}}]
    assert x1["uncovered"] == []
    assert x1["beyond_courses"] == []
    assert [p["id"] for p in data["positions"]] == ["P1", "P2"]  # segment S1 only
