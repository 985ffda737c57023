"""The web workbench over HTTP (no browser): pages, headers, login, CSRF, vendored files.

The browser tests (tests/test_web_browser.py) drive the same pages in Chromium; here
every rule that needs no JavaScript is checked fast through the ASGI app.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.analysis.overview import construction
from chanjiao.api.app import create_app
from chanjiao.api.settings import Settings
from chanjiao.cli import SAMPLE_CHAIN, SAMPLE_CLUSTER, sample_path
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.schema import Label
from chanjiao.graph.store import GraphStore
from chanjiao.history.changelog import changes
from chanjiao.ingest.load import ingest
from chanjiao.web import STATIC

KEY = "web-test-key"
SMALL = Path(__file__).parent / "data" / "valid" / "small"
#: Every page of the workbench (query strings as a designer's clicks make them).
PAGES = [
    "/",
    "/construction",
    "/gaps",
    "/gaps?status=missing",
    "/map",
    "/explore",
    "/whatif",
    "/plan",
    "/plan?tool=certificates",
    "/plan?tool=partners",
    "/plan?tool=path",
    "/plan?tool=eligibility",
    "/plan?tool=cluster&run=true&method=greedy&budget=5",
    "/data",
    "/talent",
    "/login",
]


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    store = EmbeddedStore(tmp_path_factory.mktemp("web") / "sample.db")
    ingest(store, sample_path())
    yield store
    store.close()


def client_for(store: GraphStore, **settings: object) -> TestClient:
    options: dict[str, object] = {"api_keys": KEY, "warm_cache": False, **settings}
    return TestClient(create_app(store, Settings(**options)))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def client(sample_store: GraphStore) -> TestClient:
    return client_for(sample_store)


def login(client: TestClient) -> str:
    """Log in through the form; return the session's CSRF token."""
    page = client.get("/login")
    token = re.search(r'name="token" value="([0-9a-f]+)"', page.text)
    assert token is not None
    answer = client.post(
        "/login",
        data={"key": KEY, "token": token.group(1), "next": "/data"},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/data"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "cj_session=" in cookie
    csrf = re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', client.get("/data").text)
    assert csrf is not None
    return csrf.group(1)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_offline_under_the_csp(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text[:500]
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert "default-src 'self'" in policy and "http" not in policy
    html = answer.text
    assert not re.search(r"""(src|href|action)=["']?(https?:)?//""", html), "a remote URL"
    assert "<script>" not in html and " style=" not in html and " on" + "click=" not in html
    for src in re.findall(r'<script src="([^"]+)"', html):
        assert client.get(src).status_code == 200, src
    assert "Content-Security-Policy" not in html


def test_dashboard_numbers_are_the_librarys(client: TestClient, sample_store: GraphStore) -> None:
    html = client.get(f"/?cluster={SAMPLE_CLUSTER}&chain={SAMPLE_CHAIN}").text
    report = analyse_gaps(sample_store, SAMPLE_CLUSTER, SAMPLE_CHAIN).to_dict()
    shown = re.search(r'id="chain-coverage" data-value="([0-9.]+)">([0-9.]+)%', html)
    assert shown is not None
    assert float(shown.group(1)) == report["coverage"]
    assert shown.group(2) == f"{report['coverage'] * 100:.1f}"
    counts = dict(re.findall(r'data-count="([a-z-]+)"[^>]*>(\d+)<', html))
    summary = report["summary"]
    assert int(counts["gaps"]) == summary["gaps"] == len(report["gaps"])
    assert int(counts["missing"]) == summary["requirements"]["missing"]
    assert int(counts["orphans"]) == len(report["orphan_courses"])
    built = construction(sample_store, SAMPLE_CLUSTER, SAMPLE_CHAIN).to_dict()
    assert int(counts["teachers"]) == built["teachers"]["count"]
    assert int(counts["certificates"]) == built["certificates"]["count"]
    segments = re.findall(r'<tr data-segment="([^"]+)">', html)
    assert segments == [s["id"] for s in report["segments"]]


def test_gap_page_filters_and_downloads(client: TestClient, sample_store: GraphStore) -> None:
    report = analyse_gaps(sample_store, SAMPLE_CLUSTER, SAMPLE_CHAIN).to_dict()
    html = client.get("/gaps?status=missing").text
    rows = re.findall(r'<tr class="gap" data-ability="([^"]+)" data-status="([a-z]+)"', html)
    assert rows and {s for _, s in rows} == {"missing"}
    missing = {
        r["ability"]
        for p in report["positions"]
        for r in p["requirements"]
        if r["status"] == "missing"
    }
    assert {a for a, _ in rows} == missing
    every = client.get("/gaps").text
    ranked = re.findall(r'<tr class="gap" data-ability="([^"]+)"', every)
    assert ranked == [g["ability"] for g in report["gaps"][:100]]
    for fmt in ("html", "xlsx", "md", "json"):
        link = re.search(rf'id="download-{fmt}" href="([^"]+)"', every)
        assert link is not None
        answer = client.get(link.group(1).replace("&amp;", "&"))
        assert answer.status_code == 200 and len(answer.content) > 1000
    seg = report["segments"][0]["id"]
    one = client.get(f"/gaps?segment={seg}").text
    assert f'value="{seg}" selected' in one


def test_docs_and_redoc_are_self_hosted(client: TestClient) -> None:
    for path in ("/docs", "/redoc", "/api/v1/docs"):
        answer = client.get(path)
        assert answer.status_code == 200
        assert (
            "unpkg" not in answer.text
            and "jsdelivr" not in answer.text
            and "//" not in re.sub(r"<!doctype html>", "", answer.text).replace("http-equiv", "")
        )
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', answer.text):
            assert client.get(asset).status_code == 200
    spec = client.get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/scenarios/{name}",
        "/api/v1/graph/search",
        "/api/v1/overview/construction",
    } <= set(spec["paths"])
    assert "/" not in spec["paths"]  # pages are not API operations


def test_vendored_files_match_their_manifest_and_carry_licences() -> None:
    vendor = STATIC / "vendor"
    manifest = (vendor / "MANIFEST.sha256").read_text().splitlines()
    listed = {}
    for line in manifest:
        digest, name = line.split(maxsplit=1)
        listed[name.removeprefix("./")] = digest
    present = {p.relative_to(vendor).as_posix() for p in vendor.rglob("*") if p.is_file()}
    assert present - {"MANIFEST.sha256"} == set(listed)
    for name, digest in listed.items():
        assert hashlib.sha256((vendor / name).read_bytes()).hexdigest() == digest, name
    for package in ("sigma", "graphology", "swagger-ui", "redoc"):
        assert any("LICENSE" in name for name in listed if name.startswith(package + "/")), package
    size = sum((vendor / n).stat().st_size for n in listed)
    assert size < 4 * 1024 * 1024


def test_login_session_and_csrf_guard_every_write(sample_store: GraphStore) -> None:
    client = client_for(sample_store)
    body = {"cluster": SAMPLE_CLUSTER, "chain": SAMPLE_CHAIN, "add_courses": []}
    assert client.put("/api/v1/scenarios/s1", json=body).status_code == 401
    page = client.get("/login")
    token = re.search(r'name="token" value="([0-9a-f]+)"', page.text).group(1)  # type: ignore[union-attr]
    wrong = client.post("/login", data={"key": "nope", "token": token}, follow_redirects=False)
    assert wrong.status_code == 303 and "failed=true" in wrong.headers["location"]
    assert "cj_session" not in client.cookies
    forged = client.post("/login", data={"key": KEY, "token": "0" * 40}, follow_redirects=False)
    assert forged.status_code == 403
    csrf = login(client)
    assert client.put("/api/v1/scenarios/s1", json=body).status_code == 401  # no CSRF token
    bad = client.put("/api/v1/scenarios/s1", json=body, headers={"X-CSRF-Token": "0" * 40})
    assert bad.status_code == 401
    saved = client.put("/api/v1/scenarios/s1", json=body, headers={"X-CSRF-Token": csrf})
    assert saved.status_code == 200 and saved.json()["name"] == "s1"
    assert client.get("/api/v1/scenarios").json()[0]["name"] == "s1"
    assert client.post("/logout", data={"csrf": "0" * 40}).status_code == 403
    session = client.cookies["cj_session"]
    out = client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303
    client.cookies.set("cj_session", session)  # a copied cookie is dead after logout
    assert client.delete("/api/v1/scenarios/s1", headers={"X-CSRF-Token": csrf}).status_code == 401
    assert client.delete("/api/v1/scenarios/s1", headers={"X-API-Key": KEY}).status_code == 200


def test_no_login_without_configured_keys(sample_store: GraphStore) -> None:
    client = client_for(sample_store, api_keys="")
    page = client.get("/login").text
    assert 'id="login-disabled"' in page
    token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    answer = client.post("/login", data={"key": "any", "token": token}, follow_redirects=False)
    assert "failed=true" in answer.headers["location"]


def test_read_key_setting_closes_pages_until_login(sample_store: GraphStore) -> None:
    client = client_for(sample_store, read_requires_key=True)
    answer = client.get("/gaps", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=%2Fgaps"
    assert client.get("/api/v1/graph/search?q=C").status_code == 401
    login(client)
    assert client.get("/gaps").status_code == 200
    assert client.get("/api/v1/graph/search?q=C").status_code == 200  # the session reads


def test_upload_dry_run_then_errors_as_rows(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "up.db")
    client = client_for(store)
    csrf = login(client)
    from chanjiao.ingest.export import ExportFormat, export_bytes, export_dataset

    with EmbeddedStore(tmp_path / "src.db") as source:
        ingest(source, SMALL)
        workbook = export_bytes(export_dataset(source), ExportFormat.XLSX)
    files = {"file": ("small.xlsx", workbook)}
    headers = {"X-CSRF-Token": csrf}
    dry = client.post("/api/v1/ingest?dry_run=true", files=files, headers=headers)
    assert dry.status_code == 200 and dry.json()["nodes"]["Course"]["added"] == 5
    assert store.stats().nodes.get(next(iter(store.stats().nodes)), 0) == 0
    book = load_workbook(io.BytesIO(workbook))
    book["courses"]["C2"] = "lots"  # the hours of C1
    broken = io.BytesIO()
    book.save(broken)
    bad = client.post(
        "/api/v1/ingest?dry_run=true",
        files={"file": ("bad.xlsx", broken.getvalue())},
        headers=headers,
    )
    assert bad.status_code == 422
    errors = bad.json()["details"]["errors"]
    assert (
        errors[0]["row"] == 2 and "hours" in errors[0]["column"] and "courses" in errors[0]["file"]
    )
    loaded = client.post("/api/v1/ingest", files=files, headers=headers)
    assert loaded.status_code == 200 and store.get_node(Label.COURSE, "C1") is not None
    # the change log says who wrote: the workbench session (the key itself is never kept)
    assert changes(store)[-1].author == "网页工作台会话 web session"
    store.close()


def test_language_switch_and_template(client: TestClient) -> None:
    switched = TestClient(client.app)
    answer = switched.get("/lang?to=en&next=/gaps", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/gaps"
    assert "cj_lang=en" in answer.headers["set-cookie"]
    english = switched.get("/gaps").text
    assert "Gap analysis" in english and 'lang="en"' in english
    assert "差距分析" in client.get("/gaps").text
    evil = switched.get("/lang?to=en&next=//evil.example/x", follow_redirects=False)
    assert evil.headers["location"] == "/"
    template = client.get("/data/template.xlsx")
    assert template.status_code == 200
    assert "courses" in load_workbook(io.BytesIO(template.content)).sheetnames


def test_what_if_api_takes_a_new_course(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "s.db") as store:
        ingest(store, SMALL)
        client = client_for(store)
        body = {
            "cluster": "K1",
            "chain": "H1",
            "compare": True,
            "new_courses": [
                {
                    "id": "NEW-1",
                    "name": "新课",
                    "hours": 48,
                    "abilities": [
                        {"ability": "A3", "level": "熟练"},
                        {"ability": "A5", "level": 2},
                    ],
                }
            ],
        }
        answer = client.post("/api/v1/gaps/what-if", json=body)
        assert answer.status_code == 200
        assert answer.json()["comparison"]["chain"]["after"] == 0.8292
        small_answer = client.post(
            "/api/v1/gaps/what-if", json={**body, "full": False, "with_closers": False}
        ).json()
        assert small_answer["after"]["summary"]["gaps"] == 2  # A4 and A2 are left
        assert set(small_answer["after"]) == {"coverage", "summary", "gaps"}
        assert small_answer["after"]["gaps"][0]["closers"] == {}
        assert small_answer["comparison"] == answer.json()["comparison"]
        body["new_courses"][0]["id"] = "C1"  # type: ignore[index]
        clash = client.post("/api/v1/gaps/what-if", json=body)
        assert clash.status_code == 400 and "已是现有课程" in clash.json()["message"]


def test_error_page_says_what_is_wrong(client: TestClient) -> None:
    answer = client.get("/gaps?cluster=NOPE&chain=CH-SEMI3")
    assert answer.status_code == 404
    assert "找不到专业群 NOPE" in answer.text
    assert "content-security-policy" in answer.headers


def test_gap_page_shows_the_courses_that_teach_a_gap_partly(
    client: TestClient, sample_store: GraphStore
) -> None:
    report = analyse_gaps(sample_store, SAMPLE_CLUSTER, SAMPLE_CHAIN).to_dict()
    html = client.get(f"/gaps?cluster={SAMPLE_CLUSTER}&chain={SAMPLE_CHAIN}&limit=1000").text
    partly = [g for g in report["gaps"] if g["taught_partly"]]
    assert partly, "the sample has gaps taught partly"
    for gap in partly:
        row = html.split(f'data-ability="{gap["ability"]}"', 1)[1].split("</tr>", 1)[0]
        cell = row.split('class="partly">', 1)[1].split("</td>", 1)[0]
        shown = re.findall(r'Course%3A([^"&]+)"[^>]*>([^<]*)</a> <span class="level">(\d) 级', cell)
        expected = [(t["course"], t["name"], str(t["level"])) for t in gap["taught_partly"]]
        assert shown == expected, gap["ability"]
    untaught = next(g for g in report["gaps"] if not g["taught_partly"])
    row = html.split(f'data-ability="{untaught["ability"]}"', 1)[1].split("</tr>", 1)[0]
    assert 'class="taught-partly"' not in row


def test_the_explorer_never_shows_students(client: TestClient) -> None:
    """Students are personal data (DESIGN §4b): the explorer's search, node and neighbour
    answers leave them out for every reader, so its cached answers can be shared."""
    hits = client.get("/api/v1/graph/search", params={"q": "STU-2023001"}).json()
    assert hits == []
    by_name = client.get("/api/v1/graph/search", params={"q": "沈志远"}).json()
    assert all(hit["label"] != "Student" for hit in by_name)
    refused = client.get("/api/v1/graph/node", params={"key": "Student:STU-2023001"})
    assert refused.status_code == 404 and "个人信息" in refused.text
    course = client.get("/api/v1/graph/node", params={"key": "Course:C-GE-101"})
    assert course.status_code == 200
    assert "STU-" not in course.text and "C-GE-101" in course.text
