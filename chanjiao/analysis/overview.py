"""What a college has built for a cluster: the layered construction display of §四(六).

The guideline's 智慧云平台 shows an industry college's construction in layers: the
teaching team (双师双能 share, enterprise teachers), textbooks by kind and format,
practice resources by kind and year, partners by type, and the certificates and
competitions of 岗课赛证. Each count here is a plain count over a scope defined once:

- teachers: those who `TEACHES` a course of C(K), and those `EMPLOYED_BY` an enterprise
  partner of a college that has K (as `resource_shortfalls` defines the team);
- textbooks: those `USED_IN` a course of C(K);
- training resources: those that `SUPPORTS` a course of C(K), or an ability that C(K)
  covers or the chain requires;
- partners: enterprises and organisations `PARTNER_OF` a college that `HAS_CLUSTER` K;
- certificates: those that `CERTIFIES` an ability the chain requires or are
  `ALIGNED_WITH` one of its positions; competitions: those that `EXERCISES` a required
  ability.

Every group lists the ids it counts, so a page can link each figure to its detail.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from chanjiao.analysis.partners import _type_of
from chanjiao.analysis.scoring import rounded
from chanjiao.analysis.whatif import target_chain
from chanjiao.errors import NotFound
from chanjiao.graph.schema import (
    Affiliation,
    CompetitionLevel,
    Label,
    Node,
    Rel,
    ResourceKind,
    TextbookFormat,
    TextbookKind,
    parse_choice,
    zh_word,
)
from chanjiao.graph.store import GraphReads

UNKNOWN = ("unknown", "未注明", "not given")


@dataclass(slots=True)
class Group:
    """Items of one kind (a textbook kind, a resource year …) and their ids."""

    key: str
    zh: str
    en: str
    ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "zh": self.zh,
            "en": self.en,
            "count": len(self.ids),
            "ids": self.ids,
        }


@dataclass(slots=True)
class Construction:
    """The result of `construction`; each group's ids are sorted."""

    cluster: str
    chain: str
    colleges: list[str]
    courses: list[str]
    teachers: list[str]
    dual_teachers: list[str]
    enterprise_teachers: list[str]
    textbooks_by_kind: list[Group]
    textbooks_by_format: list[Group]
    resources_by_kind: list[Group]
    resources_by_year: list[Group]
    partners_by_type: list[Group]
    certificates: list[str]
    competitions_by_level: list[Group]
    names: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        teachers = len(self.teachers)
        share = len(self.dual_teachers) / teachers if teachers else None
        return {
            "cluster": self.cluster,
            "chain": self.chain,
            "colleges": self.colleges,
            "courses": len(self.courses),
            "teachers": {
                "ids": self.teachers,
                "count": teachers,
                "dual_qualified": self.dual_teachers,
                "dual_qualified_share": rounded(share),
                "enterprise": self.enterprise_teachers,
            },
            "textbooks": {
                "count": sum(len(g.ids) for g in self.textbooks_by_kind),
                "by_kind": [g.to_dict() for g in self.textbooks_by_kind],
                "by_format": [g.to_dict() for g in self.textbooks_by_format],
            },
            "training_resources": {
                "count": sum(len(g.ids) for g in self.resources_by_kind),
                "by_kind": [g.to_dict() for g in self.resources_by_kind],
                "by_year": [g.to_dict() for g in self.resources_by_year],
            },
            "partners": {
                "count": sum(len(g.ids) for g in self.partners_by_type),
                "by_type": [g.to_dict() for g in self.partners_by_type],
            },
            "certificates": {"count": len(self.certificates), "ids": self.certificates},
            "competitions": {
                "count": sum(len(g.ids) for g in self.competitions_by_level),
                "by_level": [g.to_dict() for g in self.competitions_by_level],
            },
            "names": self.names,
        }


def _grouped(
    nodes: Iterable[Node], key: Callable[[Node], tuple[str, str, str]], order: list[str]
) -> list[Group]:
    groups: dict[str, Group] = {}
    for node in sorted(nodes, key=lambda n: n.id):
        value, zh, en = key(node)
        groups.setdefault(value, Group(value, zh, en)).ids.append(node.id)
    rank = {value: i for i, value in enumerate(order)}
    return sorted(groups.values(), key=lambda g: (rank.get(g.key, len(rank)), g.key))


def _enum_key(prop: str, enum: Any) -> Callable[[Node], tuple[str, str, str]]:
    def key(node: Node) -> tuple[str, str, str]:
        member = parse_choice(enum, str(node.props.get(prop) or ""))
        if member is None:
            return UNKNOWN
        return (member.value, zh_word(member), member.value)

    return key


def _year(node: Node) -> tuple[str, str, str]:
    year = node.props.get("year")
    if year is None or year == "":
        return UNKNOWN
    return (str(int(year)), f"{int(year)} 年", str(int(year)))


#: Partner groups in display order: enterprises by tier, then organisations by kind.
PARTNER_ORDER = [
    *(f"enterprise.{t}" for t in ("little_giant", "provincial_srdi", "chain_leader", "other")),
    "enterprise.unknown",
    *(f"organization.{k}" for k in ("university", "sme_center", "association", "industrial_park")),
    "organization.unknown",
]


def _partner_type(node: Node) -> tuple[str, str, str]:
    value, zh, en = _type_of(node.label, node.props)
    side = "enterprise" if node.label is Label.ENTERPRISE else "organization"
    return (f"{side}.{value}", zh, en)


def construction(store: GraphReads, cluster_id: str, chain_id: str | None = None) -> Construction:
    """The layered construction of cluster K (scoped as the module docstring says).

    Raises:
        NotFound: the cluster (or the chain given) does not exist.
        InvalidRequest: no chain was given and the cluster targets none or several.
    """
    with store.reading():
        chain = target_chain(store, cluster_id, chain_id)
        scope = store.chain_scope(chain)
        required = sorted({r.ability for r in scope.requirements})
        positions = sorted(p.id for p in scope.positions)
        curriculum = store.curriculum(cluster_id)
        courses = sorted(curriculum)
        covered = sorted({a for covers in curriculum.values() for a in covers})
        colleges = sorted(r.src for r in store.relationships(Rel.HAS_CLUSTER, dst_ids=[cluster_id]))
        partner_links = store.relationships(Rel.PARTNER_OF, dst_ids=colleges)
        enterprises = store.nodes(
            Label.ENTERPRISE, {r.src for r in partner_links if r.src_label is Label.ENTERPRISE}
        )
        organizations = store.nodes(
            Label.ORGANIZATION, {r.src for r in partner_links if r.src_label is Label.ORGANIZATION}
        )
        teaching = store.relationships(Rel.TEACHES, dst_ids=courses)
        employed = store.relationships(Rel.EMPLOYED_BY, dst_ids=sorted(enterprises))
        teachers = store.nodes(Label.TEACHER, {r.src for r in (*teaching, *employed)})
        textbooks = store.nodes(
            Label.TEXTBOOK, {r.src for r in store.relationships(Rel.USED_IN, dst_ids=courses)}
        )
        supports = [
            *store.relationships(Rel.SUPPORTS, dst_ids=courses),
            *store.relationships(Rel.SUPPORTS, dst_ids=sorted(set(required) | set(covered))),
        ]
        resources = store.nodes(Label.TRAINING_RESOURCE, {r.src for r in supports})
        certificate_ids = {r.src for r in store.relationships(Rel.CERTIFIES, dst_ids=required)} | {
            r.src for r in store.relationships(Rel.ALIGNED_WITH, dst_ids=positions)
        }
        certificates = store.nodes(Label.CERTIFICATE, certificate_ids)
        competitions = store.nodes(
            Label.COMPETITION, {r.src for r in store.relationships(Rel.EXERCISES, dst_ids=required)}
        )
        college_nodes = store.nodes(Label.INDUSTRY_COLLEGE, colleges)

    partners = [*enterprises.values(), *organizations.values()]
    names: dict[str, str] = defaultdict(str)
    for group in (
        teachers,
        textbooks,
        resources,
        enterprises,
        organizations,
        certificates,
        competitions,
        college_nodes,
    ):
        names.update({i: n.name for i, n in group.items()})
    return Construction(
        cluster=cluster_id,
        chain=chain,
        colleges=colleges,
        courses=courses,
        teachers=sorted(teachers),
        dual_teachers=sorted(
            t for t, n in teachers.items() if n.props.get("dual_qualified") is True
        ),
        enterprise_teachers=sorted(
            t
            for t, n in teachers.items()
            if parse_choice(Affiliation, str(n.props.get("affiliation") or ""))
            is Affiliation.ENTERPRISE
        ),
        textbooks_by_kind=_grouped(
            textbooks.values(), _enum_key("kind", TextbookKind), [k.value for k in TextbookKind]
        ),
        textbooks_by_format=_grouped(
            textbooks.values(),
            _enum_key("format", TextbookFormat),
            [f.value for f in TextbookFormat],
        ),
        resources_by_kind=_grouped(
            resources.values(), _enum_key("kind", ResourceKind), [k.value for k in ResourceKind]
        ),
        resources_by_year=_grouped(resources.values(), _year, []),
        partners_by_type=_grouped(partners, _partner_type, PARTNER_ORDER),
        certificates=sorted(certificates),
        competitions_by_level=_grouped(
            competitions.values(),
            _enum_key("level", CompetitionLevel),
            [c.value for c in CompetitionLevel],
        ),
        names=dict(names),
    )


def course_matrix(
    store: GraphReads, cluster_id: str, major_id: str | None = None
) -> dict[str, Any]:
    """The course × ability matrix of cluster K's curriculum (or of one of its majors).

    Rows are the courses of C(K) (of the major, when given) by id, each with its majors
    and whether it is core; columns are the abilities they cover, by id; a cell is the
    `COVERS` level 1–4.

    Raises:
        NotFound: the cluster, or the major, does not exist or is not in the cluster.
    """
    with store.reading():
        cluster = store.get_node(Label.SPECIALTY_CLUSTER, cluster_id)
        if cluster is None:
            raise NotFound(f"找不到专业群 {cluster_id}", f"no specialty cluster {cluster_id}")
        major_ids = sorted(r.src for r in store.relationships(Rel.IN_CLUSTER, dst_ids=[cluster_id]))
        if major_id is not None and major_id not in major_ids:
            raise NotFound(
                f"专业 {major_id} 不在专业群 {cluster_id} 中",
                f"major {major_id} is not in cluster {cluster_id}",
            )
        majors = store.nodes(Label.MAJOR, major_ids)
        curriculum = store.curriculum(cluster_id)
        links = store.relationships(Rel.IN_MAJOR, src_ids=sorted(curriculum))
        courses = store.nodes(Label.COURSE, sorted(curriculum))
        abilities = store.nodes(
            Label.ABILITY, sorted({a for covers in curriculum.values() for a in covers})
        )
    in_majors: dict[str, list[str]] = defaultdict(list)
    core: dict[str, bool] = defaultdict(bool)
    for rel in sorted(links, key=lambda r: (r.src, r.dst)):
        if rel.dst in majors:
            in_majors[rel.src].append(rel.dst)
            if rel.props.get("core") is True and (major_id is None or rel.dst == major_id):
                core[rel.src] = True
    rows = [
        {
            "id": c,
            "name": courses[c].name if c in courses else c,
            "majors": in_majors[c],
            "core": core[c],
            "hours": courses[c].props.get("hours") if c in courses else None,
            "levels": dict(sorted(curriculum[c].items())),
        }
        for c in sorted(curriculum)
        if major_id is None or major_id in in_majors[c]
    ]
    used = sorted({a for c in curriculum for a in curriculum[c] if any(r["id"] == c for r in rows)})
    return {
        "cluster": cluster_id,
        "cluster_name": cluster.name,
        "major": major_id,
        "majors": [{"id": m, "name": majors[m].name} for m in sorted(majors)],
        "abilities": [{"id": a, "name": abilities[a].name if a in abilities else a} for a in used],
        "courses": rows,
    }
