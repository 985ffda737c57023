"""(Re)generate the ingest fixtures that are binary or derived from the small dataset.

Run from the repository root after changing tests/data/valid/small or this script::

    .venv/bin/python -m tests.make_ingest_fixtures

It rewrites every folder under tests/data/edge/ (the small dataset in another
encoding, delimiter, header language or container; each must load to exactly the
same store as tests/data/valid/small) and the data files of the generated cases
under tests/data/invalid/ (their hand-written ``expected.json`` is left alone).
The output is byte-for-byte deterministic: workbooks and zips get fixed
timestamps, so rerunning it on an unchanged tree changes nothing.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chanjiao.graph.schema import (
    LEVEL_WORDS,
    AbilityCategory,
    Affiliation,
    CompetitionLevel,
    CourseKind,
    OrganizationKind,
    PositionLevel,
    ResourceKind,
    Stage,
    TextbookFormat,
    TextbookKind,
    Tier,
    words_of,
)
from chanjiao.ingest.formats import file_format

DATA = Path(__file__).parent / "data"
SMALL = DATA / "valid" / "small"
EDGE = DATA / "edge"
INVALID = DATA / "invalid"

#: Every zip member and workbook gets this timestamp, so output bytes never change.
FIXED_TIME = (2024, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")

#: The enum behind each enum column of the small dataset, to write it in Chinese words.
ENUM_COLUMNS: dict[tuple[str, str], Any] = {
    ("segments", "stage"): Stage,
    ("enterprises", "tier"): Tier,
    ("organizations", "kind"): OrganizationKind,
    ("positions", "level"): PositionLevel,
    ("abilities", "category"): AbilityCategory,
    ("courses", "kind"): CourseKind,
    ("textbooks", "kind"): TextbookKind,
    ("textbooks", "format"): TextbookFormat,
    ("teachers", "affiliation"): Affiliation,
    ("training_resources", "kind"): ResourceKind,
    ("competitions", "level"): CompetitionLevel,
}
LEVEL_COLUMNS = {("requirements", "level"), ("coverage", "level")}

Header = list[str]
Rows = list[dict[str, str]]
Dataset = dict[str, tuple[Header, Rows]]


# --- reading the small dataset -----------------------------------------------------------


def read_small() -> Dataset:
    """The small dataset as {file stem: (header, rows as {column: text})}, in file order."""
    out: Dataset = {}
    for path in sorted(SMALL.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            out[path.stem] = (list(reader.fieldnames or ()), list(reader))
    return out


def typed(column: str, text: str) -> Any:
    """A cell as a spreadsheet or JSON author would type it: numbers as numbers, 是 as True."""
    if text == "":
        return None
    if column == "dual_qualified":
        return {"是": True, "否": False}[text]
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    return text


# --- writers -----------------------------------------------------------------------------


def csv_text(header: Header, rows: list[list[str]], delimiter: str = ",", eol: str = "\n") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=eol)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_csv_folder(
    folder: Path,
    dataset: Dataset,
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    eol: str = "\n",
    bom: bytes = b"",
    header_of: Callable[[str, str], str] = lambda stem, column: column,
    cell_of: Callable[[str, dict[str, str], str], str] = lambda stem, row, column: row[column],
) -> None:
    """Write `dataset` as CSV files; `header_of` and `cell_of` rewrite headers and cells."""
    folder.mkdir(parents=True, exist_ok=True)
    for stem, (header, rows) in dataset.items():
        text = csv_text(
            [header_of(stem, c) for c in header],
            [[cell_of(stem, row, c) for c in header] for row in rows],
            delimiter,
            eol,
        )
        (folder / f"{stem}.csv").write_bytes(bom + text.encode(encoding))


def normalise_zip(data: bytes) -> bytes:
    """The same archive with fixed timestamps (and a fixed Office 'modified' date)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>2024-01-01T00:00:00Z\g<2>", content)
            info = zipfile.ZipInfo(member.filename, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, content)
    return out.getvalue()


def workbook_bytes(workbook: Any) -> bytes:
    """An openpyxl workbook saved deterministically."""
    from datetime import datetime

    workbook.properties.created = datetime(2024, 1, 1)
    workbook.properties.modified = datetime(2024, 1, 1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return normalise_zip(buffer.getvalue())


def small_workbook() -> Any:
    """The small dataset as one openpyxl workbook, one sheet per file, typed cells."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for stem, (header, rows) in read_small().items():
        sheet = book.create_sheet(stem)
        sheet.append(header)
        for row in rows:
            sheet.append([typed(c, row[c]) for c in header])
    return book


def zip_bytes(members: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return out.getvalue()


# --- edge cases: valid, unusual, each equal to the small dataset -------------------------


def _zh_word(stem: str, row: dict[str, str], column: str) -> str:
    text = row[column]
    if (stem, column) in LEVEL_COLUMNS and text.isdigit():
        return LEVEL_WORDS[int(text)]
    enum = ENUM_COLUMNS.get((stem, column))
    if enum is not None and text:
        by_value = {member.value: words_of(member)[0] for member in enum}
        return by_value.get(text, text)
    return text


#: Multi-valued cells written with every accepted separator (DESIGN §3).
_SEPARATED = {
    ("clusters", "K1", "major_ids"): "M1；M2",
    ("clusters", "K2", "major_ids"): "M3;",
    ("enterprises", "E2", "segment_ids"): "S1, S2",
    ("teachers", "T2", "ability_ids"): "A4\nA1",
}


def build_edge() -> None:
    small = read_small()
    if EDGE.exists():
        shutil.rmtree(EDGE)

    write_csv_folder(EDGE / "bom", small, encoding="utf-8-sig")
    # What Excel in China writes for "CSV (逗号分隔)": GBK and CRLF.
    write_csv_folder(EDGE / "gbk", small, encoding="gbk", eol="\r\n")
    # What Excel writes where the list separator is ';' (Europe); ';' cells get quoted.
    write_csv_folder(EDGE / "semicolon", small, delimiter=";")
    # Excel's "Unicode text": UTF-16 with BOM, tab separated (renamed to .csv).
    write_csv_folder(
        EDGE / "utf16_tab",
        small,
        encoding="utf-16-le",
        bom=codecs.BOM_UTF16_LE,
        delimiter="\t",
        eol="\r\n",
    )

    def separated(stem: str, row: dict[str, str], column: str) -> str:
        return _SEPARATED.get((stem, row.get("id", ""), column), row[column])

    write_csv_folder(EDGE / "separators", small, cell_of=separated)

    def zh_title(stem: str, column: str) -> str:
        if stem in ("chains", "majors") and column in ("id", "name"):
            return {"id": "编号", "name": "名称"}[column]  # the generic aliases
        fmt = file_format(stem)
        assert fmt is not None
        return fmt.columns[column]

    write_csv_folder(EDGE / "zh_headers", small, header_of=zh_title)

    def zh_en(stem: str, column: str) -> str:
        fmt = file_format(stem)
        assert fmt is not None
        title = fmt.columns[column]
        # Half the files as the template writes them, half with full-width brackets.
        return f"{title} ({column})" if len(stem) % 2 else f"{title}（{column}）"

    write_csv_folder(EDGE / "zh_en_headers", small, header_of=zh_en)
    write_csv_folder(EDGE / "zh_words", small, cell_of=_zh_word)

    # A header-only competitions.csv among the other files: loads, with a warning.
    partial = dict(small)
    partial["competitions"] = (small["competitions"][0], [])
    write_csv_folder(EDGE / "header_only", partial)

    (EDGE / "xlsx").mkdir()
    (EDGE / "xlsx" / "small.xlsx").write_bytes(workbook_bytes(small_workbook()))

    (EDGE / "json").mkdir()
    (EDGE / "json" / "small.json").write_text(_json_document(small), encoding="utf-8")
    (EDGE / "json_empty_table").mkdir()
    (EDGE / "json_empty_table" / "small.json").write_text(_json_document(partial), encoding="utf-8")

    members = [
        (f"small/{stem}.csv", csv_text(header, [[r[c] for c in header] for r in rows]).encode())
        for stem, (header, rows) in small.items()
    ]
    # The resource fork a Mac adds when it zips a folder must be skipped.
    members.append(("__MACOSX/small/._courses.csv", b"\x00\x05\x16\x07\x00\x02\x00\x00Mac"))
    (EDGE / "zip").mkdir()
    (EDGE / "zip" / "small.zip").write_bytes(zip_bytes(members))


def _json_document(dataset: Dataset) -> str:
    """One key per file; numbers, booleans and id lists as JSON types; empty cells left out."""
    document: dict[str, list[dict[str, Any]]] = {}
    for stem, (header, rows) in dataset.items():
        records = []
        for row in rows:
            record: dict[str, Any] = {}
            for column in header:
                text = row[column]
                if not text:
                    continue
                if column.endswith("_ids"):
                    record[column] = text.split(";")
                else:
                    record[column] = typed(column, text)
            records.append(record)
        document[stem] = records
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


# --- invalid cases whose data cannot be typed by hand --------------------------------------


def _case(name: str) -> Path:
    """The case folder, emptied of generated data (the hand-written expected.json stays)."""
    folder = INVALID / name
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.iterdir():
        if path.name != "expected.json":
            path.unlink()
    return folder


def build_invalid() -> None:
    from openpyxl import Workbook

    # GBK text with a stray \xff, which starts neither a UTF-8 nor a GB18030 sequence.
    _case("encoding_invalid_bytes").joinpath("courses.csv").write_bytes(
        "id,name,hours\nZ1,电路基础".encode("gbk") + b"\xff,32\n"
    )
    # UTF-16 without the BOM that would say so: every other byte is NUL.
    _case("encoding_utf16le_no_bom").joinpath("courses.csv").write_bytes(
        "id,name,hours\nZ1,电路基础,32\n".encode("utf-16-le")
    )

    book = Workbook()
    book.active.title = "courses"
    book.active.append(["id", "name", "hours"])
    book.active.append(["Z1", "电路基础", 32])
    _case("renamed_xlsx_as_csv").joinpath("courses.csv").write_bytes(workbook_bytes(book))

    empty = _case("empty_file")
    empty.joinpath("courses.csv").write_bytes(b"")
    empty.joinpath("chains.csv").write_text("id,name\nH9,新产业链\n", encoding="utf-8")

    book = Workbook()
    sheet = book.active
    sheet.title = "courses"
    sheet.append(["课程", None, "hours"])
    sheet.append(["Z1", "电路基础", 32])
    sheet.merge_cells("A1:B1")
    _case("xlsx_merged_header").joinpath("courses.xlsx").write_bytes(workbook_bytes(book))

    book = Workbook()
    sheet = book.active
    sheet.title = "courses"
    sheet.append(["id", "name", "hours", "credits"])
    sheet.append(["Z1", "电路基础", 32, 2])
    sheet.append(["Z2", "电路实训", "=16*2", 1])
    _case("xlsx_formula").joinpath("courses.xlsx").write_bytes(workbook_bytes(book))

    book = Workbook()
    sheet = book.active
    sheet.title = "courses"
    sheet.append(["id", "name", "hours"])
    sheet.append(["Z1", "电路基础", 32])
    book.create_sheet("Sheet2").append(["id", "name"])
    _case("xlsx_unknown_sheet").joinpath("courses.xlsx").write_bytes(workbook_bytes(book))

    # 250 rows, each with a non-numeric hours value: 250 problems, 200 listed.
    rows = [[f"Q{n:03d}", f"课程{n}", "很多"] for n in range(1, 251)]
    _case("too_many_errors").joinpath("courses.csv").write_text(
        csv_text(["id", "name", "hours"], rows), encoding="utf-8"
    )


def main() -> None:
    build_edge()
    build_invalid()


if __name__ == "__main__":
    main()
