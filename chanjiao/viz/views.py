"""The four graph views: a node's neighbourhood, a cluster against a chain, a gap with
what could close it, and a position's learning path.

Each `*_graph` function reads the store (through the analysis where numbers are
involved, so the views show exactly what the reports say) and returns a `View`;
`chanjiao.viz.render` turns a view into a self-contained HTML page.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from chanjiao.analysis.alignment import align_position
from chanjiao.analysis.gaps import GapReport, analyse_gaps
from chanjiao.analysis.scoring import STATUS_ZH, taught_levels
from chanjiao.analysis.scoring import status as status_of
from chanjiao.errors import InvalidRequest, NotFound
from chanjiao.graph.schema import (
    LABEL_ZH,
    LEVEL_WORDS,
    PERSONAL_LABELS,
    REL_ZH,
    Label,
    Node,
    Rel,
    Relationship,
)
from chanjiao.graph.store import CLOSER_KINDS, GraphStore
from chanjiao.viz.graph import (
    DEFAULT_MAX_NODES,
    STATUS_COLOUR,
    View,
    ViewBuilder,
    layered,
    neighbour_sets,
    radial,
    sectors,
)

#: The focus view walks at most this many hops.
MAX_HOPS = 4

PROP_ZH = {
    "category": "类别",
    "level": "等级",
    "demand": "需求人数",
    "hours": "学时",
    "credits": "学分",
    "kind": "类型",
    "semester": "学期",
    "code": "专业代码",
    "education_level": "学历层次",
    "tier": "企业类型",
    "region": "地区",
    "dual_qualified": "双师双能型",
    "affiliation": "来源",
    "title": "职称",
    "year": "年份",
    "isbn": "ISBN",
    "issuer": "颁发机构",
    "description": "说明",
    "domain": "领域",
    "stage": "阶段",
    "order": "顺序",
    "university": "高校",
    "direction": "方向",
    "format": "形态",
    "headcount": "人数",
    "weight": "权重",
    "core": "核心课",
    "role": "角色",
}


def _level(level: int) -> str:
    return f"{level} 级（{LEVEL_WORDS.get(level, '')}）"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _props(node: Node) -> list[str]:
    """A node's properties as hover lines (name excluded: it is the line above)."""
    lines = []
    for key, value in sorted(node.props.items()):
        if key == "name" or value is None or value == "":
            continue
        shown = ("是" if value else "否") if isinstance(value, bool) else value
        lines.append(f"{PROP_ZH.get(key, key)}：{shown}")
    return lines


def parse_label(text: str) -> Label:
    """A label from its English name (`Course`), Chinese word (课程) or file name (courses).

    Raises:
        InvalidInput: no label has that name (the same rule and error as every path).
    """
    from chanjiao.edit import label_named  # the ingest machinery: only when asked

    return label_named(text)


def find_node(
    store: GraphStore, node_id: str, label: Label | None = None, *, personal: bool = True
) -> Node:
    """The node with this id, in `label` or in whichever label holds it.

    Args:
        personal: whether students (personal data) may be found at all.

    Raises:
        NotFound: no node has this id.
        InvalidRequest: several labels hold the id and none was given.
    """
    labels = [label] if label else list(Label)
    if not personal:
        labels = [lb for lb in labels if lb not in PERSONAL_LABELS]
    found = [n for lb in labels if (n := store.get_node(lb, node_id)) is not None]
    if not found:
        where = LABEL_ZH[label] if label else "任何类型"
        raise NotFound(
            f"找不到节点 {node_id}（{where}）",
            f"no node {node_id}" + (f" with label {label}" if label else ""),
        )
    if len(found) > 1:
        raise InvalidRequest(
            f"编号 {node_id} 同时是 "
            + "、".join(LABEL_ZH[n.label] for n in found)
            + "；请指明节点类型",
            f"id {node_id} names a node of several labels; give the node's label",
        )
    return found[0]


# --- focus ----------------------------------------------------------------------------


def focus_graph(
    store: GraphStore,
    node_id: str,
    label: Label | None = None,
    hops: int = 1,
    *,
    max_nodes: int = DEFAULT_MAX_NODES,
    personal: bool = False,
) -> View:
    """Any node with everything within `hops` relationships of it.

    Students (personal data, DESIGN §4b) are left out unless `personal` is set.

    Raises:
        NotFound: no such node.
        InvalidRequest: `hops` outside 1–4, or an id shared by labels with no label given.
    """
    if not 1 <= hops <= MAX_HOPS:
        raise InvalidRequest(
            f"跳数应在 1–{MAX_HOPS} 之间，实际为 {hops}", f"hops must be 1–{MAX_HOPS}, got {hops}"
        )
    builder = ViewBuilder()
    notes: list[str] = []
    with store.reading():
        centre = find_node(store, node_id, label, personal=personal)
        root = builder.node(centre.label, centre.id, centre.name, _props(centre), size=26.0)
        rings: list[list[str]] = [[root]]
        parent: dict[str, str] = {}
        frontier = [centre]
        edges: list[tuple[str, str, str]] = []
        truncated = 0
        for _ in range(hops):
            ring: list[str] = []
            following: list[Node] = []
            for node in frontier:
                here = builder.key(node.label, node.id)
                for near in store.neighbours(node.label, node.id):
                    if not personal and near.node.label in PERSONAL_LABELS:
                        continue
                    other = builder.key(near.node.label, near.node.id)
                    if not builder.has(other):
                        if len(builder) >= max_nodes:
                            truncated += 1
                            continue
                        builder.node(
                            near.node.label, near.node.id, near.node.name, _props(near.node)
                        )
                        parent[other] = here
                        ring.append(other)
                        following.append(near.node)
                    title = REL_ZH[near.rel] + "".join(
                        f"\n{PROP_ZH.get(k, k)}：{v}" for k, v in sorted(near.props.items())
                    )
                    pair = (here, other) if near.direction == "out" else (other, here)
                    edges.append((*pair, title))
            rings.append(ring)
            frontier = following
    for src, dst, title in edges:
        builder.edge(src, dst, title)
    if truncated:
        notes.append(
            f"节点过多：仅显示 {len(builder)} 个节点，另有 {truncated} 处相邻节点未显示"
            f"（上限 {max_nodes}）。Capped at {max_nodes} nodes; {truncated} more not shown."
        )
    positions = radial([r for r in rings if r], parent)
    title = f"{LABEL_ZH[centre.label]}：{centre.name}（{centre.id}）"
    subtitle = f"{hops} 跳以内的关联节点 · Neighbourhood within {hops} hop(s)"
    return builder.finish("focus", title, subtitle, positions, notes)


# --- cluster × chain -------------------------------------------------------------------


@dataclass(slots=True)
class _Unit:
    """An ability as the cluster view shows it, or a group of abilities under one parent."""

    key: str
    id: str
    name: str
    members: list[str]
    required: int = 0
    taught: int = 0
    priority: float = 0.0
    positions: set[str] = field(default_factory=set)
    statuses: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if all(s == "covered" for s in self.statuses):
            return "covered"
        if all(s == "missing" for s in self.statuses):
            return "missing"
        return "partial"


@dataclass(slots=True)
class _ClusterScene:
    """What the cluster view reads from the store, besides the gap analysis."""

    report: GapReport
    curriculum: dict[str, dict[str, int]]
    majors: dict[str, Node]
    in_major: list[Relationship]
    courses: dict[str, Node]
    parents: dict[str, str]
    parent_nodes: dict[str, Node]
    positions_all: dict[str, Node]
    segment_of_unmodelled: dict[str, str]


def cluster_graph(
    store: GraphStore,
    cluster_id: str,
    chain_id: str,
    segment_id: str | None = None,
    *,
    max_nodes: int = DEFAULT_MAX_NODES,
    report: GapReport | None = None,
) -> View:
    """Segments → positions → abilities ← courses ← majors of a cluster against a chain.

    Abilities are coloured by status (covered / partial / missing against the highest
    level any position requires), gaps sized by priority, positions by demand. Over
    `max_nodes`, abilities are grouped under their parent (能力域); if that is still
    too many, the least important nodes are left out and a note says so.

    Args:
        report: the gap analysis if the caller has it already (the HTML report does).

    Raises:
        NotFound: the cluster, chain or segment does not exist.
    """
    scene = _read_cluster_scene(store, cluster_id, chain_id, segment_id, report)
    report = scene.report
    units = _ability_units(scene)
    covering = {
        course: sorted(a for a in covers if a in units)
        for course, covers in scene.curriculum.items()
    }
    shown_courses = sorted(c for c, a in covering.items() if a or c in report.orphan_courses)
    total = (
        len(report.segments)
        + len(report.positions)
        + len(report.unmodelled_positions)
        + len(units)
        + len(shown_courses)
        + len(scene.majors)
    )
    notes: list[str] = []
    unit_of = {a: a for a in units}
    if total > max_nodes:
        units, unit_of = _group_by_parent(units, scene)
        notes.append(
            f"图中节点较多（{total} 个），能力已按能力域合并：{len(unit_of)} 项能力 → "
            f"{len(units)} 个节点。Abilities grouped under their parent: "
            f"{len(unit_of)} abilities shown as {len(units)} nodes."
        )
    keep = _most_important(scene, units, shown_courses, covering, max_nodes, notes)
    builder = ViewBuilder()
    columns = _cluster_columns(builder, scene, units, shown_courses, keep)
    edges = _cluster_edges(builder, scene, units, unit_of, shown_courses, covering)
    positions = layered(columns, neighbour_sets(edges))
    scope = f"{report.chain_name}（{report.chain}）"
    if segment_id:
        scope += f" · 环节 {segment_id}"
    title = f"{report.cluster_name}（{report.cluster}） × {scope}"
    subtitle = (
        f"总体覆盖率 overall coverage {_pct(report.coverage)} · 差距 {len(report.gaps)} 项 gaps · "
        "环节 → 岗位 → 能力 ← 课程 ← 专业"
    )
    return builder.finish("cluster", title, subtitle, positions, notes)


def _read_cluster_scene(
    store: GraphStore,
    cluster_id: str,
    chain_id: str,
    segment_id: str | None,
    report: GapReport | None,
) -> _ClusterScene:
    with store.reading():
        if report is None:
            report = analyse_gaps(store, cluster_id, chain_id, segment_id, with_closers=False)
        curriculum = store.curriculum(cluster_id)
        majors_of_cluster = sorted(
            r.src for r in store.relationships(Rel.IN_CLUSTER, dst_ids=[cluster_id])
        )
        required_ids = sorted({r.ability for p in report.positions for r in p.requirements})
        parents = {r.src: r.dst for r in store.relationships(Rel.CHILD_OF, src_ids=required_ids)}
        return _ClusterScene(
            report=report,
            curriculum=curriculum,
            majors=store.nodes(Label.MAJOR, majors_of_cluster),
            in_major=store.relationships(Rel.IN_MAJOR, src_ids=sorted(curriculum)),
            courses=store.nodes(Label.COURSE, curriculum),
            parents=parents,
            parent_nodes=store.nodes(Label.ABILITY, set(parents.values())),
            positions_all=store.nodes(
                Label.POSITION, [*(p.id for p in report.positions), *report.unmodelled_positions]
            ),
            segment_of_unmodelled={
                r.src: r.dst
                for r in store.relationships(Rel.IN_SEGMENT, src_ids=report.unmodelled_positions)
            },
        )


def _ability_units(scene: _ClusterScene) -> dict[str, _Unit]:
    """One unit per required ability: highest required level, taught level, priority."""
    report = scene.report
    priority = {g.ability: g.priority for g in report.gaps}
    taught = taught_levels(scene.curriculum)
    units: dict[str, _Unit] = {}
    for position in report.positions:
        for req in position.requirements:
            unit = units.setdefault(
                req.ability, _Unit(f"Ability:{req.ability}", req.ability, req.name, [req.ability])
            )
            unit.required = max(unit.required, req.required)
            unit.positions.add(position.id)
    for unit in units.values():
        unit.taught = taught.get(unit.id, 0)
        unit.priority = priority.get(unit.id, 0.0)
        unit.statuses = [status_of(unit.taught, unit.required)]
    return units


def _group_by_parent(
    units: dict[str, _Unit], scene: _ClusterScene
) -> tuple[dict[str, _Unit], dict[str, str]]:
    """Abilities merged under their parent (能力域); returns the units and ability → unit."""
    grouped: dict[str, _Unit] = {}
    unit_of: dict[str, str] = {}
    for a, unit in sorted(units.items()):
        top = scene.parents.get(a)
        if top is None:
            grouped[a] = unit
            unit_of[a] = a
            continue
        name = scene.parent_nodes[top].name if top in scene.parent_nodes else top
        group = grouped.setdefault(f"group:{top}", _Unit(f"AbilityGroup:{top}", top, name, []))
        group.members.append(a)
        group.required = max(group.required, unit.required)
        group.taught = max(group.taught, unit.taught)
        group.priority += unit.priority
        group.positions |= unit.positions
        group.statuses += unit.statuses
        unit_of[a] = f"group:{top}"
    return grouped, unit_of


def _most_important(
    scene: _ClusterScene,
    units: dict[str, _Unit],
    shown_courses: list[str],
    covering: dict[str, list[str]],
    max_nodes: int,
    notes: list[str],
) -> set[str]:
    """What to keep when even grouped it is too big: the most important first."""
    report = scene.report
    ranked: list[str] = [f"seg:{s.id}" for s in report.segments]
    ranked += [f"maj:{m}" for m in sorted(scene.majors)]
    ranked += [f"pos:{p.id}" for p in sorted(report.positions, key=lambda p: (-p.demand, p.id))]
    ranked += [
        f"unit:{u}"
        for u in sorted(units, key=lambda u: (-units[u].priority, -len(units[u].positions), u))
    ]
    ranked += [f"crs:{c}" for c in sorted(shown_courses, key=lambda c: (-len(covering[c]), c))]
    ranked += [f"unm:{p}" for p in report.unmodelled_positions]
    if len(ranked) > max_nodes:
        notes.append(
            f"节点仍超过上限 {max_nodes}：仅显示最重要的 {max_nodes} 个（共 {len(ranked)} 个；"
            f"按需求人数与差距优先级排序）。Capped at {max_nodes} of {len(ranked)} nodes."
        )
    return set(ranked[:max_nodes])


def _cluster_columns(
    builder: ViewBuilder,
    scene: _ClusterScene,
    units: dict[str, _Unit],
    shown_courses: list[str],
    keep: set[str],
) -> list[list[str]]:
    """The kept nodes, in five columns: segments, positions, abilities, courses, majors."""
    report = scene.report
    columns: list[list[str]] = [[], [], [], [], []]
    for seg in report.segments:
        if f"seg:{seg.id}" in keep:
            details = [f"覆盖率 coverage：{_pct(seg.coverage)}", f"需求人数 demand：{seg.demand}"]
            columns[0].append(builder.node(Label.CHAIN_SEGMENT, seg.id, seg.name, details, size=22))
    max_demand = max((p.demand for p in report.positions), default=1) or 1
    for pos in report.positions:
        if f"pos:{pos.id}" in keep:
            unmet = sum(1 for r in pos.requirements if r.status != "covered")
            details = [
                f"环节 segment：{pos.segment}",
                f"需求人数 demand：{pos.demand}",
                f"覆盖率 coverage：{_pct(pos.coverage)}",
                f"未达成能力 unmet：{unmet} / {len(pos.requirements)}",
            ]
            size = 10 + 22 * math.sqrt(pos.demand / max_demand)
            columns[1].append(builder.node(Label.POSITION, pos.id, pos.name, details, size=size))
    for pid in report.unmodelled_positions:
        if f"unm:{pid}" in keep:
            name = scene.positions_all[pid].name if pid in scene.positions_all else pid
            columns[1].append(
                builder.node(
                    Label.POSITION,
                    pid,
                    name,
                    ["未建模岗位：没有能力要求，不参与评分 (unmodelled)"],
                    colour="#b0bec5",
                    size=10,
                    legend=("未建模岗位", "unmodelled position"),
                )
            )
    max_priority = max((u.priority for u in units.values()), default=0.0) or 1.0
    for uid, unit in units.items():
        if f"unit:{uid}" in keep:
            columns[2].append(_unit_node(builder, unit, max_priority))
    for cid in shown_courses:
        if f"crs:{cid}" not in keep:
            continue
        course = scene.courses.get(cid)
        name = course.name if course else cid
        orphan = cid in report.orphan_courses
        details = (course and _props(course)) or []
        if orphan:
            details = ["孤立课程：不培养本产业链任何岗位所需的能力 (orphan course)", *details]
        columns[3].append(
            builder.node(
                Label.COURSE,
                cid,
                name,
                details,
                colour="#b0bec5" if orphan else None,
                legend=("孤立课程", "orphan course") if orphan else None,
            )
        )
    for mid in sorted(scene.majors):
        if f"maj:{mid}" in keep:
            major = scene.majors[mid]
            columns[4].append(builder.node(Label.MAJOR, mid, major.name, _props(major)))
    return columns


def _unit_node(builder: ViewBuilder, unit: _Unit, max_priority: float) -> str:
    status = unit.status
    details = [
        f"状态：{STATUS_ZH[status]} ({status})",
        f"已教 taught：{unit.taught} · 最高要求 required：{unit.required}",
        f"差距优先级 priority：{unit.priority:.4f}",
        f"需要它的岗位 positions：{len(unit.positions)}",
    ]
    if len(unit.members) > 1 or unit.key.startswith("AbilityGroup"):
        details.insert(
            0, f"能力域（合并 {len(unit.members)} 项能力）：" + "、".join(unit.members[:12])
        )
    size = 9 + 24 * math.sqrt(unit.priority / max_priority) if unit.priority else 9
    return builder.node(
        Label.ABILITY,
        unit.id,
        unit.name,
        details,
        colour=STATUS_COLOUR[status],
        size=size,
        legend=(f"能力：{STATUS_ZH[status]}", f"ability: {status}"),
        key=unit.key,
    )


def _cluster_edges(
    builder: ViewBuilder,
    scene: _ClusterScene,
    units: dict[str, _Unit],
    unit_of: dict[str, str],
    shown_courses: list[str],
    covering: dict[str, list[str]],
) -> list[tuple[str, str]]:
    """Edges between the kept nodes (an edge to a node left out is left out)."""
    edges: list[tuple[str, str]] = []

    def link(src: str, dst: str, title: str, **style: object) -> None:
        if builder.has(src) and builder.has(dst):
            builder.edge(src, dst, title, **style)  # type: ignore[arg-type]
            edges.append((src, dst))

    for pos in scene.report.positions:
        key = builder.key(Label.POSITION, pos.id)
        link(builder.key(Label.CHAIN_SEGMENT, pos.segment), key, "环节包含岗位")
        for req in pos.requirements:
            target = units[unit_of[req.ability]].key
            link(
                key,
                target,
                f"{REL_ZH[Rel.REQUIRES]}：{req.name} 要求 {_level(req.required)}，"
                f"已教 {req.taught} 级 · {STATUS_ZH[req.status]}",
                colour=STATUS_COLOUR[req.status],
            )
    for pid, sid in scene.segment_of_unmodelled.items():
        link(
            builder.key(Label.CHAIN_SEGMENT, sid), builder.key(Label.POSITION, pid), "环节包含岗位"
        )
    for cid in shown_courses:
        key = builder.key(Label.COURSE, cid)
        for a in covering[cid]:
            level = scene.curriculum[cid][a]
            link(key, units[unit_of[a]].key, f"{REL_ZH[Rel.COVERS]}：{_level(level)}")
    for rel in scene.in_major:
        if rel.dst in scene.majors:
            link(
                builder.key(Label.MAJOR, rel.dst),
                builder.key(Label.COURSE, rel.src),
                "专业开设课程",
            )
    return edges


# --- a gap and its closers -------------------------------------------------------------

_CLOSER_LABEL = {
    "courses": (Label.COURSE, "可补课程（专业群外）", "覆盖该能力"),
    "teachers": (Label.TEACHER, "教师", REL_ZH[Rel.EXPERT_IN]),
    "textbooks": (Label.TEXTBOOK, "教材", "用于培养该能力的课程"),
    "training_resources": (Label.TRAINING_RESOURCE, "实训资源", "支撑该能力或其课程"),
    "enterprises": (Label.ENTERPRISE, "合作企业", "提供需要该能力的岗位"),
    "certificates": (Label.CERTIFICATE, "证书", REL_ZH[Rel.CERTIFIES]),
    "competitions": (Label.COMPETITION, "竞赛", REL_ZH[Rel.EXERCISES]),
}


def gap_graph(
    store: GraphStore,
    cluster_id: str,
    chain_id: str,
    ability_id: str,
    segment_id: str | None = None,
) -> View:
    """An ability's gap: the positions that miss it and everything that could close it.

    Closers are those of DESIGN §4 (courses outside the cluster, teachers, textbooks,
    training resources, enterprises, certificates, competitions); the cluster's own
    courses that teach it too low are shown as well.

    Raises:
        NotFound: the cluster, chain, segment or ability does not exist.
    """
    with store.reading():
        ability = store.get_node(Label.ABILITY, ability_id)
        if ability is None:
            raise NotFound(f"找不到能力 {ability_id}", f"no ability {ability_id}")
        report = analyse_gaps(store, cluster_id, chain_id, segment_id)
        curriculum = store.curriculum(cluster_id)
        gap = next((g for g in report.gaps if g.ability == ability_id), None)
        if gap is not None:
            closers = {k: list(v) for k, v in gap.closers.items()}
        else:
            found = store.closers([ability_id]).get(ability_id, {})
            closers = {k: list(found.get(k, ())) for k in CLOSER_KINDS}
            closers["courses"] = [c for c in closers["courses"] if c not in curriculum]
        own = sorted(c for c, covers in curriculum.items() if ability_id in covers)
        nodes = {kind: store.nodes(_CLOSER_LABEL[kind][0], ids) for kind, ids in closers.items()}
        own_nodes = store.nodes(Label.COURSE, own)
        offers = store.relationships(Rel.OFFERS, src_ids=closers["enterprises"])

    requiring = [
        (p, r) for p in report.positions for r in p.requirements if r.ability == ability_id
    ]
    taught = taught_levels(curriculum).get(ability_id, 0)
    required = max((r.required for _, r in requiring), default=0)
    status = status_of(taught, required) if requiring else "covered"
    builder = ViewBuilder()
    notes: list[str] = []
    details = [
        f"状态：{STATUS_ZH[status]} ({status})",
        f"已教 taught：{taught} · 最高要求 required：{required}",
        f"差距优先级 priority：{gap.priority:.4f}" if gap else "不是差距 (not a gap)",
        *_props(ability),
    ]
    centre = builder.node(
        Label.ABILITY,
        ability.id,
        ability.name,
        details,
        colour=STATUS_COLOUR[status],
        size=30,
        legend=(f"能力：{STATUS_ZH[status]}", f"ability: {status}"),
    )
    if gap is None:
        notes.append(
            "该能力在此范围内不是差距（已覆盖或没有岗位要求）；下面仍列出可补充它的资源。"
            " Not a gap in this scope; its closers are still shown."
        )
    groups: list[list[str]] = []
    ring: list[str] = []
    for pos, req in requiring:
        key = builder.node(
            Label.POSITION,
            pos.id,
            pos.name,
            [f"需求人数 demand：{pos.demand}", f"覆盖率 coverage：{_pct(pos.coverage)}"],
            colour=STATUS_COLOUR[req.status],
            legend=(f"岗位：{STATUS_ZH[req.status]}", f"position: {req.status}"),
        )
        builder.edge(
            key,
            centre,
            f"要求 {_level(req.required)}，已教 {req.taught} 级 · {STATUS_ZH[req.status]}",
            colour=STATUS_COLOUR[req.status],
        )
        ring.append(key)
    groups.append(ring)
    ring = []
    for cid in own:
        level = curriculum[cid][ability_id]
        name = own_nodes[cid].name if cid in own_nodes else cid
        key = builder.node(
            Label.COURSE,
            cid,
            name,
            ["本专业群课程 (cluster course)", f"培养 {_level(level)}"],
            colour="#4dd0e1",
            legend=("本专业群课程", "cluster course"),
        )
        builder.edge(key, centre, f"培养 {_level(level)}（本专业群）", dashed=level < required)
        ring.append(key)
    groups.append(ring)
    position_keys = {builder.key(Label.POSITION, p.id) for p, _ in requiring}
    offered: dict[str, list[str]] = defaultdict(list)
    for rel in offers:
        target = builder.key(Label.POSITION, rel.dst)
        if target in position_keys:
            offered[rel.src].append(target)
    for kind in CLOSER_KINDS:
        label, zh, relation = _CLOSER_LABEL[kind]
        ring = []
        for cid in closers.get(kind, []):
            node = nodes[kind].get(cid)
            key = builder.node(
                label,
                cid,
                node.name if node else cid,
                [f"可补差距：{zh}", *(_props(node) if node else [])],
            )
            targets = offered.get(cid, []) if kind == "enterprises" else []
            for target in targets:
                builder.edge(key, target, REL_ZH[Rel.OFFERS])
            if not targets:
                builder.edge(key, centre, relation)
            ring.append(key)
        groups.append(ring)
    if len(builder) == 1:
        notes.append("没有岗位要求该能力，也没有可补充它的资源。Nothing requires or closes it.")
    positions = sectors(centre, groups)
    title = f"差距：{ability.name}（{ability.id}）"
    subtitle = (
        f"{report.cluster_name}（{report.cluster}） × {report.chain_name}（{report.chain}）"
        + (f" · 环节 {segment_id}" if segment_id else "")
        + " · 岗位需求与可补差距的课程、教师、教材、实训资源、企业、证书、竞赛"
    )
    return builder.finish("gap", title, subtitle, positions, notes)


# --- a position's learning path --------------------------------------------------------


def path_graph(store: GraphStore, position_id: str, cluster_id: str | None = None) -> View:
    """A position's abilities and the courses that build them, in prerequisite order.

    Courses stand in columns by prerequisite depth (a course sits right of everything it
    requires), numbered in the learning-path order of `align_position`.

    Raises:
        NotFound: no such position (or cluster).
    """
    with store.reading():
        alignment = align_position(store, position_id, cluster_id)
        prerequisites = store.prerequisite_graph()
    position = alignment.position
    builder = ViewBuilder()
    step = {c["id"]: i for i, c in enumerate(alignment.learning_path, start=1)}
    chosen = set(step)
    import networkx as nx

    closure = nx.DiGraph()
    closure.add_nodes_from(chosen)
    for course in chosen:
        if course in prerequisites:
            for later in nx.descendants(prerequisites, course) & chosen:
                closure.add_edge(course, later)
    generations = list(nx.topological_generations(closure)) if chosen else []
    columns: list[list[str]] = []
    for generation in generations:
        column = []
        for cid in sorted(generation, key=lambda c: step[c]):
            course = next(c for c in alignment.learning_path if c["id"] == cid)
            semester = course.get("semester")
            details = [f"学习顺序 step：{step[cid]}"]
            if semester is not None:
                details.append(f"学期 semester：{semester}")
            column.append(
                builder.node(
                    Label.COURSE,
                    cid,
                    f"{step[cid]}. {course['name']}",
                    details,
                    key=builder.key(Label.COURSE, cid),
                )
            )
        columns.append(column)
    ability_column = []
    for req in alignment.requirements:
        best = max((c["level"] for c in req["courses"]), default=0)
        status = status_of(best, req["required"])
        ability_column.append(
            builder.node(
                Label.ABILITY,
                req["ability"],
                req["name"],
                [
                    f"要求 required：{_level(req['required'])}",
                    f"课程最高 best course level：{best}",
                    f"状态：{STATUS_ZH[status]} ({status})",
                ],
                colour=STATUS_COLOUR[status],
                legend=(f"能力：{STATUS_ZH[status]}", f"ability: {status}"),
            )
        )
    columns.append(ability_column)
    centre = builder.node(Label.POSITION, position.id, position.name, _props(position), size=26)
    columns.append([centre])
    edges: list[tuple[str, str]] = []
    if chosen:
        for a, b in nx.transitive_reduction(closure).edges:
            src, dst = builder.key(Label.COURSE, a), builder.key(Label.COURSE, b)
            builder.edge(src, dst, REL_ZH[Rel.PREREQUISITE_OF], colour="#607d8b")
            edges.append((src, dst))
    for req in alignment.requirements:
        akey = builder.key(Label.ABILITY, req["ability"])
        for course in req["courses"]:
            ckey = builder.key(Label.COURSE, course["id"])
            builder.edge(
                ckey,
                akey,
                f"培养 {_level(course['level'])}（要求 {req['required']} 级）",
                colour=STATUS_COLOUR[status_of(course["level"], req["required"])],
                dashed=not course["meets"],
            )
            edges.append((ckey, akey))
        builder.edge(akey, centre, f"岗位要求 {_level(req['required'])}")
        edges.append((akey, centre))
    notes = []
    if not alignment.requirements:
        notes.append("该岗位没有能力要求（未建模）。This position has no requirements.")
    missing = [r["name"] for r in alignment.requirements if not r["courses"]]
    if missing:
        notes.append(
            f"{len(missing)} 项能力没有任何课程培养："
            + "、".join(missing[:8])
            + (" 等" if len(missing) > 8 else "")
            + f"。{len(missing)} abilities are taught by no course."
        )
    positions = layered(columns, neighbour_sets(edges), x_gap=280, y_gap=64)
    scope = f" · 专业群 {cluster_id}" if cluster_id else " · 全部课程 all courses"
    title = f"学习路径：{position.name}（{position.id}）"
    subtitle = "按先修关系排列的课程 → 岗位能力 → 岗位" + scope
    return builder.finish("path", title, subtitle, positions, notes)


__all__ = [
    "DEFAULT_MAX_NODES",
    "cluster_graph",
    "find_node",
    "focus_graph",
    "gap_graph",
    "parse_label",
    "path_graph",
]
