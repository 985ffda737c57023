"""The CLI: thin commands, clean errors, the documented output formats."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.cli import app
from chanjiao.graph.embedded import EmbeddedStore
from tests.util import DATA, SMALL

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "cli.db")


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_ingest_then_reingest(db: str) -> None:
    code, out, _ = run("ingest", str(SMALL), "--store", db)
    assert code == 0
    assert "Course" in out and "5" in out
    code, out, _ = run("ingest", str(SMALL), "--store", db)
    assert code == 0
    assert "没有变化" in out


def test_dry_run_writes_nothing(db: str) -> None:
    code, out, _ = run("ingest", str(SMALL), "--store", db, "--dry-run", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["dry_run"] is True
    assert result["nodes"]["Course"] == {"added": 5, "updated": 0, "unchanged": 0}
    with EmbeddedStore(db) as store:
        assert sum(store.stats().nodes.values()) == 0


def test_bad_dataset_is_one_clear_message(db: str) -> None:
    code, out, err = run("ingest", str(DATA / "invalid" / "bad_level"), "--store", db)
    assert code == 1
    assert "Traceback" not in out + err
    assert "requirements.csv" in err and "第 " in err and "level" in err
    assert "未写入任何数据" in err


def test_gaps_json_is_the_analysis(db: str) -> None:
    run("ingest", str(SMALL), "--store", db)
    code, out, _ = run(
        "gaps", "--cluster", "K1", "--chain", "H1", "--format", "json", "--store", db
    )
    assert code == 0
    with EmbeddedStore(db) as store:
        assert json.loads(out) == analyse_gaps(store, "K1", "H1").to_dict()


def test_gaps_markdown_and_table(db: str, tmp_path: Path) -> None:
    run("ingest", str(SMALL), "--store", db)
    target = tmp_path / "gaps.md"
    code, _, _ = run(
        "gaps",
        "-k",
        "K1",
        "-c",
        "H1",
        "--segment",
        "S1",
        "-f",
        "md",
        "-o",
        str(target),
        "--store",
        db,
    )
    assert code == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# 专业群能力差距分析报告")
    assert "外延表征（A3）" in text and "71.3%" in text
    code, out, _ = run("gaps", "-k", "K1", "-c", "H1", "--store", db)
    assert code == 0
    assert "67.9%" in out and "切磨抛" in out


def test_unknown_ids_and_bad_store(db: str, tmp_path: Path) -> None:
    run("ingest", str(SMALL), "--store", db)
    code, _, err = run("gaps", "-k", "K9", "-c", "H1", "--store", db)
    assert code == 1 and "找不到专业群 K9" in err
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("hello")
    code, _, err = run("stats", "--store", str(not_a_db))
    assert code == 1 and "不是 chanjiao 数据库" in err
    code, _, err = run("stats", "--store", "redis://localhost/1")
    assert code == 1 and "不支持的存储地址" in err


def test_align_commands(db: str) -> None:
    run("ingest", str(SMALL), "--store", db)
    code, out, _ = run("align", "course", "C2", "--format", "json", "--store", db)
    assert code == 0
    assert {p["id"]: p["share"] for p in json.loads(out)["positions"]} == {
        "P1": 0.25,
        "P2": 0.1667,
        "P3": 0.375,
    }
    code, out, _ = run("align", "position", "P1", "--store", db)
    assert code == 0
    flat = re.sub(r"\s+", " ", re.sub(r"\(第\d学期\)", "", out))
    assert "半导体材料 → 光刻工艺 → 外延与表征" in flat


def test_stats_and_store_from_environment(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHANJIAO_STORE", db)
    run("ingest", str(SMALL))
    code, out, _ = run("stats", "--json")
    assert code == 0
    stats = json.loads(out)
    assert stats["store"] == db
    assert stats["nodes"]["Position"] == 5 and stats["relationships"]["COVERS"] == 6


def test_template_is_a_workbook(tmp_path: Path) -> None:
    target = tmp_path / "模板.xlsx"
    code, _, _ = run("template", "-o", str(target))
    assert code == 0
    book = openpyxl.load_workbook(target)
    assert book.sheetnames[0] == "说明"
    assert book["courses"]["A1"].value == "课程编号 (id)"


def test_demo_writes_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CHANJIAO_STORE", raising=False)
    code, out, _ = run("demo", "-o", "demo")
    assert code == 0
    report = json.loads((tmp_path / "demo" / "gaps.json").read_text(encoding="utf-8"))
    assert 0.4 < report["coverage"] < 0.85
    assert (tmp_path / "demo" / "gaps.md").read_text(encoding="utf-8").startswith("# ")
    assert "gaps.json" in out and "总体覆盖率" in out
    # The demo loads into the store every command reads by default: no --store needed.
    assert (tmp_path / "chanjiao.db").exists()
    code, out, _ = run("gaps", "-k", "K-IC", "-c", "CH-SEMI3", "--format", "json")
    assert code == 0 and json.loads(out)["coverage"] == report["coverage"]
    # Running it again on a store holding exactly the sample changes nothing.
    code, out, _ = run("demo", "-o", "demo")
    assert code == 0


def test_demo_refuses_a_store_with_other_data(db: str) -> None:
    run("ingest", str(SMALL), "--store", db)
    with EmbeddedStore(db) as store:
        before = store.stats()
    code, _, err = run("demo", "--store", db, "-o", str(Path(db).parent / "demo"))
    assert code == 1
    assert "已有其他数据" in err and "--force" in err
    with EmbeddedStore(db) as store:
        assert store.stats() == before
    code, _, _ = run("demo", "--store", db, "-o", str(Path(db).parent / "demo"), "--force")
    assert code == 0
    with EmbeddedStore(db) as store:
        assert sum(store.stats().nodes.values()) > sum(before.nodes.values())


def test_demo_refuses_to_overwrite_a_sample_record(db: str, tmp_path: Path) -> None:
    """A store with only sample ids, one of them edited, is someone's data too."""
    run("demo", "--store", db, "-o", str(tmp_path / "demo"))
    with EmbeddedStore(db) as store:
        from chanjiao.graph.schema import Label

        course = store.nodes(Label.COURSE, ["C-IC-108"])["C-IC-108"]
    edited = tmp_path / "edit"
    edited.mkdir()
    (edited / "courses.csv").write_text(f"id,name\nC-IC-108,{course.name}（校本）\n", "utf-8")
    assert run("ingest", str(edited), "--store", db)[0] == 0
    code, _, err = run("demo", "--store", db, "-o", str(tmp_path / "demo"))
    assert code == 1 and "1 项会被示例改写" in err


READ_COMMANDS = [
    ["gaps", "-k", "K-IC", "-c", "CH-SEMI3"],
    ["align", "course", "C-IC-108"],
    ["align", "position", "P-FAB-01"],
    ["stats"],
    ["viz", "cluster", "-k", "K-IC", "-c", "CH-SEMI3", "-o", "v.html"],
    ["report", "-k", "K-IC", "-c", "CH-SEMI3", "-f", "md", "-o", "r.md"],
    ["plan", "resources", "-k", "K-IC", "-c", "CH-SEMI3"],
    ["export", "-o", "x.json"],
]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=[" ".join(c[:2]) for c in READ_COMMANDS])
def test_read_command_on_a_missing_store_creates_nothing(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CHANJIAO_STORE", raising=False)
    code, out, err = run(*command, "--store", "mistyped.db")
    assert code == 1
    assert "数据库 mistyped.db 不存在，未创建任何文件" in err
    assert "chanjiao ingest" in err and "chanjiao demo --store mistyped.db" in err
    assert "Traceback" not in out + err
    code, _, err = run(*command)  # the default store, ./chanjiao.db
    assert code == 1 and "数据库 chanjiao.db（默认位置）不存在" in err
    assert list(tmp_path.iterdir()) == []


def test_missing_store_named_by_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHANJIAO_STORE", str(tmp_path / "env.db"))
    code, _, err = run("stats")
    assert code == 1 and "来自环境变量 CHANJIAO_STORE" in err
    assert not (tmp_path / "env.db").exists()


def test_cli_and_server_ignore_dotenv_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Neither the CLI nor the API settings read ./.env: both see the same store."""
    from chanjiao.api.settings import Settings
    from chanjiao.config import store_location

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CHANJIAO_STORE", raising=False)
    (tmp_path / ".env").write_text("CHANJIAO_STORE=from-dotenv.db\n", encoding="utf-8")
    assert Settings().store is None
    assert store_location() == "chanjiao.db"
    monkeypatch.setenv("CHANJIAO_STORE", "from-env.db")
    assert Settings().store == store_location() == "from-env.db"


def test_module_entry_point_has_no_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "chanjiao",
            "gaps",
            "-k",
            "K1",
            "-c",
            "H1",
            "--store",
            str(tmp_path / "missing-dir" / "x.db"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "x.db 不存在" in proc.stderr


def test_notices_are_printed_as_text_not_markup(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "chains.csv").write_text("id,name,[red]备注[/red]\nH7,产业链,x\n", "utf-8")
    code, _, err = run("ingest", str(folder), "--store", db)
    assert code == 0
    assert "提示 notice" in err and "[red]备注[/red]" in err


def test_dry_run_on_a_store_to_be_created_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "new.db"
    code, out, _ = run("ingest", str(SMALL), "--store", str(target), "--dry-run", "--json")
    assert code == 0
    assert json.loads(out)["nodes"]["Course"] == {"added": 5, "updated": 0, "unchanged": 0}
    assert list(tmp_path.iterdir()) == []
