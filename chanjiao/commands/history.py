"""``chanjiao version …`` and ``chanjiao log``, and the record-level diff of ``ingest``.

Thin shells over `chanjiao.history` and `chanjiao.report.history`, imported inside each
command (the CLI starts without loading them). Every user value printed to the
terminal is escaped, so no name becomes console markup.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from chanjiao.commands.common import StoreOption, emit, out, store_at, user_errors

if TYPE_CHECKING:
    from chanjiao.ingest.diff import Diff

#: Records the terminal lists per file (JSON output lists them all).
SHOWN_RECORDS = 200

UserOption = Annotated[
    str | None,
    typer.Option("--user", "-u", help="记入变更日志的操作人（默认为系统用户名）。Who writes."),
]


def print_diff(diff: Diff) -> None:
    """Every record added, changed or removed, one table per file, in Chinese."""
    from chanjiao.ingest.diff import ACTION_ZH as RECORD_ACTION_ZH

    for file_diff in diff.ordered():
        if not file_diff.total:
            continue
        fmt = file_diff.fmt
        zh = fmt.zh if fmt is not None else file_diff.file
        table = Table(
            title=f"{zh}（{file_diff.file}）：新增 {file_diff.added} · 修改 {file_diff.changed}"
            f" · 删除 {file_diff.removed}",
            title_justify="left",
        )
        table.add_column("变化 Change", no_wrap=True)
        table.add_column("记录 Record")
        table.add_column("内容 Fields (旧 old → 新 new)")
        for change in file_diff.records[:SHOWN_RECORDS]:
            fields = change.as_dict(fmt)["fields"]
            if change.action == "changed":
                text = "；".join(
                    f"{f['header']}：{f['old_text']} → {f['new_text']}" for f in fields
                )
            elif change.action == "added":  # the name is in the record's title
                text = "；".join(
                    f"{f['header']}：{f['new_text']}" for f in fields if f["field"] != "name"
                )
            else:
                text = ""
            table.add_row(RECORD_ACTION_ZH[change.action], escape(change.title(fmt)), escape(text))
        out.print(table)
        hidden = file_diff.total - min(len(file_diff.records), SHOWN_RECORDS)
        if hidden > 0:
            out.print(
                f"  … 另有 {hidden} 条未列出，用 --format json 查看 ({hidden} more; see --format json)"
            )


class CompareFormat(StrEnum):
    table = "table"
    json = "json"
    md = "md"
    html = "html"


class ListFormat(StrEnum):
    table = "table"
    json = "json"


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def register(app: typer.Typer) -> None:
    """Add ``version save|list|compare`` and ``log`` to the CLI."""
    version_app = typer.Typer(
        help="图谱版本：保存、列出、对比。Named versions of the graph.", no_args_is_help=True
    )
    app.add_typer(version_app, name="version")

    @version_app.command("save")
    @user_errors
    def save_command(
        name: Annotated[str, typer.Argument(help="版本名称，如 2025级 或 2026-09。Version name.")],
        user: UserOption = None,
        store: StoreOption = None,
    ) -> None:
        """保存当前图谱为一个命名版本（保存后不可修改）。Save the graph as a named version."""
        from chanjiao.history.changelog import cli_author
        from chanjiao.history.versions import save_version

        with store_at(store) as graph:
            info = save_version(graph, name, author=cli_author(user))
        out.print(
            f"已保存版本 {escape(info.name)}：{info.nodes} 个节点、{info.relationships} 条关系，"
            f"{info.size / 1024:.1f} KB (saved)",
            highlight=False,
        )

    @version_app.command("list")
    @user_errors
    def list_command(
        fmt: Annotated[
            ListFormat, typer.Option("--format", "-f", help="输出格式。")
        ] = ListFormat.table,
        store: StoreOption = None,
    ) -> None:
        """列出已保存的版本。List saved versions."""
        from chanjiao.history.versions import list_versions

        with store_at(store) as graph:
            versions = list_versions(graph)
        if fmt is ListFormat.json:
            _print_json([v.as_dict() for v in versions])
            return
        table = Table(title="已保存的版本 Versions")
        table.add_column("名称 Name")
        table.add_column("保存时间 Saved (UTC)")
        table.add_column("大小 Size", justify="right")
        for v in versions:
            table.add_row(
                escape(v.name), v.created[:19].replace("T", " "), f"{v.size / 1024:.1f} KB"
            )
        out.print(table)
        if not versions:
            out.print("还没有保存任何版本：chanjiao version save 名称 (no versions yet)")

    @version_app.command("compare")
    @user_errors
    def compare_command(
        before: Annotated[str, typer.Argument(help="较早的版本 A。Version A.")],
        after: Annotated[
            str | None,
            typer.Argument(help="较新的版本 B（默认：当前图谱）。Version B (default: now)."),
        ] = None,
        cluster: Annotated[
            str, typer.Option("--cluster", "-k", help="专业群编号 cluster id.")
        ] = ...,  # type: ignore[assignment]
        chain: Annotated[str, typer.Option("--chain", "-c", help="产业链编号 chain id.")] = ...,  # type: ignore[assignment]
        segment: Annotated[
            str | None, typer.Option("--segment", help="只对比产业链的一个环节 one segment.")
        ] = None,
        fmt: Annotated[
            CompareFormat, typer.Option("--format", "-f", help="输出格式。")
        ] = CompareFormat.table,
        output: Annotated[Path | None, typer.Option("--output", "-o", help="写入文件。")] = None,
        store: StoreOption = None,
    ) -> None:
        """对比两个版本（或某版本与当前图谱）的覆盖率与差距。Compare two versions."""
        from chanjiao.history.compare import compare_versions
        from chanjiao.report.history import (
            compare_html,
            compare_markdown,
            compare_sections,
            compare_title,
        )

        with store_at(store) as graph:
            data = compare_versions(graph, before, after, cluster, chain, segment)
        if fmt is CompareFormat.json:
            emit(json.dumps(data, ensure_ascii=False, indent=2) + "\n", output)
        elif fmt is CompareFormat.md:
            emit(compare_markdown(data), output)
        elif fmt is CompareFormat.html:
            emit(compare_html(data), output)
        else:
            out.print(f"[bold]{escape(compare_title(data))}[/]", highlight=False)
            for section in compare_sections(data):
                table = Table(title=section.title, title_justify="left")
                for h in section.headers:
                    table.add_column(escape(h))
                for row in section.rows:
                    table.add_row(*(escape(c) for c in row))
                if section.rows:
                    out.print(table)
                else:
                    out.print(f"{section.title}：无 None", highlight=False)

    @app.command("log")
    @user_errors
    def log_command(
        since: Annotated[
            str | None, typer.Option("--since", help="只列出此日期之后的变更，如 2026-09-01。")
        ] = None,
        label: Annotated[
            str | None,
            typer.Option(
                "--label", "-l", help="只列出某类记录：节点类型或文件名，如 课程、coverage。"
            ),
        ] = None,
        node_id: Annotated[
            str | None, typer.Option("--id", help="只列出涉及此编号的记录。")
        ] = None,
        fmt: Annotated[
            ListFormat, typer.Option("--format", "-f", help="输出格式。")
        ] = ListFormat.table,
        store: StoreOption = None,
    ) -> None:
        """变更日志：每次写入的时间、操作人和逐条变化。The change log."""
        from chanjiao.history.changelog import ACTION_ZH, changes
        from chanjiao.ingest.diff import ACTION_ZH as RECORD_ACTION_ZH

        with store_at(store) as graph:
            entries = changes(graph, since=since, label=label, node_id=node_id)
        if fmt is ListFormat.json:
            _print_json([e.as_dict() for e in entries])
            return
        table = Table(title=f"变更日志 Change log（{len(entries)} 次写入）")
        table.add_column("时间 When (UTC)", no_wrap=True)
        table.add_column("操作人 Who")
        table.add_column("操作 What")
        table.add_column("来源 Source")
        table.add_column("新增/修改/删除", justify="right")
        table.add_column("记录 Records")
        for entry in entries:
            counts = entry.counts
            shown = []
            for f in entry.files:
                for r in f["records"][:5]:
                    what = r.get("id") or f"{r['src']} → {r['dst']}"
                    detail = "，".join(
                        f"{x['header']} {x['old_text']}→{x['new_text']}"
                        for x in r["fields"]
                        if r["action"] == "changed"
                    )
                    shown.append(f"{RECORD_ACTION_ZH[r['action']]} {what} {detail}".strip())
                if len(f["records"]) > 5 or f.get("omitted"):
                    shown.append(f"… {f['zh']} 共 {f['added'] + f['changed'] + f['removed']} 条")
            table.add_row(
                entry.when[:19].replace("T", " "),
                escape(entry.author),
                ACTION_ZH.get(entry.action, entry.action),
                escape(entry.source),
                f"{counts['added']}/{counts['changed']}/{counts['removed']}",
                escape("\n".join(shown[:12])),
            )
        out.print(table)
