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
from chanjiao.graph.values import check_property

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


def _among(column: str, ids: Collection[str] | None) -> tuple[str, tuple[str, ...]]:
    """The SQL condition keeping `column` to `ids` (nothing when None: every row) and its
    parameters."""
    if ids is None:
        return "", ()
    return f" AND {column} IN {_IDS}", (_json(ids),)


#: C(K) as cached: (course, ((ability, COVERS level), …)) per course of the cluster.
Curriculum = tuple[tuple[str, tuple[tuple[str, int], ...]], ...]

#: Relationships into an ability, by what they are to it: a closer kind, or what
#: closers are reached through (`_REACHED`).
_BY_ABILITY = {
    "COVERS": "courses",
    "EXPERT_IN": "teachers",
    "SUPPORTS": "training_resources",
    "CERTIFIES": "certificates",
    "EXERCISES": "competitions",
    "REQUIRES": "positions",
}
#: Closers reached through an ability's courses or positions: the relationships into
#: those (type → closer kind) and their end label.
_REACHED = {
    "courses": ({"USED_IN": "textbooks", "SUPPORTS": "training_resources"}, "Course"),
    "positions": ({"OFFERS": "enterprises"}, "Position"),
}
_CLOSER_KIND_SET = frozenset(CLOSER_KINDS)
_NO_CLOSERS: dict[str, Sequence[str]] = {kind: () for kind in CLOSER_KINDS}


_LABEL = {label.value: label for label in Label}


@functools.lru_cache(maxsize=4096)
def _decoded(text: str) -> tuple[tuple[str, Any], ...]:
    return tuple(json.loads(text).items())


def _props(text: str) -> dict[str, Any]:
    """Relationship properties from their JSON; the few distinct texts of a big read
    (``{"level":3,"weight":1.0}`` …) are decoded once, each caller gets its own dict."""
    return dict(_decoded(text))


@functools.lru_cache(maxsize=4096)
def _level(text: str) -> int:
    """The `level` of COVERS properties (a big read holds a few distinct texts)."""
    return int(json.loads(text).get("level"))


@functools.lru_cache(maxsize=4096)
def _level_weight(text: str) -> tuple[int, float]:
    """The `level` and `weight` (1 when unset) of REQUIRES properties."""
    props = json.loads(text)
    weight = props.get("weight")
    return int(props.get("level")), float(weight if weight is not None else 1.0)


def _props_json(props: dict[str, Any]) -> str:
    """JSON of relationship properties; plain numbers (most of a big load) skip json.dumps."""
    if all(type(v) is int or (type(v) is float and math.isfinite(v)) for v in props.values()):
        return "{" + ",".join(f'"{k}":{v!r}' for k, v in props.items()) + "}"
    return json.dumps({k: v for k, v in props.items() if v is not None}, ensure_ascii=False)


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
        node_rows = (
            (
                n.label.value,
                n.id,
                n.props.get("name"),
                json.dumps(
                    {k: v for k, v in n.props.items() if k != "name" and v is not None},
                    ensure_ascii=False,
                ),
            )
            for n in nodes
        )
        rel_rows = (
            (r.type.value, r.src, r.dst, r.src_label.value, r.dst_label.value, _props_json(r.props))
            for r in relationships
        )
        for node in nodes:
            for key, value in node.props.items():
                if value is not None:
                    check_property(value, f"{node.label} {node.id}", key)
        for rel in relationships:
            for key, value in rel.props.items():
                if value is not None:
                    check_property(value, f"{rel.type} {rel.src}->{rel.dst}", key)
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
            conn.executemany(_UPSERT_NODE, node_rows)
            if bulk:  # one index build after the load is cheaper than a million updates
                conn.execute("DROP INDEX rels_by_dst")
            conn.executemany(_UPSERT_REL, rel_rows)
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
    #
    # Each loader reads the rows of some keys (a cluster, a chain, abilities) or, given
    # None, of every key at once: the same SQL without its IN-list, scanning each
    # relationship type once in index order, so `warm()` costs one pass over the data.

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
            every: dict[str, dict[str, Sequence[str]]] | None = self._cache.get(
                generation, ("closers",)
            )
            if every is not None:  # warmed: every ability's closers are in one map
                return {a: every.get(a, _NO_CLOSERS) for a in ability_ids}
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
                loaded = self._load_closers(batch)
                for ability in batch:
                    value = loaded.get(ability, _NO_CLOSERS)
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
        """Fill the read cache for every chain, cluster and ability (a server calls this
        at start).

        One-shot commands do not need it; a long-running process that calls it in a
        background thread answers every later gap analysis from memory. Each loader reads
        its relationship types once for all keys (no per-chain or per-ability queries), so
        the time grows in step with the data. The cache is then moved out of the garbage
        collector's sight (`gc.freeze`): it holds millions of long-lived objects that would
        otherwise make every full collection pause a request. The collector is paused
        while they are built (they hold no cycles, so there is nothing for it to find, and
        each pass would rescan them all); what was garbage before is collected first.
        """
        gc.collect()
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._warm()
        finally:
            if collecting:
                gc.enable()
        gc.freeze()

    def _warm(self) -> None:
        with self.reading():
            generation = self.generation()
            for chain_id, scope in self._load_scopes(None).items():
                self._cache.put(generation, ("scope", chain_id, None), scope)
            curricula = self._load_curricula(None)
            for cluster_id in self._ids(Label.SPECIALTY_CLUSTER):
                self._cache.put(
                    generation, ("curriculum", cluster_id), curricula.get(cluster_id, ())
                )
            self._cache.put(generation, ("closers",), self._load_closers(None))

    def _cached(self, key: tuple[Any, ...], load: Callable[..., T], *args: Any) -> T:
        with self.reading():
            generation = self.generation()
            hit = self._cache.get(generation, key)
            if hit is not None:
                return hit  # type: ignore[no-any-return]
            value = load(*args)
            self._cache.put(generation, key, value)
        return value

    def _ids(self, label: Label) -> list[str]:
        return [r[0] for r in self._query("SELECT id FROM nodes WHERE label = ?", (str(label),))]

    def _names(self, label: Label, ids: Collection[str] | None) -> dict[str, str]:
        """id → name (the id when unnamed) of the nodes of `ids` (every one when None)."""
        among, params = _among("id", ids)
        return {
            node_id: node_id if name is None else name
            for node_id, name in self._query(
                f"SELECT id, name FROM nodes WHERE label = ?{among}", (str(label), *params)
            )
        }

    def _load_curriculum(self, cluster_id: str) -> Curriculum:
        return self._load_curricula([cluster_id]).get(cluster_id, ())

    def _load_curricula(self, cluster_ids: list[str] | None) -> dict[str, Curriculum]:
        """C(K) of each cluster of `cluster_ids` (every one when None) as nested tuples of
        plain values (cached; see `ScopeSegment`); a course's covers are one shared tuple."""
        among, params = _among("ic.dst", cluster_ids)
        with self.reading():
            members: dict[str, dict[str, None]] = {}
            for cluster, course in self._query(
                f"SELECT ic.dst, im.src FROM rels ic {_BY_DST} JOIN rels im {_BY_DST} "
                "ON im.type = 'IN_MAJOR' AND im.dst = ic.src AND im.dst_label = 'Major' "
                "WHERE ic.type = 'IN_CLUSTER' AND ic.dst_label = 'SpecialtyCluster'" + among,
                params,
            ):
                members.setdefault(cluster, {})[course] = None
            courses = None if cluster_ids is None else {c for m in members.values() for c in m}
            among, params = _among("src", courses)
            covers: dict[str, list[tuple[str, int]]] = defaultdict(list)
            for course, ability, props in self._query(
                f"SELECT src, dst, props FROM rels WHERE type = 'COVERS'{among}", params
            ):
                covers[course].append((ability, _level(props)))
        packed = {course: tuple(pairs) for course, pairs in covers.items()}
        return {
            cluster: tuple((course, packed.get(course, ())) for course in courses_of)
            for cluster, courses_of in members.items()
        }

    def _load_chain_scope(self, chain_id: str, segment_id: str | None) -> ChainScope:
        if segment_id is not None:
            whole = self.chain_scope(chain_id)
            segments = [s for s in whole.segments if s.id == segment_id]
            if not segments:
                raise segment_not_found(chain_id, segment_id)
            positions = [p for p in whole.positions if p.segment == segment_id]
            kept = {p.id for p in positions}
            requirements = [r for r in whole.requirements if r.position in kept]
            return ChainScope(whole.chain, segments, positions, requirements)
        scope = self._load_scopes([chain_id]).get(chain_id)
        if scope is None:
            raise chain_not_found(chain_id)
        return scope

    def _load_scopes(self, chain_ids: list[str] | None) -> dict[str, ChainScope]:
        """The scope of each chain of `chain_ids` (every one when None) that exists."""
        with self.reading():
            scopes = {
                chain_id: ChainScope(chain)
                for chain_id, chain in self.nodes(Label.INDUSTRY_CHAIN, chain_ids).items()
            }
            among, params = _among("r.dst", chain_ids)
            chains_of: dict[str, list[ChainScope]] = defaultdict(list)
            for chain_id, sid, name, order in self._query(
                "SELECT r.dst, s.id, s.name, json_extract(s.props, '$.order') "
                f"FROM rels r {_BY_DST} JOIN nodes s ON s.label = 'ChainSegment' AND s.id = r.src "
                "WHERE r.type = 'PART_OF' AND r.dst_label = 'IndustryChain'" + among,
                params,
            ):
                scope = scopes.get(chain_id)
                if scope is not None:
                    scope.segments.append(
                        ScopeSegment(sid, name if name is not None else sid, int_or_none(order))
                    )
                    chains_of[sid].append(scope)
            among, params = _among("r.dst", None if chain_ids is None else chains_of)
            in_scopes: dict[str, dict[int, ChainScope]] = defaultdict(dict)
            for pid, name, seg, demand, offered in self._query(
                "SELECT p.id, p.name, r.dst, json_extract(p.props, '$.demand'), "
                f"(SELECT sum(json_extract(o.props, '$.headcount')) FROM rels o {_BY_DST} "
                " WHERE o.type = 'OFFERS' AND o.dst = p.id AND o.dst_label = 'Position') "
                f"FROM rels r {_BY_DST} JOIN nodes p ON p.label = 'Position' AND p.id = r.src "
                "WHERE r.type = 'IN_SEGMENT' AND r.dst_label = 'ChainSegment'" + among,
                params,
            ):
                position = ScopePosition(
                    pid,
                    name if name is not None else pid,
                    seg,
                    int_or_none(demand),
                    int_or_none(offered),
                )
                for scope in chains_of.get(seg, ()):
                    scope.positions.append(position)
                    in_scopes[pid][id(scope)] = scope
            among, params = _among("src", None if chain_ids is None else in_scopes)
            rows = self._query(
                f"SELECT src, dst, props FROM rels WHERE type = 'REQUIRES'{among}", params
            )
            names = self._names(Label.ABILITY, None if chain_ids is None else {r[1] for r in rows})
        into = {pid: [s.requirements for s in of.values()] for pid, of in in_scopes.items()}
        for pid, aid, props in rows:
            lists = into.get(pid)
            name = names.get(aid)
            if lists is None or name is None:  # out of scope, or no such ability
                continue
            requirement = ScopeRequirement(pid, aid, name, *_level_weight(props))
            for requirements in lists:
                requirements.append(requirement)
        return scopes

    def _load_closers(self, ability_ids: list[str] | None) -> dict[str, dict[str, Sequence[str]]]:
        """Closers of each ability of `ability_ids` (every one when None) that has any.

        One grouped scan of the by-end index gives each ability's direct closers, the
        courses covering it and the positions requiring it; the closers reached through
        those (textbooks and resources of the courses, enterprises offering the
        positions) are joined here from small reads (ids never hold ',').
        """
        direct: dict[str, dict[str, list[str]]] = defaultdict(dict)
        among, params = _among("dst", ability_ids)
        with self.reading():
            for rel, ability, ids in self._query(
                f"SELECT type, dst, group_concat(src) FROM rels {_BY_DST} "
                f"WHERE type IN ({', '.join(repr(r) for r in _BY_ABILITY)}) "
                f"AND dst_label = 'Ability'{among} GROUP BY type, dst",
                params,
            ):
                direct[ability][_BY_ABILITY[rel]] = ids.split(",")
            #: (courses or positions, closer kind, {course or position → closers})
            reached: list[tuple[str, str, dict[str, list[str]]]] = []
            for via, (rels, label) in _REACHED.items():
                ends = None
                if ability_ids is not None:
                    ends = {end for kinds in direct.values() for end in kinds.get(via, ())}
                among, params = _among("dst", ends)
                by_kind: dict[str, dict[str, list[str]]] = {k: defaultdict(list) for k in rels}
                for rel, src, dst in self._query(
                    f"SELECT type, src, dst FROM rels {_BY_DST} "
                    f"WHERE type IN ({', '.join(repr(r) for r in rels)}) "
                    f"AND dst_label = '{label}'{among}",
                    params,
                ):
                    by_kind[rel][dst].append(src)
                reached.extend((via, rels[rel], dict(by_end)) for rel, by_end in by_kind.items())
        closers: dict[str, dict[str, Sequence[str]]] = {}
        for ability, kinds in direct.items():
            found = {kind: set(ids) for kind, ids in kinds.items() if kind in _CLOSER_KIND_SET}
            for via, kind, by_end in reached:
                more = found.get(kind) or set()
                for end in kinds.get(via, ()):
                    ids = by_end.get(end)
                    if ids:
                        more.update(ids)
                if more:
                    found[kind] = more
            closers[ability] = {
                kind: tuple(sorted(found[kind])) if kind in found else () for kind in CLOSER_KINDS
            }
        return closers


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
