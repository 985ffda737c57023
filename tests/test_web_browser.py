"""The web workbench in real headless Chromium (Debian's /usr/bin/chromium via Playwright).

One server (uvicorn on 127.0.0.1, in a thread, over a real SQLite file holding the
sample college) and one browser serve the whole module. Every page records its
requests and console: no request may leave the server's origin and no console error
may appear. The numbers a designer reads are compared with the library's. The
screenshots in the README (docs/img/web-*.png) are written by this run.

The last test loads the XSS payload dataset of tests/test_xss.py into the same store
and opens every page on it with `alert` hooked: nothing may run, the payloads must
read as text.
"""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import uvicorn
from openpyxl import Workbook

from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.analysis.talent import TalentSettings, cohort_readiness, match_position
from chanjiao.analysis.whatif import PlannedCourse, what_if
from chanjiao.api.app import create_app
from chanjiao.api.settings import Settings
from chanjiao.cli import SAMPLE_CHAIN, SAMPLE_CLUSTER, sample_path
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.schema import Label
from chanjiao.ingest.load import ingest
from tests.test_views import CHROMIUM, FLAGS, IMG, Page
from tests.test_xss import ABILITY, PAYLOADS, SVG, dataset, workbench_pages

sync_api = pytest.importorskip("playwright.sync_api")

KEY = "browser-test-key"
ALERT_HOOK = (
    "window.alert = function () { document.documentElement.setAttribute('data-alerted', '1'); };"
)


class Server:
    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store
        app = create_app(store, Settings(api_keys=KEY, warm_cache=False))  # type: ignore[call-arg]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        self.base = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    store = EmbeddedStore(tmp_path_factory.mktemp("browser") / "sample.db")
    ingest(store, sample_path())
    running = Server(store)
    yield running
    running.stop()
    store.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=[*FLAGS, "--disable-quic"]
        )
        yield launched
        launched.close()


class Tab:
    """A page that records every request and console message."""

    def __init__(self, browser: Any, server: Server) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        self.context.add_init_script(ALERT_HOOK)
        self.page = self.context.new_page()
        self.server = server
        self.requests: list[str] = []
        self.problems: list[str] = []
        #: URLs whose error answers a test expects (the browser logs them as errors).
        self.expected_failures: list[str] = []
        # Every request the browser really sends passes this route; one to any other
        # origin is recorded and aborted (a CSP-blocked one never gets this far).
        self.context.route("**/*", self._route)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))

    def _route(self, route: Any) -> None:
        url = route.request.url
        self.requests.append(url)
        if url.startswith(self.server.base + "/"):
            route.continue_()
        else:
            route.abort()

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        where = (message.location or {}).get("url", "")
        if "Content Security Policy" in message.text and "redoc" in where:
            return  # Redoc's footer logo from its CDN: blocked by our CSP, never sent
        if any(where.startswith(self.server.base + u) for u in self.expected_failures):
            return
        self.problems.append(f"{message.text} ({where})")

    def open(self, path: str) -> Any:
        """Go to a page; pages render on the server, so "load" means it is all there."""
        self.page.goto(self.server.base + path, wait_until="load")
        return self.page

    def shot(self, name: str, full: bool = False) -> None:
        IMG.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(IMG / f"web-{name}.png"), full_page=full)

    def check(self) -> None:
        offsite = [u for u in self.requests if not u.startswith(self.server.base + "/")]
        assert offsite == [], offsite
        assert self.problems == [], self.problems
        alerted = self.page.evaluate("document.documentElement.getAttribute('data-alerted')")
        assert alerted is None

    def close(self) -> None:
        self.check()
        self.context.close()


@pytest.fixture
def tab(browser: Any, server: Server) -> Iterator[Tab]:
    opened = Tab(browser, server)
    yield opened
    opened.close()


def percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def test_dashboard_pick_cluster_and_chain_and_read_coverage(tab: Tab, server: Server) -> None:
    page = tab.open("/")
    page.select_option("#pick-cluster", SAMPLE_CLUSTER)
    page.select_option("#pick-chain", SAMPLE_CHAIN)
    with page.expect_navigation():
        page.click("#pick-go")
    report = analyse_gaps(server.store, SAMPLE_CLUSTER, SAMPLE_CHAIN).to_dict()
    assert page.inner_text("#chain-coverage") == percent(report["coverage"])
    shown = page.eval_on_selector_all(
        "#segment-coverage tbody td.num[data-value]", "cells => cells.map(c => c.textContent)"
    )
    assert shown == [
        percent(s["coverage"]) if s["coverage"] is not None else "—" for s in report["segments"]
    ]
    assert page.inner_text('[data-count="gaps"]') == str(len(report["gaps"]))
    tab.shot("dashboard")
    with page.expect_navigation():
        page.click("#lang-switch")
    assert "demand-weighted coverage" in page.inner_text("#coverage-card")
    with page.expect_navigation():
        page.click("#lang-switch")
    assert "需求加权覆盖率" in page.inner_text("#coverage-card")


def test_open_a_gap_and_follow_a_closer(tab: Tab, server: Server) -> None:
    page = tab.open(f"/gaps?cluster={SAMPLE_CLUSTER}&chain={SAMPLE_CHAIN}")
    report = analyse_gaps(server.store, SAMPLE_CLUSTER, SAMPLE_CHAIN).to_dict()
    first = report["gaps"][0]
    row = page.locator(f'tr.gap[data-ability="{first["ability"]}"]')
    assert row.locator("td.prio .num").inner_text() == f"{first['priority']:.4g}"
    tab.shot("gaps")
    partly = next(g for g in report["gaps"] if g["taught_partly"])
    cell = page.locator(f'tr.gap[data-ability="{partly["ability"]}"] td.partly').inner_text()
    first = partly["taught_partly"][0]
    assert first["name"] in cell and f"{first['level']} 级" in cell
    gap = next(g for g in report["gaps"] if g["closers"]["courses"])
    closer = gap["closers"]["courses"][0]
    link = page.locator(
        f'tr.gap[data-ability="{gap["ability"]}"] td.closers a[href*="Course%3A{closer}"]'
    )
    link.first.click()
    page.wait_for_function(
        "() => window.chanjiaoExplorer && window.chanjiaoExplorer.graph.order > 1"
    )
    details = page.inner_text("#node-details")
    name = server.store.get_node(Label.COURSE, closer).name  # type: ignore[union-attr]
    assert name in details and closer in details
    assert "培养能力" in details  # relationships in Chinese words, never codes


def test_explorer_search_and_expand(tab: Tab, server: Server) -> None:
    page = tab.open(f"/explore?cluster={SAMPLE_CLUSTER}&chain={SAMPLE_CHAIN}")
    page.wait_for_function("() => window.chanjiaoExplorer.graph.order > 100")
    tab.shot("explorer")
    page.fill("#node-search", "光刻")
    page.wait_for_selector("#search-results button.result")
    first = page.locator("#search-results button.result").first
    assert "光刻" in first.inner_text()
    first.click()
    page.wait_for_function(
        "() => window.chanjiaoExplorer.graph.order > 1 && window.chanjiaoExplorer.graph.order < 100"
    )
    before = page.evaluate("window.chanjiaoExplorer.graph.order")
    # click (with the mouse, on the canvas) the neighbour with the most neighbours of its own
    target = page.evaluate(
        """() => {
        const {graph, renderer} = window.chanjiaoExplorer;
        const centre = graph.nodes()[0];
        let best = null;
        graph.forEachNeighbor(centre, n => { if (!best || n.startsWith('Ability')) best = n; });
        const p = renderer.graphToViewport(graph.getNodeAttributes(best));
        return {key: best, x: p.x, y: p.y};
    }"""
    )
    box = page.locator("#sigma").bounding_box()
    page.mouse.move(box["x"] + target["x"], box["y"] + target["y"])
    page.wait_for_selector("#tooltip:not([hidden])")
    tooltip = page.inner_text("#tooltip")
    assert "：" in tooltip and "Ability" not in tooltip
    page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    page.wait_for_function(f"() => window.chanjiaoExplorer.graph.order > {before}")
    label, node_id = target["key"].split(":", 1)
    neighbours = server.store.neighbours(Label(label), node_id)
    order = page.evaluate("window.chanjiaoExplorer.graph.order")
    assert order >= len({(n.node.label, n.node.id) for n in neighbours}) + 1
    page.uncheck('#label-filters input[data-label="Course"]')
    hidden = page.evaluate(
        "(() => { const r = window.chanjiaoExplorer.renderer; return window.chanjiaoExplorer.graph"
        ".filterNodes((n, a) => a.kind === 'Course').every(n => r.getNodeDisplayData(n).hidden); })()"
    )
    assert hidden


def test_what_if_with_a_new_course_raises_coverage(tab: Tab, server: Server) -> None:
    page = tab.open(f"/whatif?cluster={SAMPLE_CLUSTER}&chain={SAMPLE_CHAIN}")
    report = analyse_gaps(server.store, SAMPLE_CLUSTER, SAMPLE_CHAIN).to_dict()
    missing = next(
        r["ability"]
        for p in report["positions"]
        for r in p["requirements"]
        if r["status"] == "missing"
    )
    page.fill("#new-name", "碳化硅外延工艺实训")
    page.select_option("#new-abilities .new-ability", missing)
    page.select_option("#new-abilities .new-level", "4")
    page.click("#new-course-go")
    page.wait_for_function(
        "() => parseFloat(document.getElementById('cov-after').dataset.value) > "
        "parseFloat(document.getElementById('cov-before').dataset.value)"
    )
    expected = what_if(
        server.store,
        SAMPLE_CLUSTER,
        SAMPLE_CHAIN,
        new_courses=[PlannedCourse("NEW-1", "碳化硅外延工艺实训", {missing: 4}, 48)],
    ).coverage
    assert expected is not None and expected > report["coverage"]
    assert page.inner_text("#cov-after") == percent(expected)
    assert page.inner_text("#cov-before") == percent(report["coverage"])
    assert "碳化硅外延工艺实训" in page.inner_text("#change-list")
    tab.shot("whatif")
    assert server.store.get_node(Label.COURSE, "NEW-1") is None


def test_map_and_planning_pages(tab: Tab, server: Server) -> None:
    page = tab.open(f"/map?cluster={SAMPLE_CLUSTER}&chain={SAMPLE_CHAIN}")
    rows = page.locator("#heat tbody tr[data-ability]").count()
    page.fill("#heat-filter", "光刻")
    visible = page.locator("#heat tbody tr[data-ability]:visible").count()
    assert 0 < visible < rows
    tab.shot("map")
    page = tab.open(
        f"/plan?cluster={SAMPLE_CLUSTER}&chain={SAMPLE_CHAIN}&tool=cluster&run=true&budget=6"
    )
    assert page.locator("#cluster-greedy-coverage").inner_text().endswith("%")
    tab.shot("plan")


def workbook(rows: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, table in rows.items():
        sheet = book.create_sheet(name)
        for row in table:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_upload_error_then_log_in_and_load(tab: Tab, server: Server, tmp_path: Path) -> None:
    page = tab.open("/data")
    assert page.is_disabled("#upload-file")  # writes need a login
    page.click("#upload-login a")
    tab.shot("login")
    page.fill("#login-key", KEY)
    page.click("#login-submit")
    page.wait_for_url("**/data")
    header = ["id", "name", "hours", "major_ids"]
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook({"courses": [header, ["C-NEW-1", "新课程", "很多", "M-510401"]]}))
    tab.expected_failures.append("/api/v1/ingest")  # the 422 of the bad workbook
    page.set_input_files("#upload-file", str(bad))
    page.click("#upload-check")
    page.wait_for_selector("#error-table:not([hidden]) tbody tr")
    cells = page.locator("#error-table tbody tr").first.locator("td").all_inner_texts()
    assert cells[1:3] == ["2", "hours"] and "courses" in cells[0]
    tab.shot("data-error", full=True)
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook({"courses": [header, ["C-NEW-1", "新课程", 32, "M-510401"]]}))
    page.set_input_files("#upload-file", str(good))
    page.click("#upload-check")
    page.wait_for_selector("#upload-confirm:not([hidden])")
    assert server.store.get_node(Label.COURSE, "C-NEW-1") is None  # a dry run wrote nothing
    page.click("#upload-confirm")
    page.wait_for_selector("#result-title.ok >> text=已导入")
    course = server.store.get_node(Label.COURSE, "C-NEW-1")
    assert course is not None and course.name == "新课程"
    tab.shot("data")


def test_talent_page_after_login_shows_the_librarys_candidates(tab: Tab, server: Server) -> None:
    page = tab.open("/talent")
    assert page.locator("#candidates").count() == 0  # students are personal data
    page.click("#talent-login a")
    page.fill("#login-key", KEY)
    page.click("#login-submit")
    page.wait_for_url("**/talent")
    page.select_option("#pick-position", "P-FAB-01")
    page.select_option("#pick-cohort", "2023")
    page.select_option("#pick-chain", SAMPLE_CHAIN)
    with page.expect_navigation():
        page.click("#pick-go")
    expected = match_position(
        server.store, "P-FAB-01", cohort="2023", settings=TalentSettings(0.8, 3)
    ).to_dict()["students"]
    assert expected
    shown = page.eval_on_selector_all(
        "#candidates tr.candidate",
        "rows => rows.map(r => [r.dataset.student, r.querySelector('td.readiness').textContent])",
    )
    assert shown == [[s["id"], percent(s["readiness"])] for s in expected]
    share = cohort_readiness(
        server.store, "2023", SAMPLE_CHAIN, settings=TalentSettings(0.8, 3)
    ).to_dict()["share"]
    assert page.inner_text("#cohort-share") == percent(share)
    tab.shot("talent", full=True)


def test_docs_and_redoc_offline(tab: Tab) -> None:
    page = tab.open("/docs")
    page.wait_for_selector(".opblock-tag")
    page = tab.open("/redoc")
    page.wait_for_selector("[data-section-id]", timeout=30000)


def test_every_page_keeps_payloads_inert(tab: Tab, server: Server, tmp_path: Path) -> None:
    source = tmp_path / "evil.json"
    source.write_text(json.dumps(dataset(), ensure_ascii=False), encoding="utf-8")
    ingest(server.store, source)
    scope = "cluster=K1&chain=H1"
    key = f"Ability:{ABILITY}"
    pages = workbench_pages()
    for path in pages:
        page = tab.open(path)
        view = Page(page.content())
        assert not view.attrs_of("img"), path
        for tag, attrs in view.elements:
            assert not any(name.startswith("on") for name in attrs), (path, tag, attrs)
        assert any(p in view.visible for p in PAYLOADS) or path.startswith(("/explore", "/data")), (
            path
        )
    page = tab.open(f"/explore?{scope}&node={quote(key)}")
    page.wait_for_function("() => window.chanjiaoExplorer.graph.order > 1")
    assert SVG in page.inner_text("#node-details")
    page.fill("#node-search", "alert")
    page.wait_for_selector("#search-results button.result")
    assert any(p in page.inner_text("#search-results") for p in PAYLOADS)
