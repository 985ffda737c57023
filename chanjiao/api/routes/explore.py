"""Graph data for the explorer and the construction overview (chanjiao.viz.explore,
chanjiao.analysis.overview): JSON the web workbench draws and any client can read."""

from __future__ import annotations

import logging
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from chanjiao.analysis.overview import construction, course_matrix
from chanjiao.api.deps import Store, label_named, require_read_key
from chanjiao.api.routes import READ, cached_json, errors
from chanjiao.errors import ChanjiaoError
from chanjiao.graph.store import GraphStore
from chanjiao.viz.explore import (
    MAX_LAYERED,
    NodeIndex,
    gap_focus,
    layered_graph,
    neighbourhood,
    parse_key,
    path_focus,
    search_store,
)

router = APIRouter(tags=["graph"], dependencies=[Depends(require_read_key)])
Id = Annotated[str, Query(min_length=1, max_length=100)]
_index_lock = threading.Lock()
log = logging.getLogger("chanjiao.api")


def _build_index(app_state: Any, store: GraphStore, generation: int) -> None:
    try:
        index = NodeIndex(store)
        with _index_lock:
            app_state.node_index = (generation, index)
    except ChanjiaoError:  # the store closed or went away: searches keep using it directly
        log.info("search index not built: the store is unavailable")
    finally:
        with _index_lock:
            app_state.node_index_building = None


def node_index(request: Request, store: GraphStore) -> NodeIndex | None:
    """The search index of the store's current generation, or None while it is built.

    Building it reads every node (seconds at national scale), so it is built in a
    background thread; searches meanwhile go to the store (`search_store`).
    """
    generation = store.generation()
    if generation is None:
        return None
    state = request.app.state
    with _index_lock:
        held = getattr(state, "node_index", None)
        if held is not None and held[0] == generation:
            index: NodeIndex = held[1]
            return index
        if getattr(state, "node_index_building", None) != generation:
            state.node_index_building = generation
            threading.Thread(
                target=_build_index, args=(state, store, generation), daemon=True
            ).start()
    return None


@router.get(
    "/graph/search",
    response_model=list[dict[str, Any]],
    summary="按名称或编号找节点 Search nodes by name or id",
    responses=errors(*READ),
)
def search(
    request: Request,
    store: Store,
    q: Annotated[str, Query(min_length=1, max_length=100, description="名称或编号的一部分")],
    label: Annotated[list[str] | None, Query(description="只找这些类型")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 30,
) -> list[dict[str, Any]]:
    """名称或编号包含 q 的节点（中文子串可用），编号完全相同的排在最前。"""
    labels = [label_named(name) for name in label] if label else None
    index = node_index(request, store)
    if index is None:
        return search_store(store, q, labels, limit)
    return index.search(q, labels, limit)


@router.get(
    "/graph/node",
    response_model=dict[str, Any],
    summary="节点及其邻居 A node and its neighbours",
    responses=errors(*READ, 400, 404),
)
def node(
    request: Request,
    store: Store,
    key: Annotated[str, Query(min_length=3, max_length=200, description="类型:编号，如 Course:C1")],
) -> Response:
    """节点的属性（中文）与每个相邻节点及关系。"""
    label, node_id = parse_key(key)
    return cached_json(request, lambda: neighbourhood(store, label, node_id))


@router.get(
    "/graph/layered",
    response_model=dict[str, Any],
    summary="分层图 Layered graph of a cluster against a chain",
    responses=errors(*READ, 404),
)
def layered(
    request: Request,
    store: Store,
    cluster: Id,
    chain: Id,
    segment: Id | None = None,
    max_nodes: Annotated[int, Query(ge=10, le=50000)] = MAX_LAYERED,
) -> Response:
    """产业链 → 环节 → 岗位 → 能力 ← 课程 ← 专业，坐标已算好。"""
    return cached_json(
        request, lambda: layered_graph(store, cluster, chain, segment, max_nodes=max_nodes)
    )


@router.get(
    "/graph/gap",
    response_model=dict[str, Any],
    summary="一项差距及可补资源 A gap and its closers",
    responses=errors(*READ, 404),
)
def gap(
    request: Request, store: Store, cluster: Id, chain: Id, ability: Id, segment: Id | None = None
) -> Response:
    return cached_json(request, lambda: gap_focus(store, cluster, chain, ability, segment))


@router.get(
    "/graph/path",
    response_model=dict[str, Any],
    summary="岗位学习路径图 A position's learning path",
    responses=errors(*READ, 400, 404),
)
def path(request: Request, store: Store, position: Id, cluster: Id) -> Response:
    return cached_json(request, lambda: path_focus(store, position, cluster))


@router.get(
    "/overview/construction",
    response_model=dict[str, Any],
    summary="分层建设情况 Layered construction of a cluster",
    responses=errors(*READ, 400, 404),
)
def overview(request: Request, store: Store, cluster: Id, chain: Id | None = None) -> Response:
    """双师团队、教材（类型、形态）、实训资源（类型、年份）、合作单位、证书与竞赛。"""
    return cached_json(request, lambda: construction(store, cluster, chain).to_dict())


@router.get(
    "/overview/courses",
    response_model=dict[str, Any],
    summary="课程 × 能力矩阵 Course × ability matrix",
    responses=errors(*READ, 404),
)
def courses(request: Request, store: Store, cluster: Id, major: Id | None = None) -> Response:
    return cached_json(request, lambda: course_matrix(store, cluster, major))
