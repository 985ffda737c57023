"""Ingest speed side by side with DuckDB's raw CSV load of the same files (issue #14).

    .venv/bin/pip install -e ".[bench]"     # duckdb (bench-only)
    .venv/bin/python bench/ingest_bench.py [--scale 1.0] [--repeat 3] [--work DIR]
        [--no-duckdb]

Generates the synthetic dataset (bench/generate.py; reused when --work already holds
it for that scale), then, several times and interleaved so the noise of a busy machine
hits both alike:

- duckdb: ``CREATE TABLE t AS SELECT * FROM read_csv_auto(file)`` for every CSV file,
  into a new DuckDB file, in this process (no validation, no graph: the floor of
  "parse the CSV and store it");
- chanjiao: ``chanjiao.ingest.load.ingest`` of the same folder into a new embedded
  store, with every check, in a child process of its own, so its peak RSS
  (``getrusage(RUSAGE_CHILDREN).ru_maxrss``) is the ingest's alone.

Prints wall-clock and CPU seconds (CPU is less sensitive to other jobs on the
machine) per run, their medians, the ratio chanjiao ÷ duckdb, rows/s and peak RSS.
Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: Run in the child: ingest the folder into a new store, print the figures as JSON.
_CHILD = """
import json, resource, sys, time
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.ingest.load import ingest
store = EmbeddedStore(sys.argv[2])
wall, cpu = time.perf_counter(), time.process_time()
result = ingest(store, sys.argv[1])
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
store.close()
print(json.dumps({"wall": wall, "cpu": cpu, "rows": result.rows,
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def prepare(work: Path, scale: float) -> Path:
    """The dataset folder for `scale`, generated unless already there."""
    data = work / f"data-{scale}"
    done = data / ".complete"
    if not done.exists():
        shutil.rmtree(data, ignore_errors=True)
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "generate.py"), str(data), "--scale", str(scale)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        done.touch()
    return data


def _fresh(path: Path) -> None:
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()


def duckdb_load(data: Path, work: Path) -> dict[str, float]:
    """DuckDB's raw load of every CSV file into tables of a new database file."""
    try:
        import duckdb
    except ImportError:
        raise SystemExit(
            'DuckDB is a bench-only dependency: .venv/bin/pip install -e ".[bench]"'
        ) from None

    target = work / "duck.duckdb"
    _fresh(target)
    wall, cpu = time.perf_counter(), time.process_time()
    con = duckdb.connect(str(target))
    for csv_file in sorted(data.glob("*.csv")):
        con.execute(
            f'CREATE TABLE "{csv_file.stem}" AS SELECT * FROM read_csv_auto(?)', [str(csv_file)]
        )
    con.close()
    return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


def chanjiao_ingest(data: Path, work: Path) -> dict[str, Any]:
    """chanjiao's full ingest in a child process; its own wall, CPU and peak RSS."""
    target = work / "chanjiao.db"
    _fresh(target)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(data), str(target)],
        check=True,
        capture_output=True,
        text=True,
        cwd=work,  # not ROOT: PYTHONPATH can then point the child at other code
    )
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["size"] = sum(p.stat().st_size for p in work.glob("chanjiao.db*"))
    with sqlite3.connect(target) as con:
        figures["nodes"] = con.execute("SELECT count(*) FROM nodes").fetchone()[0]
        figures["relationships"] = con.execute("SELECT count(*) FROM rels").fetchone()[0]
    con.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/chanjiao-ingest-bench"))
    parser.add_argument("--no-duckdb", action="store_true", help="chanjiao only (RSS runs)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    data = prepare(args.work, args.scale)
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()},"
        f" SQLite {sqlite3.sqlite_version}, load average {os.getloadavg()[0]:.1f}"
    )
    duck: list[dict[str, float]] = []
    ours: list[dict[str, Any]] = []
    for run in range(args.repeat):
        steps = ["duckdb", "chanjiao"] if run % 2 == 0 else ["chanjiao", "duckdb"]
        for step in steps:
            if step == "duckdb" and not args.no_duckdb:
                duck.append(duckdb_load(data, args.work))
                print(
                    f"run {run + 1} duckdb   wall {duck[-1]['wall']:6.2f} s  cpu {duck[-1]['cpu']:6.2f} s"
                )
            elif step == "chanjiao":
                ours.append(chanjiao_ingest(data, args.work))
                last = ours[-1]
                print(
                    f"run {run + 1} chanjiao wall {last['wall']:6.2f} s  cpu {last['cpu']:6.2f} s"
                    f"  peak RSS {last['rss'] / 1024:,.0f} MB"
                )
    rows, first = ours[0]["rows"], ours[0]
    wall = statistics.median(r["wall"] for r in ours)
    cpu = statistics.median(r["cpu"] for r in ours)
    peak = max(r["rss"] for r in ours) / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"\nscale {args.scale}: {rows:,} rows, {first['nodes']:,} nodes, "
        f"{first['relationships']:,} relationships, store {first['size'] / 2**20:,.0f} MiB"
    )
    print(
        f"chanjiao median wall {wall:.2f} s ({rows / wall:,.0f} rows/s), cpu {cpu:.2f} s;"
        f" peak RSS {peak:,.0f} MB (RUSAGE_CHILDREN {children:,.0f} MB)"
    )
    if duck:
        duck_wall = statistics.median(r["wall"] for r in duck)
        duck_cpu = statistics.median(r["cpu"] for r in duck)
        print(
            f"duckdb   median wall {duck_wall:.2f} s ({rows / duck_wall:,.0f} rows/s),"
            f" cpu {duck_cpu:.2f} s"
        )
        print(
            f"ratio chanjiao / duckdb: wall {wall / duck_wall:.1f}x, cpu {cpu / duck_cpu:.1f}x"
            " (target: wall <= 3x)"
        )


if __name__ == "__main__":
    main()
