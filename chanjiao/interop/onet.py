"""Start positions' ability models from O*NET (``Skills.txt``, ``Knowledge.txt``, tasks).

O*NET rates every skill and knowledge element of an occupation on two scales:
importance ``IM`` (1–5) and level ``LV`` (0–7). A requirement is made for each
element of a chosen occupation:

- level: ``LV`` cut at `OnetSettings.level_cuts` (default 2, 3.5, 5):
  LV < 2 → 1 了解, 2 ≤ LV < 3.5 → 2 理解, 3.5 ≤ LV < 5 → 3 掌握, LV ≥ 5 → 4 熟练;
- weight: ``IM`` as it is (1–5), rounded to 2 decimals;
- skipped: elements whose importance is below `OnetSettings.min_importance`
  (default 3.0, the middle of O*NET's scale: 50 of 100), and elements with a row
  O*NET flags ``Not Relevant = Y`` or ``Recommend Suppress = Y``; the notes say how
  many of each.

Abilities keep O*NET's element id (``ONET-2.A.1.a``) and English name (in ``name``,
for the designer to replace with Chinese, and in ``name_en``); the content model's
groups (2.A 基本技能, 2.C.3 工程与技术 …) become parent abilities. Task statements,
when given, become the position's description (core tasks first).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from chanjiao.graph.schema import LEVEL_WORDS
from chanjiao.interop.common import (
    ImportedDataset,
    Problems,
    Progress,
    clip,
    number,
    quiet,
    read_table,
    read_text,
)

PREFIX = "ONET-"
CREDIT = (
    "This page includes information from the O*NET {release} Database by the U.S. "
    "Department of Labor, Employment and Training Administration (USDOL/ETA). Used under "
    "the CC BY 4.0 license. O*NET® is a trademark of USDOL/ETA."
)
CREDIT_ZH = (
    "本数据集含有美国劳工部就业与培训管理局（USDOL/ETA）O*NET {release} 数据库的信息，"
    "依 CC BY 4.0 许可使用；O*NET® 是 USDOL/ETA 的商标。"
)
COLUMNS = (
    "O*NET-SOC Code",
    "Element ID",
    "Element Name",
    "Scale ID",
    "Data Value",
    "Recommend Suppress",
    "Not Relevant",
)

#: O*NET content model groups above the rated elements: id → (English, 中文).
GROUPS: dict[str, tuple[str, str]] = {
    "2.A": ("Basic Skills", "基本技能"),
    "2.A.1": ("Content", "内容技能"),
    "2.A.2": ("Process", "过程技能"),
    "2.B": ("Cross-Functional Skills", "跨职能技能"),
    "2.B.1": ("Social Skills", "社交技能"),
    "2.B.2": ("Complex Problem Solving Skills", "复杂问题解决技能"),
    "2.B.3": ("Technical Skills", "技术技能"),
    "2.B.4": ("Systems Skills", "系统技能"),
    "2.B.5": ("Resource Management Skills", "资源管理技能"),
    "2.C": ("Knowledge", "知识"),
    "2.C.1": ("Business and Management", "商业与管理"),
    "2.C.2": ("Manufacturing and Production", "制造与生产"),
    "2.C.3": ("Engineering and Technology", "工程与技术"),
    "2.C.4": ("Mathematics and Science", "数学与科学"),
    "2.C.5": ("Health Services", "卫生服务"),
    "2.C.7": ("Arts and Humanities", "艺术与人文"),
    "2.C.8": ("Law and Public Safety", "法律与公共安全"),
    "2.C.9": ("Communications", "通信"),
}


@dataclass(frozen=True)
class OnetSettings:
    """How O*NET ratings become requirements (see the module docstring)."""

    segment: str
    level_cuts: tuple[float, float, float] = (2.0, 3.5, 5.0)
    min_importance: float = 3.0
    release: str = "29.x"

    def level(self, lv: float) -> int:
        """The requirement level 1–4 of an O*NET level 0–7."""
        return 1 + sum(lv >= cut for cut in self.level_cuts)

    def mapping_note(self) -> tuple[str, str]:
        a, b, c = (f"{x:g}" for x in self.level_cuts)
        w = LEVEL_WORDS
        return (
            f"等级映射：O*NET 等级 LV < {a} → 1 {w[1]}；{a} ≤ LV < {b} → 2 {w[2]}；"
            f"{b} ≤ LV < {c} → 3 {w[3]}；LV ≥ {c} → 4 {w[4]}（分界点可用 --level-cuts 调整）。"
            f"权重 = 重要性 IM（1–5）；重要性低于 {self.min_importance:g} 的要素不导入。",
            f"Level mapping: O*NET LV < {a} → 1 know; {a} ≤ LV < {b} → 2 understand; "
            f"{b} ≤ LV < {c} → 3 apply; LV ≥ {c} → 4 master (set with --level-cuts). "
            f"Weight = importance IM (1–5); elements with IM below "
            f"{self.min_importance:g} are left out.",
        )


def parse_cuts(text: str) -> tuple[float, float, float]:
    """``"2,3.5,5"`` → (2.0, 3.5, 5.0); three increasing numbers within 0–7.

    Raises:
        ValueError: with a message in both languages.
    """
    try:
        cuts = tuple(float(x) for x in text.replace("，", ",").split(","))
    except ValueError:
        cuts = ()
    if len(cuts) != 3 or not (0 < cuts[0] < cuts[1] < cuts[2] <= 7):
        raise ValueError(
            f"等级分界点“{text}”应为 0–7 之间递增的三个数，如 2,3.5,5 "
            f"(level cuts must be three increasing numbers within 0–7)"
        )
    return (cuts[0], cuts[1], cuts[2])


@dataclass
class _Rating:
    name: str
    category: str
    source: str
    row: int
    im: float | None = None
    lv: float | None = None
    flagged: str | None = None  # "not_relevant" / "suppressed"


def import_onet(
    files: list[tuple[str, bytes]],
    occupations: dict[str, str | None],
    settings: OnetSettings,
    *,
    tasks: tuple[str, bytes] | None = None,
    progress: Progress = quiet,
) -> ImportedDataset:
    """Positions, abilities and requirements for O*NET occupations.

    Args:
        files: (file name, bytes) of O*NET ``Skills.txt`` / ``Knowledge.txt`` files;
            a file whose name says "knowledge" gives knowledge abilities.
        occupations: O*NET-SOC code (``51-9141.00``) → position name (None: "O*NET code").
        settings: the segment, level cut points and importance threshold.
        tasks: O*NET ``Task Statements.txt`` (or the same columns without a header).

    Raises:
        IngestError: a file is not O*NET's layout, a value is not a number, or an
            occupation is in none of the files; nothing is made.
    """
    problems = Problems()
    ratings: dict[tuple[str, str], _Rating] = {}
    read_rows = 0
    for name, data in files:
        category = "knowledge" if "knowledge" in name.lower() else "skill"
        rows = read_table(data, name, COLUMNS, problems, delimiter="\t", progress=progress)
        for row_no, cells in rows:
            code = cells["O*NET-SOC Code"]
            if code not in occupations:
                continue
            read_rows += 1
            scale = cells["Scale ID"]
            if scale not in ("IM", "LV"):
                continue
            element = cells["Element ID"]
            if not element:
                problems.add(name, row_no, "Element ID", "要素编号为空", "empty Element ID")
                continue
            rating = ratings.setdefault(
                (code, element), _Rating(cells["Element Name"], category, name, row_no)
            )
            value = number(
                cells["Data Value"],
                name,
                row_no,
                "Data Value",
                problems,
                0,
                5 if scale == "IM" else 7,
            )
            if scale == "IM":
                rating.im = value
            else:
                rating.lv = value
            if cells["Not Relevant"].upper() == "Y":
                rating.flagged = "not_relevant"
            elif cells["Recommend Suppress"].upper() == "Y" and rating.flagged is None:
                rating.flagged = "suppressed"
    found = {code for code, _ in ratings}
    for code in occupations:
        if code not in found and not problems.items:
            problems.add(
                ", ".join(n for n, _ in files),
                None,
                "O*NET-SOC Code",
                f"文件中没有职业代码 {code} 的数据（代码形如 51-9141.00）",
                f"the files hold no rows for the occupation {code} (codes look like 51-9141.00)",
            )
    task_text = _read_tasks(tasks, occupations, problems) if tasks else {}
    problems.check()

    dataset = ImportedDataset(f"O*NET {', '.join(occupations)}")
    skipped: dict[str, int] = defaultdict(int)
    used_groups: set[str] = set()
    abilities: dict[str, dict[str, object]] = {}
    for code, position_name in occupations.items():
        position = {
            "id": PREFIX + code,
            "name": position_name or f"O*NET {code}",
            "segment_id": settings.segment,
            "occupation_code": code,
        }
        if task_text.get(code):
            position["description"] = task_text[code]
        dataset.add("positions", position)
        for (rated_code, element), rating in sorted(ratings.items()):
            if rated_code != code:
                continue
            if rating.flagged is not None:
                skipped[rating.flagged] += 1
                continue
            if rating.im is None or rating.lv is None:
                skipped["incomplete"] += 1
                continue
            if rating.im < settings.min_importance:
                skipped["unimportant"] += 1
                continue
            ability_id = PREFIX + element
            if ability_id not in abilities:
                parent = _group_of(element)
                abilities[ability_id] = {
                    "id": ability_id,
                    "name": rating.name,
                    "name_en": rating.name,
                    "category": rating.category,
                    "parent_id": PREFIX + parent if parent else None,
                }
                if parent:
                    used_groups.add(parent)
                    used_groups.update(_ancestors(parent))
            dataset.add(
                "requirements",
                {
                    "position_id": PREFIX + code,
                    "ability_id": ability_id,
                    "level": settings.level(rating.lv),
                    "weight": round(rating.im, 2),
                },
            )
    for group in sorted(used_groups):
        en, zh = GROUPS[group]
        parent = _group_of(group)
        dataset.add(
            "abilities",
            {
                "id": PREFIX + group,
                "name": zh,
                "name_en": en,
                "category": "knowledge" if group.startswith("2.C") else "skill",
                "parent_id": PREFIX + parent if parent else None,
                "description": f"O*NET 内容模型 {group} {en}",
            },
        )
    for ability_id in sorted(abilities):
        dataset.add("abilities", abilities[ability_id])

    dataset.notes.append(
        (CREDIT_ZH.format(release=settings.release), CREDIT.format(release=settings.release))
    )
    dataset.notes.append(settings.mapping_note())
    dataset.notes.append(
        (
            f"已跳过：O*NET 标记“不相关 Not Relevant = Y”的要素 {skipped['not_relevant']} 项，"
            f"“建议不采用 Recommend Suppress = Y”的 {skipped['suppressed']} 项，"
            f"重要性低于 {settings.min_importance:g} 的 {skipped['unimportant']} 项，"
            f"缺少 IM 或 LV 的 {skipped['incomplete']} 项。",
            f"Skipped: {skipped['not_relevant']} element(s) flagged Not Relevant = Y, "
            f"{skipped['suppressed']} flagged Recommend Suppress = Y, "
            f"{skipped['unimportant']} with importance below {settings.min_importance:g}, "
            f"{skipped['incomplete']} without both IM and LV.",
        )
    )
    dataset.notes.append(
        (
            "能力名称（name 列）暂为 O*NET 英文原名，请改填中文；英文原名保留在 name_en 列。",
            "Ability names (column name) are O*NET's English names for now: replace them "
            "with Chinese; the English name stays in column name_en.",
        )
    )
    dataset.summary = {
        "rows_read": read_rows,
        "skipped_not_relevant": skipped["not_relevant"],
        "skipped_suppressed": skipped["suppressed"],
        "skipped_unimportant": skipped["unimportant"],
        "skipped_incomplete": skipped["incomplete"],
        "requirements": len(dataset.tables.get("requirements", [])),
    }
    return dataset


def _group_of(element: str) -> str | None:
    """The content-model group an element id belongs to (2.A.1.a → 2.A.1), if named."""
    parent = element.rsplit(".", 1)[0] if "." in element else ""
    return parent if parent in GROUPS else None


def _ancestors(group: str) -> list[str]:
    out = []
    parent = _group_of(group)
    while parent:
        out.append(parent)
        parent = _group_of(parent)
    return out


def _read_tasks(
    tasks: tuple[str, bytes], occupations: dict[str, str | None], problems: Problems
) -> dict[str, str]:
    """Task statements per occupation, core before supplemental, as one text.

    Reads O*NET's ``Task Statements.txt`` (header: O*NET-SOC Code, Task ID, Task,
    Task Type …) or the same data without a header (code, task id, type, task).
    """
    name, data = tasks
    text = read_text(data, name, problems)
    if text is None:
        return {}
    lines = [line.split("\t") for line in text.splitlines() if line.strip()]
    if not lines:
        return {}
    header = [h.strip() for h in lines[0]]
    if "O*NET-SOC Code" in header:
        if "Task" not in header:
            problems.add(name, 1, "Task", "缺少列“Task”", "the column 'Task' is missing")
            return {}
        at = {h: i for i, h in enumerate(header)}
        records = [
            (
                cells[at["O*NET-SOC Code"]].strip(),
                cells[at["Task Type"]].strip() if "Task Type" in at else "",
                cells[at["Task"]].strip(),
            )
            for cells in lines[1:]
            if len(cells) > at["Task"]
        ]
    else:
        records = []
        for number_, cells in enumerate(lines, start=1):
            if len(cells) < 4:
                problems.add(
                    name,
                    number_,
                    None,
                    "任务说明应有 4 列：职业代码、任务编号、任务类型、任务",
                    "a task row needs 4 columns: O*NET-SOC code, task id, task type, task",
                )
                continue
            records.append((cells[0].strip(), cells[2].strip(), cells[3].strip()))
    by_code: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for code, kind, task in records:
        if code in occupations and task:
            by_code[code].append((0 if kind == "Core" else 1, task))
    return {
        code: clip(
            "典型工作任务 Tasks: " + " | ".join(t for _, t in sorted(items, key=lambda x: x[0]))
        )
        for code, items in by_code.items()
    }


def read_files(paths: list[Path]) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in paths]
