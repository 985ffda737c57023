"""Generate a synthetic, national-scale chanjiao dataset for benchmarking.

``python bench/generate.py OUT_DIR [--scale 1.0] [--seed 7]`` writes a folder
of UTF-8 CSV files in the canonical ingest format of DESIGN.md §3 (same file
names, English column headers, English enum values, ``;``-separated
multi-valued cells).

Why: the ingest path (read, validate, reference and cycle checks, upsert into
a store) and the gap analysis of DESIGN.md §4 must be measured on data of the
size a province or the whole country would load, not on a hand-made sample.
At ``--scale 1.0`` the dataset holds about 20,000 positions, 50,000 abilities,
60,000 courses and 1,000,000 relationships; smaller scales (e.g. ``0.01``)
give a small but consistent dataset (at least one chain and one cluster).

The data is shaped like the real thing rather than uniform noise:

* industry chains split into ordered segments (upstream / midstream /
  downstream), enterprises operating in one to a few segments of one chain,
  positions in one segment, offers (with headcounts) for about 70 % of them;
* abilities in a two-level hierarchy (能力域 → 能力点); each chain has its own
  pool of ability domains (chain-wide ones plus segment-specific ones) and
  all chains share a pool of general abilities;
* popularity is Zipf-like everywhere (weights ``1 / rank**s``), so a few
  general abilities are required by thousands of positions and most abilities
  by a handful; counts per entity (requirements per position, coverage per
  course, ...) are Pareto-skewed;
* specialty clusters of 3–4 majors target one chain; each major focuses on a
  few segments of that chain, so a cluster covers a plausible fraction
  (roughly 30–80 %) of its chain;
* course prerequisites only point to earlier courses of the same major, so
  they form a DAG by construction.

Guarantees: pure standard library; deterministic for a given seed and scale;
ids unique per file; no duplicate relationship (same two ends) within a file
or within a multi-valued cell; every referenced id exists in the dataset; no
course is its own prerequisite. Files are written in streaming fashion so
memory stays modest.

At the end the script prints the row count per file, the node count, the
relationship count (every row of offers / requirements / coverage / partners,
every id in a multi-valued cell and every filled single reference column such
as ``segment_id`` or ``parent_id``) and the seconds taken.
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO, TypeVar

T = TypeVar("T")

# --------------------------------------------------------------------------
# File layout (DESIGN.md §3)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TableSpec:
    """Layout of one CSV file of the dataset.

    Attributes:
        columns: Header row, in order.
        single_refs: Columns holding one referenced id (or nothing).
        multi_refs: Columns holding ``;``-separated referenced ids.
        relationship_file: True when every row is itself one relationship.
    """

    columns: tuple[str, ...]
    single_refs: tuple[str, ...] = ()
    multi_refs: tuple[str, ...] = ()
    relationship_file: bool = False


TABLES: dict[str, TableSpec] = {
    "chains": TableSpec(("id", "name", "domain", "region")),
    "segments": TableSpec(("id", "name", "chain_id", "stage", "order"), ("chain_id",)),
    "enterprises": TableSpec(("id", "name", "tier", "region", "segment_ids"), (), ("segment_ids",)),
    "organizations": TableSpec(("id", "name", "kind", "region")),
    "positions": TableSpec(("id", "name", "segment_id", "level", "demand"), ("segment_id",)),
    "offers": TableSpec(("enterprise_id", "position_id", "headcount"), relationship_file=True),
    "abilities": TableSpec(("id", "name", "category", "parent_id", "description"), ("parent_id",)),
    "requirements": TableSpec(
        ("position_id", "ability_id", "level", "weight"), relationship_file=True
    ),
    "majors": TableSpec(("id", "name", "code", "education_level")),
    "clusters": TableSpec(
        ("id", "name", "chain_id", "major_ids", "lead_major_id"),
        ("chain_id", "lead_major_id"),
        ("major_ids",),
    ),
    "courses": TableSpec(
        (
            "id",
            "name",
            "hours",
            "credits",
            "kind",
            "semester",
            "major_ids",
            "core_major_ids",
            "prerequisite_ids",
        ),
        (),
        ("major_ids", "core_major_ids", "prerequisite_ids"),
    ),
    "coverage": TableSpec(("course_id", "ability_id", "level"), relationship_file=True),
    "textbooks": TableSpec(
        ("id", "name", "kind", "format", "year", "isbn", "course_ids", "enterprise_ids"),
        (),
        ("course_ids", "enterprise_ids"),
    ),
    "teachers": TableSpec(
        (
            "id",
            "name",
            "dual_qualified",
            "affiliation",
            "title",
            "enterprise_id",
            "course_ids",
            "ability_ids",
        ),
        ("enterprise_id",),
        ("course_ids", "ability_ids"),
    ),
    "training_resources": TableSpec(
        ("id", "name", "kind", "year", "enterprise_id", "course_ids", "ability_ids"),
        ("enterprise_id",),
        ("course_ids", "ability_ids"),
    ),
    "certificates": TableSpec(
        ("id", "name", "level", "issuer", "ability_ids", "position_ids"),
        (),
        ("ability_ids", "position_ids"),
    ),
    "competitions": TableSpec(("id", "name", "level", "ability_ids"), (), ("ability_ids",)),
    "colleges": TableSpec(
        ("id", "name", "university", "direction", "cluster_ids"), (), ("cluster_ids",)
    ),
    "partners": TableSpec(("college_id", "partner_id", "role"), relationship_file=True),
}

# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------

CHAIN_DOMAINS: tuple[str, ...] = (
    "先进半导体", "集成电路", "工业机器人", "新能源汽车", "智能网联汽车", "动力电池",
    "光伏", "新型储能", "氢能", "生物医药", "高端医疗器械", "高端数控机床",
    "航空航天装备", "海洋工程装备", "轨道交通装备", "先进高分子材料", "人工智能",
    "工业软件", "工业互联网", "智能家电", "现代农机装备", "节能环保装备", "低空经济",
    "精密仪器仪表",
)  # fmt: skip

PROVINCES: tuple[str, ...] = (
    "江苏", "浙江", "广东", "山东", "上海", "北京", "湖北", "湖南", "四川", "安徽",
    "福建", "河南", "河北", "陕西", "重庆", "天津", "辽宁", "江西", "广西", "云南",
    "山西", "吉林", "黑龙江", "贵州",
)  # fmt: skip

# (stage, segment name); a chain takes an ordered subset of these.
SEGMENT_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("upstream", "原材料与基础件"),
    ("upstream", "核心零部件"),
    ("upstream", "研发设计"),
    ("midstream", "专用装备"),
    ("midstream", "制造加工"),
    ("midstream", "装配集成"),
    ("midstream", "测试验证"),
    ("downstream", "系统应用"),
    ("downstream", "运维服务"),
    ("downstream", "市场与供应链"),
)

ROLES: dict[str, tuple[str, ...]] = {
    "upstream": ("研发工程师", "材料工程师", "设计工程师", "工艺开发工程师", "研发助理", "实验员"),
    "midstream": (
        "工艺工程师", "生产操作工", "设备维护技术员", "质量检验员", "生产线班组长",
        "自动化工程师", "调试技术员",
    ),
    "downstream": (
        "应用工程师", "售后技术支持", "运维工程师", "系统集成工程师", "技术销售", "客户服务专员",
    ),
}  # fmt: skip

ABILITY_TOPICS: tuple[str, ...] = (
    "工艺", "设备", "材料", "检测", "设计", "制造", "测试", "封装", "控制系统", "软件开发",
    "数据分析", "质量管理", "供应链", "维护保养", "安全规范", "标准体系", "仿真", "电气",
    "机械结构", "嵌入式系统", "视觉检测", "自动化产线", "能源管理", "可靠性", "精密加工",
    "装调", "传感器", "网络通信", "信息系统", "工业数据", "绿色制造", "成本控制",
    "项目实施", "客户需求", "计量", "失效分析", "热管理", "运动控制", "智能运维", "工装夹具",
)  # fmt: skip

GENERAL_TOPICS: tuple[str, ...] = (
    "职业素养", "安全生产", "沟通表达", "团队协作", "数字素养", "工程数学", "工程制图",
    "电工电子基础", "外语应用", "质量意识", "法律法规", "环境保护", "创新创业", "项目管理",
    "信息检索", "计算机应用", "劳动教育", "工匠精神", "职业规划", "心理健康",
)  # fmt: skip

ABILITY_SUFFIXES: dict[str, tuple[str, ...]] = {
    "knowledge": ("基本原理", "基础知识", "标准规范", "结构认知", "技术原理", "发展趋势"),
    "skill": (
        "操作",
        "调试",
        "检测",
        "编程",
        "装调",
        "故障诊断",
        "参数优化",
        "数据分析",
        "方案设计",
        "运行维护",
    ),
    "literacy": ("安全意识", "质量意识", "规范意识", "协作意识", "创新意识", "责任担当"),
}

COURSE_SUFFIXES: dict[str, tuple[str, ...]] = {
    "theory": ("原理", "基础", "概论", "技术"),
    "practice": ("实训", "综合实训", "技能训练"),
    "integrated": ("技术与应用", "项目实践", "理实一体化"),
    "virtual_sim": ("虚拟仿真实训",),
}

COURSE_HOURS: dict[str, tuple[int, ...]] = {
    "theory": (32, 48, 64),
    "practice": (16, 24, 32, 48),
    "integrated": (48, 64, 96),
    "virtual_sim": (16, 32),
}

MAJOR_SUFFIXES: tuple[str, ...] = (
    "技术",
    "工程技术",
    "应用技术",
    "装备技术",
    "检测技术",
    "智能制造技术",
    "运维技术",
    "工程",
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰晨宇浩然子涵欣怡思远志鹏佳琪"

UNIVERSITY_SUFFIXES = ("职业技术学院", "工业职业技术大学", "理工大学", "科技职业学院")
COMPANY_SUFFIXES = ("科技", "智能", "精密", "装备", "电子", "材料", "技术")

RESOURCE_NAMES = {
    "training_base": "实训基地",
    "joint_lab": "联合实验室",
    "virtual_sim": "虚拟仿真实训资源",
    "case_library": "实践案例库",
}
CERT_LEVEL_NAMES = ("", "初级", "中级", "高级")

# Cumulative weights for categorical picks.
TIERS = ("little_giant", "provincial_srdi", "chain_leader", "other")
TIERS_CW = (10, 40, 42, 100)
POSITION_LEVELS = ("entry", "intermediate", "senior")
POSITION_LEVELS_CW = (50, 85, 100)
LEVELS = (1, 2, 3, 4)
REQ_LEVEL_CW = {
    "entry": (30, 75, 95, 100),
    "intermediate": (10, 45, 85, 100),
    "senior": (5, 25, 65, 100),
}
COURSE_KINDS = ("theory", "practice", "integrated", "virtual_sim")
COURSE_KINDS_CW = (35, 60, 90, 100)
COVER_LEVEL_CW = {
    "theory": (20, 60, 90, 100),
    "practice": (5, 30, 70, 100),
    "integrated": (10, 45, 85, 100),
    "virtual_sim": (5, 30, 70, 100),
}
WEIGHTS = ("1", "0.5", "1.5", "2", "3")
WEIGHTS_CW = (60, 70, 85, 95, 100)
CATEGORIES = ("knowledge", "skill", "literacy")
GENERAL_CATEGORY_CW = (35, 55, 100)
CHAIN_CATEGORY_CW = (35, 90, 100)
TEXTBOOK_KINDS = ("national_planned", "school_enterprise", "self_compiled")
TEXTBOOK_KINDS_CW = (25, 65, 100)
TEXTBOOK_FORMATS = ("standard", "loose_leaf", "workbook")
TEXTBOOK_FORMATS_CW = (60, 85, 100)
RESOURCE_KINDS = ("training_base", "joint_lab", "virtual_sim", "case_library")
RESOURCE_KINDS_CW = (35, 55, 80, 100)
EDUCATION_LEVELS = ("高职专科", "职业本科", "本科")
EDUCATION_LEVELS_CW = (80, 95, 100)
SCHOOL_TITLES = ("教授", "副教授", "讲师", "助教")
ENTERPRISE_TITLES = ("高级工程师", "工程师", "高级技师", "技师")
PREREQ_COUNTS = (0, 1, 2, 3)
PREREQ_COUNTS_CW = (35, 70, 90, 100)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def make_ids(prefix: str, count: int) -> list[str]:
    """Build ``count`` zero-padded ids such as ``P00001``.

    Args:
        prefix: Letters put before the number.
        count: How many ids to build.

    Returns:
        The ids, numbered from 1.
    """
    width = max(3, len(str(count)))
    return [f"{prefix}{i:0{width}d}" for i in range(1, count + 1)]


def skewed(rng: random.Random, mean: float, low: int, high: int) -> int:
    """Draw a Pareto-skewed integer with roughly the given mean.

    Args:
        rng: Random source.
        mean: Target mean before clamping (must be ≥ ``low``).
        low: Smallest value returned.
        high: Largest value returned.

    Returns:
        An integer in ``[low, high]``; most draws are near ``low``, a few are
        far above ``mean``.
    """
    alpha = 2.2
    x = low + (mean - low) * (alpha - 1.0) * (rng.paretovariate(alpha) - 1.0)
    return max(low, min(high, int(x + rng.random())))


def cumulative(weights: Sequence[float]) -> list[float]:
    """Return the running sums of ``weights``.

    Args:
        weights: Non-negative weights.

    Returns:
        Cumulative weights, usable as ``random.choices(cum_weights=...)``.
    """
    total = 0.0
    out: list[float] = []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def pick(rng: random.Random, values: Sequence[T], cum_weights: Sequence[float]) -> T:
    """Pick one value with the given cumulative weights.

    Args:
        rng: Random source.
        values: Candidate values.
        cum_weights: Cumulative weights, one per value.

    Returns:
        The chosen value.
    """
    return rng.choices(values, cum_weights=cum_weights)[0]


def sample_distinct(rng: random.Random, items: Sequence[int], count: int) -> list[int]:
    """Sample up to ``count`` distinct items uniformly.

    Args:
        rng: Random source.
        items: Distinct candidates.
        count: How many are wanted.

    Returns:
        ``min(count, len(items))`` distinct items.
    """
    if count <= 0 or not items:
        return []
    return rng.sample(items, min(count, len(items)))


def joined(ids: Sequence[str], indexes: Sequence[int]) -> str:
    """Format a multi-valued cell.

    Args:
        ids: Id strings indexed by entity number.
        indexes: Entity numbers to put in the cell (already distinct).

    Returns:
        The ids joined with ``;`` (empty string when there are none).
    """
    return ";".join(ids[i] for i in indexes)


def person_name(rng: random.Random) -> str:
    """Make a plausible Chinese personal name.

    Args:
        rng: Random source.

    Returns:
        A surname followed by one or two given-name characters.
    """
    given = rng.choice(GIVEN) if rng.random() < 0.3 else rng.choice(GIVEN) + rng.choice(GIVEN)
    return rng.choice(SURNAMES) + given


class Pool:
    """Integer ids drawn with Zipf-like popularity (weight ``1 / rank**s``).

    Args:
        rng: Random source, used to shuffle the ranks unless ``keep_order``.
        items: Candidate ids (distinct).
        exponent: Zipf exponent ``s``; larger means more concentrated.
        keep_order: Rank items in the given order instead of shuffling.
    """

    __slots__ = ("cw", "items")

    def __init__(
        self,
        rng: random.Random,
        items: Sequence[int],
        exponent: float = 1.0,
        keep_order: bool = False,
    ) -> None:
        self.items = list(items)
        if not keep_order:
            rng.shuffle(self.items)
        self.cw = cumulative([rank**-exponent for rank in range(1, len(self.items) + 1)])

    def __len__(self) -> int:
        return len(self.items)

    def draw(self, rng: random.Random, count: int) -> list[int]:
        """Draw ``count`` ids with replacement.

        Args:
            rng: Random source.
            count: Number of draws.

        Returns:
            The drawn ids (may repeat).
        """
        return rng.choices(self.items, cum_weights=self.cw, k=count)

    def draw_distinct(self, rng: random.Random, count: int) -> list[int]:
        """Draw up to ``count`` distinct ids.

        Args:
            rng: Random source.
            count: Number of distinct ids wanted.

        Returns:
            Distinct ids, in draw order (fewer if the pool is too small or
            too concentrated).
        """
        chosen: dict[int, None] = {}
        for _ in range(4):
            need = count - len(chosen)
            if need <= 0 or not self.items:
                break
            for item in self.draw(rng, need):
                chosen[item] = None
        return list(chosen)[:count]


class Mixture:
    """A weighted mixture of pools (e.g. segment, chain-wide, general abilities).

    Empty pools and zero weights are dropped.

    Args:
        parts: ``(pool, weight)`` pairs.
    """

    __slots__ = ("cw", "index", "pools")

    def __init__(self, parts: Sequence[tuple[Pool, float]]) -> None:
        kept = [(pool, weight) for pool, weight in parts if len(pool) and weight > 0]
        self.pools = [pool for pool, _ in kept]
        self.cw = cumulative([weight for _, weight in kept])
        self.index = list(range(len(self.pools)))

    def draw_distinct(self, rng: random.Random, count: int) -> list[int]:
        """Draw up to ``count`` distinct ids from the mixture.

        Args:
            rng: Random source.
            count: Number of distinct ids wanted.

        Returns:
            Distinct ids, in draw order.
        """
        chosen: dict[int, None] = {}
        if not self.pools:
            return []
        for _ in range(5):
            need = count - len(chosen)
            if need <= 0:
                break
            per_pool = [0] * len(self.pools)
            for which in rng.choices(self.index, cum_weights=self.cw, k=need):
                per_pool[which] += 1
            for which, how_many in enumerate(per_pool):
                if how_many:
                    for item in self.pools[which].draw(rng, how_many):
                        chosen[item] = None
        return list(chosen)[:count]


class TableWriter:
    """Streams one CSV file and counts its rows and relationships.

    Args:
        directory: Output folder.
        name: File name without ``.csv`` (a key of ``TABLES``).
    """

    def __init__(self, directory: Path, name: str) -> None:
        spec = TABLES[name]
        self.name = name
        self.spec = spec
        self._file: TextIO = (directory / f"{name}.csv").open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._file, lineterminator="\n")
        self._writer.writerow(spec.columns)
        self._single = [spec.columns.index(c) for c in spec.single_refs]
        self._multi = [spec.columns.index(c) for c in spec.multi_refs]
        self.rows = 0
        self.relationships = 0
        self.by_column: dict[str, int] = dict.fromkeys(spec.single_refs + spec.multi_refs, 0)

    def write(self, row: list[str]) -> None:
        """Write one data row.

        Args:
            row: Cell values, in the order of the header.
        """
        self._writer.writerow(row)
        self.rows += 1
        if self.spec.relationship_file:
            self.relationships += 1
            return
        columns = self.spec.columns
        for i in self._single:
            if row[i]:
                self.relationships += 1
                self.by_column[columns[i]] += 1
        for i in self._multi:
            cell = row[i]
            if cell:
                n = cell.count(";") + 1
                self.relationships += n
                self.by_column[columns[i]] += n

    def close(self) -> None:
        """Flush and close the file."""
        self._file.close()


# --------------------------------------------------------------------------
# Sizes
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    """How many entities of each kind to generate."""

    chains: int
    enterprises: int
    sme_centers: int
    associations: int
    parks: int
    positions: int
    abilities: int
    ability_domains: int
    majors: int
    clusters: int
    courses: int
    textbooks: int
    teachers: int
    resources: int
    certificates: int
    competitions: int
    colleges: int

    @classmethod
    def for_scale(cls, scale: float) -> Sizes:
        """Derive entity counts from a scale factor (1.0 = national).

        Args:
            scale: Size factor; 1.0 gives about 20,000 positions, 50,000
                abilities, 60,000 courses and 1,000,000 relationships.

        Returns:
            The counts, with minimums that keep tiny datasets consistent.
        """

        def n(base: float, minimum: int) -> int:
            return max(minimum, round(base * scale))

        abilities = n(50_000, 40)
        clusters = n(400, 1)
        majors = max(n(1_500, 3), 3 * clusters)
        return cls(
            chains=n(60, 1),
            enterprises=n(6_000, 4),
            sme_centers=n(60, 1),
            associations=n(100, 1),
            parks=n(80, 1),
            positions=n(20_000, 10),
            abilities=abilities,
            ability_domains=min(n(3_000, 4), abilities // 4),
            majors=majors,
            clusters=clusters,
            courses=max(n(60_000, 20), 3 * majors),
            textbooks=n(8_000, 2),
            teachers=n(12_000, 3),
            resources=n(3_000, 2),
            certificates=n(1_000, 1),
            competitions=n(500, 1),
            colleges=min(n(300, 1), clusters),
        )


# --------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------


class Generator:
    """Builds the dataset section by section, writing each file as it goes.

    Args:
        out_dir: Output folder (created if missing).
        scale: Size factor, see ``Sizes.for_scale``.
        seed: Random seed; the same seed and scale give the same files.
    """

    def __init__(self, out_dir: Path, scale: float, seed: int) -> None:
        self.out_dir = out_dir
        self.sizes = Sizes.for_scale(scale)
        self.rng = random.Random(seed)
        self.writers: dict[str, TableWriter] = {}

    # -- plumbing ---------------------------------------------------------

    def _open(self, name: str) -> TableWriter:
        writer = TableWriter(self.out_dir, name)
        self.writers[name] = writer
        return writer

    def run(self) -> dict[str, TableWriter]:
        """Generate every file.

        Returns:
            The (closed) writers by file name, holding the counts.
        """
        self.out_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._chains()
            self._abilities()
            self._organizations()
            self._enterprises()
            self._positions()
            self._majors_and_clusters()
            self._courses()
            self._teachers()
            self._textbooks()
            self._training_resources()
            self._certificates()
            self._competitions()
            self._colleges_and_partners()
        finally:
            for writer in self.writers.values():
                writer.close()
        return self.writers

    # -- chains and segments ----------------------------------------------

    def _chains(self) -> None:
        rng, n_chains = self.rng, self.sizes.chains
        self.chain_ids = make_ids("H", n_chains)
        self.chain_domain: list[str] = []
        self.chain_region: list[str] = []
        self.chain_segments: list[list[int]] = []
        self.seg_chain: list[int] = []
        self.seg_name: list[str] = []
        self.seg_stage: list[str] = []
        domains = list(CHAIN_DOMAINS)
        rng.shuffle(domains)
        for c in range(n_chains):
            domain = domains[c % len(domains)]
            self.chain_domain.append(domain)
            self.chain_region.append(rng.choice(PROVINCES))
            count = rng.choice((7, 8, 8, 9))
            picked = sorted(rng.sample(range(len(SEGMENT_TEMPLATES)), count))
            segs = []
            for index in picked:
                stage, name = SEGMENT_TEMPLATES[index]
                segs.append(len(self.seg_chain))
                self.seg_chain.append(c)
                self.seg_stage.append(stage)
                self.seg_name.append(f"{domain}{name}")
            self.chain_segments.append(segs)
        self.chain_weight = [rng.uniform(0.5, 1.5) for _ in range(n_chains)]
        self.chain_cw = cumulative(self.chain_weight)
        self.seg_ids = make_ids("S", len(self.seg_chain))

        chains = self._open("chains")
        for c in range(n_chains):
            region, domain = self.chain_region[c], self.chain_domain[c]
            chains.write([self.chain_ids[c], f"{region}{domain}产业链", domain, region])
        segments = self._open("segments")
        for c in range(n_chains):
            for order, s in enumerate(self.chain_segments[c], start=1):
                segments.write(
                    [
                        self.seg_ids[s],
                        self.seg_name[s],
                        self.chain_ids[c],
                        self.seg_stage[s],
                        str(order),
                    ]
                )

    def _pick_chain(self) -> int:
        return self.rng.choices(range(self.sizes.chains), cum_weights=self.chain_cw)[0]

    # -- abilities --------------------------------------------------------

    def _abilities(self) -> None:
        rng, sizes = self.rng, self.sizes
        n_domains = sizes.ability_domains
        n_general = max(1, round(n_domains * 0.1))
        n_chains = sizes.chains
        # owner of each domain: -1 general, else chain index; plus segment or -1
        owner_chain: list[int] = [-1] * n_general
        owner_seg: list[int] = [-1] * n_general
        chain_domains: list[list[int]] = [[] for _ in range(n_chains)]
        for d in range(n_general, n_domains):
            c = (d - n_general) % n_chains
            chain_domains[c].append(d)
            owner_chain.append(c)
            owner_seg.append(-1)
        for c, doms in enumerate(chain_domains):
            if len(doms) < 2:
                continue
            n_common = max(1, len(doms) // 4)
            segs = self.chain_segments[c]
            for j, d in enumerate(doms[n_common:]):
                owner_seg[d] = segs[j % len(segs)]

        # children per domain, summing to abilities - domains
        n_children = sizes.abilities - n_domains
        shares = [rng.uniform(0.3, 1.7) for _ in range(n_domains)]
        total_share = sum(shares)
        counts = [max(1, int(n_children * s / total_share)) for s in shares]
        deficit = n_children - sum(counts)
        d = 0
        while deficit != 0:
            if deficit > 0:
                counts[d % n_domains] += 1
                deficit -= 1
            elif counts[d % n_domains] > 1:
                counts[d % n_domains] -= 1
                deficit += 1
            d += 1

        n_abilities = n_domains + sum(counts)
        self.ability_ids = make_ids("A", n_abilities)
        self.ability_topic: list[str] = []
        general_items: list[int] = []
        common_items: list[list[int]] = [[] for _ in range(n_chains)]
        seg_items: list[list[int]] = [[] for _ in range(len(self.seg_chain))]
        writer = self._open("abilities")
        a = 0
        chain_domain_rank = [0] * n_chains
        for d in range(n_domains):
            c = owner_chain[d]
            if c < 0:
                base = GENERAL_TOPICS[d % len(GENERAL_TOPICS)]
                round_no = d // len(GENERAL_TOPICS)
                topic = base if round_no == 0 else f"{base}{round_no + 1}"
                category = pick(rng, CATEGORIES, GENERAL_CATEGORY_CW)
            else:
                rank = chain_domain_rank[c]
                chain_domain_rank[c] += 1
                base = ABILITY_TOPICS[rank % len(ABILITY_TOPICS)]
                round_no = rank // len(ABILITY_TOPICS)
                topic = f"{self.chain_domain[c]}{base}" + (
                    "" if round_no == 0 else str(round_no + 1)
                )
                category = pick(rng, CATEGORIES, CHAIN_CATEGORY_CW)
            domain_id = self.ability_ids[a]
            writer.write(
                [domain_id, f"{topic}能力域", category, "", f"{topic}相关的知识、技能与素养"]
            )
            self.ability_topic.append(topic)
            a += 1
            for _ in range(counts[d]):
                if rng.random() < 0.8:
                    child_category = category
                else:
                    child_category = pick(
                        rng, CATEGORIES, GENERAL_CATEGORY_CW if c < 0 else CHAIN_CATEGORY_CW
                    )
                suffix = rng.choice(ABILITY_SUFFIXES[child_category])
                description = f"能够在{topic}工作中体现{suffix}" if rng.random() < 0.3 else ""
                writer.write(
                    [
                        self.ability_ids[a],
                        f"{topic}{suffix}",
                        child_category,
                        domain_id,
                        description,
                    ]
                )
                self.ability_topic.append(topic)
                if c < 0:
                    general_items.append(a)
                elif owner_seg[d] >= 0:
                    seg_items[owner_seg[d]].append(a)
                else:
                    common_items[c].append(a)
                a += 1

        self.general_pool = Pool(rng, general_items, 1.0)
        self.common_pool = [Pool(rng, items, 0.9) for items in common_items]
        self.seg_pool = [Pool(rng, items, 0.9) for items in seg_items]
        self.related_chain = [
            rng.choice([o for o in range(n_chains) if o != c]) if n_chains > 1 else -1
            for c in range(n_chains)
        ]
        empty = Pool(rng, [])
        self.seg_mix: list[Mixture] = []
        for s, c in enumerate(self.seg_chain):
            segs = self.chain_segments[c]
            neighbour = segs[(segs.index(s) + 1) % len(segs)]
            related = self.related_chain[c]
            self.seg_mix.append(
                Mixture(
                    [
                        (self.seg_pool[s], 0.45),
                        (self.common_pool[c], 0.25),
                        (self.general_pool, 0.15),
                        (self.seg_pool[neighbour] if neighbour != s else empty, 0.07),
                        (self.common_pool[related] if related >= 0 else empty, 0.08),
                    ]
                )
            )

    # -- organizations and enterprises ------------------------------------

    def _organizations(self) -> None:
        rng, sizes = self.rng, self.sizes
        kinds = [
            ("university", sizes.colleges),
            ("sme_center", sizes.sme_centers),
            ("association", sizes.associations),
            ("industrial_park", sizes.parks),
        ]
        total = sum(count for _, count in kinds)
        self.org_ids = make_ids("O", total)
        self.org_names: list[str] = []
        self.orgs_by_kind: dict[str, list[int]] = {}
        writer = self._open("organizations")
        o = 0
        for kind, count in kinds:
            members: list[int] = []
            for k in range(count):
                region = rng.choice(PROVINCES)
                domain = rng.choice(CHAIN_DOMAINS)
                if kind == "university":
                    name = f"{region}{rng.choice(UNIVERSITY_SUFFIXES)}"
                    name = f"{name}{'' if k < len(PROVINCES) else k}"
                elif kind == "sme_center":
                    name = f"{region}省中小企业公共服务中心{k + 1}"
                elif kind == "association":
                    name = f"{region}{domain}行业协会"
                else:
                    name = f"{region}{domain}产业园"
                writer.write([self.org_ids[o], name, kind, region])
                self.org_names.append(name)
                members.append(o)
                o += 1
            self.orgs_by_kind[kind] = members

    def _enterprises(self) -> None:
        rng, sizes = self.rng, self.sizes
        n_segments = len(self.seg_chain)
        self.ent_ids = make_ids("E", sizes.enterprises)
        self.ent_tier: list[str] = []
        self.ent_name: list[str] = []
        chain_ents: list[list[int]] = [[] for _ in range(sizes.chains)]
        seg_ents: list[list[int]] = [[] for _ in range(n_segments)]
        first_segments = list(range(n_segments))
        rng.shuffle(first_segments)
        writer = self._open("enterprises")
        for e in range(sizes.enterprises):
            tier = pick(rng, TIERS, TIERS_CW)
            if e < n_segments:
                first = first_segments[e]
                c = self.seg_chain[first]
            else:
                c = self._pick_chain()
                first = rng.choice(self.chain_segments[c])
            extra = (
                rng.choice((2, 3, 4, 5))
                if tier == "chain_leader"
                else pick(rng, (0, 1, 2), (60, 90, 100))
            )
            others = [s for s in self.chain_segments[c] if s != first]
            segs = [first, *sample_distinct(rng, others, extra)]
            region = self.chain_region[c] if rng.random() < 0.8 else rng.choice(PROVINCES)
            brand = f"{self.chain_domain[c][:2]}{rng.choice(GIVEN)}{rng.choice(GIVEN)}"
            name = f"{region}{brand}{rng.choice(COMPANY_SUFFIXES)}有限公司"
            writer.write([self.ent_ids[e], name, tier, region, joined(self.seg_ids, segs)])
            self.ent_tier.append(tier)
            self.ent_name.append(name)
            chain_ents[c].append(e)
            for s in segs:
                seg_ents[s].append(e)

        def ranked(members: list[int]) -> Pool:
            leaders = [e for e in members if self.ent_tier[e] == "chain_leader"]
            rest = [e for e in members if self.ent_tier[e] != "chain_leader"]
            rng.shuffle(rest)
            return Pool(rng, leaders + rest, 0.8, keep_order=True)

        self.all_ent_pool = ranked(list(range(sizes.enterprises)))
        self.chain_ent_pool = [ranked(m) if m else self.all_ent_pool for m in chain_ents]
        self.seg_ent_pool = [
            ranked(m) if m else self.chain_ent_pool[self.seg_chain[s]]
            for s, m in enumerate(seg_ents)
        ]

    # -- positions, requirements, offers ----------------------------------

    def _positions(self) -> None:
        rng, sizes = self.rng, self.sizes
        n_segments = len(self.seg_chain)
        seg_weight = [
            self.chain_weight[self.seg_chain[s]] * rng.uniform(0.3, 1.7) for s in range(n_segments)
        ]
        base = list(range(n_segments))[: sizes.positions]
        rest = rng.choices(
            range(n_segments), cum_weights=cumulative(seg_weight), k=sizes.positions - len(base)
        )
        position_seg = base + rest
        rng.shuffle(position_seg)
        self.pos_ids = make_ids("P", sizes.positions)
        self.seg_positions: list[list[int]] = [[] for _ in range(n_segments)]
        positions = self._open("positions")
        requirements = self._open("requirements")
        offers = self._open("offers")
        ability_ids, pos_ids, ent_ids = self.ability_ids, self.pos_ids, self.ent_ids
        for p, s in enumerate(position_seg):
            level = pick(rng, POSITION_LEVELS, POSITION_LEVELS_CW)
            role = rng.choice(ROLES[self.seg_stage[s]])
            prefix = "高级" if level == "senior" and not role.startswith("高级") else ""
            demand = skewed(rng, 6.0, 1, 500)
            pid = pos_ids[p]
            positions.write(
                [pid, f"{self.seg_name[s]}{prefix}{role}", self.seg_ids[s], level, str(demand)]
            )
            self.seg_positions[s].append(p)

            wanted = skewed(rng, 16.5, 4, 80)
            required = self.seg_mix[s].draw_distinct(rng, wanted)
            levels = rng.choices(LEVELS, cum_weights=REQ_LEVEL_CW[level], k=len(required))
            weights = rng.choices(WEIGHTS, cum_weights=WEIGHTS_CW, k=len(required))
            for a, lv, w in zip(required, levels, weights, strict=True):
                requirements.write([pid, ability_ids[a], str(lv), w])

            if rng.random() < 0.7:
                offering = self.seg_ent_pool[s].draw_distinct(rng, skewed(rng, 1.8, 1, 12))
                for e in offering:
                    offers.write([ent_ids[e], pid, str(skewed(rng, 4.0, 1, 200))])

    # -- majors and clusters ----------------------------------------------

    def _majors_and_clusters(self) -> None:
        rng, sizes = self.rng, self.sizes
        n_chains = sizes.chains
        cluster_chain: list[int] = []
        order = list(range(n_chains))
        rng.shuffle(order)
        for k in range(sizes.clusters):
            cluster_chain.append(order[k] if k < n_chains else self._pick_chain())
        cluster_size = [rng.choice((3, 4)) for _ in range(sizes.clusters)]
        # never need more majors than we have: shrink sizes if needed
        while sum(cluster_size) > sizes.majors:
            cluster_size[cluster_size.index(max(cluster_size))] -= 1
        self.major_ids = make_ids("M", sizes.majors)
        self.cluster_ids = make_ids("K", sizes.clusters)
        self.major_chain: list[int] = []
        self.major_cluster: list[int] = []
        self.cluster_majors: list[list[int]] = []
        m = 0
        for k, size in enumerate(cluster_size):
            members = list(range(m, m + size))
            self.cluster_majors.append(members)
            for _ in members:
                self.major_chain.append(cluster_chain[k])
                self.major_cluster.append(k)
            m += size
        while m < sizes.majors:
            self.major_chain.append(self._pick_chain())
            self.major_cluster.append(-1)
            m += 1
        self.cluster_chain = cluster_chain

        empty = Pool(rng, [])
        self.major_mix: list[Mixture] = []
        for m in range(sizes.majors):
            c = self.major_chain[m]
            segs = self.chain_segments[c]
            focus = rng.sample(segs, min(len(segs), rng.choice((1, 2, 2, 3))))
            others = [s for s in segs if s not in focus]
            related = self.related_chain[c]
            # how closely the major follows its chain: the rest goes to a related chain
            align = rng.uniform(0.45, 1.0)
            parts = [(self.seg_pool[s], 0.40 * align / len(focus)) for s in focus]
            parts += [(self.seg_pool[s], 0.10 * align / len(others)) for s in others]
            parts += [
                (self.common_pool[c], 0.25 * align),
                (self.general_pool, 0.15),
                (self.common_pool[related] if related >= 0 else empty, 0.10 + 0.75 * (1 - align)),
            ]
            self.major_mix.append(Mixture(parts))
        self.chain_basic_mix = [
            Mixture([(self.general_pool, 0.7), (self.common_pool[c], 0.3)]) for c in range(n_chains)
        ]

        majors = self._open("majors")
        for m in range(sizes.majors):
            code = f"{41 + m % 19:02d}{(m // 19) % 99 + 1:02d}{(m // 1881) % 99 + 1:02d}"
            name = f"{self.chain_domain[self.major_chain[m]]}{rng.choice(MAJOR_SUFFIXES)}"
            majors.write(
                [self.major_ids[m], name, code, pick(rng, EDUCATION_LEVELS, EDUCATION_LEVELS_CW)]
            )
        clusters = self._open("clusters")
        for k in range(sizes.clusters):
            members = self.cluster_majors[k]
            domain = self.chain_domain[cluster_chain[k]]
            lead = rng.choice(members)
            clusters.write(
                [
                    self.cluster_ids[k],
                    f"{domain}专业群{k + 1}",
                    self.chain_ids[cluster_chain[k]],
                    joined(self.major_ids, members),
                    self.major_ids[lead],
                ]
            )

    # -- courses and coverage ---------------------------------------------

    def _courses(self) -> None:
        rng, sizes = self.rng, self.sizes
        n_majors = sizes.majors
        shares = [rng.uniform(0.6, 1.4) for _ in range(n_majors)]
        total_share = sum(shares)
        per_major = [max(2, int(sizes.courses * s / total_share)) for s in shares]
        leftover = sizes.courses - sum(per_major)
        for i in range(max(0, leftover)):
            per_major[i % n_majors] += 1
        n_courses = sum(per_major)
        self.course_ids = make_ids("C", n_courses)
        self.course_name: list[str] = []
        self.course_cov: list[tuple[int, ...]] = []
        self.major_courses: list[list[int]] = [[] for _ in range(n_majors)]
        self.major_course_cw = cumulative(per_major)
        courses = self._open("courses")
        coverage = self._open("coverage")
        ability_ids, course_ids, major_ids = self.ability_ids, self.course_ids, self.major_ids
        course = 0
        for m in range(n_majors):
            count = per_major[m]
            k_cluster = self.major_cluster[m]
            siblings = (
                [x for x in self.cluster_majors[k_cluster] if x != m] if k_cluster >= 0 else []
            )
            chain = self.major_chain[m]
            own = self.major_courses[m]
            for k in range(count):
                kind = pick(rng, COURSE_KINDS, COURSE_KINDS_CW)
                basic = k < max(1, count // 7)
                mix = self.chain_basic_mix[chain] if basic else self.major_mix[m]
                covered = mix.draw_distinct(rng, skewed(rng, 6.3, 2, 45))
                if not covered:  # degenerate tiny pools: fall back to anything general
                    covered = self.general_pool.draw_distinct(rng, 1)
                levels = rng.choices(LEVELS, cum_weights=COVER_LEVEL_CW[kind], k=len(covered))
                cid = course_ids[course]
                for a, lv in zip(covered, levels, strict=True):
                    coverage.write([cid, ability_ids[a], str(lv)])

                in_majors = [m]
                core = [m] if rng.random() < 0.4 else []
                if rng.random() < 0.25:
                    if siblings:
                        second = rng.choice(siblings)
                    elif n_majors > 1:
                        second = rng.randrange(n_majors - 1)
                        second += second >= m
                    else:
                        second = -1
                    if second >= 0:
                        in_majors.append(second)
                        if rng.random() < 0.15:
                            core.append(second)
                prereqs: list[int] = []
                if k > 0:
                    wanted = pick(rng, PREREQ_COUNTS, PREREQ_COUNTS_CW)
                    prereqs = sorted(sample_distinct(rng, own[max(0, k - 12) : k], wanted))
                hours = rng.choice(COURSE_HOURS[kind])
                semester = 1 + (k * 6) // count
                name = f"{self.ability_topic[covered[0]]}{rng.choice(COURSE_SUFFIXES[kind])}"
                courses.write(
                    [
                        cid,
                        name,
                        str(hours),
                        f"{hours / 16:g}",
                        kind,
                        str(semester),
                        joined(major_ids, in_majors),
                        joined(major_ids, core),
                        joined(course_ids, prereqs),
                    ]
                )
                self.course_name.append(name)
                self.course_cov.append(tuple(covered))
                own.append(course)
                course += 1

    def _pick_major(self) -> int:
        return self.rng.choices(range(self.sizes.majors), cum_weights=self.major_course_cw)[0]

    def _abilities_of(self, courses: Sequence[int], count: int) -> list[int]:
        candidates = list(dict.fromkeys(a for c in courses for a in self.course_cov[c]))
        return sample_distinct(self.rng, candidates, count)

    # -- teachers, textbooks, training resources ---------------------------

    def _teachers(self) -> None:
        rng, sizes = self.rng, self.sizes
        ids = make_ids("T", sizes.teachers)
        writer = self._open("teachers")
        for t in range(sizes.teachers):
            m = self._pick_major()
            taught = sorted(sample_distinct(rng, self.major_courses[m], skewed(rng, 2.0, 1, 8)))
            expert = self._abilities_of(taught, skewed(rng, 2.0, 0, 8))
            from_enterprise = rng.random() < 0.2
            enterprise = ""
            if from_enterprise:
                affiliation, title = "enterprise", rng.choice(ENTERPRISE_TITLES)
                dual = rng.random() < 0.35
                enterprise = self.ent_ids[self.chain_ent_pool[self.major_chain[m]].draw(rng, 1)[0]]
            else:
                affiliation, title = "school", rng.choice(SCHOOL_TITLES)
                dual = rng.random() < 0.55
            writer.write(
                [
                    ids[t],
                    person_name(rng),
                    "true" if dual else "false",
                    affiliation,
                    title,
                    enterprise,
                    joined(self.course_ids, taught),
                    joined(self.ability_ids, expert),
                ]
            )

    def _textbooks(self) -> None:
        rng, sizes = self.rng, self.sizes
        ids = make_ids("TB", sizes.textbooks)
        writer = self._open("textbooks")
        isbn_start = rng.randrange(10_000, 20_000) * 10_000
        for b in range(sizes.textbooks):
            m = self._pick_major()
            own = self.major_courses[m]
            start = rng.randrange(len(own))
            used_in = own[start : start + skewed(rng, 1.4, 1, 4)]
            kind = pick(rng, TEXTBOOK_KINDS, TEXTBOOK_KINDS_CW)
            fmt = pick(rng, TEXTBOOK_FORMATS, TEXTBOOK_FORMATS_CW)
            partners: list[int] = []
            if kind == "school_enterprise":
                partners = self.chain_ent_pool[self.major_chain[m]].draw_distinct(
                    rng, rng.choice((1, 1, 2))
                )
            label = {"standard": "", "loose_leaf": "（活页式）", "workbook": "（工作手册式）"}[fmt]
            writer.write(
                [
                    ids[b],
                    f"{self.course_name[used_in[0]]}{label}",
                    kind,
                    fmt,
                    str(rng.randint(2014, 2025)),
                    isbn13(isbn_start + b),
                    joined(self.course_ids, used_in),
                    joined(self.ent_ids, partners),
                ]
            )

    def _training_resources(self) -> None:
        rng, sizes = self.rng, self.sizes
        ids = make_ids("TR", sizes.resources)
        writer = self._open("training_resources")
        for r in range(sizes.resources):
            m = self._pick_major()
            chain = self.major_chain[m]
            used_in = sorted(sample_distinct(rng, self.major_courses[m], skewed(rng, 2.5, 1, 10)))
            supports = self._abilities_of(used_in, skewed(rng, 2.5, 0, 10))
            kind = pick(rng, RESOURCE_KINDS, RESOURCE_KINDS_CW)
            enterprise = ""
            if rng.random() < (0.85 if kind in ("training_base", "joint_lab") else 0.5):
                enterprise = self.ent_ids[self.chain_ent_pool[chain].draw(rng, 1)[0]]
            topic = self.ability_topic[self.course_cov[used_in[0]][0]]
            writer.write(
                [
                    ids[r],
                    f"{topic}{RESOURCE_NAMES[kind]}",
                    kind,
                    str(rng.randint(2015, 2025)),
                    enterprise,
                    joined(self.course_ids, used_in),
                    joined(self.ability_ids, supports),
                ]
            )

    # -- certificates and competitions --------------------------------------

    def _certificates(self) -> None:
        rng, sizes = self.rng, self.sizes
        ids = make_ids("CE", sizes.certificates)
        seg_cw = cumulative([len(p) for p in self.seg_positions])
        associations = self.orgs_by_kind["association"]
        writer = self._open("certificates")
        for i in range(sizes.certificates):
            s = rng.choices(range(len(self.seg_chain)), cum_weights=seg_cw)[0]
            c = self.seg_chain[s]
            level = rng.choice((1, 2, 3))
            abilities = self.seg_mix[s].draw_distinct(rng, skewed(rng, 6.0, 2, 15))
            aligned = sorted(sample_distinct(rng, self.seg_positions[s], skewed(rng, 8.0, 1, 25)))
            if rng.random() < 0.6:
                issuer = self.ent_name[self.chain_ent_pool[c].draw(rng, 1)[0]]
            else:
                issuer = self.org_names[rng.choice(associations)]
            writer.write(
                [
                    ids[i],
                    f"{self.seg_name[s]}职业技能等级证书（{CERT_LEVEL_NAMES[level]}）",
                    str(level),
                    issuer,
                    joined(self.ability_ids, abilities),
                    joined(self.pos_ids, aligned),
                ]
            )

    def _competitions(self) -> None:
        rng, sizes = self.rng, self.sizes
        ids = make_ids("CP", sizes.competitions)
        writer = self._open("competitions")
        for i in range(sizes.competitions):
            c = self._pick_chain()
            s = rng.choice(self.chain_segments[c])
            national = rng.random() < 0.25
            where = "全国" if national else self.chain_region[c]
            abilities = self.seg_mix[s].draw_distinct(rng, skewed(rng, 6.0, 2, 15))
            writer.write(
                [
                    ids[i],
                    f"{where}职业院校技能大赛{self.seg_name[s]}赛项",
                    "national" if national else "provincial",
                    joined(self.ability_ids, abilities),
                ]
            )

    # -- colleges and partners ----------------------------------------------

    def _colleges_and_partners(self) -> None:
        rng, sizes = self.rng, self.sizes
        ids = make_ids("IC", sizes.colleges)
        order = list(range(sizes.clusters))
        rng.shuffle(order)
        college_clusters: list[list[int]] = [[k] for k in order[: sizes.colleges]]
        for k in order[sizes.colleges :]:
            college_clusters[rng.randrange(sizes.colleges)].append(k)
        universities = self.orgs_by_kind["university"]
        colleges = self._open("colleges")
        partners = self._open("partners")
        roles = {
            "chain_leader": "龙头企业",
            "little_giant": "专精特新小巨人企业",
            "provincial_srdi": "专精特新企业",
            "other": "合作企业",
        }
        for i in range(sizes.colleges):
            clusters = sorted(college_clusters[i])
            chains = list(dict.fromkeys(self.cluster_chain[k] for k in clusters))
            domain = self.chain_domain[chains[0]]
            university = universities[i]
            colleges.write(
                [
                    ids[i],
                    f"{self.org_names[university]}{domain}产业学院",
                    self.org_names[university],
                    f"{domain}产业",
                    joined(self.cluster_ids, clusters),
                ]
            )
            partners.write([ids[i], self.org_ids[university], "牵头院校"])
            wanted = skewed(rng, 6.0, 2, 20)
            enterprises: dict[int, None] = {}
            for c in chains:
                for e in self.chain_ent_pool[c].draw_distinct(rng, wanted):
                    enterprises[e] = None
            for e in list(enterprises)[:wanted]:
                partners.write([ids[i], self.ent_ids[e], roles[self.ent_tier[e]]])
            for kind, role in (
                ("sme_center", "服务机构"),
                ("association", "行业指导"),
                ("industrial_park", "园区支撑"),
            ):
                if rng.random() < 0.5:
                    partners.write(
                        [ids[i], self.org_ids[rng.choice(self.orgs_by_kind[kind])], role]
                    )


def isbn13(serial: int) -> str:
    """Build a valid, hyphenated ISBN-13 in the Chinese (978-7) range.

    Args:
        serial: An 8-digit number; distinct serials give distinct ISBNs.

    Returns:
        The ISBN, e.g. ``978-7-1234-5678-9``.
    """
    body = f"9787{serial % 100_000_000:08d}"
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
    check = (10 - total % 10) % 10
    return f"978-7-{body[4:8]}-{body[8:12]}-{check}"


def report(writers: dict[str, TableWriter], seconds: float) -> None:
    """Print row counts, node and relationship totals and the time taken.

    Args:
        writers: Closed writers by file name.
        seconds: Wall-clock seconds the generation took.
    """
    nodes = 0
    relationships = 0
    core = 0
    width = max(len(name) for name in TABLES) + 4
    print(f"{'file':<{width}} {'rows':>10} {'relationships':>14}")
    for name in TABLES:
        writer = writers.get(name)
        if writer is None:
            continue
        print(f"{name + '.csv':<{width}} {writer.rows:>10,} {writer.relationships:>14,}")
        relationships += writer.relationships
        if not writer.spec.relationship_file:
            nodes += writer.rows
        core += writer.by_column.get("core_major_ids", 0)
    print(f"nodes: {nodes:,}")
    print(f"relationships: {relationships:,}")
    print(f"  of which core_major_ids ids (a property of IN_MAJOR, not extra edges): {core:,}")
    print(f"seconds: {seconds:.2f}")


def main() -> None:
    """Parse the command line, generate the dataset and print its counts."""
    parser = argparse.ArgumentParser(
        description="Generate a synthetic national-scale chanjiao CSV dataset."
    )
    parser.add_argument("out_dir", type=Path, help="folder to write the CSV files into")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="size factor; 1.0 is national scale (default)"
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    args = parser.parse_args()
    if args.scale <= 0:
        parser.error("--scale must be positive")
    started = time.perf_counter()
    writers = Generator(args.out_dir, args.scale, args.seed).run()
    report(writers, time.perf_counter() - started)


if __name__ == "__main__":
    main()
