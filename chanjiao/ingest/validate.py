"""Row models (pydantic) for every dataset file of DESIGN §3, and their value types.

Each field's `title` is the Chinese column header the template prints and the
ingest accepts as an alias. Value types accept what a spreadsheet user types:
level words (了解…熟练, and variants such as 熟练掌握), Chinese enum words (上游,
小巨人, 活页式 …), 是/否, ids separated by ``;``, ``；``, ``,`` or line breaks,
numbers stored as text. Names lose the line breaks Alt+Enter put in them.

Numbers are validated natively by pydantic (fast on a million rows). Only when that
fails does `repair` try what a spreadsheet user may have meant: full-width digits
(６４), the column's unit (64学时, 3学分, 第3学期, 5人), a percentage for a weight
(30%), a date or ``2023年`` for a year; a value no rule reads is reported as before.
"""

from __future__ import annotations

import math
import re
import unicodedata
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from chanjiao.config import limits
from chanjiao.errors import Problem
from chanjiao.graph.schema import (
    LEVEL_WORDS,
    AbilityCategory,
    Affiliation,
    CompetitionLevel,
    CourseKind,
    OrganizationKind,
    PositionLevel,
    ResourceKind,
    Stage,
    StudentStatus,
    TextbookFormat,
    TextbookKind,
    Tier,
    parse_choice,
    parse_level,
    words_of,
)


def _error(zh: str, en: str) -> PydanticCustomError:
    return PydanticCustomError("chanjiao", "{en}", {"zh": zh, "en": en})


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


# --- value types ------------------------------------------------------------------------

_ID_FORBIDDEN = re.compile(r"[;；,，、\r\n\t]")
_ID_PATTERN = r"^[^;；,，、\x00-\x1f\x7f]+$"
#: Control characters (NUL …) a cell may not hold: a graph server refuses some of them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
_CONTROL_PROBLEM = (
    "含有不可见的控制字符（如 NUL）；请删除后重试",
    "holds an invisible control character (such as NUL); remove it",
)


def _to_id(value: Any) -> str:
    if isinstance(value, bool):
        raise _error(f"应为编号，实际为 {value}", f"expected an id, got {value}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not text:
        raise _error("编号为空", "the id is empty")
    if len(text) > 100:
        raise _error("编号超过 100 个字符", "the id is longer than 100 characters")
    if _CONTROL.search(text):
        raise _error(*_CONTROL_PROBLEM)
    if _ID_FORBIDDEN.search(text):
        raise _error(
            f"编号“{_shown(text)}”不能含分号、逗号、顿号或换行（多个编号请写在允许多值的列中）",
            f"the id '{_shown(text)}' may not hold ';', ',' or line breaks",
        )
    return text


_SPLIT = re.compile(r"[;；,，、\r\n]+")


def _to_ids(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        parts = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        parts = [value]
    else:
        parts = _SPLIT.split(str(value))
    out = []
    for part in parts:
        if part is None or (isinstance(part, str) and not part.strip()):
            continue
        out.append(_to_id(part))
    return tuple(out)


_TRUE = {"true", "yes", "y", "1", "是", "√", "✓", "对", "通过", "合格"}
_FALSE = {"false", "no", "n", "0", "否", "×", "✗", "不是", "未通过", "不通过", "不合格"}


def to_flag(value: Any) -> bool:
    """A yes/no cell as a bool (是/否, √/×, true/false, 1/0 …).

    Raises:
        ValueError: the value is not one of those words.
    """
    return _to_flag(value)


def _to_flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _error(
        f"应为 是/否，实际为“{_shown(value)}”", f"expected yes/no (是/否), got '{_shown(value)}'"
    )


def _choice(enum: type[StrEnum]) -> Any:
    def parse(value: Any) -> StrEnum:
        member = parse_choice(enum, str(value))
        if member is None:
            zh = "、".join(f"{words_of(m)[0]}（{m.value}）" for m in enum)
            raise _error(
                f"“{_shown(value)}”不是可选值；可选：{zh}",
                f"'{_shown(value)}' is not an allowed value; use one of: "
                + ", ".join(m.value for m in enum),
            )
        return member

    return parse


def _code(value: Any) -> str:
    text = _to_id(value)
    if not re.fullmatch(r"[0-9A-Za-z]{2,12}", text):
        raise _error(
            f"专业代码“{_shown(text)}”应为 2–12 位数字或字母（如 510401）",
            f"the major code '{_shown(text)}' must be 2–12 digits or letters (e.g. 510401)",
        )
    return text


#: An id: validated natively by pydantic (fast on a million rows); numbers become text.
Id = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=_ID_PATTERN),
]
Ids = Annotated[tuple[str, ...], BeforeValidator(_to_ids)]
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000, pattern=_TEXT_PATTERN),
]

_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def _wide(char: str) -> bool:
    """Whether a character is CJK (joined without a space when a line break is removed)."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def one_line(value: Any) -> Any:
    """A name without the line breaks Alt+Enter or a pasted cell put in it.

    Applied by the loader to every node's name after validation (a check of two
    characters per row there, where a validator here would cost a Python call per row).

    Lines are joined directly between Chinese characters (集成电路 / 制造工艺 →
    集成电路制造工艺) and with one space otherwise (Circuit / Design → Circuit Design).
    """
    if type(value) is not str or ("\n" not in value and "\r" not in value):
        return value
    parts = [p for p in _BREAKS.split(value.strip()) if p]
    text = parts[0] if parts else ""
    for part in parts[1:]:
        text += ("" if _wide(text[-1]) and _wide(part[0]) else " ") + part
    return text


_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_ISBN_FIX = (
    "请把 ISBN 列设为“文本”格式后重新填写完整的 ISBN（如 978-7-04-012345-6）",
    "format the ISBN column as text and type the full ISBN again (e.g. 978-7-04-012345-6)",
)


def _isbn_check(digits: str) -> bool:
    if len(digits) == 13:
        total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits))
        return total % 10 == 0
    if len(digits) == 10:
        return sum(int(d) * (10 - i) for i, d in enumerate(digits)) % 11 == 0
    return False


def _isbn(value: Any) -> Any:
    """An ISBN as text; refuses one Excel turned into a number and rounded (9.787E+12).

    A whole number with a valid ISBN check digit is exact (Excel keeps 15 digits) and
    is accepted as text; anything else that arrives as a number was rounded.
    """
    if isinstance(value, bool):
        return value
    scientific = isinstance(value, str) and _SCIENTIFIC.match(value.strip())
    if isinstance(value, int | float) or scientific:
        digits = str(value)
        exact = isinstance(value, int) and _isbn_check(digits) and not digits.endswith("0000")
        if not exact:
            raise _error(
                f"ISBN“{_shown(value)}”被 Excel 当成数字（科学计数法）改写了，后几位已丢失；"
                + _ISBN_FIX[0],
                f"the ISBN '{_shown(value)}' was turned into a number (scientific notation) "
                "by Excel and its last digits are lost; " + _ISBN_FIX[1],
            )
        return digits
    return value


Isbn = Annotated[
    str,
    BeforeValidator(_isbn),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000, pattern=_TEXT_PATTERN),
]
# Numbers are checked natively by pydantic (fast on a million rows); `row_problems`
# words their errors with the column's name from `NUMBERS`. Level words (了解 …) are
# turned into numbers before validation, see `normalise_levels`.
Level = Annotated[int, Field(ge=1, le=4)]
# Upper bounds that are settings (`chanjiao.config.Limits`) are read once, at import.
Weight = Annotated[float, Field(gt=0, le=limits().max_weight, allow_inf_nan=False)]
Headcount = Annotated[int, Field(ge=1, le=limits().max_headcount)]
Hours = Annotated[int, Field(ge=0, le=2000)]
Credits = Annotated[float, Field(ge=0, le=limits().max_credits, allow_inf_nan=False)]
Semester = Annotated[int, Field(ge=1, le=12)]
Order = Annotated[int, Field(ge=0, le=10000)]
Year = Annotated[int, Field(ge=1949, le=2100)]
Score = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]

#: Numeric columns: Chinese and English name, lowest and highest allowed value.
NUMBERS: dict[str, tuple[str, str, float, float | None]] = {
    "weight": ("权重", "weight", 0, limits().max_weight),
    "headcount": ("人数", "headcount", 1, limits().max_headcount),
    "demand": ("人数", "headcount", 1, limits().max_headcount),
    "hours": ("学时", "hours", 0, 2000),
    "credits": ("学分", "credits", 0, limits().max_credits),
    "semester": ("学期", "semester", 1, 12),
    "order": ("顺序", "order", 0, 10000),
    "year": ("年份", "year", 1949, 2100),
    "score": ("成绩", "score", 0, 100),
}
#: Numeric columns that take fractions (the others are whole numbers).
_FRACTIONAL = ("weight", "credits", "score")
#: Units a number may carry in each column (64学时, 3学分, 第3学期, 5人).
UNITS: dict[str, tuple[str, ...]] = {
    "hours": ("学时", "课时"),
    "credits": ("学分",),
    "semester": ("学期",),
    "headcount": ("人", "名"),
    "demand": ("人", "名"),
}
_WITH_UNIT = re.compile(r"^(第)?\s*([+-]?\d+(?:\.\d+)?)\s*([^\d\s.]*)$")
_YEAR = re.compile(
    r"^(\d{4})\s*(?:年.*|[-/.]\d{1,2}(?:[-/.]\d{1,2})?"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?)$"
)
_INT_ERRORS = {"int_parsing", "int_from_float", "int_type"}
_FLOAT_ERRORS = {"float_parsing", "float_type", "finite_number"}
_BOUND_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def lenient_number(column: str, value: Any) -> str | float | None:
    """What a number a spreadsheet user typed means, when the plain parse failed.

    Returns the number (as text, for pydantic to check) or None if no rule reads it;
    a unit that is not this column's (64学分 in 学时) is not read, and is reported.
    """
    if column not in NUMBERS or isinstance(value, bool) or value is None:
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if column == "year":
        match = _YEAR.match(text)
        return match.group(1) if match else None
    if column == "weight" and text.endswith("%"):
        try:
            share = float(text[:-1].strip()) / 100
        except ValueError:
            return None
        return share if math.isfinite(share) else None
    match = _WITH_UNIT.match(text)
    if match is None:
        return None
    ordinal, number, unit = match.groups()
    if (ordinal and column != "semester") or (unit and unit not in UNITS.get(column, ())):
        return None
    return number if (ordinal or unit or text != str(value)) else None


def repair(cells: dict[str, Any], exc: ValidationError) -> dict[str, Any] | None:
    """The row's cells with each failed number read leniently, or None if none could be.

    Called only after a row failed validation, so the fast path stays pydantic's.
    """
    fixed: dict[str, Any] | None = None
    for err in exc.errors(include_url=False):
        if err["type"] not in _INT_ERRORS | _FLOAT_ERRORS or not err["loc"]:
            continue
        column = str(err["loc"][0])
        value = lenient_number(column, cells.get(column))
        if value is not None:
            fixed = fixed if fixed is not None else dict(cells)
            fixed[column] = value
    return fixed


def normalise_levels(cells: dict[str, Any]) -> None:
    """Turn a level word (掌握, apply) or "3.0" into its number before validation."""
    value = cells.get("level")
    if type(value) is str:
        level = parse_level(value)
        if level is not None:
            cells["level"] = level


def _level_problem(value: object) -> tuple[str, str]:
    words = "、".join(f"{n} {w}" for n, w in LEVEL_WORDS.items())
    return (
        f"等级“{_shown(value)}”无效；应为 1–4 或 {words}（也可写 熟练掌握、基本掌握、一般了解 等）",
        f"level '{_shown(value)}' is not valid; use 1–4 or 了解/理解/掌握/熟练",
    )


def _wrong_unit(column: str, value: object) -> str | None:
    """The unit after a number when it is not one this column takes (64学分 in 学时)."""
    if not isinstance(value, str):
        return None
    match = _WITH_UNIT.match(unicodedata.normalize("NFKC", value).strip())
    if match is None or not match.group(3) or match.group(3) in UNITS.get(column, ()):
        return None
    return match.group(3)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _number_problem(column: str, kind: str, value: object) -> tuple[str, str] | None:
    """Words for a failed numeric column, as the Python validators used to say them."""
    if column not in NUMBERS:
        return None
    zh, en, low, high = NUMBERS[column]
    shown = _shown(value)
    is_int = column not in _FRACTIONAL
    unit = _wrong_unit(column, value)
    if unit is not None:
        allowed = "、".join(UNITS.get(column, ())) or ("%" if column == "weight" else "")
        may = f"（可带单位 {allowed}）" if allowed else "（不带单位）"
        return (
            f"{zh}应为数字{may}，实际为“{shown}”：“{unit}”不是{zh}的单位",
            f"{en} must be a number; '{unit}' in '{shown}' is not a unit of {en}",
        )
    if kind in _FLOAT_ERRORS or (kind in _INT_ERRORS and not is_int):
        return f"{zh}应为数字，实际为“{shown}”", f"{en} must be a number, got '{shown}'"
    fractional = False
    if kind in _INT_ERRORS:
        try:
            fractional = math.isfinite(float(str(value)))
        except ValueError:
            fractional = False
        if not fractional:
            return (
                f"{zh}应为整数，实际为“{shown}”",
                f"{en} must be a whole number, got '{shown}'",
            )
    if is_int:
        bounds = f"{_num(low)}–{_num(high)}" if high is not None else f"≥ {_num(low)}"
        return (
            f"{zh}应为 {bounds} 的整数，实际为“{shown}”",
            f"{en} must be a whole number {bounds}, got '{shown}'",
        )
    if column == "weight":
        return (
            f"{zh}应大于 0 且不超过 {_num(high or 0)}，实际为“{shown}”",
            f"{en} must be > 0 and at most {_num(high or 0)}, got '{shown}'",
        )
    return (
        f"{zh}应为 0–{_num(high or 0)} 的数字，实际为“{shown}”",
        f"{en} must be a number 0–{_num(high or 0)}, got '{shown}'",
    )


Flag = Annotated[bool, BeforeValidator(_to_flag)]
Code = Annotated[str, BeforeValidator(_code)]


StageValue = Annotated[Stage, BeforeValidator(_choice(Stage))]
TierValue = Annotated[Tier, BeforeValidator(_choice(Tier))]
OrganizationKindValue = Annotated[OrganizationKind, BeforeValidator(_choice(OrganizationKind))]
PositionLevelValue = Annotated[PositionLevel, BeforeValidator(_choice(PositionLevel))]
AbilityCategoryValue = Annotated[AbilityCategory, BeforeValidator(_choice(AbilityCategory))]
CourseKindValue = Annotated[CourseKind, BeforeValidator(_choice(CourseKind))]
TextbookKindValue = Annotated[TextbookKind, BeforeValidator(_choice(TextbookKind))]
TextbookFormatValue = Annotated[TextbookFormat, BeforeValidator(_choice(TextbookFormat))]
ResourceKindValue = Annotated[ResourceKind, BeforeValidator(_choice(ResourceKind))]
CompetitionLevelValue = Annotated[CompetitionLevel, BeforeValidator(_choice(CompetitionLevel))]
AffiliationValue = Annotated[Affiliation, BeforeValidator(_choice(Affiliation))]
StudentStatusValue = Annotated[StudentStatus, BeforeValidator(_choice(StudentStatus))]


def F(title: str, description: str = "") -> Any:
    """A field with its Chinese header (`title`) and help text for the template."""
    return Field(default=None, title=title, description=description)


def R(title: str, description: str = "") -> Any:
    """A required field."""
    return Field(title=title, description=description)


class Row(BaseModel):
    """Base of every row model: unknown keys are refused, values are checked strictly."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


# --- rows, one model per file (DESIGN §3) ------------------------------------------------


class ChainRow(Row):
    id: Id = R("产业链编号")
    name: Text = R("产业链名称")
    domain: Text | None = F("领域", "如：先进半导体")
    region: Text | None = F("地区")


class SegmentRow(Row):
    id: Id = R("环节编号")
    name: Text = R("环节名称")
    chain_id: Id = R("所属产业链编号")
    stage: StageValue | None = F("上中下游", "上游 / 中游 / 下游")
    order: Order | None = F("顺序", "环节在产业链中的次序，整数")


class EnterpriseRow(Row):
    id: Id = R("企业编号")
    name: Text = R("企业名称")
    tier: TierValue | None = F("企业类型", "小巨人 / 省级专精特新 / 龙头企业 / 其他")
    region: Text | None = F("地区")
    segment_ids: Ids = Field(default=(), title="所在环节编号", description="多个用 ; 分隔")


class OrganizationRow(Row):
    id: Id = R("单位编号")
    name: Text = R("单位名称")
    kind: OrganizationKindValue = R("单位类型", "高校 / 中小企业服务中心 / 行业协会 / 产业园区")
    region: Text | None = F("地区")


class PositionRow(Row):
    id: Id = R("岗位编号")
    name: Text = R("岗位名称")
    segment_id: Id = R("所属环节编号")
    level: PositionLevelValue | None = F("岗位层级", "初级 / 中级 / 高级")
    demand: Headcount | None = F("需求人数", "没有企业需求数据时使用，默认 1")
    occupation_code: Text | None = F(
        "职业代码", "对应的标准职业代码，如 O*NET-SOC 51-9141.00、ESCO 3114.1"
    )
    description: Text | None = F("岗位描述", "如岗位的典型工作任务")


class OfferRow(Row):
    enterprise_id: Id = R("企业编号")
    position_id: Id = R("岗位编号")
    headcount: Headcount | None = F("需求人数")


class AbilityRow(Row):
    id: Id = R("能力编号")
    name: Text = R("能力名称")
    category: AbilityCategoryValue | None = F("能力类别", "知识 / 技能 / 素养")
    parent_id: Id | None = F("上级能力编号", "能力点所属的能力域")
    description: Text | None = F("能力描述")
    name_en: Text | None = F("英文名称", "标准中的原名（O*NET、ESCO 等）；能力名称可改填中文")


class RequirementRow(Row):
    position_id: Id = R("岗位编号")
    ability_id: Id = R("能力编号")
    level: Level = R("要求等级", "1–4 或 了解 / 理解 / 掌握 / 熟练")
    weight: Weight | None = F("权重", "大于 0，默认 1")


class MajorRow(Row):
    id: Id = R("专业编号")
    name: Text = R("专业名称")
    code: Code | None = F("专业代码", "职业教育专业目录代码，如 510401")
    education_level: Text | None = F("学历层次", "如：高职专科")


class ClusterRow(Row):
    id: Id = R("专业群编号")
    name: Text = R("专业群名称")
    chain_id: Id = R("面向产业链编号")
    major_ids: Ids = Field(default=(), title="组群专业编号", description="多个用 ; 分隔")
    lead_major_id: Id | None = F("核心专业编号")


class CourseRow(Row):
    id: Id = R("课程编号")
    name: Text = R("课程名称")
    hours: Hours | None = F("学时")
    credits: Credits | None = F("学分")
    kind: CourseKindValue | None = F("课程类型", "理论 / 实践 / 理实一体 / 虚拟仿真")
    semester: Semester | None = F("开课学期", "1–12")
    major_ids: Ids = Field(default=(), title="所属专业编号", description="多个用 ; 分隔")
    core_major_ids: Ids = Field(default=(), title="作为核心课的专业编号")
    prerequisite_ids: Ids = Field(default=(), title="先修课程编号")


class CoverageRow(Row):
    course_id: Id = R("课程编号")
    ability_id: Id = R("能力编号")
    level: Level = R("培养等级", "1–4 或 了解 / 理解 / 掌握 / 熟练")


class TextbookRow(Row):
    id: Id = R("教材编号")
    name: Text = R("教材名称")
    kind: TextbookKindValue | None = F("教材类别", "国家规划教材 / 校企合作开发教材 / 自编特色教材")
    format: TextbookFormatValue | None = F("教材形态", "常规 / 活页式 / 工作手册式")
    year: Year | None = F("出版年份")
    isbn: Isbn | None = F("ISBN", "请把该列设为“文本”格式，以免 Excel 改成科学计数法")
    course_ids: Ids = Field(default=(), title="使用课程编号")
    enterprise_ids: Ids = Field(default=(), title="合作开发企业编号")


class TeacherRow(Row):
    id: Id = R("教师编号")
    name: Text = R("教师姓名")
    dual_qualified: Flag | None = F("双师双能型", "是 / 否")
    affiliation: AffiliationValue | None = F("来源", "校内 / 企业")
    title: Text | None = F("职称")
    enterprise_id: Id | None = F("任职企业编号")
    course_ids: Ids = Field(default=(), title="讲授课程编号")
    ability_ids: Ids = Field(default=(), title="擅长能力编号")


class TrainingResourceRow(Row):
    id: Id = R("资源编号")
    name: Text = R("资源名称")
    kind: ResourceKindValue = R("资源类型", "实训基地 / 联合实验室 / 虚拟仿真资源 / 实践案例库")
    year: Year | None = F("建设或更新年份")
    enterprise_id: Id | None = F("提供企业编号")
    course_ids: Ids = Field(default=(), title="支撑课程编号")
    ability_ids: Ids = Field(default=(), title="支撑能力编号")


class CertificateRow(Row):
    id: Id = R("证书编号")
    name: Text = R("证书名称")
    level: Text | None = F("证书等级", "如：初级 / 中级 / 高级")
    issuer: Text | None = F("发证机构")
    ability_ids: Ids = Field(default=(), title="认证能力编号")
    position_ids: Ids = Field(default=(), title="对应岗位编号")


class CompetitionRow(Row):
    id: Id = R("竞赛编号")
    name: Text = R("竞赛名称")
    level: CompetitionLevelValue | None = F("竞赛级别", "国家级 / 省级")
    ability_ids: Ids = Field(default=(), title="考查能力编号")


class CollegeRow(Row):
    id: Id = R("产业学院编号")
    name: Text = R("产业学院名称")
    university: Text | None = F("依托高校")
    direction: Text | None = F("申报方向")
    cluster_ids: Ids = Field(default=(), title="建设专业群编号")


class PartnerRow(Row):
    college_id: Id = R("产业学院编号")
    partner_id: Id = R("共建单位编号", "企业编号或参建单位编号")
    role: Text | None = F("角色", "如：牵头单位 / 共建企业")


class StudentRow(Row):
    id: Id = R("学号", "学生编号（学号）")
    name: Text = R("学生姓名")
    major_id: Id | None = F("专业编号")
    cohort: Text | None = F("年级", "入学年级，如 2023")
    status: StudentStatusValue | None = F("学籍状态", "在读 / 已毕业")


class ResultRow(Row):
    student_id: Id = R("学号")
    course_id: Id = R("课程编号")
    score: Score | None = F("成绩", "0–100；≥ 60 为通过")
    passed: Flag | None = F("是否通过", "没有成绩时填写：是 / 否")


class StudentCertificateRow(Row):
    student_id: Id = R("学号")
    certificate_id: Id = R("证书编号")


# --- turning pydantic errors into problems -----------------------------------------------

_BUILTIN: dict[str, tuple[str, str]] = {
    "missing": ("必填项为空", "a required value is empty"),
    "extra_forbidden": ("不是本表的列", "not a column of this file"),
    "string_too_short": ("内容为空", "the value is empty"),
    "string_too_long": (
        "内容过长（编号最多 100 个字符，文字最多 2000 个）",
        "too long (ids: 100 characters, text: 2000)",
    ),
    "string_pattern_mismatch": (
        "编号不能含分号、逗号、顿号或换行（多个编号请写在允许多值的列中）",
        "an id may not hold ';', ',' or line breaks",
    ),
    "string_type": ("应为文字或编号", "expected text or an id"),
}


def row_problems(
    exc: ValidationError, source: str, row: int, skip: frozenset[str] = frozenset()
) -> list[Problem]:
    """One `Problem` per failed field, in the user's words.

    Args:
        skip: columns whose absence was already reported for the whole file (a
            missing required column): their per-row "required" errors are left out.
    """
    problems = []
    for err in exc.errors(include_url=False):
        column = str(err["loc"][0]) if err["loc"] else None
        ctx = err.get("ctx") or {}
        kind = err["type"]
        if kind == "missing" and column in skip:
            continue
        numeric = kind in _INT_ERRORS | _FLOAT_ERRORS | _BOUND_ERRORS
        worded = _number_problem(column or "", kind, err.get("input")) if numeric else None
        if kind == "chanjiao":
            zh, en = str(ctx["zh"]), str(ctx["en"])
        elif numeric and column == "level":
            zh, en = _level_problem(err.get("input"))
        elif worded is not None:
            zh, en = worded
        elif kind == "string_pattern_mismatch" and _CONTROL.search(str(err.get("input", ""))):
            zh, en = _CONTROL_PROBLEM
        elif err["type"] in _BUILTIN:
            zh, en = _BUILTIN[err["type"]]
            if "input" in err and err["type"] != "missing":
                zh = f"{zh}：“{_shown(err['input'])}”"
                en = f"{en}: '{_shown(err['input'])}'"
        else:
            zh, en = f"值无效：{err['msg']}", f"invalid value: {err['msg']}"
        problems.append(Problem(source, row, column, zh, en))
    return problems
