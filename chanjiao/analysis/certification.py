"""岗课赛证: per position, its certificates and competitions, and how the courses prepare for them.

For each position p of the chain scope, against cluster K (taught(a) over C(K), DESIGN §4):

- certificates: those `ALIGNED_WITH` p; competitions: those that `EXERCISES` an
  ability p requires (competitions name abilities, not positions);
- for each, the abilities of p it certifies or exercises, each with required and
  taught levels; `beyond_courses` lists those the courses do not bring to the required
  level (taught < required): where the certificate or competition asks more than the
  curriculum gives;
- for a certificate, the courses of C(K) that prepare for it (cover any ability it
  certifies, with their levels), and the abilities it certifies that no course of C(K)
  covers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from chanjiao.analysis.scoring import demand_of, status, taught_levels
from chanjiao.analysis.whatif import target_chain
from chanjiao.graph.schema import Label, Rel
from chanjiao.graph.store import GraphReads


@dataclass(slots=True)
class Credential:
    """A certificate or a competition as it bears on one position."""

    kind: str
    id: str
    name: str
    level: str | None
    abilities: list[dict[str, Any]]
    beyond_courses: list[str]
    courses: list[dict[str, Any]] = field(default_factory=list)
    uncovered: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "level": self.level,
            "abilities": self.abilities,
            "beyond_courses": self.beyond_courses,
        }
        if self.kind == "certificate":
            body["courses"] = self.courses
            body["uncovered"] = self.uncovered
        return body


@dataclass(slots=True)
class PositionCredentials:
    id: str
    name: str
    segment: str
    demand: int
    certificates: list[Credential]
    competitions: list[Credential]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "segment": self.segment,
            "demand": self.demand,
            "certificates": [c.to_dict() for c in self.certificates],
            "competitions": [c.to_dict() for c in self.competitions],
        }


@dataclass(slots=True)
class CertificationReport:
    """The result of `certification`; positions by id, credentials by id."""

    cluster: str
    chain: str
    segment: str | None
    positions: list[PositionCredentials]

    def to_dict(self) -> dict[str, Any]:
        return {
            "cluster": self.cluster,
            "chain": self.chain,
            "segment": self.segment,
            "positions": [p.to_dict() for p in self.positions],
            "summary": {
                "positions": len(self.positions),
                "without_certificate": sorted(p.id for p in self.positions if not p.certificates),
                "without_competition": sorted(p.id for p in self.positions if not p.competitions),
            },
        }


def certification(
    store: GraphReads,
    cluster_id: str,
    chain_id: str | None = None,
    segment_id: str | None = None,
) -> CertificationReport:
    """岗课赛证 for each position of the chain scope against cluster K's courses.

    Raises:
        NotFound: the cluster, chain or segment does not exist.
        InvalidRequest: no chain given and the cluster targets none or several.
    """
    with store.reading():
        chain = target_chain(store, cluster_id, chain_id)
        scope = store.chain_scope(chain, segment_id)
        curriculum = store.curriculum(cluster_id)
        position_ids = sorted(p.id for p in scope.positions)
        required_abilities = sorted({r.ability for r in scope.requirements})
        aligned = store.relationships(Rel.ALIGNED_WITH, dst_ids=position_ids)
        certificate_ids = sorted({r.src for r in aligned})
        certificates = store.nodes(Label.CERTIFICATE, certificate_ids)
        certifies = store.relationships(Rel.CERTIFIES, src_ids=certificate_ids)
        exercises = store.relationships(Rel.EXERCISES, dst_ids=required_abilities)
        competitions = store.nodes(Label.COMPETITION, sorted({r.src for r in exercises}))
        courses = store.nodes(Label.COURSE, sorted(curriculum))

    taught = taught_levels(curriculum)
    requirements: dict[str, dict[str, Any]] = defaultdict(dict)
    for req in scope.requirements:
        requirements[req.position][req.ability] = req
    certs_of: dict[str, list[str]] = defaultdict(list)
    for r in aligned:
        certs_of[r.dst].append(r.src)
    certified: dict[str, set[str]] = defaultdict(set)
    for r in certifies:
        certified[r.src].add(r.dst)
    exercised_by: dict[str, set[str]] = defaultdict(set)
    exercised: dict[str, set[str]] = defaultdict(set)
    for r in exercises:
        exercised_by[r.dst].add(r.src)
        exercised[r.src].add(r.dst)

    def bearing(
        abilities: set[str], reqs: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], list[str]]:
        rows, beyond = [], []
        for a in sorted(abilities & reqs.keys()):
            req = reqs[a]
            level = taught.get(a, 0)
            rows.append(
                {
                    "ability": a,
                    "name": req.ability_name,
                    "required": req.level,
                    "taught": level,
                    "status": status(level, req.level),
                }
            )
            if level < req.level:
                beyond.append(a)
        return rows, beyond

    preparing: dict[str, list[dict[str, Any]]] = {}
    uncovered: dict[str, list[str]] = {}
    for cert in certificate_ids:
        abilities = certified.get(cert, set())
        preparing[cert] = [
            {
                "course": c,
                "name": courses[c].name if c in courses else c,
                "abilities": {
                    a: curriculum[c][a] for a in sorted(abilities & curriculum[c].keys())
                },
            }
            for c in sorted(curriculum)
            if abilities & curriculum[c].keys()
        ]
        uncovered[cert] = sorted(a for a in abilities if taught.get(a, 0) == 0)

    results = []
    for row in sorted(scope.positions, key=lambda p: p.id):
        reqs = requirements.get(row.id, {})
        cert_rows = []
        for cert in sorted(certs_of.get(row.id, [])):
            rows, beyond = bearing(certified.get(cert, set()), reqs)
            node = certificates[cert]
            cert_rows.append(
                Credential(
                    "certificate",
                    cert,
                    node.name,
                    _text(node.props.get("level")),
                    rows,
                    beyond,
                    preparing[cert],
                    uncovered[cert],
                )
            )
        comp_rows = []
        for comp in sorted({c for a in reqs for c in exercised_by.get(a, ())}):
            rows, beyond = bearing(exercised[comp], reqs)
            node = competitions[comp]
            comp_rows.append(
                Credential(
                    "competition",
                    comp,
                    node.name,
                    _text(node.props.get("level")),
                    rows,
                    beyond,
                )
            )
        results.append(
            PositionCredentials(row.id, row.name, row.segment, demand_of(row), cert_rows, comp_rows)
        )
    return CertificationReport(cluster_id, chain, segment_id, results)


def _text(value: object) -> str | None:
    return None if value is None else str(value)
