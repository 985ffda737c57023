"""Gap analysis (DESIGN §4) and what-if: the §4 JSON, exactly as `analyse_gaps` writes it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.analysis.inputs import LevelChange, change_level, level_changes
from chanjiao.analysis.whatif import what_if, what_if_compare
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


def _level(value: Any) -> Any:
    level = change_level(value)
    return value if level is None else level


class CoverageChange(BaseModel):
    """Teach `ability` in `course` at `level` (1–4 or 了解…熟练); 0 removes that coverage."""

    model_config = ConfigDict(extra="forbid")
    course: str = Field(min_length=1, max_length=100)
    ability: str = Field(min_length=1, max_length=100)
    level: Annotated[int, BeforeValidator(_level), Field(ge=0, le=4)]


class WhatIfIn(BaseModel):
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
                }
            ]
        },
    )
    cluster: str = Field(min_length=1, max_length=100)
    chain: str = Field(min_length=1, max_length=100)
    segment: str | None = Field(default=None, min_length=1, max_length=100)
    add_courses: list[str] = Field(default_factory=list, max_length=1000)
    remove_courses: list[str] = Field(default_factory=list, max_length=1000)
    coverage: list[CoverageChange] = Field(default_factory=list, max_length=5000)
    compare: bool = Field(
        default=False,
        description="true：返回改前、改后与变化 {before, after, comparison}；"
        "false：只返回改后的 §4 报告",
    )


@router.post(
    "/gaps/what-if",
    response_model=dict[str, Any],
    summary="假如调整课程 What if the curriculum changed",
    responses={**errors(*READ, 404, 413), **_GAP_RESPONSE},
)
def gaps_what_if(body: WhatIfIn, store: Store) -> JSONResponse:
    """增删课程、改变课程对能力的培养等级后的差距报告；不写入任何数据 (nothing is written)."""
    coverage = level_changes(LevelChange(c.course, c.ability, c.level) for c in body.coverage)
    run = what_if_compare if body.compare else what_if
    result = run(
        store,
        body.cluster,
        body.chain,
        body.segment,
        add_courses=body.add_courses,
        remove_courses=body.remove_courses,
        coverage=coverage,
    )
    return library_json(result.to_dict())
