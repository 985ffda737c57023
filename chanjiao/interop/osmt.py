"""Open Skills Network Rich Skill Descriptors (OSMT API v3 JSON) as abilities.

A skill (``RichSkillDescriptor``) becomes an ability: id ``OSMT-<uuid>``, name and
``name_en`` = ``skillName``, description = ``skillStatement`` followed by its
keywords, category 技能 skill. A collection (``RichSkillCollection``) becomes a
parent ability (``OSMT-<collection uuid>``) over its skills; a skill imported on its
own hangs under its first OSMT category (``OSMT-category:<name>``).

Occupations: an RSD names BLS SOC codes (``15-1212``). A position whose
``occupation_code`` is that SOC code, or an O*NET-SOC code under it
(``15-1212.00``), gets a requirement of the skill at `OsmtSettings.level` and
`OsmtSettings.weight`; codes with no such position are counted, not errors.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from chanjiao.graph.schema import Label
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.export import DatasetRow
from chanjiao.interop.common import ImportedDataset, Problems, clip, level_phrase

PREFIX = "OSMT-"


@dataclass(frozen=True)
class OsmtSettings:
    level: int = 3
    weight: float = 1.0


def positions_by_soc(store: GraphStore) -> dict[str, list[str]]:
    """Positions by the 7-character SOC code their ``occupation_code`` starts with."""
    found: dict[str, list[str]] = defaultdict(list)
    for node in store.nodes(Label.POSITION).values():
        code = str(node.props.get("occupation_code") or "")
        if len(code) >= 7 and code[2] == "-":
            found[code[:7]].append(node.id)
    return {code: sorted(ids) for code, ids in found.items()}


def _keywords(skill: dict[str, Any]) -> list[str]:
    seen: list[str] = []
    for word in skill.get("keywords") or []:
        if isinstance(word, str) and word.strip() and word.strip() not in seen:
            seen.append(word.strip())
    return seen


def _describe(skill: dict[str, Any]) -> str | None:
    statement = str(skill.get("skillStatement") or "").strip()
    words = _keywords(skill)
    text = statement + (f" 关键词 Keywords: {'; '.join(words)}" if words else "")
    return clip(text) if text.strip() else None


def import_osmt(
    files: list[tuple[str, bytes]],
    positions: dict[str, list[str]],
    settings: OsmtSettings | None = None,
) -> ImportedDataset:
    """Abilities (and requirements of existing positions) from OSMT JSON files.

    Args:
        files: (name, bytes) of RSD or collection JSON documents.
        positions: `positions_by_soc` of the store the import goes to ({} for none).

    Raises:
        IngestError: a file is not JSON or not an RSD or collection, or a skill has
            no uuid or name; nothing is made.
    """
    settings = settings or OsmtSettings()
    problems = Problems()
    abilities: dict[str, DatasetRow] = {}
    requirements: dict[tuple[str, str], DatasetRow] = {}
    unmatched: set[str] = set()
    sources: list[str] = []

    def add_skill(skill: Any, where: str, number: int, parent: DatasetRow | None) -> None:
        if not isinstance(skill, dict):
            problems.add(where, number, None, "这一项不是对象", "this entry is not an object")
            return
        uuid, name = skill.get("uuid"), skill.get("skillName")
        if not isinstance(uuid, str) or not uuid.strip():
            problems.add(where, number, "uuid", "技能缺少 uuid", "the skill has no uuid")
            return
        if not isinstance(name, str) or not name.strip():
            problems.add(where, number, "skillName", "技能缺少 skillName", "no skillName")
            return
        ability_id = PREFIX + uuid.strip()
        if parent is None:
            categories = [c for c in skill.get("categories") or [] if isinstance(c, str) and c]
            if categories:
                parent = {
                    "id": f"{PREFIX}category:{categories[0]}"[:100],
                    "name": categories[0],
                    "name_en": categories[0],
                    "category": "skill",
                    "description": "OSMT 技能类别 category",
                }
        if parent is not None:
            abilities.setdefault(parent["id"], parent)
        row: DatasetRow = {
            "id": ability_id,
            "name": clip(name),
            "name_en": clip(name),
            "category": "skill",
            "parent_id": parent["id"] if parent else None,
            "description": _describe(skill),
        }
        abilities[ability_id] = row
        for occupation in skill.get("occupations") or []:
            code = str((occupation or {}).get("code") or "")
            if len(code) != 7:
                continue
            matched = positions.get(code, [])
            if not matched and not code.endswith("0"):
                unmatched.add(code)
            for position_id in matched:
                requirements[(position_id, ability_id)] = {
                    "position_id": position_id,
                    "ability_id": ability_id,
                    "level": settings.level,
                    "weight": settings.weight,
                }

    for name, data in files:
        try:
            document = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            problems.add(name, None, None, f"不是有效的 JSON：{exc}", f"not valid JSON: {exc}")
            continue
        kind = document.get("type") if isinstance(document, dict) else None
        if kind == "RichSkillDescriptor" or (kind is None and "skillName" in document):
            add_skill(document, name, 1, None)
            sources.append(
                f"{document.get('skillName')} ({', '.join(document.get('authors') or [])})"
            )
        elif kind == "RichSkillCollection" or (isinstance(document, dict) and "skills" in document):
            uuid = str(document.get("uuid") or "").strip()
            title = str(document.get("name") or "").strip()
            if not uuid or not title:
                problems.add(
                    name,
                    None,
                    "uuid",
                    "技能集缺少 uuid 或 name",
                    "the collection has no uuid or name",
                )
                continue
            parent: DatasetRow = {
                "id": PREFIX + uuid,
                "name": clip(title),
                "name_en": clip(title),
                "category": "skill",
                "description": clip(str(document.get("description") or "OSMT 技能集 collection")),
            }
            abilities[parent["id"]] = parent
            for number, skill in enumerate(document.get("skills") or [], start=1):
                add_skill(skill, f"{name} → skills", number, parent)
            sources.append(f"{title} ({document.get('author') or document.get('owner') or ''})")
        else:
            problems.add(
                name,
                None,
                "type",
                "这不是 OSMT 的技能（RichSkillDescriptor）或技能集（RichSkillCollection）",
                "this is not an OSMT RichSkillDescriptor or RichSkillCollection",
            )
    problems.check()

    dataset = ImportedDataset("OSMT " + ", ".join(n for n, _ in files))
    dataset.tables["abilities"] = [
        {k: v for k, v in row.items() if v is not None} for _, row in sorted(abilities.items())
    ]
    if requirements:
        dataset.tables["requirements"] = [requirements[k] for k in sorted(requirements)]
    dataset.notes.append(
        (
            f"来源：Open Skills Network 富技能描述（RSD）：{'; '.join(sources)}；请遵守发布者的许可。",
            f"Source: Open Skills Network Rich Skill Descriptors: {'; '.join(sources)}; "
            "follow their publishers' licences.",
        )
    )
    dataset.notes.append(
        (
            f"{len(requirements)} 条岗位能力要求（职业代码与已有岗位的 occupation_code 匹配，"
            f"等级 {level_phrase(settings.level)}、权重 {settings.weight:g}）；"
            f"{len(unmatched)} 个职业代码没有对应岗位：{', '.join(sorted(unmatched)) or '—'}。"
            "能力名称暂为英文，请改填中文；英文名保留在 name_en 列。",
            f"{len(requirements)} requirement(s) for positions whose occupation_code matches "
            f"(level {settings.level}, weight {settings.weight:g}); {len(unmatched)} "
            f"occupation code(s) match no position: {', '.join(sorted(unmatched)) or '-'}.",
        )
    )
    dataset.summary = {
        "abilities": len(abilities),
        "requirements": len(requirements),
        "unmatched_occupations": sorted(unmatched),
    }
    return dataset
