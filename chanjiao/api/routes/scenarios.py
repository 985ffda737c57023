"""What-if scenarios kept beside the graph (chanjiao.analysis.scenarios)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from chanjiao.analysis.scenarios import (
    Changes,
    delete_scenario,
    list_scenarios,
    load_scenario,
    run_changes,
    save_scenario,
)
from chanjiao.api.deps import Gate, Store, require_read_key, require_write_key
from chanjiao.api.routes import READ, WRITE, errors, library_json

router = APIRouter(tags=["analysis"], dependencies=[Depends(require_read_key)])
Name = Annotated[str, Path(min_length=1, max_length=100, description="方案名称")]


@router.get(
    "/scenarios",
    response_model=list[dict[str, Any]],
    summary="已保存的方案 Saved what-if scenarios",
    responses=errors(*READ),
)
def scenarios(store: Store) -> list[dict[str, Any]]:
    """每个方案的名称与保存时间（最早的在前）。"""
    return list_scenarios(store)


@router.get(
    "/scenarios/{name}",
    response_model=dict[str, Any],
    summary="打开方案 Open a scenario (its changes, re-run now)",
    responses=errors(*READ, 404),
)
def scenario(store: Store, name: Name) -> JSONResponse:
    """方案的调整内容，以及按当前数据重新计算的改前、改后与变化。"""
    changes = load_scenario(store, name)
    result = run_changes(store, changes)
    return library_json({"name": name, "changes": changes.model_dump(), **result.to_dict()})


@router.put(
    "/scenarios/{name}",
    response_model=dict[str, Any],
    summary="保存方案 Save a scenario",
    responses=errors(*WRITE, 400, 404, 409),
    dependencies=[Depends(require_write_key)],
)
def put_scenario(
    store: Store,
    gate: Gate,
    name: Name,
    body: Changes,
    replace: Annotated[bool, Query(description="已有同名方案时覆盖")] = False,
) -> dict[str, Any]:
    """只保存调整内容（不改动任何图谱数据）；保存前先检查能否计算。"""
    with gate.held():
        document = save_scenario(store, name, body, replace=replace)
    return {"name": document.name, "created": document.created}


@router.delete(
    "/scenarios/{name}",
    response_model=dict[str, Any],
    summary="删除方案 Delete a scenario",
    responses=errors(*WRITE, 404),
    dependencies=[Depends(require_write_key)],
)
def remove_scenario(store: Store, gate: Gate, name: Name) -> dict[str, Any]:
    with gate.held():
        delete_scenario(store, name)
    return {"deleted": name}
