"""Talent readiness (人才和岗位大数据库), exactly as DESIGN §4b.

- A student passed a course if its score is ≥ 60 when a score is given, else if
  `passed` is true, else not.
- attained(s, a): the highest `COVERS` level of a course s passed that covers a, or
  the certificate level (a setting, default 3 = 掌握) when s holds a certificate
  that `CERTIFIES` a; 0 if neither.
- readiness(s, p): §4's coverage of p with attained levels in place of taught
  levels, computed by `chanjiao.analysis.scoring.position_coverage` (the one
  place of that arithmetic). A position without requirements is not scored.
- A student is ready for a position when the readiness, rounded to 4 decimals as
  every report prints it, is ≥ the threshold (a setting, default 0.8). A cohort's
  readiness for a position is the share of its students who are ready.

Everything reads through `GraphReads` (one aggregated read, `student_records`, plus
the chain scope), so every backend gives the same answer.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from chanjiao.analysis.scoring import demand_of, fulfilment, position_coverage, rounded
from chanjiao.errors import InvalidRequest, NotFound
from chanjiao.graph.schema import Label, Rel
from chanjiao.graph.store import (
    GraphReads,
    ResultRow,
    ScopePosition,
    StudentRecords,
    StudentRow,
)

#: A score at least this passes (DESIGN §4b).
PASS_SCORE = 60.0
DEFAULT_THRESHOLD = 0.8
DEFAULT_CERTIFICATE_LEVEL = 3
ENV_THRESHOLD = "CHANJIAO_TALENT_THRESHOLD"
ENV_CERTIFICATE_LEVEL = "CHANJIAO_CERTIFICATE_LEVEL"
#: How many positions a cohort report names as least ready, and abilities as lifts.
TOP = 5


@dataclass(frozen=True, slots=True)
class TalentSettings:
    """The two settings of §4b.

    Attributes:
        threshold: the readiness at which a student counts as ready (0–1).
        certificate_level: the level a held certificate gives each ability it certifies.
    """

    threshold: float = DEFAULT_THRESHOLD
    certificate_level: int = DEFAULT_CERTIFICATE_LEVEL

    def __post_init__(self) -> None:
        if not 0 <= self.threshold <= 1:
            raise InvalidRequest(
                f"准备度阈值应在 0–1 之间，实际为 {self.threshold}",
                f"the readiness threshold must be between 0 and 1, got {self.threshold}",
            )
        if self.certificate_level not in (1, 2, 3, 4):
            raise InvalidRequest(
                f"证书等级应为 1–4，实际为 {self.certificate_level}",
                f"the certificate level must be 1–4, got {self.certificate_level}",
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TalentSettings:
        """Settings from ``CHANJIAO_TALENT_THRESHOLD`` and ``CHANJIAO_CERTIFICATE_LEVEL``."""
        env = os.environ if environ is None else environ
        try:
            threshold = float(env.get(ENV_THRESHOLD) or DEFAULT_THRESHOLD)
            level = int(env.get(ENV_CERTIFICATE_LEVEL) or DEFAULT_CERTIFICATE_LEVEL)
        except ValueError as exc:
            raise InvalidRequest(
                f"环境变量 {ENV_THRESHOLD} 或 {ENV_CERTIFICATE_LEVEL} 不是数字：{exc}",
                f"{ENV_THRESHOLD} or {ENV_CERTIFICATE_LEVEL} is not a number: {exc}",
            ) from None
        return cls(threshold, level)


def _shown(value: float) -> float:
    """A readiness or share as every answer prints it (`scoring.rounded`)."""
    return float(rounded(value) or 0.0)


def pseudonym(student_id: str) -> str:
    """A stable stand-in for a student's name (the same id always gives the same one)."""
    return "学生-" + hashlib.sha256(student_id.encode()).hexdigest()[:6].upper()


def passed(result: ResultRow) -> bool:
    """Whether a result passes: score ≥ 60 when a score is given, else the `passed` flag."""
    if result.score is not None:
        return result.score >= PASS_SCORE
    return bool(result.passed)


class Source(NamedTuple):
    """Where an attained level comes from: a passed course or a held certificate."""

    kind: str  # "course" or "certificate"
    id: str
    level: int


def attainment_sources(
    records: StudentRecords, settings: TalentSettings
) -> dict[str, dict[str, list[Source]]]:
    """Student → ability → what builds it: passed courses and held certificates."""
    found: dict[str, dict[str, list[Source]]] = {s.id: defaultdict(list) for s in records.students}
    for result in records.results:
        if not passed(result):
            continue
        for ability, level in records.covers.get(result.course, {}).items():
            found[result.student][ability].append(Source("course", result.course, level))
    for student, certificate in records.holdings:
        for ability in records.certifies.get(certificate, ()):
            found[student][ability].append(
                Source("certificate", certificate, settings.certificate_level)
            )
    return found


def attained_levels(records: StudentRecords, settings: TalentSettings) -> dict[str, dict[str, int]]:
    """Student → ability → attained(s, a) (abilities at 0 are absent)."""
    found: dict[str, dict[str, int]] = {s.id: {} for s in records.students}
    covers = records.covers
    for result in records.results:
        if not passed(result):
            continue
        levels = found[result.student]
        for ability, level in covers.get(result.course, {}).items():
            if level > levels.get(ability, 0):
                levels[ability] = level
    given = settings.certificate_level
    for student, certificate in records.holdings:
        levels = found[student]
        for ability in records.certifies.get(certificate, ()):
            if given > levels.get(ability, 0):
                levels[ability] = given
    return found


# --- positions -----------------------------------------------------------------------------


class Requirement(NamedTuple):
    """A requirement of a position: the ability, its name, the level required, the weight."""

    ability: str
    name: str
    level: int
    weight: float


@dataclass(slots=True)
class PositionModel:
    """A position and its ability model, requirements by ability id."""

    id: str
    name: str
    segment: str | None
    demand: int
    requirements: list[Requirement]

    def readiness(self, levels: Mapping[str, int]) -> float:
        """readiness(s, p) for a student's attained levels (not for an unmodelled p)."""
        found = position_coverage(self.requirements, levels)
        return 0.0 if found is None else found

    @property
    def total_weight(self) -> float:
        return sum(r.weight for r in self.requirements)

    def missing(self, levels: Mapping[str, int]) -> list[dict[str, Any]]:
        return [
            {"ability": r.ability, "required": r.level, "attained": levels.get(r.ability, 0)}
            for r in self.requirements
            if levels.get(r.ability, 0) < r.level
        ]


@dataclass(slots=True)
class Scope:
    """The positions a readiness question is about (a chain, or every position)."""

    chain: str | None
    chain_name: str | None
    segments: list[tuple[str, str]]  # (id, name) in chain order
    positions: list[PositionModel]  # by id


def chain_positions(store: GraphReads, chain_id: str) -> Scope:
    """The positions of a chain with their requirements, segments in chain order."""
    scope = store.chain_scope(chain_id)
    by_position: dict[str, list[Requirement]] = defaultdict(list)
    for row in scope.requirements:
        by_position[row.position].append(
            Requirement(row.ability, row.ability_name, row.level, row.weight)
        )
    positions = [
        PositionModel(
            p.id, p.name, p.segment, demand_of(p), sorted(by_position.get(p.id, ()), key=_first)
        )
        for p in sorted(scope.positions, key=lambda p: p.id)
    ]
    segments = [
        (s.id, s.name)
        for s in sorted(scope.segments, key=lambda s: (s.order is None, s.order or 0, s.id))
    ]
    return Scope(scope.chain.id, scope.chain.name, segments, positions)


def _first(requirement: Requirement) -> str:
    return requirement.ability


def all_positions(store: GraphReads, ids: Iterable[str] | None = None) -> list[PositionModel]:
    """Every position (or those of `ids`) with its requirements, by id."""
    wanted = None if ids is None else list(ids)
    with store.reading():
        nodes = store.nodes(Label.POSITION, wanted)
        keys = sorted(nodes) if wanted is not None else None
        requires = store.relationships(Rel.REQUIRES, src_ids=keys)
        segments: dict[str, str] = {}
        for r in store.relationships(Rel.IN_SEGMENT, src_ids=keys):
            segments.setdefault(r.src, r.dst)
        offered: dict[str, int] = defaultdict(int)
        offers = store.relationships(Rel.OFFERS, dst_ids=keys)
        counted = {r.dst for r in offers if r.props.get("headcount") is not None}
        for r in offers:
            if r.props.get("headcount") is not None:
                offered[r.dst] += int(r.props["headcount"])
        abilities = store.nodes(Label.ABILITY, sorted({r.dst for r in requires}))
    by_position: dict[str, list[Requirement]] = defaultdict(list)
    for r in requires:
        name = abilities[r.dst].name if r.dst in abilities else r.dst
        weight = r.props.get("weight")
        by_position[r.src].append(
            Requirement(
                r.dst, name, int(r.props["level"]), float(1.0 if weight is None else weight)
            )
        )
    found = []
    for pid in sorted(nodes):
        node = nodes[pid]
        own = node.props.get("demand")
        row = ScopePosition(
            pid,
            node.name,
            segments.get(pid, ""),
            None if own is None else int(own),
            offered[pid] if pid in counted else None,
        )
        found.append(
            PositionModel(
                pid,
                node.name,
                segments.get(pid),
                demand_of(row),
                sorted(by_position[pid], key=_first),
            )
        )
    return found


# --- one student ---------------------------------------------------------------------------


def _student_dict(student: StudentRow, pseudonymise: bool = False) -> dict[str, Any]:
    return {
        "id": student.id,
        "name": pseudonym(student.id) if pseudonymise else student.name,
        "cohort": student.cohort,
        "major": student.major,
        "status": student.status,
    }


@dataclass(slots=True)
class StudentProfile:
    """A student's attained abilities and readiness for each position in scope."""

    student: StudentRow
    chain: str | None
    chain_name: str | None
    settings: TalentSettings
    abilities: list[dict[str, Any]]
    results: list[dict[str, Any]]
    certificates: list[str]
    positions: list[dict[str, Any]]
    unmodelled_positions: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "student": _student_dict(self.student),
            "chain": self.chain,
            "chain_name": self.chain_name,
            "threshold": self.settings.threshold,
            "certificate_level": self.settings.certificate_level,
            "abilities": self.abilities,
            "results": self.results,
            "certificates": self.certificates,
            "positions": self.positions,
            "unmodelled_positions": self.unmodelled_positions,
        }


def student_profile(
    store: GraphReads,
    student_id: str,
    chain_id: str | None = None,
    settings: TalentSettings | None = None,
) -> StudentProfile:
    """A student's ability profile and readiness for every position (or those of a chain).

    Raises:
        NotFound: the student (or the chain) does not exist.
    """
    settings = settings or TalentSettings()
    with store.reading():
        records = store.student_records(ids=[student_id])
        if not records.students:
            raise NotFound(f"找不到学生 {student_id}", f"no student {student_id}")
        if chain_id is None:
            scope = Scope(None, None, [], all_positions(store))
        else:
            scope = chain_positions(store, chain_id)
        student = records.students[0]
        sources = attainment_sources(records, settings)[student.id]
        names = {a: n.name for a, n in store.nodes(Label.ABILITY, sorted(sources)).items()} | {
            c: n.name
            for c, n in store.nodes(
                Label.COURSE, sorted({r.course for r in records.results})
            ).items()
        }
    levels = {a: max(s.level for s in found) for a, found in sources.items()}
    abilities = [
        {
            "ability": a,
            "name": names.get(a, a),
            "attained": levels[a],
            "sources": [s._asdict() for s in sorted(sources[a], key=lambda s: (s.kind, s.id))],
        }
        for a in sorted(sources)
    ]
    results = [
        {
            "course": r.course,
            "name": names.get(r.course, r.course),
            "score": r.score,
            "passed": passed(r),
        }
        for r in records.results
    ]
    positions: list[dict[str, Any]] = []
    unmodelled = []
    for position in scope.positions:
        if not position.requirements:
            unmodelled.append(position.id)
            continue
        readiness = _shown(position.readiness(levels))
        positions.append(
            {
                "id": position.id,
                "name": position.name,
                "segment": position.segment,
                "readiness": readiness,
                "ready": readiness >= settings.threshold,
                "missing": position.missing(levels),
            }
        )
    positions.sort(key=lambda p: (-p["readiness"], p["id"]))
    return StudentProfile(
        student,
        scope.chain,
        scope.chain_name,
        settings,
        abilities,
        results,
        [c for _, c in records.holdings],
        positions,
        unmodelled,
    )


# --- candidates for one position ---------------------------------------------------------


@dataclass(slots=True)
class Candidates:
    """A position's candidates, ranked (DESIGN §4b); `to_dict()` is the §4b JSON."""

    position: PositionModel
    students: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"position": self.position.id, "students": self.students}


def match_position(
    store: GraphReads,
    position_id: str,
    *,
    cohort: str | None = None,
    major: str | None = None,
    settings: TalentSettings | None = None,
    pseudonymise: bool = False,
) -> Candidates:
    """The students (optionally of one cohort or major) ranked by readiness for a position.

    Raises:
        NotFound: the position does not exist.
        InvalidRequest: the position has no requirements, so it cannot be scored.
    """
    settings = settings or TalentSettings()
    with store.reading():
        found = all_positions(store, [position_id])
        if not found:
            raise NotFound(f"找不到岗位 {position_id}", f"no position {position_id}")
        records = store.student_records(cohort=cohort, major=major)
    position = found[0]
    if not position.requirements:
        raise InvalidRequest(
            f"岗位 {position_id} 没有能力要求（未建模），无法计算准备度",
            f"the position {position_id} has no requirements (unmodelled), so it is not scored",
        )
    attained = attained_levels(records, settings)
    students: list[dict[str, Any]] = []
    for student in records.students:
        levels = attained[student.id]
        students.append(
            {
                "id": student.id,
                "name": pseudonym(student.id) if pseudonymise else student.name,
                "readiness": _shown(position.readiness(levels)),
                "missing": position.missing(levels),
            }
        )
    students.sort(key=lambda s: (-s["readiness"], s["id"]))
    return Candidates(position, students)


# --- a cohort against a chain --------------------------------------------------------------


@dataclass(slots=True)
class CohortReadiness:
    """How ready a cohort is for a chain's positions; `to_dict()` is its JSON."""

    cohort: str
    major: str | None
    scope: Scope
    settings: TalentSettings
    students: list[StudentRow]
    positions: list[dict[str, Any]]
    segments: list[dict[str, Any]]
    chain_share: float | None
    chain_ready_any: float | None
    least_ready: list[str]
    lifts: list[dict[str, Any]]
    unmodelled_positions: list[str]
    #: student → position → rounded readiness (for the report's matrix).
    matrix: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self, *, pseudonymise: bool = False, with_students: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "cohort": self.cohort,
            "major": self.major,
            "chain": self.scope.chain,
            "chain_name": self.scope.chain_name,
            "threshold": self.settings.threshold,
            "certificate_level": self.settings.certificate_level,
            "student_count": len(self.students),
            "share": rounded(self.chain_share),
            "ready_any": rounded(self.chain_ready_any),
            "segments": self.segments,
            "positions": self.positions,
            "least_ready": self.least_ready,
            "lifts": self.lifts,
            "unmodelled_positions": self.unmodelled_positions,
        }
        if with_students:
            data["students"] = [
                {
                    **_student_dict(s, pseudonymise),
                    "ready_for": sorted(
                        p
                        for p, value in self.matrix.get(s.id, {}).items()
                        if value >= self.settings.threshold
                    ),
                }
                for s in self.students
            ]
        return data


def cohort_readiness(
    store: GraphReads,
    cohort: str,
    chain_id: str,
    *,
    major: str | None = None,
    settings: TalentSettings | None = None,
    top: int = TOP,
) -> CohortReadiness:
    """A cohort's readiness for every position and segment of a chain, the positions it
    is least ready for (lowest share of ready students, then lowest mean readiness),
    and the abilities that would lift the most students over the threshold (with the
    courses and certificates that build them).

    Per segment (and for the chain): `share` is Σ demand·share(p) / Σ demand over its
    scored positions (as §4 weighs coverage), `ready_any` the share of students ready
    for at least one of its positions.

    Raises:
        NotFound: the chain does not exist, or the cohort has no student.
    """
    settings = settings or TalentSettings()
    with store.reading():
        scope = chain_positions(store, chain_id)
        records = store.student_records(cohort=cohort, major=major)
        if not records.students:
            where = f"（专业 {major}）" if major else ""
            raise NotFound(f"年级 {cohort}{where} 没有学生", f"the cohort {cohort} has no student")
        scored = [p for p in scope.positions if p.requirements]
        attained = attained_levels(records, settings)
        threshold = settings.threshold
        matrix: dict[str, dict[str, float]] = {}
        lifted: dict[str, set[str]] = defaultdict(set)  # ability → students lifted
        lift_pairs: dict[str, int] = defaultdict(int)
        lift_positions: dict[str, set[str]] = defaultdict(set)
        totals = {p.id: p.total_weight for p in scored}
        # The most one raised ability can add to a position's readiness: pairs further
        # below the threshold than that cannot be lifted, and are not looked at.
        reach = {p.id: max(r.weight for r in p.requirements) / totals[p.id] for p in scored}
        for student in records.students:
            levels = attained[student.id]
            row = matrix[student.id] = {}
            for position in scored:
                value = position.readiness(levels)
                shown = _shown(value)
                row[position.id] = shown
                if shown >= threshold or value + reach[position.id] < threshold - 0.001:
                    continue
                for ability in _lifting(position, totals[position.id], levels, value, threshold):
                    lifted[ability].add(student.id)
                    lift_pairs[ability] += 1
                    lift_positions[ability].add(position.id)
        count = len(records.students)
        positions = []
        share_of: dict[str, float] = {}
        for position in scored:
            ready = sum(1 for s in records.students if matrix[s.id][position.id] >= threshold)
            share_of[position.id] = ready / count
            positions.append(
                {
                    "id": position.id,
                    "name": position.name,
                    "segment": position.segment,
                    "demand": position.demand,
                    "ready": ready,
                    "share": rounded(ready / count),
                    "mean_readiness": rounded(
                        sum(matrix[s.id][position.id] for s in records.students) / count
                    ),
                }
            )
        segments = []
        for segment_id, name in scope.segments:
            inside = [p for p in scored if p.segment == segment_id]
            share, ready_any = _aggregate(inside, share_of, matrix, records.students, threshold)
            segments.append(
                {
                    "id": segment_id,
                    "name": name,
                    "positions": len(inside),
                    "share": rounded(share),
                    "ready_any": rounded(ready_any),
                }
            )
        chain_share, chain_any = _aggregate(scored, share_of, matrix, records.students, threshold)
        mean = {p["id"]: p["mean_readiness"] for p in positions}
        least = sorted(scored, key=lambda p: (share_of[p.id], mean[p.id], p.id))[:top]
        ranked = sorted(lifted, key=lambda a: (-len(lifted[a]), -lift_pairs[a], a))[:top]
        closers = store.closers(ranked) if ranked else {}
        names = {r.ability: r.name for p in scored for r in p.requirements}
    lifts = [
        {
            "ability": a,
            "name": names.get(a, a),
            "students": len(lifted[a]),
            "pairs": lift_pairs[a],
            "positions": sorted(lift_positions[a]),
            "courses": list(closers.get(a, {}).get("courses", ())),
            "certificates": list(closers.get(a, {}).get("certificates", ())),
        }
        for a in ranked
    ]
    return CohortReadiness(
        cohort,
        major,
        scope,
        settings,
        records.students,
        positions,
        segments,
        chain_share,
        chain_any,
        [p.id for p in least],
        lifts,
        [p.id for p in scope.positions if not p.requirements],
        matrix,
    )


def _lifting(
    position: PositionModel,
    total: float,
    levels: Mapping[str, int],
    value: float,
    threshold: float,
) -> list[str]:
    """Abilities whose raise to the required level alone makes the student ready."""
    found = []
    for req in position.requirements:
        have = levels.get(req.ability, 0)
        if have >= req.level:
            continue
        gain = req.weight * (1 - fulfilment(have, req.level)) / total
        estimate = value + gain
        if abs(estimate - threshold) < 1e-6:  # on the edge: recompute exactly
            estimate = position.readiness({**levels, req.ability: req.level})
        if _shown(estimate) >= threshold:
            found.append(req.ability)
    return found


def _aggregate(
    positions: list[PositionModel],
    share_of: Mapping[str, float],
    matrix: Mapping[str, Mapping[str, float]],
    students: list[StudentRow],
    threshold: float,
) -> tuple[float | None, float | None]:
    demand = sum(p.demand for p in positions)
    if not positions or demand == 0:
        return None, None
    share = sum(p.demand * share_of[p.id] for p in positions) / demand
    ready_any = sum(
        1 for s in students if any(matrix[s.id][p.id] >= threshold for p in positions)
    ) / len(students)
    return share, ready_any
