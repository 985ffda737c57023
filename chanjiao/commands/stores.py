"""Moving a graph between stores: ``chanjiao copy SRC_STORE DST_STORE``.

The copy goes through the `GraphStore` interface only, so it works between any two
kinds (embedded ↔ Neo4j ↔ FalkorDB): every label's nodes and every relationship
type are read from the source in one `reading()` block and written to the
destination in one `write`, which is one transaction there: the copy lands whole or
not at all. Nodes and relationships already in the destination are upserted
(properties merge as in an ingest), never removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

import typer
from rich.table import Table

from chanjiao.commands.common import out, store_at, user_errors
from chanjiao.errors import InvalidRequest
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


def register(app: typer.Typer) -> None:
    """Add ``copy`` to the CLI."""

    @app.command("copy")
    @user_errors
    def copy_command(
        source: Annotated[
            str,
            typer.Argument(
                help="源存储：数据库文件、bolt:// / neo4j:// 或 falkordb:// 地址。Source store."
            ),
        ],
        destination: Annotated[
            str, typer.Argument(help="目标存储（同上；已有数据按编号合并）。Destination store.")
        ],
    ) -> None:
        """把整个图从一个存储复制到另一个（嵌入式 ↔ Neo4j），全部成功或全不写入。

        Copy the whole graph from one store to another, all or nothing.
        """
        if source == destination:
            raise InvalidRequest(
                "源存储与目标存储相同，无需复制", "the source and destination are the same store"
            )
        with store_at(source) as src, store_at(destination) as dst:
            result = copy_graph(src, dst)
        table = Table(title="已复制 Copied")
        table.add_column("类型 Kind")
        table.add_column("数量 Count", justify="right")
        for label, count in result.nodes.items():
            if count:
                table.add_row(f"{label.zh} {label}", str(count))
        for rel, count in result.relationships.items():
            if count:
                table.add_row(f"{rel.zh} {rel}", str(count))
        out.print(table)
        out.print(
            f"共复制 {result.total} 项，从 {src.location} 到 {dst.location} "
            f"(copied {result.total} items)",
            highlight=False,
        )
