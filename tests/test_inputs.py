"""One set of input types and one rule for each, the same through the CLI and the API.

- a what-if level given twice for one course and ability is an error in both;
- the exact solver's time limit has one default and one bound;
- budget units and methods are the library's enums in both shells;
- each error code has one HTTP status (`chanjiao.errors.HTTP_STATUS`), and an unknown
  label is the same error on every path.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from chanjiao import errors
from chanjiao.analysis.clusters import build_cluster
from chanjiao.analysis.inputs import (
    DEFAULT_TIME_LIMIT,
    BudgetKind,
    LevelChange,
    Method,
    change_level,
    level_changes,
)
from chanjiao.api.errors import BodyTooLarge, ConfigError, Unauthorized, WritesDisabled
from chanjiao.api.routes.plan import ClusterIn
from chanjiao.cli import app
from chanjiao.commands.plan import cluster_command
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.load import ingest
from tests.test_api import V1, assert_error, client_for
from tests.util import SMALL

runner = CliRunner()


@pytest.fixture
def api(small: GraphStore) -> Iterator[TestClient]:
    with client_for(small) as client:
        yield client


@pytest.fixture
def small_db(tmp_path: Path) -> str:
    path = tmp_path / "small.db"
    with EmbeddedStore(path) as store:
        ingest(store, SMALL)
    return str(path)


def test_level_rules() -> None:
    assert change_level("0") == 0 and change_level(0) == 0 and change_level(" 熟练 ") == 4
    assert change_level(False) is None and change_level("5") is None
    assert level_changes([LevelChange("C1", "A1", 2), LevelChange("C1", "A2", 0)]) == {
        ("C1", "A1"): 2,
        ("C1", "A2"): 0,
    }
    with pytest.raises(errors.InvalidInput, match="出现了两次"):
        level_changes([LevelChange("C1", "A1", 2), LevelChange("C1", "A1", 3)])


def test_a_duplicated_level_is_an_error_in_cli_and_api(api: TestClient, small_db: str) -> None:
    result = runner.invoke(
        app,
        ["plan", "what-if", "-k", "K1", "--level", "C2:A4=2", "--level", "C2:A4=3", "-s", small_db],
    )
    assert result.exit_code != 0
    assert "C2 → A4 出现了两次" in result.stderr
    body = {
        "cluster": "K1",
        "chain": "H1",
        "coverage": [
            {"course": "C2", "ability": "A4", "level": 2},
            {"course": "C2", "ability": "A4", "level": 3},
        ],
    }
    answer = assert_error(api.post(f"{V1}/gaps/what-if", json=body), 422, "invalid_input")
    assert "C2 → A4 出现了两次" in answer["message"]


def test_time_limit_and_choices_are_the_same_in_both_shells() -> None:
    cli = inspect.signature(cluster_command).parameters
    library = inspect.signature(build_cluster).parameters
    fields = ClusterIn.model_fields
    assert cli["time_limit"].default == DEFAULT_TIME_LIMIT == library["time_limit"].default
    assert fields["time_limit"].default == DEFAULT_TIME_LIMIT
    assert fields["budget_kind"].annotation is BudgetKind
    assert fields["method"].annotation is Method
    assert [m.value for m in Method] == ["greedy", "exact", "both"]


def test_time_limit_bound_is_the_library_rule(small: GraphStore, api: TestClient) -> None:
    with pytest.raises(errors.InvalidInput, match="时限"):
        build_cluster(small, "H1", budget=1, method=Method.EXACT, time_limit=0)
    assert_error(
        api.post(f"{V1}/plan/cluster", json={"chain": "H1", "budget": 1, "time_limit": 301}),
        422,
        "invalid_input",
    )


def test_one_status_per_error_code() -> None:
    classes = [
        errors.ChanjiaoError,
        errors.NotFound,
        errors.InvalidRequest,
        errors.InvalidInput,
        errors.Conflict,
        errors.UnsupportedUpload,
        errors.StoreUnavailable,
        errors.IngestError,
        Unauthorized,
        WritesDisabled,
        BodyTooLarge,
        ConfigError,
    ]
    for cls in classes:
        assert cls.status == errors.HTTP_STATUS[cls.code], cls
    assert errors.InvalidInput.status == 422 and errors.InvalidRequest.status == 400


def test_an_unknown_label_is_one_error_everywhere(api: TestClient) -> None:
    nodes = assert_error(api.get(f"{V1}/nodes/Nope"), 422, "invalid_input")
    focus = assert_error(
        api.get(f"{V1}/views/focus", params={"id": "C1", "label": "Nope"}), 422, "invalid_input"
    )
    assert nodes["message"] == focus["message"]


def test_cli_budget_units_are_the_library_enum(small_db: str) -> None:
    result = runner.invoke(
        app,
        ["plan", "cluster", "-c", "H1", "-b", "2", "--by", "hours", "-s", small_db, "-f", "json"],
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["budget"]["kind"] == "hours"
