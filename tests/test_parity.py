"""Both stores give identical answers on the same data (DESIGN §5).

Each dataset (the bundled sample college, every dataset under tests/data/valid and
tests/data/edge) is loaded into a fresh embedded store and a fresh `Neo4jStore` on
FalkorDB. Then the JSON of every analysis must be byte-identical: gaps for every
cluster × chain × (whole chain and each segment), alignment for every course and
every position (alone and within each cluster), and the stats. The dumps of both
stores must be equal too, so the parity is not an accident of what the analysis reads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chanjiao.analysis.alignment import align_course, align_position
from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.analysis.talent import cohort_readiness, match_position, student_profile
from chanjiao.errors import InvalidRequest, NotFound
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
    found.update(talent_answers(store, chains))
    stats = store.stats()
    found["stats"] = _json(
        {
            "nodes": {str(k): v for k, v in stats.nodes.items()},
            "relationships": {str(k): v for k, v in stats.relationships.items()},
        }
    )
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


@pytest.mark.parametrize("dataset", DATASETS, ids=[f"{p.parent.name}/{p.name}" for p in DATASETS])
def test_both_stores_answer_alike(dataset: Path, tmp_path: Path) -> None:
    embedded_dir = tmp_path / "embedded"
    server_dir = tmp_path / "server"
    embedded_dir.mkdir()
    server_dir.mkdir()
    with (
        make_store("embedded", embedded_dir) as embedded,
        make_store("neo4j", server_dir) as server,
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


def test_the_sample_has_every_segment_checked(tmp_path: Path) -> None:
    """The sample's two chains and their segments are all part of the comparison."""
    with make_store("neo4j", tmp_path) as server:
        ingest(server, SAMPLE)
        keys = answers(server)
    assert "gaps K-IC CH-SEMI3 None" in keys and "gaps K-IC CH-NEVE None" in keys
    per_segment = [
        k for k in keys if k.startswith("gaps K-IC CH-SEMI3 ") and not k.endswith("None")
    ]
    assert len(per_segment) >= 3
    assert "cohort 2023 CH-SEMI3" in keys and "match P-FAB-01" in keys
