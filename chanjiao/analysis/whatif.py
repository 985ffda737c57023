"""What-if: coverage and gaps of a cluster with its curriculum changed, without writing.

A planner asks "what if we add course X, drop course Y, or teach ability A in course Z
to a higher level?". `what_if` builds a changed copy of C(K) and scores it with the
same `analyse_gaps` as everything else (DESIGN §4), so the numbers are comparable with
the gap report; `compare` says what moved between the two reports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chanjiao.analysis.gaps import GapReport, analyse_gaps
from chanjiao.analysis.scoring import rounded
from chanjiao.errors import InvalidRequest, NotFound
from chanjiao.graph.schema import Label, Rel
from chanjiao.graph.store import GraphReads


def _delta(before: float | None, after: float | None) -> float | None:
    if before is None or after is None:
        return None
    return after - before


def changed_curriculum(
    store: GraphReads,
    cluster_id: str,
    *,
    add_courses: Sequence[str] = (),
    remove_courses: Sequence[str] = (),
    coverage: Mapping[tuple[str, str], int] = {},
) -> dict[str, dict[str, int]]:
    """C(K) with courses added (with their COVERS from the store), removed, and levels set.

    Args:
        add_courses: courses to add to C(K), each with what it covers in the store.
        remove_courses: courses of C(K) to drop.
        coverage: (course id, ability id) → level 1–4 to set, or 0 to remove that
            coverage; the course must be in the changed curriculum.

    Raises:
        NotFound: the cluster, a course or an ability does not exist.
        InvalidRequest: a course is both added and removed, a removed course is not in
            C(K), a level is outside 0–4, or a level is set on a course outside the
            changed curriculum.
    """
    with store.reading():
        if store.get_node(Label.SPECIALTY_CLUSTER, cluster_id) is None:
            raise NotFound(f"找不到专业群 {cluster_id}", f"no specialty cluster {cluster_id}")
        named = sorted(set(add_courses) | set(remove_courses) | {course for course, _ in coverage})
        known = store.nodes(Label.COURSE, named)
        unknown = [c for c in named if c not in known]
        if unknown:
            listed = "、".join(unknown)
            raise NotFound(f"找不到课程 {listed}", f"no course {', '.join(unknown)}")
        abilities = sorted({ability for _, ability in coverage})
        found = store.nodes(Label.ABILITY, abilities)
        missing = [a for a in abilities if a not in found]
        if missing:
            raise NotFound(f"找不到能力 {'、'.join(missing)}", f"no ability {', '.join(missing)}")
        both = sorted(set(add_courses) & set(remove_courses))
        if both:
            raise InvalidRequest(
                f"课程 {'、'.join(both)} 不能同时增加和删除",
                f"course {', '.join(both)} cannot be both added and removed",
            )
        current = store.curriculum(cluster_id)
        outside = sorted(c for c in set(remove_courses) if c not in current)
        if outside:
            raise InvalidRequest(
                f"课程 {'、'.join(outside)} 不在专业群 {cluster_id} 的课程中，无法删除",
                f"course {', '.join(outside)} is not in cluster {cluster_id}'s curriculum; "
                "it cannot be removed",
            )
        changed = {course: dict(covers) for course, covers in current.items()}
        extra = sorted(c for c in set(add_courses) if c not in changed)
        for course in extra:
            changed[course] = {}
        if extra:
            for rel in store.relationships(Rel.COVERS, src_ids=extra):
                changed[rel.src][rel.dst] = int(rel.props["level"])
    for course in remove_courses:
        changed.pop(course, None)
    for (course, ability), level in sorted(coverage.items()):
        if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= 4:
            raise InvalidRequest(
                f"课程 {course} 能力 {ability} 的等级应为 0–4（0 表示不再培养），实际为 {level!r}",
                f"the level of course {course}, ability {ability} must be 0–4 "
                f"(0 removes it), got {level!r}",
            )
        if course not in changed:
            raise InvalidRequest(
                f"课程 {course} 不在（调整后的）专业群课程中；请先增加该课程再设定等级",
                f"course {course} is not in the (changed) curriculum; add it before "
                "setting its levels",
            )
        if level == 0:
            changed[course].pop(ability, None)
        else:
            changed[course][ability] = level
    return changed


def what_if(
    store: GraphReads,
    cluster_id: str,
    chain_id: str,
    segment_id: str | None = None,
    *,
    add_courses: Sequence[str] = (),
    remove_courses: Sequence[str] = (),
    coverage: Mapping[tuple[str, str], int] = {},
    with_closers: bool = True,
) -> GapReport:
    """The gap report (DESIGN §4) of cluster K with its curriculum changed; nothing is written.

    See `changed_curriculum` for the arguments and the errors it raises.
    """
    with store.reading():
        changed = changed_curriculum(
            store,
            cluster_id,
            add_courses=add_courses,
            remove_courses=remove_courses,
            coverage=coverage,
        )
        return analyse_gaps(
            store,
            cluster_id,
            chain_id,
            segment_id,
            with_closers=with_closers,
            curriculum=changed,
        )


@dataclass(slots=True)
class CoverageChange:
    """A chain, segment or position's coverage before and after (None: not scored)."""

    id: str
    name: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        return _delta(self.before, self.after)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "before": rounded(self.before),
            "after": rounded(self.after),
            "delta": rounded(self.delta),
        }


@dataclass(slots=True)
class GapChange:
    """An ability whose gap priority moved; 0 means no gap."""

    ability: str
    name: str
    before: float
    after: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "ability": self.ability,
            "name": self.name,
            "before": rounded(self.before),
            "after": rounded(self.after),
            "delta": rounded(self.after - self.before),
        }


@dataclass(slots=True)
class WhatIfComparison:
    """What moved between two gap reports of the same chain (before → after)."""

    chain: CoverageChange
    segments: list[CoverageChange]
    positions: list[CoverageChange]
    gaps_closed: list[GapChange]
    gaps_opened: list[GapChange]
    gaps_changed: list[GapChange]
    courses_added: list[str] = field(default_factory=list)
    courses_removed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "chain": self.chain.to_dict(),
            "segments": [s.to_dict() for s in self.segments],
            "positions": [p.to_dict() for p in self.positions],
            "gaps_closed": [g.to_dict() for g in self.gaps_closed],
            "gaps_opened": [g.to_dict() for g in self.gaps_opened],
            "gaps_changed": [g.to_dict() for g in self.gaps_changed],
            "courses_added": self.courses_added,
            "courses_removed": self.courses_removed,
        }


def compare(before: GapReport, after: GapReport) -> WhatIfComparison:
    """Coverage deltas per chain, segment and position, and the gaps closed, opened or moved.

    Positions and segments keep the order of `after` (segments by order, positions by
    id); only positions whose coverage changed are listed. Gaps are by ability id.
    """
    chain = CoverageChange(after.chain, after.chain_name, before.coverage, after.coverage)
    seg_before = {s.id: s.coverage for s in before.segments}
    segments = [
        CoverageChange(s.id, s.name, seg_before.get(s.id), s.coverage) for s in after.segments
    ]
    pos_before = {p.id: p for p in before.positions}
    positions = []
    for p in after.positions:
        old = pos_before.get(p.id)
        old_coverage = old.coverage if old is not None else None
        if old_coverage != p.coverage:
            positions.append(CoverageChange(p.id, p.name, old_coverage, p.coverage))
    old_gaps = {g.ability: g for g in before.gaps}
    new_gaps = {g.ability: g for g in after.gaps}
    closed, opened, changed = [], [], []
    for ability in sorted(old_gaps.keys() | new_gaps.keys()):
        old_gap, new_gap = old_gaps.get(ability), new_gaps.get(ability)
        name = (new_gap or old_gap).name  # type: ignore[union-attr]
        old_p = old_gap.priority if old_gap else 0.0
        new_p = new_gap.priority if new_gap else 0.0
        change = GapChange(ability, name, old_p, new_p)
        if new_gap is None:
            closed.append(change)
        elif old_gap is None:
            opened.append(change)
        elif round(old_p - new_p, 12) != 0:
            changed.append(change)
    return WhatIfComparison(
        chain=chain,
        segments=segments,
        positions=positions,
        gaps_closed=closed,
        gaps_opened=opened,
        gaps_changed=changed,
        courses_added=sorted(set(after.curriculum) - set(before.curriculum)),
        courses_removed=sorted(set(before.curriculum) - set(after.curriculum)),
    )


@dataclass(slots=True)
class WhatIfResult:
    """Both gap reports of a what-if and their comparison."""

    before: GapReport
    after: GapReport
    comparison: WhatIfComparison

    def to_dict(self) -> dict[str, Any]:
        return {
            "cluster": self.after.cluster,
            "chain": self.after.chain,
            "segment": self.after.segment,
            "comparison": self.comparison.to_dict(),
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
        }


def what_if_compare(
    store: GraphReads,
    cluster_id: str,
    chain_id: str,
    segment_id: str | None = None,
    *,
    add_courses: Sequence[str] = (),
    remove_courses: Sequence[str] = (),
    coverage: Mapping[tuple[str, str], int] = {},
    with_closers: bool = True,
) -> WhatIfResult:
    """The current gap report, the changed one and what moved, read from one snapshot."""
    with store.reading():
        before = analyse_gaps(store, cluster_id, chain_id, segment_id, with_closers=with_closers)
        after = what_if(
            store,
            cluster_id,
            chain_id,
            segment_id,
            add_courses=add_courses,
            remove_courses=remove_courses,
            coverage=coverage,
            with_closers=with_closers,
        )
    return WhatIfResult(before, after, compare(before, after))


def target_chain(store: GraphReads, cluster_id: str, chain_id: str | None = None) -> str:
    """The chain to analyse a cluster against: the one given, else the one it TARGETS.

    Raises:
        NotFound: the cluster (or the chain given) does not exist.
        InvalidRequest: no chain was given and the cluster targets none or several.
    """
    with store.reading():
        if store.get_node(Label.SPECIALTY_CLUSTER, cluster_id) is None:
            raise NotFound(f"找不到专业群 {cluster_id}", f"no specialty cluster {cluster_id}")
        if chain_id is not None:
            if store.get_node(Label.INDUSTRY_CHAIN, chain_id) is None:
                raise NotFound(f"找不到产业链 {chain_id}", f"no industry chain {chain_id}")
            return chain_id
        targets = sorted(r.dst for r in store.relationships(Rel.TARGETS, src_ids=[cluster_id]))
    if len(targets) != 1:
        found = "、".join(targets) or "无"
        raise InvalidRequest(
            f"专业群 {cluster_id} 面向的产业链为 {found}，请指定一条产业链",
            f"cluster {cluster_id} targets {', '.join(targets) or 'no chain'}; name the chain",
        )
    return targets[0]
