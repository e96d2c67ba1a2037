"""Factorisations kept per graph version, so that one factorisation serves every demand and
every category until the graph changes (a new version number).

Pure and in-process: the store's graph version is the key, the caller supplies how to build the
system on a miss (the bulk read lives in graph/). Thread-safe; at most ``capacity`` versions are
kept, least recently used dropped first (an API answering for the current version and the one
before needs two).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from lcagraph.errors import InvalidArgument
from solver.factorisation import Factorisation, factorise
from solver.matrices import TechnosphereSystem


@dataclass(frozen=True)
class SolvedVersion:
    """A graph version's matrices and their factorisation."""

    graph_version: int
    system: TechnosphereSystem
    factorisation: Factorisation


class FactorisationCache:
    """LRU map graph_version -> SolvedVersion."""

    def __init__(self, capacity: int = 2, backend: str | None = None) -> None:
        if capacity < 1:
            raise InvalidArgument(f"cache capacity {capacity} must be at least 1")
        self.capacity = capacity
        self.backend = backend
        self._entries: OrderedDict[int, SolvedVersion] = OrderedDict()
        self._lock = threading.Lock()
        self.misses = 0

    def __contains__(self, graph_version: int) -> bool:
        with self._lock:
            return graph_version in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def fetch(self, graph_version: int, load: Callable[[], TechnosphereSystem]) -> SolvedVersion:
        """The cached entry for ``graph_version``, else ``load()`` and factorise it once.

        The lock is held while building, so concurrent callers of one version wait for the first
        instead of factorising the same matrix twice.
        """
        with self._lock:
            entry = self._entries.get(graph_version)
            if entry is not None:
                self._entries.move_to_end(graph_version)
                return entry
            system = load()
            entry = SolvedVersion(graph_version, system, factorise(system, self.backend))
            self.misses += 1
            self._entries[graph_version] = entry
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
            return entry

    def discard(self, graph_version: int) -> None:
        """Forget one version (no error if absent)."""
        with self._lock:
            self._entries.pop(graph_version, None)

    def clear(self) -> None:
        """Forget every version."""
        with self._lock:
            self._entries.clear()
