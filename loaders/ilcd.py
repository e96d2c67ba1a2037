"""ILCD reader: a zip or folder of ILCD XML datasets → :class:`lcagraph.records.DatabaseContent`.

Datasets are recognised by their root element, not by folder, so both the usual layout
(``ILCD/processes/…``, ``flows/``, ``flowproperties/``, ``unitgroups/``, ``lciamethods/``,
``sources/``, ``contacts/``) and loose files work. Where a UUID occurs in several versions the
highest ``dataSetVersion`` wins. Linking is a later step: links and unlinked stay empty.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from lcagraph.errors import UnsupportedFormat
from lcagraph.records import Database, DatabaseContent, ImportReport
from loaders.ilcd_datasets import (
    ResolvedFlow,
    dataset_uuid,
    read_flow,
    read_flow_property,
    read_unit_group,
    resolve_flow,
)
from loaders.ilcd_method import MethodResult, read_method
from loaders.ilcd_process import ProcessResult, Refs, read_process
from loaders.xml import (
    Element,
    co_product_processes,
    database_record,
    iter_members,
    parse_xml,
    text_at,
    warning,
)

# root element → (folder name used in reports, path of the information block holding the UUID)
DATASET_TYPES = {
    "processDataSet": ("processes", "processInformation"),
    "flowDataSet": ("flows", "flowInformation"),
    "flowPropertyDataSet": ("flowproperties", "flowPropertiesInformation"),
    "unitGroupDataSet": ("unitgroups", "unitGroupInformation"),
    "LCIAMethodDataSet": ("lciamethods", "LCIAMethodInformation"),
    "sourceDataSet": ("sources", "sourceInformation"),
    "contactDataSet": ("contacts", "contactInformation"),
}


@dataclass
class _Package:
    """Datasets found, latest version per (type, UUID): (version, file, root)."""

    found: dict[tuple[str, str], tuple[tuple[int, ...], str, Element]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def add(self, kind: str, uuid: str, version: str, file: str, root: Element) -> None:
        key, rank = (kind, uuid), _version_key(version)
        known = self.found.get(key)
        if known is not None:
            self.warnings.append(warning(f"{kind} dataset in two versions (also {known[1]}); the higher "
                                         "dataSetVersion is used", file=file, dataset=uuid,
                                         field="publicationAndOwnership/dataSetVersion"))
            if known[0] >= rank:
                return
        self.found[key] = (rank, file, root)

    def of(self, kind: str) -> list[tuple[str, str, Element]]:
        """(uuid, file, root) of one dataset type, in UUID order."""
        return sorted((uuid, file, root) for (k, uuid), (_, file, root) in self.found.items() if k == kind)


def read_ilcd(path: Path, database: Database | str) -> DatabaseContent:
    """Read an ILCD package; amounts in each flow's reference unit; all or nothing."""
    path = Path(path)
    package = _scan(path)
    if not package.found:
        raise UnsupportedFormat(f"{path}: no ILCD datasets (processDataSet, flowDataSet … in the "
                                "http://lca.jrc.it/ILCD/ namespaces) found; check it with detect_format")
    db = database_record(database, "ilcd", str(path))
    groups = {u: read_unit_group(root, file) for u, file, root in package.of("unitgroups")}
    properties = {u: read_flow_property(root, file) for u, file, root in package.of("flowproperties")}
    raw = [read_flow(root, file) for _, file, root in package.of("flows")]
    flows = {r.id: resolve_flow(r, properties, groups) for r in raw}
    refs = Refs(flows, properties, groups)
    processes = [read_process(root, file, u, db.id, refs) for u, file, root in package.of("processes")]
    methods = [read_method(root, file, u, flows, properties, groups)
               for u, file, root in package.of("lciamethods")]
    return _content(db, str(path), package, flows, processes, methods)


def _scan(path: Path) -> _Package:
    package = _Package()
    for _, file, data in iter_members(path, lambda name: name.lower().endswith(".xml")):
        root = parse_xml(data, file)
        kind = DATASET_TYPES.get(root.tag)
        if kind is None:
            continue  # locations, categories, stylesheets: not datasets
        version = text_at(root, "administrativeInformation/publicationAndOwnership/dataSetVersion")
        package.add(kind[0], dataset_uuid(root, kind[1], file), version, file, root)
    return package


def _content(db: Database, file: str, package: _Package, flows: dict[str, ResolvedFlow],
             processes: list[ProcessResult], methods: list[MethodResult]) -> DatabaseContent:
    exchanges = tuple(e for p in processes for e in p.exchanges)
    method_records = {m.method.id: m.method for m in methods}
    warnings = [*package.warnings, *(w for p in processes for w in p.warnings),
                *(w for m in methods for w in m.warnings)]
    counts = Counter(kind for kind, _ in package.found)
    report = ImportReport(
        database=db.id, file=file, format="ilcd",
        datasets=tuple(sorted(counts.items())), exchanges=len(exchanges),
        unit_conversions=sum(p.conversions for p in processes),
        co_products=co_product_processes([p.process for p in processes], exchanges,
                                         {i: f.record.type for i, f in flows.items()}),
        warnings=tuple(warnings),
    )
    return DatabaseContent(
        database=db, flows=tuple(f.record for f in flows.values()),
        processes=tuple(p.process for p in processes), exchanges=exchanges,
        methods=tuple(method_records.values()), categories=tuple(m.category for m in methods),
        factors=tuple(f for m in methods for f in m.factors), report=report,
    )


def _version_key(version: str) -> tuple[int, ...]:
    parts = [p for p in version.strip().split(".") if p.isdigit()]
    return tuple(int(p) for p in parts)
