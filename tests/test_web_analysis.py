"""Library calls behind the web workbench, on tests/data/valid/small, numbers by hand.

What-if with a course that does not exist yet (see tests/test_gaps.py for the graph):

    NEW-1 teaches A3 at 4 and A5 at 2; nothing else changes.
    P1: A1 1, A2 1, A3 now 4/4 = 1            -> (2 + 1 + 1) / 4 = 1.0
    P2: unchanged                              -> 2/3
    P3: A2 1/2 (w3), A5 now 2/2 = 1 (w1)      -> (1.5 + 1) / 4 = 0.625
    H1 = (5 * 1 + 4 * 2/3 + 1 * 0.625) / 10 = 8.291667 / 10 = 0.829167
    gaps left: A4 = 4 * 1/2 * 2/3 = 1.333333, A2 = 1 * 3/4 * 1/2 = 0.375

Construction of K1 (chain H1), by hand:

    curriculum C1, C2, C3, C5; college IC1 has K1; its partners U1 (高校), E1 (小巨人)
    teachers: T2 teaches C1; T1 is employed by partner E1 -> {T1, T2};
        dual-qualified T1 (share 0.5); enterprise teacher T1
    textbooks used in C(K1): B2 (国家规划教材, standard); B1 is used in C4 only
    resources: R2 supports C2; R1 supports A5 (required) -> R1 实训基地 2021, R2 虚拟仿真 2023
    certificates: X1 certifies A3 -> [X1]; competitions: G1 (国家级) exercises A4
"""

from __future__ import annotations

import itertools
import json

import pytest

from chanjiao.analysis.overview import construction, course_matrix
from chanjiao.analysis.scenarios import (
    Changes,
    delete_scenario,
    list_scenarios,
    load_scenario,
    run_changes,
    save_scenario,
)
from chanjiao.analysis.whatif import PlannedCourse, what_if, what_if_compare
from chanjiao.errors import AlreadyExists, InvalidRequest, NotFound
from chanjiao.graph.schema import Label
from chanjiao.graph.store import GraphStore
from chanjiao.viz.explore import (
    NodeIndex,
    gap_focus,
    layered_graph,
    neighbourhood,
    parse_key,
    path_focus,
)

NEW = PlannedCourse("NEW-1", "碳化硅外延", {"A3": 4, "A5": 2}, hours=48)


def test_new_course_raises_coverage_as_computed_by_hand(small: GraphStore) -> None:
    report = what_if(small, "K1", "H1", new_courses=[NEW]).to_dict()
    assert report["coverage"] == 0.8292
    positions = {p["id"]: p["coverage"] for p in report["positions"]}
    assert positions == {"P1": 1.0, "P2": 0.6667, "P3": 0.625}
    assert [(g["ability"], g["priority"]) for g in report["gaps"]] == [
        ("A4", 1.3333),
        ("A2", 0.375),
    ]
    result = what_if_compare(small, "K1", "H1", new_courses=[NEW]).to_dict()
    assert result["comparison"]["chain"] == {
        "id": "H1",
        "name": result["comparison"]["chain"]["name"],
        "before": 0.6792,
        "after": 0.8292,
        "delta": 0.15,
    }
    assert [g["ability"] for g in result["comparison"]["gaps_closed"]] == ["A3", "A5"]
    assert result["comparison"]["courses_added"] == ["NEW-1"]
    assert small.get_node(Label.COURSE, "NEW-1") is None  # nothing was written


def test_new_course_levels_can_be_changed_like_any_course(small: GraphStore) -> None:
    report = what_if(
        small, "K1", "H1", new_courses=[NEW], coverage={("NEW-1", "A3"): 0, ("NEW-1", "A5"): 0}
    ).to_dict()
    assert report["coverage"] == 0.6792  # the new course teaches nothing any more


@pytest.mark.parametrize(
    ("planned", "error", "words"),
    [
        (PlannedCourse("C1", "重名", {"A3": 2}), InvalidRequest, "已是现有课程"),
        (PlannedCourse("N", "  ", {"A3": 2}), InvalidRequest, "缺少名称"),
        (PlannedCourse("N", "新课", {"A3": 5}), InvalidRequest, "1–4"),
        (PlannedCourse("N", "新课", {"A9": 2}), NotFound, "找不到能力 A9"),
        (PlannedCourse("N", "新课", {"A3": 2}, hours=-1), InvalidRequest, "学时"),
    ],
)
def test_new_course_errors_name_what_is_wrong(
    small: GraphStore, planned: PlannedCourse, error: type[Exception], words: str
) -> None:
    with pytest.raises(error) as caught:
        what_if(small, "K1", "H1", new_courses=[planned])
    assert words in str(caught.value)


def test_scenarios_round_trip_and_never_touch_the_graph(small: GraphStore) -> None:
    before = small.stats()
    generation = small.generation()
    changes = Changes.model_validate(
        {
            "cluster": "K1",
            "chain": "H1",
            "add_courses": ["C4"],
            "new_courses": [
                {
                    "id": "NEW-1",
                    "name": "碳化硅外延",
                    "hours": 48,
                    "abilities": [
                        {"ability": "A3", "level": "熟练"},
                        {"ability": "A5", "level": 2},
                    ],
                }
            ],
        }
    )
    save_scenario(small, " 方案一 ", changes)
    assert [s["name"] for s in list_scenarios(small)] == ["方案一"]
    with pytest.raises(AlreadyExists):
        save_scenario(small, "方案一", changes)
    reopened = load_scenario(small, "方案一")
    assert reopened == changes
    assert reopened.new_courses[0].abilities[0].level == 4
    result = run_changes(small, reopened).to_dict()
    assert result["after"]["coverage"] == 0.8292  # C4 covers nothing required
    assert small.stats() == before
    assert small.generation() == generation
    delete_scenario(small, "方案一")
    assert list_scenarios(small) == []
    with pytest.raises(NotFound):
        load_scenario(small, "方案一")


def test_a_scenario_that_cannot_run_is_not_saved(small: GraphStore) -> None:
    bad = Changes(cluster="K1", chain="H1", remove_courses=["C4"])
    with pytest.raises(InvalidRequest, match="不在专业群"):
        save_scenario(small, "坏方案", bad)
    with pytest.raises(InvalidRequest, match="方案名称"):
        save_scenario(small, "a\nb", Changes(cluster="K1", chain="H1"))
    assert list_scenarios(small) == []


def test_construction_counts_by_hand(small: GraphStore) -> None:
    built = construction(small, "K1").to_dict()
    assert built["chain"] == "H1"
    assert built["colleges"] == ["IC1"]
    assert built["courses"] == 4
    assert built["teachers"]["ids"] == ["T1", "T2"]
    assert built["teachers"]["dual_qualified"] == ["T1"]
    assert built["teachers"]["dual_qualified_share"] == 0.5
    assert built["teachers"]["enterprise"] == ["T1"]
    assert [(g["key"], g["zh"], g["ids"]) for g in built["textbooks"]["by_kind"]] == [
        ("national_planned", "国家规划教材", ["B2"])
    ]
    assert [(g["zh"], g["ids"]) for g in built["textbooks"]["by_format"]] == [("常规", ["B2"])]
    kinds = [(g["zh"], g["ids"]) for g in built["training_resources"]["by_kind"]]
    assert kinds == [("实训基地", ["R1"]), ("虚拟仿真资源", ["R2"])]
    years = [(g["zh"], g["ids"]) for g in built["training_resources"]["by_year"]]
    assert years == [("2021 年", ["R1"]), ("2023 年", ["R2"])]
    partners = [(g["key"], g["zh"], g["ids"]) for g in built["partners"]["by_type"]]
    assert partners == [
        ("enterprise.little_giant", "企业·小巨人", ["E1"]),
        ("organization.university", "高校", ["U1"]),
    ]
    assert built["certificates"] == {"count": 1, "ids": ["X1"]}
    assert [(g["zh"], g["ids"]) for g in built["competitions"]["by_level"]] == [("国家级", ["G1"])]
    assert built["names"]["T1"] == "张老师"


def test_course_matrix_per_major(small: GraphStore) -> None:
    whole = course_matrix(small, "K1")
    assert [c["id"] for c in whole["courses"]] == ["C1", "C2", "C3", "C5"]
    assert [a["id"] for a in whole["abilities"]] == ["A1", "A2", "A4", "A6"]
    m2 = course_matrix(small, "K1", "M2")
    assert [(c["id"], c["levels"]) for c in m2["courses"]] == [("C2", {"A2": 2, "A4": 1})]
    m1 = course_matrix(small, "K1", "M1")
    assert {c["id"]: c["core"] for c in m1["courses"]} == {"C1": True, "C3": False, "C5": False}
    with pytest.raises(NotFound, match="M3"):
        course_matrix(small, "K1", "M3")


def test_search_by_chinese_substring_and_id(small: GraphStore) -> None:
    index = NodeIndex(small)
    found = index.search("光刻")
    assert {(r["label"], r["id"]) for r in found} >= {("Course", "C2"), ("Textbook", "B2")}
    assert all("光刻" in r["name"] for r in found)
    exact = index.search("c2")
    assert exact[0]["key"] == "Course:C2" and exact[0]["label_zh"] == "课程"
    assert index.search("光刻", [Label.TEXTBOOK]) == [
        {
            "key": "Textbook:B2",
            "label": "Textbook",
            "label_zh": "教材",
            "id": "B2",
            "name": "光刻工艺教程",
        }
    ]
    assert index.search("   ") == []


def test_neighbourhood_speaks_chinese_words(small: GraphStore) -> None:
    data = neighbourhood(small, Label.COURSE, "C2")
    nodes = {n["key"]: n for n in data["nodes"]}
    centre = nodes["Course:C2"]
    assert ["类型", "理实一体"] in centre["details"]  # kind integrated, as a word
    text = json.dumps(data, ensure_ascii=False)
    assert "integrated" not in text and "national_planned" not in text
    assert {"Major:M2", "Ability:A2", "Ability:A4", "Textbook:B2", "Course:C1"} <= set(nodes)
    rels = {(e["source"], e["rel_zh"], e["target"]) for e in data["edges"]}
    assert ("Course:C2", "培养能力", "Ability:A2") in rels
    assert ("Course:C1", "先修于", "Course:C2") in rels
    covers = next(e for e in data["edges"] if e["target"] == "Ability:A2")
    assert covers["props"] == "等级：2 级（理解）"
    teacher = neighbourhood(small, Label.TEACHER, "T1")
    assert ["双师双能型", "是"] in teacher["nodes"][0]["details"]
    assert ["来源", "企业"] in teacher["nodes"][0]["details"]
    with pytest.raises(NotFound):
        neighbourhood(small, Label.COURSE, "C9")
    with pytest.raises(InvalidRequest):
        parse_key("Nope:C1")


def test_layered_graph_puts_layers_in_order(small: GraphStore) -> None:
    data = layered_graph(small, "K1", "H1")
    by_label: dict[str, list[dict[str, object]]] = {}
    for node in data["nodes"]:
        by_label.setdefault(node["label"], []).append(node)
    xs = {label: {n["x"] for n in nodes} for label, nodes in by_label.items()}
    order = ["IndustryChain", "ChainSegment", "Position", "Ability", "Course", "Major"]
    for left, right in itertools.pairwise(order):
        assert max(xs[left]) < min(xs[right]), (left, right)  # type: ignore[type-var]
    status = {n["id"]: n["status"] for n in by_label["Ability"]}
    assert status == {
        "A1": "covered",
        "A2": "partial",
        "A3": "missing",
        "A4": "partial",
        "A5": "missing",
    }
    assert {n["id"] for n in by_label["Course"]} == {
        "C1",
        "C2",
    }  # the orphans C3, C5 cover nothing required
    assert {n["id"] for n in by_label["Position"]} == {"P1", "P2", "P3"}
    capped = layered_graph(small, "K1", "H1", max_nodes=10)
    assert len(capped["nodes"]) == 10 and capped["notes"]


def test_gap_and_path_focus(small: GraphStore) -> None:
    gap = gap_focus(small, "K1", "H1", "A3")
    keys = {n["key"] for n in gap["nodes"]}
    assert {"Ability:A3", "Position:P1", "Teacher:T1", "Certificate:X1"} <= keys
    assert gap["centre"] == "Ability:A3"
    with pytest.raises(NotFound):
        gap_focus(small, "K1", "H1", "A1")  # A1 is covered: no gap
    path = path_focus(small, "P1", "K1")
    assert path["centre"] == "Position:P1"
    assert {"Course:C1", "Course:C2"} <= {n["key"] for n in path["nodes"]}
