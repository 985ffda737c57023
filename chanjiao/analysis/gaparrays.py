"""The §4 arithmetic of `gaps.py` on integer-indexed arrays, and the gap JSON in fragments.

A chain scope (its positions and requirements) changes only when the store does, so
everything about it that does not depend on the cluster is laid out once per scope
object (the embedded store hands out the same scope object until its next write):
positions by id, requirements by (position, ability) as parallel arrays, each
requirement's share demand·(w / W) of its position, and the JSON text around every
number. A question then costs a few array operations: taught levels, fulfilments,
bincount sums. Sums run in the order `gaps.py` documents (positions by id, their
requirements by ability id), element by element, so every float is the one the
plain-Python reading of DESIGN §4 gives, on every backend.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, cast

import numpy as np
import orjson

from chanjiao.analysis import scoring
from chanjiao.graph.cache import GenerationCache

#: Laid-out scopes, kept with the object they were made from, so
#: an id is only ever matched against the very object it was computed for.
_LAYOUTS = GenerationCache(2_000_000, weigh=lambda value: len(value[1].ability_index) + 1)


def _j(value: Any) -> bytes:
    return orjson.dumps(value)


def _num(value: float) -> bytes:
    """A number as the JSON of DESIGN §4 shows it (`scoring.rounded`, Python's repr)."""
    return repr(scoring.rounded(value)).encode()


class ScopeLayout:
    """One chain scope as arrays; built by `layout(scope)`."""

    def __init__(self, scope: Any, demand_of: Any) -> None:
        requirements: dict[str, list[Any]] = {}
        for row in scope.requirements:
            requirements.setdefault(row.position, []).append(row)
        self.segments = sorted(scope.segments, key=lambda s: (s.order is None, s.order or 0, s.id))
        segment_index = {s.id: i for i, s in enumerate(self.segments)}
        self.positions: list[Any] = []
        self.unmodelled: list[str] = []
        rows: list[Any] = []
        position_of: list[int] = []
        for position in sorted(scope.positions, key=lambda p: p.id):
            found = sorted(requirements.get(position.id, ()), key=lambda r: r.ability)
            if not found:
                self.unmodelled.append(position.id)
                continue
            position_of.extend([len(self.positions)] * len(found))
            self.positions.append(position)
            rows.extend(found)
        self.rows = rows
        self.position_ids = [p.id for p in self.positions]
        self.position_array = np.empty(len(self.position_ids), dtype=object)
        self.position_array[:] = self.position_ids
        self.demands = [demand_of(p) for p in self.positions]
        self.demand = np.array(self.demands, dtype=np.float64)
        #: Each segment's scored positions (indexes, by id).
        self.segment_positions: list[list[int]] = [[] for _ in self.segments]
        for i, position in enumerate(self.positions):
            if position.segment in segment_index:
                self.segment_positions[segment_index[position.segment]].append(i)
        self.rpos = np.array(position_of, dtype=np.int64)
        self.level = np.array([r.level for r in rows], dtype=np.int64)
        self.weight = np.array([r.weight for r in rows], dtype=np.float64)
        abilities = sorted({r.ability for r in rows})
        self.abilities = abilities
        self.ability_index = {a: i for i, a in enumerate(abilities)}
        self.names = {r.ability: r.ability_name for r in rows}
        self.rab = np.array([self.ability_index[r.ability] for r in rows], dtype=np.int64)
        self.total = scoring.total_weights(self.rpos, self.weight, len(self.positions))
        self.share = scoring.demand_shares(
            self.demand[self.rpos], self.weight, self.total[self.rpos]
        )
        self._template: tuple[Any, ...] | None = None
        #: ability index → (its closers, as JSON), filled as gaps ask (see gaps._closers).
        self.closers: dict[int, tuple[Any, bytes]] = {}

    # --- JSON fragments (built on the first encoded report of this scope) ---------------

    def template(self) -> tuple[Any, ...]:
        """Static pieces of the `positions` JSON and the slots a question fills in."""
        if self._template is not None:
            return self._template
        pieces: list[bytes] = []
        cov_slots: list[int] = []
        taught_slots: list[int] = []
        suffix_keys: dict[tuple[float, int], int] = {}
        suffixes: list[bytes] = []
        weight_key: list[int] = []
        start = 0
        for i, (position, demand) in enumerate(zip(self.positions, self.demands, strict=True)):
            head = b"," if i else b""
            head += (
                b'{"id":' + _j(position.id) + b',"name":' + _j(position.name)
                + b',"segment":' + _j(position.segment) + b',"demand":' + _j(demand)
                + b',"coverage":'
            )  # fmt: skip
            pieces.append(head)
            cov_slots.append(len(pieces))
            pieces.append(b"")
            pieces.append(b',"requirements":[')
            end = start
            while end < len(self.rows) and self.rpos[end] == i:
                row = self.rows[end]
                pieces.append(
                    (b"," if end > start else b"")
                    + b'{"ability":' + _j(row.ability) + b',"name":' + _j(row.ability_name)
                    + b',"required":' + _j(row.level) + b',"taught":'
                )  # fmt: skip
                taught_slots.append(len(pieces))
                pieces.append(b"")
                rounded = cast(float, scoring.rounded(row.weight))
                key = suffix_keys.get((rounded, 0))
                if key is None:
                    key = len(suffixes) // 3
                    for status in range(3):
                        suffix_keys[(rounded, status)] = len(suffixes)
                        suffixes.append(
                            b',"weight":' + repr(rounded).encode() + b',"status":"'
                            + scoring.STATUSES[status].encode() + b'"}'
                        )  # fmt: skip
                weight_key.append(suffix_keys[(rounded, 0)])
                pieces.append(b"")
                end += 1
            pieces.append(b"]}")
            start = end
        array = np.empty(len(pieces), dtype=object)
        array[:] = pieces
        suffix_array = np.empty(len(suffixes), dtype=object)
        suffix_array[:] = suffixes
        top = int(self.level.max()) if len(self.level) else 0
        taught_text = np.empty(max(top, 16) + 1, dtype=object)
        taught_text[:] = [str(i).encode() for i in range(len(taught_text))]
        self._template = (
            array,
            np.array(cov_slots, dtype=np.int64),
            np.array(taught_slots, dtype=np.int64),
            np.array(weight_key, dtype=np.int64),
            suffix_array,
            taught_text,
            (
                _objects([_j(p) for p in self.position_ids]),
                _objects([b"," + _j(p) for p in self.position_ids]),
            ),
            _objects(
                [
                    b'{"ability":' + _j(a) + b',"name":' + _j(self.names[a]) + b',"priority":'
                    for a in self.abilities
                ]
            ),
        )
        return self._template


def _objects(values: list[bytes]) -> Any:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def layout(scope: Any, demand_of: Any) -> ScopeLayout:
    """The arrays of `scope`, laid out once per scope object."""
    key: Hashable = id(scope)
    hit = _LAYOUTS.get(0, key)
    if hit is not None and hit[0] is scope:
        found: ScopeLayout = hit[1]
        return found
    made = ScopeLayout(scope, demand_of)
    _LAYOUTS.put(0, key, (scope, made))
    return made


class Scored:
    """The numbers of one question: a scope scored against taught levels."""

    def __init__(self, scope: ScopeLayout, taught: dict[str, int]) -> None:
        self.scope = scope
        get = taught.get
        self.by_ability = by_ability = np.fromiter(
            (get(a, 0) for a in scope.abilities), dtype=np.int64, count=len(scope.abilities)
        )
        self.taught = by_ability[scope.rab]
        self.fulfilment = scoring.fulfilments(self.taught, scope.level)
        self.coverage = scoring.coverages(scope.rpos, scope.weight, self.fulfilment, scope.total)
        self.status = scoring.status_codes(self.taught, scope.level)
        self.priority = scoring.priorities(
            scope.rab, scope.share, self.fulfilment, len(scope.abilities)
        )
        #: The gaps (ability indexes) by priority descending, then ability id.
        self.ranking = scoring.ranking(self.priority)

    def chain_coverage(self) -> float | None:
        return scoring.weighted_coverage(
            zip(self.scope.demands, self.coverage.tolist(), strict=True)
        )

    def segments(self) -> list[tuple[Any, float | None, int, int]]:
        """(segment row, coverage, demand, scored positions), segments in report order."""
        coverage = self.coverage.tolist()
        demands = self.scope.demands
        found = []
        for row, inside in zip(self.scope.segments, self.scope.segment_positions, strict=True):
            pairs = [(demands[i], coverage[i]) for i in inside]
            found.append(
                (row, scoring.weighted_coverage(pairs), sum(d for d, _ in pairs), len(inside))
            )
        return found

    def gaps(self) -> list[tuple[int, float, list[str]]]:
        """(ability index, priority, positions not covering it) by priority, then id."""
        scope = self.scope
        order = self.ranking
        unmet = np.flatnonzero(self.fulfilment < 1)
        by_ability = unmet[np.argsort(scope.rab[unmet], kind="stable")]
        bounds = np.searchsorted(scope.rab[by_ability], order)
        ends = np.searchsorted(scope.rab[by_ability], order, side="right")
        ids = scope.position_array[scope.rpos[by_ability]]
        priority = self.priority[order].tolist()
        return [
            (a, p, ids[s:e].tolist())
            for a, p, s, e in zip(
                order.tolist(), priority, bounds.tolist(), ends.tolist(), strict=True
            )
        ]

    def status_counts(self) -> dict[str, int]:
        counts = np.bincount(self.status, minlength=3).tolist()
        return dict(zip(scoring.STATUSES, counts, strict=True))

    def positions_json(self) -> bytes:
        """The `positions` list of the report as JSON, from the scope's fragments."""
        scope = self.scope
        pieces, cov_slots, taught_slots, weight_key, suffixes, taught_text, _, _ = scope.template()
        filled = pieces.copy()
        filled[cov_slots] = [_num(c) for c in self.coverage.tolist()]
        filled[taught_slots] = taught_text[self.taught]
        filled[taught_slots + 1] = suffixes[weight_key + self.status]
        return b"[" + b"".join(filled.tolist()) + b"]"

    def gaps_json(self, closers: Sequence[bytes]) -> bytes:
        """The `gaps` list as JSON, with each gap's closers' JSON given in gap order.

        One array of fragments: per gap its head, priority, the ids of the positions
        that miss it and its closers, placed with index arithmetic instead of a loop.
        """
        scope = self.scope
        template = scope.template()
        heads, position_json = template[-1], template[-2]
        order = self.ranking
        count = len(order)
        if not count:
            return b"[]"
        unmet = np.flatnonzero(self.fulfilment < 1)
        by_ability = unmet[np.argsort(scope.rab[unmet], kind="stable")]
        abilities = scope.rab[by_ability]
        starts = np.searchsorted(abilities, order)
        counts = np.searchsorted(abilities, order, side="right") - starts
        where = np.zeros(count, dtype=np.int64)
        np.cumsum(counts[:-1] + 6, out=where[1:])
        pieces = np.empty(int(counts.sum()) + 6 * count, dtype=object)
        pieces[where] = heads[order]
        pieces[where + 1] = [_num(p) for p in self.priority[order].tolist()]
        pieces[where + 2] = b',"positions":['
        ends = where + 3 + counts
        pieces[ends] = b'],"closers":'
        pieces[ends + 1] = closers
        pieces[ends + 2] = b"},"
        pieces[-1] = b"}"
        total = int(counts.sum())
        if total:
            first = np.repeat(np.cumsum(counts) - counts, counts)
            step = np.arange(total) - first
            source = by_ability[np.repeat(starts, counts) + step]
            slots = np.repeat(where + 3, counts) + step
            ids = scope.rpos[source]
            pieces[slots] = np.where(step == 0, position_json[0][ids], position_json[1][ids])
        return b"[" + b"".join(pieces.tolist()) + b"]"
