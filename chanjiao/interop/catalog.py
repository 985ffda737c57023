"""The 2021 vocational major catalogue (职业教育专业目录（2021年）), shipped with the package.

Used to find majors by name or code (`search`) and to check a dataset's majors
(`check_majors`): a code that is not in the catalogue, or a name that differs from
the catalogue's name for that code, is a warning with the catalogue's name offered,
never an error (an undergraduate major or a school's own naming is legitimate).
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from chanjiao.errors import Problem
from chanjiao.ingest.readers import RawDataset

CATALOG_FILE = "vocational-2021.csv"
CATALOG_NAME = "职业教育专业目录（2021年）"
CATALOG_NAME_EN = "the 2021 vocational major catalogue"
ATTRIBUTION = (
    "专业目录：中华人民共和国教育部《职业教育专业目录（2021年）》，转录自 p180j/gk-job-helper。"
    " Catalogue: Ministry of Education of the PRC, 2021 vocational major catalogue "
    "(transcribed by p180j/gk-job-helper)."
)
LEVELS = {
    "VOCATIONAL_SECONDARY": ("中职", "secondary vocational"),
    "VOCATIONAL_ASSOCIATE": ("高职专科", "higher vocational (associate)"),
    "VOCATIONAL_BACHELOR": ("职业本科", "vocational bachelor"),
}


@dataclass(frozen=True, slots=True)
class CatalogMajor:
    code: str
    name: str
    level: str  # 中职 / 高职专科 / 职业本科
    category: str  # 专业大类
    klass: str  # 专业类

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "education_level": self.level,
            "category": self.category,
            "class": self.klass,
        }


def catalog_path() -> Path:
    return Path(str(resources.files("chanjiao") / "data" / "catalog" / CATALOG_FILE))


@functools.cache
def catalog() -> dict[str, CatalogMajor]:
    """Every major of the catalogue by code (1,349 of them)."""
    text = catalog_path().read_text(encoding="utf-8")
    majors = {}
    for row in csv.DictReader(io.StringIO(text)):
        if row["itemLevel"] != "MAJOR":
            continue
        majors[row["majorCode"]] = CatalogMajor(
            row["majorCode"],
            row["majorName"],
            LEVELS.get(row["educationLevel"], (row["educationLevel"], ""))[0],
            row["categoryName"],
            row["className"],
        )
    return majors


def search(query: str, limit: int = 50) -> list[CatalogMajor]:
    """Majors whose code starts with `query` or whose name contains it, by code."""
    text = query.strip()
    if not text:
        return []
    found = [
        m
        for m in catalog().values()
        if m.code.startswith(text) or text in m.name or (len(text) >= 2 and text in m.klass)
    ]
    return sorted(found, key=lambda m: m.code)[:limit]


def _code_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def check_majors(raw: RawDataset) -> list[Problem]:
    """Warnings for majors whose code is not in the catalogue or whose name differs."""
    warnings: list[Problem] = []
    known = catalog()
    for table in raw.tables:
        if table.fmt.name != "majors":
            continue
        for number, cells in table.rows:
            if cells.get("code") in (None, ""):
                continue
            code = _code_text(cells["code"])
            name = str(cells.get("name", "")).strip()
            entry = known.get(code)
            if entry is None:
                near = [m for m in known.values() if m.name == name]
                hint_zh = f"；目录中“{name}”的代码是 {near[0].code}" if near else ""
                hint_en = f"; the catalogue's code for '{name}' is {near[0].code}" if near else ""
                warnings.append(
                    Problem(
                        table.source,
                        number,
                        "code",
                        f"专业代码 {code} 不在《{CATALOG_NAME}》中{hint_zh}"
                        "（普通本科等目录外专业可忽略此提示）",
                        f"the major code {code} is not in {CATALOG_NAME_EN}{hint_en} "
                        "(ignore this for majors outside that catalogue)",
                    )
                )
            elif name and name != entry.name:
                warnings.append(
                    Problem(
                        table.source,
                        number,
                        "name",
                        f"专业名称“{name}”与目录不同：代码 {code} 在《{CATALOG_NAME}》中是"
                        f"“{entry.name}”（{entry.level}）",
                        f"the name '{name}' differs from the catalogue: code {code} is "
                        f"'{entry.name}' ({entry.level}) in {CATALOG_NAME_EN}",
                    )
                )
    return warnings


#: The template's sheet listing the catalogue (the ingest skips it).
CATALOG_SHEET = "专业目录"


def add_catalog_sheet(book: Any, majors_sheet: Any, code_column: int) -> None:
    """Add the catalogue as a reference sheet and offer its codes in the majors sheet.

    Args:
        book: an openpyxl workbook.
        majors_sheet: its ``majors`` sheet.
        code_column: the 0-based index of the ``code`` column there.
    """
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet = book.create_sheet(CATALOG_SHEET)
    sheet.append(
        ["专业代码 (code)", "专业名称 (name)", "学历层次 (education_level)", "专业类", "专业大类"]
    )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    majors = sorted(catalog().values(), key=lambda m: m.code)
    for major in majors:
        sheet.append([major.code, major.name, major.level, major.klass, major.category])
    sheet.append([])
    sheet.append([ATTRIBUTION])
    for letter, width in zip("ABCDE", (16, 30, 14, 22, 22), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    letter = get_column_letter(code_column + 1)
    validation = DataValidation(
        type="list",
        formula1=f"'{CATALOG_SHEET}'!$A$2:$A${len(majors) + 1}",
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle="代码不在专业目录中",
        error="该代码不在《职业教育专业目录（2021年）》中；见“专业目录”工作表。",
    )
    validation.add(f"{letter}2:{letter}5000")
    majors_sheet.add_data_validation(validation)
