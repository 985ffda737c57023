"""The dataset's files (DESIGN §3): their columns, and how rows become graph records.

One `FileFormat` per file. Columns, Chinese headers and required-ness come from the
row model in `validate`, so the readers, the validation and the Excel template can
never disagree about a column.
"""

from __future__ import annotations

import functools
import types
import typing
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from chanjiao.graph.schema import Label, Rel
from chanjiao.ingest import validate as v

#: Header aliases accepted in every file that has these columns (what people also
#: head these columns with: 课时 for 学时, 年份 for 出版年份 …).
_GENERIC_ALIASES = {
    "编号": "id",
    "ID": "id",
    "名称": "name",
    "课时": "hours",
    "总学时": "hours",
    "学期": "semester",
    "年份": "year",
}


@dataclass(frozen=True, slots=True)
class Link:
    """A column of ids that becomes relationships from (or to) the row's node."""

    column: str
    rel: Rel
    target: Label
    outgoing: bool = True


@dataclass(frozen=True, slots=True)
class Edge:
    """A relationship file: each row is one relationship."""

    rel: Rel
    src_column: str
    src_labels: tuple[Label, ...]
    dst_column: str
    dst_label: Label
    props: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileFormat:
    """One file of a dataset and how its rows map onto the graph.

    Attributes:
        name: the file's stem (``courses`` for ``courses.csv``, the sheet's name).
        zh: its Chinese name (the template's description, accepted as a sheet name).
        model: the pydantic row model.
        label: the label of the node each row is (None for relationship files).
        links: id columns that become relationships.
        refs: property columns that must name an existing node.
        edge: for relationship files, which relationship a row is.
    """

    name: str
    zh: str
    model: type[v.Row]
    label: Label | None = None
    links: tuple[Link, ...] = ()
    refs: tuple[tuple[str, Label], ...] = ()
    edge: Edge | None = None
    columns: dict[str, str] = field(init=False)
    required: tuple[str, ...] = field(init=False)
    aliases: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        fields = self.model.model_fields
        object.__setattr__(self, "columns", {n: f.title or n for n, f in fields.items()})
        object.__setattr__(self, "required", tuple(n for n, f in fields.items() if f.is_required()))
        aliases = {title: n for n, title in self.columns.items()}
        aliases.update({k: c for k, c in _GENERIC_ALIASES.items() if c in self.columns})
        object.__setattr__(self, "aliases", aliases)

    @functools.cached_property
    def property_columns(self) -> tuple[str, ...]:
        """Columns stored as node properties (not the id, not link columns)."""
        linked = {link.column for link in self.links}
        if self.name == "courses":
            linked |= {"core_major_ids"}
        return tuple(c for c in self.columns if c != "id" and c not in linked)

    def column_list_zh(self) -> str:
        return "、".join(f"{name}（{zh}）" for name, zh in self.columns.items())

    def enum_of(self, column: str) -> type[StrEnum] | None:
        """The enum a column takes its values from, if any (for template dropdowns)."""
        annotation = self.model.model_fields[column].annotation
        for candidate in _flatten(annotation):
            if isinstance(candidate, type) and issubclass(candidate, StrEnum):
                return candidate
        return None

    def is_level(self, column: str) -> bool:
        return column == "level" and self.name in ("requirements", "coverage")

    def is_flag(self, column: str) -> bool:
        return bool in self.column_types(column)

    def column_types(self, column: str) -> list[Any]:
        """The plain types a column's cells become (``int``, ``bool``, an enum …)."""
        return _flatten(self.model.model_fields[column].annotation)


def _flatten(annotation: Any) -> list[Any]:
    """The plain types inside ``X | None`` and ``Annotated[X, ...]``."""
    origin = typing.get_origin(annotation)
    if isinstance(annotation, types.UnionType) or origin is typing.Union:
        return [x for arg in typing.get_args(annotation) for x in _flatten(arg)]
    if origin is typing.Annotated:
        return _flatten(typing.get_args(annotation)[0])
    return [annotation]


L, R = Label, Rel
FILES: tuple[FileFormat, ...] = (
    FileFormat("chains", "产业链", v.ChainRow, L.INDUSTRY_CHAIN),
    FileFormat(
        "segments",
        "产业链环节",
        v.SegmentRow,
        L.CHAIN_SEGMENT,
        links=(Link("chain_id", R.PART_OF, L.INDUSTRY_CHAIN),),
    ),
    FileFormat(
        "enterprises",
        "企业",
        v.EnterpriseRow,
        L.ENTERPRISE,
        links=(Link("segment_ids", R.OPERATES_IN, L.CHAIN_SEGMENT),),
    ),
    FileFormat("organizations", "参建单位", v.OrganizationRow, L.ORGANIZATION),
    FileFormat(
        "positions",
        "岗位",
        v.PositionRow,
        L.POSITION,
        links=(Link("segment_id", R.IN_SEGMENT, L.CHAIN_SEGMENT),),
    ),
    FileFormat(
        "offers",
        "企业岗位需求",
        v.OfferRow,
        edge=Edge(
            R.OFFERS, "enterprise_id", (L.ENTERPRISE,), "position_id", L.POSITION, ("headcount",)
        ),
    ),
    FileFormat(
        "abilities",
        "能力",
        v.AbilityRow,
        L.ABILITY,
        links=(Link("parent_id", R.CHILD_OF, L.ABILITY),),
    ),
    FileFormat(
        "requirements",
        "岗位能力要求",
        v.RequirementRow,
        edge=Edge(
            R.REQUIRES, "position_id", (L.POSITION,), "ability_id", L.ABILITY, ("level", "weight")
        ),
    ),
    FileFormat("majors", "专业", v.MajorRow, L.MAJOR),
    FileFormat(
        "clusters",
        "专业群",
        v.ClusterRow,
        L.SPECIALTY_CLUSTER,
        links=(
            Link("chain_id", R.TARGETS, L.INDUSTRY_CHAIN),
            Link("major_ids", R.IN_CLUSTER, L.MAJOR, outgoing=False),
        ),
        refs=(("lead_major_id", L.MAJOR),),
    ),
    FileFormat(
        "courses",
        "课程",
        v.CourseRow,
        L.COURSE,
        links=(
            Link("major_ids", R.IN_MAJOR, L.MAJOR),
            Link("prerequisite_ids", R.PREREQUISITE_OF, L.COURSE, outgoing=False),
        ),
    ),
    FileFormat(
        "coverage",
        "课程能力覆盖",
        v.CoverageRow,
        edge=Edge(R.COVERS, "course_id", (L.COURSE,), "ability_id", L.ABILITY, ("level",)),
    ),
    FileFormat(
        "textbooks",
        "教材",
        v.TextbookRow,
        L.TEXTBOOK,
        links=(
            Link("course_ids", R.USED_IN, L.COURSE),
            Link("enterprise_ids", R.CO_DEVELOPED_BY, L.ENTERPRISE),
        ),
    ),
    FileFormat(
        "teachers",
        "教师",
        v.TeacherRow,
        L.TEACHER,
        links=(
            Link("enterprise_id", R.EMPLOYED_BY, L.ENTERPRISE),
            Link("course_ids", R.TEACHES, L.COURSE),
            Link("ability_ids", R.EXPERT_IN, L.ABILITY),
        ),
    ),
    FileFormat(
        "training_resources",
        "实践实训资源",
        v.TrainingResourceRow,
        L.TRAINING_RESOURCE,
        links=(
            Link("enterprise_id", R.PROVIDED_BY, L.ENTERPRISE),
            Link("course_ids", R.SUPPORTS, L.COURSE),
            Link("ability_ids", R.SUPPORTS, L.ABILITY),
        ),
    ),
    FileFormat(
        "certificates",
        "证书",
        v.CertificateRow,
        L.CERTIFICATE,
        links=(
            Link("ability_ids", R.CERTIFIES, L.ABILITY),
            Link("position_ids", R.ALIGNED_WITH, L.POSITION),
        ),
    ),
    FileFormat(
        "competitions",
        "竞赛",
        v.CompetitionRow,
        L.COMPETITION,
        links=(Link("ability_ids", R.EXERCISES, L.ABILITY),),
    ),
    FileFormat(
        "colleges",
        "产业学院",
        v.CollegeRow,
        L.INDUSTRY_COLLEGE,
        links=(Link("cluster_ids", R.HAS_CLUSTER, L.SPECIALTY_CLUSTER),),
    ),
    FileFormat(
        "partners",
        "产业学院共建单位",
        v.PartnerRow,
        edge=Edge(
            R.PARTNER_OF,
            "partner_id",
            (L.ENTERPRISE, L.ORGANIZATION),
            "college_id",
            L.INDUSTRY_COLLEGE,
            ("role",),
        ),
    ),
    FileFormat(
        "students",
        "学生",
        v.StudentRow,
        L.STUDENT,
        links=(Link("major_id", R.ENROLLED_IN, L.MAJOR),),
    ),
    FileFormat(
        "results",
        "课程成绩",
        v.ResultRow,
        edge=Edge(
            R.COMPLETED, "student_id", (L.STUDENT,), "course_id", L.COURSE, ("score", "passed")
        ),
    ),
    FileFormat(
        "student_certificates",
        "学生证书",
        v.StudentCertificateRow,
        edge=Edge(R.HOLDS, "student_id", (L.STUDENT,), "certificate_id", L.CERTIFICATE),
    ),
)
del L, R

_BY_NAME = {f.name: f for f in FILES} | {f.zh: f for f in FILES}


def file_format(name: str) -> FileFormat | None:
    """The file format a file stem or sheet name (English or Chinese) stands for."""
    key = name.strip()
    return _BY_NAME.get(key.lower()) or _BY_NAME.get(key)


_LABEL_NAMES: dict[str, Label] = {}
for _fmt in FILES:
    if _fmt.label is not None:
        for _name in (_fmt.label.value, _fmt.label.zh, _fmt.name):
            _LABEL_NAMES[_name.lower()] = _fmt.label
del _fmt, _name

#: Every spelling `label_named` accepts (for messages and the OpenAPI enum).
LABEL_SPELLINGS = sorted(
    {n for f in FILES if f.label is not None for n in (f.label.value, f.name, f.label.zh)}
)


def label_named(name: str) -> Label | None:
    """A label from its English name, Chinese name or data-file name (Course, 课程, courses)."""
    return _LABEL_NAMES.get(name.strip().lower())
