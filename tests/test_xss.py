"""Markup in every user-supplied field stays text in every view and report.

A dataset is built here with script, img-onerror and attribute-breaking payloads in the
name of every label, in the other text fields (description, region, title, issuer…) and
in some ids, then ingested. Each view and the HTML report are opened in headless
Chromium with `alert` hooked: no payload may run, no injected element may exist, and
the payloads must be visible as literal text. Markdown and XLSX must carry them as
inert text too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from chanjiao import viz
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.load import ingest
from chanjiao.report.html import gap_report_html, gather_report
from chanjiao.report.markdown import report_markdown
from chanjiao.report.xlsx import write_gap_workbook
from tests.test_views import Page, assert_drew, assert_offline, drawn

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SVG = "\"'><svg onload=alert(1)>"
PAYLOADS = (SCRIPT, IMG, SVG)
ABILITY = f"A{SVG}"  # an id holding a payload
POSITION = f"P{IMG}"


def evil(i: int, kind: str) -> str:
    return f"{kind}{PAYLOADS[i % 3]}"


def dataset() -> dict[str, list[dict[str, object]]]:
    return {
        "chains": [
            {"id": "H1", "name": evil(0, "链"), "domain": evil(1, ""), "region": evil(2, "")}
        ],
        "segments": [
            {"id": "S1", "name": evil(1, "环节"), "chain_id": "H1", "stage": "上游", "order": 1}
        ],
        "enterprises": [
            {
                "id": "E1",
                "name": evil(2, "企业"),
                "tier": "小巨人",
                "region": evil(0, ""),
                "segment_ids": "S1",
            }
        ],
        "organizations": [
            {"id": "U1", "name": evil(0, "单位"), "kind": "高校", "region": evil(1, "")}
        ],
        "positions": [
            {
                "id": POSITION,
                "name": evil(0, "岗位"),
                "segment_id": "S1",
                "level": "初级",
                "demand": 3,
            },
            {"id": "P2", "name": evil(1, "岗位二"), "segment_id": "S1"},
        ],
        "offers": [{"enterprise_id": "E1", "position_id": POSITION, "headcount": 4}],
        "abilities": [
            {"id": "D1", "name": evil(2, "能力域"), "category": "技能"},
            {
                "id": ABILITY,
                "name": evil(0, "能力"),
                "category": "技能",
                "parent_id": "D1",
                "description": evil(1, ""),
            },
            {"id": "A2", "name": evil(1, "能力二"), "category": "知识", "description": evil(2, "")},
        ],
        "requirements": [
            {"position_id": POSITION, "ability_id": ABILITY, "level": 3, "weight": 2},
            {"position_id": POSITION, "ability_id": "A2", "level": 2},
        ],
        "majors": [
            {"id": "M1", "name": evil(2, "专业"), "code": "510401", "education_level": evil(0, "")}
        ],
        "clusters": [
            {
                "id": "K1",
                "name": evil(1, "专业群"),
                "chain_id": "H1",
                "major_ids": "M1",
                "lead_major_id": "M1",
            }
        ],
        "courses": [
            {
                "id": "C1",
                "name": evil(0, "课程"),
                "hours": 32,
                "kind": "理论",
                "semester": 1,
                "major_ids": "M1",
            },
            {
                "id": "C2",
                "name": evil(1, "课程二"),
                "semester": 2,
                "major_ids": "M1",
                "prerequisite_ids": "C1",
            },
            {"id": "C3", "name": evil(2, "外课")},
        ],
        "coverage": [
            {"course_id": "C1", "ability_id": ABILITY, "level": 1},
            {"course_id": "C2", "ability_id": "A2", "level": 2},
            {"course_id": "C3", "ability_id": ABILITY, "level": 3},
        ],
        "textbooks": [
            {
                "id": "B1",
                "name": evil(2, "教材"),
                "kind": "自编",
                "isbn": evil(0, ""),
                "course_ids": "C3",
                "enterprise_ids": "E1",
            }
        ],
        "teachers": [
            {
                "id": "T1",
                "name": evil(1, "教师"),
                "dual_qualified": "是",
                "title": evil(2, ""),
                "course_ids": "C1",
                "ability_ids": ABILITY,
            }
        ],
        "training_resources": [
            {"id": "R1", "name": evil(0, "资源"), "kind": "实训基地", "ability_ids": ABILITY}
        ],
        "certificates": [
            {
                "id": "X1",
                "name": evil(1, "证书"),
                "issuer": evil(2, ""),
                "level": evil(0, ""),
                "ability_ids": ABILITY,
            }
        ],
        "competitions": [
            {"id": "G1", "name": evil(2, "竞赛"), "level": "省级", "ability_ids": ABILITY}
        ],
        "colleges": [
            {
                "id": "IC1",
                "name": evil(0, "学院"),
                "university": evil(1, ""),
                "direction": evil(2, ""),
                "cluster_ids": "K1",
            }
        ],
        "partners": [{"college_id": "IC1", "partner_id": "E1", "role": evil(1, "")}],
    }


@pytest.fixture
def hostile(store: GraphStore, tmp_path: Path) -> GraphStore:
    source = tmp_path / "evil.json"
    source.write_text(json.dumps(dataset(), ensure_ascii=False), encoding="utf-8")
    ingest(store, source)
    return store


def assert_inert(page: Page, *, expect: tuple[str, ...] = PAYLOADS) -> None:
    """No injected element or handler exists, and the payloads read as text."""
    assert not page.attrs_of("img"), "an <img> was injected"
    for tag, attrs in page.elements:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert not (tag == "svg" and "onload" in attrs)
    assert all(s.strip() != "alert(1)" for s in page.scripts)
    for payload in expect:
        assert payload in page.visible, payload


def test_views_show_payloads_as_text(hostile: GraphStore, tmp_path: Path) -> None:
    views = {
        "cluster": viz.cluster_graph(hostile, "K1", "H1"),
        "focus": viz.focus_graph(hostile, ABILITY, hops=2),
        "gap": viz.gap_graph(hostile, "K1", "H1", ABILITY),
        "path": viz.path_graph(hostile, POSITION, "K1"),
    }
    for name, view in views.items():
        html = viz.render_view(view)
        assert_offline(html)
        assert SCRIPT not in html and IMG not in html and "<svg onload" not in html
        # The search box lists matching nodes by name: every payload appears there as text.
        page, probe = drawn(html, tmp_path, name, search="alert")
        assert_drew(page, probe, view.node_count)
        assert_inert(page)
        names = {n["name"] for n in view.network.nodes}
        assert any(SVG in n for n in names) or name == "path"


def test_focus_on_every_label(hostile: GraphStore, tmp_path: Path) -> None:
    """Heading, legend and details of a focus view on a node whose name is a payload."""
    view = viz.focus_graph(hostile, "T1", hops=1)
    assert view.title == f"教师：{evil(1, '教师')}（T1）"
    page, probe = drawn(viz.render_view(view), tmp_path, "teacher", search="alert")
    assert_drew(page, probe, view.node_count)
    assert_inert(page)


def test_report_shows_payloads_as_text(hostile: GraphStore, tmp_path: Path) -> None:
    html = gap_report_html(hostile, "K1", "H1")
    assert_offline(html)
    assert SCRIPT not in html and IMG not in html
    page, probe = drawn(html, tmp_path, "report")
    assert_inert(page)
    assert int(probe["data-inked"]) > 100


def test_markdown_and_xlsx_keep_payloads_inert(hostile: GraphStore, tmp_path: Path) -> None:
    data = gather_report(hostile, "K1", "H1")
    text = report_markdown(data.to_dict(), data.names)
    assert "<" not in text and ">" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    path = write_gap_workbook(data, tmp_path / "evil.xlsx")
    values = [
        c.value
        for sheet in load_workbook(path).worksheets
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]
    assert any(SCRIPT in v for v in values) and any(SVG in v for v in values)


def test_payload_ids_round_trip(tmp_path: Path) -> None:
    """The ids with payloads were ingested as given (so the tests above exercise them)."""
    source = tmp_path / "evil.json"
    source.write_text(json.dumps(dataset(), ensure_ascii=False), encoding="utf-8")
    with EmbeddedStore(tmp_path / "s.db") as store:
        ingest(store, source)
        report = gather_report(store, "K1", "H1").report
    assert report["gaps"][0]["ability"] == ABILITY
    assert report["positions"][0]["id"] == POSITION


def workbench_pages() -> list[str]:
    """Every workbench page on the payload dataset (also opened in Chromium by
    tests/test_web_browser.py)."""
    from urllib.parse import quote

    scope = "cluster=K1&chain=H1"
    return [
        f"/?{scope}",
        f"/construction?{scope}",
        f"/gaps?{scope}",
        f"/map?{scope}",
        f"/whatif?{scope}",
        f"/explore?{scope}&node={quote('Ability:' + ABILITY)}",
        f"/explore?{scope}&gap={quote(ABILITY)}",
        f"/plan?{scope}&tool=resources",
        f"/plan?{scope}&tool=certificates",
        f"/plan?{scope}&tool=partners",
        f"/plan?{scope}&tool=path&position={quote(POSITION)}",
        f"/plan?{scope}&tool=eligibility&college=IC1",
        f"/plan?{scope}&tool=cluster&run=true&budget=2",
        "/data",
    ]


def test_every_workbench_page_keeps_payloads_text(hostile: GraphStore) -> None:
    """The web workbench's pages (rendered by the server; tests/test_web_browser.py opens
    them in Chromium too): no payload is live markup, every one reads as text."""
    from urllib.parse import quote

    from fastapi.testclient import TestClient

    from chanjiao.api.app import create_app
    from chanjiao.api.settings import Settings

    client = TestClient(create_app(hostile, Settings(api_keys="k", warm_cache=False)))  # type: ignore[call-arg]
    pages = [
        *workbench_pages(),
        "/login?next=" + quote(SCRIPT),
        "/gaps?cluster=" + quote(SCRIPT),
    ]
    for path in pages:
        answer = client.get(path)
        assert answer.status_code in (200, 404), (path, answer.status_code)
        html = answer.text
        assert SCRIPT not in html and IMG not in html and "<svg onload" not in html, path
        page = Page(html)
        assert_inert(page, expect=())
        if path.startswith(("/?", "/gaps?c", "/map", "/construction")):
            assert any(p in page.visible for p in PAYLOADS), path
    for api in (
        f"/api/v1/graph/node?key={quote('Ability:' + ABILITY)}",
        "/api/v1/graph/search?q=alert",
    ):
        assert client.get(api).headers["content-type"].startswith("application/json")
