"""What every CLI command shares: consoles, the --store option, clean user errors.

Both consoles print text as text: their markup is off, so a name like ``[/bold]`` or
``衬底[/]``, an id, a path or a message reaches the terminal as written. Styling comes
only from `styled`, whose template is ours and whose values are escaped.

Commands live in `chanjiao.cli` and in modules of this package; each module has a
``register(app)`` function that `chanjiao.cli` calls, so an area keeps its commands
in its own file.
"""

from __future__ import annotations

import functools
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from chanjiao.config import DEFAULT_STORE, ENV_STORE, embedded_path, open_store, store_location
from chanjiao.errors import ChanjiaoError, IngestError, StoreUnavailable
from chanjiao.graph.store import GraphStore  # light: networkx is imported lazily

out = Console(markup=False)
err = Console(stderr=True, soft_wrap=True, markup=False)


def styled(template: str, *values: object) -> Text:
    """Our console markup with `values` put in as plain text: ``styled("[bold]{}[/]", name)``."""
    return Text.from_markup(template.format(*(escape(str(v)) for v in values)))


StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        "-s",
        help=f"存储：数据库文件，或 bolt:// neo4j:// falkordb:// 地址（默认 ./{DEFAULT_STORE}，或环境变量 {ENV_STORE}）。Store file or server URL.",
        show_default=False,
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


def user_errors(func: F) -> F:
    """Turn user-caused errors into one message on stderr and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except IngestError as exc:
            err.print(styled("[bold red]✗ {}[/] ({})", exc.zh, exc.en), highlight=False)
            for problem in exc.problems:
                err.print(f"  - {problem}", highlight=False)
            if exc.total > len(exc.problems):
                more = exc.total - len(exc.problems)
                err.print(f"  … 另有 {more} 处错误未列出 ({more} more not shown)")
            raise typer.Exit(1) from None
        except ChanjiaoError as exc:
            err.print(styled("[bold red]✗[/] {}", exc.zh), highlight=False)
            err.print(f"  ({exc.en})", highlight=False)
            raise typer.Exit(1) from None
        except OSError as exc:
            where = f"：{exc.filename}" if exc.filename else ""
            err.print(
                styled("[bold red]✗[/] 文件操作失败{}：{}", where, exc.strerror or exc),
                highlight=False,
            )
            err.print(f"  (file error{where}: {exc.strerror or exc})", highlight=False)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err.print("已中断 (interrupted)")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def emit(text: str, output: Path | None) -> None:
    """Write a command's output to stdout, or to a file (saying so on stderr)."""
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    err.print(f"已写入 written: {escape(str(output))}", highlight=False)


@contextmanager
def store_at(location: str | None, *, create: bool = False) -> Iterator[GraphStore]:
    """Open the store a command names (``--store``, else the environment, else the default).

    Args:
        create: a command that writes (ingest, demo, copy's destination) may create an
            embedded store; every other command refuses a store file that does not exist,
            naming it and how to make one, and creates nothing (a mistyped path must not
            become an empty store that then "has no cluster K-IC").

    Raises:
        StoreUnavailable: the embedded store file does not exist and `create` is false.
    """
    path = embedded_path(location)
    if not create and path is not None and not path.exists():
        raise missing_store(location)
    store = open_store(location)
    try:
        yield store
    finally:
        store.close()


@contextmanager
def store_or_scratch(location: str | None) -> Iterator[GraphStore]:
    """The store; or, when its file does not exist yet, an empty store thrown away after
    (so a dry run against a store still to be created creates nothing)."""
    path = embedded_path(location)
    if path is None or path.exists():
        with store_at(location) as store:
            yield store
        return
    with (
        tempfile.TemporaryDirectory(prefix="chanjiao-") as scratch,
        store_at(str(Path(scratch) / path.name), create=True) as store,
    ):
        yield store


def store_for_ingest(location: str | None, dry_run: bool) -> AbstractContextManager[GraphStore]:
    """The store a load writes into (created if need be); for a dry run, nothing is created."""
    return store_or_scratch(location) if dry_run else store_at(location, create=True)


def missing_store(location: str | None) -> StoreUnavailable:
    """The error for a read on a store file that does not exist."""
    where = store_location(location)
    option = "" if location is None else f" --store {where}"
    origin = (
        f"（来自环境变量 {ENV_STORE}）"
        if location is None and where != DEFAULT_STORE
        else "（默认位置）"
        if location is None
        else ""
    )
    return StoreUnavailable(
        f"数据库 {where}{origin or ' '}不存在，未创建任何文件。先导入数据：chanjiao ingest 数据集{option}；"
        f"或载入示例：chanjiao demo{option}",
        f"the store {where} does not exist (nothing was created); load data first with "
        f"`chanjiao ingest DATASET{option}`, or the sample with `chanjiao demo{option}`",
    )


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar on a terminal; silence elsewhere."""
    if not err.is_terminal:
        yield lambda stage, done, total: None
        return
    from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield report
