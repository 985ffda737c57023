"""Benchmark of talent readiness (DESIGN §4b): a script, not a test.

Generates (seeded) one chain of 300 positions in 10 segments, each segment with its
own track of 60 abilities: a position requires 8 abilities of its track, 24 courses
per track cover 3–6 of them (levels 2–4), 30 certificates certify 3 abilities each.
10,000 students of one cohort each follow a track: its 24 courses and 16 others
(about 12 % failed or marked not passed, a fifth pass/fail only), and hold 0–2
certificates. All of it is written into a fresh embedded store; the script times:

- `student_records` of the whole cohort (the one aggregated read);
- `cohort_readiness`: readiness of every student for every position (3 million
  pairs), shares per position and segment, and the lifting abilities;
- `match_position` of one position over all 10,000 students;
- `student_profile` of one student against the chain.

Usage: python bench/talent_bench.py [--students 10000] [--positions 300] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chanjiao.analysis.talent import cohort_readiness, match_position, student_profile
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.schema import Label, Node, Rel, Relationship

T = TypeVar("T")


def generate(store: EmbeddedStore, students: int, positions: int) -> tuple[int, int]:
    """Write the synthetic chain and cohort; return (nodes, relationships) written."""
    rng = random.Random(16)
    n_seg, n_abl, n_crs, n_cert = 10, 600, 240, 30
    nodes = [
        Node(Label.INDUSTRY_CHAIN, "H", {"name": "合成产业链"}),
        Node(Label.MAJOR, "M", {"name": "合成专业"}),
    ]
    rels: list[Relationship] = []
    for s in range(n_seg):
        nodes.append(Node(Label.CHAIN_SEGMENT, f"S{s}", {"name": f"环节{s}", "order": s}))
        rels.append(
            Relationship(Rel.PART_OF, Label.CHAIN_SEGMENT, f"S{s}", Label.INDUSTRY_CHAIN, "H")
        )
    track = n_abl // n_seg  # abilities of one segment's track
    per_track = n_crs // n_seg
    for a in range(n_abl):
        nodes.append(Node(Label.ABILITY, f"A{a:03d}", {"name": f"能力{a}"}))
    for p in range(positions):
        pid = f"P{p:03d}"
        nodes.append(Node(Label.POSITION, pid, {"name": f"岗位{p}", "demand": rng.randint(1, 20)}))
        rels.append(
            Relationship(Rel.IN_SEGMENT, Label.POSITION, pid, Label.CHAIN_SEGMENT, f"S{p % n_seg}")
        )
        first = (p % n_seg) * track
        for a in rng.sample(range(first, first + track), 8):
            props: dict[str, object] = {
                "level": rng.randint(1, 4),
                "weight": float(rng.choice((1, 1, 2, 3))),
            }
            rels.append(
                Relationship(Rel.REQUIRES, Label.POSITION, pid, Label.ABILITY, f"A{a:03d}", props)
            )
    for c in range(n_crs):
        cid = f"C{c:03d}"
        nodes.append(Node(Label.COURSE, cid, {"name": f"课程{c}"}))
        rels.append(
            Relationship(Rel.IN_MAJOR, Label.COURSE, cid, Label.MAJOR, "M", {"core": False})
        )
        first = (c // per_track) * track
        for a in rng.sample(range(first, first + track), rng.randint(3, 6)):
            rels.append(
                Relationship(
                    Rel.COVERS,
                    Label.COURSE,
                    cid,
                    Label.ABILITY,
                    f"A{a:03d}",
                    {"level": rng.choice((2, 3, 3, 4))},
                )
            )
    for x in range(n_cert):
        nodes.append(Node(Label.CERTIFICATE, f"X{x:02d}", {"name": f"证书{x}"}))
        for a in rng.sample(range(n_abl), 3):
            rels.append(
                Relationship(
                    Rel.CERTIFIES, Label.CERTIFICATE, f"X{x:02d}", Label.ABILITY, f"A{a:03d}"
                )
            )
    for s in range(students):
        sid = f"STU{s:05d}"
        nodes.append(
            Node(Label.STUDENT, sid, {"name": f"学生{s}", "cohort": "2023", "status": "enrolled"})
        )
        rels.append(Relationship(Rel.ENROLLED_IN, Label.STUDENT, sid, Label.MAJOR, "M"))
        own = range((s % n_seg) * per_track, (s % n_seg + 1) * per_track)
        others = [c for c in rng.sample(range(n_crs), 40) if c not in own][:16]
        for c in [*own, *others]:
            if rng.random() < 0.2:
                props = {"passed": rng.random() < 0.88}
            else:
                props = {"score": float(max(0, min(100, round(rng.gauss(76, 12)))))}
            rels.append(
                Relationship(Rel.COMPLETED, Label.STUDENT, sid, Label.COURSE, f"C{c:03d}", props)
            )
        for x in rng.sample(range(n_cert), rng.choice((0, 0, 1, 2))):
            rels.append(Relationship(Rel.HOLDS, Label.STUDENT, sid, Label.CERTIFICATE, f"X{x:02d}"))
    store.write(nodes, rels)
    return len(nodes), len(rels)


def timed(runs: int, call: Callable[[], T]) -> tuple[float, float, T]:
    """Median wall-clock and CPU seconds of `runs` calls, and the last result."""
    walls, cpus = [], []
    result: T | None = None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = call()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    assert result is not None
    return statistics.median(walls), statistics.median(cpus), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--positions", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = EmbeddedStore(Path(folder) / "talent.db")
        start = time.perf_counter()
        n_nodes, n_rels = generate(store, args.students, args.positions)
        print(
            f"generated and written: {n_nodes:,} nodes, {n_rels:,} relationships "
            f"in {time.perf_counter() - start:.1f} s"
        )
        wall, cpu, records = timed(args.runs, lambda: store.student_records(cohort="2023"))
        print(
            f"student_records(cohort): {len(records.students):,} students, "
            f"{len(records.results):,} results — {wall:.2f} s (CPU {cpu:.2f} s)"
        )
        wall, cpu, cohort = timed(args.runs, lambda: cohort_readiness(store, "2023", "H"))
        pairs = len(cohort.students) * len(cohort.positions)
        print(
            f"cohort_readiness: {pairs:,} student × position pairs — {wall:.2f} s "
            f"(CPU {cpu:.2f} s, {pairs / cpu:,.0f} pairs per CPU second); "
            f"chain share {cohort.chain_share:.4f}, ready for any {cohort.chain_ready_any:.4f}"
        )
        wall, cpu, found = timed(args.runs, lambda: match_position(store, "P000"))
        print(
            f"match_position(P000) over {len(found.students):,} students — {wall:.2f} s "
            f"(CPU {cpu:.2f} s)"
        )
        wall, cpu, _ = timed(args.runs, lambda: student_profile(store, "STU00000", "H"))
        print(f"student_profile(STU00000, H) — {wall * 1000:.1f} ms (CPU {cpu * 1000:.1f} ms)")
        store.close()


if __name__ == "__main__":
    main()
