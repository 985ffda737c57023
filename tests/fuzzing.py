"""Mutation fuzzing of `ingest`: the sample college, mutated, through the CLI and the API, on both stores.

A case is drawn from a `random.Random` (hypothesis hands one to tests/test_fuzz.py,
bench/fuzz.py seeds its own): a slice of the sample dataset (a few files, a few
rows each; sometimes all of it), a few mutations of cells, rows, columns, headers
and files, a container (CSV folder, .xlsx, .zip, JSON) and sometimes a byte-level
mutation of the container. `Harness.run` loads it into a store that holds the sample
and checks the promises of issue #13:

- no traceback (CLI) and no 5xx (API); a refusal exits 1 / answers 4xx with a message
  that names where (the file, sheet or archive);
- after a refusal the store is byte-identical (embedded: the database file and its
  WAL) or export-identical (server: every node and relationship with its properties).

After an accepted case the store is put back (a copy of the file, ``GRAPH.COPY``).
"""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from chanjiao.cli import app, sample_path
from chanjiao.graph.embedded import EmbeddedStore
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.load import ingest

Tables = dict[str, list[list[str]]]  # file stem → header row, then data rows

HOSTILE_VALUES = [
    "9" * 400,
    "-" + "9" * 30,
    "1e309",
    "-1",
    "0",
    "nan",
    "inf",
    "3.5",
    "",
    " ",
    "[/]",
    "[/bold]",
    "衬底[/]",
    "=1+1",
    "@SUM(A1)",
    "a\x00b",
    "\x1b[31mred",
    "x" * 20_000,
    "掌握",
    "熟练",
    "是",
    "；",
    "a;b;c",
    "A-D01;A-D01",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "'; DROP TABLE nodes; --",
    "\u202e\u200b",
    "🙂" * 50,
    "1" * 4400,
]


def load_sample() -> Tables:
    tables: Tables = {}
    for path in sorted(sample_path().glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            tables[path.stem] = [list(row) for row in csv.reader(fh)]
    return tables


SAMPLE = load_sample()


@dataclass
class Case:
    """One mutated dataset: its container and files, and how it was made (for reports)."""

    container: str
    files: dict[str, bytes]
    steps: list[str] = field(default_factory=list)

    def write(self, folder: Path) -> Path:
        """The dataset on disk: a folder of CSV files, or the one container file."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in self.files.items():
            (folder / name).write_bytes(data)
        if self.container == "csv":
            return folder
        [name] = self.files
        return folder / name


def _value(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return rng.choice(HOSTILE_VALUES)
    alphabet = "abcXYZ019 ,;；\"'\n\t[]/\\{}<>=中文岗位课程"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))


def _mutate_tables(tables: Tables, rng: random.Random, steps: list[str]) -> None:
    for _ in range(rng.randint(1, 4)):
        stem = rng.choice(sorted(tables))
        rows = tables[stem]
        kind = rng.choice(
            [
                "cell",
                "cell",
                "cell",
                "drop_row",
                "dup_row",
                "drop_col",
                "header",
                "add_col",
                "drop_file",
                "short_row",
            ]
        )
        if kind == "drop_file" and len(tables) > 1:
            del tables[stem]
        elif kind == "cell" and len(rows) > 1:
            r, c = rng.randrange(1, len(rows)), rng.randrange(len(rows[0]))
            if c < len(rows[r]):
                rows[r][c] = _value(rng)
        elif kind == "drop_row" and len(rows) > 1:
            del rows[rng.randrange(1, len(rows))]
        elif kind == "dup_row" and len(rows) > 1:
            rows.append(list(rows[rng.randrange(1, len(rows))]))
        elif kind == "drop_col" and len(rows[0]) > 1:
            c = rng.randrange(len(rows[0]))
            for row in rows:
                if c < len(row):
                    del row[c]
        elif kind == "header":
            rows[0][rng.randrange(len(rows[0]))] = _value(rng)
        elif kind == "add_col":
            rows[0].append(rng.choice(["extra", "id", "名称", "", "level"]))
            for row in rows[1:]:
                row.append(_value(rng))
        elif kind == "short_row" and len(rows) > 1:
            r = rng.randrange(1, len(rows))
            rows[r] = rows[r][: rng.randrange(len(rows[r]) + 1)]
        else:
            continue
        steps.append(f"{kind}:{stem}")


def _csv_bytes(rows: list[list[str]], rng: random.Random) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    text = buffer.getvalue()
    if rng.random() < 0.1:
        try:
            return text.encode("gb18030")
        except UnicodeEncodeError:
            pass
    return text.encode("utf-8", "surrogatepass")


def _json_value(value: str, rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.1:
        try:
            return int(value)
        except ValueError:
            return value
    if roll < 0.13:
        return [value, {"deep": [value]}]
    if roll < 0.15:
        return None
    if roll < 0.16:
        return True
    return value


def _render(tables: Tables, container: str, rng: random.Random) -> dict[str, bytes]:
    if container == "csv":
        return {f"{stem}.csv": _csv_bytes(rows, rng) for stem, rows in tables.items()}
    if container == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for stem, rows in tables.items():
                archive.writestr(f"{stem}.csv", _csv_bytes(rows, rng))
        return {"data.zip": buffer.getvalue()}
    if container == "json":
        document: dict[str, Any] = {}
        for stem, rows in tables.items():
            header = rows[0]
            document[stem] = [
                {h: _json_value(v, rng) for h, v in zip(header, row, strict=False)}
                for row in rows[1:]
            ]
        text = json.dumps(document, ensure_ascii=rng.random() < 0.5)
        return {"data.json": text.encode("utf-8")}
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    for stem, rows in tables.items():
        sheet = workbook.create_sheet(stem[:31])
        for row in rows:
            sheet.append([_xlsx_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return {"data.xlsx": buffer.getvalue()}


def _xlsx_cell(value: str) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = ILLEGAL_CHARACTERS_RE.sub("", value)[:32767]
    try:
        return int(value) if value.isdigit() and len(value) < 15 else value
    except ValueError:
        return value


def _mutate_bytes(data: bytes, rng: random.Random, steps: list[str]) -> bytes:
    if not data:
        return data
    kind = rng.choice(["flip", "truncate", "insert", "zero"])
    raw = bytearray(data)
    at = rng.randrange(len(raw))
    if kind == "flip":
        for _ in range(rng.randint(1, 8)):
            raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        del raw[at:]
    elif kind == "insert":
        raw[at:at] = rng.choice([b"\x00", b"\xff\xfe", b'"', b"\n", b"PK\x03\x04", b"{" * 50])
    else:
        raw[at : at + 64] = b"\x00" * 64
    steps.append(f"bytes:{kind}@{at}")
    return bytes(raw)


def draw_case(rng: random.Random) -> Case:
    """A mutated slice of the sample dataset in one of the four containers."""
    steps: list[str] = []
    if rng.random() < 0.04:
        tables = {stem: [list(r) for r in rows] for stem, rows in SAMPLE.items()}
        steps.append("whole sample")
    else:
        stems = rng.sample(sorted(SAMPLE), rng.randint(1, 4))
        tables = {}
        for stem in stems:
            rows = SAMPLE[stem]
            body = rows[1:]
            take = rng.sample(body, min(len(body), rng.randint(1, 6))) if body else []
            tables[stem] = [list(rows[0]), *(list(r) for r in take)]
        steps.append("slice " + ",".join(stems))
    _mutate_tables(tables, rng, steps)
    container = rng.choice(["csv", "csv", "xlsx", "zip", "json", "json"])
    files = _render(tables, container, rng)
    if rng.random() < 0.2:
        name = rng.choice(sorted(files))
        files[name] = _mutate_bytes(files[name], rng, steps)
    return Case(container, files, steps)


# --- running a case -------------------------------------------------------------------------


@dataclass
class Outcome:
    accepted: bool
    failures: list[str]
    status: int | None = None


def embedded_fingerprint(path: Path) -> bytes:
    wal = Path(f"{path}-wal")
    return path.read_bytes() + b"|WAL|" + (wal.read_bytes() if wal.exists() else b"")


def server_counts(store: GraphStore) -> Any:
    runner = store.runner  # type: ignore[attr-defined]
    return runner.read("MATCH (n) RETURN count(n)"), runner.read("MATCH ()-[r]->() RETURN count(r)")


def server_fingerprint(store: GraphStore) -> Any:
    """Every node and relationship with its properties, as one sorted list (an export)."""
    runner = store.runner  # type: ignore[attr-defined]
    nodes = runner.read("MATCH (n) RETURN labels(n), properties(n)")
    rels = runner.read("MATCH (a)-[r]->(b) RETURN type(r), a.id, b.id, properties(r)")
    return sorted(map(repr, nodes)), sorted(map(repr, rels))


class Harness:
    """A sample-loaded store of each kind and the ways in (CLI, API), reused across cases."""

    #: A full export of the server store is compared on every n-th server case (it
    #: costs a second); every other case compares counts and that nothing was written.
    full_check_every = 20

    def __init__(self, work: Path, falkordb_url: str | None) -> None:
        from chanjiao.graph.neo4j import Neo4jStore
        from tests.test_api import client_for

        self.work = work
        self.server_writes = 0
        self.server_cases = 0
        self._unpatch: list[tuple[Any, str, Any]] = []
        for name in ("write", "delete"):
            original = getattr(Neo4jStore, name)
            self._unpatch.append((Neo4jStore, name, original))
            setattr(Neo4jStore, name, self._counting(original))
        # Typer builds the click command anew for every invoke (0.2 s): build it once.
        import typer.main
        import typer.testing

        command = typer.main.get_command(app)
        build = typer.testing._get_command
        self._unpatch.append((typer.testing, "_get_command", build))
        typer.testing._get_command = lambda given: command if given is app else build(given)
        self.cli = CliRunner()
        self.base = work / "base.db"
        with EmbeddedStore(self.base) as store:
            ingest(store, sample_path())
        self.db = work / "fuzz.db"
        shutil.copy(self.base, self.db)
        self._stack = ExitStack()
        self._client_for = client_for
        self.embedded = EmbeddedStore(self.db)
        self.embedded_api = self._stack.enter_context(client_for(self.embedded, warm_cache=False))
        self.server: GraphStore | None = None
        self.server_api: Any = None
        self.server_url = falkordb_url
        if falkordb_url is not None:
            from chanjiao.config import open_store

            base_url = falkordb_url.rsplit("/", 1)[0] + "/fuzzbase"
            with ExitStack() as opened:
                base = open_store(base_url)
                opened.callback(base.close)
                ingest(base, sample_path())
            self.server = open_store(falkordb_url)
            self._copy_base()
            self.server_api = self._stack.enter_context(client_for(self.server, warm_cache=False))

    def _counting(self, method: Any) -> Any:
        def counted(store: Any, *args: Any, **kwargs: Any) -> Any:
            self.server_writes += 1
            return method(store, *args, **kwargs)

        return counted

    def _copy_base(self) -> None:
        assert self.server is not None
        connection = self.server.runner.client.connection  # type: ignore[attr-defined]
        graph = self.server.runner.graph_name  # type: ignore[attr-defined]
        connection.delete(graph)
        connection.execute_command("GRAPH.COPY", "fuzzbase", graph)

    def close(self) -> None:
        for owner, name, original in self._unpatch:
            setattr(owner, name, original)
        self._stack.close()
        self.embedded.close()
        if self.server is not None:
            self.server.close()

    def reset_embedded(self) -> None:
        self._stack.close()
        self.embedded.close()
        for suffix in ("-wal", "-shm"):
            Path(f"{self.db}{suffix}").unlink(missing_ok=True)
        shutil.copy(self.base, self.db)
        self._stack = ExitStack()
        self.embedded = EmbeddedStore(self.db)
        self.embedded_api = self._stack.enter_context(
            self._client_for(self.embedded, warm_cache=False)
        )
        if self.server is not None:
            self.server_api = self._stack.enter_context(
                self._client_for(self.server, warm_cache=False)
            )

    def run(self, case: Case, route: str, backend: str) -> Outcome:
        with tempfile.TemporaryDirectory(dir=self.work) as folder:
            path = case.write(Path(folder) / "dataset")
            if backend == "server" and self.server is None:
                backend = "embedded"
            if backend == "server":
                self.server_cases += 1
            before = self._fingerprint(backend)
            run = self._cli if route == "cli" else self._api
            outcome = run(path, backend)
            if outcome.accepted:
                self._reset(backend)
            elif self._fingerprint(backend) != before:
                outcome.failures.append(f"store changed after a refused ingest ({backend})")
                self._reset(backend)
            return outcome

    def _fingerprint(self, backend: str) -> Any:
        if backend == "embedded":
            return embedded_fingerprint(self.db)
        assert self.server is not None
        full = self.server_cases % self.full_check_every == 0
        return (
            self.server_writes,
            server_counts(self.server),
            server_fingerprint(self.server) if full else None,
        )

    def _reset(self, backend: str) -> None:
        if backend == "embedded":
            self.reset_embedded()
        else:
            self._copy_base()

    def _cli(self, path: Path, backend: str) -> Outcome:
        location = str(self.db) if backend == "embedded" else str(self.server_url)
        result = self.cli.invoke(app, ["ingest", str(path), "-s", location])
        failures = []
        shown = result.stdout + result.stderr
        if "Traceback" in shown or (
            result.exception is not None and not isinstance(result.exception, SystemExit)
        ):
            failures.append(f"traceback: {result.exception!r}")
        if result.exit_code not in (0, 1):
            failures.append(f"exit code {result.exit_code}")
        if result.exit_code == 1 and not _names_where(result.stderr, path):
            failures.append(f"message names no file: {result.stderr[:300]!r}")
        return Outcome(result.exit_code == 0, failures, result.exit_code)

    def _api(self, path: Path, backend: str) -> Outcome:
        from tests.test_api import AUTH, V1

        client = self.embedded_api if backend == "embedded" else self.server_api
        upload = path
        if path.is_dir():  # a folder is uploaded as a zip of its CSV files
            upload = path.with_suffix(".zip")
            with zipfile.ZipFile(upload, "w") as archive:
                for member in sorted(path.iterdir()):
                    archive.write(member, member.name)
        with upload.open("rb") as fh:
            response = client.post(f"{V1}/ingest", files={"file": (upload.name, fh)}, headers=AUTH)
        failures = []
        if response.status_code >= 500:
            failures.append(f"HTTP {response.status_code}: {response.text[:300]}")
        elif response.status_code != 200:
            body = response.json()
            if set(body) != {"code", "message", "message_en", "details"}:
                failures.append(f"not the error body: {response.text[:300]}")
            elif body["code"] == "invalid_dataset" and not all(
                e.get("file") for e in body["details"].get("errors", [])
            ):
                failures.append(f"a problem names no file: {response.text[:300]}")
        return Outcome(response.status_code == 200, failures, response.status_code)


def _names_where(stderr: str, path: Path) -> bool:
    """Whether a refusal's message names a file, sheet, archive or the store."""
    names = {path.name, "工作表", "数据库", "store", "database"}
    names |= {f"{stem}.csv" for stem in SAMPLE}
    if path.is_dir():
        names |= {p.name for p in path.iterdir()}
    return any(name in stderr for name in names)


def cases(seed: int, count: int) -> Iterator[tuple[Case, str, str]]:
    """`count` cases from one seed, each with its route (cli/api) and backend."""
    rng = random.Random(seed)
    for _ in range(count):
        case = draw_case(rng)
        yield case, rng.choice(["cli", "api"]), rng.choice(["embedded", "server"])
