"""Named versions of the graph: a saved, immutable snapshot of every node and relationship.

A version is one `DocumentKind.VERSION` document beside the graph (so it lives in
the same store, on either backend, and survives restarts): compact JSON of every
node and relationship. It cannot be replaced once saved. To analyse a version, it
is loaded into a temporary embedded store (`opened`), where the normal analysis
runs, so no rule of DESIGN §4 is coded twice.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chanjiao.errors import InvalidRequest, NotFound
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.schema import Label, Node, Rel, Relationship
from chanjiao.graph.store import DocumentKind, GraphStore, document_exists
from chanjiao.history.changelog import record_change

FORMAT = "chanjiao-version/1"
MAX_NAME = 100


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """A saved version.

    Attributes:
        created: when it was saved, ISO 8601 in UTC.
        size: the length of its JSON in characters.
        nodes: how many nodes it holds (None in listings, which do not read bodies).
        relationships: how many relationships it holds (likewise).
    """

    name: str
    created: str
    size: int
    nodes: int | None = None
    relationships: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "created": self.created,
            "size": self.size,
            "nodes": self.nodes,
            "relationships": self.relationships,
        }


def check_name(name: str) -> str:
    """A version name as given, or InvalidRequest saying what is wrong with it."""
    text = name.strip()
    if not text or len(text) > MAX_NAME:
        raise InvalidRequest(
            f"版本名称不能为空，也不能超过 {MAX_NAME} 个字符",
            f"a version name must be 1 to {MAX_NAME} characters",
        )
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise InvalidRequest(
            "版本名称中不能有换行等控制字符", "a version name cannot hold control characters"
        )
    return text


def snapshot(store: GraphStore) -> dict[str, Any]:
    """Every node and relationship of the store as plain JSON data (one consistent read)."""
    with store.reading():
        nodes = {
            str(label): [[n.id, n.props] for n in store.nodes(label).values()] for label in Label
        }
        rels = {
            str(rel): [
                [str(r.src_label), r.src, str(r.dst_label), r.dst, r.props]
                for r in store.relationships(rel)
            ]
            for rel in Rel
        }
    return {
        "format": FORMAT,
        "nodes": {k: v for k, v in nodes.items() if v},
        "relationships": {k: v for k, v in rels.items() if v},
    }


def save_version(store: GraphStore, name: str, *, author: str | None = None) -> VersionInfo:
    """Save the store's current state as version `name` and log it.

    Raises:
        InvalidRequest: the name is empty, too long or holds control characters.
        AlreadyExists: a version of that name exists (versions are immutable).
    """
    name = check_name(name)
    if store.document(DocumentKind.VERSION, name) is not None:
        raise document_exists(DocumentKind.VERSION, name)
    data = snapshot(store)
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    document = store.save_document(DocumentKind.VERSION, name, body)
    record_change(store, action="version", author=author, source=name)
    return VersionInfo(
        name,
        document.created,
        document.size,
        sum(len(v) for v in data["nodes"].values()),
        sum(len(v) for v in data["relationships"].values()),
    )


def list_versions(store: GraphStore) -> list[VersionInfo]:
    """Saved versions, oldest first."""
    return [VersionInfo(d.name, d.created, d.size) for d in store.documents(DocumentKind.VERSION)]


def version_data(store: GraphStore, name: str) -> tuple[VersionInfo, dict[str, Any]]:
    """A version's information and snapshot.

    Raises:
        NotFound: there is no version of that name.
    """
    document = store.document(DocumentKind.VERSION, name)
    if document is None:
        known = "、".join(v.name for v in list_versions(store)[-10:]) or "（还没有保存任何版本）"
        raise NotFound(
            f"找不到版本 {name}；已有版本：{known}",
            f"no version named {name}; save one with: chanjiao version save NAME",
        )
    data = json.loads(document.body)
    if data.get("format") != FORMAT:
        raise InvalidRequest(
            f"版本 {name} 的格式无法识别", f"the version {name} is in an unknown format"
        )
    info = VersionInfo(
        name,
        document.created,
        document.size,
        sum(len(v) for v in data["nodes"].values()),
        sum(len(v) for v in data["relationships"].values()),
    )
    return info, data


def restore_into(store: GraphStore, data: dict[str, Any]) -> None:
    """Write a snapshot into an (empty) store, in one transaction."""
    nodes = [
        Node(Label(label), node_id, props)
        for label, rows in data["nodes"].items()
        for node_id, props in rows
    ]
    rels = [
        Relationship(Rel(rel), Label(src_label), src, Label(dst_label), dst, props)
        for rel, rows in data["relationships"].items()
        for src_label, src, dst_label, dst, props in rows
    ]
    store.write(nodes, rels)


@contextmanager
def opened(store: GraphStore, name: str) -> Iterator[tuple[VersionInfo, GraphStore]]:
    """Version `name` loaded into a temporary embedded store, removed afterwards.

    Raises:
        NotFound: there is no version of that name.
    """
    info, data = version_data(store, name)
    folder = Path(tempfile.mkdtemp(prefix="chanjiao-version-"))
    try:
        with EmbeddedStore(folder / "version.db") as temporary:
            restore_into(temporary, data)
            del data
            yield info, temporary
    finally:
        shutil.rmtree(folder, ignore_errors=True)
