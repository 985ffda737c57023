"""What only a real Neo4j can show, on Neo4j 5.26 community (scripts/neo4j-test-server).

- a write that fails half-way is rolled back whole by the server;
- the uniqueness constraints exist in Neo4j 5 syntax and the server enforces them;
- ``?database=neo4j`` reaches the one database community has; another name is a
  clear error;
- a write blocked by another transaction's lock fails transiently and is retried;
- a server killed mid-write keeps its old state on restart, and the re-run lands;
- wrong credentials on a server with authentication say so, without the password.

The last two share one more server (authentication on, its own data folder).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest

from chanjiao import config
from chanjiao.errors import StoreUnavailable
from chanjiao.graph import cypher, runners
from chanjiao.graph.neo4j import Neo4jStore
from chanjiao.graph.schema import Label, Node, Rel, Relationship
from chanjiao.ingest.load import ingest
from tests.conftest import Neo4jServer, neo4j_url_for, start_neo4j
from tests.util import SMALL, dump

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "chanjiao-test-pw"


@pytest.fixture
def url(tmp_path: Path) -> str:
    """The session server, its database emptied for this test."""
    return neo4j_url_for(tmp_path)


@pytest.fixture
def neo4j_store(url: str) -> Iterator[Neo4jStore]:
    with config.open_store(url) as store:
        assert isinstance(store, Neo4jStore)
        yield store


def test_a_write_failing_half_way_is_rolled_back_whole(
    neo4j_store: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nodes are merged first; a relationship statement then fails on the server."""
    ingest(neo4j_store, SMALL)
    before = dump(neo4j_store)
    rows = {"n": 0}
    merge = cypher.merge_relationships

    def failing(rel: Rel, src: Label, dst: Label) -> str:
        rows["n"] += 1
        if rel is Rel.COVERS:  # the server rejects it: 1/0 is a runtime error
            return merge(rel, src, dst) + " WITH r WHERE 1 / 0 = 1 RETURN r"
        return merge(rel, src, dst)

    monkeypatch.setattr(cypher, "merge_relationships", failing)
    nodes = [Node(Label.COURSE, f"NEW{i}", {"name": f"新课程{i}"}) for i in range(3)]
    changed = [Node(Label.COURSE, "C1", {"name": "改名"})]
    covers = [Relationship(Rel.COVERS, Label.COURSE, "NEW0", Label.ABILITY, "A1", {"level": 2})]
    with pytest.raises(StoreUnavailable) as caught:
        neo4j_store.write(nodes + changed, covers)
    assert "执行查询失败" in caught.value.zh and "/ by zero" in caught.value.en
    assert rows["n"] >= 1
    assert dump(neo4j_store) == before  # neither the new nor the renamed course
    monkeypatch.undo()
    neo4j_store.write(nodes + changed, covers)  # the same write, now whole
    renamed = neo4j_store.get_node(Label.COURSE, "C1")
    assert renamed is not None and renamed.props["name"] == "改名"
    [rel] = neo4j_store.relationships(Rel.COVERS, src_ids=["NEW0"])
    assert rel.props == {"level": 2}


def test_uniqueness_constraints_exist_and_hold(url: str, neo4j_store: Neo4jStore) -> None:
    with neo4j.GraphDatabase.driver(url, auth=None) as driver:
        shown = driver.execute_query(
            "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties"
        ).records
        unique = {r["labelsOrTypes"][0] for r in shown if r["properties"] == ["id"]}
        assert unique == {label.value for label in Label}
        assert all(r["type"] == "UNIQUENESS" for r in shown if r["name"].startswith("chanjiao_"))
        neo4j_store.write([Node(Label.COURSE, "C1", {"name": "课程"})], [])
        with pytest.raises(neo4j.exceptions.ConstraintError):
            driver.execute_query("CREATE (:Course {id: 'C1'})")
        # The same id under another label is another node.
        driver.execute_query("CREATE (:Ability {id: 'C1'})")
    # Opening again finds every constraint and creates none (a read only).
    with config.open_store(url) as again:
        assert again.get_node(Label.COURSE, "C1") == Node(Label.COURSE, "C1", {"name": "课程"})


def test_constraints_are_created_when_missing(url: str) -> None:
    with neo4j.GraphDatabase.driver(url, auth=None) as driver:
        driver.execute_query("DROP CONSTRAINT chanjiao_course_id IF EXISTS")
        driver.execute_query("DROP CONSTRAINT chanjiao_ability_id IF EXISTS")
        with config.open_store(url):
            pass
        names = {r["name"] for r in driver.execute_query("SHOW CONSTRAINTS YIELD name").records}
    assert {"chanjiao_course_id", "chanjiao_ability_id"} <= names


def test_database_neo4j_by_url_and_an_unknown_database(url: str) -> None:
    with config.open_store(f"{url}?database=neo4j") as store:
        ingest(store, SMALL)
    with config.open_store(url) as default:  # the server's default database is the same
        assert default.get_node(Label.COURSE, "C1") is not None
    with pytest.raises(StoreUnavailable) as caught:
        config.open_store(f"{url}?database=college")
    assert "没有数据库 college" in caught.value.zh
    assert "has no database college" in caught.value.en


def test_a_write_blocked_by_a_lock_is_retried(
    url: str, neo4j_store: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another transaction holds C1's lock: the write's first attempt times out on it
    (a transient error); the lock is released before the retry, which lands."""
    neo4j_store.write([Node(Label.COURSE, "C1", {"name": "课程", "hours": 1})], [])
    driver = neo4j.GraphDatabase.driver(url, auth=None)
    session = driver.session()
    holder = session.begin_transaction()
    holder.run("MATCH (c:Course {id: 'C1'}) SET c.hours = 2").consume()
    waits: list[float] = []

    def release_then_wait(seconds: float) -> None:
        waits.append(seconds)
        if holder.closed() is False:
            holder.rollback()

    monkeypatch.setattr(runners.time, "sleep", release_then_wait)
    try:
        neo4j_store.write([Node(Label.COURSE, "C1", {"hours": 3})], [])
    finally:
        session.close()
        driver.close()
    assert len(waits) == 1  # exactly one failed attempt, then success
    assert neo4j_store.get_node(Label.COURSE, "C1") == Node(
        Label.COURSE, "C1", {"name": "课程", "hours": 3}
    )


def test_a_lock_held_longer_than_the_retries_is_one_clear_error(
    url: str, neo4j_store: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    neo4j_store.write([Node(Label.COURSE, "C1", {"hours": 1})], [])
    monkeypatch.setattr(neo4j_store.runner, "retries", 1)
    monkeypatch.setattr(runners.time, "sleep", lambda seconds: None)
    with neo4j.GraphDatabase.driver(url, auth=None) as driver, driver.session() as session:
        holder = session.begin_transaction()
        holder.run("MATCH (c:Course {id: 'C1'}) SET c.hours = 2").consume()
        with pytest.raises(StoreUnavailable) as caught:
            neo4j_store.write([Node(Label.COURSE, "C1", {"hours": 3})], [])
        holder.rollback()
    assert "正忙" in caught.value.zh and "未生效" in caught.value.zh
    assert "busy" in caught.value.en
    assert neo4j_store.get_node(Label.COURSE, "C1") == Node(
        Label.COURSE, "C1", {"name": "C1", "hours": 1}
    )


# --- a second server: authentication on; killed mid-write ------------------------------


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jServer]:
    server = start_neo4j(tmp_path_factory.mktemp("neo4j-auth") / "server", password=PASSWORD)
    yield server
    server.stop()


def test_wrong_credentials_say_so_without_the_password(auth_server: Neo4jServer) -> None:
    wrong = f"bolt://neo4j:S3cretPw@127.0.0.1:{auth_server.port}"
    with pytest.raises(StoreUnavailable) as caught:
        config.open_store(wrong)
    assert "认证失败" in caught.value.zh and "authentication" in caught.value.en
    assert "S3cretPw" not in str(caught.value) and "S3cretPw" not in caught.value.en
    with pytest.raises(StoreUnavailable) as anonymous:
        config.open_store(auth_server.url)  # no password at all
    assert "认证失败" in anonymous.value.zh
    with config.open_store(f"bolt://neo4j:{PASSWORD}@127.0.0.1:{auth_server.port}") as store:
        assert store.stats().nodes[Label.COURSE] == 0


def _blocked_ingest(driver: neo4j.Driver) -> bool:
    """Whether a chanjiao write transaction is waiting for a lock."""
    rows = driver.execute_query(
        "SHOW TRANSACTIONS YIELD currentQuery, status "
        "WHERE status STARTS WITH 'Blocked' AND currentQuery STARTS WITH 'UNWIND $rows' "
        "RETURN count(*) AS n"
    ).records
    return bool(rows[0]["n"])


def test_server_killed_mid_write_keeps_the_old_state(
    auth_server: Neo4jServer, tmp_path: Path
) -> None:
    """The ingest is inside its transaction, blocked on a lock the test holds, when the
    server is SIGKILLed; on restart nothing of it is there, and the re-run lands."""
    synthetic = tmp_path / "synthetic"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), str(synthetic), "--scale", "0.03"],
        check=True,
        capture_output=True,
    )
    auth = ("neo4j", PASSWORD)
    location = f"bolt://neo4j:{PASSWORD}@127.0.0.1:{auth_server.port}"
    store = config.open_store(location)
    ingest(store, SMALL)
    old = dump(store)
    last_course = sorted(
        line.split(",", 1)[0]
        for line in (synthetic / "courses.csv").read_text(encoding="utf-8").splitlines()[1:]
    )[-1]
    failures: list[BaseException] = []
    driver = neo4j.GraphDatabase.driver(auth_server.url, auth=auth)
    session = driver.session()
    holder = session.begin_transaction()  # holds the unique-id lock the ingest will need
    holder.run("CREATE (:Course {id: $id})", id=last_course).consume()

    def load() -> None:
        try:
            ingest(store, synthetic)
        except BaseException as exc:  # handed to the test thread
            failures.append(exc)

    worker = threading.Thread(target=load)
    worker.start()
    try:
        deadline = time.monotonic() + 120
        while not _blocked_ingest(driver):
            assert worker.is_alive() and time.monotonic() < deadline, "never blocked"
            time.sleep(0.02)
        auth_server.kill()
        worker.join(timeout=120)
    finally:
        session.close()
        driver.close()
        store.close()
    [failure] = failures
    assert isinstance(failure, StoreUnavailable) and "重新运行" in failure.zh
    assert PASSWORD not in str(failure)

    restarted = start_neo4j(auth_server.data_dir, password=PASSWORD)
    auth_server.port, auth_server.process = restarted.port, restarted.process
    location = f"bolt://neo4j:{PASSWORD}@127.0.0.1:{restarted.port}"
    with config.open_store(location) as again:
        assert dump(again) == old  # nothing of the lost write
        ingest(again, synthetic)  # the same load, re-run, lands whole
        assert ingest(again, synthetic).changed == 0
        assert again.get_node(Label.COURSE, last_course) is not None
