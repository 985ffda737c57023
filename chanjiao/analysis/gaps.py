"""Gap analysis of a specialty cluster against an industry chain, exactly as DESIGN §4.

The store answers three aggregated reads (the cluster's curriculum with coverage,
the chain's positions with requirements, and closers for the gap abilities); every
number is computed here, in one place, so every backend gives the same answer.
Sums run in a fixed order (by id) so the floats are identical everywhere too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Literal, NamedTuple

from chanjiao.errors import NotFound
from chanjiao.graph.schema import Label
from chanjiao.graph.store import CLOSER_KINDS, GraphStore, PositionRow

Status = Literal["covered", "partial", "missing"]

#: JSON numbers are rounded to this many decimals (DESIGN §4).
DECIMALS = 4


_ABILITY = attrgetter("ability")


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)


class RequirementResult(NamedTuple):
    ability: str
    name: str
    required: int
    taught: int
    weight: float
    fulfilment: float
    status: Status


def _status(taught: int, required: int) -> Status:
    if taught >= required:
        return "covered"
    return "partial" if taught > 0 else "missing"


@dataclass(slots=True)
class PositionResult:
    id: str
    name: str
    segment: str
    demand: int
    coverage: float
    requirements: list[RequirementResult]
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


@dataclass(slots=True)
class GapReport:
    """The result of `analyse_gaps`; `to_dict()` is the JSON of DESIGN §4."""

    cluster: str
    cluster_name: str
    chain: str
    chain_name: str
    segment: str | None
    coverage: float | None
    segments: list[SegmentResult]
    positions: list[PositionResult]
    gaps: list[Gap]
    unmodelled_positions: list[str]
    orphan_courses: list[str]
    curriculum: list[str]

    def status_counts(self) -> dict[str, int]:
        counts = {"covered": 0, "partial": 0, "missing": 0}
        for position in self.positions:
            for requirement in position.requirements:
                counts[requirement.status] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "cluster": self.cluster,
            "cluster_name": self.cluster_name,
            "chain": self.chain,
            "chain_name": self.chain_name,
            "segment": self.segment,
            "coverage": _r(self.coverage),
            "segments": [
                {
                    "id": s.id,
                    "name": s.name,
                    "coverage": _r(s.coverage),
                    "demand": s.demand,
                    "positions": s.positions,
                }
                for s in self.segments
            ],
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
                }
                for g in self.gaps
            ],
            "unmodelled_positions": self.unmodelled_positions,
            "orphan_courses": self.orphan_courses,
            "summary": {
                "curriculum_courses": len(self.curriculum),
                "scored_positions": len(self.positions),
                "requirements": self.status_counts(),
                "gaps": len(self.gaps),
            },
        }


def demand_of(position: PositionRow) -> int:
    """demand(p): offered headcount if any offer gives one, else p.demand, else 1."""
    if position.offered is not None:
        return position.offered
    if position.demand is not None:
        return position.demand
    return 1


def fulfilment(level: int, required: int) -> float:
    """f = min(level, r) / r: how far a level meets a required level r (DESIGN §4)."""
    return min(level, required) / required


def coverage(parts: Iterable[tuple[float, float]]) -> float:
    """Σ w·f / Σ w over a position's requirements, given as (weight w, fulfilment f).

    DESIGN §4's coverage(p) with taught levels; §4b's readiness(s, p) is the same
    with a student's attained levels. Sums run in the order given.
    """
    done = 0.0
    total = 0.0
    for weight, fulfilled in parts:
        done += weight * fulfilled
        total += weight
    return done / total


def taught_levels(curriculum: dict[str, dict[str, int]]) -> dict[str, int]:
    """taught(a): the highest level any course of the curriculum covers a at."""
    taught: dict[str, int] = {}
    for abilities in curriculum.values():
        for ability, level in abilities.items():
            if level > taught.get(ability, 0):
                taught[ability] = level
    return taught


def analyse_gaps(
    store: GraphStore,
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
        if curriculum is None:
            curriculum = store.curriculum(cluster_id)
        report = _score(cluster_id, cluster.name, scope, curriculum, segment_id)
        if with_closers and report.gaps:
            found = store.closers([g.ability for g in report.gaps])
            own = set(curriculum)
            for gap in report.gaps:
                closers = dict(found.get(gap.ability) or {k: () for k in CLOSER_KINDS})
                courses = closers["courses"]
                if not own.isdisjoint(courses):
                    closers["courses"] = [c for c in courses if c not in own]
                gap.closers = closers
    return report


def _score(
    cluster_id: str,
    cluster_name: str,
    scope: Any,
    curriculum: dict[str, dict[str, int]],
    segment_id: str | None,
) -> GapReport:
    taught = taught_levels(curriculum)
    by_position: dict[str, list[Any]] = defaultdict(list)
    for row in scope.requirements:
        by_position[row.position].append(row)

    positions: list[PositionResult] = []
    unmodelled: list[str] = []
    for row in sorted(scope.positions, key=lambda p: p.id):
        requirements = sorted(by_position.get(row.id, ()), key=_ABILITY)
        if not requirements:
            unmodelled.append(row.id)
            continue
        results = []
        for req in requirements:
            level = taught.get(req.ability, 0)
            results.append(
                RequirementResult(
                    req.ability,
                    req.ability_name,
                    req.level,
                    level,
                    req.weight,
                    fulfilment(level, req.level),
                    _status(level, req.level),
                )
            )
        total = sum(r.weight for r in results)
        score = coverage((r.weight, r.fulfilment) for r in results)
        positions.append(
            PositionResult(row.id, row.name, row.segment, demand_of(row), score, results, total)
        )

    by_segment: dict[str, list[PositionResult]] = defaultdict(list)
    for position in positions:
        by_segment[position.segment].append(position)
    segments = []
    for seg in sorted(scope.segments, key=lambda s: (s.order is None, s.order or 0, s.id)):
        inside = by_segment.get(seg.id, [])
        segments.append(
            SegmentResult(
                seg.id,
                seg.name,
                seg.order,
                _weighted(inside),
                sum(p.demand for p in inside),
                len(inside),
            )
        )

    priority: dict[str, float] = defaultdict(float)
    gap_positions: dict[str, list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    for position in positions:
        total = position.total_weight
        for req in position.requirements:
            names[req.ability] = req.name
            if req.fulfilment < 1:
                priority[req.ability] += (
                    position.demand * (req.weight / total) * (1 - req.fulfilment)
                )
                gap_positions[req.ability].append(position.id)
    gaps = [
        Gap(a, names[a], p, gap_positions[a])
        for a, p in sorted(priority.items(), key=lambda item: (-item[1], item[0]))
        if p > 0
    ]

    required = {req.ability for p in positions for req in p.requirements}
    orphans = sorted(c for c, covers in curriculum.items() if not required & covers.keys())
    return GapReport(
        cluster=cluster_id,
        cluster_name=cluster_name,
        chain=scope.chain.id,
        chain_name=scope.chain.name,
        segment=segment_id,
        coverage=_weighted(positions),
        segments=segments,
        positions=positions,
        gaps=gaps,
        unmodelled_positions=unmodelled,
        orphan_courses=orphans,
        curriculum=sorted(curriculum),
    )


def _weighted(positions: list[PositionResult]) -> float | None:
    """Σ demand·coverage / Σ demand, or None when nothing is scored."""
    demand = sum(p.demand for p in positions)
    if not positions or demand == 0:
        return None
    return sum(p.demand * p.coverage for p in positions) / demand
