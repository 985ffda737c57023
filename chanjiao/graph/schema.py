"""The closed vocabulary of the graph: labels, relationship types, enums and levels.

Nothing a user supplies ever becomes a label or a relationship type: both come only
from the enums here (DESIGN §2). Every enum value has Chinese words that the ingest
accepts and the reports print.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar


class Label(StrEnum):
    """Node labels (DESIGN §2)."""

    INDUSTRY_CHAIN = "IndustryChain"
    CHAIN_SEGMENT = "ChainSegment"
    ENTERPRISE = "Enterprise"
    ORGANIZATION = "Organization"
    POSITION = "Position"
    ABILITY = "Ability"
    MAJOR = "Major"
    SPECIALTY_CLUSTER = "SpecialtyCluster"
    COURSE = "Course"
    TEXTBOOK = "Textbook"
    TEACHER = "Teacher"
    TRAINING_RESOURCE = "TrainingResource"
    CERTIFICATE = "Certificate"
    COMPETITION = "Competition"
    INDUSTRY_COLLEGE = "IndustryCollege"
    STUDENT = "Student"

    @property
    def zh(self) -> str:
        return LABEL_ZH[self]


LABEL_ZH: dict[Label, str] = {
    Label.INDUSTRY_CHAIN: "产业链",
    Label.CHAIN_SEGMENT: "产业链环节",
    Label.ENTERPRISE: "企业",
    Label.ORGANIZATION: "参建单位",
    Label.POSITION: "岗位",
    Label.ABILITY: "能力",
    Label.MAJOR: "专业",
    Label.SPECIALTY_CLUSTER: "专业群",
    Label.COURSE: "课程",
    Label.TEXTBOOK: "教材",
    Label.TEACHER: "教师",
    Label.TRAINING_RESOURCE: "实践实训资源",
    Label.CERTIFICATE: "证书",
    Label.COMPETITION: "竞赛",
    Label.INDUSTRY_COLLEGE: "产业学院",
    Label.STUDENT: "学生",
}

#: Labels holding personal data (DESIGN §4b): reading them needs a key over HTTP.
PERSONAL_LABELS = frozenset({Label.STUDENT})


class Rel(StrEnum):
    """Relationship types (DESIGN §2)."""

    PART_OF = "PART_OF"
    OPERATES_IN = "OPERATES_IN"
    IN_SEGMENT = "IN_SEGMENT"
    OFFERS = "OFFERS"
    REQUIRES = "REQUIRES"
    CHILD_OF = "CHILD_OF"
    IN_CLUSTER = "IN_CLUSTER"
    TARGETS = "TARGETS"
    IN_MAJOR = "IN_MAJOR"
    COVERS = "COVERS"
    PREREQUISITE_OF = "PREREQUISITE_OF"
    USED_IN = "USED_IN"
    CO_DEVELOPED_BY = "CO_DEVELOPED_BY"
    TEACHES = "TEACHES"
    EXPERT_IN = "EXPERT_IN"
    EMPLOYED_BY = "EMPLOYED_BY"
    SUPPORTS = "SUPPORTS"
    PROVIDED_BY = "PROVIDED_BY"
    CERTIFIES = "CERTIFIES"
    ALIGNED_WITH = "ALIGNED_WITH"
    EXERCISES = "EXERCISES"
    PARTNER_OF = "PARTNER_OF"
    HAS_CLUSTER = "HAS_CLUSTER"
    ENROLLED_IN = "ENROLLED_IN"
    COMPLETED = "COMPLETED"
    HOLDS = "HOLDS"

    @property
    def zh(self) -> str:
        return REL_ZH[self]

    @property
    def ends(self) -> tuple[frozenset[Label], frozenset[Label]]:
        """The labels allowed at the start and at the end of this relationship."""
        return REL_ENDS[self]


def _labels(x: Label | tuple[Label, ...]) -> frozenset[Label]:
    return frozenset(x) if isinstance(x, tuple) else frozenset((x,))


def _ends(
    src: Label | tuple[Label, ...], dst: Label | tuple[Label, ...]
) -> tuple[frozenset[Label], frozenset[Label]]:
    return (_labels(src), _labels(dst))


L = Label
REL_ENDS: dict[Rel, tuple[frozenset[Label], frozenset[Label]]] = {
    Rel.PART_OF: _ends(L.CHAIN_SEGMENT, L.INDUSTRY_CHAIN),
    Rel.OPERATES_IN: _ends(L.ENTERPRISE, L.CHAIN_SEGMENT),
    Rel.IN_SEGMENT: _ends(L.POSITION, L.CHAIN_SEGMENT),
    Rel.OFFERS: _ends(L.ENTERPRISE, L.POSITION),
    Rel.REQUIRES: _ends(L.POSITION, L.ABILITY),
    Rel.CHILD_OF: _ends(L.ABILITY, L.ABILITY),
    Rel.IN_CLUSTER: _ends(L.MAJOR, L.SPECIALTY_CLUSTER),
    Rel.TARGETS: _ends(L.SPECIALTY_CLUSTER, L.INDUSTRY_CHAIN),
    Rel.IN_MAJOR: _ends(L.COURSE, L.MAJOR),
    Rel.COVERS: _ends(L.COURSE, L.ABILITY),
    Rel.PREREQUISITE_OF: _ends(L.COURSE, L.COURSE),
    Rel.USED_IN: _ends(L.TEXTBOOK, L.COURSE),
    Rel.CO_DEVELOPED_BY: _ends(L.TEXTBOOK, L.ENTERPRISE),
    Rel.TEACHES: _ends(L.TEACHER, L.COURSE),
    Rel.EXPERT_IN: _ends(L.TEACHER, L.ABILITY),
    Rel.EMPLOYED_BY: _ends(L.TEACHER, L.ENTERPRISE),
    Rel.SUPPORTS: _ends(L.TRAINING_RESOURCE, (L.COURSE, L.ABILITY)),
    Rel.PROVIDED_BY: _ends(L.TRAINING_RESOURCE, L.ENTERPRISE),
    Rel.CERTIFIES: _ends(L.CERTIFICATE, L.ABILITY),
    Rel.ALIGNED_WITH: _ends(L.CERTIFICATE, L.POSITION),
    Rel.EXERCISES: _ends(L.COMPETITION, L.ABILITY),
    Rel.PARTNER_OF: _ends((L.ENTERPRISE, L.ORGANIZATION), L.INDUSTRY_COLLEGE),
    Rel.HAS_CLUSTER: _ends(L.INDUSTRY_COLLEGE, L.SPECIALTY_CLUSTER),
    Rel.ENROLLED_IN: _ends(L.STUDENT, L.MAJOR),
    Rel.COMPLETED: _ends(L.STUDENT, L.COURSE),
    Rel.HOLDS: _ends(L.STUDENT, L.CERTIFICATE),
}
del L

REL_ZH: dict[Rel, str] = {
    Rel.PART_OF: "属于产业链",
    Rel.OPERATES_IN: "经营于环节",
    Rel.IN_SEGMENT: "位于环节",
    Rel.OFFERS: "提供岗位",
    Rel.REQUIRES: "要求能力",
    Rel.CHILD_OF: "隶属能力域",
    Rel.IN_CLUSTER: "属于专业群",
    Rel.TARGETS: "面向产业链",
    Rel.IN_MAJOR: "属于专业",
    Rel.COVERS: "培养能力",
    Rel.PREREQUISITE_OF: "先修于",
    Rel.USED_IN: "用于课程",
    Rel.CO_DEVELOPED_BY: "合作开发",
    Rel.TEACHES: "讲授",
    Rel.EXPERT_IN: "擅长能力",
    Rel.EMPLOYED_BY: "任职于",
    Rel.SUPPORTS: "支撑",
    Rel.PROVIDED_BY: "提供方",
    Rel.CERTIFIES: "认证能力",
    Rel.ALIGNED_WITH: "对应岗位",
    Rel.EXERCISES: "考查能力",
    Rel.PARTNER_OF: "共建产业学院",
    Rel.HAS_CLUSTER: "建设专业群",
    Rel.ENROLLED_IN: "就读专业",
    Rel.COMPLETED: "修读课程",
    Rel.HOLDS: "持有证书",
}

#: Relationship types that touch personal data (a student at one end).
PERSONAL_RELS = frozenset(
    rel for rel, (starts, ends) in REL_ENDS.items() if (starts | ends) & PERSONAL_LABELS
)


# --- property enums -------------------------------------------------------------------


class Stage(StrEnum):
    UPSTREAM = "upstream"
    MIDSTREAM = "midstream"
    DOWNSTREAM = "downstream"


class Tier(StrEnum):
    LITTLE_GIANT = "little_giant"
    PROVINCIAL_SRDI = "provincial_srdi"
    CHAIN_LEADER = "chain_leader"
    OTHER = "other"


class OrganizationKind(StrEnum):
    UNIVERSITY = "university"
    SME_CENTER = "sme_center"
    ASSOCIATION = "association"
    INDUSTRIAL_PARK = "industrial_park"


class PositionLevel(StrEnum):
    ENTRY = "entry"
    INTERMEDIATE = "intermediate"
    SENIOR = "senior"


class AbilityCategory(StrEnum):
    KNOWLEDGE = "knowledge"
    SKILL = "skill"
    LITERACY = "literacy"


class CourseKind(StrEnum):
    THEORY = "theory"
    PRACTICE = "practice"
    INTEGRATED = "integrated"
    VIRTUAL_SIM = "virtual_sim"


class TextbookKind(StrEnum):
    NATIONAL_PLANNED = "national_planned"
    SCHOOL_ENTERPRISE = "school_enterprise"
    SELF_COMPILED = "self_compiled"


class TextbookFormat(StrEnum):
    STANDARD = "standard"
    LOOSE_LEAF = "loose_leaf"
    WORKBOOK = "workbook"


class Affiliation(StrEnum):
    SCHOOL = "school"
    ENTERPRISE = "enterprise"


class ResourceKind(StrEnum):
    TRAINING_BASE = "training_base"
    JOINT_LAB = "joint_lab"
    VIRTUAL_SIM = "virtual_sim"
    CASE_LIBRARY = "case_library"


class CompetitionLevel(StrEnum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"


class StudentStatus(StrEnum):
    ENROLLED = "enrolled"
    GRADUATED = "graduated"


E = TypeVar("E", bound=StrEnum)

# The first word of each tuple is the one reports and the template print.
_WORDS: list[tuple[StrEnum, tuple[str, ...]]] = [
    (Stage.UPSTREAM, ("上游",)),
    (Stage.MIDSTREAM, ("中游",)),
    (Stage.DOWNSTREAM, ("下游",)),
    (
        Tier.LITTLE_GIANT,
        ("小巨人", '国家级专精特新"小巨人"', "国家级专精特新小巨人", "专精特新小巨人"),
    ),
    (Tier.PROVINCIAL_SRDI, ("省级专精特新", "省级专精特新企业", "专精特新")),
    (Tier.CHAIN_LEADER, ("龙头企业", "产业链龙头企业", "龙头", "链主")),
    (Tier.OTHER, ("其他",)),
    (OrganizationKind.UNIVERSITY, ("高校", "大学", "学校", "院校")),
    (OrganizationKind.SME_CENTER, ("中小企业服务中心", "服务中心")),
    (OrganizationKind.ASSOCIATION, ("行业协会", "协会")),
    (OrganizationKind.INDUSTRIAL_PARK, ("产业园区", "园区")),
    (PositionLevel.ENTRY, ("初级",)),
    (PositionLevel.INTERMEDIATE, ("中级",)),
    (PositionLevel.SENIOR, ("高级",)),
    (AbilityCategory.KNOWLEDGE, ("知识",)),
    (AbilityCategory.SKILL, ("技能",)),
    (AbilityCategory.LITERACY, ("素养", "职业素养")),
    (CourseKind.THEORY, ("理论", "理论课")),
    (CourseKind.PRACTICE, ("实践", "实践课", "实训")),
    (CourseKind.INTEGRATED, ("理实一体", "理实一体化")),
    (CourseKind.VIRTUAL_SIM, ("虚拟仿真", "虚拟仿真课")),
    (TextbookKind.NATIONAL_PLANNED, ("国家规划教材", "国家规划")),
    (TextbookKind.SCHOOL_ENTERPRISE, ("校企合作开发教材", "校企合作", "校企合作教材")),
    (TextbookKind.SELF_COMPILED, ("自编特色教材", "自编", "自编教材")),
    (TextbookFormat.STANDARD, ("常规", "常规教材", "普通")),
    (TextbookFormat.LOOSE_LEAF, ("活页式", "活页")),
    (TextbookFormat.WORKBOOK, ("工作手册式", "工作手册")),
    (Affiliation.SCHOOL, ("校内", "学校")),
    (Affiliation.ENTERPRISE, ("企业", "企业兼职")),
    (ResourceKind.TRAINING_BASE, ("实训基地",)),
    (ResourceKind.JOINT_LAB, ("联合实验室",)),
    (ResourceKind.VIRTUAL_SIM, ("虚拟仿真资源", "虚拟仿真")),
    (ResourceKind.CASE_LIBRARY, ("实践案例库", "案例库")),
    (CompetitionLevel.NATIONAL, ("国家级",)),
    (CompetitionLevel.PROVINCIAL, ("省级",)),
    (StudentStatus.ENROLLED, ("在读", "在校", "在籍")),
    (StudentStatus.GRADUATED, ("已毕业", "毕业")),
]

#: Words of each enum value, keyed by (enum, value): CourseKind.VIRTUAL_SIM and
#: ResourceKind.VIRTUAL_SIM share a value but not their words.
ENUM_WORDS: dict[tuple[type[StrEnum], str], tuple[str, ...]] = {
    (type(m), m.value): words for m, words in _WORDS
}


def words_of(member: StrEnum) -> tuple[str, ...]:
    """The Chinese words of an enum value, the printed one first."""
    return ENUM_WORDS[(type(member), member.value)]


def zh_word(member: StrEnum) -> str:
    """The Chinese word reports print for an enum value."""
    return words_of(member)[0]


_CHOICES: dict[type[StrEnum], dict[str, StrEnum]] = {}


def parse_choice(enum: type[E], text: str) -> E | None:
    """Read an enum value from its English value or any of its Chinese words."""
    words = _CHOICES.get(enum)
    if words is None:
        words = {m.value: m for m in enum}
        words.update({w: m for m in enum for w in words_of(m)})
        _CHOICES[enum] = words
    key = text.strip()
    found = words.get(key) or words.get(key.lower())
    return found  # type: ignore[return-value]


# --- levels ---------------------------------------------------------------------------

LEVEL_WORDS: dict[int, str] = {1: "了解", 2: "理解", 3: "掌握", 4: "熟练"}
LEVEL_WORDS_EN: dict[int, str] = {1: "know", 2: "understand", 3: "apply", 4: "master"}
#: Other words curriculum documents use for the four levels (课程标准 and 人才培养方案
#: write 熟练掌握, 基本掌握, 一般了解 …); accepted wherever a level is read.
LEVEL_VARIANTS: dict[int, tuple[str, ...]] = {
    1: ("一般了解", "基本了解", "初步了解", "简单了解", "知道", "认识", "识记", "了解即可"),
    2: ("理解掌握", "基本理解", "初步理解", "深入理解", "熟悉", "领会", "懂得"),
    3: ("基本掌握", "初步掌握", "掌握运用", "应用", "运用", "会用", "能够应用", "能应用"),
    4: ("熟练掌握", "熟练运用", "熟练应用", "熟练使用", "精通", "灵活运用", "综合运用"),
}
_LEVEL_BY_WORD = (
    {w: n for n, w in LEVEL_WORDS.items()}
    | {w: n for n, w in LEVEL_WORDS_EN.items()}
    | {w: n for n, words in LEVEL_VARIANTS.items() for w in words}
)
_LEVEL_FAST = _LEVEL_BY_WORD | {str(n): n for n in LEVEL_WORDS}
#: 3级, 3 级, L3, 等级3: a level number with a word around it.
_LEVEL_NUMBER = re.compile(r"^(?:等级|级别|l|level)?\s*([1-4])\s*(?:级)?$")


def parse_level(value: object) -> int | None:
    """A level 1–4 from a number or a word (了解/理解/掌握/熟练, know/…/master).

    Returns None when the value is not a level.
    """
    if type(value) is str and value in _LEVEL_FAST:
        return _LEVEL_FAST[value]
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = float(value)
    elif isinstance(value, float):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if text.lower() in _LEVEL_BY_WORD:
            return _LEVEL_BY_WORD[text.lower()]
        try:
            number = float(text)
        except ValueError:
            # Full-width digits (３), 3级, spaces inside a word (熟 练): only after the
            # plain reads failed, so the usual cell costs nothing more.
            wide = unicodedata.normalize("NFKC", text).lower()
            found = _LEVEL_BY_WORD.get("".join(wide.split()))
            if found is not None:
                return found
            match = _LEVEL_NUMBER.match(wide)
            return int(match.group(1)) if match else None
    else:
        return None
    if number.is_integer() and 1 <= number <= 4:
        return int(number)
    return None


# --- records --------------------------------------------------------------------------


@dataclass(slots=True)
class Node:
    """A node: its label, its id (unique within the label) and its properties.

    `props` holds ``name`` and the label's other properties; ids are not repeated there.
    """

    label: Label
    id: str
    props: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.props.get("name", self.id))


@dataclass(slots=True)
class Relationship:
    """A relationship between two nodes, each named by label and id."""

    type: Rel
    src_label: Label
    src: str
    dst_label: Label
    dst: str
    props: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[Rel, Label, str, Label, str]:
        """Two relationships with the same key are the same relationship."""
        return (self.type, self.src_label, self.src, self.dst_label, self.dst)
