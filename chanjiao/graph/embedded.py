"""The embedded store: one SQLite file is the truth, networkx holds graphs in memory.

Design (see README, "Architecture"):

- The SQLite file (WAL mode, ``synchronous=FULL``) is the durable truth. Every
  `write` is one ``BEGIN IMMEDIATE`` transaction, so it lands whole or not at all,
  whichever process dies when.
- Opening a store reads nothing but the schema version, so a cold open costs
  milliseconds whatever the graph's size.
- The analysis hot path (gap analysis) reads through the aggregated reads of
  `GraphStore`, answered by indexed SQL on ``(type, src)`` and ``(type, dst)``:
  it touches the cluster's courses and the chain's positions, never the whole graph.
- Graph algorithms (prerequisite order, cycle checks) run on networkx graphs built
  lazily from SQLite. They, and the aggregated reads (a chain's scope, a cluster's
  curriculum, an ability's closers), are cached in memory tagged with the store's
  ``generation``; every write, from any process, bumps it, so a reader never gets
  a stale answer and sees a committed write on its next call.
- Each thread has its own connection; a `reading()` block is one read
  transaction, so several reads see one snapshot while another process writes.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import math
import os
import sqlite3
import threading
import zlib
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from chanjiao.errors import StoreFull, StoreUnavailable
from chanjiao.graph.cache import GenerationCache
from chanjiao.graph.schema import Label, Node, Rel, Relationship
from chanjiao.graph.store import (
    CLOSER_KINDS,
    ChainScope,
    Document,
    DocumentKind,
    GraphStore,
    Neighbour,
    RelKey,
    ResultRow,
    ScopePosition,
    ScopeRequirement,
    ScopeSegment,
    Stats,
    StudentRecords,
    StudentRow,
    chain_not_found,
    check_filters,
    clearable,
    document_exists,
    frozen_prerequisites,
    int_or_none,
    segment_not_found,
    utc_now,
)
from chanjiao.graph.values import INT_MAX, INT_MIN, check_property

if TYPE_CHECKING:
    import networkx as nx

SCHEMA_VERSION = "chanjiao/1"

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (
    label TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT,
    props TEXT NOT NULL,
    PRIMARY KEY (label, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rels (
    type TEXT NOT NULL,
    src TEXT NOT NULL,
    dst TEXT NOT NULL,
    src_label TEXT NOT NULL,
    dst_label TEXT NOT NULL,
    props TEXT NOT NULL,
    PRIMARY KEY (type, src, dst, src_label, dst_label)
) WITHOUT ROWID;
"""
#: Documents beside the graph (versions, change log, scenarios); added to older files on open.
_DOCUMENTS = """
CREATE TABLE IF NOT EXISTS documents (
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    created TEXT NOT NULL,
    body BLOB NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (kind, name)
) WITHOUT ROWID
"""
_INDEX_BY_DST = "CREATE INDEX IF NOT EXISTS rels_by_dst ON rels (type, dst, src)"


_UPSERT_NODE = """
INSERT INTO nodes (label, id, name, props) VALUES (?, ?, ?, ?)
ON CONFLICT (label, id) DO UPDATE SET
    name = coalesce(excluded.name, nodes.name),
    props = json_patch(nodes.props, excluded.props)
"""

_UPSERT_REL = """
INSERT INTO rels (type, src, dst, src_label, dst_label, props) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (type, src, dst, src_label, dst_label) DO UPDATE SET
    props = json_patch(rels.props, excluded.props)
"""

_DELETE_REL = (
    "DELETE FROM rels WHERE type = ? AND src_label = ? AND src = ? AND dst_label = ? AND dst = ?"
)

_IDS = "(SELECT value FROM json_each(?))"
_BY_DST = "INDEXED BY rels_by_dst"


def _json(ids: Collection[str]) -> str:
    return json.dumps(list(ids), ensure_ascii=False)


_LABEL = {label.value: label for label in Label}
#: Labels and types as plain text (a dict lookup is cheaper than the enum's ``.value``).
_TEXT: dict[Label | Rel, str] = {member: member.value for member in (*Label, *Rel)}


@functools.lru_cache(maxsize=4096)
def _decoded(text: str) -> tuple[tuple[str, Any], ...]:
    return tuple(json.loads(text).items())


def _props(text: str) -> dict[str, Any]:
    """Relationship properties from their JSON; the few distinct texts of a big read
    (``{"level":3,"weight":1.0}`` …) are decoded once, each caller gets its own dict."""
    return dict(_decoded(text))


def _props_json(props: dict[str, Any], record: Node | Relationship) -> str:
    """JSON of a record's properties, each checked with `check_property`.

    Plain numbers (most of a big load) skip both the check and json.dumps.
    """
    for value in props.values():
        kind = type(value)
        if not (
            (kind is int and INT_MIN <= value <= INT_MAX)
            or (kind is float and math.isfinite(value))
        ):
            break
    else:
        return "{" + ",".join(f'"{k}":{v!r}' for k, v in props.items()) + "}"
    where = (
        f"{record.label} {record.id}"
        if isinstance(record, Node)
        else f"{record.type} {record.src}->{record.dst}"
    )
    for key, value in props.items():
        if value is not None:
            check_property(value, where, key)
    return json.dumps({k: v for k, v in props.items() if v is not None}, ensure_ascii=False)


def _node_rows(nodes: Sequence[Node]) -> Iterator[tuple[str, str, Any, str]]:
    """Rows of the nodes table, properties checked (TypeError rolls the write back)."""
    for n in nodes:
        props = n.props
        name = props.get("name")
        if name is not None:
            check_property(name, f"{n.label} {n.id}", "name")
            props = {k: v for k, v in props.items() if k != "name"} if len(props) > 1 else {}
        yield _TEXT[n.label], n.id, name, _props_json(props, n)


def _rel_rows(relationships: Sequence[Relationship]) -> Iterator[tuple[str, ...]]:
    """Rows of the rels table, properties checked (TypeError rolls the write back).

    A loader shares one props dict among the relationships that have the same
    properties (``{"level": 3}``), so their JSON is made once per dict: the dicts
    stay alive during the write, so their `id` is theirs.
    """
    text = _TEXT
    made: dict[int, str] = {}
    for r in relationships:
        props = r.props
        found = made.get(id(props))
        if found is None:
            found = _props_json(props, r)
            if len(made) < 4096:
                made[id(props)] = found
        yield text[r.type], r.src, r.dst, text[r.src_label], text[r.dst_label], found


def _node(label: Label, node_id: str, name: str | None, props: str) -> Node:
    data: dict[str, Any] = json.loads(props)
    data["name"] = name if name is not None else node_id
    return Node(label, node_id, data)


class EmbeddedStore(GraphStore):
    """A `GraphStore` in one SQLite file, safe for several processes at once.

    Args:
        path: the database file; created (with its folder's existence required)
            when missing.
    """

    #: Writes of at least this many relationships rebuild the by-end index once, after
    #: the rows, instead of updating it a million times.
    bulk_threshold = 100_000

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        self._cache = GenerationCache(limit=200_000)
        self._check_file()
        self._ensure_schema()

    # --- connections --------------------------------------------------------------------

    def _check_file(self) -> None:
        if not self.path.parent.exists():
            raise StoreUnavailable(
                f"数据库所在的文件夹不存在：{self.path.parent}",
                f"the folder of the database does not exist: {self.path.parent}",
            )
        if self.path.is_dir():
            raise StoreUnavailable(
                f"{self.path} 是一个文件夹，不是数据库文件",
                f"{self.path} is a folder, not a database file",
            )
        if self.path.exists() and self.path.stat().st_size > 0:
            with self.path.open("rb") as fh:
                if fh.read(16) != b"SQLite format 3\x00":
                    raise StoreUnavailable(
                        f"{self.path} 不是 chanjiao 数据库文件",
                        f"{self.path} is not a chanjiao database file",
                    )

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreUnavailable("数据库已关闭", "the store is closed")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(
                    self.path, isolation_level=None, check_same_thread=False, timeout=30
                )
                conn.execute("PRAGMA busy_timeout = 30000")
                conn.execute("PRAGMA synchronous = FULL")
                conn.execute("PRAGMA cache_size = -131072")  # 128 MiB: big loads stay in memory
            except sqlite3.Error as exc:
                raise store_error(self.path, exc) from exc
            self._local.conn = conn
            self._local.depth = 0
            with self._lock:
                self._connections.append(conn)
        return conn

    def _ensure_schema(self) -> None:
        conn = self._conn()
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if "meta" in tables:
                row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
                if row is None or row[0] != SCHEMA_VERSION:
                    raise StoreUnavailable(
                        f"{self.path} 不是本版本的 chanjiao 数据库",
                        f"{self.path} is not a database of this chanjiao version",
                    )
                if "documents" not in tables and not self._read_only():
                    conn.execute(_DOCUMENTS)
                return
            if tables:
                raise StoreUnavailable(
                    f"{self.path} 是其他程序的 SQLite 数据库，不是 chanjiao 数据库",
                    f"{self.path} is another program's SQLite database, not chanjiao's",
                )
            conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(
                "BEGIN IMMEDIATE;"
                + _SCHEMA
                + _INDEX_BY_DST
                + ";"
                + _DOCUMENTS
                + ";"
                + f"INSERT OR IGNORE INTO meta VALUES ('schema', '{SCHEMA_VERSION}'), "
                "('generation', '0'); COMMIT;"
            )
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from exc

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
            self._closed = True

    @contextmanager
    def reading(self) -> Iterator[None]:
        conn = self._conn()
        depth: int = self._local.depth
        if depth == 0 and not conn.in_transaction:
            self._run(conn, "BEGIN")
        self._local.depth = depth + 1
        try:
            yield
        finally:
            self._local.depth = depth
            if depth == 0 and conn.in_transaction:
                self._run(conn, "COMMIT")

    def _run(self, conn: sqlite3.Connection, sql: str) -> None:
        try:
            conn.execute(sql)
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from exc

    @contextmanager
    def _transaction(self, conn: sqlite3.Connection) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error; sqlite errors mapped.

        SQLite may have rolled back by itself (a full disk does): then there is
        nothing to roll back, and no second error to report.
        """
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from exc
        try:
            yield
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise store_error(self.path, exc) from exc
            raise

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        try:
            return self._conn().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from exc

    def generation(self) -> int:
        """A number that changes whenever any process commits a write."""
        return int(self._query("SELECT value FROM meta WHERE key = 'generation'")[0][0])

    # --- writes -------------------------------------------------------------------------

    def write(
        self,
        nodes: Sequence[Node],
        relationships: Sequence[Relationship],
        *,
        remove_nodes: Sequence[tuple[Label, str]] = (),
        remove_relationships: Sequence[RelKey] = (),
        clear_nodes: Sequence[tuple[Label, str, Collection[str]]] = (),
        clear_relationships: Sequence[tuple[RelKey, Collection[str]]] = (),
        documents: Sequence[tuple[DocumentKind, str, str]] = (),
    ) -> None:
        conn = self._conn()
        if conn.in_transaction:
            raise RuntimeError("write() inside reading() would break the snapshot")
        node_clears = [
            (f"$.{key}", str(label), node_id)
            for label, node_id, keys in clear_nodes
            for key in clearable(keys)
        ]
        rel_clears = [
            (f"$.{key}", *(str(part) for part in rel_key))
            for rel_key, keys in clear_relationships
            for key in clearable(keys)
        ]
        bulk = len(relationships) >= self.bulk_threshold
        with self._transaction(conn):
            conn.executemany(
                _DELETE_REL, [tuple(str(part) for part in key) for key in remove_relationships]
            )
            self._remove_nodes(conn, remove_nodes)
            conn.executemany(
                "UPDATE nodes SET props = json_remove(props, ?) WHERE label = ? AND id = ?",
                node_clears,
            )
            conn.executemany(
                "UPDATE rels SET props = json_remove(props, ?) WHERE type = ? "
                "AND src_label = ? AND src = ? AND dst_label = ? AND dst = ?",
                rel_clears,
            )
            conn.executemany(_UPSERT_NODE, _node_rows(nodes))
            if bulk:  # one index build after the load is cheaper than a million updates
                conn.execute("DROP INDEX rels_by_dst")
            conn.executemany(_UPSERT_REL, _rel_rows(relationships))
            if bulk:
                conn.execute(_INDEX_BY_DST)
            conn.executemany(
                "INSERT INTO documents (kind, name, created, body, size) VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        DocumentKind(kind).value,
                        name,
                        utc_now(),
                        zlib.compress(body.encode(), 6),
                        len(body),
                    )
                    for kind, name, body in documents
                ],
            )
            conn.execute(
                "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'"
            )

    @staticmethod
    def _remove_nodes(conn: sqlite3.Connection, nodes: Sequence[tuple[Label, str]]) -> None:
        """Delete nodes and every relationship they have (inside the caller's transaction)."""
        for label, node_id in nodes:
            conn.execute("DELETE FROM nodes WHERE label = ? AND id = ?", (str(label), node_id))
            for rel in Rel:
                starts, ends = rel.ends
                if label in starts:
                    conn.execute(
                        "DELETE FROM rels WHERE type = ? AND src = ? AND src_label = ?",
                        (str(rel), node_id, str(label)),
                    )
                if label in ends:
                    conn.execute(
                        f"DELETE FROM rels {_BY_DST} WHERE type = ? AND dst = ? AND dst_label = ?",
                        (str(rel), node_id, str(label)),
                    )

    def _read_only(self) -> bool:
        return self.path.exists() and not os.access(self.path, os.W_OK)

    # --- documents ----------------------------------------------------------------------

    def save_document(
        self, kind: DocumentKind, name: str, body: str, *, replace: bool = False
    ) -> Document:
        kind = DocumentKind(kind)
        created = utc_now()
        packed = zlib.compress(body.encode(), 6)
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        try:
            self._conn().execute(
                f"{verb} INTO documents (kind, name, created, body, size) VALUES (?, ?, ?, ?, ?)",
                (kind.value, name, created, packed, len(body)),
            )
        except sqlite3.IntegrityError as exc:
            raise document_exists(kind, name) from exc
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from exc
        return Document(kind, name, created, body, len(body))

    def document(self, kind: DocumentKind, name: str) -> Document | None:
        rows = self._query(
            "SELECT created, body FROM documents WHERE kind = ? AND name = ?",
            (DocumentKind(kind).value, name),
        )
        if not rows:
            return None
        body = zlib.decompress(rows[0][1]).decode()
        return Document(DocumentKind(kind), name, rows[0][0], body, len(body))

    def documents(self, kind: DocumentKind) -> list[Document]:
        kind = DocumentKind(kind)
        return [
            Document(kind, name, created, "", size)
            for name, created, size in self._query(
                "SELECT name, created, size FROM documents WHERE kind = ? ORDER BY created, name",
                (kind.value,),
            )
        ]

    def delete_document(self, kind: DocumentKind, name: str) -> bool:
        try:
            cursor = self._conn().execute(
                "DELETE FROM documents WHERE kind = ? AND name = ?",
                (DocumentKind(kind).value, name),
            )
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from exc
        return cursor.rowcount > 0

    # --- lookups ------------------------------------------------------------------------

    def find_nodes(
        self,
        label: Label,
        *,
        text: str | None = None,
        filters: Mapping[str, str | int | float | bool] | None = None,
        after: str | None = None,
        limit: int = 50,
    ) -> list[Node]:
        sql = "SELECT id, name, props FROM nodes WHERE label = ?"
        params: list[Any] = [str(label)]
        if after is not None:
            sql += " AND id > ?"
            params.append(after)
        if text:
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            sql += " AND coalesce(name, id) LIKE ? ESCAPE '\\'"
            params.append(f"%{escaped}%")
        check_filters(filters)
        for key, value in (filters or {}).items():
            if key == "name":
                sql += " AND coalesce(name, id) = ?"
            else:
                sql += " AND json_extract(props, ?) = ?"
                params.append(f"$.{key}")
            params.append(int(value) if isinstance(value, bool) else value)
        sql += " ORDER BY id LIMIT ?"
        params.append(max(0, limit))
        return [_node(label, r[0], r[1], r[2]) for r in self._query(sql, params)]

    def nodes(self, label: Label, ids: Collection[str] | None = None) -> dict[str, Node]:
        if ids is None:
            rows = self._query(
                "SELECT id, name, props FROM nodes WHERE label = ? ORDER BY id", (str(label),)
            )
        else:
            rows = self._query(
                f"SELECT id, name, props FROM nodes WHERE label = ? AND id IN {_IDS}",
                (str(label), _json(ids)),
            )
        return {r[0]: _node(label, r[0], r[1], r[2]) for r in rows}

    def relationships(
        self,
        rel: Rel,
        *,
        src_ids: Collection[str] | None = None,
        dst_ids: Collection[str] | None = None,
    ) -> list[Relationship]:
        by_dst = dst_ids is not None and src_ids is None
        sql = (
            "SELECT src_label, src, dst_label, dst, props FROM rels "
            + ("INDEXED BY rels_by_dst " if by_dst else "")
            + "WHERE type = ?"
        )
        params: list[Any] = [str(rel)]
        if src_ids is not None:
            sql += f" AND src IN {_IDS}"
            params.append(_json(src_ids))
        if dst_ids is not None:
            sql += f" AND dst IN {_IDS}"
            params.append(_json(dst_ids))
        return [
            Relationship(rel, _LABEL[sl], s, _LABEL[dl], d, _props(p))
            for sl, s, dl, d, p in self._query(sql + " ORDER BY src, dst", params)
        ]

    def neighbours(self, label: Label, node_id: str) -> list[Neighbour]:
        found: list[tuple[Rel, str, Label, str, dict[str, Any]]] = []
        with self.reading():
            for rel in Rel:
                starts, ends = rel.ends
                if label in starts:
                    for dl, dst, props in self._query(
                        "SELECT dst_label, dst, props FROM rels "
                        "WHERE type = ? AND src = ? AND src_label = ?",
                        (str(rel), node_id, str(label)),
                    ):
                        found.append((rel, "out", Label(dl), dst, json.loads(props)))
                if label in ends:
                    for sl, src, props in self._query(
                        "SELECT src_label, src, props FROM rels INDEXED BY rels_by_dst "
                        "WHERE type = ? AND dst = ? AND dst_label = ?",
                        (str(rel), node_id, str(label)),
                    ):
                        found.append((rel, "in", Label(sl), src, json.loads(props)))
            wanted: dict[Label, set[str]] = defaultdict(set)
            for _, _, other_label, other, _ in found:
                wanted[other_label].add(other)
            known = {lb: self.nodes(lb, ids) for lb, ids in wanted.items()}
        return [
            Neighbour(rel, direction, known[lb][other], props)  # type: ignore[arg-type]
            for rel, direction, lb, other, props in found
            if other in known[lb]
        ]

    def stats(self) -> Stats:
        with self.reading():
            node_counts = dict(self._query("SELECT label, count(*) FROM nodes GROUP BY label"))
            rel_counts = dict(self._query("SELECT type, count(*) FROM rels GROUP BY type"))
        return Stats(
            nodes={lb: node_counts.get(str(lb), 0) for lb in Label},
            relationships={r: rel_counts.get(str(r), 0) for r in Rel},
        )

    def prerequisite_graph(self) -> nx.DiGraph:
        return self._cached(("prerequisites",), self._load_prerequisites)

    def _load_prerequisites(self) -> nx.DiGraph:
        return frozen_prerequisites(
            self._query("SELECT src, dst FROM rels WHERE type = 'PREREQUISITE_OF'")
        )

    # --- aggregated reads ---------------------------------------------------------------

    def curriculum(self, cluster_id: str) -> dict[str, dict[str, int]]:
        packed = self._cached(("curriculum", cluster_id), self._load_curriculum, cluster_id)
        return {course: dict(covers) for course, covers in packed}

    def chain_scope(self, chain_id: str, segment_id: str | None = None) -> ChainScope:
        return self._cached(
            ("scope", chain_id, segment_id), self._load_chain_scope, chain_id, segment_id
        )

    def closers(self, ability_ids: Collection[str]) -> dict[str, dict[str, Sequence[str]]]:
        with self.reading():
            generation = self.generation()
            found: dict[str, dict[str, Sequence[str]]] = {}
            missing = []
            for ability in ability_ids:
                hit = self._cache.get(generation, ("closers", ability))
                if hit is None:
                    missing.append(ability)
                else:
                    found[ability] = hit
            for start in range(0, len(missing), 2000):
                batch = missing[start : start + 2000]
                for ability, closers in self._load_closers(batch).items():
                    value: dict[str, Sequence[str]] = {
                        kind: tuple(closers[kind]) for kind in CLOSER_KINDS
                    }
                    self._cache.put(generation, ("closers", ability), value)
                    found[ability] = value
        return found

    def student_records(
        self,
        *,
        ids: Collection[str] | None = None,
        cohort: str | None = None,
        major: str | None = None,
    ) -> StudentRecords:
        sql = (
            "SELECT n.id, n.name, json_extract(n.props, '$.cohort'), "
            "json_extract(n.props, '$.status'), (SELECT min(e.dst) FROM rels e "
            "WHERE e.type = 'ENROLLED_IN' AND e.src = n.id AND e.src_label = 'Student') "
            "FROM nodes n WHERE n.label = 'Student'"
        )
        params: list[Any] = []
        if ids is not None:
            sql += f" AND n.id IN {_IDS}"
            params.append(_json(ids))
        if cohort is not None:
            sql += " AND CAST(json_extract(n.props, '$.cohort') AS TEXT) = ?"
            params.append(cohort)
        if major is not None:
            sql += (
                " AND EXISTS (SELECT 1 FROM rels e WHERE e.type = 'ENROLLED_IN' "
                "AND e.src = n.id AND e.src_label = 'Student' AND e.dst = ?)"
            )
            params.append(major)
        with self.reading():
            students = [
                StudentRow(
                    sid,
                    name if name is not None else sid,
                    None if grade is None else str(grade),
                    status,
                    enrolled,
                )
                for sid, name, grade, status, enrolled in self._query(
                    sql + " ORDER BY n.id", params
                )
            ]
            wanted = _json([s.id for s in students])
            results = [
                ResultRow(sid, course, None if score is None else float(score), _flag(passed))
                for sid, course, score, passed in self._query(
                    "SELECT src, dst, json_extract(props, '$.score'), "
                    "json_extract(props, '$.passed') FROM rels WHERE type = 'COMPLETED' "
                    f"AND src IN {_IDS} AND src_label = 'Student' ORDER BY src, dst",
                    (wanted,),
                )
            ]
            holdings = [
                (sid, cert)
                for sid, cert in self._query(
                    "SELECT src, dst FROM rels WHERE type = 'HOLDS' "
                    f"AND src IN {_IDS} AND src_label = 'Student' ORDER BY src, dst",
                    (wanted,),
                )
            ]
            covers: dict[str, dict[str, int]] = {}
            for course, ability, level in self._query(
                "SELECT src, dst, json_extract(props, '$.level') FROM rels "
                f"WHERE type = 'COVERS' AND src IN {_IDS} ORDER BY src, dst",
                (_json(sorted({r.course for r in results})),),
            ):
                covers.setdefault(course, {})[ability] = int(level)
            certifies: dict[str, list[str]] = {}
            for cert, ability in self._query(
                "SELECT src, dst FROM rels "
                f"WHERE type = 'CERTIFIES' AND src IN {_IDS} ORDER BY src, dst",
                (_json(sorted({cert for _, cert in holdings})),),
            ):
                certifies.setdefault(cert, []).append(ability)
        return StudentRecords(
            students,
            results,
            holdings,
            covers,
            {cert: tuple(abilities) for cert, abilities in certifies.items()},
        )

    def warm(self) -> None:
        """Fill the read cache for every chain and ability (a server calls this at start).

        One-shot commands do not need it; a long-running process that calls it in a
        background thread answers every later gap analysis from memory. The cache is
        then moved out of the garbage collector's sight (`gc.freeze`): it holds
        hundreds of thousands of long-lived objects that would otherwise make every
        full collection pause a request.
        """
        with self.reading():
            for chain_id in self.nodes(Label.INDUSTRY_CHAIN):
                self.chain_scope(chain_id)
            for cluster_id in self.nodes(Label.SPECIALTY_CLUSTER):
                self._cached(("curriculum", cluster_id), self._load_curriculum, cluster_id)
            self.closers(list(self.nodes(Label.ABILITY)))
        gc.collect()
        gc.freeze()

    def _cached(self, key: tuple[Any, ...], load: Callable[..., T], *args: Any) -> T:
        with self.reading():
            generation = self.generation()
            hit = self._cache.get(generation, key)
            if hit is not None:
                return hit  # type: ignore[no-any-return]
            value = load(*args)
            self._cache.put(generation, key, value)
        return value

    def _load_curriculum(self, cluster_id: str) -> tuple[tuple[str, tuple[Any, ...]], ...]:
        """C(K) as nested tuples of plain values (cached; see `ScopeSegment`)."""
        with self.reading():
            courses = [
                r[0]
                for r in self._query(
                    "SELECT DISTINCT im.src FROM rels ic INDEXED BY rels_by_dst JOIN rels im INDEXED BY rels_by_dst "
                    "ON im.type = 'IN_MAJOR' AND im.dst = ic.src AND im.dst_label = 'Major' "
                    "WHERE ic.type = 'IN_CLUSTER' AND ic.dst = ? "
                    "AND ic.dst_label = 'SpecialtyCluster'",
                    (cluster_id,),
                )
            ]
            result: dict[str, dict[str, int]] = {c: {} for c in courses}
            for course, ability, level in self._query(
                "SELECT src, dst, json_extract(props, '$.level') FROM rels "
                f"WHERE type = 'COVERS' AND src IN {_IDS}",
                (_json(courses),),
            ):
                result[course][ability] = int(level)
        return tuple((course, tuple(covers.items())) for course, covers in result.items())

    def _load_chain_scope(self, chain_id: str, segment_id: str | None) -> ChainScope:
        with self.reading():
            chain = self.get_node(Label.INDUSTRY_CHAIN, chain_id)
            if chain is None:
                raise chain_not_found(chain_id)
            segments = [
                ScopeSegment(sid, name if name is not None else sid, int_or_none(order))
                for sid, name, order in self._query(
                    "SELECT s.id, s.name, json_extract(s.props, '$.order') FROM rels r INDEXED BY rels_by_dst "
                    "JOIN nodes s ON s.label = 'ChainSegment' AND s.id = r.src "
                    "WHERE r.type = 'PART_OF' AND r.dst = ? AND r.dst_label = 'IndustryChain'",
                    (chain_id,),
                )
            ]
            if segment_id is not None:
                segments = [s for s in segments if s.id == segment_id]
                if not segments:
                    raise segment_not_found(chain_id, segment_id)
            positions = [
                ScopePosition(
                    pid,
                    name if name is not None else pid,
                    seg,
                    int_or_none(demand),
                    int_or_none(offered),
                )
                for pid, name, seg, demand, offered in self._query(
                    "SELECT p.id, p.name, r.dst, json_extract(p.props, '$.demand'), "
                    "(SELECT sum(json_extract(o.props, '$.headcount')) FROM rels o INDEXED BY rels_by_dst "
                    " WHERE o.type = 'OFFERS' AND o.dst = p.id AND o.dst_label = 'Position') "
                    "FROM rels r INDEXED BY rels_by_dst JOIN nodes p ON p.label = 'Position' AND p.id = r.src "
                    f"WHERE r.type = 'IN_SEGMENT' AND r.dst IN {_IDS} "
                    "AND r.dst_label = 'ChainSegment'",
                    (_json([s.id for s in segments]),),
                )
            ]
            requirements = [
                ScopeRequirement(
                    pid,
                    aid,
                    name if name is not None else aid,
                    int(level),
                    float(weight if weight is not None else 1.0),
                )
                for pid, aid, name, level, weight in self._query(
                    "SELECT r.src, r.dst, a.name, json_extract(r.props, '$.level'), "
                    "json_extract(r.props, '$.weight') FROM rels r "
                    "JOIN nodes a ON a.label = 'Ability' AND a.id = r.dst "
                    f"WHERE r.type = 'REQUIRES' AND r.src IN {_IDS}",
                    (_json([p.id for p in positions]),),
                )
            ]
        return ChainScope(chain, segments, positions, requirements)

    def _load_closers(self, ability_ids: list[str]) -> dict[str, dict[str, list[str]]]:
        """Closers straight from the indexes, aggregated in SQL (ids never hold ',')."""
        wanted = _json(ability_ids)
        found: dict[str, dict[str, set[str]]] = {a: defaultdict(set) for a in ability_ids}
        direct = {
            "COVERS": "courses",
            "EXPERT_IN": "teachers",
            "SUPPORTS": "training_resources",
            "CERTIFIES": "certificates",
            "EXERCISES": "competitions",
        }
        via_course = {"USED_IN": "textbooks", "SUPPORTS": "training_resources"}
        with self.reading():
            for rel, ability, ids in self._query(
                f"SELECT type, dst, group_concat(src) FROM rels {_BY_DST} "
                "WHERE type IN ('COVERS', 'EXPERT_IN', 'SUPPORTS', 'CERTIFIES', 'EXERCISES') "
                f"AND dst IN {_IDS} AND dst_label = 'Ability' GROUP BY type, dst",
                (wanted,),
            ):
                found[ability][direct[rel]].update(ids.split(","))
            for rel, ability, ids in self._query(
                f"SELECT x.type, cv.dst, group_concat(DISTINCT x.src) FROM rels cv {_BY_DST} "
                f"CROSS JOIN rels x {_BY_DST} ON x.type IN ('USED_IN', 'SUPPORTS') "
                "AND x.dst = cv.src AND x.dst_label = 'Course' "
                f"WHERE cv.type = 'COVERS' AND cv.dst IN {_IDS} GROUP BY x.type, cv.dst",
                (wanted,),
            ):
                found[ability][via_course[rel]].update(ids.split(","))
            for ability, ids in self._query(
                f"SELECT r.dst, group_concat(DISTINCT o.src) FROM rels r {_BY_DST} "
                f"CROSS JOIN rels o {_BY_DST} ON o.type = 'OFFERS' AND o.dst = r.src "
                "AND o.dst_label = 'Position' "
                f"WHERE r.type = 'REQUIRES' AND r.dst IN {_IDS} GROUP BY r.dst",
                (wanted,),
            ):
                found[ability]["enterprises"].update(ids.split(","))
        return {
            a: {kind: sorted(kinds.get(kind, ())) for kind in CLOSER_KINDS}
            for a, kinds in found.items()
        }


def store_error(path: Path, exc: sqlite3.Error) -> StoreUnavailable:
    """A SQLite error as the user should read it: what is wrong with the file, and what to do."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    detail = f"{getattr(exc, 'sqlite_errorname', '') or type(exc).__name__}: {exc}"
    if primary == sqlite3.SQLITE_FULL:
        return StoreFull(
            f"磁盘已满（或数据库已达大小上限），本次写入未生效，数据库保持原样：{path}",
            f"the disk is full (or the database reached its size limit); nothing of this "
            f"write was applied and the database is as before: {path}",
        )
    if primary in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM):
        return StoreUnavailable(
            f"数据库 {path} 是只读的（文件或所在文件夹没有写权限），无法写入",
            f"the database {path} is read-only (no write permission on the file or its folder)",
        )
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return StoreUnavailable(
            f"数据库文件 {path} 已损坏或不是数据库；请从备份恢复，或重新导入数据（{detail}）",
            f"the database file {path} is corrupt or not a database; restore a backup or "
            f"load the data again ({detail})",
        )
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StoreUnavailable(
            f"数据库 {path} 正被其他程序写入（已锁定），请稍后再试",
            f"another program is writing the database {path} (it is locked); try again later",
        )
    if primary == sqlite3.SQLITE_CANTOPEN:
        return StoreUnavailable(
            f"无法打开数据库文件 {path}（文件夹不可写或文件不可读）",
            f"cannot open the database file {path} (its folder is not writable, or the file "
            "not readable)",
        )
    return StoreUnavailable(
        f"数据库 {path} 操作失败：{detail}", f"the database {path} failed: {detail}"
    )


def _flag(value: Any) -> bool | None:
    """A stored yes/no (SQLite's json_extract reads JSON true as 1)."""
    return None if value is None else bool(value)
