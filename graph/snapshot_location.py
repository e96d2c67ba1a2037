"""Where a store's matrix snapshots live, and the identity they are keyed by.

- embedded engine: ``<data folder>/matrices/<graph>/``, beside the engine's own files (deleting
  the data folder deletes them too);
- a FalkorDB or Neo4j server: a content-addressed folder in the user's cache,
  ``<cache>/lcagraph/matrices/<sha256(url, graph)[:16]>/`` (the password is not part of the key).

A snapshot is valid for one :class:`GraphIdentity`: the graph's version and its ``uid`` (set by the
first unit of work, see graph/queries.py ``BUMP_GRAPH_VERSION``), so a graph deleted and rebuilt
to the same version number never picks up the old graph's file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_cache_dir

from graph import queries as q
from graph.connect import embedded_dir, redact_url
from graph.store import GraphStore


@dataclass(frozen=True, slots=True)
class GraphIdentity:
    """The graph's version and the uid of its history ('' for a graph never written)."""

    version: int
    uid: str


def read_identity(store: GraphStore) -> GraphIdentity:
    """The current version and uid (version 0, uid '' for an empty graph)."""
    rows = store.read(q.GRAPH_IDENTITY)
    if not rows:
        return GraphIdentity(0, "")
    return GraphIdentity(int(rows[0]["version"] or 0), str(rows[0]["uid"] or ""))


def snapshot_folder(store: GraphStore) -> Path:
    """The folder of this store's (and graph's) snapshots; created by the writer, not here."""
    graph = str(getattr(store, "graph_name", None) or getattr(store, "database", None) or "graph")
    if store.url.lower().startswith("embedded://"):
        return embedded_dir(store.url) / "matrices" / graph
    key = hashlib.sha256(f"{redact_url(store.url)}\n{graph}".encode()).hexdigest()[:16]
    return Path(user_cache_dir("lcagraph")) / "matrices" / key
