"""Gap analysis of a specialty cluster against an industry chain, exactly as DESIGN §4.

The store answers three aggregated reads (the cluster's curriculum with coverage,
the chain's positions with requirements, and closers for the gap abilities); every
number is computed here, in one place, so every backend gives the same answer.
Sums run in a fixed order (by id) so the floats are identical everywhere too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from chanjiao.analysis.scoring import (
    DECIMALS,
    STATUSES,
    ScoredRequirement,
    Status,
    demand_of,
    taught_levels,
)
from chanjiao.analysis.scoring import rounded as _r
from chanjiao.errors import NotFound
from chanjiao.graph.cache import GenerationCache
from chanjiao.graph.schema import Label
from chanjiao.graph.store import CLOSER_KINDS, GraphReads

if TYPE_CHECKING:  # numpy is imported with the first analysis, not by `chanjiao --help`
    from chanjiao.analysis.gaparrays import Scored

#: A requirement as the gap report scores it (kept under its old name for callers).
RequirementResult = ScoredRequirement


@dataclass(slots=True)
class PositionResult:
    id: str
    name: str
    segment: str
    demand: int
    coverage: float
    requirements: list[ScoredRequirement]
    total_weight: float


@dataclass(slots=True)
class SegmentResult:
    id: str
    name: str
    order: int | None
    coverage: float | None
    demand: int
    positions: int


@dataclass(slots=True)
class Gap:
    ability: str
    name: str
    priority: float
    positions: list[str]
    closers: dict[str, Sequence[str]] = field(default_factory=dict)
    #: Courses of C(K) that already teach the ability, below what some position requires:
    #: {"course", "name", "level"}, by level descending, then course id.
    taught_partly: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class GapReport:
    """The result of `analyse_gaps`; `to_dict()` is the JSON of DESIGN §4, `to_json()`
    the same JSON as bytes (written from fragments, without the dict tree)."""

    cluster: str
    cluster_name: str
    chain: str
    chain_name: str
    segment: str | None
    coverage: float | None
    segments: list[SegmentResult]
    unmodelled_positions: list[str]
    orphan_courses: list[str]
    curriculum: list[str]
    scored: Scored = field(repr=False, compare=False)
    _positions: list[PositionResult] | None = field(default=None, repr=False, compare=False)
    _gaps: list[Gap] | None = field(default=None, repr=False, compare=False)
    #: Each gap's closers and taught_partly (in gap order), and both as JSON; None
    #: without closers.
    _closers: _Closers | None = field(default=None, repr=False, compare=False)

    @property
    def gaps(self) -> list[Gap]:
        """Gaps by priority descending, then ability id (made from the arrays on first use)."""
        if self._gaps is None:
            abilities, names = self.scored.scope.abilities, self.scored.scope.names
            self._gaps = [
                Gap(abilities[a], names[abilities[a]], priority, positions)
                for a, priority, positions in self.scored.gaps()
            ]
            if self._closers is not None:
                for gap, closers, partly in zip(
                    self._gaps, self._closers.values, self._closers.partly, strict=True
                ):
                    gap.closers = dict(closers)
                    gap.taught_partly = [dict(course) for course in partly]
        return self._gaps

    @property
    def positions(self) -> list[PositionResult]:
        """The scored positions by id (made from the arrays on first use)."""
        if self._positions is None:
            self._positions = _position_results(self.scored)
        return self._positions

    def status_counts(self) -> dict[str, int]:
        return self.scored.status_counts()

    def to_json(self) -> bytes:
        """`to_dict()` encoded as compact UTF-8 JSON, byte for byte, written from fragments."""
        j = orjson.dumps
        if self._closers is not None:
            closers = self._closers.encoded
        else:
            closers = [b'{},"taught_partly":[]'] * len(self.scored.ranking)
        return b"".join(
            (
                b'{"cluster":', j(self.cluster),
                b',"cluster_name":', j(self.cluster_name),
                b',"chain":', j(self.chain),
                b',"chain_name":', j(self.chain_name),
                b',"segment":', j(self.segment),
                b',"coverage":', j(_r(self.coverage)),
                b',"segments":', j([_segment_dict(s) for s in self.segments]),
                b',"positions":', self.scored.positions_json(),
                b',"gaps":', self.scored.gaps_json(closers),
                b',"unmodelled_positions":', j(self.unmodelled_positions),
                b',"orphan_courses":', j(self.orphan_courses),
                b',"summary":', j(self._summary()),
                b"}",
            )
        )  # fmt: skip

    def _summary(self) -> dict[str, Any]:
        return {
            "curriculum_courses": len(self.curriculum),
            "scored_positions": len(self.scored.scope.positions),
            "requirements": self.status_counts(),
            "gaps": len(self.scored.ranking),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "cluster": self.cluster,
            "cluster_name": self.cluster_name,
            "chain": self.chain,
            "chain_name": self.chain_name,
            "segment": self.segment,
            "coverage": _r(self.coverage),
            "segments": [_segment_dict(s) for s in self.segments],
            "positions": [
                {
                    "id": p.id,
                    "name": p.name,
                    "segment": p.segment,
                    "demand": p.demand,
                    "coverage": _r(p.coverage),
                    "requirements": [
                        {
                            "ability": r.ability,
                            "name": r.name,
                            "required": r.required,
                            "taught": r.taught,
                            "weight": _r(r.weight),
                            "status": r.status,
                        }
                        for r in p.requirements
                    ],
                }
                for p in self.positions
            ],
            "gaps": [
                {
                    "ability": g.ability,
                    "name": g.name,
                    "priority": _r(g.priority),
                    "positions": g.positions,
                    "closers": dict(zip(g.closers, map(list, g.closers.values()), strict=True)),
                    "taught_partly": g.taught_partly,
                }
                for g in self.gaps
            ],
            "unmodelled_positions": self.unmodelled_positions,
            "orphan_courses": self.orphan_courses,
            "summary": self._summary(),
        }


def _segment_dict(s: SegmentResult) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "coverage": _r(s.coverage),
        "demand": s.demand,
        "positions": s.positions,
    }


def _position_results(scored: Scored) -> list[PositionResult]:
    scope = scored.scope
    rows = scope.rows
    taught = scored.taught.tolist()
    fulfilment = scored.fulfilment.tolist()
    status = scored.status.tolist()
    results = [
        ScoredRequirement(r.ability, r.ability_name, r.level, t, r.weight, f, STATUSES[s])
        for r, t, f, s in zip(rows, taught, fulfilment, status, strict=True)
    ]
    positions = []
    start = 0
    for i, (row, demand, coverage, total) in enumerate(
        zip(
            scope.positions,
            scope.demands,
            scored.coverage.tolist(),
            scope.total.tolist(),
            strict=True,
        )
    ):
        end = start
        while end < len(rows) and scope.rpos[end] == i:
            end += 1
        positions.append(
            PositionResult(
                row.id, row.name, row.segment, demand, coverage, results[start:end], total
            )
        )
        start = end
    return positions


def analyse_gaps(
    store: GraphReads,
    cluster_id: str,
    chain_id: str,
    segment_id: str | None = None,
    *,
    with_closers: bool = True,
    curriculum: dict[str, dict[str, int]] | None = None,
) -> GapReport:
    """What cluster K teaches and misses against chain H (or one segment of it).

    Args:
        with_closers: look up what could close each gap (the costly part).
        curriculum: C(K) to use instead of the store's (course → {ability → level});
            what-if analyses pass a changed copy here, nothing is written.

    Raises:
        NotFound: the cluster, chain or segment does not exist.
    """
    with store.reading():
        cluster = store.get_node(Label.SPECIALTY_CLUSTER, cluster_id)
        if cluster is None:
            raise NotFound(f"找不到专业群 {cluster_id}", f"no specialty cluster {cluster_id}")
        scope = store.chain_scope(chain_id, segment_id)
        own_curriculum = curriculum is None
        if curriculum is None:
            curriculum, taught, teaching, names = _curriculum(store, cluster_id)
        else:
            taught, teaching = taught_levels(curriculum), _teaching(curriculum)
            names = None
        report = _score(cluster_id, cluster.name, scope, curriculum, taught, segment_id)
        if with_closers and len(report.scored.ranking):
            if names is None:
                gap_abilities = {report.scored.scope.abilities[i] for i in report.scored.ranking}
                names = _course_names(
                    store, {c for a in gap_abilities for _, c in teaching.get(a, ())}
                )
            report._closers = _closers(
                store, report.scored, curriculum, teaching, names, exact=own_curriculum
            )
    return report


@dataclass(slots=True)
class _Closers:
    """Per gap, in gap order: its closers, its taught_partly, and the JSON of both
    (`{closers},"taught_partly":[…]`, the text between `"closers":` and the gap's end)."""

    values: list[Any]
    partly: list[list[dict[str, Any]]]
    encoded: list[bytes]


def _closers(
    store: GraphReads,
    scored: Scored,
    curriculum: dict[str, dict[str, int]],
    teaching: dict[str, list[tuple[int, str]]],
    course_names: dict[str, str],
    *,
    exact: bool,
) -> _Closers:
    """Each gap's closers (DESIGN §4) and taught_partly, in gap order, and as JSON.

    What could close a gap depends on the ability only, except that the cluster's own
    courses are left out; so each ability's closers are read and encoded once per scope
    and only the gaps some own course covers are filtered and encoded again. With the
    store's own C(K) (`exact`) those are the gaps taught above 0; a changed C(K) (what-if)
    is checked course by course. `teaching` lists, per ability, the own courses covering
    it as (−level, course), sorted.
    """
    shape = scored.scope
    cache = shape.closers
    ranking = scored.ranking.tolist()
    missing = [i for i in ranking if i not in cache]
    if missing:
        found = store.closers([shape.abilities[i] for i in missing])
        empty: dict[str, Sequence[str]] = {kind: () for kind in CLOSER_KINDS}
        for i in missing:
            value = found.get(shape.abilities[i]) or empty
            cache[i] = (value, orjson.dumps(value) + b',"taught_partly":[]')
    own = set(curriculum)
    taught = scored.by_ability.tolist()
    result = _Closers([], [], [])
    for i in ranking:
        value, body = cache[i]
        partly: list[dict[str, Any]] = []
        if taught[i] > 0 if exact else not own.isdisjoint(value["courses"]):
            value = {**value, "courses": [c for c in value["courses"] if c not in own]}
            body = orjson.dumps(value) + b',"taught_partly":[]'
        courses = teaching.get(shape.abilities[i])
        if courses:
            partly = [
                {"course": c, "name": course_names.get(c, c), "level": -level}
                for level, c in courses
            ]
            body = body[: -len(b"[]")] + orjson.dumps(partly)
        result.values.append(value)
        result.partly.append(partly)
        result.encoded.append(body)
    return result


def _teaching(curriculum: dict[str, dict[str, int]]) -> dict[str, list[tuple[int, str]]]:
    """Per ability, the courses of C(K) covering it as (−level, course), sorted."""
    teaching: dict[str, list[tuple[int, str]]] = {}
    for course, covers in curriculum.items():
        for ability, level in covers.items():
            teaching.setdefault(ability, []).append((-level, course))
    for courses in teaching.values():
        courses.sort()
    return teaching


def _course_names(store: GraphReads, courses: Iterable[str]) -> dict[str, str]:
    return {c: node.name for c, node in store.nodes(Label.COURSE, sorted(courses)).items()}


def warm_gaps(store: GraphReads) -> None:
    """Lay out every chain's scope for gap reports (a server's start, after `store.warm()`).

    After it, a gap question of any cluster against any whole chain is answered from
    memory: the first ask of a pair costs the scoring and encoding only.
    """
    from chanjiao.analysis.gaparrays import layout

    if store.generation() is None:  # such a store hands out a new scope every time
        return
    with store.reading():
        for chain_id in sorted(store.nodes(Label.INDUSTRY_CHAIN)):
            layout(store.chain_scope(chain_id), demand_of).template()


#: C(K) and taught(a) of the clusters last asked, per store generation (never mutated).
_CURRICULA = GenerationCache(4096)


def _curriculum(
    store: GraphReads, cluster_id: str
) -> tuple[
    dict[str, dict[str, int]], dict[str, int], dict[str, list[tuple[int, str]]], dict[str, Any]
]:
    """The store's C(K), its taught levels, who teaches what and the courses' names,
    read and computed once per store generation (never mutated)."""
    generation = store.generation()
    key = (id(store), cluster_id)
    if generation is not None:
        hit = _CURRICULA.get(generation, key)
        if hit is not None and hit[0] is store:
            return hit[1], hit[2], hit[3], hit[4]
    curriculum = store.curriculum(cluster_id)
    taught = taught_levels(curriculum)
    teaching = _teaching(curriculum)
    names = _course_names(store, curriculum)
    if generation is not None:
        _CURRICULA.put(generation, key, (store, curriculum, taught, teaching, names))
    return curriculum, taught, teaching, names


def _score(
    cluster_id: str,
    cluster_name: str,
    scope: Any,
    curriculum: dict[str, dict[str, int]],
    taught: dict[str, int],
    segment_id: str | None,
) -> GapReport:
    from chanjiao.analysis.gaparrays import Scored, layout

    shape = layout(scope, demand_of)
    scored = Scored(shape, taught)
    segments = [
        SegmentResult(row.id, row.name, row.order, coverage, demand, count)
        for row, coverage, demand, count in scored.segments()
    ]
    required = shape.ability_index
    orphans = sorted(c for c, covers in curriculum.items() if required.keys().isdisjoint(covers))
    return GapReport(
        cluster=cluster_id,
        cluster_name=cluster_name,
        chain=scope.chain.id,
        chain_name=scope.chain.name,
        segment=segment_id,
        coverage=scored.chain_coverage(),
        segments=segments,
        unmodelled_positions=list(shape.unmodelled),
        orphan_courses=orphans,
        curriculum=sorted(curriculum),
        scored=scored,
    )


__all__ = [
    "DECIMALS",
    "Gap",
    "GapReport",
    "PositionResult",
    "RequirementResult",
    "SegmentResult",
    "Status",
    "analyse_gaps",
    "demand_of",
    "taught_levels",
    "warm_gaps",
]
