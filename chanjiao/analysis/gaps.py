"""Gap analysis of a specialty cluster against an industry chain, exactly as DESIGN §4.

The store answers three aggregated reads (the cluster's curriculum with coverage,
the chain's positions with requirements, and closers for the gap abilities); every
number is computed here, in one place, so every backend gives the same answer.
Sums run in a fixed order (by id) so the floats are identical everywhere too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from chanjiao.analysis.scoring import (
    DECIMALS,
    ScoredRequirement,
    Status,
    demand_of,
    rank_gaps,
    score_requirements,
    shortfall_share,
    taught_levels,
    weighted_coverage,
)
from chanjiao.analysis.scoring import rounded as _r
from chanjiao.errors import NotFound
from chanjiao.graph.schema import Label
from chanjiao.graph.store import CLOSER_KINDS, GraphReads

_ABILITY = attrgetter("ability")

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
                    "taught_partly": g.taught_partly,
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
            _add_taught_partly(store, report.gaps, curriculum)
    return report


def _add_taught_partly(
    store: GraphReads, gaps: list[Gap], curriculum: dict[str, dict[str, int]]
) -> None:
    """Fill each gap's `taught_partly`: the cluster's own courses that cover its ability."""
    teaching: dict[str, list[tuple[int, str]]] = {g.ability: [] for g in gaps}
    for course, covers in curriculum.items():
        for ability, level in covers.items():
            found = teaching.get(ability)
            if found is not None:
                found.append((-level, course))
    courses = store.nodes(Label.COURSE, sorted({c for t in teaching.values() for _, c in t}))
    for gap in gaps:
        gap.taught_partly = [
            {"course": c, "name": courses[c].name if c in courses else c, "level": -level}
            for level, c in sorted(teaching[gap.ability])
        ]


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
        results, total, coverage = score_requirements(requirements, taught)
        positions.append(
            PositionResult(row.id, row.name, row.segment, demand_of(row), coverage, results, total)
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
                priority[req.ability] += shortfall_share(
                    position.demand, req.weight, total, req.fulfilment
                )
                gap_positions[req.ability].append(position.id)
    gaps = [Gap(a, names[a], p, gap_positions[a]) for a, p in rank_gaps(priority)]

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
    """coverage of a segment or the chain, or None when nothing is scored."""
    return weighted_coverage((p.demand, p.coverage) for p in positions)


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
]
