"""Versions and sync at scale: save a version, compare it with now, sync-preview a dataset.

``python bench/history_bench.py --scale 1.0 --work /tmp/bench-history`` generates the
synthetic dataset (bench/generate.py), loads it into a new embedded store, then times:

- ``version save`` (snapshot of every node and relationship, JSON, stored compressed),
  with the JSON size and the store file's growth;
- ``version compare`` of that version against the current store for one cluster and
  its chain (the version is loaded into a temporary embedded store and analysed);
- a ``--sync --dry-run`` of the same dataset (every owned record compared, none changed).

Figures go to docs/benchmarks.md; nothing here is a test threshold.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.schema import Label, Rel
from chanjiao.history.compare import compare_versions
from chanjiao.history.versions import save_version
from chanjiao.ingest.load import ingest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-history"))
    args = parser.parse_args()
    data = args.work / f"data-{args.scale}"
    if not data.exists():
        subprocess.run(
            [
                sys.executable,
                str(Path(__file__).with_name("generate.py")),
                str(data),
                "--scale",
                str(args.scale),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    db = args.work / f"store-{args.scale}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    with EmbeddedStore(db) as store:
        started = time.perf_counter()
        ingest(store, data)
        print(f"ingest: {time.perf_counter() - started:.1f} s")
        stats = store.stats()
        nodes, rels = sum(stats.nodes.values()), sum(stats.relationships.values())
        size_before = db.stat().st_size + Path(f"{db}-wal").stat().st_size
        started = time.perf_counter()
        info = save_version(store, "bench")
        saved = time.perf_counter() - started
        size_after = db.stat().st_size + Path(f"{db}-wal").stat().st_size
        print(
            f"version save: {nodes:,} nodes, {rels:,} relationships in {saved:.1f} s; "
            f"JSON {info.size / 1e6:.0f} MB, store grew {(size_after - size_before) / 1e6:.0f} MB"
        )
        cluster = sorted(store.nodes(Label.SPECIALTY_CLUSTER))[0]
        [target] = store.relationships(Rel.TARGETS, src_ids=[cluster])
        started = time.perf_counter()
        data_cmp = compare_versions(store, "bench", None, cluster, target.dst)
        print(
            f"version compare {cluster} × {target.dst}: {time.perf_counter() - started:.1f} s "
            f"(coverage {data_cmp['coverage']})"
        )
        started = time.perf_counter()
        result = ingest(store, data, sync=True, dry_run=True)
        print(
            f"sync dry run of the same dataset: {time.perf_counter() - started:.1f} s, "
            f"{result.changed} changes"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
