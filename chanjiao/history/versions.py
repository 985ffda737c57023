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


def gap_scope(data: dict[str, Any], cluster: str, chain: str) -> dict[str, Any]:
    """The part of a snapshot that a gap analysis of `cluster` × `chain` reads.

    That is: the cluster, its majors (IN_CLUSTER), their courses (IN_MAJOR) and what
    they cover (COVERS); the chain, its segments (PART_OF), their positions
    (IN_SEGMENT), the offers into them (OFFERS) and their requirements (REQUIRES);
    and the abilities and enterprises at the ends. Loading only this keeps a compare
    fast on a national graph; `analyse_gaps` (without closers) reads nothing else, so
    it answers exactly as on the whole snapshot.
    """
    rels: dict[str, list[list[Any]]] = data["relationships"]

    def ends(
        rel: Rel, *, dst_in: set[str] | None = None, src_in: set[str] | None = None
    ) -> list[list[Any]]:
        return [
            row
            for row in rels.get(str(rel), [])
            if (dst_in is None or row[3] in dst_in) and (src_in is None or row[1] in src_in)
        ]

    keep: dict[Rel, list[list[Any]]] = {}
    keep[Rel.IN_CLUSTER] = ends(Rel.IN_CLUSTER, dst_in={cluster})
    majors = {row[1] for row in keep[Rel.IN_CLUSTER]}
    keep[Rel.IN_MAJOR] = ends(Rel.IN_MAJOR, dst_in=majors)
    courses = {row[1] for row in keep[Rel.IN_MAJOR]}
    keep[Rel.COVERS] = ends(Rel.COVERS, src_in=courses)
    keep[Rel.PART_OF] = ends(Rel.PART_OF, dst_in={chain})
    segments = {row[1] for row in keep[Rel.PART_OF]}
    keep[Rel.IN_SEGMENT] = ends(Rel.IN_SEGMENT, dst_in=segments)
    positions = {row[1] for row in keep[Rel.IN_SEGMENT]}
    keep[Rel.OFFERS] = ends(Rel.OFFERS, dst_in=positions)
    keep[Rel.REQUIRES] = ends(Rel.REQUIRES, src_in=positions)
    wanted: dict[str, set[str]] = {
        str(Label.SPECIALTY_CLUSTER): {cluster},
        str(Label.INDUSTRY_CHAIN): {chain},
        str(Label.MAJOR): majors,
        str(Label.COURSE): courses,
        str(Label.CHAIN_SEGMENT): segments,
        str(Label.POSITION): positions,
        str(Label.ABILITY): {row[3] for rel in (Rel.COVERS, Rel.REQUIRES) for row in keep[rel]},
        str(Label.ENTERPRISE): {row[1] for row in keep[Rel.OFFERS]},
    }
    nodes = {
        label: [row for row in data["nodes"].get(label, []) if row[0] in ids]
        for label, ids in wanted.items()
    }
    return {"format": FORMAT, "nodes": nodes, "relationships": {str(k): v for k, v in keep.items()}}


@contextmanager
def opened(
    store: GraphStore, name: str, scope: tuple[str, str] | None = None
) -> Iterator[tuple[VersionInfo, GraphStore]]:
    """Version `name` loaded into a temporary embedded store, removed afterwards.

    Args:
        scope: (cluster, chain): load only what their gap analysis reads (`gap_scope`).

    Raises:
        NotFound: there is no version of that name.
    """
    info, data = version_data(store, name)
    if scope is not None:
        data = gap_scope(data, *scope)
    folder = Path(tempfile.mkdtemp(prefix="chanjiao-version-"))
    try:
        with EmbeddedStore(folder / "version.db") as temporary:
            restore_into(temporary, data)
            del data
            yield info, temporary
    finally:
        shutil.rmtree(folder, ignore_errors=True)
