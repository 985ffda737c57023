"""The long ingest fuzzer: ``python bench/fuzz.py --cases 10000 [--seed 13]``.

Draws mutated datasets from the sample college (tests/fuzzing.py: cells, rows,
columns, headers, files, containers and bytes), loads each through the CLI or the
API into the embedded store or a FalkorDB server it starts on 127.0.0.1, and counts:
accepted, refused, tracebacks, 5xx answers, store changes after a refusal, refusals
that name no file. Every failing case is saved under ``--keep`` (default
``fuzz-failures/``) with what made it, to become a tests/data/hostile/ case.
Exit status 1 if any case failed.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import start_falkordb  # noqa: E402
from tests.fuzzing import Harness, cases  # noqa: E402


def kind_of(failure: str) -> str:
    if failure.startswith("traceback") or failure.startswith("exit code"):
        return "tracebacks"
    if failure.startswith("HTTP 5"):
        return "5xx"
    if failure.startswith("store changed"):
        return "store changes after a refusal"
    return "other failures"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--keep", type=Path, default=Path("fuzz-failures"))
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="chanjiao-fuzz-"))
    server = start_falkordb(work / "falkordb")
    harness = Harness(work, server.url("fuzzwork"))
    counts: Counter[str] = Counter()
    paths: Counter[str] = Counter()
    started = time.perf_counter()
    try:
        for index, (case, route, backend) in enumerate(cases(args.seed, args.cases)):
            outcome = harness.run(case, route, backend)
            counts["accepted" if outcome.accepted else "refused"] += 1
            paths[f"{route}/{backend}/{case.container}"] += 1
            for failure in outcome.failures:
                counts[kind_of(failure)] += 1
            if outcome.failures:
                keep = args.keep / f"seed{args.seed}-case{index}"
                case.write(keep / "dataset")
                info = {"route": route, "backend": backend, "steps": case.steps}
                info["failures"] = outcome.failures
                (keep / "case.json").write_text(json.dumps(info, ensure_ascii=False, indent=2))
            if (index + 1) % 1000 == 0:
                print(f"… {index + 1} cases, {time.perf_counter() - started:.0f} s", flush=True)
    finally:
        harness.close()
        server.stop()
    seconds = time.perf_counter() - started
    failed = sum(v for k, v in counts.items() if k not in ("accepted", "refused"))
    print(f"cases: {args.cases} (seed {args.seed}) in {seconds:.0f} s")
    for key in (
        "accepted",
        "refused",
        "tracebacks",
        "5xx",
        "store changes after a refusal",
        "other failures",
    ):
        print(f"{key}: {counts[key]}")
    print("by route/store/container: " + ", ".join(f"{k} {v}" for k, v in sorted(paths.items())))
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
