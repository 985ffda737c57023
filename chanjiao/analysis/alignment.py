"""Course ↔ position alignment: which positions a course serves, how a position is taught.

- For a course: each ability it covers, and for each the positions that require it,
  their segments, chains and enterprises, with the *share* of each position's
  coverage this course provides on its own: Σ w·f (DESIGN §4, f from the course's
  level) over the position's requirements the course covers, divided by the
  position's total weight W(p).
- For a position: each required ability with the courses that build it, and the
  position's learning path.

Two words, two meanings, used alike by the CLI, the API, the views and the reports:

- **learning path** (学习路径, `learning_path_courses`): the courses that build a
  position's abilities (within C(K) when a cluster is given) plus their prerequisites
  (transitively) within the same courses, in prerequisite order (`prerequisite_order`);
- **semester plan** (学期安排, `analysis.paths.semester_plan`): that learning path placed
  into semesters.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chanjiao.analysis.scoring import fulfilment, rounded, status
from chanjiao.errors import NotFound
from chanjiao.graph.schema import Label, Node, Rel
from chanjiao.graph.store import GraphReads

if TYPE_CHECKING:  # networkx is imported where a graph algorithm runs (CLI start-up)
    import networkx as nx


def _public(node: Node) -> dict[str, Any]:
    return {"id": node.id, **node.props}


@dataclass(slots=True)
class PositionServed:
    id: str
    name: str
    segment: str | None
    chain: str | None
    enterprises: list[str]
    share: float
    requirements: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class CourseAlignment:
    course: Node
    majors: list[str]
    abilities: list[dict[str, Any]]
    positions: list[PositionServed]
    #: Set when the positions are one page of them (`align_course(limit=…)`).
    page: dict[str, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "course": _public(self.course),
            "majors": self.majors,
            "abilities": self.abilities,
            **({"page": self.page} if self.page is not None else {}),
            "positions": [
                {
                    "id": p.id,
                    "name": p.name,
                    "segment": p.segment,
                    "chain": p.chain,
                    "enterprises": p.enterprises,
                    "share": rounded(p.share),
                    "requirements": p.requirements,
                }
                for p in self.positions
            ],
            "segments": sorted({p.segment for p in self.positions if p.segment}),
            "chains": sorted({p.chain for p in self.positions if p.chain}),
            "enterprises": sorted({e for p in self.positions for e in p.enterprises}),
        }


def align_course(
    store: GraphReads, course_id: str, *, limit: int | None = None, offset: int = 0
) -> CourseAlignment:
    """Which abilities a course builds, and which positions, segments, enterprises need them.

    Args:
        limit: give only this many positions, those the course serves most (share
            descending, then id), starting after `offset` of them; each ability then lists
            only those positions too, and `page` says how many there are in all. A course
            of a national graph serves tens of thousands of positions. None: all, by id.

    Raises:
        NotFound: no such course.
    """
    with store.reading():
        course = store.get_node(Label.COURSE, course_id)
        if course is None:
            raise NotFound(f"找不到课程 {course_id}", f"no course {course_id}")
        covers = {
            r.dst: int(r.props["level"])
            for r in store.relationships(Rel.COVERS, src_ids=[course_id])
        }
        majors = sorted(r.dst for r in store.relationships(Rel.IN_MAJOR, src_ids=[course_id]))
        abilities = store.nodes(Label.ABILITY, covers)
        needing = store.relationships(Rel.REQUIRES, dst_ids=list(covers))
        position_ids = sorted({r.src for r in needing})
        all_requirements = store.relationships(Rel.REQUIRES, src_ids=position_ids)
        positions = store.nodes(Label.POSITION, position_ids)
        segment_of = {
            r.src: r.dst for r in store.relationships(Rel.IN_SEGMENT, src_ids=position_ids)
        }
        chain_of = {
            r.src: r.dst
            for r in store.relationships(Rel.PART_OF, src_ids=sorted(set(segment_of.values())))
        }
        offers: dict[str, list[str]] = defaultdict(list)
        for r in store.relationships(Rel.OFFERS, dst_ids=position_ids):
            offers[r.dst].append(r.src)

    total_weight: dict[str, float] = defaultdict(float)
    for r in sorted(all_requirements, key=lambda r: (r.src, r.dst)):
        total_weight[r.src] += float(r.props.get("weight", 1.0))
    served: dict[str, PositionServed] = {}
    by_ability: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in sorted(needing, key=lambda r: (r.src, r.dst)):
        required, weight = int(r.props["level"]), float(r.props.get("weight", 1.0))
        level = covers[r.dst]
        position = positions[r.src]
        segment = segment_of.get(r.src)
        entry = served.setdefault(
            r.src,
            PositionServed(
                r.src,
                position.name,
                segment,
                chain_of.get(segment or ""),
                sorted(offers.get(r.src, [])),
                0.0,
            ),
        )
        contribution = weight * fulfilment(level, required) / total_weight[r.src]
        entry.share += contribution
        detail = {
            "ability": r.dst,
            "required": required,
            "level": level,
            "weight": rounded(weight),
            "status": status(level, required),
        }
        entry.requirements.append(detail)
        by_ability[r.dst].append(
            {
                "position": r.src,
                "name": position.name,
                "required": required,
                "weight": rounded(weight),
                "share": rounded(contribution),
            }
        )
    ability_rows: list[dict[str, Any]] = [
        {
            "ability": a,
            "name": abilities[a].name if a in abilities else a,
            "level": covers[a],
            "positions": by_ability.get(a, []),
        }
        for a in sorted(covers)
    ]
    if limit is None:
        return CourseAlignment(course, majors, ability_rows, [served[p] for p in sorted(served)])
    ranked = sorted(served.values(), key=lambda p: (-p.share, p.id))[offset : offset + limit]
    shown = {p.id for p in ranked}
    for row in ability_rows:
        row["positions"] = [p for p in row["positions"] if p["position"] in shown]
    page = {"offset": offset, "limit": limit, "total": len(served)}
    return CourseAlignment(course, majors, ability_rows, ranked, page)


@dataclass(slots=True)
class PositionAlignment:
    position: Node
    segment: str | None
    chain: str | None
    cluster: str | None
    requirements: list[dict[str, Any]]
    learning_path: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": _public(self.position),
            "segment": self.segment,
            "chain": self.chain,
            "cluster": self.cluster,
            "requirements": self.requirements,
            "learning_path": self.learning_path,
        }


def align_position(
    store: GraphReads, position_id: str, cluster_id: str | None = None
) -> PositionAlignment:
    """Each ability a position requires, the courses that build it, in prerequisite order.

    Args:
        cluster_id: if given, only the cluster's curriculum C(K) counts.

    Raises:
        NotFound: no such position (or cluster).
    """
    with store.reading():
        position = store.get_node(Label.POSITION, position_id)
        if position is None:
            raise NotFound(f"找不到岗位 {position_id}", f"no position {position_id}")
        allowed: set[str] | None = None
        if cluster_id is not None:
            if store.get_node(Label.SPECIALTY_CLUSTER, cluster_id) is None:
                raise NotFound(f"找不到专业群 {cluster_id}", f"no specialty cluster {cluster_id}")
            allowed = set(store.curriculum(cluster_id))
        requirements = sorted(
            store.relationships(Rel.REQUIRES, src_ids=[position_id]), key=lambda r: r.dst
        )
        ability_ids = [r.dst for r in requirements]
        abilities = store.nodes(Label.ABILITY, ability_ids)
        covering = [
            r
            for r in store.relationships(Rel.COVERS, dst_ids=ability_ids)
            if allowed is None or r.src in allowed
        ]
        prerequisites = store.prerequisite_graph()
        path_ids = learning_path_courses(prerequisites, {r.src for r in covering}, allowed)
        courses = store.nodes(Label.COURSE, path_ids)
        segment = next(iter(store.relationships(Rel.IN_SEGMENT, src_ids=[position_id])), None)
        chain = (
            next(iter(store.relationships(Rel.PART_OF, src_ids=[segment.dst])), None)
            if segment
            else None
        )

    order = prerequisite_order(prerequisites, courses)
    rank = {c: i for i, c in enumerate(order)}
    by_ability: dict[str, list[Any]] = defaultdict(list)
    for r in covering:
        by_ability[r.dst].append(r)
    rows = []
    for req in requirements:
        required = int(req.props["level"])
        builders = sorted(by_ability.get(req.dst, []), key=lambda r: rank[r.src])
        rows.append(
            {
                "ability": req.dst,
                "name": abilities[req.dst].name if req.dst in abilities else req.dst,
                "required": required,
                "weight": rounded(float(req.props.get("weight", 1.0))),
                "courses": [
                    {
                        "id": r.src,
                        "name": courses[r.src].name,
                        "level": int(r.props["level"]),
                        "semester": courses[r.src].props.get("semester"),
                        "meets": status(int(r.props["level"]), required) == "covered",
                    }
                    for r in builders
                ],
            }
        )
    path = [
        {"id": c, "name": courses[c].name, "semester": courses[c].props.get("semester")}
        for c in order
    ]
    return PositionAlignment(
        position,
        segment.dst if segment else None,
        chain.dst if chain else None,
        cluster_id,
        rows,
        path,
    )


def learning_path_courses(
    prerequisites: nx.DiGraph, builders: Collection[str], pool: Collection[str] | None
) -> set[str]:
    """The courses of a learning path: the builders and their prerequisites in the pool.

    Args:
        builders: the courses that cover an ability the position requires.
        pool: the courses a path may use (C(K)); None for every course.
    """
    import networkx as nx

    before = {a for c in builders if c in prerequisites for a in nx.ancestors(prerequisites, c)}
    if pool is not None:
        before &= set(pool)
    return set(builders) | before


def prerequisite_order(prerequisites: nx.DiGraph, courses: dict[str, Node]) -> list[str]:
    """The courses ordered so each comes after everything it (transitively) requires.

    Ties go to the earlier semester, then the smaller id, so the order is stable.
    """
    import networkx as nx

    chosen = set(courses)
    graph = nx.DiGraph()
    graph.add_nodes_from(chosen)
    for course in chosen:
        if course in prerequisites:
            for later in nx.descendants(prerequisites, course) & chosen:
                graph.add_edge(course, later)

    def key(course: str) -> tuple[int, str]:
        semester = courses[course].props.get("semester")
        return (int(semester) if semester is not None else 99, course)

    return list(nx.lexicographical_topological_sort(graph, key=key))
