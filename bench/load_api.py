"""Load test of the HTTP API: req/s and p50/p99 latency at 32 concurrent connections.

    python bench/load_api.py [--scale 1.0] [--duration 10] [--connections 32] [--work DIR]

Measures, in one run on loopback (127.0.0.1) only:

- the ceiling: a bare FastAPI endpoint returning a constant, served by uvicorn the
  same way (one worker), i.e. the most this machine's HTTP stack gives;
- ``GET /api/v1/align/courses/{id}`` over every course of the graph (rotated);
- the same over the pages (``offset`` 0, 100, 200, …) of the 50 courses whose abilities
  the most requirements need, so that every request is a first ask of a heavy course;
- ``GET /api/v1/gaps?cluster=&chain=`` over cluster × own chain pairs (rotated), first
  without and then with ``Accept-Encoding: gzip``;

on the bundled sample college and on the synthetic national-scale graph
(bench/generate.py at ``--scale``). The load generator is ``wrk`` (``apt-get install
wrk``) when present, else an asyncio httpx client in a separate process. Every
server is started by this script and stopped at the end; every run is bounded by
``--duration``. Prints a Markdown table; nothing here asserts (timings on a shared
two-core machine are noisy).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
HOST = "127.0.0.1"

CEILING_APP = """
from fastapi import FastAPI
app = FastAPI()

@app.get("/constant")
def constant() -> dict[str, str]:
    return {"status": "ok"}
"""

#: wrk script: rotate through the request paths listed in PATHS_FILE.
WRK_LUA = """
local paths = {}
for line in io.lines(os.getenv("PATHS_FILE")) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"""

#: The fallback client: N connections, each sending requests back to back.
HTTPX_CLIENT = """
import asyncio, json, sys, time
import httpx
base, paths_file, connections, duration = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
headers = json.loads(sys.argv[5])
paths = open(paths_file, encoding="utf-8").read().split()
latencies, errors = [], 0
async def worker(n, client, stop):
    global errors
    i = n
    while time.perf_counter() < stop:
        start = time.perf_counter()
        r = await client.get(paths[i % len(paths)])
        latencies.append(time.perf_counter() - start)
        errors += r.status_code >= 400
        i += connections
async def main():
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30, headers=headers) as client:
        stop = time.perf_counter() + duration
        await asyncio.gather(*(worker(n, client, stop) for n in range(connections)))
asyncio.run(main())
latencies.sort()
pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
print(json.dumps({"rps": len(latencies) / duration, "p50_ms": pick(0.5), "p99_ms": pick(0.99),
                  "requests": len(latencies), "errors": errors}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, timeout: float = 600) -> None:
    """Until the server answers and, for the chanjiao API, its read cache is warm."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                body = response.read()
                if response.status == 200 and b'"warming"' not in body:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server at {url} did not become ready")


class Server:
    """A uvicorn server in its own process group, always stopped on exit."""

    def __init__(self, args: list[str], env: dict[str, str], ready_path: str) -> None:
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.process = subprocess.Popen(
            [*args, "--host", HOST, "--port", str(self.port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_ready(self.base + ready_path)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def wait_idle(base: str, probe: str, timeout: float = 300) -> None:
    """Until the server has finished what an earlier phase left queued.

    wrk stops sending at the end of a phase, but the server still works through the
    requests in flight (32 national-scale alignments take seconds); measuring the
    next phase before that would charge it with the backlog.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(base + probe, timeout=60) as response:
                response.read()
        except OSError:
            pass
        if time.perf_counter() - start < 0.05:
            return
        time.sleep(0.2)


def load(
    base: str,
    paths: list[str],
    work: Path,
    connections: int,
    duration: float,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run one bounded load phase; returns req/s, p50 and p99 in ms."""
    headers = headers or {}
    paths_file = work / "paths.txt"
    paths_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
    if shutil.which("wrk"):
        script = work / "rotate.lua"
        script.write_text(WRK_LUA, encoding="utf-8")
        out = subprocess.run(
            [
                "wrk",
                f"-t{min(2, connections)}",
                f"-c{connections}",
                f"-d{max(1, int(duration))}s",
                "--latency",
                "--timeout",
                "10s",
                "-s",
                str(script),
                *[f"-H{name}: {value}" for name, value in headers.items()],
                base,
            ],
            env=os.environ | {"PATHS_FILE": str(paths_file)},
            capture_output=True,
            text=True,
            timeout=duration + 60,
            check=True,
        ).stdout
        return {
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
            "p50_ms": _wrk_ms(out, "50%"),
            "p99_ms": _wrk_ms(out, "99%"),
            "errors": _wrk_errors(out),
            "tool": "wrk",
        }
    done = subprocess.run(
        [
            PY,
            "-c",
            HTTPX_CLIENT,
            base,
            str(paths_file),
            str(connections),
            str(duration),
            json.dumps(headers),
        ],
        capture_output=True,
        text=True,
        timeout=duration + 120,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result | {"tool": "httpx"}


def _wrk_ms(out: str, quantile: str) -> float:
    match = re.search(rf"^\s*{re.escape(quantile)}\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    assert match, out
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def _wrk_errors(out: str) -> int:
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    count = int(non2xx.group(1)) if non2xx else 0
    if socket_errors:
        count += sum(int(x) for x in socket_errors.groups())
    return count


def request_paths(store_path: Path) -> tuple[list[str], list[str], list[str], str]:
    """Alignment paths (every course, shuffled), pages of the heaviest courses (each
    asked once, shuffled), gap paths (cluster × own chain), and the heaviest course."""
    import random
    from collections import Counter

    sys.path.insert(0, str(ROOT))
    from chanjiao.graph.embedded import EmbeddedStore
    from chanjiao.graph.schema import Label, Rel

    store = EmbeddedStore(store_path)
    courses = sorted(store.nodes(Label.COURSE))
    targets = sorted((r.src, r.dst) for r in store.relationships(Rel.TARGETS))
    needing: dict[str, list[str]] = {}
    for r in store.relationships(Rel.REQUIRES):
        needing.setdefault(r.dst, []).append(r.src)
    covers = store.relationships(Rel.COVERS)
    store.close()
    rows: Counter[str] = Counter()  # requirements of a course's abilities: its work
    for r in covers:
        rows[r.src] += len(needing.get(r.dst, ()))
    heaviest = [c for c, _ in rows.most_common(50)]
    covered: dict[str, list[str]] = {}
    for r in covers:
        covered.setdefault(r.src, []).append(r.dst)
    pages = []
    for c in heaviest:
        served = {p for a in covered[c] for p in needing.get(a, ())}
        pages += [f"/api/v1/align/courses/{c}?offset={o}" for o in range(0, len(served), 100)]
    rng = random.Random(7)
    rng.shuffle(courses)
    rng.shuffle(targets)
    rng.shuffle(pages)
    align = [f"/api/v1/align/courses/{c}" for c in courses[:5000]]
    gaps = [f"/api/v1/gaps?cluster={k}&chain={h}" for k, h in targets[:2000]]
    return align, pages[:5000], gaps, heaviest[0] if heaviest else ""


def prepare_sample(work: Path) -> Path:
    store = work / "sample.db"
    if not store.exists():
        subprocess.run(
            [
                PY,
                "-m",
                "chanjiao",
                "ingest",
                str(ROOT / "chanjiao/data/sample"),
                "--store",
                str(store),
            ],
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
    return store


def prepare_national(work: Path, scale: float) -> tuple[Path, float | None]:
    store = work / f"national-{scale}.db"
    if store.exists():
        return store, None
    data = work / f"national-{scale}"
    subprocess.run(
        [PY, str(HERE / "generate.py"), str(data), "--scale", str(scale)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    start = time.perf_counter()
    subprocess.run(
        [PY, "-m", "chanjiao", "ingest", str(data), "--store", str(store)],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    return store, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="national graph scale (0 skips it)"
    )
    parser.add_argument("--duration", type=float, default=10, help="seconds per load phase")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of load before each phase")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of each server")
    parser.add_argument(
        "--serial",
        type=float,
        default=5,
        help="seconds of one-connection load per request (the unloaded latency); 0 skips",
    )
    parser.add_argument("--work", type=Path, default=None, help="keep stores here (reused)")
    args = parser.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="chanjiao-load-"))
    work.mkdir(parents=True, exist_ok=True)
    stores = {"sample": prepare_sample(work)}
    loaded = None
    if args.scale > 0:
        stores[f"national (scale {args.scale})"], loaded = prepare_national(work, args.scale)

    env = os.environ | {"PYTHONPATH": str(ROOT)}
    env.pop("CHANJIAO_API_KEYS", None)
    (work / "ceiling_app.py").write_text(CEILING_APP, encoding="utf-8")
    uvicorn = [PY, "-m", "uvicorn", "--log-level", "warning", "--no-access-log"]
    uvicorn += ["--workers", str(args.workers)]
    rows: list[tuple[str, str, dict[str, Any]]] = []
    servers: list[Server] = []

    def phase(
        name: str,
        label: str,
        server: Server,
        paths: list[str],
        probe: str,
        headers: dict[str, str] | None = None,
        first_asks: bool = False,
    ) -> None:
        """Warm-up, then `connections` at once, then one at a time.

        first_asks: warm up on the last fifth of `paths` and measure on the rest (the
        one-connection run in reverse order), so each measured request is asked once.
        """
        warm, measure = paths, paths
        if first_asks:
            warm, measure = paths[len(paths) * 4 // 5 :], paths[: len(paths) * 4 // 5]
        wait_idle(server.base, probe)
        load(server.base, warm, work, args.connections, args.warmup, headers)
        wait_idle(server.base, probe)
        measured = load(server.base, measure, work, args.connections, args.duration, headers)
        rows.append((name, label, measured | {"connections": args.connections}))
        if args.serial > 0:
            wait_idle(server.base, probe)
            serial = measure[::-1] if first_asks else measure
            alone = load(server.base, serial, work, 1, args.serial, headers)
            rows.append((name, label, alone | {"connections": 1}))

    try:
        ceiling = Server([*uvicorn, "--app-dir", str(work), "ceiling_app:app"], env, "/constant")
        servers.append(ceiling)
        phase("ceiling", "GET /constant (bare FastAPI)", ceiling, ["/constant"], "/constant")
        ceiling.stop()
        for name, store in stores.items():
            align, pages, gaps, heaviest = request_paths(store)
            server = Server(
                [*uvicorn, "--factory", "chanjiao.api.app:app_from_env"],
                env | {"CHANJIAO_STORE": str(store)},
                "/api/v1/health",
            )
            servers.append(server)
            phase(name, "GET /align/courses/{id}", server, align, "/api/v1/health")
            phase(
                name,
                f"GET /align/courses/{{id}}?offset= (50 heaviest, e.g. {heaviest}; first asks)",
                server,
                pages,
                "/api/v1/health",
                first_asks=True,
            )
            phase(name, "GET /gaps", server, gaps, "/api/v1/health")
            gzip = {"Accept-Encoding": "gzip"}
            phase(name, "GET /gaps (gzip)", server, gaps, "/api/v1/health", gzip)
            server.stop()
    finally:
        for server in servers:
            server.stop()

    ceiling_rps = rows[0][2]["rps"]
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {args.duration:g} s per phase after "
        f"{args.warmup:g} s warm-up, {args.workers} uvicorn worker(s), "
        f"load generator {rows[0][2]['tool']}"
    )
    if loaded is not None:
        print(f"national graph ingested in {loaded:.0f} s")
    print()
    print("| graph | request | connections | req/s | % of ceiling | p50 ms | p99 ms | errors |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, label, r in rows:
        print(
            f"| {name} | {label} | {r['connections']} | {r['rps']:.1f} | "
            f"{100 * r['rps'] / ceiling_rps:.1f} % | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
            f"{r['errors']} |"
        )


if __name__ == "__main__":
    main()
