"""Where a loaded API request's time goes: compute, waiting, cache hits (issue #14).

    python bench/api_time.py STORE [--threads 2] [--duration 13] [--connections 32]

Serves the API over STORE (an embedded store, e.g. the national graph that
bench/load_api.py made) in a child process whose read routes are instrumented, runs
wrk (32 connections) over every cluster × own chain ``/gaps`` question in rotation, and
prints for the first asks (answers computed) their CPU time in the computing thread
(``time.thread_time``) beside their wall time, how many asks were answered from the
cache, and the latency the server saw (ASGI call to last byte) beside wrk's. Loopback
only; the server is stopped at the end. Nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from load_api import HOST, WRK_LUA, free_port, wait_ready  # noqa: E402

#: The child: the app of `chanjiao serve`, with `cached_json`'s computations timed.
SERVER = """
import json, os, signal, sys, time
import uvicorn
from chanjiao.api import routes
from chanjiao.api.app import app_from_env
from chanjiao.api.routes import align, gaps

computed, latency = [], []
plain = routes.cached_json

def timed_cached_json(request, compute):
    def timed():
        cpu, wall = time.thread_time(), time.perf_counter()
        value = compute()
        computed.append((time.thread_time() - cpu, time.perf_counter() - wall))
        return value
    return plain(request, timed)

gaps.cached_json = align.cached_json = timed_cached_json
app = app_from_env()

async def timing(scope, receive, send):
    start = time.perf_counter()
    await app(scope, receive, send)
    if scope["type"] == "http" and scope["path"].endswith("/gaps"):
        latency.append(time.perf_counter() - start)

def dump(*_):
    with open(os.environ["TIMES"], "w") as fh:
        json.dump({"computed": computed, "latency": latency}, fh)
    os._exit(0)

signal.signal(signal.SIGUSR1, dump)
uvicorn.run(timing, host=sys.argv[1], port=int(sys.argv[2]), log_level="warning",
            access_log=False)
"""


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--threads", type=int, default=2, help="CHANJIAO_THREADS")
    parser.add_argument("--duration", type=int, default=13)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()

    from chanjiao.graph.embedded import EmbeddedStore
    from chanjiao.graph.schema import Rel

    store = EmbeddedStore(args.store)
    pairs = sorted((r.src, r.dst) for r in store.relationships(Rel.TARGETS))
    store.close()
    random.Random(7).shuffle(pairs)
    work = Path(tempfile.mkdtemp(prefix="chanjiao-api-time-"))
    (work / "paths.txt").write_text(
        "".join(f"/api/v1/gaps?cluster={k}&chain={h}\n" for k, h in pairs), encoding="utf-8"
    )
    (work / "rotate.lua").write_text(WRK_LUA, encoding="utf-8")
    port = free_port()
    env = os.environ | {
        "PYTHONPATH": str(HERE.parent),
        "CHANJIAO_STORE": str(args.store),
        "CHANJIAO_THREADS": str(args.threads),
        "TIMES": str(work / "times.json"),
    }
    env.pop("CHANJIAO_API_KEYS", None)
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, HOST, str(port)], env=env, start_new_session=True
    )
    try:
        wait_ready(f"http://{HOST}:{port}/api/v1/health")
        out = subprocess.run(
            [
                *("wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency"),
                *("--timeout", "10s", "-s", str(work / "rotate.lua"), f"http://{HOST}:{port}"),
            ],
            env=os.environ | {"PATHS_FILE": str(work / "paths.txt")},
            capture_output=True,
            text=True,
            check=True,
            timeout=args.duration + 60,
        ).stdout
        time.sleep(2)  # the requests still in flight
        server.send_signal(signal.SIGUSR1)
        server.wait(timeout=60)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    times = json.loads((work / "times.json").read_text(encoding="utf-8"))
    cpu = [c for c, _ in times["computed"]]
    wall = [w for _, w in times["computed"]]
    latency = times["latency"]
    print(
        f"{len(pairs)} questions in rotation, {args.connections} connections, "
        f"CHANJIAO_THREADS={args.threads}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
    )
    for line in out.splitlines():
        if line.strip().startswith(("50%", "99%", "Requests/sec")):
            print("wrk", line.strip())
    print(
        f"asked {len(latency)}, computed {len(cpu)} (first asks), "
        f"from the cache {len(latency) - len(cpu)}"
    )
    print(
        f"first ask CPU ms p50 {quantile(cpu, 0.5):.1f} p99 {quantile(cpu, 0.99):.1f}; "
        f"wall p50 {quantile(wall, 0.5):.1f} p99 {quantile(wall, 0.99):.1f}; "
        f"CPU total {sum(cpu):.1f} s"
    )
    print(
        f"server latency (ASGI call to last byte) ms p50 {quantile(latency, 0.5):.2f} "
        f"p99 {quantile(latency, 0.99):.1f}"
    )


if __name__ == "__main__":
    main()
