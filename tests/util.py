"""Helpers shared by the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chanjiao.graph.schema import Label, Rel
from chanjiao.graph.store import GraphStore

DATA = Path(__file__).parent / "data"
SMALL = DATA / "valid" / "small"


def dump(store: GraphStore) -> dict[str, Any]:
    """Everything in a store, as plain data: equal dumps mean equal stores."""
    with store.reading():
        nodes = {
            f"{label}:{node_id}": node.props
            for label in Label
            for node_id, node in store.nodes(label).items()
        }
        rels = {
            f"{r.type}:{r.src_label}:{r.src}->{r.dst_label}:{r.dst}": r.props
            for rel in Rel
            for r in store.relationships(rel)
        }
    return {"nodes": nodes, "relationships": rels}
