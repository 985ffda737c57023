"""User text that looks like console markup is printed as text, by every command (issue #13).

The sample college is rewritten so that names hold ``[/bold]`` and ``衬底[/]``, ids hold
``[/]``, and the dataset, the store and every output live under paths holding ``[``.
Rich would read those as markup tags (and crash on a closing tag with nothing open);
every command must exit 0 and show them verbatim.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chanjiao.cli import app, sample_path

runner = CliRunner()

RENAMED = {
    "K-IC": "K[/]IC",
    "CH-SEMI3": "CH[/]SEMI3",
    "P-SUB-01": "P[/bold]SUB-01",
    "A-D01": "A[red]D01",
    "C-GE-101": "C[/]GE-101",
}
COURSE = RENAMED["C-GE-101"]


def markup_dataset(folder: Path) -> Path:
    """The sample college with markup-like names and ids, in a folder named with ``[``."""
    target = folder / "data[1]"
    target.mkdir(parents=True)
    for source in sample_path().glob("*.csv"):
        with source.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
            columns = list(rows[0]) if rows else []
        for row in rows:
            for column, value in row.items():
                if column == "name" and value:
                    row[column] = f"[/bold]{value}" if value != "衬底" else "衬底[/]"
                elif column == "id" or column.endswith(("_id", "_ids")):
                    row[column] = ";".join(RENAMED.get(p, p) for p in value.split(";"))
        if not columns:
            shutil.copy(source, target / source.name)
            continue
        with (target / source.name).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, columns)
            writer.writeheader()
            writer.writerows(rows)
    return target


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """(work folder, dataset, store path); the store path holds ``[`` too."""
    work = tmp_path_factory.mktemp("markup")
    data = markup_dataset(work)
    store_dir = work / "st[ore]"
    store_dir.mkdir()
    store = str(store_dir / "db[1].db")
    result = runner.invoke(app, ["ingest", str(data), "-s", store], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    return work, data, store


def commands(work: Path, data: Path, store: str) -> list[list[str]]:
    k, ch, p, a = RENAMED["K-IC"], RENAMED["CH-SEMI3"], RENAMED["P-SUB-01"], RENAMED["A-D01"]
    out = str(work / "out[1]")
    s = ["-s", store]
    return [
        ["ingest", str(data), *s],
        ["ingest", str(data), "--dry-run", *s],
        ["stats", *s],
        ["gaps", "-k", k, "-c", ch, *s],
        ["gaps", "-k", k, "-c", ch, "-f", "md", *s],
        ["gaps", "-k", k, "-c", ch, "-f", "json", "-o", f"{out}-gaps.json", *s],
        ["align", "course", COURSE, *s],
        ["align", "position", p, *s],
        ["report", "-k", k, "-c", ch, "-o", f"{out}.html", *s],
        ["export", "-o", f"{out}.json", *s],
        ["copy", store, str(work / "st[ore]" / "copy[1].db")],
        ["viz", "focus", COURSE, "-o", f"{out}-focus.html", *s],
        ["viz", "cluster", "-k", k, "-c", ch, "-o", f"{out}-cluster.html", *s],
        ["viz", "gap", a, "-k", k, "-c", ch, "-o", f"{out}-gap.html", *s],
        ["viz", "path", p, "-o", f"{out}-path.html", *s],
        ["plan", "cluster", "-c", ch, "-b", "20", *s],
        ["plan", "what-if", "-k", k, "--remove", COURSE, *s],
        ["plan", "resources", "-k", k, "--year", "2026", *s],
        ["plan", "path", p, "-k", k, *s],
        ["plan", "partners", "-k", k, *s],
        ["plan", "eligibility", "IC-SEMI", *s],
        ["plan", "certificates", "-k", k, *s],
        ["export", "case", "-o", f"{out}-case.json", *s],
        ["catalog", "search", "[/]集成电路"],
        ["template", "-o", f"{out}-template.xlsx"],
        ["demo", "-o", str(work / "demo[1]")],
    ]


def test_every_command_prints_markup_as_text(loaded: tuple[Path, Path, str]) -> None:
    work, data, store = loaded
    for args in commands(work, data, store):
        result = runner.invoke(app, args, env={"COLUMNS": "250"})
        shown = result.stdout + result.stderr
        assert result.exit_code == 0, f"{args}: {shown}\n{result.exception!r}"
        assert "Traceback" not in shown, args
        assert "MarkupError" not in shown, args


def test_names_ids_and_paths_appear_verbatim(loaded: tuple[Path, Path, str]) -> None:
    _, _, store = loaded
    k, ch = RENAMED["K-IC"], RENAMED["CH-SEMI3"]
    result = runner.invoke(app, ["gaps", "-k", k, "-c", ch, "-s", store], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    assert "衬底[/] (SEG-SUB)" in result.stdout  # the segment table
    assert f"（{k}）" in result.stdout and f"（{ch}）" in result.stdout
    assert "[/bold]" in result.stdout  # names keep their brackets
    result = runner.invoke(app, ["stats", "-s", store], env={"COLUMNS": "250"})
    assert "st[ore]" in result.stdout  # the table title (wrapped where the path is long)
    result = runner.invoke(app, ["stats", "--json", "-s", store])
    assert json.loads(result.stdout)["store"] == store
    result = runner.invoke(app, ["align", "course", COURSE, "-s", store], env={"COLUMNS": "250"})
    assert f"（{COURSE}）" in result.stdout


def test_search_words_with_markup_are_shown_as_typed() -> None:
    result = runner.invoke(app, ["catalog", "search", "[/]集成[bold]电路"], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    assert "“[/]集成[bold]电路”" in result.stdout and "\\[" not in result.stdout


def test_errors_and_warnings_with_markup_are_text(loaded: tuple[Path, Path, str]) -> None:
    _, _, store = loaded
    result = runner.invoke(app, ["gaps", "-k", "K[/]X", "-c", "[bold]", "-s", store])
    assert result.exit_code == 1
    assert "K[/]X" in result.stderr and "Traceback" not in result.stderr
    result = runner.invoke(app, ["stats", "-s", "/no[/]where/x.db"])
    assert result.exit_code == 1
    assert "/no[/]where" in result.stderr
