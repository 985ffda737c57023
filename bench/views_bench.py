"""Benchmark of the graph views and the HTML report (a script, not a test).

- a cluster view of about 2,000 nodes on a synthetic graph: time to build and render the
  page in Python, then time for headless Chromium to draw it (until the page's status
  element says it drew);
- the sample college's HTML report (K-IC × CH-SEMI3), with its embedded cluster view.

Usage: python bench/views_bench.py [--nodes 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chanjiao import viz
from chanjiao.cli import sample_path
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.schema import Label, Node, Rel, Relationship
from chanjiao.ingest.load import ingest
from chanjiao.report.html import gap_report_html

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def synthetic(store: EmbeddedStore, nodes: int) -> None:
    """A chain and a cluster whose cluster view has about `nodes` nodes."""
    rng = random.Random(7)
    n_seg, n_maj = 10, 5
    n_pos = nodes * 20 // 100
    n_abl = nodes * 50 // 100
    n_crs = nodes - n_seg - n_maj - n_pos - n_abl
    ns = [Node(Label.INDUSTRY_CHAIN, "H", {"name": "合成产业链"})]
    rs = []
    ns.append(Node(Label.SPECIALTY_CLUSTER, "K", {"name": "合成专业群"}))
    for s in range(n_seg):
        ns.append(Node(Label.CHAIN_SEGMENT, f"S{s}", {"name": f"环节{s}", "order": s}))
        rs.append(
            Relationship(Rel.PART_OF, Label.CHAIN_SEGMENT, f"S{s}", Label.INDUSTRY_CHAIN, "H")
        )
    for m in range(n_maj):
        ns.append(Node(Label.MAJOR, f"M{m}", {"name": f"专业{m}"}))
        rs.append(Relationship(Rel.IN_CLUSTER, Label.MAJOR, f"M{m}", Label.SPECIALTY_CLUSTER, "K"))
    for a in range(n_abl):
        ns.append(Node(Label.ABILITY, f"A{a}", {"name": f"能力{a}", "category": "skill"}))
    for p in range(n_pos):
        ns.append(Node(Label.POSITION, f"P{p}", {"name": f"岗位{p}", "demand": rng.randint(1, 20)}))
        rs.append(
            Relationship(
                Rel.IN_SEGMENT, Label.POSITION, f"P{p}", Label.CHAIN_SEGMENT, f"S{p % n_seg}"
            )
        )
        for a in rng.sample(range(n_abl), 10):
            rs.append(
                Relationship(
                    Rel.REQUIRES,
                    Label.POSITION,
                    f"P{p}",
                    Label.ABILITY,
                    f"A{a}",
                    {"level": rng.randint(1, 4), "weight": 1.0},
                )
            )
    for c in range(n_crs):
        ns.append(Node(Label.COURSE, f"C{c}", {"name": f"课程{c}"}))
        rs.append(Relationship(Rel.IN_MAJOR, Label.COURSE, f"C{c}", Label.MAJOR, f"M{c % n_maj}"))
        for a in rng.sample(range(n_abl), 4):
            rs.append(
                Relationship(
                    Rel.COVERS,
                    Label.COURSE,
                    f"C{c}",
                    Label.ABILITY,
                    f"A{a}",
                    {"level": rng.randint(1, 4)},
                )
            )
    store.write(ns, rs)


def draw_seconds(page: Path) -> float:
    """Wall time for Chromium to load and draw the page (status element set by the page)."""
    with tempfile.TemporaryDirectory() as profile:
        start = time.perf_counter()
        dom = subprocess.run(
            [
                "chromium",
                *FLAGS,
                f"--user-data-dir={profile}",
                "--window-size=1400,900",
                "--virtual-time-budget=30000",
                "--dump-dom",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        ).stdout
        elapsed = time.perf_counter() - start
    assert 'data-drawn="1"' in dom, "the view was not drawn"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with EmbeddedStore(work / "syn.db") as store:
            synthetic(store, args.nodes)
            viz.cluster_graph(store, "K", "H", max_nodes=args.nodes * 2)  # warm the read cache
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                view = viz.cluster_graph(store, "K", "H", max_nodes=args.nodes * 2)
                html = viz.render_view(view)
                times.append(time.perf_counter() - start)
        page = work / "big.html"
        page.write_text(html, encoding="utf-8")
        print(f"view: {view.node_count} nodes, {view.edge_count} edges, {len(html) / 1e6:.2f} MB")
        print(
            f"  build + render in Python: median {statistics.median(times):.3f} s, max {max(times):.3f} s ({args.runs} runs)"
        )
        draws = [draw_seconds(page) for _ in range(3)]
        print(
            f"  Chromium load + draw (whole process): median {statistics.median(draws):.2f} s, max {max(draws):.2f} s"
        )
        empty = work / "empty.html"
        empty.write_text(
            '<!DOCTYPE html><title>x</title><div class=x data-drawn="1"></div>', encoding="utf-8"
        )
        print(f"  (Chromium start-up alone: {draw_seconds(empty):.2f} s)")

        with EmbeddedStore(work / "sample.db") as store:
            ingest(store, sample_path())
            gap_report_html(store, "K-IC", "CH-SEMI3")  # first call: caches warm
            cold = []
            for _ in range(args.runs):
                start = time.perf_counter()
                report = gap_report_html(store, "K-IC", "CH-SEMI3")
                cold.append(time.perf_counter() - start)
        print(
            f"sample college HTML report: median {statistics.median(cold):.3f} s, max {max(cold):.3f} s, {len(report) / 1e6:.2f} MB"
        )


if __name__ == "__main__":
    main()
