"""Compare two states of the graph (two versions, or a version and now) for one cluster and chain.

Both sides are analysed by the normal `analyse_gaps` (a version in a temporary
store, see `versions.opened`), so the numbers are exactly those a gap report of
each state gives. What changed: chain and segment coverage, positions whose
coverage moved, gaps closed and opened, priority changes, and the curriculum's
courses and the chain's requirements added, removed or changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from chanjiao.analysis.gaps import GapReport, analyse_gaps
from chanjiao.analysis.scoring import rounded
from chanjiao.errors import NotFound
from chanjiao.graph.schema import LEVEL_WORDS, Label
from chanjiao.graph.store import GraphStore
from chanjiao.history.versions import VersionInfo, opened
from chanjiao.ingest.diff import LABEL_OWNER, display, header

CURRENT = "当前 current"


@dataclass(slots=True)
class _Side:
    label: str
    created: str | None
    report: GapReport
    courses: dict[str, dict[str, Any]]
    covers: dict[str, dict[str, int]]


@contextmanager
def _side(
    store: GraphStore, name: str | None, cluster: str, chain: str, segment: str | None
) -> Iterator[_Side]:
    with ExitStack() as stack:
        info: VersionInfo | None = None
        graph = store
        if name is not None:
            info, graph = stack.enter_context(opened(store, name, (cluster, chain)))
        label = name if name is not None else CURRENT
        try:
            with graph.reading():
                report = analyse_gaps(graph, cluster, chain, segment, with_closers=False)
                covers = graph.curriculum(cluster)
                courses = {i: n.props for i, n in graph.nodes(Label.COURSE, list(covers)).items()}
        except NotFound as exc:
            raise NotFound(f"{label}：{exc.zh}", f"{label}: {exc.en}") from exc
        yield _Side(label, info.created if info else None, report, courses, covers)


def compare_versions(
    store: GraphStore,
    before: str,
    after: str | None,
    cluster: str,
    chain: str,
    segment: str | None = None,
) -> dict[str, Any]:
    """What changed for cluster K against chain H from version `before` to `after` (None: now).

    Raises:
        NotFound: a version, or the cluster, chain or segment in one of the states.
    """
    with (
        _side(store, before, cluster, chain, segment) as a,
        _side(store, after, cluster, chain, segment) as b,
    ):
        return _compare(a, b)


def _compare(a: _Side, b: _Side) -> dict[str, Any]:
    ra, rb = a.report, b.report
    seg_a = {s.id: s for s in ra.segments}
    seg_b = {s.id: s for s in rb.segments}
    segments = [
        {
            "id": sid,
            "name": (seg_b.get(sid) or seg_a[sid]).name,
            "before": rounded(seg_a[sid].coverage) if sid in seg_a else None,
            "after": rounded(seg_b[sid].coverage) if sid in seg_b else None,
        }
        for sid in [*seg_b, *(s for s in seg_a if s not in seg_b)]
    ]
    pos_a = {p.id: p for p in ra.positions}
    pos_b = {p.id: p for p in rb.positions}
    positions = []
    for pid in sorted(set(pos_a) | set(pos_b)):
        before = rounded(pos_a[pid].coverage) if pid in pos_a else None
        after = rounded(pos_b[pid].coverage) if pid in pos_b else None
        if before != after:
            name = (pos_b.get(pid) or pos_a[pid]).name
            positions.append({"id": pid, "name": name, "before": before, "after": after})
    gaps_a = {g.ability: g for g in ra.gaps}
    gaps_b = {g.ability: g for g in rb.gaps}
    closed = [
        {"ability": g.ability, "name": g.name, "priority": rounded(g.priority)}
        for g in ra.gaps
        if g.ability not in gaps_b
    ]
    opened_gaps = [
        {"ability": g.ability, "name": g.name, "priority": rounded(g.priority)}
        for g in rb.gaps
        if g.ability not in gaps_a
    ]
    moved = [
        {
            "ability": g.ability,
            "name": g.name,
            "before": rounded(gaps_a[g.ability].priority),
            "after": rounded(g.priority),
        }
        for g in rb.gaps
        if g.ability in gaps_a and rounded(gaps_a[g.ability].priority) != rounded(g.priority)
    ]
    return {
        "cluster": rb.cluster,
        "cluster_name": rb.cluster_name,
        "chain": rb.chain,
        "chain_name": rb.chain_name,
        "segment": rb.segment,
        "before": {"name": a.label, "created": a.created},
        "after": {"name": b.label, "created": b.created},
        "coverage": {"before": rounded(ra.coverage), "after": rounded(rb.coverage)},
        "segments": segments,
        "positions": positions,
        "gaps_closed": closed,
        "gaps_opened": opened_gaps,
        "priority_changes": moved,
        "courses": _courses(a, b),
        "requirements": _requirements(ra, rb),
    }


def _covers_text(levels: dict[str, int]) -> str:
    return "；".join(f"{k} {LEVEL_WORDS.get(v, v)}" for k, v in sorted(levels.items())) or "—"


def _courses(a: _Side, b: _Side) -> dict[str, list[dict[str, Any]]]:
    """Courses of C(K) added, removed or changed (properties or abilities covered)."""
    fmt = LABEL_OWNER[Label.COURSE]
    added = [
        {"id": c, "name": b.courses[c].get("name", c)}
        for c in sorted(set(b.courses) - set(a.courses))
    ]
    removed = [
        {"id": c, "name": a.courses[c].get("name", c)}
        for c in sorted(set(a.courses) - set(b.courses))
    ]
    changed = []
    for cid in sorted(set(a.courses) & set(b.courses)):
        old, new = a.courses[cid], b.courses[cid]
        fields = [
            {
                "field": key,
                "header": header(fmt, key),
                "old": old.get(key),
                "new": new.get(key),
                "old_text": display(fmt, key, old.get(key)),
                "new_text": display(fmt, key, new.get(key)),
            }
            for key in sorted(set(old) | set(new))
            if old.get(key) != new.get(key)
        ]
        if a.covers[cid] != b.covers[cid]:
            fields.append(
                {
                    "field": "covers",
                    "header": "覆盖能力",
                    "old": a.covers[cid],
                    "new": b.covers[cid],
                    "old_text": _covers_text(a.covers[cid]),
                    "new_text": _covers_text(b.covers[cid]),
                }
            )
        if fields:
            changed.append({"id": cid, "name": new.get("name", cid), "fields": fields})
    return {"added": added, "removed": removed, "changed": changed}


def _requirements(ra: GapReport, rb: GapReport) -> dict[str, list[dict[str, Any]]]:
    """Requirements of the chain's scored positions added, removed or changed."""

    def of(report: GapReport) -> dict[tuple[str, str], dict[str, Any]]:
        return {
            (p.id, r.ability): {
                "position": p.id,
                "position_name": p.name,
                "ability": r.ability,
                "ability_name": r.name,
                "level": r.required,
                "weight": r.weight,
            }
            for p in report.positions
            for r in p.requirements
        }

    before, after = of(ra), of(rb)
    changed = [
        {
            **after[key],
            "before": {"level": before[key]["level"], "weight": before[key]["weight"]},
        }
        for key in sorted(set(before) & set(after))
        if (before[key]["level"], before[key]["weight"])
        != (after[key]["level"], after[key]["weight"])
    ]
    return {
        "added": [after[k] for k in sorted(set(after) - set(before))],
        "removed": [before[k] for k in sorted(set(before) - set(after))],
        "changed": changed,
    }
