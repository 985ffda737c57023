"""The 人才与岗位匹配 report of a cohort against a chain: printable HTML and XLSX.

Both are rendered from `chanjiao.analysis.talent.cohort_readiness` and never compute
a number of their own. Student names can be pseudonymised (`pseudonym`); names only
ever appear as escaped text (HTML) or text cells (XLSX, formula starts neutralised).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from chanjiao.analysis.talent import CohortReadiness, TalentSettings, cohort_readiness
from chanjiao.graph.schema import Label
from chanjiao.graph.store import GraphReads
from chanjiao.report.html import environment
from chanjiao.report.xlsx import _sheet


@dataclass(slots=True)
class TalentReport:
    """A cohort's readiness and the display names its report needs."""

    readiness: CohortReadiness
    names: dict[str, str]
    pseudonymise: bool

    def to_dict(self) -> dict[str, Any]:
        return self.readiness.to_dict(pseudonymise=self.pseudonymise)


def gather_talent_report(
    store: GraphReads,
    cohort: str,
    chain_id: str,
    *,
    major: str | None = None,
    settings: TalentSettings | None = None,
    pseudonymise: bool = False,
) -> TalentReport:
    """The readiness of `cohort` for `chain_id`, with names of what the report mentions."""
    with store.reading():
        readiness = cohort_readiness(store, cohort, chain_id, major=major, settings=settings)
        courses = {c for lift in readiness.lifts for c in lift["courses"]}
        certificates = {c for lift in readiness.lifts for c in lift["certificates"]}
        names = {s: n for s, n in readiness.scope.segments}
        for label, ids in (
            (Label.COURSE, courses),
            (Label.CERTIFICATE, certificates),
            (Label.MAJOR, {major} if major else set()),
        ):
            names.update({i: node.name for i, node in store.nodes(label, sorted(ids)).items()})
    return TalentReport(readiness, names, pseudonymise)


def talent_report_html(report: TalentReport) -> str:
    """The report as one self-contained, printable HTML page."""
    data = report.to_dict()
    return (
        environment()
        .get_template("talent.html")
        .render(
            r=data,
            names=report.names,
            matrix=report.readiness.matrix,
            positions_by_id={p["id"]: p for p in data["positions"]},
            pseudonymised=report.pseudonymise,
        )
    )


def _named(ids: list[str], names: dict[str, str]) -> str:
    return "、".join(f"{names[i]}（{i}）" if i in names else i for i in ids)


def talent_workbook(report: TalentReport) -> Workbook:
    """The report as a workbook: summary, segments, positions, lifts, students."""
    r = report.to_dict()
    names = report.names
    book = Workbook()
    book.remove(book.active)
    _sheet(
        book,
        "概况 Summary",
        ["项目 Item", "值 Value"],
        [
            ["年级 Cohort", r["cohort"]],
            ["专业 Major", r["major"] or "全部 all"],
            ["产业链 Chain", f"{r['chain_name']}（{r['chain']}）"],
            ["准备度阈值 Threshold", r["threshold"]],
            ["证书计为等级 Certificate level", r["certificate_level"]],
            ["学生数 Students", r["student_count"]],
            ["全链准备度 Chain readiness", r["share"]],
            ["至少胜任一个岗位 Ready for any", r["ready_any"]],
            ["姓名已化名 Names pseudonymised", "是" if report.pseudonymise else "否"],
        ],
    )
    _sheet(
        book,
        "环节 Segments",
        ["环节编号 Id", "环节 Segment", "岗位 Positions", "准备度 Share", "胜任任一 Ready any"],
        [[s["id"], s["name"], s["positions"], s["share"], s["ready_any"]] for s in r["segments"]],
        percent=(4, 5),
    )
    _sheet(
        book,
        "岗位 Positions",
        [
            "岗位编号 Id",
            "岗位 Position",
            "环节 Segment",
            "需求 Demand",
            "胜任人数 Ready",
            "胜任比例 Share",
            "平均准备度 Mean",
        ],
        [
            [
                p["id"],
                p["name"],
                p["segment"],
                p["demand"],
                p["ready"],
                p["share"],
                p["mean_readiness"],
            ]
            for p in r["positions"]
        ],
        percent=(6, 7),
    )
    _sheet(
        book,
        "提升能力 Lifts",
        [
            "能力编号 Id",
            "能力 Ability",
            "学生 Students",
            "组合 Pairs",
            "岗位 Positions",
            "课程 Courses",
            "证书 Certificates",
        ],
        [
            [
                lift["ability"],
                lift["name"],
                lift["students"],
                lift["pairs"],
                "、".join(lift["positions"]),
                _named(lift["courses"], names),
                _named(lift["certificates"], names),
            ]
            for lift in r["lifts"]
        ],
    )
    matrix = report.readiness.matrix
    position_ids = [p["id"] for p in r["positions"]]
    _sheet(
        book,
        "学生 Students",
        ["学号 Id", "姓名 Name", "专业 Major", *position_ids, "胜任岗位 Ready for"],
        [
            [
                s["id"],
                s["name"],
                s["major"],
                *(matrix[s["id"]][p] for p in position_ids),
                "、".join(s["ready_for"]),
            ]
            for s in r["students"]
        ],
        percent=tuple(range(4, 4 + len(position_ids))),
        freeze="D2",
    )
    return book


def talent_xlsx_bytes(report: TalentReport) -> bytes:
    buffer = io.BytesIO()
    talent_workbook(report).save(buffer)
    return buffer.getvalue()


def write_talent_report(report: TalentReport, path: str | Path, fmt: str = "html") -> Path:
    """Write the report as ``html`` or ``xlsx`` (or ``json``) to `path`."""
    import json

    target = Path(path)
    if fmt == "xlsx":
        target.write_bytes(talent_xlsx_bytes(report))
    elif fmt == "json":
        text = json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
        target.write_text(text, encoding="utf-8")
    else:
        target.write_text(talent_report_html(report), encoding="utf-8")
    return target
