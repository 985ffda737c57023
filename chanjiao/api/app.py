"""The FastAPI application: `create_app(store, settings)`.

Tests pass a store they made; `chanjiao serve` passes none and the lifespan opens the
configured store, warms its read cache in a background thread (so later requests are
answered from memory) and closes it at shutdown.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from chanjiao import __version__, web
from chanjiao.analysis.alignment import warm_alignment
from chanjiao.analysis.gaps import warm_gaps
from chanjiao.api.deps import WriteGate
from chanjiao.api.errors import GuardMiddleware, install_error_handlers
from chanjiao.api.routes import (
    CachedAnswers,
    ResponseCache,
    align,
    data,
    explore,
    gaps,
    health,
    history,
    ingest,
    interop,
    nodes,
    plan,
    relationships,
    scenarios,
    talent,
    views,
)
from chanjiao.api.settings import Settings
from chanjiao.config import open_store
from chanjiao.graph.store import GraphStore

log = logging.getLogger("chanjiao.api")

PREFIX = "/api/v1"

DESCRIPTION = """
产教 chanjiao 知识图谱的 HTTP 接口：课程 ↔ 岗位对齐、专业群对产业链的能力差距（DESIGN §4）、
节点与关系的增删改查、数据集导入与导出。

HTTP API of the chanjiao knowledge graph: course ↔ position alignment, gap analysis of a
specialty cluster against an industry chain, node and relationship CRUD, dataset ingest
and export.

**认证 Authentication**：写操作需要 API 密钥，放在 `Authorization: Bearer <key>` 或
`X-API-Key: <key>` 请求头中；读操作默认公开（`CHANJIAO_READ_REQUIRES_KEY=true` 时也需要密钥）。
Writes need an API key; reads are open unless the server says otherwise.
学生数据（个人信息）的读取总是需要密钥（`CHANJIAO_API_KEYS` 或只读学生的 `CHANJIAO_STUDENT_KEYS`）。
Reading students always needs a key.

**错误 Errors**：所有错误都是同一形状的 JSON：`{code, message, message_en, details}`。
"""

TAGS = [
    {"name": "service", "description": "健康检查与统计 Health and counts"},
    {"name": "nodes", "description": "节点 Nodes"},
    {"name": "relationships", "description": "关系 Relationships"},
    {"name": "analysis", "description": "对齐与差距分析 Alignment and gaps"},
    {"name": "data", "description": "数据集导入与导出 Dataset ingest and export"},
    {"name": "reports", "description": "差距报告与图谱视图 Gap reports and graph views"},
    {"name": "planning", "description": "专业群规划 Specialty-cluster planning"},
    {"name": "graph", "description": "图谱浏览与建设概况 Graph explorer and overview"},
    {"name": "history", "description": "版本与变更日志 Versions and the change log"},
    {
        "name": "talent",
        "description": "人才和岗位大数据库（需要密钥）Talent readiness (key needed)",
    },
]


def _warm(store: GraphStore, done: threading.Event) -> None:
    try:
        store.warm()
        warm_gaps(store)
        warm_alignment(store)
    except Exception:  # the cache is an optimisation: a failure must not stop serving
        log.exception("warming the store's cache failed; requests will read the store")
    finally:
        done.set()


def create_app(store: GraphStore | None = None, settings: Settings | None = None) -> FastAPI:
    """The API over `store`, or over the store `settings` name (opened at startup).

    A store passed in stays the caller's: the app does not close it.

    Raises:
        ConfigError: the API keys file is set but unreadable.
    """
    settings = settings or Settings()
    keys = settings.keys()
    if not keys:
        log.warning("no API key configured: every write request will be refused")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        owned = app.state.store is None
        if owned:
            app.state.store = open_store(settings.store)
            app.state.write_gate = WriteGate(app.state.store.location)
        warmer: threading.Thread | None = None
        if settings.warm_cache:
            app.state.warmed = threading.Event()
            warmer = threading.Thread(
                target=_warm,
                args=(app.state.store, app.state.warmed),
                name="chanjiao-warm",
                daemon=True,
            )
            warmer.start()
        try:
            yield
        finally:
            if warmer is not None:
                warmer.join(timeout=60)
            if owned:
                app.state.store.close()
                app.state.store = None

    app = FastAPI(
        title="chanjiao 产教 API",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        docs_url=None,  # /docs, /redoc and /api/v1/docs: self-hosted by chanjiao.web
        redoc_url=None,
        openapi_url=f"{PREFIX}/openapi.json",
    )
    app.state.settings = settings
    app.state.api_keys = keys
    app.state.student_keys = [*keys, *settings.personal_keys()]
    app.state.store = store
    app.state.warmed = None
    app.state.write_gate = WriteGate(store.location) if store is not None else None
    app.state.response_cache = ResponseCache(settings.response_cache_mb * 1024 * 1024)
    install_error_handlers(app)
    for module in (
        health,
        nodes,
        relationships,
        align,
        gaps,
        ingest,
        interop,
        data,
        views,
        plan,
        history,
        scenarios,
        explore,
        talent,
    ):
        app.include_router(module.router, prefix=PREFIX)
    web.install(app, keys)
    app.add_middleware(CachedAnswers)
    app.add_middleware(GuardMiddleware, max_body_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
        )
    return app


def app_from_env() -> FastAPI:
    """The factory `chanjiao serve` hands uvicorn: settings from the environment."""
    return create_app(None, Settings())
