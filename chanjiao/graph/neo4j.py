"""The server store: the graph on Neo4j (or FalkorDB), through a Cypher runner.

Design (DESIGN §5):

- Every Cypher string is in `chanjiao.graph.cypher`; the store only picks one,
  fills its parameters and hands it to a `CypherRunner` (the official driver in
  production, FalkorDB's native protocol in the tests and for ``falkordb://``).
- A `write` (a whole ingest) is one transaction of ``UNWIND $rows`` batches whose
  size in rows and bytes is configurable. Every value is checked first, so a value
  the graph cannot hold raises `TypeError` before anything is sent.
- The analysis reads (a cluster's curriculum, a chain's scope, an ability's
  closers) are aggregated on the server and return exactly what `GraphStore`
  promises, never the whole graph.
- A `reading()` block answers a read it has already run from memory, so the
  reads of one analysis repeat consistently while other clients write. Neo4j
  itself isolates reads at read-committed only: two *different* reads of one
  block may see a write that committed between them.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import product
from typing import Any

from chanjiao.graph import cypher, staged
from chanjiao.graph.runners import CypherRunner, Engine, FalkorDBRunner, Statement
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
    int_or_none,
    segment_not_found,
    utc_now,
)
from chanjiao.graph.values import check_property

#: How many ids one lookup sends at a time.
ID_BATCH = 5000


class Neo4jStore(GraphStore):
    """A `GraphStore` on a Cypher server.

    Args:
        runner: how Cypher reaches the server (injected).
        batch_rows: most rows in one ``UNWIND $rows`` statement.
        batch_bytes: most bytes (as JSON) of rows in one statement; FalkorDB's Bolt
            endpoint needs this small (it crashes on parameters over about 4 KB).
        ensure_schema: create the ``(label, id)`` constraints or indexes on connect.
    """

    def __init__(
        self,
        runner: CypherRunner,
        *,
        batch_rows: int = 1000,
        batch_bytes: int = 1_000_000,
        ensure_schema: bool = True,
    ) -> None:
        if batch_rows < 1 or batch_bytes < 1:
            raise ValueError("batch sizes must be positive")
        self.runner = runner
        self.location = runner.location
        self.batch_rows = batch_rows
        self.batch_bytes = batch_bytes
        self._local = threading.local()
        if ensure_schema:
            self.ensure_schema()

    # --- lifecycle ----------------------------------------------------------------------

    def close(self) -> None:
        self.runner.close()

    def ensure_schema(self) -> None:
        """Uniqueness on ``(label, id)`` in the connected engine's own syntax; idempotent.

        Only missing constraints are created, so opening a store that has them all
        is a read (a read-only user can open it).
        """
        if self.runner.engine is Engine.NEO4J:
            have = {
                str(label)
                for (labels,) in self.runner.read(cypher.NEO4J_UNIQUE_IDS)
                for label in labels
            }
            create = [label for label in Label if label.value not in have]
            if create:
                self.runner.write([(cypher.neo4j_constraint(label), {}) for label in create])
            return
        indexed = {
            str(label)
            for label, properties in self.runner.read(cypher.FALKORDB_INDEXES)
            if "id" in properties
        }
        missing = [label for label in Label if label.value not in indexed]
        # One statement per index: another client creating the same index meanwhile
        # makes only that statement fail, and harmlessly.
        for label in missing:
            try:
                self.runner.write([(cypher.falkordb_index(label), {})])
            except Exception as exc:  # another client created it meanwhile
                if "already indexed" not in str(exc):
                    raise

    @contextmanager
    def reading(self) -> Iterator[None]:
        depth: int = getattr(self._local, "depth", 0)
        if depth == 0:
            self._local.memo = {}
        self._local.depth = depth + 1
        try:
            yield
        finally:
            self._local.depth = depth
            if depth == 0:
                self._local.memo = None

    def _read(self, query: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        memo: dict[tuple[str, str], list[tuple[Any, ...]]] | None = getattr(
            self._local, "memo", None
        )
        if memo is None:
            return self.runner.read(query, params)
        key = (query, json.dumps(params, sort_keys=True, ensure_ascii=False, default=str))
        rows = memo.get(key)
        if rows is None:
            rows = self.runner.read(query, params)
            memo[key] = rows
        return rows

    def _write(self, statements: list[Statement]) -> None:
        if getattr(self._local, "depth", 0):
            raise RuntimeError("writing inside reading() would break the snapshot")
        if statements:
            self.runner.write(statements)

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
        statements = self._removals(remove_nodes, remove_relationships)
        # ``SET n += {key: null}`` removes the key, on Neo4j and FalkorDB alike.
        cleared: dict[Label, list[dict[str, Any]]] = defaultdict(list)
        for label, node_id, keys in clear_nodes:
            props = dict.fromkeys(clearable(keys))
            if props:
                cleared[Label(label)].append({"id": _id(node_id), "props": props})
        for label, rows in cleared.items():
            statements += self._batches(cypher.set_node_properties(label), rows)
        cleared_rels: dict[tuple[Rel, Label, Label], list[dict[str, Any]]] = defaultdict(list)
        for (cleared_type, src_label, src, dst_label, dst), keys in clear_relationships:
            props = dict.fromkeys(clearable(keys))
            if props:
                cleared_rels[(Rel(cleared_type), Label(src_label), Label(dst_label))].append(
                    {"src": _id(src), "dst": _id(dst), "props": props}
                )
        for (rel_type, src_label, dst_label), rows in cleared_rels.items():
            statements += self._batches(
                cypher.set_relationship_properties(rel_type, src_label, dst_label), rows
            )
        node_rows: dict[Label, list[dict[str, Any]]] = defaultdict(list)
        for node in nodes:
            props = _props(node.props, f"{node.label} {node.id}", drop_id=True)
            node_rows[Label(node.label)].append({"id": _id(node.id), "props": props})
        rel_rows: dict[tuple[Rel, Label, Label], list[dict[str, Any]]] = defaultdict(list)
        for rel in relationships:
            where = f"{rel.type} {rel.src}->{rel.dst}"
            rel_rows[(Rel(rel.type), Label(rel.src_label), Label(rel.dst_label))].append(
                {"src": _id(rel.src), "dst": _id(rel.dst), "props": _props(rel.props, where)}
            )
        for label, rows in node_rows.items():
            statements += self._batches(cypher.merge_nodes(label), rows)
        for (rel_type, src, dst), rows in rel_rows.items():
            statements += self._batches(cypher.merge_relationships(rel_type, src, dst), rows)
        for kind, name, body in documents:
            statements += self._document_statements(kind, name, body, utc_now())
        if (
            isinstance(self.runner, FalkorDBRunner)
            and not getattr(self._local, "depth", 0)
            and staged.statement_bytes(statements) > staged.STAGE_BYTES
        ):
            staged.write_swapped(self.runner, statements)
            return
        self._write(statements)

    def _removals(
        self, nodes: Sequence[tuple[Label, str]], relationships: Sequence[RelKey]
    ) -> list[Statement]:
        """Statements deleting relationships (by key), then nodes with all of theirs."""
        rel_rows: dict[tuple[Rel, Label, Label], list[dict[str, Any]]] = defaultdict(list)
        for rel, src_label, src, dst_label, dst in relationships:
            rel_rows[(Rel(rel), Label(src_label), Label(dst_label))].append(
                {"src": _id(src), "dst": _id(dst)}
            )
        node_ids: dict[Label, list[str]] = defaultdict(list)
        for label, node_id in nodes:
            node_ids[Label(label)].append(_id(node_id))
        statements: list[Statement] = []
        for (rel_type, src_label, dst_label), rows in rel_rows.items():
            statements += self._batches(
                cypher.delete_relationships(rel_type, src_label, dst_label), rows
            )
        for label, ids in node_ids.items():
            statements += self._batches(cypher.delete_nodes(label), ids, key="ids")  # type: ignore[arg-type]
        return statements

    def _batches(
        self, query: str, rows: list[dict[str, Any]], key: str = "rows"
    ) -> list[Statement]:
        """Split rows into statements of at most `batch_rows` rows and ~`batch_bytes` bytes."""
        statements: list[Statement] = []
        batch: list[Any] = []
        size = 0
        for row in rows:
            row_size = len(json.dumps(row, ensure_ascii=False).encode()) + 1
            if batch and (len(batch) >= self.batch_rows or size + row_size > self.batch_bytes):
                statements.append((query, {key: batch}))
                batch, size = [], 0
            batch.append(row)
            size += row_size
        if batch:
            statements.append((query, {key: batch}))
        return statements

    # --- documents ----------------------------------------------------------------------

    def save_document(
        self, kind: DocumentKind, name: str, body: str, *, replace: bool = False
    ) -> Document:
        kind = DocumentKind(kind)
        if not replace and self.document(kind, name) is not None:
            raise document_exists(kind, name)
        created = utc_now()
        self._write(self._document_statements(kind, name, body, created))
        return Document(kind, name, created, body, len(body))

    def _document_statements(
        self, kind: DocumentKind, name: str, body: str, created: str
    ) -> list[Statement]:
        """Save a document in pieces of at most ~`batch_bytes`: no parameter outgrows a batch."""
        _check(body, f"{kind} {name}", "body")
        size = max(256, self.batch_bytes // 4)  # characters; UTF-8 takes at most 4 bytes each
        pieces = [body[i : i + size] for i in range(0, len(body), size)] or [""]
        key = {"kind": DocumentKind(kind).value, "name": name}
        first: dict[str, Any] = {**key, "created": created, "body": pieces[0], "size": len(body)}
        statements: list[Statement] = [
            (cypher.DELETE_DOCUMENT_PIECES, key),
            (cypher.SAVE_DOCUMENT, first),
        ]
        statements += [
            (cypher.SAVE_DOCUMENT_PIECE, {**key, "seq": seq, "piece": piece})
            for seq, piece in enumerate(pieces[1:], start=1)
        ]
        return statements

    def document(self, kind: DocumentKind, name: str) -> Document | None:
        kind = DocumentKind(kind)
        key = {"kind": kind.value, "name": name}
        rows = self.runner.read(cypher.GET_DOCUMENT, key)
        if not rows:
            return None
        created, body, size = rows[0]
        body = str(body)
        if size is not None and int(size) > len(body):
            pieces = sorted(self.runner.read(cypher.GET_DOCUMENT_PIECES, key))
            body += "".join(str(text) for _, text in pieces)
        return Document(kind, name, str(created), body, len(body))

    def documents(self, kind: DocumentKind) -> list[Document]:
        kind = DocumentKind(kind)
        return [
            Document(kind, str(name), str(created), "", int(size))
            for name, created, size in self.runner.read(cypher.LIST_DOCUMENTS, {"kind": kind.value})
        ]

    def delete_document(self, kind: DocumentKind, name: str) -> bool:
        params = {"kind": DocumentKind(kind).value, "name": name}
        if not self.runner.read(cypher.GET_DOCUMENT, params):
            return False
        self._write([(cypher.DELETE_DOCUMENT_PIECES, params), (cypher.DELETE_DOCUMENT, params)])
        return True

    # --- lookups ------------------------------------------------------------------------

    def nodes(self, label: Label, ids: Collection[str] | None = None) -> dict[str, Node]:
        if ids is None:
            rows = self._read(cypher.all_nodes(label))
        else:
            wanted = sorted(set(ids))
            rows = []
            for start in range(0, len(wanted), ID_BATCH):
                rows += self._read(
                    cypher.nodes_by_id(label), {"ids": wanted[start : start + ID_BATCH]}
                )
            rows.sort(key=lambda row: row[0])
        return {node_id: _node(label, node_id, props) for node_id, props in rows}

    def relationships(
        self,
        rel: Rel,
        *,
        src_ids: Collection[str] | None = None,
        dst_ids: Collection[str] | None = None,
    ) -> list[Relationship]:
        if (src_ids is not None and not src_ids) or (dst_ids is not None and not dst_ids):
            return []
        starts, ends = rel.ends
        found: list[Relationship] = []
        for src_label, dst_label in product(sorted(starts), sorted(ends)):
            query = cypher.relationships(
                rel, src_label, dst_label, by_src=src_ids is not None, by_dst=dst_ids is not None
            )
            for params in _id_params(src_ids, dst_ids):
                for src, dst, props in self._read(query, params):
                    found.append(Relationship(rel, src_label, src, dst_label, dst, dict(props)))
        found.sort(key=lambda r: (r.src, r.dst, r.src_label.value, r.dst_label.value))
        return found

    def neighbours(self, label: Label, node_id: str) -> list[Neighbour]:
        found: list[tuple[int, int, str, Neighbour]] = []
        rel_order = {rel.value: i for i, rel in enumerate(Rel)}
        with self.reading():
            for direction_order, direction in enumerate(("out", "in")):
                for rel_type, labels, other, props, rel_props in self._read(
                    cypher.neighbours(label, direction), {"id": node_id}
                ):
                    if rel_type not in rel_order or len(labels) != 1:
                        continue  # not ours: another application's data in the graph
                    try:
                        other_label = Label(labels[0])
                    except ValueError:
                        continue
                    neighbour = Neighbour(
                        Rel(rel_type),
                        "out" if direction == "out" else "in",
                        _node(other_label, other, props),
                        dict(rel_props),
                    )
                    found.append((rel_order[rel_type], direction_order, other, neighbour))
        found.sort(key=lambda item: item[:3])
        return [item[3] for item in found]

    def stats(self) -> Stats:
        node_counts: dict[str, int] = defaultdict(int)
        rel_counts: dict[str, int] = defaultdict(int)
        with self.reading():
            for labels, count in self._read(cypher.COUNT_NODES):
                for label in labels:
                    node_counts[str(label)] += int(count)
            for rel_type, count in self._read(cypher.COUNT_RELATIONSHIPS):
                rel_counts[str(rel_type)] += int(count)
        return Stats(
            nodes={lb: node_counts.get(lb.value, 0) for lb in Label},
            relationships={r: rel_counts.get(r.value, 0) for r in Rel},
        )

    def find_nodes(
        self,
        label: Label,
        *,
        text: str | None = None,
        filters: Mapping[str, str | int | float | bool] | None = None,
        after: str | None = None,
        limit: int = 50,
    ) -> list[Node]:
        params: dict[str, Any] = {"after": after, "text": text or None, "limit": max(0, limit)}
        wanted: list[tuple[str, str, str]] = []
        check_filters(filters)
        for i, (key, value) in enumerate((filters or {}).items()):
            params[f"k{i}"] = key
            params[f"v{i}"] = value
            wanted.append((key, f"k{i}", f"v{i}"))
        if params["limit"] == 0:
            return []
        rows = self._read(cypher.find_nodes(label, wanted), params)
        return [_node(label, node_id, props) for node_id, props in rows]

    # --- aggregated reads ---------------------------------------------------------------

    def curriculum(self, cluster_id: str) -> dict[str, dict[str, int]]:
        rows = self._read(cypher.CURRICULUM, {"cluster": cluster_id})
        result: dict[str, dict[str, int]] = {}
        for course, covers in sorted(rows, key=lambda row: row[0]):
            result[course] = {ability: int(level) for ability, level in sorted(covers)}
        return result

    def chain_scope(self, chain_id: str, segment_id: str | None = None) -> ChainScope:
        with self.reading():
            found = self._read(cypher.CHAIN, {"chain": chain_id})
            if not found:
                raise chain_not_found(chain_id)
            chain = _node(Label.INDUSTRY_CHAIN, found[0][0], found[0][1])
            segments = sorted(
                (
                    ScopeSegment(sid, name, int_or_none(order))
                    for sid, name, order in self._read(cypher.CHAIN_SEGMENTS, {"chain": chain_id})
                ),
                key=lambda s: s.id,
            )
            if segment_id is not None:
                segments = [s for s in segments if s.id == segment_id]
                if not segments:
                    raise segment_not_found(chain_id, segment_id)
            positions = sorted(
                (
                    ScopePosition(pid, name, seg, int_or_none(demand), int_or_none(offered))
                    for pid, name, seg, demand, offered in self._read(
                        cypher.SCOPE_POSITIONS, {"segments": [s.id for s in segments]}
                    )
                ),
                key=lambda p: (p.segment, p.id),
            )
            position_ids = sorted({p.id for p in positions})
            requirements: list[ScopeRequirement] = []
            for start in range(0, len(position_ids), ID_BATCH):
                batch = position_ids[start : start + ID_BATCH]
                requirements += [
                    ScopeRequirement(
                        pid,
                        aid,
                        name,
                        int(level),
                        float(weight if weight is not None else 1.0),
                    )
                    for pid, aid, name, level, weight in self._read(
                        cypher.SCOPE_REQUIREMENTS, {"positions": batch}
                    )
                ]
            requirements.sort(key=lambda r: (r.position, r.ability))
        return ChainScope(chain, segments, positions, requirements)

    def closers(self, ability_ids: Collection[str]) -> dict[str, dict[str, Sequence[str]]]:
        wanted = list(dict.fromkeys(ability_ids))
        empty: dict[str, Sequence[str]] = {kind: () for kind in CLOSER_KINDS}
        found: dict[str, dict[str, Sequence[str]]] = {a: empty for a in wanted}
        with self.reading():
            for start in range(0, len(wanted), ID_BATCH):
                batch = wanted[start : start + ID_BATCH]
                for ability, *lists in self._read(cypher.CLOSERS, {"abilities": batch}):
                    found[ability] = {
                        kind: tuple(sorted(set(ids)))
                        for kind, ids in zip(CLOSER_KINDS, lists, strict=True)
                    }
        return found

    def student_records(
        self,
        *,
        ids: Collection[str] | None = None,
        cohort: str | None = None,
        major: str | None = None,
    ) -> StudentRecords:
        filters = {"cohort": cohort, "major": major}
        with self.reading():
            if ids is None:
                rows = self._read(cypher.STUDENTS, filters)
            else:
                rows = []
                for batch in _batched(sorted(set(ids))):
                    rows += self._read(cypher.STUDENTS_BY_ID, {"ids": batch, **filters})
            students = sorted(
                (
                    StudentRow(
                        sid,
                        name,
                        None if grade is None else str(grade),
                        status,
                        min(majors) if majors else None,
                    )
                    for sid, name, grade, status, majors in rows
                ),
                key=lambda s: s.id,
            )
            wanted = [s.id for s in students]
            results: list[ResultRow] = []
            holdings: list[tuple[str, str]] = []
            for batch in _batched(wanted):
                results += [
                    ResultRow(
                        sid,
                        course,
                        None if score is None else float(score),
                        None if passed is None else bool(passed),
                    )
                    for sid, course, score, passed in self._read(
                        cypher.STUDENT_RESULTS, {"students": batch}
                    )
                ]
                holdings += [
                    (sid, cert)
                    for sid, cert in self._read(cypher.STUDENT_HOLDINGS, {"students": batch})
                ]
            results.sort(key=lambda r: (r.student, r.course))
            holdings.sort()
            covers: dict[str, dict[str, int]] = {}
            for batch in _batched(sorted({r.course for r in results})):
                for course, ability, level in sorted(
                    self._read(cypher.COURSE_COVERS, {"courses": batch})
                ):
                    covers.setdefault(course, {})[ability] = int(level)
            certifies: dict[str, list[str]] = {}
            for batch in _batched(sorted({cert for _, cert in holdings})):
                for cert, ability in sorted(
                    self._read(cypher.CERTIFICATE_ABILITIES, {"certificates": batch})
                ):
                    certifies.setdefault(cert, []).append(ability)
        return StudentRecords(
            students,
            results,
            holdings,
            covers,
            {cert: tuple(abilities) for cert, abilities in certifies.items()},
        )


# --- values ------------------------------------------------------------------------------


def _id(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"an id must be a string, not {type(value).__name__}: {value!r}")
    return value


def _check(value: object, where: str, key: str) -> None:
    """Raise TypeError for a value a graph property cannot hold (before any write)."""
    check_property(value, where, key)


def _props(props: Mapping[str, Any], where: str, *, drop_id: bool = False) -> dict[str, Any]:
    """Properties to ``SET +=``: None means "leave as is", as in the embedded store."""
    clean: dict[str, Any] = {}
    for key, value in props.items():
        if not isinstance(key, str) or not key or "`" in key:
            raise TypeError(f"{where}: not a property name: {key!r}")
        if value is None or (drop_id and key == "id"):
            continue
        _check(value, where, key)
        clean[key] = list(value) if isinstance(value, tuple) else value
    return clean


def _node(label: Label, node_id: str, props: Mapping[str, Any]) -> Node:
    data = {k: v for k, v in props.items() if k != "id"}
    if data.get("name") is None:
        data["name"] = node_id
    return Node(label, node_id, data)


def _batched(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), ID_BATCH):
        yield ids[start : start + ID_BATCH]


def _id_params(
    src_ids: Collection[str] | None, dst_ids: Collection[str] | None
) -> Iterator[dict[str, Any]]:
    """Parameters for a relationship lookup, the id lists cut into batches."""
    src = sorted(set(src_ids)) if src_ids is not None else None
    dst = sorted(set(dst_ids)) if dst_ids is not None else None
    if src is not None:
        for start in range(0, len(src), ID_BATCH):
            params: dict[str, Any] = {"src": src[start : start + ID_BATCH]}
            if dst is not None:
                params["dst"] = dst
            yield params
    elif dst is not None:
        for start in range(0, len(dst), ID_BATCH):
            yield {"dst": dst[start : start + ID_BATCH]}
    else:
        yield {}
