"""Interactive graph views (vis-network) as self-contained, offline HTML pages.

- `focus_view`: any node with everything within N hops of it;
- `cluster_view`: a specialty cluster against an industry chain (segments → positions →
  abilities ← courses ← majors), abilities coloured covered / partial / missing;
- `gap_view`: one gap with what could close it;
- `path_view`: a position's learning path (courses in prerequisite order).

Each returns the page as a string; `write_*` helpers write it to a file. The
`*_graph` functions return the `View` itself (nodes, edges, legend) for tests and for
embedding a view in the HTML report.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chanjiao.graph.schema import Label
from chanjiao.graph.store import GraphStore
from chanjiao.viz.graph import DEFAULT_MAX_NODES, View

if TYPE_CHECKING:
    from chanjiao.viz.render import (
        render_view,
        view_fragment,
        view_script,
        vis_assets,
        write_view,
    )
    from chanjiao.viz.views import (
        cluster_graph,
        find_node,
        focus_graph,
        gap_graph,
        parse_label,
        path_graph,
    )

#: Names loaded on first use (Jinja2 and the analysis are not needed to start the CLI).
_LAZY = {
    **dict.fromkeys(
        ("render_view", "view_fragment", "view_script", "vis_assets", "write_view"),
        "chanjiao.viz.render",
    ),
    **dict.fromkeys(
        ("cluster_graph", "find_node", "focus_graph", "gap_graph", "parse_label", "path_graph"),
        "chanjiao.viz.views",
    ),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def focus_view(
    store: GraphStore,
    node_id: str,
    label: Label | None = None,
    hops: int = 1,
    *,
    max_nodes: int = DEFAULT_MAX_NODES,
    personal: bool = False,
) -> str:
    """The HTML page of a node and its neighbourhood (see `focus_graph`)."""
    from chanjiao.viz.render import render_view
    from chanjiao.viz.views import focus_graph

    return render_view(
        focus_graph(store, node_id, label, hops, max_nodes=max_nodes, personal=personal)
    )


def cluster_view(
    store: GraphStore,
    cluster_id: str,
    chain_id: str,
    segment_id: str | None = None,
    *,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> str:
    """The HTML page of a cluster against a chain (see `cluster_graph`)."""
    from chanjiao.viz.render import render_view
    from chanjiao.viz.views import cluster_graph

    return render_view(cluster_graph(store, cluster_id, chain_id, segment_id, max_nodes=max_nodes))


def write_cluster_view(
    store: GraphStore,
    cluster_id: str,
    chain_id: str,
    segment_id: str | None,
    path: str | Path,
    *,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> Path:
    """Write the cluster view to `path` and return the path (`chanjiao demo` uses this)."""
    target = Path(path)
    target.write_text(
        cluster_view(store, cluster_id, chain_id, segment_id, max_nodes=max_nodes),
        encoding="utf-8",
    )
    return target


def gap_view(
    store: GraphStore,
    cluster_id: str,
    chain_id: str,
    ability_id: str,
    segment_id: str | None = None,
) -> str:
    """The HTML page of one gap and its closers (see `gap_graph`)."""
    from chanjiao.viz.render import render_view
    from chanjiao.viz.views import gap_graph

    return render_view(gap_graph(store, cluster_id, chain_id, ability_id, segment_id))


def path_view(store: GraphStore, position_id: str, cluster_id: str | None = None) -> str:
    """The HTML page of a position's learning path (see `path_graph`)."""
    from chanjiao.viz.render import render_view
    from chanjiao.viz.views import path_graph

    return render_view(path_graph(store, position_id, cluster_id))


__all__ = [
    "DEFAULT_MAX_NODES",
    "View",
    "cluster_graph",
    "cluster_view",
    "find_node",
    "focus_graph",
    "focus_view",
    "gap_graph",
    "gap_view",
    "parse_label",
    "path_graph",
    "path_view",
    "render_view",
    "view_fragment",
    "view_script",
    "vis_assets",
    "write_cluster_view",
    "write_view",
]
