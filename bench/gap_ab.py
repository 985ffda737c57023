"""A/B the gap hot path: this tree's `analyse_gaps` against the one of a git revision.

    python bench/gap_ab.py STORE.db [--rev main] [--pairs 60] [--rounds 3]

Both versions run in one process on one warm store (`store.warm()` and each version's
`warm_gaps`, as `chanjiao serve` starts), interleaved pair by pair with the order
alternating, so a busy machine slows both alike. Each distinct cluster × chain pair is
first asked once (a *first ask*), then `--rounds` more times; every ask encodes the full
report (closers included) to the API's JSON bytes, and the two versions' bytes must be
equal. Prints CPU-time p50s (`time.thread_time`, which waiting for a core does not
inflate). Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _source_at(rev: str, path: str) -> str | None:
    found = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:{path}"], capture_output=True, text=True
    )
    return found.stdout if found.returncode == 0 else None


def _modules_at(rev: str) -> ModuleType:
    """The revision's gaps.py (and its gaparrays.py, if it has one) as `old_gaps`."""
    folder = Path(tempfile.mkdtemp(prefix="gap-ab-"))
    sys.path.insert(0, str(folder))
    for name in ("gaparrays", "gaps"):
        source = _source_at(rev, f"chanjiao/analysis/{name}.py")
        if source is None:
            continue
        source = source.replace(
            "from chanjiao.analysis.gaparrays import", "from old_gaparrays import"
        )
        # Names the old module imports that were renamed since (issue #10).
        source = source.replace("PositionRow", "ScopePosition")
        (folder / f"old_{name}.py").write_text(source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(f"old_{name}", folder / f"old_{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[f"old_{name}"] = module
        spec.loader.exec_module(module)
    return sys.modules["old_gaps"]


def _encoder(module: ModuleType, store: Any) -> Callable[[str, str], bytes]:
    def ask(cluster: str, chain: str) -> bytes:
        report = module.analyse_gaps(store, cluster, chain)
        if hasattr(report, "to_json"):
            return report.to_json()  # type: ignore[no-any-return]
        return json.dumps(report.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()

    return ask


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--rev", default="main")
    parser.add_argument("--pairs", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from chanjiao.analysis import gaps
    from chanjiao.graph.embedded import EmbeddedStore
    from chanjiao.graph.schema import Label

    old = _modules_at(args.rev)
    store = EmbeddedStore(args.store)
    store.warm()
    for module in (old, gaps):
        if hasattr(module, "warm_gaps"):
            module.warm_gaps(store)
    clusters = sorted(store.nodes(Label.SPECIALTY_CLUSTER))
    chains = sorted(store.nodes(Label.INDUSTRY_CHAIN))
    every = [(k, h) for k in clusters for h in chains]
    pairs = random.Random(7).sample(every, min(args.pairs, len(every)))
    ask = {"old": _encoder(old, store), "new": _encoder(gaps, store)}
    times: dict[str, dict[str, list[float]]] = {"first": {n: [] for n in ask}, "again": {}}
    times["again"] = {n: [] for n in ask}
    differ = 0
    for round_ in range(1 + args.rounds):
        kind = "first" if round_ == 0 else "again"
        for turn, (cluster, chain) in enumerate(pairs):
            answers = {}
            for name in ("old", "new") if turn % 2 else ("new", "old"):
                start = time.thread_time()
                answers[name] = ask[name](cluster, chain)
                times[kind][name].append(time.thread_time() - start)
            differ += answers["old"] != answers["new"]
    print(f"{len(pairs)} pairs, {args.rev} (old) vs this tree (new), CPU p50 ms:")
    for kind, found in times.items():
        old_p50, new_p50 = (statistics.median(found[n]) * 1000 for n in ("old", "new"))
        print(f"  {kind} asks: old {old_p50:.2f}, new {new_p50:.2f} ({old_p50 / new_p50:.1f}×)")
    print(f"different bytes: {differ} of {len(pairs) * (1 + args.rounds)} answers")


if __name__ == "__main__":
    main()
