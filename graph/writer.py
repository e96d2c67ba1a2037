"""Write a whole database (one import) into the graph, inside one unit of work.

Usage::

    with store.unit_of_work() as writer:
        write_database_content(writer, content)

Everything is written with batched, idempotent MERGEs (graph/queries.py); writing the same
content twice leaves the graph as after the first time. A database already in the graph under
the same id is replaced: its processes, exchanges, supply links, product systems, methods and
report are deleted first, and PROVIDER links that other databases had into it are re-created
from the ``provider`` property of their exchanges. As the unit of work is all-or-nothing, a
failure anywhere leaves the previous version of the database in place.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from graph import queries as q
from graph.store import BatchRow, Writer
from lcagraph.errors import DuplicateDataset, MalformedDataset, UnresolvedReference
from lcagraph.records import DatabaseContent, Flow, ImportReport, Process, ProductSystem, ProviderLink

Progress = Callable[[str, int], None]
BATCH_SIZE = 5000


def write_database_content(
    writer: Writer, content: DatabaseContent, *, progress: Progress | None = None,
    imported_at: str | None = None,
) -> None:
    """Write (or replace) ``content.database`` with every record of ``content``.

    Raises MalformedDataset / UnresolvedReference for inconsistent content (nothing written
    then) and DuplicateDataset when a process id already belongs to another database (the
    import pipeline qualifies such ids first: loaders/identity.py).
    ``progress(step, rows)`` is called after each step, e.g. to drive a progress bar.
    """
    db = content.database.id
    step = progress or (lambda _step, _rows: None)
    check_content(content)
    _check_flows_exist(writer, content)
    _check_no_foreign_processes(writer, content)
    delete_database_content(writer, db)
    writer.run(q.UPSERT_DATABASE, {
        **_props(content.database, exclude=()), "imported_at": imported_at or _now()})
    _write_rows(writer, q.UPSERT_FLOWS, [flow_row(f) for f in content.flows], db, step, "flows")
    reference = reference_amounts(content)
    processes = [process_row(p, reference.get(p.id)) for p in content.processes]
    _write_rows(writer, q.UPSERT_PROCESSES, processes, db, step, "processes")
    inputs, outputs = exchange_rows(content)
    _write_rows(writer, q.UPSERT_INPUTS, inputs, db, step, "inputs")
    _write_rows(writer, q.UPSERT_OUTPUTS, outputs, db, step, "outputs")
    flow_types = {f.id: f.type for f in content.flows}
    links = [provider_link_row(link, is_waste=link.is_waste or flow_types.get(link.flow) == "waste")
             for link in content.links]
    _write_rows(writer, q.UPSERT_PROVIDER_LINKS, links, db, step, "provider links")
    relinked = writer.run(q.RELINK_FOREIGN_PROVIDERS, {"database": db})
    step("links from other databases", int(relinked[0]["links"]) if relinked else 0)
    _write_rows(writer, q.UPSERT_PRODUCT_SYSTEMS, [product_system_row(s) for s in content.product_systems],
                db, step, "product systems")
    _write_methods(writer, content, step)
    if content.report is not None:
        write_import_report(writer, content.report, imported_at)
    writer.run(q.DELETE_ORPHAN_FLOWS)


def write_import_report(writer: Writer, report: ImportReport, imported_at: str | None = None) -> None:
    """Store (or replace) the import report of ``report.database``."""
    writer.run(q.UPSERT_IMPORT_REPORT, {
        "id": f"{report.database}/report", "database": report.database, "file": report.file,
        "format": report.format, "created": imported_at or _now(),
        "json": json.dumps(dataclasses.asdict(report)),
    })


def delete_database_content(writer: Writer, database_id: str) -> None:
    """Delete everything that belongs to a database (keeps the Database node; flows are shared,
    so only their IN link is removed, and flows left unused are deleted at the end of a write)."""
    params = {"database": database_id}
    for statement in (
        q.DELETE_RESULTS_OF_DATABASE, q.DELETE_PROCESSES_OF_DATABASE, q.DELETE_PRODUCT_SYSTEMS_OF_DATABASE,
        q.DELETE_IMPORT_REPORTS_OF_DATABASE, q.DELETE_CATEGORIES_OF_DATABASE, q.DELETE_METHODS_OF_DATABASE,
        q.UNLINK_FLOWS_FROM_DATABASE,
    ):
        writer.run(statement, params)


def delete_database(writer: Writer, database_id: str) -> None:
    """Remove a database and all it owns; supply links from other databases into it go too,
    while their exchanges keep the ``provider`` id (re-linked if the database comes back)."""
    delete_database_content(writer, database_id)
    writer.run(q.DELETE_DATABASE_NODE, {"database": database_id})
    writer.run(q.DELETE_ORPHAN_FLOWS)


# --- rows ----------------------------------------------------------------------------------

def flow_row(flow: Flow) -> dict[str, Any]:
    row = _props(flow, exclude=("compartment", "synonyms"))
    row["compartment"] = "/".join(flow.compartment)
    row["compartment_path"] = list(flow.compartment)
    row["synonyms"] = list(flow.synonyms)
    row["property_names"] = [name for name, _ in flow.property_factors]
    row["property_factors"] = [float(factor) for _, factor in flow.property_factors]
    return row


def reference_amounts(content: DatabaseContent) -> dict[str, float]:
    """Per process: the ``amount_ref`` of its reference exchange (in the flow's reference unit;
    ``Process.ref_amount`` is as given, e.g. 3.6 MJ where the flow's unit is kWh)."""
    found: dict[str, float] = {}
    for x in content.exchanges:
        if x.is_reference:
            found.setdefault(x.process, float(x.amount_ref))
    return found


def process_row(process: Process, ref_amount_ref: float | None = None) -> dict[str, Any]:
    """Node properties; ``ref_amount_ref`` is the reference exchange's amount in the flow's
    reference unit (the diagonal of the technosphere matrix), None without a reference exchange."""
    row = _props(process, exclude=("data_quality", "sources", "database", "parameters"))
    row["ref_amount"] = float(process.ref_amount)
    row["ref_amount_ref"] = ref_amount_ref
    row["uuid"] = process.uuid or process.id
    dq = process.data_quality
    row["dq_system"] = dq.system if dq is not None else None
    row["dq_entry"] = dq.entry if dq is not None else None
    row["dq_indicators"] = [f"{name}={value!r}" for name, value in dq.indicators] if dq is not None else None
    row["sources"] = list(process.sources)
    row["parameters_json"] = (
        json.dumps([dataclasses.asdict(p) for p in process.parameters]) if process.parameters else None)
    return row


def exchange_rows(content: DatabaseContent) -> tuple[list[list[Any]], list[list[Any]]]:
    """(input rows, output rows): per exchange a list in the order of q.EXCHANGE_ROW_FIELDS,
    with the link state of the exchange (links and unlinked merged in)."""
    links = {link.exchange: link for link in content.links}
    unlinked = {u.exchange: u for u in content.unlinked}
    inputs: list[list[Any]] = []
    outputs: list[list[Any]] = []
    for x in content.exchanges:
        link = links.get(x.id)
        cut = unlinked.get(x.id)
        u = x.uncertainty
        row = [
            x.id, x.process, x.flow, float(x.amount), x.unit, float(x.amount_ref), x.is_reference,
            x.default_provider, x.is_avoided, float(x.allocation), x.formula, x.data_quality, x.description,
            u.distribution if u else None, u.geomean if u else None, u.geosd if u else None,
            u.mean if u else None, u.sd if u else None, u.minimum if u else None, u.mode if u else None,
            u.maximum if u else None,
            link.kind if link else ("unlinked" if cut else None),
            link.provider if link else None,
            list(link.candidates) if link and link.candidates else None,
            cut.reason if cut else None,
            float(link.provider_scale) if link else None,
        ]
        (inputs if x.is_input else outputs).append(row)
    return inputs, outputs


def provider_link_row(link: ProviderLink, *, is_waste: bool) -> list[Any]:
    """A PROVIDER relationship as a list in the order of q.PROVIDER_LINK_ROW_FIELDS."""
    return [link.consumer, link.provider, link.flow, link.exchange, float(link.amount_ref), link.kind,
            is_waste, float(link.provider_scale)]


def product_system_row(system: ProductSystem) -> dict[str, Any]:
    row = _props(system, exclude=("links", "database"))
    row["amount"] = float(system.amount)
    row["links_json"] = json.dumps([dataclasses.asdict(link) for link in system.links])
    return row


def _write_methods(writer: Writer, content: DatabaseContent, step: Progress) -> None:
    db = content.database.id
    methods = [_props(m, exclude=()) for m in content.methods]
    _write_rows(writer, q.UPSERT_METHODS, methods, db, step, "methods")
    declared: dict[str, list[tuple[str, float, str]]] = {c.id: [] for c in content.categories}
    for f in content.factors:
        declared[f.category].append((f.flow, float(f.value), f.matched_by))
    categories = [{**_props(c, exclude=()), "declared_json": json.dumps(sorted(declared[c.id]))}
                  for c in content.categories]
    _write_rows(writer, q.UPSERT_CATEGORIES, categories, db, step, "impact categories")
    factors = [{"category": f.category, "flow": f.flow, "value": float(f.value), "matched_by": "uuid"}
               for f in content.factors]
    _write_rows(writer, q.UPSERT_FACTORS, factors, db, step, "declared characterisation factors")


def _write_rows(
    writer: Writer, query: str, rows: Sequence[BatchRow], db: str, step: Progress, name: str,
) -> None:
    if rows:
        writer.run_batches(query, rows, BATCH_SIZE, params={"database": db})
    step(name, len(rows))


def _props(record: Any, *, exclude: Iterable[str]) -> dict[str, Any]:
    skip = set(exclude)
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record) if f.name not in skip}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- checks --------------------------------------------------------------------------------

def check_content(content: DatabaseContent) -> None:
    """Reject content that would write a half-connected graph (before anything is written)."""
    db = content.database.id
    where = f"database {db!r}"
    _no_duplicates([p.id for p in content.processes], "process", where)
    _no_duplicates([x.id for x in content.exchanges], "exchange", where)
    _no_duplicates([link.exchange for link in content.links], "provider link for exchange", where)
    processes = {p.id for p in content.processes}
    for p in content.processes:
        if p.database != db:
            raise MalformedDataset(f"process belongs to database {p.database!r}, not {db!r}", dataset=p.id,
                                   field="database")
        _finite(p.ref_amount, p.id, "ref_amount")
    exchanges = {x.id: x for x in content.exchanges}
    for x in content.exchanges:
        if x.process not in processes:
            raise UnresolvedReference(
                f"exchange {x.id!r} names process {x.process!r}, which is not in {where}",
                dataset=x.process, field="exchange")
        for name in ("amount", "amount_ref", "allocation"):
            _finite(getattr(x, name), x.process, f"exchange {x.id} {name}")
    for link in content.links:
        consumed = exchanges.get(link.exchange)
        if consumed is None or consumed.process != link.consumer:
            raise UnresolvedReference(f"provider link names exchange {link.exchange!r} of {link.consumer!r}, "
                                      f"which is not an exchange of that process in {where}",
                                      dataset=link.consumer, field="provider")
        _finite(link.amount_ref, link.consumer, f"provider link {link.exchange} amount")
    for u in content.unlinked:
        if u.exchange not in exchanges:
            raise UnresolvedReference(
                f"cut-off names exchange {u.exchange!r}, not in {where}", dataset=u.process)
    _check_methods(content, where)
    for s in content.product_systems:
        if s.ref_process not in processes:
            raise UnresolvedReference(f"product system reference process {s.ref_process!r} is not in {where}",
                                      dataset=s.id, field="ref_process")


def _check_methods(content: DatabaseContent, where: str) -> None:
    methods = {m.id for m in content.methods}
    categories = {c.id for c in content.categories}
    for c in content.categories:
        if c.method not in methods:
            raise UnresolvedReference(
                f"impact category names method {c.method!r}, not in {where}", dataset=c.id, field="method")
    for f in content.factors:
        if f.category not in categories:
            raise UnresolvedReference(
                f"characterisation factor names category {f.category!r}, not in {where}",
                dataset=f.category, field="category")
        _finite(f.value, f.category, f"factor for flow {f.flow}")


def _check_flows_exist(writer: Writer, content: DatabaseContent) -> None:
    """Exchanges may name flows another database brought; any other id is an error. (A method's
    factors may name flows no database has brought yet: they are matched when one does.)"""
    own = {f.id for f in content.flows}
    used = {x.flow: x.process for x in content.exchanges}
    missing = sorted(set(used) - own)
    if not missing:
        return
    rows = writer.run(q.FIND_EXISTING_FLOWS, {"ids": missing})
    found = set(rows[0]["ids"]) if rows else set()
    absent = [flow for flow in missing if flow not in found]
    if absent:
        raise UnresolvedReference(
            f"flow {absent[0]!r} ({len(absent)} flows in all) is neither in database "
            f"{content.database.id!r} nor in the graph; import the database that defines it first",
            dataset=used[absent[0]], field="flow")


def _check_no_foreign_processes(writer: Writer, content: DatabaseContent) -> None:
    db = content.database.id
    ids = [p.id for p in content.processes]
    rows = writer.run(q.FIND_PROCESSES_OF_OTHER_DATABASES, {"ids": ids, "database": db}) if ids else []
    if rows:
        first = rows[0]
        raise DuplicateDataset(
            f"process {first['id']} of database {db!r} already belongs to database {first['database']!r} "
            f"({len(rows)}{'+' if len(rows) == 10 else ''} such processes); databases are separate "
            f"namespaces: store this database's copy as '<uuid>@{db}' (loaders.identity.qualify_taken_ids, "
            "as `lcagraph import` does), or import it under the name "
            f"{first['database']!r} to replace that database"
        )


def _no_duplicates(ids: list[str], what: str, where: str) -> None:
    repeated = [i for i, n in Counter(ids).items() if n > 1]
    if repeated:
        raise MalformedDataset(
            f"{what} id {repeated[0]!r} occurs more than once in {where}", dataset=repeated[0])


def _finite(value: float, dataset: str, name: str) -> None:
    if not math.isfinite(float(value)):
        raise MalformedDataset(f"{name} is {value!r}, not a finite number", dataset=dataset, field=name)
