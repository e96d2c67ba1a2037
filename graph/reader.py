"""Read the graph back into domain records.

``read_database_content(store, "uslci")`` returns the same DatabaseContent that was written
(records sorted by id), so a round trip through the graph is lossless. Reads are grouped per
process with ``collect()`` because the FalkorDB client parses one row at a time slowly.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from typing import Any, cast

from graph import queries as q
from graph.store import GraphStore, Row
from lcagraph.errors import NodeNotFound
from lcagraph.records import (
    CharacterisationFactor,
    Database,
    DatabaseContent,
    DataQuality,
    Exchange,
    Flow,
    ImpactCategory,
    ImpactMethod,
    ImportReport,
    Parameter,
    Process,
    ProductSystem,
    ProviderCandidate,
    ProviderLink,
    Uncertainty,
    Unlinked,
)


def read_database_content(store: GraphStore, database_id: str) -> DatabaseContent:
    """Everything the graph holds for one database, as records sorted by id."""
    params = {"database": database_id}
    rows = store.read(q.READ_DATABASE, params)
    if not rows:
        raise NodeNotFound(
            f"database {database_id!r} is not in the graph; `lcagraph info` lists the databases")
    database = Database(**_pick(rows[0], Database))
    exchanges, links, unlinked = _read_exchanges(store, params)
    categories = [ImpactCategory(**r) for r in store.read(q.READ_CATEGORIES_OF_DATABASE, params)]
    return DatabaseContent(
        database=database,
        flows=tuple(sorted((_flow(r) for r in store.read(q.READ_FLOWS_OF_DATABASE, params)), key=_id)),
        processes=tuple(sorted((_process(r, database_id) for r in store.read(q.READ_PROCESSES_OF_DATABASE,
                                                                               params)), key=_id)),
        exchanges=tuple(sorted(exchanges, key=_id)),
        links=tuple(sorted(links, key=lambda link: link.exchange)),
        unlinked=tuple(sorted(unlinked, key=lambda u: u.exchange)),
        methods=tuple(sorted((ImpactMethod(**r) for r in store.read(q.READ_METHODS_OF_DATABASE, params)),
                             key=_id)),
        categories=tuple(sorted(categories, key=_id)),
        factors=tuple(sorted(_factors(store, params), key=lambda f: (f.category, f.flow))),
        product_systems=tuple(sorted((_product_system(r, database_id) for r in store.read(
            q.READ_PRODUCT_SYSTEMS_OF_DATABASE, params)), key=_id)),
        report=_report(store, params),
    )


def read_provider_candidates(store: GraphStore, database_ids: Sequence[str] = ()) -> list[ProviderCandidate]:
    """Processes that can supply a flow (their quantitative reference), in the given databases
    (all databases when ``database_ids`` is empty); sorted by (flow, database, process)."""
    rows = (store.read(q.READ_PROVIDER_CANDIDATES, {"databases": list(database_ids)}) if database_ids
            else store.read(q.READ_ALL_PROVIDER_CANDIDATES))
    found = [
        ProviderCandidate(process=c[0], database=r["database"], flow=c[1], is_treatment=bool(c[2]),
                          location=c[3] or "", type=c[4] or "unit",
                          uuid=c[5] if c[5] and c[5] != c[0] else "")
        for r in rows for c in r["candidates"]
    ]
    return sorted(found, key=lambda c: (c.flow, c.database, c.process))


def count_labels(store: GraphStore) -> dict[str, int]:
    """Node count per label, e.g. {"Process": 731, "Flow": 5620, ...}."""
    return {str(r["label"]): int(r["count"]) for r in store.read(q.COUNT_NODES_BY_LABEL)}


def count_relationship_types(store: GraphStore) -> dict[str, int]:
    """Relationship count per type, e.g. {"INPUT": 9120, "PROVIDER": 4410, ...}."""
    return {str(r["type"]): int(r["count"]) for r in store.read(q.COUNT_RELATIONSHIPS_BY_TYPE)}


def read_databases(store: GraphStore) -> list[Row]:
    """One row per database: id, name, source, version, licence, format, kind, description,
    imported_at, processes (graph.browse.read_databases maps the same rows to records)."""
    return store.read(q.READ_DATABASES_WITH_COUNTS)


# --- records from rows ---------------------------------------------------------------------

def _id(record: Any) -> str:
    return str(record.id)


def _pick(row: Row, record_type: type) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(record_type)}
    return {k: v for k, v in row.items() if k in names}


def _flow(row: Row) -> Flow:
    values = _pick(row, Flow)
    values["compartment"] = tuple(row["compartment_path"] or ())
    values["synonyms"] = tuple(row["synonyms"] or ())
    names, factors = row.get("property_names") or (), row.get("property_factors") or ()
    values["property_factors"] = tuple((str(n), float(f)) for n, f in zip(names, factors, strict=True))
    return Flow(**values)


def _process(row: Row, database_id: str) -> Process:
    values = _pick(row, Process)
    values["database"] = database_id
    values["sources"] = tuple(row["sources"] or ())
    if row["dq_system"] is not None:
        indicators = tuple(_indicator(text) for text in row["dq_indicators"] or ())
        values["data_quality"] = DataQuality(row["dq_system"], row["dq_entry"] or "", indicators)
    values["parameters"] = tuple(Parameter(**p) for p in json.loads(row["parameters_json"] or "[]"))
    values["uuid"] = row["uuid"] if row["uuid"] and row["uuid"] != row["id"] else ""
    return Process(**values)


def _indicator(text: str) -> tuple[str, float]:
    name, _, value = text.rpartition("=")
    return name, float(value)


def _read_exchanges(
    store: GraphStore, params: dict[str, str],
) -> tuple[list[Exchange], list[ProviderLink], list[Unlinked]]:
    resolved: dict[str, list[Any]] = {}
    for row in store.read(q.READ_PROVIDER_LINKS_OF_DATABASE, params):
        for link in row["links"]:
            resolved[link[2]] = [row["consumer"], *link]
    exchanges, links, unlinked = [], [], []
    for row in store.read(q.READ_EXCHANGES_OF_DATABASE, params):
        for values in row["exchanges"]:
            x = dict(zip(q.EXCHANGE_FIELDS, values, strict=True))
            exchanges.append(_exchange(row["process"], x))
            if x["link"] == "unlinked":
                unlinked.append(Unlinked(row["process"], x["flow"], x["id"], x["link_reason"] or ""))
            elif x["provider"] is not None:
                links.append(_link(row["process"], x, resolved.get(x["id"])))
    return exchanges, links, unlinked


def _exchange(process: str, x: dict[str, Any]) -> Exchange:
    uncertainty = None
    if x["unc_distribution"] is not None:
        uncertainty = Uncertainty(
            x["unc_distribution"], x["unc_geomean"], x["unc_geosd"], x["unc_mean"], x["unc_sd"],
            x["unc_min"], x["unc_mode"], x["unc_max"])
    return Exchange(
        id=x["id"], process=process, flow=x["flow"], is_input=bool(x["is_input"]), amount=x["amount"],
        unit=x["unit"], amount_ref=x["amount_ref"], is_reference=bool(x["is_reference"]),
        default_provider=x["default_provider"], is_avoided=bool(x["is_avoided"]), allocation=x["allocation"],
        formula=x["formula"] or "", data_quality=x["dq"] or "", uncertainty=uncertainty,
        description=x["description"] or "",
    )


def _link(consumer: str, x: dict[str, Any], resolved: list[Any] | None) -> ProviderLink:
    """From the PROVIDER relationship where the provider is in the graph, else from the
    exchange alone (a provider in a database not imported yet)."""
    candidates = tuple(x["candidates"] or ())
    if resolved is not None:
        _, provider, flow, exchange, amount, kind, is_waste, scale = resolved
        return ProviderLink(consumer, provider, flow, exchange, amount, kind, bool(is_waste), candidates,
                            float(scale))
    return ProviderLink(consumer, x["provider"], x["flow"], x["id"], x["amount_ref"], x["link"],
                        x["flow_type"] == "waste", candidates, float(x["provider_scale"] or 1.0))


def _factors(store: GraphStore, params: dict[str, str]) -> list[CharacterisationFactor]:
    """The factors the database's methods declare (not the ones matching derived from them)."""
    return [
        CharacterisationFactor(row["category"], str(flow), float(value), str(how))
        for row in store.read(q.READ_FACTORS_OF_DATABASE, params)
        for flow, value, how in json.loads(row["declared_json"] or "[]")
    ]


def _product_system(row: Row, database_id: str) -> ProductSystem:
    values = _pick(row, ProductSystem)
    values["database"] = database_id
    values["links"] = tuple(_link_from_json(d) for d in json.loads(row["links_json"] or "[]"))
    return ProductSystem(**values)


def _link_from_json(data: dict[str, Any]) -> ProviderLink:
    data["candidates"] = tuple(data.get("candidates") or ())
    return ProviderLink(**data)


def _report(store: GraphStore, params: dict[str, str]) -> ImportReport | None:
    rows = store.read(q.READ_IMPORT_REPORT_OF_DATABASE, params)
    if not rows:
        return None
    data = cast(dict[str, Any], json.loads(rows[0]["json"]))
    return ImportReport(**{k: _tuples(v) for k, v in data.items()})


def _tuples(value: Any) -> Any:
    """JSON lists back to the records' tuples (tuples of pairs stay pairs)."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


# --- import pipeline (api/importing.py) -------------------------------------------------------

def read_elementary_flows(run: Callable[[str], list[Row]]) -> list[Flow]:
    """Every elementary flow in the graph (all databases), sorted by id. ``run`` is ``store.read``
    or, inside a unit of work, ``writer.run`` (which sees what the unit has written so far)."""
    rows = run(q.READ_ELEMENTARY_FLOWS)
    flows = [
        Flow(id=f[0], name=f[1] or "", type="elementary", unit=f[2] or "", cas=f[3] or "",
             compartment=tuple(f[4] or ()), synonyms=tuple(f[5] or ()), formula=f[6] or "",
             compartment_inferred=bool(f[7]))
        for row in rows for f in row["flows"]
    ]
    return sorted(flows, key=_id)


def read_category_factors(store: GraphStore, category: str) -> list[tuple[CharacterisationFactor, str]]:
    """The factors matching gave one category, each with its flow's name, sorted by flow id."""
    rows = store.read(q.READ_CATEGORY_FACTORS, {"category": category})
    return [(CharacterisationFactor(category, r["flow"], float(r["value"]), r["matched_by"] or ""),
             r["name"] or "") for r in rows]


def read_declared_factors(run: Callable[[str], list[Row]]) -> list[CharacterisationFactor]:
    """The factors every category in the graph declares (as its method gives them), sorted."""
    return [
        CharacterisationFactor(row["category"], str(flow), float(value), "declared")
        for row in run(q.READ_DECLARED_FACTORS)
        for flow, value, _ in json.loads(row["declared_json"] or "[]")
    ]


def read_provider_exchanges(store: GraphStore, process_ids: Sequence[str]) -> list[Exchange]:
    """The reference and product/waste exchanges of these processes (provider_scale of links into
    them, loaders/linking.py), sorted by id."""
    rows = store.read(q.READ_PROVIDER_EXCHANGES, {"ids": sorted(set(process_ids))}) if process_ids else []
    return sorted((
        Exchange(id=x[0], process=r["process"], flow=x[1], is_input=bool(x[2]), amount=float(x[3]),
                 unit=x[4] or "", amount_ref=float(x[5]), is_reference=bool(x[6]), is_avoided=bool(x[7]))
        for r in rows for x in r["exchanges"]), key=_id)


# --- export (api/exporting.py) ----------------------------------------------------------------

def read_flows(store: GraphStore, ids: Sequence[str]) -> list[Flow]:
    """The flows with these ids (any database), sorted by id; ids not in the graph are left out."""
    rows = store.read(q.READ_FLOWS_BY_ID, {"ids": sorted(set(ids))}) if ids else []
    return sorted((_flow(r) for r in rows), key=_id)
