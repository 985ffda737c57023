"""chanjiao's gap analysis side by side with peers, on the same data and the same pairs.

    .venv/bin/pip install -e ".[bench]"     # duckdb, ladybug (bench-only)
    .venv/bin/python bench/peers.py [--scale 0.3] [--pairs 100] [--work DIR]
        [--engines chanjiao,floor,duckdb,ladybug,falkordb,neo4j]

Generates the synthetic national dataset (bench/generate.py) and ingests it into an
embedded store once (kept in --work). Every peer is loaded from that store's own
nodes and relationships, so all answer the same graph. Then `store.warm()` and
`warm_gaps(store)` (what `chanjiao serve` does at start), and each
cluster × chain pair (a random sample of distinct pairs: every question is a *first
ask*, nothing answers from an answer cache) is asked of every engine, the engine order
rotating per pair so the noise of a busy machine hits all alike:

- chanjiao scoring: `analyse_gaps(..., with_closers=False)`;
- chanjiao report: `analyse_gaps(...)` with closers, encoded to the API's JSON bytes;
- floor: numpy/scipy.sparse of the §4 scoring. Per store state it precomputes each
  cluster's (ability, level) arrays and each chain's requirement arrays; per question
  it takes the max taught level, the fulfilments and the bincount sums;
- duckdb: the full report in SQL (coverage, segments, positions, priorities, closers);
  the closer links are one table built at load, like chanjiao's warm closer cache;
- ladybug (embedded Cypher, the maintained fork of Kùzu), falkordb (server on loopback)
  and neo4j (the empty server `CHANJIAO_NEO4J_URI` names, else a Neo4j 5.26 started
  with `scripts/neo4j-test-server`): one Cypher query each giving the gap priorities.
  demand(p) is folded into a position property at load.

Every answer is checked against chanjiao's: coverage, segment and position coverage,
gap priorities to 4 decimals, closers exactly (duckdb); chanjiao's encoded report must
be `json.dumps(report.to_dict())` byte for byte. Prints p50/p99 per engine and
the ratio to the floor. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from chanjiao.analysis.gaps import analyse_gaps, warm_gaps  # noqa: E402
from chanjiao.graph.embedded import EmbeddedStore  # noqa: E402
from chanjiao.graph.schema import Label  # noqa: E402
from chanjiao.graph.store import CLOSER_KINDS  # noqa: E402

TOLERANCE = 1.0001e-4  # answers agree "to 4 decimals": rounding may fall either side


@dataclass
class Answer:
    """What every engine's answer is compared on."""

    coverage: float | None
    gaps: list[tuple[str, float]]
    segments: dict[str, float | None] | None = None
    positions: dict[str, float] | None = None
    closers: dict[str, dict[str, list[str]]] | None = None


@dataclass
class Graph:
    """The store's graph as plain tables (what the peers load)."""

    nodes: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    rels: dict[str, list[tuple[str, str, dict[str, Any]]]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> Graph:
        graph = cls()
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        for label, node_id, name, props in conn.execute("SELECT label, id, name, props FROM nodes"):
            values = json.loads(props) if props else {}
            values["name"] = name
            graph.nodes.setdefault(label, {})[node_id] = values
        for rel, src, dst, props in conn.execute("SELECT type, src, dst, props FROM rels"):
            graph.rels.setdefault(rel, []).append((src, dst, json.loads(props) if props else {}))
        conn.close()
        return graph

    def demand(self) -> dict[str, int]:
        """demand(p) of every position (DESIGN §4)."""
        offered: dict[str, int] = {}
        for _, position, props in self.rels.get("OFFERS", ()):
            if props.get("headcount") is not None:
                offered[position] = offered.get(position, 0) + int(props["headcount"])
        return {
            p: offered[p] if p in offered else int(v.get("demand") or 1)
            for p, v in self.nodes["Position"].items()
        }

    def curricula(self) -> dict[str, set[str]]:
        majors: dict[str, set[str]] = defaultdict(set)
        for course, major, _ in self.rels.get("IN_MAJOR", ()):
            majors[major].add(course)
        found: dict[str, set[str]] = defaultdict(set)
        for major, cluster, _ in self.rels.get("IN_CLUSTER", ()):
            found[cluster] |= majors.get(major, set())
        return found


# --- engines --------------------------------------------------------------------------


class Chanjiao:
    name = "chanjiao"

    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store

    def scoring(self, cluster: str, chain: str) -> Any:
        """The §4 numbers and the gap ranking (Gap objects are made on first use)."""
        return analyse_gaps(self.store, cluster, chain, with_closers=False)

    @staticmethod
    def answer(report: Any) -> Answer:
        return Answer(report.coverage, [(g.ability, g.priority) for g in report.gaps])

    def report(self, cluster: str, chain: str) -> tuple[Any, bytes]:
        """The full report (closers included) encoded as the API sends it."""
        report = analyse_gaps(self.store, cluster, chain)
        return report, report.to_json()

    @staticmethod
    def full_answer(report: Any) -> Answer:
        return Answer(
            report.coverage,
            [(g.ability, g.priority) for g in report.gaps],
            {s.id: s.coverage for s in report.segments},
            {p.id: p.coverage for p in report.positions},
            {g.ability: {k: list(v) for k, v in g.closers.items()} for g in report.gaps},
        )


class Floor:
    """numpy/scipy.sparse §4 scoring: the least work a question needs."""

    name = "floor"

    def __init__(self, graph: Graph) -> None:
        self.abilities = sorted(graph.nodes["Ability"])
        index = {a: i for i, a in enumerate(self.abilities)}
        self.n = len(self.abilities)
        level: dict[tuple[str, str], int] = {
            (c, a): int(p["level"]) for c, a, p in graph.rels.get("COVERS", ())
        }
        by_course: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for (course, ability), lvl in level.items():
            by_course[course].append((index[ability], lvl))
        self.clusters: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for cluster, courses in graph.curricula().items():
            pairs = [x for c in courses for x in by_course.get(c, ())]
            self.clusters[cluster] = (
                np.array([a for a, _ in pairs], dtype=np.int64),
                np.array([lvl for _, lvl in pairs], dtype=np.int64),
            )
        demand = graph.demand()
        segments_of: dict[str, list[str]] = defaultdict(list)
        for seg, chain, _ in graph.rels.get("PART_OF", ()):
            if seg in graph.nodes.get("ChainSegment", {}):
                segments_of[chain].append(seg)
        positions_of: dict[str, list[str]] = defaultdict(list)
        for pos, seg, _ in graph.rels.get("IN_SEGMENT", ()):
            positions_of[seg].append(pos)
        reqs: dict[str, list[tuple[str, int, float]]] = defaultdict(list)
        for pos, ability, p in graph.rels.get("REQUIRES", ()):
            w = p.get("weight")
            reqs[pos].append((ability, int(p["level"]), float(1.0 if w is None else w)))
        self.chains: dict[str, dict[str, Any]] = {}
        for chain in graph.nodes["IndustryChain"]:
            segs = sorted(
                segments_of.get(chain, ()),
                key=lambda s: (
                    graph.nodes["ChainSegment"][s].get("order") is None,
                    graph.nodes["ChainSegment"][s].get("order") or 0,
                    s,
                ),
            )
            seg_index = {s: i for i, s in enumerate(segs)}
            positions = sorted((p, s) for s in segs for p in positions_of.get(s, ()) if reqs.get(p))
            rpos, rab, rlev, rw = [], [], [], []
            for i, (p, _) in enumerate(positions):
                for ability, lvl, w in sorted(reqs[p]):
                    rpos.append(i)
                    rab.append(index[ability])
                    rlev.append(lvl)
                    rw.append(w)
            rab_a = np.array(rab, dtype=np.int64)
            local, rab_local = np.unique(rab_a, return_inverse=True)
            rpos_a = np.array(rpos, dtype=np.int64)
            rw_a = np.array(rw, dtype=np.float64)
            total = np.bincount(rpos_a, rw_a, minlength=len(positions))
            d = np.array([demand[p] for p, _ in positions], dtype=np.float64)
            self.chains[chain] = {
                "segments": segs,
                "positions": [p for p, _ in positions],
                "pseg": np.array([seg_index[s] for _, s in positions], dtype=np.int64),
                "rpos": rpos_a,
                "rab": rab_a,
                "rab_local": rab_local,
                "local": local,
                "rlev": np.array(rlev, dtype=np.float64),
                "share": d[rpos_a] * rw_a / total[rpos_a] if len(rpos) else rw_a,
                "rw": rw_a,
                "total": total,
                "d": d,
            }

    def scoring(self, cluster: str, chain: str) -> tuple[Any, ...]:
        cab, clev = self.clusters.get(cluster, (np.zeros(0, np.int64), np.zeros(0, np.int64)))
        h = self.chains[chain]
        taught = np.zeros(self.n, dtype=np.int64)
        np.maximum.at(taught, cab, clev)
        f = np.minimum(taught[h["rab"]], h["rlev"]) / h["rlev"]
        cov = np.bincount(h["rpos"], h["rw"] * f, minlength=len(h["d"])) / h["total"]
        dc = h["d"] * cov
        seg_d = np.bincount(h["pseg"], h["d"], minlength=len(h["segments"]))
        seg_c = np.bincount(h["pseg"], dc, minlength=len(h["segments"]))
        priority = np.bincount(h["rab_local"], h["share"] * (1.0 - f), minlength=len(h["local"]))
        gaps = np.flatnonzero(priority > 0)
        order = gaps[np.lexsort((gaps, -priority[gaps]))]
        return cov, dc.sum() / h["d"].sum() if len(dc) else None, seg_c, seg_d, order, priority

    def answer(self, chain: str, result: tuple[Any, ...]) -> Answer:
        cov, coverage, seg_c, seg_d, order, priority = result
        h = self.chains[chain]
        return Answer(
            None if coverage is None else float(coverage),
            [(self.abilities[h["local"][i]], float(priority[i])) for i in order],
            {
                s: (float(seg_c[i] / seg_d[i]) if seg_d[i] else None)
                for i, s in enumerate(h["segments"])
            },
            dict(zip(h["positions"], map(float, cov), strict=True)),
        )


_DUCK_REPORT = """
WITH k AS (SELECT course FROM curriculum WHERE cluster = $cluster),
t AS (SELECT ability, max(level) AS taught FROM covers JOIN k USING (course) GROUP BY ability),
r AS (
  SELECT p.position, p.segment, p.demand, q.ability, q.weight,
         least(coalesce(t.taught, 0), q.level)::DOUBLE / q.level AS f
  FROM positions p JOIN requires q USING (position) LEFT JOIN t USING (ability)
  WHERE p.chain = $chain),
pc AS (
  SELECT position, any_value(segment) AS segment, any_value(demand) AS demand,
         sum(weight * f) / sum(weight) AS coverage, sum(weight) AS total
  FROM r GROUP BY position)
SELECT 'p' AS part, position AS id, segment AS ability, coverage, demand, NULL AS kind,
       NULL AS ids FROM pc
UNION ALL
SELECT 'g', NULL, g.ability, g.priority, NULL, c.kind, c.ids FROM (
  SELECT r.ability, sum(pc.demand * r.weight / pc.total * (1 - r.f)) AS priority
  FROM r JOIN pc USING (position) GROUP BY r.ability HAVING priority > 0) g
LEFT JOIN (
  SELECT ability, kind, list(id ORDER BY id) AS ids FROM closers
  WHERE kind <> 'courses' OR id NOT IN (SELECT course FROM k) GROUP BY ability, kind
) c USING (ability)
"""


class DuckDB:
    name = "duckdb"

    def __init__(self, graph: Graph, segments: dict[str, list[tuple[str, Any]]]) -> None:
        import duckdb

        self.con = duckdb.connect()
        self.segments = segments
        demand = graph.demand()
        segment_chain = {s: c for s, c, _ in graph.rels.get("PART_OF", ())}
        curricula = graph.curricula()
        tables: dict[str, tuple[str, list[tuple[Any, ...]]]] = {
            "curriculum": (
                "cluster VARCHAR, course VARCHAR",
                [(k, c) for k, cs in curricula.items() for c in cs],
            ),
            "covers": (
                "course VARCHAR, ability VARCHAR, level INTEGER",
                [(c, a, int(p["level"])) for c, a, p in graph.rels.get("COVERS", ())],
            ),
            "positions": (
                "chain VARCHAR, segment VARCHAR, position VARCHAR, demand BIGINT",
                [
                    (segment_chain[s], s, p, demand[p])
                    for p, s, _ in graph.rels.get("IN_SEGMENT", ())
                    if s in segment_chain
                ],
            ),
            "requires": (
                "position VARCHAR, ability VARCHAR, level INTEGER, weight DOUBLE",
                [
                    (p, a, int(q["level"]), float(q.get("weight") or 1.0))
                    for p, a, q in graph.rels.get("REQUIRES", ())
                ],
            ),
            "closers": ("ability VARCHAR, kind VARCHAR, id VARCHAR", _closer_links(graph)),
        }
        with tempfile.TemporaryDirectory() as tmp:
            for table, (columns, rows) in tables.items():
                path = Path(tmp) / f"{table}.csv"
                with path.open("w", newline="") as out:
                    csv.writer(out).writerows(rows)
                names = {
                    c.split()[0]: c.split()[1] for c in (x.strip() for x in columns.split(","))
                }
                self.con.execute(
                    f"CREATE TABLE {table} AS SELECT * FROM read_csv(?, header = false, "
                    f"columns = {names!r})",
                    [str(path)],
                )
        self.con.execute("CREATE INDEX positions_chain ON positions(chain)")
        self.con.execute("CREATE INDEX curriculum_cluster ON curriculum(cluster)")

    def report(self, cluster: str, chain: str) -> Answer:
        rows = self.con.execute(_DUCK_REPORT, {"cluster": cluster, "chain": chain}).fetchall()
        positions: dict[str, float] = {}
        weighted: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        priorities: dict[str, float] = {}
        closers: dict[str, dict[str, list[str]]] = {}
        for part, pid, ability, value, demand, kind, ids in rows:
            if part == "p":
                positions[pid] = value
                weighted[ability][0] += demand * value
                weighted[ability][1] += demand
            else:
                priorities[ability] = value
                found = closers.setdefault(ability, {k: [] for k in CLOSER_KINDS})
                if kind is not None:
                    found[kind] = ids
        total = [sum(v[0] for v in weighted.values()), sum(v[1] for v in weighted.values())]
        return Answer(
            total[0] / total[1] if total[1] else None,
            sorted(priorities.items(), key=lambda item: (-item[1], item[0])),
            {
                s: (weighted[s][0] / weighted[s][1] if weighted[s][1] else None)
                for s, _ in self.segments[chain]
            },
            positions,
            closers,
        )


def _closer_links(graph: Graph) -> list[tuple[str, str, str]]:
    """(ability, kind, id) of DESIGN §4's closers, one row each."""
    links: set[tuple[str, str, str]] = set()
    direct = {
        "COVERS": "courses",
        "EXPERT_IN": "teachers",
        "CERTIFIES": "certificates",
        "EXERCISES": "competitions",
    }
    for rel, kind in direct.items():
        links.update((a, kind, s) for s, a, _ in graph.rels.get(rel, ()))
    abilities = graph.nodes["Ability"]
    courses_of: dict[str, set[str]] = defaultdict(set)
    for course, ability, _ in graph.rels.get("COVERS", ()):
        courses_of[ability].add(course)
    via: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for s, d, _ in graph.rels.get("USED_IN", ()):
        via[d].append(("textbooks", s))
    for s, d, _ in graph.rels.get("SUPPORTS", ()):
        if d in abilities:
            links.add((d, "training_resources", s))
        else:
            via[d].append(("training_resources", s))
    for ability, courses in courses_of.items():
        for course in courses:
            links.update((ability, kind, s) for kind, s in via.get(course, ()))
    offering: dict[str, set[str]] = defaultdict(set)
    for e, p, _ in graph.rels.get("OFFERS", ()):
        offering[p].add(e)
    for p, a, _ in graph.rels.get("REQUIRES", ()):
        links.update((a, "enterprises", e) for e in offering.get(p, ()))
    return sorted(links)


#: The gap priorities of DESIGN §4 in one Cypher query (Ladybug, Neo4j): each required
#: ability's taught level by a pattern back to the cluster, which both plan from the
#: ability (6.6× faster on Neo4j and 12× on Ladybug than `GAP_CYPHER_LISTED`).
GAP_CYPHER = """
MATCH (:IndustryChain {id: $chain})<-[:PART_OF]-(:ChainSegment)<-[:IN_SEGMENT]-(p:Position)
      -[r:REQUIRES]->(a:Ability)
OPTIONAL MATCH (a)<-[v:COVERS]-(:Course)-[:IN_MAJOR]->(:Major)
      -[:IN_CLUSTER]->(:SpecialtyCluster {id: $cluster})
WITH p, a, r, coalesce(max(v.level), 0) AS taught
WITH p, a.id AS ability, r.weight AS w,
     CASE WHEN taught >= r.level THEN 1.0 ELSE taught * 1.0 / r.level END AS f
WITH p, collect({a: ability, w: w, f: f}) AS reqs, sum(w) AS total
UNWIND reqs AS q
WITH q.a AS ability, sum(p.demand * q.w / total * (1.0 - q.f)) AS priority
WHERE priority > 0
RETURN ability, priority ORDER BY priority DESC, ability
"""

#: The same for FalkorDB, which answers it 3.7× faster with C(K) collected first.
GAP_CYPHER_LISTED = """
MATCH (:SpecialtyCluster {id: $cluster})<-[:IN_CLUSTER]-(:Major)<-[:IN_MAJOR]-(c:Course)
WITH collect(DISTINCT c.id) AS curriculum
MATCH (:IndustryChain {id: $chain})<-[:PART_OF]-(:ChainSegment)<-[:IN_SEGMENT]-(p:Position)
      -[r:REQUIRES]->(a:Ability)
OPTIONAL MATCH (k:Course)-[v:COVERS]->(a) WHERE k.id IN curriculum
WITH p, a, r, coalesce(max(v.level), 0) AS taught
WITH p, a.id AS ability, r.weight AS w,
     CASE WHEN taught >= r.level THEN 1.0 ELSE taught * 1.0 / r.level END AS f
WITH p, collect({a: ability, w: w, f: f}) AS reqs, sum(w) AS total
UNWIND reqs AS q
WITH q.a AS ability, sum(p.demand * q.w / total * (1.0 - q.f)) AS priority
WHERE priority > 0
RETURN ability, priority ORDER BY priority DESC, ability
"""

_GRAPH_LABELS = {
    "SpecialtyCluster": (),
    "Major": (),
    "Course": (),
    "Ability": (),
    "IndustryChain": (),
    "ChainSegment": (),
    "Position": ("demand",),
}
_GRAPH_RELS = {
    "IN_CLUSTER": ("Major", "SpecialtyCluster", ()),
    "IN_MAJOR": ("Course", "Major", ()),
    "COVERS": ("Course", "Ability", ("level",)),
    "REQUIRES": ("Position", "Ability", ("level", "weight")),
    "IN_SEGMENT": ("Position", "ChainSegment", ()),
    "PART_OF": ("ChainSegment", "IndustryChain", ()),
}


def _graph_rows(graph: Graph) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[Any]]]:
    """The part of the graph the Cypher query reads; demand(p) folded into Position."""
    demand = graph.demand()
    nodes = {
        label: [
            {"id": i, **({"demand": demand[i]} if label == "Position" else {})}
            for i in sorted(graph.nodes.get(label, {}))
        ]
        for label in _GRAPH_LABELS
    }
    rels: dict[str, list[Any]] = {}
    for rel, (src, dst, props) in _GRAPH_RELS.items():
        have_src, have_dst = graph.nodes.get(src, {}), graph.nodes.get(dst, {})
        rels[rel] = [
            {
                "s": s,
                "d": d,
                **{k: (float(p.get(k) or 1.0) if k == "weight" else int(p[k])) for k in props},
            }
            for s, d, p in graph.rels.get(rel, ())
            if s in have_src and d in have_dst
        ]
    return nodes, rels


class Ladybug:
    name = "ladybug"

    def __init__(self, graph: Graph, work: Path) -> None:
        import ladybug

        path = work / "ladybug.db"
        if path.exists():
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        self.db = ladybug.Database(str(path))
        self.conn = ladybug.Connection(self.db)
        nodes, rels = _graph_rows(graph)
        with tempfile.TemporaryDirectory() as tmp:
            for label, rows in nodes.items():
                extra = ", demand INT64" if label == "Position" else ""
                self.conn.execute(f"CREATE NODE TABLE {label}(id STRING{extra}, PRIMARY KEY(id))")
                self._copy(Path(tmp), label, rows)
            for rel, (src, dst, props) in _GRAPH_RELS.items():
                types = {"level": "INT64", "weight": "DOUBLE"}
                columns = "".join(f", {k} {types[k]}" for k in props)
                self.conn.execute(f"CREATE REL TABLE {rel}(FROM {src} TO {dst}{columns})")
                self._copy(Path(tmp), rel, rels[rel])

    def _copy(self, tmp: Path, table: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        path = tmp / f"{table}.csv"
        with path.open("w", newline="") as out:
            csv.writer(out).writerows(list(r.values()) for r in rows)
        self.conn.execute(f"COPY {table} FROM '{path}' (HEADER=false)")

    def report(self, cluster: str, chain: str) -> Answer:
        result = self.conn.execute(GAP_CYPHER, {"cluster": cluster, "chain": chain})
        gaps = []
        while result.has_next():
            ability, priority = result.get_next()
            gaps.append((ability, priority))
        return Answer(None, gaps)


def _neo4j_runner(work: Path, servers: list[Any]) -> Any:
    """A Neo4j to load: the empty server `CHANJIAO_NEO4J_URI` names, else one started
    here with scripts/neo4j-test-server (stopped at the end)."""
    from chanjiao.config import open_store

    uri = os.environ.get("CHANJIAO_NEO4J_URI")
    if uri is None:
        from tests.conftest import start_neo4j

        os.environ.setdefault("NEO4J_JAVA_OPTS", "-Xms1g -Xmx2g")
        started = time.perf_counter()
        shutil.rmtree(work / "neo4j", ignore_errors=True)  # a fresh server of its own
        server = start_neo4j(work / "neo4j", None, "--pagecache-mb", "512")
        servers.append(server)
        print(f"neo4j: started in {time.perf_counter() - started:.1f} s at {server.url}")
        uri = server.url
    runner = open_store(uri).runner  # type: ignore[attr-defined]
    if runner.read("MATCH (n) RETURN count(n)", {})[0][0]:
        raise SystemExit(f"neo4j: {uri} is not empty; peers.py loads its own graph into it")
    return runner


class CypherServer:
    """FalkorDB (or Neo4j) over chanjiao's own runner, loaded with UNWIND batches."""

    def __init__(self, name: str, runner: Any, graph: Graph) -> None:
        self.name = name
        self.runner = runner
        nodes, rels = _graph_rows(graph)
        for label, rows in nodes.items():
            with contextlib.suppress(Exception):  # the index exists already
                runner.write([(f"CREATE INDEX FOR (n:{label}) ON (n.id)", {})])
            for start in range(0, len(rows), 5000):
                runner.write(
                    [
                        (
                            f"UNWIND $rows AS r CREATE (n:{label}) SET n = r",
                            {"rows": rows[start : start + 5000]},
                        )
                    ]
                )
        for rel, (src, dst, _) in _GRAPH_RELS.items():
            rows = rels[rel]
            for start in range(0, len(rows), 5000):
                runner.write(
                    [
                        (
                            f"UNWIND $rows AS r MATCH (a:{src} {{id: r.s}}), (b:{dst} {{id: r.d}}) "
                            f"CREATE (a)-[e:{rel}]->(b) SET e.level = r.level, e.weight = r.weight",
                            {"rows": rows[start : start + 5000]},
                        )
                    ]
                )

    def report(self, cluster: str, chain: str) -> Answer:
        query = GAP_CYPHER_LISTED if self.name == "falkordb" else GAP_CYPHER
        rows = self.runner.read(query, {"cluster": cluster, "chain": chain})
        return Answer(None, [(a, float(p)) for a, p in rows])


# --- comparing and timing -------------------------------------------------------------


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= TOLERANCE


def differences(want: Answer, got: Answer) -> list[str]:
    """What `got` answers differently from `want` (empty when equal)."""
    found = []
    if got.coverage is not None and not _close(want.coverage, got.coverage):
        found.append(f"coverage {got.coverage} ≠ {want.coverage}")
    if [a for a, _ in got.gaps] != [a for a, _ in want.gaps] and {a for a, _ in got.gaps} != {
        a for a, _ in want.gaps
    }:
        found.append("gap abilities differ")
    elif not all(_close(dict(want.gaps)[a], p) for a, p in got.gaps):
        found.append("gap priorities differ")
    for part in ("segments", "positions"):
        mine, theirs = getattr(want, part), getattr(got, part)
        if (
            theirs is not None
            and mine is not None
            and (mine.keys() != theirs.keys() or not all(_close(mine[k], theirs[k]) for k in mine))
        ):
            found.append(f"{part} differ")
    if got.closers is not None and want.closers is not None and got.closers != want.closers:
        found.append("closers differ")
    return found


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _prepare(work: Path, scale: float) -> tuple[Path, dict[str, float]]:
    data = work / f"national-{scale}"
    if not data.exists():
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "generate.py"), str(data), "--scale", str(scale)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    db = work / f"store-{scale}.db"
    figures: dict[str, float] = {}
    if not db.exists():
        from chanjiao.ingest.load import ingest

        start = time.perf_counter()
        ingest(EmbeddedStore(db), data)
        figures["ingest_s"] = time.perf_counter() - start
    return db, figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.3)
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument("--work", type=Path, default=None, help="keep data and stores here")
    parser.add_argument(
        "--engines", default="chanjiao,floor,duckdb,ladybug,falkordb,neo4j", help="comma list"
    )
    args = parser.parse_args()
    engines = set(args.engines.split(","))
    work = args.work or Path(tempfile.mkdtemp(prefix="chanjiao-peers-"))
    work.mkdir(parents=True, exist_ok=True)
    db, figures = _prepare(work, args.scale)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()}")
    print(f"python {platform.python_version()}; scale {args.scale}; store {db}")

    graph = Graph.read(db)
    store = EmbeddedStore(db)
    start = time.perf_counter()
    store.warm()
    warm_gaps(store)  # what `chanjiao serve` does at start: store.warm() and chain layouts
    print(f"store.warm() + warm_gaps(): {time.perf_counter() - start:.2f} s")
    clusters = sorted(store.nodes(Label.SPECIALTY_CLUSTER))
    chains = sorted(store.nodes(Label.INDUSTRY_CHAIN))
    every = [(k, h) for k in clusters for h in chains]
    pairs = random.Random(7).sample(every, min(args.pairs, len(every)))
    segments = {h: store.chain_scope(h).segments for h in chains}

    timed: dict[str, Callable[[str, str], Any]] = {}
    chanjiao = Chanjiao(store)
    timed["chanjiao scoring"] = chanjiao.scoring
    timed["chanjiao report+JSON"] = chanjiao.report
    floor = Floor(graph) if "floor" in engines else None
    if floor is not None:
        timed["floor scoring"] = floor.scoring
    peers: list[Any] = []
    servers: list[Any] = []
    try:  # servers started here are stopped whatever happens
        if "duckdb" in engines:
            peers.append(DuckDB(graph, {h: [(s.id, s) for s in v] for h, v in segments.items()}))
        if "ladybug" in engines:
            try:
                peers.append(Ladybug(graph, work))
            except ImportError:
                print("ladybug: not installed (pip install -e '.[bench]'), skipped")
        if "falkordb" in engines:
            from chanjiao.config import open_store
            from tests.conftest import start_falkordb

            shutil.rmtree(work / "falkordb", ignore_errors=True)  # a fresh server of its own
            server = start_falkordb(work / "falkordb")
            servers.append(server)
            remote = open_store(server.url("peers"))
            peers.append(CypherServer("falkordb", remote.runner, graph))  # type: ignore[attr-defined]
        if "neo4j" in engines:
            peers.append(CypherServer("neo4j", _neo4j_runner(work, servers), graph))
        for peer in peers:
            timed[f"{peer.name}"] = peer.report

        times: dict[str, list[float]] = {name: [] for name in timed}
        # CPU time of the asking thread: what a busy machine's waiting does not inflate
        # (a server engine's own CPU is not in it: read its wall-clock figures)
        cpu_times: dict[str, list[float]] = {name: [] for name in timed}
        bad: dict[str, list[str]] = defaultdict(list)
        names = list(timed)
        for turn, (cluster, chain) in enumerate(pairs):
            results: dict[str, Any] = {}
            for name in names[turn % len(names) :] + names[: turn % len(names)]:
                start, cpu = time.perf_counter(), time.thread_time()
                results[name] = timed[name](cluster, chain)
                times[name].append(time.perf_counter() - start)
                cpu_times[name].append(time.thread_time() - cpu)
            report, encoded = results["chanjiao report+JSON"]
            if (
                encoded
                != json.dumps(report.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()
            ):
                bad["chanjiao report+JSON"].append(f"{cluster}×{chain}: bytes ≠ to_dict()")
            want = Chanjiao.full_answer(report)
            answers = {"chanjiao scoring": Chanjiao.answer(results["chanjiao scoring"])}
            if floor is not None:
                answers["floor scoring"] = floor.answer(chain, results["floor scoring"])
            for peer in peers:
                answers[peer.name] = results[peer.name]
            for name, got in answers.items():
                problems = differences(want, got)
                if problems:
                    bad[name].append(f"{cluster}×{chain}: {'; '.join(problems)}")
    finally:
        for server in servers:
            server.stop()

    floor_name = "floor scoring"
    base = statistics.median(times[floor_name]) if floor_name in times else None
    base_cpu = statistics.median(cpu_times[floor_name]) if floor_name in times else None
    print(f"\n{len(pairs)} first asks (distinct cluster × chain pairs), engines interleaved\n")
    print(
        "| engine | p50 ms | p99 ms | p50 ÷ floor | CPU p50 ms | CPU p50 ÷ floor | same answers |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, values in times.items():
        p50, cpu = statistics.median(values), statistics.median(cpu_times[name])
        ratio = f"{p50 / base:.1f}×" if base else "-"
        cpu_ratio = f"{cpu / base_cpu:.1f}×" if base_cpu else "-"
        same = f"{len(pairs) - len(bad[name])}/{len(pairs)}"
        if name == "chanjiao report+JSON":
            same += " (reference; bytes = json.dumps(to_dict()))"
        print(
            f"| {name} | {p50 * 1000:.2f} | {percentile(values, 0.99) * 1000:.2f} | {ratio} | "
            f"{cpu * 1000:.2f} | {cpu_ratio} | {same} |"
        )
    for name, problems in bad.items():
        for problem in problems[:3]:
            print(f"  {name}: {problem}")
    for key, value in figures.items():
        print(f"{key}: {value:.2f}")


if __name__ == "__main__":
    main()
