"""`chanjiao talent …`: students against positions (DESIGN §4b), thin shells over
`chanjiao.analysis.talent` and `chanjiao.report.talent`."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from chanjiao.analysis.talent import (
    ENV_CERTIFICATE_LEVEL,
    ENV_THRESHOLD,
    TalentSettings,
    cohort_readiness,
    match_position,
    student_profile,
)
from chanjiao.commands.common import StoreOption, err, out, store_at, styled, user_errors
from chanjiao.graph.schema import LEVEL_WORDS, StudentStatus, parse_choice, zh_word

talent_app = typer.Typer(
    help="人才和岗位大数据库：学生能力画像、岗位候选人、年级准备度与匹配报告。"
    " Students' readiness for positions.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add `chanjiao talent …` to the main app."""
    app.add_typer(talent_app, name="talent")


class Fmt(StrEnum):
    table = "table"
    json = "json"


class ReportFmt(StrEnum):
    html = "html"
    xlsx = "xlsx"
    json = "json"


FormatOption = Annotated[Fmt, typer.Option("--format", "-f", help="输出格式 table / json。")]
ThresholdOption = Annotated[
    float,
    typer.Option(
        "--threshold",
        envvar=ENV_THRESHOLD,
        help="胜任的准备度阈值（0–1）。Readiness at which a student counts as ready.",
    ),
]
CertificateOption = Annotated[
    int,
    typer.Option(
        "--certificate-level",
        envvar=ENV_CERTIFICATE_LEVEL,
        help="持有证书计为的能力等级（1–4，默认 3 掌握）。Level a held certificate gives.",
    ),
]
PseudonymiseOption = Annotated[
    bool, typer.Option("--pseudonymise", help="学生姓名化名。Replace student names by pseudonyms.")
]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _missing(items: list[dict[str, Any]], limit: int = 4) -> str:
    text = "、".join(f"{m['ability']} {m['attained']}→{m['required']}" for m in items[:limit])
    return text + (" …" if len(items) > limit else "") if text else "—"


def _json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@talent_app.command("match")
@user_errors
def match_command(
    position: Annotated[str, typer.Argument(help="岗位编号 position id.")],
    cohort: Annotated[str | None, typer.Option("--cohort", help="只看一个年级 cohort.")] = None,
    major: Annotated[str | None, typer.Option("--major", help="只看一个专业 major id.")] = None,
    fmt: FormatOption = Fmt.table,
    top: Annotated[int, typer.Option("--top", help="表格中显示的人数。")] = 20,
    threshold: ThresholdOption = 0.8,
    certificate_level: CertificateOption = 3,
    pseudonymise: PseudonymiseOption = False,
    store: StoreOption = None,
) -> None:
    """岗位的候选学生，按准备度排序，并列出每人还缺的能力。Candidates for a position."""
    settings = TalentSettings(threshold, certificate_level)
    with store_at(store) as graph:
        found = match_position(
            graph,
            position,
            cohort=cohort,
            major=major,
            settings=settings,
            pseudonymise=pseudonymise,
        )
    if fmt is Fmt.json:
        _json(found.to_dict())
        return
    p = found.position
    ready = sum(1 for s in found.students if s["readiness"] >= settings.threshold)
    out.print(
        styled("[bold]{}[/]（{}）", p.name, p.id)
        + f" 候选学生 candidates: {len(found.students)}"
        + (f" · 年级 cohort {cohort}" if cohort else "")
        + (f" · 专业 major {major}" if major else "")
        + f" · 胜任 ready (≥ {_pct(settings.threshold)}): {ready}",
        highlight=False,
    )
    table = Table(
        title="候选人 Candidates（缺：能力 达到→要求 missing: ability attained→required）"
    )
    for column in ("#", "学生 Student", "准备度 Readiness", "还缺 Missing"):
        table.add_column(column, justify="right" if column in ("#", "准备度 Readiness") else "left")
    for rank, s in enumerate(found.students[:top], start=1):
        table.add_row(
            str(rank),
            f"{s['name']} ({s['id']})",
            _pct(s["readiness"]),
            _missing(s["missing"]),
        )
    out.print(table)
    if len(found.students) > top:
        out.print(f"… 另有 {len(found.students) - top} 人 (more: use --top or --format json)")


@talent_app.command("profile")
@user_errors
def profile_command(
    student: Annotated[str, typer.Argument(help="学号 student id.")],
    chain: Annotated[
        str | None, typer.Option("--chain", "-c", help="只看一条产业链的岗位 one chain.")
    ] = None,
    fmt: FormatOption = Fmt.table,
    top: Annotated[int, typer.Option("--top", help="表格中显示的岗位数。")] = 15,
    threshold: ThresholdOption = 0.8,
    certificate_level: CertificateOption = 3,
    store: StoreOption = None,
) -> None:
    """学生的能力画像与对每个岗位的准备度。A student's abilities and readiness."""
    settings = TalentSettings(threshold, certificate_level)
    with store_at(store) as graph:
        profile = student_profile(graph, student, chain, settings).to_dict()
    if fmt is Fmt.json:
        _json(profile)
        return
    s = profile["student"]
    status = parse_choice(StudentStatus, s["status"]) if s["status"] else None
    out.print(
        styled("[bold]{}[/]（{}）", s["name"], s["id"]) + f" 年级 cohort {s['cohort'] or '—'} · "
        f"专业 major {s['major'] or '—'} · {zh_word(status) if status else '—'}",
        highlight=False,
    )
    passed = sum(1 for r in profile["results"] if r["passed"])
    out.print(
        f"课程 courses: {len(profile['results'])}（通过 passed {passed}） · "
        f"证书 certificates: {'、'.join(profile['certificates']) or '—'}",
        highlight=False,
        markup=False,
    )
    table = Table(title="能力画像 Ability profile（达到等级 attained level）")
    for column in ("能力 Ability", "等级 Level", "来源 From"):
        table.add_column(column)
    for a in profile["abilities"]:
        table.add_row(
            f"{a['name']} ({a['ability']})",
            f"{a['attained']} {LEVEL_WORDS[a['attained']]}",
            "、".join(
                f"{'课程' if x['kind'] == 'course' else '证书'} {x['id']}({x['level']})"
                for x in a["sources"]
            ),
        )
    out.print(table)
    scope = f"{profile['chain_name']}（{profile['chain']}）" if profile["chain"] else "全部岗位 all"
    table = Table(title=f"岗位准备度 Readiness · {scope}")
    for column in ("岗位 Position", "环节 Segment", "准备度 Readiness", "还缺 Missing"):
        table.add_column(column, justify="right" if column == "准备度 Readiness" else "left")
    for p in profile["positions"][:top]:
        mark = " ✓" if p["ready"] else ""
        table.add_row(
            f"{p['name']} ({p['id']})",
            p["segment"] or "—",
            _pct(p["readiness"]) + mark,
            _missing(p["missing"]),
        )
    out.print(table)
    if profile["unmodelled_positions"]:
        out.print(
            f"未建模岗位 unmodelled: {'、'.join(profile['unmodelled_positions'])}", markup=False
        )


def print_cohort(data: dict[str, Any]) -> None:
    """The cohort readiness as tables (the demo prints it too)."""
    out.print(
        styled(
            "[bold]{} 级[/] × [bold]{}[/]（{}）", data["cohort"], data["chain_name"], data["chain"]
        )
        + f" · 学生 students {data['student_count']} · 阈值 threshold {_pct(data['threshold'])}",
        highlight=False,
    )
    out.print(
        styled("全链准备度 Chain readiness: [bold]{}[/] · ", _pct(data["share"]))
        + f"至少胜任一个岗位 ready for any: {_pct(data['ready_any'])}",
        highlight=False,
    )
    table = Table(title="环节准备度 Readiness per segment")
    for column in ("环节 Segment", "岗位 Positions", "准备度 Share", "胜任任一 Ready any"):
        table.add_column(column, justify="left" if column.startswith("环节") else "right")
    for s in data["segments"]:
        table.add_row(
            f"{s['name']} ({s['id']})",
            str(s["positions"]),
            _pct(s["share"]),
            _pct(s["ready_any"]),
        )
    out.print(table)
    by_id = {p["id"]: p for p in data["positions"]}
    table = Table(title="最需补强的岗位 Least ready positions")
    for column in ("岗位 Position", "胜任 Ready", "比例 Share", "平均准备度 Mean"):
        table.add_column(column, justify="left" if column.startswith("岗位") else "right")
    for pid in data["least_ready"]:
        p = by_id[pid]
        table.add_row(
            f"{p['name']} ({p['id']})",
            f"{p['ready']}/{data['student_count']}",
            _pct(p["share"]),
            _pct(p["mean_readiness"]),
        )
    out.print(table)
    table = Table(title="提升最多学生的能力 Abilities that lift the most students")
    for column in ("能力 Ability", "学生 Students", "课程 Courses", "证书 Certificates"):
        table.add_column(column, justify="right" if column.startswith("学生") else "left")
    for lift in data["lifts"]:
        table.add_row(
            f"{lift['name']} ({lift['ability']})",
            str(lift["students"]),
            "、".join(lift["courses"]) or "—",
            "、".join(lift["certificates"]) or "—",
        )
    out.print(table)


@talent_app.command("cohort")
@user_errors
def cohort_command(
    cohort: Annotated[str, typer.Argument(help="年级 cohort, e.g. 2023.")],
    chain: Annotated[str, typer.Option("--chain", "-c", help="产业链编号 chain id.")],
    major: Annotated[str | None, typer.Option("--major", help="只看一个专业 major id.")] = None,
    fmt: FormatOption = Fmt.table,
    threshold: ThresholdOption = 0.8,
    certificate_level: CertificateOption = 3,
    pseudonymise: PseudonymiseOption = False,
    store: StoreOption = None,
) -> None:
    """年级对产业链各岗位、各环节的准备度。A cohort's readiness for a chain."""
    settings = TalentSettings(threshold, certificate_level)
    with store_at(store) as graph:
        result = cohort_readiness(graph, cohort, chain, major=major, settings=settings)
    data = result.to_dict(pseudonymise=pseudonymise)
    if fmt is Fmt.json:
        _json(data)
        return
    print_cohort(data)


@talent_app.command("report")
@user_errors
def report_command(
    cohort: Annotated[str, typer.Argument(help="年级 cohort, e.g. 2023.")],
    chain: Annotated[str, typer.Option("--chain", "-c", help="产业链编号 chain id.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="报告文件。")],
    fmt: Annotated[
        ReportFmt, typer.Option("--format", "-f", help="html / xlsx / json。")
    ] = ReportFmt.html,
    major: Annotated[str | None, typer.Option("--major", help="只看一个专业 major id.")] = None,
    threshold: ThresholdOption = 0.8,
    certificate_level: CertificateOption = 3,
    pseudonymise: PseudonymiseOption = False,
    store: StoreOption = None,
) -> None:
    """人才与岗位匹配报告（HTML 可打印、XLSX）。The talent match report of a cohort × chain."""
    from chanjiao.report.talent import gather_talent_report, write_talent_report

    settings = TalentSettings(threshold, certificate_level)
    with store_at(store) as graph:
        report = gather_talent_report(
            graph, cohort, chain, major=major, settings=settings, pseudonymise=pseudonymise
        )
    path = write_talent_report(report, output, fmt.value)
    err.print(f"已写入 written: {path}", highlight=False)
    if fmt is ReportFmt.html:
        err.print(
            f"用浏览器打开即可（无需联网）。Open it in a browser: {path.resolve().as_uri()}",
            highlight=False,
        )
