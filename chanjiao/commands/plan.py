"""`chanjiao plan …`: 专业群 planning commands over `chanjiao.analysis` (thin shells)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from chanjiao.analysis.inputs import (
    DEFAULT_TIME_LIMIT,
    BudgetKind,
    LevelChange,
    Method,
    change_level,
    level_changes,
)
from chanjiao.analysis.resources import (
    DEFAULT_FORMAT_TARGETS,
    DEFAULT_KIND_TARGETS,
    DEFAULT_MAX_AGE,
    ResourceTargets,
)
from chanjiao.analysis.resources import resource_shortfalls as shortfalls
from chanjiao.commands.common import StoreOption, out, store_at, styled, user_errors
from chanjiao.errors import InvalidRequest
from chanjiao.graph.schema import (
    TextbookFormat,
    TextbookKind,
    Tier,
    parse_choice,
    zh_word,
)

plan_app = typer.Typer(
    help="专业群规划：组群、假设分析、资源短板、学期安排、合作企业与申报条件。"
    " Specialty-cluster planning.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add `chanjiao plan …` to the main app."""
    app.add_typer(plan_app, name="plan")


class Fmt(StrEnum):
    table = "table"
    json = "json"


class UnitsChoice(StrEnum):
    both = "both"
    majors = "majors"
    courses = "courses"


FormatOption = Annotated[Fmt, typer.Option("--format", "-f", help="输出格式 table / json。")]
ClusterOption = Annotated[str, typer.Option("--cluster", "-k", help="专业群编号 cluster id.")]
ChainOption = Annotated[
    str | None,
    typer.Option("--chain", "-c", help="产业链编号（默认：专业群面向的产业链）。Chain id."),
]
SegmentOption = Annotated[
    str | None, typer.Option("--segment", help="只看产业链的一个环节 one segment.")
]


def _json(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _pp(value: float | None) -> str:
    """A coverage change in percentage points, signed."""
    return "—" if value is None else f"{value * 100:+.1f}"


# --- cluster ------------------------------------------------------------------------------


@plan_app.command("cluster")
@user_errors
def cluster_command(
    chain: Annotated[str, typer.Option("--chain", "-c", help="产业链编号 chain id.")],
    budget: Annotated[float, typer.Option("--budget", "-b", help="预算：课程门数、学时或学分。")],
    by: Annotated[
        BudgetKind, typer.Option("--by", help="预算单位 courses / hours / credits。")
    ] = BudgetKind.COURSES,
    segment: Annotated[
        list[str] | None, typer.Option("--segment", help="只看这些环节（可重复）。")
    ] = None,
    cluster: Annotated[
        str | None, typer.Option("--cluster", "-k", help="对比的现有专业群。Current cluster.")
    ] = None,
    extend: Annotated[
        bool, typer.Option("--extend", help="保留现有专业群课程，只用预算增补。")
    ] = False,
    major: Annotated[
        list[str] | None, typer.Option("--pool-major", help="候选专业（可重复）；默认全部。")
    ] = None,
    course: Annotated[
        list[str] | None, typer.Option("--pool-course", help="候选课程（可重复）；默认全部。")
    ] = None,
    units: Annotated[
        UnitsChoice, typer.Option("--units", help="候选项：both / majors / courses。")
    ] = UnitsChoice.both,
    method: Annotated[
        Method,
        typer.Option("--method", "-m", help="greedy（默认）/ exact（整数规划）/ both。"),
    ] = Method.GREEDY,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="精确求解的时限（秒）。Exact solver's limit.")
    ] = DEFAULT_TIME_LIMIT,
    fmt: FormatOption = Fmt.table,
    store: StoreOption = None,
) -> None:
    """推荐组群方案：在预算内最大化需求加权覆盖率。Recommend majors and courses for a chain."""
    named = major is not None or course is not None
    pool_majors: list[str] | None = list(major or []) if named else None
    pool_courses: list[str] | None = list(course or []) if named else None
    if units is UnitsChoice.majors:
        pool_courses = []
    elif units is UnitsChoice.courses:
        pool_majors = []
    from chanjiao.analysis.clusters import BUDGET_ZH, build_cluster

    with store_at(store) as graph:
        plan = build_cluster(
            graph,
            chain,
            segment_ids=segment or [],
            budget=budget,
            budget_kind=by,
            pool_majors=pool_majors,
            pool_courses=pool_courses,
            cluster_id=cluster,
            extend=extend,
            method=method,
            time_limit=time_limit,
        )
    if fmt is Fmt.json:
        _json(plan.to_dict())
        return
    unit = BUDGET_ZH[plan.budget_kind]
    out.print(
        styled(
            "产业链 chain [bold]{}[/] · 环节 segments {} · 预算 budget {} {} ({}) · 需求 demand {}",
            plan.chain,
            ", ".join(plan.segments),
            f"{plan.budget:g}",
            unit,
            plan.budget_kind,
            plan.demand,
        )
    )
    out.print(
        f"候选 pool：专业 majors {plan.pool_majors} · 课程 courses {plan.pool_courses}"
        + (f" · 已保留 kept {len(plan.base)} 门" if plan.base else "")
        + (
            f" · 跳过（无{by.value}）skipped {len(plan.skipped_courses)}"
            if plan.skipped_courses
            else ""
        )
    )
    for selection in (plan.greedy, plan.exact):
        if selection is None:
            continue
        title = "贪心 greedy" if selection.method == "greedy" else "精确 exact (HiGHS ILP)"
        table = Table(
            title=f"{title}：覆盖率 coverage {_pct(selection.coverage)} · "
            f"花费 cost {selection.cost:g} {unit} · {selection.status}"
        )
        table.add_column("#", justify="right")
        table.add_column("选择 Pick")
        for column in ("课程数 n", "花费 Cost", "增益 Gain", "累计 Total"):
            table.add_column(column, justify="right")
        for rank, pick in enumerate(selection.picks, start=1):
            kind = "[bold]专业[/] " if pick.kind == "major" else ""
            table.add_row(
                str(rank),
                styled(kind + "{} ({})", pick.name, pick.id),
                str(len(pick.new_courses)),
                f"{pick.cost:g}",
                f"{_pp(pick.coverage_gain)} pp",
                _pct(pick.coverage),
            )
        out.print(table)
    if plan.gap is not None:
        out.print(
            f"精确解与贪心之差 exact − greedy：{_pp(plan.gap / plan.demand if plan.demand else None)} pp"
            f"（相对 relative {(plan.relative_gap or 0) * 100:.2f}%）"
        )
    if plan.current is not None:
        current = plan.current
        out.print(
            styled(
                "现有专业群 current [bold]{}[/]（{}）：覆盖率 coverage {} · {} 门课程 · 花费 cost {} {}",
                current.name,
                current.id,
                _pct(current.coverage),
                len(current.courses),
                f"{current.cost:g}",
                unit,
            )
        )
        out.print(
            f"推荐方案 recommended ({plan.recommended.method})：覆盖率 coverage "
            f"{_pct(plan.recommended.coverage)}，比现有 vs current "
            f"{_pp(_minus(plan.recommended.coverage, current.coverage))} pp；"
            f"仅推荐 only recommended {len(current.only_recommended)} 门，"
            f"仅现有 only current {len(current.only_current)} 门"
        )


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


# --- what-if ------------------------------------------------------------------------------


def _parse_levels(items: list[str]) -> dict[tuple[str, str], int]:
    """``--level C1:A1=3`` options as level changes (a pair given twice is an error)."""
    changes = []
    for item in items:
        target, sep, value = item.partition("=")
        course, colon, ability = target.partition(":")
        level = change_level(value)
        if not sep or not colon or not course.strip() or not ability.strip() or level is None:
            raise InvalidRequest(
                f"--level 应写成 课程:能力=等级（等级 0–4 或 了解/理解/掌握/熟练），实际为“{item}”",
                f"--level must read COURSE:ABILITY=LEVEL (level 0–4 or a word), got '{item}'",
            )
        changes.append(LevelChange(course.strip(), ability.strip(), level))
    return level_changes(changes)


@plan_app.command("what-if")
@user_errors
def what_if_command(
    cluster: ClusterOption,
    chain: ChainOption = None,
    segment: SegmentOption = None,
    add: Annotated[list[str] | None, typer.Option("--add", help="增加课程（可重复）。")] = None,
    remove: Annotated[
        list[str] | None, typer.Option("--remove", help="删除课程（可重复）。")
    ] = None,
    level: Annotated[
        list[str] | None,
        typer.Option("--level", help="设定培养等级 课程:能力=等级，0 表示删除（可重复）。"),
    ] = None,
    fmt: FormatOption = Fmt.table,
    store: StoreOption = None,
) -> None:
    """假设分析：增删课程或调整培养等级后的覆盖率与差距（不写入）。What-if, nothing written."""
    levels = _parse_levels(level or [])
    from chanjiao.analysis.whatif import target_chain, what_if_compare

    with store_at(store) as graph:
        chain_id = target_chain(graph, cluster, chain)
        result = what_if_compare(
            graph,
            cluster,
            chain_id,
            segment,
            add_courses=add or [],
            remove_courses=remove or [],
            coverage=levels,
            with_closers=fmt is Fmt.json,
        )
    if fmt is Fmt.json:
        _json(result.to_dict())
        return
    comparison = result.comparison
    out.print(
        styled(
            "[bold]{}[/]（{}） × [bold]{}[/]（{}） · 未写入 nothing written",
            result.after.cluster_name,
            result.after.cluster,
            result.after.chain_name,
            result.after.chain,
        )
    )
    out.print(
        f"增加 added: {', '.join(comparison.courses_added) or '—'} · "
        f"删除 removed: {', '.join(comparison.courses_removed) or '—'} · "
        f"调整等级 levels set: {len(levels)}"
    )
    out.print(
        styled(
            "总体覆盖率 Overall coverage: {} → [bold]{}[/] ({} pp)",
            _pct(comparison.chain.before),
            _pct(comparison.chain.after),
            _pp(comparison.chain.delta),
        )
    )
    table = Table(title="环节 Segments")
    for column in ("环节 Segment", "之前 Before", "之后 After", "变化 Δ pp"):
        table.add_column(column, justify="left" if column.startswith("环节") else "right")
    for seg in comparison.segments:
        table.add_row(f"{seg.name} ({seg.id})", _pct(seg.before), _pct(seg.after), _pp(seg.delta))
    out.print(table)
    table = Table(title=f"变化的岗位 Positions changed（{len(comparison.positions)}）")
    for column in ("岗位 Position", "之前 Before", "之后 After", "变化 Δ pp"):
        table.add_column(column, justify="left" if column.startswith("岗位") else "right")
    for pos in comparison.positions:
        table.add_row(f"{pos.name} ({pos.id})", _pct(pos.before), _pct(pos.after), _pp(pos.delta))
    out.print(table)
    for title, gaps in (
        ("补上的差距 Gaps closed", comparison.gaps_closed),
        ("新出现的差距 Gaps opened", comparison.gaps_opened),
        ("优先级变化的差距 Gaps changed", comparison.gaps_changed),
    ):
        if not gaps:
            out.print(f"{title}：—")
            continue
        table = Table(title=f"{title}（{len(gaps)}）")
        for column in ("能力 Ability", "之前 Before", "之后 After"):
            table.add_column(column, justify="left" if column.startswith("能力") else "right")
        for gap in gaps:
            table.add_row(f"{gap.name} ({gap.ability})", f"{gap.before:.4f}", f"{gap.after:.4f}")
        out.print(table)


# --- resources ----------------------------------------------------------------------------


def _targets(items: list[str], enum: type[StrEnum], defaults: dict[str, float]) -> dict[str, float]:
    targets = dict(defaults)
    for item in items:
        key, sep, value = item.partition("=")
        member = parse_choice(enum, key)
        try:
            share = float(value.rstrip("%")) / (100 if value.endswith("%") else 1)
        except ValueError:
            share = -1.0
        if not sep or member is None or not 0 <= share < 1:
            allowed = "、".join(m.value for m in enum)
            raise InvalidRequest(
                f"目标应写成 类别=比例（如 校企合作=0.3 或 30%；比例不小于 0 且小于 1；类别可选 {allowed}），"
                f"实际为“{item}”",
                f"a target must read VALUE=SHARE (e.g. school_enterprise=0.3 or 30%, share in "
                f"[0, 1)), got '{item}'",
            )
        targets[member.value] = share
    return {k: v for k, v in targets.items() if v > 0}


@plan_app.command("resources")
@user_errors
def resources_command(
    cluster: ClusterOption,
    chain: ChainOption = None,
    segment: SegmentOption = None,
    kind_target: Annotated[
        list[str] | None,
        typer.Option("--kind-target", help="教材类别目标，如 校企合作=0.3（可重复；=0 取消）。"),
    ] = None,
    format_target: Annotated[
        list[str] | None,
        typer.Option("--format-target", help="教材形态目标，如 活页式=20%（可重复）。"),
    ] = None,
    max_age: Annotated[
        int, typer.Option("--max-age", help="超过此年数未更新即为陈旧。Age limit in years.")
    ] = DEFAULT_MAX_AGE,
    year: Annotated[
        int | None, typer.Option("--year", help="当前年份（默认今年）。Current year.")
    ] = None,
    fmt: FormatOption = Fmt.table,
    store: StoreOption = None,
) -> None:
    """资源短板：双师、教师专长、教材体系、实训资源与更新年限。Resource shortfalls."""
    targets = ResourceTargets(
        textbook_kinds=_targets(kind_target or [], TextbookKind, DEFAULT_KIND_TARGETS),
        textbook_formats=_targets(format_target or [], TextbookFormat, DEFAULT_FORMAT_TARGETS),
        max_age_years=max_age,
    )
    if year is not None:
        targets.current_year = year
    with store_at(store) as graph:
        report = shortfalls(graph, cluster, chain, segment, targets=targets)
    if fmt is Fmt.json:
        _json(report.to_dict())
        return
    data = report.to_dict()
    out.print(
        styled(
            "专业群 cluster [bold]{}[/] × 产业链 chain [bold]{}[/] · 教学团队 team {} 人 · "
            "教材 textbooks {} 种",
            report.cluster,
            report.chain,
            len(report.team),
            len(report.textbooks),
        )
    )
    table = Table(title="短板概览 Summary")
    table.add_column("项目 Item")
    table.add_column("数量 Count", justify="right")
    rows = [
        (
            "无双师型教师的课程 courses without a dual-qualified teacher",
            "courses_without_dual_teacher",
        ),
        (
            "无教师擅长的岗位能力 required abilities no teacher is expert in",
            "abilities_without_expert",
        ),
        ("无教材的课程 courses without a textbook", "courses_without_textbook"),
        ("未达标的教材结构目标 textbook targets missed", "textbook_targets_missed"),
        ("无实践实训资源的技能 skills without a practice resource", "skills_without_resource"),
        (
            f"超过 {targets.max_age_years} 年未更新 older than {targets.max_age_years} years",
            "stale",
        ),
    ]
    for label, key in rows:
        table.add_row(label, str(data["summary"][key]))
    out.print(table)
    table = Table(title="教材体系 Textbook system（目标为最低比例 targets are minimum shares）")
    for column in (
        "类别/形态 Kind/format",
        "数量 Count",
        "占比 Share",
        "目标 Target",
        "还需 Needed",
    ):
        table.add_column(column, justify="left" if column.startswith("类别") else "right")
    for row in (*report.textbook_kinds, *report.textbook_formats):
        table.add_row(
            f"{row.zh} ({row.value})",
            str(row.count),
            _pct(row.share),
            _pct(row.target),
            str(row.needed) if row.target is not None else "—",
        )
    out.print(table)
    _list(
        "无双师型教师的课程 Courses without a dual-qualified teacher",
        [f"{c['name']} ({c['course']})" for c in report.courses_without_dual_teacher],
    )
    _list(
        "无教师擅长的能力 Abilities no teacher is expert in",
        [
            f"{a['name']} ({a['ability']})"
            + (f" ← 可引进 {', '.join(a['candidates'])}" if a["candidates"] else "")
            for a in report.abilities_without_expert
        ],
    )
    _list(
        "无教材的课程 Courses without a textbook",
        [f"{c['name']} ({c['course']})" for c in report.courses_without_textbook],
    )
    _list(
        "无实践实训资源的技能 Skills without a practice resource",
        [f"{a['name']} ({a['ability']})" for a in report.skills_without_resource],
    )
    _list(
        f"陈旧（{targets.current_year} 年起算）Stale",
        [
            f"{i['name']} ({i['id']}, {i['year']})"
            for i in (*report.stale_textbooks, *report.stale_resources)
        ],
    )


def _list(title: str, items: list[str], limit: int = 12) -> None:
    shown = "、".join(items[:limit]) + (f" …（共 {len(items)}）" if len(items) > limit else "")
    out.print(styled("[bold]{}[/]：{}", title, shown or "—"), highlight=False)


# --- path ---------------------------------------------------------------------------------


@plan_app.command("path")
@user_errors
def path_command(
    position: Annotated[str, typer.Argument(help="岗位编号 position id.")],
    cluster: ClusterOption,
    semesters: Annotated[int, typer.Option("--semesters", help="学期数（默认 6）。")] = 6,
    max_load: Annotated[
        float | None, typer.Option("--max-load", help="每学期最大负荷。Max load per semester.")
    ] = None,
    load_by: Annotated[
        BudgetKind, typer.Option("--load-by", help="负荷单位 courses / hours / credits。")
    ] = BudgetKind.COURSES,
    free: Annotated[
        bool, typer.Option("--free", help="忽略课程已定学期，重新排课。Ignore given semesters.")
    ] = False,
    fmt: FormatOption = Fmt.table,
    store: StoreOption = None,
) -> None:
    """学期安排：把岗位的学习路径排入各学期。A position's learning path as a semester plan."""
    with store_at(store) as graph:
        from chanjiao.analysis.paths import semester_plan

        path = semester_plan(
            graph,
            position,
            cluster,
            semesters=semesters,
            max_load=max_load,
            load_by=load_by,
            keep_semesters=not free,
        )
    if fmt is Fmt.json:
        _json(path.to_dict())
        return
    out.print(
        styled(
            "[bold]{}[/]（{}） · 专业群 {} · {} 个学期 semesters · 每学期上限 max load {} ({})",
            path.position_name,
            path.position,
            path.cluster,
            path.semesters,
            "—" if path.max_load is None else f"{path.max_load:g}",
            path.load_by,
        )
    )
    names = {c.id: c for c in path.courses}
    table = Table(title="学期安排 Semester plan")
    for column in ("学期 Semester", "课程 Courses", "负荷 Load"):
        table.add_column(column, justify="right" if column != "课程 Courses" else "left")
    for term in path.by_semester():
        table.add_row(
            str(term["semester"]),
            "、".join(
                f"{names[c].name}({c})" + ("" if names[c].fixed else "*") for c in term["courses"]
            )
            or "—",
            f"{term['load']:g}",
        )
    out.print(table)
    out.print(
        styled(
            "[dim]* 由排课算法安排 placed by the planner; 其余为课程已定学期 others keep their semester[/]"
        )
    )
    _list("未被任何课程培养的能力 Abilities no course builds", path.untaught)
    _list(
        "群外先修课 Prerequisites outside the cluster",
        [f"{p['prerequisite']} → {p['course']}" for p in path.outside_prerequisites],
    )
    _list(
        f"超过 {path.semesters} 学期的先修链 Chains longer than the semesters",
        [" → ".join(chain) for chain in path.long_chains],
    )
    _list(
        "先修顺序冲突 Order conflicts",
        [
            f"{c['prerequisite']}(第{c['prerequisite_semester']}学期) → {c['course']}(第{c['semester']}学期)"
            for c in path.order_conflicts
        ],
    )
    _list(
        "超负荷学期 Overloaded semesters",
        [f"第{o['semester']}学期 {o['load']:g}" for o in path.overloaded],
    )
    _list("排不下的课程 Unplaced courses", path.unplaced)


# --- partners, eligibility, certificates --------------------------------------------------


@plan_app.command("partners")
@user_errors
def partners_command(
    cluster: ClusterOption,
    chain: ChainOption = None,
    segment: SegmentOption = None,
    top: Annotated[int, typer.Option("--top", help="最好与最差各列几家。")] = 5,
    fmt: FormatOption = Fmt.table,
    store: StoreOption = None,
) -> None:
    """专业群服务最好与最差的企业（订单班、联合实验室候选）。Enterprises served best and worst."""
    from chanjiao.analysis.partners import enterprise_service

    with store_at(store) as graph:
        report = enterprise_service(graph, cluster, chain, segment, top=top)
    if fmt is Fmt.json:
        _json(report.to_dict())
        return
    for title, rows in (
        ("服务最好 Best served（订单班候选 order-class candidates）", report.best),
        ("服务最差 Worst served（联合实验室/共建课程候选 joint-lab candidates）", report.worst),
    ):
        table = Table(title=title)
        table.add_column("企业 Enterprise")
        table.add_column("类型")
        table.add_column("共建")
        for column in ("需求", "覆盖率", "缺口"):
            table.add_column(column, justify="right")
        table.add_column("主要差距 Top gaps")
        for e in rows:
            tier = parse_choice(Tier, e.tier) if e.tier else None
            table.add_row(
                f"{e.name} ({e.id})",
                zh_word(tier) if tier else "—",
                "是" if e.partner else "否",
                str(e.headcount),
                _pct(e.coverage),
                f"{e.shortfall:.2f}",
                "、".join(f"{g['name']}({g['ability']})" for g in e.gaps) or "—",
            )
        out.print(table)
    out.print(
        styled(
            "[dim]类型 tier · 共建 partner of the cluster's college · 需求 headcount · 覆盖率 "
            "coverage · 缺口 shortfall = Σ headcount × (1 − coverage)[/]"
        )
    )


@plan_app.command("eligibility")
@user_errors
def eligibility_command(
    college: Annotated[str, typer.Argument(help="产业学院编号 industry college id.")],
    fmt: FormatOption = Fmt.table,
    store: StoreOption = None,
) -> None:
    """产业学院申报条件检查（建设指南 §六(一)1）。Check a college's application conditions."""
    from chanjiao.analysis.partners import check_eligibility

    with store_at(store) as graph:
        result = check_eligibility(graph, college)
    if fmt is Fmt.json:
        _json(result.to_dict())
        return
    out.print(styled("[bold]{}[/]（{}）", result.name, result.college))
    table = Table(title="申报条件 Application conditions（§六(一)1）")
    for column in ("条件 Condition", "结果 Result", "说明 Detail"):
        table.add_column(column)
    for c in result.conditions:
        table.add_row(
            styled("{}\n[dim]{}[/]", c.zh, c.en),
            styled("[green]✓ 满足 met[/]" if c.met else "[red]✗ 未满足 unmet[/]"),
            styled("{}\n[dim]{}[/]", c.detail_zh, c.detail_en),
        )
    out.print(table)
    out.print(
        styled("结论 Verdict: [green]符合申报条件 eligible[/]")
        if result.eligible
        else styled(
            "结论 Verdict: [red]不符合申报条件 not eligible[/]：{}",
            "；".join(c.zh for c in result.unmet),
        )
    )


@plan_app.command("certificates")
@user_errors
def certificates_command(
    cluster: ClusterOption,
    chain: ChainOption = None,
    segment: SegmentOption = None,
    fmt: FormatOption = Fmt.table,
    store: StoreOption = None,
) -> None:
    """岗课赛证：各岗位的证书、竞赛及课程准备情况。Certificates and competitions per position."""
    from chanjiao.analysis.certification import certification

    with store_at(store) as graph:
        report = certification(graph, cluster, chain, segment)
    if fmt is Fmt.json:
        _json(report.to_dict())
        return
    table = Table(title="岗课赛证 Positions, certificates, competitions, courses")
    for column in (
        "岗位 Position",
        "证书 Certificates",
        "竞赛 Competitions",
        "课程未达要求 Beyond courses",
        "备考课程 Preparing courses",
    ):
        table.add_column(column)
    for p in report.positions:
        beyond = sorted({a for c in (*p.certificates, *p.competitions) for a in c.beyond_courses})
        courses = sorted({row["course"] for c in p.certificates for row in c.courses})
        table.add_row(
            f"{p.name} ({p.id})",
            "、".join(c.id for c in p.certificates) or styled("[red]—[/]"),
            "、".join(c.id for c in p.competitions) or "—",
            "、".join(beyond) or "—",
            "、".join(courses) or "—",
        )
    out.print(table)
    summary = report.to_dict()["summary"]
    out.print(
        f"岗位 positions {summary['positions']} · 无对应证书 without a certificate "
        f"{len(summary['without_certificate'])} · 无相关竞赛 without a competition "
        f"{len(summary['without_competition'])}"
    )
