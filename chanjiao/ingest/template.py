"""The Excel template a curriculum designer fills in (`chanjiao template`).

One sheet per dataset file, named like the file; headers read "中文 (english)" so
both languages show and the ingest accepts them; enum, level and yes/no columns
get dropdown lists; a first sheet "说明" explains every sheet and column. The
re-editable export (`chanjiao export --format xlsx`) writes the same layout with
the store's rows in it, so a designer edits their own data in the form they know.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chanjiao.graph.schema import LEVEL_WORDS, words_of
from chanjiao.ingest.formats import FILES, FileFormat
from chanjiao.interop.catalog import add_catalog_sheet

FILES_BY_NAME = {f.name: f for f in FILES}

_LEVEL_LIST = [f"{w}" for w in LEVEL_WORDS.values()]
#: Rows below the header that get the dropdowns (more when the sheet holds more).
DROPDOWN_ROWS = 5000


def dropdown(fmt: FileFormat, column: str) -> list[str] | None:
    """The words a column's dropdown offers: levels, 是/否 or an enum's Chinese words."""
    if fmt.is_level(column):
        return _LEVEL_LIST
    if fmt.is_flag(column):
        return ["是", "否"]
    enum = fmt.enum_of(column)
    if enum is not None:
        return [words_of(m)[0] for m in enum]
    return None


def header_text(fmt: FileFormat, column: str) -> str:
    """A column's header as the template writes it: ``课程编号 (id)``."""
    return f"{fmt.columns[column]} ({column})"


def template_workbook(rows: dict[str, int] | None = None) -> Any:
    """The template as an openpyxl workbook: the guide, then one sheet per file.

    Args:
        rows: file name → how many data rows the caller will write below the header,
            so that the dropdowns reach past them.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    guide = book.active
    guide.title = "说明"
    bold = Font(bold=True)
    guide.append(["chanjiao 数据模板 / data template"])
    guide["A1"].font = Font(bold=True, size=14)
    guide.append(
        [
            "每个工作表对应一种数据；红色表头为必填列。多个编号用分号 ; 分隔。等级可填 1–4 或 "
            "了解/理解/掌握/熟练。填好后运行：chanjiao ingest 本文件.xlsx（先加 --dry-run 检查）。"
        ]
    )
    guide.append(
        [
            "One sheet per kind of data; red headers are required. Separate several ids with ';'. "
            "Levels: 1–4 or 了解/理解/掌握/熟练. Load with: chanjiao ingest this.xlsx "
            "(try --dry-run first)."
        ]
    )
    guide.append([])
    guide.append(["工作表 Sheet", "列 Column", "中文表头 Header", "必填 Required", "说明 Notes"])
    for cell in guide[guide.max_row]:
        cell.font = bold
    required_fill = PatternFill("solid", fgColor="F4CCCC")
    header_fill = PatternFill("solid", fgColor="D9E2F3")
    for fmt in FILES:
        sheet = book.create_sheet(fmt.name)
        last = 1 + max(DROPDOWN_ROWS - 1, (rows or {}).get(fmt.name, 0) + 1000)
        for index, (column, zh) in enumerate(fmt.columns.items(), start=1):
            cell = sheet.cell(row=1, column=index, value=header_text(fmt, column))
            cell.font = bold
            cell.alignment = Alignment(horizontal="center")
            required = column in fmt.required
            cell.fill = required_fill if required else header_fill
            sheet.column_dimensions[get_column_letter(index)].width = max(14, len(zh) * 2 + 12)
            description = fmt.model.model_fields[column].description or ""
            choices = dropdown(fmt, column)
            if choices is not None:
                validation = DataValidation(
                    type="list",
                    formula1='"' + ",".join(choices) + '"',
                    allow_blank=True,
                    showErrorMessage=True,
                    errorStyle="warning",
                    errorTitle="请从下拉列表选择",
                    error="请选择列表中的值（也可填英文值或数字等级）。",
                )
                letter = get_column_letter(index)
                validation.add(f"{letter}2:{letter}{last}")
                sheet.add_data_validation(validation)
                description = description or "、".join(choices)
            guide.append(
                [f"{fmt.name}（{fmt.zh}）", column, zh, "是" if required else "", description]
            )
        sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDE", (28, 20, 22, 10, 60), strict=True):
        guide.column_dimensions[letter].width = width
    add_catalog_sheet(book, book["majors"], list(FILES_BY_NAME["majors"].columns).index("code"))
    return book


def write_template(path: Path) -> Path:
    """Write the empty template workbook to `path` (its folder must exist)."""
    template_workbook().save(path)
    return path
