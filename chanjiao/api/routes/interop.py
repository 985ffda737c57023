"""POST /import/{format}: start from a standard (O*NET, ESCO, CASE, OSMT), all or nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import JSONResponse

from chanjiao.api.deps import Author, Gate, Store, require_write_key
from chanjiao.api.routes import WRITE, errors, library_json
from chanjiao.interop.run import ImportFormat, ImportOptions, run_import

router = APIRouter(tags=["data"])

_EXAMPLE = {
    "import": {
        "source": "O*NET 51-9141.00",
        "tables": {"positions": 1, "abilities": 23, "requirements": 12},
        "notes": ["本数据集含有 … O*NET 29.x 数据库的信息 …"],
        "notes_en": ["This page includes information from the O*NET 29.x Database …"],
        "summary": {"skipped_not_relevant": 8, "skipped_suppressed": 5},
    },
    "ingest": {"source": "O*NET 51-9141.00", "dry_run": True, "rows": 36, "warnings": []},
}


def _read(uploads: list[UploadFile] | None) -> list[tuple[str, bytes]]:
    return [(u.filename or "upload", u.file.read()) for u in uploads or []]


@router.post(
    "/import/{format}",
    response_model=dict[str, Any],
    summary="从标准导入 Import from a standard (O*NET, ESCO, CASE, OSMT)",
    responses={
        **errors(*WRITE, 400),
        200: {"content": {"application/json": {"example": _EXAMPLE}}},
    },
    dependencies=[Depends(require_write_key)],
)
def import_standard(
    store: Store,
    gate: Gate,
    author: Author,
    format: ImportFormat,
    file: Annotated[
        list[UploadFile] | None,
        File(
            description="case：CFPackage .json 或 OpenSALT .xlsx；osmt：RSD/技能集 .json（可多个）"
        ),
    ] = None,
    skills: Annotated[
        UploadFile | None, File(description="onet：Skills.txt；esco：skills_en.csv")
    ] = None,
    knowledge: Annotated[UploadFile | None, File(description="onet：Knowledge.txt")] = None,
    tasks: Annotated[UploadFile | None, File(description="onet：Task Statements.txt")] = None,
    occupations: Annotated[UploadFile | None, File(description="esco：occupations_en.csv")] = None,
    relations: Annotated[
        UploadFile | None, File(description="esco：occupationSkillRelations.csv")
    ] = None,
    code: Annotated[
        list[str] | None,
        Query(description="onet/esco：职业代码，可写 代码=岗位名称（如 51-9141.00=半导体工艺员）"),
    ] = None,
    segment: Annotated[str | None, Query(description="onet/esco：新岗位所属环节编号")] = None,
    level_cuts: Annotated[str, Query(description="onet：LV → 等级的分界点")] = "2,3.5,5",
    min_importance: Annotated[float, Query(ge=1, le=5, description="onet：最低重要性")] = 3.0,
    essential_weight: Annotated[float, Query(gt=0, description="esco：必备技能权重")] = 2.0,
    optional_weight: Annotated[float, Query(gt=0, description="esco：可选技能权重")] = 1.0,
    include_optional: Annotated[bool, Query(description="esco：是否导入可选技能")] = True,
    level: Annotated[int, Query(ge=1, le=4, description="esco/osmt：要求等级")] = 3,
    weight: Annotated[float, Query(gt=0, description="osmt：权重")] = 1.0,
    dry_run: Annotated[bool, Query(description="只检查并返回将写入的数量，不写入")] = False,
) -> JSONResponse:
    """与 chanjiao import 相同的转换与检查；全部成功或全部不写入 (all or nothing)."""
    files = {
        "file": _read(file),
        "skills": _read([skills] if skills else None),
        "knowledge": _read([knowledge] if knowledge else None),
        "tasks": _read([tasks] if tasks else None),
        "occupations": _read([occupations] if occupations else None),
        "relations": _read([relations] if relations else None),
    }
    options = ImportOptions(
        codes=code or [],
        segment=segment,
        level_cuts=level_cuts,
        min_importance=min_importance,
        essential_weight=essential_weight,
        optional_weight=optional_weight,
        include_optional=include_optional,
        level=level,
        weight=weight,
    )
    with gate.held():
        dataset, result = run_import(store, format, files, options, dry_run=dry_run, author=author)
    return library_json({"import": dataset.as_dict(), "ingest": result.as_dict()})
