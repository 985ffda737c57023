"""Read answers are cached per store generation: repeated questions are fast, never stale."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from chanjiao.api.routes import ResponseCache
from chanjiao.graph.schema import Label, Node, Rel, Relationship
from chanjiao.graph.store import GraphStore
from tests.test_api import V1, client_for


@pytest.fixture
def api(small: GraphStore) -> Iterator[TestClient]:
    with client_for(small, warm_cache=False) as client:
        yield client


def test_a_write_by_another_handle_is_seen_at_once(
    api: TestClient, small: GraphStore, second_handle: GraphStore
) -> None:
    query = {"cluster": "K1", "chain": "H1"}
    first = api.get(f"{V1}/gaps", params=query).json()
    assert first["coverage"] == 0.6792
    assert api.get(f"{V1}/gaps", params=query).json() == first
    # Another process's view of the same store adds C9 (A4 at 3) to M2: P2 becomes covered.
    second_handle.write(
        [Node(Label.COURSE, "C9", {"name": "切磨抛实训"})],
        [
            Relationship(Rel.IN_MAJOR, Label.COURSE, "C9", Label.MAJOR, "M2", {"core": False}),
            Relationship(Rel.COVERS, Label.COURSE, "C9", Label.ABILITY, "A4", {"level": 3}),
        ],
    )
    assert api.get(f"{V1}/gaps", params=query).json()["coverage"] == 0.8125
    shares = api.get(f"{V1}/align/courses/C9").json()["positions"]
    assert [(p["id"], p["share"]) for p in shares] == [("P2", 0.5)]  # 1 * 3/3 / W=2


def test_the_cache_answers_only_its_generation_and_stays_bounded() -> None:
    cache = ResponseCache(max_bytes=10)
    cache.put(("a",), 1, b"12345")
    assert cache.get(("a",), 1) == b"12345"
    assert cache.get(("a",), 2) is None  # a later write makes it invisible
    cache.put(("b",), 1, b"67890")
    cache.put(("c",), 1, b"x")  # over 10 bytes: the least recently used goes
    assert cache.get(("a",), 1) is None
    assert cache.get(("b",), 1) == b"67890" and cache.get(("c",), 1) == b"x"
