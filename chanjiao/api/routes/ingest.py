"""POST /ingest: load an uploaded dataset (xlsx, zip of CSVs, JSON), all or nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import JSONResponse

from chanjiao import edit
from chanjiao.api.deps import Author, Gate, Store, require_write_key
from chanjiao.api.routes import WRITE, errors, library_json

router = APIRouter(tags=["data"])

_RESULT_EXAMPLE = {
    "source": "college.xlsx",
    "dry_run": True,
    "rows": 943,
    "nodes": {"Course": {"added": 54, "updated": 0, "unchanged": 0}},
    "relationships": {"COVERS": {"added": 163, "updated": 0, "unchanged": 0}},
    "warnings": [],
}


@router.post(
    "/ingest",
    response_model=dict[str, Any],
    summary="导入数据集 Load a dataset",
    responses={
        **errors(*WRITE, 415),
        200: {"content": {"application/json": {"example": _RESULT_EXAMPLE}}},
    },
    dependencies=[Depends(require_write_key)],
)
def ingest(
    store: Store,
    gate: Gate,
    file: Annotated[
        UploadFile, File(description=".xlsx 工作簿、CSV 文件的 .zip 压缩包或 .json 文档")
    ],
    author: Author,
    dry_run: Annotated[
        bool,
        Query(description="只检查并返回将新增/修改/删除的记录，不写入 (dry run: the diff only)"),
    ] = False,
    sync: Annotated[
        bool,
        Query(
            description="以数据集为准同步：各文件不再包含的记录被删除，空单元格清空属性 "
            "(sync: the dataset is the master copy of what its files own)"
        ),
    ] = False,
) -> JSONResponse:
    """全部成功或全部不写入；出错时返回每处错误的文件、行、列 (all or nothing).

    The answer lists, per file, every record added, changed (field: old → new) and
    removed (`files`), as `chanjiao ingest --format json` does.
    """
    result = edit.ingest_upload(
        store, gate, file.filename, file.file, dry_run, sync=sync, author=author
    )
    return library_json(result.as_dict())
