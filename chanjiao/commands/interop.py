"""``chanjiao import onet|esco|case|osmt``, ``chanjiao export case``, ``chanjiao catalog search``.

Thin shells over `chanjiao.interop`: read the files, call one importer, then write
the dataset (``--output``) or load it (``--ingest``), as the user asked.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from chanjiao.commands.common import (
    StoreOption,
    err,
    out,
    progress_bar,
    store_at,
    store_for_ingest,
    store_or_scratch,
    user_errors,
)
from chanjiao.errors import InvalidRequest
from chanjiao.interop import CASE_ID_PREFIX

if TYPE_CHECKING:  # the importers load the ingest machinery: only inside a command
    from chanjiao.interop.common import ImportedDataset

import_app = typer.Typer(
    help="从标准导入岗位与能力（O*NET、ESCO、CASE、OSMT）。Import from standards.",
    no_args_is_help=True,
)
catalog_app = typer.Typer(
    help="职业教育专业目录（2021年）。The 2021 vocational major catalogue.",
    no_args_is_help=True,
)

OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="写成数据集：CSV 文件夹或 .xlsx 文件，编辑后再 ingest。Write a dataset.",
    ),
]
IngestOption = Annotated[
    bool, typer.Option("--ingest", help="直接导入数据库（全部成功或全不写入）。Load it now.")
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="只检查并报告，不写入。Check only, write nothing.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="以 JSON 输出结果。")]
SegmentOption = Annotated[
    str, typer.Option("--segment", help="新岗位所属的产业链环节编号。Segment of the new positions.")
]


def _read(path: Path | None) -> list[tuple[str, bytes]]:
    return [] if path is None else [(path.name, path.read_bytes())]


def _finish(
    dataset: ImportedDataset,
    output: Path | None,
    ingest: bool,
    dry_run: bool,
    as_json: bool,
    store: str | None,
) -> None:
    from chanjiao.cli import print_ingest
    from chanjiao.history.changelog import cli_author
    from chanjiao.interop.common import load_dataset, write_dataset

    if output is None and not ingest:
        raise InvalidRequest(
            "请用 --output 写成数据集（文件夹或 .xlsx），或用 --ingest 直接导入数据库",
            "give --output (a folder or an .xlsx file) or --ingest",
        )
    result = None
    if ingest:
        with store_for_ingest(store, dry_run) as graph, progress_bar() as report:
            result = load_dataset(
                graph, dataset, dry_run=dry_run, progress=report, author=cli_author(None)
            )
    written = None
    if output is not None and not dry_run:
        written = write_dataset(dataset, output)
    if as_json:
        data = {"import": dataset.as_dict(), "output": str(written) if written else None}
        data["ingest"] = result.as_dict() if result else None
        out.print_json(data=data)
        return
    table = Table(title=dataset.source)  # the consoles print text as text
    table.add_column("表 File")
    table.add_column("行 Rows", justify="right")
    for name, rows in dataset.ordered().items():
        table.add_row(name, str(len(rows)))
    out.print(table)
    for zh, en in dataset.notes:
        out.print(f"· {zh}", markup=False, highlight=False)
        out.print(f"  {en}", style="dim", markup=False, highlight=False)
    if result is not None:
        print_ingest(result)
    if written is not None:
        out.print(
            f"已写入数据集 dataset written: {written}（编辑后运行 chanjiao ingest {written}）",
            markup=False,
            highlight=False,
        )
    elif output is not None:
        out.print("试运行：未写入文件。(Dry run: no file written.)")


@import_app.command("onet")
@user_errors
def import_onet_command(
    soc: Annotated[
        list[str],
        typer.Option(
            "--soc",
            help="O*NET-SOC 职业代码，可写 代码=岗位名称，可重复。e.g. 51-9141.00=半导体工艺员",
        ),
    ],
    segment: SegmentOption,
    skills: Annotated[
        Path | None, typer.Option("--skills", help="O*NET Skills.txt（制表符分隔）。")
    ] = None,
    knowledge: Annotated[
        Path | None, typer.Option("--knowledge", help="O*NET Knowledge.txt。")
    ] = None,
    tasks: Annotated[
        Path | None,
        typer.Option("--tasks", help="O*NET Task Statements.txt（可选，写入岗位描述）。"),
    ] = None,
    level_cuts: Annotated[
        str, typer.Option("--level-cuts", help="LV 0–7 → 等级 1–4 的三个分界点。Level cut points.")
    ] = "2,3.5,5",
    min_importance: Annotated[
        float,
        typer.Option("--min-importance", min=1, max=5, help="重要性 IM 低于此值的要素不导入。"),
    ] = 3.0,
    release: Annotated[
        str, typer.Option("--release", help="O*NET 数据库版本（写入署名）。Release for the credit.")
    ] = "29.x",
    output: OutputOption = None,
    ingest: IngestOption = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """从 O*NET 技能/知识评分生成岗位能力模型。Positions and requirements from O*NET."""
    from chanjiao.interop.run import ImportFormat, ImportOptions, build_import

    files = {
        "skills": _read(skills),
        "knowledge": _read(knowledge),
        "tasks": _read(tasks),
    }
    options = ImportOptions(
        codes=soc,
        segment=segment,
        level_cuts=level_cuts,
        min_importance=min_importance,
        release=release,
    )
    with progress_bar() as report:
        dataset = build_import(ImportFormat.ONET, files, options, progress=report)
    _finish(dataset, output, ingest, dry_run, as_json, store)


@import_app.command("esco")
@user_errors
def import_esco_command(
    occupation: Annotated[
        list[str],
        typer.Option(
            "--occupation", help="ESCO 职业代码（如 2512.4）或 URI，可写 代码=岗位名称，可重复。"
        ),
    ],
    segment: SegmentOption,
    occupations: Annotated[Path, typer.Option("--occupations", help="ESCO occupations_en.csv。")],
    skills: Annotated[Path, typer.Option("--skills", help="ESCO skills_en.csv。")],
    relations: Annotated[
        Path, typer.Option("--relations", help="ESCO occupationSkillRelations.csv。")
    ],
    essential_weight: Annotated[
        float, typer.Option("--essential-weight", min=0.01, help="必备技能的权重。")
    ] = 2.0,
    optional_weight: Annotated[
        float, typer.Option("--optional-weight", min=0.01, help="可选技能的权重。")
    ] = 1.0,
    level: Annotated[
        int, typer.Option("--level", min=1, max=4, help="统一的要求等级（ESCO 没有等级）。")
    ] = 3,
    no_optional: Annotated[
        bool, typer.Option("--no-optional", help="只导入必备（essential）技能。")
    ] = False,
    output: OutputOption = None,
    ingest: IngestOption = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """从 ESCO 职业与技能关系生成岗位能力模型。Positions and requirements from ESCO."""
    from chanjiao.interop.run import ImportFormat, ImportOptions, build_import

    files = {
        "occupations": _read(occupations),
        "skills": _read(skills),
        "relations": _read(relations),
    }
    options = ImportOptions(
        codes=occupation,
        segment=segment,
        essential_weight=essential_weight,
        optional_weight=optional_weight,
        level=level,
        include_optional=not no_optional,
    )
    with progress_bar() as report:
        dataset = build_import(ImportFormat.ESCO, files, options, progress=report)
    _finish(dataset, output, ingest, dry_run, as_json, store)


@import_app.command("case")
@user_errors
def import_case_command(
    path: Annotated[
        Path, typer.Argument(help="CASE 框架包：CFPackage .json，或 OpenSALT 的 .xlsx 表格。")
    ],
    id_prefix: Annotated[
        str, typer.Option("--id-prefix", help="没有 humanCodingScheme 的条目的编号前缀。")
    ] = CASE_ID_PREFIX,
    abilities_only: Annotated[
        bool,
        typer.Option("--abilities-only", help="不导入岗位能力要求（对方的岗位在本库中不存在时）。"),
    ] = False,
    output: OutputOption = None,
    ingest: IngestOption = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """导入 CASE 能力框架（能力与层级）。Import a CASE framework as abilities."""
    from chanjiao.interop.run import ImportFormat, ImportOptions, build_import

    options = ImportOptions(id_prefix=id_prefix, with_requirements=not abilities_only)
    dataset = build_import(ImportFormat.CASE, {"file": _read(path)}, options)
    _finish(dataset, output, ingest, dry_run, as_json, store)


@import_app.command("osmt")
@user_errors
def import_osmt_command(
    paths: Annotated[
        list[Path], typer.Argument(help="OSMT 技能（RSD）或技能集（collection）的 JSON 文件。")
    ],
    level: Annotated[int, typer.Option("--level", min=1, max=4, help="对应岗位的要求等级。")] = 3,
    weight: Annotated[float, typer.Option("--weight", min=0.01, help="对应岗位的权重。")] = 1.0,
    output: OutputOption = None,
    ingest: IngestOption = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """导入 OSMT 富技能描述为能力，并按职业代码关联已有岗位。Import OSMT skills."""
    from chanjiao.interop import osmt
    from chanjiao.interop.run import ImportFormat, ImportOptions, build_import

    positions: dict[str, list[str]] = {}
    if ingest or store is not None:
        with store_or_scratch(store) as graph:  # a store still to be created has none
            positions = osmt.positions_by_soc(graph)
    files = {"file": [f for p in paths for f in _read(p)]}
    options = ImportOptions(level=level, weight=weight)
    dataset = build_import(ImportFormat.OSMT, files, options, positions=positions)
    _finish(dataset, output, ingest, dry_run, as_json, store)


def export_case_command(
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="输出 .json（CFPackage）或 .xlsx（OpenSALT 表格）。"),
    ],
    case_version: Annotated[
        str, typer.Option("--case-version", help="CASE 版本：1.1（默认）或 1.0。")
    ] = "1.1",
    title: Annotated[
        str, typer.Option("--title", help="框架标题（CFDocument title）。")
    ] = "chanjiao 能力框架 Ability framework",
    base_uri: Annotated[
        str | None, typer.Option("--base-uri", help="URI 前缀（默认 urn:uuid:…）。")
    ] = None,
    position: Annotated[
        list[str] | None, typer.Option("--position", help="只导出这些岗位的能力模型，可重复。")
    ] = None,
    store: StoreOption = None,
) -> None:
    """把能力层级与岗位能力要求导出为 CASE 框架包。Export the abilities as CASE."""
    from chanjiao.interop import case

    with store_at(store) as graph:
        package = case.export_case(
            graph, version=case_version, title=title, base_uri=base_uri, positions=position
        )
    if output.suffix.lower() == ".xlsx":
        output.write_bytes(case.package_xlsx(package))
    else:
        output.write_bytes(case.package_bytes(package))
    out.print(
        f"已导出 CASE {case_version}：{len(package['CFItems'])} 项能力，"
        f"{len(package['CFAssociations'])} 条关联 → {output} "
        f"(exported {len(package['CFItems'])} items, {len(package['CFAssociations'])} associations)",
        markup=False,
        highlight=False,
    )


@catalog_app.command("search")
@user_errors
def catalog_search_command(
    query: Annotated[str, typer.Argument(help="专业名称中的字词或代码开头，如 集成电路、5104。")],
    limit: Annotated[int, typer.Option("--limit", min=1, help="最多显示条数。")] = 50,
    as_json: JsonOption = False,
) -> None:
    """按名称或代码查找《职业教育专业目录（2021年）》中的专业。Find majors."""
    from chanjiao.interop import catalog

    found = catalog.search(query, limit)
    if as_json:
        out.print_json(data=[m.as_dict() for m in found])
        return
    table = Table(title=f"{catalog.CATALOG_NAME}：“{query}” 共 {len(found)} 个专业 majors")
    for column in (
        "代码 Code",
        "专业名称 Major",
        "层次 Level",
        "专业类 Class",
        "专业大类 Category",
    ):
        table.add_column(column)
    for major in found:
        table.add_row(major.code, major.name, major.level, major.klass, major.category)
    out.print(table)
    err.print(catalog.ATTRIBUTION, style="dim", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``import``, ``catalog`` and ``export case`` to the CLI."""
    from chanjiao.commands.api import export_app

    app.add_typer(import_app, name="import")
    app.add_typer(catalog_app, name="catalog")
    export_app.command("case")(user_errors(export_case_command))
