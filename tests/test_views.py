"""Graph views on tests/data/valid/small, built in Python and drawn by real headless Chromium.

The cluster view of K1 × H1, on paper (see tests/test_gaps.py for the numbers):

    segments S1, S2, S3 (3) · scored positions P1, P2, P3 + unmodelled P4 (4)
    abilities required: A1, A2, A3, A4, A5 (5): A1 taught 3 ≥ max required 3 → covered;
        A2 taught 2 < 4 (P3) → partial; A4 taught 1 < 3 → partial; A3, A5 taught 0 → missing
    courses of K1 covering a required ability: C1 (A1), C2 (A2, A4); orphans C3, C5 (4)
    majors M1, M2 (2)  → 18 nodes
    edges: S→P 4 · P→A 7 requirements (P1 3, P2 2, P3 2) · C→A 3 · M→C 4 (C1, C3, C5 in M1;
    C2 in M2) = 18
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chanjiao import viz
from chanjiao.cli import app
from chanjiao.errors import InvalidInput, InvalidRequest, NotFound
from chanjiao.graph.schema import Label
from chanjiao.graph.store import GraphStore
from chanjiao.viz.render import vis_assets

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IMG = Path(__file__).resolve().parents[1] / "docs" / "img"

#: Injected first in <head>: any alert() an injected payload runs marks the page.
ALERT_HOOK = (
    "<script>window.alert=function(){document.documentElement.setAttribute('data-alerted','1')};"
    "</script>"
)
#: Injected before </body>: after drawing, record what the page shows into #probe.
PROBE = """<div id="probe"></div><script>
setTimeout(function () {
  var probe = document.getElementById('probe');
  var canvases = document.querySelectorAll('.cj-canvas canvas');
  var inked = 0;
  Array.prototype.forEach.call(canvases, function (canvas) {
    var d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (var i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 0 && (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235)) { inked++; }
    }
  });
  probe.setAttribute('data-inked', String(inked));
  probe.setAttribute('data-resources', String(performance.getEntriesByType('resource').length));
  var views = window.chanjiaoViews || [];
  probe.setAttribute('data-dataset-nodes', views.map(function (v) { return v.nodes.length; }).join(','));
  var search = document.querySelector('.cj-search');
  if (search && window.SEARCH) {
    search.value = window.SEARCH;
    search.dispatchEvent(new Event('input'));
  }
}, 800);
</script>"""


def probe_page(html: str, tmp: Path, name: str, search: str = "") -> Path:
    """A copy of the page with the alert hook and the probe injected (the page is unchanged)."""
    page = html.replace("<head>", "<head>" + ALERT_HOOK, 1)
    preset = f"<script>window.SEARCH = {search!r};</script>" if search else ""
    page = page.replace("</body>", preset + PROBE + "</body>", 1)
    path = tmp / f"{name}.html"
    path.write_text(page, encoding="utf-8")
    return path


def chromium(path: Path, *args: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args, path.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def dump_dom(path: Path) -> str:
    """The DOM after the page's scripts ran (virtual time lets timers fire)."""
    return chromium(path, "--virtual-time-budget=6000", "--dump-dom")


def screenshot(path: Path, target: Path, size: str = "1400,900") -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    chromium(path, "--virtual-time-budget=6000", f"--window-size={size}", f"--screenshot={target}")
    assert target.stat().st_size > 10_000
    return target


class Page(HTMLParser):
    """The rendered DOM as the tests need it: visible text, elements and attributes."""

    def __init__(self, dom: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.elements: list[tuple[str, dict[str, str]]] = []
        self._skip = 0
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(dom)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        if tag in ("script", "style"):
            self._skip += 1
            self._in_script = tag == "script"
            self.scripts.append("") if self._in_script else None

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._skip:
            if self._in_script:
                self.scripts[-1] += data
            return
        self.text.append(data)

    @property
    def visible(self) -> str:
        return "".join(self.text)

    def attrs_of(self, tag: str, **where: str) -> list[dict[str, str]]:
        return [
            a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in where.items())
        ]


def drawn(html: str, tmp: Path, name: str, search: str = "") -> tuple[Page, dict[str, str]]:
    """Open a page in Chromium; return the DOM and the probe's findings."""
    dom = dump_dom(probe_page(html, tmp, name, search))
    page = Page(dom)
    (probe,) = page.attrs_of("div", id="probe")
    html_attrs = page.attrs_of("html")[0]
    assert "data-alerted" not in html_attrs, "a script the page did not write ran"
    assert probe["data-resources"] == "0", "the page loaded something from outside"
    return page, probe


def assert_drew(page: Page, probe: dict[str, str], expected_nodes: int) -> None:
    (status,) = page.attrs_of("div", **{"class": "cj-status"})
    assert status["data-drawn"] == "1"
    assert status["data-nodes"] == str(expected_nodes)
    assert probe["data-dataset-nodes"] == str(expected_nodes)
    assert int(probe["data-inked"]) > 500, "the network canvas is blank"


HTTP = re.compile(r"https?:", re.IGNORECASE)
#: The only URLs in the vendored vis-network 9.1.2: license comments, a core-js notice, an
#: error message and the SVG namespace. None is ever fetched.
VENDORED_URLS = {
    "http://almende.com",
    "http://opensource.org/licenses/MIT",
    "http://www.apache.org/licenses/LICENSE-2.0",
    "http://www.w3.org/2000/svg",
    "https://github.com/uuidjs/uuid#getrandomvalues-not-supported",
    "https://github.com/visjs",
    "https://github.com/zloirock/core-js",
    "https://github.com/zloirock/core-js/blob/v3.21.1/LICENSE",
    "https://visjs.github.io/vis-network/",
}


def assert_offline(html: str) -> None:
    """No `http` anywhere except the vendored library, whose URLs are never fetched."""
    assets = str(vis_assets())
    assert html.count(assets) == 1
    rest = html.replace(assets, "")
    assert not HTTP.search(rest), HTTP.findall(rest)[:5]
    assert set(re.findall(r"https?://[^\"' )\n]*", assets)) == VENDORED_URLS
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html


def test_cluster_view_numbers(small: GraphStore) -> None:
    view = viz.cluster_graph(small, "K1", "H1")
    assert view.node_count == 18 and view.edge_count == 18
    nodes = {n["id"]: n for n in view.network.nodes}
    colours = {
        a: nodes[f"Ability:{a}"]["color"]["background"] for a in ("A1", "A2", "A3", "A4", "A5")
    }
    assert colours == {
        "A1": "#2e9e5b",
        "A2": "#f0a030",
        "A3": "#d64541",
        "A4": "#f0a030",
        "A5": "#d64541",
    }
    # Gaps sized by priority: A4 (1.3333) > A3 (1.25) > A2 (0.375) > A5 (0.25) > A1 (none).
    sizes = [nodes[f"Ability:{a}"]["size"] for a in ("A4", "A3", "A2", "A5", "A1")]
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] == 9
    # Positions sized by demand: P1 (5) > P2 (4) > P3 (1).
    assert (
        nodes["Position:P1"]["size"] > nodes["Position:P2"]["size"] > nodes["Position:P3"]["size"]
    )
    assert "孤立课程" in nodes["Course:C3"]["title"]
    assert all("x" in n and "y" in n for n in view.network.nodes)
    legend = {e.zh for e in view.legend}
    assert {"能力：已覆盖", "能力：部分覆盖", "能力：缺失", "岗位", "课程", "专业"} <= legend


def test_cluster_view_groups_then_caps(small: GraphStore) -> None:
    """Over the cap, A1, A2, A4 (parent D1) merge into one node: 18 → 16 nodes; then cap."""
    grouped = viz.cluster_graph(small, "K1", "H1", max_nodes=17)
    assert grouped.node_count == 16
    ids = {n["id"] for n in grouped.network.nodes}
    assert "AbilityGroup:D1" in ids and "Ability:A1" not in ids
    assert "能力域" in grouped.notes[0]
    capped = viz.cluster_graph(small, "K1", "H1", max_nodes=10)
    assert capped.node_count == 10 and "上限 10" in capped.notes[-1]


def test_focus_gap_and_path_views(small: GraphStore) -> None:
    focus = viz.focus_graph(small, "C2", hops=1)
    # C2: IN_MAJOR M2, COVERS A2 and A4, PREREQUISITE C1, USED_IN B2, SUPPORTS R2 → 7 nodes.
    assert focus.node_count == 7
    assert viz.focus_graph(small, "C2", hops=1, max_nodes=3).node_count == 3
    gap = viz.gap_graph(small, "K1", "H1", "A4")
    ids = {n["id"] for n in gap.network.nodes}
    # A4: required by P2; own course C2 (level 1); closers T2, B2, R2, G1.
    assert ids == {
        "Ability:A4",
        "Position:P2",
        "Course:C2",
        "Teacher:T2",
        "Textbook:B2",
        "TrainingResource:R2",
        "Competition:G1",
    }
    covered = viz.gap_graph(small, "K1", "H1", "A1")
    assert "不是差距" in covered.notes[0]
    path = viz.path_graph(small, "P1", "K1")
    labels = {n["id"]: n["label"] for n in path.network.nodes}
    # P1 needs A1 (C1), A2 (C2), A3 (no K1 course); C1 precedes C2.
    assert labels["Course:C1"] == "1. 半导体材料" and labels["Course:C2"] == "2. 光刻工艺"
    assert ("Course:C1", "Course:C2") in {(e["from"], e["to"]) for e in path.network.edges}
    assert "没有任何课程培养" in path.notes[0]


def test_view_errors(small: GraphStore) -> None:
    with pytest.raises(NotFound, match="找不到节点 X9"):
        viz.focus_graph(small, "X9")
    with pytest.raises(InvalidRequest, match="跳数"):
        viz.focus_graph(small, "C1", hops=9)
    with pytest.raises(InvalidInput, match="不认识的节点类型") as raised:
        viz.parse_label("Nope")
    assert raised.value.status == 422  # as on /nodes/{label}: one rule, one status
    assert viz.parse_label("课程") is Label.COURSE and viz.parse_label("course") is Label.COURSE
    with pytest.raises(NotFound, match="找不到能力"):
        viz.gap_graph(small, "K1", "H1", "A9")


def test_views_in_chromium(small: GraphStore, tmp_path: Path) -> None:
    pages = {
        "cluster": (viz.cluster_graph(small, "K1", "H1"), "测试产业链"),
        "focus": (viz.focus_graph(small, "C2", hops=2), "光刻工艺"),
        "gap": (viz.gap_graph(small, "K1", "H1", "A4"), "差距：切磨抛"),
        "path": (viz.path_graph(small, "P1", "K1"), "学习路径"),
    }
    for name, (view, words) in pages.items():
        html = viz.render_view(view)
        assert_offline(html)
        page, probe = drawn(html, tmp_path, name, search="光刻")
        assert_drew(page, probe, view.node_count)
        assert words in page.visible and "图例" in page.visible
        # The search box found C2 and listed it as a button.
        assert "光刻工艺（C2）" in page.visible
        assert any(t == "button" for t, _ in page.elements)
        screenshot(probe_page(html, tmp_path, name), tmp_path / f"{name}.png")


def test_sample_cluster_view_screenshot(tmp_path: Path) -> None:
    """The sample college's cluster view: drawn, and saved for the README (docs/img)."""
    from chanjiao.cli import sample_path
    from chanjiao.graph.embedded import EmbeddedStore
    from chanjiao.ingest.load import ingest

    with EmbeddedStore(tmp_path / "s.db") as store:
        ingest(store, sample_path())
        view = viz.cluster_graph(store, "K-IC", "CH-SEMI3")
    html = viz.render_view(view)
    page, probe = drawn(html, tmp_path, "sample-cluster")
    assert_drew(page, probe, view.node_count)
    assert "集成电路技术专业群" in page.visible
    screenshot(tmp_path / "sample-cluster.html", IMG / "cluster-view.png")


def test_viz_cli(small: GraphStore, tmp_path: Path) -> None:
    store = small.location
    runner = CliRunner()
    for args in (
        ["viz", "cluster", "-k", "K1", "-c", "H1"],
        ["viz", "focus", "C1", "--label", "课程", "--hops", "2"],
        ["viz", "gap", "A4", "-k", "K1", "-c", "H1"],
        ["viz", "path", "P1", "-k", "K1"],
    ):
        target = tmp_path / f"{args[1]}.html"
        result = runner.invoke(app, [*args, "-o", str(target), "--store", store])
        assert result.exit_code == 0, result.output
        assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    result = runner.invoke(app, ["viz", "focus", "X9", "--store", store])
    assert result.exit_code == 1 and "找不到节点 X9" in result.output
    for command in (
        ["report"],
        ["viz", "focus"],
        ["viz", "cluster"],
        ["viz", "gap"],
        ["viz", "path"],
    ):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0
        lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
        assert any("一" <= ch <= "鿿" for ch in lines[1]), command
