"""CPU time of reading and validating a dataset, without the store (the Excel-habit cost).

    python bench/generate.py /tmp/national          # ~850k rows
    python bench/parse_bench.py /tmp/national [--repeat 3]

Prints the best CPU seconds of `read_dataset` and of validating and building every
row (`_Builder.add_table`), so two trees can be compared on a busy machine
(``PYTHONPATH=<other tree> python bench/parse_bench.py …``). Not a test.
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path

from chanjiao.ingest import load
from chanjiao.ingest.readers import read_dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    gc.disable()
    best_read = best_build = float("inf")
    rows = 0
    for _ in range(args.repeat):
        start = time.process_time()
        raw = read_dataset(args.dataset)
        read = time.process_time()
        builder = load._Builder(lambda stage, done, total: None)
        for table in raw.tables:
            builder.add_table(table)
        built = time.process_time()
        best_read = min(best_read, read - start)
        best_build = min(best_build, built - read)
        rows = sum(len(t.rows) for t in raw.tables)
        del raw, builder
        gc.collect()
    print(f"{rows} rows · read {best_read:.2f} s CPU · validate+build {best_build:.2f} s CPU")


if __name__ == "__main__":
    main()
