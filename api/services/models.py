"""Browse and edit the model: databases, product systems, processes, flows, exchanges, cached
results, impact categories; name search; provider overrides.

Every read takes many ids and makes one round trip (GraphQL's DataLoaders batch a whole
response level into one call). The records are the read models of api/services/readmodels.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from api.services.providers import set_provider
from api.services.readmodels import Category, DatabaseView
from graph.browse import (
    read_categories,
    read_consumers,
    read_databases,
    read_exchanges,
    read_flows,
    read_link_counts,
    read_models,
    read_processes,
    resolve_category,
    search_processes,
    storable_id,
)
from graph.overrides import ProviderOverride
from graph.results import read_result_keys
from graph.store import GraphStore

__all__ = [
    "ProviderOverride",
    "choose_category",
    "read_categories",
    "read_consumers",
    "read_databases",
    "read_exchanges",
    "read_flows",
    "read_link_counts",
    "read_models",
    "read_processes",
    "read_result_keys",
    "resolve_category",
    "search_hits",
    "search_processes",
    "set_provider",
    "storable_id",
]


def choose_category(store: GraphStore, method: str | None) -> Category:
    """The category ``method`` names, else the default (IPCC AR6 GWP100)."""
    return resolve_category(read_categories(store), method)


def search_hits(store: GraphStore, query: str, limit: int) -> list[tuple[str, str, str]]:
    """(id, name, database name) of the best ``limit`` matches of a name search."""
    found = search_processes(store, query, None)[:limit] if query.strip() else []
    processes = read_processes(store, [pid for pid, _ in found])
    names = database_names(read_databases(store))
    return [(pid, name, names.get(processes[pid].database, "")) for pid, name in found if pid in processes]


def database_names(databases: Sequence[DatabaseView]) -> dict[str, str]:
    """Database id -> name (the id where the name is empty)."""
    return {d.database.id: d.database.name or d.database.id for d in databases}
