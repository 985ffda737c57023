"""(Re)generate tests/data/habits/: the small dataset with one Excel habit each.

Run from the repository root after changing tests/data/valid/small or this script::

    .venv/bin/python -m tests.make_habit_fixtures

Each case folder holds one dataset (a workbook, a CSV folder or a zip) and
``expected.json``: what the habit is, whether the dataset must load to exactly the
same store as tests/data/valid/small, the notices (warnings) it must give and, for
a habit that cannot be read safely, the problems that refuse it. The output is
byte-for-byte deterministic, as in tests/make_ingest_fixtures.py.
"""

from __future__ import annotations

import copy
import json
import shutil
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from chanjiao.ingest.formats import file_format
from tests.make_ingest_fixtures import (
    FIXED_TIME,
    Dataset,
    csv_text,
    read_small,
    small_workbook,
    workbook_bytes,
    write_csv_folder,
)

HABITS = Path(__file__).parent / "data" / "habits"


def _expect(
    folder: Path,
    habit: str,
    *,
    same: bool = True,
    notices: list[dict[str, Any]] | None = None,
    problems: list[dict[str, Any]] | None = None,
) -> None:
    expected = {
        "habit": habit,
        "loads_like_small": same and not problems,
        "notices": notices or [],
        "problems": problems or [],
    }
    text = json.dumps(expected, ensure_ascii=False, indent=2) + "\n"
    (folder / "expected.json").write_text(text, encoding="utf-8")


def _folder(name: str) -> Path:
    folder = HABITS / name
    folder.mkdir(parents=True)
    return folder


def _cells(dataset: Dataset, stem: str, row_id: str, **cells: str) -> None:
    """Set cells of the row whose first column is `row_id`."""
    header, rows = dataset[stem]
    for row in rows:
        if row[header[0]] == row_id:
            row.update(cells)
            return
    raise KeyError(row_id)


def csv_case(name: str, change: Callable[[Dataset], None], **expect: Any) -> None:
    dataset = copy.deepcopy(read_small())
    change(dataset)
    folder = _folder(name)
    write_csv_folder(folder, dataset)
    _expect(folder, **expect)


def xlsx_case(name: str, change: Callable[[Any], None], **expect: Any) -> None:
    book = small_workbook()
    change(book)
    folder = _folder(name)
    (folder / f"{name}.xlsx").write_bytes(workbook_bytes(book))
    _expect(folder, **expect)


def _column(sheet: Any, header: str) -> int:
    for cell in sheet[1]:
        if cell.value == header:
            return int(cell.column)
    raise KeyError(header)


def _set(sheet: Any, row_id: str, header: str, value: Any) -> None:
    column = _column(sheet, header)
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == row_id:
            sheet.cell(row=row[0].row, column=column, value=value)
            return
    raise KeyError(row_id)


# --- the habits ----------------------------------------------------------------------------


def build() -> None:
    if HABITS.exists():
        shutil.rmtree(HABITS)

    def remark(book: Any) -> None:
        sheet = book["courses"]
        column = sheet.max_column + 1
        sheet.cell(row=1, column=column, value="备注")
        sheet.cell(row=2, column=column, value="2025 年新开")
        sheet.cell(row=4, column=column, value="与企业共建")

    xlsx_case(
        "extra_column_remark",
        remark,
        habit="课程表末尾多了一列“备注”",
        notices=[
            {"file": "工作表 courses", "row": 1, "contains": "已忽略本表不用的列：备注（J 列）"}
        ],
    )

    def serial_numbers(dataset: Dataset) -> None:
        for stem in ("courses", "positions"):
            header, rows = dataset[stem]
            header.insert(0, "序号")
            for number, row in enumerate(rows, start=1):
                row["序号"] = str(number)

    csv_case(
        "extra_column_serial",
        serial_numbers,
        habit="表的第一列是“序号”",
        notices=[
            {"file": "courses.csv", "row": 1, "contains": "已忽略本表不用的列：序号（A 列）"},
            {"file": "positions.csv", "row": 1, "contains": "已忽略本表不用的列：序号（A 列）"},
        ],
    )

    def hidden_helper(book: Any) -> None:
        helper = book.create_sheet("下拉选项")
        for word in ("理论", "实践", "理实一体"):
            helper.append([word])
        helper.sheet_state = "hidden"

    xlsx_case(
        "hidden_helper_sheet",
        hidden_helper,
        habit="一个隐藏的辅助工作表（下拉选项）",
        notices=[{"file": "工作表 下拉选项", "row": None, "contains": "是隐藏的工作表，已跳过"}],
    )

    def hidden_valid(book: Any) -> None:
        old = book.create_sheet("课程")  # the Chinese name of courses: a valid sheet name
        old.append(["id", "name", "hours"])
        old.append(["C9", "去年的旧课程", 32])
        old.sheet_state = "hidden"

    xlsx_case(
        "hidden_sheet_with_valid_name",
        hidden_valid,
        habit="一个隐藏的工作表，名称恰好是有效的表名（去年的“课程”）",
        notices=[{"file": "工作表 课程", "row": None, "contains": "是隐藏的工作表，已跳过"}],
    )

    xlsx_case(
        "empty_leftover_sheet",
        lambda book: book.create_sheet("Sheet1"),
        habit="新建工作簿时留下的空白 Sheet1",
        notices=[{"file": "工作表 Sheet1", "row": None, "contains": "是空的工作表，已跳过"}],
    )

    def empty_known(book: Any) -> None:
        book.create_sheet("students_placeholder")
        book.create_sheet("空白")

    xlsx_case(
        "several_empty_sheets",
        empty_known,
        habit="几个空白工作表（名字任意）",
        notices=[
            {"file": "工作表 students_placeholder", "row": None, "contains": "是空的工作表"},
            {"file": "工作表 空白", "row": None, "contains": "是空的工作表"},
        ],
    )

    def merged_title(book: Any) -> None:
        sheet = book["courses"]
        sheet.insert_rows(1)
        sheet["A1"] = "2025 级集成电路技术专业课程设置表"
        sheet.merge_cells("A1:I1")

    xlsx_case(
        "merged_title_row",
        merged_title,
        habit="表头上方有一行合并单元格的标题",
        notices=[
            {
                "file": "工作表 courses",
                "row": 1,
                "contains": "第 1 行是标题（“2025 级集成电路技术专业课程设置表”），不是表头，已跳过；表头在第 2 行",
            }
        ],
    )

    def title_rows(book: Any) -> None:
        sheet = book["requirements"]
        sheet.insert_rows(1, amount=3)
        sheet["A1"] = "岗位能力模型"
        sheet["A2"] = "（2025 年修订）"

    xlsx_case(
        "unmerged_title_rows",
        title_rows,
        habit="取消合并后的两行标题和一行空行，表头在第 4 行",
        notices=[
            {
                "file": "工作表 requirements",
                "row": 1,
                "contains": "第 1–2 行是标题（“岗位能力模型 / （2025 年修订）”），不是表头，已跳过；表头在第 4 行",
            }
        ],
    )

    def csv_title_case() -> None:
        dataset = copy.deepcopy(read_small())
        folder = _folder("csv_title_row")
        header, rows = dataset.pop("offers")
        write_csv_folder(folder, dataset)
        text = csv_text(
            ["企业岗位需求（2025）", "", ""], [header, *([r[c] for c in header] for r in rows)]
        )
        (folder / "offers.csv").write_text(text, encoding="utf-8")
        _expect(
            folder,
            "CSV 文件第 1 行是标题",
            notices=[{"file": "offers.csv", "row": 1, "contains": "第 1 行是标题"}],
        )

    csv_title_case()

    def year_dates(book: Any) -> None:
        _set(book["textbooks"], "B1", "year", datetime(2022, 9, 1))
        _set(book["textbooks"], "B2", "year", datetime(2019, 3, 15, 8, 30))
        _set(book["training_resources"], "R1", "year", datetime(2021, 1, 1))

    xlsx_case("year_as_date_cells", year_dates, habit="年份列填的是日期（Excel 日期单元格）")

    def year_text(dataset: Dataset) -> None:
        _cells(dataset, "textbooks", "B1", year="2022-09-01")
        _cells(dataset, "textbooks", "B2", year="2019/3/15")
        _cells(dataset, "training_resources", "R1", year="2021.01")
        _cells(dataset, "training_resources", "R2", year="2023-06-30 00:00:00")

    csv_case("year_as_date_text", year_text, habit="年份列填的是日期文字（2022-09-01、2019/3/15）")

    def year_nian(dataset: Dataset) -> None:
        _cells(dataset, "textbooks", "B1", year="2022年")
        _cells(dataset, "textbooks", "B2", year="2019 年")
        _cells(dataset, "training_resources", "R2", year="2023年6月")

    csv_case("year_with_nian", year_nian, habit="年份写成“2023年”")

    def level_variants(dataset: Dataset) -> None:
        words = {"1": "一般了解", "2": "熟悉", "3": "基本掌握", "4": "熟练掌握"}
        for stem in ("requirements", "coverage"):
            for row in dataset[stem][1]:
                row["level"] = words.get(row["level"], row["level"])
        _cells(dataset, "requirements", "P1", level="３")  # full-width digit

    csv_case(
        "level_variants",
        level_variants,
        habit="等级写成 熟练掌握、基本掌握、一般了解、熟悉 和全角数字",
    )

    def units(dataset: Dataset) -> None:
        for row in dataset["courses"][1]:
            row["hours"] = f"{row['hours']}学时"
            row["credits"] = f"{row['credits']} 学分"
            row["semester"] = f"第{row['semester']}学期"

    csv_case("numbers_with_units", units, habit="学时、学分、学期带单位：64学时、4 学分、第2学期")

    def people(dataset: Dataset) -> None:
        for row in dataset["offers"][1]:
            row["headcount"] = f"{row['headcount']}人"
        _cells(dataset, "positions", "P1", demand="10 名")

    csv_case("headcount_with_unit", people, habit="人数带单位：3人、10 名")

    def full_width(dataset: Dataset) -> None:
        wide = str.maketrans("0123456789.", "０１２３４５６７８９．")
        for row in dataset["courses"][1]:
            for column in ("hours", "credits", "semester"):
                row[column] = row[column].translate(wide)
        for row in dataset["offers"][1]:
            row["headcount"] = row["headcount"].translate(wide)

    csv_case("full_width_digits", full_width, habit="中文输入法下输入的全角数字：６４")

    def percent(dataset: Dataset) -> None:
        # P1's weights 2 : 1 : (1) written as shares of 100 %.
        _cells(dataset, "requirements", "P1", weight="50%")
        _, rows = dataset["requirements"]
        for row in rows:
            if row["position_id"] == "P1" and row["ability_id"] in ("A2", "A3"):
                row["weight"] = "25%"

    csv_case(
        "weight_as_percent",
        percent,
        same=False,
        habit="权重写成百分比：50%、25%（比例与原数据相同，覆盖率不变）",
    )

    def breaks(book: Any) -> None:
        _set(book["courses"], "C1", "name", "半导体\n材料")
        _set(book["positions"], "P1", "name", "衬底\r\n工艺员")
        _set(book["abilities"], "A1", "name", "晶体生长\n")

    xlsx_case("line_breaks_in_names", breaks, habit="名称里用 Alt+Enter 换行")

    def spaces(book: Any) -> None:
        _set(book["courses"], "C1", "name", " 半导体材料　")  # a full-width space too
        sheet = book["coverage"]
        sheet["A2"] = "C1 "
        sheet["B2"] = "\nA1"
        _set(book["majors"], "M1", "name", "\u3000集成电路技术 ")

    xlsx_case(
        "spaces_around_names_and_ids", spaces, habit="编号和名称前后多了空格（含全角空格）或换行"
    )

    def as_text(book: Any) -> None:
        for sheet_name, columns in (("courses", ("hours", "credits", "semester")),):
            sheet = book[sheet_name]
            for header in columns:
                column = _column(sheet, header)
                for row in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                    cell = row[0]
                    if cell.value is not None:
                        cell.value = str(cell.value)
                        cell.data_type = "s"

    xlsx_case("numbers_stored_as_text", as_text, habit="数字以文本形式存储（单元格左上角绿三角）")

    def blank_rows(book: Any) -> None:
        sheet = book["courses"]
        sheet.insert_rows(4, amount=2)
        sheet.cell(row=sheet.max_row + 3, column=1, value="   ")

    xlsx_case("blank_rows_between", blank_rows, habit="数据中间和末尾有空行（或只含空格的单元格）")

    def chinese_names(book: Any) -> None:
        for sheet in book.worksheets:
            fmt = file_format(sheet.title)
            assert fmt is not None
            for cell in sheet[1]:
                cell.value = fmt.columns[str(cell.value)]
            sheet.title = fmt.zh

    xlsx_case(
        "chinese_sheets_and_headers", chinese_names, habit="工作表和表头都用中文（课程、课程编号）"
    )

    def other_headers(dataset: Dataset) -> None:
        header, rows = dataset["courses"]
        names = {"hours": "课时", "semester": "学期", "id": "编号", "name": "名称"}
        dataset["courses"] = ([names.get(c, c) for c in header], rows)
        for row in rows:
            for column, title in names.items():
                row[title] = row.pop(column)

    csv_case(
        "other_common_headers",
        other_headers,
        habit="课程表的表头写成 编号、名称、课时、学期（而不是模板的 课程编号、学时、开课学期）",
    )

    def flags(dataset: Dataset) -> None:
        _cells(dataset, "teachers", "T1", dual_qualified="√")
        _cells(dataset, "teachers", "T2", dual_qualified="×")

    csv_case("check_marks_for_yes_no", flags, habit="是/否 写成 √ 和 ×")

    csv_case(
        "isbn_scientific_text",
        lambda d: _cells(d, "textbooks", "B1", isbn="9.787E+12"),
        habit="ISBN 被 Excel 显示成 9.787E+12 后另存为 CSV",
        problems=[
            {
                "file": "textbooks.csv",
                "row": 2,
                "column": "isbn",
                "contains": "ISBN“9.787E+12”被 Excel 当成数字（科学计数法）改写了",
            }
        ],
    )

    xlsx_case(
        "isbn_float_cell",
        lambda book: _set(book["textbooks"], "B1", "isbn", 9.787e12),
        habit="ISBN 单元格是数字（科学计数法），后几位已丢失",
        problems=[
            {
                "file": "工作表 textbooks",
                "row": 2,
                "column": "isbn",
                "contains": "请把 ISBN 列设为“文本”格式",
            }
        ],
    )

    csv_case(
        "wrong_unit",
        lambda d: _cells(d, "courses", "C2", hours="48学分"),
        habit="学时列填了学分单位：48学分",
        problems=[
            {
                "file": "courses.csv",
                "row": 3,
                "column": "hours",
                "contains": "学时应为数字（可带单位 学时、课时），实际为“48学分”：“学分”不是学时的单位",
            }
        ],
    )

    gbk_zip()


class _GbkInfo(zipfile.ZipInfo):
    """A zip entry whose name is stored in GBK without the UTF-8 flag, as Windows does."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def gbk_zip() -> None:
    """The small dataset zipped by Windows' “发送到 → 压缩文件夹”: Chinese names in GBK."""
    folder = _folder("zip_gbk_names")
    members = []
    for stem, (header, rows) in read_small().items():
        fmt = file_format(stem)
        assert fmt is not None
        text = csv_text(header, [[r[c] for c in header] for r in rows])
        members.append((f"数据/{fmt.zh}.csv", text.encode("utf-8-sig")))
    path = folder / "数据.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            info = _GbkInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    _expect(folder, "Windows 压缩的 zip，中文文件名是 GBK 编码（没有 UTF-8 标记）")


if __name__ == "__main__":
    build()
