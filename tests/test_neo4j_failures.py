"""Server failures: unreachable servers fail fast and clearly; a server lost mid-write
leaves nothing half-written, and the same load can be run again.

The mid-write case runs on a real FalkorDB server with an append-only file synced at
every write (so a restart shows exactly what the server had applied). Writes are
paused (``CLIENT PAUSE WRITE``) so that the ingest is inside its ``MULTI``
transaction, blocked, when the server is SIGKILLed: deterministically mid-write.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from chanjiao.config import open_store
from chanjiao.errors import StoreUnavailable
from chanjiao.graph import staged
from chanjiao.ingest.load import ingest
from tests.conftest import free_port, start_falkordb
from tests.util import SMALL, dump

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "scheme",
    ["falkordb://127.0.0.1:{port}/g", "bolt://127.0.0.1:{port}", "neo4j://127.0.0.1:{port}"],
)
def test_unreachable_server_is_one_clear_error_naming_the_url(scheme: str) -> None:
    url = scheme.format(port=free_port())  # nothing listens there
    with pytest.raises(StoreUnavailable) as caught:
        open_store(url)
    assert url in caught.value.zh and url in caught.value.en
    assert "无法连接" in caught.value.zh


def test_cli_names_the_url_and_exits_1() -> None:
    url = f"falkordb://127.0.0.1:{free_port()}/g"
    done = subprocess.run(
        [sys.executable, "-m", "chanjiao", "stats", "--store", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert url in done.stderr and "Traceback" not in done.stderr


def test_server_killed_mid_write_leaves_the_old_state(tmp_path: Path) -> None:
    synthetic = tmp_path / "synthetic"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), str(synthetic), "--scale", "0.03"],
        check=True,
        capture_output=True,
    )
    durable = ("--appendonly", "yes", "--appendfsync", "always")
    server = start_falkordb(tmp_path / "server", *durable)
    try:
        store = open_store(server.url("college"))
        ingest(store, SMALL)
        old = dump(store)
        # A large write is staged (chanjiao.graph.staged): kill the server half-way through
        # its steps, after some of them ran on the copy of the graph.
        steps = {"n": 0}
        original = staged.run_step

        def step_then_die(pipe: Any, graph: str, text: str) -> None:
            steps["n"] += 1
            if steps["n"] == 5:
                server.process.kill()
                server.process.wait()
            original(pipe, graph, text)

        failures: list[BaseException] = []
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(staged, "run_step", step_then_die)
            try:
                ingest(store, synthetic)
            except BaseException as exc:
                failures.append(exc)
        assert steps["n"] == 5
        [failure] = failures
        assert isinstance(failure, StoreUnavailable)
        assert server.url("college") in failure.zh and "可重新运行" in failure.zh
    finally:
        server.stop()

    restarted = start_falkordb(tmp_path / "server", *durable)
    try:
        with open_store(restarted.url("college")) as again:
            assert dump(again) == old  # nothing of the lost write
            ingest(again, synthetic)  # the same load, re-run, lands whole
            assert ingest(again, synthetic).changed == 0
            assert again.stats().nodes != {} and dump(again) != old
    finally:
        restarted.stop()
