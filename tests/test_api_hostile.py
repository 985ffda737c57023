"""The API under hostile input: no 5xx, one error body, ends never from properties, bounded memory."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chanjiao.graph.schema import Rel
from chanjiao.graph.store import GraphStore
from tests.make_hostile_fixtures import bomb
from tests.test_api import AUTH, V1, assert_error, client_for, upload
from tests.util import dump


@pytest.fixture
def api(small: GraphStore) -> TestClient:
    with client_for(small, warm_cache=False) as client:
        yield client  # type: ignore[misc]


@pytest.mark.parametrize(
    "props",
    [
        {"level": 3, "position_id": "P1"},
        {"level": 3, "ability_id": "A1"},
        {"level": 3, "岗位编号": "P1"},
    ],
)
def test_relationship_ends_never_come_from_properties(
    api: TestClient, small: GraphStore, props: dict[str, object]
) -> None:
    before = dump(small)
    response = api.post(
        f"{V1}/relationships",
        json={"type": "REQUIRES", "src": "P4", "dst": "A5", "props": props},
        headers=AUTH,
    )
    body = assert_error(response, 422, "invalid_input")
    assert "src 和 dst" in body["message"]
    assert dump(small) == before
    assert not small.relationships(Rel.REQUIRES, src_ids=["P4"], dst_ids=["A5"])


@pytest.fixture(scope="module")
def bomb_960(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    path.write_bytes(bomb(960 * 1024 * 1024))
    return path


def test_zip_bomb_of_960_mib_is_refused_in_bounded_memory(
    api: TestClient, small: GraphStore, bomb_960: Path
) -> None:
    path = bomb_960
    assert path.stat().st_size < 2 * 1024 * 1024
    before = dump(small)
    tracemalloc.start()
    try:
        response = upload(api, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    body = assert_error(response, 422, "invalid_dataset")
    assert "压缩比超过" in body["details"]["errors"][0]["message"]
    assert peak < 64 * 1024 * 1024, f"{peak / 2**20:.0f} MiB"
    assert dump(small) == before


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("x.json", b"{" * 100_000),
        ("x.json", b'{"chains": [' + b"[" * 50_000 + b"]" * 50_000 + b"]}"),
        (
            "x.json",
            b'{"positions": [{"id": "P", "name": "n", "segment_id": "S", "demand": 1e999}]}',
        ),
        ("x.json", b'{"chains": [{"id": "H\\u0000", "name": "x"}]}'),
        ("x.json", b'{"chains": [{"id": "H\\ud800", "name": "x"}]}'),
        ("x.xlsx", b"PK\x03\x04" + b"\x00" * 200),
        ("x.zip", b"PK\x03\x04garbage"),
        ("x.json", b"\xff\xfe{\x00}\x00"),
    ],
)
def test_odd_uploads_are_4xx_with_the_error_body(
    api: TestClient, small: GraphStore, tmp_path: Path, name: str, content: bytes
) -> None:
    before = dump(small)
    path = tmp_path / name
    path.write_bytes(content)
    response = upload(api, path)
    assert 400 <= response.status_code < 500, response.text
    assert set(response.json()) == {"code", "message", "message_en", "details"}
    assert dump(small) == before


@pytest.mark.parametrize(
    "body",
    [
        {"id": "C-NEW", "name": "x", "hours": 10**400},
        {"id": "C-NEW", "name": "x\u0000"},
        {"id": "C-NEW", "name": {"nested": [1, 2, {"deep": True}]}},
        {"id": ["C1", "C2"], "name": "x"},
        {"id": "C-NEW", "name": "x" * 1_000_000},
    ],
)
def test_odd_node_bodies_are_4xx(
    api: TestClient, small: GraphStore, body: dict[str, object]
) -> None:
    before = dump(small)
    response = api.post(f"{V1}/nodes/Course", json=body, headers=AUTH)
    assert 400 <= response.status_code < 500, response.text
    assert set(response.json()) == {"code", "message", "message_en", "details"}
    assert dump(small) == before
