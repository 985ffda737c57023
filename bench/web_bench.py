"""Benchmark the web workbench: page render and interaction times, sample and national.

    python bench/web_bench.py [--scale 1.0] [--work DIR] [--store PATH] [--no-browser]

For the bundled sample college and for the synthetic national-scale graph
(bench/generate.py at ``--scale``, ingested into ``--work``; or an existing store
given with ``--store``), in one process:

- server time of each page's first render (a new app over a store whose read cache
  is warm, as `chanjiao serve` warms it at start) and the median of 5 more renders;
- server time of each interaction the pages' scripts make (what-if with a new course,
  explorer search, node expansion, layered graph, gap focus, status filter);
- with Chromium (unless ``--no-browser``): time until the explorer has drawn the
  layered graph, and frames per second while the camera zooms, on software WebGL
  (SwiftShader: this machine has no GPU, so a real browser does better).

Server times are measured through the ASGI app in process (no network), so they are
what the server spends. Prints Markdown tables; nothing asserts (a shared two-core
machine is noisy).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from fastapi.testclient import TestClient  # noqa: E402

from chanjiao.analysis.gaps import analyse_gaps  # noqa: E402
from chanjiao.api.app import create_app  # noqa: E402
from chanjiao.api.settings import Settings  # noqa: E402
from chanjiao.graph.embedded import EmbeddedStore  # noqa: E402
from chanjiao.graph.schema import Rel  # noqa: E402
from chanjiao.graph.store import GraphStore  # noqa: E402


def timed(client: TestClient, method: str, url: str, body: Any = None) -> tuple[float, int, int]:
    start = time.perf_counter()
    answer = client.request(method, url, json=body)
    ms = (time.perf_counter() - start) * 1000
    return ms, answer.status_code, len(answer.content)


def largest_scopes(store: GraphStore, count: int) -> list[tuple[str, str]]:
    """The `count` cluster × own chain pairs whose chains have the most positions."""
    sized = sorted(
        (
            (-len(store.chain_scope(rel.dst).positions), rel.src, rel.dst)
            for rel in store.relationships(Rel.TARGETS)
        ),
    )
    chosen: dict[str, str] = {}
    for _, cluster, chain in sized:
        chosen.setdefault(chain, cluster)  # one cluster per chain: other chains add nodes
    return [(cluster, chain) for chain, cluster in list(chosen.items())[:count]]


def scope_of(store: GraphStore) -> tuple[str, str, str, str]:
    """The cluster with the largest own chain, its chain, its top gap and a position."""
    cluster, chain = largest_scopes(store, 1)[0]
    report = analyse_gaps(store, cluster, chain)
    gap = report.gaps[0].ability if report.gaps else ""
    return cluster, chain, gap, report.positions[0].id


def measure(store: GraphStore, label: str) -> list[tuple[str, str, str, str, int]]:
    cluster, chain, gap, position = scope_of(store)
    store.warm()
    client = TestClient(create_app(store, Settings(warm_cache=False)))  # type: ignore[call-arg]
    q = f"cluster={quote(cluster)}&chain={quote(chain)}"
    pages = [
        ("page", "/"),
        ("page", f"/?{q}"),
        ("page", f"/construction?{q}"),
        ("page", f"/gaps?{q}"),
        ("page", f"/map?{q}"),
        ("page", f"/explore?{q}"),
        ("page", f"/whatif?{q}"),
        ("page", f"/plan?{q}&tool=resources"),
        ("page", f"/plan?{q}&tool=certificates"),
        ("page", f"/plan?{q}&tool=partners"),
        ("page", f"/plan?{q}&tool=path&position={quote(position)}"),
        ("page", "/data"),
    ]
    whatif = {
        "cluster": cluster,
        "chain": chain,
        "compare": True,
        "with_closers": False,
        "full": False,
        "new_courses": [
            {
                "id": "BENCH-NEW",
                "name": "新课程",
                "hours": 48,
                "abilities": [{"ability": gap, "level": 4}],
            }
        ],
    }
    interactions = [
        ("filter", "GET", f"/gaps?{q}&status=missing", None),
        ("what-if", "POST", "/api/v1/gaps/what-if", whatif),
        ("search", "GET", "/api/v1/graph/search?q=" + quote("工艺"), None),
        ("search (id)", "GET", "/api/v1/graph/search?q=" + quote(position[:6]), None),
        ("expand", "GET", "/api/v1/graph/node?key=" + quote(f"Position:{position}"), None),
        ("layered graph", "GET", f"/api/v1/graph/layered?{q}", None),
        ("gap focus", "GET", f"/api/v1/graph/gap?{q}&ability={quote(gap)}", None),
        (
            "path focus",
            "GET",
            f"/api/v1/graph/path?cluster={quote(cluster)}&position={quote(position)}",
            None,
        ),
    ]
    client.get("/api/v1/health")  # start-up of the test client and thread pool, not a page
    client.get("/static/app.css")
    rows = []
    for kind, url in pages:
        first, status, size = timed(client, "GET", url)
        again = [timed(client, "GET", url)[0] for _ in range(5)]
        rows.append(
            (
                label,
                kind,
                url.split("?")[0] + ("?" + url.split("?")[1][:40] if "?" in url else ""),
                f"{first:.0f} / {statistics.median(again):.0f}",
                size,
            )
        )
        assert status == 200, (url, status)
    for kind, method, url, body in interactions:
        first, status, size = timed(client, method, url, body)
        again = [timed(client, method, url, body)[0] for _ in range(5)]
        rows.append(
            (
                label,
                kind,
                f"{method} {url.split('?')[0]}",
                f"{first:.0f} / {statistics.median(again):.0f}",
                size,
            )
        )
        assert status == 200, (url, status)
    return rows


#: Frames sigma draws per second while the camera zooms in for 2 s, as a wheel zoom
#: animates (edges and labels are hidden while the camera moves, as sigma is set).
FPS = """() => new Promise(done => {
  const r = window.chanjiaoExplorer.renderer; const cam = r.getCamera();
  let frames = 0; const t0 = performance.now();
  r.on('afterRender', () => { frames++; });
  cam.animate({ratio: cam.getState().ratio / 4}, {duration: 2000});
  setTimeout(() => done(frames / ((performance.now() - t0) / 1000)), 2100);
})"""


#: Main-thread time of one full render (sigma's refresh() draws synchronously).
RENDER = """() => { const r = window.chanjiaoExplorer.renderer; const t0 = performance.now();
  for (let i = 0; i < 20; i++) { r.refresh(); } return (performance.now() - t0) / 20; }"""


def browser_figures(store_path: str, label: str) -> list[tuple[str, str, str]]:
    """Time to draw the explorer's layered graph and FPS while zooming, in Chromium."""
    import uvicorn
    from playwright.sync_api import sync_playwright

    store = EmbeddedStore(store_path)
    cluster, chain, _, _ = scope_of(store)
    more = largest_scopes(store, 40)[1:]
    app = create_app(store, Settings(warm_cache=False))  # type: ignore[call-arg]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    flags = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    rows = []
    try:
        with sync_playwright() as p, tempfile.TemporaryDirectory():
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=flags
            )
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            start = time.perf_counter()
            page.goto(
                f"http://127.0.0.1:{port}/explore?cluster={quote(cluster)}&chain={quote(chain)}"
            )
            page.wait_for_function(
                "() => window.chanjiaoExplorer && window.chanjiaoExplorer.graph.order > 10",
                timeout=120000,
            )
            drawn = (time.perf_counter() - start) * 1000
            order = page.evaluate("window.chanjiaoExplorer.graph.order")
            size = page.evaluate("window.chanjiaoExplorer.graph.size")
            fps = page.evaluate(FPS)
            rows.append(
                (
                    label,
                    f"explorer: layered graph drawn ({order} nodes, {size} edges)",
                    f"{drawn:.0f} ms",
                )
            )
            rows.append(
                (
                    label,
                    f"explorer: frames per second while zooming, {order} nodes (software WebGL)",
                    f"{fps:.1f}",
                )
            )
            # then several layered graphs on one screen, towards 10,000 nodes
            for other_cluster, other_chain in more:
                if page.evaluate("window.chanjiaoExplorer.graph.order") >= 10000:
                    break
                url = f"/api/v1/graph/layered?cluster={quote(other_cluster)}&chain={quote(other_chain)}"
                page.evaluate("url => window.chanjiaoExplorer.load(url, {keep: true})", url)
            order = page.evaluate("window.chanjiaoExplorer.graph.order")
            size = page.evaluate("window.chanjiaoExplorer.graph.size")
            render = page.evaluate(RENDER)
            fps = page.evaluate(FPS)
            rows.append(
                (
                    label,
                    f"explorer: frames per second while zooming, {order} nodes, {size} edges",
                    f"{fps:.1f}",
                )
            )
            rows.append(
                (
                    label,
                    f"explorer: one full render on the main thread, {order} nodes (mean of 20)",
                    f"{render:.1f} ms",
                )
            )
            search_start = time.perf_counter()
            page.fill("#node-search", "工艺", timeout=120000)
            page.wait_for_selector("#search-results button.result", timeout=120000)
            search_ms = (time.perf_counter() - search_start) * 1000
            browser.close()
            rows.append(
                (
                    label,
                    "explorer: type a search, results shown (incl. 120 ms debounce)",
                    f"{search_ms:.0f} ms",
                )
            )
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "chanjiao-web-bench"
    )
    parser.add_argument(
        "--store", help="an existing national-scale store (skips generate + ingest)"
    )
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--only-browser", action="store_true")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)

    from chanjiao.cli import sample_path
    from chanjiao.ingest.load import ingest

    sample_db = args.work / "sample.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sample_db}{suffix}").unlink(missing_ok=True)
    with EmbeddedStore(sample_db) as store:
        ingest(store, sample_path())
    national = args.store
    if national is None:
        national = str(args.work / f"national-{args.scale}.db")
        if not Path(national).exists():
            data = args.work / f"gen-{args.scale}"
            subprocess.run(
                [sys.executable, str(HERE / "generate.py"), str(data), "--scale", str(args.scale)],
                check=True,
            )
            with EmbeddedStore(national) as store:
                ingest(store, data)
    rows = []
    for label, path in (("sample", str(sample_db)), (f"national ({args.scale})", national)):
        if args.only_browser:
            break
        with EmbeddedStore(path) as store:
            rows += measure(store, label)
    print("| data | kind | request | server ms: first / median of 5 | bytes |")
    print("| --- | --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    if not args.no_browser:
        print()
        print("| data | in Chromium | figure |")
        print("| --- | --- | --- |")
        for label, path in (("sample", str(sample_db)), (f"national ({args.scale})", national)):
            for row in browser_figures(path, label):
                print("| " + " | ".join(row) + " |")
    print()
    print(json.dumps({"python": sys.version.split()[0], "cpus": os.cpu_count()}))


if __name__ == "__main__":
    main()
