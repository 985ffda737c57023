"""专业群规划 (chanjiao.analysis.{clusters,resources,certification,paths,partners})."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from chanjiao.analysis.certification import certification
from chanjiao.analysis.clusters import build_cluster
from chanjiao.analysis.inputs import DEFAULT_TIME_LIMIT, MAX_TIME_LIMIT, BudgetKind, Method
from chanjiao.analysis.partners import check_eligibility, enterprise_service
from chanjiao.analysis.paths import semester_plan
from chanjiao.analysis.resources import (
    DEFAULT_FORMAT_TARGETS,
    DEFAULT_KIND_TARGETS,
    DEFAULT_MAX_AGE,
    ResourceTargets,
    resource_shortfalls,
)
from chanjiao.api.deps import Store, require_read_key
from chanjiao.api.routes import READ, errors

router = APIRouter(tags=["planning"], dependencies=[Depends(require_read_key)])

Id = Annotated[str, Field(min_length=1, max_length=100)]
QId = Annotated[str, Query(min_length=1, max_length=100)]
OptId = Annotated[str | None, Query(min_length=1, max_length=100)]


class ClusterIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"chain": "CH-SEMI3", "budget": 12, "cluster": "K-IC", "method": "both"}]
        },
    )
    chain: Id
    segments: list[Id] = Field(default_factory=list, max_length=1000)
    budget: float = Field(ge=0, le=1e7)
    budget_kind: BudgetKind = BudgetKind.COURSES
    pool_majors: list[Id] | None = Field(default=None, max_length=10000)
    pool_courses: list[Id] | None = Field(default=None, max_length=100000)
    cluster: Id | None = None
    extend: bool = False
    method: Method = Method.GREEDY
    time_limit: float = Field(default=DEFAULT_TIME_LIMIT, gt=0, le=MAX_TIME_LIMIT)


@router.post(
    "/plan/cluster",
    response_model=dict[str, Any],
    summary="组群推荐 Recommend a cluster under a budget",
    responses=errors(*READ, 400, 404, 413),
)
def plan_cluster(body: ClusterIn, store: Store) -> dict[str, Any]:
    """预算内需求加权覆盖率最高的专业与课程；贪心、精确（HiGHS）或两者对比。"""
    return build_cluster(
        store,
        body.chain,
        segment_ids=body.segments,
        budget=body.budget,
        budget_kind=body.budget_kind,
        pool_majors=body.pool_majors,
        pool_courses=body.pool_courses,
        cluster_id=body.cluster,
        extend=body.extend,
        method=body.method,
        time_limit=body.time_limit,
    ).to_dict()


@router.get(
    "/plan/resources",
    response_model=dict[str, Any],
    summary="资源短板 Resource shortfalls",
    responses=errors(*READ, 400, 404),
)
def plan_resources(
    store: Store,
    cluster: QId,
    chain: OptId = None,
    segment: OptId = None,
    national_planned: Annotated[float, Query(ge=0, lt=1)] = DEFAULT_KIND_TARGETS[
        "national_planned"
    ],
    school_enterprise: Annotated[float, Query(ge=0, lt=1)] = DEFAULT_KIND_TARGETS[
        "school_enterprise"
    ],
    self_compiled: Annotated[float, Query(ge=0, lt=1)] = 0.0,
    loose_leaf: Annotated[float, Query(ge=0, lt=1)] = DEFAULT_FORMAT_TARGETS["loose_leaf"],
    workbook: Annotated[float, Query(ge=0, lt=1)] = DEFAULT_FORMAT_TARGETS["workbook"],
    max_age: Annotated[int, Query(ge=0, le=100)] = DEFAULT_MAX_AGE,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
) -> dict[str, Any]:
    """双师、教师专长、教材体系（目标为最低比例，0 表示不设目标）、实训资源、更新年限。"""
    kinds = {
        "national_planned": national_planned,
        "school_enterprise": school_enterprise,
        "self_compiled": self_compiled,
    }
    formats = {"loose_leaf": loose_leaf, "workbook": workbook}
    targets = ResourceTargets(
        textbook_kinds={k: v for k, v in kinds.items() if v > 0},
        textbook_formats={k: v for k, v in formats.items() if v > 0},
        max_age_years=max_age,
    )
    if year is not None:
        targets.current_year = year
    return resource_shortfalls(store, cluster, chain, segment, targets=targets).to_dict()


@router.get(
    "/plan/certificates",
    response_model=dict[str, Any],
    summary="岗课赛证 Certificates and competitions per position",
    responses=errors(*READ, 400, 404),
)
def plan_certificates(
    store: Store, cluster: QId, chain: OptId = None, segment: OptId = None
) -> dict[str, Any]:
    """各岗位的证书、竞赛、课程未达要求的能力与备考课程。"""
    return certification(store, cluster, chain, segment).to_dict()


@router.get(
    "/plan/path/{position_id}",
    response_model=dict[str, Any],
    summary="学期安排 Semester plan of a position's learning path",
    responses=errors(*READ, 400, 404),
)
def plan_path(
    store: Store,
    position_id: Annotated[str, Path(min_length=1, max_length=100)],
    cluster: QId,
    semesters: Annotated[int, Query(ge=1, le=20)] = 6,
    max_load: Annotated[float | None, Query(ge=0)] = None,
    load_by: BudgetKind = BudgetKind.COURSES,
    free: bool = False,
) -> dict[str, Any]:
    """按先修顺序排入各学期；报告群外先修课、过长先修链、冲突、超负荷与排不下的课程。"""
    return semester_plan(
        store,
        position_id,
        cluster,
        semesters=semesters,
        max_load=max_load,
        load_by=load_by,
        keep_semesters=not free,
    ).to_dict()


@router.get(
    "/plan/partners",
    response_model=dict[str, Any],
    summary="服务最好与最差的企业 Enterprises served best and worst",
    responses=errors(*READ, 400, 404),
)
def plan_partners(
    store: Store,
    cluster: QId,
    chain: OptId = None,
    segment: OptId = None,
    top: Annotated[int, Query(ge=1, le=100)] = 5,
) -> dict[str, Any]:
    """企业覆盖率与缺口（订单班、联合实验室候选）。"""
    return enterprise_service(store, cluster, chain, segment, top=top).to_dict()


@router.get(
    "/plan/eligibility/{college_id}",
    response_model=dict[str, Any],
    summary="产业学院申报条件 Eligibility of an industry college",
    responses=errors(*READ, 400, 404),
)
def plan_eligibility(
    store: Store, college_id: Annotated[str, Path(min_length=1, max_length=100)]
) -> dict[str, Any]:
    """建设指南 §六(一)1：高校牵头、省级以上专精特新企业、联合申报单位类型；逐条说明。"""
    return check_eligibility(store, college_id).to_dict()
