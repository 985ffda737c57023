"""Report, view and planning endpoints: thin shells that return what the library returns."""

from __future__ import annotations

import io
from collections.abc import Iterator

import openpyxl
import pytest
from fastapi.testclient import TestClient

from chanjiao.analysis.partners import check_eligibility
from chanjiao.analysis.paths import semester_plan
from chanjiao.graph.store import GraphStore
from chanjiao.report.html import gather_report
from tests.test_api import V1, assert_error, client_for


@pytest.fixture
def api(small: GraphStore) -> Iterator[TestClient]:
    with client_for(small) as client:
        yield client


def test_gap_report_in_every_format(api: TestClient, small: GraphStore) -> None:
    query = {"cluster": "K1", "chain": "H1"}
    page = api.get(f"{V1}/reports/gaps", params=query)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "专业群能力差距分析报告" in page.text and "67.9%" in page.text
    assert api.get(f"{V1}/reports/gaps", params=query | {"format": "json"}).json() == (
        gather_report(small, "K1", "H1", None).to_dict()
    )
    markdown = api.get(f"{V1}/reports/gaps", params=query | {"format": "md"})
    assert markdown.text.startswith("# 专业群能力差距分析报告")
    workbook = api.get(f"{V1}/reports/gaps", params=query | {"format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    assert len(book.sheetnames) > 3
    assert_error(
        api.get(f"{V1}/reports/gaps", params={"cluster": "K9", "chain": "H1"}), 404, "not_found"
    )


def test_views_are_offline_html(api: TestClient) -> None:
    cluster = api.get(f"{V1}/views/cluster", params={"cluster": "K1", "chain": "H1"})
    assert cluster.status_code == 200
    assert "vis" in cluster.text and "外延表征" in cluster.text
    assert '<script src="http' not in cluster.text
    focus = api.get(f"{V1}/views/focus", params={"id": "C2", "label": "Course", "hops": 1})
    assert focus.status_code == 200 and "光刻工艺" in focus.text
    gap = api.get(f"{V1}/views/gap", params={"cluster": "K1", "chain": "H1", "ability": "A3"})
    assert gap.status_code == 200 and "张老师" in gap.text  # T1 is expert in A3
    path = api.get(f"{V1}/views/path", params={"position": "P1"})
    assert path.status_code == 200 and "半导体材料" in path.text
    assert_error(api.get(f"{V1}/views/path", params={"position": "P9"}), 404, "not_found")


def test_planning_endpoints_return_the_library_results(api: TestClient, small: GraphStore) -> None:
    eligibility = api.get(f"{V1}/plan/eligibility/IC1")
    assert eligibility.status_code == 200
    assert eligibility.json() == check_eligibility(small, "IC1").to_dict()
    path = api.get(f"{V1}/plan/path/P1", params={"cluster": "K1"})
    assert path.status_code == 200
    assert path.json() == semester_plan(small, "P1", "K1").to_dict()
    # Two courses for K1's chain H1: C1 (A1 at 3) and C2 (A2 at 2, A4 at 1) reach 0.6792,
    # the whole current curriculum's coverage (C3, C5 add nothing): the best pair.
    built = api.post(f"{V1}/plan/cluster", json={"chain": "H1", "budget": 2, "method": "exact"})
    assert built.status_code == 200, built.text
    assert_error(api.get(f"{V1}/plan/eligibility/IC9"), 404, "not_found")
    assert_error(
        api.post(f"{V1}/plan/cluster", json={"chain": "H1", "budget": -1}), 422, "invalid_input"
    )
