"""Gap reports (HTML, XLSX, Markdown, JSON) and graph views (HTML) over HTTP."""

from __future__ import annotations

import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from chanjiao import viz
from chanjiao.api.deps import Store, Students, require_read_key
from chanjiao.api.routes import READ, errors, library_json
from chanjiao.report.html import gather_report, render_gap_report
from chanjiao.report.markdown import report_markdown
from chanjiao.report.xlsx import gap_workbook

router = APIRouter(tags=["reports"], dependencies=[Depends(require_read_key)])
Id = Annotated[str, Query(min_length=1, max_length=100)]
MaxNodes = Annotated[int, Query(ge=10, le=5000)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TEXT: dict[str, Any] = {"schema": {"type": "string"}}
#: The 200 answer of a view: a self-contained HTML page.
HTML_PAGE: dict[int | str, dict[str, Any]] = {
    200: {"description": "HTML 页面 HTML page", "content": {"text/html": _TEXT}}
}
#: The 200 answers of the report, one per format.
REPORT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "报告 Report",
        "content": {
            "text/html": _TEXT,
            "text/markdown": _TEXT,
            "application/json": {"schema": {"type": "object"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.get(
    "/reports/gaps",
    summary="差距报告 Gap report (html|xlsx|md|json)",
    responses=REPORT | errors(*READ, 400, 404),
)
def gap_report(
    store: Store,
    cluster: Id,
    chain: Id,
    segment: Id | None = None,
    format: Literal["html", "xlsx", "md", "json"] = "html",
) -> Response:
    """专业群差距报告：HTML（可打印、离线）、XLSX、Markdown 或 §4 JSON（另含资源短板）。"""
    data = gather_report(store, cluster, chain, segment)
    if format == "json":
        return library_json(data.to_dict())
    if format == "md":
        return PlainTextResponse(
            report_markdown(data.to_dict(), data.names), media_type="text/markdown; charset=utf-8"
        )
    if format == "xlsx":
        buffer = io.BytesIO()
        gap_workbook(data).save(buffer)
        return Response(
            buffer.getvalue(),
            media_type=XLSX,
            headers={"Content-Disposition": 'attachment; filename="gap-report.xlsx"'},
        )
    return HTMLResponse(render_gap_report(data, store))


@router.get(
    "/views/cluster",
    summary="专业群 × 产业链 图谱 Cluster view",
    responses=HTML_PAGE | errors(*READ, 400, 404),
)
def cluster_view(
    store: Store,
    cluster: Id,
    chain: Id,
    segment: Id | None = None,
    max_nodes: MaxNodes = viz.DEFAULT_MAX_NODES,
) -> HTMLResponse:
    """专业群对产业链的交互图谱（离线 HTML）。"""
    return HTMLResponse(viz.cluster_view(store, cluster, chain, segment, max_nodes=max_nodes))


@router.get(
    "/views/focus",
    summary="节点邻域 Focus view",
    responses=HTML_PAGE | errors(*READ, 400, 404),
)
def focus_view(
    store: Store,
    students: Students,
    id: Id,
    label: Id | None = None,
    hops: Annotated[int, Query(ge=1, le=4)] = 1,
    max_nodes: MaxNodes = viz.DEFAULT_MAX_NODES,
) -> HTMLResponse:
    """任一节点及其 N 跳邻域（有学生密钥时才含学生 students only with a key that reads them）。"""
    parsed = viz.parse_label(label) if label else None
    return HTMLResponse(
        viz.focus_view(store, id, parsed, hops, max_nodes=max_nodes, personal=students.allowed)
    )


@router.get(
    "/views/gap",
    summary="差距及可补资源 Gap view",
    responses=HTML_PAGE | errors(*READ, 400, 404),
)
def gap_view(
    store: Store, cluster: Id, chain: Id, ability: Id, segment: Id | None = None
) -> HTMLResponse:
    """一项能力差距及可补的课程、教师、教材、资源、企业、证书、竞赛。"""
    return HTMLResponse(viz.gap_view(store, cluster, chain, ability, segment))


@router.get(
    "/views/path",
    summary="岗位学习路径 Learning path view",
    responses=HTML_PAGE | errors(*READ, 400, 404),
)
def path_view(store: Store, position: Id, cluster: Id | None = None) -> HTMLResponse:
    """岗位所需能力的课程学习路径（按先修顺序）。"""
    return HTMLResponse(viz.path_view(store, position, cluster))
