"""CLI: ingest --sync with its record diff, version save/list/compare, log."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.test_cli import run
from tests.test_yearly import YEAR1, YEAR2


def test_yearly_loop_on_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "y.db")
    assert run("ingest", str(YEAR1), "--user", "王老师", "-s", db)[0] == 0
    code, out, _ = run("version", "save", "2025级", "-s", db)
    assert code == 0 and "2025级" in out and "17 个节点" in out

    code, out, _ = run("ingest", str(YEAR2), "--sync", "--dry-run", "-s", db)
    assert code == 0
    assert "课程能力覆盖（coverage）：新增 2 · 修改 1 · 删除 1" in out
    assert "培养等级：理解(2) → 掌握(3)" in out
    assert "课程 C3 可靠性基础" in out and "学时：64 → （空）" in out
    assert "课程名称：设备维护实训" in out  # a renamed course shows its old name too

    code, out, _ = run("ingest", str(YEAR2), "--sync", "--format", "json", "-s", db, "-u", "李")
    data = json.loads(out)
    assert data["sync"] is True and data["nodes"]["Course"]["removed"] == 1

    code, out, _ = run("version", "compare", "2025级", "-k", "K1", "-c", "H1", "-s", db)
    assert code == 0
    assert "63.9%" in out and "85.0%" in out and "已补上 closed" in out
    code, out, _ = run(
        "version", "compare", "2025级", "-k", "K1", "-c", "H1", "-f", "json", "-s", db
    )
    assert json.loads(out)["coverage"] == {"before": 0.6389, "after": 0.8505}
    code, out, _ = run("version", "compare", "2025级", "-k", "K1", "-c", "H1", "-f", "md", "-s", db)
    assert "| 产业链 功率半导体产业链（H1） | 63.9% | 85.0% | +21.2 |" in out

    code, out, _ = run("log", "--label", "coverage", "--id", "C1", "-f", "json", "-s", db)
    entries = json.loads(out)
    assert [(e["action"], e["author"]) for e in entries] == [("ingest", "王老师"), ("sync", "李")]

    code, _, err = run("version", "compare", "2024级", "-k", "K1", "-c", "H1", "-s", db)
    assert code == 1 and "找不到版本 2024级" in err


def test_names_never_become_markup(tmp_path: Path) -> None:
    folder = tmp_path / "year"
    shutil.copytree(YEAR1, folder)
    courses = folder / "courses.csv"
    text = courses.read_text(encoding="utf-8").replace("半导体工艺", "[red]<script>x</script>")
    courses.write_text(text, encoding="utf-8")
    db = str(tmp_path / "y.db")
    run("ingest", str(YEAR1), "-s", db)
    run("version", "save", "v1", "-s", db)
    code, out, _ = run("ingest", str(folder), "--sync", "-s", db)
    assert code == 0 and "[red]<script>x</script>" in out
    code, out, _ = run("version", "compare", "v1", "-k", "K1", "-c", "H1", "-f", "html", "-s", db)
    assert "<script>x" not in out and "&lt;script&gt;x" in out
    code, out, _ = run("version", "compare", "v1", "-k", "K1", "-c", "H1", "-f", "md", "-s", db)
    assert "<script>" not in out
