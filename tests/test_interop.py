"""Importers and CASE export on the real standards files in tests/data/standards.

Numbers are checked by hand against the source rows, e.g. O*NET 51-9141.00
"Production and Processing" (2.C.2.a): IM 3.90, LV 3.70 → level 3 (3.5 ≤ LV < 5),
weight 3.9.
"""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path
from typing import Any

import jsonschema
import openpyxl
import pytest
from typer.testing import CliRunner

from chanjiao.cli import app, sample_path
from chanjiao.errors import IngestError, InvalidRequest
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.schema import Label, Rel
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.export import export_dataset
from chanjiao.ingest.load import ingest
from chanjiao.interop import case, catalog, esco, onet, osmt
from chanjiao.interop.common import load_dataset, write_dataset
from tests.util import DATA, SMALL, dump

STANDARDS = DATA / "standards"
ONET_FILES = [
    STANDARDS / "onet_skills_semiconductor.tsv",
    STANDARDS / "onet_knowledge_semiconductor.tsv",
]
TASKS = STANDARDS / "onet_29_2_tasks_semiconductor.tsv"
ESCO = [
    STANDARDS / "esco_occupations_ict.csv",
    STANDARDS / "esco_skills_ict.csv",
    STANDARDS / "esco_occupation_skill_relations_ict.csv",
]


def read(path: Path) -> tuple[str, bytes]:
    return (path.name, path.read_bytes())


def semiconductor(segment: str = "SEG-FAB", **settings: Any) -> onet.ImportedDataset:
    return onet.import_onet(
        [read(p) for p in ONET_FILES],
        {"51-9141.00": "半导体工艺技术员"},
        onet.OnetSettings(segment, **settings),
        tasks=read(TASKS),
    )


@pytest.fixture
def sample(tmp_path: Path) -> EmbeddedStore:
    graph = EmbeddedStore(tmp_path / "sample.db")
    ingest(graph, sample_path())
    return graph


# --- O*NET ------------------------------------------------------------------------------------


def test_onet_levels_weights_and_skips_match_the_rows_by_hand() -> None:
    dataset = semiconductor()
    reqs = {r["ability_id"]: r for r in dataset.tables["requirements"]}
    # 2.C.2.a Production and Processing: IM 3.90, LV 3.70 → 3 掌握, weight 3.9
    assert reqs["ONET-2.C.2.a"] == {
        "position_id": "ONET-51-9141.00",
        "ability_id": "ONET-2.C.2.a",
        "level": 3,
        "weight": 3.9,
    }
    # 2.A.1.a Reading Comprehension: IM 3.38, LV 3.38 → 2 理解 (2 ≤ LV < 3.5)
    assert (reqs["ONET-2.A.1.a"]["level"], reqs["ONET-2.A.1.a"]["weight"]) == (2, 3.38)
    # 2.B.3.g Operations Monitoring: LV 3.50 sits on the cut → 3
    assert reqs["ONET-2.B.3.g"]["level"] == 3
    # 2.A.1.c Writing: IM 2.75 < 3 → left out; 2.C.1.d Sales: LV row flagged Y/Y → left out
    assert "ONET-2.A.1.c" not in reqs and "ONET-2.C.1.d" not in reqs
    # 68 elements = 12 kept + 8 not relevant + 5 suppressed + 43 below IM 3
    assert len(reqs) == 12
    assert dataset.summary["skipped_not_relevant"] == 8
    assert dataset.summary["skipped_suppressed"] == 5
    assert dataset.summary["skipped_unimportant"] == 43
    assert "8 element(s) flagged Not Relevant" in dataset.notes[2][1]


def test_onet_abilities_keep_ids_english_names_and_groups() -> None:
    dataset = semiconductor()
    abilities = {a["id"]: a for a in dataset.tables["abilities"]}
    assert abilities["ONET-2.C.2.a"] == {
        "id": "ONET-2.C.2.a",
        "name": "Production and Processing",
        "name_en": "Production and Processing",
        "category": "knowledge",
        "parent_id": "ONET-2.C.2",
    }
    assert abilities["ONET-2.A.1.a"]["category"] == "skill"
    assert abilities["ONET-2.C.2"]["name"] == "制造与生产"
    assert abilities["ONET-2.C.2"]["parent_id"] == "ONET-2.C"
    position = dataset.tables["positions"][0]
    assert position["occupation_code"] == "51-9141.00"
    # core tasks first: the first row of 51-9141.00 in the tasks file is a Core task
    assert position["description"].startswith("典型工作任务 Tasks: Manipulate valves")
    assert "O*NET 29.x Database" in dataset.notes[0][1] and "CC BY 4.0" in dataset.notes[0][1]


def test_onet_cut_points_and_threshold_are_settings() -> None:
    dataset = semiconductor(level_cuts=(1.0, 2.0, 3.0), min_importance=1.0)
    reqs = {r["ability_id"]: r for r in dataset.tables["requirements"]}
    assert reqs["ONET-2.A.1.a"]["level"] == 4  # LV 3.38 ≥ 3
    assert (reqs["ONET-2.A.1.c"]["level"], reqs["ONET-2.A.1.c"]["weight"]) == (3, 2.75)
    assert onet.parse_cuts("2，3.5，5") == (2.0, 3.5, 5.0)
    with pytest.raises(ValueError, match="increasing"):
        onet.parse_cuts("3,2,5")


def test_onet_bad_cells_are_located_and_nothing_is_made(tmp_path: Path) -> None:
    lines = ONET_FILES[0].read_text(encoding="utf-8").splitlines()
    broken = [lines[0], *lines[1:10]]
    cells = broken[5].split("\t")
    cells[4] = "abc"
    broken[5] = "\t".join(cells)
    with pytest.raises(IngestError) as caught:
        onet.import_onet(
            [("Skills.txt", "\n".join(broken).encode())],
            {cells[0]: None},
            onet.OnetSettings("S1"),
        )
    problem = caught.value.problems[0]
    assert (problem.source, problem.row, problem.column) == ("Skills.txt", 6, "Data Value")
    assert "abc" in problem.zh and "abc" in problem.en
    with pytest.raises(IngestError) as caught:
        onet.import_onet([read(ONET_FILES[0])], {"99-9999.00": None}, onet.OnetSettings("S1"))
    assert "99-9999.00" in caught.value.problems[0].zh
    with pytest.raises(IngestError) as caught:
        onet.import_onet([("x.txt", b"a\tb\n1\t2\n")], {"1": None}, onet.OnetSettings("S1"))
    assert caught.value.problems[0].column == "O*NET-SOC Code"


def test_onet_cli_writes_a_dataset_with_credit_that_then_ingests(
    tmp_path: Path, sample: EmbeddedStore
) -> None:
    folder = tmp_path / "onet"
    result = CliRunner().invoke(
        app,
        [
            "import", "onet", "--skills", str(ONET_FILES[0]), "--knowledge", str(ONET_FILES[1]),
            "--tasks", str(TASKS), "--soc", "51-9141.00=半导体工艺技术员", "--segment", "SEG-FAB",
            "--output", str(folder),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == [
        "abilities.csv",
        "positions.csv",
        "requirements.csv",
        "来源与许可 SOURCE.txt",
    ]
    assert "USDOL/ETA" in (folder / "来源与许可 SOURCE.txt").read_text(encoding="utf-8")
    assert "name_en" in (folder / "abilities.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    loaded = ingest(sample, folder)
    assert loaded.relationships[Rel.REQUIRES].added == 12
    req = {r.dst: r.props for r in sample.relationships(Rel.REQUIRES, src_ids=["ONET-51-9141.00"])}
    assert req["ONET-2.C.2.a"] == {"level": 3, "weight": 3.9}
    position = sample.get_node(Label.POSITION, "ONET-51-9141.00")
    assert position is not None and position.props["name"] == "半导体工艺技术员"


def test_onet_xlsx_output_carries_the_notes_sheet(tmp_path: Path) -> None:
    path = write_dataset(semiconductor(), tmp_path / "onet.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "说明"
    notes = " ".join(str(c.value) for c in book["说明"]["A"] if c.value)
    assert "CC BY 4.0" in notes and "Recommend Suppress" in notes
    graph = EmbeddedStore(tmp_path / "x.db")
    ingest(graph, sample_path())
    assert ingest(graph, path).nodes[Label.ABILITY].added == 23


def test_onet_ingest_errors_leave_the_store_as_it_was(sample: EmbeddedStore) -> None:
    before = dump(sample)
    with pytest.raises(IngestError) as caught:
        load_dataset(sample, semiconductor(segment="NO-SUCH-SEGMENT"))
    problem = caught.value.problems[0]
    assert problem.source == "O*NET 51-9141.00 → positions" and problem.column == "segment_id"
    assert "NO-SUCH-SEGMENT" in problem.zh
    dry = load_dataset(sample, semiconductor(), dry_run=True)
    assert dry.nodes[Label.POSITION].added == 1
    assert dump(sample) == before


def test_onet_import_loads_on_every_backend(store: GraphStore) -> None:
    ingest(store, SMALL)
    result = load_dataset(store, semiconductor(segment="S1"))
    assert result.relationships[Rel.REQUIRES].added == 12
    assert result.relationships[Rel.CHILD_OF].added == 20
    again = load_dataset(store, semiconductor(segment="S1"))
    assert again.changed == 0


# --- ESCO -------------------------------------------------------------------------------------


def test_esco_weights_categories_and_default_level() -> None:
    dataset = esco.import_esco(*(read(p) for p in ESCO), {"2512.4": None}, esco.EscoSettings("S1"))
    position = dataset.tables["positions"][0]
    assert (position["id"], position["name"]) == ("ESCO-2512.4", "software developer")
    reqs = dataset.tables["requirements"]
    weights = {r["ability_id"]: r["weight"] for r in reqs}
    assert dataset.summary["essential"] == 24 and dataset.summary["optional"] == 80
    assert sorted(set(weights.values())) == [1.0, 2.0]
    assert sum(1 for w in weights.values() if w == 2.0) == 24
    assert {r["level"] for r in reqs} == {3}
    abilities = {a["id"]: a for a in dataset.tables["abilities"]}
    # "Haskell" is knowledge in ESCO's skills file
    haskell = abilities["ESCO-000f1d3d-220f-4789-9c0a-cc742521fb02"]
    assert (haskell["name"], haskell["category"]) == ("Haskell", "knowledge")
    assert abilities["ESCO-020918ef-4b55-47c1-8430-ab7b8f6a7377"]["category"] == "skill"
    assert {a["category"] for a in abilities.values()} == {"knowledge", "skill"}
    assert dataset.notes[0][1] == esco.ACKNOWLEDGEMENT


def test_esco_untyped_skill_is_counted_and_settings_apply() -> None:
    files = [read(p) for p in ESCO]
    dataset = esco.import_esco(*files, {"2529.1": "首席信息安全官"}, esco.EscoSettings("S1"))
    assert dataset.tables["positions"][0]["name"] == "首席信息安全官"
    cloud = [a for a in dataset.tables["abilities"] if a["name"].startswith("implement cloud")]
    assert cloud and cloud[0]["category"] == "skill"
    assert dataset.summary["untyped"] == 1
    settings = esco.EscoSettings("S1", 3.0, 0.5, level=2, include_optional=False)
    essential = esco.import_esco(*files, {"2529.1": None}, settings)
    reqs = essential.tables["requirements"]
    assert {r["weight"] for r in reqs} == {3.0}
    assert {r["level"] for r in reqs} == {2}
    assert essential.summary["optional"] == 0
    assert len(reqs) + essential.summary["optional_left_out"] == len(dataset.tables["requirements"])


def test_esco_unknown_occupation_names_the_file() -> None:
    with pytest.raises(IngestError) as caught:
        esco.import_esco(*(read(p) for p in ESCO), {"9999.9": None}, esco.EscoSettings("S1"))
    assert caught.value.problems[0].source == "esco_occupations_ict.csv"
    assert "9999.9" in caught.value.problems[0].zh


# --- CASE -------------------------------------------------------------------------------------


def validate(package: dict[str, Any], version: str) -> None:
    name = {"1.1": "case-v1p1-cfpackage-schema.json", "1.0": "case-v1p0-cfpackage-schema.json"}
    schema = json.loads((STANDARDS / name[version]).read_text(encoding="utf-8"))
    validator = jsonschema.Draft201909Validator if version == "1.1" else jsonschema.Draft4Validator
    validator(schema, format_checker=validator.FORMAT_CHECKER).validate(package)


def test_case_fixture_validates_and_imports_with_its_hierarchy() -> None:
    package = json.loads((STANDARDS / "case_opensalt_smartlevel_fixture.json").read_text())
    validate(package, "1.0")
    dataset = case.import_case(package, "SmartLevelFramework.json")
    abilities = {a["name"]: a for a in dataset.tables["abilities"]}
    assert len(abilities) == 14
    assert abilities["Item 1"]["id"] == "CASE-00000000-0000-0000-0000-000000000001"
    assert "parent_id" not in abilities["Item 1"]
    assert abilities["Item 1.10"]["parent_id"] == abilities["Item 1"]["id"]
    assert abilities["Item 2.2"]["parent_id"] == abilities["Item 2"]["id"]
    assert dataset.summary["hierarchy"] == 12


@pytest.mark.parametrize("version", ["1.1", "1.0"])
def test_case_export_is_valid_and_stable(sample: EmbeddedStore, version: str) -> None:
    package = case.export_case(sample, version=version)
    validate(package, version)
    again = case.export_case(sample, version=version)
    assert [i["identifier"] for i in package["CFItems"]] == [
        i["identifier"] for i in again["CFItems"]
    ]
    item = next(i for i in package["CFItems"] if i["humanCodingScheme"] == "A-D01")
    assert item["identifier"] == str(uuid.uuid5(case.NAMESPACE, "ability:A-D01"))
    assert item["CFItemType"] == "知识"
    assert ("caseVersion" in package["CFDocument"]) == (version == "1.1")
    requires = [a for a in package["CFAssociations"] if a["associationType"] == "isRelatedTo"]
    children = [a for a in package["CFAssociations"] if a["associationType"] == "isChildOf"]
    assert len(requires) == 312 and len(children) == 134
    p_sub_01 = str(uuid.uuid5(case.NAMESPACE, "position:P-SUB-01"))
    a_k_004 = str(uuid.uuid5(case.NAMESPACE, "ability:A-K-004"))
    (one,) = [
        a
        for a in requires
        if a["originNodeURI"]["identifier"] == p_sub_01
        and a["destinationNodeURI"]["identifier"] == a_k_004
    ]
    assert one["extensions"]["chanjiao"] == {
        "relation": "REQUIRES",
        "position_id": "P-SUB-01",
        "position_name": "碳化硅长晶工艺员",
        "level": 2,
        "level_name": "理解",
        "weight": 1.0,
    }


def test_case_round_trip_loses_nothing(sample: EmbeddedStore) -> None:
    exported = export_dataset(sample)
    package = json.loads(case.package_bytes(case.export_case(sample)))
    dataset = case.import_case(package, "framework.json")
    assert dataset.tables["abilities"] == exported.tables["abilities"]
    assert dataset.tables["requirements"] == exported.tables["requirements"]
    req = next(r for r in dataset.tables["requirements"] if r["position_id"] == "P-SUB-01")
    assert req == {"position_id": "P-SUB-01", "ability_id": "A-K-004", "level": 2, "weight": 1.0}
    before = dump(sample)
    assert load_dataset(sample, dataset).changed == 0
    assert dump(sample) == before


def test_case_opensalt_workbook_round_trips_the_hierarchy(
    sample: EmbeddedStore, tmp_path: Path
) -> None:
    exported = export_dataset(sample)
    data = case.package_xlsx(case.export_case(sample))
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["CF Doc", "CF Item", "CF Association"]
    dataset = case.import_case(case.read_package("framework.xlsx", data), "framework.xlsx")
    assert dataset.tables["abilities"] == exported.tables["abilities"]


def test_case_workbook_hierarchy_from_smart_level_and_errors(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "CF Doc"
    book["CF Doc"].append(["identifier", "creator", "title"])
    book["CF Doc"].append(["d1", "me", "框架"])
    items = book.create_sheet("CF Item")
    items.append(["identifier", "fullStatement", "humanCodingScheme", "smartLevel", "CFItemType"])
    items.append(["u1", "工艺基础", "K1", "1", "Knowledge"])
    items.append(["u2", "光刻操作", "K1.1", "1.1", "技能"])
    items.append(["u3", None, "K1.2", "1.2", None])
    book.create_sheet("CF Association").append(["identifier", "originNodeIdentifier"])
    buffer = io.BytesIO()
    book.save(buffer)
    package = case.read_package("f.xlsx", buffer.getvalue())
    with pytest.raises(IngestError) as caught:
        case.import_case(package, "f.xlsx")
    problem = caught.value.problems[0]
    assert (problem.source, problem.row, problem.column) == ("f.xlsx → CF Item", 4, "fullStatement")
    items.delete_rows(4)
    buffer = io.BytesIO()
    book.save(buffer)
    dataset = case.import_case(case.read_package("f.xlsx", buffer.getvalue()), "f.xlsx")
    assert dataset.tables["abilities"] == [
        {"id": "K1", "name": "工艺基础", "category": "knowledge"},
        {"id": "K1.1", "name": "光刻操作", "category": "skill", "parent_id": "K1"},
    ]
    with pytest.raises(IngestError, match="CFPackage"):
        case.read_package("x.json", b'{"a": 1}')


def test_case_export_unknown_version_or_position(sample: EmbeddedStore) -> None:
    with pytest.raises(InvalidRequest):
        case.export_case(sample, version="2.0")
    with pytest.raises(InvalidRequest, match="NOPE"):
        case.export_case(sample, positions=["NOPE"])
    one = case.export_case(sample, positions=["P-SUB-01"])
    validate(one, "1.1")
    requires = [a for a in one["CFAssociations"] if a["associationType"] == "isRelatedTo"]
    assert {a["extensions"]["chanjiao"]["position_id"] for a in requires} == {"P-SUB-01"}


# --- OSMT -------------------------------------------------------------------------------------


def test_osmt_skills_and_collection_become_abilities_linked_by_soc(tmp_path: Path) -> None:
    graph = EmbeddedStore(tmp_path / "o.db")
    ingest(graph, SMALL)
    load_dataset(
        graph,
        onet.ImportedDataset(
            "test",
            {"positions": [{"id": "NET", "name": "网络管理员", "segment_id": "S1",
                            "occupation_code": "15-1244.00"}]},
        ),
    )  # fmt: skip
    files = [
        read(STANDARDS / "osmt_rsd_skill_v3.json"),
        read(STANDARDS / "osmt_rsd_collection_v3.json"),
    ]
    dataset = osmt.import_osmt(files, osmt.positions_by_soc(graph))
    abilities = {a["id"]: a for a in dataset.tables["abilities"]}
    # 1 RSD + 24 collection skills + the collection + the RSD's category
    assert len(abilities) == 27
    rsd = abilities["OSMT-c9d819b3-de84-401e-808a-ddcbfbdd4953"]
    assert rsd["name"] == "Access and Security Levels Standardization"
    assert rsd["parent_id"] == "OSMT-category:Information Security Management"
    assert rsd["description"].startswith("Standardize levels of access and security")
    assert "Compromise Assessment" in rsd["description"]
    collection_child = abilities["OSMT-2355dad8-d1ef-47f8-a663-899473ad2ce2"]
    assert collection_child["parent_id"] == "OSMT-42d882da-aec3-4e0d-9582-c8559912a9c6"
    # 15-1244 is on the RSD and on all 24 collection skills
    assert len(dataset.tables["requirements"]) == 25
    assert load_dataset(graph, dataset).relationships[Rel.REQUIRES].added == 25
    with pytest.raises(IngestError) as caught:
        osmt.import_osmt([("x.json", b'{"type": "Other"}')], {})
    assert caught.value.problems[0].column == "type"


# --- catalogue --------------------------------------------------------------------------------


def test_catalog_search_by_name_and_code() -> None:
    assert len(catalog.catalog()) == 1349
    found = {m.code: m for m in catalog.search("集成电路")}
    assert found["510401"].name == "集成电路技术" and found["510401"].level == "高职专科"
    assert [m.name for m in catalog.search("510401")] == ["集成电路技术"]
    assert catalog.search("没有这个专业") == []


def test_ingest_warns_about_majors_outside_the_catalogue(tmp_path: Path) -> None:
    folder = tmp_path / "majors"
    folder.mkdir()
    (folder / "majors.csv").write_text(
        "id,name,code\nM1,集成电路技术,510401\nM2,芯片技术,510402\nM3,集成电路技术,999999\n",
        encoding="utf-8",
    )
    graph = EmbeddedStore(tmp_path / "m.db")
    result = ingest(graph, folder)
    assert result.nodes[Label.MAJOR].added == 3
    warnings = [(w.row, w.column) for w in result.warnings]
    assert warnings == [(3, "name"), (4, "code")]
    assert "微电子技术" in result.warnings[0].zh
    assert "510401" in result.warnings[1].zh  # the catalogue's code for that name
    assert ingest(EmbeddedStore(tmp_path / "s.db"), sample_path()).warnings == []


def test_catalog_cli_and_template_offer_the_codes(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["catalog", "search", "集成电路", "--json"])
    assert result.exit_code == 0
    assert "510401" in [m["code"] for m in json.loads(result.stdout)]
    path = tmp_path / "t.xlsx"
    assert CliRunner().invoke(app, ["template", "-o", str(path)]).exit_code == 0
    book = openpyxl.load_workbook(path)
    assert book["专业目录"]["A2"].value == "210101"
    rules = book["majors"].data_validations.dataValidation
    assert any(r.formula1 == "'专业目录'!$A$2:$A$1350" for r in rules)


# --- the commands -------------------------------------------------------------------------------


def onet_args(*extra: str) -> list[str]:
    return [
        "import", "onet", "--skills", str(ONET_FILES[0]), "--knowledge", str(ONET_FILES[1]),
        "--soc", "51-9141.00", *extra,
    ]  # fmt: skip


def test_import_cli_errors_write_nothing(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    graph = EmbeddedStore(db)
    ingest(graph, sample_path())
    before = dump(graph)
    graph.close()
    folder = tmp_path / "out"
    result = CliRunner().invoke(
        app, onet_args("--segment", "NOPE", "--ingest", "-o", str(folder), "-s", str(db))
    )
    assert result.exit_code == 1
    assert "O*NET 51-9141.00 → positions，第 2 行，列 segment_id" in result.stderr
    assert not folder.exists()
    result = CliRunner().invoke(app, onet_args("--segment", "SEG-FAB"))
    assert result.exit_code == 1 and "--ingest" in result.stderr
    result = CliRunner().invoke(app, onet_args("--segment", "SEG-FAB", "--level-cuts", "5,3,1"))
    assert result.exit_code == 1 and "0–7" in result.stderr
    result = CliRunner().invoke(
        app, onet_args("--segment", "SEG-FAB", "--ingest", "--dry-run", "-s", str(db))
    )
    assert result.exit_code == 0 and "Nothing written" in result.stdout
    graph = EmbeddedStore(db)
    assert dump(graph) == before


def test_export_then_import_case_cli_abilities_only(tmp_path: Path, sample: EmbeddedStore) -> None:
    framework = tmp_path / "framework.json"
    result = CliRunner().invoke(
        app, ["export", "case", "-o", str(framework), "-s", str(sample.location)]
    )
    assert result.exit_code == 0, result.output
    validate(json.loads(framework.read_text(encoding="utf-8")), "1.1")
    empty = tmp_path / "empty.db"
    result = CliRunner().invoke(
        app, ["import", "case", str(framework), "--ingest", "-s", str(empty)]
    )
    assert result.exit_code == 1  # the requirements name positions this store lacks
    result = CliRunner().invoke(
        app,
        ["import", "case", str(framework), "--abilities-only", "--ingest", "-s", str(empty)],
    )
    assert result.exit_code == 0, result.output
    graph = EmbeddedStore(empty)
    assert len(graph.nodes(Label.ABILITY)) == 134
    assert len(graph.relationships(Rel.CHILD_OF)) == 116
    assert graph.relationships(Rel.REQUIRES) == []
