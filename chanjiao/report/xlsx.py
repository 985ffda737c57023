"""The gap report as an Excel workbook: one sheet per section, for leadership and reviewers.

Every sheet has a frozen header row and column widths; coverage columns carry a
three-colour scale. No cell is ever a formula: a text value starting with ``=``,
``+``, ``-``, ``@`` (or a tab or carriage return, which spreadsheets also treat as a
formula start) gets a leading single quote, so a name like ``=HYPERLINK(...)`` shows as
text and never runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from chanjiao.analysis.scoring import STATUS_ZH
from chanjiao.graph.schema import AbilityCategory, zh_word
from chanjiao.report.html import ReportData
from chanjiao.report.markdown import CLOSER_HEADERS, TAUGHT_PARTLY_HEADER, taught_partly_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: The prefix that keeps a text cell from being read as a formula.
NEUTRALISER = "'"

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="EEF3F7")
_STATUS_FILL = {
    "covered": PatternFill("solid", fgColor="C8ECD6"),
    "partial": PatternFill("solid", fgColor="FDE2B0"),
    "missing": PatternFill("solid", fgColor="F8C4BF"),
}
_PERCENT = "0.0%"


def safe_text(value: str) -> str:
    """Text a spreadsheet shows as text: formula starts neutralised, illegal characters gone."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_STARTS):
        return NEUTRALISER + value
    return value


def _value(value: Any) -> Any:
    if isinstance(value, str):
        return safe_text(value)
    return value


def _width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _sheet(
    book: Workbook,
    title: str,
    headers: list[str],
    rows: list[list[Any]],
    *,
    percent: tuple[int, ...] = (),
    freeze: str = "A2",
    max_width: int = 60,
) -> Worksheet:
    """A sheet with a bold frozen header row, the rows, widths and percentage formats.

    Args:
        percent: 1-based columns holding coverages (formatted as % with a colour scale).
    """
    sheet = book.create_sheet(title)
    sheet.append([_value(h) for h in headers])
    for cell in sheet[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in rows:
        sheet.append([_value(v) for v in row])
    sheet.freeze_panes = freeze
    for index, header in enumerate(headers, start=1):
        widest = max([_width(header), *(_width(r[index - 1]) for r in rows if index <= len(r))])
        sheet.column_dimensions[get_column_letter(index)].width = min(max_width, widest + 2)
    last = len(rows) + 1
    for column in percent:
        letter = get_column_letter(column)
        for (cell,) in sheet.iter_rows(min_row=2, max_row=last, min_col=column, max_col=column):
            cell.number_format = _PERCENT
        if rows:
            sheet.conditional_formatting.add(
                f"{letter}2:{letter}{last}",
                ColorScaleRule(
                    start_type="num",
                    start_value=0,
                    start_color="F8C4BF",
                    mid_type="num",
                    mid_value=0.7,
                    mid_color="FDE2B0",
                    end_type="num",
                    end_value=1,
                    end_color="C8ECD6",
                ),
            )
    return sheet


def _named(ids: list[str], names: dict[str, str]) -> str:
    return "、".join(f"{names[i]}（{i}）" if i in names else i for i in ids)


def gap_workbook(data: ReportData) -> Workbook:
    """The report as an openpyxl workbook: the sheets of the HTML report, in its order.

    Sheets: 概况, 环节覆盖, 岗位覆盖, 能力矩阵, 优先差距, 孤立课程, 未建模岗位, 资源短板,
    教材体系, 岗课赛证, 合作企业, 申报条件, 说明.
    """
    book = Workbook()
    book.remove(book.active)
    _summary_sheet(book, data)
    _segment_sheet(book, data)
    _position_sheet(book, data)
    _heatmap_sheet(book, data)
    _gap_sheet(book, data)
    _list_sheets(book, data)
    _shortfall_sheet(book, data)
    _planning_sheets(book, data)
    _notes_sheet(book)
    return book


def _summary_sheet(book: Workbook, data: ReportData) -> None:
    r = data.report
    counts = r["summary"]["requirements"]
    short = data.shortfalls
    summary = [
        ["专业群 Cluster", f"{r['cluster_name']}（{r['cluster']}）"],
        ["产业链 Chain", f"{r['chain_name']}（{r['chain']}）"],
        ["环节 Segment", r["segment"] or "全部 all"],
        ["总体覆盖率 Overall coverage", r["coverage"]],
        ["专业群课程 Courses in C(K)", r["summary"]["curriculum_courses"]],
        ["评分岗位 Scored positions", r["summary"]["scored_positions"]],
        ["已覆盖要求 Covered", counts["covered"]],
        ["部分覆盖 Partial", counts["partial"]],
        ["缺失 Missing", counts["missing"]],
        ["差距能力 Gaps", len(r["gaps"])],
        ["未建模岗位 Unmodelled positions", len(r["unmodelled_positions"])],
        ["孤立课程 Orphan courses", len(r["orphan_courses"])],
        ["任课教师 Teachers of C(K)", len(short.course_teachers)],
        ["其中双师双能型 Dual-qualified", len(short.dual_qualified_teachers)],
        ["双师双能型占比 Dual-qualified share", short.dual_qualified_share],
    ]
    sheet = _sheet(book, "概况 Summary", ["项目 Item", "数值 Value"], summary)
    sheet["B5"].number_format = _PERCENT
    sheet["B16"].number_format = _PERCENT


def _segment_sheet(book: Workbook, data: ReportData) -> None:
    r = data.report
    segments = [
        ["全链", "全产业链 whole chain", r["coverage"], None, r["summary"]["scored_positions"]]
    ]
    segments += [
        [s["id"], s["name"], s["coverage"], s["demand"], s["positions"]] for s in r["segments"]
    ]
    _sheet(
        book,
        "环节覆盖 Segments",
        [
            "环节编号 Segment id",
            "环节 Segment",
            "覆盖率 Coverage",
            "需求人数 Demand",
            "岗位数 Positions",
        ],
        segments,
        percent=(3,),
    )


def _position_sheet(book: Workbook, data: ReportData) -> None:
    r = data.report
    positions = []
    for p in r["positions"]:
        status = {"covered": 0, "partial": 0, "missing": 0}
        for req in p["requirements"]:
            status[req["status"]] += 1
        unmet = [
            f"{q['name']}（{q['ability']}，{q['taught']}/{q['required']}）"
            for q in p["requirements"]
            if q["status"] != "covered"
        ]
        positions.append(
            [
                p["id"],
                p["name"],
                p["segment"],
                p["demand"],
                p["coverage"],
                status["covered"],
                status["partial"],
                status["missing"],
                "、".join(unmet),
            ]
        )
    _sheet(
        book,
        "岗位覆盖 Positions",
        [
            "岗位编号 Position id",
            "岗位 Position",
            "环节 Segment",
            "需求人数 Demand",
            "覆盖率 Coverage",
            "已覆盖 Covered",
            "部分覆盖 Partial",
            "缺失 Missing",
            "未达成能力 Unmet",
        ],
        positions,
        percent=(5,),
        max_width=80,
    )


def _heatmap_sheet(book: Workbook, data: ReportData) -> None:
    heat = data.heatmap
    heat_headers = ["能力编号 Ability id", "能力 Ability", "能力域 Parent", "已教 Taught"]
    heat_headers += [f"{name}（{pid}）" for pid, name in heat.positions]
    heat_rows: list[list[Any]] = []
    statuses: list[list[str | None]] = []
    for group in heat.groups:
        for row in group.rows:
            heat_rows.append(
                [row.ability, row.name, group.name, row.taught]
                + [cell[0] if cell else None for cell in row.cells]
            )
            statuses.append([cell[1] if cell else None for cell in row.cells])
    sheet = _sheet(book, "能力矩阵 Heat-map", heat_headers, heat_rows, freeze="E2", max_width=24)
    for r_index, row_status in enumerate(statuses, start=2):
        for c_index, state in enumerate(row_status, start=5):
            if state:
                cell = sheet.cell(row=r_index, column=c_index)
                cell.fill = _STATUS_FILL[state]
                cell.alignment = Alignment(horizontal="center")
    for c_index in range(5, len(heat_headers) + 1):
        sheet.cell(row=1, column=c_index).alignment = Alignment(
            text_rotation=90, horizontal="center", vertical="bottom"
        )
        sheet.column_dimensions[get_column_letter(c_index)].width = 5
    sheet.row_dimensions[1].height = 150


def _gap_sheet(book: Workbook, data: ReportData) -> None:
    r = data.report
    names = data.names
    category = {c.value: zh_word(c) for c in AbilityCategory}
    gaps = []
    for rank, gap in enumerate(r["gaps"], start=1):
        info = data.abilities.get(gap["ability"], {})
        gaps.append(
            [
                rank,
                gap["ability"],
                gap["name"],
                category.get(info.get("category") or "", ""),
                gap["priority"],
                _named(gap["positions"], names),
                taught_partly_text(gap.get("taught_partly", [])),
                *(_named(gap["closers"].get(kind, []), names) for kind in CLOSER_HEADERS),
            ]
        )
    _sheet(
        book,
        "优先差距 Gaps",
        [
            "排名 Rank",
            "能力编号 Ability id",
            "能力 Ability",
            "类别 Category",
            "优先级 Priority",
            "涉及岗位 Positions",
            " ".join(TAUGHT_PARTLY_HEADER),
            *(f"{zh} {en}" for zh, en, _ in CLOSER_HEADERS.values()),
        ],
        gaps,
        max_width=50,
    )


def _list_sheets(book: Workbook, data: ReportData) -> None:
    r = data.report
    names = data.names
    _sheet(
        book,
        "孤立课程 Orphans",
        ["课程编号 Course id", "课程 Course"],
        [[c, names.get(c, c)] for c in r["orphan_courses"]],
    )
    _sheet(
        book,
        "未建模岗位 Unmodelled",
        ["岗位编号 Position id", "岗位 Position"],
        [[p, names.get(p, p)] for p in r["unmodelled_positions"]],
    )


def _shortfall_sheet(book: Workbook, data: ReportData) -> None:
    """The rows of `chanjiao plan resources` (the same analysis, the same numbers)."""
    short = data.shortfalls
    rows: list[list[Any]] = []
    for c in short.courses_without_dual_teacher:
        rows.append(
            [
                "缺少双师双能型教师的课程",
                c["course"],
                c["name"],
                f"任课教师 {len(c['teachers'])} 人",
            ]
        )
    for c in short.courses_without_textbook:
        rows.append(["没有教材的课程", c["course"], c["name"], ""])
    for g in short.skills_without_resource:
        rows.append(
            ["没有实训资源的技能", g["ability"], g["name"], "岗位 " + "、".join(g["positions"])]
        )
    for a in short.abilities_without_expert:
        rows.append(
            ["没有专长教师的能力", a["ability"], a["name"], "岗位 " + "、".join(a["positions"])]
        )
    for item in [*short.stale_textbooks, *short.stale_resources]:
        rows.append(
            ["超过更新年限", item["id"], item["name"], f"{item['year']} 年（{item['age']} 年前）"]
        )
    _sheet(
        book,
        "资源短板 Shortfalls",
        ["短板 Shortfall", "编号 Id", "名称 Name", "说明 Note"],
        rows,
    )


def _planning_sheets(book: Workbook, data: ReportData) -> None:
    """The planning sections of the HTML report: 教材体系, 岗课赛证, 合作企业, 申报条件."""
    short = data.shortfalls
    _sheet(
        book,
        "教材体系 Textbooks",
        ["类别/形态 Kind/format", "数量 Count", "占比 Share", "目标 Target", "还需 Needed"],
        [
            [row.zh, row.count, row.share, row.target, row.needed]
            for row in (*short.textbook_kinds, *short.textbook_formats)
        ],
        percent=(3, 4),
    )
    planning = data.planning
    if not planning:
        return
    credentials = []
    for p in planning["certification"]["positions"]:
        beyond = sorted(
            {a for c in (*p["certificates"], *p["competitions"]) for a in c["beyond_courses"]}
        )
        credentials.append(
            [
                p["id"],
                p["name"],
                "、".join(c["name"] for c in p["certificates"]),
                "、".join(c["name"] for c in p["competitions"]),
                "、".join(beyond),
            ]
        )
    _sheet(
        book,
        "岗课赛证 Credentials",
        [
            "岗位编号 Position id",
            "岗位 Position",
            "证书 Certificates",
            "竞赛 Competitions",
            "课程未达要求的能力 Beyond the courses",
        ],
        credentials,
        max_width=50,
    )
    _sheet(
        book,
        "合作企业 Partners",
        [
            "企业编号 Enterprise id",
            "企业 Enterprise",
            "岗位人数 Headcount",
            "覆盖率 Coverage",
            "缺口 Shortfall",
            "主要差距 Top gaps",
        ],
        [
            [
                e["id"],
                e["name"],
                e["headcount"],
                e["coverage"],
                e["shortfall"],
                "、".join(g["name"] for g in e["gaps"]),
            ]
            for e in planning["partners"]["enterprises"]
        ],
        percent=(4,),
    )
    _sheet(
        book,
        "申报条件 Eligibility",
        ["产业学院 College", "条件 Condition", "是否满足 Met", "说明 Detail"],
        [
            [
                f"{c['name']}（{c['college']}）",
                cond["condition"],
                "是" if cond["met"] else "否",
                cond["detail"],
            ]
            for c in planning["eligibility"]
            for cond in c["conditions"]
        ],
        max_width=70,
    )


def _notes_sheet(book: Workbook) -> None:
    _legend = book.create_sheet("说明 Notes")
    for line in (
        "能力矩阵中的数字是岗位要求的等级（1 了解 · 2 理解 · 3 掌握 · 4 熟练）；底色："
        + "、".join(f"{zh}" for zh in STATUS_ZH.values()),
        "覆盖率、优先级与可补资源的定义见 DESIGN §4；资源短板只统计专业群课程 C(K)。",
        "以 = + - @ 开头的文字前加了单引号，防止被当作公式执行。",
    ):
        _legend.append([line])
    _legend.column_dimensions["A"].width = 100


def write_gap_workbook(data: ReportData, path: str | Path) -> Path:
    """Write the report workbook to `path` and return the path."""
    target = Path(path)
    gap_workbook(data).save(target)
    return target
