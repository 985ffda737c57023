"""The §4 arithmetic of `gaps.py` on integer-indexed arrays, and the gap JSON in fragments.

Everything about a store state that does not depend on the question is laid out once
per store generation, in one `GapIndex`: an integer index over the abilities; per
cluster the abilities its courses cover (as index numbers) with their taught levels,
and who teaches what (`ClusterLayout`); per chain scope its positions by id, the
requirements by (position, ability) as parallel arrays, each requirement's share
demand·(w / W), the segments' demands, and the report's JSON text around every number
(`ScopeLayout`). A question then costs a few array operations: the cluster's taught
levels put onto the scope's abilities, fulfilments, bincount sums and a lexsort; its
JSON is the ready text with the question's numbers put into slots.

Sums run in the order `gaps.py` documents (positions by id, their requirements by
ability id), element by element (`bincount`), so every float is the one the
plain-Python reading of DESIGN §4 gives, on every backend; numbers are written as
`repr(scoring.rounded(x))` writes them (`scoring.rounded_texts`).
"""

from __future__ import annotations

import bisect
import itertools
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

import numpy as np

from chanjiao.analysis import scoring
from chanjiao.graph.cache import GenerationCache
from chanjiao.graph.store import CLOSER_KINDS, ChainScope, GraphReads
from chanjiao.jsonbytes import compact_json

#: The gap index of each store, for its current generation (the store is kept with it,
#: so an id is only ever matched against the very store it was made for). A national
#: store's index holds about as much as its read cache: a few stores at most.
_INDEXES = GenerationCache(4)

#: Closers of an ability nothing can close.
_NO_CLOSERS: dict[str, Sequence[str]] = {kind: () for kind in CLOSER_KINDS}


_j = compact_json


def _objects(values: Iterable[bytes]) -> Any:
    """Byte strings as a numpy object array (to be placed with fancy indexing)."""
    found = list(values)
    array = np.empty(len(found), dtype=object)
    array[:] = found
    return array


class GapIndex:
    """What the gap reports of one store state share (`index_of`)."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._lock = threading.Lock()
        self.clusters: dict[str, ClusterLayout] = {}
        self.scopes: dict[tuple[str, str | None], ScopeLayout] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def numbers(self, abilities: Sequence[str]) -> Any:
        """The index numbers of `abilities` (numbering the ones not seen before)."""
        with self._lock:
            ids = self._ids
            for ability in abilities:
                if ability not in ids:
                    ids[ability] = len(ids)
            return np.fromiter((ids[a] for a in abilities), dtype=np.int64, count=len(abilities))


def index_of(store: GraphReads) -> GapIndex:
    """The store's `GapIndex` for its current generation; a store without generations
    (whose reads may change at any time) gets a new one each time, sharing nothing."""
    generation = store.generation()
    if generation is None:
        return GapIndex()
    key = id(store)
    hit = _INDEXES.get(generation, key)
    if hit is not None and hit[0] is store:
        found: GapIndex = hit[1]
        return found
    made = GapIndex()
    _INDEXES.put(generation, key, (store, made))
    return made


class ClusterLayout:
    """One cluster's C(K) as arrays over a `GapIndex`.

    Args:
        curriculum: C(K), course → {ability → level} (kept, never mutated).
        course_names: names of (at least) the courses of C(K) that have one.
    """

    def __init__(
        self,
        cluster_id: str,
        name: str,
        curriculum: dict[str, dict[str, int]],
        course_names: dict[str, str],
        index: GapIndex,
    ) -> None:
        self.id = cluster_id
        self.name = name
        self.curriculum = curriculum
        self.courses = sorted(curriculum)
        self.own = frozenset(curriculum)
        taught = scoring.taught_levels(curriculum)
        #: Per ability, the courses of C(K) covering it as (−level, course), sorted.
        self.teaching = teaching(curriculum)
        covered = list(self.teaching)
        #: The abilities some course covers (index numbers) and their taught levels.
        self.abilities = index.numbers(covered)
        self.levels = np.array([taught.get(a, 0) for a in covered], dtype=np.int64)
        self.top = int(self.abilities.max()) if len(covered) else -1
        #: Each (course, ability) it covers: the course's place in `courses`, the
        #: ability's place in `abilities`.
        place = {a: i for i, a in enumerate(covered)}
        course_of: list[int] = []
        ability_of: list[int] = []
        for i, course in enumerate(self.courses):
            course_of.extend([i] * len(curriculum[course]))
            ability_of.extend(place[a] for a in curriculum[course])
        self.cover_course = np.array(course_of, dtype=np.int64)
        self.cover_ability = np.array(ability_of, dtype=np.int64)
        #: Per ability it covers, the courses covering it and its `taught_partly`, as JSON.
        self.teachers = {
            a: [(c, _j(c)) for _, c in courses] for a, courses in self.teaching.items()
        }
        self.partly = {
            ability: _j(
                [
                    {"course": c, "name": course_names.get(c, c), "level": -level}
                    for level, c in courses
                ]
            )
            for ability, courses in self.teaching.items()
        }
        self.course_names = course_names


def teaching(curriculum: dict[str, dict[str, int]]) -> dict[str, list[tuple[int, str]]]:
    """Per ability, the courses of C(K) covering it as (−level, course), sorted."""
    found: dict[str, list[tuple[int, str]]] = {}
    for course, covers in curriculum.items():
        for ability, level in covers.items():
            found.setdefault(ability, []).append((-level, course))
    for courses in found.values():
        courses.sort()
    return found


class ScopeLayout:
    """One chain scope as arrays over a `GapIndex`; the JSON text around its numbers
    and its closers are made on first use (`text`, `closer_text`)."""

    def __init__(self, scope: ChainScope, demand_of: Callable[[Any], int], index: GapIndex) -> None:
        self.scope = scope
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
        self.demand_total = sum(self.demands)
        # Each segment's scored positions, in id order (`member`), and their demands.
        member, member_segment = [], []
        for i, position in enumerate(self.positions):
            if position.segment in segment_index:
                member.append(i)
                member_segment.append(segment_index[position.segment])
        self.member = np.array(member, dtype=np.int64)
        self.all_members = len(member) == len(self.positions)
        self.position_zeros = np.zeros(len(self.positions), dtype=np.int64)
        self.member_segment = np.array(member_segment, dtype=np.int64)
        self.segment_count = np.bincount(self.member_segment, minlength=len(self.segments)).tolist()
        self.segment_demand = [0] * len(self.segments)
        for i, s in zip(member, member_segment, strict=True):
            self.segment_demand[s] += self.demands[i]
        self.rpos = np.array(position_of, dtype=np.int64)
        self.level = np.array([r.level for r in rows], dtype=np.int64)
        self.weight = np.array([r.weight for r in rows], dtype=np.float64)
        abilities = sorted({r.ability for r in rows})
        self.abilities = abilities
        self.ability_index = {a: i for i, a in enumerate(abilities)}
        self.names = {r.ability: r.ability_name for r in rows}
        self.rab = np.array([self.ability_index[r.ability] for r in rows], dtype=np.int64)
        #: Requirements by ability, then position (`by_ability[ability_start[a]:…[a + 1]]`).
        self.by_ability = np.argsort(self.rab, kind="stable")
        self.ability_start = np.searchsorted(
            self.rab[self.by_ability], np.arange(len(abilities) + 1)
        )
        self.total = scoring.total_weights(self.rpos, self.weight, len(self.positions))
        self.share = scoring.demand_shares(
            self.demand[self.rpos], self.weight, self.total[self.rpos]
        )
        #: Index number → this scope's ability (−1: not in scope), for numbers < its length.
        numbers = index.numbers(abilities)
        self._local = np.full(int(numbers.max()) + 1 if len(abilities) else 0, -1, dtype=np.int64)
        self._local[numbers] = np.arange(len(abilities))
        self._text: ScopeText | None = None
        #: The closers of its abilities, once read (`closer_text`).
        self.closers: CloserText | None = None
        self._gap_middles: list[list[bytes]] | None = None

    def local(self, numbers: Any, top: int) -> Any:
        """This scope's ability for each index number (−1 where not in scope); `top` is
        the largest number asked. Numbers given after the layout was made are not in it."""
        table = self._local
        if top >= len(table):
            table = np.concatenate([table, np.full(top + 1 - len(table), -1, dtype=np.int64)])
            self._local = table
        return table[numbers]

    def gap_positions(self, ability: int, taught: int) -> bytes:
        """`,"positions":[…],"closers":`: the positions that an ability taught at
        `taught` does not fulfil, as the text between a gap's priority and its closers."""
        middles = self.middles()[ability]
        if taught < len(middles):
            return middles[taught]
        start, end = self.ability_start[ability], self.ability_start[ability + 1]
        rows = self.by_ability[start:end]
        unmet = rows[scoring.fulfilments(np.full(len(rows), taught), self.level[rows]) < 1]
        positions = _j(self.position_array[self.rpos[unmet]].tolist())
        return b',"positions":' + positions + b',"closers":'

    def middles(self) -> list[list[bytes]]:
        """Per ability, `gap_positions` for each level below the highest it is required
        at (one text for consecutive levels that leave the same positions unmet)."""
        if self._gap_middles is not None:
            return self._gap_middles
        rows = self.by_ability
        ability_of = self.rab[rows].tolist()
        ids = self.position_array[self.rpos[rows]].tolist()
        middles: list[list[bytes]] = [[] for _ in self.abilities]
        previous: list[list[str] | None] = [None] * len(self.abilities)
        for taught in range(int(self.level.max()) if len(rows) else 0):
            unmet = scoring.fulfilments(np.full(len(rows), taught), self.level[rows]) < 1
            found: list[list[str]] = [[] for _ in self.abilities]
            for a, position, flag in zip(ability_of, ids, unmet.tolist(), strict=True):
                if flag:
                    found[a].append(position)
            for a, positions in enumerate(found):
                if positions != previous[a] or not middles[a]:
                    text = b',"positions":' + _j(positions) + b',"closers":'
                else:
                    text = middles[a][-1]
                middles[a].append(text)
                previous[a] = positions
        self._gap_middles = middles
        return middles

    def text(self) -> ScopeText:
        """The report's JSON text around this scope's numbers (made on first use)."""
        if self._text is None:
            self._text = ScopeText(self)
        return self._text

    def closer_text(self, store: GraphReads) -> CloserText:
        """Each ability's closers as a gap ends with them (read once per scope)."""
        if self.closers is None:
            self.closers = CloserText(self, store.closers(self.abilities))
        return self.closers


class ScopeText:
    """A scope's report JSON around its numbers.

    `positions` is the whole `positions` list as one text with nothing taught and the
    coverages left out: a question copies it, writes each requirement taught above 0
    over its level digit (`digit_at`) and its status word (`status_at`; the three
    words are of one length), and puts each coverage in at `number_at`. Per ability, a
    gap's head (through `"priority":`; `first_heads` open the list) and, for a report
    without closers, its end when nothing is taught (`bare_ends`).
    """

    def __init__(self, scope: ScopeLayout) -> None:
        pieces: list[bytes] = []
        size = 0
        number_at: list[int] = []
        digit_at: list[int] = []
        status_at: list[int] = []
        rows = scope.rows
        missing = scoring.status_codes(np.zeros(len(rows), dtype=np.int64), scope.level).tolist()
        weights: dict[float, bytes] = {}
        start = 0
        for i, (position, demand) in enumerate(zip(scope.positions, scope.demands, strict=True)):
            head = (
                (b"]},{" if i else b"[{")
                + b'"id":' + _j(position.id) + b',"name":' + _j(position.name)
                + b',"segment":' + _j(position.segment) + b',"demand":' + _j(demand)
                + b',"coverage":'
            )  # fmt: skip
            pieces.append(head)
            size += len(head)
            number_at.append(size)
            end = start
            while end < len(rows) and scope.rpos[end] == i:
                row = rows[end]
                rounded = cast(float, scoring.rounded(row.weight))
                if rounded not in weights:
                    weights[rounded] = b',"weight":' + repr(rounded).encode() + b',"status":"'
                head = (
                    (b"," if end > start else b',"requirements":[')
                    + b'{"ability":' + _j(row.ability) + b',"name":' + _j(row.ability_name)
                    + b',"required":' + _j(row.level) + b',"taught":'
                )  # fmt: skip
                digit_at.append(size + len(head))
                head += b"0" + weights[rounded]
                status_at.append(size + len(head))
                head += scoring.STATUSES[missing[end]].encode() + b'"}'
                pieces.append(head)
                size += len(head)
                end += 1
            start = end
        pieces.append(b"]}]" if scope.positions else b"[]")
        self.positions = b"".join(pieces)
        self.number_at = number_at
        self.digit_at = np.array(digit_at, dtype=np.int64)
        self.status_at = np.array(status_at, dtype=np.int64)
        gap_heads = [
            b'{"ability":' + _j(a) + b',"name":' + _j(scope.names[a]) + b',"priority":'
            for a in scope.abilities
        ]
        self.first_heads = _objects(b"[" + head for head in gap_heads)
        self.heads = _objects(b"," + head for head in gap_heads)
        self.bare_ends = _objects(
            scope.gap_positions(a, 0) + _BARE_END for a in range(len(scope.abilities))
        )


#: The end of a gap in a report without closers.
_BARE_END = b'{},"taught_partly":[]}'


class CloserText:
    """Per ability of a scope: its closers (`values`), and the end of its gap when no
    own course covers it (`ends`: its positions when nothing is taught, then
    `{closers},"taught_partly":[]}`), with where in it the closers start and where in
    those the course list ends (−1: the courses do not come first)."""

    def __init__(self, scope: ScopeLayout, found: dict[str, dict[str, Sequence[str]]]) -> None:
        self.values = [found.get(a) or _NO_CLOSERS for a in scope.abilities]
        ends: list[bytes] = []
        self.starts: list[int] = []
        self.course_ends: list[int] = []
        for a, value in enumerate(self.values):
            middle = scope.gap_positions(a, 0)
            ends.append(middle + _j(value) + b',"taught_partly":[]}')
            self.starts.append(len(middle))
            first = next(iter(value), None) == "courses"
            self.course_ends.append(
                len(b'{"courses":' + _j(list(value["courses"]))) if first else -1
            )
        self.ends = _objects(ends)

    def body(self, a: int, own: Sequence[tuple[str, bytes]], partly: bytes | None) -> bytes:
        """`{closers},"taught_partly":[…]}` of ability `a`, with the courses `own`
        ((id, id as JSON) pairs) left out of its closers and `partly` (JSON) as its
        taught_partly.

        The courses are cut out of the ready text: in a JSON list of strings `,"x"` or
        `["x"` can only start an element (inside a string a quote is escaped), so
        cutting each such element with the delimiter before it, and opening the list
        again if its first element went, leaves the list without them, byte for byte.
        """
        text, start, end = self.ends[a], self.starts[a], self.course_ends[a]
        value = self.values[a]
        if end < 0:  # the courses do not come first: encode it whole
            dropped = {course for course, _ in own}
            kept = [c for c in value["courses"] if c not in dropped]
            return b"".join(
                (_j({**value, "courses": kept}), b',"taught_partly":', partly or b"[]", b"}")
            )
        opening, stop = start + len(b'{"courses":'), start + end
        courses = value["courses"]
        cuts = []
        for course, token in own:
            # Ids are sorted (`GraphReads.closers`) and mostly of one length: guess the
            # place, check it, else search.
            i = bisect.bisect_left(courses, course)
            at = opening + i * (len(token) + 1)
            if not (
                i < len(courses)
                and courses[i] == course
                and at + len(token) < stop
                and text[at + 1 : at + 1 + len(token)] == token
                and text[at] in _DELIMITERS
            ):
                at = text.find(b"[" + token, opening, stop)
                if at < 0:
                    at = text.find(b"," + token, opening, stop)
            if at >= 0:
                cuts.append((at, len(token)))
        parts = [text[start:opening]]
        if cuts:
            cuts.sort()
            remaining: list[bytes] = []
            position = opening
            for at, size in cuts:  # each element with the delimiter before it
                remaining.append(text[position:at])
                position = at + 1 + size
            remaining.append(text[position:stop])
            listed = b"".join(remaining)
            if cuts[0][0] == opening:  # the first element went: open the list again
                listed = b"[" + (listed[1:] if listed[:1] == b"," else listed)
            parts.append(listed)
        else:
            parts.append(text[opening:stop])
        if partly is None:
            parts.append(text[stop:])
        else:
            parts += [text[stop : -len(b"[]}")], partly, b"}"]
        return b"".join(parts)


#: `[` and `,` as `bytes` items.
_DELIMITERS = (ord("["), ord(","))


#: The status words (`scoring.STATUSES`, all of one length) as bytes, by status code.
_STATUS_CODES = np.array([list(word.encode()) for word in scoring.STATUSES], dtype=np.uint8)
_STATUS_SPAN = np.arange(_STATUS_CODES.shape[1])


class Scored:
    """The numbers of one question: a scope scored against a cluster's taught levels."""

    def __init__(self, scope: ScopeLayout, cluster: ClusterLayout) -> None:
        self.scope = scope
        self.cluster = cluster
        local = scope.local(cluster.abilities, cluster.top)
        #: Which of the cluster's abilities the scope requires.
        self.inside = inside = local >= 0
        #: This scope's abilities some own course covers.
        self.covered = local[inside]
        self.by_ability = by_ability = np.zeros(len(scope.abilities), dtype=np.int64)
        by_ability[self.covered] = cluster.levels[inside]
        self.taught = by_ability[scope.rab]
        self.fulfilment = scoring.fulfilments(self.taught, scope.level)
        self.coverage = scoring.coverages(scope.rpos, scope.weight, self.fulfilment, scope.total)
        self.priority = scoring.priorities(
            scope.rab, scope.share, self.fulfilment, len(scope.abilities)
        )
        #: The gaps (ability indexes) by priority descending, then ability id.
        self.ranking = scoring.ranking(self.priority)
        self._weighted = scope.demand * self.coverage

    @property
    def status(self) -> Any:
        return scoring.status_codes(self.taught, self.scope.level)

    def orphans(self) -> list[str]:
        """The courses of C(K) covering none of the scope's abilities, by id."""
        cluster = self.cluster
        required = self.inside[cluster.cover_ability]
        hits = np.bincount(cluster.cover_course[required], minlength=len(cluster.courses))
        return [cluster.courses[i] for i in np.flatnonzero(hits == 0).tolist()]

    def chain_coverage(self) -> float | None:
        """Σ demand·coverage / Σ demand over the positions in id order (`weighted_coverage`)."""
        scope = self.scope
        if not scope.positions or scope.demand_total == 0:
            return None
        total = np.bincount(scope.position_zeros, self._weighted, minlength=1)[0]
        return float(total) / scope.demand_total

    def segments(self) -> list[tuple[Any, float | None, int, int]]:
        """(segment row, coverage, demand, scored positions), segments in report order;
        coverage as `weighted_coverage` of the segment's positions in id order."""
        scope = self.scope
        weighted = self._weighted if scope.all_members else self._weighted[scope.member]
        sums = np.bincount(scope.member_segment, weighted, minlength=len(scope.segments))
        return [
            (row, total / demand if count and demand != 0 else None, demand, count)
            for row, total, demand, count in zip(
                scope.segments, sums.tolist(), scope.segment_demand, scope.segment_count,
                strict=True,
            )
        ]  # fmt: skip

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

    def positions_json(self) -> list[Any]:
        """The `positions` list of the report as JSON pieces (byte strings and views of
        one buffer), from the scope's text."""
        scope = self.scope
        text = scope.text()
        buffer = bytearray(text.positions)
        wholes, fractions = scoring.rounded_texts(self.coverage)
        at, firsts, seconds = text.number_at, wholes.tolist(), fractions.tolist()
        taught = np.flatnonzero(self.taught)
        if len(taught):
            levels = self.taught[taught]
            status = scoring.status_codes(levels, scope.level[taught])
            codes = np.frombuffer(buffer, dtype=np.uint8)
            codes[text.digit_at[taught]] = ord("0") + levels % 10
            codes[text.status_at[taught][:, None] + _STATUS_SPAN] = _STATUS_CODES[status]
            del codes
            wide = np.flatnonzero(levels >= 10)
            if len(wide):  # the digits before the last one go in like the numbers
                places = [*at, *text.digit_at[taught[wide]].tolist()]
                order = sorted(range(len(places)), key=places.__getitem__)
                extra = [str(level // 10).encode() for level in levels[wide].tolist()]
                firsts, seconds = [*firsts, *extra], [*seconds, *[b""] * len(extra)]
                at = [places[i] for i in order]
                firsts, seconds = [firsts[i] for i in order], [seconds[i] for i in order]
        view = memoryview(buffer)
        bounds = [0, *at, len(buffer)]
        pieces: list[Any] = [None] * (3 * len(at) + 1)
        pieces[0::3] = [view[a:b] for a, b in itertools.pairwise(bounds)]
        pieces[1::3] = firsts
        pieces[2::3] = seconds
        return pieces

    def gaps_json(self, closers: CloserText | None, *, exact: bool) -> list[bytes]:
        """The `gaps` list as JSON pieces: per gap its head, priority (two pieces) and
        the rest, which is ready text unless some own course covers the ability.

        Args:
            closers: the scope's `closer_text`; None: the report is without closers.
            exact: C(K) is the store's own, so the gaps an own course covers are the
                ones taught above 0 (else checked course by course, as `gap_closers`).
        """
        scope = self.scope
        order = self.ranking
        if not len(order):
            return [b"[]"]
        text = scope.text()
        pieces = np.empty(4 * len(order) + 1, dtype=object)
        pieces[0:-1:4] = text.heads[order]
        pieces[0] = text.first_heads[order[0]]
        pieces[1:-1:4], pieces[2:-1:4] = scoring.rounded_texts(self.priority[order])
        pieces[-1] = b"]"
        taught = self.by_ability.tolist()
        if closers is None:
            pieces[3:-1:4] = text.bare_ends[order]
            for slot in np.flatnonzero(self.by_ability[order] > 0).tolist():
                a = int(order[slot])
                pieces[4 * slot + 3] = scope.gap_positions(a, taught[a]) + _BARE_END
            result: list[bytes] = pieces.tolist()
            return result
        pieces[3:-1:4] = closers.ends[order]
        # A gap some own course covers: its positions at the level taught, its closers
        # without the own courses, and who teaches it below what is required.
        teaches = np.zeros(len(scope.abilities), dtype=bool)
        teaches[self.covered] = True
        custom = teaches[order]
        cluster = self.cluster
        own, values = cluster.own, closers.values
        if not exact:
            custom |= np.array([not own.isdisjoint(values[a]["courses"]) for a in order.tolist()])
        slots = np.flatnonzero(custom)
        middles = scope.middles()
        for slot, a in zip(slots.tolist(), order[slots].tolist(), strict=True):
            ability = scope.abilities[a]
            if exact:  # with the store's C(K), its own courses are the ones teaching it
                dropped = cluster.teachers[ability] if taught[a] > 0 else ()
            elif not own.isdisjoint(values[a]["courses"]):
                dropped = [(c, _j(c)) for c in own.intersection(values[a]["courses"])]
            else:
                dropped = ()
            body = closers.body(a, dropped, cluster.partly.get(ability))
            found = middles[a]
            middle = (
                found[taught[a]] if taught[a] < len(found) else scope.gap_positions(a, taught[a])
            )
            pieces[4 * slot + 3] = middle + body
        done: list[bytes] = pieces.tolist()
        return done

    def gap_closers(self, closers: CloserText, *, exact: bool) -> list[tuple[Any, list[Any]]]:
        """Each gap's closers and taught_partly, in gap order (what `gaps_json` writes)."""
        scope, cluster = self.scope, self.cluster
        found = []
        for a in self.ranking.tolist():
            value = closers.values[a]
            if self.by_ability[a] > 0 if exact else not cluster.own.isdisjoint(value["courses"]):
                value = {**value, "courses": [c for c in value["courses"] if c not in cluster.own]}
            courses = cluster.teaching.get(scope.abilities[a], ())
            partly = [
                {"course": c, "name": cluster.course_names.get(c, c), "level": -level}
                for level, c in courses
            ]
            found.append((value, partly))
        return found


def scope_layout(
    index: GapIndex, store: GraphReads, chain_id: str, segment_id: str | None
) -> ScopeLayout:
    """The scope's layout in `index`, read and laid out on first use."""
    key = (chain_id, segment_id)
    found = index.scopes.get(key)
    if found is None:
        found = ScopeLayout(store.chain_scope(chain_id, segment_id), scoring.demand_of, index)
        index.scopes[key] = found
    return found
