"""The import pipeline: detect -> read -> link -> characterise -> write, all or nothing.

``import_database(store, path, name)`` reads a JSON-LD, EcoSpold2 or ILCD package, stores its
datasets whose UUID another database holds as ``<uuid>@<database>`` (loaders/identity.py), links its
product inputs to providers (in itself, then in the background databases named), matches its
elementary flows against every impact category in the graph, and writes it, with its import
report, in ONE unit of work: a failure anywhere leaves the graph as it was. Importing under a
name that is already in the graph replaces that database (same id = slug of the name).

The built-in IPCC AR6 GWP100 methods are (re)written by every import as their own database
``ipcc-ar6-gwp100``, so they are there from the first import on. Every import ends, inside its
unit of work, by matching the factors every method declares against every elementary flow in the
graph again (api/services/characterisation.py): factors never depend on the order of imports.
The same unit writes the matrix snapshot of the version it commits, from the previous version's
and the rows the import touched (api/services/snapshot_update.py), published once it commits.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from api.services.characterisation import (
    BUILTIN_DATABASE,
    builtin_content,
    characterise_graph,
    report_characterisation,
)
from api.services.snapshot_update import snapshot_update
from graph import queries as q
from graph.reader import read_databases, read_provider_candidates, read_provider_exchanges
from graph.store import GraphStore, Writer
from graph.writer import write_database_content, write_import_report
from lcagraph.collector import collection_paused
from lcagraph.errors import InvalidArgument, NodeNotFound
from lcagraph.records import Database, DatabaseContent, Exchange, ImportReport, ProviderCandidate
from loaders.compartments import infer_compartments
from loaders.formats import FORMATS as FORMATS  # the import formats, for the interfaces
from loaders.formats import read_package
from loaders.identity import HeldId, dataset_uuids, find_taken_ids, qualify_override_keys, qualify_taken_ids
from loaders.linking import link_providers
from loaders.solvability import check_solvable
from loaders.xml import slug

Progress = Callable[[str, int], None]


def import_database(
    store: GraphStore,
    path: Path | str,
    name: str,
    background_names: Sequence[str] = (),
    fmt: str = "auto",
    overrides: Mapping[str, str] | None = None,
    *,
    progress: Progress | None = None,
    licence: str | None = None,
    version: str | None = None,
) -> ImportReport:
    """Import one package as database ``name`` and return its import report (also stored).

    ``licence`` and ``version`` are shown with the database (where the package gives none, or
    to correct it). A name already in the graph replaces that database; the report says so."""
    with collection_paused():
        return _import_package(store, Path(path), name, background_names, fmt, overrides,
                               progress or (lambda _name, _rows: None), licence, version)


def _import_package(
    store: GraphStore, path: Path, name: str, background_names: Sequence[str], fmt: str,
    overrides: Mapping[str, str] | None, step: Progress, licence: str | None, version: str | None,
) -> ImportReport:
    database = database_for(name, path)
    background = resolve_background(store, background_names, database.id)
    replacing = database.id in {str(r["id"]) for r in read_databases(store)}
    content = with_context(read_package(path, database, fmt), licence, version)
    content = infer_compartments(qualify_ids(store, content))
    step("read datasets", len(content.processes) + len(content.flows))
    candidates = read_provider_candidates(store, background) if background else []
    overrides = qualify_override_keys(content, overrides or {})
    content = link_providers(content, candidates, overrides, _provider_exchanges(store, content, candidates,
                                                                                 overrides))
    known = {c.process for c in candidates} | {c.uuid for c in candidates if c.uuid}
    content = _hint_missing_providers(store, content, known)
    # a package whose own supply loops cannot be solved would break every footprint: refuse it here
    check_solvable(content)
    step("linked providers", len(content.links))
    return commit_content(store, content, step, replaced=replacing)


def commit_content(
    store: GraphStore, content: DatabaseContent, step: Progress, also: Callable[[Writer], None] | None = None,
    *, replaced: bool = False,
) -> ImportReport:
    """Write linked content in ONE unit of work, with the built-in methods, the whole graph's
    characterisation re-derived, the import report and the matrix snapshot of the version it
    commits (api/services/snapshot_update.py; ``also`` adds writes of its own; ``replaced``: the
    database was in the graph before)."""
    builtin = builtin_content()
    # extra writes may touch any row of the technosphere: their import's snapshot is built at first load
    with snapshot_update(store, (builtin, content), enabled=also is None) as snapshot, \
            store.unit_of_work() as writer:
        snapshot.begin(writer)
        write_database_content(writer, builtin, progress=step)
        write_database_content(writer, content, progress=step)
        if also is not None:
            also(writer)
        step("wrote the database", len(content.processes))
        graph = characterise_graph(writer)
        report = replace(report_characterisation(content, graph), replaced=replaced)
        write_import_report(writer, report)
        step("matched elementary flows (whole graph)", len(graph.match.factors))
        step("wrote the matrix snapshot", snapshot.write(writer))
    return report


def with_context(content: DatabaseContent, licence: str | None, version: str | None) -> DatabaseContent:
    """The package's database record with the licence and version given (kept where None)."""
    db = content.database
    return replace(content, database=replace(
        db, licence=db.licence if licence is None else licence.strip(),
        version=db.version if version is None else version.strip()))


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
