"""Where the store is, and opening it: `--store`, else env `CHANJIAO_STORE`, else ./chanjiao.db."""

from __future__ import annotations

import os
from pathlib import Path

from chanjiao.errors import StoreUnavailable
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.store import GraphStore

DEFAULT_STORE = "chanjiao.db"
ENV_STORE = "CHANJIAO_STORE"


def store_location(option: str | None = None) -> str:
    """The store the user asked for, by precedence: option, environment, default."""
    return option or os.environ.get(ENV_STORE) or DEFAULT_STORE


def open_store(location: str | None = None) -> GraphStore:
    """Open the store at `location`: a file path or ``sqlite:///path`` for the embedded store.

    Raises:
        StoreUnavailable: the location cannot be opened or names no store kind we know.
    """
    where = store_location(location)
    if where.startswith("sqlite:///"):
        where = where[len("sqlite:///") - 1 :]
    elif where.startswith("sqlite://"):
        where = where[len("sqlite://") :]
    elif "://" in where:
        scheme = where.split("://", 1)[0]
        raise StoreUnavailable(
            f"不支持的存储地址 {scheme}://；请给出数据库文件路径（如 ./chanjiao.db）",
            f"unsupported store address {scheme}://; give a database file path "
            "(e.g. ./chanjiao.db)",
        )
    return EmbeddedStore(Path(where).expanduser())
