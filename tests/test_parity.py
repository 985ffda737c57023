"""Every store gives identical answers on the same data (DESIGN §5).

Each dataset (the bundled sample college, every dataset under tests/data/valid and
tests/data/edge) is loaded into a fresh embedded store and a fresh `Neo4jStore` on
each server: a real Neo4j 5.26 and FalkorDB. Then the JSON of every analysis must
be byte-identical: gaps for every cluster × chain × (whole chain and each segment),
alignment for every course and every position (alone and within each cluster), the
stats, and the planning analyses (岗课赛证, enterprise service, resource shortfalls,
a what-if, learning paths, a cluster build, college eligibility). The dumps must be
equal too, so the parity is not an accident of what the analysis reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chanjiao.analysis.alignment import align_course, align_position
from chanjiao.analysis.certification import certification
from chanjiao.analysis.clusters import build_cluster
from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.analysis.partners import check_eligibility, enterprise_service
from chanjiao.analysis.paths import semester_plan
from chanjiao.analysis.resources import resource_shortfalls
from chanjiao.analysis.talent import cohort_readiness, match_position, student_profile
from chanjiao.analysis.whatif import what_if_compare
from chanjiao.errors import ChanjiaoError, InvalidRequest, NotFound
from chanjiao.graph.schema import Label
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.load import ingest
from tests.conftest import make_store
from tests.util import DATA, dump

SAMPLE = Path(__file__).resolve().parents[1] / "chanjiao" / "data" / "sample"


def dataset_in(case: Path) -> Path:
    """The case's one workbook / JSON / zip file if it has one, else the folder of CSVs."""
    files = [p for p in case.iterdir() if p.suffix in (".xlsx", ".json", ".zip")]
    return files[0] if len(files) == 1 else case


DATASETS = [
    SAMPLE,
    *sorted(
        dataset_in(p)
        for folder in ("valid", "edge")
        for p in (DATA / folder).iterdir()
        if p.is_dir()
    ),
]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)


def answers(store: GraphStore) -> dict[str, str]:
    """Every analysis answer on a store, as JSON text, keyed by what was asked."""
    found: dict[str, str] = {}
    clusters = sorted(store.nodes(Label.SPECIALTY_CLUSTER))
    chains = sorted(store.nodes(Label.INDUSTRY_CHAIN))
    for chain in chains:
        segments = [None, *sorted(s.id for s in store.chain_scope(chain).segments)]
        for cluster in clusters:
            for segment in segments:
                report = analyse_gaps(store, cluster, chain, segment)
                found[f"gaps {cluster} {chain} {segment}"] = _json(report.to_dict())
    for course in sorted(store.nodes(Label.COURSE)):
        found[f"course {course}"] = _json(align_course(store, course).to_dict())
    for position in sorted(store.nodes(Label.POSITION)):
        for cluster in [None, *clusters]:
            try:
                answer: Any = align_position(store, position, cluster).to_dict()
            except NotFound as exc:
                answer = {"not_found": exc.en}
            found[f"position {position} {cluster}"] = _json(answer)
    found |= planning(store, clusters, chains)
    found.update(talent_answers(store, chains))
    stats = store.stats()
    found["stats"] = _json(
        {
            "nodes": {str(k): v for k, v in stats.nodes.items()},
            "relationships": {str(k): v for k, v in stats.relationships.items()},
        }
    )
    return found


def _answer(ask: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """The JSON of one answer, or of the error it raised (which must be alike too)."""
    try:
        return _json(ask(*args, **kwargs).to_dict())
    except ChanjiaoError as exc:
        return _json({"error": type(exc).__name__, "en": exc.en})


def planning(store: GraphStore, clusters: list[str], chains: list[str]) -> dict[str, str]:
    """The planning analyses for every cluster × chain, as JSON text keyed by what was asked."""
    found: dict[str, str] = {}
    courses = sorted(store.nodes(Label.COURSE))
    positions = sorted(store.nodes(Label.POSITION))
    for chain in chains:
        found[f"build {chain}"] = _answer(build_cluster, store, chain, budget=2, method="greedy")
        for cluster in clusters:
            key = f"{cluster} {chain}"
            found[f"certification {key}"] = _answer(certification, store, cluster, chain)
            found[f"service {key}"] = _answer(enterprise_service, store, cluster, chain)
            found[f"resources {key}"] = _answer(resource_shortfalls, store, cluster, chain)
            taught = sorted(store.curriculum(cluster))
            outside = [c for c in courses if c not in taught][:1]
            found[f"what-if {key}"] = _answer(
                what_if_compare,
                store,
                cluster,
                chain,
                add_courses=outside,
                remove_courses=taught[:1],
            )
    for cluster in clusters:
        for position in positions:
            found[f"path {position} {cluster}"] = _answer(semester_plan, store, position, cluster)
    for college in sorted(store.nodes(Label.INDUSTRY_COLLEGE)):
        found[f"eligibility {college}"] = _answer(check_eligibility, store, college)
    return found


def talent_answers(store: GraphStore, chains: list[str]) -> dict[str, str]:
    """DESIGN §4b on a store: every position's candidates, every student's profile, and
    every cohort against every chain."""
    found: dict[str, str] = {}
    records = store.student_records()
    if not records.students:
        return found
    for position in sorted(store.nodes(Label.POSITION)):
        try:
            answer: Any = match_position(store, position).to_dict()
        except InvalidRequest as exc:
            answer = {"unmodelled": exc.en}
        found[f"match {position}"] = _json(answer)
    for student in records.students:
        found[f"profile {student.id}"] = _json(student_profile(store, student.id).to_dict())
    for cohort in sorted({s.cohort for s in records.students if s.cohort is not None}):
        for chain in chains:
            found[f"cohort {cohort} {chain}"] = _json(
                cohort_readiness(store, cohort, chain).to_dict()
            )
    return found


@pytest.mark.parametrize("server_backend", ["neo4j", "falkordb"])
@pytest.mark.parametrize("dataset", DATASETS, ids=[f"{p.parent.name}/{p.name}" for p in DATASETS])
def test_every_store_answers_alike(dataset: Path, server_backend: str, tmp_path: Path) -> None:
    embedded_dir = tmp_path / "embedded"
    server_dir = tmp_path / "server"
    embedded_dir.mkdir()
    server_dir.mkdir()
    with (
        make_store("embedded", embedded_dir) as embedded,
        make_store(server_backend, server_dir) as server,
    ):
        first = ingest(embedded, dataset).as_dict()
        assert ingest(server, dataset).as_dict() == first
        assert dump(server) == dump(embedded)
        expected = answers(embedded)
        got = answers(server)
        assert sorted(got) == sorted(expected)
        assert any(key.startswith("gaps ") for key in expected) or dataset.name == "header_only"
        for key, text in expected.items():
            assert got[key] == text, key
        # Loading again changes nothing on either.
        assert ingest(server, dataset).changed == 0 == ingest(embedded, dataset).changed


def test_the_sample_has_every_segment_and_plan_checked(tmp_path: Path) -> None:
    """The sample's two chains, their segments and the planning answers are all compared."""
    with make_store("embedded", tmp_path) as store:
        ingest(store, SAMPLE)
        keys = answers(store)
    assert "gaps K-IC CH-SEMI3 None" in keys and "gaps K-IC CH-NEVE None" in keys
    per_segment = [
        k for k in keys if k.startswith("gaps K-IC CH-SEMI3 ") and not k.endswith("None")
    ]
    assert len(per_segment) >= 3
    for kind in ("certification", "service", "resources", "what-if", "path", "build"):
        assert any(k.startswith(f"{kind} ") and '"error"' not in keys[k] for k in keys), kind
    assert any(k.startswith("eligibility ") for k in keys)
    assert "cohort 2023 CH-SEMI3" in keys and "match P-FAB-01" in keys
