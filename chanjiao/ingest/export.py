"""Export a store as a dataset the ingest reads back unchanged (DESIGN §3).

Nodes become rows of their file; relationships become the id columns they were read
from (``courses.major_ids``, ``core_major_ids`` from the ``core`` flag of
``IN_MAJOR``, ``prerequisite_ids``, ``clusters.major_ids`` from ``IN_CLUSTER`` …) or
rows of the relationship files (offers, requirements, coverage, partners). Loading
an export into an empty store gives the same graph: that is the test.

Formats: ``json`` (one document), ``csv-dir`` (a folder of UTF-8 CSV files, or a
zip of them over HTTP) and ``xlsx``: the layout of `chanjiao template` (a 说明 sheet,
one sheet per file with headers such as ``课程编号 (id)``, dropdowns), enum and level
words in Chinese and 是/否, so a designer edits the export like the template they
filled and loading it back unedited changes nothing. In a workbook, a text
cell starting with ``= + - @`` is written as a text cell with Excel's quote prefix
(what typing a leading ``'`` does), so no spreadsheet runs it as a formula.
"""

from __future__ import annotations

import csv
import io
import json
import typing
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chanjiao.errors import InvalidRequest
from chanjiao.graph.schema import (
    LEVEL_WORDS,
    PERSONAL_LABELS,
    PERSONAL_RELS,
    Rel,
    parse_choice,
    words_of,
)
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.formats import FILES, FileFormat
from chanjiao.ingest.media import MEDIA as MEDIA  # re-exported: the API reads both here
from chanjiao.ingest.media import ExportFormat as ExportFormat
from chanjiao.ingest.template import template_workbook

#: Text a spreadsheet would run as a formula (or, for tab and CR, re-parse).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


#: One row of a dataset file (exported, or built by an importer): column → cell value.
DatasetRow = dict[str, Any]


@dataclass
class ExportedDataset:
    """The rows of every non-empty file, in file order, and what could not be expressed.

    Attributes:
        tables: file name → rows (column → value; lists for multi-valued columns).
        warnings: relationships a single-valued column cannot hold (e.g. a segment
            PART_OF two chains): the first id (by id order) is exported, the others are
            named here.
    """

    tables: dict[str, list[DatasetRow]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(len(rows) for rows in self.tables.values())


def is_multi(fmt: FileFormat, column: str) -> bool:
    """Whether a column holds several ids (``major_ids``) rather than one."""
    annotation = fmt.model.model_fields[column].annotation
    return typing.get_origin(annotation) is tuple


def node_rows(
    store: GraphStore,
    fmt: FileFormat,
    ids: list[str] | None = None,
    warnings: list[str] | None = None,
) -> list[DatasetRow]:
    """The rows of a node file: every node of its label, or those of `ids`, by id.

    The API reuses this to fill the required columns of a partial update.
    """
    assert fmt.label is not None
    label = fmt.label
    with store.reading():
        nodes = store.nodes(label, ids)
        linked: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        cores: dict[str, list[str]] = defaultdict(list)
        for link in fmt.links:
            wanted = sorted(nodes) if ids is not None else None
            if link.outgoing:
                for r in store.relationships(link.rel, src_ids=wanted):
                    if r.src_label is label and r.dst_label is link.target:
                        linked[r.src][link.column].append(r.dst)
                        if link.rel is Rel.IN_MAJOR and r.props.get("core"):
                            cores[r.src].append(r.dst)
            else:
                for r in store.relationships(link.rel, dst_ids=wanted):
                    if r.dst_label is label and r.src_label is link.target:
                        linked[r.dst][link.column].append(r.src)
    rows = []
    for node_id in sorted(nodes):
        node = nodes[node_id]
        row: DatasetRow = {"id": node_id, "name": node.name}
        for column in fmt.property_columns:
            value = node.props.get(column)
            if value is not None and column != "name":
                row[column] = value
        for link in fmt.links:
            found = sorted(set(linked[node_id].get(link.column, ())))
            if not found:
                continue
            if is_multi(fmt, link.column):
                row[link.column] = found
            else:
                row[link.column] = found[0]
                if len(found) > 1 and warnings is not None:
                    warnings.append(
                        f"{fmt.name}.csv {node_id}: {link.column} 只能有一个值，"
                        f"已导出 {found[0]}，未导出 {', '.join(found[1:])} "
                        f"({link.column} holds one id; {', '.join(found[1:])} not exported)"
                    )
        if fmt.name == "courses" and cores.get(node_id):
            row["core_major_ids"] = sorted(set(cores[node_id]))
        rows.append(row)
    return rows


def edge_rows(store: GraphStore, fmt: FileFormat) -> list[DatasetRow]:
    """The rows of a relationship file (offers, requirements, coverage, partners)."""
    edge = fmt.edge
    assert edge is not None
    rows = []
    for r in store.relationships(edge.rel):
        if r.src_label not in edge.src_labels or r.dst_label is not edge.dst_label:
            continue
        row: DatasetRow = {edge.src_column: r.src, edge.dst_column: r.dst}
        for column in edge.props:
            if r.props.get(column) is not None:
                row[column] = r.props[column]
        rows.append(row)
    rows.sort(key=lambda row: (str(row[edge.src_column]), str(row[edge.dst_column])))
    return rows


def is_personal(fmt: FileFormat) -> bool:
    """Whether a file holds personal data (students, their results and certificates)."""
    if fmt.edge is not None:
        return fmt.edge.rel in PERSONAL_RELS
    return fmt.label in PERSONAL_LABELS


def export_dataset(
    store: GraphStore, *, personal: bool = True, pseudonymise: bool = False
) -> ExportedDataset:
    """Everything in the store as dataset rows, read from one snapshot.

    Args:
        personal: include the files of students (DESIGN §4b: personal data).
        pseudonymise: replace each student's name by a stable pseudonym.
    """
    from chanjiao.analysis.talent import pseudonym

    out = ExportedDataset()
    with store.reading():
        for fmt in FILES:
            if not personal and is_personal(fmt):
                continue
            rows = (
                edge_rows(store, fmt)
                if fmt.edge is not None
                else node_rows(store, fmt, warnings=out.warnings)
            )
            if pseudonymise and fmt.label in PERSONAL_LABELS:
                rows = [row | {"name": pseudonym(str(row["id"]))} for row in rows]
            if rows:
                out.tables[fmt.name] = rows
    return out


# --- writing ------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _columns(fmt: FileFormat, rows: list[DatasetRow]) -> list[str]:
    used = {column for row in rows for column in row}
    return [c for c in fmt.columns if c in used or c in fmt.required]


def to_json(dataset: ExportedDataset) -> bytes:
    return (json.dumps(dataset.tables, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def to_csv_files(dataset: ExportedDataset) -> dict[str, bytes]:
    """``name.csv`` → UTF-8 (with BOM, so Excel in China opens it right) CSV bytes."""
    files = {}
    by_name = {f.name: f for f in FILES}
    for name, rows in dataset.tables.items():
        columns = _columns(by_name[name], rows)
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else _cell_text(row[c]) for c in columns])
        files[f"{name}.csv"] = buffer.getvalue().encode("utf-8-sig")
    return files


def to_zip(dataset: ExportedDataset) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in to_csv_files(dataset).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def xlsx_cell(fmt: FileFormat, column: str, value: Any) -> Any:
    """A value as the template's user types it: enum and level words in Chinese, 是/否,
    several ids joined by ``;``; numbers stay numbers."""
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if fmt.is_level(column) and isinstance(value, int) and value in LEVEL_WORDS:
        return LEVEL_WORDS[value]
    enum = fmt.enum_of(column)
    if enum is not None and isinstance(value, str):
        member = parse_choice(enum, value)
        if member is not None:
            return words_of(member)[0]
    return value


def to_xlsx(dataset: ExportedDataset) -> bytes:
    """The template's workbook (说明 sheet, every file's sheet with Chinese headers and
    dropdowns) with the rows filled in, so loading it back changes nothing. Text that
    looks like a formula stays text (quote prefix)."""
    workbook = template_workbook({name: len(rows) for name, rows in dataset.tables.items()})
    by_name = {f.name: f for f in FILES}
    for name, rows in dataset.tables.items():
        fmt = by_name[name]
        sheet = workbook[name]
        columns = list(fmt.columns)
        for number, row in enumerate(rows, start=2):
            for index, column in enumerate(columns, start=1):
                value = row.get(column)
                if value is None:
                    continue
                value = xlsx_cell(fmt, column, value)
                cell = sheet.cell(row=number, column=index)
                cell.value = value
                if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_bytes(dataset: ExportedDataset, fmt: ExportFormat) -> bytes:
    """The dataset as one file: JSON, a zip of CSV files, or a workbook."""
    if fmt is ExportFormat.JSON:
        return to_json(dataset)
    if fmt is ExportFormat.CSV_DIR:
        return to_zip(dataset)
    return to_xlsx(dataset)


def write_export(
    store: GraphStore, fmt: ExportFormat, path: Path, *, pseudonymise: bool = False
) -> ExportedDataset:
    """Export the store to `path`: a .json or .xlsx file, or a folder of CSV files.

    Raises:
        InvalidRequest: for ``csv-dir``, `path` is a file or a folder already holding
            CSV files (re-loading it would mix old files in).
    """
    dataset = export_dataset(store, pseudonymise=pseudonymise)
    if fmt is ExportFormat.CSV_DIR:
        write_csv_folder(to_csv_files(dataset), path)
    else:
        path.write_bytes(export_bytes(dataset, fmt))
    return dataset


def write_csv_folder(files: dict[str, bytes], path: Path) -> None:
    """Write CSV files into `path`, a new folder or one holding no CSV file.

    Raises:
        InvalidRequest: `path` is a file, or a folder already holding CSV files
            (re-loading it would mix old files in).
    """
    if path.exists() and not path.is_dir():
        raise InvalidRequest(
            f"{path} 是文件；CSV 数据集需要一个文件夹",
            f"{path} is a file; a CSV dataset is written as a folder",
        )
    if path.is_dir() and any(p.suffix.lower() == ".csv" for p in path.iterdir()):
        raise InvalidRequest(
            f"文件夹 {path} 中已有 CSV 文件；请换一个空文件夹",
            f"the folder {path} already holds CSV files; choose an empty folder",
        )
    path.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (path / name).write_bytes(data)


__all__ = [
    "MEDIA",
    "ExportFormat",
    "ExportedDataset",
    "edge_rows",
    "export_bytes",
    "export_dataset",
    "node_rows",
    "write_csv_folder",
    "write_export",
]
