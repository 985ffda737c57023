"""Start positions' ability models from ESCO (occupations, skills, occupation–skill relations).

ESCO links an occupation to a skill as ``essential`` or ``optional`` and says
whether the skill is ``knowledge`` or ``skill/competence``; it has no level. So:

- weight: essential → `EscoSettings.essential_weight` (default 2), optional →
  `EscoSettings.optional_weight` (default 1); optional links can be left out;
- category: ``knowledge`` → 知识 knowledge, ``skill/competence`` → 技能 skill; a link
  without a skill type takes the skill's own, and a skill without one (ESCO has a
  few) is a skill: the notes count them;
- level: ESCO has none, so every requirement gets `EscoSettings.level`
  (default 3 掌握), stated in the notes for the designer to adjust.

Ids keep ESCO's: ``ESCO-<uuid of the skill>`` for abilities, ``ESCO-<code>``
(``ESCO-2512.4``) for positions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from chanjiao.interop.common import (
    ImportedDataset,
    Problems,
    Progress,
    clip,
    level_phrase,
    quiet,
    read_table,
)

PREFIX = "ESCO-"
ACKNOWLEDGEMENT = "This service uses the ESCO classification of the European Commission."
ACKNOWLEDGEMENT_ZH = "本数据集使用了欧盟委员会的 ESCO 分类（ESCO classification）。"
OCCUPATION_COLUMNS = ("conceptUri", "preferredLabel", "code")
SKILL_COLUMNS = ("conceptUri", "preferredLabel", "skillType")
RELATION_COLUMNS = ("occupationUri", "relationType", "skillUri")
CATEGORY = {"knowledge": "knowledge", "skill/competence": "skill"}


@dataclass(frozen=True)
class EscoSettings:
    """How ESCO links become requirements (see the module docstring)."""

    segment: str
    essential_weight: float = 2.0
    optional_weight: float = 1.0
    level: int = 3
    include_optional: bool = True


def _uuid(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


def import_esco(
    occupations_file: tuple[str, bytes],
    skills_file: tuple[str, bytes],
    relations_file: tuple[str, bytes],
    wanted: dict[str, str | None],
    settings: EscoSettings,
    *,
    progress: Progress = quiet,
) -> ImportedDataset:
    """Positions, abilities and requirements for ESCO occupations.

    Args:
        wanted: occupation code (``2512.4``), concept URI or English preferred label
            → position name (None: ESCO's preferred label).

    Raises:
        IngestError: a file is not ESCO's layout, an occupation is not in the file, or
            a relation names a skill the skills file does not hold; nothing is made.
    """
    problems = Problems()
    occ_name, occ_data = occupations_file
    occupations = read_table(occ_data, occ_name, OCCUPATION_COLUMNS, problems, progress=progress)
    skill_name, skill_data = skills_file
    skills = read_table(skill_data, skill_name, SKILL_COLUMNS, problems, progress=progress)
    rel_name, rel_data = relations_file
    relations = read_table(rel_data, rel_name, RELATION_COLUMNS, problems, progress=progress)
    problems.check()

    chosen: dict[str, tuple[dict[str, str], str | None]] = {}  # uri → (row, name)
    for key, name in wanted.items():
        match = [
            cells
            for _, cells in occupations
            if key in (cells["code"], cells["conceptUri"], cells["preferredLabel"])
        ]
        if not match:
            problems.add(
                occ_name,
                None,
                "code",
                f"文件中没有职业“{key}”（可用 ESCO 代码如 2512.4、概念 URI 或英文名称）",
                f"the file holds no occupation '{key}' (give an ESCO code such as 2512.4, "
                "its concept URI or its English preferred label)",
            )
            continue
        chosen[match[0]["conceptUri"]] = (match[0], name)
    skill_rows = {cells["conceptUri"]: (row, cells) for row, cells in skills}
    links: dict[str, list[tuple[int, dict[str, str]]]] = defaultdict(list)
    for row, cells in relations:
        if cells["occupationUri"] not in chosen:
            continue
        if cells["relationType"] not in ("essential", "optional"):
            problems.add(
                rel_name,
                row,
                "relationType",
                f"关系类型“{cells['relationType']}”应为 essential 或 optional",
                f"relationType '{cells['relationType']}' must be essential or optional",
            )
        elif cells["skillUri"] not in skill_rows:
            problems.add(
                rel_name,
                row,
                "skillUri",
                f"技能 {cells['skillUri']} 不在技能文件 {skill_name} 中",
                f"the skill {cells['skillUri']} is not in the skills file {skill_name}",
            )
        else:
            links[cells["occupationUri"]].append((row, cells))
    problems.check()

    dataset = ImportedDataset(f"ESCO {', '.join(wanted)}")
    abilities: dict[str, dict[str, object]] = {}
    counts: dict[str, int] = defaultdict(int)
    for uri, (occupation, name) in chosen.items():
        position_id = PREFIX + occupation["code"]
        position = {
            "id": position_id,
            "name": name or occupation["preferredLabel"],
            "segment_id": settings.segment,
            "occupation_code": occupation["code"],
        }
        if occupation.get("description"):
            position["description"] = clip(occupation["description"])
        dataset.add("positions", position)
        seen: set[str] = set()
        for _, link in sorted(links[uri], key=lambda item: _uuid(item[1]["skillUri"])):
            essential = link["relationType"] == "essential"
            if not essential and not settings.include_optional:
                counts["optional_left_out"] += 1
                continue
            ability_id = PREFIX + _uuid(link["skillUri"])
            if ability_id in seen:
                continue
            seen.add(ability_id)
            counts["essential" if essential else "optional"] += 1
            if ability_id not in abilities:
                _, skill = skill_rows[link["skillUri"]]
                kind = link.get("skillType") or skill["skillType"]
                if kind not in CATEGORY:
                    counts["untyped"] += 1
                ability: dict[str, object] = {
                    "id": ability_id,
                    "name": skill["preferredLabel"],
                    "name_en": skill["preferredLabel"],
                    "category": CATEGORY.get(kind, "skill"),
                }
                if skill.get("description"):
                    ability["description"] = clip(skill["description"])
                abilities[ability_id] = ability
            dataset.add(
                "requirements",
                {
                    "position_id": position_id,
                    "ability_id": ability_id,
                    "level": settings.level,
                    "weight": settings.essential_weight if essential else settings.optional_weight,
                },
            )
    for ability_id in sorted(abilities):
        dataset.add("abilities", abilities[ability_id])

    dataset.notes.append((ACKNOWLEDGEMENT_ZH, ACKNOWLEDGEMENT))
    w_ess, w_opt = f"{settings.essential_weight:g}", f"{settings.optional_weight:g}"
    optional_zh = (
        "已导入" if settings.include_optional else f"未导入（{counts['optional_left_out']} 条）"
    )
    optional_en = (
        "included"
        if settings.include_optional
        else f"left out ({counts['optional_left_out']} links)"
    )
    dataset.notes.append(
        (
            f"权重：必备 essential → {w_ess}，可选 optional → {w_opt}（可选技能{optional_zh}）。"
            f"ESCO 没有等级：所有要求等级统一为 {level_phrase(settings.level)}，请按岗位调整。",
            f"Weights: essential → {w_ess}, optional → {w_opt} (optional skills {optional_en}). "
            f"ESCO has no levels: every requirement is level {settings.level}; adjust per position.",
        )
    )
    dataset.notes.append(
        (
            f"类别：knowledge → 知识，skill/competence → 技能；没有技能类型的 {counts['untyped']} "
            "项按技能处理。能力名称暂为 ESCO 英文名，请改填中文；英文名保留在 name_en 列。",
            f"Category: knowledge → knowledge, skill/competence → skill; {counts['untyped']} "
            "skill(s) without a type are taken as skills. Names are ESCO's English labels: "
            "replace them with Chinese; the English label stays in column name_en.",
        )
    )
    dataset.summary = {
        "essential": counts["essential"],
        "optional": counts["optional"],
        "optional_left_out": counts["optional_left_out"],
        "untyped": counts["untyped"],
        "requirements": len(dataset.tables.get("requirements", [])),
    }
    return dataset
