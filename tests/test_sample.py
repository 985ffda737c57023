"""The bundled sample college is as rich as the issue promises, and its gaps are plausible."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.cli import SAMPLE_CHAIN, SAMPLE_CLUSTER, sample_path
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.schema import Label, Rel
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.load import ingest

# Names and codes as in the 2021 vocational major catalogue (高职专科).
CATALOGUE = {
    "510401": "集成电路技术",
    "510402": "微电子技术",
    "510103": "应用电子技术",
    "510109": "智能光电技术应用",
    "510105": "电子产品检测技术",
    "460120": "理化测试与质检技术",
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    store = EmbeddedStore(Path(tmp_path_factory.mktemp("sample")) / "sample.db")
    ingest(store, sample_path())
    return store


def test_sample_is_rich_enough(sample: GraphStore) -> None:
    stats = sample.stats()
    assert stats.nodes[Label.ENTERPRISE] >= 12
    assert stats.nodes[Label.POSITION] >= 30
    assert stats.relationships[Rel.REQUIRES] >= 150
    assert stats.nodes[Label.ABILITY] >= 100
    assert stats.nodes[Label.COURSE] >= 50
    tiers = Counter(e.props.get("tier") for e in sample.nodes(Label.ENTERPRISE).values())
    assert {"little_giant", "provincial_srdi", "chain_leader"} <= set(tiers)
    books = sample.nodes(Label.TEXTBOOK).values()
    assert {b.props.get("kind") for b in books} >= {
        "national_planned",
        "school_enterprise",
        "self_compiled",
    }
    assert {b.props.get("format") for b in books} >= {"standard", "loose_leaf", "workbook"}
    kinds = {r.props["kind"] for r in sample.nodes(Label.TRAINING_RESOURCE).values()}
    assert kinds == {"training_base", "joint_lab", "virtual_sim", "case_library"}
    teachers = sample.nodes(Label.TEACHER).values()
    assert any(t.props.get("dual_qualified") for t in teachers)
    assert any(t.props.get("affiliation") == "enterprise" for t in teachers)
    assert stats.nodes[Label.CERTIFICATE] >= 1 and stats.nodes[Label.COMPETITION] >= 1
    assert stats.relationships[Rel.PARTNER_OF] >= 3


def test_segments_span_the_chain(sample: GraphStore) -> None:
    names = {s.name for s in sample.chain_scope(SAMPLE_CHAIN).segments}
    assert names >= {
        "衬底",
        "外延",
        "芯片设计",
        "晶圆制造",
        "封装测试",
        "功率器件应用",
        "射频",
        "光电",
    }


def test_majors_are_real_catalogue_entries(sample: GraphStore) -> None:
    for major in sample.nodes(Label.MAJOR).values():
        assert CATALOGUE[major.props["code"]] == major.name
    cluster_majors = sample.relationships(Rel.IN_CLUSTER, dst_ids=[SAMPLE_CLUSTER])
    assert 3 <= len(cluster_majors) <= 4


def test_ability_hierarchy_has_two_levels(sample: GraphStore) -> None:
    children = sample.relationships(Rel.CHILD_OF)
    parents = {r.dst for r in children}
    assert parents and not parents & {r.src for r in children}
    categories = {a.props.get("category") for a in sample.nodes(Label.ABILITY).values()}
    assert categories == {"knowledge", "skill", "literacy"}


def test_gaps_are_plausible(sample: GraphStore) -> None:
    report = analyse_gaps(sample, SAMPLE_CLUSTER, SAMPLE_CHAIN).to_dict()
    assert 0.4 < report["coverage"] < 0.85
    coverages = [s["coverage"] for s in report["segments"]]
    assert max(coverages) - min(coverages) > 0.2  # some segments are served far better
    assert len(report["gaps"]) >= 15
    counts = report["summary"]["requirements"]
    assert min(counts.values()) > 0
    assert report["unmodelled_positions"] and report["orphan_courses"]
    assert any(g["closers"]["courses"] for g in report["gaps"])
    assert any(g["closers"]["teachers"] for g in report["gaps"])
