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
from chanjiao.graph.schema import Label
from chanjiao.graph.store import GraphReads

if TYPE_CHECKING:  # numpy is imported with the first analysis, not by `chanjiao --help`
    from chanjiao.analysis.gaparrays import CloserText, Scored

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
    curriculum: list[str]
    scored: Scored = field(repr=False, compare=False)
    _positions: list[PositionResult] | None = field(default=None, repr=False, compare=False)
    _gaps: list[Gap] | None = field(default=None, repr=False, compare=False)
    #: The scope's closers (`ScopeLayout.closer_text`); None without closers.
    _closers: CloserText | None = field(default=None, repr=False, compare=False)
    #: C(K) is the store's own (not a what-if's changed copy).
    _exact: bool = field(default=True, repr=False, compare=False)
    _orphans: list[str] | None = field(default=None, repr=False, compare=False)

    @property
    def orphan_courses(self) -> list[str]:
        """Courses of C(K) covering none of the abilities in scope, by id (made on first use)."""
        if self._orphans is None:
            self._orphans = self.scored.orphans()
        return self._orphans

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
                for gap, (closers, partly) in zip(
                    self._gaps,
                    self.scored.gap_closers(self._closers, exact=self._exact),
                    strict=True,
                ):
                    gap.closers = dict(closers)
                    gap.taught_partly = partly
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
        pieces = [
            b'{"cluster":', j(self.cluster),
            b',"cluster_name":', j(self.cluster_name),
            b',"chain":', j(self.chain),
            b',"chain_name":', j(self.chain_name),
            b',"segment":', j(self.segment),
            b',"coverage":', j(_r(self.coverage)),
            b',"segments":', j([_segment_dict(s) for s in self.segments]),
            b',"positions":',
        ]  # fmt: skip
        pieces += self.scored.positions_json()
        pieces.append(b',"gaps":')
        pieces += self.scored.gaps_json(self._closers, exact=self._exact)
        pieces += [
            b',"unmodelled_positions":', j(self.unmodelled_positions),
            b',"orphan_courses":', j(self.orphan_courses),
            b',"summary":', j(self._summary()),
            b"}",
        ]  # fmt: skip
        return b"".join(pieces)

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

    The cluster's and the scope's arrays are laid out once per store generation
    (`gaparrays.GapIndex`; `warm_gaps` lays out all of them at a server's start), so a
    question costs the scoring and, for `to_json()`, filling in the ready text.

    Args:
        with_closers: look up what could close each gap (the costly part).
        curriculum: C(K) to use instead of the store's (course → {ability → level});
            what-if analyses pass a changed copy here, nothing is written.

    Raises:
        NotFound: the cluster, chain or segment does not exist.
    """
    from chanjiao.analysis.gaparrays import ClusterLayout, Scored, index_of, scope_layout

    index = index_of(store)
    cluster = index.clusters.get(cluster_id) if curriculum is None else None
    shape = index.scopes.get((chain_id, segment_id))
    closers = shape.closers if shape is not None and with_closers else None
    if cluster is None or shape is None or (with_closers and closers is None):
        with store.reading():  # what is not laid out yet is read from one snapshot
            index = index_of(store)
            if curriculum is None:
                cluster = index.clusters.get(cluster_id)
                if cluster is None:
                    node = _cluster_node(store, cluster_id)
                    own = store.curriculum(cluster_id)
                    names = _course_names(store, own)
                    cluster = ClusterLayout(cluster_id, node.name, own, names, index)
                    index.clusters[cluster_id] = cluster
                shape = scope_layout(index, store, chain_id, segment_id)
            else:
                node = _cluster_node(store, cluster_id)
                shape = scope_layout(index, store, chain_id, segment_id)
                names = _course_names(store, curriculum) if with_closers else {}
                cluster = ClusterLayout(cluster_id, node.name, curriculum, names, index)
            closers = shape.closer_text(store) if with_closers else None
    scored = Scored(shape, cluster)
    return GapReport(
        cluster=cluster_id,
        cluster_name=cluster.name,
        chain=shape.scope.chain.id,
        chain_name=shape.scope.chain.name,
        segment=segment_id,
        coverage=scored.chain_coverage(),
        segments=[
            SegmentResult(row.id, row.name, row.order, coverage, demand, count)
            for row, coverage, demand, count in scored.segments()
        ],
        unmodelled_positions=list(shape.unmodelled),
        curriculum=list(cluster.courses),
        scored=scored,
        _closers=closers if len(scored.ranking) else None,
        _exact=curriculum is None,
    )


def _cluster_node(store: GraphReads, cluster_id: str) -> Any:
    cluster = store.get_node(Label.SPECIALTY_CLUSTER, cluster_id)
    if cluster is None:
        raise NotFound(f"找不到专业群 {cluster_id}", f"no specialty cluster {cluster_id}")
    return cluster


def _course_names(store: GraphReads, courses: Iterable[str]) -> dict[str, str]:
    return {c: node.name for c, node in store.nodes(Label.COURSE, sorted(courses)).items()}


def warm_gaps(store: GraphReads) -> None:
    """Lay out every cluster and every chain's scope for gap reports (a server's start,
    after `store.warm()`).

    After it, a gap question of any cluster against any whole chain is answered from
    memory: the first ask of a pair costs the scoring and encoding only.
    """
    from chanjiao.analysis.gaparrays import ClusterLayout, index_of, scope_layout

    if store.generation() is None:  # such a store shares nothing between questions
        return
    with store.reading():
        index = index_of(store)
        for chain_id in sorted(store.nodes(Label.INDUSTRY_CHAIN)):
            shape = scope_layout(index, store, chain_id, None)
            shape.text()
            shape.closer_text(store)
        names = {c: node.name for c, node in store.nodes(Label.COURSE).items()}
        for cluster_id, node in sorted(store.nodes(Label.SPECIALTY_CLUSTER).items()):
            if cluster_id not in index.clusters:
                index.clusters[cluster_id] = ClusterLayout(
                    cluster_id, node.name, store.curriculum(cluster_id), names, index
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
