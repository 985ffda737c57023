"""Benchmark the embedded store at national scale: ingest, cold open, gap latency, memory.

    python bench/run.py [--scale 1.0] [--pairs 100] [--work DIR]

Generates the synthetic dataset (bench/generate.py), then runs each measurement in
its own process so peak RSS and "cold" open are per phase:

- ingest: rows/s of `chanjiao ingest` into a fresh store file, and its peak RSS;
- cold open: a new process opens the store and answers its first query
  (OS page cache warm: this machine cannot drop caches);
- gaps: latency of the full §4 gap JSON (closers included) over `--pairs` random
  cluster × chain pairs, p50 / p99, plus the same for each cluster's own chain.

Prints a Markdown table; targets (issue #2) are shown next to the figures. Not a
test: timings on a shared machine are noisy, so nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

_INGEST = """
import json, resource, sys, time
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.ingest.load import ingest
start = time.perf_counter()
store = EmbeddedStore(sys.argv[1])
result = ingest(store, sys.argv[2])
seconds = time.perf_counter() - start
print(json.dumps({"rows": result.rows, "seconds": seconds,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_OPEN = """
import json, sys, time
start = time.perf_counter()
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.analysis.gaps import analyse_gaps
imported = time.perf_counter()
store = EmbeddedStore(sys.argv[1])
stats = store.stats()
opened = time.perf_counter()
cluster = sorted(store.nodes(__import__("chanjiao.graph.schema").graph.schema.Label.SPECIALTY_CLUSTER))[0]
chain = sorted(store.nodes(__import__("chanjiao.graph.schema").graph.schema.Label.INDUSTRY_CHAIN))[0]
analyse_gaps(store, cluster, chain).to_json()
first = time.perf_counter()
print(json.dumps({"import": imported - start, "open_and_stats": opened - imported,
                  "first_gap": first - opened, "total": first - start}))
"""

_GAPS = """
import json, random, resource, sys, time
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.schema import Label, Rel
from chanjiao.analysis.gaps import analyse_gaps, warm_gaps
store = EmbeddedStore(sys.argv[1])
pairs = int(sys.argv[2])
clusters = sorted(store.nodes(Label.SPECIALTY_CLUSTER))
chains = sorted(store.nodes(Label.INDUSTRY_CHAIN))
own = {r.src: r.dst for r in store.relationships(Rel.TARGETS)}
rng = random.Random(7)
def measure(todo):
    times, sizes, gaps = [], [], []
    for cluster, chain in todo:
        start = time.perf_counter()
        body = analyse_gaps(store, cluster, chain).to_json()  # what the API sends
        times.append(time.perf_counter() - start)
        gaps.append(len(json.loads(body)["gaps"]))
        sizes.append(len(body))
    times.sort()
    return {"p50_ms": times[len(times) // 2] * 1000,
            "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))] * 1000,
            "max_ms": times[-1] * 1000, "mean_gaps": sum(gaps) / len(gaps),
            "mean_json_kb": sum(sizes) / len(sizes) / 1024}
random_pairs = [(rng.choice(clusters), rng.choice(chains)) for _ in range(pairs)]
own_pairs = [(c, own[c]) for c in rng.sample(clusters, min(pairs, len(clusters)))]
lazy = measure(random_pairs)  # caches fill as the pairs come: what a CLI session sees
start = time.perf_counter()
store.warm()
warm_gaps(store)  # what `chanjiao serve` does in the background at start
warm_seconds = time.perf_counter() - start
print(json.dumps({"lazy": lazy, "random": measure(random_pairs), "own_chain": measure(own_pairs),
                  "warm_seconds": warm_seconds,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _run(script: str, *args: str) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        sys.exit(proc.stderr)
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument("--work", type=Path, default=None, help="keep data and store here")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="chanjiao-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"national-{args.scale}"
    if not data.exists():
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), str(data), "--scale", str(args.scale)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    db = work / f"national-{args.scale}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)

    ingest = _run(_INGEST, str(db), str(data))
    cold = _run(_OPEN, str(db))
    gaps = _run(_GAPS, str(db), str(args.pairs))
    rand, own, lazy = gaps["random"], gaps["own_chain"], gaps["lazy"]
    assert isinstance(rand, dict) and isinstance(own, dict) and isinstance(lazy, dict)
    rows, seconds = float(ingest["rows"]), float(ingest["seconds"])  # type: ignore[arg-type]

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}"
    )
    print(
        f"dataset: scale {args.scale}, {int(rows):,} rows, store {db.stat().st_size / 1e6:.0f} MB"
    )
    print()
    print("| measure | figure | target |")
    print("| --- | ---: | ---: |")
    print(f"| ingest rows/s | {rows / seconds:,.0f} ({seconds:.1f} s) | ≥ 100,000 |")
    print(f"| ingest peak RSS | {ingest['rss_mb']:.0f} MB | ≤ 2,048 MB |")
    print(
        f"| cold open (new process: open + stats) | {float(cold['open_and_stats']):.3f} s "  # type: ignore[arg-type]
        f"| ≤ 2 s |"
    )
    print(f"| … + first gap analysis | {float(cold['first_gap']):.3f} s | |")  # type: ignore[arg-type]
    print(f"| … Python imports before that | {float(cold['import']):.3f} s | |")  # type: ignore[arg-type]
    print(
        f"| gap p50 / p99, {args.pairs} random cluster × chain, caches filling as they go "
        f"| {lazy['p50_ms']:.1f} / {lazy['p99_ms']:.1f} ms | |"
    )
    print(f"| store.warm() (a server does this at start) | {gaps['warm_seconds']:.1f} s | |")
    print(f"| gap p50, random pairs, warm | {rand['p50_ms']:.1f} ms | ≤ 20 ms |")
    print(f"| gap p99, random pairs, warm | {rand['p99_ms']:.1f} ms | |")
    print(
        f"| gap p50 / p99, cluster × its own chain | {own['p50_ms']:.1f} / "
        f"{own['p99_ms']:.1f} ms | |"
    )
    print(
        f"| gaps per report (random / own) | {rand['mean_gaps']:.0f} / {own['mean_gaps']:.0f} | |"
    )
    print(
        f"| JSON per report (random / own) | {rand['mean_json_kb']:.0f} / "
        f"{own['mean_json_kb']:.0f} KB | |"
    )
    print(f"| analysis peak RSS | {gaps['rss_mb']:.0f} MB | ≤ 2,048 MB |")


if __name__ == "__main__":
    main()
