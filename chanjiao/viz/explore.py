"""Graph data for the web workbench's explorer (drawn in the browser by sigma.js).

Everything a person reads here is Chinese words: label and relationship names come
from `LABEL_ZH`/`REL_ZH`, property names from `PROP_ZH`, enum values from `zh_word`,
levels as 了解…熟练, booleans as 是/否. Nodes are keyed ``Label:id`` (ids of
different labels may coincide). Layouts are computed here, so a graph of 10,000
nodes opens at once: the layered layout puts chain → segment → position → ability
← course ← major in columns from left to right.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.analysis.paths import semester_plan
from chanjiao.analysis.scoring import STATUS_ZH, rounded
from chanjiao.analysis.scoring import status as requirement_status
from chanjiao.errors import InvalidRequest, NotFound
from chanjiao.graph.schema import (
    LABEL_ZH,
    LEVEL_WORDS,
    PERSONAL_LABELS,
    REL_ZH,
    Label,
    Node,
    Rel,
    parse_choice,
    zh_word,
)
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.formats import FILES
from chanjiao.viz.graph import LABEL_STYLE, STATUS_COLOUR
from chanjiao.viz.views import PROP_ZH

#: Left-to-right column of each label in the layered layout.
LAYER: dict[Label, int] = {
    Label.INDUSTRY_CHAIN: 0,
    Label.CHAIN_SEGMENT: 1,
    Label.POSITION: 2,
    Label.ABILITY: 3,
    Label.COURSE: 4,
    Label.MAJOR: 5,
}
#: The most nodes a layered graph holds (the explorer stays smooth well past this).
MAX_LAYERED = 20000
#: The most nodes stacked in one column before a layer wraps into another column.
COLUMN_ROWS = 120
_ENUMS: dict[tuple[Label, str], type[StrEnum]] = {
    (fmt.label, column): enum
    for fmt in FILES
    if fmt.label is not None
    for column in fmt.columns
    if (enum := fmt.enum_of(column)) is not None
}


def key_of(label: Label, node_id: str) -> str:
    return f"{label}:{node_id}"


def parse_key(key: str) -> tuple[Label, str]:
    """``Label:id`` → (label, id).

    Raises:
        InvalidRequest: the key does not start with a label name and a colon.
    """
    head, sep, node_id = key.partition(":")
    try:
        label = Label(head)
    except ValueError:
        label = None
    if not sep or label is None or not node_id:
        raise InvalidRequest(
            f"节点应写作“类型:编号”（如 Course:C1），实际为“{key[:80]}”",
            f"a node is written Label:id (e.g. Course:C1), got '{key[:80]}'",
        )
    return label, node_id


def _value_text(label: Label, prop: str, value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    enum = _ENUMS.get((label, prop))
    if enum is not None:
        member = parse_choice(enum, str(value))
        if member is not None:
            return zh_word(member)
    return str(value)


def details(node: Node) -> list[list[str]]:
    """A node's properties as [Chinese name, text] pairs (name left out: it is the title)."""
    rows = []
    for prop, value in sorted(node.props.items()):
        if prop == "name" or value is None or value == "":
            continue
        rows.append([PROP_ZH.get(prop, prop), _value_text(node.label, prop, value)])
    return rows


def _rel_props(rel: Rel, props: dict[str, Any]) -> str:
    parts = []
    for prop, value in sorted(props.items()):
        if value is None or value == "":
            continue
        if prop == "level" and isinstance(value, int) and value in LEVEL_WORDS:
            text = f"{value} 级（{LEVEL_WORDS[value]}）"
        elif isinstance(value, bool):
            text = "是" if value else "否"
        else:
            text = str(value)
        parts.append(f"{PROP_ZH.get(prop, prop)}：{text}")
    return "，".join(parts)


@dataclass
class GraphData:
    """Nodes and edges as the explorer draws them (`to_dict` is the JSON)."""

    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def node(self, node: Node | None, label: Label, node_id: str, **extra: Any) -> str:
        key = key_of(label, node_id)
        if key not in self.nodes:
            self.nodes[key] = {
                "key": key,
                "label": str(label),
                "label_zh": LABEL_ZH[label],
                "id": node_id,
                "name": node.name if node is not None else node_id,
                "color": LABEL_STYLE[label][0],
                "layer": LAYER.get(label, 6),
            }
        self.nodes[key].update(extra)
        return key

    def edge(self, src: str, dst: str, rel: Rel, props: dict[str, Any] | None = None) -> None:
        if src not in self.nodes or dst not in self.nodes:
            return
        text = _rel_props(rel, props or {})
        self.edges.setdefault(
            (src, dst, str(rel)),
            {"source": src, "target": dst, "rel": str(rel), "rel_zh": REL_ZH[rel], "props": text},
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodes": list(self.nodes.values()),
            "edges": list(self.edges.values()),
            "notes": self.notes,
            "labels": sorted({n["label"] for n in self.nodes.values()}),
            "rels": sorted({e["rel"] for e in self.edges.values()}),
        }


# --- search ---------------------------------------------------------------------------


#: What the explorer shows: every label but personal data (DESIGN §4b: students are
#: read only with a key, through the talent analyses), so its answers can be shared
#: and cached for every reader alike.
SHOWN_LABELS = tuple(label for label in Label if label not in PERSONAL_LABELS)


class NodeIndex:
    """Every node's label, id and name, for substring search by name or id.

    Built once per store generation by the caller (the index of a national dataset
    takes a second or two to build and answers a search in milliseconds).
    """

    def __init__(self, store: GraphStore) -> None:
        entries: list[tuple[str, str, Label, str, str]] = []
        with store.reading():
            for label in SHOWN_LABELS:
                for node_id, node in store.nodes(label).items():
                    entries.append((node_id.lower(), node.name.lower(), label, node_id, node.name))
        self._entries = entries

    def __len__(self) -> int:
        return len(self._entries)

    def search(
        self, text: str, labels: Iterable[Label] | None = None, limit: int = 30
    ) -> list[dict[str, Any]]:
        """Nodes whose id or name contains `text` (any case), ranked by `_rank`."""
        needle = text.strip().lower()
        if not needle:
            return []
        wanted = set(labels) if labels else None
        found = (  # the index holds no personal data (SHOWN_LABELS)
            (_rank(needle, low_id, low_name), len(name), node_id, label, name)
            for low_id, low_name, label, node_id, name in self._entries
            if (wanted is None or label in wanted) and (needle in low_id or needle in low_name)
        )
        return [
            _hit(label, node_id, name)
            for _, _, node_id, label, name in heapq.nsmallest(limit, found)
        ]


def _rank(needle: str, low_id: str, low_name: str) -> int:
    """0: the id itself; 1: an id or name that starts with the text; 2: contains it."""
    if low_id == needle:
        return 0
    return 1 if low_id.startswith(needle) or low_name.startswith(needle) else 2


def _hit(label: Label, node_id: str, name: str) -> dict[str, Any]:
    return {
        "key": key_of(label, node_id),
        "label": str(label),
        "label_zh": LABEL_ZH[label],
        "id": node_id,
        "name": name,
    }


def search_store(
    store: GraphStore, text: str, labels: Iterable[Label] | None = None, limit: int = 30
) -> list[dict[str, Any]]:
    """The same search through the store (names containing the text, and exact ids),
    for a server whose `NodeIndex` is still being built."""
    needle = text.strip()
    if not needle:
        return []
    found = []
    with store.reading():
        for label in [lb for lb in labels or Label if lb in SHOWN_LABELS]:
            nodes = {n.id: n for n in store.find_nodes(label, text=needle, limit=limit)}
            exact = store.get_node(label, needle)
            if exact is not None:
                nodes[exact.id] = exact
            for node in nodes.values():
                rank = _rank(needle.lower(), node.id.lower(), node.name.lower())
                found.append((rank, len(node.name), node.id, label, node.name))
    return [
        _hit(label, node_id, name) for _, _, node_id, label, name in heapq.nsmallest(limit, found)
    ]


# --- one node and its neighbours --------------------------------------------------------


def neighbourhood(store: GraphStore, label: Label, node_id: str) -> dict[str, Any]:
    """A node, its details and every neighbour with the relationship between them.

    Raises:
        NotFound: the node does not exist.
    """
    if label not in SHOWN_LABELS:
        raise NotFound(
            f"图谱浏览不显示{LABEL_ZH[label]}（个人信息），请在人才页面凭密钥查看",
            f"the explorer does not show {label} nodes (personal data); use the talent pages "
            "with a key",
            {"id": node_id},
        )
    with store.reading():
        node = store.get_node(label, node_id)
        if node is None:
            raise NotFound(
                f"找不到{LABEL_ZH[label]} {node_id}", f"no {label} {node_id}", {"id": node_id}
            )
        around = [n for n in store.neighbours(label, node_id) if n.node.label in SHOWN_LABELS]
    graph = GraphData()
    centre = graph.node(node, label, node_id, details=details(node))
    for item in sorted(around, key=lambda n: (n.rel, n.node.label, n.node.id)):
        other = graph.node(item.node, item.node.label, item.node.id, details=details(item.node))
        if item.direction == "out":
            graph.edge(centre, other, item.rel, item.props)
        else:
            graph.edge(other, centre, item.rel, item.props)
    data = graph.to_dict()
    data["centre"] = centre
    return data


# --- the layered graph of a cluster against a chain ---------------------------------------


def _place(graph: GraphData, order: dict[int, list[str]]) -> None:
    """Columns left to right by layer; a layer taller than `COLUMN_ROWS` wraps."""
    x = 0.0
    for layer in sorted(order):
        keys = order[layer]
        columns = max(1, math.ceil(len(keys) / COLUMN_ROWS))
        rows = math.ceil(len(keys) / columns) if keys else 1
        for i, key in enumerate(keys):
            col, row = divmod(i, rows)
            graph.nodes[key]["x"] = round(x + col * 4.0, 2)
            graph.nodes[key]["y"] = round(-(row - (rows - 1) / 2) * 2.0, 2)
        x += columns * 4.0 + 30.0


def layered_graph(
    store: GraphStore,
    cluster_id: str,
    chain_id: str,
    segment_id: str | None = None,
    *,
    max_nodes: int = MAX_LAYERED,
) -> dict[str, Any]:
    """Chain → segments → positions → abilities ← courses ← majors of K against H.

    Abilities are coloured by status (DESIGN §4: covered, partial, missing); courses
    are those of C(K) that cover a required ability. Past `max_nodes` the last layers
    are cut and a note says so.

    Raises:
        NotFound: the cluster, chain or segment does not exist.
    """
    with store.reading():
        report = analyse_gaps(store, cluster_id, chain_id, segment_id, with_closers=False)
        curriculum = store.curriculum(cluster_id)
        required = {r.ability for p in report.positions for r in p.requirements}
        courses = sorted(c for c, covers in curriculum.items() if required & covers.keys())
        course_nodes = store.nodes(Label.COURSE, courses)
        in_major = store.relationships(Rel.IN_MAJOR, src_ids=courses)
        majors = store.nodes(Label.MAJOR, {r.dst for r in in_major})
    graph = GraphData()
    order: dict[int, list[str]] = defaultdict(list)

    def add(label: Label, node_id: str, name: str, **extra: Any) -> str | None:
        key = key_of(label, node_id)
        if key in graph.nodes:
            return key
        if len(graph.nodes) >= max_nodes:
            return None
        graph.node(Node(label, node_id, {"name": name}), label, node_id, **extra)
        order[LAYER[label]].append(key)
        return key

    chain = add(Label.INDUSTRY_CHAIN, report.chain, report.chain_name)
    segment_keys = {}
    for seg in report.segments:
        key = add(Label.CHAIN_SEGMENT, seg.id, seg.name, coverage=seg.coverage)
        if key and chain:
            segment_keys[seg.id] = key
            graph.edge(key, chain, Rel.PART_OF)
    status: dict[str, str] = {}
    taught: dict[str, int] = {}
    needed: dict[str, int] = defaultdict(int)
    names: dict[str, str] = {}
    for position in sorted(report.positions, key=lambda p: (p.segment, p.id)):
        for req in position.requirements:
            names[req.ability] = req.name
            taught[req.ability] = req.taught
            needed[req.ability] = max(needed[req.ability], req.required)
    for ability, level in needed.items():
        status[ability] = requirement_status(taught[ability], level)
    position_keys = {}
    for position in sorted(report.positions, key=lambda p: (p.segment, p.id)):
        key = add(Label.POSITION, position.id, position.name, coverage=rounded(position.coverage))
        if key:
            position_keys[position.id] = key
            if position.segment in segment_keys:
                graph.edge(key, segment_keys[position.segment], Rel.IN_SEGMENT)
    for position in sorted(report.positions, key=lambda p: (p.segment, p.id)):
        for req in position.requirements:
            ability_key = add(
                Label.ABILITY,
                req.ability,
                req.name,
                color=STATUS_COLOUR[status[req.ability]],
                status=status[req.ability],
                status_zh=STATUS_ZH[status[req.ability]],
            )
            if ability_key and position.id in position_keys:
                graph.edge(
                    position_keys[position.id],
                    ability_key,
                    Rel.REQUIRES,
                    {"level": req.required, "weight": req.weight},
                )
    ability_rank = {k: i for i, k in enumerate(order[LAYER[Label.ABILITY]])}

    def first_ability(course: str) -> int:
        ranks = [
            ability_rank[k]
            for a in curriculum[course]
            if (k := key_of(Label.ABILITY, a)) in ability_rank
        ]
        return min(ranks, default=len(ability_rank))

    for course in sorted(courses, key=lambda c: (first_ability(c), c)):
        node = course_nodes.get(course)
        key = add(Label.COURSE, course, node.name if node else course)
        if key is None:
            continue
        for ability, level in sorted(curriculum[course].items()):
            graph.edge(key, key_of(Label.ABILITY, ability), Rel.COVERS, {"level": level})
    for rel in sorted(in_major, key=lambda r: (r.dst, r.src)):
        major = majors.get(rel.dst)
        key = add(Label.MAJOR, rel.dst, major.name if major else rel.dst)
        if key:
            graph.edge(key_of(Label.COURSE, rel.src), key, Rel.IN_MAJOR, rel.props)
    if len(graph.nodes) >= max_nodes:
        graph.notes.append(f"图中节点超过 {max_nodes} 个，后面的层次只显示了一部分")
    _place(graph, order)
    data = graph.to_dict()
    data["coverage"] = report.coverage
    return data


# --- focus on a gap or on a learning path -------------------------------------------------

#: Closer kinds of the §4 gap JSON → their label and the word on the edge to the gap.
CLOSER_LABEL: dict[str, Label] = {
    "courses": Label.COURSE,
    "teachers": Label.TEACHER,
    "textbooks": Label.TEXTBOOK,
    "training_resources": Label.TRAINING_RESOURCE,
    "enterprises": Label.ENTERPRISE,
    "certificates": Label.CERTIFICATE,
    "competitions": Label.COMPETITION,
}
CLOSER_REL: dict[str, Rel] = {
    "courses": Rel.COVERS,
    "teachers": Rel.EXPERT_IN,
    "training_resources": Rel.SUPPORTS,
    "certificates": Rel.CERTIFIES,
    "competitions": Rel.EXERCISES,
}


def gap_focus(
    store: GraphStore,
    cluster_id: str,
    chain_id: str,
    ability_id: str,
    segment_id: str | None = None,
) -> dict[str, Any]:
    """One gap: the ability, the positions behind it and everything that could close it.

    Raises:
        NotFound: the cluster, chain or segment does not exist, or the ability is no gap.
    """
    with store.reading():
        report = analyse_gaps(store, cluster_id, chain_id, segment_id).to_dict()
        gap = next((g for g in report["gaps"] if g["ability"] == ability_id), None)
        if gap is None:
            raise NotFound(
                f"能力 {ability_id} 不是专业群 {cluster_id} 对产业链 {chain_id} 的差距",
                f"ability {ability_id} is not a gap of cluster {cluster_id} against {chain_id}",
            )
        wanted: dict[Label, set[str]] = defaultdict(set)
        for kind, ids in gap["closers"].items():
            wanted[CLOSER_LABEL[kind]].update(ids)
        wanted[Label.POSITION].update(gap["positions"])
        partly = gap.get("taught_partly") or []
        wanted[Label.COURSE].update(p["course"] for p in partly)
        wanted[Label.ABILITY].add(ability_id)
        found = {label: store.nodes(label, ids) for label, ids in wanted.items()}
    graph = GraphData()
    centre = graph.node(
        found[Label.ABILITY].get(ability_id),
        Label.ABILITY,
        ability_id,
        color=STATUS_COLOUR["missing"],
        x=0.0,
        y=0.0,
    )
    required = {
        p["id"]: r
        for p in report["positions"]
        for r in p["requirements"]
        if r["ability"] == ability_id
    }
    around: list[str] = []
    for position in gap["positions"]:
        key = graph.node(found[Label.POSITION].get(position), Label.POSITION, position)
        req = required.get(position, {})
        graph.edge(key, centre, Rel.REQUIRES, {"level": req.get("required")})
        around.append(key)
    for item in partly:
        key = graph.node(found[Label.COURSE].get(item["course"]), Label.COURSE, item["course"])
        graph.edge(key, centre, Rel.COVERS, {"level": item.get("level")})
        around.append(key)
    for kind, ids in gap["closers"].items():
        label = CLOSER_LABEL[kind]
        for node_id in ids:
            key = graph.node(found[label].get(node_id), label, node_id)
            rel = CLOSER_REL.get(kind)
            if rel is not None:
                graph.edge(key, centre, rel)
            elif kind == "enterprises":
                for position in gap["positions"]:
                    graph.edge(key, key_of(Label.POSITION, position), Rel.OFFERS)
            around.append(key)
    for i, key in enumerate(dict.fromkeys(around)):
        angle = 2 * math.pi * i / max(1, len(around))
        radius = 10.0 + 2.0 * (i % 3)
        graph.nodes[key]["x"] = round(radius * math.cos(angle), 2)
        graph.nodes[key]["y"] = round(radius * math.sin(angle), 2)
    data = graph.to_dict()
    data["centre"] = centre
    return data


def path_focus(store: GraphStore, position_id: str, cluster_id: str) -> dict[str, Any]:
    """A position's learning path: its abilities and the courses, semester by semester.

    Raises:
        NotFound: the position or cluster does not exist.
    """
    with store.reading():
        path = semester_plan(store, position_id, cluster_id)
        position = store.get_node(Label.POSITION, position_id)
        abilities = store.nodes(Label.ABILITY, {a for c in path.courses for a in c.abilities})
        prereqs = store.relationships(Rel.PREREQUISITE_OF, src_ids=[c.id for c in path.courses])
    graph = GraphData()
    centre = graph.node(position, Label.POSITION, position_id, x=0.0, y=0.0)
    ability_keys: list[str] = []
    for course in path.courses:
        for ability in course.abilities:
            key = graph.node(abilities.get(ability), Label.ABILITY, ability)
            if key not in ability_keys:
                ability_keys.append(key)
            graph.edge(centre, key, Rel.REQUIRES)
    for i, key in enumerate(ability_keys):
        graph.nodes[key].update(x=8.0, y=round((i - (len(ability_keys) - 1) / 2) * 2.5, 2))
    rows: dict[int, int] = defaultdict(int)
    for course in path.courses:
        semester = course.semester or 0
        key = graph.node(
            Node(Label.COURSE, course.id, {"name": course.name}),
            Label.COURSE,
            course.id,
            semester=semester,
            x=16.0 + 6.0 * semester,
            y=float(rows[semester] * 2.5),
        )
        rows[semester] += 1
        for ability in course.abilities:
            graph.edge(key, key_of(Label.ABILITY, ability), Rel.COVERS)
    for rel in prereqs:
        graph.edge(
            key_of(Label.COURSE, rel.src), key_of(Label.COURSE, rel.dst), Rel.PREREQUISITE_OF
        )
    data = graph.to_dict()
    data["centre"] = centre
    data["plan"] = path.by_semester()
    return data
