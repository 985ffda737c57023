"""Read answers are cached per store generation: repeated questions are fast, never stale."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from chanjiao.analysis.alignment import align_course
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


def test_gap_answers_carry_the_generation_as_etag(api: TestClient, small: GraphStore) -> None:
    query = {"cluster": "K1", "chain": "H1"}
    first = api.get(f"{V1}/gaps", params=query)
    if small.generation() is None:  # a store that cannot tell: never a stale 304
        assert "etag" not in first.headers
        return
    tag = first.headers["etag"]
    assert tag == f'"g{small.generation()}"'
    again = api.get(f"{V1}/gaps", params=query, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag
    small.write([Node(Label.TEACHER, "T9", {"name": "王老师"})], [])
    fresh = api.get(f"{V1}/gaps", params=query, headers={"If-None-Match": tag})
    assert fresh.status_code == 200 and fresh.headers["etag"] != tag
    assert fresh.json() == first.json()  # a teacher of no ability changes no number


def test_large_answers_are_compressed_when_asked(api: TestClient) -> None:
    query = {"cluster": "K1", "chain": "H1"}
    plain = api.get(f"{V1}/gaps", params=query, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert len(plain.content) >= 1024  # large enough to be worth compressing
    for _ in range(2):  # encoded once, then from the cache
        packed = api.get(f"{V1}/gaps", params=query, headers={"Accept-Encoding": "gzip"})
        assert packed.headers["content-encoding"] == "gzip"
        assert packed.headers["vary"] == "Accept-Encoding"
        assert int(packed.headers["content-length"]) < len(plain.content)
        assert packed.content == plain.content  # the client decodes it to the same JSON
    refused = api.get(f"{V1}/gaps", params=query, headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


def test_brotli_is_preferred_when_installed(api: TestClient) -> None:
    pytest.importorskip("brotli")
    query = {"cluster": "K1", "chain": "H1"}
    packed = api.get(f"{V1}/gaps", params=query, headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["content-encoding"] == "br"
    assert packed.json()["coverage"] == 0.6792


def test_alignment_answers_carry_the_etag_and_are_compressed(
    small: GraphStore,
) -> None:
    from tests.test_alignment import PAGES

    with client_for(small) as api:  # warmed, as `chanjiao serve` starts: from the index
        path = f"{V1}/align/courses/C2"
        plain = api.get(path, headers={"Accept-Encoding": "identity"})  # limit 100
        shares = [(p["id"], p["share"]) for p in plain.json()["positions"]]
        assert shares == [("P3", 0.375), ("P1", 0.25), ("P2", 0.1667)]
        for kwargs in PAGES[1:]:
            asked = api.get(path, params=kwargs).json()
            assert asked == align_course(small, "C2", **kwargs).to_dict()
        assert len(plain.content) >= 1024 and "content-encoding" not in plain.headers
        packed = api.get(path, headers={"Accept-Encoding": "gzip"})
        assert packed.headers["content-encoding"] == "gzip"
        assert int(packed.headers["content-length"]) < len(plain.content)
        assert packed.content == plain.content
        if small.generation() is None:
            assert "etag" not in plain.headers
            return
        tag = plain.headers["etag"]
        again = api.get(path, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.content == b""


def test_an_answer_asked_while_it_is_computed_is_computed_once() -> None:
    import threading

    cache = ResponseCache()
    gate, started = threading.Event(), threading.Event()
    calls: list[str] = []

    def slow() -> bytes:
        calls.append("first")
        started.set()
        gate.wait()
        return b'{"answer":1}'

    def again() -> bytes:
        calls.append("second")
        return b'{"answer":2}'

    got: dict[str, bytes] = {}
    first = threading.Thread(target=lambda: got.update(a=cache.compute(("q",), 1, slow)))
    first.start()
    started.wait()
    second = threading.Thread(target=lambda: got.update(b=cache.compute(("q",), 1, again)))
    second.start()
    second.join(timeout=0.5)
    assert second.is_alive()  # waiting for the first computation, not computing its own
    gate.set()
    first.join()
    second.join()
    assert calls == ["first"] and got == {"a": b'{"answer":1}', "b": b'{"answer":1}'}
    assert cache.compute(("q",), 2, again) == b'{"answer":2}'  # a later generation: anew


def test_a_failed_computation_is_not_shared() -> None:
    cache = ResponseCache()

    def broken() -> bytes:
        raise ValueError("boom")

    with pytest.raises(ValueError):
        cache.compute(("q",), 1, broken)
    assert cache.compute(("q",), 1, lambda: b"ok") == b"ok"


def test_a_cached_answer_is_sent_before_any_route_runs_and_never_past_a_key(
    small: GraphStore,
) -> None:
    from chanjiao.api.deps import require_read_key

    if small.generation() is None:  # nothing is cached: every ask runs the route
        return
    ran: list[str] = []
    with client_for(small, warm_cache=False) as api:
        api.app.dependency_overrides[require_read_key] = lambda: ran.append("route")  # type: ignore[attr-defined]
        query = {"cluster": "K1", "chain": "H1"}
        first = api.get(f"{V1}/gaps", params=query)
        again = api.get(f"{V1}/gaps", params=query)
        assert ran == ["route"]  # the second answer came from the cache, the route not run
        assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
        packed = api.get(f"{V1}/gaps", params=query, headers={"Accept-Encoding": "gzip"})
        assert packed.headers["content-encoding"] == "gzip" and ran == ["route"] * 2
        assert api.get(f"{V1}/gaps", params=query, headers={"Accept-Encoding": "gzip"}).json()
        assert ran == ["route"] * 2  # the compressed copy is cached too
    with client_for(small, warm_cache=False, api_keys="k1", read_requires_key=True) as keyed:
        assert keyed.get(f"{V1}/gaps", params=query, headers={"X-API-Key": "k1"}).is_success
        refused = keyed.get(f"{V1}/gaps", params=query)  # cached, but this reader has no key
        assert refused.status_code == 401
        align = keyed.get(f"{V1}/align/courses/C2", headers={"X-API-Key": "k1"})
        assert align.is_success
        assert keyed.get(f"{V1}/align/courses/C2").status_code == 401
