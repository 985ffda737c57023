"""Bounded input: how much a dataset file may hold, checked while it is read.

The readers call these checks so that no dataset, from the CLI or an upload, can
make chanjiao inflate a zip bomb, recurse through a deeply nested JSON document or
keep a million-character cell: each check stops reading at the limit and words a
`Problem` naming the file (and row, column). The numbers are `chanjiao.config.Limits`
settings.

A zip member is inflated in chunks and counted as it goes: the sizes an archive
declares can lie, the bytes it inflates to cannot.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import Any

from chanjiao.config import limits
from chanjiao.errors import Problem

_CHUNK = 64 * 1024


class TooBig(Exception):
    """A file broke a limit while being read; `problem` says which and where."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MiB"


class ArchiveBudget:
    """What one .zip or .xlsx may still inflate to; shared by its members."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.left = limits().max_unzipped_bytes

    def check_members(self, infos: list[zipfile.ZipInfo]) -> None:
        """Refuse too many members, and encrypted ones (chanjiao never has a password).

        Raises:
            TooBig: the archive cannot be read within the limits.
        """
        most = limits().max_zip_members
        if len(infos) > most:
            raise TooBig(
                Problem(
                    self.source,
                    None,
                    None,
                    f"压缩包中有 {len(infos)} 个文件，超过上限 {most}",
                    f"the archive holds {len(infos)} files, more than the limit of {most}",
                )
            )
        for info in infos:
            if info.flag_bits & 0x1:
                raise TooBig(
                    Problem(
                        self.source,
                        None,
                        None,
                        f"压缩包中的 {info.filename} 已加密；请去掉密码后重新压缩",
                        f"{info.filename} in the archive is encrypted; zip it again without a password",
                    )
                )

    def read(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
        """The member's bytes, inflated in chunks within the limits.

        Raises:
            TooBig: the member expands too far, or is corrupt.
        """
        return self._inflate(archive, info, keep=True)

    def drain(self, archive: zipfile.ZipFile) -> None:
        """Inflate every member once, keeping nothing (an .xlsx before openpyxl opens it).

        Raises:
            TooBig: a member expands too far, is encrypted or corrupt.
        """
        infos = archive.infolist()
        self.check_members(infos)
        for info in infos:
            self._inflate(archive, info, keep=False)

    def _inflate(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, keep: bool) -> bytes:
        ratio = limits().max_zip_ratio
        allowed = min(self.left, max(info.compress_size, 1024) * ratio)
        parts: list[bytes] = []
        size = 0
        try:
            with archive.open(info) as member:
                while chunk := member.read(_CHUNK):
                    size += len(chunk)
                    # The ratio so far, against the compressed bytes read so far: a bomb
                    # is caught in its first chunk, not after `ratio` × its whole size.
                    left = getattr(member, "_compress_left", 0)
                    consumed = max(info.compress_size - left, 1024)
                    if size > allowed or size > consumed * ratio:
                        raise TooBig(self._too_big(info, size, ratio))
                    if keep:
                        parts.append(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
            raise TooBig(
                Problem(
                    self.source,
                    None,
                    None,
                    f"压缩包中的 {info.filename} 已损坏，无法解压（{type(exc).__name__}）",
                    f"{info.filename} in the archive is corrupt and cannot be unpacked "
                    f"({type(exc).__name__})",
                )
            ) from None
        self.left -= size
        return b"".join(parts)

    def _too_big(self, info: zipfile.ZipInfo, size: int, ratio: int) -> Problem:
        if self.left < size:
            return Problem(
                self.source,
                None,
                None,
                f"解压后超过 {_mib(limits().max_unzipped_bytes)} 的上限（在 {info.filename} 处）",
                f"unpacked, it exceeds the limit of {_mib(limits().max_unzipped_bytes)} "
                f"(at {info.filename})",
            )
        return Problem(
            self.source,
            None,
            None,
            f"{info.filename} 的压缩比超过 {ratio}:1，疑似压缩炸弹，拒绝解压",
            f"{info.filename} expands more than {ratio}:1, like a zip bomb; not unpacked",
        )


def check_workbook(path: Path) -> Problem | None:
    """A problem if the .xlsx cannot be inflated within the limits, else None."""
    budget = ArchiveBudget(path.name)
    try:
        with zipfile.ZipFile(path) as archive:
            budget.drain(archive)
    except TooBig as exc:
        return exc.problem
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return None  # openpyxl words "not an .xlsx" itself
    return None


def cell_problem(source: str, row: int, column: str, value: Any) -> Problem | None:
    """A problem if one cell is longer than the limit."""
    most = limits().max_cell_chars
    if isinstance(value, str) and len(value) > most:
        return Problem(
            source,
            row,
            column,
            f"单元格有 {len(value)} 个字符，超过上限 {most}",
            f"the cell holds {len(value)} characters, more than the limit of {most}",
        )
    return None


def rows_problem(source: str, row: int) -> Problem:
    most = limits().max_rows_per_file
    return Problem(
        source,
        row,
        None,
        f"超过每个文件 {most} 行数据的上限，其余未读取；请拆分为多个数据集",
        f"more than the limit of {most} data rows in one file; the rest was not read. "
        "Split the dataset",
    )


def too_many_rows(count: int) -> bool:
    return count >= limits().max_rows_per_file


def json_depth_problem(source: str, document: Any) -> Problem | None:
    """A problem if the parsed document nests deeper than the limit (walked without recursion)."""
    most = limits().max_json_depth
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > most:
            return depth_problem(source)
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, dict | list))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, dict | list))
    return None


def depth_problem(source: str) -> Problem:
    most = limits().max_json_depth
    return Problem(
        source,
        None,
        None,
        f"JSON 嵌套超过 {most} 层；数据集只需要 对象 → 表 → 记录 → 值 四层",
        f"the JSON nests deeper than {most} levels; a dataset needs four "
        "(object → table → record → value)",
    )
