"""Gap analysis (DESIGN §4) and what-if: the §4 JSON, exactly as `analyse_gaps` writes it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ConfigDict, Field

from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.analysis.scenarios import Changes, run_changes
from chanjiao.analysis.whatif import what_if
from chanjiao.api.deps import Store, require_read_key
from chanjiao.api.routes import READ, cached_json, errors, library_json

router = APIRouter(tags=["analysis"], dependencies=[Depends(require_read_key)])

Id = Annotated[str, Query(min_length=1, max_length=100)]

_GAP_EXAMPLE = {
    "cluster": "K1",
    "cluster_name": "集成电路技术专业群",
    "chain": "H1",
    "chain_name": "第三代半导体产业链",
    "segment": None,
    "coverage": 0.6125,
    "segments": [{"id": "S1", "name": "衬底", "coverage": 0.7, "demand": 12, "positions": 2}],
    "positions": [
        {
            "id": "P1",
            "name": "工艺员",
            "segment": "S1",
            "demand": 12,
            "coverage": 0.55,
            "requirements": [
                {
                    "ability": "A1",
                    "name": "材料表征",
                    "required": 3,
                    "taught": 2,
                    "weight": 1.0,
                    "status": "partial",
                }
            ],
        }
    ],
    "gaps": [
        {
            "ability": "A7",
            "name": "缺陷检测",
            "priority": 3.25,
            "positions": ["P1", "P4"],
            "closers": {
                "courses": [],
                "teachers": [],
                "textbooks": [],
                "training_resources": [],
                "enterprises": [],
                "certificates": [],
                "competitions": [],
            },
        }
    ],
    "unmodelled_positions": ["P9"],
    "orphan_courses": ["C12"],
    "summary": {
        "curriculum_courses": 12,
        "scored_positions": 8,
        "requirements": {"covered": 10, "partial": 4, "missing": 3},
        "gaps": 7,
    },
}

_GAP_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {"example": _GAP_EXAMPLE}}}
}


@router.get(
    "/gaps",
    response_model=dict[str, Any],
    summary="专业群对产业链的差距 Gaps of a cluster against a chain",
    responses={**errors(*READ, 404), **_GAP_RESPONSE},
)
def gaps(
    store: Store,
    cluster: Annotated[str, Query(min_length=1, max_length=100, description="专业群编号")],
    chain: Annotated[str, Query(min_length=1, max_length=100, description="产业链编号")],
    segment: Annotated[
        str | None, Query(min_length=1, max_length=100, description="只分析一个环节")
    ] = None,
    *,
    request: Request,
) -> Response:
    """DESIGN §4 的 JSON：覆盖率、各环节、各岗位、按优先级排列的差距及可补足的资源。"""
    return cached_json(request, lambda: analyse_gaps(store, cluster, chain, segment).to_json())


class WhatIfIn(Changes):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "cluster": "K-IC",
                    "chain": "CH-SEMI3",
                    "add_courses": ["C-ME-105"],
                    "remove_courses": [],
                    "coverage": [{"course": "C-IC-106", "ability": "A-K-001", "level": "熟练"}],
                    "new_courses": [
                        {
                            "id": "NEW-1",
                            "name": "碳化硅外延工艺",
                            "hours": 48,
                            "abilities": [{"ability": "A-S-003", "level": 3}],
                        }
                    ],
                }
            ]
        },
    )
    compare: bool = Field(
        default=False,
        description="true：返回改前、改后与变化 {before, after, comparison}；"
        "false：只返回改后的 §4 报告",
    )
    with_closers: bool = Field(
        default=True, description="false：不查可补足资源（closers 为空，更快）"
    )
    full: bool = Field(
        default=True,
        description="compare 时 false：改前、改后只给覆盖率、汇总与前 20 项差距（响应小得多）",
    )


@router.post(
    "/gaps/what-if",
    response_model=dict[str, Any],
    summary="假如调整课程 What if the curriculum changed",
    responses={**errors(*READ, 404, 413), **_GAP_RESPONSE},
)
def gaps_what_if(body: WhatIfIn, store: Store) -> JSONResponse:
    """增删课程、改变培养等级、加入尚不存在的新课程后的差距报告；不写入任何数据 (nothing is written)."""
    if body.compare:
        answer = run_changes(store, body, with_closers=body.with_closers).to_dict()
        if not body.full:
            for side in ("before", "after"):
                report = answer[side]
                answer[side] = {
                    "coverage": report["coverage"],
                    "summary": report["summary"],
                    "gaps": report["gaps"][:20],
                }
        return library_json(answer)
    result = what_if(
        store,
        body.cluster,
        body.chain,
        body.segment,
        with_closers=body.with_closers,
        **body.arguments(),
    )
    return library_json(result.to_dict())
