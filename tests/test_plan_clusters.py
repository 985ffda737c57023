"""Cluster builder against values computed by hand on tests/data/plan/greedy.

Chain H (segments S1: PA, PB; S2: PC, PD, PE): each position requires one ability at
level 1, weight 1, so v(a, 1) = demand: A = B = C = D = 2, E = 1; Σ demand = 9.
Courses: X covers A, B, E (40 h); Y covers A, C (48 h); Z covers B, D (48 h); N covers
A (no hours). Majors: MX = {X}, MYZ = {Y, Z}. Current cluster K = MX.

Budget 2 courses, single courses only:
    greedy: X (gain 2+2+1 = 5), then Y or Z (+2 each; Y by id)  -> 7, coverage 7/9 = 0.7778
    exact:  Y + Z covers A, B, C, D                             -> 8, coverage 8/9 = 0.8889
    the best single course (X, 5) does not beat greedy; gap 1 = 1/9 = 0.1111, relative 1/8
Budget 96 hours, single courses: X (5/40) first, then Y (2/48) -> 88 h, value 7;
    exact Y + Z = 96 h, value 8. N has no hours: left out of the pool.
Budget 2 courses with majors too: greedy takes MX (5 per course; ties with X, majors
    come first), then only Y fits (+2) -> 7; the best single pick MYZ (8 for 2 courses)
    beats it, so greedy returns MYZ; exact also 8.
Current cluster K = {X}: value 5, coverage 5/9 = 0.5556.
Extending K with 1 course: N adds nothing (A is taught), Y and Z add 2 each -> Y, 7.
Segment S1 only (PA, PB; Σ demand 4), 1 course: X covers both -> coverage 1.

Chain HL, levels: PL (demand 4) requires L at 4 and M at 2, weight 1 each (W = 2):
    v(L, ℓ) = 4 * 1/(2*4) = 0.5 for ℓ = 1..4;  v(M, ℓ) = 4 * 1/(2*2) = 1 for ℓ = 1, 2
    CL2 (L 2) = 1.0, CL4 (L 4) = 2.0, CLM (L 1, M 1) = 1.5, CM (M 2) = 2.0
    1 course: CL4 (ties with CM; by id) -> 2, coverage 0.5
    2 courses: CL4 + CM -> 4, coverage 1.0
    64 hours: CM (2/32) first, then CL2 (1/32; CL4 costs 64, CLM adds only 0.5) -> 3,
    coverage 0.75; exact is also 3 (CM + CL2; CL4 alone 2, CM + CLM 2.5).
"""

from __future__ import annotations

import pytest

from chanjiao.analysis.clusters import Objective, build_cluster
from chanjiao.analysis.gaps import analyse_gaps
from chanjiao.errors import InvalidRequest, NotFound
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.load import ingest
from tests.util import DATA

GREEDY = DATA / "plan" / "greedy"


@pytest.fixture
def pool(store: GraphStore) -> GraphStore:
    ingest(store, GREEDY)
    return store


def test_greedy_is_not_optimal_and_exact_is(pool: GraphStore) -> None:
    plan = build_cluster(pool, "H", budget=2, pool_majors=[], method="both", cluster_id="K")
    assert plan.greedy is not None and plan.exact is not None
    assert plan.greedy.courses == ["X", "Y"]
    assert plan.greedy.value == pytest.approx(7)
    assert [(p.id, round(p.gain, 4)) for p in plan.greedy.picks] == [("X", 5.0), ("Y", 2.0)]
    assert plan.exact.courses == ["Y", "Z"]
    assert plan.exact.status == "optimal"
    assert plan.exact.value == pytest.approx(8)
    data = plan.to_dict()
    assert data["greedy"]["coverage"] == 0.7778
    assert data["exact"]["coverage"] == 0.8889
    assert data["gap"] == {"value": 1.0, "coverage": 0.1111, "relative": 0.125}
    assert data["recommended"] == "exact"
    assert [p["coverage_gain"] for p in data["greedy"]["picks"]] == [0.5556, 0.2222]
    current = data["current"]
    assert (current["value"], current["coverage"], current["cost"]) == (5.0, 0.5556, 1.0)
    assert current["only_current"] == ["X"]
    assert current["only_recommended"] == ["Y", "Z"]


def test_hours_budget(pool: GraphStore) -> None:
    plan = build_cluster(pool, "H", budget=96, budget_kind="hours", pool_majors=[], method="both")
    assert plan.skipped_courses == ["N"]
    assert plan.greedy is not None and plan.exact is not None
    assert [(p.id, p.cost) for p in plan.greedy.picks] == [("X", 40.0), ("Y", 48.0)]
    assert plan.greedy.cost == 88
    assert plan.greedy.value == pytest.approx(7)
    assert plan.exact.courses == ["Y", "Z"]
    assert plan.exact.cost == 96
    assert plan.exact.value == pytest.approx(8)


def test_majors_and_the_best_single_pick(pool: GraphStore) -> None:
    plan = build_cluster(pool, "H", budget=2, method="both")
    assert plan.pool_majors == 2  # ML covers nothing the chain requires
    assert plan.greedy is not None and plan.exact is not None
    assert plan.greedy.status == "best single pick"
    assert plan.greedy.majors == ["MYZ"]
    assert plan.greedy.courses == ["Y", "Z"]
    assert plan.greedy.value == pytest.approx(8)
    assert plan.exact.value == pytest.approx(8)
    assert plan.gap == pytest.approx(0)


def test_extend_the_current_cluster(pool: GraphStore) -> None:
    plan = build_cluster(
        pool, "H", budget=1, pool_majors=[], cluster_id="K", extend=True, method="both"
    )
    assert plan.base == ["X"]
    assert plan.greedy is not None and plan.exact is not None
    assert plan.greedy.extra_courses == ["Y"]
    assert plan.greedy.courses == ["X", "Y"]
    assert plan.greedy.value == pytest.approx(7)
    assert plan.greedy.cost == 1
    assert plan.exact.value == pytest.approx(7)


def test_segments(pool: GraphStore) -> None:
    plan = build_cluster(pool, "H", segment_ids=["S1"], budget=1, pool_majors=[])
    assert plan.demand == 4
    assert plan.recommended.courses == ["X"]
    assert plan.recommended.coverage == pytest.approx(1.0)


def test_levels_count(pool: GraphStore) -> None:
    one = build_cluster(pool, "HL", budget=1, pool_majors=[], method="both")
    assert one.greedy is not None and one.exact is not None
    assert one.greedy.courses == ["CL4"]
    assert one.greedy.coverage == pytest.approx(0.5)
    assert one.exact.value == pytest.approx(2)
    two = build_cluster(pool, "HL", budget=2, pool_majors=[])
    assert two.recommended.courses == ["CL4", "CM"]
    assert two.recommended.coverage == pytest.approx(1.0)
    hours = build_cluster(pool, "HL", budget=64, budget_kind="hours", pool_majors=[], method="both")
    assert hours.greedy is not None and hours.exact is not None
    assert [p.id for p in hours.greedy.picks] == ["CM", "CL2"]
    assert hours.greedy.coverage == pytest.approx(0.75)
    assert hours.exact.courses == ["CL2", "CM"]


def test_objective_is_the_gap_coverage(pool: GraphStore) -> None:
    """value / Σ demand equals DESIGN §4's chain coverage for any curriculum."""
    for cluster, chain in (("K", "H"), ("KL", "HL")):
        plan = build_cluster(pool, chain, budget=0, cluster_id=cluster)
        assert plan.current is not None
        assert plan.current.coverage == pytest.approx(analyse_gaps(pool, cluster, chain).coverage)
    assert plan.recommended.courses == []  # a budget of 0 buys nothing


def test_objective_by_hand() -> None:
    objective = Objective(
        {"L": [0.5, 0.5, 0.5, 0.5], "M": [1, 1, 0, 0]},
        {"CL2": {"L": 2}, "CLM": {"L": 1, "M": 1}, "CM": {"M": 2}},
    )
    assert objective.value(["CL2", "CLM"]) == pytest.approx(1.0 + 1.0)
    assert objective.gain(objective.taught(["CLM"]), ["CL2", "CM"]) == pytest.approx(0.5 + 1.0)


def test_named_pool_and_errors(pool: GraphStore) -> None:
    plan = build_cluster(pool, "H", budget=2, pool_majors=[], pool_courses=["X", "Z"])
    assert plan.recommended.courses == ["X", "Z"]
    assert plan.recommended.value == pytest.approx(7)
    with pytest.raises(NotFound, match="Q9"):
        build_cluster(pool, "H", budget=2, pool_courses=["Q9"])
    with pytest.raises(NotFound, match="S9"):
        build_cluster(pool, "H", budget=2, segment_ids=["S9"])
    with pytest.raises(NotFound):
        build_cluster(pool, "H9", budget=2)
    with pytest.raises(InvalidRequest):
        build_cluster(pool, "H", budget=-1)
    with pytest.raises(InvalidRequest):
        build_cluster(pool, "H", budget=1, extend=True)
