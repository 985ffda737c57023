"""The XLSX gap report of tests/data/valid/small read back with openpyxl, cell by cell
(numbers from tests/test_gaps.py and tests/test_report_html.py)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from openpyxl import load_workbook

from chanjiao.graph.schema import Label, Node
from chanjiao.graph.store import GraphStore
from chanjiao.report.html import gather_report
from chanjiao.report.xlsx import safe_text, write_gap_workbook


def rows(sheet: object) -> list[list[object]]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]  # type: ignore[attr-defined]


def test_workbook_cell_by_cell(small: GraphStore, tmp_path: Path) -> None:
    path = write_gap_workbook(gather_report(small, "K1", "H1"), tmp_path / "r.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == [
        "概况 Summary",
        "环节覆盖 Segments",
        "岗位覆盖 Positions",
        "能力矩阵 Heat-map",
        "优先差距 Gaps",
        "孤立课程 Orphans",
        "未建模岗位 Unmodelled",
        "资源短板 Shortfalls",
        "教材体系 Textbooks",
        "岗课赛证 Credentials",
        "合作企业 Partners",
        "申报条件 Eligibility",
        "说明 Notes",
    ]
    summary = dict(rows(book["概况 Summary"])[1:])
    assert summary["总体覆盖率 Overall coverage"] == 0.6792
    assert summary["专业群课程 Courses in C(K)"] == 4
    assert summary["差距能力 Gaps"] == 4
    assert summary["双师双能型占比 Dual-qualified share"] == 0
    assert book["概况 Summary"]["B5"].number_format == "0.0%"

    segments = book["环节覆盖 Segments"]
    assert rows(segments) == [
        [
            "环节编号 Segment id",
            "环节 Segment",
            "覆盖率 Coverage",
            "需求人数 Demand",
            "岗位数 Positions",
        ],
        ["全链", "全产业链 whole chain", 0.6792, None, 3],
        ["S1", "衬底", 0.713, 9, 2],
        ["S2", "晶圆制造", 0.375, 1, 1],
        ["S3", "光电", None, 0, 0],
    ]
    assert segments.freeze_panes == "A2"
    assert segments["C3"].number_format == "0.0%"
    (rule_range,) = [str(r.sqref) for r in segments.conditional_formatting]
    assert rule_range == "C2:C5"
    assert segments.column_dimensions["B"].width >= 10

    positions = rows(book["岗位覆盖 Positions"])
    assert positions[1][:8] == ["P1", "衬底工艺员", "S1", 5, 0.75, 2, 0, 1]
    assert positions[3][:8] == ["P3", "光刻工艺员", "S2", 1, 0.375, 0, 1, 1]

    heat = rows(book["能力矩阵 Heat-map"])
    assert heat[0][4:] == ["衬底工艺员（P1）", "切磨抛技术员（P2）", "光刻工艺员（P3）"]
    assert heat[1:] == [
        ["A1", "晶体生长", "工艺能力域", 3, 3, 2, None],
        ["A2", "光刻", "工艺能力域", 2, 2, None, 4],
        ["A4", "切磨抛", "工艺能力域", 1, None, 3, None],
        ["A3", "外延表征", "未归入能力域", 0, 4, None, None],
        ["A5", "洁净室规范", "未归入能力域", 0, None, None, 2],
    ]
    sheet = book["能力矩阵 Heat-map"]
    assert sheet["G3"].fill.fgColor.rgb.endswith("FDE2B0")  # A2 for P3: partial
    assert sheet["E5"].fill.fgColor.rgb.endswith("F8C4BF")  # A3 for P1: missing
    assert sheet.freeze_panes == "E2"

    gaps = rows(book["优先差距 Gaps"])
    assert gaps[1] == [
        1,
        "A4",
        "切磨抛",
        "技能",
        1.3333,
        "切磨抛技术员（P2）",
        "光刻工艺（C2，1 级）",  # taught partly: C2 covers A4 at 1, P2 requires 3
        None,  # no course outside K1 covers A4 (an empty cell reads back as None)
        "李老师（T2）",
        "光刻工艺教程（B2）",
        "光刻虚拟仿真（R2）",
        None,
        None,
        "集成电路开发及应用（G1）",
    ]
    assert [g[1] for g in gaps[1:]] == ["A4", "A3", "A2", "A5"]
    assert rows(book["孤立课程 Orphans"])[1:] == [["C3", "大学体育"], ["C5", "军事理论"]]
    assert rows(book["未建模岗位 Unmodelled"])[1:] == [["P4", "设备工程师"]]
    shortfalls = rows(book["资源短板 Shortfalls"])[1:]
    assert [(s[0], s[1]) for s in shortfalls] == [
        ("缺少双师双能型教师的课程", "C1"),
        ("缺少双师双能型教师的课程", "C2"),
        ("缺少双师双能型教师的课程", "C3"),
        ("缺少双师双能型教师的课程", "C5"),
        ("没有教材的课程", "C1"),
        ("没有教材的课程", "C3"),
        ("没有教材的课程", "C5"),
        ("没有实训资源的技能", "A1"),  # as `plan resources` (tests/test_plan_resources.py)
        ("没有专长教师的能力", "A2"),
        ("没有专长教师的能力", "A5"),
        ("超过更新年限", "B2"),
        ("超过更新年限", "R1"),
    ]
    assert rows(book["教材体系 Textbooks"])[1:3] == [
        ["国家规划教材", 1, 1, 0.3, 0],
        ["校企合作开发教材", 0, 0, 0.3, 1],
    ]
    assert rows(book["岗课赛证 Credentials"])[1:3] == [
        ["P1", "衬底工艺员", "集成电路开发与测试", None, "A3"],
        ["P2", "切磨抛技术员", None, "集成电路开发及应用", "A4"],
    ]
    assert rows(book["合作企业 Partners"])[1:] == [
        ["E1", "甲企业", 3, 0.75, 0.75, "外延表征"],
        ["E2", "乙企业", 2, 0.75, 0.5, "外延表征"],
    ]
    eligibility = rows(book["申报条件 Eligibility"])[1:]
    assert [(e[1][:3], e[2]) for e in eligibility] == [
        ("由高校", "是"),
        ("至少 ", "是"),
        ("联合申", "是"),
    ]


def test_no_cell_is_a_formula(small: GraphStore, tmp_path: Path) -> None:
    """Names starting with = + - @ are stored as text with a leading quote, everywhere."""
    evil = {
        "C1": '=HYPERLINK("http://evil.example","x")',
        "C3": "+1+1",
        "C5": "-2+3",
        "P4": "@SUM(1,2)",
    }
    small.write(
        [Node(Label.COURSE, c, {"name": n}) for c, n in evil.items() if c.startswith("C")]
        + [Node(Label.POSITION, "P4", {"name": evil["P4"]})],
        [],
    )
    path = write_gap_workbook(gather_report(small, "K1", "H1"), tmp_path / "r.xlsx")
    book = load_workbook(path)
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@")), cell.value
                    texts.append(cell.value)
    assert "'" + evil["C3"] in texts and "'" + evil["P4"] in texts and "'" + evil["C1"] in texts
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(name).decode("utf-8")
    assert safe_text("=1") == "'=1" and safe_text("ok=1") == "ok=1" and safe_text("\t=1") == "'\t=1"
