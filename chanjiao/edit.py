"""Editing the graph one node or relationship at a time, and loading an uploaded file.

Writes are ingest writes: each edit becomes dataset rows, loaded by `ingest_tables`.
The HTTP API's write routes translate requests into these calls and nothing more.

Why: a node created over HTTP must pass exactly the checks (and give exactly the
messages) a spreadsheet row would: the same pydantic row model, the same reference
and cycle checks, the same all-or-nothing write. So a request body *is* a row of the
node's file (``courses``: id, name, hours, major_ids …), and a relationship is a row
of its relationship file (``requirements``: position_id, ability_id, level, weight)
or the id column it is read from (``TEACHES``: ``teachers.course_ids``).
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from chanjiao.errors import (
    Conflict,
    IngestError,
    InvalidInput,
    NotFound,
    Problem,
    UnsupportedUpload,
)
from chanjiao.graph.schema import Label, Node, Rel, Relationship, parse_choice
from chanjiao.graph.store import DocumentKind, GraphStore
from chanjiao.history.changelog import change_entry
from chanjiao.ingest import formats
from chanjiao.ingest.diff import RecordChange
from chanjiao.ingest.export import node_rows
from chanjiao.ingest.formats import FILES, LABEL_SPELLINGS, FileFormat, Link
from chanjiao.ingest.load import IngestResult, ingest_tables
from chanjiao.ingest.readers import RawDataset, Table, canonical_column, read_dataset
from chanjiao.ingest.validate import to_flag

REQUEST = "请求 request"


class WriteGate(Protocol):
    """Serialises a read-check-write section (e.g. the API's lock over its workers)."""

    def held(self) -> AbstractContextManager[object]: ...


class _NoGate:
    """For a single writer (the CLI, a script): nothing to serialise."""

    def held(self) -> AbstractContextManager[object]:
        return nullcontext()


#: The gate of a single writer.
NO_GATE: WriteGate = _NoGate()

_LABEL_FILES: dict[Label, FileFormat] = {f.label: f for f in FILES if f.label is not None}


def label_named(name: str) -> Label:
    """A label from any spelling a user gives (English label, file name, Chinese name).

    Raises:
        InvalidInput: no label is spelled so.
    """
    found = formats.label_named(name)
    if found is None:
        raise InvalidInput(
            f"不认识的节点类型 {name[:40]}；可用：{'、'.join(LABEL_SPELLINGS)}",
            f"unknown node label {name[:40]}; use one of: {', '.join(LABEL_SPELLINGS)}",
            {"label": name[:100]},
        )
    return found


def file_of(label: Label) -> FileFormat:
    """The dataset file whose rows are nodes of `label` (its columns are the edit fields)."""
    return _LABEL_FILES[label]


# --- filters ---------------------------------------------------------------------------------


def filter_value(label: Label, key: str, raw: str) -> str | int | float | bool:
    """A filter's text as the property's type (enum words in Chinese work: kind:理论).

    Raises:
        InvalidInput: the label has no such property, or the text is not one of its values.
    """
    fmt = file_of(label)
    columns = [c for c in fmt.property_columns if c != "name"] + ["name"]
    if key not in columns:
        raise InvalidInput(
            f"{label.zh}没有可筛选的属性 {key[:40]}；可用：{'、'.join(columns)}",
            f"{label} has no property {key[:40]} to filter on; use one of: {', '.join(columns)}",
        )
    for kind in fmt.column_types(key):
        try:
            if kind is bool:
                return to_flag(raw)
            if kind is int:
                number = float(raw)
                if number.is_integer():
                    return int(number)
                raise ValueError(raw)
            if kind is float:
                return float(raw)
            if isinstance(kind, type) and issubclass(kind, StrEnum):
                member = parse_choice(kind, raw)
                if member is None:
                    raise ValueError(raw)
                return member.value
        except ValueError:
            raise InvalidInput(
                f"筛选条件 {key} 的值“{raw[:40]}”不是该属性可取的值",
                f"'{raw[:40]}' is not a value of {key}",
            ) from None
    return raw


def parse_filters(label: Label, items: list[str]) -> dict[str, str | int | float | bool]:
    """``property:value`` texts as typed filters for `GraphStore.find_nodes`.

    Raises:
        InvalidInput: a text is not ``property:value``, or its value does not fit.
    """
    found: dict[str, str | int | float | bool] = {}
    for item in items:
        key, sep, raw = item.partition(":")
        if not sep:
            raise InvalidInput(
                f"筛选条件应写成 属性:值（如 kind:theory），实际为“{item[:40]}”",
                f"a filter is property:value (e.g. kind:theory), got '{item[:40]}'",
            )
        found[key.strip()] = filter_value(label, key.strip(), raw.strip())
    return found


def _source(fmt: FileFormat) -> str:
    return f"{REQUEST} → {fmt.name}"


def _cells(fmt: FileFormat, body: dict[str, Any]) -> dict[str, Any]:
    """A body's fields under canonical column names, as a reader gives a row's cells.

    Chinese headers are accepted as keys, as in a spreadsheet; empty values are left
    out; unknown keys are kept for the row model to refuse with its usual message.
    """
    cells: dict[str, Any] = {}
    seen: dict[str, str] = {}
    for key, value in body.items():
        column = canonical_column(fmt, key) or key
        if column in seen:
            raise IngestError(
                [
                    Problem(
                        _source(fmt),
                        1,
                        column,
                        f"列 {column} 出现了两次（“{seen[column]}”和“{key}”）",
                        f"column {column} appears twice ('{seen[column]}' and '{key}')",
                    )
                ]
            )
        seen[column] = key
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        cells[column] = value.strip() if isinstance(value, str) else value
    return cells


def _load(
    store: GraphStore, fmt: FileFormat, cells: dict[str, Any], author: str | None
) -> IngestResult:
    table = Table(fmt, _source(fmt), [(1, cells)])
    return ingest_tables(
        store, RawDataset(tables=[table]), source=_source(fmt), author=author, action="api"
    )


@dataclass
class NodeWrite:
    node: Node
    result: IngestResult


def not_found(label: Label, node_id: str) -> NotFound:
    return NotFound(f"找不到{label.zh} {node_id}", f"no {label} {node_id}")


def _existing_required(store: GraphStore, fmt: FileFormat, node_id: str) -> dict[str, Any]:
    rows = node_rows(store, fmt, [node_id])
    if not rows:
        assert fmt.label is not None
        raise not_found(fmt.label, node_id)
    return {c: rows[0][c] for c in fmt.required if c in rows[0]}


def create_node(
    store: GraphStore,
    gate: WriteGate,
    label: Label,
    body: dict[str, Any],
    author: str | None = None,
) -> NodeWrite:
    """Create a node from a row of its file.

    Raises:
        Conflict: a node of that label and id exists already (use PATCH to change it).
        IngestError: the row does not validate, or names ids that do not exist.
    """
    fmt = file_of(label)
    cells = _cells(fmt, body)
    with gate.held():
        node_id = _plain_id(cells.get("id"))
        if node_id is not None and store.get_node(label, node_id) is not None:
            raise Conflict(
                f"{label.zh} {node_id} 已存在；修改请用 PATCH",
                f"{label} {node_id} exists already; use PATCH to change it",
                {"label": str(label), "id": node_id},
            )
        result = _load(store, fmt, cells, author)
    node = store.get_node(label, node_id) if node_id is not None else None
    if node is None:  # the row validated, so its id was plain; deleted in between
        raise not_found(label, str(node_id))
    return NodeWrite(node, result)


def _plain_id(value: Any) -> str | None:
    """The id a row model makes of a cell (510401.0 → "510401"), or None if not one."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return str(value)
        value = int(value)
    return str(value).strip()


def update_node(
    store: GraphStore,
    gate: WriteGate,
    label: Label,
    node_id: str,
    body: dict[str, Any],
    author: str | None = None,
) -> NodeWrite:
    """Change some fields of a node; fields not given stay as they are.

    Id columns add relationships (``major_ids`` adds majors); remove one with
    DELETE /relationships.

    Raises:
        NotFound: no such node.
        InvalidInput: the body names another id.
        IngestError: the changed row does not validate.
    """
    fmt = file_of(label)
    cells = _cells(fmt, body)
    if "id" in cells and str(cells["id"]).strip() != node_id:
        raise InvalidInput(
            f"请求体中的编号 {cells['id']} 与地址中的 {node_id} 不一致；编号不能修改",
            f"the body's id {cells['id']} differs from {node_id} in the URL; ids cannot change",
        )
    with gate.held():
        row = _existing_required(store, fmt, node_id) | cells
        row["id"] = node_id
        result = _load(store, fmt, row, author)
    node = store.get_node(label, node_id)
    if node is None:  # deleted by another process in between
        raise not_found(label, node_id)
    return NodeWrite(node, result)


def delete_node(
    store: GraphStore, gate: WriteGate, label: Label, node_id: str, author: str | None = None
) -> Node:
    """Delete a node and every relationship it has (logged, with those relationships).

    Raises:
        NotFound: no such node.
    """
    with gate.held():
        with store.reading():
            node = store.get_node(label, node_id)
            if node is None:
                raise not_found(label, node_id)
            rels = [
                Relationship(n.rel, label, node_id, n.node.label, n.node.id, n.props)
                if n.direction == "out"
                else Relationship(n.rel, n.node.label, n.node.id, label, node_id, n.props)
                for n in store.neighbours(label, node_id)
            ]
        entry = removal_entry(author, f"{REQUEST} DELETE {label}", [node, *rels])
        store.write((), (), remove_nodes=[(label, node_id)], documents=[entry])
    return node


def removal_entry(
    author: str | None, source: str, records: list[Node | Relationship]
) -> tuple[DocumentKind, str, str]:
    """The change-log entry of a deletion outside ingest (API, web workbench)."""
    return change_entry(
        action="api",
        author=author,
        source=source,
        changes=[RecordChange("removed", r, r.props, None) for r in records],
    )


# --- relationships --------------------------------------------------------------------------


def _edge_file(rel: Rel) -> FileFormat | None:
    return next((f for f in FILES if f.edge is not None and f.edge.rel is rel), None)


def _label_or_none(name: str | None) -> Label | None:
    return None if name is None else label_named(name)


def _link_for(
    store: GraphStore, rel: Rel, src_label: Label | None, dst: str, dst_label: Label | None
) -> tuple[FileFormat, Link]:
    """Which file's id column holds relationships of `rel` with these ends."""
    candidates: list[tuple[FileFormat, Link, Label]] = []
    for fmt in FILES:
        for link in fmt.links:
            if link.rel is not rel or fmt.label is None:
                continue
            start, end = (fmt.label, link.target) if link.outgoing else (link.target, fmt.label)
            if src_label not in (None, start) or dst_label not in (None, end):
                continue
            candidates.append((fmt, link, end))
    if len(candidates) > 1:  # SUPPORTS: a course or an ability; ask the store which
        holding = [c for c in candidates if store.get_node(c[2], dst) is not None]
        candidates = holding or candidates
    if len(candidates) != 1:
        ends = "、".join(str(c[2]) for c in candidates) or "—"
        raise InvalidInput(
            f"无法确定关系 {rel} 的终点类型；请给出 dst_label（可选：{ends}）",
            f"cannot tell which label the end of {rel} is; give dst_label (one of: {ends})",
        )
    fmt, link, _ = candidates[0]
    return fmt, link


def create_relationship(
    store: GraphStore,
    gate: WriteGate,
    rel: Rel,
    src: str,
    dst: str,
    props: dict[str, Any],
    src_label: str | None = None,
    dst_label: str | None = None,
    author: str | None = None,
) -> IngestResult:
    """Create (or update the properties of) one relationship, checked as ingest checks it.

    Raises:
        NotFound: the node whose row holds the relationship does not exist.
        InvalidInput: the labels do not fit the relationship, or it takes no such property.
        IngestError: a property or an end does not validate or does not exist.
    """
    start, end = _label_or_none(src_label), _label_or_none(dst_label)
    starts, ends = rel.ends
    if (start is not None and start not in starts) or (end is not None and end not in ends):
        raise InvalidInput(
            f"关系 {rel}（{rel.zh}）连接 {'/'.join(sorted(starts))} → {'/'.join(sorted(ends))}",
            f"{rel} joins {'/'.join(sorted(starts))} to {'/'.join(sorted(ends))}",
        )
    edge_file = _edge_file(rel)
    with gate.held():
        if edge_file is not None and edge_file.edge is not None:
            row = {edge_file.edge.src_column: src, edge_file.edge.dst_column: dst}
            cells = _cells(edge_file, props)
            named = sorted(row.keys() & cells.keys())
            if named:  # the ends come from src and dst, never from a property
                raise InvalidInput(
                    f"关系的两端由 src 和 dst 给出，属性中不能有 {'、'.join(named)}",
                    f"the ends of a relationship are src and dst; properties may not "
                    f"name {', '.join(named)}",
                )
            return _load(store, edge_file, row | cells, author)
        fmt, link = _link_for(store, rel, start, dst, end)
        allowed = {"core"} if rel is Rel.IN_MAJOR else set()
        unknown = sorted(set(props) - allowed)
        if unknown:
            raise InvalidInput(
                f"关系 {rel} 没有属性 {'、'.join(unknown)}",
                f"{rel} has no property {', '.join(unknown)}",
            )
        owner, other = (src, dst) if link.outgoing else (dst, src)
        row = _existing_required(store, fmt, owner)
        row[link.column] = other
        if rel is Rel.IN_MAJOR and props.get("core") is not None:
            core = _cells(fmt, {"core_major_ids": dst if _flag(props["core"]) else None})
            row |= core
        return _load(store, fmt, row, author)


def _flag(value: Any) -> bool:
    try:
        return to_flag(value)
    except ValueError:
        raise InvalidInput(
            f"core 应为 是/否，实际为“{str(value)[:40]}”",
            f"core must be yes/no, got '{str(value)[:40]}'",
        ) from None


def delete_relationship(
    store: GraphStore,
    gate: WriteGate,
    rel: Rel,
    src: str,
    dst: str,
    src_label: str | None = None,
    dst_label: str | None = None,
    author: str | None = None,
) -> Relationship:
    """Delete one relationship (of either label, if its ends are ambiguous); returns it.

    Raises:
        NotFound: there is no such relationship.
    """
    start, end = _label_or_none(src_label), _label_or_none(dst_label)
    with gate.held():
        found = [
            r
            for r in store.relationships(rel, src_ids=[src], dst_ids=[dst])
            if start in (None, r.src_label) and end in (None, r.dst_label)
        ]
        if not found:
            raise NotFound(
                f"找不到关系 {src} → {dst}（{rel.zh}）", f"no relationship {src} -[{rel}]-> {dst}"
            )
        entry = removal_entry(author, f"{REQUEST} DELETE {rel}", list(found))
        store.write((), (), remove_relationships=[r.key for r in found], documents=[entry])
    return found[0]


# --- uploads --------------------------------------------------------------------------------

#: Limits on what an uploaded zip may expand to (a zip bomb is refused unread).
MAX_ZIP_MEMBERS = 200
MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024


def sniff_upload(path: Path, suffix: str) -> str:
    """What an upload is, by its content: ``xlsx``, ``zip`` or ``json``.

    Args:
        path: the uploaded bytes, saved.
        suffix: the suffix of the name the client gave (``.xlsx``), or "".

    Raises:
        UnsupportedUpload: none of those, or the file name says otherwise.
    """
    with path.open("rb") as fh:
        head = fh.read(64)
    kind: str | None = None
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
                infos = archive.infolist()
        # zipfile raises these on a damaged central directory, not only BadZipFile
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError):
            names, infos = [], []
        if "xl/workbook.xml" in names and "[Content_Types].xml" in names:
            kind = "xlsx"
        elif names:
            kind = "zip"
            if len(infos) > MAX_ZIP_MEMBERS or sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
                raise UnsupportedUpload(
                    "压缩包解压后过大或文件过多",
                    "the zip expands to too much data or too many files",
                )
    else:
        text = head.lstrip(b"\xef\xbb\xbf").lstrip()
        if text.startswith(b"{"):
            kind = "json"
    expected = {".xlsx": "xlsx", ".xlsm": "xlsx", ".zip": "zip", ".json": "json"}.get(suffix)
    if kind is None or (expected is not None and expected != kind):
        said = f"（文件名为 {suffix}）" if suffix else ""
        said_en = f" (the name says {suffix})" if suffix else ""
        raise UnsupportedUpload(
            f"上传的文件内容不是 .xlsx 工作簿、CSV 文件的 .zip 压缩包或 JSON 文档{said}",
            f"the upload is not an .xlsx workbook, a .zip of CSV files or a JSON document{said_en}",
        )
    return kind


def safe_name(filename: str | None, kind: str) -> str:
    """The upload's own name (no folders, no odd characters), ending as its content is."""
    base = Path((filename or "").replace("\\", "/")).name
    stem = "".join(ch for ch in Path(base).stem if ch.isalnum() or ch in "-_. ")[:80].strip()
    return f"{stem or 'upload'}.{kind}"


def ingest_upload(
    store: GraphStore,
    gate: WriteGate,
    filename: str | None,
    spooled: Any,
    dry_run: bool,
    *,
    sync: bool = False,
    author: str | None = None,
) -> IngestResult:
    """Load an uploaded dataset, all or nothing (or, in a dry run, say what would change).

    Raises:
        UnsupportedUpload: the content is not a dataset file.
        IngestError: anything is wrong with the dataset; nothing was written.
    """
    folder = Path(tempfile.mkdtemp(prefix="chanjiao-upload-"))
    try:
        raw_path = folder / "body"
        with raw_path.open("wb") as target:
            shutil.copyfileobj(spooled, target, 1024 * 1024)
        kind = sniff_upload(raw_path, Path(filename or "").suffix.lower())
        path = folder / safe_name(filename, kind)
        raw_path.rename(path)
        raw: RawDataset = read_dataset(path)
        with gate.held():
            return ingest_tables(
                store, raw, source=path.name, dry_run=dry_run, sync=sync, author=author
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
