"""A version comparison (`chanjiao.history.compare`) as tables: for the terminal, Markdown and HTML.

`compare_sections` turns the comparison into titled tables of plain text once; the
terminal, Markdown and HTML writers only lay those out, so the three say the same.
Markdown escapes markup characters; HTML is rendered with autoescaping on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, select_autoescape

from chanjiao.graph.schema import LEVEL_WORDS
from chanjiao.report.markdown import _cell, _markup_safe


@dataclass(slots=True)
class Section:
    title: str
    headers: list[str]
    rows: list[list[str]]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _delta(before: float | None, after: float | None) -> str:
    if before is None or after is None:
        return "—"
    change = (after - before) * 100
    return f"{change:+.1f}"


def _level(value: int) -> str:
    return f"{LEVEL_WORDS.get(value, value)}"


def _weight(value: float) -> str:
    return f"{value:g}"


def compare_sections(data: dict[str, Any]) -> list[Section]:
    """The comparison's tables, titled in Chinese and English."""
    before, after = data["before"]["name"], data["after"]["name"]
    coverage = Section(
        "覆盖率 Coverage",
        ["范围 Scope", f"{before}", f"{after}", "变化 Change (pp)"],
        [
            [
                f"产业链 {data['chain_name']}（{data['chain']}）",
                _pct(data["coverage"]["before"]),
                _pct(data["coverage"]["after"]),
                _delta(data["coverage"]["before"], data["coverage"]["after"]),
            ]
        ],
    )
    for seg in data["segments"]:
        coverage.rows.append(
            [
                f"环节 {seg['name']}（{seg['id']}）",
                _pct(seg["before"]),
                _pct(seg["after"]),
                _delta(seg["before"], seg["after"]),
            ]
        )
    positions = Section(
        "覆盖率变化的岗位 Positions whose coverage changed",
        ["岗位 Position", f"{before}", f"{after}", "变化 Change (pp)"],
        [
            [
                f"{p['name']}（{p['id']}）",
                _pct(p["before"]),
                _pct(p["after"]),
                _delta(p["before"], p["after"]),
            ]
            for p in data["positions"]
        ],
    )
    gaps = Section(
        "能力差距变化 Gaps",
        ["变化 Change", "能力 Ability", f"优先级 {before}", f"优先级 {after}"],
        [
            ["已补上 closed", f"{g['name']}（{g['ability']}）", f"{g['priority']:.4f}", "—"]
            for g in data["gaps_closed"]
        ]
        + [
            ["新出现 opened", f"{g['name']}（{g['ability']}）", "—", f"{g['priority']:.4f}"]
            for g in data["gaps_opened"]
        ]
        + [
            [
                "优先级变化 priority",
                f"{g['name']}（{g['ability']}）",
                f"{g['before']:.4f}",
                f"{g['after']:.4f}",
            ]
            for g in data["priority_changes"]
        ],
    )
    courses = Section(
        "专业群课程变化 Courses of the cluster", ["变化 Change", "课程 Course", "内容 What"], []
    )
    for action, zh in (("added", "新增 added"), ("removed", "删除 removed")):
        for c in data["courses"][action]:
            courses.rows.append([zh, f"{c['name']}（{c['id']}）", ""])
    for c in data["courses"]["changed"]:
        what = "；".join(f"{f['header']}：{f['old_text']} → {f['new_text']}" for f in c["fields"])
        courses.rows.append(["修改 changed", f"{c['name']}（{c['id']}）", what])
    requirements = Section(
        "岗位能力要求变化 Requirements",
        ["变化 Change", "岗位 Position", "能力 Ability", "等级与权重 Level and weight"],
        [],
    )
    for action, zh in (("added", "新增 added"), ("removed", "删除 removed")):
        for r in data["requirements"][action]:
            requirements.rows.append(
                [
                    zh,
                    f"{r['position_name']}（{r['position']}）",
                    f"{r['ability_name']}（{r['ability']}）",
                    f"{_level(r['level'])}，权重 {_weight(r['weight'])}",
                ]
            )
    for r in data["requirements"]["changed"]:
        old = r["before"]
        requirements.rows.append(
            [
                "修改 changed",
                f"{r['position_name']}（{r['position']}）",
                f"{r['ability_name']}（{r['ability']}）",
                f"{_level(old['level'])}，权重 {_weight(old['weight'])} → "
                f"{_level(r['level'])}，权重 {_weight(r['weight'])}",
            ]
        )
    return [coverage, positions, gaps, courses, requirements]


def compare_title(data: dict[str, Any]) -> str:
    scope = f" · 环节 {data['segment']}" if data.get("segment") else ""
    return (
        f"版本对比 {data['before']['name']} → {data['after']['name']}："
        f"{data['cluster_name']}（{data['cluster']}） × {data['chain_name']}（{data['chain']}）{scope}"
    )


def compare_markdown(data: dict[str, Any]) -> str:
    """The comparison as Markdown (markup characters in names are escaped)."""
    lines = [f"# {_cell(_markup_safe(compare_title(data)))}", ""]
    for section in compare_sections(data):
        lines += [f"## {section.title}", ""]
        if not section.rows:
            lines += ["无 None", ""]
            continue
        lines.append("| " + " | ".join(_cell(_markup_safe(h)) for h in section.headers) + " |")
        lines.append("|" + "---|" * len(section.headers))
        for row in section.rows:
            lines.append("| " + " | ".join(_cell(_markup_safe(c)) for c in row) + " |")
        lines.append("")
    return "\n".join(lines)


_HTML = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
body { font-family: system-ui, "Noto Sans CJK SC", sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0 0 1.5em; }
th, td { border: 1px solid #ccc; padding: .3em .6em; text-align: left; }
th { background: #f3f3f3; }
</style></head><body>
<h1>{{ title }}</h1>
{% for section in sections %}
<h2>{{ section.title }}</h2>
{% if section.rows %}
<table><thead><tr>{% for h in section.headers %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in section.rows %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</tbody>
</table>
{% else %}<p>无 None</p>{% endif %}
{% endfor %}
</body></html>
"""


def compare_html(data: dict[str, Any]) -> str:
    """The comparison as one HTML page (every value escaped)."""
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    return env.from_string(_HTML).render(title=compare_title(data), sections=compare_sections(data))
