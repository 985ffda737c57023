"""Students over HTTP: /talent answers equal the library's, and no read path shows a
student without a key that may read students (DESIGN §4b), whatever else is open."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from chanjiao.analysis.talent import (
    TalentSettings,
    cohort_readiness,
    match_position,
    pseudonym,
    student_profile,
)
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.load import ingest
from tests.test_api import AUTH, KEY, V1, assert_error, client_for
from tests.util import DATA

STUDENT_KEY = "student-key-abcdef0123456789"
STUDENT_AUTH = {"X-API-Key": STUDENT_KEY}
NAMES = ("赵一", "钱二", "孙三", "李四")


@pytest.fixture
def talent(store: GraphStore) -> GraphStore:
    ingest(store, DATA / "valid" / "talent")
    return store


@pytest.fixture
def api(talent: GraphStore) -> Iterator[TestClient]:
    with client_for(talent, student_keys=[STUDENT_KEY]) as client:
        yield client


def _no_names(text: str) -> None:
    assert not [n for n in NAMES if n in text], text[:300]


def test_talent_answers_equal_the_library(api: TestClient, talent: GraphStore) -> None:
    got = api.get(f"{V1}/talent/positions/P1/candidates", params={"cohort": "2023"}, headers=AUTH)
    assert got.status_code == 200
    assert got.json() == match_position(talent, "P1", cohort="2023").to_dict()
    assert got.json()["students"][1] == {
        "id": "S2",
        "name": "钱二",
        "readiness": 0.5556,
        "missing": [{"ability": "A1", "required": 3, "attained": 1}],
    }
    profile = api.get(f"{V1}/talent/students/S3", params={"chain": "H1"}, headers=STUDENT_AUTH)
    assert profile.json() == student_profile(talent, "S3", "H1").to_dict()
    cohort = api.get(f"{V1}/talent/cohorts/2023", params={"chain": "H1"}, headers=STUDENT_AUTH)
    assert cohort.json() == cohort_readiness(talent, "2023", "H1").to_dict()
    lowered = api.get(
        f"{V1}/talent/cohorts/2023", params={"chain": "H1", "threshold": 0.75}, headers=AUTH
    )
    expected = cohort_readiness(talent, "2023", "H1", settings=TalentSettings(threshold=0.75))
    assert lowered.json() == expected.to_dict()
    masked = api.get(
        f"{V1}/talent/positions/P1/candidates",
        params={"pseudonymise": "true"},
        headers=AUTH,
    )
    _no_names(masked.text)
    assert masked.json()["students"][0]["name"] == pseudonym("S1")


def test_talent_errors(api: TestClient) -> None:
    assert_error(
        api.get(f"{V1}/talent/positions/P3/candidates", headers=AUTH), 400, "invalid_request"
    )
    assert_error(api.get(f"{V1}/talent/positions/P9/candidates", headers=AUTH), 404, "not_found")
    assert_error(api.get(f"{V1}/talent/students/S9", headers=AUTH), 404, "not_found")
    assert_error(
        api.get(f"{V1}/talent/cohorts/1999", params={"chain": "H1"}, headers=AUTH), 404, "not_found"
    )


def test_server_settings_give_the_defaults(talent: GraphStore) -> None:
    with client_for(talent, talent_threshold=0.75, certificate_level=4) as client:
        got = client.get(f"{V1}/talent/cohorts/2023", params={"chain": "H1"}, headers=AUTH)
    data = got.json()
    assert (data["threshold"], data["certificate_level"]) == (0.75, 4)
    assert {p["id"]: p["ready"] for p in data["positions"]}["P2"] == 1  # S3: 4/4


def test_report_endpoint(api: TestClient) -> None:
    html = api.get(f"{V1}/talent/reports/2023", params={"chain": "H1"}, headers=AUTH)
    assert html.status_code == 200 and "人才与岗位匹配报告" in html.text and "孙三" in html.text
    masked = api.get(
        f"{V1}/talent/reports/2023",
        params={"chain": "H1", "format": "xlsx", "pseudonymise": "true"},
        headers=AUTH,
    )
    book = load_workbook(io.BytesIO(masked.content))
    names = [row[1].value for row in book["学生 Students"].iter_rows(min_row=2)]
    assert names == [pseudonym("S1"), pseudonym("S2"), pseudonym("S3")]


# --- no student without a key ---------------------------------------------------------------

STUDENT_READS = [
    ("/talent/positions/P1/candidates", {}),
    ("/talent/students/S1", {}),
    ("/talent/cohorts/2023", {"chain": "H1"}),
    ("/talent/reports/2023", {"chain": "H1"}),
    ("/nodes/students", {}),
    ("/nodes/Student", {"q": "赵"}),
    ("/nodes/学生/S1", {}),
    ("/relationships", {"type": "COMPLETED", "dst": "C1"}),
    ("/relationships", {"type": "HOLDS", "src": "S3"}),
    ("/relationships", {"type": "ENROLLED_IN", "dst": "M1"}),
]


@pytest.mark.parametrize(("path", "params"), STUDENT_READS)
def test_student_reads_need_a_key(api: TestClient, path: str, params: dict[str, Any]) -> None:
    body = assert_error(api.get(V1 + path, params=params), 401, "unauthorized")
    assert "个人信息" in body["message"]
    assert_error(
        api.get(V1 + path, params=params, headers={"X-API-Key": "wrong"}), 401, "unauthorized"
    )
    assert api.get(V1 + path, params=params, headers=STUDENT_AUTH).status_code == 200
    assert api.get(V1 + path, params=params, headers=AUTH).status_code == 200


def test_without_any_key_configured_students_cannot_be_read(talent: GraphStore) -> None:
    with client_for(talent, api_keys=[]) as client:
        body = assert_error(client.get(f"{V1}/nodes/students"), 403, "writes_disabled")
        assert "CHANJIAO_STUDENT_KEYS" in body["message"]
        assert client.get(f"{V1}/nodes/courses").status_code == 200  # other reads stay open


def test_a_student_key_reads_but_does_not_write(api: TestClient) -> None:
    row = {"id": "S5", "name": "周五", "cohort": "2023"}
    assert_error(
        api.post(f"{V1}/nodes/students", json=row, headers=STUDENT_AUTH), 401, "unauthorized"
    )
    assert api.post(f"{V1}/nodes/students", json=row, headers=AUTH).status_code == 201


def test_open_reads_hide_students(api: TestClient) -> None:
    course = api.get(f"{V1}/nodes/courses/C1")
    assert course.status_code == 200 and "COMPLETED" not in course.json()["neighbours"]
    _no_names(course.text)
    keyed = api.get(f"{V1}/nodes/courses/C1", headers=STUDENT_AUTH).json()["neighbours"]
    assert {n["id"] for n in keyed["COMPLETED"]} == {"S1", "S2"}
    major = api.get(f"{V1}/nodes/majors/M1")
    assert "ENROLLED_IN" not in major.json()["neighbours"]
    _no_names(major.text)
    assert api.get(f"{V1}/relationships", params={"type": "COVERS", "src": "C1"}).status_code == 200


def test_export_leaves_students_out_without_a_key(api: TestClient) -> None:
    open_export = api.get(f"{V1}/export")
    assert not {"students", "results", "student_certificates"} & set(open_export.json())
    _no_names(open_export.text)
    archive = zipfile.ZipFile(
        io.BytesIO(api.get(f"{V1}/export", params={"format": "csv-dir"}).content)
    )
    assert "students.csv" not in archive.namelist()
    keyed = api.get(f"{V1}/export", headers=STUDENT_AUTH).json()
    assert [s["name"] for s in keyed["students"]] == list(NAMES)
    masked = api.get(f"{V1}/export", params={"pseudonymise": "true"}, headers=AUTH)
    _no_names(masked.text)
    assert len(json.loads(masked.text)["results"]) == 6


def test_focus_view_leaves_students_out_without_a_key(api: TestClient) -> None:
    page = api.get(f"{V1}/views/focus", params={"id": "C1", "hops": 2})
    assert page.status_code == 200
    _no_names(page.text)
    assert "赵一" in api.get(f"{V1}/views/focus", params={"id": "C1"}, headers=AUTH).text
    assert_error(api.get(f"{V1}/views/focus", params={"id": "S3"}), 404, "not_found")


def test_students_need_their_key_even_when_all_reads_need_one(talent: GraphStore) -> None:
    with client_for(talent, read_requires_key=True, student_keys=[STUDENT_KEY]) as client:
        assert_error(client.get(f"{V1}/nodes/courses"), 401, "unauthorized")
        assert client.get(f"{V1}/nodes/courses", headers=STUDENT_AUTH).status_code == 200
        assert client.get(f"{V1}/nodes/students", headers={"X-API-Key": KEY}).status_code == 200


def test_change_log_leaves_students_out_without_a_key(api: TestClient) -> None:
    open_log = api.get(f"{V1}/changes")
    assert open_log.status_code == 200
    files = {f["file"] for entry in open_log.json() for f in entry["files"]}
    assert "courses" in files or "courses.csv" in files
    assert not {f for f in files if f.startswith(("students", "results", "student_cert"))}
    _no_names(open_log.text)
    keyed = api.get(f"{V1}/changes", headers=STUDENT_AUTH)
    assert "赵一" in keyed.text
