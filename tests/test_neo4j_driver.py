"""Neo4j-only behaviour, against ``MagicMock(spec=neo4j.Driver)`` with exact queries.

FalkorDB cannot show these (DESIGN §5): Neo4j 5 constraint syntax, read routing,
the database option, rollback of an ingest that fails half-way, retries of a write
whose connection drops, and how driver errors read.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from unittest.mock import MagicMock, call

import neo4j
import pytest
from neo4j.exceptions import AuthError, ClientError, ServiceUnavailable

from chanjiao import config
from chanjiao.errors import StoreUnavailable
from chanjiao.graph import cypher
from chanjiao.graph.neo4j import Neo4jStore
from chanjiao.graph.runners import Engine, Neo4jRunner
from chanjiao.graph.schema import Label, Node
from chanjiao.ingest.load import ingest
from tests.util import SMALL


def records(*rows: dict[str, Any]) -> SimpleNamespace:
    return SimpleNamespace(records=[neo4j.Record(row) for row in rows])


def neo4j_driver() -> tuple[MagicMock, MagicMock]:
    """A driver mock answering the engine probe as Neo4j 5 does; and its transaction."""
    driver = MagicMock(spec=neo4j.Driver)

    def answer(query: str, **_: Any) -> SimpleNamespace:
        if query == cypher.PROBE_NEO4J:
            return records({"name": "Neo4j Kernel"})
        return records()

    driver.execute_query.side_effect = answer
    session = driver.session.return_value.__enter__.return_value
    tx = session.begin_transaction.return_value
    return driver, tx


def test_constraints_in_neo4j_5_syntax_on_connect() -> None:
    driver, tx = neo4j_driver()
    runner = Neo4jRunner(driver, database="college")
    assert runner.engine is Engine.NEO4J
    Neo4jStore(runner)
    assert tx.run.call_args_list == [
        call(
            f"CREATE CONSTRAINT chanjiao_{label.value.lower()}_id IF NOT EXISTS "
            f"FOR (n:{label.value}) REQUIRE n.id IS UNIQUE",
            {},
        )
        for label in Label
    ]
    tx.commit.assert_called_once_with()
    driver.session.assert_called_once_with(
        database="college", bookmark_manager=driver.execute_query_bookmark_manager
    )


def test_the_engine_is_probed_not_taken_from_the_agent_string() -> None:
    """FalkorDB over Bolt claims Neo4j/5.13.0 but has no dbms.components()."""
    driver = MagicMock(spec=neo4j.Driver)

    def answer(query: str, **_: Any) -> SimpleNamespace:
        if query == cypher.PROBE_NEO4J:
            raise ClientError("Procedure `dbms.components` is not registered")
        if query == cypher.PROBE_PROCEDURES:
            return records({"name": "algo.BFS"}, {"name": cypher.FALKORDB_ONLY_PROCEDURE})
        return records()

    driver.execute_query.side_effect = answer
    runner = Neo4jRunner(driver)
    assert runner.engine is Engine.FALKORDB
    Neo4jStore(runner)
    tx = driver.session.return_value.__enter__.return_value.begin_transaction.return_value
    statements = [c.args[0] for c in tx.run.call_args_list]
    assert statements == [f"CREATE INDEX FOR (n:{label.value}) ON (n.id)" for label in Label]


def test_reads_are_routed_to_readers_with_the_database() -> None:
    driver, _ = neo4j_driver()
    store = Neo4jStore(Neo4jRunner(driver, database="college"), ensure_schema=False)
    driver.execute_query.side_effect = None
    driver.execute_query.return_value = records(
        {"n.id": "C1", "properties(n)": {"id": "C1", "name": "课程", "hours": 64}}
    )
    found = store.nodes(Label.COURSE, ["C1", "C1"])
    assert found == {"C1": Node(Label.COURSE, "C1", {"name": "课程", "hours": 64})}
    driver.execute_query.assert_called_with(
        "UNWIND $ids AS i MATCH (n:Course {id: i}) RETURN n.id, properties(n)",
        parameters_={"ids": ["C1"]},
        routing_=neo4j.RoutingControl.READ,
        database_="college",
    )


def test_an_ingest_is_one_transaction_of_unwind_batches() -> None:
    driver, tx = neo4j_driver()
    store = Neo4jStore(Neo4jRunner(driver), batch_rows=2, ensure_schema=False)
    driver.execute_query.side_effect = lambda query, **_: records()
    ingest(store, SMALL)
    driver.session.assert_called_once()
    driver.session.return_value.__enter__.return_value.begin_transaction.assert_called_once_with()
    tx.commit.assert_called_once_with()
    tx.rollback.assert_not_called()
    queries = [c.args[0] for c in tx.run.call_args_list]
    course_batches = [
        c.args[1]["rows"]
        for c in tx.run.call_args_list
        if c.args[0] == cypher.merge_nodes(Label.COURSE)
    ]
    assert [len(rows) for rows in course_batches] == [2, 2, 1]  # 5 courses, 2 a batch
    # The change-log entry goes last, in the same transaction.
    log = [i for i, q in enumerate(queries) if "ChanjiaoDocument" in q]
    assert log and log[-1] == len(queries) - 1 and cypher.SAVE_DOCUMENT in queries
    graph = queries[: log[0]]
    assert all(q.startswith("UNWIND $rows AS row ") for q in graph)
    # Nodes first: every relationship's ends exist when it is merged.
    first_rel = next(i for i, q in enumerate(graph) if "MERGE (a)-[r:" in q)
    assert all("MERGE (n:" in q for q in graph[:first_rel])


def test_failure_mid_ingest_rolls_back_and_can_be_rerun() -> None:
    driver, tx = neo4j_driver()
    store = Neo4jStore(Neo4jRunner(driver), batch_rows=2, ensure_schema=False)
    driver.execute_query.side_effect = lambda query, **_: records()
    calls = {"n": 0}

    def run(query: str, params: dict[str, Any]) -> None:
        calls["n"] += 1
        if calls["n"] == 5:
            raise ClientError("Neo.ClientError.Statement.SemanticError")

    tx.run.side_effect = run
    with pytest.raises(StoreUnavailable) as caught:
        ingest(store, SMALL)
    assert "执行查询失败" in caught.value.zh
    tx.commit.assert_not_called()
    tx.rollback.assert_called_once_with()
    assert calls["n"] == 5  # nothing after the failing statement
    tx.run.side_effect = None
    ingest(store, SMALL)  # the same load again, now whole
    tx.commit.assert_called_once_with()


def test_a_dropped_connection_is_retried_as_a_whole_transaction() -> None:
    driver, tx = neo4j_driver()
    runner = Neo4jRunner(driver, retries=2, backoff=0)
    store = Neo4jStore(runner, ensure_schema=False)
    tx.commit.side_effect = [ServiceUnavailable("connection lost"), None]
    store.write([Node(Label.COURSE, "C1", {"name": "课程"})], [])
    assert driver.session.call_count == 2
    assert tx.run.call_count == 2  # the whole transaction again
    assert tx.commit.call_count == 2
    tx.rollback.assert_called_once_with()


def test_a_connection_that_stays_down_gives_one_clear_error() -> None:
    driver, tx = neo4j_driver()
    runner = Neo4jRunner(driver, location="neo4j://db.example:7687", retries=2, backoff=0)
    store = Neo4jStore(runner, ensure_schema=False)
    tx.commit.side_effect = ServiceUnavailable("connection lost")
    with pytest.raises(StoreUnavailable) as caught:
        store.write([Node(Label.COURSE, "C1", {"name": "课程"})], [])
    assert "neo4j://db.example:7687" in caught.value.zh
    assert "未生效" in caught.value.zh and "run again" in caught.value.en
    assert tx.commit.call_count == 3 and tx.rollback.call_count == 3


def test_url_credentials_database_and_bounded_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    driver, _ = neo4j_driver()
    factory = MagicMock(return_value=driver)
    monkeypatch.setattr(neo4j.GraphDatabase, "driver", factory)
    store = config.open_store("neo4j+s://alice:s%40cret@db.example:7687?database=college")
    factory.assert_called_once_with(
        "neo4j+s://db.example:7687",
        auth=("alice", "s@cret"),
        connection_timeout=config.CONNECT_TIMEOUT,
        connection_acquisition_timeout=2 * config.CONNECT_TIMEOUT,
        max_transaction_retry_time=2 * config.CONNECT_TIMEOUT,
    )
    driver.verify_connectivity.assert_called_once_with()
    assert store.location == "neo4j+s://alice:***@db.example:7687?database=college"
    driver.execute_query.assert_any_call(
        cypher.PROBE_NEO4J,
        parameters_={},
        routing_=neo4j.RoutingControl.READ,
        database_="college",
    )


def test_credentials_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    driver, _ = neo4j_driver()
    factory = MagicMock(return_value=driver)
    monkeypatch.setattr(neo4j.GraphDatabase, "driver", factory)
    monkeypatch.setenv("NEO4J_USER", "bob")
    monkeypatch.setenv("NEO4J_PASSWORD", "pw")
    config.open_store("bolt://localhost:7687")
    assert factory.call_args.kwargs["auth"] == ("bob", "pw")


def test_wrong_password_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    driver, _ = neo4j_driver()
    driver.verify_connectivity.side_effect = AuthError("The client is unauthorized")
    monkeypatch.setattr(neo4j.GraphDatabase, "driver", MagicMock(return_value=driver))
    with pytest.raises(StoreUnavailable) as caught:
        config.open_store("bolt://neo4j:S3cretPw@localhost:7687")
    assert "认证失败" in caught.value.zh and "authentication" in caught.value.en
    assert "S3cretPw" not in str(caught.value)  # the password is never printed
    driver.close.assert_called_once_with()
