"""The ingest fuzzer, a fixed-seed slice (issue #13; the long run is bench/fuzz.py).

Hypothesis draws the seeds of 500 mutated datasets (tests/fuzzing.py); each goes
through the CLI or the API into the embedded or the server store holding the sample
college. No case may show a traceback or a 5xx, a refusal must name where, a refused
ingest must leave the store as it was, and memory must stay bounded.
"""

from __future__ import annotations

import random
import resource
from collections.abc import Iterator

import pytest
from hypothesis import Phase, given, note, settings
from hypothesis import strategies as st

from tests.conftest import FalkorDBServer
from tests.fuzzing import Harness, draw_case

CASES = 500
#: How much the process's peak memory may grow over the whole slice.
RSS_GROWTH_BOUND_MIB = 768


@pytest.fixture(scope="module")
def harness(
    tmp_path_factory: pytest.TempPathFactory, falkordb: FalkorDBServer
) -> Iterator[Harness]:
    work = tmp_path_factory.mktemp("fuzz")
    h = Harness(work, falkordb.url("fuzzwork"))
    yield h
    h.close()


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_fuzz_ingest_fixed_seed(harness: Harness) -> None:
    start = peak_rss_mib()
    counts = {"accepted": 0, "refused": 0}

    @settings(
        max_examples=CASES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(__import__("hypothesis").HealthCheck),
    )
    @given(
        seed=st.integers(0, 2**32 - 1),
        route=st.sampled_from(["cli", "api"]),
        backend=st.sampled_from(["embedded", "server"]),
    )
    def one(seed: int, route: str, backend: str) -> None:
        case = draw_case(random.Random(seed))
        note(f"seed={seed} route={route} backend={backend} steps={case.steps}")
        outcome = harness.run(case, route, backend)
        counts["accepted" if outcome.accepted else "refused"] += 1
        assert not outcome.failures, outcome.failures

    one()
    assert counts["refused"] > counts["accepted"] > 0  # both paths were exercised
    assert peak_rss_mib() - start < RSS_GROWTH_BOUND_MIB
