"""Copying a whole graph between stores (embedded ↔ Neo4j ↔ FalkorDB).

The copy goes through the `GraphStore` interface only: every label's nodes and every
relationship type are read from the source in one `reading()` block and written to
the destination in one `write`, which is one transaction there, so the copy lands
whole or not at all. What the destination already holds is upserted (properties
merge as in an ingest), never removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chanjiao.graph.schema import Label, Node, Rel, Relationship
from chanjiao.graph.store import GraphStore


@dataclass
class CopyResult:
    """How many nodes and relationships of each kind were copied."""

    nodes: dict[Label, int] = field(default_factory=dict)
    relationships: dict[Rel, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.nodes.values()) + sum(self.relationships.values())


def copy_graph(source: GraphStore, destination: GraphStore) -> CopyResult:
    """Copy everything in `source` into `destination`, in one write.

    Raises:
        StoreUnavailable: either store failed; the destination is then unchanged.
    """
    result = CopyResult()
    nodes: list[Node] = []
    relationships: list[Relationship] = []
    with source.reading():
        for label in Label:
            found = list(source.nodes(label).values())
            result.nodes[label] = len(found)
            nodes += found
        for rel in Rel:
            found_rels = source.relationships(rel)
            result.relationships[rel] = len(found_rels)
            relationships += found_rels
    if nodes or relationships:
        destination.write(nodes, relationships)
    return result
