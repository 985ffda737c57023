"""Talent readiness (DESIGN §4b) on tests/data/valid/talent, computed by hand, on every store.

The graph: chain H1 with segments S1 (order 1) and S2 (order 2).

    P1 (S1, demand 2) requires A1 level 3 weight 2, A2 level 2 weight 1
    P2 (S1, demand 1) requires A3 level 4 weight 1
    P3 (S2)           requires nothing (unmodelled: not scored)
    P4 (S2, demand 3) requires A2 level 1 weight 1

    C1 covers A1 at 3; C2 covers A2 at 2 and A1 at 1; C3 covers A3 at 2; X1 certifies A3.

    S1 (2023, M1): C1 score 85 (passes by score), C2 passed 是 (passes by yes/no)
                   attained A1 3, A2 2
    S2 (2023, M1): C1 score 59 (fails), C2 score 60 (passes)
                   attained A1 1 (from C2), A2 2
    S3 (2023, M2): C3 score 90, holds X1 (certificate level 3 > C3's 2)
                   attained A3 3
    S4 (2024, M1): C2 passed 否 (fails): attains nothing

Readiness = Σ w·min(attained, r)/r ÷ Σ w:

    P1: S1 (2·1 + 1·1)/3 = 1;  S2 (2·1/3 + 1·1)/3 = 5/9 = 0.5556;  S3, S4 0
    P2: S3 3/4 = 0.75; the others 0
    P4: S1 1, S2 1, S3 0, S4 0

Cohort 2023 at threshold 0.8: P1 1/3, P2 0, P4 2/3 ready.
    S1 share = (2·1/3 + 1·0)/3 = 2/9 = 0.2222; ready for any S1 position: {S1} 1/3
    S2 share = P4's 2/3; ready any {S1, S2} 2/3
    chain share = (2·1/3 + 1·0 + 3·2/3)/6 = 4/9 = 0.4444; ready any 2/3
Lifts (raise one ability to the required level, others unchanged, ≥ 0.8?):
    A3: S1, S2 and S3 for P2 (3 students, 3 pairs)
    A1: S2 for P1 (1 → 3 gives 1.0); S3 for P1 gets only 2/3
    A2: S3 for P4
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from chanjiao.analysis.talent import (
    TalentSettings,
    cohort_readiness,
    match_position,
    passed,
    pseudonym,
    student_profile,
)
from chanjiao.cli import app
from chanjiao.errors import IngestError, InvalidRequest, NotFound
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.schema import Label, Rel
from chanjiao.graph.store import GraphStore, ResultRow
from chanjiao.ingest.export import export_dataset
from chanjiao.ingest.formats import file_format
from chanjiao.ingest.load import ingest
from chanjiao.report.talent import gather_talent_report, talent_report_html, talent_workbook
from tests.util import DATA, dump

TALENT = DATA / "valid" / "talent"


@pytest.fixture
def talent(store: GraphStore) -> GraphStore:
    ingest(store, TALENT)
    return store


def test_passing_rule() -> None:
    assert passed(ResultRow("S", "C", 60.0, None))
    assert not passed(ResultRow("S", "C", 59.0, True))  # a score decides when given
    assert passed(ResultRow("S", "C", None, True))
    assert not passed(ResultRow("S", "C", None, None))


def test_candidates_json_exactly_as_design(talent: GraphStore) -> None:
    found = match_position(talent, "P1", cohort="2023").to_dict()
    assert found == {
        "position": "P1",
        "students": [
            {"id": "S1", "name": "赵一", "readiness": 1.0, "missing": []},
            {
                "id": "S2",
                "name": "钱二",
                "readiness": 0.5556,
                "missing": [{"ability": "A1", "required": 3, "attained": 1}],
            },
            {
                "id": "S3",
                "name": "孙三",
                "readiness": 0.0,
                "missing": [
                    {"ability": "A1", "required": 3, "attained": 0},
                    {"ability": "A2", "required": 2, "attained": 0},
                ],
            },
        ],
    }


def test_candidates_of_everyone_and_of_a_major(talent: GraphStore) -> None:
    everyone = match_position(talent, "P4").to_dict()["students"]
    assert [(s["id"], s["readiness"]) for s in everyone] == [
        ("S1", 1.0),
        ("S2", 1.0),
        ("S3", 0.0),
        ("S4", 0.0),  # failed C2 (否): attains nothing
    ]
    of_m2 = match_position(talent, "P2", major="M2").to_dict()["students"]
    assert of_m2 == [
        {
            "id": "S3",
            "name": "孙三",
            "readiness": 0.75,
            "missing": [{"ability": "A3", "required": 4, "attained": 3}],
        }
    ]


def test_pseudonymised_candidates(talent: GraphStore) -> None:
    found = match_position(talent, "P1", cohort="2023", pseudonymise=True).to_dict()
    names = [s["name"] for s in found["students"]]
    assert names == [pseudonym("S1"), pseudonym("S2"), pseudonym("S3")]
    assert not {"赵一", "钱二", "孙三"} & set(names)
    assert len(set(names)) == 3 and pseudonym("S1") == pseudonym("S1")


def test_a_position_without_requirements_is_not_scored(talent: GraphStore) -> None:
    with pytest.raises(InvalidRequest, match="P3"):
        match_position(talent, "P3")
    with pytest.raises(NotFound):
        match_position(talent, "P9")
    assert student_profile(talent, "S1", "H1").unmodelled_positions == ["P3"]


def test_profile(talent: GraphStore) -> None:
    profile = student_profile(talent, "S3", "H1").to_dict()
    assert profile["student"] == {
        "id": "S3",
        "name": "孙三",
        "cohort": "2023",
        "major": "M2",
        "status": "enrolled",
    }
    assert profile["abilities"] == [
        {
            "ability": "A3",
            "name": "器件测试",
            "attained": 3,
            "sources": [
                {"kind": "certificate", "id": "X1", "level": 3},
                {"kind": "course", "id": "C3", "level": 2},
            ],
        }
    ]
    assert [(p["id"], p["readiness"], p["ready"]) for p in profile["positions"]] == [
        ("P2", 0.75, False),
        ("P1", 0.0, False),
        ("P4", 0.0, False),
    ]
    # The certificate counts as level 3 by default; as 4 it makes S3 fully ready for P2.
    raised = student_profile(talent, "S3", "H1", TalentSettings(certificate_level=4))
    assert raised.positions[0]["id"] == "P2" and raised.positions[0]["readiness"] == 1.0
    # Failing at 59 gives nothing: S2's A1 comes from C2 (level 1), not C1 (level 3).
    s2 = student_profile(talent, "S2").to_dict()
    assert {a["ability"]: a["attained"] for a in s2["abilities"]} == {"A1": 1, "A2": 2}
    assert [r["passed"] for r in s2["results"]] == [False, True]
    # Without a chain: every position, P3 unmodelled.
    assert [p["id"] for p in s2["positions"]] == ["P4", "P1", "P2"]
    with pytest.raises(NotFound):
        student_profile(talent, "S9")


def test_cohort_readiness(talent: GraphStore) -> None:
    result = cohort_readiness(talent, "2023", "H1").to_dict()
    assert result["student_count"] == 3
    assert [(p["id"], p["ready"], p["share"]) for p in result["positions"]] == [
        ("P1", 1, 0.3333),
        ("P2", 0, 0.0),
        ("P4", 2, 0.6667),
    ]
    assert result["positions"][0]["mean_readiness"] == round((1 + 0.5556 + 0) / 3, 4)
    assert [(s["id"], s["share"], s["ready_any"]) for s in result["segments"]] == [
        ("S1", 0.2222, 0.3333),
        ("S2", 0.6667, 0.6667),
    ]
    assert (result["share"], result["ready_any"]) == (0.4444, 0.6667)
    assert result["least_ready"] == ["P2", "P1", "P4"]
    assert result["unmodelled_positions"] == ["P3"]
    assert [(x["ability"], x["students"], x["pairs"], x["positions"]) for x in result["lifts"]] == [
        ("A3", 3, 3, ["P2"]),
        ("A1", 1, 1, ["P1"]),
        ("A2", 1, 1, ["P4"]),
    ]
    assert result["lifts"][0]["courses"] == ["C3"]
    assert result["lifts"][0]["certificates"] == ["X1"]
    assert result["lifts"][1]["courses"] == ["C1", "C2"]
    assert [s["ready_for"] for s in result["students"]] == [["P1", "P4"], ["P4"], []]


def test_threshold_is_a_setting(talent: GraphStore) -> None:
    at_75 = cohort_readiness(talent, "2023", "H1", settings=TalentSettings(threshold=0.75))
    shares = {p["id"]: p["share"] for p in at_75.positions}
    assert shares == {"P1": 0.3333, "P2": 0.3333, "P4": 0.6667}  # S3's 0.75 now counts
    with pytest.raises(InvalidRequest):
        TalentSettings(threshold=1.5)
    assert TalentSettings.from_env({"CHANJIAO_TALENT_THRESHOLD": "0.6"}).threshold == 0.6
    with pytest.raises(NotFound):
        cohort_readiness(talent, "1999", "H1")


# --- ingest -------------------------------------------------------------------------------


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_ingest_errors_change_nothing(talent: GraphStore, tmp_path: Path) -> None:
    before = dump(talent)
    bad = _write(
        tmp_path / "bad",
        {
            "results.csv": "student_id,course_id,score,passed\n"
            "S1,C3,101,\n"
            "S9,C1,70,\n"
            "S1,C9,70,\n"
            "S2,C3,61,\n"
            "S2,C3,62,\n"
            "S3,C1,,也许\n",
            "student_certificates.csv": "student_id,certificate_id\nS1,X9\n",
        },
    )
    with pytest.raises(IngestError) as caught:
        ingest(talent, bad)
    found = {(p.source, p.row, p.column): p for p in caught.value.problems}
    assert set(found) == {
        ("results.csv", 2, "score"),
        ("results.csv", 3, "student_id"),
        ("results.csv", 4, "course_id"),
        ("results.csv", 6, "student_id"),
        ("results.csv", 7, "passed"),
        ("student_certificates.csv", 2, "certificate_id"),
    }
    assert "成绩应为 0–100 的数字" in found[("results.csv", 2, "score")].zh
    assert "score must be a number 0–100" in found[("results.csv", 2, "score")].en
    assert "学生编号 S9 不存在" in found[("results.csv", 3, "student_id")].zh
    assert "课程编号 C9" in found[("results.csv", 4, "course_id")].zh
    assert "重复" in found[("results.csv", 6, "student_id")].zh
    assert "证书编号 X9" in found[("student_certificates.csv", 2, "certificate_id")].zh
    assert dump(talent) == before


def test_passed_accepts_the_usual_words(store: GraphStore, tmp_path: Path) -> None:
    ingest(store, DATA / "valid" / "small")
    words = {"是": True, "√": True, "true": True, "1": True, "否": False, "×": False, "0": False}
    rows = "".join(f"S{i},C{1 + i % 5},,{w}\n" for i, w in enumerate(words))
    people = "".join(f"S{i},学生{i}\n" for i in range(len(words)))
    folder = _write(
        tmp_path / "words",
        {
            "students.csv": "id,name\n" + people,
            "results.csv": "student_id,course_id,score,passed\n" + rows,
        },
    )
    ingest(store, folder)
    stored = {r.src: r.props["passed"] for r in store.relationships(Rel.COMPLETED)}
    assert stored == {f"S{i}": flag for i, flag in enumerate(words.values())}


def test_chinese_headers_in_a_workbook_and_json_load_the_same(tmp_path: Path) -> None:
    base = EmbeddedStore(tmp_path / "csv.db")
    ingest(base, TALENT)
    expected = dump(base)
    exported = export_dataset(base)
    base.close()
    # The template's sheets: Chinese sheet names and Chinese headers.
    book = Workbook()
    book.remove(book.active)
    for name, rows in exported.tables.items():
        fmt = file_format(name)
        assert fmt is not None
        sheet = book.create_sheet(fmt.zh if fmt.name in ("students", "results") else fmt.name)
        columns = list(fmt.columns)
        sheet.append(
            [
                f"{fmt.columns[c]} ({c})" if fmt.name == "students" else fmt.columns[c]
                for c in columns
            ]
        )
        for row in rows:
            sheet.append([";".join(v) if isinstance(v := row.get(c), list) else v for c in columns])
    workbook = tmp_path / "talent.xlsx"
    book.save(workbook)
    from_xlsx = EmbeddedStore(tmp_path / "xlsx.db")
    ingest(from_xlsx, workbook)
    assert dump(from_xlsx) == expected
    document = tmp_path / "talent.json"
    document.write_text(json.dumps(exported.tables, ensure_ascii=False), encoding="utf-8")
    from_json = EmbeddedStore(tmp_path / "json.db")
    ingest(from_json, document)
    assert dump(from_json) == expected


def test_export_pseudonymises_and_can_leave_students_out(talent: GraphStore) -> None:
    plain = export_dataset(talent)
    assert [r["name"] for r in plain.tables["students"]] == ["赵一", "钱二", "孙三", "李四"]
    masked = export_dataset(talent, pseudonymise=True)
    assert [r["name"] for r in masked.tables["students"]] == [
        pseudonym(s) for s in ("S1", "S2", "S3", "S4")
    ]
    assert masked.tables["results"] == plain.tables["results"]
    without = export_dataset(talent, personal=False)
    assert not {"students", "results", "student_certificates"} & set(without.tables)
    assert without.tables["courses"] == plain.tables["courses"]


def test_sync_ownership_derives_from_the_formats() -> None:
    """DESIGN §3: students own Student + ENROLLED_IN, results COMPLETED, certificates HOLDS."""
    students, results, held = (
        file_format(n) for n in ("students", "results", "student_certificates")
    )
    assert students is not None and results is not None and held is not None
    assert students.label is Label.STUDENT
    assert [link.rel for link in students.links] == [Rel.ENROLLED_IN]
    assert results.edge is not None and results.edge.rel is Rel.COMPLETED
    assert held.edge is not None and held.edge.rel is Rel.HOLDS
    assert file_format("学生") is students and file_format("课程成绩") is results


# --- report ---------------------------------------------------------------------------------


def test_report_html_and_xlsx(talent: GraphStore) -> None:
    report = gather_talent_report(talent, "2023", "H1")
    html = talent_report_html(report)
    assert "人才与岗位匹配报告" in html and "孙三（S3）" in html
    assert "44.4%" in html and "器件测试职业技能等级证书（X1）" in html
    book = talent_workbook(report)
    students = book["学生 Students"]
    rows = [[c.value for c in row] for row in students.iter_rows()]
    assert rows[0] == ["学号 Id", "姓名 Name", "专业 Major", "P1", "P2", "P4", "胜任岗位 Ready for"]
    assert rows[2] == ["S2", "钱二", "M1", 0.5556, 0.0, 1.0, "P4"]
    masked = gather_talent_report(talent, "2023", "H1", pseudonymise=True)
    text = talent_report_html(masked)
    assert "孙三" not in text and pseudonym("S3") in text
    cells = {c.value for row in talent_workbook(masked)["学生 Students"].iter_rows() for c in row}
    assert "孙三" not in cells and pseudonym("S3") in cells


# --- CLI --------------------------------------------------------------------------------------


def test_cli(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(TALENT), "--store", db]).exit_code == 0
    result = runner.invoke(
        app, ["talent", "match", "P1", "--cohort", "2023", "--format", "json", "--store", db]
    )
    assert result.exit_code == 0, result.output
    with EmbeddedStore(db) as graph:
        assert json.loads(result.stdout) == match_position(graph, "P1", cohort="2023").to_dict()
    table = runner.invoke(app, ["talent", "match", "P1", "--store", db])
    assert "钱二 (S2)" in table.stdout and "55.6%" in table.stdout and "A1 1→3" in table.stdout
    profile = runner.invoke(app, ["talent", "profile", "S3", "--chain", "H1", "--store", db])
    assert profile.exit_code == 0 and "75.0%" in profile.stdout and "证书 X1(3)" in profile.stdout
    cohort = runner.invoke(
        app, ["talent", "cohort", "2023", "--chain", "H1", "-f", "json", "--store", db]
    )
    assert json.loads(cohort.stdout)["share"] == 0.4444
    at_75 = runner.invoke(
        app,
        ["talent", "cohort", "2023", "-c", "H1", "-f", "json", "--threshold", "0.75", "-s", db],
    )
    assert json.loads(at_75.stdout)["positions"][1]["share"] == 0.3333
    unmodelled = runner.invoke(app, ["talent", "match", "P3", "--store", db])
    assert unmodelled.exit_code == 1 and "没有能力要求" in unmodelled.stderr
    assert "Traceback" not in unmodelled.output
    out = tmp_path / "talent.xlsx"
    report = runner.invoke(
        app,
        [
            "talent",
            "report",
            "2023",
            "-c",
            "H1",
            "-f",
            "xlsx",
            "-o",
            str(out),
            "--pseudonymise",
            "-s",
            db,
        ],
    )
    assert report.exit_code == 0
    names = [row[1].value for row in load_workbook(out)["学生 Students"].iter_rows(min_row=2)]
    assert names == [pseudonym("S1"), pseudonym("S2"), pseudonym("S3")]
