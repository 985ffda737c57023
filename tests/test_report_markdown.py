"""The Markdown report against golden files, and the `chanjiao report` command in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.cli import app
from chanjiao.graph.store import GraphStore
from chanjiao.report.html import gather_report
from chanjiao.report.markdown import gap_markdown, report_markdown

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize(
    ("segment", "golden"), [(None, "report_K1_H1.md"), ("S1", "report_K1_H1_S1.md")]
)
def test_markdown_golden(small: GraphStore, segment: str | None, golden: str) -> None:
    data = gather_report(small, "K1", "H1", segment)
    text = report_markdown(data.to_dict(), data.names)
    assert text == (GOLDEN / golden).read_text(encoding="utf-8")
    # The report starts with exactly what `chanjiao gaps --format md` prints.
    assert text.startswith(gap_markdown(data.report, data.names))


def test_report_command_formats(small: GraphStore, tmp_path: Path) -> None:
    runner = CliRunner()
    store = small.location
    base = ["report", "-k", "K1", "-c", "H1", "--store", store]
    result = runner.invoke(app, [*base, "-f", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    expected = analyse_gaps(small, "K1", "H1").to_dict()
    assert {k: v for k, v in data.items() if k not in ("shortfalls", "planning")} == expected
    assert data["shortfalls"]["dual_qualified_teachers"] == []
    assert data["planning"]["eligibility"][0]["eligible"] is True  # IC1 (see test_report_html)
    result = runner.invoke(app, [*base, "-f", "md", "--segment", "S1"])
    assert result.stdout == (GOLDEN / "report_K1_H1_S1.md").read_text(encoding="utf-8")
    for fmt in ("html", "xlsx"):
        target = tmp_path / f"r.{fmt}"
        result = runner.invoke(app, [*base, "-f", fmt, "-o", str(target)])
        assert result.exit_code == 0, result.output
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert load_workbook(tmp_path / "r.xlsx")["环节覆盖 Segments"]["C3"].value == 0.713
    result = runner.invoke(app, ["report", "-k", "K9", "-c", "H1", "--store", store, "-f", "md"])
    assert result.exit_code == 1 and "找不到专业群 K9" in result.output
