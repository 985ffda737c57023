"""/talent: students against positions (DESIGN §4b). Every route reads students, so
every route needs a key that may read them, whatever `read_requires_key` says."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from chanjiao.analysis.talent import (
    TalentSettings,
    cohort_readiness,
    match_position,
    student_profile,
)
from chanjiao.api.deps import Store, require_student_key
from chanjiao.api.routes import READ, errors, library_json
from chanjiao.report.talent import gather_talent_report, talent_report_html, talent_xlsx_bytes

router = APIRouter(prefix="/talent", tags=["talent"], dependencies=[Depends(require_student_key)])
Id = Annotated[str, Query(min_length=1, max_length=100)]
Pseudonymise = Annotated[
    bool, Query(description="学生姓名化名 replace student names by pseudonyms")
]
Threshold = Annotated[
    float | None, Query(ge=0, le=1, description="胜任阈值（默认取服务器设置）readiness threshold")
]
CertificateLevel = Annotated[
    int | None, Query(ge=1, le=4, description="证书计为的等级（默认取服务器设置）")
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_KEYED = (*READ, 404)

_CANDIDATES_EXAMPLE = {
    "position": "P1",
    "students": [
        {"id": "S1", "name": "赵一", "readiness": 1.0, "missing": []},
        {
            "id": "S2",
            "name": "钱二",
            "readiness": 0.5556,
            "missing": [{"ability": "A1", "required": 3, "attained": 1}],
        },
    ],
}


def _settings(
    request: Request, threshold: float | None, certificate_level: int | None
) -> TalentSettings:
    server = request.app.state.settings
    return TalentSettings(
        server.talent_threshold if threshold is None else threshold,
        server.certificate_level if certificate_level is None else certificate_level,
    )


@router.get(
    "/positions/{position_id}/candidates",
    summary="岗位候选学生 Candidates for a position (DESIGN §4b JSON)",
    responses={
        200: {"content": {"application/json": {"example": _CANDIDATES_EXAMPLE}}},
        **errors(*_KEYED, 400),
    },
)
def candidates(
    request: Request,
    store: Store,
    position_id: str,
    cohort: Id | None = None,
    major: Id | None = None,
    pseudonymise: Pseudonymise = False,
    threshold: Threshold = None,
    certificate_level: CertificateLevel = None,
) -> Response:
    """按准备度降序（同分按学号）排列的学生，每人附 missing（达到等级低于要求的能力）。"""
    found = match_position(
        store,
        position_id,
        cohort=cohort,
        major=major,
        settings=_settings(request, threshold, certificate_level),
        pseudonymise=pseudonymise,
    )
    return library_json(found.to_dict())


@router.get(
    "/students/{student_id}",
    summary="学生能力画像与岗位准备度 A student's profile and readiness",
    responses={200: {"content": {"application/json": {}}}, **errors(*_KEYED)},
)
def profile(
    request: Request,
    store: Store,
    student_id: str,
    chain: Id | None = None,
    threshold: Threshold = None,
    certificate_level: CertificateLevel = None,
) -> Response:
    """达到等级（及来源课程、证书）与对每个岗位（或一条产业链的岗位）的准备度。"""
    settings = _settings(request, threshold, certificate_level)
    return library_json(student_profile(store, student_id, chain, settings).to_dict())


@router.get(
    "/cohorts/{cohort}",
    summary="年级对产业链的准备度 A cohort's readiness for a chain",
    responses={200: {"content": {"application/json": {}}}, **errors(*_KEYED)},
)
def cohort(
    request: Request,
    store: Store,
    cohort: str,
    chain: Id,
    major: Id | None = None,
    pseudonymise: Pseudonymise = False,
    threshold: Threshold = None,
    certificate_level: CertificateLevel = None,
) -> Response:
    """各岗位胜任比例、各环节准备度、最需补强的岗位与提升最多学生的能力。"""
    result = cohort_readiness(
        store,
        cohort,
        chain,
        major=major,
        settings=_settings(request, threshold, certificate_level),
    )
    return library_json(result.to_dict(pseudonymise=pseudonymise))


_REPORT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "报告 Report",
        "content": {
            "text/html": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.get(
    "/reports/{cohort}",
    summary="人才与岗位匹配报告 Talent match report (html|xlsx|json)",
    response_class=Response,
    responses=_REPORT | errors(*_KEYED),
)
def report(
    request: Request,
    store: Store,
    cohort: str,
    chain: Id,
    major: Id | None = None,
    format: Literal["html", "xlsx", "json"] = "html",
    pseudonymise: Pseudonymise = False,
    threshold: Threshold = None,
    certificate_level: CertificateLevel = None,
) -> Response:
    """年级 × 产业链 的可打印报告（HTML）或工作簿（XLSX）。"""
    data = gather_talent_report(
        store,
        cohort,
        chain,
        major=major,
        settings=_settings(request, threshold, certificate_level),
        pseudonymise=pseudonymise,
    )
    if format == "json":
        return library_json(data.to_dict())
    if format == "xlsx":
        return Response(
            talent_xlsx_bytes(data),
            media_type=XLSX,
            headers={"Content-Disposition": 'attachment; filename="talent-report.xlsx"'},
        )
    return HTMLResponse(talent_report_html(data))
