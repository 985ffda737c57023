"""POST /api/v1/import/{format}: the importers over HTTP, with the write key and all-or-nothing."""

from __future__ import annotations

from pathlib import Path

from chanjiao.cli import sample_path
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.schema import Label, Rel
from chanjiao.ingest.load import ingest
from tests.test_api import AUTH, V1, assert_error, client_for
from tests.test_interop import ONET_FILES, STANDARDS, TASKS
from tests.util import dump


def onet_files() -> dict[str, tuple[str, bytes, str]]:
    return {
        "skills": ("Skills.txt", ONET_FILES[0].read_bytes(), "text/plain"),
        "knowledge": ("Knowledge.txt", ONET_FILES[1].read_bytes(), "text/plain"),
        "tasks": ("Task Statements.txt", TASKS.read_bytes(), "text/plain"),
    }


def test_import_onet_dry_run_then_load(tmp_path: Path) -> None:
    graph = EmbeddedStore(tmp_path / "a.db")
    ingest(graph, sample_path())
    before = dump(graph)
    params = {"code": "51-9141.00=半导体工艺技术员", "segment": "SEG-FAB", "dry_run": "true"}
    with client_for(graph) as client:
        response = client.post(f"{V1}/import/onet", params=params, files=onet_files(), headers=AUTH)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["import"]["tables"] == {"positions": 1, "requirements": 12, "abilities": 23}
        assert body["import"]["summary"]["skipped_suppressed"] == 5
        assert "CC BY 4.0" in body["import"]["notes_en"][0]
        assert body["ingest"]["dry_run"] is True
        assert dump(graph) == before
        params["dry_run"] = "false"
        response = client.post(f"{V1}/import/onet", params=params, files=onet_files(), headers=AUTH)
        assert response.status_code == 200, response.text
    req = {r.dst: r.props for r in graph.relationships(Rel.REQUIRES, src_ids=["ONET-51-9141.00"])}
    assert req["ONET-2.C.2.a"] == {"level": 3, "weight": 3.9}


def test_import_needs_the_write_key_and_reports_errors(tmp_path: Path) -> None:
    graph = EmbeddedStore(tmp_path / "b.db")
    ingest(graph, sample_path())
    before = dump(graph)
    params = {"code": "51-9141.00", "segment": "NO-SUCH"}
    with client_for(graph) as client:
        response = client.post(f"{V1}/import/onet", params=params, files=onet_files())
        assert_error(response, 401, "unauthorized")
        response = client.post(f"{V1}/import/onet", params=params, files=onet_files(), headers=AUTH)
        body = assert_error(response, 422, "invalid_dataset")
        error = body["details"]["errors"][0]
        assert (error["file"], error["column"]) == ("O*NET 51-9141.00 → positions", "segment_id")
        response = client.post(f"{V1}/import/esco", params=params, headers=AUTH)
        body = assert_error(response, 400, "invalid_request")
        assert "occupations" in body["message"]
        response = client.post(f"{V1}/import/xml", headers=AUTH)
        assert response.status_code == 422
    assert dump(graph) == before


def test_import_case_and_osmt_over_http(tmp_path: Path) -> None:
    graph = EmbeddedStore(tmp_path / "c.db")
    fixture = (STANDARDS / "case_opensalt_smartlevel_fixture.json").read_bytes()
    skill = (STANDARDS / "osmt_rsd_skill_v3.json").read_bytes()
    with client_for(graph) as client:
        response = client.post(
            f"{V1}/import/case",
            files={"file": ("SmartLevel.json", fixture, "application/json")},
            headers=AUTH,
        )
        assert response.status_code == 200, response.text
        assert response.json()["ingest"]["relationships"]["CHILD_OF"]["added"] == 12
        response = client.post(
            f"{V1}/import/osmt",
            files={"file": ("rsd.json", skill, "application/json")},
            headers=AUTH,
        )
        assert response.status_code == 200, response.text
    assert len(graph.nodes(Label.ABILITY)) == 14 + 2


def test_import_uploads_are_size_limited(tmp_path: Path) -> None:
    graph = EmbeddedStore(tmp_path / "d.db")
    with client_for(graph, max_body_bytes=10_000) as client:
        response = client.post(
            f"{V1}/import/onet",
            params={"code": "51-9141.00", "segment": "S1"},
            files=onet_files(),
            headers=AUTH,
        )
        assert_error(response, 413, "body_too_large")
    assert graph.nodes(Label.POSITION) == {}
