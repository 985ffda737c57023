"""Bad datasets: every problem is reported where a spreadsheet user would look, nothing is written.

Each folder under tests/data/invalid/ is one case (STYLE: sqlite-utils tests/sniff):
the dataset (CSV files, or one .xlsx/.json file) and ``expected.json``, the problems
it must produce. Binary cases are made by tests/make_ingest_fixtures.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chanjiao.errors import IngestError, Problem
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.load import ingest
from tests.util import DATA, dump

CASES = sorted(p for p in (DATA / "invalid").iterdir() if p.is_dir())
CONTAINERS = (".xlsx", ".json", ".zip")


def dataset_in(case: Path) -> Path:
    """The case's one workbook / JSON / zip file if it has one, else the folder of CSVs."""
    files = [p for p in case.iterdir() if p.suffix in CONTAINERS and p.name != "expected.json"]
    assert len(files) <= 1, f"{case.name}: more than one dataset file"
    return files[0] if files else case


def expected_problems(case: Path) -> list[dict[str, Any]]:
    expected: list[dict[str, Any]] = json.loads((case / "expected.json").read_text("utf-8"))
    assert expected, f"{case.name}: expected.json lists no problem"
    return expected


def matches(problem: Problem, expected: dict[str, Any]) -> bool:
    return (
        problem.source == expected["file"]
        and problem.row == expected["row"]
        and problem.column == expected["column"]
        and expected["contains"] in problem.zh
    )


def ingest_error(store: GraphStore, path: Path, *, dry_run: bool = False) -> IngestError:
    with pytest.raises(IngestError) as info:
        ingest(store, path, dry_run=dry_run)
    return info.value


def test_every_case_has_expectations() -> None:
    assert len(CASES) >= 20
    for case in CASES:
        expected_problems(case)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_invalid_dataset(small: GraphStore, case: Path) -> None:
    """Each expected problem is reported exactly where it is; the store is unchanged."""
    before = dump(small)
    error = ingest_error(small, dataset_in(case))

    expected = expected_problems(case)
    found = list(error.problems)
    for item in expected:
        assert any(matches(p, item) for p in found), (
            f"{case.name}: no problem {item}; got:\n" + "\n".join(map(str, found))
        )
    if error.total <= IngestError.MAX_PROBLEMS:
        # All problems are listed, so the expectations must cover them: no spurious ones.
        assert len(found) == len(expected), "\n".join(map(str, found))
        assert error.total == len(expected)
    assert all(p.en for p in found), "every problem also has an English message"
    assert dump(small) == before


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_invalid_dataset_dry_run(small: GraphStore, case: Path) -> None:
    """A dry run finds the same problems as a real load."""
    before = dump(small)
    real = ingest_error(small, dataset_in(case))
    dry = ingest_error(small, dataset_in(case), dry_run=True)
    assert [p.as_dict() for p in dry.problems] == [p.as_dict() for p in real.problems]
    assert dry.total == real.total
    assert dump(small) == before


def test_errors_in_several_files_are_all_reported(small: GraphStore) -> None:
    error = ingest_error(small, DATA / "invalid" / "several_errors")
    sources = {p.source for p in error.problems}
    assert sources == {
        "segments.csv",
        "courses.csv",
        "requirements.csv",
        "coverage.csv",
        "teachers.csv",
    }
    assert error.total == 5
    assert "5 处错误" in error.zh


def test_more_than_200_errors_are_counted_but_capped(small: GraphStore) -> None:
    case = DATA / "invalid" / "too_many_errors"
    error = ingest_error(small, case)
    # 250 data rows (rows 2–251), each with hours 很多.
    assert error.total == 250
    assert len(error.problems) == IngestError.MAX_PROBLEMS == 200
    assert [p.row for p in error.problems] == list(range(2, 202))
    assert error.details["total"] == 250
    assert len(error.details["errors"]) == 200
    assert "另有 50 处错误未列出" in str(error)


def test_empty_dataset_folder_is_an_error(store: GraphStore, tmp_path: Path) -> None:
    error = ingest_error(store, tmp_path)
    assert [(p.source, p.row, p.column) for p in error.problems] == [(tmp_path.name, None, None)]
    assert "没有 CSV 文件" in error.problems[0].zh
    assert dump(store) == {"nodes": {}, "relationships": {}}


def test_missing_path_is_an_error(store: GraphStore, tmp_path: Path) -> None:
    error = ingest_error(store, tmp_path / "nowhere")
    assert len(error.problems) == 1
    assert "找不到这个文件或文件夹" in error.problems[0].zh
