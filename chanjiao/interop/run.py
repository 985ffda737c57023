"""One entry point over every importer, for shells that receive files by role (the API).

`run_import` checks that the files a format needs are there, calls its importer and
loads the result into the store, all or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from chanjiao.errors import InvalidRequest
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.load import IngestResult
from chanjiao.interop import case, esco, onet, osmt
from chanjiao.interop.common import ImportedDataset, Progress, load_dataset, quiet

Files = dict[str, list[tuple[str, bytes]]]


class ImportFormat(StrEnum):
    ONET = "onet"
    ESCO = "esco"
    CASE = "case"
    OSMT = "osmt"


#: The file roles each format reads: (role, required).
ROLES: dict[ImportFormat, tuple[tuple[str, bool], ...]] = {
    ImportFormat.ONET: (("skills", False), ("knowledge", False), ("tasks", False)),
    ImportFormat.ESCO: (("occupations", True), ("skills", True), ("relations", True)),
    ImportFormat.CASE: (("file", True),),
    ImportFormat.OSMT: (("file", True),),
}


@dataclass
class ImportOptions:
    """The settings of every format; each importer reads the ones it has."""

    codes: list[str] = field(default_factory=list)  # "CODE" or "CODE=名称"
    segment: str | None = None
    level_cuts: str = "2,3.5,5"
    min_importance: float = 3.0
    essential_weight: float = 2.0
    optional_weight: float = 1.0
    include_optional: bool = True
    level: int = 3
    weight: float = 1.0
    id_prefix: str = case.ID_PREFIX
    with_requirements: bool = True  # case: also chanjiao's requirement associations
    release: str = "29.x"  # onet: the database release named in the credit line


def named_codes(values: list[str]) -> dict[str, str | None]:
    """``CODE`` or ``CODE=名称`` values → {code: name or None}."""
    named: dict[str, str | None] = {}
    for value in values:
        code, _, name = value.partition("=")
        if code.strip():
            named[code.strip()] = name.strip() or None
    return named


def _need(condition: bool, zh: str, en: str) -> None:
    if not condition:
        raise InvalidRequest(zh, en)


def build_import(
    fmt: ImportFormat,
    files: Files,
    options: ImportOptions,
    *,
    positions: dict[str, list[str]] | None = None,
    progress: Progress = quiet,
) -> ImportedDataset:
    """The dataset an import makes (nothing is written).

    Args:
        positions: for OSMT, `osmt.positions_by_soc` of the target store (None: none).

    Raises:
        InvalidRequest: a file or setting the format needs is missing.
        IngestError: the files are not the standard's layout.
    """
    for role, required in ROLES[fmt]:
        _need(
            not required or bool(files.get(role)),
            f"缺少文件 {role}（{fmt} 需要：{', '.join(r for r, _ in ROLES[fmt])}）",
            f"the file '{role}' is missing ({fmt} reads: {', '.join(r for r, _ in ROLES[fmt])})",
        )
    codes = named_codes(options.codes)
    if fmt in (ImportFormat.ONET, ImportFormat.ESCO):
        _need(bool(codes), "请给出职业代码 code", "give at least one occupation code")
        _need(bool(options.segment), "请给出新岗位所属的环节 segment", "give the segment")
    if fmt is ImportFormat.ONET:
        rated = files.get("skills", []) + files.get("knowledge", [])
        _need(
            bool(rated),
            "请给出 skills 或 knowledge 文件（O*NET 的 Skills.txt、Knowledge.txt）",
            "give the skills and/or knowledge file (O*NET Skills.txt, Knowledge.txt)",
        )
        try:
            cuts = onet.parse_cuts(options.level_cuts)
        except ValueError as exc:
            raise InvalidRequest(str(exc), str(exc)) from None
        settings = onet.OnetSettings(
            str(options.segment), cuts, options.min_importance, options.release
        )
        tasks = files.get("tasks") or []
        return onet.import_onet(
            rated, codes, settings, tasks=tasks[0] if tasks else None, progress=progress
        )
    if fmt is ImportFormat.ESCO:
        return esco.import_esco(
            files["occupations"][0],
            files["skills"][0],
            files["relations"][0],
            codes,
            esco.EscoSettings(
                str(options.segment),
                options.essential_weight,
                options.optional_weight,
                options.level,
                options.include_optional,
            ),
            progress=progress,
        )
    if fmt is ImportFormat.CASE:
        name, data = files["file"][0]
        return case.import_case(
            case.read_package(name, data),
            name,
            id_prefix=options.id_prefix,
            with_requirements=options.with_requirements,
        )
    return osmt.import_osmt(
        files["file"], positions or {}, osmt.OsmtSettings(options.level, options.weight)
    )


def run_import(
    store: GraphStore,
    fmt: ImportFormat,
    files: Files,
    options: ImportOptions,
    *,
    dry_run: bool = False,
    author: str | None = None,
) -> tuple[ImportedDataset, IngestResult]:
    """Import and load into `store`, all or nothing (or, in a dry run, say what would change)."""
    positions = osmt.positions_by_soc(store) if fmt is ImportFormat.OSMT else None
    dataset = build_import(fmt, files, options, positions=positions)
    return dataset, load_dataset(store, dataset, dry_run=dry_run, author=author)
