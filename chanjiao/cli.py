"""The `chanjiao` command line: thin commands over the library.

Each command opens the store, calls one library function and prints the result.
Errors a user can cause (`ChanjiaoError`, unreadable files) become one readable
message and a non-zero exit, never a traceback. The library is imported inside each
command, so ``chanjiao --help`` and every command start without loading what they do
not use (networkx, openpyxl, SciPy, FastAPI …).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from chanjiao import __version__
from chanjiao.analysis.scoring import STATUS_ZH
from chanjiao.commands.common import (
    StoreOption,
    err,
    out,
    progress_bar,
    store_at,
    store_for_ingest,
    styled,
    user_errors,
)
from chanjiao.commands.common import (
    emit as _emit,
)
from chanjiao.commands.history import UserOption, print_diff
from chanjiao.graph.schema import LABEL_ZH, REL_ZH, Label, Rel

if TYPE_CHECKING:
    from chanjiao.ingest.load import IngestResult

app = typer.Typer(
    help="产教 chanjiao：专精特新产业学院课程与实训资源知识图谱。"
    " Curriculum knowledge graph for industry colleges.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
align_app = typer.Typer(help="课程 ↔ 岗位对齐。Course ↔ position alignment.", no_args_is_help=True)
app.add_typer(align_app, name="align")


def _version(value: bool) -> None:
    if value:
        out.print(f"chanjiao {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本。")
    ] = False,
) -> None:
    """产教 chanjiao。"""


# --- ingest -------------------------------------------------------------------------------


def print_ingest(result: IngestResult) -> None:
    title = "试运行：将会写入 (dry run: would change)" if result.dry_run else "已写入 (loaded)"
    mode = " · 同步 sync" if result.sync else ""
    table = Table(title=f"{result.source} · {result.rows} 行 rows{mode} · {title}")
    columns = ["类型 Kind", "新增 added", "更新 updated", "不变 unchanged"]
    if result.sync:
        columns.append("删除 removed")
    for column in columns:
        table.add_column(column, justify="left" if column.startswith("类型") else "right")
    for label, counts in sorted(result.nodes.items()):
        cells = [str(counts.added), str(counts.updated), str(counts.unchanged)]
        table.add_row(f"{LABEL_ZH[label]} {label}", *cells, *([str(counts.removed)] * result.sync))
    for rel, counts in sorted(result.relationships.items()):
        cells = [str(counts.added), str(counts.updated), str(counts.unchanged)]
        table.add_row(
            styled("[dim]{} {}[/]", REL_ZH[rel], rel),
            *cells,
            *([str(counts.removed)] * result.sync),
        )
    out.print(table)
    if result.dry_run or result.sync:
        print_diff(result.diff)
    for warning in result.warnings:
        err.print(f"! 提示 notice：{warning}", style="yellow", markup=False, highlight=False)
    if result.dry_run:
        out.print("未写入任何数据。去掉 --dry-run 即可导入。(Nothing written.)")
    elif result.changed == 0:
        out.print("数据库已是最新，没有变化。(Already up to date.)")


class IngestFormat(StrEnum):
    table = "table"
    json = "json"


@app.command("ingest")
@user_errors
def ingest_command(
    path: Annotated[Path, typer.Argument(help="CSV 文件夹、.zip、.xlsx 或 .json 数据集。")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只检查并逐条列出将新增/修改/删除的记录，不写入。")
    ] = False,
    sync: Annotated[
        bool,
        typer.Option(
            "--sync",
            help="以数据集为准同步：数据集中各文件不再包含的记录从数据库删除，空单元格清空该属性。",
        ),
    ] = False,
    fmt: Annotated[IngestFormat, typer.Option("--format", "-f", help="输出格式。")] = (
        IngestFormat.table
    ),
    as_json: Annotated[
        bool, typer.Option("--json", help="以 JSON 输出结果（同 --format json）。")
    ] = False,
    user: UserOption = None,
    store: StoreOption = None,
) -> None:
    """导入数据集（全部成功或全部不写入）。Load a dataset, all or nothing."""
    from chanjiao.history.changelog import cli_author
    from chanjiao.ingest.load import ingest

    with store_for_ingest(store, dry_run) as graph, progress_bar() as report:
        result = ingest(
            graph, path, dry_run=dry_run, sync=sync, author=cli_author(user), progress=report
        )
    if as_json or fmt is IngestFormat.json:
        out.print_json(data=result.as_dict())
    else:
        print_ingest(result)


# --- gaps ---------------------------------------------------------------------------------


class GapFormat(StrEnum):
    json = "json"
    md = "md"
    table = "table"


def print_gap_table(report: dict[str, Any], names: dict[str, str], top: int) -> None:
    coverage = report["coverage"]
    out.print(
        styled(
            "[bold]{}[/]（{}） × [bold]{}[/]（{}）{}",
            report["cluster_name"],
            report["cluster"],
            report["chain_name"],
            report["chain"],
            f" · 环节 {report['segment']}" if report.get("segment") else "",
        )
    )
    out.print(
        styled(
            "总体覆盖率 Overall coverage: [bold]{}[/]",
            "—" if coverage is None else f"{coverage * 100:.1f}%",
        )
    )
    seg_table = Table(title="环节覆盖率 Segment coverage")
    seg_table.add_column("环节 Segment")
    seg_table.add_column("覆盖率 Coverage", justify="right")
    seg_table.add_column("需求 Demand", justify="right")
    seg_table.add_column("岗位 Positions", justify="right")
    for seg in report["segments"]:
        value = seg["coverage"]
        seg_table.add_row(
            f"{seg['name']} ({seg['id']})",
            "—" if value is None else f"{value * 100:.1f}%",
            str(seg["demand"]),
            str(seg["positions"]),
        )
    out.print(seg_table)
    gap_table = Table(title=f"优先差距 Top gaps（共 {len(report['gaps'])} 项）")
    gap_table.add_column("#", justify="right")
    gap_table.add_column("能力 Ability")
    gap_table.add_column("优先级 Priority", justify="right")
    gap_table.add_column("岗位 Positions")
    gap_table.add_column("可补课程 Courses")
    gap_table.add_column("教师 Teachers")
    for rank, gap in enumerate(report["gaps"][:top], start=1):
        gap_table.add_row(
            str(rank),
            f"{gap['name']} ({gap['ability']})",
            f"{gap['priority']:.4f}",
            ", ".join(gap["positions"][:4]) + (" …" if len(gap["positions"]) > 4 else ""),
            "、".join(names.get(c, c) for c in gap["closers"]["courses"][:3]) or "—",
            "、".join(names.get(t, t) for t in gap["closers"]["teachers"][:3]) or "—",
        )
    out.print(gap_table)
    counts = report["summary"]["requirements"]
    out.print(
        " · ".join(f"{STATUS_ZH[k]} {k} {v}" for k, v in counts.items())
        + f" · 未建模岗位 unmodelled {len(report['unmodelled_positions'])}"
        + f" · 孤立课程 orphan courses {len(report['orphan_courses'])}"
    )


@app.command("gaps")
@user_errors
def gaps_command(
    cluster: Annotated[str, typer.Option("--cluster", "-k", help="专业群编号 cluster id.")],
    chain: Annotated[str, typer.Option("--chain", "-c", help="产业链编号 chain id.")],
    segment: Annotated[
        str | None, typer.Option("--segment", help="只分析产业链的一个环节 one segment.")
    ] = None,
    fmt: Annotated[GapFormat, typer.Option("--format", "-f", help="输出格式。")] = GapFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="写入文件。")] = None,
    top: Annotated[int, typer.Option("--top", help="表格中显示的差距数。")] = 15,
    store: StoreOption = None,
) -> None:
    """专业群对产业链的能力差距分析（DESIGN §4）。Gap analysis of a cluster against a chain."""
    from chanjiao.analysis.gaps import analyse_gaps
    from chanjiao.report.markdown import closer_names, gap_markdown

    with store_at(store) as graph:
        report = analyse_gaps(graph, cluster, chain, segment).to_dict()
        names = closer_names(graph, report) if fmt is not GapFormat.json else {}
    if fmt is GapFormat.json:
        _emit(json.dumps(report, ensure_ascii=False, indent=2) + "\n", output)
    elif fmt is GapFormat.md:
        _emit(gap_markdown(report, names), output)
    else:
        print_gap_table(report, names, top)


# --- align --------------------------------------------------------------------------------


class AlignFormat(StrEnum):
    json = "json"
    table = "table"


@align_app.command("course")
@user_errors
def align_course_command(
    course_id: Annotated[str, typer.Argument(help="课程编号 course id.")],
    fmt: Annotated[AlignFormat, typer.Option("--format", "-f")] = AlignFormat.table,
    store: StoreOption = None,
) -> None:
    """这门课培养哪些能力、服务哪些岗位与企业。Which positions a course serves."""
    from chanjiao.analysis.alignment import align_course

    with store_at(store) as graph:
        result = align_course(graph, course_id).to_dict()
    if fmt is AlignFormat.json:
        out.print_json(data=result)
        return
    course = result["course"]
    out.print(
        styled(
            "[bold]{}[/]（{}） 专业 majors: {}",
            course["name"],
            course["id"],
            ", ".join(result["majors"]) or "—",
        )
    )
    table = Table(title="培养能力 Abilities covered")
    for column in ("能力 Ability", "等级 Level", "需要它的岗位 Positions (share)"):
        table.add_column(column)
    for ability in result["abilities"]:
        table.add_row(
            f"{ability['name']} ({ability['ability']})",
            str(ability["level"]),
            ", ".join(f"{p['position']} ({p['share'] * 100:.0f}%)" for p in ability["positions"])
            or "—",
        )
    out.print(table)
    table = Table(title="服务岗位 Positions served（本课程单独贡献的覆盖率 share）")
    for column in ("岗位 Position", "环节 Segment", "企业 Enterprises", "贡献 Share"):
        table.add_column(column)
    for pos in result["positions"]:
        table.add_row(
            f"{pos['name']} ({pos['id']})",
            str(pos["segment"]),
            ", ".join(pos["enterprises"]) or "—",
            f"{pos['share'] * 100:.1f}%",
        )
    out.print(table)


@align_app.command("position")
@user_errors
def align_position_command(
    position_id: Annotated[str, typer.Argument(help="岗位编号 position id.")],
    cluster: Annotated[
        str | None, typer.Option("--cluster", "-k", help="只看该专业群的课程。")
    ] = None,
    fmt: Annotated[AlignFormat, typer.Option("--format", "-f")] = AlignFormat.table,
    store: StoreOption = None,
) -> None:
    """岗位的每项能力由哪些课程培养（按先修顺序）。How a position is taught."""
    from chanjiao.analysis.alignment import align_position

    with store_at(store) as graph:
        result = align_position(graph, position_id, cluster).to_dict()
    if fmt is AlignFormat.json:
        out.print_json(data=result)
        return
    position = result["position"]
    out.print(
        styled(
            "[bold]{}[/]（{}） 环节 segment: {}",
            position["name"],
            position["id"],
            result["segment"],
        )
    )
    table = Table(title="能力要求与培养课程 Requirements and the courses that build them")
    for column in ("能力 Ability", "要求 Required", "课程 Courses (level)"):
        table.add_column(column)
    for req in result["requirements"]:
        courses = ", ".join(
            f"{c['name']}({c['level']}{'' if c['meets'] else '↓'})" for c in req["courses"]
        )
        table.add_row(
            f"{req['name']} ({req['ability']})",
            str(req["required"]),
            courses or styled("[red]无课程 none[/]"),
        )
    out.print(table)
    path = Text(" → ").join(
        styled("{}[dim]{}[/]", c["name"], f"(第{c['semester']}学期)" if c["semester"] else "")
        for c in result["learning_path"]
    )
    out.print(Text("学习路径 Learning path: ").append_text(path if path else Text("—")))


# --- stats, template ----------------------------------------------------------------------


@app.command("stats")
@user_errors
def stats_command(
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
    store: StoreOption = None,
) -> None:
    """各类节点与关系的数量。Counts of nodes and relationships."""
    with store_at(store) as graph:
        stats = graph.stats()
        location = graph.location
    if as_json:
        out.print_json(
            data={
                "store": location,
                "nodes": {str(k): v for k, v in stats.nodes.items()},
                "relationships": {str(k): v for k, v in stats.relationships.items()},
            }
        )
        return
    table = Table(title=f"数据库 store: {location}")
    table.add_column("类型 Kind")
    table.add_column("数量 Count", justify="right")
    for label in Label:
        table.add_row(f"{LABEL_ZH[label]} {label}", str(stats.nodes[label]))
    for rel in Rel:
        table.add_row(styled("[dim]{} {}[/]", REL_ZH[rel], rel), str(stats.relationships[rel]))
    table.add_row(styled("[bold]节点合计 nodes[/]"), str(sum(stats.nodes.values())))
    table.add_row(styled("[bold]关系合计 relationships[/]"), str(sum(stats.relationships.values())))
    out.print(table)


@app.command("template")
@user_errors
def template_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="模板文件路径。")] = Path(
        "chanjiao-模板.xlsx"
    ),
) -> None:
    """生成空白 Excel 数据模板（含说明与下拉列表）。Write the empty Excel template."""
    from chanjiao.ingest.template import write_template

    write_template(output)
    out.print(f"已生成模板 template written: {output}")


# --- demo ---------------------------------------------------------------------------------


def sample_path() -> Path:
    """The bundled sample college (a folder of CSV files inside the package)."""
    from importlib import resources

    return Path(str(resources.files("chanjiao") / "data" / "sample"))


SAMPLE_CLUSTER = "K-IC"
SAMPLE_CHAIN = "CH-SEMI3"
SAMPLE_COHORT = "2023"


@app.command("demo")
@user_errors
def demo_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="报告输出文件夹。")] = Path(
        "chanjiao-demo"
    ),
    store: StoreOption = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="数据库已有其他数据时仍载入虚构的示例。Load into a store with other data.",
        ),
    ] = False,
) -> None:
    """载入示例产业学院并分析差距。Load the sample college and analyse its gaps.

    The sample goes into the store every other command reads by default, so the
    README's commands work as written after it; a store holding other data is refused.
    """
    from chanjiao.analysis.gaps import analyse_gaps
    from chanjiao.history.changelog import cli_author
    from chanjiao.ingest.load import ingest
    from chanjiao.ingest.sample import check_sample_target
    from chanjiao.report.html import write_gap_report
    from chanjiao.report.markdown import closer_names, gap_markdown
    from chanjiao.report.talent import gather_talent_report, write_talent_report
    from chanjiao.viz import write_cluster_view

    output.mkdir(parents=True, exist_ok=True)
    with store_at(store, create=True) as graph:
        if not force:
            check_sample_target(graph, sample_path())
        with progress_bar() as report:
            result = ingest(graph, sample_path(), author=cli_author(None), progress=report)
        out.print(
            f"示例产业学院已载入 sample college loaded into {graph.location}：{result.rows} 行 rows"
        )
        gap = analyse_gaps(graph, SAMPLE_CLUSTER, SAMPLE_CHAIN).to_dict()
        names = closer_names(graph, gap)
        html_path = write_gap_report(
            graph, SAMPLE_CLUSTER, SAMPLE_CHAIN, None, output / "gap-report.html"
        )
        view_path = write_cluster_view(
            graph, SAMPLE_CLUSTER, SAMPLE_CHAIN, None, output / "cluster-view.html"
        )
        talent = gather_talent_report(graph, SAMPLE_COHORT, SAMPLE_CHAIN)
        talent_path = write_talent_report(talent, output / "talent-report.html")
    print_gap_table(gap, names, top=10)
    cohort = talent.to_dict()
    out.print(
        f"人才 Talent：{SAMPLE_COHORT} 级 {cohort['student_count']} 名学生 × {SAMPLE_CHAIN}："
        f"全链岗位准备度 chain readiness {cohort['share'] * 100:.1f}%，"
        f"至少胜任一个岗位 ready for ≥ 1 position {cohort['ready_any'] * 100:.1f}%",
        highlight=False,
    )
    json_path = output / "gaps.json"
    md_path = output / "gaps.md"
    json_path.write_text(json.dumps(gap, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(gap_markdown(gap, names), encoding="utf-8")
    out.print(styled("报告已写入 reports written to [bold]{}/[/]：", output))
    out.print(f"  - {json_path}  (DESIGN §4 JSON)")
    out.print(f"  - {md_path}  (Markdown)")
    out.print(f"  - {html_path}  (HTML 报告，可离线打开、可打印 HTML report, opens offline)")
    out.print(f"  - {view_path}  (专业群 × 产业链 交互图谱 cluster view)")
    out.print(f"  - {talent_path}  (人才与岗位匹配报告 talent match report)")
    out.print(
        f"继续探索 next: chanjiao gaps{'' if store is None else ' --store ' + store} "
        f"--cluster {SAMPLE_CLUSTER} "
        f"--chain {SAMPLE_CHAIN} --format md",
        markup=False,
        highlight=False,
    )
    out.print(
        f"人才匹配 talent: chanjiao talent match P-FAB-01 --cohort {SAMPLE_COHORT}"
        + ("" if store is None else f" --store {store}"),
        markup=False,
        highlight=False,
    )
    out.print(
        f"打开网页工作台 open the web workbench: chanjiao serve"
        f"{'' if store is None else ' --store ' + store}  "
        "然后在浏览器中打开 then open http://127.0.0.1:8000/",
        markup=False,
        highlight=False,
    )


# --- commands kept in their own modules (chanjiao/commands/*.py) --------------------------
# Each module's register(app) adds its commands.
from chanjiao.commands import api, history, interop, plan, stores, talent, views  # noqa: E402

for _module in (stores, api, views, plan, interop, history, talent):
    _module.register(app)


def main() -> None:
    """Entry point of the `chanjiao` console script."""
    app()
