"""Schemathesis against the app's own OpenAPI: zero 5xx and no response schema violations.

Bounded and deterministic (a fixed number of derandomised examples per operation), so it
runs in CI in seconds. It writes too (with the key), on a throwaway copy of the small graph.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from chanjiao.api import create_app
from chanjiao.graph.store import GraphStore
from tests.test_api import KEY
from tests.test_api import settings as api_settings

OPERATIONS_CHECKED = 47


def test_api_conforms_to_its_schema(small: GraphStore) -> None:
    app = create_app(small, api_settings(warm_cache=False))
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) == OPERATIONS_CHECKED
    calls: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=8,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def conforms(case: Any) -> None:
            calls.append(case.operation.label)
            case.call_and_validate(
                headers={"X-API-Key": KEY},
                checks=[
                    checks.not_a_server_error,
                    openapi_checks.response_schema_conformance,
                    openapi_checks.status_code_conformance,
                    openapi_checks.content_type_conformance,
                ],
            )

        conforms()

    assert len(set(calls)) == OPERATIONS_CHECKED  # every operation was exercised
