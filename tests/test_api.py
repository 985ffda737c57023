"""The HTTP API through FastAPI's TestClient, on every backend (the `store` fixture).

Each endpoint is checked for success, not found, invalid input and, for writes, a
missing or wrong key. Analysis numbers come from tests/data/valid/small, derived by
hand in tests/test_gaps.py; the API must return them unchanged.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient

from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.api import Settings, create_app
from chanjiao.api.deps import key_matches
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.schema import Label, Rel
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.load import ingest
from tests.util import DATA, SMALL, dump

KEY = "test-key-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {KEY}"}
V1 = "/api/v1"


def settings(**overrides: Any) -> Settings:
    """Settings that ignore the environment's .env (tests must not depend on it)."""
    values: dict[str, Any] = {"api_keys": [KEY]} | overrides
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def client_for(store: GraphStore, **overrides: Any) -> TestClient:
    return TestClient(create_app(store, settings(**overrides)), raise_server_exceptions=False)


@pytest.fixture
def api(small: GraphStore) -> Iterator[TestClient]:
    """A client of the API over the small graph, lifespan (and cache warming) included."""
    with client_for(small) as client:
        yield client


@pytest.fixture
def empty_api(store: GraphStore) -> Iterator[TestClient]:
    with client_for(store) as client:
        yield client


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The one error body: code, Chinese and English messages, details."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "message_en", "details"}
    assert body["code"] == code
    assert body["message"] and body["message_en"]
    return body


# --- service ---------------------------------------------------------------------------------


def test_health_names_version_and_store(api: TestClient) -> None:
    body = api.get(f"{V1}/health").json()
    assert body["status"] == "ok"
    assert body["version"] == "0.1.0"
    assert body["store"]["reachable"] is True
    assert body["store"]["cache"] in ("warming", "ready")


def test_stats_counts_the_small_graph(api: TestClient, small: GraphStore) -> None:
    body = api.get(f"{V1}/stats").json()
    assert body["nodes"]["Course"] == 5
    assert body["nodes"]["Position"] == 5
    assert body["relationships"]["REQUIRES"] == 8
    assert body["relationships"]["COVERS"] == 6
    assert body["total_nodes"] == sum(small.stats().nodes.values())


def test_openapi_documents_every_endpoint_with_examples(api: TestClient) -> None:
    schema = api.get(f"{V1}/openapi.json").json()
    paths = schema["paths"]
    expected = {
        "/api/v1/health": {"get"},
        "/api/v1/stats": {"get"},
        "/api/v1/nodes/{label}": {"get", "post"},
        "/api/v1/nodes/{label}/{node_id}": {"get", "patch", "delete"},
        "/api/v1/relationships": {"get", "post", "delete"},
        "/api/v1/ingest": {"post"},
        "/api/v1/align/courses/{course_id}": {"get"},
        "/api/v1/align/positions/{position_id}": {"get"},
        "/api/v1/gaps": {"get"},
        "/api/v1/gaps/what-if": {"post"},
        "/api/v1/export": {"get"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) == methods, path
    text = json.dumps(schema, ensure_ascii=False)
    assert '"example' in text
    assert {"HTTPBearer", "APIKeyHeader"} <= set(schema["components"]["securitySchemes"])
    assert "Course" in paths["/api/v1/nodes/{label}"]["get"]["parameters"][0]["schema"]["enum"]


def test_unknown_url_and_method_use_the_error_body(api: TestClient) -> None:
    assert_error(api.get(f"{V1}/nothing-here"), 404, "not_found")
    assert_error(api.put(f"{V1}/health"), 405, "method_not_allowed")


# --- nodes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["courses", "Course", "课程", "COURSE"])
def test_label_in_english_or_chinese(api: TestClient, label: str) -> None:
    body = api.get(f"{V1}/nodes/{label}").json()
    assert body["label"] == "Course"
    assert [n["id"] for n in body["items"]] == ["C1", "C2", "C3", "C4", "C5"]


def test_pages_follow_the_cursor_in_id_order(api: TestClient) -> None:
    seen, cursor, pages = [], None, 0
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        body = api.get(f"{V1}/nodes/courses", params=params).json()
        seen += [n["id"] for n in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == ["C1", "C2", "C3", "C4", "C5"]
    assert pages == 3


def test_name_search_and_filters(api: TestClient) -> None:
    def ids(**params: Any) -> list[str]:
        response = api.get(f"{V1}/nodes/courses", params=params)
        assert response.status_code == 200, response.text
        return [n["id"] for n in response.json()["items"]]

    assert ids(q="工艺") == ["C2"]  # 光刻工艺
    assert ids(q="与") == ["C4"]  # 外延与表征
    assert ids(filter="kind:理论") == ["C1", "C5"]  # the Chinese word of theory
    assert ids(filter="kind:theory") == ["C1", "C5"]
    assert ids(filter=["semester:3", "kind:integrated"]) == ["C2", "C4"]  # C4: 理实一体
    assert ids(filter=["semester:3", "hours:48"]) == ["C2"]
    assert ids(filter="credits:4") == ["C1", "C4"]
    item = api.get(f"{V1}/nodes/courses", params={"q": "半导体"}).json()["items"][0]
    assert item == {
        "label": "Course",
        "id": "C1",
        "name": "半导体材料",
        "props": {"hours": 64, "credits": 4.0, "kind": "theory", "semester": 2},
    }
    teachers = api.get(f"{V1}/nodes/teachers", params={"filter": "dual_qualified:是"}).json()
    assert [n["id"] for n in teachers["items"]] == ["T1"]


def test_listing_refuses_bad_input(api: TestClient) -> None:
    body = assert_error(api.get(f"{V1}/nodes/bogus"), 422, "invalid_input")
    assert "bogus" in body["message"]
    body = assert_error(
        api.get(f"{V1}/nodes/courses", params={"filter": "colour:red"}), 422, "invalid_input"
    )
    assert "colour" in body["message"] and "hours" in body["message"]
    assert_error(api.get(f"{V1}/nodes/courses", params={"filter": "kind"}), 422, "invalid_input")
    assert_error(
        api.get(f"{V1}/nodes/courses", params={"filter": "kind:lecture"}), 422, "invalid_input"
    )
    assert_error(
        api.get(f"{V1}/nodes/courses", params={"filter": "hours:many"}), 422, "invalid_input"
    )
    body = assert_error(api.get(f"{V1}/nodes/courses?limit=0"), 422, "invalid_input")
    assert body["details"]["errors"][0]["loc"] == ["query", "limit"]


def test_node_with_neighbours_grouped_by_relationship(api: TestClient) -> None:
    body = api.get(f"{V1}/nodes/课程/C1").json()
    assert body["node"]["name"] == "半导体材料"
    groups = body["neighbours"]
    assert set(groups) == {"COVERS", "IN_MAJOR", "PREREQUISITE_OF", "TEACHES"}
    assert groups["COVERS"] == [
        {
            "direction": "out",
            "label": "Ability",
            "id": "A1",
            "name": "晶体生长",
            "props": {"level": 3},
        }
    ]
    assert groups["IN_MAJOR"][0]["props"] == {"core": True}
    assert [(n["direction"], n["id"]) for n in groups["PREREQUISITE_OF"]] == [("out", "C2")]
    assert [(n["direction"], n["id"]) for n in groups["TEACHES"]] == [("in", "T2")]


def test_node_not_found(api: TestClient) -> None:
    body = assert_error(api.get(f"{V1}/nodes/courses/C99"), 404, "not_found")
    assert "C99" in body["message"]


NEW_COURSE = {
    "id": "C6",
    "name": "碳化硅器件",
    "hours": 48,
    "credits": "3",
    "kind": "理实一体",
    "major_ids": "M1;M2",
    "core_major_ids": ["M2"],
    "prerequisite_ids": "C1",
}


def test_create_node_as_a_row_of_its_file(api: TestClient, small: GraphStore) -> None:
    response = api.post(f"{V1}/nodes/courses", json=NEW_COURSE, headers=AUTH)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["node"] == {
        "label": "Course",
        "id": "C6",
        "name": "碳化硅器件",
        "props": {"hours": 48, "credits": 3.0, "kind": "integrated"},
    }
    assert body["change"]["nodes"] == {"Course": {"added": 1, "updated": 0, "unchanged": 0}}
    in_major = {(r.dst, r.props["core"]) for r in small.relationships(Rel.IN_MAJOR, src_ids=["C6"])}
    assert in_major == {("M1", False), ("M2", True)}
    assert [r.src for r in small.relationships(Rel.PREREQUISITE_OF, dst_ids=["C6"])] == ["C1"]
    # Chinese headers are accepted as keys, as in a spreadsheet.
    response = api.post(
        f"{V1}/nodes/majors", json={"专业编号": "M4", "专业名称": "光电"}, headers=AUTH
    )
    assert response.status_code == 201, response.text
    assert small.get_node(Label.MAJOR, "M4") is not None


def ingest_messages(tmp_path: Path, name: str, text: str, store: GraphStore) -> list[str]:
    """What the ingest says about the same row in a CSV file."""
    folder = tmp_path / "csv"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    with pytest.raises(Exception) as caught:
        ingest(store, folder)
    return [p.zh for p in caught.value.problems]  # type: ignore[attr-defined]


def test_create_node_validated_with_the_ingest_messages(
    api: TestClient, small: GraphStore, tmp_path: Path
) -> None:
    before = dump(small)
    bad = {"id": "C7", "name": "坏课", "hours": "六十", "semester": 13, "major_ids": "M9"}
    body = assert_error(
        api.post(f"{V1}/nodes/courses", json=bad, headers=AUTH), 422, "invalid_dataset"
    )
    errors = body["details"]["errors"]
    assert {(e["row"], e["column"]) for e in errors} == {(1, "hours"), (1, "semester")}
    assert all(e["file"] == "请求 request → courses" for e in errors)
    expected = ingest_messages(
        tmp_path, "courses.csv", "id,name,hours,semester,major_ids\nC7,坏课,六十,13,M9\n", small
    )
    assert sorted(e["message"] for e in errors) == sorted(expected)
    dangling = {"id": "C7", "name": "坏课", "major_ids": "M9"}
    body = assert_error(
        api.post(f"{V1}/nodes/courses", json=dangling, headers=AUTH), 422, "invalid_dataset"
    )
    assert body["details"]["errors"][0]["column"] == "major_ids"
    assert body["details"]["errors"][0]["message"] == (
        "引用的专业编号 M9 不存在（数据集和数据库中都没有）"
    )
    unknown = {"id": "C7", "name": "x", "colour": "red"}
    body = assert_error(
        api.post(f"{V1}/nodes/courses", json=unknown, headers=AUTH), 422, "invalid_dataset"
    )
    assert body["details"]["errors"][0]["column"] == "colour"
    assert_error(api.post(f"{V1}/nodes/courses", json=[1, 2], headers=AUTH), 422, "invalid_input")
    assert dump(small) == before


def test_create_existing_node_is_a_conflict(api: TestClient, small: GraphStore) -> None:
    before = dump(small)
    body = assert_error(
        api.post(f"{V1}/nodes/courses", json={"id": "C1", "name": "改名"}, headers=AUTH),
        409,
        "conflict",
    )
    assert body["details"] == {"label": "Course", "id": "C1"}
    assert dump(small) == before


def test_update_changes_only_the_given_columns(api: TestClient, small: GraphStore) -> None:
    response = api.patch(
        f"{V1}/nodes/courses/C3", json={"hours": 40, "semester": "2"}, headers=AUTH
    )
    assert response.status_code == 200, response.text
    assert response.json()["node"]["props"] == {
        "hours": 40,
        "credits": 2.0,
        "kind": "practice",
        "semester": 2,
    }
    assert response.json()["change"]["nodes"]["Course"]["updated"] == 1
    # a segment's required chain_id comes from its PART_OF: a name change needs no more
    response = api.patch(f"{V1}/nodes/segments/S3", json={"name": "光电器件"}, headers=AUTH)
    assert response.status_code == 200, response.text
    assert small.get_node(Label.CHAIN_SEGMENT, "S3").name == "光电器件"  # type: ignore[union-attr]
    assert [r.dst for r in small.relationships(Rel.PART_OF, src_ids=["S3"])] == ["H1"]


def test_update_refuses_cycles_bad_values_and_unknown_nodes(
    api: TestClient, small: GraphStore
) -> None:
    before = dump(small)
    body = assert_error(
        api.patch(f"{V1}/nodes/courses/C1", json={"prerequisite_ids": "C2"}, headers=AUTH),
        422,
        "invalid_dataset",
    )
    assert "课程先修关系成环" in body["details"]["errors"][0]["message"]
    assert "C1 → C2 → C1" in body["details"]["errors"][0]["message"] or (
        "C2 → C1 → C2" in body["details"]["errors"][0]["message"]
    )
    assert_error(
        api.patch(f"{V1}/nodes/courses/C1", json={"credits": -1}, headers=AUTH),
        422,
        "invalid_dataset",
    )
    assert_error(
        api.patch(f"{V1}/nodes/courses/C1", json={"id": "C2"}, headers=AUTH), 422, "invalid_input"
    )
    assert_error(
        api.patch(f"{V1}/nodes/courses/C99", json={"hours": 1}, headers=AUTH), 404, "not_found"
    )
    assert dump(small) == before


def test_delete_node_with_its_relationships(api: TestClient, small: GraphStore) -> None:
    response = api.delete(f"{V1}/nodes/courses/C2", headers={"X-API-Key": KEY})
    assert response.status_code == 200, response.text
    assert response.json()["deleted"]["id"] == "C2"
    assert small.get_node(Label.COURSE, "C2") is None
    assert small.relationships(Rel.COVERS, src_ids=["C2"]) == []
    assert small.relationships(Rel.PREREQUISITE_OF, dst_ids=["C2"]) == []
    assert_error(api.delete(f"{V1}/nodes/courses/C2", headers=AUTH), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("post", "/nodes/courses", NEW_COURSE),
        ("patch", "/nodes/courses/C1", {"hours": 1}),
        ("delete", "/nodes/courses/C1", None),
        ("post", "/relationships", {"type": "TEACHES", "src": "T1", "dst": "C1"}),
        ("delete", "/relationships?type=COVERS&src=C1&dst=A1", None),
    ],
)
def test_writes_need_the_key(
    api: TestClient, small: GraphStore, method: str, path: str, payload: Any
) -> None:
    before = dump(small)
    kwargs: dict[str, Any] = {"json": payload} if payload is not None else {}
    call = getattr(api, method)
    body = assert_error(call(f"{V1}{path}", **kwargs), 401, "unauthorized")
    assert "API" in body["message"]
    for wrong in ({"Authorization": "Bearer nope"}, {"X-API-Key": KEY[:-1]}, {"X-API-Key": ""}):
        response = call(f"{V1}{path}", headers=wrong, **kwargs)
        assert_error(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert dump(small) == before


def test_without_configured_keys_nobody_writes(small: GraphStore) -> None:
    with client_for(small, api_keys=[]) as client:
        body = assert_error(
            client.delete(f"{V1}/nodes/courses/C1", headers=AUTH), 403, "writes_disabled"
        )
        assert "CHANJIAO_API_KEYS" in body["message"]
        assert client.get(f"{V1}/nodes/courses/C1").status_code == 200


def test_keys_from_a_file_and_keyed_reads(small: GraphStore, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.write_text("# operators\nfile-key-aaaaaaaaaaaa  # alice\n\nfile-key-bbbbbbbbbbbb\n")
    with client_for(small, api_keys=[], api_keys_file=keys, read_requires_key=True) as client:
        assert_error(client.get(f"{V1}/stats"), 401, "unauthorized")
        assert_error(client.get(f"{V1}/gaps?cluster=K1&chain=H1"), 401, "unauthorized")
        ok = client.get(f"{V1}/stats", headers={"X-API-Key": "file-key-bbbbbbbbbbbb"})
        assert ok.status_code == 200
        response = client.patch(
            f"{V1}/nodes/courses/C1",
            json={"hours": 70},
            headers={"Authorization": "Bearer file-key-aaaaaaaaaaaa"},
        )
        assert response.status_code == 200, response.text
        assert client.get(f"{V1}/health").status_code == 200  # health stays open


def test_keys_compared_in_full() -> None:
    keys = [b"first-key", b"second-key"]
    assert key_matches(b"second-key", keys)
    assert not key_matches(b"second-ke", keys)
    assert not key_matches(b"second-keyx", keys)
    assert not key_matches(b"", keys)
    assert not key_matches(b"first-key", [])


def test_keys_never_logged(small: GraphStore, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with client_for(small) as client:
        client.delete(f"{V1}/nodes/courses/C5", headers=AUTH)
        client.delete(f"{V1}/nodes/courses/C4", headers={"X-API-Key": "wrong-key-zzzz"})
    assert KEY not in caplog.text and "wrong-key-zzzz" not in caplog.text
    assert KEY not in repr(settings())


# --- relationships ---------------------------------------------------------------------------


def test_create_relationships_of_every_kind(api: TestClient, small: GraphStore) -> None:
    def post(body: dict[str, Any]) -> dict[str, Any]:
        response = api.post(f"{V1}/relationships", json=body, headers=AUTH)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()["change"]
        return result

    change = post({"type": "REQUIRES", "src": "P4", "dst": "A5", "props": {"level": "掌握"}})
    assert change["relationships"] == {"REQUIRES": {"added": 1, "updated": 0, "unchanged": 0}}
    [req] = small.relationships(Rel.REQUIRES, src_ids=["P4"])
    assert req.props == {"level": 3, "weight": 1.0}
    post({"type": "TEACHES", "src": "T1", "dst": "C4"})
    assert [r.dst for r in small.relationships(Rel.TEACHES, src_ids=["T1"])] == ["C4"]
    post({"type": "SUPPORTS", "src": "R1", "dst": "C1"})  # the store says C1 is a course
    supports = {(r.dst_label, r.dst) for r in small.relationships(Rel.SUPPORTS, src_ids=["R1"])}
    assert supports == {(Label.ABILITY, "A5"), (Label.COURSE, "C1")}
    post({"type": "IN_MAJOR", "src": "C3", "dst": "M2", "props": {"core": True}})
    core = {r.dst: r.props["core"] for r in small.relationships(Rel.IN_MAJOR, src_ids=["C3"])}
    assert core == {"M1": False, "M2": True}
    post({"type": "PARTNER_OF", "src": "E2", "dst": "IC1", "props": {"role": "共建企业"}})
    partners = {(r.src_label, r.src) for r in small.relationships(Rel.PARTNER_OF)}
    assert (Label.ENTERPRISE, "E2") in partners
    post({"type": "IN_CLUSTER", "src": "M3", "dst": "K1"})
    assert "C4" in analyse_gaps(small, "K1", "H1").curriculum


def test_relationship_validation_matches_ingest(api: TestClient, small: GraphStore) -> None:
    before = dump(small)
    body = assert_error(
        api.post(
            f"{V1}/relationships",
            json={"type": "COVERS", "src": "C1", "dst": "A2", "props": {"level": 5}},
            headers=AUTH,
        ),
        422,
        "invalid_dataset",
    )
    error = body["details"]["errors"][0]
    assert (error["file"], error["row"], error["column"]) == ("请求 request → coverage", 1, "level")
    assert error["message"].startswith("等级“5”无效")
    body = assert_error(
        api.post(
            f"{V1}/relationships",
            json={"type": "TEACHES", "src": "T1", "dst": "C99"},
            headers=AUTH,
        ),
        422,
        "invalid_dataset",
    )
    assert body["details"]["errors"][0]["message"].startswith("引用的课程编号 C99 不存在")
    assert_error(
        api.post(
            f"{V1}/relationships", json={"type": "TEACHES", "src": "T9", "dst": "C1"}, headers=AUTH
        ),
        404,
        "not_found",
    )
    assert_error(
        api.post(
            f"{V1}/relationships",
            json={"type": "TEACHES", "src": "T1", "dst": "C1", "props": {"hours": 2}},
            headers=AUTH,
        ),
        422,
        "invalid_input",
    )
    assert_error(
        api.post(
            f"{V1}/relationships",
            json={"type": "TEACHES", "src": "T1", "dst": "C1", "src_label": "Course"},
            headers=AUTH,
        ),
        422,
        "invalid_input",
    )
    assert_error(
        api.post(
            f"{V1}/relationships", json={"type": "LIKES", "src": "a", "dst": "b"}, headers=AUTH
        ),
        422,
        "invalid_input",
    )
    body = assert_error(
        api.post(
            f"{V1}/relationships",
            json={"type": "PREREQUISITE_OF", "src": "C2", "dst": "C1"},
            headers=AUTH,
        ),
        422,
        "invalid_dataset",
    )
    assert "课程先修关系成环" in body["details"]["errors"][0]["message"]
    assert dump(small) == before


def test_list_and_delete_relationships(api: TestClient, small: GraphStore) -> None:
    body = api.get(f"{V1}/relationships", params={"type": "COVERS", "src": "C2"}).json()
    assert [(r["dst"], r["props"]["level"]) for r in body["items"]] == [("A2", 2), ("A4", 1)]
    assert body["truncated"] is False
    assert_error(api.get(f"{V1}/relationships", params={"type": "COVERS"}), 422, "invalid_input")
    response = api.delete(
        f"{V1}/relationships", params={"type": "COVERS", "src": "C2", "dst": "A4"}, headers=AUTH
    )
    assert response.status_code == 200, response.text
    assert response.json()["deleted"]["props"] == {"level": 1}
    assert [r.dst for r in small.relationships(Rel.COVERS, src_ids=["C2"])] == ["A2"]
    assert small.get_node(Label.ABILITY, "A4") is not None
    assert_error(
        api.delete(
            f"{V1}/relationships",
            params={"type": "COVERS", "src": "C2", "dst": "A4"},
            headers=AUTH,
        ),
        404,
        "not_found",
    )


# --- ingest ----------------------------------------------------------------------------------


def upload(client: TestClient, path: Path, name: str | None = None, **params: Any) -> Any:
    with path.open("rb") as fh:
        return client.post(
            f"{V1}/ingest",
            params=params,
            files={"file": (name or path.name, fh, "application/octet-stream")},
            headers=AUTH,
        )


@pytest.mark.parametrize(
    "dataset",
    [DATA / "edge/zip/small.zip", DATA / "edge/xlsx/small.xlsx", DATA / "edge/json/small.json"],
)
def test_ingest_upload_dry_run_then_load(
    empty_api: TestClient, store: GraphStore, dataset: Path, tmp_path: Path
) -> None:
    response = upload(empty_api, dataset, dry_run=True)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["dry_run"] is True
    assert result["source"] == dataset.name
    assert result["nodes"]["Course"] == {"added": 5, "updated": 0, "unchanged": 0}
    assert sum(store.stats().nodes.values()) == 0  # a dry run writes nothing
    response = upload(empty_api, dataset)
    assert response.status_code == 200, response.text
    reference = EmbeddedStore(tmp_path / "reference.db")
    ingest(reference, SMALL)
    assert dump(store) == dump(reference)
    reference.close()
    again = upload(empty_api, dataset).json()
    assert again["nodes"]["Course"] == {"added": 0, "updated": 0, "unchanged": 5}


def test_ingest_errors_name_file_row_column_and_write_nothing(
    api: TestClient, small: GraphStore
) -> None:
    before = dump(small)
    body = assert_error(
        upload(api, DATA / "invalid/json_bad_values/bad.json"), 422, "invalid_dataset"
    )
    located = {(e["file"], e["row"], e["column"]) for e in body["details"]["errors"]}
    assert ("bad.json → requirements", 1, "level") in located
    assert ("bad.json → courses", 2, "hours") in located
    assert body["details"]["total"] == len(body["details"]["errors"])
    assert dump(small) == before


def test_ingest_checks_the_content_not_the_name(
    api: TestClient, small: GraphStore, tmp_path: Path
) -> None:
    before = dump(small)
    fake = tmp_path / "college.xlsx"
    fake.write_text('{"courses": []}', encoding="utf-8")  # JSON named .xlsx
    body = assert_error(upload(api, fake), 415, "unsupported_upload")
    assert ".xlsx" in body["message"]
    binary = tmp_path / "data.bin"
    binary.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(200))
    assert_error(upload(api, binary), 415, "unsupported_upload")
    zipped = DATA / "edge/zip/small.zip"
    assert_error(upload(api, zipped, name="small.json"), 415, "unsupported_upload")
    # a workbook sent under another name is still read as a workbook
    response = upload(api, DATA / "edge/xlsx/small.xlsx", name="上传", dry_run=True)
    assert response.status_code == 200, response.text
    assert response.json()["source"] == "上传.xlsx"
    assert dump(small) == before


def test_ingest_needs_the_key_and_a_file(api: TestClient) -> None:
    with (DATA / "edge/zip/small.zip").open("rb") as fh:
        response = api.post(f"{V1}/ingest", files={"file": ("small.zip", fh)})
    assert_error(response, 401, "unauthorized")
    assert_error(api.post(f"{V1}/ingest", headers=AUTH), 422, "invalid_input")


def test_body_size_limit(small: GraphStore) -> None:
    with client_for(small, max_body_bytes=1000) as client:
        body = assert_error(
            client.post(
                f"{V1}/nodes/courses",
                json={"id": "C8", "name": "x" * 2000},
                headers=AUTH,
            ),
            413,
            "body_too_large",
        )
        assert "MiB" in body["message"]
        with (DATA / "edge/zip/small.zip").open("rb") as fh:
            response = client.post(f"{V1}/ingest", files={"file": ("s.zip", fh)}, headers=AUTH)
        assert_error(response, 413, "body_too_large")

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            for _ in range(20):
                yield b'{"id": "C8", "name": "' + b"y" * 100 + b'"}'

        response = client.post(
            f"{V1}/nodes/courses",
            content=chunks(),
            headers=AUTH | {"Content-Type": "application/json"},
        )
        assert_error(response, 413, "body_too_large")
    assert small.get_node(Label.COURSE, "C8") is None


# --- analysis --------------------------------------------------------------------------------


def test_align_course(api: TestClient) -> None:
    """C1 covers A1 at 3. P1 needs A1 r3 w2 of W=4: share 2·1/4 = 0.5; P2 needs A1 r2 w1 of
    W=2: share 1·1/2 = 0.5."""
    body = api.get(f"{V1}/align/courses/C1").json()
    assert body["course"]["id"] == "C1"
    assert [(p["id"], p["share"]) for p in body["positions"]] == [("P1", 0.5), ("P2", 0.5)]
    assert body["enterprises"] == ["E1", "E2"]
    assert body["chains"] == ["H1"]
    assert_error(api.get(f"{V1}/align/courses/C99"), 404, "not_found")


def test_align_course_pages_positions_by_share(api: TestClient) -> None:
    """C2 covers A2 at 2 and A4 at 1: P3 needs A2 r4 w3 of W=4 (3·1/2/4 = 0.375), P1 A2 r2
    w1 of W=4 (0.25), P2 A4 r3 w1 of W=2 (1/3/2 = 0.1667)."""
    first = api.get(f"{V1}/align/courses/C2", params={"limit": 2}).json()
    assert [(p["id"], p["share"]) for p in first["positions"]] == [("P3", 0.375), ("P1", 0.25)]
    assert first["page"] == {"offset": 0, "limit": 2, "total": 3}
    listed = {a["ability"]: [p["position"] for p in a["positions"]] for a in first["abilities"]}
    assert listed == {"A2": ["P1", "P3"], "A4": []}  # only the positions of this page
    rest = api.get(f"{V1}/align/courses/C2", params={"limit": 2, "offset": 2}).json()
    assert [(p["id"], p["share"]) for p in rest["positions"]] == [("P2", 0.1667)]
    too_many = api.get(f"{V1}/align/courses/C2", params={"limit": 5000})
    assert_error(too_many, 422, "invalid_input")


def test_align_position(api: TestClient) -> None:
    body = api.get(f"{V1}/align/positions/P1", params={"cluster": "K1"}).json()
    assert body["segment"] == "S1" and body["chain"] == "H1"
    courses = {r["ability"]: [c["id"] for c in r["courses"]] for r in body["requirements"]}
    assert courses == {"A1": ["C1"], "A2": ["C2"], "A3": []}  # C4 (A3) is not in K1
    assert [c["id"] for c in body["learning_path"]] == ["C1", "C2"]
    assert_error(api.get(f"{V1}/align/positions/P99"), 404, "not_found")
    assert_error(api.get(f"{V1}/align/positions/P1?cluster=K9"), 404, "not_found")


def test_gaps_is_exactly_the_library_json(api: TestClient, small: GraphStore) -> None:
    body = api.get(f"{V1}/gaps", params={"cluster": "K1", "chain": "H1"}).json()
    assert body == json.loads(json.dumps(analyse_gaps(small, "K1", "H1").to_dict()))
    assert body["coverage"] == 0.6792  # hand-derived in tests/test_gaps.py
    assert [(g["ability"], g["priority"]) for g in body["gaps"]] == [
        ("A4", 1.3333),
        ("A3", 1.25),
        ("A2", 0.375),
        ("A5", 0.25),
    ]
    segment = api.get(f"{V1}/gaps", params={"cluster": "K1", "chain": "H1", "segment": "S2"})
    assert segment.json()["coverage"] == 0.375


def test_gaps_errors(api: TestClient) -> None:
    assert_error(api.get(f"{V1}/gaps", params={"cluster": "K1", "chain": "H9"}), 404, "not_found")
    assert_error(api.get(f"{V1}/gaps", params={"cluster": "K9", "chain": "H1"}), 404, "not_found")
    assert_error(
        api.get(f"{V1}/gaps", params={"cluster": "K1", "chain": "H1", "segment": "S4"}),
        404,
        "not_found",
    )
    body = assert_error(api.get(f"{V1}/gaps", params={"chain": "H1"}), 422, "invalid_input")
    assert body["details"]["errors"][0]["loc"] == ["query", "cluster"]


def test_what_if_adds_a_course_and_writes_nothing(api: TestClient, small: GraphStore) -> None:
    """Adding C4 (A3 at 4, A5 at 2) to K1: P1 → (2+1+1)/4 = 1; P2 stays 2/3;
    P3 → (3·1/2 + 1·1)/4 = 0.625; H1 = (5·1 + 4·2/3 + 1·0.625)/10 = 0.829167.
    Gaps left: A4 = 4·1/2·2/3 = 1.3333, A2 = 1·3/4·1/2 = 0.375."""
    before = dump(small)
    request = {"cluster": "K1", "chain": "H1", "add_courses": ["C4"]}
    body = api.post(f"{V1}/gaps/what-if", json=request).json()
    assert body["coverage"] == 0.8292
    assert [(g["ability"], g["priority"]) for g in body["gaps"]] == [("A4", 1.3333), ("A2", 0.375)]
    compared = api.post(f"{V1}/gaps/what-if", json=request | {"compare": True}).json()
    assert compared["before"]["coverage"] == 0.6792
    assert compared["after"]["coverage"] == 0.8292
    # C2 teaching A4 at 3 instead of 1: P2 → (1 + 1)/2 = 1, so A4 is no gap any more
    override = {
        "cluster": "K1",
        "chain": "H1",
        "coverage": [{"course": "C2", "ability": "A4", "level": "掌握"}],
    }
    body = api.post(f"{V1}/gaps/what-if", json=override).json()
    assert "A4" not in [g["ability"] for g in body["gaps"]]
    assert dump(small) == before


def test_what_if_errors(api: TestClient) -> None:
    base = {"cluster": "K1", "chain": "H1"}
    assert_error(
        api.post(f"{V1}/gaps/what-if", json=base | {"add_courses": ["C99"]}), 404, "not_found"
    )
    assert_error(
        api.post(
            f"{V1}/gaps/what-if",
            json=base | {"coverage": [{"course": "C1", "ability": "A1", "level": 5}]},
        ),
        422,
        "invalid_input",
    )
    twice = [{"course": "C1", "ability": "A1", "level": 1}] * 2
    assert_error(
        api.post(f"{V1}/gaps/what-if", json=base | {"coverage": twice}), 422, "invalid_input"
    )
    assert_error(
        api.post(f"{V1}/gaps/what-if", json=base | {"remove_courses": ["C4"]}),
        400,
        "invalid_request",
    )
    assert_error(api.post(f"{V1}/gaps/what-if", json={"cluster": "K1"}), 422, "invalid_input")


# --- export ----------------------------------------------------------------------------------


def test_export_formats_load_back_unchanged(
    api: TestClient, small: GraphStore, tmp_path: Path
) -> None:
    for fmt, media, name in (
        ("json", "application/json", "x.json"),
        ("csv-dir", "application/zip", "x.zip"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "x.xlsx"),
    ):
        response = api.get(f"{V1}/export", params={"format": fmt})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media)
        assert "attachment" in response.headers["content-disposition"]
        (tmp_path / name).write_bytes(response.content)
        fresh = EmbeddedStore(tmp_path / f"{name}.db")
        ingest(fresh, tmp_path / name)
        assert dump(fresh) == dump(small), fmt
        fresh.close()
    workbook = openpyxl.load_workbook(io.BytesIO(api.get(f"{V1}/export?format=xlsx").content))
    assert "courses" in workbook.sheetnames
    with zipfile.ZipFile(io.BytesIO(api.get(f"{V1}/export?format=csv-dir").content)) as archive:
        assert "courses.csv" in archive.namelist()
    assert_error(api.get(f"{V1}/export", params={"format": "pdf"}), 422, "invalid_input")


# --- failure modes ---------------------------------------------------------------------------


class BrokenStore(EmbeddedStore):
    """A store whose reads fail as a bug would, with an internal path in the message."""

    def find_nodes(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom in /srv/secret/chanjiao.db")

    def stats(self) -> Any:
        from chanjiao.errors import StoreUnavailable

        raise StoreUnavailable(
            "无法打开 /srv/secret/chanjiao.db", "cannot open /srv/secret/chanjiao.db"
        )


def test_no_stack_trace_or_path_in_responses(tmp_path: Path) -> None:
    broken = BrokenStore(tmp_path / "b.db")
    with client_for(broken) as client:
        response = client.get(f"{V1}/nodes/courses")
        body = assert_error(response, 500, "internal_error")
        assert "Traceback" not in response.text and "/srv" not in response.text
        assert "boom" not in response.text
        response = client.get(f"{V1}/stats")
        assert_error(response, 503, "store_unavailable")
        assert "/srv" not in response.text
        assert body["details"] == {}
    broken.close()


def test_cors_origins_by_setting(small: GraphStore) -> None:
    with client_for(small, cors_origins="https://cloud.example.edu.cn") as client:
        allowed = client.get(f"{V1}/health", headers={"Origin": "https://cloud.example.edu.cn"})
        assert allowed.headers["access-control-allow-origin"] == "https://cloud.example.edu.cn"
        other = client.get(f"{V1}/health", headers={"Origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in other.headers
    with client_for(small) as client:
        response = client.get(f"{V1}/health", headers={"Origin": "https://cloud.example.edu.cn"})
        assert "access-control-allow-origin" not in response.headers


def test_lifespan_opens_and_closes_the_configured_store(tmp_path: Path) -> None:
    location = tmp_path / "served.db"
    seeded = EmbeddedStore(location)
    ingest(seeded, SMALL)
    seeded.close()
    app = create_app(None, settings(store=str(location)))
    with TestClient(app) as client:
        assert client.get(f"{V1}/stats").json()["nodes"]["Course"] == 5
        assert client.get(f"{V1}/gaps?cluster=K1&chain=H1").json()["coverage"] == 0.6792
    assert app.state.store is None
