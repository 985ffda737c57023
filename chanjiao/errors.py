"""The one error hierarchy of chanjiao.

Every error a user can cause is a `ChanjiaoError` with a Chinese and an English
message. The CLI prints it as one line; the HTTP API (later) uses `status` and
`code` to write one JSON body. Library and driver errors are mapped into these at
the edge, ``raise ... from exc``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class ChanjiaoError(Exception):
    """Base of every error chanjiao reports to a user."""

    status = 400
    code = "error"

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

    status = 404
    code = "not_found"


class InvalidRequest(ChanjiaoError):
    """A request whose parts do not fit together (e.g. a segment outside the chain)."""

    status = 400
    code = "invalid_request"


class AlreadyExists(ChanjiaoError):
    """Something the user asked to create exists already and must not be replaced."""

    status = 409
    code = "already_exists"


class StoreUnavailable(ChanjiaoError):
    """The store cannot be opened or reached (bad path, locked file, server down)."""

    status = 503
    code = "store_unavailable"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input dataset, located as a spreadsheet user sees it.

    Attributes:
        source: the file (``courses.csv``) or sheet (``工作表 courses``) it is in.
        row: the row number a spreadsheet shows (header = 1), or None for the whole file.
        column: the column's canonical name, or None for the whole row.
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

    status = 422
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
