"""Nodes: list by label (filters, name search, cursor pages), one with its neighbours,
create, update, delete (validated as the ingest validates a row of the node's file)."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from chanjiao import edit
from chanjiao.api.deps import (
    Author,
    Gate,
    LabelPath,
    Store,
    Students,
    require_read_key,
    require_write_key,
)
from chanjiao.api.routes import READ, WRITE, errors
from chanjiao.graph.schema import PERSONAL_LABELS, Node

router = APIRouter(tags=["nodes"])


class NodeOut(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "label": "Course",
                    "id": "C-IC-106",
                    "name": "半导体器件物理",
                    "props": {"hours": 64, "credits": 4.0, "kind": "theory", "semester": 2},
                }
            ]
        },
    )
    label: str
    id: str
    name: str
    props: dict[str, Any] = Field(description="名称以外的属性 properties other than the name")


def node_out(node: Node) -> NodeOut:
    props = {k: v for k, v in node.props.items() if k != "name"}
    return NodeOut(label=str(node.label), id=node.id, name=node.name, props=props)


class NodePage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str
    items: list[NodeOut]
    next_cursor: str | None = Field(
        description="下一页的 cursor；为空表示已是最后一页 (null: last page)"
    )


class NeighbourOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    direction: str = Field(description="out：本节点 → 邻居；in：邻居 → 本节点")
    label: str
    id: str
    name: str
    props: dict[str, Any] = Field(description="关系的属性 relationship properties")


class NodeDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")
    node: NodeOut
    neighbours: dict[str, list[NeighbourOut]] = Field(
        description="按关系类型分组的邻居 neighbours grouped by relationship type"
    )


class NodeWriteOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    node: NodeOut
    change: dict[str, Any] = Field(description="写入的变化（与 ingest 相同）the ingest summary")


class Deleted(BaseModel):
    model_config = ConfigDict(extra="forbid")
    deleted: NodeOut


@router.get(
    "/nodes/{label}",
    response_model=NodePage,
    summary="按类型列出节点 List nodes of a label",
    responses=errors(*READ),
    dependencies=[Depends(require_read_key)],
)
def list_nodes(
    label: LabelPath,
    store: Store,
    students: Students,
    q: Annotated[
        str | None,
        Query(max_length=200, description="名称包含（中文子串）name contains", examples=["工艺"]),
    ] = None,
    filter: Annotated[
        list[str],
        Query(
            max_length=20,
            description="属性:值，可重复 property:value, repeatable (e.g. kind:theory, semester:3)",
            examples=[["kind:theory"]],
        ),
    ] = [],  # noqa: B006 - FastAPI reads, never mutates, the default
    limit: Annotated[int, Query(ge=1, le=500, description="每页条数 page size")] = 50,
    cursor: Annotated[str | None, Query(max_length=100, description="上一页的 next_cursor")] = None,
) -> NodePage:
    """节点按编号排序分页 (a page of nodes in id order; follow next_cursor for more).

    学生（个人信息）总是需要密钥 (students always need a key)."""
    if label in PERSONAL_LABELS:
        students.require()
    found = store.find_nodes(
        label,
        text=q or None,
        filters=edit.parse_filters(label, filter),
        after=cursor,
        limit=limit + 1,
    )
    page = found[:limit]
    more = len(found) > limit
    return NodePage(
        label=str(label),
        items=[node_out(n) for n in page],
        next_cursor=page[-1].id if more and page else None,
    )


@router.get(
    "/nodes/{label}/{node_id}",
    response_model=NodeDetail,
    summary="节点及其邻居 A node and its neighbours",
    responses=errors(*READ, 404),
    dependencies=[Depends(require_read_key)],
)
def get_node(label: LabelPath, node_id: str, store: Store, students: Students) -> NodeDetail:
    """一个节点，邻居按关系类型分组 (neighbours grouped by relationship type).

    没有学生密钥时不列出学生 (students are left out without a key that may read them)."""
    if label in PERSONAL_LABELS:
        students.require()
    with store.reading():
        node = store.get_node(label, node_id)
        if node is None:
            raise edit.not_found(label, node_id)
        around = store.neighbours(label, node_id)
    grouped: dict[str, list[NeighbourOut]] = defaultdict(list)
    if not students.allowed:
        around = [n for n in around if n.node.label not in PERSONAL_LABELS]
    for n in sorted(around, key=lambda n: (n.rel, n.direction, n.node.label, n.node.id)):
        grouped[str(n.rel)].append(
            NeighbourOut(
                direction=n.direction,
                label=str(n.node.label),
                id=n.node.id,
                name=n.node.name,
                props=dict(n.props),
            )
        )
    return NodeDetail(node=node_out(node), neighbours=dict(grouped))


_ROW_EXAMPLE = {
    "id": "C-NEW-01",
    "name": "碳化硅器件可靠性",
    "hours": 48,
    "credits": 3,
    "kind": "理实一体",
    "semester": 4,
    "major_ids": "M-510401",
}

RowBody = Annotated[
    dict[str, Any],
    Body(
        description="该类型数据文件的一行：列名为英文或中文表头，与导入相同 "
        "(a row of the label's dataset file, e.g. courses.csv)",
        examples=[_ROW_EXAMPLE],
    ),
]


@router.post(
    "/nodes/{label}",
    response_model=NodeWriteOut,
    status_code=201,
    summary="新建节点 Create a node",
    responses=errors(*WRITE, 409),
    dependencies=[Depends(require_write_key)],
)
def create_node(
    label: LabelPath, body: RowBody, store: Store, gate: Gate, author: Author
) -> NodeWriteOut:
    """按导入规则校验后新建 (validated exactly as a dataset row; all or nothing)."""
    done = edit.create_node(store, gate, label, body, author)
    return NodeWriteOut(node=node_out(done.node), change=done.result.as_dict())


@router.patch(
    "/nodes/{label}/{node_id}",
    response_model=NodeWriteOut,
    summary="修改节点 Update a node",
    responses=errors(*WRITE, 404),
    dependencies=[Depends(require_write_key)],
)
def update_node(
    label: LabelPath,
    node_id: str,
    body: Annotated[
        dict[str, Any],
        Body(
            description="要修改的列（未给出的保持不变）columns to change",
            examples=[{"hours": 64, "semester": 5}],
        ),
    ],
    store: Store,
    gate: Gate,
    author: Author,
) -> NodeWriteOut:
    """只改给出的列；编号列会新增关系 (given columns change; id columns add relationships)."""
    done = edit.update_node(store, gate, label, node_id, body, author)
    return NodeWriteOut(node=node_out(done.node), change=done.result.as_dict())


@router.delete(
    "/nodes/{label}/{node_id}",
    response_model=Deleted,
    summary="删除节点 Delete a node",
    responses=errors(*WRITE, 404),
    dependencies=[Depends(require_write_key)],
)
def delete_node(
    label: LabelPath, node_id: str, store: Store, gate: Gate, author: Author
) -> Deleted:
    """删除节点及其所有关系 (the node and every relationship it has)."""
    return Deleted(deleted=node_out(edit.delete_node(store, gate, label, node_id, author)))
