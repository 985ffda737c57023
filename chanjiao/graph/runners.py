"""Runners: how `Neo4jStore` sends its Cypher to a server, and nothing else.

The store speaks only Cypher and hands it to a runner, so the same store code runs
on Neo4j (through the official driver) and on FalkorDB (through its native protocol,
which the tests use: DESIGN §5). A runner does three things: run a read, run a list
of write statements as one transaction, close. Driver errors are mapped here into
`StoreUnavailable`, most specific first, so callers see one error kind.
"""

from __future__ import annotations

import math
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from contextlib import suppress
from enum import StrEnum
from typing import Any

import neo4j
import redis
from falkordb import FalkorDB
from neo4j.exceptions import (
    AuthError,
    ConfigurationError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)
from redis.backoff import NoBackoff
from redis.retry import Retry

from chanjiao.errors import StoreUnavailable
from chanjiao.graph import cypher

#: One Cypher statement and its parameters.
Statement = tuple[str, Mapping[str, Any]]


class Engine(StrEnum):
    """The Cypher engine a runner talks to; index and constraint syntax depend on it."""

    NEO4J = "neo4j"
    FALKORDB = "falkordb"


class CypherRunner(ABC):
    """Runs Cypher on one graph of one server.

    Attributes:
        location: where the graph is, as users name it (no password).
        engine: the engine actually connected (probed, not taken from the agent string).
    """

    location: str
    engine: Engine

    @abstractmethod
    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Run a read query; rows as tuples of plain values, in the order returned."""

    @abstractmethod
    def write(self, statements: Sequence[Statement]) -> None:
        """Run every statement in one transaction: all of them land, or none.

        Raises:
            StoreUnavailable: the server failed or went away; nothing was written.
        """

    @abstractmethod
    def close(self) -> None:
        """Release the connections."""


def _lost(location: str, exc: BaseException) -> StoreUnavailable:
    return StoreUnavailable(
        f"与图数据库 {location} 的连接中断，本次写入未生效，可重新运行：{exc}",
        f"the connection to the graph database {location} was lost; nothing of this "
        f"write was applied and it can be run again: {exc}",
    )


def _failed(location: str, exc: BaseException) -> StoreUnavailable:
    return StoreUnavailable(
        f"图数据库 {location} 执行查询失败：{exc}",
        f"the graph database {location} failed to run a query: {exc}",
    )


# --- Neo4j through the official driver -------------------------------------------------


class Neo4jRunner(CypherRunner):
    """Cypher through the official `neo4j` driver (Neo4j 5, a cluster or Aura).

    Reads go through `Driver.execute_query` with ``routing_=READ`` (a cluster sends
    them to followers or read replicas). A write is one explicit transaction in a
    session sharing the driver's bookmark manager, so later reads see it (causal
    consistency). A write that fails on a transient error or a lost connection is
    rolled back and re-run as a whole, at most `retries` more times: the statements
    are idempotent upserts and deletes, so running one twice is harmless.

    Args:
        driver: an open driver (injected: tests pass ``MagicMock(spec=neo4j.Driver)``).
        database: the database name, or None for the server's default.
        location: the URL to name in messages.
        engine: the engine if known; else probed with ``CALL dbms.components()``.
        retries: how often a failed write transaction is retried.
        backoff: seconds before the first retry (doubled each time).
    """

    def __init__(
        self,
        driver: neo4j.Driver,
        *,
        database: str | None = None,
        location: str = "neo4j",
        engine: Engine | None = None,
        retries: int = 2,
        backoff: float = 0.2,
    ) -> None:
        self.driver = driver
        self.database = database
        self.location = location
        self.retries = retries
        self.backoff = backoff
        self.engine = engine if engine is not None else self._probe()

    def _probe(self) -> Engine:
        """Neo4j answers ``dbms.components()``; FalkorDB has no such procedure."""
        try:
            rows = self.read(cypher.PROBE_NEO4J)
        except StoreUnavailable:
            rows = []
        if any(str(row[0]).startswith("Neo4j") for row in rows):
            return Engine.NEO4J
        names = {str(row[0]) for row in self.read(cypher.PROBE_PROCEDURES)}
        if cypher.FALKORDB_ONLY_PROCEDURE in names:
            return Engine.FALKORDB
        raise StoreUnavailable(
            f"{self.location} 既不是 Neo4j 也不是 FalkorDB，无法使用",
            f"{self.location} is neither Neo4j nor FalkorDB; cannot use it",
        )

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        try:
            result = self.driver.execute_query(
                query,
                parameters_=dict(params or {}),
                routing_=neo4j.RoutingControl.READ,
                database_=self.database,
            )
        except (Neo4jError, DriverError) as exc:
            raise _neo4j_error(self.location, self.database, exc) from exc
        return [tuple(record.values()) for record in result.records]

    def write(self, statements: Sequence[Statement]) -> None:
        attempt = 0
        while True:
            try:
                self._write_once(statements)
                return
            except (TransientError, ServiceUnavailable, SessionExpired) as exc:
                if attempt >= self.retries:
                    raise _lost(self.location, exc) from exc
                time.sleep(self.backoff * 2**attempt)
                attempt += 1
            except (Neo4jError, DriverError) as exc:
                raise _neo4j_error(self.location, self.database, exc) from exc

    def _write_once(self, statements: Sequence[Statement]) -> None:
        with self.driver.session(
            database=self.database,
            bookmark_manager=self.driver.execute_query_bookmark_manager,
        ) as session:
            tx = session.begin_transaction()
            try:
                for query, params in statements:
                    tx.run(query, dict(params))
                tx.commit()
            except BaseException:
                with suppress(Neo4jError, DriverError, OSError):
                    tx.rollback()
                raise

    def close(self) -> None:
        self.driver.close()


def _neo4j_error(location: str, database: str | None, exc: Exception) -> StoreUnavailable:
    """A driver error as the user should read it, most specific first."""
    if isinstance(exc, AuthError):
        return StoreUnavailable(
            f"图数据库 {location} 认证失败：用户名或密码错误"
            f"（可在地址中给出，或设置环境变量 NEO4J_USER / NEO4J_PASSWORD）",
            f"authentication to the graph database {location} failed: wrong user or "
            "password (give them in the URL or set NEO4J_USER / NEO4J_PASSWORD)",
        )
    if isinstance(exc, ServiceUnavailable | SessionExpired):
        return StoreUnavailable(
            f"无法连接图数据库 {location}：{exc}",
            f"cannot reach the graph database {location}: {exc}",
        )
    if isinstance(exc, Neo4jError) and exc.code == "Neo.ClientError.Database.DatabaseNotFound":
        return StoreUnavailable(
            f"图数据库 {location} 上没有数据库 {database}",
            f"the graph database {location} has no database {database}",
        )
    return _failed(location, exc)


def connect_neo4j(
    url: str,
    auth: tuple[str, str] | None,
    *,
    database: str | None = None,
    location: str | None = None,
    timeout: float = 3.0,
) -> Neo4jRunner:
    """A runner over a new driver, its connection and credentials checked.

    `auth` is (user, password), or None for a server without authentication.

    Every wait is bounded by about `timeout` seconds (connecting, acquiring a
    connection, retrying), so an unreachable server fails fast, naming the URL.

    Raises:
        StoreUnavailable: the URL is malformed, the server unreachable, or the
            credentials wrong.
    """
    where = location or url
    try:
        driver = neo4j.GraphDatabase.driver(
            url,
            auth=auth,
            connection_timeout=timeout,
            connection_acquisition_timeout=2 * timeout,
            max_transaction_retry_time=2 * timeout,
        )
    except (ConfigurationError, ValueError) as exc:
        raise StoreUnavailable(
            f"图数据库地址 {where} 无效：{exc}", f"the graph database URL {where} is invalid: {exc}"
        ) from exc
    try:
        driver.verify_connectivity()
        return Neo4jRunner(driver, database=database, location=where)
    except (Neo4jError, DriverError, OSError) as exc:
        driver.close()
        if isinstance(exc, OSError):
            exc = ServiceUnavailable(str(exc))
        raise _neo4j_error(where, database, exc) from exc
    except BaseException:
        driver.close()
        raise


# --- FalkorDB through its native protocol ----------------------------------------------


def cypher_literal(value: Any) -> str:
    """A value as a Cypher literal for FalkorDB's ``CYPHER name=value`` parameter header.

    Strings are quoted with backslash escapes; only the plain value types a property
    may hold (and lists and maps of them) are accepted.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"not a finite number: {value!r}")
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ",".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, Mapping):
        parts = []
        for key, item in value.items():
            if not isinstance(key, str) or not key or "`" in key:
                raise TypeError(f"not a property name: {key!r}")
            parts.append(f"`{key}`:{cypher_literal(item)}")
        return "{" + ",".join(parts) + "}"
    raise TypeError(f"cannot store a {type(value).__name__} in the graph")


def with_params(query: str, params: Mapping[str, Any] | None) -> str:
    """The query prefixed with FalkorDB's parameter header."""
    if not params:
        return query
    header = " ".join(f"{name}={cypher_literal(value)}" for name, value in params.items())
    return f"CYPHER {header} {query}"


class FalkorDBRunner(CypherRunner):
    """Cypher on one FalkorDB graph through the native protocol (the `falkordb` client).

    A write is the statements queued between ``MULTI`` and ``EXEC``: no other client's
    command runs between them and nobody sees part of them; a server that dies before
    ``EXEC`` ends has applied none of them. FalkorDB undoes a failing query but not
    the queries before it in the same ``EXEC``, so the store checks every value
    before it writes (a `TypeError` leaves the graph untouched).

    Args:
        client: a connected client.
        graph: the graph name (one server holds many).
        location: the URL to name in messages.
    """

    engine = Engine.FALKORDB

    def __init__(self, client: FalkorDB, graph: str, *, location: str = "falkordb") -> None:
        self.client = client
        self.graph_name = graph
        self.graph = client.select_graph(graph)
        self.location = location

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        text = with_params(query, params)
        try:
            result = self.graph.ro_query(text)
        except redis.ResponseError as exc:
            if "empty key" in str(exc):  # the graph does not exist yet: it is empty
                return []
            raise _failed(self.location, exc) from exc
        except redis.RedisError as exc:
            raise StoreUnavailable(
                f"无法连接图数据库 {self.location}：{exc}",
                f"cannot reach the graph database {self.location}: {exc}",
            ) from exc
        return [tuple(_plain(v) for v in row) for row in result.result_set]

    def write(self, statements: Sequence[Statement]) -> None:
        if not statements:
            return
        commands = [with_params(query, params) for query, params in statements]
        try:
            pipe = self.client.connection.pipeline(transaction=True)
            for text in commands:
                pipe.execute_command("GRAPH.QUERY", self.graph_name, text, "--compact")
            pipe.execute()
        except redis.ResponseError as exc:
            raise _failed(self.location, exc) from exc
        except redis.RedisError as exc:
            raise _lost(self.location, exc) from exc

    def close(self) -> None:
        with suppress(redis.RedisError):
            self.client.connection.close()


def _plain(value: Any) -> Any:
    """The client's OrderedDicts as plain dicts (equal either way; cheaper to copy)."""
    if isinstance(value, dict):
        return dict(value)
    return value


def connect_falkordb(
    host: str,
    port: int,
    graph: str,
    *,
    username: str | None = None,
    password: str | None = None,
    location: str | None = None,
    timeout: float = 3.0,
    query_timeout: float | None = None,
) -> FalkorDBRunner:
    """A runner on one graph of a FalkorDB server, the connection checked.

    Connecting waits at most `timeout` seconds and is not retried, so an unreachable
    server fails fast, naming the URL; a query waits at most `query_timeout` seconds
    for its answer (None: forever), so a frozen server is an error, not a hang.

    Raises:
        StoreUnavailable: the server is unreachable or refuses the credentials.
    """
    where = location or f"falkordb://{host}:{port}/{graph}"
    try:
        client = FalkorDB(
            host=host,
            port=port,
            username=username,
            password=password,
            socket_connect_timeout=timeout,
            socket_timeout=query_timeout,
            retry=Retry(NoBackoff(), 0),
        )
        client.connection.ping()
    except redis.AuthenticationError as exc:
        raise StoreUnavailable(
            f"图数据库 {where} 认证失败：用户名或密码错误",
            f"authentication to the graph database {where} failed: wrong user or password",
        ) from exc
    except redis.RedisError as exc:
        raise StoreUnavailable(
            f"无法连接图数据库 {where}：{exc}",
            f"cannot reach the graph database {where}: {exc}",
        ) from exc
    return FalkorDBRunner(client, graph, location=where)
