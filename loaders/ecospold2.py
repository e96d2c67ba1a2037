"""EcoSpold2 reader: a zip or folder of ``.spold`` activities (or one file) → DatabaseContent.

Flows are not datasets in EcoSpold2: they are described by the exchanges that use them and,
where the package ships it, by MasterData (``ElementaryExchanges.xml``,
``IntermediateExchanges.xml``), which then gives names, CAS numbers, compartments and synonyms.
A flow's reference unit is that of the flow property its exchanges' units belong to; if two
exchanges of one flow use units of different properties (kg here, MJ there) there is no factor
between them in EcoSpold2 without properties, and the import stops naming both places.
EcoSpold1 content is refused with UnsupportedFormat whatever the file is called.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from lcagraph.errors import MalformedDataset, UnresolvedReference, UnsupportedFormat
from lcagraph.records import Database, DatabaseContent, Flow, ImportReport
from loaders.detect import NS_ECOSPOLD1, NS_ECOSPOLD2, ecospold1_error
from loaders.ecospold2_activity import ActivityResult, FlowSeen, read_activity
from loaders.ecospold2_units import property_name, unit_of
from loaders.units import builtin_units
from loaders.xml import (
    Element,
    co_product_processes,
    database_record,
    iter_members,
    lang_text,
    namespace_of,
    parse_xml,
    strip_namespaces,
)

MASTER_ROOTS = {
    "validElementaryExchanges": "elementaryExchange",
    "validIntermediateExchanges": "intermediateExchange",
}


@dataclass
class _Scan:
    master: dict[str, FlowSeen] = field(default_factory=dict)
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    master_files: int = 0


def read_ecospold2(path: Path, database: Database | str, *, workers: int | None = None) -> DatabaseContent:
    """Read EcoSpold2 activities; amounts converted to each flow's reference unit; all or nothing.
    With ``workers`` > 1 (0: one per CPU) a package of many files is parsed by worker processes
    (loaders/ecospold2_pool.py; serial by default, see loaders/workers.py DEFAULT_WORKERS); the
    records are the same either way."""
    path = Path(path)
    db = database_record(database, "ecospold2", str(path))
    scan, members = read_members(path, db.id, workers)
    if not members:
        raise UnsupportedFormat(f"{path}: no EcoSpold2 activity datasets (ecoSpold root in the namespace "
                                f"{NS_ECOSPOLD2}) found; check the format with loaders.detect.detect_format")
    _check_unique([(r.process.id, file) for file, r in members])
    results = [r for _, r in members]
    flows = merge_flows([s for r in results for s in r.flows], scan)
    return _content(db, str(path), scan, results, flows)


def _check_unique(ids: list[tuple[str, str]]) -> None:
    seen: dict[str, str] = {}
    for pid, file in ids:
        if pid in seen:
            raise MalformedDataset(f"activity id {pid} also in {seen[pid]}; remove one of the two files",
                                   file=file, dataset=pid, field="activityDescription/activity/@id")
        seen[pid] = file


def read_member(file: str, data: bytes, database: str) -> tuple[_Scan | None, ActivityResult | None]:
    """One member of the package: its activity's records, or the MasterData it defines (a _Scan
    of its own), or neither (an unrelated XML file). EcoSpold1 content raises."""
    root = parse_xml(data, file, strip=False)
    namespace = namespace_of(root.tag)
    if namespace == NS_ECOSPOLD1 or root.find("dataset") is not None:
        raise ecospold1_error(file)
    if namespace and namespace != NS_ECOSPOLD2:
        return None, None  # e.g. a stylesheet or an unrelated XML file next to the datasets
    strip_namespaces(root)
    if root.tag == "ecoSpold":
        return None, read_activity(root, file, database)
    if root.tag in MASTER_ROOTS:
        master = _Scan(master_files=1)
        _read_master(root, MASTER_ROOTS[root.tag], file, master)
        return master, None
    return None, None


def read_members(
    path: Path, database: str, workers: int | None = None,
) -> tuple[_Scan, list[tuple[str, ActivityResult]]]:
    """MasterData and (file, activity records) of every member, in the package's order."""
    from loaders.ecospold2_pool import map_members

    scan = _Scan()
    results: list[tuple[str, ActivityResult]] = []
    wanted = iter_members(path, lambda n: n.lower().endswith((".spold", ".xml")))
    members = ((file, data) for _, file, data in wanted)
    for file, (master, activity) in map_members(members, database, workers):
        if master is not None:
            scan.master_files += master.master_files
            scan.master.update(master.master)
            scan.synonyms.update(master.synonyms)
        if activity is not None:
            results.append((file, activity))
    return scan, results


def _read_master(root: Element, tag: str, file: str, scan: _Scan) -> None:
    """MasterData flow definitions: name, unit (→ flow property), CAS, formula, compartment, synonyms."""
    for el in root.findall(tag):
        flow_id = el.get("id", "").strip()
        unit = lang_text(el, "unitName")
        if not flow_id or not unit:
            continue
        compartment = tuple(p for p in (lang_text(el, "compartment/compartment"),
                                        lang_text(el, "compartment/subcompartment")) if p)
        try:
            prop = unit_of(unit)[0]
        except UnresolvedReference:
            continue  # an entry no exchange may use ('EUR2005' …); an exchange using it fails with its file
        scan.master[flow_id] = FlowSeen(
            flow_id, lang_text(el, "name"), "elementary" if tag == "elementaryExchange" else "product", prop,
            file, "MasterData", el.get("casNumber", "").strip(), el.get("formula", "").strip(), compartment)
        synonyms = ((s.text or "").strip() for s in el.findall("synonym"))
        scan.synonyms[flow_id] = tuple(s for s in synonyms if s)


def merge_flows(seen: list[FlowSeen], scan: _Scan) -> dict[str, Flow]:
    """One Flow per id: MasterData first, then the first exchange; units must share a property."""
    first: dict[str, FlowSeen] = dict(scan.master)
    flows: dict[str, Flow] = {}
    for s in seen:
        known = first.setdefault(s.id, s)
        if known.property != s.property:
            raise UnresolvedReference(
                f"flow {s.id} ({s.name!r}) is measured in {unit_of_property(known)} in {known.file} but in "
                f"{unit_of_property(s)} here; EcoSpold2 gives no factor between different flow properties",
                file=s.file, dataset=s.dataset, field="unitName")
        flow = flows.get(s.id)
        if flow is None:
            flows[s.id] = _flow(known, scan.synonyms.get(s.id, ()))
        elif s.type == "waste" and flow.type == "product":
            flows[s.id] = replace(flow, type="waste")
        if s.compartment and not flows[s.id].compartment:
            flows[s.id] = replace(flows[s.id], compartment=s.compartment)
        if s.cas and not flows[s.id].cas:
            flows[s.id] = replace(flows[s.id], cas=s.cas)
    return flows


def unit_of_property(seen: FlowSeen) -> str:
    """A readable name of a flow observation's property."""
    return repr(property_name(seen.property))


def _flow(seen: FlowSeen, synonyms: tuple[str, ...]) -> Flow:
    unit = builtin_units().reference_unit(seen.property).name
    return Flow(id=seen.id, name=seen.name, type=seen.type, unit=unit,
                flow_property=property_name(seen.property),
                cas=seen.cas, formula=seen.formula, compartment=seen.compartment, synonyms=synonyms)


def _content(db: Database, file: str, scan: _Scan, results: list[ActivityResult],
             flows: dict[str, Flow]) -> DatabaseContent:
    exchanges = tuple(e for r in results for e in r.exchanges)
    processes = [r.process for r in results]
    counts = Counter({"processes": len(processes), "flows": len(flows)})
    if scan.master_files:
        counts["masterdata"] = scan.master_files
    report = ImportReport(
        database=db.id, file=file, format="ecospold2", datasets=tuple(sorted(counts.items())),
        exchanges=len(exchanges), unit_conversions=sum(r.conversions for r in results),
        co_products=co_product_processes(processes, exchanges, {i: f.type for i, f in flows.items()}),
        warnings=tuple(w for r in results for w in r.warnings),
    )
    return DatabaseContent(database=db, flows=tuple(flows[k] for k in sorted(flows)),
                           processes=tuple(processes), exchanges=exchanges, report=report)
