"""GET /health and GET /stats."""

from __future__ import annotations

from typing import Literal

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from chanjiao import __version__
from chanjiao.api.deps import Store, require_read_key
from chanjiao.api.routes import READ, errors
from chanjiao.errors import StoreUnavailable
from chanjiao.graph.schema import Label

#: Seconds /health waits for the store: a frozen graph server must not hang it.
HEALTH_TIMEOUT = 5.0

router = APIRouter(tags=["service"])


class StoreHealth(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reachable: bool
    backend: str = Field(description="存储后端 store backend, e.g. EmbeddedStore")
    cache: Literal["off", "warming", "ready"] = Field(
        description="读缓存：启动后在后台预热 read cache, warmed in the background at start"
    )


class Health(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "status": "ok",
                    "version": "0.1.0",
                    "store": {"reachable": True, "backend": "EmbeddedStore", "cache": "ready"},
                }
            ]
        },
    )
    status: str
    version: str
    store: StoreHealth


@router.get(
    "/health",
    response_model=Health,
    summary="健康检查 Health",
    responses=errors(503),
)
async def health(store: Store, request: Request) -> Health:
    """服务与数据库是否可用 (the server runs and its store answers, within a few seconds)."""
    try:
        with anyio.fail_after(HEALTH_TIMEOUT):
            await anyio.to_thread.run_sync(
                lambda: store.find_nodes(Label.INDUSTRY_CHAIN, limit=1), abandon_on_cancel=True
            )
    except TimeoutError:
        raise StoreUnavailable(
            f"数据库 {HEALTH_TIMEOUT:g} 秒内没有应答",
            f"the store did not answer in {HEALTH_TIMEOUT:g} s",
        ) from None
    warmed = request.app.state.warmed
    cache: Literal["off", "warming", "ready"] = (
        "off" if warmed is None else "ready" if warmed.is_set() else "warming"
    )
    return Health(
        status="ok",
        version=__version__,
        store=StoreHealth(reachable=True, backend=type(store).__name__, cache=cache),
    )


class StatsOut(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "nodes": {"Course": 54, "Position": 33},
                    "relationships": {"COVERS": 163},
                    "total_nodes": 87,
                    "total_relationships": 163,
                }
            ]
        },
    )
    nodes: dict[str, int]
    relationships: dict[str, int]
    total_nodes: int
    total_relationships: int


@router.get(
    "/stats",
    response_model=StatsOut,
    summary="数量统计 Counts",
    responses=errors(*READ),
    dependencies=[Depends(require_read_key)],
)
def stats(store: Store) -> StatsOut:
    """各类节点与关系的数量 (nodes per label, relationships per type)."""
    counts = store.stats()
    return StatsOut(
        nodes={str(k): v for k, v in counts.nodes.items()},
        relationships={str(k): v for k, v in counts.relationships.items()},
        total_nodes=sum(counts.nodes.values()),
        total_relationships=sum(counts.relationships.values()),
    )
