"""The `GraphStore` interface every backend implements, and the rows its reads return.

Three kinds of caller, three views of one store:

- `GraphReads`: what the analysis reads (and all it may read; mypy holds
  `chanjiao.analysis` to it): lookups, the prerequisite graph (frozen), and the
  aggregated reads of DESIGN §4, inside `reading()` snapshots;
- `GraphEditing`: what editing, import, export and the HTTP API need besides:
  writes, deletes, pages of nodes, neighbours, counts, documents beside the graph;
- `GraphStore`: the abstract class a backend implements: both of the above, plus its
  lifecycle and cache hooks. A backend inherits the shared checks below
  (`check_filters`, `chain_not_found`, `segment_not_found`) instead of repeating them.

Analysis code only ever sees this module, never a backend, so the embedded store and
a server store give identical answers.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from types import TracebackType
from typing import TYPE_CHECKING, Literal, NamedTuple, Protocol

from chanjiao.errors import AlreadyExists, NotFound
from chanjiao.graph.schema import Label, Node, Rel, Relationship

if TYPE_CHECKING:  # networkx costs a CLI call 0.1-0.4 s: imported where a graph is built
    import networkx as nx

#: A relationship named by its key: (type, start label, start id, end label, end id).
RelKey = tuple[Rel, Label, str, Label, str]

#: Names of the closer lists in a gap (DESIGN §4), in report order.
CLOSER_KINDS = (
    "courses",
    "teachers",
    "textbooks",
    "training_resources",
    "enterprises",
    "certificates",
    "competitions",
)


# Read rows are NamedTuples of plain values: the garbage collector stops tracking such
# tuples, so caching hundreds of thousands of them costs no collection pauses.


class ScopeSegment(NamedTuple):
    id: str
    name: str
    order: int | None


class ScopePosition(NamedTuple):
    """A position in scope, with what its demand is computed from.

    Attributes:
        demand: the position's own `demand` property, if set.
        offered: the sum of `OFFERS.headcount` into it, or None if no offer has one.
    """

    id: str
    name: str
    segment: str
    demand: int | None
    offered: int | None


class ScopeRequirement(NamedTuple):
    position: str
    ability: str
    ability_name: str
    level: int
    weight: float


@dataclass(slots=True)
class ChainScope:
    """What the gap analysis needs to know about a chain (or one of its segments)."""

    chain: Node
    segments: list[ScopeSegment] = field(default_factory=list)
    positions: list[ScopePosition] = field(default_factory=list)
    requirements: list[ScopeRequirement] = field(default_factory=list)


class StudentRow(NamedTuple):
    """A student (personal data, DESIGN §4b) and the major it is enrolled in."""

    id: str
    name: str
    cohort: str | None
    status: str | None
    major: str | None


class ResultRow(NamedTuple):
    """A `COMPLETED` relationship as stored: whether it passed is the analysis' rule."""

    student: str
    course: str
    score: float | None
    passed: bool | None


@dataclass(slots=True)
class StudentRecords:
    """What readiness needs about some students (DESIGN §4b), all sorted by id.

    Attributes:
        students: the students asked for.
        results: their results, by (student, course).
        holdings: (student, certificate) pairs they hold.
        covers: course → {ability → COVERS level} for every course in `results`.
        certifies: certificate → abilities it `CERTIFIES`, for every certificate held.
    """

    students: list[StudentRow] = field(default_factory=list)
    results: list[ResultRow] = field(default_factory=list)
    holdings: list[tuple[str, str]] = field(default_factory=list)
    covers: dict[str, dict[str, int]] = field(default_factory=dict)
    certifies: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Neighbour:
    """A node next to another one, and the relationship between them."""

    rel: Rel
    direction: Literal["out", "in"]
    node: Node
    props: dict[str, object]


class DocumentKind(StrEnum):
    """Kinds of documents a store keeps beside the graph (never part of the graph).

    Versions (saved states of the graph), the change log and what-if scenarios live
    in the same store as the graph, so they survive restarts and move with it, but
    no analysis, count or export of the graph ever sees them.
    """

    VERSION = "version"
    CHANGE = "change"
    SCENARIO = "scenario"

    @property
    def zh(self) -> str:
        return _DOCUMENT_ZH[self]


_DOCUMENT_ZH = {
    DocumentKind.VERSION: "版本",
    DocumentKind.CHANGE: "变更记录",
    DocumentKind.SCENARIO: "方案",
}


def document_exists(kind: DocumentKind, name: str) -> AlreadyExists:
    """The error for saving over a document that must not be replaced."""
    return AlreadyExists(
        f"已有名为 {name} 的{kind.zh}，不能覆盖",
        f"a {kind.value} named {name} exists already and cannot be replaced",
    )


def clearable(keys: Collection[str]) -> list[str]:
    """The property names a write may clear, checked (sorted, so every backend agrees).

    Raises:
        ValueError: a name is not a ``[a-z_]`` word, or is ``name`` (a node keeps its name).
    """
    names = sorted(set(keys))
    for key in names:
        if not PROPERTY_NAME.fullmatch(key) or key == "name":
            raise ValueError(f"cannot clear the property {key!r}")
    return names


def utc_now() -> str:
    """Now in UTC as ISO 8601 with microseconds: such texts sort in time order."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class Document:
    """A named JSON document beside the graph.

    Attributes:
        created: when it was saved, ISO 8601 in UTC (``2026-11-30T14:52:59Z``).
        body: its JSON text; empty in listings (`GraphStore.documents`).
        size: the length of `body` in characters.
    """

    kind: DocumentKind
    name: str
    created: str
    body: str
    size: int


@dataclass(slots=True)
class Stats:
    nodes: dict[Label, int]
    relationships: dict[Rel, int]


class GraphReads(Protocol):
    """What the analysis reads from a store (`GraphStore` documents each method)."""

    def reading(self) -> AbstractContextManager[None]: ...

    def nodes(self, label: Label, ids: Collection[str] | None = None) -> dict[str, Node]: ...

    def get_node(self, label: Label, node_id: str) -> Node | None: ...

    def relationships(
        self,
        rel: Rel,
        *,
        src_ids: Collection[str] | None = None,
        dst_ids: Collection[str] | None = None,
    ) -> list[Relationship]: ...

    def prerequisite_graph(self) -> nx.DiGraph: ...

    def curriculum(self, cluster_id: str) -> dict[str, dict[str, int]]: ...

    def chain_scope(self, chain_id: str, segment_id: str | None = None) -> ChainScope: ...

    def closers(self, ability_ids: Collection[str]) -> dict[str, dict[str, Sequence[str]]]: ...

    def student_records(
        self,
        *,
        ids: Collection[str] | None = None,
        cohort: str | None = None,
        major: str | None = None,
    ) -> StudentRecords: ...

    def generation(self) -> int | None: ...


class GraphEditing(Protocol):
    """What editing, import, export and the API need besides `GraphReads`."""

    location: str

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
    ) -> None: ...

    def delete(
        self,
        nodes: Sequence[tuple[Label, str]] = (),
        relationships: Sequence[RelKey] = (),
    ) -> None: ...

    def find_nodes(
        self,
        label: Label,
        *,
        text: str | None = None,
        filters: Mapping[str, str | int | float | bool] | None = None,
        after: str | None = None,
        limit: int = 50,
    ) -> list[Node]: ...

    def neighbours(self, label: Label, node_id: str) -> list[Neighbour]: ...

    def stats(self) -> Stats: ...

    def generation(self) -> int | None: ...

    def save_document(
        self, kind: DocumentKind, name: str, body: str, *, replace: bool = False
    ) -> Document: ...

    def document(self, kind: DocumentKind, name: str) -> Document | None: ...

    def documents(self, kind: DocumentKind) -> list[Document]: ...

    def delete_document(self, kind: DocumentKind, name: str) -> bool: ...


# --- checks every backend shares ------------------------------------------------------

#: A property name a filter may use (it becomes part of a JSON path or a Cypher key).
PROPERTY_NAME = re.compile(r"[a-z_]{1,64}")


def check_filters(filters: Mapping[str, object] | None) -> None:
    """Raise ValueError for a filter key that is not a plain property name."""
    for key in filters or {}:
        if not PROPERTY_NAME.fullmatch(key):
            raise ValueError(f"not a property name: {key!r}")


def chain_not_found(chain_id: str) -> NotFound:
    return NotFound(f"找不到产业链 {chain_id}", f"no industry chain {chain_id}")


def segment_not_found(chain_id: str, segment_id: str) -> NotFound:
    return NotFound(
        f"产业链 {chain_id} 中没有环节 {segment_id}",
        f"the chain {chain_id} has no segment {segment_id}",
    )


def int_or_none(value: object) -> int | None:
    """A stored number as an int (stores hand back ints, floats or numeric strings)."""
    return None if value is None else int(value)  # type: ignore[call-overload]


class GraphStore(ABC):
    """A curriculum knowledge graph kept somewhere durable: `GraphReads` + `GraphEditing`.

    Writes are atomic: `write` lands whole or not at all. Reads inside one
    `reading()` block see one consistent state, even while another process writes.
    """

    location: str

    # --- lifecycle --------------------------------------------------------------------

    @abstractmethod
    def close(self) -> None:
        """Release connections; the store cannot be used afterwards."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @abstractmethod
    def reading(self) -> AbstractContextManager[None]:
        """A block whose reads all see one snapshot of the store (re-entrant)."""

    # --- writes -----------------------------------------------------------------------

    @abstractmethod
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
        """Change the graph in one transaction: it lands whole or not at all.

        In this order: remove relationships (by key), remove nodes (each with every
        relationship it has), clear properties, upsert nodes (by label and id), upsert
        relationships (by their two ends). Upserted properties merge like Cypher's
        ``SET n += $props``: keys given replace, keys not given stay; a sync clears
        the keys a dataset left empty with `clear_nodes` / `clear_relationships`
        (property names are ``[a-z_]`` words; ``name`` cannot be cleared). What does
        not exist is ignored by removals and clears. Every relationship's ends must
        exist after the write. `documents` (kind, new name, body) are saved beside the
        graph in the same transaction: a change-log entry lands with its change.
        """

    # --- lookups ----------------------------------------------------------------------

    @abstractmethod
    def nodes(self, label: Label, ids: Collection[str] | None = None) -> dict[str, Node]:
        """Nodes of a label by id; all of them when `ids` is None. Unknown ids are absent."""

    @abstractmethod
    def relationships(
        self,
        rel: Rel,
        *,
        src_ids: Collection[str] | None = None,
        dst_ids: Collection[str] | None = None,
    ) -> list[Relationship]:
        """Relationships of one type, optionally only those from or to given ids."""

    @abstractmethod
    def neighbours(self, label: Label, node_id: str) -> list[Neighbour]:
        """Every node joined to a node, with the relationship and its direction."""

    @abstractmethod
    def stats(self) -> Stats:
        """How many nodes of each label and relationships of each type there are."""

    def get_node(self, label: Label, node_id: str) -> Node | None:
        return self.nodes(label, [node_id]).get(node_id)

    def prerequisite_graph(self) -> nx.DiGraph:
        """The course prerequisite relation as a frozen networkx DiGraph (edge: before → after).

        Frozen (`networkx.freeze`): a backend may hand every caller the same cached graph,
        so nobody may change it; copy it (`nx.DiGraph(graph)`) to build on it.
        """
        return frozen_prerequisites((r.src, r.dst) for r in self.relationships(Rel.PREREQUISITE_OF))

    # --- aggregated reads for the analysis --------------------------------------------

    @abstractmethod
    def curriculum(self, cluster_id: str) -> dict[str, dict[str, int]]:
        """C(K): each course in a major of the cluster, with the abilities it covers.

        Returns course id → {ability id → COVERS level}; a course covering nothing maps
        to an empty dict.
        """

    @abstractmethod
    def chain_scope(self, chain_id: str, segment_id: str | None = None) -> ChainScope:
        """The chain's segments (or the one segment), their positions and requirements.

        Raises:
            NotFound: the chain (or the segment within the chain) does not exist.
        """

    @abstractmethod
    def closers(self, ability_ids: Collection[str]) -> dict[str, dict[str, Sequence[str]]]:
        """For each ability, what could close a gap in it (DESIGN §4), before scoping.

        Returns ability id → {closer kind → sorted ids (shared: do not mutate)}, with the kinds of
        `CLOSER_KINDS`. `courses` lists every course covering the ability; the
        analysis removes the cluster's own.
        """

    @abstractmethod
    def student_records(
        self,
        *,
        ids: Collection[str] | None = None,
        cohort: str | None = None,
        major: str | None = None,
    ) -> StudentRecords:
        """Students (those of `ids`, else all; kept only if of `cohort` and `major` when
        given) with their results, certificates, and what those courses and certificates
        build. Unknown ids are absent.
        """

    def warm(self) -> None:  # noqa: B027 - optional hook, nothing to do by default
        """Prepare caches for a long-running process (a server calls this at start)."""

    def generation(self) -> int | None:
        """A number every committed write (from any process) changes; None if unknown.

        Callers may cache answers per generation; None means: do not cache.
        """
        return None

    # --- documents beside the graph (versions, change log, scenarios) -----------------

    @abstractmethod
    def save_document(
        self, kind: DocumentKind, name: str, body: str, *, replace: bool = False
    ) -> Document:
        """Keep a JSON document under (kind, name); it does not change `generation`.

        Raises:
            AlreadyExists: a document of that kind and name exists and `replace` is False.
        """

    @abstractmethod
    def document(self, kind: DocumentKind, name: str) -> Document | None:
        """The document of that kind and name, with its body; None if there is none."""

    @abstractmethod
    def documents(self, kind: DocumentKind) -> list[Document]:
        """Every document of a kind without its body, oldest first (then by name)."""

    @abstractmethod
    def delete_document(self, kind: DocumentKind, name: str) -> bool:
        """Remove a document; False if there was none."""

    # --- deleting and finding (for the HTTP API) --------------------------------------

    def delete(
        self,
        nodes: Sequence[tuple[Label, str]] = (),
        relationships: Sequence[RelKey] = (),
    ) -> None:
        """Delete nodes (with every relationship they have) and relationships, atomically.

        Relationships are named by their key (type, start label, start id, end label,
        end id), as `Relationship.key`. What does not exist is ignored.
        """
        self.write((), (), remove_nodes=nodes, remove_relationships=relationships)

    @abstractmethod
    def find_nodes(
        self,
        label: Label,
        *,
        text: str | None = None,
        filters: Mapping[str, str | int | float | bool] | None = None,
        after: str | None = None,
        limit: int = 50,
    ) -> list[Node]:
        """A page of a label's nodes in id order.

        Args:
            text: keep nodes whose name contains it (a plain substring, Chinese works).
            filters: keep nodes whose property equals the value; keys are property
                names made of ``[a-z_]`` only (others raise ValueError).
            after: the cursor: only ids greater than this one.
            limit: the page size.
        """


def frozen_prerequisites(edges: Iterable[tuple[str, str]]) -> nx.DiGraph:
    """A frozen DiGraph of prerequisite edges (before → after), shared safely by readers."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_edges_from(edges)
    return nx.freeze(graph)
