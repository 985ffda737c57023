"""The §4 arithmetic lives in `chanjiao.analysis.scoring` alone.

Three kinds of check:

- the functions against numbers computed by hand;
- every analysis that shows a §4 number (partners, certification, alignment, the
  cluster builder, the cluster view, readiness-style `position_coverage`) agrees with
  `analyse_gaps` on the sample college and every valid and edge dataset;
- no other module of the package re-implements a rule (its own rounding helper, status
  rule, fulfilment or taught-level formula): a source scan.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pytest

from chanjiao.analysis import scoring
from chanjiao.analysis.alignment import align_course
from chanjiao.analysis.certification import certification
from chanjiao.analysis.clusters import build_cluster
from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.analysis.partners import enterprise_service
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.schema import Label, Rel
from chanjiao.ingest.load import ingest
from chanjiao.viz.graph import STATUS_COLOUR
from chanjiao.viz.views import cluster_graph
from tests.test_parity import DATASETS

PACKAGE = Path(scoring.__file__).resolve().parents[1]


class Req(NamedTuple):
    ability: str
    ability_name: str
    level: int
    weight: float


def test_formulas_by_hand() -> None:
    assert scoring.status(0, 3) == "missing"
    assert scoring.status(2, 3) == "partial"
    assert scoring.status(3, 3) == scoring.status(4, 3) == "covered"
    assert scoring.fulfilment(2, 4) == 0.5
    assert scoring.fulfilment(4, 2) == 1.0
    # A1 required 4 (w 1) taught 2 → f ½; A2 required 2 (w 3) taught 3 → f 1.
    # coverage = (1·½ + 3·1) / 4 = 0.875.
    reqs = [Req("A1", "甲", 4, 1.0), Req("A2", "乙", 2, 3.0)]
    rows, total, coverage = scoring.score_requirements(reqs, {"A1": 2, "A2": 3})
    assert (total, coverage) == (4.0, 0.875)
    assert [(r.status, r.fulfilment) for r in rows] == [("partial", 0.5), ("covered", 1.0)]
    assert scoring.position_coverage(reqs, {"A1": 2, "A2": 3}) == 0.875
    assert scoring.position_coverage(reqs, {}) == 0.0
    assert scoring.position_coverage([], {"A1": 4}) is None
    # demand 10, w 1 of W 4, f ½ → 10 · ¼ · ½ = 1.25
    assert scoring.shortfall_share(10, 1.0, 4.0, 0.5) == 1.25
    assert scoring.weighted_coverage([(1, 1.0), (3, 0.5)]) == 0.625
    assert scoring.weighted_coverage([]) is None
    assert scoring.rank_gaps({"B": 1.0, "A": 1.0, "C": 2.0, "D": 0.0}) == [
        ("C", 2.0),
        ("A", 1.0),
        ("B", 1.0),
    ]
    assert scoring.rounded(0.123456) == 0.1235 and scoring.rounded(None) is None
    assert scoring.taught_levels({"C1": {"A1": 2}, "C2": {"A1": 3, "A2": 1}}) == {
        "A1": 3,
        "A2": 1,
    }


@pytest.fixture(scope="module", params=DATASETS, ids=lambda p: p.name)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    store = EmbeddedStore(tmp_path_factory.mktemp("scoring") / "g.db")
    ingest(store, request.param)
    yield store
    store.close()


def _pairs(store: EmbeddedStore) -> list[tuple[str, str]]:
    return [
        (cluster, chain)
        for cluster in sorted(store.nodes(Label.SPECIALTY_CLUSTER))
        for chain in sorted(store.nodes(Label.INDUSTRY_CHAIN))
    ]


def test_every_analysis_agrees_with_analyse_gaps(loaded: EmbeddedStore) -> None:
    store = loaded
    for cluster, chain in _pairs(store):
        report = analyse_gaps(store, cluster, chain)
        data = report.to_dict()
        coverage = {p["id"]: p["coverage"] for p in data["positions"]}
        status = {
            (p["id"], r["ability"]): r["status"]
            for p in data["positions"]
            for r in p["requirements"]
        }
        scope = store.chain_scope(chain)
        taught = scoring.taught_levels(store.curriculum(cluster))
        # position_coverage (what readiness calls) gives the gap report's coverage.
        for position in scope.positions:
            reqs = sorted(
                (r for r in scope.requirements if r.position == position.id),
                key=lambda r: r.ability,
            )
            assert scoring.rounded(scoring.position_coverage(reqs, taught)) == coverage.get(
                position.id
            )
        # Partners: each enterprise's per-position coverage is the gap report's.
        for enterprise in enterprise_service(store, cluster, chain).to_dict()["enterprises"]:
            for row in enterprise["positions"]:
                assert row["coverage"] == coverage[row["position"]]
        # 岗课赛证: each certificate ability row has the gap report's status.
        for position in certification(store, cluster, chain).to_dict()["positions"]:
            for credential in position["certificates"] + position["competitions"]:
                for row in credential["abilities"]:
                    assert row["status"] == status[(position["id"], row["ability"])]
        # The cluster builder's value of the current cluster is the chain's coverage.
        plan = build_cluster(store, chain, budget=0, cluster_id=cluster).to_dict()
        assert plan["current"]["coverage"] == data["coverage"]
        # The cluster view colours each ability by the same status rule.
        view = cluster_graph(store, cluster, chain)
        gap_abilities = {g["ability"] for g in data["gaps"]}
        for node in view.data()["nodes"]:
            if node["id"].startswith("Ability:") and node["id"][8:] in gap_abilities:
                colour = node["color"]
                colour = colour["background"] if isinstance(colour, dict) else colour
                assert colour != STATUS_COLOUR["covered"]  # a gap is never drawn as covered


def test_course_share_matches_the_gap_formula(loaded: EmbeddedStore) -> None:
    """A course's share of a position = what the position's coverage would be if that
    course were the whole curriculum (§4 with C(K) = {course})."""
    store = loaded
    for course in sorted(store.nodes(Label.COURSE)):
        covers = {
            r.dst: int(r.props["level"]) for r in store.relationships(Rel.COVERS, src_ids=[course])
        }
        for position in align_course(store, course).to_dict()["positions"]:
            reqs = [
                Req(r.dst, r.dst, int(r.props["level"]), float(r.props.get("weight", 1.0)))
                for r in sorted(
                    store.relationships(Rel.REQUIRES, src_ids=[position["id"]]),
                    key=lambda r: r.dst,
                )
            ]
            assert position["share"] == scoring.rounded(scoring.position_coverage(reqs, covers))


#: Source patterns that mean a module re-implements a §4 rule.
RULES = {
    "own rounding helper": re.compile(r"def _r\(|round\([^)]*,\s*_?DECIMALS\)|round\([^)]*,\s*4\)"),
    "own status rule": re.compile(r"def _?status\((?!self)|\"covered\" if |'covered' if "),
    "own fulfilment": re.compile(r"min\([^()]*level[^()]*\)\s*/"),
    "own taught level": re.compile(r"def taught_levels|def demand_of"),
}


def test_rounded_texts_are_the_json_of_rounded() -> None:
    """The vectorised number text equals `repr(rounded(x))` on every kind of value:
    random ones, exact and near ties at the 4th decimal, large whole parts, −0.0,
    negatives, huge and non-finite values, and fractions as coverages give them."""
    import numpy as np

    rng = np.random.default_rng(14)
    halves = (np.arange(20_000) + 0.5) / 10**scoring.DECIMALS
    values = np.concatenate(
        [
            rng.random(50_000),
            rng.random(20_000) * 50_000,
            halves,
            np.nextafter(halves, 0),
            np.nextafter(halves, 1),
            np.arange(20_000) / 10**scoring.DECIMALS,
            [i / j for j in range(1, 120) for i in range(j + 1)],
            [0.0, -0.0, -1.23456, 1e-5, 5e-5, 2.675, 0.99995, 9999.99995, 12345.6789],
            [1e11, 4.5e11, 1e12, 1e16, 1e17, np.nan, np.inf, -np.inf],
        ]
    )
    wholes, fractions = scoring.rounded_texts(values)
    got = [w + f for w, f in zip(wholes.tolist(), fractions.tolist(), strict=True)]
    assert got == [repr(scoring.rounded(float(x))).encode() for x in values]


def test_no_module_reimplements_the_rules() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "scoring.py" and path.parent.name == "analysis":
            continue
        text = path.read_text(encoding="utf-8")
        for rule, pattern in RULES.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {rule}")
    assert offenders == []
