"""Load a dataset into a store: read → validate → check → plan → write, all or nothing.

Every problem of the whole dataset is collected before anything is written: bad
values, duplicate ids or relationships, references to ids that neither the dataset
nor the store holds, prerequisite cycles. If there is any, `IngestError` carries
them all and the store is untouched. Otherwise the changes are computed against
the store (added / updated / unchanged) and written in one transaction, so loading
the same dataset twice writes nothing the second time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import networkx as nx
from pydantic import ValidationError

from chanjiao.errors import IngestError, Problem
from chanjiao.graph.schema import Label, Node, Rel, Relationship
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.formats import FileFormat
from chanjiao.ingest.readers import RawDataset, Table, read_dataset
from chanjiao.ingest.validate import row_problems

#: Called as progress(stage, done, total) while a dataset loads.
Progress = Callable[[str, int, int], None]

Where = tuple[str, int | None, str | None]  # source, row, column


@dataclass(slots=True)
class Counts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class IngestResult:
    """What a load changed (or, in a dry run, would change), per label and type."""

    source: str
    dry_run: bool
    rows: int
    nodes: dict[Label, Counts] = field(default_factory=dict)
    relationships: dict[Rel, Counts] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> int:
        groups = [*self.nodes.values(), *self.relationships.values()]
        return sum(c.added + c.updated for c in groups)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "nodes": {str(k): c.as_dict() for k, c in self.nodes.items()},
            "relationships": {str(k): c.as_dict() for k, c in self.relationships.items()},
            "warnings": [w.as_dict() for w in self.warnings],
        }


def ingest(
    store: GraphStore,
    path: str | Path,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> IngestResult:
    """Load the dataset at `path` into `store`.

    Raises:
        IngestError: anything is wrong with the dataset; nothing was written.
    """
    path = Path(path)
    report = progress or (lambda stage, done, total: None)
    report("读取文件 reading", 0, 1)
    raw = read_dataset(path)
    report("读取文件 reading", 1, 1)
    return ingest_tables(store, raw, source=path.name, dry_run=dry_run, progress=report)


def ingest_tables(
    store: GraphStore,
    raw: RawDataset,
    *,
    source: str,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> IngestResult:
    """Validate, check and load tables already read (the API passes uploads here)."""
    if raw.problems:
        raise IngestError(raw.problems)
    report = progress or (lambda stage, done, total: None)
    builder = _Builder(report)
    for table in raw.tables:
        builder.add_table(table)
    rows = sum(len(t.rows) for t in raw.tables)
    with store.reading():
        builder.resolve_references(store)
        builder.check_cycles(store)
        if builder.problems:
            raise IngestError(builder.problems, builder.problem_count)
        result = IngestResult(source, dry_run, rows, warnings=list(raw.warnings))
        report("对比数据库 comparing", 0, 1)
        nodes, relationships = _plan(store, builder, result)
        report("对比数据库 comparing", 1, 1)
    if not dry_run and (nodes or relationships):
        report("写入 writing", 0, 1)
        store.write(nodes, relationships)
        report("写入 writing", 1, 1)
    return result


# --- building records from rows ---------------------------------------------------------


def _value(value: Any) -> Any:
    return value.value if isinstance(value, StrEnum) else value


@dataclass(slots=True)
class _Ref:
    labels: tuple[Label, ...]
    id: str
    where: Where
    rel_key: tuple[Any, ...] | None = None  # a relationship whose end this resolves


class _Builder:
    """Collects nodes, relationships, references and problems from validated rows."""

    def __init__(self, report: Progress) -> None:
        self.report = report
        self.nodes: dict[tuple[Label, str], Node] = {}
        self.node_where: dict[tuple[Label, str], Where] = {}
        self.rels: dict[tuple[Any, ...], Relationship] = {}
        self.rel_where: dict[tuple[Any, ...], Where] = {}
        self.refs: list[_Ref] = []
        self.problems: list[Problem] = []
        self.problem_count = 0

    def problem(self, where: Where, zh: str, en: str) -> None:
        self.problem_count += 1
        if len(self.problems) < IngestError.MAX_PROBLEMS:
            self.problems.append(Problem(where[0], where[1], where[2], zh, en))

    def add_table(self, table: Table) -> None:
        fmt = table.fmt
        total = len(table.rows)
        stage = f"校验 {table.source}"
        validate = fmt.model.model_validate
        for index, (number, cells) in enumerate(table.rows):
            if index % 5000 == 0:
                self.report(stage, index, total)
            try:
                row = validate(cells)
            except ValidationError as exc:
                for p in row_problems(exc, table.source, number):
                    self.problem((p.source, p.row, p.column), p.zh, p.en)
                continue
            if fmt.edge is not None:
                self._add_edge_row(fmt, table.source, number, row)
            else:
                self._add_node_row(fmt, table.source, number, row)
        self.report(stage, total, total)

    def _add_node_row(self, fmt: FileFormat, source: str, number: int, row: Any) -> None:
        assert fmt.label is not None
        label, node_id = fmt.label, row.id
        where: Where = (source, number, "id")
        key = (label, node_id)
        if key in self.nodes:
            first = self.node_where[key]
            self.problem(
                where,
                f"编号 {node_id} 重复：{first[0]} 第 {first[1]} 行已有同一{label.zh}",
                f"duplicate id {node_id}: the same {label} is at {first[0]} row {first[1]}",
            )
            return
        props = {
            column: _value(getattr(row, column))
            for column in fmt.property_columns
            if getattr(row, column) is not None
        }
        self.nodes[key] = Node(label, node_id, props)
        self.node_where[key] = where
        for link in fmt.links:
            value = getattr(row, link.column)
            ids: Iterable[str] = () if value is None else (
                (value,) if isinstance(value, str) else value
            )
            for other in ids:
                rel_props: dict[str, Any] = {}
                if link.rel is Rel.IN_MAJOR:
                    rel_props["core"] = other in row.core_major_ids
                self._link(link.rel, label, node_id, link.target, other, link.outgoing,
                           rel_props, (source, number, link.column))
        if fmt.name == "courses":
            for major in row.core_major_ids:
                if major not in row.major_ids:
                    self._link(Rel.IN_MAJOR, label, node_id, Label.MAJOR, major, True,
                               {"core": True}, (source, number, "core_major_ids"))
        for column, target in fmt.refs:
            ref = getattr(row, column)
            if ref is not None:
                self.refs.append(_Ref((target,), ref, (source, number, column)))
        if fmt.name == "clusters" and row.lead_major_id and row.major_ids \
                and row.lead_major_id not in row.major_ids:
            self.problem(
                (source, number, "lead_major_id"),
                f"核心专业 {row.lead_major_id} 不在本专业群的组群专业（major_ids）中",
                f"the lead major {row.lead_major_id} is not one of the cluster's major_ids",
            )

    def _link(
        self,
        rel: Rel,
        label: Label,
        node_id: str,
        target: Label,
        other: str,
        outgoing: bool,
        props: dict[str, Any],
        where: Where,
    ) -> None:
        if outgoing:
            record = Relationship(rel, label, node_id, target, other, props)
        else:
            record = Relationship(rel, target, other, label, node_id, props)
        if self._add_rel(record, where):
            self.refs.append(_Ref((target,), other, where))

    def _add_rel(self, record: Relationship, where: Where) -> bool:
        key = (record.type, record.src, record.dst, record.src_label, record.dst_label)
        if key in self.rels:
            first = self.rel_where[key]
            self.problem(
                where,
                f"关系重复：{record.src} → {record.dst}（{record.type.zh}）"
                f"已在 {first[0]} 第 {first[1]} 行出现",
                f"duplicate relationship {record.src} -[{record.type}]-> {record.dst}, "
                f"first at {first[0]} row {first[1]}",
            )
            return False
        self.rels[key] = record
        self.rel_where[key] = where
        return True

    def _add_edge_row(self, fmt: FileFormat, source: str, number: int, row: Any) -> None:
        edge = fmt.edge
        assert edge is not None
        props = {c: _value(getattr(row, c)) for c in edge.props if getattr(row, c) is not None}
        if edge.rel is Rel.REQUIRES:
            props.setdefault("weight", 1.0)
        src, dst = getattr(row, edge.src_column), getattr(row, edge.dst_column)
        record = Relationship(edge.rel, edge.src_labels[0], src, edge.dst_label, dst, props)
        where: Where = (source, number, edge.src_column)
        if not self._add_rel(record, where):
            return
        key = (record.type, src, dst, record.src_label, record.dst_label)
        self.refs.append(_Ref(edge.src_labels, src, where, key if len(edge.src_labels) > 1
                              else None))
        self.refs.append(_Ref((edge.dst_label,), dst, (source, number, edge.dst_column)))

    # --- whole-dataset checks -------------------------------------------------------------

    def resolve_references(self, store: GraphStore) -> None:
        """Every referenced id must be in the dataset or the store (DESIGN §3)."""
        in_dataset: dict[Label, set[str]] = defaultdict(set)
        for label, node_id in self.nodes:
            in_dataset[label].add(node_id)
        outside: dict[Label, set[str]] = defaultdict(set)
        for ref in self.refs:
            for label in ref.labels:
                if ref.id not in in_dataset[label]:
                    outside[label].add(ref.id)
        in_store = {
            label: set(store.nodes(label, ids)) for label, ids in outside.items() if ids
        }
        for ref in self.refs:
            found = [
                label for label in ref.labels
                if ref.id in in_dataset[label] or ref.id in in_store.get(label, ())
            ]
            names = "或".join(label.zh for label in ref.labels)
            if not found:
                self.problem(
                    ref.where,
                    f"引用的{names}编号 {ref.id} 不存在（数据集和数据库中都没有）",
                    f"{' or '.join(ref.labels)} {ref.id} does not exist "
                    "(neither in the dataset nor in the store)",
                )
            elif len(found) > 1:
                self.problem(
                    ref.where,
                    f"编号 {ref.id} 同时是企业和参建单位，无法判断指哪一个",
                    f"{ref.id} is both an Enterprise and an Organization; it is ambiguous",
                )
            elif ref.rel_key is not None and found[0] != ref.labels[0]:
                record = self.rels.pop(ref.rel_key)
                where = self.rel_where.pop(ref.rel_key)
                record.src_label = found[0]
                self._add_rel(record, where)

    def check_cycles(self, store: GraphStore) -> None:
        """Prerequisites (and the ability hierarchy) must not loop, store included."""
        for rel, zh, en, label in (
            (Rel.PREREQUISITE_OF, "课程先修关系成环", "prerequisite cycle", Label.COURSE),
            (Rel.CHILD_OF, "能力层级成环", "ability hierarchy cycle", Label.ABILITY),
        ):
            mine = [r for r in self.rels.values() if r.type is rel]
            if not mine:
                continue
            graph = nx.DiGraph()
            if rel is Rel.PREREQUISITE_OF:
                graph.add_edges_from(store.prerequisite_graph().edges)
            else:
                graph.add_edges_from((r.src, r.dst) for r in store.relationships(rel))
            graph.add_edges_from((r.src, r.dst) for r in mine)
            for _ in range(5):
                try:
                    cycle = nx.find_cycle(graph)
                except nx.NetworkXNoCycle:
                    break
                path = [edge[0] for edge in cycle] + [cycle[0][0]]
                where: Where = (label.zh, None, None)
                for a, b, *_ in cycle:
                    key = (rel, a, b, label, label)
                    if key in self.rel_where:
                        where = self.rel_where[key]
                        break
                self.problem(
                    where,
                    f"{zh}：{' → '.join(path)}（不能直接或间接以自己为前提）",
                    f"{en}: {' -> '.join(path)}",
                )
                graph.remove_edge(cycle[0][0], cycle[0][1])


# --- planning the write -----------------------------------------------------------------


def _plan(
    store: GraphStore, builder: _Builder, result: IngestResult
) -> tuple[list[Node], list[Relationship]]:
    """Classify each record against the store; return only what needs writing."""
    write_nodes: list[Node] = []
    by_label: dict[Label, list[Node]] = defaultdict(list)
    for node in builder.nodes.values():
        by_label[node.label].append(node)
    for label, nodes in by_label.items():
        counts = result.nodes.setdefault(label, Counts())
        existing = store.nodes(label, [n.id for n in nodes])
        for node in nodes:
            old = existing.get(node.id)
            if old is None:
                counts.added += 1
            elif {**old.props, **node.props} != old.props:
                counts.updated += 1
            else:
                counts.unchanged += 1
                continue
            write_nodes.append(node)
    write_rels: list[Relationship] = []
    by_type: dict[Rel, list[Relationship]] = defaultdict(list)
    for record in builder.rels.values():
        by_type[record.type].append(record)
    for rel, records in by_type.items():
        counts = result.relationships.setdefault(rel, Counts())
        existing_rels = {
            r.key: r.props
            for r in store.relationships(rel, src_ids={r.src for r in records})
        }
        for record in records:
            old_props = existing_rels.get(record.key)
            if old_props is None:
                counts.added += 1
            elif {**old_props, **record.props} != old_props:
                counts.updated += 1
            else:
                counts.unchanged += 1
                continue
            write_rels.append(record)
    return write_nodes, write_rels
