"""The export formats and how each is sent (a module of its own: the CLI reads it at start)."""

from __future__ import annotations

from enum import StrEnum


class ExportFormat(StrEnum):
    JSON = "json"
    CSV_DIR = "csv-dir"
    XLSX = "xlsx"


#: Media type and file name suffix of each format when sent as one file.
MEDIA: dict[ExportFormat, tuple[str, str]] = {
    ExportFormat.JSON: ("application/json", ".json"),
    ExportFormat.CSV_DIR: ("application/zip", ".zip"),
    ExportFormat.XLSX: (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".xlsx",
    ),
}
