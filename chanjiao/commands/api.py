"""`chanjiao serve` (the HTTP API under uvicorn) and `chanjiao export` (a re-loadable dataset)."""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path
from typing import Annotated

import typer

from chanjiao.commands.common import StoreOption, err, out, store_at, styled, user_errors
from chanjiao.config import ENV_STORE, open_store, store_location
from chanjiao.errors import InvalidRequest, MissingExtra
from chanjiao.ingest.media import ExportFormat


def _check_port(host: str, port: int) -> None:
    """Fail with one line if uvicorn could not listen on host:port (in use, no such address)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise InvalidRequest(
            f"无法解析监听地址 {host}：{exc.strerror or exc}",
            f"cannot resolve the address {host} to listen on: {exc.strerror or exc}",
        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            sock.bind(address)
        except OSError as exc:
            in_use = exc.errno == errno.EADDRINUSE
            raise InvalidRequest(
                f"端口 {port} 已被占用，请用 --port 换一个端口"
                if in_use
                else f"无法在 {host}:{port} 上监听：{exc.strerror or exc}",
                f"port {port} is in use; choose another with --port"
                if in_use
                else f"cannot listen on {host}:{port}: {exc.strerror or exc}",
            ) from None


@user_errors
def serve_command(
    host: Annotated[
        str, typer.Option("--host", help="监听地址（容器内用 0.0.0.0）。Address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口。Port.")] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="工作进程数。Worker processes.")
    ] = 1,
    store: StoreOption = None,
) -> None:
    """启动网页工作台（/）与 HTTP API（/api/v1，文档在 /docs）。Serve the workbench and the API."""
    try:
        import uvicorn

        import chanjiao.api.app  # noqa: F401 - FastAPI and the rest of [server]
    except ImportError as exc:
        raise MissingExtra.for_extra("server", "HTTP API 服务", "the HTTP API", exc) from exc

    if store is not None:
        # Workers are separate processes: they read the store from the environment.
        os.environ[ENV_STORE] = store
    # Start-up problems as one line and exit 1, before uvicorn would print a traceback.
    open_store(store).close()
    _check_port(host, port)
    err.print(
        f"网页工作台 workbench: http://{host}:{port}/ · API: http://{host}:{port}/docs · 数据库 store: "
        f"{store_location()}",
        highlight=False,
    )
    uvicorn.run(
        "chanjiao.api.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        server_header=False,
    )


export_app = typer.Typer(
    help="把数据库导出为可直接再导入的数据集（或用 export case 导出 CASE 框架）。Export the store.",
)


@user_errors
def export_command(
    ctx: typer.Context,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="输出：.json/.xlsx 文件或 CSV 文件夹。")
    ] = None,
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="json / csv-dir / xlsx。")
    ] = ExportFormat.JSON,
    pseudonymise: Annotated[
        bool,
        typer.Option("--pseudonymise", help="学生姓名化名。Replace student names by pseudonyms."),
    ] = False,
    store: StoreOption = None,
) -> None:
    """把数据库导出为可直接再导入的数据集。Export the store as a re-loadable dataset."""
    if ctx.invoked_subcommand is not None:
        return
    if output is None:
        raise InvalidRequest("请用 --output 给出输出位置", "give --output")
    with store_at(store) as graph:
        from chanjiao.ingest.export import write_export

        dataset = write_export(graph, fmt, output, pseudonymise=pseudonymise)
    for warning in dataset.warnings:
        err.print(styled("[yellow]! {}[/]", warning), highlight=False)
    out.print(
        f"已导出 exported {dataset.rows} 行 rows（{len(dataset.tables)} 个表 tables）→ {output}",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(user_errors(serve_command))
    export_app.callback(invoke_without_command=True)(export_command)
    app.add_typer(export_app, name="export")
