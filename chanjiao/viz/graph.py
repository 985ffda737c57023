"""The view model every graph view builds, its styles and legend, and layouts computed in Python.

A view is a `Network` (nodes with positions already set, physics off) plus the
text around it (title, legend, notes). Layouts are computed here rather than by the
browser's physics simulation, so a view of thousands of nodes opens at once and looks
the same every time.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from chanjiao.graph.schema import LABEL_ZH, Label

#: Above this many nodes a view groups (cluster view) or caps (focus view) what it shows.
DEFAULT_MAX_NODES = 400

#: Colour and vis-network shape of each label; the label is drawn under the shape.
LABEL_STYLE: dict[Label, tuple[str, str]] = {
    Label.INDUSTRY_CHAIN: ("#455a64", "hexagon"),
    Label.CHAIN_SEGMENT: ("#78909c", "hexagon"),
    Label.ENTERPRISE: ("#5d4037", "diamond"),
    Label.ORGANIZATION: ("#8d6e63", "diamond"),
    Label.POSITION: ("#1f6fb2", "dot"),
    Label.ABILITY: ("#7e57c2", "dot"),
    Label.MAJOR: ("#6a1b9a", "triangle"),
    Label.SPECIALTY_CLUSTER: ("#4a148c", "triangle"),
    Label.COURSE: ("#00838f", "square"),
    Label.TEXTBOOK: ("#a1887f", "square"),
    Label.TEACHER: ("#ef6c00", "star"),
    Label.TRAINING_RESOURCE: ("#00897b", "triangleDown"),
    Label.CERTIFICATE: ("#c49000", "star"),
    Label.COMPETITION: ("#ad1457", "star"),
    Label.INDUSTRY_COLLEGE: ("#283593", "hexagon"),
    Label.STUDENT: ("#558b2f", "dot"),
}

#: Colours of an ability's coverage status (DESIGN §4), shared with the reports.
STATUS_COLOUR = {"covered": "#2e9e5b", "partial": "#f0a030", "missing": "#d64541"}
STATUS_EN = {"covered": "covered", "partial": "partial", "missing": "missing"}

SHAPE_ZH = {
    "dot": "圆形",
    "hexagon": "六边形",
    "diamond": "菱形",
    "triangle": "三角形",
    "triangleDown": "倒三角",
    "square": "方形",
    "star": "星形",
}


@dataclass(frozen=True, slots=True)
class LegendEntry:
    """One line of a view's legend: a swatch (colour, shape) and what it stands for."""

    colour: str
    shape: str
    zh: str
    en: str


@dataclass(slots=True)
class Network:
    """A view's nodes and edges, each a dict as vis-network's DataSets take it.

    (pyvis' `Network` was used for this alone, and pulled in IPython; its page output
    links CDNs, so it was dropped: see the README's architecture section.)
    """

    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class View:
    """A graph view ready to render: the network and the words around it.

    Attributes:
        kind: which view (focus, cluster, gap, path); it names the page's purpose.
        title: the page heading (user data inside: always escaped when rendered).
        notes: sentences shown above the graph, e.g. that the graph was capped.
    """

    kind: str
    title: str
    subtitle: str
    network: Network
    legend: list[LegendEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def node_count(self) -> int:
        return len(self.network.nodes)

    @property
    def edge_count(self) -> int:
        return len(self.network.edges)

    def data(self) -> dict[str, Any]:
        """Nodes, edges and options as vis-network reads them."""
        return {
            "nodes": self.network.nodes,
            "edges": self.network.edges,
            "options": VIS_OPTIONS,
        }


#: vis-network options: no physics (positions come from Python), hover tooltips,
#: straight edges (much faster to draw on big graphs).
VIS_OPTIONS: dict[str, Any] = {
    "physics": {"enabled": False},
    "layout": {"improvedLayout": False},
    "interaction": {
        "hover": True,
        "tooltipDelay": 120,
        "navigationButtons": False,
        "keyboard": {"enabled": True, "bindToWindow": False},
        "hideEdgesOnDrag": True,
    },
    "nodes": {
        "font": {
            "size": 14,
            "face": "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif",
        },
        "borderWidth": 1,
    },
    "edges": {
        "smooth": False,
        "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
        "color": {"color": "#9aa5b1", "highlight": "#333333", "hover": "#333333"},
        "width": 1,
    },
}


class ViewBuilder:
    """Collects nodes and edges of a view (once each) and the legend they need."""

    def __init__(self) -> None:
        self.network = Network()
        self._nodes: dict[str, dict[str, Any]] = {}
        self._edges: dict[tuple[str, str], dict[str, Any]] = {}
        self._legend: dict[tuple[str, str, str], LegendEntry] = {}

    @staticmethod
    def key(label: Label, node_id: str) -> str:
        """The vis id of a node: labels keep ids of different labels apart."""
        return f"{label}:{node_id}"

    def has(self, key: str) -> bool:
        return key in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def node(
        self,
        label: Label,
        node_id: str,
        text: str,
        details: Sequence[str] = (),
        *,
        colour: str | None = None,
        size: float = 14.0,
        legend: tuple[str, str] | None = None,
        key: str | None = None,
    ) -> str:
        """Add a node once; `details` become its hover text, one line each."""
        key = key or self.key(label, node_id)
        if key in self._nodes:
            return key
        base, shape = LABEL_STYLE[label]
        fill = colour or base
        zh, en = legend or (LABEL_ZH[label], str(label))
        self._legend.setdefault((fill, shape, zh), LegendEntry(fill, shape, zh, en))
        title = "\n".join([f"{LABEL_ZH[label]} {label} · {node_id}", text, *details])
        attrs: dict[str, Any] = {
            "label": _short(text),
            "title": title,
            "shape": shape,
            "size": round(size, 1),
            "color": {"background": fill, "border": _darker(fill)},
            "kind": str(label),
            "ref": node_id,
            "name": text,
        }
        self._nodes[key] = attrs
        return key

    def edge(
        self, src: str, dst: str, title: str, *, colour: str | None = None, dashed: bool = False
    ) -> None:
        """Add an edge once between two nodes already added."""
        if (src, dst) in self._edges or src not in self._nodes or dst not in self._nodes:
            return
        attrs: dict[str, Any] = {"title": title}
        if colour:
            attrs["color"] = colour
        if dashed:
            attrs["dashes"] = True
        self._edges[(src, dst)] = attrs

    def place(self, positions: dict[str, tuple[float, float]]) -> None:
        """Set computed positions and list nodes, then edges (in insertion order)."""
        for key, attrs in self._nodes.items():
            x, y = positions.get(key, (0.0, 0.0))
            self.network.nodes.append({"id": key, "x": round(x, 1), "y": round(y, 1), **attrs})
        self.network.edges.extend(
            {"from": src, "to": dst, **attrs} for (src, dst), attrs in self._edges.items()
        )

    def keys(self) -> list[str]:
        return list(self._nodes)

    def legend(self) -> list[LegendEntry]:
        return sorted(self._legend.values(), key=lambda e: (e.shape, e.zh))

    def finish(
        self,
        kind: str,
        title: str,
        subtitle: str,
        positions: dict[str, tuple[float, float]],
        notes: Iterable[str] = (),
    ) -> View:
        """Place the nodes and wrap everything as a `View`."""
        self.place(positions)
        return View(kind, title, subtitle, self.network, self.legend(), list(notes))


def _short(text: str, limit: int = 18) -> str:
    """A node's drawn label: long names are cut (the hover text keeps the whole name)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _darker(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(int(c * 0.7) for c in (r, g, b)))


# --- layouts --------------------------------------------------------------------------


def layered(
    columns: Sequence[Sequence[str]],
    neighbours: dict[str, set[str]],
    *,
    x_gap: float = 300.0,
    sub_gap: float = 180.0,
    y_gap: float = 46.0,
) -> dict[str, tuple[float, float]]:
    """Columns left to right; within a column, nodes ordered by their neighbours' rows.

    One barycentre sweep (each column ordered by the mean row of its neighbours in the
    columns already placed) keeps most edges short without a costly crossing minimiser.
    A column taller than about 2.5·√n rows wraps into side-by-side sub-columns, so a
    big graph stays roughly as wide as it is tall and its labels stay readable.
    """
    total = sum(len(c) for c in columns)
    max_rows = max(12, int(math.sqrt(total) * 2.5))
    positions: dict[str, tuple[float, float]] = {}
    row: dict[str, float] = {}
    x = 0.0
    for index, column in enumerate(columns):
        placed = list(column)
        if index:

            def centre(key: str) -> float:
                rows = [row[n] for n in neighbours.get(key, ()) if n in row]
                return sum(rows) / len(rows) if rows else math.inf

            placed.sort(key=centre)
        subs = max(1, math.ceil(len(placed) / max_rows))
        per_sub = math.ceil(len(placed) / subs) if placed else 0
        for i, key in enumerate(placed):
            sub, r = divmod(i, per_sub)
            height = min(per_sub, len(placed) - sub * per_sub)
            y = r - (height - 1) / 2
            row[key] = (i - (len(placed) - 1) / 2) / subs
            positions[key] = (x + sub * sub_gap, y * y_gap)
        x += (subs - 1) * sub_gap + x_gap
    return positions


def radial(
    rings: Sequence[Sequence[str]],
    parent: dict[str, str],
    *,
    ring_gap: float = 260.0,
    spacing: float = 70.0,
) -> dict[str, tuple[float, float]]:
    """Rings around a centre: ring k holds the nodes k hops away, near their parent.

    A ring's radius grows with its node count so labels do not overlap.
    """
    positions: dict[str, tuple[float, float]] = {}
    angle: dict[str, float] = {}
    radius = 0.0
    for k, ring in enumerate(rings):
        if k == 0:
            for key in ring:
                positions[key] = (0.0, 0.0)
                angle[key] = 0.0
            continue
        radius = max(radius + ring_gap, len(ring) * spacing / (2 * math.pi))
        ordered = sorted(ring, key=lambda n: (angle.get(parent.get(n, ""), 0.0), n))
        step = 2 * math.pi / max(len(ordered), 1)
        for i, key in enumerate(ordered):
            theta = i * step
            angle[key] = theta
            positions[key] = (radius * math.cos(theta), radius * math.sin(theta))
    return positions


def sectors(
    centre: str, groups: Sequence[Sequence[str]], *, ring_gap: float = 300.0, spacing: float = 64.0
) -> dict[str, tuple[float, float]]:
    """Groups in sectors around a centre node, each group on arcs of its own sector."""
    positions = {centre: (0.0, 0.0)}
    groups = [g for g in groups if g]
    if not groups:
        return positions
    width = 2 * math.pi / len(groups)
    for g, members in enumerate(groups):
        start = g * width - math.pi / 2
        radius = ring_gap
        per_arc = max(1, int(radius * width * 0.8 / spacing))
        for i, key in enumerate(members):
            arc, slot = divmod(i, per_arc)
            r = radius + arc * spacing * 1.4
            count = min(per_arc, len(members) - arc * per_arc)
            theta = start + width * (slot + 0.5) / max(count, 1) * 0.9 + width * 0.05
            positions[key] = (r * math.cos(theta), r * math.sin(theta))
    return positions


def neighbour_sets(edges: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Undirected adjacency of the given edges (for the barycentre ordering)."""
    adjacent: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        adjacent[a].add(b)
        adjacent[b].add(a)
    return adjacent
