"""Semester plans: a position's learning path placed into semesters.

For position p and cluster K:

1. builders: the courses of C(K) covering an ability p requires;
2. the learning path: builders plus their prerequisites (transitively) that are in
   C(K), in prerequisite order (`alignment.learning_path_courses` and
   `alignment.prerequisite_order`: the same path `align position` and `viz path` show);
3. placement: a course with a `semester` stays there; the others go, in path order,
   to the earliest semester after all their prerequisites in the path, within the
   semesters available, where the load (courses, hours or credits) still fits;
4. problems: prerequisites outside C(K) (direct edges from a path course), chains of
   prerequisites (outside courses included) longer than the semesters available,
   prerequisites placed in the same or a later semester than the course (when given
   semesters force it), semesters whose fixed courses exceed the load, and courses
   that found no room.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chanjiao.analysis.alignment import learning_path_courses, prerequisite_order
from chanjiao.analysis.inputs import BudgetKind
from chanjiao.analysis.scoring import rounded
from chanjiao.errors import InvalidRequest, NotFound
from chanjiao.graph.schema import Label, Node, Rel
from chanjiao.graph.store import GraphReads

if TYPE_CHECKING:  # networkx is imported where a graph algorithm runs (CLI start-up)
    import networkx as nx

#: What a semester's load counts (the budget units of the cluster builder).
LoadBy = BudgetKind


@dataclass(slots=True)
class PathCourse:
    """A course of the path and where it went.

    Attributes:
        abilities: the required abilities it builds (ability → level); empty for a
            course that is only a prerequisite.
        fixed: its semester was given in the data.
        semester: where it is placed, or None when it found no room.
    """

    id: str
    name: str
    abilities: dict[str, int]
    load: float
    fixed: bool
    semester: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "abilities": self.abilities,
            "load": rounded(self.load),
            "fixed": self.fixed,
            "semester": self.semester,
        }


@dataclass(slots=True)
class SemesterPlan:
    """The result of `semester_plan`."""

    position: str
    position_name: str
    cluster: str
    semesters: int
    max_load: float | None
    load_by: LoadBy
    courses: list[PathCourse]
    untaught: list[str]
    outside_prerequisites: list[dict[str, str]]
    long_chains: list[list[str]]
    order_conflicts: list[dict[str, Any]]
    overloaded: list[dict[str, Any]]
    unplaced: list[str]
    unknown_load: list[str]

    def by_semester(self) -> list[dict[str, Any]]:
        rows = []
        for term in range(1, max([self.semesters, *self._placed()]) + 1):
            inside = [c for c in self.courses if c.semester == term]
            rows.append(
                {
                    "semester": term,
                    "courses": [c.id for c in inside],
                    "load": rounded(float(sum(c.load for c in inside))),
                }
            )
        return rows

    def _placed(self) -> list[int]:
        return [c.semester for c in self.courses if c.semester is not None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "position_name": self.position_name,
            "cluster": self.cluster,
            "semesters": self.semesters,
            "max_load": self.max_load,
            "load_by": self.load_by,
            "courses": [c.to_dict() for c in self.courses],
            "plan": self.by_semester(),
            "untaught": self.untaught,
            "outside_prerequisites": self.outside_prerequisites,
            "long_chains": self.long_chains,
            "order_conflicts": self.order_conflicts,
            "overloaded": self.overloaded,
            "unplaced": self.unplaced,
            "unknown_load": self.unknown_load,
        }


def semester_plan(
    store: GraphReads,
    position_id: str,
    cluster_id: str,
    *,
    semesters: int = 6,
    max_load: float | None = None,
    load_by: LoadBy = BudgetKind.COURSES,
    keep_semesters: bool = True,
) -> SemesterPlan:
    """A position's learning path within cluster K, placed into semesters.

    Args:
        semesters: how many semesters there are (高职专科: 6).
        max_load: the most courses, hours or credits (`load_by`) per semester; None
            for no limit.
        keep_semesters: keep each course's given semester; False places every
            course afresh (to see what a free plan would look like).

    Raises:
        NotFound: the position or the cluster does not exist.
        InvalidRequest: fewer than one semester, or a negative load.
    """
    if semesters < 1:
        raise InvalidRequest(
            f"学期数至少为 1，实际为 {semesters}",
            f"there must be at least 1 semester, got {semesters}",
        )
    if max_load is not None and max_load < 0:
        raise InvalidRequest(
            f"每学期负荷不能为负数：{max_load}",
            f"the load per semester cannot be negative: {max_load}",
        )
    read = _read_path(store, position_id, cluster_id)
    order = prerequisite_order(read.prerequisites, read.nodes)
    relevant = read.prerequisites.subgraph(read.path_ids | read.ancestors)
    unknown_load: list[str] = []

    def load_of(course: str) -> float:
        if load_by == "courses":
            return 1.0
        raw = read.nodes[course].props.get(load_by)
        if raw is None:
            unknown_load.append(course)
            return 0.0
        return float(raw)

    entries = {
        course: PathCourse(
            course,
            read.nodes[course].name,
            read.builders.get(course, {}),
            load_of(course),
            False,
            None,
        )
        for course in order
    }
    if keep_semesters:
        for course, entry in entries.items():
            given = read.nodes[course].props.get("semester")
            if given is not None:
                entry.fixed, entry.semester = True, int(given)
    placed, overloaded, unplaced = _place(order, entries, relevant, semesters, max_load)
    return SemesterPlan(
        position=position_id,
        position_name=read.position_name,
        cluster=cluster_id,
        semesters=semesters,
        max_load=max_load,
        load_by=load_by,
        courses=[entries[c] for c in order],
        untaught=sorted(
            a for a in read.required if not any(a in b for b in read.builders.values())
        ),
        outside_prerequisites=_outside_prerequisites(read),
        long_chains=_long_chains(relevant, read.path_ids, semesters),
        order_conflicts=_order_conflicts(relevant, read.path_ids, placed),
        overloaded=overloaded,
        unplaced=unplaced,
        unknown_load=sorted(set(unknown_load)),
    )


@dataclass(slots=True)
class _PathRead:
    """What a semester plan reads: the position, C(K), the path and its prerequisites."""

    position_name: str
    curriculum: dict[str, dict[str, int]]
    required: dict[str, int]
    prerequisites: nx.DiGraph
    builders: dict[str, dict[str, int]]
    ancestors: set[str]
    path_ids: set[str]
    nodes: dict[str, Node]


def _read_path(store: GraphReads, position_id: str, cluster_id: str) -> _PathRead:
    import networkx as nx

    with store.reading():
        position = store.get_node(Label.POSITION, position_id)
        if position is None:
            raise NotFound(f"找不到岗位 {position_id}", f"no position {position_id}")
        if store.get_node(Label.SPECIALTY_CLUSTER, cluster_id) is None:
            raise NotFound(f"找不到专业群 {cluster_id}", f"no specialty cluster {cluster_id}")
        curriculum = store.curriculum(cluster_id)
        required = {
            r.dst: int(r.props["level"])
            for r in store.relationships(Rel.REQUIRES, src_ids=[position_id])
        }
        prerequisites = store.prerequisite_graph()
        builders = {
            c: {a: level for a, level in sorted(covers.items()) if a in required}
            for c, covers in curriculum.items()
            if required.keys() & covers.keys()
        }
        ancestors = {
            a for c in builders if c in prerequisites for a in nx.ancestors(prerequisites, c)
        }
        path_ids = learning_path_courses(prerequisites, builders, curriculum)
        nodes = store.nodes(Label.COURSE, sorted(path_ids))
    return _PathRead(
        position.name, curriculum, required, prerequisites, builders, ancestors, path_ids, nodes
    )


def _outside_prerequisites(read: _PathRead) -> list[dict[str, str]]:
    """Direct prerequisites of path courses that are not in C(K)."""
    outside = sorted(
        {
            (before, course)
            for course in read.path_ids
            if course in read.prerequisites
            for before in read.prerequisites.predecessors(course)
            if before not in read.curriculum
        },
        key=lambda pair: (pair[1], pair[0]),
    )
    return [{"course": c, "prerequisite": b} for b, c in outside]


def _long_chains(relevant: nx.DiGraph, path_ids: set[str], semesters: int) -> list[list[str]]:
    """Chains of prerequisites (outside courses included) longer than the semesters."""
    import networkx as nx

    depth: dict[str, int] = {}
    longest_from: dict[str, str | None] = {}
    for course in nx.lexicographical_topological_sort(relevant):
        before = sorted(relevant.predecessors(course), key=lambda b: (-depth[b], b))
        depth[course] = 1 + (depth[before[0]] if before else 0)
        longest_from[course] = before[0] if before else None
    too_long = {c for c in path_ids if depth.get(c, 1) > semesters}
    chains = []
    for course in sorted(too_long, key=lambda c: (-depth[c], c)):
        if any(later in too_long for later in relevant.successors(course)):  # in relevant
            continue  # a longer chain through a later course is reported instead
        chain = [course]
        while (step := longest_from[chain[-1]]) is not None:
            chain.append(step)
        chains.append(chain[::-1])
    return chains


def _place(
    order: list[str],
    entries: dict[str, PathCourse],
    relevant: nx.DiGraph,
    semesters: int,
    max_load: float | None,
) -> tuple[dict[str, int | None], list[dict[str, Any]], list[str]]:
    """Fixed courses stay; the others go to the earliest semester that fits, in path order.

    Returns where each course went, the semesters whose fixed courses exceed the load,
    and the courses that found no room.
    """
    placed: dict[str, int | None] = {}
    load: dict[int, float] = defaultdict(float)
    for course in order:
        entry = entries[course]
        if entry.fixed and entry.semester is not None:
            placed[course] = entry.semester
            load[entry.semester] += entry.load
    overloaded = [
        {"semester": term, "load": rounded(total)}
        for term, total in sorted(load.items())
        if max_load is not None and total > max_load + 1e-9
    ]
    unplaced: list[str] = []
    for course in order:
        entry = entries[course]
        if entry.fixed:
            continue
        earlier = [placed.get(b) for b in _before(relevant, course) if b in entries]
        if any(term is None for term in earlier):
            unplaced.append(course)
            placed[course] = None
            continue
        term = 1 + max((t for t in earlier if t is not None), default=0)
        while term <= semesters and (
            max_load is not None and load[term] + entry.load > max_load + 1e-9
        ):
            term += 1
        if term > semesters:
            unplaced.append(course)
            placed[course] = None
            continue
        placed[course] = term
        load[term] += entry.load
        entry.semester = term
    return placed, overloaded, unplaced


def _order_conflicts(
    relevant: nx.DiGraph, path_ids: set[str], placed: dict[str, int | None]
) -> list[dict[str, Any]]:
    """Prerequisites placed in the same or a later semester than their course."""
    conflicts = []
    for before, after in sorted(relevant.edges()):
        if before in path_ids and after in path_ids:
            b_term, a_term = placed.get(before), placed.get(after)
            if b_term is not None and a_term is not None and b_term >= a_term:
                conflicts.append(
                    {
                        "prerequisite": before,
                        "prerequisite_semester": b_term,
                        "course": after,
                        "semester": a_term,
                    }
                )
    return conflicts


def _before(graph: nx.DiGraph, course: str) -> list[str]:
    """Direct prerequisites of a course (none when it is in no prerequisite relation)."""
    return sorted(graph.predecessors(course)) if course in graph else []
