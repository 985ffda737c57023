"""Excel habits: each is accepted as the user meant it, with a notice, or refused with the fix.

Each folder under tests/data/habits/ is the small dataset (tests/data/valid/small)
with one habit of a spreadsheet user, made by tests/make_habit_fixtures.py; its
``expected.json`` says whether it loads to exactly the store the small dataset
gives, which notices it gives and which problems refuse it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chanjiao.errors import IngestError, Problem
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.schema import Label, Rel
from chanjiao.ingest.load import ingest
from tests.util import DATA, SMALL, dump

HABITS = DATA / "habits"
CASES = sorted(p for p in HABITS.iterdir() if p.is_dir())


def dataset_in(case: Path) -> Path:
    files = [p for p in case.iterdir() if p.suffix in (".xlsx", ".zip")]
    assert len(files) <= 1
    return files[0] if files else case


def expected(case: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((case / "expected.json").read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def small_dump(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    reference = EmbeddedStore(tmp_path_factory.mktemp("reference") / "store.db")
    ingest(reference, SMALL)
    yield dump(reference)
    reference.close()


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(tmp_path / "store.db")
    yield store
    store.close()


def found(problems: list[Problem], item: dict[str, Any]) -> bool:
    return any(
        p.source == item["file"]
        and p.row == item["row"]
        and ("column" not in item or p.column == item["column"])
        and item["contains"] in p.zh
        and p.en
        for p in problems
    )


def test_at_least_26_habits() -> None:
    assert len(CASES) >= 26


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_habit(embedded: EmbeddedStore, case: Path, small_dump: dict[str, Any]) -> None:
    want = expected(case)
    if want["problems"]:
        with pytest.raises(IngestError) as info:
            ingest(embedded, dataset_in(case))
        problems = info.value.problems
        for item in want["problems"]:
            assert found(problems, item), "\n".join(map(str, problems))
        assert len(problems) == len(want["problems"]), "\n".join(map(str, problems))
        assert dump(embedded) == {"nodes": {}, "relationships": {}}
        return
    result = ingest(embedded, dataset_in(case))
    for item in want["notices"]:
        assert found(result.warnings, item), "\n".join(map(str, result.warnings))
    assert len(result.warnings) == len(want["notices"]), "\n".join(map(str, result.warnings))
    if want["loads_like_small"]:
        assert dump(embedded) == small_dump
        assert ingest(embedded, SMALL).changed == 0


def test_percent_weights_keep_their_share(embedded: EmbeddedStore) -> None:
    ingest(embedded, HABITS / "weight_as_percent")
    weights = {
        r.dst: r.props["weight"]
        for r in embedded.relationships(Rel.REQUIRES, src_ids=["P1"])
        if r.src == "P1"
    }
    assert weights == {"A1": 0.5, "A2": 0.25, "A3": 0.25}


def test_hidden_sheet_with_a_valid_name_is_not_loaded(embedded: EmbeddedStore) -> None:
    ingest(embedded, dataset_in(HABITS / "hidden_sheet_with_valid_name"))
    assert embedded.nodes(Label.COURSE, ["C9"]) == {}


def test_title_row_keeps_excel_row_numbers(tmp_path: Path, embedded: EmbeddedStore) -> None:
    """Below a skipped title, problems still name the row Excel shows."""
    import openpyxl

    book = openpyxl.load_workbook(dataset_in(HABITS / "merged_title_row"))
    sheet = book["courses"]
    sheet["C4"] = "很多"  # row 4: C2's hours (title row 1, header row 2)
    path = tmp_path / "课程.xlsx"
    book.save(path)
    with pytest.raises(IngestError) as info:
        ingest(embedded, path)
    assert [(p.source, p.row, p.column) for p in info.value.problems] == [
        ("工作表 courses", 4, "hours")
    ]
