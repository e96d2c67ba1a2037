"""The tree's reads on the graph store, with a cache that lives as long as a graph version.

Model data (processes, supply links) changes only with the graph version, so it is cached per
version. Cached results are cached only when they belong to the current version: results of one
graph version are a function of that version (the same solve gives the same numbers), and
results of an older version are never served (graph/tree.py refuses them as stale).
Each request asks the store for the version once (one round trip), then reads only what the
cache lacks, in one batched statement per kind.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graph import queries as q
from graph.store import GraphStore
from graph.tree_records import Intensity, NodeInfo, Supply

MAX_CACHED = 200_000  # entries per kind; a bigger graph simply reads more


def result_key(process: str, category: str) -> str:
    """Key of one category's numbers of a process in the tree cache."""
    return f"{process}|{category}"


def node_info_from_row(row: Mapping[str, Any]) -> NodeInfo:
    return NodeInfo(
        id=str(row["id"]),
        name=str(row["name"] or ""),
        database=str(row["database"] or ""),
        ref_amount=float(row["ref_amount"] if row["ref_amount"] is not None else 1.0),
        ref_unit=str(row["ref_unit"] or ""),
        ref_is_input=bool(row["ref_is_input"]),
        providers=int(row["providers"]),
        unlinked=int(row["unlinked"]),
        own_unit=str(row["own_unit"] or ""),
        own_amount=float(row["own_amount"] or 0.0),
    )


def supplies_from_row(consumer: str, items: Iterable[Sequence[Any]]) -> list[Supply]:
    """[provider, amount, is_input, is_avoided, allocation] lists to supplies; a link whose
    exchange is missing keeps the stored amount as a product input."""
    return [
        Supply(
            consumer=consumer,
            provider=str(p),
            amount=float(amount),
            is_input=True if is_input is None else bool(is_input),
            avoided=bool(avoided),
            allocation=1.0 if allocation is None else float(allocation),
        )
        for p, amount, is_input, avoided, allocation in items
    ]


def intensities_from_rows(rows: Iterable[Mapping[str, Any]]) -> dict[str, Intensity]:
    """Map Result rows (process, direct, total, graph_version) to intensities."""
    return {
        str(r["process"]): Intensity(
            process=str(r["process"]),
            direct=float(r["direct"]),
            total=float(r["total"]),
            graph_version=int(r["graph_version"]),
        )
        for r in rows
    }


class TreeCache:
    """Shared by all requests of a server; thread-safe (a lock guards the version switch)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.version = -1
        self.infos: dict[str, NodeInfo] = {}
        self.supplies: dict[str, list[Supply]] = {}
        self.results: dict[str, Intensity] = {}

    def at_version(self, version: int) -> None:
        """Drop everything when the graph version moved (or when a kind grew too large)."""
        with self._lock:
            too_big = max(len(self.infos), len(self.supplies), len(self.results)) > MAX_CACHED
            if version != self.version or too_big:
                self.version = version
                self.infos, self.supplies, self.results = {}, {}, {}


class StoreTreeSource:
    """TreeSource on a GraphStore; pass a shared TreeCache to reuse reads across requests."""

    def __init__(self, store: GraphStore, cache: TreeCache | None = None, version: int | None = None) -> None:
        self.store = store
        self.cache = cache or TreeCache()
        self._version = version

    def graph_version(self) -> int:
        """The version given (already read by the caller for this request), else read now."""
        version = self.store.graph_version() if self._version is None else self._version
        self.cache.at_version(version)
        return version

    def processes(self, ids: Sequence[str]) -> dict[str, NodeInfo]:
        infos = self.cache.infos
        missing = [i for i in ids if i not in infos]
        if missing:
            for row in self.store.read(q.TREE_NODES, {"ids": missing}):
                infos[str(row["id"])] = node_info_from_row(row)
        return {i: infos[i] for i in ids if i in infos}

    def supplies(self, ids: Sequence[str]) -> dict[str, list[Supply]]:
        known = self.cache.supplies
        missing = [i for i in ids if i not in known]
        if missing:
            found = self.store.read(q.TREE_SUPPLIES, {"ids": missing})
            rows = {str(r["consumer"]): r["supplies"] for r in found}
            for i in missing:
                known[i] = supplies_from_row(i, rows.get(i, []))
        return {i: known[i] for i in ids}

    def intensities(self, ids: Sequence[str], category: str) -> dict[str, Intensity]:
        cached = self.cache.results
        keys = {i: result_key(i, category) for i in ids}
        missing = [[i, category] for i, key in keys.items() if key not in cached]
        read = intensities_from_rows(self.store.read(q.READ_RESULTS, {"keys": missing})) if missing else {}
        for pid, got in read.items():
            if got.graph_version == self.cache.version:
                cached[result_key(pid, category)] = got
        out = {i: cached[k] for i, k in keys.items() if k in cached}
        for pid, got in read.items():
            out.setdefault(pid, got)  # stale: graph/tree.py names the versions
        return out
