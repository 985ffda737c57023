"""Resource shortfalls of a specialty cluster: teachers, textbooks, practice resources.

The guideline asks for a dual-qualified (双师双能型) teaching team, a textbook system of
national planned, school–enterprise and self-compiled textbooks in new forms (活页式,
工作手册式), and practice resources updated yearly from enterprise projects. This
module says where the cluster falls short of that, against configurable targets.

Definitions (K a cluster, C(K) its curriculum, R the abilities the positions of the
chain scope require):

- the cluster's teaching team: teachers who teach a course of C(K), and teachers
  employed by an enterprise that is a partner of an industry college building K;
- its course teachers: those who teach a course of C(K); the dual-qualified share is
  the share of them that are dual-qualified (双师双能型);
- the cluster's textbooks: those used in a course of C(K);
- the cluster's resources: those supporting a course of C(K), or an ability in R or
  covered by C(K);
- a skill of R lacks practice resources when no resource supports it, nor supports a
  course of C(K) that covers it;
- an item is stale when current year − its year > the age limit.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chanjiao.analysis.scoring import rounded
from chanjiao.analysis.whatif import target_chain
from chanjiao.errors import InvalidRequest
from chanjiao.graph.schema import (
    AbilityCategory,
    Label,
    Node,
    Rel,
    Relationship,
    TextbookFormat,
    TextbookKind,
    zh_word,
)
from chanjiao.graph.store import GraphReads

#: Default planning targets (minimum shares of the cluster's textbooks). They are
#: chanjiao's defaults, not numbers from the guideline: set your own.
DEFAULT_KIND_TARGETS: dict[str, float] = {"national_planned": 0.3, "school_enterprise": 0.3}
DEFAULT_FORMAT_TARGETS: dict[str, float] = {"loose_leaf": 0.2, "workbook": 0.1}
DEFAULT_MAX_AGE = 3


@dataclass(slots=True)
class ResourceTargets:
    """What the textbook system and the resources should reach.

    Attributes:
        textbook_kinds: kind (`TextbookKind` value) → minimum share of the cluster's textbooks.
        textbook_formats: format (`TextbookFormat` value) → minimum share.
        max_age_years: items older than this (current year − year) are stale.
        current_year: the year ages are counted from (default: this year).
    """

    textbook_kinds: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_KIND_TARGETS))
    textbook_formats: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_FORMAT_TARGETS))
    max_age_years: int = DEFAULT_MAX_AGE
    current_year: int = field(default_factory=lambda: date.today().year)

    def check(self) -> None:
        """Raise InvalidRequest for a target that is not a known value or not a share."""
        for what_zh, what_en, enum, targets in (
            ("教材类别", "textbook kind", TextbookKind, self.textbook_kinds),
            ("教材形态", "textbook format", TextbookFormat, self.textbook_formats),
        ):
            allowed = {m.value for m in enum}
            for key, share in targets.items():
                if key not in allowed:
                    raise InvalidRequest(
                        f"未知的{what_zh} {key}；可选：{'、'.join(sorted(allowed))}",
                        f"unknown {what_en} {key}; use one of: {', '.join(sorted(allowed))}",
                    )
                if not 0 <= share < 1:
                    raise InvalidRequest(
                        f"{what_zh} {key} 的目标比例应不小于 0 且小于 1，实际为 {share}",
                        f"the target share of {what_en} {key} must be at least 0 and "
                        f"below 1, got {share}",
                    )
        if self.max_age_years < 0:
            raise InvalidRequest(
                f"更新年限不能为负数：{self.max_age_years}",
                f"the age limit cannot be negative: {self.max_age_years}",
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "textbook_kinds": self.textbook_kinds,
            "textbook_formats": self.textbook_formats,
            "max_age_years": self.max_age_years,
            "current_year": self.current_year,
        }


@dataclass(slots=True)
class ShareRow:
    """One kind or format of the textbook system against its target.

    Attributes:
        needed: how many more textbooks of this value would reach the target (adding
            them also grows the total): the least n with (count + n)/(total + n) ≥ target.
    """

    value: str
    zh: str
    count: int
    share: float | None
    target: float | None
    needed: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "zh": self.zh,
            "count": self.count,
            "share": rounded(self.share),
            "target": self.target,
            "needed": self.needed,
            "meets": self.needed == 0,
        }


@dataclass(slots=True)
class ResourceReport:
    """The result of `resource_shortfalls`; every list is sorted by id."""

    cluster: str
    chain: str
    segment: str | None
    targets: ResourceTargets
    team: list[str]
    course_teachers: list[str]
    dual_qualified_teachers: list[str]
    courses_without_dual_teacher: list[dict[str, Any]]
    abilities_without_expert: list[dict[str, Any]]
    courses_without_textbook: list[dict[str, Any]]
    textbooks: list[str]
    textbook_kinds: list[ShareRow]
    textbook_formats: list[ShareRow]
    skills_without_resource: list[dict[str, Any]]
    stale_textbooks: list[dict[str, Any]]
    stale_resources: list[dict[str, Any]]
    undated: list[str]

    @property
    def dual_qualified_share(self) -> float | None:
        """Dual-qualified teachers among the course teachers; None when C(K) has none."""
        if not self.course_teachers:
            return None
        return len(self.dual_qualified_teachers) / len(self.course_teachers)

    def to_dict(self) -> dict[str, Any]:
        return {
            "cluster": self.cluster,
            "chain": self.chain,
            "segment": self.segment,
            "targets": self.targets.to_dict(),
            "team": self.team,
            "course_teachers": self.course_teachers,
            "dual_qualified_teachers": self.dual_qualified_teachers,
            "courses_without_dual_teacher": self.courses_without_dual_teacher,
            "abilities_without_expert": self.abilities_without_expert,
            "courses_without_textbook": self.courses_without_textbook,
            "textbooks": self.textbooks,
            "textbook_kinds": [r.to_dict() for r in self.textbook_kinds],
            "textbook_formats": [r.to_dict() for r in self.textbook_formats],
            "skills_without_resource": self.skills_without_resource,
            "stale_textbooks": self.stale_textbooks,
            "stale_resources": self.stale_resources,
            "undated": self.undated,
            "summary": {
                "dual_qualified_share": rounded(self.dual_qualified_share),
                "courses_without_dual_teacher": len(self.courses_without_dual_teacher),
                "abilities_without_expert": len(self.abilities_without_expert),
                "courses_without_textbook": len(self.courses_without_textbook),
                "textbook_targets_missed": sum(
                    1 for r in (*self.textbook_kinds, *self.textbook_formats) if r.needed
                ),
                "skills_without_resource": len(self.skills_without_resource),
                "stale": len(self.stale_textbooks) + len(self.stale_resources),
            },
        }


def needed_for(count: int, total: int, target: float) -> int:
    """The least n ≥ 0 with (count + n) / (total + n) ≥ target, for 0 ≤ target < 1."""
    if target <= 0 or (total and count / total >= target):
        return 0
    n = math.ceil((target * total - count) / (1 - target) - 1e-9)
    return max(n, 1 if total == 0 else 0)


@dataclass(slots=True)
class _Holdings:
    """What `resource_shortfalls` reads: the scope, the curriculum and what serves it."""

    chain: str
    required_by: dict[str, set[str]]
    curriculum: dict[str, dict[str, int]]
    courses: dict[str, Node]
    abilities: dict[str, Node]
    teaching: list[Relationship]
    team: set[str]
    expertise: list[Relationship]
    teachers: dict[str, Node]
    used_in: list[Relationship]
    textbooks: dict[str, Node]
    supports_courses: list[Relationship]
    supports_abilities: list[Relationship]
    resources: dict[str, Node]

    @property
    def course_ids(self) -> list[str]:
        return sorted(self.curriculum)

    @property
    def required(self) -> list[str]:
        return sorted(self.required_by)


def resource_shortfalls(
    store: GraphReads,
    cluster_id: str,
    chain_id: str | None = None,
    segment_id: str | None = None,
    *,
    targets: ResourceTargets | None = None,
) -> ResourceReport:
    """Where cluster K's teachers, textbooks and practice resources fall short.

    Args:
        chain_id: the chain whose required abilities count (default: the cluster's).
        targets: the textbook system's targets, the age limit and the current year.

    Raises:
        NotFound: the cluster, chain or segment does not exist.
        InvalidRequest: a bad target, or no chain to analyse against.
    """
    targets = targets or ResourceTargets()
    targets.check()
    held = _read_holdings(store, cluster_id, chain_id, segment_id)
    course_teachers, dual, no_dual, no_expert = _team_shortfalls(held)
    stale_books, stale_resources, undated = _stale(held, targets)
    return ResourceReport(
        cluster=cluster_id,
        chain=held.chain,
        segment=segment_id,
        targets=targets,
        team=sorted(held.team),
        course_teachers=course_teachers,
        dual_qualified_teachers=dual,
        courses_without_dual_teacher=no_dual,
        abilities_without_expert=no_expert,
        courses_without_textbook=_courses_without_textbook(held),
        textbooks=sorted(held.textbooks),
        textbook_kinds=_shares(held.textbooks, "kind", TextbookKind, targets.textbook_kinds),
        textbook_formats=_shares(
            held.textbooks, "format", TextbookFormat, targets.textbook_formats
        ),
        skills_without_resource=_skills_without_resource(held),
        stale_textbooks=stale_books,
        stale_resources=stale_resources,
        undated=undated,
    )


def _read_holdings(
    store: GraphReads, cluster_id: str, chain_id: str | None, segment_id: str | None
) -> _Holdings:
    with store.reading():
        chain = target_chain(store, cluster_id, chain_id)
        scope = store.chain_scope(chain, segment_id)
        curriculum = store.curriculum(cluster_id)
        course_ids = sorted(curriculum)
        required_by: dict[str, set[str]] = defaultdict(set)
        for req in scope.requirements:
            required_by[req.ability].add(req.position)
        required = sorted(required_by)
        covered = sorted({a for covers in curriculum.values() for a in covers})
        teaching = store.relationships(Rel.TEACHES, dst_ids=course_ids)
        colleges = [r.src for r in store.relationships(Rel.HAS_CLUSTER, dst_ids=[cluster_id])]
        partner_enterprises = sorted(
            {
                r.src
                for r in store.relationships(Rel.PARTNER_OF, dst_ids=colleges)
                if r.src_label is Label.ENTERPRISE
            }
        )
        team = {r.src for r in teaching} | {
            r.src for r in store.relationships(Rel.EMPLOYED_BY, dst_ids=partner_enterprises)
        }
        expertise = store.relationships(Rel.EXPERT_IN, dst_ids=required)
        used_in = store.relationships(Rel.USED_IN, dst_ids=course_ids)
        supports_courses = store.relationships(Rel.SUPPORTS, dst_ids=course_ids)
        supports_abilities = store.relationships(
            Rel.SUPPORTS, dst_ids=sorted(set(required) | set(covered))
        )
        return _Holdings(
            chain=chain,
            required_by=required_by,
            curriculum=curriculum,
            courses=store.nodes(Label.COURSE, course_ids),
            abilities=store.nodes(Label.ABILITY, sorted(set(required) | set(covered))),
            teaching=teaching,
            team=team,
            expertise=expertise,
            teachers=store.nodes(Label.TEACHER, sorted(team | {r.src for r in expertise})),
            used_in=used_in,
            textbooks=store.nodes(Label.TEXTBOOK, sorted({r.src for r in used_in})),
            supports_courses=supports_courses,
            supports_abilities=supports_abilities,
            resources=store.nodes(
                Label.TRAINING_RESOURCE,
                sorted({r.src for r in (*supports_courses, *supports_abilities)}),
            ),
        )


def _team_shortfalls(
    held: _Holdings,
) -> tuple[list[str], list[str], list[dict[str, Any]], list[dict[str, Any]]]:
    """Course teachers, the dual-qualified among them, courses without one, abilities
    without an expert in the team."""
    teachers = held.teachers

    def dual(teacher: str) -> bool:
        return teachers[teacher].props.get("dual_qualified") is True

    teachers_of: dict[str, list[str]] = defaultdict(list)
    for r in sorted(held.teaching, key=lambda r: (r.dst, r.src)):
        teachers_of[r.dst].append(r.src)
    course_teachers = sorted({r.src for r in held.teaching if r.src in teachers})
    no_dual = [
        {
            "course": c,
            "name": held.courses[c].name if c in held.courses else c,
            "teachers": teachers_of.get(c, []),
        }
        for c in held.course_ids
        if not any(dual(t) for t in teachers_of.get(c, []))
    ]
    experts: dict[str, set[str]] = defaultdict(set)
    for r in held.expertise:
        experts[r.dst].add(r.src)
    no_expert = [
        {
            "ability": a,
            "name": held.abilities[a].name if a in held.abilities else a,
            "positions": sorted(held.required_by[a]),
            "candidates": sorted(experts.get(a, set()) - held.team),
        }
        for a in held.required
        if not experts.get(a, set()) & held.team
    ]
    return course_teachers, [t for t in course_teachers if dual(t)], no_dual, no_expert


def _courses_without_textbook(held: _Holdings) -> list[dict[str, Any]]:
    with_book = {r.dst for r in held.used_in}
    return [
        {"course": c, "name": held.courses[c].name if c in held.courses else c}
        for c in held.course_ids
        if c not in with_book
    ]


def _skills_without_resource(held: _Holdings) -> list[dict[str, Any]]:
    supported_courses = {r.dst for r in held.supports_courses}
    supported_abilities = {r.dst for r in held.supports_abilities if r.dst_label is Label.ABILITY}
    rows = []
    for a in held.required:
        node = held.abilities.get(a)
        if node is None or node.props.get("category") != AbilityCategory.SKILL.value:
            continue
        teaching = [c for c in held.course_ids if a in held.curriculum[c]]
        if a not in supported_abilities and not supported_courses.intersection(teaching):
            rows.append(
                {
                    "ability": a,
                    "name": node.name,
                    "positions": sorted(held.required_by[a]),
                    "courses": teaching,
                }
            )
    return rows


def _stale(
    held: _Holdings, targets: ResourceTargets
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """Textbooks and resources older than the age limit, and those without a year."""
    stale_books: list[dict[str, Any]] = []
    stale_resources: list[dict[str, Any]] = []
    undated: list[str] = []
    for items, stale in ((held.textbooks, stale_books), (held.resources, stale_resources)):
        for item_id in sorted(items):
            node = items[item_id]
            year = node.props.get("year")
            if year is None:
                undated.append(item_id)
                continue
            age = targets.current_year - int(year)
            if age > targets.max_age_years:
                stale.append({"id": item_id, "name": node.name, "year": int(year), "age": age})
    return stale_books, stale_resources, undated


def _shares(
    textbooks: Mapping[str, Any],
    prop: str,
    enum: type[TextbookKind] | type[TextbookFormat],
    targets: Mapping[str, float],
) -> list[ShareRow]:
    """Count the textbooks of each enum value (unset ones count in the total only)."""
    total = len(textbooks)
    counts: dict[str, int] = defaultdict(int)
    for node in textbooks.values():
        value = node.props.get(prop)
        if value is not None:
            counts[str(value)] += 1
    rows = []
    for member in enum:
        count = counts.get(member.value, 0)
        target = targets.get(member.value)
        rows.append(
            ShareRow(
                member.value,
                zh_word(member),
                count,
                count / total if total else None,
                target,
                needed_for(count, total, target) if target is not None else 0,
            )
        )
    return rows
