"""`chanjiao plan …`: every command on the small graph and on the sample college, both formats."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from chanjiao.cli import app, sample_path
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.ingest.load import ingest
from tests.util import DATA, SMALL, dump

runner = CliRunner()

COMMANDS = ["cluster", "what-if", "resources", "path", "partners", "eligibility", "certificates"]


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["plan", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("plan") / "small.db"
    with EmbeddedStore(path) as store:
        ingest(store, SMALL)
        ingest(store, DATA / "plan" / "paths")
    return str(path)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("plan") / "sample.db"
    with EmbeddedStore(path) as store:
        ingest(store, sample_path())
    return str(path)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_is_chinese_first(command: str) -> None:
    result = runner.invoke(app, ["plan", command, "--help"])
    assert result.exit_code == 0
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    assert any("一" <= ch <= "鿿" for ch in lines[1])


def test_what_if_json_and_table(small_db: str) -> None:
    before = dump(EmbeddedStore(small_db))
    code, out, _ = run(
        "what-if", "-k", "K1", "--add", "C4", "--level", "C2:A4=掌握", "-s", small_db, "-f", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["comparison"]["chain"]["after"] == 0.9625  # see tests/test_plan_whatif.py
    assert data["after"]["coverage"] == 0.9625
    assert data["before"]["coverage"] == 0.6792
    code, out, _ = run("what-if", "-k", "K1", "--remove", "C1", "-s", small_db)
    assert code == 0
    assert "67.9% → " in out and "22.9%" in out and "A1" in out
    assert dump(EmbeddedStore(small_db)) == before


def test_what_if_bad_level_is_one_message(small_db: str) -> None:
    code, out, err = run("what-if", "-k", "K1", "--level", "C2-A4", "-s", small_db)
    assert code == 1
    assert "Traceback" not in out + err
    assert "课程:能力=等级" in err and "COURSE:ABILITY=LEVEL" in err
    code, _, err = run("what-if", "-k", "K1", "--add", "C9", "-s", small_db)
    assert code == 1 and "找不到课程 C9" in err and "no course C9" in err


def test_resources(small_db: str) -> None:
    code, out, _ = run("resources", "-k", "K1", "--year", "2025", "-s", small_db, "-f", "json")
    assert code == 0
    data = json.loads(out)
    assert data["summary"] == {
        "dual_qualified_share": 0.0,  # T2 teaches C1 and is not dual-qualified
        "courses_without_dual_teacher": 4,
        "abilities_without_expert": 2,
        "courses_without_textbook": 3,
        "textbook_targets_missed": 3,
        "skills_without_resource": 1,
        "stale": 2,
    }
    code, out, _ = run(
        "resources",
        "-k",
        "K1",
        "--year",
        "2025",
        "--kind-target",
        "校企合作=0",
        "--format-target",
        "活页式=0",
        "--format-target",
        "workbook=0%",
        "-s",
        small_db,
        "-f",
        "json",
    )
    assert json.loads(out)["summary"]["textbook_targets_missed"] == 0
    code, out, _ = run("resources", "-k", "K1", "--year", "2025", "-s", small_db)
    assert code == 0 and "教材体系" in out and "B2" in out
    code, _, err = run("resources", "-k", "K1", "--kind-target", "国家=2", "-s", small_db)
    assert code == 1 and "类别=比例" in err


def test_path(small_db: str) -> None:
    code, out, _ = run(
        "path",
        "PP",
        "-k",
        "KP",
        "--semesters",
        "4",
        "--max-load",
        "2",
        "-s",
        small_db,
        "-f",
        "json",
    )
    assert code == 0
    plan = json.loads(out)["plan"]
    assert [term["courses"] for term in plan] == [["K0", "K4"], ["K1", "K3"], ["K2"], []]
    code, out, _ = run("path", "PP", "-k", "KP", "--semesters", "3", "-s", small_db)
    assert code == 0 and "K0 → K1 → K2 → K3" in out and "O1 → K4" in out


def test_partners_and_eligibility(small_db: str) -> None:
    code, out, _ = run("partners", "-k", "K1", "-s", small_db, "-f", "json")
    assert code == 0
    assert [e["id"] for e in json.loads(out)["enterprises"]] == ["E1", "E2"]
    code, out, _ = run("eligibility", "IC1", "-s", small_db)
    assert code == 0 and "符合申报条件" in out and "由高校牵头" in out
    code, out, _ = run("eligibility", "IC1", "-s", small_db, "-f", "json")
    assert json.loads(out)["eligible"] is True
    code, _, err = run("eligibility", "IC9", "-s", small_db)
    assert code == 1 and "找不到产业学院 IC9" in err


def test_certificates(small_db: str) -> None:
    code, out, _ = run("certificates", "-k", "K1", "-s", small_db, "-f", "json")
    assert code == 0
    assert json.loads(out)["summary"]["without_certificate"] == ["P2", "P3", "P4"]
    code, out, _ = run("certificates", "-k", "K1", "-s", small_db)
    assert code == 0 and "X1" in out and "G1" in out


def test_cluster_on_the_sample(sample_db: str) -> None:
    """On the sample college the exact optimum is at least the greedy value, and the
    current cluster's coverage is the gap report's 71.0% (0.7104)."""
    code, out, _ = run(
        "cluster",
        "--chain",
        "CH-SEMI3",
        "--budget",
        "12",
        "--cluster",
        "K-IC",
        "--method",
        "both",
        "-s",
        sample_db,
        "-f",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["current"]["coverage"] == 0.7104
    assert data["exact"]["status"] == "optimal"
    assert data["exact"]["value"] >= data["greedy"]["value"]
    assert data["gap"]["value"] == pytest.approx(
        data["exact"]["value"] - data["greedy"]["value"], abs=1e-3
    )
    assert len(data["greedy"]["courses"]) <= 12 and len(data["exact"]["courses"]) <= 12
    gains = [p["gain"] for p in data["greedy"]["picks"]]
    assert sum(gains) == pytest.approx(data["greedy"]["value"], abs=1e-3)
    code, out, _ = run(
        "cluster", "--chain", "CH-SEMI3", "--budget", "600", "--by", "hours", "-s", sample_db
    )
    assert code == 0 and "贪心 greedy" in out and "增益 Gain" in out and "61.3%" in out


def test_every_command_on_the_sample(sample_db: str) -> None:
    for args in (
        ("what-if", "-k", "K-IC", "--add", "C-PT-102"),
        ("resources", "-k", "K-IC"),
        ("path", "P-FAB-01", "-k", "K-IC"),
        ("partners", "-k", "K-IC"),
        ("eligibility", "IC-SEMI"),
        ("certificates", "-k", "K-IC"),
    ):
        code, out, err = run(*args, "-s", sample_db)
        assert code == 0, err
        assert out.strip()
