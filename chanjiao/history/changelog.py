"""The change log: every write, with when, by whom and its record-level diff.

Entries are documents of kind `DocumentKind.CHANGE` beside the graph, named by
their time (so they list in order) and never changed once written. An ingest or
sync logs itself (`chanjiao.ingest.load.ingest_tables`); other writers (the API's
deletions, the web workbench) pass `change_entry(...)` to the `GraphStore.write`
they make, so the entry lands in the same transaction as the change. A first load of a big dataset logs its exact counts and the first
`LOG_RECORDS` records of each file.
"""

from __future__ import annotations

import getpass
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chanjiao.errors import InvalidRequest
from chanjiao.graph.store import Document, DocumentKind, GraphStore, utc_now
from chanjiao.ingest.diff import Diff, RecordChange
from chanjiao.ingest.export import is_personal
from chanjiao.ingest.formats import FILES, FileFormat, file_format, label_named

#: Records kept per file in one log entry (the counts are always exact).
LOG_RECORDS = 1000

ACTION_ZH = {
    "ingest": "导入",
    "sync": "同步",
    "api": "接口修改",
    "web": "网页修改",
    "version": "保存版本",
    "import": "外部标准导入",
}
UNKNOWN_AUTHOR = "未知 unknown"


def cli_author(user: str | None) -> str:
    """Who runs a CLI write: ``--user`` if given, else the operating-system user."""
    if user and user.strip():
        return user.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return UNKNOWN_AUTHOR


@dataclass(slots=True)
class ChangeEntry:
    """One logged write.

    Attributes:
        name: the entry's document name (its time and a random suffix).
        when: when it was written, ISO 8601 in UTC.
        files: per file: counts and records, as `Diff.as_list` gives them.
    """

    name: str
    when: str
    author: str
    action: str
    source: str
    files: list[dict[str, Any]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {k: sum(f[k] for f in self.files) for k in ("added", "changed", "removed")}

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "when": self.when,
            "author": self.author,
            "action": self.action,
            "action_zh": ACTION_ZH.get(self.action, self.action),
            "source": self.source,
            **self.counts,
            "files": self.files,
        }


def change_entry(
    *,
    action: str,
    author: str | None,
    source: str,
    diff: Diff | None = None,
    changes: Iterable[RecordChange] = (),
) -> tuple[DocumentKind, str, str]:
    """A log entry, as `GraphStore.write(documents=...)` takes it: pass it with the write
    it describes, so both land in one transaction.

    Args:
        action: ``ingest``, ``sync``, ``api``, ``web`` or ``version``.
        author: the API key's name, the CLI user, the web user; None if unknown.
        source: what was written from (a file name, an API path, a version name).
        diff: the write's record-level changes, or `changes` to build one from.
    """
    if diff is None:
        diff = Diff()
        for change in changes:
            diff.add(change)
    body = {
        "author": author or UNKNOWN_AUTHOR,
        "action": action,
        "source": source,
        "files": diff.as_list(LOG_RECORDS),
    }
    name = f"{utc_now()}-{secrets.token_hex(4)}"
    return DocumentKind.CHANGE, name, json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def record_change(
    store: GraphStore,
    *,
    action: str,
    author: str | None,
    source: str,
    diff: Diff | None = None,
    changes: Iterable[RecordChange] = (),
) -> Document:
    """Log a write that did not go through `GraphStore.write` (saving a version)."""
    kind, name, body = change_entry(
        action=action, author=author, source=source, diff=diff, changes=changes
    )
    return store.save_document(kind, name, body)


def _scope(name: str) -> FileFormat:
    """The file a ``--label`` names: a label (Course, 课程) or a file (coverage, 课程能力覆盖)."""
    label = label_named(name)
    fmt = file_format(name)
    if fmt is None and label is not None:
        fmt = next((f for f in FILES if f.label is label), None)
    if fmt is None:
        raise InvalidRequest(
            f"不认识的类型 {name[:40]}：请给出节点类型（如 课程、Course）或数据文件名（如 coverage）",
            f"unknown kind {name[:40]}: give a label (Course, 课程) or a file name (coverage)",
        )
    return fmt


def _matches(
    record: dict[str, Any], file: str, fmt: FileFormat | None, node_id: str | None
) -> bool:
    if fmt is not None:
        labels = {record.get("label"), record.get("src_label"), record.get("dst_label")}
        if file != fmt.name and (fmt.label is None or str(fmt.label) not in labels):
            return False
    if node_id is not None:
        return node_id in (record.get("id"), record.get("src"), record.get("dst"))
    return True


def changes(
    store: GraphStore,
    *,
    since: str | None = None,
    label: str | None = None,
    node_id: str | None = None,
    personal: bool = True,
) -> list[ChangeEntry]:
    """Logged writes, oldest first, optionally only those touching a kind or an id.

    Args:
        since: an ISO date or time (``2026-09-01``); earlier entries are left out.
        label: a label or file name: keep only records of it (see `_scope`).
        node_id: keep only records of this id (a node, or either end of a relationship).
        personal: keep the records of students, their results and certificates
            (personal data, DESIGN §4b); without, an entry of only those is left out.

    Raises:
        InvalidRequest: `label` names nothing.
    """
    fmt = _scope(label) if label is not None else None
    if since is not None:
        since = _since(since)
    entries: list[ChangeEntry] = []
    for listed in store.documents(DocumentKind.CHANGE):
        if since is not None and listed.created < since:
            continue
        document = store.document(DocumentKind.CHANGE, listed.name)
        if document is None:
            continue
        body = json.loads(document.body)
        files = body.get("files", [])
        if not personal and files:
            files = [entry for entry in files if not _personal_file(entry["file"])]
            if not files:  # a write of students only
                continue
        if fmt is not None or node_id is not None:
            kept = []
            for entry in files:
                records = [r for r in entry["records"] if _matches(r, entry["file"], fmt, node_id)]
                if records:
                    kept.append({**entry, "records": records, "omitted": 0} | _counts(records))
            if not kept:
                continue
            files = kept
        entries.append(
            ChangeEntry(
                listed.name,
                document.created,
                body["author"],
                body["action"],
                body["source"],
                files,
            )
        )
    return entries


def _personal_file(name: str) -> bool:
    fmt = file_format(name)
    return fmt is not None and is_personal(fmt)


def _since(text: str) -> str:
    """An ISO date or time as the sortable UTC text documents carry."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidRequest(
            f"日期“{text[:40]}”无法识别；请写成 2026-09-01 或 2026-09-01T08:00",
            f"cannot read the date '{text[:40]}'; write it as 2026-09-01 or 2026-09-01T08:00",
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _counts(records: list[dict[str, Any]]) -> dict[str, int]:
    return {k: sum(1 for r in records if r["action"] == k) for k in ("added", "changed", "removed")}
