"""What every importer shares: reading a source table, the dataset it makes, and where it goes.

An importer reads one standard's files (O*NET, ESCO, CASE, OSMT) and makes an
`ImportedDataset`: rows of the ordinary dataset files (DESIGN §3), plus notes a
designer must read (attribution, mapping, what was skipped). The dataset is then
written as a folder of CSV files or a workbook the designer edits, or loaded at once
through `ingest_tables`, so an import passes exactly the checks a spreadsheet does.

Reading follows the ingest's discipline: every problem is collected with its file,
row and column, in Chinese and English, and `IngestError` is raised before anything
is written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chanjiao.errors import IngestError, Problem
from chanjiao.graph.schema import LEVEL_WORDS
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.export import (
    DatasetRow,
    ExportedDataset,
    to_csv_files,
    to_xlsx,
    write_csv_folder,
)
from chanjiao.ingest.formats import FILES, file_format
from chanjiao.ingest.load import IngestResult, ingest_tables
from chanjiao.ingest.readers import RawDataset, Table, decode_text

#: Called as progress(stage, done, total) while a large file is read.
Progress = Callable[[str, int, int], None]

#: Report progress every this many rows.
PROGRESS_EVERY = 2000
#: The sheet (workbook) or file (folder) that carries an import's notes and attribution.
NOTES_SHEET = "说明"
NOTES_FILE = "来源与许可 SOURCE.txt"


def quiet(stage: str, done: int, total: int) -> None:
    """A progress callback that says nothing."""


def level_phrase(level: int) -> str:
    return f"{level} {LEVEL_WORDS[level]}"


@dataclass
class ImportedDataset:
    """Dataset rows made from a standard, and what the designer must know about them.

    Attributes:
        source: how to name the import in messages (``O*NET 51-9141.00``).
        tables: dataset file name (``abilities``) → rows keyed by canonical column.
        notes: (Chinese, English) lines: attribution first, then mapping and skips.
        summary: counts for JSON output (rows read, skipped, made).
    """

    source: str
    tables: dict[str, list[DatasetRow]] = field(default_factory=dict)
    notes: list[tuple[str, str]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    def add(self, file: str, row: DatasetRow) -> None:
        self.tables.setdefault(file, []).append(row)

    @property
    def rows(self) -> int:
        return sum(len(rows) for rows in self.tables.values())

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.tables.items()}

    def ordered(self) -> dict[str, list[DatasetRow]]:
        """The tables in dataset file order (abilities before requirements …)."""
        return {f.name: self.tables[f.name] for f in FILES if self.tables.get(f.name)}

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "tables": self.counts(),
            "notes": [zh for zh, _ in self.notes],
            "notes_en": [en for _, en in self.notes],
            "summary": self.summary,
        }


# --- reading a source table -----------------------------------------------------------------


class Problems:
    """Collects problems of a source; `check()` raises them all at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.total = 0

    def add(self, source: str, row: int | None, column: str | None, zh: str, en: str) -> None:
        self.total += 1
        if len(self.items) < IngestError.MAX_PROBLEMS:
            self.items.append(Problem(source, row, column, zh, en))

    def check(self) -> None:
        if self.items:
            raise IngestError(self.items, self.total)


def read_text(data: bytes, source: str, problems: Problems) -> str | None:
    """Decode a source file's bytes (UTF-8 with or without BOM, GB18030)."""
    decoded = decode_text(data)
    if decoded is None:
        problems.add(
            source,
            None,
            None,
            "无法识别文件编码：应为 UTF-8 或 GBK/GB18030",
            "unknown text encoding: expected UTF-8 or GBK/GB18030",
        )
        return None
    return decoded[0]


def read_table(
    data: bytes,
    source: str,
    required: Iterable[str],
    problems: Problems,
    *,
    delimiter: str | None = None,
    progress: Progress = quiet,
) -> list[tuple[int, DatasetRow]]:
    """Rows of a delimited text file with a header: (row number, {header: cell}).

    DatasetRow numbers are what a spreadsheet shows (header = 1). Missing required headers
    are problems; cells are stripped text, empty cells are "".
    """
    text = read_text(data, source, problems)
    if text is None:
        return []
    if delimiter is None:
        first = text.split("\n", 1)[0]
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lstrip("\ufeff") for h in next(reader)]
    except StopIteration:
        problems.add(source, None, None, "文件是空的", "the file is empty")
        return []
    except csv.Error as exc:
        problems.add(source, 1, None, f"无法读取表头：{exc}", f"cannot read the header: {exc}")
        return []
    missing = [c for c in required if c not in header]
    for column in missing:
        problems.add(
            source,
            1,
            column,
            f"缺少列“{column}”；这不像是该标准的文件",
            f"the column '{column}' is missing; this does not look like the standard's file",
        )
    if missing:
        return []
    total = text.count("\n")
    rows: list[tuple[int, DatasetRow]] = []
    stage = f"读取 {source}"
    try:
        for number, record in enumerate(reader, start=2):
            if number % PROGRESS_EVERY == 0:
                progress(stage, number, total)
            if not any(cell.strip() for cell in record):
                continue
            cells = {
                h: (record[i].strip() if i < len(record) else "") for i, h in enumerate(header)
            }
            rows.append((number, cells))
    except csv.Error as exc:
        problems.add(source, None, None, f"文件格式错误：{exc}", f"malformed file: {exc}")
    progress(stage, total, total)
    return rows


def number(
    text: str,
    source: str,
    row: int,
    column: str,
    problems: Problems,
    low: float | None = None,
    high: float | None = None,
) -> float | None:
    """A number from a cell, or a problem naming the cell."""
    try:
        value = float(text)
    except ValueError:
        problems.add(
            source,
            row,
            column,
            f"应为数字，实际为“{text[:40]}”",
            f"expected a number, got '{text[:40]}'",
        )
        return None
    if (low is not None and value < low) or (high is not None and value > high):
        problems.add(
            source,
            row,
            column,
            f"数值 {text} 超出范围 {low}–{high}",
            f"the value {text} is outside {low}–{high}",
        )
        return None
    return value


def clip(text: str, limit: int = 2000) -> str:
    """Text cut to what a dataset cell holds (2,000 characters)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- where a dataset goes -------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return value


def as_raw(dataset: ImportedDataset) -> RawDataset:
    """The dataset as tables the ingest reads (rows numbered as in the written files)."""
    raw = RawDataset()
    for name, rows in dataset.ordered().items():
        fmt = file_format(name)
        assert fmt is not None
        table = Table(fmt, f"{dataset.source} → {name}")
        for index, row in enumerate(rows, start=2):
            cells = {k: _cell(v) for k, v in row.items() if v is not None and v != ""}
            table.rows.append((index, cells))
        raw.tables.append(table)
    return raw


def load_dataset(
    store: GraphStore,
    dataset: ImportedDataset,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    author: str | None = None,
) -> IngestResult:
    """Load an import into the store, all or nothing, with the ingest's checks.

    `author` is who imports, for the change log.

    Raises:
        IngestError: a row does not fit the store (e.g. an unknown segment); nothing
            was written.
    """
    if not dataset.rows:
        raise IngestError(
            [
                Problem(
                    dataset.source,
                    None,
                    None,
                    "导入结果为空：没有可写入的岗位或能力",
                    "the import made nothing: no positions or abilities to load",
                )
            ]
        )
    return ingest_tables(
        store,
        as_raw(dataset),
        source=dataset.source,
        dry_run=dry_run,
        author=author,
        action="import",
        progress=progress,
    )


def notes_text(dataset: ImportedDataset) -> str:
    lines = [f"chanjiao 导入 import: {dataset.source}", ""]
    for zh, en in dataset.notes:
        lines += [zh, en, ""]
    return "\n".join(lines)


def write_dataset(dataset: ImportedDataset, path: Path) -> Path:
    """Write the import as a dataset the designer edits and then ingests.

    ``.xlsx``: one sheet per file and a first sheet 说明 with the notes. Anything
    else: a folder of UTF-8 CSV files with the notes in ``来源与许可 SOURCE.txt``
    (the ingest reads only ``.csv`` files of a folder).

    Raises:
        InvalidRequest: the folder already holds CSV files, or the path is a file.
    """
    exported = ExportedDataset(tables=dataset.ordered())
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        data = to_xlsx(exported)
        book = openpyxl.load_workbook(io.BytesIO(data))
        # The export is the template's workbook: its first sheet 说明 is the guide; the
        # notes of the import go above it.
        sheet = book[NOTES_SHEET]
        lines = [f"chanjiao 导入 import: {dataset.source}"]
        lines += [text for pair in dataset.notes for text in pair]
        sheet.insert_rows(1, amount=len(lines) + 1)
        for number, text in enumerate(lines, start=1):
            sheet.cell(row=number, column=1, value=text)
        sheet.column_dimensions["A"].width = 120
        path.parent.mkdir(parents=True, exist_ok=True)
        book.save(path)
        return path
    write_csv_folder(to_csv_files(exported), path)
    (path / NOTES_FILE).write_text(notes_text(dataset), encoding="utf-8")
    return path
