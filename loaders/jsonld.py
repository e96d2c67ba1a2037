"""openLCA JSON-LD reader (schema 1.x and 2.x, zip or folder) → DatabaseContent.

Entry point: :func:`read_jsonld`. A package is a zip or folder with one JSON file per dataset in
type folders (``processes/``, ``flows/``, ``unit_groups/`` ...), possibly below a top folder
(``uslci-transport_v1.1/processes/...``). Schema 2.x packages may ship no unit groups; units are
then resolved by UUID from openLCA's reference units (loaders/units.py).

The import is all or nothing: any malformed dataset raises MalformedDataset or
UnresolvedReference naming the file, dataset and field; nothing is returned half-read.
Links are left empty (loaders/linking.py resolves them); exchanges carry ``default_provider``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from lcagraph.config import InputLimits
from lcagraph.errors import MalformedDataset, UnsupportedFormat, quoted
from lcagraph.records import Database, DatabaseContent, ImportReport, Parameter
from loaders.archive import Archive, open_archive
from loaders.jsonld_common import (
    Context,
    DqSystem,
    Json,
    Where,
    check_id,
    decode_json,
    dicts,
    optional_number,
    text,
)
from loaders.jsonld_flows import FlowUnits, read_flow
from loaders.jsonld_models import read_methods, read_product_system
from loaders.jsonld_pool import read_process_members
from loaders.jsonld_process import ProcessResult
from loaders.parameters import ParameterDef, evaluate_parameters
from loaders.units import builtin_units, table_from_olca

FOLDERS = (
    "processes",
    "flows",
    "flow_properties",
    "unit_groups",
    "categories",
    "locations",
    "parameters",
    "dq_systems",
    "sources",
    "product_systems",
    "lcia_methods",
    "lcia_categories",
)
_DATASET_FOLDERS = ("processes", "flows", "product_systems", "lcia_methods", "lcia_categories")


def is_jsonld_member(rel: str) -> bool:
    """True for `<dataset folder>/<uuid>.json` (the marker find_root looks for)."""
    folder, _, name = rel.partition("/")
    return folder in _DATASET_FOLDERS and name.endswith(".json") and "/" not in name


class Package:
    """The JSON objects of one package by folder, decoded once."""

    def __init__(self, path: Path, archive: Archive) -> None:
        root = archive.find_root(is_jsonld_member)
        if root is None:
            raise UnsupportedFormat(
                f"{path}: no openLCA JSON-LD datasets (processes/, flows/, lcia_categories/ ... with "
                "<uuid>.json files) found; is this an openLCA JSON-LD export?"
            )
        self.path = path
        self.root = root
        self.limits = archive.limits
        self.objects: dict[str, list[tuple[Where, Json]]] = {f: [] for f in FOLDERS}
        # Process datasets stay bytes until read (loaders/jsonld_pool.py decodes them in workers).
        self.process_members: list[tuple[str, bytes]] = []
        meta = f"{root}olca-schema.json"
        self.schema = 2 if meta in archive.names() else 1
        for name in archive.names_under(root):
            folder, _, rest = name.partition("/")
            if folder == "processes" and rest.endswith(".json") and "/" not in rest:
                self.process_members.append((f"{path}!{root}{name}", archive.read(root + name)))
            elif folder in self.objects and rest.endswith(".json") and "/" not in rest:
                self.objects[folder].append(decode_dataset(f"{path}!{root}{name}", archive.read(root + name),
                                                           archive.limits))
        first = [decode_dataset(label, data, self.limits)[1] for label, data in self.process_members[:5]]
        if self.schema == 1 and any("isInput" in e for p in first for e in dicts(p.get("exchanges"))):
            self.schema = 2  # a 2.x export without olca-schema.json

    def each(self, folder: str) -> Iterator[tuple[Where, Json]]:
        yield from self.objects[folder]

    def count(self, folder: str) -> int:
        return len(self.process_members) if folder == "processes" else len(self.objects[folder])


def decode_dataset(label: str, data: bytes, limits: InputLimits) -> tuple[Where, Json]:
    """One dataset file (``package!member``) decoded, with its checked ``@id``."""
    obj = decode_json(data, label, limits)
    if not isinstance(obj, dict):
        raise MalformedDataset(f"expected a JSON object, found {type(obj).__name__}", file=label)
    given = obj.get("@id")
    if given is not None and not isinstance(given, str):
        raise MalformedDataset(f"'@id' is {quoted(given)}, not a string", file=label, field="@id")
    where = Where(label, given or label.rsplit("/", 1)[-1].removesuffix(".json"))
    check_id(where.dataset, Where(label), "@id")
    return where, obj


def read_jsonld(path: Path, database: Database, *, workers: int | None = None) -> DatabaseContent:
    """Read an openLCA JSON-LD package (zip or folder) into domain records with an ImportReport.
    With ``workers`` > 1 (0: one per CPU), process datasets are decoded and read by worker
    processes (loaders/jsonld_pool.py; serial by default, see loaders/workers.py
    DEFAULT_WORKERS); the records are those of a serial read."""
    with open_archive(Path(path)) as archive:
        pkg = Package(Path(path), archive)
    ctx = _context(pkg)
    flows: dict[str, FlowUnits] = {}
    for where, obj in pkg.each("flows"):
        fu = read_flow(obj, where, ctx)
        if fu.flow.id in flows:
            raise where.error(f"flow {fu.flow.id} is defined twice in the package", "@id")
        flows[fu.flow.id] = fu
    processes: dict[str, ProcessResult] = {}
    for where, result in read_process_members(pkg.process_members, ctx, flows, database.id, workers):
        if result.process.id in processes:
            raise where.error(f"process {result.process.id} is defined twice in the package", "@id")
        processes[result.process.id] = result
    systems, warnings = [], [w for r in processes.values() for w in r.warnings]
    for where, obj in pkg.each("product_systems"):
        system, more = read_product_system(obj, where, processes, flows, database.id)
        systems.append(system)
        warnings.extend(more)
    methods = read_methods(list(pkg.each("lcia_methods")), list(pkg.each("lcia_categories")), flows, ctx)
    warnings.extend(methods.warnings)
    if methods.flows_missing:
        warnings.append(
            Where(str(path), "lcia_categories").warning(
                f"{len(methods.flows_missing)} flows that impact factors refer to are not in the package; "
                "their factors are kept by flow UUID, taken as given in the flow's reference property",
                "impactFactors.flow",
            )
        )
    exchanges = tuple(e for r in processes.values() for e in r.exchanges)
    counts = Counter({f: pkg.count(f) for f in FOLDERS if pkg.count(f) and f != "sources"})
    counts["elementary_flows"] = sum(1 for f in flows.values() if f.flow.type == "elementary")
    report = ImportReport(
        database=database.id,
        file=str(path),
        format=f"openLCA JSON-LD {pkg.schema}.x",
        datasets=tuple(sorted(counts.items())),
        exchanges=len(exchanges),
        unit_conversions=sum(r.conversions for r in processes.values()),
        formulas_evaluated=sum(r.formulas for r in processes.values()) + ctx.global_formulas,
        co_products=tuple(c for r in processes.values() for c in r.co_products),
        warnings=tuple(warnings),
    )
    return DatabaseContent(
        database=database,
        flows=tuple(f.flow for f in flows.values()),
        processes=tuple(r.process for r in processes.values()),
        exchanges=exchanges,
        methods=tuple(methods.methods),
        categories=tuple(methods.categories),
        factors=tuple(methods.factors),
        product_systems=tuple(systems),
        report=report,
    )


def _context(pkg: Package) -> Context:
    units = builtin_units()
    for folder in ("unit_groups", "flow_properties"):
        for where, obj in pkg.each(folder):
            try:
                one = table_from_olca([obj], []) if folder == "unit_groups" else table_from_olca([], [obj])
            except (KeyError, ValueError, TypeError) as e:
                raise where.error(f"unreadable {folder[:-1].replace('_', ' ')} ({e!r})", "@id") from e
            if folder == "unit_groups" and not next(iter(one.groups.values())).reference:
                raise where.error("unit group without a reference unit", "units")
            units = units.merged(one)
    ctx = Context(units=units)
    ctx.categories = {text(o, "@id"): o for _, o in pkg.each("categories")}
    ctx.locations = {text(o, "@id"): text(o, "code") or text(o, "name") for _, o in pkg.each("locations")}
    for _, o in pkg.each("dq_systems"):
        indicators = sorted(dicts(o.get("indicators")), key=lambda i: _position(i.get("position")))
        ctx.dq_systems[text(o, "@id")] = DqSystem(text(o, "name"), tuple(text(i, "name") for i in indicators))
    ctx.sources = {text(o, "@id"): source_citation(o) for _, o in pkg.each("sources")}
    _global_parameters(pkg, ctx)
    return ctx


def source_citation(source: Json) -> str:
    """The full name of a source dataset. Older USLCI sources hold a name cut at 40 characters
    (the field's old limit, padded with a space) and the title in ``textReference``: there the
    cut name is followed by the title and year, so nothing the package carries is lost."""
    raw = text(source, "name")
    name = raw.strip()
    if not (len(raw) in (40, 41) and raw.endswith(" ")):
        return name
    title = " ".join(text(source, "textReference").split())
    year = str(source.get("year") or "")
    shown = f"{name}…: {title}" if title else f"{name}…"
    return f"{shown} ({year})" if year and year not in title else shown


def _position(value: object) -> int:
    return value if isinstance(value, int) else 0


def _global_parameters(pkg: Package, ctx: Context) -> None:
    defs: list[ParameterDef] = []
    for where, p in pkg.each("parameters"):
        formula = text(p, "formula").strip()
        value = None if formula else optional_number(p, "value", where, "value")
        defs.append(ParameterDef(text(p, "name").strip(), value, formula))
    try:
        ctx.globals = evaluate_parameters(defs, limits=ctx.limits)
    except MalformedDataset as e:
        raise Where(f"{pkg.path}!{pkg.root}parameters/").relocate(e, "") from e
    ctx.global_params = {
        d.name.lower(): Parameter(d.name, ctx.globals[d.name.lower()], d.formula, "global") for d in defs
    }
    ctx.global_formulas = sum(1 for d in defs if d.formula)
