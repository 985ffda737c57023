"""What a load (or a sync) changes, record by record, grouped by the file that owns it.

A record is a node (a row of its label's file) or a relationship (a row of a
relationship file, or one id in an id column such as ``courses.major_ids``). Each
file owns its nodes and the relationships it writes (DESIGN §3, "Sync"); the owner
of every relationship kind is derived from the `FileFormat` definitions, so a file
added to `FILES` is owned without further code.

Values are shown as a designer wrote them: enum codes as their Chinese words,
levels as 了解/理解/掌握/熟练, flags as 是/否.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from chanjiao.graph.schema import LEVEL_WORDS, Label, Node, Rel, Relationship, zh_word
from chanjiao.ingest.formats import FILES, FileFormat

Action = Literal["added", "changed", "removed"]
ACTIONS: tuple[Action, ...] = ("added", "changed", "removed")
ACTION_ZH: dict[str, str] = {"added": "新增", "changed": "修改", "removed": "删除"}

#: A kind of relationship: its type and the labels of its two ends.
RelKind = tuple[Rel, Label, Label]

#: Records kept per file in a result; the counts are always exact.
MAX_RECORDS = 10_000


def owned_kinds(fmt: FileFormat) -> set[RelKind]:
    """The kinds of relationship a file writes (and, in a sync, owns)."""
    kinds: set[RelKind] = set()
    if fmt.edge is not None:
        for src in fmt.edge.src_labels:
            kinds.add((fmt.edge.rel, src, fmt.edge.dst_label))
    if fmt.label is not None:
        for link in fmt.links:
            if link.outgoing:
                kinds.add((link.rel, fmt.label, link.target))
            else:
                kinds.add((link.rel, link.target, fmt.label))
    return kinds


#: Which file owns each kind of relationship, and each label.
REL_OWNER: dict[RelKind, FileFormat] = {kind: f for f in FILES for kind in owned_kinds(f)}
LABEL_OWNER: dict[Label, FileFormat] = {f.label: f for f in FILES if f.label is not None}


def owner_of(record: Node | Relationship) -> FileFormat | None:
    """The file a record belongs to (None for a relationship no file writes)."""
    if isinstance(record, Node):
        return LABEL_OWNER.get(record.label)
    return REL_OWNER.get((record.type, record.src_label, record.dst_label))


def _column_of(fmt: FileFormat, record: Relationship) -> str | None:
    """The id column of a node file a relationship is read from (``major_ids``)."""
    for link in fmt.links:
        if link.rel is record.type and (
            (link.outgoing and link.target is record.dst_label)
            or (not link.outgoing and link.target is record.src_label)
        ):
            return link.column
    return None


def display(fmt: FileFormat | None, column: str, value: Any) -> str:
    """A value as a designer reads it: 掌握 for level 3, 理实一体 for ``integrated``."""
    if value is None:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if column == "level" and fmt is not None and fmt.is_level(column) and value in LEVEL_WORDS:
        return f"{LEVEL_WORDS[value]}({value})"
    if fmt is not None and column in fmt.columns and isinstance(value, str):
        enum = fmt.enum_of(column)
        if enum is not None:
            try:
                return zh_word(enum(value))
            except ValueError:
                return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


#: Headers of relationship properties that are no column of their file.
_PROPERTY_HEADERS = {"core": "核心课"}


def header(fmt: FileFormat | None, column: str) -> str:
    """A column's Chinese header (as in the template), or the column itself."""
    if fmt is None or column not in fmt.columns:
        return _PROPERTY_HEADERS.get(column, column)
    return fmt.columns[column]


@dataclass(slots=True)
class RecordChange:
    """One record added, changed or removed.

    Attributes:
        old: its properties before (None when added).
        new: its properties after (None when removed); for a change, the full record.
        cleared: properties a sync empties.
    """

    action: Action
    record: Node | Relationship
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    cleared: tuple[str, ...] = ()

    def fields(self) -> list[tuple[str, Any, Any]]:
        """(property, old, new) of what differs; for an added or removed record, all of it."""
        old, new = self.old or {}, self.new or {}
        if self.action == "changed":
            keys = [k for k in new if old.get(k) != new[k]] + list(self.cleared)
        else:
            keys = list(new or old)
        return [(k, old.get(k), None if k in self.cleared else new.get(k)) for k in keys]

    def as_dict(self, fmt: FileFormat | None) -> dict[str, Any]:
        record = self.record
        data: dict[str, Any] = {"action": self.action}
        if isinstance(record, Node):
            data |= {"kind": "node", "label": str(record.label), "id": record.id}
            data["name"] = (self.new or self.old or {}).get("name", record.id)
        else:
            data |= {
                "kind": "relationship",
                "type": str(record.type),
                "src_label": str(record.src_label),
                "src": record.src,
                "dst_label": str(record.dst_label),
                "dst": record.dst,
            }
        data["fields"] = [
            {
                "field": key,
                "header": header(fmt, key),
                "old": old,
                "new": new,
                "old_text": None if self.action == "added" else display(fmt, key, old),
                "new_text": None if self.action == "removed" else display(fmt, key, new),
            }
            for key, old, new in self.fields()
        ]
        return data

    def title(self, fmt: FileFormat | None) -> str:
        """How the record is named in a table: ``课程 C1 半导体材料``, ``C1 → A1（覆盖能力）``."""
        record = self.record
        if isinstance(record, Node):
            name = (self.new or self.old or {}).get("name", record.id)
            return f"{record.label.zh} {record.id} {name}"
        column = _column_of(fmt, record) if fmt is not None else None
        via = f"，{header(fmt, column)}" if column else ""
        return (
            f"{record.src_label.zh} {record.src} → {record.dst_label.zh} {record.dst}"
            f"（{record.type.zh}{via}）"
        )


@dataclass(slots=True)
class FileDiff:
    """What one file changes: exact counts, and the records (up to `MAX_RECORDS`)."""

    file: str
    added: int = 0
    changed: int = 0
    removed: int = 0
    records: list[RecordChange] = field(default_factory=list)

    @property
    def fmt(self) -> FileFormat | None:
        return next((f for f in FILES if f.name == self.file), None)

    @property
    def total(self) -> int:
        return self.added + self.changed + self.removed

    def add(self, change: RecordChange) -> None:
        if change.action == "added":
            self.added += 1
        elif change.action == "changed":
            self.changed += 1
        else:
            self.removed += 1
        if len(self.records) < MAX_RECORDS:
            self.records.append(change)

    def add_new(self, record: Node | Relationship) -> None:
        """`add` of an added record, cheap past `MAX_RECORDS` (a first load adds millions)."""
        self.added += 1
        if len(self.records) < MAX_RECORDS:
            self.records.append(RecordChange("added", record, None, record.props))

    def as_dict(self, limit: int | None = None) -> dict[str, Any]:
        fmt = self.fmt
        kept = self.records if limit is None else self.records[:limit]
        return {
            "file": self.file,
            "zh": fmt.zh if fmt is not None else self.file,
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "records": [r.as_dict(fmt) for r in kept],
            "omitted": self.total - len(kept),
        }


class Diff:
    """Record-level changes of one write, per owning file in the order of `FILES`."""

    def __init__(self) -> None:
        self.files: dict[str, FileDiff] = {}

    def file_of(self, record: Node | Relationship) -> FileDiff:
        """The part of the diff of the file that owns `record`."""
        fmt = owner_of(record)
        name = fmt.name if fmt is not None else "other"
        found = self.files.get(name)
        if found is None:
            found = self.files[name] = FileDiff(name)
        return found

    def add(self, change: RecordChange) -> None:
        self.file_of(change.record).add(change)

    def ordered(self) -> list[FileDiff]:
        order = {f.name: i for i, f in enumerate(FILES)}
        return sorted(self.files.values(), key=lambda d: order.get(d.file, len(order)))

    @property
    def total(self) -> int:
        return sum(d.total for d in self.files.values())

    def as_list(self, limit: int | None = None) -> list[dict[str, Any]]:
        return [d.as_dict(limit) for d in self.ordered() if d.total]
