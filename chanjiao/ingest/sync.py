"""Sync (DESIGN §3): the dataset is the master copy of everything its files own.

Each file present in a dataset owns its label's nodes and the kinds of relationship
it writes (`chanjiao.ingest.diff.owned_kinds`); a file that is absent owns nothing
and changes nothing. So a sync removes the owned nodes and relationships the
dataset no longer holds. A removed node takes its relationships with it, which is
refused when one of them belongs to a file the dataset does not hold: the
designer would lose data they did not touch. A dataset row that still names a
node the sync removes is an error too, at that row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from chanjiao.graph.schema import Label, Node, Rel, Relationship
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.diff import REL_OWNER, RelKind, owned_kinds
from chanjiao.ingest.readers import Table

if TYPE_CHECKING:
    from chanjiao.ingest.load import _Builder


@dataclass(slots=True)
class Removals:
    """What a sync removes: nodes (with their relationships) and relationships."""

    nodes: list[Node] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)


def _kinds(tables: Iterable[Table]) -> set[RelKind]:
    return {kind for table in tables for kind in owned_kinds(table.fmt)}


def owned_rels(tables: Iterable[Table]) -> set[Rel]:
    """Relationship types some of whose kinds the dataset's files own."""
    return {kind[0] for kind in _kinds(tables)}


def plan_removals(store: GraphStore, builder: _Builder, tables: list[Table]) -> Removals:
    """What a sync of these tables removes from `store`; problems go to the builder."""
    removals = Removals()
    labels = {table.fmt.label: table.source for table in tables if table.fmt.label is not None}
    for label in labels:
        for node_id, node in store.nodes(label).items():
            if (label, node_id) not in builder.nodes:
                removals.nodes.append(node)
    gone = {(n.label, n.id): n for n in removals.nodes}
    kinds = _kinds(tables)
    for rel in sorted({kind[0] for kind in kinds}):
        for record in store.relationships(rel):
            if (record.type, record.src_label, record.dst_label) not in kinds:
                continue
            key = (record.type, record.src, record.dst, record.src_label, record.dst_label)
            if key not in builder.rels:
                removals.relationships.append(record)
    _refuse_stranding(store, builder, gone, kinds, labels)
    _refuse_references(builder, gone)
    return removals


def _refuse_stranding(
    store: GraphStore,
    builder: _Builder,
    gone: dict[tuple[Label, str], Node],
    kinds: set[RelKind],
    sources: dict[Label, str],
) -> None:
    """A removed node must not take a relationship owned by an absent file with it."""
    if not gone:
        return
    ids: dict[Label, list[str]] = defaultdict(list)
    for label, node_id in gone:
        ids[label].append(node_id)
    for rel in Rel:
        starts, ends = rel.ends
        found: list[Relationship] = []
        for label, node_ids in ids.items():
            if label in starts:
                found += [
                    r for r in store.relationships(rel, src_ids=node_ids) if r.src_label is label
                ]
            if label in ends:
                found += [
                    r for r in store.relationships(rel, dst_ids=node_ids) if r.dst_label is label
                ]
        seen: set[tuple[object, ...]] = set()
        for record in found:
            kind = (record.type, record.src_label, record.dst_label)
            if kind in kinds or record.key in seen:
                continue
            seen.add(record.key)
            node = gone.get((record.src_label, record.src)) or gone[(record.dst_label, record.dst)]
            owner = REL_OWNER.get(kind)
            file_zh = f"{owner.name}（{owner.zh}）" if owner else "其他来源"
            file_en = owner.name if owner else "another source"
            builder.problem(
                (sources[node.label], None, None),
                f"同步会删除{node.label.zh} {node.id}（{node.name}），但关系 "
                f"{record.src_label.zh} {record.src} → {record.dst_label.zh} {record.dst}"
                f"（{record.type.zh}）属于 {file_zh}，数据集中没有这个文件，删除会使它悬空。"
                f"请在数据集中加入 {file_en}，或保留{node.label.zh} {node.id}",
                f"syncing would remove {node.label} {node.id}, stranding "
                f"{record.src_label} {record.src} -[{record.type}]-> "
                f"{record.dst_label} {record.dst}, which belongs to {file_en}, a file the "
                f"dataset does not hold; add {file_en} to the dataset or keep {node.id}",
            )


def _refuse_references(builder: _Builder, gone: dict[tuple[Label, str], Node]) -> None:
    """A dataset row naming a node that the sync removes is an error at that row."""
    if not gone:
        return

    def problem(label: Label, ref: str, where: tuple[str, int | None, str | None]) -> None:
        builder.problem(
            where,
            f"引用的{label.zh}编号 {ref} 不在本数据集中：同步会从数据库中删除它；"
            f"请在{label.zh}表中保留它，或删去这个引用",
            f"{label} {ref} is not in the dataset, so the sync removes it; keep it in the "
            "dataset or remove this reference",
        )

    for label, ref, where in builder.property_refs:
        if (label, ref) in gone:
            problem(label, ref, where)
    for key in builder.rels:
        _, src, dst, src_label, dst_label = key
        if (src_label, src) in gone or (dst_label, dst) in gone:
            source, number, src_col, dst_col = builder.rel_where[key]
            if (src_label, src) in gone:
                problem(src_label, src, (source, number, src_col))
            if (dst_label, dst) in gone:
                problem(dst_label, dst, (source, number, dst_col))
