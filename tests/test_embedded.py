"""Embedded-store specifics: the file, the schema, bulk writes, the read cache."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.errors import StoreUnavailable
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.schema import Label, Rel
from chanjiao.ingest.load import ingest
from tests.util import SMALL, dump


def test_bulk_write_rebuilds_the_index_and_answers_the_same(tmp_path: Path) -> None:
    normal = EmbeddedStore(tmp_path / "normal.db")
    bulk = EmbeddedStore(tmp_path / "bulk.db")
    bulk.bulk_threshold = 1  # every write takes the bulk path
    for store in (normal, bulk):
        ingest(store, SMALL)
    assert dump(normal) == dump(bulk)
    assert analyse_gaps(bulk, "K1", "H1").to_dict() == analyse_gaps(normal, "K1", "H1").to_dict()
    indexes = sqlite3.connect(tmp_path / "bulk.db").execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'rels_by_dst'"
    )
    assert indexes.fetchall() == [("rels_by_dst",)]


def test_other_files_are_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("not a database")
    with pytest.raises(StoreUnavailable, match="不是 chanjiao 数据库"):
        EmbeddedStore(text)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(StoreUnavailable, match="其他程序"):
        EmbeddedStore(other)
    with pytest.raises(StoreUnavailable, match="文件夹不存在"):
        EmbeddedStore(tmp_path / "missing" / "x.db")


def test_cache_never_serves_an_older_generation(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "s.db")
    ingest(store, SMALL)
    before = store.closers(["A3"])["A3"]["teachers"]
    other = EmbeddedStore(tmp_path / "s.db")
    other.delete(relationships=[(Rel.EXPERT_IN, Label.TEACHER, "T1", Label.ABILITY, "A3")])
    assert list(before) == ["T1"]
    assert list(store.closers(["A3"])["A3"]["teachers"]) == []


def test_warm_fills_every_chain_and_ability(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "s.db")
    ingest(store, SMALL)
    store.warm()
    generation = store.generation()
    for chain in ("H1", "H2"):
        assert store._cache.get(generation, ("scope", chain, None)) is not None
    for cluster in ("K1", "K2"):
        assert store._cache.get(generation, ("curriculum", cluster)) is not None
    every = store._cache.get(generation, ("closers",))  # one map, not one entry per ability
    assert every is not None and set(every) <= set(store.nodes(Label.ABILITY))
    assert list(every["A3"]["teachers"]) == ["T1"]


def test_a_busy_file_is_reported_alike_by_write_and_delete(tmp_path: Path) -> None:
    """Another process holds the write lock: both writes say so, neither leaks sqlite3."""
    store = EmbeddedStore(tmp_path / "busy.db")
    ingest(store, SMALL)
    store._conn().execute("PRAGMA busy_timeout = 0")  # do not wait 30 s for the lock
    holder = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreUnavailable, match="其他程序写入"):
            store.delete(nodes=[(Label.COURSE, "C1")])
        with pytest.raises(StoreUnavailable, match="其他程序写入"):
            store.write([], [])
    finally:
        holder.execute("ROLLBACK")
    assert store.get_node(Label.COURSE, "C1") is not None  # nothing was deleted
    store.delete(nodes=[(Label.COURSE, "C1")])
    assert store.get_node(Label.COURSE, "C1") is None
