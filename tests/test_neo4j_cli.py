"""Every CLI command works end to end against a ``falkordb://`` store, and `copy`
moves a whole graph between an embedded store and a server store."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.cli import app
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.ingest.load import ingest
from tests.conftest import FalkorDBServer, graph_name
from tests.util import SMALL, dump

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_ingest_gaps_align_stats_on_falkordb(falkordb: FalkorDBServer, tmp_path: Path) -> None:
    url = falkordb.url(graph_name(tmp_path))
    code, out, err = run("ingest", str(SMALL), "--store", url)
    assert code == 0, err
    assert "Course" in out
    code, out, _ = run("ingest", str(SMALL), "--store", url)
    assert code == 0 and "没有变化" in out
    code, out, err = run(
        "gaps", "--cluster", "K1", "--chain", "H1", "--format", "json", "--store", url
    )
    assert code == 0, err
    with EmbeddedStore(tmp_path / "reference.db") as reference:
        ingest(reference, SMALL)
        assert json.loads(out) == analyse_gaps(reference, "K1", "H1").to_dict()
    code, out, err = run("align", "position", "P1", "--format", "json", "--store", url)
    assert code == 0, err
    assert json.loads(out)["position"]["id"] == "P1"
    code, out, err = run("stats", "--json", "--store", url)
    assert code == 0, err
    assert "41" in out or json.loads(out)
    code, _, err = run("gaps", "--cluster", "K1", "--chain", "H9", "--store", url)
    assert code == 1 and "H9" in err


def test_copy_embedded_to_server_and_back(falkordb: FalkorDBServer, tmp_path: Path) -> None:
    source = str(tmp_path / "source.db")
    with EmbeddedStore(source) as store:
        ingest(store, SMALL)
        expected = dump(store)
    url = falkordb.url(graph_name(tmp_path))
    code, out, err = run("copy", source, url)
    assert code == 0, err
    assert "共复制" in out
    back = str(tmp_path / "back.db")
    code, _, err = run("copy", url, back)
    assert code == 0, err
    with EmbeddedStore(back) as store:
        assert dump(store) == expected


def test_copy_to_an_unreachable_store_writes_nothing_and_says_where(tmp_path: Path) -> None:
    from tests.conftest import free_port

    source = str(tmp_path / "source.db")
    with EmbeddedStore(source) as store:
        ingest(store, SMALL)
    url = f"falkordb://127.0.0.1:{free_port()}/g"
    code, _, err = run("copy", source, url)
    assert code == 1
    assert url in err
