"""The import pipeline: detect -> read -> link -> characterise -> write, all or nothing.

``import_database(store, path, name)`` reads a JSON-LD, EcoSpold2 or ILCD package, stores its
datasets whose UUID another database holds as ``<uuid>@<database>`` (loaders/identity.py), links its
product inputs to providers (in itself, then in the background databases named), matches its
elementary flows against every impact category in the graph, and writes it, with its import
report, in ONE unit of work: a failure anywhere leaves the graph as it was. Importing under a
name that is already in the graph replaces that database (same id = slug of the name).

The built-in IPCC AR6 GWP100 method is (re)written by every import as its own database
``ipcc-ar6-gwp100``, with factors for every elementary flow in the graph, so it is there from the
first import on and never goes stale; no separate install step is needed. When an import brings
a method (e.g. the FEDEFL IPCC pack), its factors are also matched against the elementary flows
already in the graph; factors whose flow is nowhere yet keep their UUID on a placeholder flow
node (name empty), which a later database bringing that flow fills in.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from graph import queries as q
from graph.reader import (
    read_databases,
    read_elementary_flows,
    read_factor_specs,
    read_provider_candidates,
    read_provider_exchanges,
)
from graph.store import GraphStore
from graph.writer import write_database_content
from lcagraph.errors import InvalidArgument, NodeNotFound
from lcagraph.records import (
    CharacterisationFactor,
    Database,
    DatabaseContent,
    Exchange,
    FactorSpec,
    Flow,
    ImportReport,
    ProviderCandidate,
)
from loaders.formats import FORMATS as FORMATS  # the import formats, for the interfaces
from loaders.formats import read_package
from loaders.identity import HeldId, dataset_uuids, find_taken_ids, qualify_override_keys, qualify_taken_ids
from loaders.linking import link_providers
from loaders.matching import FactorMatch, find_unmatched_flows, match_factors_detailed
from loaders.methods import AR6_CATEGORY_ID, ar6_category, ar6_factor_specs, ar6_method, method_specs
from loaders.xml import slug

Progress = Callable[[str, int], None]
BUILTIN_DATABASE = Database(
    id="ipcc-ar6-gwp100", name="IPCC AR6 GWP100 (built-in)", format="built-in", kind="background",
    source="lcagraph loaders/data/ipcc_ar6_gwp100.csv", version="AR6 (2021)",
    licence="MIT (values table from USEPA/LCIAformatter)",
    description="Built-in climate method, rewritten by every import with factors for all elementary flows.",
)


@dataclass(frozen=True, slots=True)
class Characterised:
    """What characterisation adds: the import with its own-method factors, factors of other
    databases' categories onto its flows, and the built-in method's content."""

    content: DatabaseContent
    report: ImportReport
    foreign_factors: tuple[CharacterisationFactor, ...]
    builtin: DatabaseContent


def import_database(
    store: GraphStore,
    path: Path | str,
    name: str,
    background_names: Sequence[str] = (),
    fmt: str = "auto",
    overrides: Mapping[str, str] | None = None,
    *,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one package as database ``name`` and return its import report (also stored)."""
    step = progress or (lambda _name, _rows: None)
    path = Path(path)
    database = database_for(name, path)
    background = resolve_background(store, background_names, database.id)
    content = qualify_ids(store, read_package(path, database, fmt))
    step("read datasets", len(content.processes) + len(content.flows))
    candidates = read_provider_candidates(store, background) if background else []
    overrides = qualify_override_keys(content, overrides or {})
    content = link_providers(content, candidates, overrides, _provider_exchanges(store, content, candidates,
                                                                                 overrides))
    known = {c.process for c in candidates} | {c.uuid for c in candidates if c.uuid}
    content = _hint_missing_providers(store, content, known)
    step("linked providers", len(content.links))
    result = characterise(store, content)
    step("matched elementary flows", len(result.content.factors) + len(result.foreign_factors))
    with store.unit_of_work() as writer:
        write_database_content(writer, result.content, progress=step)
        rows = [{"category": f.category, "flow": f.flow, "value": float(f.value), "matched_by": f.matched_by}
                for f in result.foreign_factors]
        if rows:
            writer.run_batches(q.UPSERT_FACTORS, rows, params={"database": database.id})
        step("factors of other databases' methods", len(rows))
        write_database_content(writer, result.builtin, progress=step)
    return result.report


def database_for(name: str, path: Path) -> Database:
    """The Database record of an import: id = slug of the name (stable across re-imports)."""
    ident = slug(name)
    if not ident:
        raise InvalidArgument(f"database name {name!r} has no letters or digits; give a name such as 'USLCI'")
    if ident == BUILTIN_DATABASE.id:
        raise InvalidArgument(f"database name {name!r} is reserved for the built-in method; choose another")
    return Database(id=ident, name=name, source=path.name)


def qualify_ids(store: GraphStore, content: DatabaseContent) -> DatabaseContent:
    """Content whose datasets another database holds are stored as ``<uuid>@<database>``; a
    re-import keeps the ids this database has in the graph (loaders/identity.py)."""
    uuids = dataset_uuids(content)
    rows = store.read(q.FIND_DATASET_HOLDERS, {"uuids": uuids}) if uuids else []
    held = [HeldId(str(r["id"]), str(r["uuid"]), str(r["database"]), str(r["name"] or "")) for r in rows]
    taken = find_taken_ids(content.database.id, held)
    names = {h.uuid: h.name for h in held if taken.get(h.uuid) == h.database}
    return qualify_taken_ids(content, taken, names)


def _provider_exchanges(
    store: GraphStore, content: DatabaseContent, candidates: Sequence[ProviderCandidate],
    overrides: Mapping[str, str],
) -> list[Exchange]:
    """Exchanges of the background providers that default providers or overrides name for a flow
    other than their reference (what provider_scale needs)."""
    flows = {e.id: e.flow for e in content.exchanges}
    named = {(e.default_provider, e.flow) for e in content.exchanges if e.default_provider}
    named |= {(provider, flows[x]) for x, provider in overrides.items() if x in flows}
    by_name: dict[str, list[ProviderCandidate]] = defaultdict(list)
    for c in candidates:
        by_name[c.process].append(c)
        if c.uuid:
            by_name[c.uuid].append(c)
    ids = {c.process for name, flow in named for c in by_name.get(name, ()) if c.flow != flow}
    return read_provider_exchanges(store, sorted(ids))


def resolve_background(store: GraphStore, names: Sequence[str], own_id: str) -> list[str]:
    """Database ids for the names given (by id, name or slug of the name)."""
    rows = read_databases(store)
    by_name = {str(r["name"]): str(r["id"]) for r in rows} | {str(r["id"]): str(r["id"]) for r in rows}
    ids = []
    for name in names:
        found = by_name.get(name) or by_name.get(slug(name))
        if found is None:
            known = ", ".join(sorted(set(by_name.values()))) or "none yet"
            raise NodeNotFound(f"background database {name!r} is not in the graph (databases: {known}); "
                               "import it first or check the name with `lcagraph info`")
        if found == own_id:
            raise InvalidArgument(f"database {name!r} cannot be its own background; name another database")
        ids.append(found)
    return ids


def characterise(store: GraphStore, content: DatabaseContent) -> Characterised:
    """Match the import's elementary flows against every category (graph, import, built-in), and
    the import's methods and the built-in method against the flows already in the graph."""
    graph_flows = read_elementary_flows(store)
    own_ids = {f.id for f in content.flows}
    others = [f for f in graph_flows if f.id not in own_ids]
    brought = {c.id for c in content.categories}
    graph_specs = read_factor_specs(store, exclude_categories=sorted(brought | {AR6_CATEGORY_ID}))
    brought_specs = method_specs(content, known_flows=tuple(others))
    builtin_specs = ar6_factor_specs()
    own = match_factors_detailed([*graph_specs, *brought_specs, *builtin_specs], content.flows)
    other = match_factors_detailed([*brought_specs, *builtin_specs], others)
    matched = own.factors + other.factors
    kept, placeholders = _unmatched_method_factors(content, brought_specs, matched, graph_flows)
    report = _report_characterisation(content, own, [f for f in other.factors if f.category in brought])
    return Characterised(
        content=replace(
            content, flows=content.flows + placeholders, report=report,
            factors=tuple(f for f in matched if f.category in brought) + kept,
        ),
        report=report,
        foreign_factors=tuple(f for f in own.factors if f.category not in brought | {AR6_CATEGORY_ID}),
        builtin=DatabaseContent(
            database=BUILTIN_DATABASE, methods=(ar6_method(),), categories=(ar6_category(),),
            factors=tuple(f for f in matched if f.category == AR6_CATEGORY_ID),
        ),
    )


def _unmatched_method_factors(
    content: DatabaseContent, specs: Sequence[FactorSpec], matched: Sequence[CharacterisationFactor],
    graph_flows: Sequence[Flow],
) -> tuple[tuple[CharacterisationFactor, ...], tuple[Flow, ...]]:
    """Factors of the import's methods whose flow is in no database yet, kept by UUID, and the
    placeholder flows they need (one factor per category and flow: the first given)."""
    known = {f.id for f in content.flows} | {f.id for f in graph_flows}
    done = {(f.category, f.flow) for f in matched}
    kept: dict[tuple[str, str], CharacterisationFactor] = {}
    units: dict[str, str] = {}
    for spec in specs:
        if spec.flow and spec.flow not in known and (spec.category, spec.flow) not in done:
            factor = CharacterisationFactor(spec.category, spec.flow, spec.value)
            kept.setdefault((spec.category, spec.flow), factor)
            units.setdefault(spec.flow, spec.unit)
    placeholders = tuple(Flow(id=i, name="", type="elementary", unit=u) for i, u in sorted(units.items()))
    return tuple(kept.values()), placeholders


def _report_characterisation(
    content: DatabaseContent, own: FactorMatch, reached: Sequence[CharacterisationFactor]
) -> ImportReport:
    """Unmatched flows of the import; per category, its flows characterised (for a method the
    import brings, also the flows of other databases it reached)."""
    report = content.report or ImportReport(database=content.database.id, file="", format="")
    per_category = Counter(f.category for f in (*own.factors, *reached))
    names = {f.id: f.name for f in content.flows}
    assumed = tuple(f"dataset {flow}, field compartment: {names[flow]!r} has none; characterised as an "
                    "emission to air" for flow in own.assumed_air)
    return replace(
        report,
        unmatched_flows=find_unmatched_flows(content.exchanges, content.flows, own.factors, own.rejected),
        characterised=tuple(sorted(per_category.items())), warnings=report.warnings + assumed,
    )


def _hint_missing_providers(
    store: GraphStore, content: DatabaseContent, background: set[str]
) -> DatabaseContent:
    """Warn where default providers are processes of a database in the graph not named as background."""
    own = {p.id for p in content.processes}
    missing = {e.default_provider for e in content.exchanges if e.default_provider} - own - background
    if not missing or content.report is None:
        return content
    where = Counter(c.database for c in read_provider_candidates(store)
                    if c.process in missing or c.uuid in missing)
    hints = tuple(
        f"dataset {content.database.id}, field defaultProvider: {n} default providers are processes of "
        f"database {db!r}, which was not named as background; import again with --background {db}"
        for db, n in sorted(where.items())
    )
    return replace(content, report=replace(content.report, warnings=content.report.warnings + hints))
