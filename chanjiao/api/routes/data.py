"""GET /export: the store as a dataset the ingest reads back (json, csv-dir as zip, xlsx)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from chanjiao.api.deps import Store, Students, require_read_key
from chanjiao.api.routes import READ, errors
from chanjiao.ingest.export import MEDIA, ExportFormat, export_bytes, export_dataset

router = APIRouter(tags=["data"])


@router.get(
    "/export",
    summary="导出数据集 Export the store as a dataset",
    response_class=Response,
    responses={
        **errors(*READ),
        200: {
            "description": "json：一个 JSON 文档；csv-dir：CSV 文件的 zip；xlsx：工作簿",
            "content": {
                "application/json": {"example": {"chains": [{"id": "H1", "name": "产业链"}]}},
                "application/zip": {"schema": {"type": "string", "format": "binary"}},
                MEDIA[ExportFormat.XLSX][0]: {"schema": {"type": "string", "format": "binary"}},
            },
        },
    },
    dependencies=[Depends(require_read_key)],
)
def export(
    store: Store,
    students: Students,
    format: Annotated[ExportFormat, Query(description="json / csv-dir / xlsx")] = ExportFormat.JSON,
    pseudonymise: Annotated[
        bool, Query(description="学生姓名化名 replace student names by pseudonyms")
    ] = False,
) -> Response:
    """导出的文件可直接用 POST /ingest 或 chanjiao ingest 导回 (re-loadable as is).

    学生、成绩与学生证书（个人信息）只在带有可读学生的密钥时导出
    (students, results and their certificates only with a key that may read students)."""
    media, suffix = MEDIA[format]
    dataset = export_dataset(store, personal=students.allowed, pseudonymise=pseudonymise)
    data = export_bytes(dataset, format)
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="chanjiao-export{suffix}"'},
    )
