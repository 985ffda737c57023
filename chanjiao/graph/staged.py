"""A large write to FalkorDB: staged in a copy of the graph, then swapped in at once.

Why: FalkorDB 4.16 with append-only persistence on logs a ``MULTI … EXEC`` of a
large ingest in a form it cannot replay: the next start fails an assertion
(``!server.in_exec``) and the store cannot be opened again. So a write bigger than
`STAGE_BYTES` of Cypher is not one transaction. Instead the graph is copied
(``GRAPH.COPY``), the statements run one by one on the copy, and the copy replaces
the graph with one ``RENAME`` (atomic, and replayed fine from the log). Until that
rename nobody sees any of the write; if a step fails, or the server dies, the graph
is as before and the copy is dropped (or, after a crash, by the next staged write).
``WATCH`` makes the rename fail if another client wrote the graph meanwhile.

Neo4j needs none of this: its runner sends a write as one transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from contextlib import suppress

import redis

from chanjiao.errors import StoreUnavailable
from chanjiao.graph.runners import FalkorDBRunner, Statement, _failed, _lost, with_params

#: A FalkorDB write of more bytes of Cypher than this is staged (the sample college
#: writes about 120 KB; one MULTI/EXEC of 1.3 MB already breaks the append-only log).
STAGE_BYTES = 512 * 1024


def statement_bytes(statements: Sequence[Statement]) -> int:
    """About how many bytes the statements are on the wire."""
    return sum(len(query) + len(repr(params)) for query, params in statements)


def staging_prefix(graph: str) -> str:
    return f"{graph}.staging."


def write_swapped(runner: FalkorDBRunner, statements: Sequence[Statement]) -> None:
    """Run `statements` on a copy of the runner's graph, then put the copy in its place.

    Raises:
        StoreUnavailable: a step failed, the server went away, or another client wrote
            the graph meanwhile; the graph is as it was.
    """
    client = runner.client.connection
    live = runner.graph_name
    staging = staging_prefix(live) + secrets.token_hex(6)
    try:
        for key in client.scan_iter(match=staging_prefix(live) + "*", count=100):
            client.delete(key)  # a copy left by a crash
        with client.pipeline(transaction=True) as pipe:
            pipe.watch(live)
            if pipe.exists(live):
                pipe.execute_command("GRAPH.COPY", live, staging)
            for query, params in statements:
                run_step(pipe, staging, with_params(query, params))
            pipe.multi()
            pipe.rename(staging, live)
            pipe.execute()
    except redis.WatchError as exc:
        _drop(client, staging)
        if "ConnectionError" in str(exc):  # how redis-py reports a lost connection when watching
            raise _lost(runner.location, exc) from exc
        raise StoreUnavailable(
            f"写入期间有其他程序修改了图数据库 {runner.location}，本次写入未生效，请重新运行",
            f"another client wrote the graph database {runner.location} meanwhile; nothing "
            "of this write was applied: run it again",
        ) from exc
    except redis.ResponseError as exc:
        _drop(client, staging)
        raise _failed(runner.location, exc) from exc
    except redis.RedisError as exc:
        _drop(client, staging)
        raise _lost(runner.location, exc) from exc
    except BaseException:
        _drop(client, staging)
        raise


def run_step(pipe: redis.client.Pipeline, graph: str, text: str) -> None:
    """One statement on the staging graph (a seam for tests)."""
    pipe.execute_command("GRAPH.QUERY", graph, text, "--compact")  # type: ignore[no-untyped-call]


def _drop(client: redis.Redis, staging: str) -> None:
    with suppress(redis.RedisError):
        client.delete(staging)
