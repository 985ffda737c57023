"""The HTML gap report of tests/data/valid/small, with shortfalls checked by hand, opened in
headless Chromium.

Shortfalls of K1 (C(K1) = C1, C2, C3, C5; see tests/test_gaps.py), on paper:

    TEACHES: T2 → C1 only; T2 is not dual-qualified (T1 teaches nothing)
      teachers of C(K1) = {T2}: 1, dual-qualified 0 (0 %)
      courses without a dual-qualified teacher: C1 (1 teacher), C2, C3, C5 (0 teachers)
    USED_IN: B1 → C4 (not in K1), B2 → C2
      courses without a textbook: C1, C3, C5
    required skills (category 技能): A1, A2, A4; A2 and A4 have R2 (R2 SUPPORTS C2, which
    covers them); A1 is covered by C1 only, which no resource supports
      skills without a training resource: A1 (the report's numbers are `plan resources`')
    adding skill ability A7 required by P2 (level 2), covered by nothing and supported by
    nothing: [A1, A7]
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.schema import Label, Node, Rel, Relationship
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.load import ingest
from chanjiao.report.html import gap_report_html, gather_report, write_gap_report
from tests.test_views import IMG, assert_drew, assert_offline, drawn, screenshot
from tests.util import SMALL


def test_shortfalls_by_hand(small: GraphStore) -> None:
    short = gather_report(small, "K1", "H1").shortfalls.to_dict()
    assert short["course_teachers"] == ["T2"] and short["dual_qualified_teachers"] == []
    assert short["summary"]["dual_qualified_share"] == 0.0
    assert short["courses_without_dual_teacher"] == [
        {"course": "C1", "name": "半导体材料", "teachers": ["T2"]},
        {"course": "C2", "name": "光刻工艺", "teachers": []},
        {"course": "C3", "name": "大学体育", "teachers": []},
        {"course": "C5", "name": "军事理论", "teachers": []},
    ]
    assert [c["course"] for c in short["courses_without_textbook"]] == ["C1", "C3", "C5"]
    assert [g["ability"] for g in short["skills_without_resource"]] == ["A1"]

    small.write(
        [Node(Label.ABILITY, "A7", {"name": "键合", "category": "skill"})],
        [
            Relationship(
                Rel.REQUIRES, Label.POSITION, "P2", Label.ABILITY, "A7", {"level": 2, "weight": 1.0}
            )
        ],
    )
    short = gather_report(small, "K1", "H1").shortfalls.to_dict()
    assert [g["ability"] for g in short["skills_without_resource"]] == ["A1", "A7"]


@pytest.fixture
def small_db(tmp_path: Path) -> str:
    path = tmp_path / "small.db"
    with EmbeddedStore(path) as store:
        ingest(store, SMALL)
    return str(path)


def test_report_shortfalls_are_the_planning_command_s(small_db: str) -> None:
    """One shortfall analysis: `report --format json` carries what `plan resources` prints."""
    from typer.testing import CliRunner

    from chanjiao.cli import app

    runner = CliRunner()
    args = ["-k", "K1", "-c", "H1", "-s", small_db]
    report = runner.invoke(app, ["report", *args, "-f", "json"])
    plan = runner.invoke(app, ["plan", "resources", *args, "-f", "json"])
    assert report.exit_code == 0 and plan.exit_code == 0, report.stderr + plan.stderr
    shortfalls = json.loads(report.stdout)["shortfalls"]
    assert shortfalls == json.loads(plan.stdout)
    assert shortfalls["summary"]["skills_without_resource"] == 1  # A1, by hand above
    markdown = runner.invoke(app, ["report", *args, "-f", "md"]).stdout
    assert "没有实训资源的技能 Skills without a training resource：1" in markdown


def test_dual_teacher_counts(small: GraphStore) -> None:
    """Making T2 dual-qualified leaves C2, C3, C5 without one; share 1/1."""
    small.write([Node(Label.TEACHER, "T2", {"dual_qualified": True})], [])
    short = gather_report(small, "K1", "H1").shortfalls
    assert [c["course"] for c in short.courses_without_dual_teacher] == ["C2", "C3", "C5"]
    assert short.dual_qualified_share == 1.0


def test_report_sections_and_offline(small: GraphStore) -> None:
    html = gap_report_html(small, "K1", "H1")
    assert_offline(html)
    for heading in (
        "概况",
        "产业链与环节覆盖率",
        "岗位 × 能力 矩阵",
        "优先差距及补齐资源",
        "孤立课程",
        "未建模岗位",
        "师资、教材与实训资源短板",
        "专业群 × 产业链 图谱",
    ):
        assert heading in html
    assert "@page { size: A4" in html and "@media print" in html
    assert '<svg class="chart"' in html
    segment_only = gap_report_html(small, "K1", "H1", "S1")
    assert "环节 segment S1" in segment_only and "光刻工艺员" not in segment_only.split("图谱")[0]


def test_report_in_chromium(small: GraphStore, tmp_path: Path) -> None:
    html = gap_report_html(small, "K1", "H1")
    page, probe = drawn(html, tmp_path, "report")
    assert_drew(page, probe, 18)
    text = page.visible
    for words in ("专业群能力差距分析报告", "67.9%", "切磨抛", "1.3333", "设备工程师", "军事理论"):
        assert words in text, words
    # The heat-map: A4 required at 3 by P2, taught 1 → a partial cell holding 3.
    cells = [a for t, a in page.elements if t == "td" and a.get("class") == "partial"]
    assert len(cells) == 2  # A2 for P3 and A4 for P2
    assert len([a for t, a in page.elements if t == "td" and a.get("class") == "missing"]) == 2
    assert len([a for t, a in page.elements if t == "td" and a.get("class") == "covered"]) == 3
    # The coverage chart: one bar for the chain and each scored segment (S3 has none).
    bars = [a for t, a in page.elements if t == "rect" and a.get("x") == "230"]
    assert [b["width"] for b in bars] == ["298.8", "313.7", "165.0"]  # 67.9 %, 71.3 %, 37.5 %


def test_sample_report_screenshot(tmp_path: Path) -> None:
    """The sample college's report, drawn in Chromium and saved for the README."""
    from chanjiao.cli import sample_path
    from chanjiao.graph.embedded import EmbeddedStore
    from chanjiao.ingest.load import ingest

    with EmbeddedStore(tmp_path / "s.db") as store:
        ingest(store, sample_path())
        path = write_gap_report(store, "K-IC", "CH-SEMI3", None, tmp_path / "report.html")
    html = path.read_text(encoding="utf-8")
    page, probe = drawn(html, tmp_path, "sample-report")
    assert "集成电路技术专业群" in page.visible and "71.0%" in page.visible
    assert int(probe["data-inked"]) > 500
    screenshot(tmp_path / "sample-report.html", IMG / "gap-report.png", size="1280,2000")


def test_report_has_the_planning_sections(small: GraphStore) -> None:
    """Issue #6 sections, by hand on tests/data/valid/small.

    C(K1) = C1, C2, C3, C5 use one textbook, B2 (国家规划教材, standard): 1 of 1.
    IC1 builds K1 with U1 (高校, 牵头单位) and E1 (小巨人, 共建企业): every condition met.
    """
    from chanjiao.report.html import gap_report_html

    data = gather_report(small, "K1", "H1")
    kinds = {row.value: row.count for row in data.shortfalls.textbook_kinds}
    assert kinds["national_planned"] == 1 and kinds["school_enterprise"] == 0
    [college] = data.planning["eligibility"]
    assert college["college"] == "IC1" and college["eligible"] is True
    page = gap_report_html(small, "K1", "H1")
    for heading in ("教材体系", "岗课赛证", "合作企业", "申报条件", "符合 eligible"):
        assert heading in page
