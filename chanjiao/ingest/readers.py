"""Read a dataset (CSV folder, zip of CSVs, .xlsx workbook, JSON document) into tables.

Readers only turn bytes into rows of cells keyed by canonical column names; they
report what is wrong with the *shape* of the input (encoding, headers, merged
cells, formulas). Values are checked later, in `validate`.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chanjiao.errors import Problem
from chanjiao.ingest import limits
from chanjiao.ingest.formats import FILES, FileFormat, file_format

#: Sheets of a workbook that hold instructions, not data.
INSTRUCTION_SHEETS = {"说明", "填写说明", "instructions", "readme", "使用说明", "专业目录"}

_HEADER_WITH_NAME = re.compile(r"^(?P<zh>.*?)\s*[（(]\s*(?P<en>[A-Za-z_]+)\s*[)）]\s*$")


@dataclass(slots=True)
class Table:
    """The rows of one file (or sheet), with the row numbers a spreadsheet shows.

    Attributes:
        fmt: which dataset file this is.
        source: how to name it to a user (``courses.csv``, ``工作表 courses``).
        rows: (row number, {column: cell}) with empty cells left out.
    """

    fmt: FileFormat
    source: str
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@dataclass(slots=True)
class RawDataset:
    tables: list[Table] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def read_dataset(path: Path) -> RawDataset:
    """Read whatever dataset `path` names; every problem is collected, none raised."""
    out = RawDataset()
    if not path.exists():
        out.problems.append(
            Problem(str(path), None, None, "找不到这个文件或文件夹", "no such file or folder")
        )
    elif path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file())
        if not any(p.suffix.lower() == ".csv" for p in files):
            others = [p.name for p in files if p.suffix.lower() in (".xlsx", ".json", ".zip")]
            hint = f"；要导入 {others[0]}，请直接给出该文件的路径" if others else ""
            hint_en = f"; to load {others[0]}, give its path instead" if others else ""
            out.problems.append(
                Problem(
                    path.name,
                    None,
                    None,
                    f"文件夹中没有 CSV 文件{hint}",
                    f"the folder holds no CSV files{hint_en}",
                )
            )
            return out
        _read_csv_files(((p.name, p.read_bytes) for p in files), out)
    elif path.suffix.lower() == ".csv":
        _read_csv_files([(path.name, path.read_bytes)], out)
    elif path.suffix.lower() == ".zip":
        _read_zip(path, out)
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        _read_workbook(path, out)
    elif path.suffix.lower() == ".json":
        _read_json(path, out)
    elif path.suffix.lower() == ".xls":
        out.problems.append(
            Problem(
                path.name,
                None,
                None,
                "不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx",
                "the old .xls format is not supported; save the workbook as .xlsx",
            )
        )
    else:
        out.problems.append(
            Problem(
                path.name,
                None,
                None,
                "无法识别的数据集：请提供 CSV 文件夹、.zip、.xlsx 或 .json",
                "unknown dataset kind: give a folder of CSV files, a .zip, an .xlsx or a .json",
            )
        )
    if not out.problems and not any(t.rows for t in out.tables):
        out.problems.append(
            Problem(
                path.name, None, None, "数据集中没有任何数据行", "the dataset holds no data rows"
            )
        )
    return out


# --- headers ----------------------------------------------------------------------------


def canonical_column(fmt: FileFormat, header: str) -> str | None:
    """The canonical column a header names: ``id``, ``编号``, ``岗位编号 (id)`` …"""
    text = header.strip().lstrip("\ufeff").strip()
    match = _HEADER_WITH_NAME.match(text)
    if match and match.group("en").lower() in fmt.columns:
        return match.group("en").lower()
    if text.lower() in fmt.columns:
        return text.lower()
    return fmt.aliases.get(text)


def _map_headers(
    fmt: FileFormat, source: str, headers: list[Any], out: RawDataset
) -> list[str | None] | None:
    """Column names by position; None where a column is blank. None if headers are bad."""
    mapped: list[str | None] = []
    ok = True
    seen: dict[str, int] = {}
    for index, raw in enumerate(headers):
        text = "" if raw is None else str(raw).strip()
        letter = _column_letter(index)
        if not text:
            mapped.append(None)
            continue
        column = canonical_column(fmt, text)
        if column is None:
            ok = False
            out.problems.append(
                Problem(
                    source,
                    1,
                    text,
                    f"第 {letter} 列的表头“{text}”不是本表的列；可用的列：{fmt.column_list_zh()}",
                    f"header '{text}' in column {letter} is not a column of this file; "
                    f"known columns: {', '.join(fmt.columns)}",
                )
            )
            continue
        if column in seen:
            ok = False
            out.problems.append(
                Problem(
                    source,
                    1,
                    column,
                    f"列 {column} 出现了两次（第 {_column_letter(seen[column])} 列和第 {letter} 列）",
                    f"column {column} appears twice (columns {_column_letter(seen[column])} "
                    f"and {letter})",
                )
            )
            continue
        seen[column] = index
        mapped.append(column)
    for column in fmt.required:
        if column not in seen:
            ok = False
            out.problems.append(
                Problem(
                    source,
                    1,
                    column,
                    f"缺少必填列 {column}（{fmt.columns[column]}）",
                    f"the required column {column} is missing",
                )
            )
    return mapped if ok else None


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cells(
    columns: list[str | None], values: Iterable[Any], source: str, row: int, out: RawDataset
) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    for index, value in enumerate(values):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        column = columns[index] if index < len(columns) else None
        if column is None:
            out.problems.append(
                Problem(
                    source,
                    row,
                    _column_letter(index),
                    f"第 {_column_letter(index)} 列有内容但没有表头：{str(value)[:40]}",
                    f"column {_column_letter(index)} has a value but no header",
                )
            )
            continue
        too_long = limits.cell_problem(source, row, column, value)
        if too_long is not None:
            out.problems.append(too_long)
            continue
        if isinstance(value, str):
            value = value.strip()
        elif type(value) is float and value.is_integer():
            value = int(value)  # 510401.0 (as Excel and pandas write numbers) is 510401
        cells[column] = value
    return cells


# --- CSV --------------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str] | None:
    """Decode CSV bytes as Excel in China saves them; returns (text, encoding) or None."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None


def _sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _read_csv_files(files: Iterable[tuple[str, Callable[[], bytes]]], out: RawDataset) -> None:
    for name, read in files:
        if not name.lower().endswith(".csv"):
            continue
        fmt = file_format(name[:-4])
        if fmt is None:
            out.problems.append(
                Problem(
                    name,
                    None,
                    None,
                    f"不认识的文件名；数据集的文件名应为：{', '.join(f.name + '.csv' for f in FILES)}",
                    "unknown file name; dataset files are named: "
                    + ", ".join(f.name + ".csv" for f in FILES),
                )
            )
            continue
        _read_csv(fmt, name, read(), out)


def _read_csv(fmt: FileFormat, source: str, data: bytes, out: RawDataset) -> None:
    if not data.strip():
        out.problems.append(
            Problem(
                source, None, None, "文件是空的，连表头都没有", "the file is empty, with no header"
            )
        )
        return
    head = data[:4096]
    if b"\x00" in head and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        if head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4:
            out.problems.append(
                Problem(
                    source,
                    None,
                    None,
                    "文件似乎是没有 BOM 的 UTF-16 文本，无法可靠识别；请在 Excel 中另存为“CSV UTF-8”",
                    "this looks like UTF-16 text without a byte-order mark; save it as CSV UTF-8",
                )
            )
            return
        out.problems.append(
            Problem(
                source,
                None,
                None,
                "这不是文本 CSV 文件（可能是改了扩展名的 Excel 文件）；请在 Excel 中另存为“CSV UTF-8”",
                "this is not a text CSV file (perhaps a renamed Excel file); save it as CSV UTF-8",
            )
        )
        return
    decoded = decode_text(data)
    if decoded is None:
        out.problems.append(
            Problem(
                source,
                None,
                None,
                "无法识别文件编码：应为 UTF-8（可带 BOM）或 GBK/GB18030；请在 Excel 中另存为“CSV UTF-8”",
                "unknown text encoding: expected UTF-8 (with or without BOM) or GBK/GB18030",
            )
        )
        return
    text, _ = decoded
    records = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    table = Table(fmt, source)
    columns: list[str | None] | None = None
    try:
        for number, record in enumerate(records, start=1):
            if columns is None:
                columns = _map_headers(fmt, source, record, out)
                if columns is None:
                    return
                continue
            if limits.too_many_rows(len(table.rows)):
                out.problems.append(limits.rows_problem(source, number))
                return
            cells = _cells(columns, record, source, number, out)
            if cells:
                table.rows.append((number, cells))
    except csv.Error as exc:
        out.problems.append(
            Problem(
                source,
                records.line_num,
                None,
                f"CSV 格式错误（如引号不成对或单元格过长）：{exc}",
                f"malformed CSV (unbalanced quotes or an overlong cell): {exc}",
            )
        )
        return
    _add_table(table, out)


def _add_table(table: Table, out: RawDataset) -> None:
    for other in out.tables:
        if other.fmt is table.fmt:
            out.problems.append(
                Problem(
                    table.source,
                    None,
                    None,
                    f"与 {other.source} 是同一张表，数据集中只能出现一次",
                    f"the same table as {other.source}; each may appear once",
                )
            )
            return
    if not table.rows:
        out.warnings.append(
            Problem(table.source, None, None, "只有表头，没有数据行", "header only, no data rows")
        )
    out.tables.append(table)


def _read_zip(path: Path, out: RawDataset) -> None:
    budget = limits.ArchiveBudget(path.name)
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                m
                for m in archive.infolist()
                if not m.is_dir() and not m.filename.startswith("__MACOSX/")
            ]
            budget.check_members(members)
            _read_csv_files(
                (
                    (Path(m.filename).name, functools.partial(budget.read, archive, m))
                    for m in members
                ),
                out,
            )
    except limits.TooBig as exc:
        out.problems.append(exc.problem)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        ValueError,
        OSError,
        EOFError,
        NotImplementedError,
    ):
        out.problems.append(
            Problem(path.name, None, None, "不是有效的 zip 压缩包", "not a valid zip archive")
        )


# --- Excel ------------------------------------------------------------------------------


def _read_workbook(path: Path, out: RawDataset) -> None:
    import openpyxl

    too_big = limits.check_workbook(path)
    if too_big is not None:
        out.problems.append(too_big)
        return
    try:
        workbook = openpyxl.load_workbook(path, data_only=False)
    # openpyxl raises whatever its zip and XML parsers raise on a malformed workbook
    except Exception as exc:
        out.problems.append(
            Problem(
                path.name,
                None,
                None,
                f"无法打开 Excel 文件（{type(exc).__name__}）；请确认它是 .xlsx 格式",
                f"cannot open the Excel file ({type(exc).__name__}); is it an .xlsx workbook?",
            )
        )
        return
    for sheet in workbook.worksheets:
        title = sheet.title.strip()
        source = f"工作表 {title}"
        if title.lower() in INSTRUCTION_SHEETS:
            continue
        fmt = file_format(title)
        if fmt is None:
            out.problems.append(
                Problem(
                    source,
                    None,
                    None,
                    f"不认识的工作表名；工作表应命名为：{', '.join(f.name for f in FILES)}",
                    "unknown sheet name; sheets are named: " + ", ".join(f.name for f in FILES),
                )
            )
            continue
        _read_sheet(fmt, source, sheet, out)


def _read_sheet(fmt: FileFormat, source: str, sheet: Any, out: RawDataset) -> None:
    problems_before = len(out.problems)
    for merged in sheet.merged_cells.ranges:
        where = "表头" if merged.min_row == 1 else "数据区"
        out.problems.append(
            Problem(
                source,
                merged.min_row,
                str(merged.coord),
                f"{where}有合并单元格 {merged.coord}；请取消合并，每个单元格填一个值",
                f"merged cells {merged.coord}; unmerge them so each cell holds one value",
            )
        )
    if len(out.problems) > problems_before:
        return
    rows = sheet.iter_rows()
    header_cells = next(rows, None)
    if header_cells is None:
        out.problems.append(
            Problem(
                source,
                None,
                None,
                "工作表是空的，连表头都没有",
                "the sheet is empty, with no header",
            )
        )
        return
    columns = _map_headers(fmt, source, [c.value for c in header_cells], out)
    if columns is None:
        return
    table = Table(fmt, source)
    for cells in rows:
        values: list[Any] = []
        number = cells[0].row if cells else 0
        if limits.too_many_rows(len(table.rows)):
            out.problems.append(limits.rows_problem(source, number))
            return
        for cell in cells:
            value = cell.value
            quoted = getattr(cell, "quotePrefix", False)  # '=x typed as text, not a formula
            if cell.data_type == "f" or (
                isinstance(value, str) and value.startswith("=") and not quoted
            ):
                out.problems.append(
                    Problem(
                        source,
                        cell.row,
                        columns[cell.column - 1]
                        if cell.column - 1 < len(columns)
                        else cell.coordinate,
                        f"单元格 {cell.coordinate} 是公式；请复制后“选择性粘贴为数值”",
                        f"cell {cell.coordinate} holds a formula; paste it as a value",
                    )
                )
                value = None
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            values.append(value)
        row_cells = _cells(columns, values, source, number, out)
        if row_cells:
            table.rows.append((number, row_cells))
    _add_table(table, out)


# --- JSON -------------------------------------------------------------------------------


def _read_json(path: Path, out: RawDataset) -> None:
    raw = path.read_bytes()
    decoded = decode_text(raw)
    try:
        if decoded is None:
            raise ValueError("encoding")
        document = json.loads(decoded[0])
    except ValueError as exc:
        out.problems.append(
            Problem(path.name, None, None, f"不是有效的 JSON：{exc}", f"not valid JSON: {exc}")
        )
        return
    except RecursionError:
        out.problems.append(limits.depth_problem(path.name))
        return
    too_deep = limits.json_depth_problem(path.name, document)
    if too_deep is not None:
        out.problems.append(too_deep)
        return
    if not isinstance(document, dict):
        out.problems.append(
            Problem(
                path.name,
                None,
                None,
                'JSON 顶层应是对象，每个键对应一张表，如 {"courses": [...]}',
                'the JSON document must be an object with one key per file, e.g. {"courses": [...]}',
            )
        )
        return
    for key, items in document.items():
        stem = key[:-4] if key.lower().endswith(".csv") else key
        fmt = file_format(stem)
        source = f"{path.name} → {key}"
        if fmt is None:
            out.problems.append(
                Problem(
                    source,
                    None,
                    None,
                    f"不认识的表名 {key}；可用的表：{', '.join(f.name for f in FILES)}",
                    f"unknown file key {key}; known: {', '.join(f.name for f in FILES)}",
                )
            )
            continue
        if not isinstance(items, list):
            out.problems.append(
                Problem(source, None, None, "应为记录列表", "expected a list of row objects")
            )
            continue
        if not items:
            _add_table(Table(fmt, source), out)
            continue
        keys: list[str] = []
        for item in items:
            if isinstance(item, dict):
                keys.extend(k for k in item if k not in keys)
        columns = _map_headers(fmt, source, list(keys), out)
        if columns is None:
            continue
        index_of = dict(zip(keys, range(len(keys)), strict=True))
        table = Table(fmt, source)
        for number, item in enumerate(items, start=1):
            if limits.too_many_rows(len(table.rows)):
                out.problems.append(limits.rows_problem(source, number))
                break
            if not isinstance(item, dict):
                out.problems.append(
                    Problem(
                        source, number, None, "这条记录不是对象", "this record is not an object"
                    )
                )
                continue
            values: list[Any] = [None] * len(keys)
            for key_name, value in item.items():
                values[index_of[key_name]] = value
            cells = _cells(columns, values, source, number, out)
            if cells:
                table.rows.append((number, cells))
        _add_table(table, out)
