"""The graph store a use-case runs on, and what the requests of one app share.

Interfaces open the configured store here (``opened_store``) or keep one in an
:class:`AppState` (the web app: GraphQL and the phone viewer share it); they never import the
store package themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from graph.connect import open_store
from graph.reader import count_labels, count_relationship_types, read_databases
from graph.store import GraphStore
from graph.tree_source import StoreTreeSource, TreeCache
from lcagraph.config import Settings, load_settings

__all__ = ["AppState", "GraphStore", "count_labels", "describe_store", "open_store", "opened_store"]


@dataclass
class AppState:
    """What every request of an app shares: settings, the open store and the tree cache."""

    settings: Settings
    store: GraphStore
    tree_cache: TreeCache = field(default_factory=TreeCache)

    def tree_source(self, version: int | None = None) -> StoreTreeSource:
        """Tree reads at ``version`` (read once per request by the caller; None: read now)."""
        return StoreTreeSource(self.store, self.tree_cache, version)


@contextmanager
def opened_store(settings: Settings | None = None) -> Iterator[GraphStore]:
    """The store LCAGRAPH_GRAPH_URL names, closed (embedded server stopped if unused) on exit."""
    store = open_store(settings or load_settings())
    try:
        yield store
    finally:
        store.close()


@contextmanager
def opened_state(settings: Settings | None = None) -> Iterator[AppState]:
    """An AppState on the configured store (a command's one-request app)."""
    config = settings or load_settings()
    with opened_store(config) as store:
        yield AppState(config, store)


def describe_store(store: GraphStore) -> dict[str, Any]:
    """Engine, URL, version and counts as one JSON-ready dict."""
    engine = store.engine + (" (embedded)" if store.url.startswith("embedded://") else "")
    return {
        "engine": engine, "url": store.url, "graph_version": store.graph_version(),
        "nodes": count_labels(store), "relationships": count_relationship_types(store),
        "databases": read_databases(store),
    }
