"""Hostile and broken datasets (tests/data/hostile/): a clear message, nothing written, bounded memory.

Each case goes through the library on every backend, through the CLI and through
``POST /ingest``; each must give its expected problems (file, row, column, words),
leave the store exactly as it was, and never show a traceback or a 5xx.
"""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chanjiao.cli import app
from chanjiao.errors import IngestError
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.load import ingest
from chanjiao.ingest.readers import read_dataset
from tests.test_api import client_for, upload
from tests.test_ingest_errors import dataset_in, expected_problems, matches
from tests.util import DATA, SMALL, dump

HOSTILE = sorted(p for p in (DATA / "hostile").iterdir() if p.is_dir())
IDS = [c.name for c in HOSTILE]
runner = CliRunner()

#: Reading any hostile case may allocate at most this much (Python objects, tracemalloc).
MEMORY_BOUND = 96 * 1024 * 1024


def test_there_are_cases() -> None:
    assert len(HOSTILE) >= 12


@pytest.mark.parametrize("case", HOSTILE, ids=IDS)
def test_library_refuses_and_writes_nothing(small: GraphStore, case: Path) -> None:
    before = dump(small)
    with pytest.raises(IngestError) as info:
        ingest(small, dataset_in(case))
    found = list(info.value.problems)
    for item in expected_problems(case):
        assert any(matches(p, item) for p in found), "\n".join(map(str, found))
    assert len(found) == len(expected_problems(case)), "\n".join(map(str, found))
    assert all(p.en for p in found)
    assert dump(small) == before


@pytest.mark.parametrize("case", HOSTILE, ids=IDS)
def test_reading_stays_within_memory(case: Path) -> None:
    tracemalloc.start()
    try:
        read_dataset(dataset_in(case))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_BOUND, f"{case.name}: {peak / 2**20:.0f} MiB"


@pytest.mark.parametrize("case", HOSTILE, ids=IDS)
def test_cli_one_message_and_exit_1(case: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    with EmbeddedStore(db) as store:
        ingest(store, SMALL)
    before = db.read_bytes()
    result = runner.invoke(app, ["ingest", str(dataset_in(case)), "-s", str(db)])
    assert result.exit_code == 1
    assert "Traceback" not in result.stdout + result.stderr
    for item in expected_problems(case):
        assert item["contains"] in result.stderr
        assert item["file"] in result.stderr
    assert db.read_bytes() == before


def as_upload(case: Path, tmp_path: Path) -> Path:
    """The case as one uploadable file: its .zip/.xlsx/.json, or its CSV files zipped."""
    dataset = dataset_in(case)
    if dataset.is_file():
        return dataset
    target = tmp_path / f"{case.name}.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for csv_file in sorted(dataset.glob("*.csv")):
            archive.write(csv_file, csv_file.name)
    target.write_bytes(buffer.getvalue())
    return target


@pytest.mark.parametrize("case", HOSTILE, ids=IDS)
def test_api_answers_4xx_with_the_problems(small: GraphStore, case: Path, tmp_path: Path) -> None:
    before = dump(small)
    with client_for(small) as client:
        response = upload(client, as_upload(case, tmp_path))
    refused = case / "upload-status.txt"  # a case the upload check refuses before reading
    if refused.exists():
        status, code = refused.read_text(encoding="utf-8").split()
        assert response.status_code == int(status), response.text
        assert response.json()["code"] == code
        assert dump(small) == before
        return
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "invalid_dataset"
    errors = body["details"]["errors"]
    for item in expected_problems(case):
        assert any(
            e["row"] == item["row"]
            and e["column"] == item["column"]
            and item["contains"] in e["message"]
            for e in errors
        ), errors
    assert dump(small) == before


@pytest.fixture
def three_rows(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The limits as an operator would set them: at most 3 rows per file."""
    from chanjiao.config import limits

    monkeypatch.setenv("CHANJIAO_LIMIT_MAX_ROWS_PER_FILE", "3")
    limits.cache_clear()
    yield
    limits.cache_clear()


def test_row_limit_is_a_setting_on_cli_and_api(
    small: GraphStore, three_rows: None, tmp_path: Path
) -> None:
    before = dump(small)
    with pytest.raises(IngestError) as info:
        ingest(small, SMALL)
    assert any("超过每个文件 3 行数据的上限" in p.zh for p in info.value.problems)
    assert dump(small) == before
    db = tmp_path / "cli.db"
    result = runner.invoke(app, ["ingest", str(SMALL), "-s", str(db)])
    assert result.exit_code == 1 and "超过每个文件 3 行数据的上限" in result.stderr
    with client_for(small) as client:
        response = upload(client, as_upload(SMALL.parent / SMALL.name, tmp_path))
    assert response.status_code == 422
    assert "超过每个文件 3 行数据的上限" in response.text
    assert dump(small) == before


def test_numeric_bounds_are_settings(tmp_path: Path) -> None:
    """Read at start: a process with CHANJIAO_LIMIT_MAX_HEADCOUNT=5 refuses a demand of 6."""
    import os
    import subprocess
    import sys

    data = tmp_path / "data"
    data.mkdir()
    (data / "chains.csv").write_text("id,name\nH1,链\n", encoding="utf-8")
    (data / "segments.csv").write_text("id,name,chain_id\nS1,环节,H1\n", encoding="utf-8")
    (data / "positions.csv").write_text(
        "id,name,segment_id,demand\nP1,岗位,S1,6\n", encoding="utf-8"
    )
    env = os.environ | {"CHANJIAO_LIMIT_MAX_HEADCOUNT": "5"}
    done = subprocess.run(
        [sys.executable, "-m", "chanjiao", "ingest", str(data), "-s", str(tmp_path / "x.db")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "人数应为 1–5 的整数，实际为“6”" in done.stderr
