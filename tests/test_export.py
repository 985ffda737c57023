"""Export → ingest into a fresh store gives the same graph, in every format.

Also: formula-looking text is neutralised in workbooks, relationships a single-valued
column cannot hold are reported, and `chanjiao export` writes each format.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from chanjiao.cli import app, sample_path
from chanjiao.errors import InvalidRequest
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.schema import Label, Node, Rel, Relationship
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.export import (
    ExportFormat,
    export_bytes,
    export_dataset,
    write_export,
)
from chanjiao.ingest.load import ingest
from tests.util import SMALL, dump

TARGETS = {
    ExportFormat.JSON: "out.json",
    ExportFormat.CSV_DIR: "out",
    ExportFormat.XLSX: "out.xlsx",
}


def round_trip(store: GraphStore, fmt: ExportFormat, tmp_path: Path) -> GraphStore:
    target = tmp_path / TARGETS[fmt]
    write_export(store, fmt, target)
    fresh = EmbeddedStore(tmp_path / f"fresh-{fmt}.db")
    ingest(fresh, target)
    return fresh


@pytest.mark.parametrize("fmt", list(ExportFormat))
@pytest.mark.parametrize("dataset", [SMALL, sample_path()], ids=["small", "sample"])
def test_round_trip(store: GraphStore, fmt: ExportFormat, dataset: Path, tmp_path: Path) -> None:
    ingest(store, dataset)
    fresh = round_trip(store, fmt, tmp_path)
    assert dump(fresh) == dump(store)
    assert sum(fresh.stats().relationships.values()) > 0
    fresh.close()


def test_multi_valued_columns_come_from_relationships(small: GraphStore) -> None:
    tables = export_dataset(small).tables
    courses = {row["id"]: row for row in tables["courses"]}
    assert courses["C1"]["major_ids"] == ["M1"]
    assert courses["C1"]["core_major_ids"] == ["M1"]  # IN_MAJOR core flag
    assert "core_major_ids" not in courses["C2"]
    assert courses["C2"]["prerequisite_ids"] == ["C1"]
    assert {row["id"]: row["major_ids"] for row in tables["clusters"]} == {
        "K1": ["M1", "M2"],
        "K2": ["M3"],
    }
    assert tables["partners"] == [  # PARTNER_OF rows, ordered by (partner, college)
        {"college_id": "IC1", "partner_id": "E1", "role": "共建企业"},
        {"college_id": "IC1", "partner_id": "U1", "role": "牵头单位"},
    ]
    supports = {row["id"]: row for row in tables["training_resources"]}
    assert supports["R1"]["ability_ids"] == ["A5"] and "course_ids" not in supports["R1"]
    assert supports["R2"]["course_ids"] == ["C2"] and supports["R2"]["enterprise_id"] == "E2"
    requirements = {(r["position_id"], r["ability_id"]): r for r in tables["requirements"]}
    assert requirements[("P1", "A3")] == {
        "position_id": "P1",
        "ability_id": "A3",
        "level": 4,
        "weight": 1.0,
    }


RISKY = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"]


def test_workbook_never_holds_a_formula(store: GraphStore, tmp_path: Path) -> None:
    """Text starting with = + - @ is written as quote-prefixed text, never as a formula."""
    store.write(
        [Node(Label.INDUSTRY_CHAIN, f"H{i}", {"name": name}) for i, name in enumerate(RISKY)], []
    )
    data = export_bytes(export_dataset(store), ExportFormat.XLSX)
    (tmp_path / "x.xlsx").write_bytes(data)
    sheet = openpyxl.load_workbook(tmp_path / "x.xlsx")["chains"]
    names = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    for i, text in enumerate(RISKY):
        cell = names[f"H{i}"]
        assert cell.value == text
        assert cell.data_type == "s"
        assert cell.quotePrefix
    assert b"<f>" not in _sheet_xml(tmp_path / "x.xlsx")


def _sheet_xml(path: Path) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return b"".join(
            archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")
        )


def test_formula_like_text_round_trips(store: GraphStore, tmp_path: Path) -> None:
    """Every risky text comes back unchanged from a workbook, JSON and CSV.

    The workbook holds it as quote-prefixed text, which the reader accepts; a real
    formula cell is still refused (tests/data/invalid/xlsx_formula).
    """
    store.write(
        [Node(Label.INDUSTRY_CHAIN, f"H{i}", {"name": name}) for i, name in enumerate(RISKY)], []
    )
    for fmt in (ExportFormat.JSON, ExportFormat.CSV_DIR):
        fresh = round_trip(store, fmt, tmp_path)
        assert dump(fresh) == dump(store)
        fresh.close()
    fresh = round_trip(store, ExportFormat.XLSX, tmp_path)
    assert dump(fresh) == dump(store)
    fresh.close()


def test_single_valued_column_with_two_relationships_is_reported(small: GraphStore) -> None:
    small.write(
        [], [Relationship(Rel.PART_OF, Label.CHAIN_SEGMENT, "S1", Label.INDUSTRY_CHAIN, "H2")]
    )
    dataset = export_dataset(small)
    segment = next(row for row in dataset.tables["segments"] if row["id"] == "S1")
    assert segment["chain_id"] == "H1"
    assert len(dataset.warnings) == 1 and "H2" in dataset.warnings[0]


def test_csv_dir_refuses_a_folder_with_csv_files(small: GraphStore, tmp_path: Path) -> None:
    (tmp_path / "old.csv").write_text("id,name\n")
    with pytest.raises(InvalidRequest):
        write_export(small, ExportFormat.CSV_DIR, tmp_path)


def test_cli_export(tmp_path: Path) -> None:
    location = tmp_path / "cli.db"
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(SMALL), "--store", str(location)]).exit_code == 0
    for fmt, name in (("json", "d.json"), ("csv-dir", "d"), ("xlsx", "d.xlsx")):
        result = runner.invoke(
            app, ["export", "--format", fmt, "-o", str(tmp_path / name), "--store", str(location)]
        )
        assert result.exit_code == 0, result.output
        assert "60" in result.output  # rows
    assert json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))["chains"][0]["id"] == "H1"
    assert (tmp_path / "d" / "courses.csv").read_bytes().startswith(b"\xef\xbb\xbfid,name")
    result = runner.invoke(
        app, ["export", "--format", "csv-dir", "-o", str(tmp_path / "d"), "--store", str(location)]
    )
    assert result.exit_code == 1
    assert "CSV" in result.output


def test_xlsx_export_has_the_template_layout(small: GraphStore, tmp_path: Path) -> None:
    from chanjiao.ingest.template import write_template

    write_export(small, ExportFormat.XLSX, tmp_path / "export.xlsx")
    write_template(tmp_path / "template.xlsx")
    exported = openpyxl.load_workbook(tmp_path / "export.xlsx")
    template = openpyxl.load_workbook(tmp_path / "template.xlsx")
    assert exported.sheetnames == template.sheetnames
    assert exported.sheetnames[0] == "说明"
    for name in template.sheetnames[1:]:
        assert [c.value for c in exported[name][1]] == [c.value for c in template[name][1]]
        dropdowns = {
            str(v.sqref).split(":")[0][:-1] for v in exported[name].data_validations.dataValidation
        }
        assert dropdowns == {
            str(v.sqref).split(":")[0][:-1] for v in template[name].data_validations.dataValidation
        }
    courses = {r[0].value: r for r in exported["courses"].iter_rows(min_row=2)}
    assert exported["courses"]["E1"].value == "课程类型 (kind)"
    assert courses["C2"][4].value == "理实一体"  # integrated, in the template's words
    assert courses["C5"][4].value == "理论"
    coverage = {
        (r[0].value, r[1].value): r[2].value for r in exported["coverage"].iter_rows(min_row=2)
    }
    assert coverage[("C1", "A1")] == "掌握" and coverage[("C2", "A4")] == "了解"
    teachers = {r[0].value: r[2].value for r in exported["teachers"].iter_rows(min_row=2)}
    assert teachers == {"T1": "是", "T2": "否"}
    segments = {r[0].value: r[3].value for r in exported["segments"].iter_rows(min_row=2)}
    assert segments["S2"] == "中游"


def test_demo_export_ingests_back_with_nothing_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """demo store → export --format xlsx → ingest --dry-run: 0 added, 0 updated."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CHANJIAO_STORE", raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "-o", "demo"]).exit_code == 0
    result = runner.invoke(app, ["export", "--format", "xlsx", "-o", "我的数据.xlsx"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["ingest", "我的数据.xlsx", "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)
    groups = [*counts["nodes"].values(), *counts["relationships"].values()]
    assert sum(c["unchanged"] for c in groups) > 900
    assert sum(c["added"] + c["updated"] for c in groups) == 0
    assert counts["warnings"] == []
