"""Load a dataset into a store: read → validate → check → plan → write, all or nothing.

Every problem of the whole dataset is collected before anything is written: bad
values, duplicate ids or relationships, references to ids that neither the dataset
nor the store holds, prerequisite cycles. If there is any, `IngestError` carries
them all and the store is untouched. Otherwise the changes are computed against
the store (added / updated / unchanged) and written in one transaction, so loading
the same dataset twice writes nothing the second time.
"""

from __future__ import annotations

import functools
import gc
import operator
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import EnumType
from pathlib import Path
from typing import Any

import networkx as nx
from pydantic import TypeAdapter, ValidationError

from chanjiao.errors import IngestError, Problem
from chanjiao.graph.schema import Label, Node, Rel, Relationship
from chanjiao.graph.store import GraphStore, RelKey
from chanjiao.history.changelog import change_entry
from chanjiao.ingest.diff import LABEL_OWNER, Diff, FileDiff, RecordChange
from chanjiao.ingest.formats import FileFormat
from chanjiao.ingest.readers import RawDataset, Table, stream_dataset
from chanjiao.ingest.sync import Removals, owned_rels, plan_removals
from chanjiao.ingest.validate import Row, normalise_levels, one_line, repair, row_problems
from chanjiao.interop.catalog import check_majors

#: Called as progress(stage, done, total) while a dataset loads.
Progress = Callable[[str, int, int], None]

Where = tuple[str, int | None, str | None]  # source, row, column


@dataclass(slots=True)
class Counts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def as_dict(self, removals: bool = False) -> dict[str, int]:
        """As JSON; `removed` only for a sync (a plain load never removes)."""
        data = {"added": self.added, "updated": self.updated, "unchanged": self.unchanged}
        if removals:
            data["removed"] = self.removed
        return data


@dataclass
class IngestResult:
    """What a load changed (or, in a dry run, would change), per label and type.

    Attributes:
        sync: the dataset was loaded as the master copy (`ingest(..., sync=True)`).
        diff: the same changes record by record, per owning file (`files` in JSON).
    """

    source: str
    dry_run: bool
    rows: int
    nodes: dict[Label, Counts] = field(default_factory=dict)
    relationships: dict[Rel, Counts] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    sync: bool = False
    diff: Diff = field(default_factory=Diff)

    @property
    def changed(self) -> int:
        groups = [*self.nodes.values(), *self.relationships.values()]
        return sum(c.added + c.updated + c.removed for c in groups)

    def as_dict(self, limit: int | None = None) -> dict[str, Any]:
        """As JSON; `limit` keeps at most that many records per file (counts stay exact)."""
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "sync": self.sync,
            "rows": self.rows,
            "nodes": {str(k): c.as_dict(self.sync) for k, c in self.nodes.items()},
            "relationships": {str(k): c.as_dict(self.sync) for k, c in self.relationships.items()},
            "warnings": [w.as_dict() for w in self.warnings],
            "files": self.diff.as_list(limit),
        }


def ingest(
    store: GraphStore,
    path: str | Path,
    *,
    dry_run: bool = False,
    sync: bool = False,
    author: str | None = None,
    progress: Progress | None = None,
) -> IngestResult:
    """Load the dataset at `path` into `store`.

    Args:
        sync: make the store equal to the dataset for everything its files own
            (DESIGN §3, "Sync"): what they no longer hold is removed, empty cells clear.
        author: who loads it, for the change log (a write is logged, a dry run not).

    Raises:
        IngestError: anything is wrong with the dataset; nothing was written.
    """
    path = Path(path)
    report = progress or (lambda stage, done, total: None)
    with _collector_paused():
        report("读取文件 reading", 0, 1)
        raw = RawDataset()
        builder = _Builder(report)
        for table in stream_dataset(path, raw):
            builder.add_table(table, consume=True)  # one file's rows at a time, at most
        report("读取文件 reading", 1, 1)
        return _load(
            store,
            raw,
            builder,
            source=path.name,
            dry_run=dry_run,
            sync=sync,
            author=author,
            action="ingest",
            progress=report,
        )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a load builds millions of objects.

    A load makes no reference cycles worth collecting, but each full collection
    walks every object made so far: on a national dataset that is 40 % of the time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def ingest_tables(
    store: GraphStore,
    raw: RawDataset,
    *,
    source: str,
    dry_run: bool = False,
    sync: bool = False,
    author: str | None = None,
    action: str = "ingest",
    progress: Progress | None = None,
) -> IngestResult:
    """Validate, check and load tables already read (the API passes uploads here).

    Args:
        sync: the tables are the master copy of what their files own (see `ingest`).
        author: who writes, for the change log.
        action: what the change log calls this write (``ingest``, ``sync``, ``api``…).
    """
    report = progress or (lambda stage, done, total: None)
    builder = _Builder(report)
    for table in raw.tables:
        builder.add_table(table)
    return _load(
        store,
        raw,
        builder,
        source=source,
        dry_run=dry_run,
        sync=sync,
        author=author,
        action=action,
        progress=report,
    )


def _load(
    store: GraphStore,
    raw: RawDataset,
    builder: _Builder,
    *,
    source: str,
    dry_run: bool,
    sync: bool,
    author: str | None,
    action: str,
    progress: Progress,
) -> IngestResult:
    """Check what `builder` holds against the store, then write it (or, dry, only say what)."""
    report = progress
    if raw.problems:
        # A file that could not be read would make references look dangling: report
        # the reading problems and the values of the files that were read, no more.
        problems = raw.problems + builder.problems
        raise IngestError(problems, len(raw.problems) + builder.problem_count)
    owned = owned_rels(raw.tables) if sync else set()
    with store.reading():
        builder.resolve_references(store)
        builder.check_cycles(store, replaced=owned)
        removals = plan_removals(store, builder, raw.tables) if sync else None
        if builder.problems:
            raise IngestError(builder.problems, builder.problem_count)
        # Majors are checked against the 2021 catalogue: a warning, never an error.
        warnings = [*raw.warnings, *builder.major_warnings]
        result = IngestResult(source, dry_run, builder.rows, warnings=warnings, sync=sync)
        report("对比数据库 comparing", 0, 1)
        plan = _plan(store, builder, result, removals)
        report("对比数据库 comparing", 1, 1)
    builder.release()
    if not dry_run and plan:
        report("写入 writing", 0, 1)
        entry = change_entry(
            action="sync" if sync and action == "ingest" else action,
            author=author,
            source=source,
            diff=result.diff,
        )
        store.write(
            plan.nodes,
            plan.relationships,
            remove_nodes=plan.remove_nodes,
            remove_relationships=plan.remove_relationships,
            clear_nodes=plan.clear_nodes,
            clear_relationships=plan.clear_relationships,
            documents=[entry],
        )
        report("写入 writing", 1, 1)
    return result


# --- building records from rows ---------------------------------------------------------


#: Where a relationship came from: source, row, the column naming its start, its end.
RelWhere = tuple[str, int, str, str]

#: Rows validated per pydantic call (and between two progress reports).
_CHUNK = 5000


class _Records:
    """The relationships of a load by key, each held as its props alone (its key
    names the rest): a `Relationship` object is made only when one is asked for.

    80 bytes less per relationship while a national load is checked; `drain` hands
    them to the plan, freeing each key as its record is made.
    """

    __slots__ = ("props",)

    def __init__(self) -> None:
        #: key → props (the loader's hot loop writes it directly).
        self.props: dict[tuple[Any, ...], dict[str, Any]] = {}

    @staticmethod
    def record(key: tuple[Any, ...], props: dict[str, Any]) -> Relationship:
        rel, src, dst, src_label, dst_label = key
        return Relationship(rel, src_label, src, dst_label, dst, props)

    def __contains__(self, key: object) -> bool:
        return key in self.props

    def __len__(self) -> int:
        return len(self.props)

    def __getitem__(self, key: tuple[Any, ...]) -> Relationship:
        return self.record(key, self.props[key])

    def __setitem__(self, key: tuple[Any, ...], record: Relationship) -> None:
        self.props[key] = record.props

    def __delitem__(self, key: tuple[Any, ...]) -> None:
        del self.props[key]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.props)

    def items(self) -> Iterator[tuple[tuple[Any, ...], Relationship]]:
        for key, props in self.props.items():
            yield key, self.record(key, props)

    def values(self) -> Iterator[Relationship]:
        for key, props in self.props.items():
            yield self.record(key, props)

    def drain(self) -> Iterator[Relationship]:
        """Every record, in the order added, each removed as it is yielded."""
        keys: list[tuple[Any, ...] | None] = list(self.props)
        props = self.props
        for index, key in enumerate(keys):
            assert key is not None
            keys[index] = None  # the key is freed once its record is made
            yield self.record(key, props.pop(key))

    def clear(self) -> None:
        self.props.clear()


#: Distinct (source, start column, end column) a `_Wheres` can hold.
_ORIGINS = 1 << 16


class _Wheres:
    """Where each relationship was read, by its key: (source, row, start column, end column).

    Held as one int per relationship (its row, and the index of its source and columns
    in a short list) instead of a tuple: about 100 bytes less per relationship, a
    tenth of a national load's memory.
    """

    __slots__ = ("_index", "_origins", "packed")

    def __init__(self) -> None:
        #: key → row × `_ORIGINS` + origin (the loader's hot loop writes it directly).
        self.packed: dict[tuple[Any, ...], int] = {}
        self._origins: list[tuple[str, str, str]] = []
        self._index: dict[tuple[str, str, str], int] = {}

    def origin(self, source: str, start: str, end: str) -> int:
        """The index of (source, start column, end column), added if new."""
        origin = (source, start, end)
        index = self._index.get(origin)
        if index is None:
            if len(self._origins) == _ORIGINS:
                raise RuntimeError("too many distinct files and columns in one load")
            index = self._index[origin] = len(self._origins)
            self._origins.append(origin)
        return index

    def __setitem__(self, key: tuple[Any, ...], where: RelWhere) -> None:
        source, number, start, end = where
        self.packed[key] = number * _ORIGINS + self.origin(source, start, end)

    def __getitem__(self, key: tuple[Any, ...]) -> RelWhere:
        number, index = divmod(self.packed[key], _ORIGINS)
        source, start, end = self._origins[index]
        return source, number, start, end

    def __contains__(self, key: object) -> bool:
        return key in self.packed

    def __delitem__(self, key: tuple[Any, ...]) -> None:
        del self.packed[key]

    def clear(self) -> None:
        self.packed.clear()


@functools.cache
def _chunk_validator(model: type[Row]) -> Callable[[list[dict[str, Any]]], list[Any]]:
    """Validate a list of rows in one call into pydantic's core (no Python call per row)."""
    return TypeAdapter(list[model]).validate_python  # type: ignore[valid-type]


class _Builder:
    """Collects nodes, relationships, references and problems from validated rows.

    References are kept as sets of ids per label (cheap on a million rows); the rows
    that hold a dangling one are looked up only when there is one. The ids of node rows
    that failed validation are remembered, so a reference to such a row is not also
    reported as dangling (one typo, one message). Every problem names its column by
    the header the user typed (``学时``, not ``hours``).
    """

    def __init__(self, report: Progress) -> None:
        self.report = report
        self.nodes: dict[tuple[Label, str], Node] = {}
        self.node_where: dict[tuple[Label, str], Where] = {}
        self.rels = _Records()
        self.rel_where = _Wheres()
        self.needed: dict[Label, set[str]] = defaultdict(set)
        self.property_refs: list[tuple[Label, str, Where]] = []
        self.partner_keys: list[tuple[Any, ...]] = []  # PARTNER_OF: Enterprise or Organization
        self.failed: dict[Label, set[str]] = defaultdict(set)
        self.headers: dict[str, dict[str, str]] = {}  # source → canonical → typed header
        self.problems: list[Problem] = []
        self.problem_count = 0
        self.rows = 0
        self.major_warnings: list[Problem] = []
        self.ids: dict[str, str] = {}
        self.shared: dict[tuple[tuple[str, Any], ...], dict[str, Any]] = {}

    def problem(self, where: Where, zh: str, en: str) -> None:
        self.problem_count += 1
        if len(self.problems) < IngestError.MAX_PROBLEMS:
            column = where[2]
            headers = self.headers.get(where[0])
            if headers and column is not None:
                column = headers.get(column, column)
            self.problems.append(Problem(where[0], where[1], column, zh, en))

    def add_table(self, table: Table, *, consume: bool = False) -> None:
        """Validate and add every row of `table`, a chunk of rows per pydantic call.

        A chunk that fails is validated again row by row, so each problem is worded
        exactly as for a single row (and lenient numbers get their second chance).

        Args:
            consume: empty `table.rows` chunk by chunk as they are added, so the rows
                read and the records built from them are never all in memory at once.
        """
        fmt = table.fmt
        rows = table.rows
        total = len(rows)
        self.rows += total
        stage = f"校验 {table.source}"
        validate = fmt.model.model_validate
        validate_all = _chunk_validator(fmt.model)
        add_row = self._add_edge_row if fmt.edge is not None else self._add_node_row
        has_level = fmt.name in ("requirements", "coverage")
        self.headers[table.source] = table.headers
        if fmt.name == "majors":
            self.major_warnings += check_majors(RawDataset(tables=[table]))
        for start in range(0, total, _CHUNK):
            self.report(stage, start, total)
            if consume:
                chunk = rows[:_CHUNK]
                del rows[:_CHUNK]
            else:
                chunk = rows[start : start + _CHUNK]
            if has_level:
                for _, cells in chunk:
                    normalise_levels(cells)
            try:
                models = validate_all([cells for _, cells in chunk])
            except ValidationError:
                models = None
            if models is not None and fmt.edge is not None:
                self._add_edge_rows(fmt, table.source, [n for n, _ in chunk], models)
                continue
            if models is not None:
                for (number, _), row in zip(chunk, models, strict=True):
                    add_row(fmt, table.source, number, row)
                continue
            for number, cells in chunk:
                try:
                    row = validate(cells)
                except ValidationError as exc:
                    row = self._retry(fmt, table, number, cells, exc)
                    if row is None:
                        continue
                add_row(fmt, table.source, number, row)
        self.report(stage, total, total)

    def release(self) -> None:
        """Free what only the checks needed (the plan holds what is written), so a
        big write reuses that memory instead of adding to the peak."""
        for held in (self.nodes, self.node_where, self.rels, self.rel_where, self.needed):
            held.clear()
        self.property_refs.clear()
        self.ids.clear()

    def _id(self, value: str) -> str:
        """One string object per id, however many rows name it (memory on big loads)."""
        return self.ids.setdefault(value, value)

    def _props(self, props: dict[str, Any]) -> dict[str, Any]:
        """One dict per distinct set of relationship properties (``{"level": 3}`` …).

        Records share it; nothing changes a record's props after it is built.
        """
        try:
            return self.shared.setdefault(tuple(props.items()), props)
        except TypeError:  # an unhashable value: keep the record's own dict
            return props

    def _retry(
        self, fmt: FileFormat, table: Table, number: int, cells: dict[str, Any], exc: Exception
    ) -> Any:
        """Validate a failed row again with its numbers read leniently (64学时, 30%, ６４);
        report its problems and remember its id if it still fails."""
        assert isinstance(exc, ValidationError)
        fixed = repair(cells, exc)
        if fixed is not None:
            try:
                return fmt.model.model_validate(fixed)
            except ValidationError as again:
                exc = again
        for p in row_problems(exc, table.source, number, skip=table.missing):
            self.problem((p.source, p.row, p.column), p.zh, p.en)
        node_id = cells.get("id")
        if fmt.label is not None and node_id is not None:
            if type(node_id) is float and node_id.is_integer():
                node_id = int(node_id)
            self.failed[fmt.label].add(str(node_id).strip())
        return None

    def _add_node_row(self, fmt: FileFormat, source: str, number: int, row: Any) -> None:
        assert fmt.label is not None
        label, node_id = fmt.label, self._id(row.id)
        key = (label, node_id)
        if key in self.nodes:
            first = self.node_where[key]
            self.problem(
                (source, number, "id"),
                f"编号 {node_id} 重复：{first[0]} 第 {first[1]} 行已有同一{label.zh}",
                f"duplicate id {node_id}: the same {label} is at {first[0]} row {first[1]}",
            )
            return
        props = {}
        for column in fmt.property_columns:
            value = getattr(row, column)
            if value is not None:
                props[column] = value.value if type(value).__class__ is EnumType else value
        name = props.get("name")
        if name is not None and ("\n" in name or "\r" in name):
            props["name"] = one_line(name)  # Alt+Enter in a name cell
        self.nodes[key] = Node(label, node_id, props)
        self.node_where[key] = (source, number, "id")
        for link in fmt.links:
            value = getattr(row, link.column)
            if value is None:
                continue
            for other in (value,) if isinstance(value, str) else value:
                rel_props: dict[str, Any] = {}
                if link.rel is Rel.IN_MAJOR:
                    rel_props["core"] = other in row.core_major_ids
                self._link(
                    link.rel,
                    label,
                    node_id,
                    link.target,
                    other,
                    link.outgoing,
                    rel_props,
                    source,
                    number,
                    link.column,
                )
        if fmt.name == "courses":
            for major in row.core_major_ids:
                if major not in row.major_ids:
                    self._link(
                        Rel.IN_MAJOR,
                        label,
                        node_id,
                        Label.MAJOR,
                        major,
                        True,
                        {"core": True},
                        source,
                        number,
                        "core_major_ids",
                    )
        for column, target in fmt.refs:
            ref = getattr(row, column)
            if ref is not None:
                self.property_refs.append((target, ref, (source, number, column)))
                self.needed[target].add(ref)
        if (
            fmt.name == "clusters"
            and row.lead_major_id
            and row.major_ids
            and row.lead_major_id not in row.major_ids
        ):
            self.problem(
                (source, number, "lead_major_id"),
                f"核心专业 {row.lead_major_id} 不在本专业群的组群专业"
                f"（{self.headers.get(source, {}).get('major_ids', 'major_ids')}）中",
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
        source: str,
        number: int,
        column: str,
    ) -> None:
        other = self.ids.setdefault(other, other)
        props = self._props(props)
        if outgoing:
            key: tuple[Any, ...] = (rel, node_id, other, label, target)
            start, end = "id", column
        else:
            key = (rel, other, node_id, target, label)
            start, end = column, "id"
        if key in self.rels:  # reported there
            self._add_rel(self.rels.record(key, props), (source, number, start, end))
            return
        self.rels.props[key] = props
        self.rel_where.packed[key] = number * _ORIGINS + self.rel_where.origin(source, start, end)
        self.needed[target].add(other)

    def _add_rel(self, record: Relationship, where: RelWhere) -> bool:
        key = (record.type, record.src, record.dst, record.src_label, record.dst_label)
        if key in self.rels:
            first = self.rel_where[key]
            self.problem(
                (where[0], where[1], where[2] if where[2] != "id" else where[3]),
                f"关系重复：{record.src} → {record.dst}（{record.type.zh}）"
                f"已在 {first[0]} 第 {first[1]} 行出现",
                f"duplicate relationship {record.src} -[{record.type}]-> {record.dst}, "
                f"first at {first[0]} row {first[1]}",
            )
            return False
        self.rels[key] = record
        self.rel_where[key] = where
        return True

    def _add_edge_rows(
        self, fmt: FileFormat, source: str, numbers: list[int], rows: list[Any]
    ) -> None:
        """`_add_edge_row` of many valid rows, unrolled: the bulk of a big load."""
        edge = fmt.edge
        assert edge is not None
        rel, src_label, dst_label = edge.rel, edge.src_labels[0], edge.dst_label
        src_column, dst_column, columns = edge.src_column, edge.dst_column, edge.props
        partner, requires = len(edge.src_labels) > 1, rel is Rel.REQUIRES
        ids, rels = self.ids, self.rels.props
        packed = self.rel_where.packed
        origin = self.rel_where.origin(source, src_column, dst_column)
        needed_src, needed_dst = self.needed[src_label], self.needed[dst_label]
        ends = operator.attrgetter(src_column, dst_column)
        values = operator.attrgetter(*columns) if columns else None
        by_values: dict[Any, dict[str, Any]] = {}  # the props of each distinct values
        for number, row in zip(numbers, rows, strict=True):
            found = values(row) if values is not None else ()
            props = by_values.get(found)
            if props is None:
                cells = (found,) if len(columns) == 1 else found
                props = {c: v for c, v in zip(columns, cells, strict=True) if v is not None}
                if requires and "weight" not in props:
                    props["weight"] = 1.0
                props = by_values[found] = self._props(props)
            src, dst = ends(row)
            src = ids.setdefault(src, src)
            dst = ids.setdefault(dst, dst)
            key = (rel, src, dst, src_label, dst_label)
            if key in rels:  # reported there
                record = Relationship(rel, src_label, src, dst_label, dst, props)
                self._add_rel(record, (source, number, src_column, dst_column))
                continue
            rels[key] = props
            packed[key] = number * _ORIGINS + origin
            if partner:  # both ends are checked in _resolve_partners
                self.partner_keys.append(key)
                continue
            needed_src.add(src)
            needed_dst.add(dst)

    def _add_edge_row(self, fmt: FileFormat, source: str, number: int, row: Any) -> None:
        edge = fmt.edge
        assert edge is not None
        props = {}
        for column in edge.props:  # numbers and text only: no enum to unwrap
            value = getattr(row, column)
            if value is not None:
                props[column] = value
        if edge.rel is Rel.REQUIRES and "weight" not in props:
            props["weight"] = 1.0
        src = self._id(getattr(row, edge.src_column))
        dst = self._id(getattr(row, edge.dst_column))
        record = Relationship(
            edge.rel, edge.src_labels[0], src, edge.dst_label, dst, self._props(props)
        )
        if not self._add_rel(record, (source, number, edge.src_column, edge.dst_column)):
            return
        if len(edge.src_labels) > 1:  # both ends are checked in _resolve_partners
            self.partner_keys.append((record.type, src, dst, record.src_label, record.dst_label))
            return
        self.needed[edge.src_labels[0]].add(src)
        self.needed[edge.dst_label].add(dst)

    # --- whole-dataset checks -------------------------------------------------------------

    def resolve_references(self, store: GraphStore) -> None:
        """Every referenced id must be in the dataset or the store (DESIGN §3)."""
        in_dataset: dict[Label, set[str]] = defaultdict(set)
        for label, node_id in self.nodes:
            in_dataset[label].add(node_id)
        lookups = {label: set(ids) for label, ids in self.needed.items()}
        for key in self.partner_keys:
            lookups.setdefault(Label.ENTERPRISE, set()).add(key[1])
            lookups.setdefault(Label.ORGANIZATION, set()).add(key[1])
            lookups.setdefault(Label.INDUSTRY_COLLEGE, set()).add(key[2])
        known: dict[Label, set[str]] = defaultdict(set)
        for label, ids in lookups.items():
            outside = ids - in_dataset[label]
            known[label] = in_dataset[label] | set(store.nodes(label, outside) if outside else ())
        for label, ids in self.failed.items():
            known[label] |= ids  # reported where they failed; not dangling as well
        self._resolve_partners(known)
        missing = {label: ids - known[label] for label, ids in self.needed.items()}
        missing = {label: ids for label, ids in missing.items() if ids}
        if not missing:
            return
        for label, ref, where in self.property_refs:
            if ref in missing.get(label, ()):
                self._dangling(label.zh, str(label), ref, where)
        for key, record in self.rels.items():
            if record.type is Rel.PARTNER_OF:
                continue
            source, number, src_col, dst_col = self.rel_where[key]
            if record.src in missing.get(record.src_label, ()):
                self._dangling(
                    record.src_label.zh,
                    str(record.src_label),
                    record.src,
                    (source, number, src_col),
                )
            if record.dst in missing.get(record.dst_label, ()):
                self._dangling(
                    record.dst_label.zh,
                    str(record.dst_label),
                    record.dst,
                    (source, number, dst_col),
                )

    def _resolve_partners(self, known: dict[Label, set[str]]) -> None:
        """A partner id names an Enterprise or an Organization: find which."""
        for key in self.partner_keys:
            record = self.rels[key]
            source, number, src_col, dst_col = self.rel_where[key]
            where: Where = (source, number, src_col)
            found = [lb for lb in (Label.ENTERPRISE, Label.ORGANIZATION) if record.src in known[lb]]
            if not found:
                self._dangling("企业或参建单位", "Enterprise or Organization", record.src, where)
            elif len(found) > 1:
                self.problem(
                    where,
                    f"编号 {record.src} 同时是企业和参建单位，无法判断指哪一个",
                    f"{record.src} is both an Enterprise and an Organization; it is ambiguous",
                )
            elif found[0] is not record.src_label:
                del self.rels[key], self.rel_where[key]
                record.src_label = found[0]
                self._add_rel(record, (source, number, src_col, dst_col))
            if record.dst not in known[Label.INDUSTRY_COLLEGE]:
                self._dangling(
                    Label.INDUSTRY_COLLEGE.zh,
                    str(Label.INDUSTRY_COLLEGE),
                    record.dst,
                    (source, number, dst_col),
                )

    def _dangling(self, zh: str, en: str, ref: str, where: Where) -> None:
        self.problem(
            where,
            f"引用的{zh}编号 {ref} 不存在（数据集和数据库中都没有）",
            f"{en} {ref} does not exist (neither in the dataset nor in the store)",
        )

    def check_cycles(self, store: GraphStore, replaced: Collection[Rel] = ()) -> None:
        """Prerequisites (and the ability hierarchy) must not loop, store included.

        Args:
            replaced: types whose relationships in the store a sync replaces with the
                dataset's (they cannot close a loop).
        """
        for rel, zh, en, label in (
            (Rel.PREREQUISITE_OF, "课程先修关系成环", "prerequisite cycle", Label.COURSE),
            (Rel.CHILD_OF, "能力层级成环", "ability hierarchy cycle", Label.ABILITY),
        ):
            mine = [self.rels[key] for key in self.rels if key[0] is rel]
            if not mine:
                continue
            if rel in replaced:
                edges = []
            elif rel is Rel.PREREQUISITE_OF:
                edges = list(store.prerequisite_graph().edges)
            else:
                edges = [(r.src, r.dst) for r in store.relationships(rel)]
            edges += [(r.src, r.dst) for r in mine]
            looping = _not_topological(edges)
            if not looping:
                continue
            graph = nx.DiGraph((a, b) for a, b in edges if a in looping and b in looping)
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
                        source, number, src_col, dst_col = self.rel_where[key]
                        where = (source, number, src_col if src_col != "id" else dst_col)
                        break
                self.problem(
                    where,
                    f"{zh}：{' → '.join(path)}（不能直接或间接以自己为前提）",
                    f"{en}: {' -> '.join(path)}",
                )
                graph.remove_edge(cycle[0][0], cycle[0][1])


def _not_topological(edges: list[tuple[str, str]]) -> set[str]:
    """Nodes that Kahn's algorithm cannot order: empty exactly when there is no cycle.

    A plain-dict pass is several times faster than networkx on a national dataset's
    100k prerequisites; networkx then only names the cycles among what is left.
    """
    successors: dict[str, list[str]] = defaultdict(list)
    indegree: dict[str, int] = defaultdict(int)
    for a, b in edges:
        successors[a].append(b)
        indegree[b] += 1
        indegree.setdefault(a, 0)
    ready = [n for n, d in indegree.items() if d == 0]
    while ready:
        node = ready.pop()
        for after in successors.get(node, ()):
            indegree[after] -= 1
            if indegree[after] == 0:
                ready.append(after)
    return {n for n, d in indegree.items() if d > 0}


# --- planning the write -----------------------------------------------------------------


@dataclass(slots=True)
class _Plan:
    """Everything one write does, in the arguments of `GraphStore.write`."""

    nodes: list[Node] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)
    remove_nodes: list[tuple[Label, str]] = field(default_factory=list)
    remove_relationships: list[RelKey] = field(default_factory=list)
    clear_nodes: list[tuple[Label, str, tuple[str, ...]]] = field(default_factory=list)
    clear_relationships: list[tuple[RelKey, tuple[str, ...]]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.nodes or self.relationships or self.remove_nodes or self.remove_relationships
        )


def _plan(
    store: GraphStore, builder: _Builder, result: IngestResult, removals: Removals | None
) -> _Plan:
    """Classify each record against the store; return only what needs writing.

    With `removals` (a sync), what the dataset's files own but no longer hold is
    removed, and properties the dataset leaves empty are cleared.
    """
    plan = _Plan()
    diff = result.diff
    sync = removals is not None
    if removals is not None:
        for node in removals.nodes:
            result.nodes.setdefault(node.label, Counts()).removed += 1
            plan.remove_nodes.append((node.label, node.id))
            diff.add(RecordChange("removed", node, node.props, None))
        for record in removals.relationships:
            result.relationships.setdefault(record.type, Counts()).removed += 1
            plan.remove_relationships.append(record.key)
            diff.add(RecordChange("removed", record, record.props, None))
    by_label: dict[Label, list[Node]] = defaultdict(list)
    for node in builder.nodes.values():
        by_label[node.label].append(node)
    for label, nodes in by_label.items():
        counts = result.nodes.setdefault(label, Counts())
        existing = store.nodes(label, [n.id for n in nodes])
        columns = set(LABEL_OWNER[label].property_columns) if sync else set()
        file_diff = diff.file_of(nodes[0])
        for node in nodes:
            old = existing.get(node.id)
            if old is None:
                counts.added += 1
                file_diff.add_new(node)
                plan.nodes.append(node)
                continue
            change = _change(node, old.props, node.props, columns)
            if change is None:
                counts.unchanged += 1
                continue
            counts.updated += 1
            diff.add(change)
            plan.nodes.append(node)
            if change.cleared:
                plan.clear_nodes.append((label, node.id, change.cleared))
    by_type: dict[Rel, list[Relationship]] = defaultdict(list)
    for record in builder.rels.drain():
        by_type[record.type].append(record)
    for rel, records in by_type.items():
        counts = result.relationships.setdefault(rel, Counts())
        existing_rels = {
            r.key: r.props for r in store.relationships(rel, src_ids={r.src for r in records})
        }
        file_diffs: dict[tuple[Label, Label], FileDiff] = {}
        for record in records:
            old_props = existing_rels.get(record.key)
            if old_props is None:
                counts.added += 1
                ends = (record.src_label, record.dst_label)
                file_diff = file_diffs.get(ends) or file_diffs.setdefault(
                    ends, diff.file_of(record)
                )
                file_diff.add_new(record)
                plan.relationships.append(record)
                continue
            change = _change(record, old_props, record.props, set(old_props) if sync else set())
            if change is None:
                counts.unchanged += 1
                continue
            counts.updated += 1
            diff.add(change)
            plan.relationships.append(record)
            if change.cleared:
                plan.clear_relationships.append((record.key, change.cleared))
    return plan


def _change(
    record: Node | Relationship,
    old: dict[str, Any],
    new: dict[str, Any],
    clearable: set[str],
) -> RecordChange | None:
    """How a record in the store changes, or None if it does not.

    Keys of `clearable` that the store has and the new record lacks are cleared.
    """
    cleared = tuple(sorted(k for k in old if k in clearable and k not in new and k != "name"))
    if not cleared and all(old.get(k) == v for k, v in new.items()):
        return None
    after = {k: v for k, v in old.items() if k not in cleared} | new
    return RecordChange("changed", record, old, after, cleared)
