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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from chanjiao.config import ENV_STORE, open_store
from chanjiao.errors import ChanjiaoError, IngestError
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
        help=f"存储：数据库文件，或 bolt:// neo4j:// falkordb:// 地址（默认 ./chanjiao.db，或环境变量 {ENV_STORE}）。Store file or server URL.",
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
def store_at(location: str | None) -> Iterator[GraphStore]:
    store = open_store(location)
    try:
        yield store
    finally:
        store.close()


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
