"""`chanjiao report` (HTML, XLSX, Markdown, JSON gap reports) and `chanjiao viz` (graph views).

Thin shells: each command opens the store, calls one library function and writes a file.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from chanjiao.commands.common import StoreOption, err, store_at, user_errors
from chanjiao.viz.graph import DEFAULT_MAX_NODES

viz_app = typer.Typer(
    help="交互式图谱视图（离线 HTML）。Interactive graph views as offline HTML.",
    no_args_is_help=True,
)


class ReportFormat(StrEnum):
    html = "html"
    xlsx = "xlsx"
    md = "md"
    json = "json"


ClusterOption = Annotated[str, typer.Option("--cluster", "-k", help="专业群编号 cluster id.")]
ChainOption = Annotated[str, typer.Option("--chain", "-c", help="产业链编号 chain id.")]
SegmentOption = Annotated[
    str | None, typer.Option("--segment", help="只看产业链的一个环节 one segment.")
]
MaxNodesOption = Annotated[
    int,
    typer.Option("--max-nodes", min=10, help="节点上限：超过时合并能力域或截断并注明。Node cap."),
]


def _written(path: Path) -> None:
    err.print(f"已写入 written: {path}", highlight=False)
    err.print(
        f"用浏览器打开即可（无需联网）。Open it in a browser (works offline): {path.resolve().as_uri()}",
        highlight=False,
        soft_wrap=True,
    )


def report_command(
    cluster: ClusterOption,
    chain: ChainOption,
    segment: SegmentOption = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="html、xlsx、md 或 json。")
    ] = ReportFormat.html,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="输出文件；md/json 不给则打印。Output file."),
    ] = None,
    store: StoreOption = None,
) -> None:
    """专业群差距报告（HTML/XLSX/Markdown/JSON）。Gap report of a cluster against a chain."""
    from chanjiao.report.html import gather_report, render_gap_report
    from chanjiao.report.markdown import report_markdown
    from chanjiao.report.xlsx import write_gap_workbook

    if output is None and fmt in (ReportFormat.html, ReportFormat.xlsx):
        output = Path(f"gap-report.{fmt.value}")
    with store_at(store) as graph:
        data = gather_report(graph, cluster, chain, segment)
        if fmt is ReportFormat.html:
            text = render_gap_report(data, graph)
    if fmt is ReportFormat.xlsx:
        assert output is not None
        write_gap_workbook(data, output)
        err.print(f"已写入 written: {output}", highlight=False)
        return
    if fmt is ReportFormat.json:
        text = json.dumps(data.to_dict(), ensure_ascii=False, indent=2) + "\n"
    elif fmt is ReportFormat.md:
        text = report_markdown(data.to_dict(), data.names)
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    if fmt is ReportFormat.html:
        _written(output)
    else:
        err.print(f"已写入 written: {output}", highlight=False)


@viz_app.command("focus")
@user_errors
def focus_command(
    node_id: Annotated[str, typer.Argument(help="节点编号 node id.")],
    label: Annotated[
        str | None,
        typer.Option("--label", "-l", help="节点类型，如 课程 或 Course（编号重名时需要）。"),
    ] = None,
    hops: Annotated[int, typer.Option("--hops", help="跳数 1–4。Hops.")] = 1,
    max_nodes: MaxNodesOption = DEFAULT_MAX_NODES,
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML 文件。")] = Path(
        "focus.html"
    ),
    store: StoreOption = None,
) -> None:
    """任一节点及其 N 跳以内的关联。A node and its neighbourhood."""
    from chanjiao import viz

    with store_at(store) as graph:
        view = viz.focus_graph(
            graph,
            node_id,
            viz.parse_label(label) if label else None,
            hops,
            max_nodes=max_nodes,
            personal=True,
        )
    _written(viz.write_view(view, output))


@viz_app.command("cluster")
@user_errors
def cluster_command(
    cluster: ClusterOption,
    chain: ChainOption,
    segment: SegmentOption = None,
    max_nodes: MaxNodesOption = DEFAULT_MAX_NODES,
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML 文件。")] = Path(
        "cluster.html"
    ),
    store: StoreOption = None,
) -> None:
    """专业群 × 产业链：环节 → 岗位 → 能力 ← 课程 ← 专业。Cluster against chain."""
    from chanjiao import viz

    with store_at(store) as graph:
        view = viz.cluster_graph(graph, cluster, chain, segment, max_nodes=max_nodes)
    _written(viz.write_view(view, output))


@viz_app.command("gap")
@user_errors
def gap_command(
    ability: Annotated[str, typer.Argument(help="能力编号 ability id.")],
    cluster: ClusterOption,
    chain: ChainOption,
    segment: SegmentOption = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML 文件。")] = Path("gap.html"),
    store: StoreOption = None,
) -> None:
    """一项差距及可补齐它的课程、教师、教材、资源、企业、证书、竞赛。A gap and its closers."""
    from chanjiao import viz

    with store_at(store) as graph:
        view = viz.gap_graph(graph, cluster, chain, ability, segment)
    _written(viz.write_view(view, output))


@viz_app.command("path")
@user_errors
def path_command(
    position: Annotated[str, typer.Argument(help="岗位编号 position id.")],
    cluster: Annotated[
        str | None, typer.Option("--cluster", "-k", help="只看该专业群的课程。")
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML 文件。")] = Path("path.html"),
    store: StoreOption = None,
) -> None:
    """岗位的学习路径（按先修关系排列的课程）。A position's learning path."""
    from chanjiao import viz

    with store_at(store) as graph:
        view = viz.path_graph(graph, position, cluster)
    _written(viz.write_view(view, output))


def register(app: typer.Typer) -> None:
    """Add `chanjiao report` and `chanjiao viz ...` to the CLI."""
    app.command("report")(user_errors(report_command))
    app.add_typer(viz_app, name="viz")
