"""1EdTech CASE (Competencies and Academic Standards Exchange): the ability framework out and in.

Export (`export_case`) writes a CFPackage, CASE 1.1 by default or 1.0:

- one ``CFDocument`` for the framework (title given, creator ``chanjiao``);
- one ``CFItem`` per ability: ``humanCodingScheme`` = the ability id,
  ``fullStatement`` = name, ``alternativeLabel`` = ``name_en``, ``notes`` =
  description, ``CFItemType`` = the category's Chinese word (知识 / 技能 / 素养),
  ``language`` = ``zh``;
- ``isChildOf`` associations for the hierarchy (child → parent; a top ability is a
  child of the document, as OpenSALT does), numbered by id;
- each requirement of a position as an ``isRelatedTo`` association from the
  position (a node outside the package, ``urn:uuid:…``) to the ability, carrying
  ``extensions.chanjiao = {"relation": "REQUIRES", "position_id", "position_name",
  "level", "level_name", "weight"}``. CASE 1.1 defines ``extensions``; in 1.0 it is an
  extra property the 1.0 schema allows and other 1.0 readers ignore.

Identifiers are stable: ``uuid5(NAMESPACE, "<kind>:<id>")`` with kind ``document``,
``ability``, ``position``, ``child`` or ``requires``, so exporting twice gives the
same identifiers and a platform can update what it imported. URIs are
``urn:uuid:<identifier>``, or ``<base-uri>/CFItems/<identifier>`` (and so on) when a
base URI is given.

Import (`import_case`) reads a CFPackage JSON document or OpenSALT's Excel layout
(sheets ``CF Doc``, ``CF Item``, ``CF Association``) into abilities, their
hierarchy and, when present, chanjiao's requirement associations. An item's id is
its ``humanCodingScheme`` when that is a usable, unique id, else ``CASE-<identifier>``.
"""

from __future__ import annotations

import io
import json
import uuid
from collections import defaultdict
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from chanjiao.errors import InvalidRequest
from chanjiao.graph.schema import LEVEL_WORDS, AbilityCategory, Label, parse_choice, words_of
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.export import DatasetRow, edge_rows, node_rows
from chanjiao.ingest.formats import file_format
from chanjiao.interop import CASE_ID_PREFIX
from chanjiao.interop.common import ImportedDataset, Problems, clip

#: The namespace of every identifier chanjiao derives (uuid5 of its URL).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://chanjiao.invalid/case")
VERSIONS = ("1.1", "1.0")
ID_PREFIX = CASE_ID_PREFIX
EXTENSION = "chanjiao"
SHEETS = ("CF Doc", "CF Item", "CF Association")


def stable_uuid(kind: str, node_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{node_id}"))


# --- export ---------------------------------------------------------------------------------


class _Uris:
    def __init__(self, base: str | None) -> None:
        self.base = base.rstrip("/") if base else None

    def __call__(self, kind: str, identifier: str) -> str:
        if self.base is None:
            return f"urn:uuid:{identifier}"
        return f"{self.base}/{kind}/{identifier}"


def export_case(
    store: GraphStore,
    *,
    version: str = "1.1",
    title: str = "chanjiao 能力框架 Ability framework",
    base_uri: str | None = None,
    positions: Collection[str] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The store's ability framework as a CFPackage (a JSON-ready dict).

    Args:
        version: ``"1.1"`` or ``"1.0"``.
        positions: only these positions' ability models (their abilities and the
            abilities above them); None: every ability and requirement.
        now: the ``lastChangeDateTime`` written (default: the current UTC time).

    Raises:
        InvalidRequest: an unknown version, or a position that does not exist.
    """
    if version not in VERSIONS:
        raise InvalidRequest(
            f"不支持的 CASE 版本 {version}；可用 1.1 或 1.0",
            f"unsupported CASE version {version}; use 1.1 or 1.0",
        )
    stamp = (now or datetime.now(UTC)).replace(microsecond=0).isoformat()
    uri = _Uris(base_uri)
    abilities_fmt, requirements_fmt = file_format("abilities"), file_format("requirements")
    assert abilities_fmt is not None and requirements_fmt is not None
    with store.reading():
        abilities = node_rows(store, abilities_fmt)
        requirements = edge_rows(store, requirements_fmt)
        position_ids = sorted({r["position_id"] for r in requirements})
        names: dict[str, str] = {
            p: n.name for p, n in store.nodes(Label.POSITION, position_ids).items()
        }
    if positions is not None:
        missing = sorted(set(positions) - set(names))
        if missing:
            raise InvalidRequest(
                f"岗位 {', '.join(missing)} 不存在或没有能力要求",
                f"position(s) {', '.join(missing)} do not exist or have no requirements",
            )
        requirements = [r for r in requirements if r["position_id"] in set(positions)]
        abilities = _with_ancestors(abilities, {r["ability_id"] for r in requirements})

    doc_id = stable_uuid("document", title)
    doc_uri = uri("CFDocuments", doc_id)
    document: dict[str, Any] = {
        "identifier": doc_id,
        "uri": doc_uri,
        "creator": "chanjiao",
        "title": title,
        "lastChangeDateTime": stamp,
        "language": "zh",
        "description": "岗位能力模型（能力层级与岗位能力要求），由 chanjiao 导出。"
        " Ability framework and position requirements exported by chanjiao.",
    }
    if version == "1.1":
        document["caseVersion"] = "1.1"
    doc_link = {"title": title, "identifier": doc_id, "uri": doc_uri}
    items: list[dict[str, Any]] = []
    links: dict[str, dict[str, str]] = {}
    for row in abilities:
        identifier = stable_uuid("ability", row["id"])
        item: dict[str, Any] = {
            "identifier": identifier,
            "uri": uri("CFItems", identifier),
            "fullStatement": row["name"],
            "humanCodingScheme": row["id"],
            "language": "zh",
            "lastChangeDateTime": stamp,
        }
        if row.get("name_en"):
            item["alternativeLabel"] = row["name_en"]
        if row.get("description"):
            item["notes"] = row["description"]
        if row.get("category"):
            item["CFItemType"] = words_of(AbilityCategory(row["category"]))[0]
        if version == "1.0":
            item["CFDocumentURI"] = doc_link
        items.append(item)
        links[row["id"]] = {"title": row["name"], "identifier": identifier, "uri": item["uri"]}

    associations: list[dict[str, Any]] = []

    def associate(
        kind: str, key: str, type_: str, origin: dict[str, str], dest: dict[str, str]
    ) -> dict[str, Any]:
        identifier = stable_uuid(kind, key)
        record: dict[str, Any] = {
            "identifier": identifier,
            "associationType": type_,
            "uri": uri("CFAssociations", identifier),
            "originNodeURI": origin,
            "destinationNodeURI": dest,
            "lastChangeDateTime": stamp,
        }
        if version == "1.0":
            record["CFDocumentURI"] = doc_link
        associations.append(record)
        return record

    children: dict[str | None, list[str]] = defaultdict(list)
    for row in abilities:
        parent = row.get("parent_id")
        children[parent if parent in links else None].append(row["id"])
    for parent, kids in sorted(children.items(), key=lambda kv: (kv[0] is not None, kv[0] or "")):
        for sequence, child in enumerate(sorted(kids), start=1):
            dest = doc_link if parent is None else links[parent]
            record = associate("child", f"{child}>{parent or ''}", "isChildOf", links[child], dest)
            record["sequenceNumber"] = sequence
    for req in requirements:
        pid, aid = req["position_id"], req["ability_id"]
        if aid not in links:
            continue
        position_uuid = stable_uuid("position", pid)
        origin: dict[str, str] = {
            "title": str(names.get(pid, pid)),
            "identifier": position_uuid,
            "uri": f"urn:uuid:{position_uuid}",
        }
        record = associate("requires", f"{pid}>{aid}", "isRelatedTo", origin, links[aid])
        level = int(req["level"])
        record["extensions"] = {
            EXTENSION: {
                "relation": "REQUIRES",
                "position_id": pid,
                "position_name": names.get(pid, pid),
                "level": level,
                "level_name": LEVEL_WORDS[level],
                "weight": float(req.get("weight", 1.0)),
            }
        }
    return {
        "CFDocument": document,
        "CFItems": items,
        "CFAssociations": associations,
        "CFDefinitions": {
            "CFConcepts": [],
            "CFSubjects": [],
            "CFLicenses": [],
            "CFItemTypes": [],
            "CFAssociationGroupings": [],
        },
    }


def _with_ancestors(abilities: list[DatasetRow], wanted: set[str]) -> list[DatasetRow]:
    by_id = {row["id"]: row for row in abilities}
    keep: set[str] = set()
    for ability_id in wanted:
        current: str | None = ability_id
        while current is not None and current in by_id and current not in keep:
            keep.add(current)
            current = by_id[current].get("parent_id")
    return [row for row in abilities if row["id"] in keep]


def package_bytes(package: dict[str, Any]) -> bytes:
    return (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def package_xlsx(package: dict[str, Any]) -> bytes:
    """The package in OpenSALT's Excel layout (document, items, hierarchy; no extensions)."""
    import openpyxl

    book = openpyxl.Workbook()
    doc_sheet = book.active
    doc_sheet.title = SHEETS[0]
    doc = package["CFDocument"]
    doc_columns = ["identifier", "creator", "title", "lastChangeDate", "description", "language"]
    doc_sheet.append(doc_columns)
    doc_sheet.append(
        [
            doc.get("lastChangeDateTime") if c == "lastChangeDate" else doc.get(c)
            for c in doc_columns
        ]
    )
    item_sheet = book.create_sheet(SHEETS[1])
    item_columns = [
        "identifier",
        "fullStatement",
        "humanCodingScheme",
        "smartLevel",
        "listEnumeration",
        "abbreviatedStatement",
        "conceptKeywords",
        "notes",
        "language",
        "educationLevel",
        "CFItemType",
        "license",
        "lastChangeDateTime",
        "alternativeLabel",
    ]
    item_sheet.append(item_columns)
    for item in package["CFItems"]:
        item_sheet.append([_text(item.get(c)) for c in item_columns])
    assoc_sheet = book.create_sheet(SHEETS[2])
    assoc_columns = [
        "identifier",
        "uri",
        "originNodeIdentifier",
        "originNodeUri",
        "destinationNodeIdentifier",
        "destinationNodeUri",
        "associationType",
        "associationGroupIdentifier",
        "associationGroupName",
        "lastChangeDateTime",
        "sequenceNumber",
    ]
    assoc_sheet.append(assoc_columns)
    for assoc in package.get("CFAssociations", []):
        if assoc["associationType"] != "isChildOf":
            continue
        origin, dest = assoc["originNodeURI"], assoc["destinationNodeURI"]
        assoc_sheet.append(
            [
                assoc["identifier"],
                assoc["uri"],
                origin["identifier"],
                origin["uri"],
                dest["identifier"],
                dest["uri"],
                "isChildOf",
                None,
                None,
                assoc["lastChangeDateTime"],
                assoc.get("sequenceNumber"),
            ]
        )
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text(value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value


# --- import ---------------------------------------------------------------------------------


def read_package(name: str, data: bytes) -> dict[str, Any]:
    """A CFPackage from a JSON document or an OpenSALT workbook (by content).

    Raises:
        IngestError: neither, or the workbook lacks OpenSALT's sheets.
    """
    problems = Problems()
    if data[:4] == b"PK\x03\x04":
        package = _package_from_workbook(name, data, problems)
    else:
        try:
            package = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            problems.add(name, None, None, f"不是有效的 JSON：{exc}", f"not valid JSON: {exc}")
            package = {}
        if not problems.items and not (isinstance(package, dict) and "CFItems" in package):
            problems.add(
                name,
                None,
                "CFItems",
                "这不是 CASE 框架包（CFPackage）：缺少 CFItems",
                "this is not a CASE CFPackage: CFItems is missing",
            )
    problems.check()
    return package


def _package_from_workbook(name: str, data: bytes, problems: Problems) -> dict[str, Any]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        problems.add(
            name,
            None,
            None,
            f"无法打开 Excel 文件（{type(exc).__name__}）",
            f"cannot open the workbook ({type(exc).__name__})",
        )
        return {}
    missing = [s for s in SHEETS[1:] if s not in book.sheetnames]
    for sheet in missing:
        problems.add(
            name,
            None,
            None,
            f"缺少工作表“{sheet}”（OpenSALT 的 CASE 表格应有 CF Doc、CF Item、CF Association）",
            f"the sheet '{sheet}' is missing (OpenSALT's layout has CF Doc, CF Item, CF Association)",
        )
    if missing:
        return {}

    def rows(sheet_name: str) -> list[tuple[int, dict[str, Any]]]:
        if sheet_name not in book.sheetnames:
            return []
        values = list(book[sheet_name].iter_rows(values_only=True))
        if not values:
            return []
        header = [str(h).strip() if h is not None else "" for h in values[0]]
        out = []
        for number, record in enumerate(values[1:], start=2):
            cells = {
                h: (str(v).strip() if not isinstance(v, int | float) else v)
                for h, v in zip(header, record, strict=False)
                if h and v is not None and str(v).strip()
            }
            if cells:
                out.append((number, cells))
        return out

    docs = rows("CF Doc")
    document = dict(docs[0][1]) if docs else {}
    items = []
    for number, cells in rows("CF Item"):
        if "identifier" not in cells:
            problems.add(
                f"{name} → CF Item", number, "identifier", "缺少 identifier", "identifier is empty"
            )
            continue
        item = {k: v for k, v in cells.items() if k != "smartLevel"}
        item["_row"] = number
        if "smartLevel" in cells:
            item["_smartLevel"] = str(cells["smartLevel"])
        items.append(item)
    associations = []
    for number, cells in rows("CF Association"):
        if "originNodeIdentifier" not in cells or "destinationNodeIdentifier" not in cells:
            problems.add(
                f"{name} → CF Association",
                number,
                "originNodeIdentifier",
                "关联缺少起点或终点的 identifier",
                "the association lacks its origin or destination identifier",
            )
            continue
        record: dict[str, Any] = {
            "identifier": cells.get("identifier", ""),
            "associationType": cells.get("associationType", ""),
            "originNodeURI": {"identifier": str(cells["originNodeIdentifier"]), "title": ""},
            "destinationNodeURI": {
                "identifier": str(cells["destinationNodeIdentifier"]),
                "title": "",
            },
            "_row": number,
        }
        if isinstance(cells.get("sequenceNumber"), int | float):
            record["sequenceNumber"] = int(cells["sequenceNumber"])
        associations.append(record)
    if not any(a["associationType"] == "isChildOf" for a in associations):
        associations += _smart_level_links(items)
    return {
        "CFDocument": document,
        "CFItems": items,
        "CFAssociations": associations,
        "_excel": True,
    }


def _smart_level_links(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The hierarchy OpenSALT's smartLevel column implies (1.2 is a child of 1)."""
    by_level = {item["_smartLevel"]: item["identifier"] for item in items if "_smartLevel" in item}
    links = []
    for level, identifier in by_level.items():
        parent = level.rsplit(".", 1)[0] if "." in level else None
        if parent in by_level:
            links.append(
                {
                    "identifier": "",
                    "associationType": "isChildOf",
                    "originNodeURI": {"identifier": identifier, "title": ""},
                    "destinationNodeURI": {"identifier": by_level[parent], "title": ""},
                }
            )
    return links


def _usable_id(text: Any) -> bool:
    return (
        isinstance(text, str)
        and 0 < len(text.strip()) <= 100
        and not any(ch in text for ch in ";；,，、\r\n\t")
    )


def import_case(
    package: dict[str, Any],
    source: str,
    *,
    id_prefix: str = ID_PREFIX,
    with_requirements: bool = True,
) -> ImportedDataset:
    """Abilities, hierarchy and (chanjiao's own) requirements from a CFPackage.

    Args:
        with_requirements: also import chanjiao's requirement associations (their
            positions must exist where the dataset is loaded); False: abilities only.

    Raises:
        IngestError: an item without identifier or statement, or an association
            whose ends are malformed; nothing is made.
    """
    problems = Problems()
    excel = bool(package.get("_excel"))
    items_source = f"{source} → CF Item" if excel else f"{source} → CFItems"
    assoc_source = f"{source} → CF Association" if excel else f"{source} → CFAssociations"
    items = package.get("CFItems") or []
    if not isinstance(items, list):
        problems.add(items_source, None, None, "CFItems 应为列表", "CFItems must be a list")
        items = []
    codes = [i.get("humanCodingScheme") for i in items if isinstance(i, dict)]
    repeated = {c for c in codes if c is not None and codes.count(c) > 1}
    ids: dict[str, str] = {}  # CASE identifier → ability id
    rows: list[DatasetRow] = []
    for index, item in enumerate(items, start=1):
        number = item.get("_row", index) if isinstance(item, dict) else index
        if not isinstance(item, dict):
            problems.add(items_source, number, None, "这一项不是对象", "this item is not an object")
            continue
        identifier = str(item.get("identifier") or "").strip()
        statement = item.get("abbreviatedStatement") or item.get("fullStatement")
        if not identifier:
            problems.add(
                items_source, number, "identifier", "缺少 identifier", "identifier is missing"
            )
            continue
        if not isinstance(statement, str) or not statement.strip():
            problems.add(
                items_source,
                number,
                "fullStatement",
                "缺少 fullStatement（能力名称）",
                "fullStatement (the ability's name) is missing",
            )
            continue
        code = item.get("humanCodingScheme")
        usable = isinstance(code, str) and _usable_id(code) and code not in repeated
        ability_id = str(code).strip() if usable else id_prefix + identifier
        if identifier in ids:
            problems.add(
                items_source,
                number,
                "identifier",
                f"identifier {identifier} 重复",
                f"duplicate identifier {identifier}",
            )
            continue
        ids[identifier] = ability_id
        row: DatasetRow = {"id": ability_id, "name": clip(statement)}
        description = item.get("notes")
        if item.get("abbreviatedStatement") and item.get("fullStatement"):
            description = item["fullStatement"] + (f" {description}" if description else "")
        if isinstance(description, str) and description.strip():
            row["description"] = clip(description)
        kind = item.get("CFItemType")
        category = parse_choice(AbilityCategory, str(kind).strip().lower()) if kind else None
        if category is None and kind:
            category = parse_choice(AbilityCategory, str(kind).strip())
        if category is not None:
            row["category"] = category.value
        if isinstance(item.get("alternativeLabel"), str) and item["alternativeLabel"].strip():
            row["name_en"] = clip(item["alternativeLabel"])
        rows.append(row)

    parents: dict[str, list[tuple[int, str]]] = defaultdict(list)
    requirements: list[DatasetRow] = []
    extra_parents = 0
    for index, assoc in enumerate(package.get("CFAssociations") or [], start=1):
        number = assoc.get("_row", index) if isinstance(assoc, dict) else index
        try:
            origin = str(assoc["originNodeURI"]["identifier"])
            dest = str(assoc["destinationNodeURI"]["identifier"])
            kind = assoc["associationType"]
        except (KeyError, TypeError):
            problems.add(
                assoc_source,
                number,
                "originNodeURI",
                "关联缺少 associationType、originNodeURI 或 destinationNodeURI",
                "the association lacks associationType, originNodeURI or destinationNodeURI",
            )
            continue
        if kind == "isChildOf" and origin in ids and dest in ids:
            parents[ids[origin]].append((assoc.get("sequenceNumber") or 0, ids[dest]))
        ext = (assoc.get("extensions") or {}).get(EXTENSION) if isinstance(assoc, dict) else None
        if (
            with_requirements
            and isinstance(ext, dict)
            and ext.get("relation") == "REQUIRES"
            and dest in ids
        ):
            requirement: DatasetRow = {
                "position_id": ext.get("position_id"),
                "ability_id": ids[dest],
                "level": ext.get("level"),
            }
            if ext.get("weight") is not None:
                requirement["weight"] = ext["weight"]
            requirements.append(requirement)
    for row in rows:
        found = parents.get(row["id"])
        if found:
            row["parent_id"] = sorted(found)[0][1]
            extra_parents += len(found) - 1
    problems.check()

    title = (package.get("CFDocument") or {}).get("title") or source
    dataset = ImportedDataset(f"CASE {title}")
    dataset.tables["abilities"] = sorted(rows, key=lambda r: r["id"])
    if requirements:
        dataset.tables["requirements"] = sorted(
            requirements, key=lambda r: (str(r["position_id"]), r["ability_id"])
        )
    document = package.get("CFDocument") or {}
    credit = ", ".join(
        str(document[k]) for k in ("title", "creator", "publisher") if document.get(k)
    )
    dataset.notes.append(
        (
            f"来源：CASE 框架“{credit or source}”；请遵守其发布者的许可。",
            f"Source: the CASE framework '{credit or source}'; follow its publisher's licence.",
        )
    )
    dataset.notes.append(
        (
            f"{len(rows)} 项能力；层级来自 isChildOf 关联；{len(requirements)} 条岗位能力要求"
            f"（来自 chanjiao 的扩展字段）；{extra_parents} 个多余的上级未导入（每项能力只有一个上级）。",
            f"{len(rows)} abilities; hierarchy from isChildOf; {len(requirements)} requirements "
            f"(from chanjiao's extensions); {extra_parents} extra parent(s) left out "
            "(an ability has one parent).",
        )
    )
    dataset.summary = {
        "abilities": len(rows),
        "hierarchy": sum(1 for r in rows if r.get("parent_id")),
        "requirements": len(requirements),
        "extra_parents": extra_parents,
    }
    return dataset
