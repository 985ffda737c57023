"""Whether a store may take the bundled sample college (`chanjiao demo`).

The sample is fictitious: loaded into a store that holds a college's real data, its
943 rows would mix with them (and overwrite records sharing an id). So the demo
loads only into an empty store, or one that already holds exactly the sample.
"""

from __future__ import annotations

from pathlib import Path

from chanjiao.errors import InvalidRequest
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.load import ingest


def check_sample_target(store: GraphStore, sample: Path) -> None:
    """Refuse to load the sample into a store that holds anything else.

    Args:
        store: the store the demo would load into.
        sample: the sample dataset.

    Raises:
        InvalidRequest: the store holds nodes or relationships the sample does not, or
            records the sample would change.
    """
    planned = ingest(store, sample, dry_run=True)
    stats = store.stats()
    foreign = 0
    for label, count in stats.nodes.items():
        counts = planned.nodes.get(label)
        foreign += count - (counts.updated + counts.unchanged if counts else 0)
    for rel, count in stats.relationships.items():
        rel_counts = planned.relationships.get(rel)
        foreign += count - (rel_counts.updated + rel_counts.unchanged if rel_counts else 0)
    changed = sum(c.updated for c in planned.nodes.values()) + sum(
        c.updated for c in planned.relationships.values()
    )
    if foreign or changed:
        raise InvalidRequest(
            f"数据库 {store.location} 中已有其他数据（{foreign} 项不属于示例，{changed} 项会被示例改写）；"
            "示例产业学院是虚构的，不能混入真实数据。请载入到另一个数据库："
            "chanjiao demo --store demo.db；确需载入，请加 --force",
            f"the store {store.location} already holds other data ({foreign} items not in the "
            f"sample, {changed} the sample would change); the sample college is fictitious. "
            "Load it into another store (chanjiao demo --store demo.db), or add --force",
        )
