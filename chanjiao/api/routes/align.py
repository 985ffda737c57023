"""Course ↔ position alignment (chanjiao.analysis.alignment)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from chanjiao.analysis.alignment import align_course, align_position
from chanjiao.api.deps import Store, require_read_key
from chanjiao.api.routes import READ, cached_json, errors

router = APIRouter(tags=["analysis"], dependencies=[Depends(require_read_key)])

_COURSE_EXAMPLE = {
    "course": {"id": "C1", "name": "半导体材料", "hours": 64, "kind": "theory"},
    "majors": ["M1"],
    "abilities": [
        {
            "ability": "A1",
            "name": "材料表征",
            "level": 3,
            "positions": [
                {"position": "P1", "name": "工艺员", "required": 3, "weight": 1.0, "share": 0.5}
            ],
        }
    ],
    "positions": [
        {
            "id": "P1",
            "name": "工艺员",
            "segment": "S1",
            "chain": "H1",
            "enterprises": ["E1"],
            "share": 0.5,
            "requirements": [
                {"ability": "A1", "required": 3, "level": 3, "weight": 1.0, "status": "covered"}
            ],
        }
    ],
    "page": {"offset": 0, "limit": 100, "total": 1},
    "segments": ["S1"],
    "chains": ["H1"],
    "enterprises": ["E1"],
}


@router.get(
    "/align/courses/{course_id}",
    response_model=dict[str, Any],
    summary="课程服务哪些岗位 Which positions a course serves",
    responses={
        **errors(*READ, 404),
        200: {"content": {"application/json": {"example": _COURSE_EXAMPLE}}},
    },
)
def course_alignment(
    course_id: str,
    store: Store,
    request: Request,
    limit: Annotated[
        int, Query(ge=1, le=1000, description="最多列出多少个岗位（按贡献 share 从高到低）")
    ] = 100,
    offset: Annotated[int, Query(ge=0, description="跳过前多少个岗位（翻页）")] = 0,
) -> Response:
    """课程培养的能力、需要这些能力的岗位与企业，及本课程对每个岗位覆盖率的贡献 share。

    岗位按 share 从高到低（同值按编号）分页列出；`page.total` 是岗位总数。
    """
    return cached_json(
        request, lambda: align_course(store, course_id, limit=limit, offset=offset).to_dict()
    )


@router.get(
    "/align/positions/{position_id}",
    response_model=dict[str, Any],
    summary="岗位由哪些课程培养 How a position is taught",
    responses={
        **errors(*READ, 404),
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "position": {"id": "P1", "name": "工艺员", "level": "entry"},
                        "segment": "S1",
                        "chain": "H1",
                        "cluster": "K1",
                        "requirements": [
                            {
                                "ability": "A1",
                                "name": "材料表征",
                                "required": 3,
                                "weight": 1.0,
                                "courses": [
                                    {
                                        "id": "C1",
                                        "name": "半导体材料",
                                        "level": 3,
                                        "semester": 2,
                                        "meets": True,
                                    }
                                ],
                            }
                        ],
                        "learning_path": [{"id": "C1", "name": "半导体材料", "semester": 2}],
                    }
                }
            }
        },
    },
)
def position_alignment(
    position_id: str,
    store: Store,
    cluster: Annotated[
        str | None, Query(max_length=100, description="只看该专业群的课程 only this cluster's")
    ] = None,
    *,
    request: Request,
) -> Response:
    """岗位的每项能力要求、培养它的课程，以及按先修顺序排列的学习路径。"""
    return cached_json(request, lambda: align_position(store, position_id, cluster).to_dict())
