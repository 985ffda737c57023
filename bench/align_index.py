"""The course alignment index against the plain reading, in process (issue #14, part 3).

    python bench/align_index.py STORE [--courses 60]

On STORE (an embedded store, e.g. the national graph bench/load_api.py made): the time
to build the `CourseIndex`, then for random courses (seed 3) and three pagings (all
positions, the top 100, 2 from offset 1) the plain `align_course` beside the indexed
one, checked equal (dicts and their repr, so 1 and 1.0 differ); then the median of 30
asks of a page of the heaviest course (the one whose abilities the most requirements
need) from a warmed index. Nothing here asserts the timings.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chanjiao.analysis import alignment
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.schema import Label, Rel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--courses", type=int, default=60)
    args = parser.parse_args()
    store = EmbeddedStore(args.store)
    start = time.perf_counter()
    index = alignment.CourseIndex.build(store)
    print(f"CourseIndex.build: {time.perf_counter() - start:.2f} s")
    courses = sorted(store.nodes(Label.COURSE))
    random.Random(3).shuffle(courses)
    plain = indexed = 0.0
    differ = 0
    for course in courses[: args.courses]:
        for page in ({}, {"limit": 100}, {"limit": 2, "offset": 1}):
            start = time.perf_counter()
            expected = alignment.align_course(store, course, **page).to_dict()
            middle = time.perf_counter()
            with store.reading():
                node, covers, majors, names = alignment._course_reads(store, course)
                got = index.align(node, covers, majors, names, **page).to_dict()
            plain += middle - start
            indexed += time.perf_counter() - middle
            differ += repr(got) != repr(expected)
    print(
        f"{args.courses} courses × 3 pagings: plain {plain:.2f} s, indexed {indexed:.2f} s "
        f"({plain / indexed:.0f}×); answers that differ: {differ}"
    )
    work = {r.dst: 0 for r in store.relationships(Rel.COVERS)}
    for r in store.relationships(Rel.REQUIRES):
        if r.dst in work:
            work[r.dst] += 1
    load: dict[str, int] = {}
    for r in store.relationships(Rel.COVERS):
        load[r.src] = load.get(r.src, 0) + work[r.dst]
    heaviest = max(load, key=lambda c: (load[c], c))
    alignment.warm_alignment(store)
    times = []
    for _ in range(30):
        start = time.perf_counter()
        alignment.align_course(store, heaviest, limit=100).to_dict()
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    alignment._serve_plain(store, alignment._course_reads(store, heaviest)[1])
    once = time.perf_counter() - start
    print(
        f"heaviest course {heaviest} ({load[heaviest]} requirements of its abilities): "
        f"top 100 from the warmed index, median of 30: "
        f"{1000 * sorted(times)[15]:.1f} ms; plain reading once: {1000 * once:.0f} ms"
    )


if __name__ == "__main__":
    main()
