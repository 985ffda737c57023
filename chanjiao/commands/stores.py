"""``chanjiao copy SRC_STORE DST_STORE``: a thin shell over `chanjiao.graph.copy`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from chanjiao.commands.common import out, store_at, user_errors
from chanjiao.errors import InvalidRequest


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
        with store_at(source) as src, store_at(destination, create=True) as dst:
            from chanjiao.graph.copy import copy_graph

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
