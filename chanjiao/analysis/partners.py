"""Partners: which enterprises the cluster serves best and worst, and college eligibility.

Enterprise service. Over the scored positions of the chain scope (DESIGN §4), an
enterprise e that offers positions there is served at

    coverage(e) = Σ_p h(e,p)·coverage(p) / Σ_p h(e,p),   h(e,p) = OFFERS.headcount, else 1

and its shortfall is Σ_p h(e,p)·(1 − coverage(p)), hires the curriculum does not fully
prepare; its gap abilities split that shortfall as DESIGN §4's priorities do. The
best-served are candidates for order classes (订单班); the worst-served for joint
labs and co-developed courses that close their gaps.

Eligibility. The guideline's application conditions (§六(一)1): an industry college
is applied for by a university as its lead, together with co-applicants of the kinds
it lists — 省级以上 专精特新 enterprises, chain leader enterprises, SME service centres,
industry associations, industrial parks — at least one of them a 专精特新 enterprise
at provincial level or above (国家级"小巨人" or 省级专精特新). The lead is read from
structure (the university the college names, or its partner universities), never from
the words of a partner's role: see `check_eligibility`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.analysis.scoring import rank_gaps, rounded, shortfall_share, weighted_coverage
from chanjiao.analysis.whatif import target_chain
from chanjiao.errors import NotFound
from chanjiao.graph.schema import Label, Node, OrganizationKind, Rel, Tier, parse_choice, zh_word
from chanjiao.graph.store import GraphReads

SRDI_TIERS = frozenset({Tier.LITTLE_GIANT.value, Tier.PROVINCIAL_SRDI.value})
LISTED_TIERS = SRDI_TIERS | {Tier.CHAIN_LEADER.value}
LISTED_KINDS = frozenset(k.value for k in OrganizationKind)


@dataclass(slots=True)
class EnterpriseService:
    """How well the cluster serves one enterprise's positions in scope."""

    id: str
    name: str
    tier: str | None
    partner: bool
    headcount: int
    coverage: float
    shortfall: float
    positions: list[dict[str, Any]]
    gaps: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "tier": self.tier,
            "partner": self.partner,
            "headcount": self.headcount,
            "coverage": rounded(self.coverage),
            "shortfall": rounded(self.shortfall),
            "positions": self.positions,
            "gaps": self.gaps,
        }


@dataclass(slots=True)
class PartnerReport:
    """The result of `enterprise_service`: every enterprise in scope, best served first."""

    cluster: str
    chain: str
    segment: str | None
    enterprises: list[EnterpriseService]
    top: int

    @property
    def best(self) -> list[EnterpriseService]:
        return self.enterprises[: self.top]

    @property
    def worst(self) -> list[EnterpriseService]:
        return sorted(self.enterprises, key=lambda e: (e.coverage, -e.shortfall, e.id))[: self.top]

    def to_dict(self) -> dict[str, Any]:
        return {
            "cluster": self.cluster,
            "chain": self.chain,
            "segment": self.segment,
            "best": [e.id for e in self.best],
            "worst": [e.id for e in self.worst],
            "enterprises": [e.to_dict() for e in self.enterprises],
        }


def enterprise_service(
    store: GraphReads,
    cluster_id: str,
    chain_id: str | None = None,
    segment_id: str | None = None,
    *,
    top: int = 5,
    gaps_per_enterprise: int = 3,
) -> PartnerReport:
    """Enterprises offering positions in scope, ranked by how well the cluster serves them.

    Ranked by coverage descending, then headcount descending, then id; `worst` is by
    coverage ascending, then shortfall descending, then id.

    Raises:
        NotFound: the cluster, chain or segment does not exist.
        InvalidRequest: no chain given and the cluster targets none or several.
    """
    with store.reading():
        chain = target_chain(store, cluster_id, chain_id)
        report = analyse_gaps(store, cluster_id, chain, segment_id, with_closers=False)
        scored = {p.id: p for p in report.positions}
        offers = store.relationships(Rel.OFFERS, dst_ids=sorted(scored))
        enterprise_ids = sorted({r.src for r in offers})
        enterprises = store.nodes(Label.ENTERPRISE, enterprise_ids)
        colleges = [r.src for r in store.relationships(Rel.HAS_CLUSTER, dst_ids=[cluster_id])]
        partners = {r.src for r in store.relationships(Rel.PARTNER_OF, dst_ids=colleges)}

    by_enterprise: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for r in sorted(offers, key=lambda r: (r.src, r.dst)):
        headcount = r.props.get("headcount")
        by_enterprise[r.src].append((r.dst, int(headcount) if headcount is not None else 1))

    results = []
    for eid in enterprise_ids:
        rows = by_enterprise[eid]
        total = sum(h for _, h in rows)
        shortfall = sum(h * (1 - scored[p].coverage) for p, h in rows)
        priority: dict[str, float] = defaultdict(float)
        names: dict[str, str] = {}
        for p, h in rows:
            position = scored[p]
            for req in position.requirements:
                if req.fulfilment < 1:
                    priority[req.ability] += shortfall_share(
                        h, req.weight, position.total_weight, req.fulfilment
                    )
                    names[req.ability] = req.name
        gaps = [
            {"ability": a, "name": names[a], "priority": rounded(v)}
            for a, v in rank_gaps(priority)[:gaps_per_enterprise]
        ]
        node = enterprises.get(eid)
        tier = node.props.get("tier") if node else None
        results.append(
            EnterpriseService(
                id=eid,
                name=node.name if node else eid,
                tier=str(tier) if tier is not None else None,
                partner=eid in partners,
                headcount=total,
                coverage=weighted_coverage((h, scored[p].coverage) for p, h in rows) or 0.0,
                shortfall=shortfall,
                positions=[
                    {"position": p, "headcount": h, "coverage": rounded(scored[p].coverage)}
                    for p, h in rows
                ],
                gaps=gaps,
            )
        )
    results.sort(key=lambda e: (-e.coverage, -e.headcount, e.id))
    return PartnerReport(cluster_id, chain, segment_id, results, top)


@dataclass(slots=True)
class Condition:
    """One application condition, whether it is met, and why not."""

    key: str
    zh: str
    en: str
    met: bool
    detail_zh: str
    detail_en: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "condition": self.zh,
            "condition_en": self.en,
            "met": self.met,
            "detail": self.detail_zh,
            "detail_en": self.detail_en,
        }


@dataclass(slots=True)
class Eligibility:
    """The result of `check_eligibility`."""

    college: str
    name: str
    partners: list[dict[str, Any]]
    conditions: list[Condition]

    @property
    def eligible(self) -> bool:
        return all(c.met for c in self.conditions)

    @property
    def unmet(self) -> list[Condition]:
        return [c for c in self.conditions if not c.met]

    def to_dict(self) -> dict[str, Any]:
        return {
            "college": self.college,
            "name": self.name,
            "eligible": self.eligible,
            "conditions": [c.to_dict() for c in self.conditions],
            "unmet": [c.key for c in self.unmet],
            "partners": self.partners,
        }


def _type_of(label: Label, props: dict[str, Any]) -> tuple[str, str, str]:
    """(type value, Chinese, English) of a partner: a tier or an organisation kind."""
    if label is Label.ENTERPRISE:
        tier = parse_choice(Tier, str(props.get("tier") or ""))
        if tier is None:
            return ("unknown", "企业（未注明类型）", "enterprise (tier not given)")
        return (tier.value, f"企业·{zh_word(tier)}", f"enterprise: {tier.value}")
    kind = parse_choice(OrganizationKind, str(props.get("kind") or ""))
    if kind is None:
        return ("unknown", "单位（未注明类型）", "organisation (kind not given)")
    return (kind.value, zh_word(kind), kind.value)


def check_eligibility(store: GraphReads, college_id: str) -> Eligibility:
    """Check an industry college against the guideline's §六(一)1 conditions.

    The rule reads structure, never the words of a partner's role:

    - ``university_lead``: the lead is the university the college names (its
      `university` property; the partner organisation of kind university with that name
      when there is one, else the named university itself), or, when the college names
      none, the partner organisations of kind university. A partner's role (e.g. an
      enterprise's 牵头企业) neither makes nor cancels a lead;
    - ``srdi_enterprise``: at least one partner enterprise is 专精特新 at provincial level
      or above (tier little_giant or provincial_srdi);
    - ``partner_types``: there is at least one co-applicant besides the lead, and every
      co-applicant is of a kind the guideline lists (a 专精特新 or chain-leader
      enterprise, or an organisation: university, SME centre, association, park).

    Data read: the college's `university`, its `PARTNER_OF` links (role shown only),
    the partner enterprises' `tier` and organisations' `kind` and `name`.

    Raises:
        NotFound: the college does not exist.
    """
    college, partners = _read_partners(store, college_id)
    leads = _leads(str(college.props.get("university") or "").strip(), partners)
    lead_ids = {p["id"] for p in leads}
    for partner in partners:
        partner["lead"] = partner["id"] in lead_ids
    co_applicants = [p for p in partners if p["id"] not in lead_ids]
    conditions = [
        _lead_condition(leads),
        _srdi_condition(partners),
        _co_applicant_condition(co_applicants),
    ]
    return Eligibility(college_id, college.name, partners, conditions)


def _read_partners(store: GraphReads, college_id: str) -> tuple[Node, list[dict[str, Any]]]:
    """The college and its partners, by id, each with its type (tier or kind) and role."""
    with store.reading():
        college = store.get_node(Label.INDUSTRY_COLLEGE, college_id)
        if college is None:
            raise NotFound(f"找不到产业学院 {college_id}", f"no industry college {college_id}")
        links = sorted(
            store.relationships(Rel.PARTNER_OF, dst_ids=[college_id]), key=lambda r: r.src
        )
        enterprises = store.nodes(
            Label.ENTERPRISE, [r.src for r in links if r.src_label is Label.ENTERPRISE]
        )
        organizations = store.nodes(
            Label.ORGANIZATION, [r.src for r in links if r.src_label is Label.ORGANIZATION]
        )
    partners: list[dict[str, Any]] = []
    for r in links:
        node = (enterprises if r.src_label is Label.ENTERPRISE else organizations).get(r.src)
        props = node.props if node else {}
        value, zh, en = _type_of(r.src_label, props)
        partners.append(
            {
                "id": r.src,
                "name": node.name if node else r.src,
                "label": str(r.src_label),
                "type": value,
                "type_zh": zh,
                "type_en": en,
                "role": str(r.props.get("role") or "") or None,
                "lead": False,
            }
        )
    return college, partners


def _leads(university: str, partners: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lead: the university the college names, else its partner universities."""
    universities = [
        p for p in partners if p["label"] == Label.ORGANIZATION and p["type"] == "university"
    ]
    if not university:
        return universities
    named = [p for p in universities if p["name"] == university]
    if named:
        return named
    # The college's own university, not (yet) listed among the partner organisations.
    return [{"id": None, "name": university, "label": None, "type": "university"}]


def _lead_condition(leads: list[dict[str, Any]]) -> Condition:
    if not leads:
        return Condition(
            "university_lead",
            "由高校牵头",
            "led by a university",
            False,
            "产业学院未填写依托高校，共建单位中也没有高校（单位类型为“高校”的参建单位）",
            "the college names no university and no partner is an organisation of kind university",
        )
    names = "、".join(f"{p['name']}（{p['id']}）" if p["id"] else p["name"] for p in leads)
    return Condition(
        "university_lead",
        "由高校牵头",
        "led by a university",
        True,
        f"牵头高校：{names}",
        f"lead university: {', '.join(p['id'] or p['name'] for p in leads)}",
    )


def _srdi_condition(partners: list[dict[str, Any]]) -> Condition:
    srdi = [p for p in partners if p["label"] == Label.ENTERPRISE and p["type"] in SRDI_TIERS]
    return Condition(
        "srdi_enterprise",
        "至少 1 家省级以上专精特新企业参与共建",
        "at least one 专精特新 enterprise at provincial level or above among the partners",
        bool(srdi),
        (
            "专精特新企业：" + "、".join(f"{p['name']}（{p['type_zh']}）" for p in srdi)
            if srdi
            else "共建企业中没有国家级专精特新“小巨人”或省级专精特新企业"
        ),
        (
            f"专精特新 enterprises: {', '.join(p['id'] for p in srdi)}"
            if srdi
            else "no partner enterprise is a little giant or a provincial 专精特新 enterprise"
        ),
    )


def _co_applicant_condition(co_applicants: list[dict[str, Any]]) -> Condition:
    unlisted = [
        p
        for p in co_applicants
        if (p["label"] == Label.ENTERPRISE and p["type"] not in LISTED_TIERS)
        or (p["label"] == Label.ORGANIZATION and p["type"] not in LISTED_KINDS)
    ]
    if not co_applicants:
        met, zh, en = False, "没有联合申报单位", "no co-applicant besides the lead"
    elif unlisted:
        names = "、".join(f"{p['name']}（{p['id']}，{p['type_zh']}）" for p in unlisted)
        met = False
        zh = f"以下联合申报单位不属于指南列举的类型：{names}"
        en = "these co-applicants are not of a kind the guideline lists: " + ", ".join(
            f"{p['id']} ({p['type_en']})" for p in unlisted
        )
    else:
        counts: dict[str, int] = defaultdict(int)
        for p in co_applicants:
            counts[p["type_zh"]] += 1
        met = True
        zh = "联合申报单位：" + "、".join(f"{k} {v} 家" for k, v in sorted(counts.items()))
        en = f"{len(co_applicants)} co-applicants, all of listed kinds"
    return Condition(
        "partner_types",
        "联合申报单位属于指南列举的类型（专精特新企业、龙头企业、中小企业服务中心、行业协会、产业园区等）",
        "co-applicants are of the kinds the guideline lists (专精特新 and chain-leader "
        "enterprises, SME centres, associations, industrial parks)",
        met,
        zh,
        en,
    )
