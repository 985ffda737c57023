"""How the embedded store scales with the data: ingest, size, warm-up, cold open, gaps.

    .venv/bin/python bench/scaling.py [--scales 0.1,0.3,1.0,2.0] [--work DIR]
        [--pairs 50] [--repeat 3] [--reuse-stores] [--json FILE]

For each scale of the synthetic national dataset (bench/generate.py; generated into
--work once and reused, a folder is complete when it holds `.complete`):

- ingest: `chanjiao ingest` (the real CLI, full validation) into a fresh store file in
  a child process; wall clock, CPU (user + system of the child and anything it waited
  for) and peak RSS (`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss` of a wrapper
  process that runs only that ingest: the largest single process, workers included);
- store: the size of the file (and its -wal) after the ingest;
- warm: `store.warm()` in a fresh process (what `chanjiao serve` starts with), wall and
  `time.process_time()`; `--repeat` fresh processes, the median; then, in the same
  process, `warm_gaps(store)` (the gap report's own layout) and the process's peak RSS;
- cold: a fresh process imports chanjiao, opens the store and answers one gap report
  (`analyse_gaps(...).to_json()`, closers included, no warm-up): what `chanjiao gaps`
  does; `--repeat` processes, a different cluster × chain pair each, the median.
  Imports are timed apart ("open + first gap" is without them);
- gaps: after `warm()` and `warm_gaps()`, `--pairs` distinct random cluster × chain
  pairs asked once each (first asks: no answer cache stands in for the work), p50 / p99
  of the full report as JSON bytes.

The machine may be busy (other processes share its cores): wall clock then overstates
the work, so CPU time is printed beside it; read ratios between scales rather than
absolute figures. Prints a Markdown table and the targets of issue #14 (warm() at 2.0
≤ 2× its time at 1.0; cold open + first gap ≤ 0.5 s at 1.0). Not a test: nothing here
asserts a time. `--reuse-stores` skips the ingest where a store file already exists.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: Runs one command and reports its wall clock, the CPU and peak RSS of everything it ran.
_MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": done.returncode, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "rss_mb": usage.ru_maxrss / 1024, "stderr": done.stderr[-3000:]}))
"""

_WARM = """
import json, resource, sys, time
from chanjiao.graph.embedded import EmbeddedStore
store = EmbeddedStore(sys.argv[1])
wall, cpu = time.perf_counter(), time.process_time()
store.warm()
result = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
from chanjiao.analysis import gaps
warm_gaps = getattr(gaps, "warm_gaps", None)  # the gap report's own warm-up, if it has one
wall, cpu = time.perf_counter(), time.process_time()
if warm_gaps is not None:
    warm_gaps(store)
result.update(gaps_wall=time.perf_counter() - wall, gaps_cpu=time.process_time() - cpu,
              rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps(result))
"""

_COLD = """
import json, sys, time
wall, cpu = time.perf_counter(), time.process_time()
from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.graph.embedded import EmbeddedStore
import numpy  # imported by the first analysis: counted with the imports
imports = time.perf_counter() - wall
wall, cpu = time.perf_counter(), time.process_time()
store = EmbeddedStore(sys.argv[1])
body = analyse_gaps(store, sys.argv[2], sys.argv[3]).to_json()
print(json.dumps({"imports": imports, "wall": time.perf_counter() - wall,
                  "cpu": time.process_time() - cpu, "bytes": len(body)}))
"""

_GAPS = """
import json, sys, time
from chanjiao.analysis import gaps
from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.graph.embedded import EmbeddedStore
store = EmbeddedStore(sys.argv[1])
store.warm()
if hasattr(gaps, "warm_gaps"):
    gaps.warm_gaps(store)
times = []
for pair in json.loads(sys.argv[2]):
    start = time.perf_counter()
    analyse_gaps(store, *pair).to_json()
    times.append(time.perf_counter() - start)
print(json.dumps({"times": times}))
"""


def _python(script: str, *args: str, what: str) -> dict[str, Any]:
    """Run `script` in a fresh interpreter; its last output line is its JSON result."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode != 0:
        sys.exit(f"{what} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _dataset(work: Path, scale: float) -> Path:
    data = work / f"national-{scale}"
    if not (data / ".complete").exists():
        print(f"scale {scale}: generating {data} …", file=sys.stderr, flush=True)
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "generate.py"), str(data), "--scale", str(scale)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (data / ".complete").touch()
    return data


def _rows(data: Path) -> int:
    """Data rows of the dataset's CSV files (one line each in generated data)."""
    rows = 0
    for csv_file in data.glob("*.csv"):
        with csv_file.open("rb") as fh:
            rows += sum(1 for _ in fh) - 1
    return rows


def _ingest(data: Path, db: Path) -> dict[str, Any]:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    command = [sys.executable, "-m", "chanjiao", "ingest", str(data), "--store", str(db)]
    result = _python(_MEASURE, *command, what="the measuring wrapper")
    if result["code"] != 0:
        sys.exit(f"ingest of {data} failed:\n{result['stderr']}")
    return result


def _pairs(db: Path, count: int, seed: int) -> list[tuple[str, str]]:
    """`count` distinct random cluster × chain pairs (fewer if the store has fewer)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        ids = {
            label: [
                r[0]
                for r in conn.execute("SELECT id FROM nodes WHERE label = ? ORDER BY id", (label,))
            ]
            for label in ("SpecialtyCluster", "IndustryChain")
        }
    finally:
        conn.close()
    every = [(k, h) for k in ids["SpecialtyCluster"] for h in ids["IndustryChain"]]
    return random.Random(seed).sample(every, min(count, len(every)))


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(float(r[key]) for r in runs)


def _least(runs: list[dict[str, Any]], key: str) -> float:
    return min(float(r[key]) for r in runs)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def measure(work: Path, scale: float, args: argparse.Namespace) -> dict[str, Any]:
    data = _dataset(work, scale)
    db = work / f"national-{scale}.db"
    result: dict[str, Any] = {"scale": scale, "rows": _rows(data)}
    if args.reuse_stores and db.exists():
        print(f"scale {scale}: reusing {db}", file=sys.stderr, flush=True)
    else:
        print(f"scale {scale}: ingesting …", file=sys.stderr, flush=True)
        result["ingest"] = _ingest(data, db)
    result["store_mb"] = (
        sum(
            Path(f"{db}{suffix}").stat().st_size
            for suffix in ("", "-wal")
            if Path(f"{db}{suffix}").exists()
        )
        / 1e6
    )
    print(f"scale {scale}: warm-up ×{args.repeat} …", file=sys.stderr, flush=True)
    result["warm"] = [_python(_WARM, str(db), what="warm()") for _ in range(args.repeat)]
    pairs = _pairs(db, args.pairs + args.repeat, seed=7)
    cold_pairs, gap_pairs = pairs[: args.repeat], pairs[args.repeat :]
    print(f"scale {scale}: cold open + first gap ×{len(cold_pairs)} …", file=sys.stderr, flush=True)
    result["cold"] = [
        _python(_COLD, str(db), *pair, what="cold open + first gap") for pair in cold_pairs
    ]
    print(
        f"scale {scale}: {len(gap_pairs)} first-ask gaps after warm() …",
        file=sys.stderr,
        flush=True,
    )
    result["gaps"] = (
        _python(_GAPS, str(db), json.dumps(gap_pairs), what="warm gaps")["times"]
        if gap_pairs
        else []
    )
    return result


def _table(results: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| scale | rows | ingest wall / CPU | ingest rows/s (CPU) | ingest peak RSS | store "
        "| warm() wall / CPU | warm() CPU × previous | + warm_gaps() CPU | warm peak RSS "
        "| open + first gap wall / CPU (+ imports) | gap p50 / p99, first asks |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    previous: dict[str, Any] | None = None
    for r in results:
        ingest = r.get("ingest")
        if ingest:
            ingest_cells = (
                f"{ingest['wall']:.1f} / {ingest['cpu']:.1f} s",
                f"{r['rows'] / ingest['cpu']:,.0f}",
                f"{ingest['rss_mb']:,.0f} MB",
            )
        else:
            ingest_cells = ("reused", "—", "—")
        warm_cpu = _median(r["warm"], "cpu")
        ratio = "—"
        if previous is not None:
            growth = r["scale"] / previous["scale"]
            ratio = f"{warm_cpu / _median(previous['warm'], 'cpu'):.2f} (data × {growth:.3g})"
        gaps = r["gaps"]
        gap_cell = (
            f"{_percentile(gaps, 0.5) * 1000:.0f} / {_percentile(gaps, 0.99) * 1000:.0f} ms (n={len(gaps)})"
            if gaps
            else "—"
        )
        lines.append(
            f"| {r['scale']} | {r['rows']:,} | {ingest_cells[0]} | {ingest_cells[1]} "
            f"| {ingest_cells[2]} | {r['store_mb']:,.0f} MB "
            f"| {_median(r['warm'], 'wall'):.2f} / {warm_cpu:.2f} s | {ratio} "
            f"| {_median(r['warm'], 'gaps_cpu'):.2f} s | {_median(r['warm'], 'rss_mb'):,.0f} MB "
            f"| {_median(r['cold'], 'wall'):.3f} / {_median(r['cold'], 'cpu'):.3f} s "
            f"(+ {_median(r['cold'], 'imports'):.2f} s) | {gap_cell} |"
        )
        previous = r
    return lines


def _targets(results: list[dict[str, Any]]) -> list[str]:
    by_scale = {r["scale"]: r for r in results}
    lines = ["| target (issue #14) | measured | met? |", "| --- | ---: | :---: |"]
    if 1.0 in by_scale and 2.0 in by_scale:
        big, base = by_scale[2.0]["warm"], by_scale[1.0]["warm"]
        for clock, how, pick in (
            ("cpu", "CPU, medians", _median),
            ("cpu", "CPU, least disturbed run of each", _least),
            ("wall", "wall clock, medians", _median),
        ):
            ratio = pick(big, clock) / pick(base, clock)
            lines.append(
                f"| warm() at 2.0 ≤ 2× at 1.0 ({how}) | {ratio:.2f}× "
                f"| {'yes' if ratio <= 2 else 'no'} |"
            )
    if 1.0 in by_scale:
        cold = by_scale[1.0]["cold"]
        for clock in ("cpu", "wall"):
            seconds = _median(cold, clock)
            lines.append(
                f"| open + first gap at 1.0 ≤ 0.5 s ({'CPU' if clock == 'cpu' else 'wall clock'}) "
                f"| {seconds:.3f} s | {'yes' if seconds <= 0.5 else 'no'} |"
            )
        with_imports = _median(cold, "wall") + _median(cold, "imports")
        lines.append(
            f"| … with the Python imports (wall clock) | {with_imports:.3f} s "
            f"| {'yes' if with_imports <= 0.5 else 'no'} |"
        )
    if len(lines) == 2:
        lines.append("| (needs scales 1.0 and 2.0) | — | — |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="0.1,0.3,1.0,2.0", help="comma-separated scales")
    parser.add_argument("--work", type=Path, default=None, help="keep data and stores here")
    parser.add_argument("--pairs", type=int, default=50, help="first-ask gap pairs per scale")
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes for warm and cold")
    parser.add_argument("--reuse-stores", action="store_true", help="skip ingest if a store exists")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw results here")
    args = parser.parse_args()
    if args.repeat < 1 or args.pairs < 0:
        parser.error("--repeat must be at least 1 and --pairs at least 0")
    scales = sorted({float(s) for s in args.scales.split(",") if s.strip()})
    work = args.work or Path(tempfile.mkdtemp(prefix="chanjiao-scaling-"))
    work.mkdir(parents=True, exist_ok=True)
    results = [measure(work, scale, args) for scale in scales]
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    load = os.getloadavg()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, load average "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min) at the end; Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}; data and stores in {work}"
    )
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print()
    print("\n".join(_table(results)))
    print()
    print("\n".join(_targets(results)))


if __name__ == "__main__":
    main()
