"""Many readers and writers at once: no lost update, no 5xx (threads, and a second process).

The embedded store gives each thread its own SQLite connection and writes with
BEGIN IMMEDIATE; the API's write gate serialises read-check-write sections, in one
process by a lock and across processes by a file lock beside the database.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.schema import Label, Rel
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.load import ingest
from tests.test_api import AUTH, KEY, V1, client_for
from tests.util import SMALL

WRITERS = 6
PER_WRITER = 8


def test_threads_writing_and_reading(small: GraphStore) -> None:
    statuses: list[int] = []

    with client_for(small) as client:

        def writer(n: int) -> list[int]:
            codes = []
            for i in range(PER_WRITER):
                course = f"T{n}-{i}"
                codes.append(
                    client.post(
                        f"{V1}/nodes/courses",
                        json={"id": course, "name": f"并发课程{n}-{i}", "major_ids": "M1"},
                        headers=AUTH,
                    ).status_code
                )
                codes.append(
                    client.post(
                        f"{V1}/relationships",
                        json={"type": "COVERS", "src": course, "dst": "A3", "props": {"level": 1}},
                        headers=AUTH,
                    ).status_code
                )
            return codes

        def patcher(field: str, value: Any) -> list[int]:
            # Four threads change four different columns of the same courses at once:
            # a read-modify-write without the gate would lose some of them.
            return [
                client.patch(
                    f"{V1}/nodes/courses/{course}", json={field: value}, headers=AUTH
                ).status_code
                for course in ("C1", "C2", "C3", "C5")
                for _ in range(3)
            ]

        def reader(n: int) -> list[int]:
            codes = []
            for _ in range(10):
                codes.append(client.get(f"{V1}/gaps?cluster=K1&chain=H1").status_code)
                codes.append(client.get(f"{V1}/align/courses/C1").status_code)
                codes.append(client.get(f"{V1}/nodes/courses?limit=5").status_code)
            return codes

        with ThreadPoolExecutor(max_workers=16) as pool:
            futures = [pool.submit(writer, n) for n in range(WRITERS)]
            futures += [pool.submit(reader, n) for n in range(4)]
            futures += [
                pool.submit(patcher, field, value)
                for field, value in (
                    ("hours", 99),
                    ("credits", 9),
                    ("semester", 7),
                    ("kind", "practice"),
                )
            ]
            for future in futures:
                statuses += future.result()
        final = client.get(f"{V1}/gaps?cluster=K1&chain=H1").json()

    assert statuses and all(code < 500 for code in statuses), sorted(set(statuses))
    assert set(statuses) <= {200, 201}
    expected = {f"T{n}-{i}" for n in range(WRITERS) for i in range(PER_WRITER)}
    assert expected <= set(small.nodes(Label.COURSE))
    covering = {r.src for r in small.relationships(Rel.COVERS, dst_ids=["A3"])}
    assert expected <= covering
    for course in ("C1", "C2", "C3", "C5"):
        props = small.get_node(Label.COURSE, course).props  # type: ignore[union-attr]
        assert (props["hours"], props["credits"], props["semester"], props["kind"]) == (
            99,
            9.0,
            7,
            "practice",
        )
    # every new course covers A3 (required by P1 at 4) at 1: A3 is now partial, not missing
    assert next(g for g in final["gaps"] if g["ability"] == "A3")["priority"] == 0.9375


SECOND_PROCESS = textwrap.dedent(
    """
    import sys
    from fastapi.testclient import TestClient
    from chanjiao.api import Settings, create_app
    from chanjiao.graph.embedded import EmbeddedStore

    store = EmbeddedStore(sys.argv[1])
    app = create_app(store, Settings(_env_file=None, api_keys=[sys.argv[2]], warm_cache=False))
    bad = 0
    with TestClient(app, raise_server_exceptions=False) as client:
        for i in range(40):
            r = client.post(
                "/api/v1/nodes/courses",
                json={"id": f"P2-{i}", "name": "第二进程", "major_ids": "M2"},
                headers={"X-API-Key": sys.argv[2]},
            )
            bad += r.status_code != 201
            r = client.patch(
                "/api/v1/nodes/courses/C4", json={"hours": i}, headers={"X-API-Key": sys.argv[2]}
            )
            bad += r.status_code != 200
            bad += client.get("/api/v1/gaps?cluster=K1&chain=H1").status_code != 200
    store.close()
    sys.exit(1 if bad else 0)
    """
)


def test_a_second_process_writes_the_same_file(tmp_path: Path) -> None:
    """Two API processes on one embedded store: both processes' writes all land."""
    location = tmp_path / "shared.db"
    store = EmbeddedStore(location)
    ingest(store, SMALL)
    other = subprocess.Popen(
        [sys.executable, "-c", SECOND_PROCESS, str(location), KEY],
        cwd=Path(__file__).resolve().parents[1],
    )
    statuses = []
    with client_for(store) as client:
        for i in range(40):
            statuses.append(
                client.post(
                    f"{V1}/nodes/courses",
                    json={"id": f"P1-{i}", "name": "第一进程", "major_ids": "M1"},
                    headers=AUTH,
                ).status_code
            )
            statuses.append(
                client.patch(
                    f"{V1}/nodes/courses/C4", json={"credits": i}, headers=AUTH
                ).status_code
            )
            statuses.append(client.get(f"{V1}/align/courses/C1").status_code)
    assert other.wait(timeout=120) == 0
    assert set(statuses) <= {200, 201}
    courses = set(store.nodes(Label.COURSE))
    assert {f"P1-{i}" for i in range(40)} <= courses
    assert {f"P2-{i}" for i in range(40)} <= courses
    c4 = store.get_node(Label.COURSE, "C4")
    assert c4 is not None and c4.props["hours"] == 39 and c4.props["credits"] == 39.0
    store.close()
