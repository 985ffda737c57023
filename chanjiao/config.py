"""Where the store is, and opening it: `--store`, else env `CHANJIAO_STORE`, else ./chanjiao.db.

A location is one of:

- a file path, or ``sqlite:///path``: the embedded store;
- ``bolt://``, ``bolt+s://``, ``neo4j://``, ``neo4j+s://`` (also ``+ssc``) URLs: Neo4j
  through the official driver; user and password from the URL or the environment
  (``NEO4J_USER``, ``NEO4J_PASSWORD``), the database from ``?database=name`` or
  ``NEO4J_DATABASE``; no password means no authentication;
- ``falkordb://[user:password@]host[:port][/graph]``: FalkorDB through its native
  protocol (graph ``chanjiao`` unless named).

Server URLs may add ``batch_rows=N`` and ``batch_bytes=N`` to the query string: the
largest ``UNWIND $rows`` batch a write sends; ``falkordb://`` URLs also ``timeout=S``,
the seconds a query may wait for an answer (default 60) before the store reports the
server unavailable.

Opening a server store fails within a few seconds, naming the URL, when the server
cannot be reached, and says so when the user or password is wrong.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, fields
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from chanjiao.errors import InvalidRequest, MissingExtra, StoreUnavailable

if TYPE_CHECKING:
    from chanjiao.graph.store import GraphStore

DEFAULT_STORE = "chanjiao.db"
ENV_STORE = "CHANJIAO_STORE"
ENV_USER = "NEO4J_USER"
ENV_PASSWORD = "NEO4J_PASSWORD"
ENV_DATABASE = "NEO4J_DATABASE"
NEO4J_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
DEFAULT_GRAPH = "chanjiao"
#: Seconds to wait for a server before giving up (connect, and retries of a write).
CONNECT_TIMEOUT = 3.0
#: Seconds a query to a graph server may wait for its answer (``?timeout=S`` in the URL).
QUERY_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class Limits:
    """How much input a dataset may be, on the CLI and the API alike (env ``CHANJIAO_LIMIT_*``).

    Read once per process (`limits`), e.g. ``CHANJIAO_LIMIT_MAX_ROWS_PER_FILE=500000``.
    Why limits at all: a dataset is untrusted input; without them a 478 KB zip can grow
    a server to gigabytes, a nested JSON document can exhaust the stack, and a
    400-digit number poisons every later analysis. The defaults leave room for a
    national dataset (850,000 rows). A plain dataclass, not pydantic-settings: that
    import alone would double the CLI's start-up time.

    Attributes:
        max_json_depth: deepest nesting of a JSON dataset (a dataset needs 4).
        max_cell_chars: most characters in one cell.
        max_rows_per_file: most data rows in one file or sheet.
        max_unzipped_bytes: most bytes a .zip or .xlsx may expand to, all members.
        max_zip_ratio: most a member may expand relative to its compressed size.
        max_zip_members: most files in a .zip or .xlsx.
        max_headcount: largest ``demand`` and ``headcount`` of a position.
        max_weight: largest ``weight`` of a requirement.
        max_credits: largest ``credits`` of a course.
    """

    max_json_depth: int = 16
    max_cell_chars: int = 10_000
    max_rows_per_file: int = 2_000_000
    max_unzipped_bytes: int = 512 * 1024 * 1024
    max_zip_ratio: int = 200
    max_zip_members: int = 200
    max_headcount: int = 1_000_000
    max_weight: float = 1000.0
    max_credits: float = 100.0

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, each replaced by its ``CHANJIAO_LIMIT_<NAME>`` if set.

        Raises:
            InvalidRequest: a variable is not a positive number.
        """
        values: dict[str, Any] = {}
        for item in fields(cls):
            name = f"CHANJIAO_LIMIT_{item.name.upper()}"
            text = os.environ.get(name)
            if text is None:
                continue
            kind = float if item.type == "float" else int
            try:
                value = kind(text.strip().replace("_", ""))
            except ValueError:
                value = 0
            if not 0 < value <= 2**53:
                raise InvalidRequest(
                    f"环境变量 {name} 应为正数，实际为“{text[:40]}”",
                    f"the environment variable {name} must be a positive number, got '{text[:40]}'",
                )
            values[item.name] = value
        return cls(**values)


@functools.cache
def limits() -> Limits:
    """The process's input limits, from the environment (once)."""
    return Limits.from_env()


def store_location(option: str | None = None) -> str:
    """The store the user asked for, by precedence: option, environment, default."""
    return option or os.environ.get(ENV_STORE) or DEFAULT_STORE


def embedded_path(location: str | None = None) -> Path | None:
    """The file of the embedded store a location names; None for a server URL."""
    where = store_location(location)
    if where.startswith("sqlite:///"):
        return Path(where[len("sqlite:///") - 1 :]).expanduser()
    if where.startswith("sqlite://"):
        return Path(where[len("sqlite://") :]).expanduser()
    return None if "://" in where else Path(where).expanduser()


def redact(url: str) -> str:
    """A URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host += f":{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


def open_store(location: str | None = None) -> GraphStore:
    """Open the store at `location` (see the module docstring for the kinds).

    Raises:
        StoreUnavailable: the location cannot be opened or names no store kind we know.
    """
    where = store_location(location)
    scheme = where.split("://", 1)[0].lower() if "://" in where else ""
    if scheme in NEO4J_SCHEMES:
        return open_neo4j(where)
    if scheme == "falkordb":
        return open_falkordb(where)
    path = embedded_path(where)
    if path is None:
        raise StoreUnavailable(
            f"不支持的存储地址 {scheme}://；请给出数据库文件路径（如 ./chanjiao.db）、"
            "bolt:// / neo4j:// 地址或 falkordb:// 地址",
            f"unsupported store address {scheme}://; give a database file path "
            "(e.g. ./chanjiao.db), a bolt:// or neo4j:// URL, or a falkordb:// URL",
        )
    from chanjiao.graph.embedded import EmbeddedStore

    return EmbeddedStore(path)


def _runners() -> ModuleType:
    """The server runners (the [neo4j] extra: neo4j, falkordb, redis)."""
    try:
        from chanjiao.graph import runners
    except ImportError as exc:
        raise MissingExtra.for_extra(
            "neo4j", "连接 Neo4j / FalkorDB 服务器", "a Neo4j or FalkorDB server store", exc
        ) from exc
    return runners


def open_neo4j(url: str) -> GraphStore:
    """A `Neo4jStore` over the official driver, connected and checked."""
    connect_neo4j = _runners().connect_neo4j
    from chanjiao.graph.neo4j import Neo4jStore

    parts = urlsplit(url)
    user = unquote(parts.username) if parts.username else os.environ.get(ENV_USER, "neo4j")
    password = unquote(parts.password) if parts.password else os.environ.get(ENV_PASSWORD, "")
    query = parse_qs(parts.query)
    database = (query.get("database") or [os.environ.get(ENV_DATABASE, "")])[0] or None
    host = parts.hostname or "localhost"
    if parts.port is not None:
        host += f":{parts.port}"
    bare = urlunsplit((parts.scheme, host, "", "", ""))
    runner = connect_neo4j(
        bare,
        (user, password) if password else None,
        database=database,
        location=redact(url),
        timeout=CONNECT_TIMEOUT,
    )
    try:
        rows, size = _batch_options(url, query)
        return Neo4jStore(runner, batch_rows=rows, batch_bytes=size)
    except BaseException:
        runner.close()
        raise


def open_falkordb(url: str) -> GraphStore:
    """A `Neo4jStore` over FalkorDB's native protocol, connected and checked."""
    connect_falkordb = _runners().connect_falkordb
    from chanjiao.graph.neo4j import Neo4jStore

    parts = urlsplit(url)
    try:
        port = parts.port or 6379
    except ValueError as exc:
        raise StoreUnavailable(
            f"存储地址 {redact(url)} 的端口无效", f"the port of {redact(url)} is not valid"
        ) from exc
    graph = unquote(parts.path.strip("/")) or DEFAULT_GRAPH
    runner = connect_falkordb(
        parts.hostname or "localhost",
        port,
        graph,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        location=redact(url),
        timeout=CONNECT_TIMEOUT,
        query_timeout=_query_timeout(url, parse_qs(parts.query)),
    )
    try:
        rows, size = _batch_options(url, parse_qs(parts.query))
        return Neo4jStore(runner, batch_rows=rows, batch_bytes=size)
    except BaseException:
        runner.close()
        raise


def _query_timeout(url: str, query: dict[str, list[str]]) -> float:
    """``?timeout=S``: seconds a query may wait for the server's answer (default 60)."""
    if "timeout" not in query:
        return QUERY_TIMEOUT
    try:
        seconds = float(query["timeout"][0])
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < 86400:
        raise StoreUnavailable(
            f"存储地址 {redact(url)} 中的 timeout 必须是正的秒数",
            f"timeout in {redact(url)} must be a positive number of seconds",
        )
    return seconds


def _batch_options(url: str, query: dict[str, list[str]]) -> tuple[int, int]:
    """``?batch_rows=N&batch_bytes=N``: how big each ``UNWIND $rows`` write may be."""
    options = {"batch_rows": 1000, "batch_bytes": 1_000_000}
    for name in ("batch_rows", "batch_bytes"):
        if name in query:
            try:
                options[name] = int(query[name][0])
            except ValueError:
                options[name] = 0
            if options[name] < 1:
                raise StoreUnavailable(
                    f"存储地址 {redact(url)} 中的 {name} 必须是正整数",
                    f"{name} in {redact(url)} must be a positive integer",
                )
    return options["batch_rows"], options["batch_bytes"]
