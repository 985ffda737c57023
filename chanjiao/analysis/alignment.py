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

import threading
import weakref
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chanjiao.analysis.scoring import fulfilment, rounded, status
from chanjiao.errors import NotFound
from chanjiao.graph.cache import GenerationCache
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

    A store prepared by `warm_alignment` (a server) answers from its `CourseIndex`,
    rebuilt once after each write; any other store is read for this course only. Both
    give the same answer, number for number.

    Args:
        limit: give only this many positions, those the course serves most (share
            descending, then id), starting after `offset` of them; each ability then lists
            only those positions too, and `page` says how many there are in all. A course
            of a national graph serves tens of thousands of positions. None: all, by id.

    Raises:
        NotFound: no such course.
    """
    with store.reading():
        course, covers, majors, names = _course_reads(store, course_id)
        index = _warm_index(store)
        if index is None:
            served, by_ability = _serve_plain(store, covers)
    if index is not None:
        return index.align(course, covers, majors, names, limit=limit, offset=offset)
    return _aligned(course, covers, majors, names, served, by_ability, limit, offset)


def _course_reads(
    store: GraphReads, course_id: str
) -> tuple[Node, dict[str, int], list[str], dict[str, str]]:
    """The course, the levels it covers its abilities at, its majors, its abilities' names."""
    course = store.get_node(Label.COURSE, course_id)
    if course is None:
        raise NotFound(f"找不到课程 {course_id}", f"no course {course_id}")
    covers = {
        r.dst: int(r.props["level"]) for r in store.relationships(Rel.COVERS, src_ids=[course_id])
    }
    majors = sorted(r.dst for r in store.relationships(Rel.IN_MAJOR, src_ids=[course_id]))
    names = {a: node.name for a, node in store.nodes(Label.ABILITY, covers).items()}
    return course, covers, majors, names


def _serve_plain(
    store: GraphReads, covers: dict[str, int]
) -> tuple[dict[str, PositionServed], dict[str, list[dict[str, Any]]]]:
    """The positions a course serves and, per ability, who needs it: read for this course."""
    needing = store.relationships(Rel.REQUIRES, dst_ids=list(covers))
    position_ids = sorted({r.src for r in needing})
    all_requirements = store.relationships(Rel.REQUIRES, src_ids=position_ids)
    positions = store.nodes(Label.POSITION, position_ids)
    segment_of = {r.src: r.dst for r in store.relationships(Rel.IN_SEGMENT, src_ids=position_ids)}
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
        entry.requirements.append(_requirement(r.dst, required, level, weight))
        by_ability[r.dst].append(_need(r.src, position.name, required, weight, contribution))
    return served, by_ability


def _requirement(ability: str, required: int, level: int, weight: float) -> dict[str, Any]:
    return {
        "ability": ability,
        "required": required,
        "level": level,
        "weight": rounded(weight),
        "status": status(level, required),
    }


def _need(
    position: str, name: str, required: int, weight: float, contribution: float
) -> dict[str, Any]:
    return {
        "position": position,
        "name": name,
        "required": required,
        "weight": rounded(weight),
        "share": rounded(contribution),
    }


def _aligned(
    course: Node,
    covers: dict[str, int],
    majors: list[str],
    names: dict[str, str],
    served: dict[str, PositionServed],
    by_ability: dict[str, list[dict[str, Any]]],
    limit: int | None,
    offset: int,
) -> CourseAlignment:
    """The alignment of every served position (by id), or of one page of them by share."""
    ability_rows: list[dict[str, Any]] = [
        {
            "ability": a,
            "name": names.get(a, a),
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


class CourseIndex:
    """Every position's requirements as integer-indexed arrays, for one store state.

    Built in one pass over the store's requirements (`CourseIndex.build`), it answers
    `align_course` for any course with a few array operations over the requirements of
    the course's abilities and the encoding of the page asked for. Its sums run in the
    plain reading's order (positions by id, their requirements by ability id, one
    element after another), so every share is the same float.
    """

    def __init__(
        self,
        generation: int | None,
        requirements: list[Any],
        positions: dict[str, Node],
        segment_of: dict[str, str],
        chain_of: dict[str, str],
        offers: dict[str, list[str]],
    ) -> None:
        import numpy as np

        from chanjiao.analysis.scoring import total_weights

        self.generation = generation
        rows = sorted(requirements, key=lambda r: (r.src, r.dst))
        self.position_ids = sorted({r.src for r in rows})
        position_index = {p: i for i, p in enumerate(self.position_ids)}
        self.ability_ids = sorted({r.dst for r in rows})
        self.ability_index = {a: i for i, a in enumerate(self.ability_ids)}
        self.names = [positions[p].name for p in self.position_ids]
        self.segments = [segment_of.get(p) for p in self.position_ids]
        self.chains = [chain_of.get(s or "") for s in self.segments]
        self.enterprises = [sorted(offers.get(p, [])) for p in self.position_ids]
        self.rpos = np.array([position_index[r.src] for r in rows], dtype=np.int64)
        self.rab = np.array([self.ability_index[r.dst] for r in rows], dtype=np.int64)
        self.required = np.array([int(r.props["level"]) for r in rows], dtype=np.int64)
        self.weight = np.array([float(r.props.get("weight", 1.0)) for r in rows], dtype=np.float64)
        self.total = total_weights(self.rpos, self.weight, len(self.position_ids))
        #: The requirement rows of position p: first[p]:first[p + 1].
        self.first = np.concatenate(
            ([0], np.cumsum(np.bincount(self.rpos, minlength=len(self.position_ids))))
        )
        #: The requirement rows of ability i: by_ability[starts[i]:starts[i + 1]], ascending.
        self.by_ability = np.argsort(self.rab, kind="stable")
        self.starts = np.concatenate(
            ([0], np.cumsum(np.bincount(self.rab, minlength=len(self.ability_ids))))
        )
        #: (served, shares, ranking) of the courses last asked (`_served`).
        self._courses = GenerationCache(2_000_000, weigh=lambda value: len(value[0]) + 1)

    @classmethod
    def build(cls, store: GraphReads) -> CourseIndex:
        """Read every requirement, position, segment, chain and offer of the store once."""
        with store.reading():
            generation = store.generation()
            requirements = store.relationships(Rel.REQUIRES)
            positions = store.nodes(Label.POSITION)
            segment_of = {r.src: r.dst for r in store.relationships(Rel.IN_SEGMENT)}
            chain_of = {r.src: r.dst for r in store.relationships(Rel.PART_OF)}
            offers: dict[str, list[str]] = defaultdict(list)
            for r in store.relationships(Rel.OFFERS):
                offers[r.dst].append(r.src)
        return cls(generation, requirements, positions, segment_of, chain_of, offers)

    def align(
        self,
        course: Node,
        covers: dict[str, int],
        majors: list[str],
        names: dict[str, str],
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> CourseAlignment:
        """`align_course` for a course read from the same store state."""
        served, share, ranked = self._served(course.id, covers)
        chosen = ranked[offset : offset + limit] if limit is not None else slice(None)
        shown = served[chosen]
        # The shown positions' requirements of the course's abilities, position by position.
        owner, rows, levels, contribution = self._page_rows(shown, covers)
        shown_ids = shown.tolist()
        positions = [
            PositionServed(
                self.position_ids[p],
                self.names[p],
                self.segments[p],
                self.chains[p],
                self.enterprises[p],
                value,
            )
            for p, value in zip(shown_ids, share[chosen].tolist(), strict=True)
        ]
        needs: list[tuple[int, str, dict[str, Any]]] = []
        for k, a, required, level, weight, c in zip(
            owner.tolist(),
            self.rab[rows].tolist(),
            self.required[rows].tolist(),
            levels.tolist(),
            self.weight[rows].tolist(),
            contribution.tolist(),
            strict=True,
        ):
            entry, ability = positions[k], self.ability_ids[a]
            entry.requirements.append(_requirement(ability, required, level, weight))
            needs.append((shown_ids[k], ability, _need(entry.id, entry.name, required, weight, c)))
        needs.sort(key=lambda n: n[0])  # positions by id (index order), abilities kept in order
        by_ability: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for _, ability, need in needs:
            by_ability[ability].append(need)
        ability_rows: list[dict[str, Any]] = [
            {
                "ability": a,
                "name": names.get(a, a),
                "level": covers[a],
                "positions": by_ability.get(a, []),
            }
            for a in sorted(covers)
        ]
        if limit is None:
            return CourseAlignment(course, majors, ability_rows, positions)
        page = {"offset": offset, "limit": limit, "total": len(served)}
        return CourseAlignment(course, majors, ability_rows, positions, page)

    def _served(self, course_id: str, covers: dict[str, int]) -> tuple[Any, Any, Any]:
        """The positions a course serves (by id), their shares, and their ranking.

        Kept for the courses last asked (a client pages through one course after another
        page of it): computed once per course and store state.
        """
        import numpy as np

        key = (course_id, tuple(sorted(covers.items())))
        hit: tuple[Any, Any, Any] | None = self._courses.get(0, key)
        if hit is not None:
            return hit
        # The requirements of the course's abilities, ability by ability in id order: each
        # position's then come in ability order too, the order the plain reading sums in.
        spans = [
            (int(self.starts[i]), int(self.starts[i + 1]), covers[a])
            for a, i in ((a, self.ability_index.get(a)) for a in sorted(covers))
            if i is not None
        ]
        rows = np.concatenate(
            [self.by_ability[start:end] for start, end, _ in spans] or [np.zeros(0, dtype=np.int64)]
        )
        levels = np.repeat(
            np.array([lv for _, _, lv in spans], dtype=np.int64),
            [end - start for start, end, _ in spans],
        )
        pos = self.rpos[rows]
        count = len(self.position_ids)
        share = np.bincount(pos, self._contributions(rows, levels), minlength=count)
        served = np.flatnonzero(np.bincount(pos, minlength=count))  # by id
        share = share[served]
        ranked = np.lexsort((served, -share))  # share descending, then id
        value = (served, share, ranked)
        self._courses.put(0, key, value)
        return value

    def _page_rows(self, shown: Any, covers: dict[str, int]) -> tuple[Any, Any, Any, Any]:
        """For the positions `shown` (indexes), their requirements of the course's abilities:
        which shown position each is of, its row, the course's level, w·f / W(p)."""
        import numpy as np

        level_of = np.full(len(self.ability_ids), -1, dtype=np.int64)  # -1: not covered
        for a, level in covers.items():
            i = self.ability_index.get(a)
            if i is not None:
                level_of[i] = level
        starts, ends = self.first[shown], self.first[shown + 1]
        lengths = ends - starts
        owner = np.repeat(np.arange(len(shown)), lengths)
        rows = np.arange(int(lengths.sum())) + np.repeat(
            starts - (np.cumsum(lengths) - lengths), lengths
        )
        levels = level_of[self.rab[rows]]
        kept = levels >= 0
        owner, rows, levels = owner[kept], rows[kept], levels[kept]
        return owner, rows, levels, self._contributions(rows, levels)

    def _contributions(self, rows: Any, levels: Any) -> Any:
        """w·f / W(p) of each requirement row, the course covering its ability at `levels`."""
        from chanjiao.analysis.scoring import fulfilments

        required = self.required[rows]
        return self.weight[rows] * fulfilments(levels, required) / self.total[self.rpos[rows]]


#: Stores prepared by `warm_alignment`, each with its index of the last generation asked.
_INDEXES: weakref.WeakKeyDictionary[Any, CourseIndex] = weakref.WeakKeyDictionary()
_BUILDING = threading.Lock()


def warm_alignment(store: GraphReads) -> None:
    """Build the store's `CourseIndex` and keep one, per generation, from now on.

    A server calls this at start (after `store.warm()`): every later `align_course`
    then reads only the course itself and slices the index; after a write the next
    ask rebuilds it once. Stores that cannot tell their generation are left alone.
    """
    if store.generation() is None:
        return
    with _BUILDING:
        _INDEXES[store] = CourseIndex.build(store)


def _warm_index(store: GraphReads) -> CourseIndex | None:
    """The index of the store's current generation, if the store was warmed (in a read)."""
    index = _INDEXES.get(store)
    if index is None:
        return None
    generation = store.generation()
    if index.generation == generation:
        return index
    with _BUILDING:
        index = _INDEXES.get(store)
        if index is None or index.generation != generation:
            index = _INDEXES[store] = CourseIndex.build(store)
    return index


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
            store.relationships(Rel.REQUIRES, src_ids=[position_id]),
            key=lambda r: r.dst,
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
