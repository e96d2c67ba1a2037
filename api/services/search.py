"""Find processes by name (``lcagraph search``): every word in the name, best match first, with
what tells them apart (database, location, reference) and the total where it is calculated."""

from __future__ import annotations

from dataclasses import dataclass

from api.services.models import database_names, read_databases, read_processes
from graph.browse import default_category, read_categories, resolve_category, search_processes
from graph.results import read_results
from graph.store import GraphStore
from lcagraph.errors import InvalidArgument


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One process a name search found; ``total`` (per ``reference_amount`` ``reference_unit``)
    is None where no current result is cached or no impact category is chosen."""

    process: str
    name: str
    database: str
    database_name: str
    location: str
    reference_amount: float
    reference_unit: str
    total: float | None
    impact_unit: str


def search(store: GraphStore, words: str, *, limit: int = 20, database: str | None = None,
           method: str | None = None) -> tuple[SearchHit, ...]:
    """The best ``limit`` processes whose name holds every word of ``words``."""
    if not words.strip():
        raise InvalidArgument("give one or more words of a process name, e.g. `lcagraph search electricity`")
    if limit < 1:
        raise InvalidArgument(f"--limit {limit}: give 1 or more")
    found = [pid for pid, _ in search_processes(store, words, database)[:limit]]
    processes = read_processes(store, found)
    names = database_names(read_databases(store))
    categories = read_categories(store)
    category = resolve_category(categories, method) if method else default_category(categories)
    version = store.graph_version()
    cached = read_results(store, found, category.id) if category else {}
    results = {pid: r for pid, r in cached.items() if r.graph_version == version}
    hits = []
    for pid in found:
        p = processes[pid]
        result = results.get(pid)
        total = None if result is None else result.per_own_unit()[1] * abs(p.ref_amount)
        hits.append(SearchHit(process=pid, name=p.name, database=p.database,
                              database_name=names.get(p.database, p.database), location=p.location or "",
                              reference_amount=abs(p.ref_amount), reference_unit=p.ref_unit, total=total,
                              impact_unit=category.unit if category else ""))
    return tuple(hits)
