"""The arithmetic of DESIGN §4, defined once: every analysis, view and report calls it.

- taught(a): the highest level any course of the curriculum covers a at (`taught_levels`);
- demand(p): offered headcount, else the position's demand, else 1 (`demand_of`);
- fulfilment f = min(level, r) / r and status covered / partial / missing (`fulfilment`,
  `status`);
- coverage(p) = Σ w·f / Σ w (`position_coverage`, `score_requirements`);
- coverage of a segment or chain = Σ demand·coverage / Σ demand (`weighted_coverage`);
- a gap's share of a position's shortfall, demand·(w / W)·(1 − f) (`shortfall_share`),
  and the gap ranking: priority descending, then ability id (`rank_gaps`);
- numbers in JSON rounded to `DECIMALS` (`rounded`; written as text, many at once, by
  `rounded_texts`).

The levels a requirement is scored against need not be taught levels: talent readiness
(DESIGN §4b) passes a student's attained levels to the same `position_coverage`.
Sums run in the order given; callers pass requirements sorted by ability id so the floats
are identical on every backend.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol

if TYPE_CHECKING:
    from numpy.typing import NDArray

Status = Literal["covered", "partial", "missing"]

#: JSON numbers are rounded to this many decimals (DESIGN §4).
DECIMALS = 4

#: The words a user reads for each status.
STATUS_ZH: dict[str, str] = {"covered": "已覆盖", "partial": "部分覆盖", "missing": "缺失"}


class Requirement(Protocol):
    """What scoring reads of a requirement: a `REQUIRES` edge of a position."""

    @property
    def ability(self) -> str: ...

    @property
    def level(self) -> int: ...

    @property
    def weight(self) -> float: ...


class NamedRequirement(Requirement, Protocol):
    """A requirement with the required ability's name (`graph.store.ScopeRequirement`)."""

    @property
    def ability_name(self) -> str: ...


class Demand(Protocol):
    """What demand(p) reads of a position."""

    @property
    def demand(self) -> int | None: ...

    @property
    def offered(self) -> int | None: ...


class ScoredRequirement(NamedTuple):
    """One requirement scored against a level (taught, or a student's attained level)."""

    ability: str
    name: str
    required: int
    taught: int
    weight: float
    fulfilment: float
    status: Status


def rounded(value: float | None) -> float | None:
    """A number as JSON shows it: `DECIMALS` decimals; None stays None."""
    return None if value is None else round(value, DECIMALS)


def status(level: int, required: int) -> Status:
    """covered (level ≥ required), partial (0 < level < required), missing (level = 0)."""
    if level >= required:
        return "covered"
    return "partial" if level > 0 else "missing"


def fulfilment(level: int, required: int) -> float:
    """f = min(level, required) / required."""
    return min(level, required) / required


def demand_of(position: Demand) -> int:
    """demand(p): offered headcount if any offer gives one, else p.demand, else 1."""
    if position.offered is not None:
        return position.offered
    if position.demand is not None:
        return position.demand
    return 1


def highest_levels(covers: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """For each ability, the highest level any of the given {ability → level} maps reaches."""
    taught: dict[str, int] = {}
    for abilities in covers:
        for ability, level in abilities.items():
            if level > taught.get(ability, 0):
                taught[ability] = level
    return taught


def taught_levels(curriculum: Mapping[str, Mapping[str, int]]) -> dict[str, int]:
    """taught(a): the highest level any course of the curriculum covers a at."""
    return highest_levels(curriculum.values())


def score_requirements(
    requirements: Iterable[NamedRequirement], levels: Mapping[str, int]
) -> tuple[list[ScoredRequirement], float, float]:
    """Score a position's requirements against levels.

    Args:
        requirements: the position's requirements, by ability id.
        levels: ability → the level reached (taught or attained); absent means 0.

    Returns:
        The scored requirements, their total weight W(p) and coverage(p) = Σ w·f / W(p).
        An empty `requirements` gives coverage 0.0: callers list such positions as
        unmodelled instead of scoring them.
    """
    results = []
    get = levels.get
    for req in requirements:
        ability, name, required, weight = req.ability, req.ability_name, req.level, req.weight
        level = get(ability, 0)
        if level >= required:
            results.append(
                ScoredRequirement(ability, name, required, level, weight, 1.0, "covered")
            )
        else:
            results.append(
                ScoredRequirement(
                    ability,
                    name,
                    required,
                    level,
                    weight,
                    level / required,
                    "partial" if level > 0 else "missing",
                )
            )
    total = sum(r.weight for r in results)
    if not total:
        return results, total, 0.0
    return results, total, sum(r.weight * r.fulfilment for r in results) / total


def position_coverage(
    requirements: Iterable[Requirement], levels: Mapping[str, int]
) -> float | None:
    """coverage(p) = Σ w·min(level(a), r)/r ÷ Σ w over p's requirements; None if it has none.

    Args:
        requirements: the position's requirements (anything with `ability`, `level` and
            `weight`, e.g. `graph.store.ScopeRequirement`), summed in the order given.
        levels: ability → the level reached: the cluster's taught levels (§4) or a
            student's attained levels (§4b).
    """
    total = covered = 0.0
    scored = False
    for req in requirements:
        scored = True
        total += req.weight
        covered += req.weight * fulfilment(levels.get(req.ability, 0), req.level)
    if not scored:
        return None
    return covered / total if total else 0.0


def weighted_coverage(items: Iterable[tuple[float, float]]) -> float | None:
    """Σ demand·coverage / Σ demand over (demand, coverage) pairs; None when nothing counts."""
    pairs = list(items)
    demand = sum(d for d, _ in pairs)
    if not pairs or demand == 0:
        return None
    return sum(d * c for d, c in pairs) / demand


def shortfall_share(demand: float, weight: float, total_weight: float, fulfilled: float) -> float:
    """One requirement's share of a position's shortfall: demand·(w / W)·(1 − f)."""
    return demand * (weight / total_weight) * (1 - fulfilled)


def rank_gaps(priority: Mapping[str, float]) -> list[tuple[str, float]]:
    """Gaps (priority > 0) by priority descending, then ability id."""
    return [
        (ability, value)
        for ability, value in sorted(priority.items(), key=lambda item: (-item[1], item[0]))
        if value > 0
    ]


# --- the same rules on arrays, one element per requirement ---------------------------------
# (the gap report's fast path, chanjiao.analysis.gaparrays). Element-wise operations in the
# same order of operations, and `bincount` sums element by element in the order given, so
# every float equals what the functions above give for requirements in the same order.

#: The statuses in the order of their codes in `status_codes`.
STATUSES: tuple[Status, ...] = ("covered", "partial", "missing")


def fulfilments(levels: NDArray[Any], required: NDArray[Any]) -> NDArray[Any]:
    """f = min(level, r) / r for each requirement (`fulfilment`)."""
    import numpy as np

    result: NDArray[Any] = np.minimum(levels, required) / required
    return result


def status_codes(levels: NDArray[Any], required: NDArray[Any]) -> NDArray[Any]:
    """Each requirement's `status` as an index into `STATUSES`."""
    import numpy as np

    return np.where(levels >= required, 0, np.where(levels > 0, 1, 2)).astype(np.int64)


def coverages(
    position_of: NDArray[Any], weights: NDArray[Any], fulfilled: NDArray[Any], totals: NDArray[Any]
) -> NDArray[Any]:
    """coverage(p) = Σ w·f / W(p) for each position (`score_requirements`).

    Args:
        position_of: each requirement's position index; requirements by position, then
            ability id, as `score_requirements` sums them.
        totals: W(p) per position (`total_weights`).
    """
    import numpy as np

    result: NDArray[Any] = (
        np.bincount(position_of, weights * fulfilled, minlength=len(totals)) / totals
    )
    return result


def total_weights(position_of: NDArray[Any], weights: NDArray[Any], count: int) -> NDArray[Any]:
    """W(p) = Σ w over each position's requirements."""
    import numpy as np

    result: NDArray[Any] = np.bincount(position_of, weights, minlength=count)
    return result


def demand_shares(
    demand: NDArray[Any], weights: NDArray[Any], totals: NDArray[Any]
) -> NDArray[Any]:
    """demand·(w / W) of each requirement: `shortfall_share` before the factor (1 − f).

    Args:
        demand, totals: the requirement's position's demand(p) and W(p).
    """
    result: NDArray[Any] = demand * (weights / totals)
    return result


def priorities(
    ability_of: NDArray[Any], shares: NDArray[Any], fulfilled: NDArray[Any], count: int
) -> NDArray[Any]:
    """Gap priority per ability: Σ demand·(w / W)·(1 − f) (`shortfall_share`); a covered
    requirement adds 0."""
    import numpy as np

    result: NDArray[Any] = np.bincount(ability_of, shares * (1.0 - fulfilled), minlength=count)
    return result


_TEXT_TABLES: list[Any] = []


def _text_tables() -> tuple[NDArray[Any], NDArray[Any]]:
    """The whole parts 0…9999 and the fractions `.0`, `.0001` … `.9999` (no trailing
    zeros) as bytes, for `rounded_texts`."""
    if not _TEXT_TABLES:
        import numpy as np

        scale = 10**DECIMALS
        wholes = np.empty(scale, dtype=object)
        wholes[:] = [str(i).encode() for i in range(scale)]
        fractions = np.empty(scale, dtype=object)
        fractions[:] = [b".0"] + [
            b"." + str(i).rjust(DECIMALS, "0").rstrip("0").encode() for i in range(1, scale)
        ]
        _TEXT_TABLES[:] = [wholes, fractions]
    return _TEXT_TABLES[0], _TEXT_TABLES[1]


def rounded_texts(values: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
    """Each value as the JSON of `rounded` shows it, `repr(round(value, DECIMALS))`, as two
    byte strings to write one after the other (whole part, then fraction).

    `round(x, 4)` is the exact binary value of x correctly rounded to 4 decimals (CPython
    rounds through its correctly rounded dtoa), read back as a double; `repr` of that is
    the same decimal without trailing zeros, since below 2**52 / 10**4 two different
    4-decimal numbers lie further apart than a double's spacing, so no other string reads
    back to the same double. Here t = x·10**4 is off the exact product by at most half
    an ulp, so wherever t lies further than |t|·1e-12 from a half-integer the exact
    product rounds to the same integer n = rint(t), and the text is n // 10**4 and
    n % 10**4 without trailing zeros, from tables. Ties and near-ties, negative numbers
    (and -0.0), huge or non-finite values are left to `round` and `repr` themselves
    (whole part the full text, fraction empty), so every text is the one `rounded` gives.
    """
    import numpy as np

    wholes, fractions = _text_tables()
    scale = 10**DECIMALS
    scaled = values * float(scale)
    nearest = np.rint(scaled)
    with np.errstate(invalid="ignore"):
        # far from a half-integer; false for NaN, ±inf and from 2**52 / 10**4·… on
        simple = (np.abs(scaled - nearest) < 0.5 - scaled * 1e-12) & ~np.signbit(values)
    whole, fraction = np.divmod(np.where(simple, nearest, 0.0).astype(np.int64), scale)
    text = wholes[np.minimum(whole, scale - 1)]
    after = fractions[fraction]
    for i in np.flatnonzero(whole >= scale).tolist():
        text[i] = str(int(whole[i])).encode()
    for i in np.flatnonzero(~simple).tolist():
        text[i] = repr(rounded(float(values[i]))).encode()
        after[i] = b""
    return text, after


def ranking(priority: NDArray[Any]) -> NDArray[Any]:
    """The gaps (indexes with priority > 0) by priority descending, then index: with
    abilities indexed in id order, `rank_gaps`'s order."""
    import numpy as np

    found = np.flatnonzero(priority > 0)
    result: NDArray[Any] = found[np.lexsort((found, -priority[found]))]
    return result


__all__ = [
    "DECIMALS",
    "STATUSES",
    "STATUS_ZH",
    "Demand",
    "NamedRequirement",
    "Requirement",
    "ScoredRequirement",
    "Status",
    "coverages",
    "demand_of",
    "demand_shares",
    "fulfilment",
    "fulfilments",
    "highest_levels",
    "position_coverage",
    "priorities",
    "rank_gaps",
    "ranking",
    "rounded",
    "rounded_texts",
    "score_requirements",
    "shortfall_share",
    "status",
    "status_codes",
    "taught_levels",
    "total_weights",
    "weighted_coverage",
]
