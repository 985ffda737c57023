"""Partners and eligibility against values computed by hand on tests/data/valid/small.

Enterprise service, K1 × H1 (position coverage from tests/test_gaps.py: P1 0.75,
P2 2/3, P3 0.375). E1 offers P1 (3), E2 offers P1 (2); E3 offers P5 of H2 (out of scope).
With an extra offer E2 -> P3, headcount 4:
    E1: 0.75, shortfall 3 * 0.25 = 0.75; its gap A3: 3 * 1/4 * 1 = 0.75
    E2: (2 * 0.75 + 4 * 0.375) / 6 = 3 / 6 = 0.5,
        shortfall 2 * 0.25 + 4 * 0.625 = 3.0;
        gaps A2 4 * 3/4 * 1/2 = 1.5, A5 4 * 1/4 * 1 = 1.0, A3 2 * 1/4 = 0.5
    best: E1, E2; worst: E2, E1.  E1 is a partner of IC1 (which builds K1); E2 is not.

Eligibility, IC1: U1 (university, role 牵头单位) leads, E1 is a little giant, and E1
is a co-applicant of a listed kind: eligible.
"""

from __future__ import annotations

import pytest

from chanjiao.analysis.partners import check_eligibility, enterprise_service
from chanjiao.errors import NotFound
from chanjiao.graph.schema import Label, Node, Rel, Relationship
from chanjiao.graph.store import GraphStore


def test_enterprises_served(small: GraphStore) -> None:
    small.write(
        [],
        [Relationship(Rel.OFFERS, Label.ENTERPRISE, "E2", Label.POSITION, "P3", {"headcount": 4})],
    )
    report = enterprise_service(small, "K1", top=1)
    data = report.to_dict()
    assert data["best"] == ["E1"]
    assert data["worst"] == ["E2"]
    rows = {e["id"]: e for e in data["enterprises"]}
    assert [e["id"] for e in data["enterprises"]] == ["E1", "E2"]
    assert (rows["E1"]["coverage"], rows["E1"]["shortfall"], rows["E1"]["partner"]) == (
        0.75,
        0.75,
        True,
    )
    assert (rows["E2"]["coverage"], rows["E2"]["shortfall"], rows["E2"]["partner"]) == (
        0.5,
        3.0,
        False,
    )
    assert rows["E2"]["headcount"] == 6
    assert rows["E2"]["gaps"] == [
        {"ability": "A2", "name": "光刻", "priority": 1.5},
        {"ability": "A5", "name": "洁净室规范", "priority": 1.0},
        {"ability": "A3", "name": "外延表征", "priority": 0.5},
    ]
    assert rows["E1"]["gaps"] == [{"ability": "A3", "name": "外延表征", "priority": 0.75}]


def test_other_chain_enterprises_are_out_of_scope(small: GraphStore) -> None:
    report = enterprise_service(small, "K1")
    assert [e.id for e in report.enterprises] == ["E1", "E2"]  # E3 offers only P5 of H2


def test_eligible_college(small: GraphStore) -> None:
    result = check_eligibility(small, "IC1")
    assert result.eligible
    assert [(c.key, c.met) for c in result.conditions] == [
        ("university_lead", True),
        ("srdi_enterprise", True),
        ("partner_types", True),
    ]
    assert "U1" in result.conditions[0].detail_en


def test_unmet_conditions_are_named(small: GraphStore) -> None:
    """IC2: led by E3 (a chain leader), with E9 (tier other): every condition fails."""
    small.write(
        [
            Node(Label.INDUSTRY_COLLEGE, "IC2", {"name": "第二产业学院"}),
            Node(Label.ENTERPRISE, "E9", {"name": "丁企业", "tier": "other"}),
        ],
        [
            Relationship(
                Rel.PARTNER_OF,
                Label.ENTERPRISE,
                "E3",
                Label.INDUSTRY_COLLEGE,
                "IC2",
                {"role": "牵头单位"},
            ),
            Relationship(Rel.PARTNER_OF, Label.ENTERPRISE, "E9", Label.INDUSTRY_COLLEGE, "IC2"),
        ],
    )
    result = check_eligibility(small, "IC2")
    assert not result.eligible
    assert [c.key for c in result.unmet] == ["university_lead", "srdi_enterprise", "partner_types"]
    lead, srdi, types = result.conditions
    assert "没有高校" in lead.detail_zh  # an enterprise's role 牵头单位 makes no lead
    assert "E3" not in lead.detail_en
    assert "小巨人" in srdi.detail_zh
    assert "E9" in types.detail_zh and "E3" not in types.detail_zh  # a chain leader is listed
    assert "E9" in types.detail_en


def test_lead_by_university_name(small: GraphStore) -> None:
    """IC3 names U1 as its university; no role marks a lead, the name decides."""
    small.write(
        [
            Node(
                Label.INDUSTRY_COLLEGE,
                "IC3",
                {"name": "第三产业学院", "university": "某职业技术大学"},
            )
        ],
        [
            Relationship(Rel.PARTNER_OF, Label.ORGANIZATION, "U1", Label.INDUSTRY_COLLEGE, "IC3"),
            Relationship(Rel.PARTNER_OF, Label.ENTERPRISE, "E2", Label.INDUSTRY_COLLEGE, "IC3"),
        ],
    )
    result = check_eligibility(small, "IC3")
    assert result.eligible
    assert [p["id"] for p in result.to_dict()["partners"] if p["lead"]] == ["U1"]
    # The college names another university: that one leads, U1 becomes a co-applicant.
    small.write([Node(Label.INDUSTRY_COLLEGE, "IC3", {"university": "别的大学"})], [])
    result = check_eligibility(small, "IC3")
    assert result.eligible
    assert "别的大学" in result.conditions[0].detail_zh
    assert not any(p["lead"] for p in result.to_dict()["partners"])
    assert "高校 1 家" in result.conditions[2].detail_zh


def test_enterprise_role_never_cancels_the_university_lead(small: GraphStore) -> None:
    """The issue's real case: an enterprise partner with role 牵头企业 beside U1 (牵头单位)."""
    small.write(
        [],
        [
            Relationship(
                Rel.PARTNER_OF,
                Label.ENTERPRISE,
                "E3",
                Label.INDUSTRY_COLLEGE,
                "IC1",
                {"role": "牵头企业"},
            )
        ],
    )
    result = check_eligibility(small, "IC1")
    assert result.eligible
    lead = result.conditions[0]
    assert lead.met and "U1" in lead.detail_en and "E3" not in lead.detail_en
    assert [p["id"] for p in result.to_dict()["partners"] if p["lead"]] == ["U1"]


def test_university_named_by_the_college_leads_without_a_partner_row(small: GraphStore) -> None:
    """The issue's other case: `university` filled, no university organisation among partners."""
    small.write(
        [Node(Label.INDUSTRY_COLLEGE, "IC5", {"name": "第五产业学院", "university": "甲大学"})],
        [Relationship(Rel.PARTNER_OF, Label.ENTERPRISE, "E1", Label.INDUSTRY_COLLEGE, "IC5")],
    )
    result = check_eligibility(small, "IC5")
    assert result.eligible
    assert result.conditions[0].detail_zh == "牵头高校：甲大学"
    assert result.conditions[2].detail_en == "1 co-applicants, all of listed kinds"


def test_college_without_partners(small: GraphStore) -> None:
    small.write([Node(Label.INDUSTRY_COLLEGE, "IC4", {"name": "空产业学院"})], [])
    result = check_eligibility(small, "IC4")
    assert [c.key for c in result.unmet] == ["university_lead", "srdi_enterprise", "partner_types"]
    assert "没有高校" in result.conditions[0].detail_zh
    with pytest.raises(NotFound):
        check_eligibility(small, "IC9")
