"""A/B the gap hot path: this tree's `analyse_gaps` against the one of a git revision.

    python bench/gap_ab.py STORE.db [--rev main] [--pairs 40] [--rounds 5]

Both versions run in one process on one warm store, interleaved pair by pair, so a
busy machine slows both alike. Times the full gap JSON (closers included), as
bench/run.py does. Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _module_at(rev: str) -> ModuleType:
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:chanjiao/analysis/gaps.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # Names the old module imports that were renamed since (issue #10).
    for old_name, new_name in (("PositionRow", "ScopePosition"),):
        source = source.replace(old_name, new_name)
    path = Path(tempfile.mkdtemp(prefix="gap-ab-")) / "old_gaps.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("old_gaps", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_gaps"] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--rev", default="main")
    parser.add_argument("--pairs", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from chanjiao.analysis.gaps import analyse_gaps
    from chanjiao.graph.embedded import EmbeddedStore
    from chanjiao.graph.schema import Label

    old = _module_at(args.rev)
    store = EmbeddedStore(args.store)
    store.warm()
    clusters = sorted(store.nodes(Label.SPECIALTY_CLUSTER))
    chains = sorted(store.nodes(Label.INDUSTRY_CHAIN))
    rng = random.Random(7)
    pairs = [(rng.choice(clusters), rng.choice(chains)) for _ in range(args.pairs)]
    times: dict[str, list[float]] = {"old": [], "new": []}
    for cluster, chain in pairs:  # fill caches
        old.analyse_gaps(store, cluster, chain).to_dict()
        analyse_gaps(store, cluster, chain).to_dict()
    for _ in range(args.rounds):
        for cluster, chain in pairs:
            for name, run in (("old", old.analyse_gaps), ("new", analyse_gaps)):
                start = time.perf_counter()
                run(store, cluster, chain).to_dict()
                times[name].append(time.perf_counter() - start)
    print(f"{len(pairs)} pairs × {args.rounds} rounds, {args.rev} vs this tree")
    for name, values in times.items():
        values.sort()
        print(
            f"{name}: p50 {statistics.median(values) * 1000:.1f} ms, "
            f"p90 {values[int(len(values) * 0.9)] * 1000:.1f} ms, "
            f"mean {statistics.fmean(values) * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
