"""Crash safety and two processes on one embedded store file.

- A process ingesting is SIGKILLed at random points (some while it writes); the
  store must afterwards hold exactly the old state or exactly the new one.
- One process keeps re-loading two versions of a dataset through the CLI while this
  process keeps analysing: every answer must be one version's, never a mix.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.ingest.load import ingest
from tests.util import SMALL, dump

ROOT = Path(__file__).resolve().parents[1]

_INGEST_SCRIPT = """
import sys
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.ingest.load import ingest

def report(stage, done, total):
    if stage.startswith("写入") and done == 0:
        print("WRITING", flush=True)

print("READY", flush=True)
ingest(EmbeddedStore(sys.argv[1]), sys.argv[2], progress=report)
print("DONE", flush=True)
"""


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic dataset big enough that loading it takes a noticeable moment."""
    out = tmp_path_factory.mktemp("synthetic") / "data"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), str(out), "--scale", "0.03"],
        check=True,
        capture_output=True,
    )
    return out


def _old_store(path: Path) -> None:
    with EmbeddedStore(path) as store:
        ingest(store, SMALL)


def test_sigkill_leaves_old_or_new_state(tmp_path: Path, synthetic: Path) -> None:
    _old_store(tmp_path / "old.db")
    with EmbeddedStore(tmp_path / "old.db") as store:
        old = dump(store)
    _old_store(tmp_path / "new.db")
    with EmbeddedStore(tmp_path / "new.db") as store:
        ingest(store, synthetic)
        new = dump(store)
    assert old != new

    rng = random.Random(20261123)
    outcomes = {"old": 0, "new": 0}
    for attempt in range(24):
        db = tmp_path / f"crash{attempt}.db"
        _old_store(db)
        proc = subprocess.Popen(
            [sys.executable, "-c", _INGEST_SCRIPT, str(db), str(synthetic)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert proc.stdout is not None
        # Half the kills land at a random moment of the whole load, half inside the write.
        marker = "READY" if attempt % 2 == 0 else "WRITING"
        for line in proc.stdout:
            if line.strip() in (marker, "DONE"):
                break
        time.sleep(rng.uniform(0, 1.0 if marker == "READY" else 0.25))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with EmbeddedStore(db) as store:
            state = dump(store)
        assert state in (old, new), f"attempt {attempt}: a half-written state"
        outcomes["old" if state == old else "new"] += 1
    assert outcomes["old"] > 0  # some kills did land before the commit


def _variant(tmp_path: Path) -> Path:
    """The small dataset with two changes in two files (C2 covers A4 at 3; E1 offers 13)."""
    other = tmp_path / "small_b"
    shutil.copytree(SMALL, other)
    coverage = other / "coverage.csv"
    coverage.write_text(coverage.read_text().replace("C2,A4,1", "C2,A4,3"))
    offers = other / "offers.csv"
    offers.write_text(offers.read_text().replace("E1,P1,3", "E1,P1,13"))
    return other


def test_reader_never_sees_a_half_written_load(tmp_path: Path) -> None:
    variant = _variant(tmp_path)
    expected = {}
    for name, data in (("a", SMALL), ("b", variant)):
        with EmbeddedStore(tmp_path / f"{name}.db") as store:
            ingest(store, data)
            expected[name] = analyse_gaps(store, "K1", "H1").to_dict()
    assert expected["a"]["coverage"] != expected["b"]["coverage"]

    db = tmp_path / "shared.db"
    _old_store(db)
    cli = [sys.executable, "-m", "chanjiao", "ingest", "--store", str(db)]
    writer = subprocess.Popen(
        [
            "bash",
            "-c",
            f"for i in $(seq 12); do {' '.join(cli)} {variant} && "
            f"{' '.join(cli)} {SMALL} || exit 1; done",
        ],
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    seen = []
    with EmbeddedStore(db) as reader:
        while writer.poll() is None:
            report = analyse_gaps(reader, "K1", "H1").to_dict()
            assert report in (expected["a"], expected["b"]), "a mixed state was read"
            seen.append(report["coverage"])
    assert writer.returncode == 0
    assert len(seen) > 20
    assert set(seen) == {expected["a"]["coverage"], expected["b"]["coverage"]}
