"""Cluster builder: which majors and extra courses best cover a chain under a budget.

The objective is the chain's demand-weighted coverage of DESIGN §4, undivided:

    value(S) = Σ_p demand(p) · coverage(p),   coverage(p) = Σ_a w·min(taught(a), r)/r / W(p)

with taught(a) the highest level any chosen course covers a at. Writing
min(t, r)/r = Σ_{ℓ=1..r} [t ≥ ℓ] / r turns it into weighted coverage of
*(ability, level)* elements: element (a, ℓ) is worth

    v(a, ℓ) = Σ over requirements (p, a, r, w) with r ≥ ℓ of demand(p) · w / (W(p) · r)

and is covered when a chosen course covers a at level ≥ ℓ. So value is a weighted
max-coverage function (monotone, submodular), and the chain's coverage is
value / Σ demand(p).

A pick (unit) is a major (all its courses) or a single course; its cost is the
number, hours or credits of the courses it adds that are not chosen yet.

- `greedy` (default) repeatedly takes the affordable unit with the best marginal gain
  per marginal cost, then keeps the better of that and the best single unit. With a
  budget in courses and only course units this is the classic greedy with its
  (1 − 1/e) guarantee; with uneven costs (majors, hours, credits) the guarantee is
  ½(1 − 1/e) (Khuller, Moss & Naor 1999).
- `exact` solves the integer program below with HiGHS (`scipy.optimize.milp`), for
  small pools:

      max Σ v(a,ℓ)·z(a,ℓ)
      z(a,ℓ) ≤ Σ_{c covers a at ≥ ℓ} y(c)      (an element counts only if a course covers it)
      x(u) ≤ y(c)  for c in unit u              (a chosen unit brings all its courses)
      y(c) ≤ Σ_{u ∋ c} x(u)                     (a course comes only with a chosen unit)
      Σ cost(c)·y(c) ≤ budget,  x, y ∈ {0, 1},  0 ≤ z ≤ 1

  z needs no integrality: at an optimum z(a,ℓ) = min(1, Σ y), which is 0 or 1.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from chanjiao.analysis.inputs import DEFAULT_TIME_LIMIT, MAX_TIME_LIMIT, BudgetKind, Method
from chanjiao.analysis.scoring import demand_of, highest_levels, rounded
from chanjiao.errors import InvalidInput, InvalidRequest, MissingExtra, NotFound
from chanjiao.graph.schema import Label, Rel
from chanjiao.graph.store import GraphReads

UnitKind = Literal["major", "course"]

BUDGET_ZH: dict[str, str] = {"courses": "门课程", "hours": "学时", "credits": "学分"}

#: Pools larger than this (in units) are refused by the exact solver (HiGHS solves the
#: synthetic 0.05-scale pool of 2,889 units to optimality in about 6 s; see docs).
MAX_EXACT_UNITS = 5000

_EPS = 1e-12


@dataclass(frozen=True, slots=True)
class Unit:
    """Something a planner can pick: a major (all its courses) or one course."""

    kind: UnitKind
    id: str
    name: str
    courses: frozenset[str]


@dataclass(slots=True)
class Pick:
    """One pick of a selection, with what it added when it was taken.

    Attributes:
        new_courses: its courses not chosen before it.
        cost: their cost in the budget's unit.
        gain: the marginal value Σ demand·coverage it added.
        coverage_gain: the same as chain coverage (gain / Σ demand).
        coverage: the chain coverage after this pick.
    """

    kind: UnitKind
    id: str
    name: str
    new_courses: list[str]
    cost: float
    gain: float
    coverage_gain: float | None
    coverage: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self.name,
            "new_courses": self.new_courses,
            "cost": rounded(self.cost),
            "gain": rounded(self.gain),
            "coverage_gain": rounded(self.coverage_gain),
            "coverage": rounded(self.coverage),
        }


@dataclass(slots=True)
class Selection:
    """A recommended set of units and the courses they make up.

    Attributes:
        method: ``greedy`` or ``exact``.
        status: ``done`` for greedy; the solver's outcome for exact (``optimal``,
            ``time_limit``, …).
        value: Σ demand(p)·coverage(p) over the scope's scored positions.
        coverage: value / Σ demand, i.e. the chain's coverage (DESIGN §4).
    """

    method: str
    status: str
    picks: list[Pick]
    courses: list[str]
    cost: float
    value: float
    coverage: float | None

    @property
    def majors(self) -> list[str]:
        return [p.id for p in self.picks if p.kind == "major"]

    @property
    def extra_courses(self) -> list[str]:
        return [p.id for p in self.picks if p.kind == "course"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "status": self.status,
            "majors": self.majors,
            "extra_courses": self.extra_courses,
            "picks": [p.to_dict() for p in self.picks],
            "courses": self.courses,
            "cost": rounded(self.cost),
            "value": rounded(self.value),
            "coverage": rounded(self.coverage),
        }


@dataclass(slots=True)
class CurrentCluster:
    """The existing cluster the recommendation is compared with."""

    id: str
    name: str
    majors: list[str]
    courses: list[str]
    cost: float
    value: float
    coverage: float | None
    only_current: list[str] = field(default_factory=list)
    only_recommended: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "majors": self.majors,
            "courses": len(self.courses),
            "cost": rounded(self.cost),
            "value": rounded(self.value),
            "coverage": rounded(self.coverage),
            "only_current": self.only_current,
            "only_recommended": self.only_recommended,
        }


@dataclass(slots=True)
class ClusterPlan:
    """The result of `build_cluster`.

    Attributes:
        base: courses kept from the current cluster when extending it (cost-free).
        demand: Σ demand(p) over the scored positions in scope.
        skipped_courses: pool courses left out because their hours/credits are unknown.
        recommended: the exact selection when it was computed, else the greedy one.
        gap: exact value − greedy value, when both ran.
    """

    chain: str
    segments: list[str]
    budget_kind: BudgetKind
    budget: float
    base: list[str]
    demand: int
    pool_majors: int
    pool_courses: int
    skipped_courses: list[str]
    greedy: Selection | None
    exact: Selection | None
    current: CurrentCluster | None

    @property
    def recommended(self) -> Selection:
        chosen = self.exact if self.exact is not None else self.greedy
        assert chosen is not None
        return chosen

    @property
    def gap(self) -> float | None:
        if self.greedy is None or self.exact is None:
            return None
        return self.exact.value - self.greedy.value

    @property
    def relative_gap(self) -> float | None:
        gap = self.gap
        if gap is None or self.exact is None or self.exact.value <= 0:
            return None
        return gap / self.exact.value

    def to_dict(self) -> dict[str, Any]:
        return {
            "chain": self.chain,
            "segments": self.segments,
            "budget": {"kind": self.budget_kind, "amount": rounded(self.budget)},
            "base_courses": self.base,
            "demand": self.demand,
            "pool": {
                "majors": self.pool_majors,
                "courses": self.pool_courses,
                "skipped_courses": self.skipped_courses,
            },
            "recommended": self.recommended.method,
            "greedy": self.greedy.to_dict() if self.greedy else None,
            "exact": self.exact.to_dict() if self.exact else None,
            "gap": None
            if self.gap is None
            else {
                "value": rounded(self.gap),
                "coverage": rounded(self.gap / self.demand) if self.demand else None,
                "relative": rounded(self.relative_gap),
            },
            "current": self.current.to_dict() if self.current else None,
        }


class Objective:
    """value(S) of the module docstring, over (ability, level) elements.

    Args:
        worth: ability → [v(a,1), v(a,2), v(a,3), v(a,4)].
        covers: course → {ability → level}, only abilities with worth.
    """

    def __init__(
        self, worth: Mapping[str, Sequence[float]], covers: Mapping[str, Mapping[str, int]]
    ):
        self.worth = worth
        # prefix[a][t] = Σ_{ℓ ≤ t} v(a, ℓ): what taught(a) = t is worth.
        self.prefix: dict[str, list[float]] = {}
        for ability in sorted(worth):
            running = [0.0]
            for value in worth[ability]:
                running.append(running[-1] + value)
            self.prefix[ability] = running
        self.covers = covers

    def taught(self, courses: Iterable[str]) -> dict[str, int]:
        return highest_levels(self.covers.get(course, {}) for course in courses)

    def value(self, courses: Iterable[str]) -> float:
        taught = self.taught(courses)
        return sum(self.prefix[a][min(taught[a], 4)] for a in sorted(taught))

    def gain(self, taught: Mapping[str, int], courses: Iterable[str]) -> float:
        """What adding `courses` to a selection teaching `taught` adds."""
        best: dict[str, int] = {}
        for course in courses:
            for ability, level in self.covers.get(course, {}).items():
                if level > taught.get(ability, 0) and level > best.get(ability, 0):
                    best[ability] = level
        return sum(
            self.prefix[a][min(level, 4)] - self.prefix[a][min(taught.get(a, 0), 4)]
            for a, level in sorted(best.items())
        )


@dataclass(slots=True)
class _Problem:
    objective: Objective
    units: list[Unit]
    cost: dict[str, float]
    base: frozenset[str]
    demand: int


def build_cluster(
    store: GraphReads,
    chain_id: str,
    *,
    segment_ids: Sequence[str] = (),
    budget: float,
    budget_kind: BudgetKind = BudgetKind.COURSES,
    pool_majors: Sequence[str] | None = None,
    pool_courses: Sequence[str] | None = None,
    cluster_id: str | None = None,
    extend: bool = False,
    method: Method = Method.GREEDY,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> ClusterPlan:
    """Recommend majors and extra courses that maximise demand-weighted coverage of a chain.

    Args:
        segment_ids: only these segments of the chain (all when empty).
        budget: how many courses, hours or credits (`budget_kind`) the picks may add.
        pool_majors: majors to choose from; None means every major in the store.
        pool_courses: single courses to choose from; None means every course.
        cluster_id: the current cluster, to compare with (and to extend).
        extend: keep `cluster_id`'s curriculum as chosen (cost-free) and spend the
            budget on additions.
        method: ``greedy``, ``exact`` (an ILP with HiGHS) or ``both`` (to compare).
        time_limit: seconds the exact solver may take.

    Raises:
        NotFound: the chain, a segment, a pool major or course, or the cluster is unknown.
        InvalidRequest: a negative budget, `extend` without a cluster, or a pool too
            large for the exact solver.
    """
    budget_kind, method = BudgetKind(budget_kind), Method(method)
    if not 0 < time_limit <= MAX_TIME_LIMIT:
        raise InvalidInput(
            f"精确求解的时限应在 0 到 {MAX_TIME_LIMIT:g} 秒之间，实际为 {time_limit:g}",
            f"the exact solver's time limit must be above 0 and at most {MAX_TIME_LIMIT:g} s, "
            f"got {time_limit:g}",
        )
    if budget < 0 or math.isnan(budget):
        raise InvalidRequest(
            f"预算不能为负数：{budget}", f"the budget cannot be negative: {budget}"
        )
    if extend and cluster_id is None:
        raise InvalidRequest(
            "扩充现有专业群时须指定要扩充的专业群",
            "extending a cluster needs the cluster to extend",
        )
    with store.reading():
        problem, segments, skipped, current_courses, cluster_name, cluster_majors = _read(
            store, chain_id, segment_ids, budget_kind, pool_majors, pool_courses, cluster_id, extend
        )
    if method in ("exact", "both") and len(problem.units) > MAX_EXACT_UNITS:
        raise InvalidRequest(
            f"候选池有 {len(problem.units)} 个候选项，超过精确求解的上限 {MAX_EXACT_UNITS}；"
            "请缩小候选池或使用贪心算法",
            f"the pool has {len(problem.units)} candidates, more than the exact solver's "
            f"limit of {MAX_EXACT_UNITS}; narrow the pool or use the greedy method",
        )
    greedy = _greedy(problem, budget) if method in ("greedy", "both") else None
    exact = _exact(problem, budget, time_limit) if method in ("exact", "both") else None
    current = None
    if cluster_id is not None:
        chosen = (exact or greedy).courses  # type: ignore[union-attr]
        value = problem.objective.value(current_courses)
        current = CurrentCluster(
            id=cluster_id,
            name=cluster_name,
            majors=cluster_majors,
            courses=sorted(current_courses),
            cost=_cost_of(current_courses, problem.cost, budget_kind),
            value=value,
            coverage=value / problem.demand if problem.demand else None,
            only_current=sorted(set(current_courses) - set(chosen)),
            only_recommended=sorted(set(chosen) - set(current_courses)),
        )
    return ClusterPlan(
        chain=chain_id,
        segments=segments,
        budget_kind=budget_kind,
        budget=float(budget),
        base=sorted(problem.base),
        demand=problem.demand,
        pool_majors=sum(1 for u in problem.units if u.kind == "major"),
        pool_courses=sum(1 for u in problem.units if u.kind == "course"),
        skipped_courses=skipped,
        greedy=greedy,
        exact=exact,
        current=current,
    )


def _cost_of(courses: Iterable[str], cost: Mapping[str, float], kind: BudgetKind) -> float:
    """Cost of a course set; courses of unknown hours/credits count 0 (they are reported)."""
    if kind == "courses":
        return float(len(set(courses)))
    return sum(cost.get(c, 0.0) for c in sorted(set(courses)))


def _read(
    store: GraphReads,
    chain_id: str,
    segment_ids: Sequence[str],
    budget_kind: BudgetKind,
    pool_majors: Sequence[str] | None,
    pool_courses: Sequence[str] | None,
    cluster_id: str | None,
    extend: bool,
) -> tuple[_Problem, list[str], list[str], list[str], str, list[str]]:
    scope = store.chain_scope(chain_id)
    known_segments = {s.id for s in scope.segments}
    unknown = [s for s in segment_ids if s not in known_segments]
    if unknown:
        raise NotFound(
            f"产业链 {chain_id} 中没有环节 {'、'.join(unknown)}",
            f"chain {chain_id} has no segment {', '.join(unknown)}",
        )
    wanted = set(segment_ids) or known_segments
    positions = {p.id: p for p in scope.positions if p.segment in wanted}
    requirements = sorted(
        (r for r in scope.requirements if r.position in positions),
        key=lambda r: (r.position, r.ability),
    )
    total_weight: dict[str, float] = defaultdict(float)
    for req in requirements:
        total_weight[req.position] += req.weight
    worth: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for req in requirements:
        share = demand_of(positions[req.position]) * req.weight / total_weight[req.position]
        for level in range(1, req.level + 1):
            worth[req.ability][level - 1] += share / req.level
    demand = sum(demand_of(positions[p]) for p in total_weight)

    cluster_name = ""
    cluster_majors: list[str] = []
    current: list[str] = []
    if cluster_id is not None:
        cluster = store.get_node(Label.SPECIALTY_CLUSTER, cluster_id)
        if cluster is None:
            raise NotFound(f"找不到专业群 {cluster_id}", f"no specialty cluster {cluster_id}")
        cluster_name = cluster.name
        cluster_majors = sorted(
            r.src for r in store.relationships(Rel.IN_CLUSTER, dst_ids=[cluster_id])
        )
        current = sorted(store.curriculum(cluster_id))

    majors = store.nodes(Label.MAJOR, pool_majors)
    _check_known("专业", "major", pool_majors, majors)
    courses = store.nodes(Label.COURSE, pool_courses)
    _check_known("课程", "course", pool_courses, courses)
    members: dict[str, set[str]] = defaultdict(set)
    for rel in store.relationships(Rel.IN_MAJOR, dst_ids=sorted(majors)):
        members[rel.dst].add(rel.src)
    everything = set(courses) | {c for m in members.values() for c in m} | set(current)
    nodes = store.nodes(Label.COURSE, sorted(everything))
    covers: dict[str, dict[str, int]] = defaultdict(dict)
    for rel in store.relationships(Rel.COVERS, dst_ids=sorted(worth)):
        if rel.src in everything:
            covers[rel.src][rel.dst] = int(rel.props["level"])

    cost: dict[str, float] = {}
    skipped: list[str] = []
    for course_id in sorted(everything):
        if budget_kind == "courses":
            cost[course_id] = 1.0
            continue
        raw = nodes[course_id].props.get(budget_kind) if course_id in nodes else None
        if raw is None:
            skipped.append(course_id)
        else:
            cost[course_id] = float(raw)

    base = frozenset(current) if extend else frozenset()
    excluded = set(cluster_majors) if extend else set()
    units: list[Unit] = []
    for major_id in sorted(majors):
        if major_id in excluded:
            continue
        inside = frozenset(c for c in members.get(major_id, ()) if c in cost) - base
        if inside and any(covers.get(c) for c in inside):
            units.append(Unit("major", major_id, majors[major_id].name, inside))
    for course_id in sorted(courses):
        if course_id in cost and course_id not in base and covers.get(course_id):
            units.append(Unit("course", course_id, courses[course_id].name, frozenset([course_id])))
    objective = Objective(dict(worth), dict(covers))
    problem = _Problem(objective, units, cost, base, demand)
    return problem, sorted(wanted), skipped, current, cluster_name, cluster_majors


def _check_known(zh: str, en: str, asked: Sequence[str] | None, found: Mapping[str, Any]) -> None:
    if asked is None:
        return
    unknown = sorted(set(asked) - set(found))
    if unknown:
        raise NotFound(f"找不到{zh} {'、'.join(unknown)}", f"no {en} {', '.join(unknown)}")


def _order(units: Sequence[Unit], problem: _Problem, budget: float) -> tuple[list[Pick], set[str]]:
    """Take units in greedy order of gain per cost, recording each one's marginal gain.

    With `budget` = inf this orders a given selection for display.
    """
    chosen = set(problem.base)
    taught = problem.objective.taught(chosen)
    spent = 0.0
    picks: list[Pick] = []
    remaining = list(units)
    demand = problem.demand
    while remaining:
        best: tuple[float, float, int] | None = None
        best_at = -1
        for at, unit in enumerate(remaining):
            new = unit.courses - chosen
            if not new:
                continue
            cost = sum(problem.cost[c] for c in sorted(new))
            if spent + cost > budget + 1e-9:
                continue
            gain = problem.objective.gain(taught, new)
            if gain <= _EPS:
                continue
            ratio = gain / cost if cost > 0 else math.inf
            key = (ratio, gain, -at)
            if best is None or key > best:
                best, best_at = key, at
        if best is None:
            break
        unit = remaining.pop(best_at)
        new_courses = sorted(unit.courses - chosen)
        cost = sum(problem.cost[c] for c in new_courses)
        gain = problem.objective.gain(taught, new_courses)
        chosen.update(new_courses)
        taught = problem.objective.taught(chosen)
        spent += cost
        value = problem.objective.value(chosen)
        picks.append(
            Pick(
                unit.kind,
                unit.id,
                unit.name,
                new_courses,
                cost,
                gain,
                gain / demand if demand else None,
                value / demand if demand else None,
            )
        )
    return picks, chosen


def _selection(
    method: str, status: str, picks: list[Pick], chosen: set[str], problem: _Problem
) -> Selection:
    value = problem.objective.value(chosen)
    added = chosen - problem.base
    return Selection(
        method=method,
        status=status,
        picks=picks,
        courses=sorted(chosen),
        cost=sum(problem.cost[c] for c in sorted(added)),
        value=value,
        coverage=value / problem.demand if problem.demand else None,
    )


def _greedy(problem: _Problem, budget: float) -> Selection:
    """Greedy by marginal gain per marginal cost, then the best single unit if it beats it."""
    picks, chosen = _order(problem.units, problem, budget)
    greedy = _selection("greedy", "done", picks, chosen, problem)
    base_taught = problem.objective.taught(problem.base)
    best_single: Unit | None = None
    best_gain = 0.0
    for unit in problem.units:
        if sum(problem.cost[c] for c in sorted(unit.courses)) > budget + 1e-9:
            continue
        gain = problem.objective.gain(base_taught, unit.courses)
        if gain > best_gain + _EPS:
            best_single, best_gain = unit, gain
    base_value = problem.objective.value(problem.base)
    if best_single is not None and base_value + best_gain > greedy.value + 1e-9:
        picks, chosen = _order([best_single], problem, budget)
        return _selection("greedy", "best single pick", picks, chosen, problem)
    return greedy


def _exact(problem: _Problem, budget: float, time_limit: float) -> Selection:
    try:  # SciPy (HiGHS) is the [plan] extra, and costs a CLI call 0.3-1 s: imported here
        import numpy as np
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import coo_array
    except ImportError as exc:
        raise MissingExtra.for_extra(
            "plan", "精确求解（整数规划）", "the exact solver (an integer program)", exc
        ) from exc
    """Solve the ILP of the module docstring with HiGHS."""
    units = problem.units
    course_ids = sorted({c for u in units for c in u.courses} - problem.base)
    base_taught = problem.objective.taught(problem.base)
    elements: list[tuple[str, int]] = [
        (a, level)
        for a in sorted(problem.objective.worth)
        for level in range(1, 5)
        if problem.objective.worth[a][level - 1] > 0 and base_taught.get(a, 0) < level
    ]
    n_x, n_y, n_z = len(units), len(course_ids), len(elements)
    y_at = {c: n_x + i for i, c in enumerate(course_ids)}
    z_at = {e: n_x + n_y + i for i, e in enumerate(elements)}
    n = n_x + n_y + n_z
    if n_y == 0 or n_z == 0:
        return _selection("exact", "optimal", [], set(problem.base), problem)

    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    upper: list[float] = []
    row = 0

    def add(entries: Iterable[tuple[int, float]], ub: float) -> None:
        nonlocal row
        for col, val in entries:
            rows.append(row)
            cols.append(col)
            vals.append(val)
        upper.append(ub)
        row += 1

    providers: dict[tuple[str, int], list[int]] = defaultdict(list)
    for course in course_ids:
        for ability, level in problem.objective.covers.get(course, {}).items():
            for lv in range(1, min(level, 4) + 1):
                if (ability, lv) in z_at:
                    providers[(ability, lv)].append(y_at[course])
    for element in elements:
        add([(z_at[element], 1.0)] + [(col, -1.0) for col in providers[element]], 0.0)
    holders: dict[str, list[int]] = defaultdict(list)
    for i, unit in enumerate(units):
        for course in sorted(unit.courses - problem.base):
            add([(i, 1.0), (y_at[course], -1.0)], 0.0)
            holders[course].append(i)
    for course in course_ids:
        add([(y_at[course], 1.0)] + [(i, -1.0) for i in holders[course]], 0.0)
    add([(y_at[c], problem.cost[c]) for c in course_ids], float(budget))

    matrix = coo_array((vals, (rows, cols)), shape=(row, n)).tocsr()
    constraints = LinearConstraint(matrix, -np.inf, np.array(upper))
    total_cost = sum(problem.cost[c] for c in course_ids) or 1.0
    smallest = min(problem.objective.worth[a][lv - 1] for a, lv in elements)
    # A tie-break far below any element's worth: of equally good selections, the cheapest.
    tie = smallest * 1e-6 / total_cost
    c = np.zeros(n)
    for element, col in z_at.items():
        c[col] = -problem.objective.worth[element[0]][element[1] - 1]
    for course, col in y_at.items():
        c[col] = tie * problem.cost[course]
    integrality = np.zeros(n)
    integrality[: n_x + n_y] = 1
    result = milp(
        c,
        constraints=constraints,
        integrality=integrality,
        bounds=Bounds(np.zeros(n), np.ones(n)),
        options={"time_limit": float(time_limit), "mip_rel_gap": 0.0},
    )
    status = {0: "optimal", 1: "time_limit", 2: "infeasible", 3: "unbounded"}.get(
        int(result.status), "failed"
    )
    if result.x is None:
        return _selection("exact", status, [], set(problem.base), problem)
    chosen_units = [units[i] for i in range(n_x) if result.x[i] > 0.5]
    picks, chosen = _order(chosen_units, problem, math.inf)
    return _selection("exact", status, picks, chosen, problem)
