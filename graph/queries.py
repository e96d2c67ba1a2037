"""Every Cypher statement of lcagraph, as named constants.

openCypher that both FalkorDB and Neo4j 5 run; values travel only as ``$params``. Each
constant passes Neo4j's linter (tests/graph/test_cypher_lint.py) and runs on FalkorDB in the
suite. Batched writes start with ``UNWIND $rows AS row`` and MERGE on stable ids, so running
them twice changes nothing. Reads return scalars and lists, grouped with ``collect()`` where a
row per item would be slow to parse (the FalkorDB client parses ~40k values/s).

Graph model: docs/graph-model.md. Engine-specific DDL is named ``NEO4J_*`` / ``FALKOR_*``.
"""

from __future__ import annotations

from typing import Any

from graph.rows import RowColumns
from lcagraph.errors import InvalidArgument

# --- graph version -------------------------------------------------------------------------

GRAPH_VERSION = "MATCH (m:Meta {id: 'graph'}) RETURN m.version AS version"

# ``uid`` names this graph's history: a graph deleted and built again restarts its version at 1
# with a new uid, so files keyed by version (matrix snapshots) never match the wrong graph.
GRAPH_IDENTITY = "MATCH (m:Meta {id: 'graph'}) RETURN m.version AS version, m.uid AS uid"

BUMP_GRAPH_VERSION = """
MERGE (m:Meta {id: 'graph'})
ON CREATE SET m.version = 0
SET m.version = m.version + 1, m.uid = coalesce(m.uid, $uid)
RETURN m.version AS version
"""

# --- whole-graph maintenance ---------------------------------------------------------------

DELETE_ALL_MODEL_DATA = "MATCH (n) WHERE NOT n:Meta DETACH DELETE n"

COUNT_NODES_BY_LABEL = """
MATCH (n)
UNWIND labels(n) AS label
RETURN label, count(*) AS count
ORDER BY label
"""

COUNT_RELATIONSHIPS_BY_TYPE = """
MATCH ()-[r]->()
RETURN type(r) AS type, count(*) AS count
ORDER BY type
"""

# --- schema (engine-specific DDL) ----------------------------------------------------------
# FalkorDB: range indexes in Cypher; uniqueness constraints need GRAPH.CONSTRAINT (graph/falkor.py).

FALKOR_INDEX_DATABASE_ID = "CREATE INDEX FOR (n:Database) ON (n.id)"
FALKOR_INDEX_PROCESS_ID = "CREATE INDEX FOR (n:Process) ON (n.id)"
FALKOR_INDEX_FLOW_ID = "CREATE INDEX FOR (n:Flow) ON (n.id)"
FALKOR_INDEX_METHOD_ID = "CREATE INDEX FOR (n:ImpactMethod) ON (n.id)"
FALKOR_INDEX_CATEGORY_ID = "CREATE INDEX FOR (n:ImpactCategory) ON (n.id)"
FALKOR_INDEX_PRODUCT_SYSTEM_ID = "CREATE INDEX FOR (n:ProductSystem) ON (n.id)"
FALKOR_INDEX_RESULT_ID = "CREATE INDEX FOR (n:Result) ON (n.id)"
FALKOR_INDEX_IMPORT_REPORT_ID = "CREATE INDEX FOR (n:ImportReport) ON (n.id)"
FALKOR_INDEX_META_ID = "CREATE INDEX FOR (n:Meta) ON (n.id)"
FALKOR_INDEX_PROCESS_NAME = "CREATE INDEX FOR (n:Process) ON (n.name)"
FALKOR_INDEX_PROCESS_DATABASE = "CREATE INDEX FOR (n:Process) ON (n.database)"
FALKOR_INDEX_FLOW_NAME = "CREATE INDEX FOR (n:Flow) ON (n.name)"
FALKOR_INDEX_FLOW_CAS = "CREATE INDEX FOR (n:Flow) ON (n.cas)"

FALKOR_SCHEMA = (
    FALKOR_INDEX_DATABASE_ID, FALKOR_INDEX_PROCESS_ID, FALKOR_INDEX_FLOW_ID, FALKOR_INDEX_METHOD_ID,
    FALKOR_INDEX_CATEGORY_ID, FALKOR_INDEX_PRODUCT_SYSTEM_ID, FALKOR_INDEX_RESULT_ID,
    FALKOR_INDEX_IMPORT_REPORT_ID, FALKOR_INDEX_META_ID, FALKOR_INDEX_PROCESS_NAME,
    FALKOR_INDEX_PROCESS_DATABASE, FALKOR_INDEX_FLOW_NAME, FALKOR_INDEX_FLOW_CAS,
)

FALKOR_LIST_INDEXES = "CALL db.indexes() YIELD label, properties RETURN label, properties"
FALKOR_LIST_CONSTRAINTS = "CALL db.constraints() YIELD type, label RETURN type, label"

#: Labels whose ``id`` is unique (FalkorDB constraints are created from this list).
UNIQUE_ID_LABELS = (
    "Database", "Process", "Flow", "ImpactMethod", "ImpactCategory", "ProductSystem", "Result",
    "ImportReport", "Meta",
)

NEO4J_UNIQUE_DATABASE_ID = (
    "CREATE CONSTRAINT database_id IF NOT EXISTS FOR (n:Database) REQUIRE n.id IS UNIQUE"
)
NEO4J_UNIQUE_PROCESS_ID = "CREATE CONSTRAINT process_id IF NOT EXISTS FOR (n:Process) REQUIRE n.id IS UNIQUE"
NEO4J_UNIQUE_FLOW_ID = "CREATE CONSTRAINT flow_id IF NOT EXISTS FOR (n:Flow) REQUIRE n.id IS UNIQUE"
NEO4J_UNIQUE_METHOD_ID = (
    "CREATE CONSTRAINT impact_method_id IF NOT EXISTS FOR (n:ImpactMethod) REQUIRE n.id IS UNIQUE"
)
NEO4J_UNIQUE_CATEGORY_ID = (
    "CREATE CONSTRAINT impact_category_id IF NOT EXISTS FOR (n:ImpactCategory) REQUIRE n.id IS UNIQUE"
)
NEO4J_UNIQUE_PRODUCT_SYSTEM_ID = (
    "CREATE CONSTRAINT product_system_id IF NOT EXISTS FOR (n:ProductSystem) REQUIRE n.id IS UNIQUE"
)
NEO4J_UNIQUE_RESULT_ID = "CREATE CONSTRAINT result_id IF NOT EXISTS FOR (n:Result) REQUIRE n.id IS UNIQUE"
NEO4J_UNIQUE_IMPORT_REPORT_ID = (
    "CREATE CONSTRAINT import_report_id IF NOT EXISTS FOR (n:ImportReport) REQUIRE n.id IS UNIQUE"
)
NEO4J_UNIQUE_META_ID = "CREATE CONSTRAINT meta_id IF NOT EXISTS FOR (n:Meta) REQUIRE n.id IS UNIQUE"
NEO4J_INDEX_PROCESS_NAME = "CREATE INDEX process_name IF NOT EXISTS FOR (n:Process) ON (n.name)"
NEO4J_INDEX_PROCESS_DATABASE = "CREATE INDEX process_database IF NOT EXISTS FOR (n:Process) ON (n.database)"
NEO4J_INDEX_FLOW_NAME = "CREATE INDEX flow_name IF NOT EXISTS FOR (n:Flow) ON (n.name)"
NEO4J_INDEX_FLOW_CAS = "CREATE INDEX flow_cas IF NOT EXISTS FOR (n:Flow) ON (n.cas)"

NEO4J_SCHEMA = (
    NEO4J_UNIQUE_DATABASE_ID, NEO4J_UNIQUE_PROCESS_ID, NEO4J_UNIQUE_FLOW_ID, NEO4J_UNIQUE_METHOD_ID,
    NEO4J_UNIQUE_CATEGORY_ID, NEO4J_UNIQUE_PRODUCT_SYSTEM_ID, NEO4J_UNIQUE_RESULT_ID,
    NEO4J_UNIQUE_IMPORT_REPORT_ID, NEO4J_UNIQUE_META_ID, NEO4J_INDEX_PROCESS_NAME,
    NEO4J_INDEX_PROCESS_DATABASE, NEO4J_INDEX_FLOW_NAME, NEO4J_INDEX_FLOW_CAS,
)

# --- writing a database (graph/writer.py) --------------------------------------------------

FIND_PROCESSES_OF_OTHER_DATABASES = """
MATCH (p:Process)
WHERE p.id IN $ids AND p.database <> $database
RETURN p.id AS id, p.database AS database
LIMIT 10
"""

FIND_EXISTING_FLOWS = """
MATCH (f:Flow)
WHERE f.id IN $ids
RETURN collect(f.id) AS ids
"""

DELETE_RESULTS_OF_DATABASE = """
MATCH (:Process {database: $database})-[:HAS_RESULT]->(r:Result)
DETACH DELETE r
"""

DELETE_PROCESSES_OF_DATABASE = "MATCH (p:Process {database: $database}) DETACH DELETE p"

DELETE_PRODUCT_SYSTEMS_OF_DATABASE = "MATCH (s:ProductSystem {database: $database}) DETACH DELETE s"

DELETE_IMPORT_REPORTS_OF_DATABASE = "MATCH (r:ImportReport {database: $database}) DETACH DELETE r"

DELETE_CATEGORIES_OF_DATABASE = """
MATCH (m:ImpactMethod {database: $database})-[:HAS_CATEGORY]->(c:ImpactCategory)
DETACH DELETE c
"""

DELETE_METHODS_OF_DATABASE = "MATCH (m:ImpactMethod {database: $database}) DETACH DELETE m"

UNLINK_FLOWS_FROM_DATABASE = "MATCH (:Flow)-[r:IN]->(:Database {id: $database}) DELETE r"

DELETE_DATABASE_NODE = "MATCH (d:Database {id: $database}) DETACH DELETE d"

DELETE_ORPHAN_FLOWS = """
MATCH (f:Flow)
OPTIONAL MATCH (f)-[r]-()
WITH f, count(r) AS degree
WHERE degree = 0
DELETE f
"""

UPSERT_DATABASE = """
MERGE (d:Database {id: $id})
SET d.name = $name, d.source = $source, d.version = $version, d.licence = $licence,
    d.format = $format, d.kind = $kind, d.description = $description, d.imported_at = $imported_at
"""

#: Flows are shared by the databases that use them. Several databases may describe one flow UUID
#: differently (an EcoSpold2 release without compartments, a JSON-LD release with them); each
#: property then takes a commutative join of what was written - a given value over an empty one,
#: a given compartment over an inferred one, else the smaller; of two flow-property lists the
#: longer, else the smaller 'name=factor;' text - so the flow, and every factor matched on it, do
#: not depend on the order of imports.
UPSERT_FLOWS = """
UNWIND $rows AS row
MERGE (f:Flow {id: row.id})
WITH f, row, (f.compartment IS NULL OR f.compartment = '' OR
     (coalesce(f.compartment_inferred, false) AND NOT row.compartment_inferred) OR
     (row.compartment <> '' AND coalesce(f.compartment_inferred, false) = row.compartment_inferred
      AND row.compartment < f.compartment)) AS take_compartment,
     reduce(k = '', i IN range(0, size(row.property_names) - 1) |
            k + row.property_names[i] + '=' + toString(row.property_factors[i]) + ';') AS row_properties,
     reduce(k = '', i IN range(0, size(coalesce(f.property_names, [])) - 1) |
            k + f.property_names[i] + '=' + toString(f.property_factors[i]) + ';') AS flow_properties
WITH f, row, take_compartment,
     (f.property_names IS NULL OR size(row.property_names) > size(f.property_names) OR
      (size(row.property_names) = size(f.property_names) AND row_properties < flow_properties))
     AS take_properties
SET f.name = CASE WHEN f.name IS NULL OR f.name = '' OR (row.name <> '' AND row.name < f.name)
                  THEN row.name ELSE f.name END,
    f.type = row.type,
    f.unit = CASE WHEN f.unit IS NULL OR f.unit = '' OR (row.unit <> '' AND row.unit < f.unit)
                  THEN row.unit ELSE f.unit END,
    f.flow_property = CASE WHEN f.flow_property IS NULL OR f.flow_property = ''
                           OR (row.flow_property <> '' AND row.flow_property < f.flow_property)
                           THEN row.flow_property ELSE f.flow_property END,
    f.cas = CASE WHEN f.cas IS NULL OR f.cas = '' OR (row.cas <> '' AND row.cas < f.cas)
                 THEN row.cas ELSE f.cas END,
    f.formula = CASE WHEN f.formula IS NULL OR f.formula = ''
                          OR (row.formula <> '' AND row.formula < f.formula)
                     THEN row.formula ELSE f.formula END,
    f.compartment = CASE WHEN take_compartment THEN row.compartment ELSE f.compartment END,
    f.compartment_path = CASE WHEN take_compartment THEN row.compartment_path ELSE f.compartment_path END,
    f.compartment_inferred = CASE WHEN take_compartment THEN row.compartment_inferred
                                  ELSE f.compartment_inferred END,
    f.location = CASE WHEN f.location IS NULL OR f.location = ''
                           OR (row.location <> '' AND row.location < f.location)
                      THEN row.location ELSE f.location END,
    f.synonyms = coalesce(f.synonyms, []) + [s IN row.synonyms WHERE NOT s IN coalesce(f.synonyms, [])],
    f.property_factors = CASE WHEN take_properties THEN row.property_factors ELSE f.property_factors END,
    f.property_names = CASE WHEN take_properties THEN row.property_names ELSE f.property_names END
WITH f
MATCH (d:Database {id: $database})
MERGE (f)-[:IN]->(d)
"""

UPSERT_PROCESSES = """
UNWIND $rows AS row
MERGE (p:Process {id: row.id})
SET p.name = row.name, p.database = $database, p.type = row.type, p.location = row.location,
    p.category = row.category, p.description = row.description, p.ref_flow = row.ref_flow,
    p.ref_amount = row.ref_amount, p.ref_unit = row.ref_unit, p.ref_is_input = row.ref_is_input,
    p.allocation_method = row.allocation_method, p.dq_system = row.dq_system, p.dq_entry = row.dq_entry,
    p.dq_indicators = row.dq_indicators, p.exchange_dq_system = row.exchange_dq_system,
    p.valid_from = row.valid_from, p.valid_until = row.valid_until, p.sources = row.sources,
    p.parameters_json = row.parameters_json, p.uuid = row.uuid, p.ref_amount_ref = row.ref_amount_ref
WITH p
MATCH (d:Database {id: $database})
MERGE (p)-[:IN]->(d)
"""

#: Columns of the exchange rows UPSERT_INPUTS / UPSERT_OUTPUTS take (positional rows: graph/rows.py;
#: graph/writer.py builds them by name with EXCHANGE_ROW.row).
EXCHANGE_ROW = RowColumns(
    "id", "process", "flow", "amount", "unit", "amount_ref", "is_reference", "default_provider",
    "is_avoided", "allocation", "formula", "dq", "description", "unc_distribution", "unc_geomean",
    "unc_geosd", "unc_mean", "unc_sd", "unc_min", "unc_mode", "unc_max", "link", "provider",
    "candidates", "link_reason", "provider_scale",
)

_EXCHANGE_PROPERTIES = """
SET x.amount = row.amount, x.unit = row.unit, x.amount_ref = row.amount_ref,
    x.is_reference = row.is_reference, x.default_provider = row.default_provider,
    x.is_avoided = row.is_avoided, x.allocation = row.allocation, x.formula = row.formula, x.dq = row.dq,
    x.description = row.description, x.unc_distribution = row.unc_distribution,
    x.unc_geomean = row.unc_geomean, x.unc_geosd = row.unc_geosd, x.unc_mean = row.unc_mean,
    x.unc_sd = row.unc_sd, x.unc_min = row.unc_min, x.unc_mode = row.unc_mode, x.unc_max = row.unc_max,
    x.link = row.link, x.provider = row.provider, x.candidates = row.candidates,
    x.link_reason = row.link_reason, x.provider_scale = row.provider_scale
"""

UPSERT_INPUTS = EXCHANGE_ROW.fill("""
UNWIND $rows AS row
MATCH (p:Process {id: row.process})
MATCH (f:Flow {id: row.flow})
MERGE (p)-[x:INPUT {id: row.id}]->(f)
""" + _EXCHANGE_PROPERTIES)

UPSERT_OUTPUTS = EXCHANGE_ROW.fill("""
UNWIND $rows AS row
MATCH (p:Process {id: row.process})
MATCH (f:Flow {id: row.flow})
MERGE (p)-[x:OUTPUT {id: row.id}]->(f)
""" + _EXCHANGE_PROPERTIES)

#: Columns of the (positional) rows UPSERT_PROVIDER_LINKS takes; also the order of the links
#: READ_PROVIDER_LINKS_OF_DATABASE collects (graph/reader.py reads them by name).
PROVIDER_LINK_ROW = RowColumns(
    "consumer", "provider", "flow", "exchange", "amount", "kind", "is_waste", "scale",
)

UPSERT_PROVIDER_LINKS = PROVIDER_LINK_ROW.fill("""
UNWIND $rows AS row
MATCH (c:Process {id: row.consumer})
MATCH (p:Process {id: row.provider})
MERGE (c)-[l:PROVIDER {exchange: row.exchange}]->(p)
SET l.flow = row.flow, l.amount = row.amount, l.kind = row.kind, l.is_waste = row.is_waste,
    l.scale = coalesce(row.scale, 1.0)
""")

RELINK_FOREIGN_PROVIDERS = """
MATCH (c:Process)-[x:INPUT|OUTPUT]->(f:Flow)
WHERE x.provider IS NOT NULL AND c.database <> $database
MATCH (p:Process {id: x.provider})
WHERE p.database = $database
MERGE (c)-[l:PROVIDER {exchange: x.id}]->(p)
SET l.flow = f.id, l.amount = x.amount_ref, l.kind = x.link, l.is_waste = (f.type = 'waste'),
    l.scale = coalesce(x.provider_scale, 1.0)
RETURN count(l) AS links
"""

UPSERT_PRODUCT_SYSTEMS = """
UNWIND $rows AS row
MERGE (s:ProductSystem {id: row.id})
SET s.name = row.name, s.database = $database, s.ref_process = row.ref_process,
    s.ref_flow = row.ref_flow, s.amount = row.amount, s.unit = row.unit,
    s.description = row.description, s.links_json = row.links_json
WITH s, row
MATCH (d:Database {id: $database})
MERGE (s)-[:IN]->(d)
WITH s, row
MATCH (p:Process {id: row.ref_process})
MERGE (s)-[:REFERENCE]->(p)
"""

UPSERT_METHODS = """
UNWIND $rows AS row
MERGE (m:ImpactMethod {id: row.id})
SET m.name = row.name, m.version = row.version, m.source = row.source,
    m.description = row.description, m.database = $database
WITH m
MATCH (d:Database {id: $database})
MERGE (m)-[:IN]->(d)
"""

#: ``declared_json``: the factors the method declares, as given ([flow UUID, value, how] rows); the
#: FACTOR relationships are derived from them by matching (api/services/characterisation.py).
UPSERT_CATEGORIES = """
UNWIND $rows AS row
MATCH (m:ImpactMethod {id: row.method})
MERGE (c:ImpactCategory {id: row.id})
SET c.name = row.name, c.unit = row.unit, c.method = row.method, c.declared_json = row.declared_json
MERGE (m)-[:HAS_CATEGORY]->(c)
"""

#: The declared factors on the flows they name by UUID, where the graph has that flow (a first
#: version; the import pipeline then re-derives every FACTOR by matching the whole graph).
UPSERT_FACTORS = """
UNWIND $rows AS row
MATCH (c:ImpactCategory {id: row.category})
MATCH (f:Flow {id: row.flow})
MERGE (c)-[r:FACTOR]->(f)
SET r.value = row.value, r.matched_by = row.matched_by
"""

DELETE_ALL_FACTORS = """
MATCH (:ImpactCategory)-[r:FACTOR]->(:Flow)
DELETE r
"""

CREATE_FACTORS = """
UNWIND $rows AS row
MATCH (c:ImpactCategory {id: row.category})
MATCH (f:Flow {id: row.flow})
CREATE (c)-[:FACTOR {value: row.value, matched_by: row.matched_by}]->(f)
"""

#: One row per category: the factors its method declares (JSON, see UPSERT_CATEGORIES).
READ_DECLARED_FACTORS = """
MATCH (c:ImpactCategory)
RETURN c.id AS category, c.declared_json AS declared_json
ORDER BY category
"""

UPSERT_IMPORT_REPORT = """
MERGE (r:ImportReport {id: $id})
SET r.database = $database, r.file = $file, r.format = $format, r.created = $created, r.json = $json
WITH r
MATCH (d:Database {id: $database})
MERGE (r)-[:OF]->(d)
"""

# --- reading a database back (graph/reader.py) ---------------------------------------------

READ_DATABASE = """
MATCH (d:Database {id: $database})
RETURN d.id AS id, d.name AS name, d.source AS source, d.version AS version, d.licence AS licence,
       d.format AS format, d.kind AS kind, d.description AS description, d.imported_at AS imported_at
"""

READ_FLOWS_OF_DATABASE = """
MATCH (f:Flow)-[:IN]->(:Database {id: $database})
RETURN f.id AS id, f.name AS name, f.type AS type, f.unit AS unit, f.flow_property AS flow_property,
       f.cas AS cas, f.formula AS formula, f.compartment_path AS compartment_path,
       f.location AS location, f.synonyms AS synonyms, f.property_names AS property_names,
       f.property_factors AS property_factors
"""

READ_PROCESSES_OF_DATABASE = """
MATCH (p:Process {database: $database})
RETURN p.id AS id, p.name AS name, p.type AS type, p.location AS location, p.category AS category,
       p.description AS description, p.ref_flow AS ref_flow, p.ref_amount AS ref_amount,
       p.ref_unit AS ref_unit, p.ref_is_input AS ref_is_input, p.allocation_method AS allocation_method,
       p.dq_system AS dq_system, p.dq_entry AS dq_entry, p.dq_indicators AS dq_indicators,
       p.exchange_dq_system AS exchange_dq_system, p.valid_from AS valid_from,
       p.valid_until AS valid_until, p.sources AS sources, p.parameters_json AS parameters_json,
       p.uuid AS uuid
"""

#: One row per process; ``exchanges`` is a list of lists in the order of EXCHANGE_FIELDS.
#: (A grouped read stays positional: the FalkorDB client parses one row at a time slowly.)
READ_EXCHANGES_OF_DATABASE = """
MATCH (p:Process {database: $database})-[x:INPUT|OUTPUT]->(f:Flow)
RETURN p.id AS process,
       collect([x.id, f.id, type(x) = 'INPUT', x.amount, x.unit, x.amount_ref, x.is_reference,
                x.default_provider, x.is_avoided, x.allocation, x.formula, x.dq, x.description,
                x.unc_distribution, x.unc_geomean, x.unc_geosd, x.unc_mean, x.unc_sd, x.unc_min,
                x.unc_mode, x.unc_max, x.link, x.provider, x.candidates, x.link_reason,
                x.provider_scale, f.type]) AS exchanges
"""

EXCHANGE_FIELDS = RowColumns(
    "id", "flow", "is_input", "amount", "unit", "amount_ref", "is_reference", "default_provider",
    "is_avoided", "allocation", "formula", "dq", "description", "unc_distribution", "unc_geomean",
    "unc_geosd", "unc_mean", "unc_sd", "unc_min", "unc_mode", "unc_max", "link", "provider",
    "candidates", "link_reason", "provider_scale", "flow_type",
)

#: One row per consumer; ``links`` lists rows in the order of PROVIDER_LINK_ROW.
READ_PROVIDER_LINKS_OF_DATABASE = """
MATCH (c:Process {database: $database})-[l:PROVIDER]->(p:Process)
RETURN c.id AS consumer,
       collect([c.id, p.id, l.flow, l.exchange, l.amount, l.kind, l.is_waste,
                coalesce(l.scale, 1.0)]) AS links
"""

READ_METHODS_OF_DATABASE = """
MATCH (m:ImpactMethod {database: $database})
RETURN m.id AS id, m.name AS name, m.version AS version, m.source AS source, m.description AS description
"""

READ_CATEGORIES_OF_DATABASE = """
MATCH (m:ImpactMethod {database: $database})-[:HAS_CATEGORY]->(c:ImpactCategory)
RETURN c.id AS id, c.name AS name, c.method AS method, c.unit AS unit
"""

#: One row per category of the database's methods, with the factors it declares (JSON).
READ_FACTORS_OF_DATABASE = """
MATCH (m:ImpactMethod {database: $database})-[:HAS_CATEGORY]->(c:ImpactCategory)
RETURN c.id AS category, c.declared_json AS declared_json
"""

READ_PRODUCT_SYSTEMS_OF_DATABASE = """
MATCH (s:ProductSystem {database: $database})
RETURN s.id AS id, s.name AS name, s.ref_process AS ref_process, s.ref_flow AS ref_flow,
       s.amount AS amount, s.unit AS unit, s.description AS description, s.links_json AS links_json
"""

READ_IMPORT_REPORT_OF_DATABASE = """
MATCH (r:ImportReport {database: $database})
RETURN r.id AS id, r.created AS created, r.json AS json
ORDER BY created DESC
LIMIT 1
"""

#: One row per database; ``candidates`` lists [process, ref_flow, ref_is_input, location, type, uuid].
READ_PROVIDER_CANDIDATES = """
MATCH (p:Process)
WHERE p.ref_flow IS NOT NULL AND p.database IN $databases
RETURN p.database AS database,
       collect([p.id, p.ref_flow, p.ref_is_input, p.location, p.type, p.uuid]) AS candidates
"""

READ_ALL_PROVIDER_CANDIDATES = """
MATCH (p:Process)
WHERE p.ref_flow IS NOT NULL
RETURN p.database AS database,
       collect([p.id, p.ref_flow, p.ref_is_input, p.location, p.type, p.uuid]) AS candidates
"""

#: One row per process: its reference and product/waste exchanges [id, flow, is_input, amount,
#: unit, amount_ref, is_reference, is_avoided] (what provider_scale needs, loaders/linking.py).
READ_PROVIDER_EXCHANGES = """
UNWIND $ids AS id
MATCH (p:Process {id: id})-[x:INPUT|OUTPUT]->(f:Flow)
WHERE x.is_reference OR f.type <> 'elementary'
RETURN p.id AS process,
       collect([x.id, f.id, type(x) = 'INPUT', x.amount, x.unit, x.amount_ref, x.is_reference,
                x.is_avoided]) AS exchanges
"""

#: Processes and product systems of any database that hold one of the dataset UUIDs
#: (loaders/identity.py: a UUID another database holds is stored as '<uuid>@<database>').
FIND_DATASET_HOLDERS = """
UNWIND $uuids AS uuid
MATCH (p:Process {id: uuid})
RETURN p.id AS id, uuid, p.database AS database, p.name AS name
UNION ALL
MATCH (p:Process)
WHERE p.uuid <> p.id AND p.uuid IN $uuids
RETURN p.id AS id, p.uuid AS uuid, p.database AS database, p.name AS name
UNION ALL
MATCH (s:ProductSystem)
WHERE split(s.id, '@')[0] IN $uuids
RETURN s.id AS id, split(s.id, '@')[0] AS uuid, s.database AS database, s.name AS name
"""

# --- node pages (api/services/nodes.py) and footprints ---------------------------------------

#: Per process: its product and waste exchanges by link state ('default', 'unlinked', 'ambiguous', ...).
READ_LINK_COUNTS = """
UNWIND $ids AS id
MATCH (p:Process {id: id})-[x:INPUT|OUTPUT]->(:Flow)
WHERE x.link IS NOT NULL
RETURN p.id AS process, x.link AS link, count(x) AS exchanges
"""


# --- GraphQL API: upstream tree and browsing (graph/tree_source.py, graph/browse.py) --------

#: Per process: what a tree node shows, distinct providers and unlinked exchanges (cut-offs).
#: ``ref_amount`` is the reference amount in the flow's reference unit (``ref_amount_ref``, the
#: diagonal of A), ``ref_unit`` that unit; graphs written before ref_amount_ref fall back to as given.
#: ``own_amount``/``own_unit``: the reference exchange as the dataset gives it (shown to readers).
TREE_NODES = """
UNWIND $ids AS id
MATCH (p:Process {id: id})
OPTIONAL MATCH (f:Flow {id: p.ref_flow})
WITH p, CASE WHEN p.ref_amount_ref IS NULL OR f IS NULL THEN p.ref_unit ELSE f.unit END AS unit
OPTIONAL MATCH (p)-[:PROVIDER]->(q:Process)
WITH p, unit, count(DISTINCT q) AS providers
OPTIONAL MATCH (p)-[x:INPUT|OUTPUT]->(:Flow)
WHERE x.link = 'unlinked'
RETURN p.id AS id, p.name AS name, p.database AS database,
       coalesce(p.ref_amount_ref, p.ref_amount) AS ref_amount, unit AS ref_unit,
       p.ref_amount AS own_amount, p.ref_unit AS own_unit,
       p.ref_is_input AS ref_is_input, providers, count(x) AS unlinked
"""

#: One row per consumer; ``supplies`` lists [provider, amount, is_input, is_avoided, allocation];
#: amount x scale: in units of the provider's reference product (co-product links).
TREE_SUPPLIES = """
UNWIND $ids AS id
MATCH (c:Process {id: id})-[l:PROVIDER]->(p:Process)
OPTIONAL MATCH (c)-[x:INPUT|OUTPUT]->(:Flow)
WHERE x.id = l.exchange
RETURN c.id AS consumer,
       collect([p.id, l.amount * coalesce(l.scale, 1.0), type(x) = 'INPUT', x.is_avoided,
                x.allocation]) AS supplies
"""

#: One category's number of a Result (per process: lists aligned with ``r.categories``) at the
#: position of the category in the list; rows without it are dropped.
_RESULT_AT = """
WITH r, key, [i IN range(0, size(r.categories) - 1) WHERE r.categories[i] = key[1]] AS at
WHERE size(at) > 0
WITH r, key, at[0] AS k
"""
_RESULT_COLUMNS = """r.process AS process, key[1] AS category, r.method[k] AS method, r.unit[k] AS unit,
       r.direct[k] AS direct, r.total[k] AS total, r.graph_version[k] AS graph_version,
       r.residual[k] AS residual"""

#: Cached results by [process, category] keys (a Result's id is its process's id).
READ_RESULTS = "UNWIND $keys AS key\nMATCH (r:Result {id: key[0]})" + _RESULT_AT + "RETURN " + _RESULT_COLUMNS

#: READ_RESULTS with the process's reference: ``own_unit`` (the dataset's reference unit) and the
#: amounts that give how many of the flow's reference unit one of it is (graph.tree_records).
READ_RESULTS_WITH_REFERENCE = (
    "UNWIND $keys AS key\nMATCH (r:Result {id: key[0]})" + _RESULT_AT
    + "OPTIONAL MATCH (p:Process {id: r.process})\nRETURN " + _RESULT_COLUMNS + """,
       p.ref_unit AS own_unit, p.ref_amount AS own_amount, p.ref_amount_ref AS ref_amount_ref
""")

READ_CATEGORIES = """
MATCH (m:ImpactMethod)-[:HAS_CATEGORY]->(c:ImpactCategory)
RETURN c.id AS id, c.name AS name, c.unit AS unit, m.id AS method, m.name AS method_name
ORDER BY method_name, name
"""

#: The columns of READ_PROCESSES_OF_DATABASE and the database (one mapping: graph.reader).
READ_PROCESSES_BY_ID = """
UNWIND $ids AS id
MATCH (p:Process {id: id})
RETURN p.id AS id, p.name AS name, p.database AS database, p.type AS type, p.location AS location,
       p.category AS category, p.description AS description, p.ref_flow AS ref_flow,
       p.ref_amount AS ref_amount, p.ref_unit AS ref_unit, p.ref_is_input AS ref_is_input,
       p.allocation_method AS allocation_method, p.dq_system AS dq_system, p.dq_entry AS dq_entry,
       p.dq_indicators AS dq_indicators, p.exchange_dq_system AS exchange_dq_system,
       p.valid_from AS valid_from, p.valid_until AS valid_until, p.sources AS sources,
       p.parameters_json AS parameters_json, p.uuid AS uuid
"""

READ_DATABASES_WITH_COUNTS = """
MATCH (d:Database)
OPTIONAL MATCH (p:Process)-[:IN]->(d)
RETURN d.id AS id, d.name AS name, d.source AS source, d.version AS version, d.licence AS licence,
       d.format AS format, d.kind AS kind, d.description AS description, d.imported_at AS imported_at,
       count(p) AS processes
ORDER BY id
"""

#: One row per process; ``exchanges`` lists [id, flow, is_input, amount, unit, amount_ref,
#: is_reference, is_avoided, allocation, link, provider, candidates, link_reason, formula].
READ_EXCHANGES_OF_PROCESSES = """
UNWIND $ids AS id
MATCH (p:Process {id: id})-[x:INPUT|OUTPUT]->(f:Flow)
RETURN p.id AS process,
       collect([x.id, f.id, type(x) = 'INPUT', x.amount, x.unit, x.amount_ref, x.is_reference,
                x.is_avoided, x.allocation, x.link, x.provider, x.candidates, x.link_reason,
                x.formula]) AS exchanges
"""

#: One row per provider; ``consumers`` lists [consumer, flow, exchange, amount].
READ_CONSUMERS_OF_PROCESSES = """
UNWIND $ids AS id
MATCH (c:Process)-[l:PROVIDER]->(p:Process {id: id})
RETURN p.id AS provider, collect([c.id, l.flow, l.exchange, l.amount]) AS consumers
"""

#: Candidates of a name search: every word (lower case) in the name; ranked in Python.
SEARCH_PROCESSES = """
MATCH (p:Process)
WHERE ($database IS NULL OR p.database = $database)
  AND all(w IN $words WHERE toLower(p.name) CONTAINS w)
RETURN p.id AS id, p.name AS name
"""

READ_PRODUCT_SYSTEMS = """
MATCH (s:ProductSystem)
WHERE $database IS NULL OR s.database = $database
RETURN s.id AS id, s.name AS name, s.database AS database, s.ref_process AS ref_process,
       s.ref_flow AS ref_flow, s.amount AS amount, s.unit AS unit, s.description AS description
ORDER BY name
"""

#: Result cache (contract: docs/graph-model.md): one Result per process, its numbers as lists
#: aligned with ``categories``; written outside units of work (no version bump). A batch's rows
#: are [process, [direct per category], [total per category]] for the categories $categories;
#: $graph_version, $residual, $method, $unit are aligned with $categories.
RESULT_VALUE_ROW = RowColumns("id", "direct", "total")

#: The fast path: Results whose categories are all among $categories (a recalculation of every
#: category, a new Result) get the lists as given. Returns how many it wrote.
WRITE_RESULT_LISTS = RESULT_VALUE_ROW.fill("""
UNWIND $rows AS row
MATCH (r:Result {id: row.id})
WHERE all(c IN r.categories WHERE c IN $categories)
SET r.categories = $categories, r.direct = row.direct, r.total = row.total,
    r.graph_version = $graph_version, r.residual = $residual, r.method = $method, r.unit = $unit
RETURN count(r) AS updated
""")

#: One category at position $k of Results that have it there (one category recalculated): the
#: other categories' numbers stay. Rows as above with one number per list.
WRITE_RESULT_AT = RESULT_VALUE_ROW.fill("""
UNWIND $rows AS row
MATCH (r:Result {id: row.id})
WHERE r.categories[$k] = $categories[0]
SET r.direct = r.direct[..$k] + row.direct + r.direct[$k + 1..],
    r.total = r.total[..$k] + row.total + r.total[$k + 1..],
    r.graph_version = r.graph_version[..$k] + $graph_version + r.graph_version[$k + 1..],
    r.residual = r.residual[..$k] + $residual + r.residual[$k + 1..],
    r.method = r.method[..$k] + $method + r.method[$k + 1..],
    r.unit = r.unit[..$k] + $unit + r.unit[$k + 1..]
RETURN count(r) AS updated
""")

#: Any Result the first statement of the batch left (WRITE_RESULT_LISTS when $k is null, else
#: WRITE_RESULT_AT): the categories it has keep their place (those of $categories get the new
#: numbers), the new ones are appended. $position maps a category to its index in $categories.
MERGE_RESULT_LISTS = RESULT_VALUE_ROW.fill("""
UNWIND $rows AS row
MATCH (r:Result {id: row.id})
WHERE CASE WHEN $k IS NULL THEN NOT all(c IN r.categories WHERE c IN $categories)
           ELSE coalesce(r.categories[$k] <> $categories[0], true) END
WITH r, row, r.categories + [c IN $categories WHERE NOT c IN r.categories] AS cats
WITH r, row, cats, [c IN cats | $position[c]] AS at
SET r.categories = cats,
    """ + ",\n    ".join(
    f"r.{name} = [i IN range(0, size(cats) - 1) |\n        "
    f"CASE WHEN at[i] IS NULL THEN r.{name}[i] ELSE {new}[at[i]] END]"
    for name, new in (("direct", "row.direct"), ("total", "row.total"), ("graph_version", "$graph_version"),
                      ("residual", "$residual"), ("method", "$method"), ("unit", "$unit"))) + """
RETURN count(r) AS updated
""")

#: Which of $ids have no Result node yet.
READ_MISSING_RESULTS = """
UNWIND $ids AS id
OPTIONAL MATCH (r:Result {id: id})
WITH id, r
WHERE r IS NULL
RETURN collect(id) AS missing
"""

#: Empty Results for processes that have none (MERGE on the id: idempotent under concurrent writers).
CREATE_EMPTY_RESULTS = """
UNWIND $ids AS id
MATCH (p:Process {id: id})
MERGE (r:Result {id: id})
ON CREATE SET r.process = id, r.categories = [], r.direct = [], r.total = [], r.graph_version = [],
              r.residual = [], r.method = [], r.unit = []
MERGE (p)-[:HAS_RESULT]->(r)
"""

#: Result nodes of the one-per-category layout (before one Result per process): a cache, dropped.
DELETE_RESULTS_OF_OLD_LAYOUT = "MATCH (r:Result) WHERE r.categories IS NULL DETACH DELETE r"

# --- import pipeline: characterisation across databases (api/services/importing.py) ------------------

#: The FACTOR relationships of one category (what matching derived), with the flows' names.
READ_CATEGORY_FACTORS = """
MATCH (:ImpactCategory {id: $category})-[r:FACTOR]->(f:Flow)
RETURN f.id AS flow, f.name AS name, r.value AS value, r.matched_by AS matched_by
ORDER BY flow
"""

#: One row; ``flows`` lists [id, name, unit, cas, compartment_path, synonyms, formula,
#: compartment_inferred] of every elementary flow.
READ_ELEMENTARY_FLOWS = """
MATCH (f:Flow)
WHERE f.type = 'elementary'
RETURN collect([f.id, f.name, f.unit, f.cas, f.compartment_path, f.synonyms, f.formula,
                f.compartment_inferred]) AS flows
"""

# --- link overrides (graph/overrides.py) --------------------------------------------------

READ_EXCHANGE_LINK = """
MATCH (c:Process)-[x:INPUT|OUTPUT]->(f:Flow)
WHERE x.id = $exchange
RETURN c.id AS consumer, f.id AS flow, f.type AS flow_type, f.name AS flow_name,
       type(x) = 'INPUT' AS is_input, x.is_reference AS is_reference, x.amount_ref AS amount_ref,
       x.provider AS provider
"""

READ_PROVIDER_REFERENCE = """
MATCH (p:Process {id: $id})
RETURN p.id AS id, p.name AS name, p.ref_flow AS ref_flow, p.database AS database
"""

SET_EXCHANGE_OVERRIDE = """
MATCH (c:Process {id: $consumer})-[x:INPUT|OUTPUT]->(:Flow)
WHERE x.id = $exchange
SET x.link = 'override', x.provider = $provider, x.candidates = null, x.link_reason = null,
    x.provider_scale = null
RETURN count(x) AS exchanges
"""

DELETE_PROVIDER_LINK_OF_EXCHANGE = """
MATCH (:Process {id: $consumer})-[l:PROVIDER]->(:Process)
WHERE l.exchange = $exchange
DELETE l
"""

# --- lcagraph demo (api/cli/demo.py) ---------------------------------------------------

#: The process of a database with the most distinct providers in other databases (a node to
#: show: unfolding it crosses into the background data).
DEMO_CROSSING_PROCESS = """
MATCH (p:Process {database: $database})-[:PROVIDER]->(q:Process)
WHERE q.database <> $database
RETURN p.id AS id, p.name AS name, count(DISTINCT q) AS providers
ORDER BY providers DESC, name
LIMIT 1
"""

DEMO_DATABASE_IDS = "MATCH (d:Database) RETURN d.id AS id"

# --- lcagraph export (api/services/exporting.py) -----------------------------------------------------

#: Flows by id, same columns as READ_FLOWS_OF_DATABASE: the flows of other databases that a
#: database's exchanges or factors use, so that an export carries every flow it names.
READ_FLOWS_BY_ID = """
UNWIND $ids AS id
MATCH (f:Flow {id: id})
RETURN f.id AS id, f.name AS name, f.type AS type, f.unit AS unit, f.flow_property AS flow_property,
       f.cas AS cas, f.formula AS formula, f.compartment_path AS compartment_path,
       f.location AS location, f.synonyms AS synonyms, f.property_names AS property_names,
       f.property_factors AS property_factors
"""


# --- calculation: bulk read of the technosphere and the result cache (graph/technosphere.py, ----
# --- graph/results.py) ---------------------------------------------------------------------

#: One row per database; ``processes`` lists [id, reference amount in the flow's reference unit
#: (as signed in the dataset), ref_is_input]. ``ref_amount_ref`` falls back to ``ref_amount``
#: (as given) on graphs written before it existed and for processes without a reference exchange.
_PROCESS_ROWS = """
RETURN p.database AS database,
       collect([p.id, coalesce(p.ref_amount_ref, p.ref_amount), p.ref_is_input]) AS processes
"""
READ_TECHNOSPHERE_PROCESSES = "MATCH (p:Process)" + _PROCESS_ROWS

#: One row per consumer: parallel lists of its PROVIDER edges: ``providers``, ``exchanges`` and
#: ``amounts`` = PROVIDER.amount x scale (units of the provider's reference product).
#: (Parallel collect()s over the same rows keep their order; one list per value parses fastest.)
_LINK_MATCH = "MATCH (c:Process)-[l:PROVIDER]->(p:Process)"
_LINK_ROWS = """
RETURN c.id AS consumer, collect(p.id) AS providers, collect(l.exchange) AS exchanges,
       collect(l.amount * coalesce(l.scale, 1.0)) AS amounts
"""
READ_TECHNOSPHERE_LINKS = _LINK_MATCH + _LINK_ROWS

#: One row per consumer: the exchanges that need a provider and are not a plain input with
#: allocation 1 (outputs, avoided, allocated, unlinked), as parallel lists: ``exchanges``,
#: ``codes`` (1 for an input + 2 if avoided + 4 if unlinked) and ``allocations``.
_EXCHANGE_MATCH = "MATCH (c:Process)-[x:INPUT|OUTPUT]->(:Flow)\n"
_LINK_EXCEPTION = """x.link IS NOT NULL
  AND (type(x) = 'OUTPUT' OR x.is_avoided OR x.link = 'unlinked' OR coalesce(x.allocation, 1.0) <> 1.0)
RETURN c.id AS consumer, collect(x.id) AS exchanges,
       collect(CASE WHEN type(x) = 'INPUT' THEN 1 ELSE 0 END + CASE WHEN x.is_avoided THEN 2 ELSE 0 END
               + CASE WHEN x.link = 'unlinked' THEN 4 ELSE 0 END) AS codes,
       collect(coalesce(x.allocation, 1.0)) AS allocations
"""
READ_TECHNOSPHERE_LINK_EXCEPTIONS = _EXCHANGE_MATCH + "WHERE " + _LINK_EXCEPTION

#: One row per consumer: how many of its exchanges are linked (not 'unlinked'); those without a
#: PROVIDER edge link into a database that is not imported (cut-offs until it is).
_LINK_COUNT = """x.link IS NOT NULL AND x.link <> 'unlinked'
RETURN c.id AS consumer, count(x) AS linked
"""
READ_TECHNOSPHERE_LINK_COUNTS = _EXCHANGE_MATCH + "WHERE " + _LINK_COUNT

#: One row per process: parallel lists of its elementary exchanges, ``flows``, ``exchanges`` and ``amounts`` =
#: amount_ref x allocation, negative for inputs (resources).
_ELEMENTARY_MATCH = "MATCH (p:Process)-[x:INPUT|OUTPUT]->(f:Flow)\n"
_ELEMENTARY = """f.type = 'elementary' AND NOT coalesce(x.is_reference, false)
RETURN p.id AS process, collect(f.id) AS flows, collect(x.id) AS exchanges,
       collect(CASE WHEN type(x) = 'INPUT' THEN -x.amount_ref ELSE x.amount_ref END
               * coalesce(x.allocation, 1.0)) AS amounts
"""
READ_TECHNOSPHERE_ELEMENTARY = _ELEMENTARY_MATCH + "WHERE " + _ELEMENTARY

#: One row per impact category (with its method); ``factors`` lists [flow, value].
READ_TECHNOSPHERE_FACTORS = """
MATCH (m:ImpactMethod)-[:HAS_CATEGORY]->(c:ImpactCategory)
WHERE $categories IS NULL OR c.id IN $categories
OPTIONAL MATCH (c)-[r:FACTOR]->(f:Flow)
RETURN c.id AS category, m.id AS method, c.unit AS unit,
       collect([f.id, r.value]) AS factors
"""

# --- the technosphere rows an import touched (graph/technosphere_part.py) --------------------
# The same rows as READ_TECHNOSPHERE_* (built from the same fragments, so the two cannot drift
# apart: the snapshot an import writes must equal a full read), restricted to the processes of
# $databases (the databases an import wrote) and, for links and cut-offs, also the consumers
# $consumers of other databases whose supply links into $databases the import deleted or re-created.

_IN_CONSUMERS = "(c.database IN $databases OR c.id IN $consumers) AND "

READ_TECHNOSPHERE_PROCESSES_OF_DATABASES = "MATCH (p:Process)\nWHERE p.database IN $databases" + _PROCESS_ROWS
READ_TECHNOSPHERE_LINKS_OF_CONSUMERS = (
    _LINK_MATCH + "\nWHERE c.database IN $databases OR c.id IN $consumers" + _LINK_ROWS)
READ_TECHNOSPHERE_LINK_EXCEPTIONS_OF_CONSUMERS = _EXCHANGE_MATCH + "WHERE " + _IN_CONSUMERS + _LINK_EXCEPTION
READ_TECHNOSPHERE_LINK_COUNTS_OF_CONSUMERS = _EXCHANGE_MATCH + "WHERE " + _IN_CONSUMERS + _LINK_COUNT
READ_TECHNOSPHERE_ELEMENTARY_OF_DATABASES = (
    _ELEMENTARY_MATCH + "WHERE p.database IN $databases AND " + _ELEMENTARY)

#: Processes of other databases with a supply link into $databases (RELINK_FOREIGN_PROVIDERS's).
READ_CONSUMERS_LINKED_INTO_DATABASES = """
MATCH (c:Process)-[:PROVIDER]->(p:Process)
WHERE p.database IN $databases AND NOT c.database IN $databases
RETURN collect(DISTINCT c.id) AS consumers
"""

#: [id, type] of the flows $ids that are in the graph.
READ_FLOW_TYPES = """
MATCH (f:Flow)
WHERE f.id IN $ids
RETURN collect([f.id, f.type]) AS flows
"""

#: The version and uid a unit of work starts from. The SET (same value) takes the write lock of
#: the Meta node in Neo4j until the unit commits, so no other unit commits in between and the
#: unit's BUMP_GRAPH_VERSION makes exactly version + 1 (FalkorDB: the store's write lock does).
CLAIM_GRAPH_VERSION = """
MATCH (m:Meta {id: 'graph'})
SET m.version = m.version
RETURN m.version AS version, m.uid AS uid
"""

#: One row per exchange DQ system of the processes with exchanges that carry a distribution: the
#: system and one list per exchange (collect() drops nulls, so the nullable values travel inside a
#: list): id, distribution, the amount as given (distribution parameters are in its unit),
#: geometric sd, mean, sd, min, mode, max, pedigree entry.
_UNCERTAINTY_MATCH = "MATCH (p:Process)-[x:INPUT|OUTPUT]->(:Flow)\n"
_UNCERTAINTY = """x.unc_distribution IS NOT NULL
RETURN p.exchange_dq_system AS dq_system,
       collect([x.id, x.unc_distribution, x.amount, x.unc_geosd, x.unc_mean, x.unc_sd, x.unc_min,
                x.unc_mode, x.unc_max, x.dq]) AS exchanges
"""
READ_EXCHANGE_UNCERTAINTY = _UNCERTAINTY_MATCH + "WHERE " + _UNCERTAINTY

#: The exchanges with a pedigree entry and no distribution (ecoinvent-style data: most of them),
#: per exchange DQ system, as two parallel lists of non-null values: ids and entries (a tenth of
#: the reply of the lists above, which a graph of 600,000 such exchanges took 10 s to read).
_PEDIGREE_ONLY = """x.unc_distribution IS NULL AND x.dq IS NOT NULL
RETURN p.exchange_dq_system AS dq_system, collect(x.id) AS ids, collect(x.dq) AS entries
"""
READ_EXCHANGE_PEDIGREE = _UNCERTAINTY_MATCH + "WHERE " + _PEDIGREE_ONLY

#: Processes with a process-level DQ entry or DQ indicators (EF/ILCD: TeR, GeR, TiR, P, DQR).
_PROCESS_DQ = """(p.dq_entry IS NOT NULL OR p.dq_indicators IS NOT NULL)
RETURN p.id AS process, p.dq_system AS system, p.dq_entry AS entry, p.dq_indicators AS indicators
"""
READ_PROCESS_DATA_QUALITY = "MATCH (p:Process)\nWHERE " + _PROCESS_DQ

#: One row per process with exchanges that need a provider: parallel lists of their link
#: state ('default', 'unique', 'ambiguous', 'override', 'unlinked') and whether the flow is a
#: declared cut-off (USLCI names them "CUTOFF ...").
_LINK_STATES_MATCH = "MATCH (p:Process)-[x:INPUT|OUTPUT]->(f:Flow)\n"
_LINK_STATES = """x.link IS NOT NULL
RETURN p.id AS process, collect(x.link) AS links,
       collect(toUpper(trim(f.name)) STARTS WITH 'CUTOFF') AS declared
"""
READ_PROCESS_LINK_STATES = _LINK_STATES_MATCH + "WHERE " + _LINK_STATES

# The same rows restricted to the processes of $databases and the processes $consumers (what
# an import or a provider override changed: api/services/quality_inputs.py updates the quality
# part of the matrix snapshot with them, so they must be the full reads' rows).
_IN_PROCESSES = "(p.database IN $databases OR p.id IN $consumers) AND "
READ_EXCHANGE_UNCERTAINTY_OF_PROCESSES = _UNCERTAINTY_MATCH + "WHERE " + _IN_PROCESSES + _UNCERTAINTY
READ_EXCHANGE_PEDIGREE_OF_PROCESSES = _UNCERTAINTY_MATCH + "WHERE " + _IN_PROCESSES + _PEDIGREE_ONLY
READ_PROCESS_DATA_QUALITY_OF_PROCESSES = "MATCH (p:Process)\nWHERE " + _IN_PROCESSES + _PROCESS_DQ
READ_PROCESS_LINK_STATES_OF_PROCESSES = _LINK_STATES_MATCH + "WHERE " + _IN_PROCESSES + _LINK_STATES

#: Processes, and those whose Result has a number of $category calculated at graph version $version.
COUNT_FRESH_RESULTS = """
MATCH (p:Process)
OPTIONAL MATCH (p)-[:HAS_RESULT]->(r:Result)
WITH p, coalesce(r.categories, []) AS categories, coalesce(r.graph_version, []) AS versions
RETURN count(p) AS processes,
       sum(CASE WHEN any(i IN range(0, size(categories) - 1)
                         WHERE categories[i] = $category AND versions[i] = $version)
                THEN 1 ELSE 0 END) AS fresh
"""

#: Drop every cached result (a cache: the next calculation writes them again).
DELETE_RESULTS = "MATCH (r:Result) DETACH DELETE r"


# --- completeness check (graph/completeness.py) -------------------------------------------

#: Processes of a database with their quantitative reference (flow and amount in reference units).
CHECK_PROCESSES = """
MATCH (p:Process {database: $database})
RETURN p.id AS id, p.name AS name, p.ref_flow AS ref_flow, p.ref_amount AS ref_amount
"""

#: Product/waste exchanges needing a provider, by link state; unlinked ones split into declared
#: cut-offs (flows named "CUTOFF ..." as USLCI marks them) and missing providers.
CHECK_LINK_STATES = """
MATCH (p:Process {database: $database})-[x:INPUT|OUTPUT]->(f:Flow)
WHERE x.link IS NOT NULL
RETURN x.link AS link, toUpper(trim(f.name)) STARTS WITH 'CUTOFF' AS declared, count(x) AS exchanges
"""

#: Exchanges whose amount or unit is missing.
CHECK_MISSING_AMOUNTS = """
MATCH (p:Process {database: $database})-[x:INPUT|OUTPUT]->(:Flow)
WHERE x.amount IS NULL OR x.amount_ref IS NULL OR x.unit IS NULL OR x.unit = ''
RETURN count(x) AS exchanges
"""

#: Elementary flows a database uses with a non-zero amount, with whether the category characterises them.
CHECK_ELEMENTARY_FLOWS = """
MATCH (p:Process {database: $database})-[x:INPUT|OUTPUT]->(f:Flow {type: 'elementary'})
WHERE x.amount_ref <> 0
WITH DISTINCT f
OPTIONAL MATCH (c:ImpactCategory {id: $category})-[k:FACTOR]->(f)
RETURN f.id AS id, f.name AS name, f.compartment AS compartment, count(k) > 0 AS characterised
"""

#: Elementary flows exchanged with a non-zero amount (in every database, or the one named), with
#: how often and how much (sum of |amount| in the flow's reference unit; inputs counted apart) and
#: whether the category characterises them.
READ_ELEMENTARY_FLOW_USE = """
MATCH (p:Process)-[x:INPUT|OUTPUT]->(f:Flow {type: 'elementary'})
WHERE x.amount_ref <> 0 AND ($database IS NULL OR p.database = $database)
WITH f, count(x) AS exchanges, sum(abs(x.amount_ref)) AS amount,
     sum(CASE WHEN type(x) = 'INPUT' THEN 1 ELSE 0 END) AS inputs
OPTIONAL MATCH (:ImpactCategory {id: $category})-[k:FACTOR]->(f)
RETURN f.id AS id, f.name AS name, f.unit AS unit, f.cas AS cas, f.formula AS formula,
       f.synonyms AS synonyms, f.compartment_path AS compartment, exchanges, amount, inputs,
       count(k) > 0 AS characterised
ORDER BY id
"""

#: The consumer whose number of distinct providers is closest to $wanted (bench/bench_api.py).
PROCESS_WITH_PROVIDER_COUNT = """
MATCH (c:Process)-[:PROVIDER]->(p:Process)
WITH c, count(DISTINCT p) AS n
RETURN c.id AS id, n ORDER BY abs(n - $wanted), id LIMIT 1
"""

# --- foreground models and their published versions (graph/foreground.py) --------------------

#: The model file of a foreground database as imported (JSON text), one per database.
UPSERT_MODEL_DOCUMENT = """
MERGE (m:ModelDocument {database: $database})
SET m.json = $json, m.file = $file, m.imported_at = $imported_at
"""

READ_MODEL_DOCUMENT = """
MATCH (m:ModelDocument {database: $database})
RETURN m.json AS json, m.file AS file
"""

#: A published version is immutable: created once per content hash, never updated.
CREATE_PUBLISHED_VERSION = """
MERGE (v:PublishedVersion {hash: $hash})
ON CREATE SET v.key = $key, v.model = $model, v.label = $label, v.published_at = $published_at,
              v.snapshot = $snapshot
RETURN v.key AS key, v.hash AS hash, v.model AS model, v.label AS label, v.published_at AS published_at,
       v.snapshot AS snapshot
"""

READ_PUBLISHED_VERSION = """
MATCH (v:PublishedVersion)
WHERE v.key = $key OR v.hash = $key OR (v.model = $model AND v.label = $key)
RETURN v.key AS key, v.hash AS hash, v.model AS model, v.label AS label, v.published_at AS published_at,
       v.snapshot AS snapshot
"""

READ_PUBLISHED_VERSIONS_OF_MODEL = """
MATCH (v:PublishedVersion {model: $model})
RETURN v.key AS key, v.hash AS hash, v.model AS model, v.label AS label, v.published_at AS published_at
ORDER BY v.published_at, v.label
"""

# --- PACT v3.0 footprint exchange (graph/pact_store.py) -----------------------------------

#: A data recipient's client: id, name and the scrypt hash of its secret (never the secret).
CREATE_PACT_CLIENT = """
MERGE (c:PactClient {id: $id})
ON CREATE SET c.name = $name, c.secret_hash = $secret_hash, c.created = $created
RETURN c.id AS id, c.name AS name, c.secret_hash AS secret_hash, c.created AS created
"""

READ_PACT_CLIENT = """
MATCH (c:PactClient {id: $id})
RETURN c.id AS id, c.name AS name, c.secret_hash AS secret_hash, c.created AS created
"""

READ_PACT_CLIENTS = """
MATCH (c:PactClient)
RETURN c.id AS id, c.name AS name, c.secret_hash AS secret_hash, c.created AS created
ORDER BY c.created, c.id
"""

DELETE_PACT_CLIENT = """
MATCH (c:PactClient {id: $id})
WITH c, c.id AS id
DELETE c
RETURN id
"""

#: Publishes a footprint (its frozen document and lower-cased search keys) and, in the same
#: statement, deprecates the one it supersedes ($supersedes: an id, or null for a first version).
#: Nothing is written (no row) unless $supersedes is still the process's Active footprint: two
#: publications of one process racing each other cannot both become Active.
PUBLISH_PACT_FOOTPRINT = """
OPTIONAL MATCH (current:PactFootprint {process: $process, status: 'Active'})
WITH collect(current.id) AS active
WHERE active = CASE WHEN $supersedes IS NULL THEN [] ELSE [$supersedes] END
MERGE (n:PactFootprint {id: $id})
ON CREATE SET n.process = $process, n.status = 'Active', n.created = $created, n.document = $document,
    n.content_hash = $content_hash, n.product_keys = $product_keys, n.company_keys = $company_keys,
    n.classification_keys = $classification_keys, n.geography_keys = $geography_keys,
    n.valid_from = $valid_from, n.valid_until = $valid_until
WITH n
OPTIONAL MATCH (old:PactFootprint {id: $supersedes})
FOREACH (o IN CASE WHEN old IS NULL THEN [] ELSE [old] END |
    SET o.status = 'Deprecated'
    MERGE (n)-[:SUPERSEDES]->(o))
RETURN n.id AS id
"""

READ_PACT_FOOTPRINT = """
MATCH (f:PactFootprint {id: $id})
RETURN f.id AS id, f.process AS process, f.status AS status, f.created AS created, f.document AS document,
       f.content_hash AS content_hash
"""

READ_ACTIVE_PACT_FOOTPRINT = """
MATCH (f:PactFootprint {process: $process, status: 'Active'})
RETURN f.id AS id, f.process AS process, f.status AS status, f.created AS created, f.document AS document,
       f.content_hash AS content_hash
ORDER BY f.created DESC, f.id
LIMIT 1
"""

#: ListFootprints filters: null = not filtered; lists match if any value matches (OR within a
#: parameter), every given parameter must match (AND across); times are UTC 'YYYY-MM-DDTHH:MM:SSZ'
#: text, so text order is time order.
_PACT_FILTER = """
MATCH (f:PactFootprint)
WHERE ($product_keys IS NULL OR any(k IN f.product_keys WHERE k IN $product_keys))
  AND ($company_keys IS NULL OR any(k IN f.company_keys WHERE k IN $company_keys))
  AND ($classification_keys IS NULL OR any(k IN f.classification_keys WHERE k IN $classification_keys))
  AND ($geography_keys IS NULL OR any(k IN f.geography_keys WHERE k IN $geography_keys))
  AND ($statuses IS NULL OR toLower(f.status) IN $statuses)
  AND ($valid_on IS NULL OR (f.valid_from <= $valid_on AND $valid_on <= f.valid_until))
  AND ($valid_after IS NULL OR f.valid_from > $valid_after)
  AND ($valid_before IS NULL OR f.valid_until < $valid_before)
"""

LIST_PACT_FOOTPRINTS = _PACT_FILTER + """
RETURN f.id AS id, f.process AS process, f.status AS status, f.created AS created, f.document AS document,
       f.content_hash AS content_hash
ORDER BY f.created, f.id
SKIP $offset LIMIT $limit
"""

COUNT_PACT_FOOTPRINTS = _PACT_FILTER + """
RETURN count(f) AS footprints
"""

_ROW_LIMIT_PARAM = "lcagraph_row_limit"


def bounded_statement(statement: str, params: dict[str, Any], row_limit: int) -> tuple[str, dict[str, Any]]:
    """An analyst's read-only statement with its row limit applied by the engine: the statement runs
    as a subquery and at most ``row_limit`` rows leave it (not all rows, cut afterwards). The
    statement's braces must balance (api/services/cypher.py checks it) and it stands on lines of
    its own, so neither a ``}`` nor a ``//`` comment can end the subquery early or hide the limit."""
    if any(name.startswith("lcagraph_") for name in params):
        raise InvalidArgument("parameter names starting with lcagraph_ are reserved: rename the parameter")
    text = f"CALL {{\n{statement}\n}}\nRETURN * LIMIT ${_ROW_LIMIT_PARAM}"
    return text, {**params, _ROW_LIMIT_PARAM: row_limit}

#: The process with the smallest id (bench/bench_cold.py picks it as the cold footprint's node).
FIRST_PROCESS = "MATCH (p:Process) RETURN p.id AS id ORDER BY p.id LIMIT 1"
