"""A large write to FalkorDB in steps that can be undone, instead of one huge MULTI/EXEC.

Why: FalkorDB 4.16 with append-only persistence on logs a ``MULTI … EXEC`` of a
large ingest in a form it cannot replay: the next start fails an assertion
(``!server.in_exec``) and the store cannot be opened again. So a write bigger than
`STAGE_BYTES` is sent one ``UNWIND`` statement at a time, each atomic on its own.
Before the first step the store reads what the write will touch; if a step fails
the steps already applied are undone (new nodes and relationships deleted, changed
ones given back their properties), so the write still lands whole or not at all.

Neo4j needs none of this: its runner sends a write as one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from chanjiao.errors import StoreUnavailable
from chanjiao.graph import cypher
from chanjiao.graph.runners import Statement
from chanjiao.graph.schema import Label, Node, Rel, Relationship

if TYPE_CHECKING:
    from chanjiao.graph.neo4j import Neo4jStore

#: A FalkorDB write of more bytes of Cypher than this is staged (the sample college
#: writes about 120 KB; one MULTI/EXEC of 2 MB already breaks the append-only log).
STAGE_BYTES = 512 * 1024


def statement_bytes(statements: Sequence[Statement]) -> int:
    """About how many bytes the statements are on the wire."""
    return sum(len(query) + len(repr(params)) for query, params in statements)


def write_staged(
    store: Neo4jStore,
    nodes: Sequence[Node],
    relationships: Sequence[Relationship],
    statements: list[Statement],
) -> None:
    """Run `statements` (the upserts of `nodes` and `relationships`) one by one, undoably.

    Raises:
        StoreUnavailable: a step failed; what was applied has been undone (or, if the
            server went away meanwhile, the message says that the undo failed too).
    """
    undo = _undo_statements(store, nodes, relationships)
    run = getattr(store.runner, "write_each", None)
    if run is None:  # a runner without steps: one transaction it is
        store.runner.write(statements)
        return
    done = 0
    try:
        for statement in statements:
            run([statement])
            done += 1
    except StoreUnavailable as exc:
        if done == 0:
            raise
        try:
            run(undo)
        except StoreUnavailable as undo_exc:
            raise StoreUnavailable(
                f"写入在第 {done + 1} 步失败，撤销也失败；数据库 {store.location} 可能只写入了一部分，"
                f"请在服务恢复后重新导入同一数据集：{exc.zh}",
                f"the write failed at step {done + 1} and undoing it failed too; the store "
                f"{store.location} may hold part of it: load the same dataset again once the "
                f"server is back: {exc.en}",
            ) from undo_exc
        raise


def _undo_statements(
    store: Neo4jStore, nodes: Sequence[Node], relationships: Sequence[Relationship]
) -> list[Statement]:
    """Statements that put every node and relationship the write touches back as it is now."""
    undo: list[Statement] = []
    ids: dict[Label, set[str]] = defaultdict(set)
    for node in nodes:
        ids[Label(node.label)].add(node.id)
    by_type: dict[Rel, list[Relationship]] = defaultdict(list)
    for rel in relationships:
        by_type[Rel(rel.type)].append(rel)
    # Relationships first: a restored property must not be lost to a node's DETACH DELETE.
    for rel_type, rels in by_type.items():
        keys = {r.key for r in rels}
        before = {
            r.key: r
            for r in store.relationships(rel_type, src_ids={r.src for r in rels})
            if r.key in keys
        }
        fresh: dict[tuple[Label, Label], list[dict[str, Any]]] = defaultdict(list)
        old: dict[tuple[Label, Label], list[dict[str, Any]]] = defaultdict(list)
        for key in keys:
            _, src_label, src, dst_label, dst = key
            ends = (Label(src_label), Label(dst_label))
            if key in before:
                old[ends].append({"src": src, "dst": dst, "props": before[key].props})
            else:
                fresh[ends].append({"src": src, "dst": dst})
        for (src_label, dst_label), rows in fresh.items():
            undo += store._batches(
                cypher.delete_relationships(rel_type, src_label, dst_label), rows
            )
        for (src_label, dst_label), rows in old.items():
            undo += store._batches(
                cypher.replace_relationship_props(rel_type, src_label, dst_label), rows
            )
    for label, wanted in ids.items():
        before_nodes = store.nodes(label, wanted)
        fresh_ids = sorted(wanted - set(before_nodes))
        if fresh_ids:
            undo += store._batches(cypher.delete_nodes(label), fresh_ids, key="ids")  # type: ignore[arg-type]
        rows = [{"id": n.id, "props": {**n.props, "id": n.id}} for n in before_nodes.values()]
        if rows:
            undo += store._batches(cypher.replace_node_props(label), rows)
    return undo
