"""The gap report as Markdown: what a curriculum designer pastes into a proposal.

Chinese first with English in the headings. Takes the §4 JSON dict (so a report can
also be made from a saved JSON file) and a name lookup for the ids of closers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chanjiao.analysis.scoring import STATUS_ZH
from chanjiao.graph.schema import Label
from chanjiao.graph.store import CLOSER_KINDS, GraphStore

CLOSER_HEADERS = {
    "courses": ("可补课程", "courses", Label.COURSE),
    "teachers": ("教师", "teachers", Label.TEACHER),
    "textbooks": ("教材", "textbooks", Label.TEXTBOOK),
    "training_resources": ("实训资源", "resources", Label.TRAINING_RESOURCE),
    "enterprises": ("合作企业", "enterprises", Label.ENTERPRISE),
    "certificates": ("证书", "certificates", Label.CERTIFICATE),
    "competitions": ("竞赛", "competitions", Label.COMPETITION),
}

#: The column of a gap's courses in the cluster that teach it below some requirement.
TAUGHT_PARTLY_HEADER = ("群内部分培养", "Taught partly")


def taught_partly_text(rows: Sequence[Mapping[str, Any]]) -> str:
    """A gap's `taught_partly` as one cell: 名称（编号，2 级）、…, or — when none."""
    return "、".join(f"{r['name']}（{r['course']}，{r['level']} 级）" for r in rows) or "—"


def closer_names(store: GraphStore, report: Mapping[str, Any]) -> dict[str, str]:
    """Names of every id a report mentions (closers, courses, positions), for display."""
    wanted: dict[Label, set[str]] = {label: set() for label in Label}
    for gap in report["gaps"]:
        for kind, (_, _, label) in CLOSER_HEADERS.items():
            wanted[label].update(gap["closers"].get(kind, ()))
    wanted[Label.COURSE].update(report["orphan_courses"])
    wanted[Label.POSITION].update(report["unmodelled_positions"])
    names: dict[str, str] = {}
    with store.reading():
        for label, ids in wanted.items():
            if ids:
                names.update({k: n.name for k, n in store.nodes(label, ids).items()})
    return names


def _cell(text: object) -> str:
    """Keep a value inside one Markdown table cell (markup is escaped by `_markup_safe`)."""
    cell = str(text).replace("\\", "\\\\").replace("|", "\\|")
    return cell.replace("\n", " ").replace("\r", " ")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _named(ids: list[str], names: Mapping[str, str], limit: int = 6) -> str:
    shown = [f"{names[i]}（{i}）" if i in names else i for i in ids[:limit]]
    if len(ids) > limit:
        shown.append(f"等 {len(ids)} 项")
    return "、".join(shown) if shown else "—"


def gap_markdown(
    report: Mapping[str, Any], names: Mapping[str, str] | None = None, top: int | None = None
) -> str:
    """Render a §4 gap report dict as Markdown.

    Args:
        names: display names for ids (see `closer_names`); ids are shown where missing.
        top: show only the first `top` gaps (all when None).
    """
    report = _markup_safe(report)
    names = _markup_safe(names or {})
    summary = report.get("summary", {})
    counts = summary.get("requirements", {})
    scope = f"{_cell(report['chain_name'])}（{_cell(report['chain'])}）"
    if report.get("segment"):
        scope += f" · 环节 segment {_cell(report['segment'])}"
    lines = [
        "# 专业群能力差距分析报告 Gap report",
        "",
        f"- 专业群 Cluster：{_cell(report['cluster_name'])}（{_cell(report['cluster'])}）",
        f"- 产业链 Chain：{scope}",
        f"- 总体覆盖率 Overall coverage：**{_pct(report['coverage'])}**",
        f"- 课程数 Courses in curriculum：{summary.get('curriculum_courses', '—')}；"
        f"参与评分岗位 Scored positions：{summary.get('scored_positions', '—')}",
        f"- 能力要求 Requirements：已覆盖 covered {counts.get('covered', 0)} · "
        f"部分覆盖 partial {counts.get('partial', 0)} · 缺失 missing {counts.get('missing', 0)}",
        f"- 差距能力 Gaps：{len(report['gaps'])}",
        "",
        "## 环节覆盖率 Segment coverage",
        "",
        "| 环节 Segment | 覆盖率 Coverage | 需求人数 Demand | 岗位 Positions |",
        "| --- | ---: | ---: | ---: |",
    ]
    for seg in report["segments"]:
        lines.append(
            f"| {_cell(seg['name'])}（{_cell(seg['id'])}） | {_pct(seg['coverage'])} | "
            f"{seg.get('demand', '')} | {seg.get('positions', '')} |"
        )
    gaps = report["gaps"] if top is None else report["gaps"][:top]
    lines += [
        "",
        "## 优先差距 Gaps by priority",
        "",
        "优先级 = Σ 岗位需求人数 × 能力权重占比 × 未达成度（DESIGN §4）。",
        "",
        "群内部分培养 = 本专业群已培养该能力、但低于部分岗位要求的课程（括号内为培养等级）。",
        "",
        "| # | 能力 Ability | 优先级 Priority | 涉及岗位 Positions | "
        f"{TAUGHT_PARTLY_HEADER[0]} {TAUGHT_PARTLY_HEADER[1]} | "
        + " | ".join(f"{zh} {en}" for zh, en, _ in CLOSER_HEADERS.values())
        + " |",
        "| ---: | --- | ---: | --- | --- | " + " | ".join("---" for _ in CLOSER_KINDS) + " |",
    ]
    for rank, gap in enumerate(gaps, start=1):
        closers = " | ".join(
            _cell(_named(gap["closers"].get(kind, []), names)) for kind in CLOSER_KINDS
        )
        lines.append(
            f"| {rank} | {_cell(gap['name'])}（{_cell(gap['ability'])}） | {gap['priority']:.4f} | "
            f"{_cell('、'.join(gap['positions']))} | "
            f"{_cell(taught_partly_text(gap.get('taught_partly', [])))} | {closers} |"
        )
    if top is not None and len(report["gaps"]) > top:
        lines.append("")
        lines.append(
            f"（另有 {len(report['gaps']) - top} 项差距未列出 / "
            f"{len(report['gaps']) - top} more gaps not shown）"
        )
    lines += [
        "",
        "## 岗位覆盖 Positions",
        "",
        "| 岗位 Position | 环节 Segment | 需求 Demand | 覆盖率 Coverage | 未达成能力 Unmet |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for pos in report["positions"]:
        unmet = [
            f"{r['name']}（{STATUS_ZH[r['status']]} {r['taught']}/{r['required']}）"
            for r in pos["requirements"]
            if r["status"] != "covered"
        ]
        lines.append(
            f"| {_cell(pos['name'])}（{_cell(pos['id'])}） | {_cell(pos['segment'])} | "
            f"{pos['demand']} | {_pct(pos['coverage'])} | {_cell('、'.join(unmet) or '—')} |"
        )
    lines += ["", "## 未建模岗位 Unmodelled positions", ""]
    lines += [f"- {_cell(_named([p], names))}" for p in report["unmodelled_positions"]] or [
        "无 None"
    ]
    lines += [
        "",
        "## 孤立课程 Orphan courses",
        "",
        "不培养本产业链任何岗位所需能力的课程。Courses covering no required ability.",
        "",
    ]
    lines += [f"- {_cell(_named([c], names))}" for c in report["orphan_courses"]] or ["无 None"]
    return "\n".join(lines) + "\n"


# --- the full report (`chanjiao report --format md`) ----------------------------------

_MARKUP_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "&#91;", "]": "&#93;"}


def _markup_safe(value: Any) -> Any:
    """A copy with every string's markup characters turned into entities.

    Markdown viewers render raw HTML and link syntax; entities show the same characters
    as text, so a name like ``<script>`` can never become an element or a link.
    """
    if isinstance(value, str):
        return "".join(_MARKUP_ESCAPES.get(ch, ch) for ch in value)
    if isinstance(value, Mapping):
        return {_markup_safe(k): _markup_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_markup_safe(v) for v in value]
    return value


def shortfalls_markdown(shortfalls: Mapping[str, Any], curriculum_courses: int) -> str:
    """The resource-shortfall section: `analysis.resources.resource_shortfalls` as a dict."""
    summary = shortfalls["summary"]
    without_dual = shortfalls["courses_without_dual_teacher"]
    without_book = shortfalls["courses_without_textbook"]
    no_resource = shortfalls["skills_without_resource"]
    no_expert = shortfalls["abilities_without_expert"]
    lines = [
        "## 师资、教材与实训资源短板 Shortfalls",
        "",
        f"- 任课教师 Teachers of C(K)：{len(shortfalls['course_teachers'])}；"
        f"其中双师双能型 dual-qualified：{len(shortfalls['dual_qualified_teachers'])}"
        f"（{_pct(summary['dual_qualified_share'])}）",
        f"- 缺少双师双能型教师的课程 Courses without a dual-qualified teacher："
        f"{len(without_dual)} / {curriculum_courses}",
        f"- 没有教材的课程 Courses without a textbook：{len(without_book)} / {curriculum_courses}",
        f"- 没有实训资源的技能 Skills without a training resource：{len(no_resource)}",
        f"- 没有专长教师的能力 Abilities without an expert：{len(no_expert)}",
        f"- 超过更新年限的教材与资源 Stale textbooks and resources：{summary['stale']}",
        "",
        "### 缺少双师双能型教师的课程 Courses without a dual-qualified teacher",
        "",
    ]
    lines += [
        f"- {_cell(c['name'])}（{_cell(c['course'])}）：任课教师 {len(c['teachers'])} 人"
        for c in without_dual
    ] or ["无 None"]
    lines += ["", "### 没有教材的课程 Courses without a textbook", ""]
    lines += [f"- {_cell(c['name'])}（{_cell(c['course'])}）" for c in without_book] or ["无 None"]
    lines += ["", "### 没有实训资源的技能 Skills without a training resource", ""]
    lines += [
        f"- {_cell(g['name'])}（{_cell(g['ability'])}）：岗位 {_cell('、'.join(g['positions']))}"
        for g in no_resource
    ] or ["无 None"]
    return "\n".join(lines) + "\n"


def report_markdown(report: Mapping[str, Any], names: Mapping[str, str] | None = None) -> str:
    """The full Markdown report: `gap_markdown`, then the shortfalls if the dict has them.

    Every user-supplied string is markup-escaped (see `_markup_safe`).
    """
    text = gap_markdown(report, names)
    if "shortfalls" in report:
        text += "\n" + shortfalls_markdown(
            _markup_safe(report["shortfalls"]),
            report.get("summary", {}).get("curriculum_courses", 0),
        )
    return text
