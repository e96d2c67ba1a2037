"""Dataset ids across databases: every database is its own namespace.

Releases reuse dataset UUIDs: the 2025 rail module ships 7de9c230-… "Transport, rail, freight;
diesel powered; tier weighted average" (version 01.01.000), a newer version of USLCI's 7de9c230-…
"Transport, train, diesel powered" (00.00.000). Both are kept. A process's graph id is its dataset
UUID unless another database already holds that UUID when this database is first imported; then
it is ``<uuid>@<database id>`` (``uuid`` keeps the dataset UUID). The rule is deterministic
and stable: a re-import of the same database keeps the ids it has in the graph
(:func:`find_taken_ids` reads them that way). Product systems follow the same rule.

Inside the renamed package, exchanges, default providers and product-system links that name a
renamed UUID are renamed too: a package's own copy wins over another database's, as linking
looks in the same database first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from lcagraph.records import DatabaseContent, Exchange, ImportReport, ProductSystem, ProviderLink, Unlinked

SEPARATOR = "@"


@dataclass(frozen=True, slots=True)
class HeldId:
    """A dataset id the graph already holds: node id, dataset UUID, its database and name."""

    id: str
    uuid: str
    database: str
    name: str = ""


def qualified_id(uuid: str, database_id: str) -> str:
    """The id of a dataset whose UUID another database held first: ``<uuid>@<database id>``."""
    return f"{uuid}{SEPARATOR}{database_id}"


def dataset_uuids(content: DatabaseContent) -> list[str]:
    """The UUIDs of the processes and product systems of a package (what the graph is asked about)."""
    return sorted({p.uuid or p.id for p in content.processes} | {s.id for s in content.product_systems})


def find_taken_ids(database_id: str, held: Sequence[HeldId]) -> dict[str, str]:
    """UUID -> the database that holds it, for the UUIDs this database must store qualified.

    A UUID of another database is taken, unless this database already holds it under the plain
    UUID (it came first). A UUID this database holds qualified stays qualified even when the
    other database is gone (ids do not move); its owner is then this database itself.
    """
    own = {h.uuid: h.id for h in held if h.database == database_id}
    taken: dict[str, str] = {}
    for h in sorted(held, key=lambda h: (h.database, h.id)):
        if h.database != database_id and own.get(h.uuid) != h.uuid:
            taken.setdefault(h.uuid, h.database)
    for uuid, ident in own.items():
        if ident != uuid:
            taken.setdefault(uuid, database_id)
    return taken


def qualify_taken_ids(
    content: DatabaseContent, taken: Mapping[str, str], names: Mapping[str, str] | None = None,
) -> DatabaseContent:
    """Content with every process and product system whose UUID is in ``taken`` renamed to
    ``<uuid>@<database id>``, and every reference to it inside the package renamed with it.

    ``names`` (UUID -> the dataset's name in the other database) only feeds the warnings.
    """
    db = content.database.id
    renamed = {p.id: qualified_id(p.uuid or p.id, db) for p in content.processes if (p.uuid or p.id) in taken}
    systems = {s.id: qualified_id(s.id, db) for s in content.product_systems if s.id in taken}
    if not renamed and not systems:
        return content
    rename = _Renamer(renamed)
    report = content.report or ImportReport(database=db, file="", format=content.database.format)
    notes = _warnings(content, renamed | systems, taken, names or {})
    return replace(
        content,
        processes=tuple(replace(p, id=renamed[p.id], uuid=p.uuid or p.id) if p.id in renamed else p
                        for p in content.processes),
        exchanges=tuple(rename.exchange(x) for x in content.exchanges),
        links=tuple(rename.link(k) for k in content.links),
        unlinked=tuple(rename.unlinked(u) for u in content.unlinked),
        product_systems=tuple(rename.system(s, systems.get(s.id, s.id)) for s in content.product_systems),
        report=replace(report, co_products=tuple(rename.exchange_id(i) for i in report.co_products),
                       warnings=report.warnings + notes),
    )


def qualify_override_keys(content: DatabaseContent, overrides: Mapping[str, str]) -> dict[str, str]:
    """A user's provider overrides (exchange id -> provider id) with exchange ids of renamed
    processes written as the dataset gives them ('<uuid>/<internal id>') moved to the stored id."""
    renamed = {p.uuid: p.id for p in content.processes if p.uuid}
    return {_Renamer(renamed).exchange_id(key): provider for key, provider in overrides.items()}


class _Renamer:
    """Renames process ids, and the exchange ids built on them (``<process id>/<internal id>``)."""

    def __init__(self, renamed: Mapping[str, str]) -> None:
        self.renamed = renamed

    def process(self, ident: str) -> str:
        return self.renamed.get(ident, ident)

    def exchange_id(self, ident: str) -> str:
        process, slash, rest = ident.partition("/")
        return f"{self.renamed[process]}{slash}{rest}" if slash and process in self.renamed else ident

    def exchange(self, x: Exchange) -> Exchange:
        if x.process not in self.renamed and x.default_provider not in self.renamed:
            return x
        provider = self.process(x.default_provider) if x.default_provider else x.default_provider
        return replace(x, id=self.exchange_id(x.id), process=self.process(x.process),
                       default_provider=provider)

    def link(self, k: ProviderLink) -> ProviderLink:
        return replace(k, consumer=self.process(k.consumer), provider=self.process(k.provider),
                       exchange=self.exchange_id(k.exchange),
                       candidates=tuple(self.process(c) for c in k.candidates))

    def unlinked(self, u: Unlinked) -> Unlinked:
        return replace(u, process=self.process(u.process), exchange=self.exchange_id(u.exchange))

    def system(self, s: ProductSystem, ident: str) -> ProductSystem:
        return replace(s, id=ident, ref_process=self.process(s.ref_process),
                       links=tuple(self.link(k) for k in s.links))


def _warnings(
    content: DatabaseContent, renamed: Mapping[str, str], taken: Mapping[str, str], names: Mapping[str, str],
) -> tuple[str, ...]:
    db = content.database.id
    own_names = {p.id: p.name for p in content.processes} | {s.id: s.name for s in content.product_systems}
    uuids = {p.id: p.uuid or p.id for p in content.processes} | {s.id: s.id for s in content.product_systems}
    lines = []
    for old, new in renamed.items():
        uuid = uuids[old]
        owner = taken[uuid]
        if owner == db:
            lines.append(f"dataset {uuid} ({own_names[old]}): keeps its id {new} from the previous import of "
                         f"database {db!r} (the UUID was in another database then)")
            continue
        other = f" ({names[uuid]})" if names.get(uuid) else ""
        lines.append(f"dataset {uuid} ({own_names[old]}) is also in database {owner!r}{other}; "
                     f"stored here as {new}")
    return tuple(lines)
