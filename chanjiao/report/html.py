"""The gap report as one self-contained, printable HTML page (and the data every report
format shares: the §4 analysis, display names, the heat-map, and the planning analyses).

The report computes nothing of its own: its shortfalls are `analysis.resources`'
(the numbers `chanjiao plan resources` prints), its 岗课赛证, partner and eligibility
sections the planning analyses' results.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from chanjiao.analysis.gaps import GapReport, analyse_gaps
from chanjiao.analysis.resources import ResourceReport, resource_shortfalls
from chanjiao.analysis.scoring import STATUS_ZH
from chanjiao.graph.schema import LEVEL_WORDS, AbilityCategory, Label, Rel, zh_word
from chanjiao.graph.store import GraphStore
from chanjiao.report.markdown import CLOSER_HEADERS, closer_names
from chanjiao.viz.graph import STATUS_COLOUR
from chanjiao.viz.render import view_fragment, view_script, view_style, vis_assets
from chanjiao.viz.views import DEFAULT_MAX_NODES, cluster_graph

_TEMPLATES = Path(__file__).parent / "templates"


@dataclass(slots=True)
class HeatRow:
    ability: str
    name: str
    taught: int
    cells: list[tuple[int, str] | None]


@dataclass(slots=True)
class HeatGroup:
    """Abilities under one parent (能力域); `parent` is None for abilities without one."""

    parent: str | None
    name: str
    rows: list[HeatRow] = field(default_factory=list)


@dataclass(slots=True)
class Heatmap:
    """The position × ability matrix: required levels, coloured by status.

    Columns are the scored positions grouped by segment (`segments` holds each segment
    and how many columns it spans); rows are the required abilities grouped by parent.
    """

    segments: list[tuple[str, str, int]]
    positions: list[tuple[str, str]]
    groups: list[HeatGroup]


@dataclass(slots=True)
class ReportData:
    """Everything the HTML, XLSX and Markdown reports show."""

    analysis: GapReport
    report: dict[str, Any]
    names: dict[str, str]
    abilities: dict[str, dict[str, Any]]
    shortfalls: ResourceReport
    heatmap: Heatmap
    planning: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The §4 JSON with the shortfalls (`resource_shortfalls`) and planning sections."""
        extra = {"planning": self.planning} if self.planning else {}
        return {**self.report, "shortfalls": self.shortfalls.to_dict(), **extra}


def gather_report(
    store: GraphStore, cluster_id: str, chain_id: str, segment_id: str | None = None
) -> ReportData:
    """Run the gap analysis and read what the reports show besides it.

    Raises:
        NotFound: the cluster, chain or segment does not exist.
    """
    with store.reading():
        analysis = analyse_gaps(store, cluster_id, chain_id, segment_id)
        report = analysis.to_dict()
        names = closer_names(store, report)
        courses = store.nodes(Label.COURSE, sorted(analysis.curriculum))
        required = sorted({r.ability for p in analysis.positions for r in p.requirements})
        ability_nodes = store.nodes(Label.ABILITY, required)
        parent_of = {r.src: r.dst for r in store.relationships(Rel.CHILD_OF, src_ids=required)}
        parents = store.nodes(Label.ABILITY, set(parent_of.values()))
        shortfalls = resource_shortfalls(store, cluster_id, chain_id, segment_id)
        planning = _planning(store, cluster_id, chain_id, segment_id)

    names.update({c: n.name for c, n in courses.items()})
    names.update({p.id: p.name for p in analysis.positions})
    abilities = {
        a: {
            "name": ability_nodes[a].name if a in ability_nodes else a,
            "category": ability_nodes[a].props.get("category") if a in ability_nodes else None,
            "parent": parent_of.get(a),
            "parent_name": parents[parent_of[a]].name
            if parent_of.get(a) in parents
            else parent_of.get(a),
        }
        for a in required
    }

    return ReportData(
        analysis, report, names, abilities, shortfalls, _heatmap(analysis, abilities), planning
    )


def _planning(
    store: GraphStore, cluster_id: str, chain_id: str, segment_id: str | None
) -> dict[str, Any]:
    """The planning analyses the report shows besides the shortfalls: 岗课赛证, partners."""
    from chanjiao.analysis.certification import certification
    from chanjiao.analysis.partners import check_eligibility, enterprise_service

    colleges = sorted(r.src for r in store.relationships(Rel.HAS_CLUSTER, dst_ids=[cluster_id]))
    return {
        "certification": certification(store, cluster_id, chain_id, segment_id).to_dict(),
        "partners": enterprise_service(store, cluster_id, chain_id, segment_id, top=5).to_dict(),
        "eligibility": [check_eligibility(store, c).to_dict() for c in colleges],
    }


def _heatmap(analysis: GapReport, abilities: dict[str, dict[str, Any]]) -> Heatmap:
    by_segment: dict[str, list[Any]] = defaultdict(list)
    for position in analysis.positions:
        by_segment[position.segment].append(position)
    segments: list[tuple[str, str, int]] = []
    columns: list[Any] = []
    for seg in analysis.segments:
        inside = by_segment.get(seg.id, [])
        if inside:
            segments.append((seg.id, seg.name, len(inside)))
            columns.extend(inside)
    index = {p.id: i for i, p in enumerate(columns)}
    cells: dict[str, list[tuple[int, str] | None]] = {}
    taught: dict[str, int] = {}
    for position in columns:
        for req in position.requirements:
            row = cells.setdefault(req.ability, [None] * len(columns))
            row[index[position.id]] = (req.required, req.status)
            taught[req.ability] = req.taught
    groups: dict[str | None, HeatGroup] = {}
    for ability in sorted(
        cells, key=lambda a: (abilities[a]["parent"] is None, abilities[a]["parent"] or "", a)
    ):
        info = abilities[ability]
        parent = info["parent"]
        group = groups.setdefault(
            parent, HeatGroup(parent, info["parent_name"] if parent else "未归入能力域")
        )
        group.rows.append(HeatRow(ability, info["name"], taught[ability], cells[ability]))
    return Heatmap(segments, [(p.id, p.name) for p in columns], list(groups.values()))


@lru_cache(maxsize=1)
def environment() -> Environment:
    """Jinja2 environment of the report templates, autoescape on for all of them."""
    env = Environment(
        loader=FileSystemLoader(str(_TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        STATUS_ZH=STATUS_ZH,
        STATUS_COLOUR=STATUS_COLOUR,
        CLOSER_HEADERS=CLOSER_HEADERS,
        LEVEL_WORDS=LEVEL_WORDS,
        coverage_colour=coverage_colour,
        pct=_pct,
    )
    return env


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def coverage_colour(value: float | None) -> str:
    """The traffic-light colour of a coverage: red below 60 %, amber below 80 %, else green."""
    if value is None:
        return "#b0bec5"
    if value < 0.6:
        return STATUS_COLOUR["missing"]
    if value < 0.8:
        return STATUS_COLOUR["partial"]
    return STATUS_COLOUR["covered"]


def render_gap_report(
    data: ReportData,
    store: GraphStore | None = None,
    *,
    embed_view: bool = True,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> str:
    """The report page; with a store and `embed_view`, the cluster view is embedded in it."""
    view = None
    if store is not None and embed_view:
        analysis = data.analysis
        view = cluster_graph(
            store,
            analysis.cluster,
            analysis.chain,
            analysis.segment,
            max_nodes=max_nodes,
            report=analysis,
        )
    report = data.report
    closers_named = [
        {
            kind: [(c, data.names.get(c, c)) for c in gap["closers"].get(kind, [])]
            for kind in CLOSER_HEADERS
        }
        for gap in report["gaps"]
    ]
    max_priority = max((g["priority"] for g in report["gaps"]), default=0.0) or 1.0
    template = environment().get_template("report.html")
    return template.render(
        r=report,
        data=data,
        shortfalls=data.shortfalls.to_dict(),
        heatmap=data.heatmap,
        planning=data.planning,
        closers_named=closers_named,
        max_priority=max_priority,
        category_zh={c.value: zh_word(c) for c in AbilityCategory},
        view=view,
        assets=vis_assets() if view else "",
        fragment=view_fragment(view, element_id="cluster-view", height="600px") if view else "",
        script=view_script() if view else "",
        view_css=view_style() if view else "",
    )


def gap_report_html(
    store: GraphStore, cluster_id: str, chain_id: str, segment_id: str | None = None
) -> str:
    """The HTML gap report of a cluster against a chain (or one segment), as a string."""
    return render_gap_report(gather_report(store, cluster_id, chain_id, segment_id), store)


def write_gap_report(
    store: GraphStore,
    cluster_id: str,
    chain_id: str,
    segment_id: str | None,
    path: str | Path,
) -> Path:
    """Write the HTML gap report to `path` and return the path (`chanjiao demo` uses this)."""
    target = Path(path)
    target.write_text(gap_report_html(store, cluster_id, chain_id, segment_id), encoding="utf-8")
    return target
