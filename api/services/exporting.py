"""Export a database from the graph: read it back into records, write it as ILCD or JSON-LD.

``export_database(store, "uslci", "ilcd", Path("uslci-ilcd.zip"))`` reads the database with
graph/reader.py, adds the flows of other databases its exchanges and factors name (flows are
shared in the graph, so a package that re-imports on its own needs them), writes every resolved
supply link as the exchange's default provider, and writes the package with loaders/exporters/ilcd.py
or loaders/exporters/jsonld.py. Both writers put the zip in place only when it is complete.

Supply links are written as openLCA does: ``defaultProvider`` on the exchange (JSON-LD) and the
``olca:defaultProvider`` extension attribute (ILCD). The provider written is the one the graph
resolved (a link override wins over the dataset's own default provider); exchanges without a
resolved link keep the default provider the dataset gave. Re-imported, every such exchange links
to the same provider again (kind 'default'), also across databases when the provider's database
is named as background.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from graph.reader import read_database_content, read_databases, read_flows
from graph.store import GraphStore
from lcagraph.errors import InvalidArgument, NodeNotFound
from lcagraph.records import DatabaseContent
from loaders.exporters import EXPORT_FORMATS as EXPORT_FORMATS  # for the interfaces
from loaders.exporters import FORMAT_NAMES as FORMAT_NAMES
from loaders.exporters import WRITERS
from loaders.xml import slug

Progress = Callable[[str, int], None]


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What an export wrote: counts, the providers written and the writer's warnings."""

    database: str
    format: str
    file: str
    processes: int
    flows: int
    exchanges: int
    providers: int
    foreign_flows: int
    methods: int
    warnings: tuple[str, ...] = ()


def export_database(
    store: GraphStore, database: str, fmt: str, out: Path | str, *, overwrite: bool = False,
    progress: Progress | None = None,
) -> ExportResult:
    """Write database ``database`` (id, name or slug of the name) as an ``fmt`` zip at ``out``."""
    step = progress or (lambda _name, _rows: None)
    if fmt not in EXPORT_FORMATS:
        raise InvalidArgument(f"export format {fmt!r} is not one of {', '.join(EXPORT_FORMATS)}")
    out = Path(out)
    if out.is_dir():
        raise InvalidArgument(f"{out} is a folder; give the path of the zip file to write")
    if out.exists() and not overwrite:
        raise InvalidArgument(f"{out} exists; choose another file or allow replacing it (--force)")
    database_id = resolve_database(store, database)
    content = read_database_content(store, database_id)
    step("read from the graph", len(content.processes) + len(content.exchanges))
    content, foreign = with_foreign_flows(store, content)
    content, providers = with_providers(content)
    warnings = WRITERS[fmt](content, out)
    step(f"wrote {FORMAT_NAMES[fmt]}", len(content.processes))
    return ExportResult(
        database=database_id, format=fmt, file=str(out), processes=len(content.processes),
        flows=len(content.flows), exchanges=len(content.exchanges), providers=providers,
        foreign_flows=foreign, methods=len(content.methods), warnings=warnings,
    )


def resolve_database(store: GraphStore, name: str) -> str:
    """The id of the database named ``name`` (its id, its name, or the slug of its name)."""
    rows = read_databases(store)
    by_name = {str(r["name"]): str(r["id"]) for r in rows} | {str(r["id"]): str(r["id"]) for r in rows}
    found = by_name.get(name) or by_name.get(slug(name))
    if found is None:
        known = ", ".join(sorted({str(r["id"]) for r in rows})) or "none (import one with `lcagraph import`)"
        raise NodeNotFound(f"database {name!r} is not in the graph; databases: {known}")
    return found


def with_foreign_flows(store: GraphStore, content: DatabaseContent) -> tuple[DatabaseContent, int]:
    """The content with the flows of other databases that its exchanges and factors use."""
    own = {f.id for f in content.flows}
    used = {x.flow for x in content.exchanges} | {f.flow for f in content.factors}
    missing = sorted(used - own)
    if not missing:
        return content, 0
    found = read_flows(store, missing)
    absent = sorted(set(missing) - {f.id for f in found})
    if absent:
        raise NodeNotFound(
            f"database {content.database.id!r} uses flow {absent[0]!r} ({len(absent)} flows in all), which "
            "is not in the graph; re-import the database that defines it")
    flows = tuple(sorted((*content.flows, *found), key=lambda f: f.id))
    return replace(content, flows=flows), len(found)


def with_providers(content: DatabaseContent) -> tuple[DatabaseContent, int]:
    """Exchanges with the resolved provider of their supply link as default provider; returns the
    content and the number of exchanges that carry a provider."""
    providers = {link.exchange: link.provider for link in content.links}
    exchanges = tuple(
        replace(x, default_provider=providers[x.id])
        if x.id in providers and x.default_provider != providers[x.id] else x
        for x in content.exchanges
    )
    return replace(content, exchanges=exchanges), sum(1 for x in exchanges if x.default_provider)
