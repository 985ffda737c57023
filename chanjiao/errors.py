"""The one error hierarchy of chanjiao.

Every error a user can cause is a `ChanjiaoError` with a Chinese and an English
message. The CLI prints it as one line; the HTTP API (later) uses `status` and
`code` to write one JSON body. Library and driver errors are mapped into these at
the edge, ``raise ... from exc``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The one table of error codes → HTTP statuses. Each error class names its code; its
#: `status` is read from here, so a code means one status everywhere (API, CLI, docs).
HTTP_STATUS: dict[str, int] = {
    "error": 400,
    "invalid_request": 400,  # parts that do not fit together (a segment outside the chain)
    "unauthorized": 401,
    "writes_disabled": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "already_exists": 409,
    "body_too_large": 413,
    "unsupported_upload": 415,
    "invalid_input": 422,  # a value that cannot be taken (unknown label, filter, level …)
    "invalid_dataset": 422,
    "internal_error": 500,
    "missing_extra": 501,  # a feature whose optional packages are not installed
    "config_error": 500,
    "store_unavailable": 503,
    "store_full": 507,  # the disk is full: the write did not land
}


class ChanjiaoError(Exception):
    """Base of every error chanjiao reports to a user."""

    code = "error"
    status = HTTP_STATUS[code]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.status = HTTP_STATUS[cls.code]

    def __init__(self, zh: str, en: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(f"{zh} ({en})")
        self.zh = zh
        self.en = en
        self.details = details or {}

    def message(self, lang: str = "zh") -> str:
        """The message in one language (`zh`, `en`) or both (`both`)."""
        if lang == "en":
            return self.en
        if lang == "zh":
            return self.zh
        return f"{self.zh} ({self.en})"


class NotFound(ChanjiaoError):
    """A node the user named does not exist in the store."""

    code = "not_found"


class InvalidRequest(ChanjiaoError):
    """A request whose parts do not fit together (e.g. a segment outside the chain)."""

    code = "invalid_request"


class InvalidInput(ChanjiaoError):
    """A value the library cannot take (an unknown label, filter value, level …)."""

    code = "invalid_input"


class Conflict(ChanjiaoError):
    """What the request would create exists already."""

    code = "conflict"


class UnsupportedUpload(ChanjiaoError):
    """An upload whose content is not an .xlsx, a .zip of CSV files or a .json document."""

    code = "unsupported_upload"


class MissingExtra(ChanjiaoError):
    """A feature needs packages of an extra that is not installed (``chanjiao[plan]`` …)."""

    code = "missing_extra"

    @classmethod
    def for_extra(cls, extra: str, zh: str, en: str, exc: ImportError) -> MissingExtra:
        """The error for feature `zh`/`en` needing ``chanjiao[extra]`` (`exc`: the failed import)."""
        hint = f"pip install 'chanjiao[{extra}]'"
        return cls(
            f"{zh}需要安装可选依赖：{hint}（缺少 {exc.name or exc}）",
            f"{en} needs the optional packages: {hint} (missing {exc.name or exc})",
            {"extra": extra},
        )


class AlreadyExists(ChanjiaoError):
    """Something the user asked to create exists already and must not be replaced."""

    code = "already_exists"


class StoreUnavailable(ChanjiaoError):
    """The store cannot be opened or reached (bad path, locked file, server down)."""

    code = "store_unavailable"


class StoreFull(StoreUnavailable):
    """The disk (or the store's size limit) is full: the write did not land."""

    code = "store_full"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input dataset, located as a spreadsheet user sees it.

    Attributes:
        source: the file (``courses.csv``) or sheet (``工作表 courses``) it is in.
        row: the row number a spreadsheet shows (header = 1), or None for the whole file.
        column: the column as the user's header names it (`学时` for a Chinese header,
            the canonical name where there is no header, as in API requests), or None.
        zh: what is wrong, in Chinese.
        en: the same in English.
    """

    source: str
    row: int | None
    column: str | None
    zh: str
    en: str

    def where_zh(self) -> str:
        parts = [self.source]
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column is not None:
            parts.append(f"列 {self.column}")
        return "，".join(parts)

    def where_en(self) -> str:
        parts = [self.source]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.where_zh()}：{self.zh}（{self.where_en()}: {self.en}）"

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.source,
            "row": self.row,
            "column": self.column,
            "message": self.zh,
            "message_en": self.en,
        }


class IngestError(ChanjiaoError):
    """A dataset that cannot be loaded; nothing of it was written.

    Holds the problems found (at most `MAX_PROBLEMS` of them) and how many there were.
    """

    code = "invalid_dataset"
    MAX_PROBLEMS = 200

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.total = max(total or 0, len(problems))
        self.problems = problems[: self.MAX_PROBLEMS]
        super().__init__(
            f"数据集有 {self.total} 处错误，未写入任何数据",
            f"the dataset has {self.total} error(s); nothing was written",
            {"errors": [p.as_dict() for p in self.problems], "total": self.total},
        )

    def __str__(self) -> str:
        lines = [self.message("both")]
        lines += [f"  - {p}" for p in self.problems]
        if self.total > len(self.problems):
            more = self.total - len(self.problems)
            lines.append(f"  … 另有 {more} 处错误未列出 ({more} more not shown)")
        return "\n".join(lines)
