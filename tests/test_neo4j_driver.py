"""Driver behaviour no single local Neo4j server shows, against ``MagicMock(spec=neo4j.Driver)``.

Read routing to a cluster's readers, the shape of an ingest's transaction, a
connection that drops at commit and comes back (or stays down), and how a
``neo4j+s://`` URL with credentials and a database becomes driver options. What a
real server shows (rollback, constraints, ``?database=``, lock retries, a server
killed mid-write, wrong credentials) is in tests/test_neo4j_server.py.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from unittest.mock import MagicMock

import neo4j
import pytest
from neo4j.exceptions import ClientError, ServiceUnavailable

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
        notifications_min_severity=neo4j.NotificationMinimumSeverity.OFF,
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
