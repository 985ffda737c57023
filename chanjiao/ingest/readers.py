"""Read a dataset (CSV folder, zip of CSVs, .xlsx workbook, JSON document) into tables.

Readers only turn bytes into rows of cells keyed by canonical column names; they
report what is wrong with the *shape* of the input (encoding, headers, merged
cells, formulas). Values are checked later, in `validate`.

They also forgive what spreadsheet users habitually do, each with a notice (a
warning): extra columns such as 备注 are ignored, hidden and empty sheets are
skipped, a title row above the header is skipped, zip entry names written by
Windows in GBK are decoded.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import itertools
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chanjiao.errors import Problem
from chanjiao.ingest import limits
from chanjiao.ingest.formats import FILES, FileFormat, file_format

#: Sheets of a workbook that hold instructions, not data.
INSTRUCTION_SHEETS = {"说明", "填写说明", "instructions", "readme", "使用说明", "专业目录"}

_HEADER_WITH_NAME = re.compile(r"^(?P<zh>.*?)\s*[（(]\s*(?P<en>[A-Za-z_]+)\s*[)）]\s*$")

#: How many non-empty rows at the top of a sheet may sit above its header (titles).
HEADER_SEARCH_ROWS = 10


@dataclass(slots=True)
class Table:
    """The rows of one file (or sheet), with the row numbers a spreadsheet shows.

    Attributes:
        fmt: which dataset file this is.
        source: how to name it to a user (``courses.csv``, ``工作表 courses``).
        rows: (row number, {column: cell}) with empty cells left out.
        headers: canonical column → the header as the user typed it (``hours`` → ``学时``),
            so every message names a column the way the user sees it.
        missing: required columns the header lacks (already reported): rows are still
            checked, without repeating that these are empty.
    """

    fmt: FileFormat
    source: str
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    missing: frozenset[str] = frozenset()


@dataclass(slots=True)
class RawDataset:
    """What was read: the tables, problems and warnings, and how many rows were read
    (`rows` stays right when a streaming reader's caller empties the tables)."""

    tables: list[Table] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rows: int = 0


def read_dataset(path: Path) -> RawDataset:
    """Read whatever dataset `path` names; every problem is collected, none raised."""
    out = RawDataset()
    for _ in stream_dataset(path, out):
        pass
    return out


def stream_dataset(path: Path, out: RawDataset) -> Iterator[Table]:
    """Read the dataset at `path` into `out`, yielding each table once it is read.

    The files of a CSV folder or zip are read one at a time, as they are asked for,
    so a caller that is done with a table's rows before asking for the next (the
    loader) holds one file in memory, never the whole dataset. Problems and warnings
    gather in `out` in the order `read_dataset` gives them.
    """
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
            return
        yield from _read_csv_files(((p.name, p.read_bytes) for p in files), out)
    elif path.suffix.lower() == ".csv":
        yield from _read_csv_files([(path.name, path.read_bytes)], out)
    elif path.suffix.lower() == ".zip":
        yield from _read_zip(path, out)
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        _read_workbook(path, out)
        yield from list(out.tables)
    elif path.suffix.lower() == ".json":
        _read_json(path, out)
        yield from list(out.tables)
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
    if not out.problems and not out.rows:
        out.problems.append(
            Problem(
                path.name, None, None, "数据集中没有任何数据行", "the dataset holds no data rows"
            )
        )


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


def _close_column(fmt: FileFormat, text: str) -> str | None:
    """The column an unknown header is probably a typo of (``huors`` → hours), if any."""
    names = {name: name for name in fmt.columns} | dict(fmt.aliases)
    found = difflib.get_close_matches(text.lower(), list(names), n=1, cutoff=0.75)
    return names[found[0]] if found else None


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _find_header(
    table: Table, rows: Iterator[tuple[int, list[Any]]], out: RawDataset
) -> tuple[int, list[Any], list[tuple[int, list[Any]]]] | None:
    """The header row among the first rows: (its number, its cells, the rows read after it).

    The first non-empty row is the header if it names any column. If it names none
    (a title such as “2025 级课程表”, often merged across the columns), the first of
    the next rows naming two or more columns is the header, and the rows above it are
    skipped with a notice. None when the file has no non-empty row at all.
    """
    preview: list[tuple[int, list[Any]]] = []
    for number, values in rows:
        if not all(_is_blank(v) for v in values):
            preview.append((number, values))
            if len(preview) == HEADER_SEARCH_ROWS:
                break
    if not preview:
        return None
    fmt = table.fmt

    def named(values: list[Any]) -> int:
        return sum(1 for v in values if not _is_blank(v) and canonical_column(fmt, str(v)))

    at = 0
    if not named(preview[0][1]):
        at = next((i for i, (_, v) in enumerate(preview[1:], 1) if named(v) >= 2), 0)
    if at:
        titles = [
            str(next(v for v in values if not _is_blank(v))).strip() for _, values in preview[:at]
        ]
        shown = " / ".join(titles)
        shown = shown if len(shown) <= 60 else shown[:60] + "…"
        first, header = preview[0][0], preview[at][0]
        rows_zh = f"第 {first} 行" if at == 1 else f"第 {first}–{preview[at - 1][0]} 行"
        out.warnings.append(
            Problem(
                table.source,
                first,
                None,
                f"{rows_zh}是标题（“{shown}”），不是表头，已跳过；表头在第 {header} 行",
                f"{rows_zh.replace('第 ', 'row ' if at == 1 else 'rows ').replace(' 行', '')} "
                f"hold a title ('{shown}'), not the header: skipped; the header is row {header}",
            )
        )
    return preview[at][0], preview[at][1], preview[at + 1 :]


def _map_headers(
    table: Table, headers: list[Any], out: RawDataset, row: int = 1
) -> tuple[list[str | None], set[int]]:
    """Column names by position (None where blank or ignored), and the ignored positions.

    Fills `table.headers` and `table.missing`. An unknown header is ignored with a
    notice (a 备注 column, say), unless it looks like a typo of a column of this file,
    which is an error naming the column meant. Problems with the header do not stop
    the rows from being read: every problem of the file is reported in one run.
    """
    fmt, source = table.fmt, table.source
    mapped: list[str | None] = []
    ignored: set[int] = set()
    unknown: list[str] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(headers):
        text = "" if raw is None else str(raw).strip()
        letter = _column_letter(index)
        if not text:
            mapped.append(None)
            continue
        column = canonical_column(fmt, text)
        if column is None:
            mapped.append(None)
            ignored.add(index)
            meant = _close_column(fmt, text)
            if meant is None:
                unknown.append(f"{text}（{letter} 列）")
                continue
            out.problems.append(
                Problem(
                    source,
                    row,
                    text,
                    f"第 {letter} 列的表头“{text}”不是本表的列；是不是 {meant}（{fmt.columns[meant]}）？"
                    f"可用的列：{fmt.column_list_zh()}",
                    f"header '{text}' in column {letter} is not a column of this file; did you "
                    f"mean {meant}? known columns: {', '.join(fmt.columns)}",
                )
            )
            continue
        if column in seen:
            mapped.append(None)
            ignored.add(index)
            out.problems.append(
                Problem(
                    source,
                    row,
                    text,
                    f"第 {letter} 列“{text}”与第 {_column_letter(seen[column])} 列"
                    f"“{table.headers[column]}”是同一列 {column}（{fmt.columns[column]}），"
                    "只能出现一次；请删除其中一列",
                    f"column {column} appears twice (columns {_column_letter(seen[column])} "
                    f"and {letter}); delete one of them",
                )
            )
            continue
        seen[column] = index
        table.headers[column] = text
        mapped.append(column)
    if unknown:
        out.warnings.append(
            Problem(
                source,
                row,
                None,
                f"已忽略本表不用的列：{'、'.join(unknown)}；这些列的内容不会导入",
                f"ignored columns this file does not use: {', '.join(unknown)}",
            )
        )
    missing = [column for column in fmt.required if column not in seen]
    for column in missing:
        hint = f"；表头中未识别的列：{'、'.join(unknown)}" if unknown else ""
        out.problems.append(
            Problem(
                source,
                row,
                column,
                f"缺少必填列 {column}（{fmt.columns[column]}）{hint}",
                f"the required column {column} is missing",
            )
        )
    table.missing = frozenset(missing)
    return mapped, ignored


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cells(
    columns: list[str | None],
    ignored: set[int],
    values: Iterable[Any],
    source: str,
    row: int,
    out: RawDataset,
) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    for index, value in enumerate(values):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        column = columns[index] if index < len(columns) else None
        if column is None:
            if index not in ignored:
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


def _read_body(
    table: Table,
    header: tuple[int, list[Any], list[tuple[int, list[Any]]]],
    rows: Iterator[tuple[int, list[Any]]],
    out: RawDataset,
) -> None:
    """Map the header found by `_find_header` and read every data row into `table`."""
    number, values, after = header
    columns, ignored = _map_headers(table, values, out, number)
    source = table.source
    for number, values in itertools.chain(after, rows):
        if limits.too_many_rows(len(table.rows)):
            out.problems.append(limits.rows_problem(source, number))
            return
        cells = _cells(columns, ignored, values, source, number, out)
        if cells:
            table.rows.append((number, cells))


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


def _read_csv_files(
    files: Iterable[tuple[str, Callable[[], bytes]]], out: RawDataset
) -> Iterator[Table]:
    """Read each CSV file in turn; yield its table once it is read and accepted."""
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
        table = _read_csv(fmt, name, read(), out)
        if table is not None:
            yield table


def _read_csv(fmt: FileFormat, source: str, data: bytes, out: RawDataset) -> Table | None:
    """The file's table, or None when it could not be read (the problem is in `out`)."""
    if not data.strip():
        out.problems.append(
            Problem(
                source, None, None, "文件是空的，连表头都没有", "the file is empty, with no header"
            )
        )
        return None
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
            return None
        out.problems.append(
            Problem(
                source,
                None,
                None,
                "这不是文本 CSV 文件（可能是改了扩展名的 Excel 文件）；请在 Excel 中另存为“CSV UTF-8”",
                "this is not a text CSV file (perhaps a renamed Excel file); save it as CSV UTF-8",
            )
        )
        return None
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
        return None
    text, _ = decoded
    records = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    table = Table(fmt, source)
    rows = enumerate(records, start=1)
    try:
        header = _find_header(table, rows, out)
        if header is None:
            out.problems.append(
                Problem(
                    source,
                    None,
                    None,
                    "文件是空的，连表头都没有",
                    "the file is empty, with no header",
                )
            )
            return None
        _read_body(table, header, rows, out)
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
        return None
    return table if _add_table(table, out) else None


def _add_table(table: Table, out: RawDataset) -> bool:
    """Add a table read to `out`; False (a problem) if `out` already has that file."""
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
            return False
    if not table.rows:
        out.warnings.append(
            Problem(table.source, None, None, "只有表头，没有数据行", "header only, no data rows")
        )
    out.tables.append(table)
    out.rows += len(table.rows)
    return True


def _read_zip(path: Path, out: RawDataset) -> Iterator[Table]:
    budget = limits.ArchiveBudget(path.name)
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                m
                for m in archive.infolist()
                if not m.is_dir() and not m.filename.startswith("__MACOSX/")
            ]
            budget.check_members(members)
            yield from _read_csv_files(
                (
                    (Path(_entry_name(m)).name, functools.partial(budget.read, archive, m))
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


def _entry_name(member: zipfile.ZipInfo) -> str:
    """A zip entry's name; Windows writes names in the local code page (GBK) without the
    UTF-8 flag, which Python reads as cp437: undo that and decode as UTF-8, else GB18030."""
    if member.flag_bits & 0x800:
        return member.filename
    try:
        raw = member.filename.encode("cp437")
    except UnicodeEncodeError:
        return member.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return member.filename


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
        if sheet.sheet_state != "visible":
            out.warnings.append(
                Problem(
                    source,
                    None,
                    None,
                    "是隐藏的工作表，已跳过，其中的数据不会导入；如需导入，请在 Excel 中取消隐藏",
                    "a hidden sheet: skipped, nothing in it is loaded; unhide it to load it",
                )
            )
            continue
        fmt = file_format(title)
        if fmt is None:
            if _sheet_is_empty(sheet):
                out.warnings.append(_empty_sheet(source))
                continue
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


def _sheet_is_empty(sheet: Any) -> bool:
    return all(_is_blank(v) for row in sheet.iter_rows(values_only=True) for v in row)


def _empty_sheet(source: str) -> Problem:
    return Problem(
        source, None, None, "是空的工作表，已跳过", "an empty sheet: skipped (nothing to load)"
    )


def _read_sheet(fmt: FileFormat, source: str, sheet: Any, out: RawDataset) -> None:
    table = Table(fmt, source)
    header = _find_header(
        table, enumerate((list(r) for r in sheet.iter_rows(values_only=True)), start=1), out
    )
    if header is None:
        out.warnings.append(_empty_sheet(source))
        return
    number, typed, _ = header
    merged_wrong = False
    for merged in sheet.merged_cells.ranges:
        if merged.max_row < number:
            continue  # a title above the header, skipped with the rows it spans
        where = "表头" if merged.min_row <= number else "数据区"
        merged_wrong = True
        out.problems.append(
            Problem(
                source,
                merged.min_row,
                str(merged.coord),
                f"{where}有合并单元格 {merged.coord}；请取消合并，每个单元格填一个值",
                f"merged cells {merged.coord}; unmerge them so each cell holds one value",
            )
        )
    if merged_wrong:
        return
    _read_body(table, (number, typed, []), _sheet_rows(sheet, number, typed, source, out), out)
    _add_table(table, out)


def _sheet_rows(
    sheet: Any, header: int, typed: list[Any], source: str, out: RawDataset
) -> Iterator[tuple[int, list[Any]]]:
    """The values of the rows below the header; a formula is a problem, a date its text."""
    for cells in sheet.iter_rows(min_row=header + 1):
        values: list[Any] = []
        number = cells[0].row if cells else 0
        for cell in cells:
            value = cell.value
            quoted = getattr(cell, "quotePrefix", False)  # '=x typed as text, not a formula
            if cell.data_type == "f" or (
                isinstance(value, str) and value.startswith("=") and not quoted
            ):
                index = cell.column - 1
                named = index < len(typed) and not _is_blank(typed[index])
                out.problems.append(
                    Problem(
                        source,
                        cell.row,
                        str(typed[index]).strip() if named else cell.coordinate,
                        f"单元格 {cell.coordinate} 是公式；请复制后“选择性粘贴为数值”",
                        f"cell {cell.coordinate} holds a formula; paste it as a value",
                    )
                )
                value = None
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            values.append(value)
        yield number, values


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
        table = Table(fmt, source)
        columns, ignored = _map_headers(table, list(keys), out)
        index_of = dict(zip(keys, range(len(keys)), strict=True))
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
            cells = _cells(columns, ignored, values, source, number, out)
            if cells:
                table.rows.append((number, cells))
        _add_table(table, out)
