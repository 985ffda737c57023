"""Versions and the change log: list and save versions, compare two, list logged writes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from chanjiao.api.deps import Author, Store, Students, require_read_key, require_write_key
from chanjiao.api.routes import READ, WRITE, errors, library_json
from chanjiao.history.changelog import changes
from chanjiao.history.compare import compare_versions
from chanjiao.history.versions import list_versions, save_version

router = APIRouter(tags=["history"])


@router.get(
    "/versions",
    response_model=list[dict[str, Any]],
    summary="已保存的版本 Saved versions",
    responses=errors(*READ),
    dependencies=[Depends(require_read_key)],
)
def versions(store: Store) -> JSONResponse:
    """按保存时间列出 (oldest first)."""
    return library_json([v.as_dict() for v in list_versions(store)])


@router.post(
    "/versions",
    response_model=dict[str, Any],
    status_code=201,
    summary="保存当前图谱为版本 Save a version",
    responses=errors(*WRITE, 400, 409),
    dependencies=[Depends(require_write_key)],
)
def save(
    store: Store,
    author: Author,
    name: Annotated[str, Query(min_length=1, max_length=100, description="版本名称 version name")],
) -> JSONResponse:
    """版本保存后不可修改；同名版本已存在时返回 409 (versions are immutable)."""
    return library_json(save_version(store, name, author=author).as_dict(), status_code=201)


@router.get(
    "/versions/compare",
    response_model=dict[str, Any],
    summary="对比两个版本 Compare two versions",
    responses=errors(*READ, 400, 404),
    dependencies=[Depends(require_read_key)],
)
def compare(
    store: Store,
    before: Annotated[str, Query(description="较早的版本 A (version A)")],
    cluster: Annotated[str, Query(description="专业群编号 cluster id")],
    chain: Annotated[str, Query(description="产业链编号 chain id")],
    after: Annotated[
        str | None, Query(description="较新的版本 B；不给出即当前图谱 (default: now)")
    ] = None,
    segment: Annotated[str | None, Query(description="只对比一个环节 one segment")] = None,
) -> JSONResponse:
    """覆盖率、岗位、差距、课程与能力要求的变化 (what the change did to coverage and gaps)."""
    return library_json(compare_versions(store, before, after, cluster, chain, segment))


@router.get(
    "/changes",
    response_model=list[dict[str, Any]],
    summary="变更日志 The change log",
    responses=errors(*READ, 400),
    dependencies=[Depends(require_read_key)],
)
def change_log(
    store: Store,
    students: Students,
    since: Annotated[str | None, Query(description="只列出此日期之后 e.g. 2026-09-01")] = None,
    label: Annotated[
        str | None, Query(description="节点类型或文件名，如 课程、coverage (label or file)")
    ] = None,
    id: Annotated[str | None, Query(description="涉及此编号的记录 records of this id")] = None,
) -> JSONResponse:
    """每次写入的时间、操作人（API 密钥指纹或用户名）和逐条变化 (when, who, what).

    学生、成绩与学生证书的记录只在带有可读学生的密钥时列出 (student records need that key)."""
    entries = changes(store, since=since, label=label, node_id=id, personal=students.allowed)
    return library_json([e.as_dict() for e in entries])
