"""Every Cypher string `Neo4jStore` runs, as constants and small builders.

Labels and relationship types come only from the enums of `chanjiao.graph.schema`
(the builders refuse anything else); every value is a ``$parameter``. The Cypher
stays in the subset both Neo4j 5 and FalkorDB run (DESIGN §5): key-property
``MERGE`` with ``SET n += $props``, ``UNWIND`` batches, ``OPTIONAL MATCH`` /
``collect``, ``CASE``, ``coalesce``; an application ``id`` property, never
``id()``/``elementId()``; no temporal types, no ``COUNT {}``/``EXISTS {}``.
Index and constraint statements are per engine.
"""

from __future__ import annotations

from chanjiao.graph.schema import Label, Rel


def _label(label: Label) -> str:
    if not isinstance(label, Label):
        raise TypeError(f"not a label: {label!r}")
    return label.value


def _rel(rel: Rel) -> str:
    if not isinstance(rel, Rel):
        raise TypeError(f"not a relationship type: {rel!r}")
    return rel.value


# --- engine probe and schema -----------------------------------------------------------

#: Neo4j names itself here; FalkorDB has no such procedure (its Bolt agent string
#: claims Neo4j, so the agent string cannot tell them apart).
PROBE_NEO4J = "CALL dbms.components() YIELD name RETURN name"
PROBE_PROCEDURES = "CALL dbms.procedures() YIELD name RETURN name"
#: A procedure only FalkorDB has.
FALKORDB_ONLY_PROCEDURE = "db.idx.fulltext.createNodeIndex"

FALKORDB_INDEXES = "CALL db.indexes() YIELD label, properties RETURN label, properties"


#: Labels that already have a uniqueness constraint on ``id`` (whatever its name).
NEO4J_UNIQUE_IDS = (
    "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties "
    "WHERE type IN ['UNIQUENESS', 'NODE_KEY'] AND properties = ['id'] "
    "RETURN labelsOrTypes"
)


def neo4j_constraint(label: Label) -> str:
    """Neo4j 5 uniqueness constraint on ``(label, id)``; idempotent."""
    name = f"chanjiao_{_label(label).lower()}_id"
    return f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{_label(label)}) REQUIRE n.id IS UNIQUE"


def falkordb_index(label: Label) -> str:
    """FalkorDB exact-match index on ``(label, id)`` (created only when missing)."""
    return f"CREATE INDEX FOR (n:{_label(label)}) ON (n.id)"


# --- writes ------------------------------------------------------------------------------


def merge_nodes(label: Label) -> str:
    """Upsert a batch of nodes: rows ``{id, props}``; props merge like ``+=``."""
    return f"UNWIND $rows AS row MERGE (n:{_label(label)} {{id: row.id}}) SET n += row.props"


def merge_relationships(rel: Rel, src: Label, dst: Label) -> str:
    """Upsert a batch of relationships by their two ends: rows ``{src, dst, props}``."""
    return (
        f"UNWIND $rows AS row "
        f"MATCH (a:{_label(src)} {{id: row.src}}) "
        f"MATCH (b:{_label(dst)} {{id: row.dst}}) "
        f"MERGE (a)-[r:{_rel(rel)}]->(b) SET r += row.props"
    )


def set_node_properties(label: Label) -> str:
    """``SET n += row.props`` on existing nodes: rows ``{id, props}``; a null value removes."""
    return f"UNWIND $rows AS row MATCH (n:{_label(label)} {{id: row.id}}) SET n += row.props"


def set_relationship_properties(rel: Rel, src: Label, dst: Label) -> str:
    """``SET r += row.props`` on existing relationships: rows ``{src, dst, props}``."""
    return (
        f"UNWIND $rows AS row "
        f"MATCH (a:{_label(src)} {{id: row.src}})-[r:{_rel(rel)}]->"
        f"(b:{_label(dst)} {{id: row.dst}}) SET r += row.props"
    )


def delete_nodes(label: Label) -> str:
    return f"UNWIND $ids AS i MATCH (n:{_label(label)} {{id: i}}) DETACH DELETE n"


def delete_relationships(rel: Rel, src: Label, dst: Label) -> str:
    return (
        f"UNWIND $rows AS row "
        f"MATCH (a:{_label(src)} {{id: row.src}})-[r:{_rel(rel)}]->"
        f"(b:{_label(dst)} {{id: row.dst}}) DELETE r"
    )


# --- lookups -----------------------------------------------------------------------------


def all_nodes(label: Label) -> str:
    return f"MATCH (n:{_label(label)}) RETURN n.id, properties(n) ORDER BY n.id"


def nodes_by_id(label: Label) -> str:
    return f"UNWIND $ids AS i MATCH (n:{_label(label)} {{id: i}}) RETURN n.id, properties(n)"


def relationships(rel: Rel, src: Label, dst: Label, *, by_src: bool, by_dst: bool) -> str:
    """A relationship type between two labels, optionally from or to given ids."""
    head = f"(a:{_label(src)})-[r:{_rel(rel)}]->(b:{_label(dst)})"
    if by_src:
        query = f"UNWIND $src AS s MATCH (a:{_label(src)} {{id: s}})-[r:{_rel(rel)}]->"
        query += f"(b:{_label(dst)})"
        if by_dst:
            query += " WHERE b.id IN $dst"
    elif by_dst:
        query = f"UNWIND $dst AS d MATCH (a:{_label(src)})-[r:{_rel(rel)}]->"
        query += f"(b:{_label(dst)} {{id: d}})"
    else:
        query = f"MATCH {head}"
    return query + " RETURN a.id, b.id, properties(r)"


def neighbours(label: Label, direction: str) -> str:
    """Every relationship of a node in one direction, with the node at the other end."""
    arrow = "-[r]->(b)" if direction == "out" else "<-[r]-(b)"
    return (
        f"MATCH (a:{_label(label)} {{id: $id}}){arrow} "
        "RETURN type(r), labels(b), b.id, properties(b), properties(r)"
    )


COUNT_NODES = "MATCH (n) RETURN labels(n), count(n)"

# --- documents beside the graph (one fixed label, never a graph label) -------------------

#: The label of documents (versions, change log, scenarios); `Label` never holds it.
DOCUMENT_LABEL = "ChanjiaoDocument"

SAVE_DOCUMENT = (
    f"MERGE (d:{DOCUMENT_LABEL} {{kind: $kind, name: $name}}) "
    "SET d.created = $created, d.body = $body, d.size = $size"
)
#: The rest of a document too big for one statement, one piece per node (appending to one
#: string property would copy it again for every piece).
DOCUMENT_PIECE_LABEL = "ChanjiaoDocumentPiece"
SAVE_DOCUMENT_PIECE = (
    f"CREATE (:{DOCUMENT_PIECE_LABEL} {{kind: $kind, name: $name, seq: $seq, text: $piece}})"
)
GET_DOCUMENT_PIECES = (
    f"MATCH (p:{DOCUMENT_PIECE_LABEL} {{kind: $kind, name: $name}}) RETURN p.seq, p.text"
)
DELETE_DOCUMENT_PIECES = f"MATCH (p:{DOCUMENT_PIECE_LABEL} {{kind: $kind, name: $name}}) DELETE p"
GET_DOCUMENT = (
    f"MATCH (d:{DOCUMENT_LABEL} {{kind: $kind, name: $name}}) RETURN d.created, d.body, d.size"
)
LIST_DOCUMENTS = (
    f"MATCH (d:{DOCUMENT_LABEL} {{kind: $kind}}) RETURN d.name, d.created, d.size "
    "ORDER BY d.created, d.name"
)
DELETE_DOCUMENT = f"MATCH (d:{DOCUMENT_LABEL} {{kind: $kind, name: $name}}) DELETE d"
COUNT_RELATIONSHIPS = "MATCH ()-[r]->() RETURN type(r), count(r)"


def find_nodes(label: Label, filters: list[tuple[str, str, str]]) -> str:
    """A page of nodes in id order.

    Args:
        filters: (property name, key parameter, value parameter); names are checked
            by the store to be ``[a-z_]`` words; the name travels as a parameter too.
    """
    where = [
        "($after IS NULL OR n.id > $after)",
        "($text IS NULL OR toLower(coalesce(n.name, n.id)) CONTAINS toLower($text))",
    ]
    for name, key, value in filters:
        if name == "name":
            where.append(f"coalesce(n.name, n.id) = ${value}")
        else:
            where.append(f"n[${key}] = ${value}")
    return (
        f"MATCH (n:{_label(label)}) WHERE {' AND '.join(where)} "
        "RETURN n.id, properties(n) ORDER BY n.id LIMIT $limit"
    )


# --- aggregated reads for the analysis ---------------------------------------------------

#: C(K): each course of the cluster's majors, with [ability, level] pairs it covers.
CURRICULUM = (
    "MATCH (m:Major)-[:IN_CLUSTER]->(:SpecialtyCluster {id: $cluster}) "
    "MATCH (c:Course)-[:IN_MAJOR]->(m) "
    "WITH DISTINCT c "
    "OPTIONAL MATCH (c)-[v:COVERS]->(a:Ability) "
    "RETURN c.id, collect(CASE WHEN a IS NULL THEN NULL ELSE [a.id, v.level] END)"
)

CHAIN = "MATCH (h:IndustryChain {id: $chain}) RETURN h.id, properties(h)"

#: The chain's segments with their order.
CHAIN_SEGMENTS = (
    "MATCH (s:ChainSegment)-[:PART_OF]->(:IndustryChain {id: $chain}) "
    "RETURN s.id, coalesce(s.name, s.id), s.order"
)

#: Positions of the given segments: own demand, and the sum of offered headcounts
#: (null when no offer has one, as SQL's sum of nothing).
SCOPE_POSITIONS = (
    "UNWIND $segments AS sid "
    "MATCH (p:Position)-[:IN_SEGMENT]->(s:ChainSegment {id: sid}) "
    "OPTIONAL MATCH ()-[o:OFFERS]->(p) "
    "WITH p, s, count(o.headcount) AS offers, sum(o.headcount) AS offered "
    "RETURN p.id, coalesce(p.name, p.id), s.id, p.demand, "
    "CASE WHEN offers = 0 THEN NULL ELSE offered END"
)

#: Requirements of the given positions, with the ability's name.
SCOPE_REQUIREMENTS = (
    "UNWIND $positions AS pid "
    "MATCH (p:Position {id: pid})-[r:REQUIRES]->(a:Ability) "
    "RETURN p.id, a.id, coalesce(a.name, a.id), r.level, r.weight"
)

#: What could close a gap in each ability (DESIGN §4), one row per existing ability.
CLOSERS = (
    "UNWIND $abilities AS aid "
    "MATCH (a:Ability {id: aid}) "
    "OPTIONAL MATCH (c:Course)-[:COVERS]->(a) "
    "WITH a, collect(DISTINCT c.id) AS courses "
    "OPTIONAL MATCH (t:Teacher)-[:EXPERT_IN]->(a) "
    "WITH a, courses, collect(DISTINCT t.id) AS teachers "
    "OPTIONAL MATCH (b:Textbook)-[:USED_IN]->(:Course)-[:COVERS]->(a) "
    "WITH a, courses, teachers, collect(DISTINCT b.id) AS textbooks "
    "OPTIONAL MATCH (r:TrainingResource)-[:SUPPORTS]->(a) "
    "WITH a, courses, teachers, textbooks, collect(DISTINCT r.id) AS direct "
    "OPTIONAL MATCH (rc:TrainingResource)-[:SUPPORTS]->(:Course)-[:COVERS]->(a) "
    "WITH a, courses, teachers, textbooks, direct, collect(DISTINCT rc.id) AS via "
    "OPTIONAL MATCH (e:Enterprise)-[:OFFERS]->(:Position)-[:REQUIRES]->(a) "
    "WITH a, courses, teachers, textbooks, direct + via AS resources, "
    "collect(DISTINCT e.id) AS enterprises "
    "OPTIONAL MATCH (x:Certificate)-[:CERTIFIES]->(a) "
    "WITH a, courses, teachers, textbooks, resources, enterprises, "
    "collect(DISTINCT x.id) AS certificates "
    "OPTIONAL MATCH (m:Competition)-[:EXERCISES]->(a) "
    "RETURN a.id, courses, teachers, textbooks, resources, enterprises, certificates, "
    "collect(DISTINCT m.id)"
)

# --- students (DESIGN §4b) ---------------------------------------------------------------

_STUDENT_FILTER = (
    "WHERE $cohort IS NULL OR toString(s.cohort) = $cohort "
    "OPTIONAL MATCH (s)-[:ENROLLED_IN]->(m:Major) "
    "WITH s, collect(m.id) AS majors WHERE $major IS NULL OR $major IN majors "
    "RETURN s.id, coalesce(s.name, s.id), s.cohort, s.status, majors"
)

#: Every student of a cohort and major (either may be null: no filter), with its majors.
STUDENTS = "MATCH (s:Student) " + _STUDENT_FILTER

#: The students of the given ids, filtered as `STUDENTS`.
STUDENTS_BY_ID = "UNWIND $ids AS sid MATCH (s:Student {id: sid}) " + _STUDENT_FILTER

#: The results of the given students, as stored.
STUDENT_RESULTS = (
    "UNWIND $students AS sid MATCH (s:Student {id: sid})-[r:COMPLETED]->(c:Course) "
    "RETURN s.id, c.id, r.score, r.passed"
)

#: The certificates the given students hold.
STUDENT_HOLDINGS = (
    "UNWIND $students AS sid MATCH (s:Student {id: sid})-[:HOLDS]->(x:Certificate) "
    "RETURN s.id, x.id"
)

#: What the given courses cover, at which level.
COURSE_COVERS = (
    "UNWIND $courses AS cid MATCH (c:Course {id: cid})-[v:COVERS]->(a:Ability) "
    "RETURN c.id, a.id, v.level"
)

#: What the given certificates certify.
CERTIFICATE_ABILITIES = (
    "UNWIND $certificates AS xid MATCH (x:Certificate {id: xid})-[:CERTIFIES]->(a:Ability) "
    "RETURN x.id, a.id"
)
