"""One `store` fixture over every backend: the same tests run on each (STYLE: networkx --backend)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.load import ingest
from tests.util import SMALL

BACKENDS = ["embedded"]


def make_store(backend: str, tmp_path: Path) -> GraphStore:
    if backend == "embedded":
        return EmbeddedStore(tmp_path / "store.db")
    raise ValueError(backend)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store(backend: str, tmp_path: Path) -> Iterator[GraphStore]:
    """An empty store of each backend."""
    graph = make_store(backend, tmp_path)
    yield graph
    graph.close()


@pytest.fixture
def second_handle(backend: str, tmp_path: Path) -> Iterator[GraphStore]:
    """Another connection to the same store as `store` (another process would see this)."""
    graph = make_store(backend, tmp_path)
    yield graph
    graph.close()


@pytest.fixture
def small(store: GraphStore) -> GraphStore:
    """A store holding tests/data/valid/small (the hand-checked gap graph)."""
    ingest(store, SMALL)
    return store
