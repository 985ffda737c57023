"""Relationships: list those of a node, create one, delete one (checked as ingest checks)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from chanjiao import edit
from chanjiao.api.deps import (
    LABEL_CHOICES,
    Author,
    Gate,
    Store,
    Students,
    require_read_key,
    require_write_key,
)
from chanjiao.api.routes import READ, WRITE, errors
from chanjiao.errors import InvalidInput
from chanjiao.graph.schema import PERSONAL_RELS, Rel, Relationship

router = APIRouter(tags=["relationships"])

LabelName = Annotated[
    str | None,
    Field(
        default=None,
        description="端点类型（可省略，除非有歧义）label of the end, when ambiguous",
        json_schema_extra={"enum": [*LABEL_CHOICES, None]},
    ),
]


class RelationshipIn(BaseModel):
    """One relationship: its type, its two ends and its properties."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "type": "REQUIRES",
                    "src": "P-SUB-01",
                    "dst": "A-K-001",
                    "props": {"level": "掌握", "weight": 2},
                },
                {"type": "TEACHES", "src": "T-01", "dst": "C-IC-108"},
            ]
        },
    )

    type: Rel
    src: str = Field(min_length=1, max_length=100)
    dst: str = Field(min_length=1, max_length=100)
    src_label: LabelName = None
    dst_label: LabelName = None
    props: dict[str, Any] = Field(
        default_factory=dict,
        description="关系属性：REQUIRES 的 level/weight、COVERS 的 level、OFFERS 的 headcount、"
        "PARTNER_OF 的 role、IN_MAJOR 的 core",
    )


class RelationshipOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str
    src_label: str
    src: str
    dst_label: str
    dst: str
    props: dict[str, Any]


def relationship_out(r: Relationship) -> RelationshipOut:
    return RelationshipOut(
        type=str(r.type),
        src_label=str(r.src_label),
        src=r.src,
        dst_label=str(r.dst_label),
        dst=r.dst,
        props=r.props,
    )


class RelationshipList(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[RelationshipOut]
    truncated: bool = Field(description="是否因 limit 截断 cut at limit")


class RelationshipWriteOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    change: dict[str, Any] = Field(description="写入的变化（与 ingest 相同）the ingest summary")


class RelationshipDeleted(BaseModel):
    model_config = ConfigDict(extra="forbid")
    deleted: RelationshipOut


Id = Annotated[str | None, Query(min_length=1, max_length=100)]


@router.get(
    "/relationships",
    response_model=RelationshipList,
    summary="列出关系 List relationships of a node",
    responses=errors(*READ),
    dependencies=[Depends(require_read_key)],
)
def list_relationships(
    store: Store,
    students: Students,
    type: Annotated[Rel, Query(description="关系类型 relationship type")],
    src: Id = None,
    dst: Id = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> RelationshipList:
    """某类型中从 src 出发或指向 dst 的关系（至少给出一个）(give src, dst or both)."""
    if src is None and dst is None:
        raise InvalidInput("请给出 src 或 dst", "give src, dst or both")
    if type in PERSONAL_RELS:
        students.require()
    found = store.relationships(
        type,
        src_ids=[src] if src is not None else None,
        dst_ids=[dst] if dst is not None else None,
    )
    return RelationshipList(
        items=[relationship_out(r) for r in found[:limit]],
        truncated=len(found) > limit,
    )


@router.post(
    "/relationships",
    response_model=RelationshipWriteOut,
    status_code=201,
    summary="新建或更新关系 Create (or update) a relationship",
    responses=errors(*WRITE, 404),
    dependencies=[Depends(require_write_key)],
)
def create_relationship(
    body: RelationshipIn, store: Store, gate: Gate, author: Author
) -> RelationshipWriteOut:
    """按导入规则校验：与数据文件中同一行的消息相同 (checked as its dataset row would be)."""
    result = edit.create_relationship(
        store,
        gate,
        body.type,
        body.src,
        body.dst,
        body.props,
        body.src_label,
        body.dst_label,
        author,
    )
    return RelationshipWriteOut(change=result.as_dict())


@router.delete(
    "/relationships",
    response_model=RelationshipDeleted,
    summary="删除关系 Delete a relationship",
    responses=errors(*WRITE, 404),
    dependencies=[Depends(require_write_key)],
)
def delete_relationship(
    store: Store,
    gate: Gate,
    author: Author,
    type: Annotated[Rel, Query(description="关系类型 relationship type")],
    src: Annotated[str, Query(min_length=1, max_length=100)],
    dst: Annotated[str, Query(min_length=1, max_length=100)],
    src_label: Annotated[str | None, Query(max_length=40)] = None,
    dst_label: Annotated[str | None, Query(max_length=40)] = None,
) -> RelationshipDeleted:
    """删除一条关系（两端节点保留）(the nodes stay)."""
    r = edit.delete_relationship(store, gate, type, src, dst, src_label, dst_label, author)
    return RelationshipDeleted(deleted=relationship_out(r))
