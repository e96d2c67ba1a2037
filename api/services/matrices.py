"""The matrices of each graph version, per store: from memory, else from the version's matrix
snapshot (solver/snapshot.py, in graph/snapshot_location.py's folder), else read from the graph
(graph/technosphere.py), built, and written as the snapshot for the next cold start.

The graph stays the source of truth: a snapshot counts only when its graph version and graph uid
are the graph's (any committed unit of work bumps the version, so an import, a provider change
or the re-derived characterisation of every import leaves the old file stale); a stale or
unreadable file is ignored and replaced. Only the newest snapshot of a graph is kept.

Snapshots are written in two places, both with the rows they were built from (solver/snapshot.py
``SnapshotRows``): inside an import's unit of work, for the version the import commits, from the
previous version's snapshot and the rows the import touched (api/services/snapshot_update.py,
published after the commit); and where the rows are read (the first load of a version that has
none: ``calculate``, ``footprint``, an API refresh), after reading every exchange of the graph.
"""

from __future__ import annotations

import contextlib
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from graph.snapshot_location import GraphIdentity, read_identity, snapshot_folder
from graph.store import GraphStore
from graph.technosphere import TechnosphereRows, read_technosphere
from lcagraph.collector import collection_paused
from lcagraph.config import load_settings
from lcagraph.errors import ConfigurationError
from solver import (
    ElementaryTable,
    FactorisationCache,
    FactorTable,
    LinkTable,
    ProcessTable,
    SolvedVersion,
    TechnosphereSystem,
    build_system,
)
from solver.snapshot import (
    SnapshotQuality,
    SnapshotRows,
    SnapshotUnreadable,
    read_header,
    read_snapshot,
    read_snapshot_quality,
    read_snapshot_rows,
    write_snapshot,
)

Progress = Callable[[str], None]
SUFFIX = ".npz"


@dataclass(frozen=True)
class VersionMeta:
    """What the rows say beyond the matrices."""

    databases: tuple[str, ...]  # per process, as system.process_ids
    methods: dict[str, str]  # category -> method id
    units: dict[str, str]  # category -> impact unit


@dataclass(frozen=True)
class Loaded:
    """A graph version's system and factorisation with its metadata and how it was obtained.
    ``source``: "memory", "snapshot" or "graph"; ``read_s`` is the graph read or snapshot load."""

    solved: SolvedVersion
    meta: VersionMeta
    source: str
    read_s: float = 0.0
    build_s: float = 0.0
    factorise_s: float = 0.0
    snapshot_s: float = 0.0  # writing the snapshot after a graph read

    @property
    def system(self) -> TechnosphereSystem:
        return self.solved.system

    @property
    def graph_version(self) -> int:
        return self.solved.graph_version

    @property
    def databases(self) -> tuple[str, ...]:
        return self.meta.databases

    @property
    def cached(self) -> bool:
        return self.source == "memory"


def tables_from_rows(rows: TechnosphereRows) -> tuple[ProcessTable, LinkTable, ElementaryTable, FactorTable]:
    """Solver tables from the graph's rows (allocation is already in the link and elementary
    amounts, per exchange, so the process table's allocation is 1)."""
    p, links, elem, factors = rows.processes, rows.links, rows.elementary, rows.factors
    return (
        ProcessTable(p.ids, p.ref_amounts, p.ref_is_input),
        LinkTable(links.consumers, links.providers, links.amounts, links.is_input, links.is_avoided),
        ElementaryTable(elem.processes, elem.flows, elem.amounts, np.zeros(len(elem.flows), dtype=bool)),
        FactorTable(factors.categories, factors.flows, factors.values),
    )


def system_from_rows(rows: TechnosphereRows) -> TechnosphereSystem:
    """The system of the graph's rows (:func:`tables_from_rows`)."""
    return build_system(*tables_from_rows(rows), unlinked=rows.unlinked,
                        categories=list(rows.factors.category_methods))


# --- snapshots ------------------------------------------------------------------------------

def snapshot_path(store: GraphStore, identity: GraphIdentity) -> Path:
    """The file of one graph version (every method's categories are rows of its C)."""
    return snapshot_folder(store) / f"v{identity.version}-{identity.uid or 'nouid'}{SUFFIX}"


def load_snapshot(
    store: GraphStore, identity: GraphIdentity,
) -> tuple[TechnosphereSystem, VersionMeta] | None:
    """The snapshot of exactly ``identity``, or None (missing, stale or unreadable)."""
    path = snapshot_path(store, identity)
    if not path.is_file():
        return None
    try:
        system, header = read_snapshot(path)
    except SnapshotUnreadable:
        return None
    if not _keyed_by(header, identity):
        return None
    names, index = header["databases"], header["process_database"]
    meta = VersionMeta(tuple(names[k] for k in index), dict(header["methods"]), dict(header["units"]))
    return system, meta


def load_quality(
    store: GraphStore, identity: GraphIdentity, system: TechnosphereSystem,
) -> tuple[SnapshotRows, SnapshotQuality] | None:
    """The rows and quality section of the snapshot of exactly ``identity`` (whose matrices are
    ``system``), or None (missing, stale, unreadable, or a file without them)."""
    path = snapshot_path(store, identity)
    try:
        if not path.is_file() or not _keyed_by(read_header(path), identity):
            return None
        rows = read_snapshot_rows(path, system)
        quality = None if rows is None else read_snapshot_quality(path, system, rows)
    except SnapshotUnreadable:
        return None
    return None if rows is None or quality is None else (rows, quality)


def _keyed_by(header: dict[str, object], identity: GraphIdentity) -> bool:
    return header.get("graph_version") == identity.version and header.get("graph_uid") == identity.uid


def save_snapshot(
    store: GraphStore, identity: GraphIdentity, system: TechnosphereSystem, meta: VersionMeta,
    rows: TechnosphereRows | None = None, quality: SnapshotQuality | None = None,
) -> Path:
    """Write the snapshot of ``identity`` (with the rows it was built from, when given, so the
    next import can update it: api/services/snapshot_update.py, and their quality section) and
    delete the graph's older ones."""
    path = snapshot_path(store, identity)
    write_version(path, identity, system, meta, rows, quality)
    remove_older_snapshots(path)
    return path


def write_version(
    path: Path, identity: GraphIdentity, system: TechnosphereSystem, meta: VersionMeta,
    rows: TechnosphereRows | None, quality: SnapshotQuality | None = None,
) -> None:
    """Write the snapshot file of ``identity`` at ``path`` (``quality`` aligned with ``rows``);
    ConfigurationError if it cannot."""
    names = list(dict.fromkeys(meta.databases))
    position = {name: k for k, name in enumerate(names)}
    header = {
        "graph_version": identity.version, "graph_uid": identity.uid, "databases": names,
        "process_database": [position[d] for d in meta.databases],
        "methods": meta.methods, "units": meta.units,
    }
    try:
        write_snapshot(path, system, header, None if rows is None else snapshot_rows(system, rows), quality)
    except OSError as e:
        raise ConfigurationError(
            f"cannot write the matrix snapshot {path}: {e}; make {path.parent} writable (it is a cache: "
            "deleting the folder is safe)"
        ) from e


def remove_older_snapshots(path: Path) -> None:
    """Delete the snapshots of the graph other than ``path``."""
    for old in path.parent.glob(f"*{SUFFIX}"):
        if old != path:
            with contextlib.suppress(FileNotFoundError):  # another process removed it first
                old.unlink()


def snapshot_rows(system: TechnosphereSystem, rows: TechnosphereRows) -> SnapshotRows:
    """The link and elementary rows of ``system`` by position (solver.snapshot.SnapshotRows)."""
    flows = {f: i for i, f in enumerate(system.flow_ids)}
    links, elem = rows.links, rows.elementary
    return SnapshotRows(
        link_consumers=_positions(system.process_index, links.consumers),
        link_providers=_positions(system.process_index, links.providers),
        link_amounts=np.asarray(links.amounts, dtype=np.float64),
        link_is_input=np.asarray(links.is_input, dtype=bool),
        link_is_avoided=np.asarray(links.is_avoided, dtype=bool),
        elementary_processes=_positions(system.process_index, elem.processes),
        elementary_flows=_positions(flows, elem.flows),
        elementary_amounts=np.asarray(elem.amounts, dtype=np.float64),
    )


def _positions(index: Mapping[str, int], ids: Sequence[str]) -> npt.NDArray[np.int64]:
    return np.fromiter(map(index.__getitem__, ids), dtype=np.int64, count=len(ids))


# --- the cache ------------------------------------------------------------------------------

class CalculationCache:
    """Factorisations (solver.FactorisationCache) and metadata of recent graph versions."""

    def __init__(self, capacity: int = 2, backend: str | None = None, *, snapshots: bool = True) -> None:
        self.factorisations = FactorisationCache(capacity, backend)
        self.snapshots = snapshots
        self._meta: dict[int, VersionMeta] = {}
        self.lock = threading.RLock()  # one calculation or load at a time per store

    def load(self, store: GraphStore, progress: Progress | None = None) -> Loaded:
        """The current version's matrices and factorisation: from memory, the snapshot or the graph."""
        say = progress or (lambda _message: None)
        with self.lock:
            identity = read_identity(store)
            if identity.version in self.factorisations and identity.version in self._meta:
                solved = self.factorisations.fetch(identity.version, _never)
                return Loaded(solved, self._meta[identity.version], "memory")
            start = time.perf_counter()
            found = load_snapshot(store, identity) if self.snapshots else None
            build_s = snapshot_s = 0.0
            if found is not None:
                source, (system, meta) = "snapshot", found
                read_s = time.perf_counter() - start
            else:
                say("reading the technosphere from the graph")
                with collection_paused():  # 600,000 rows of small objects: see lcagraph/collector.py
                    source, rows = "graph", read_technosphere(store)
                    read_s = time.perf_counter() - start
                    identity = GraphIdentity(rows.graph_version, identity.uid)
                    start = time.perf_counter()
                    system = system_from_rows(rows)
                meta = VersionMeta(tuple(rows.processes.databases), rows.factors.category_methods,
                                   rows.factors.category_units)
                build_s = time.perf_counter() - start
                start = time.perf_counter()
                if self.snapshots:
                    save_snapshot(store, identity, system, meta, rows)
                snapshot_s = time.perf_counter() - start
            say(f"factorising the technosphere ({system.size:,} processes)")
            start = time.perf_counter()
            solved = self.factorisations.fetch(identity.version, lambda: system)
            factorise_s = time.perf_counter() - start
            self._meta = {v: m for v, m in self._meta.items() if v in self.factorisations}
            self._meta[identity.version] = meta
            return Loaded(solved, meta, source, read_s=read_s, build_s=build_s, factorise_s=factorise_s,
                          snapshot_s=snapshot_s)


def _never() -> TechnosphereSystem:
    raise AssertionError("the cache held this version a moment ago")


_CACHES: weakref.WeakKeyDictionary[GraphStore, CalculationCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def calculation_cache(store: GraphStore) -> CalculationCache:
    """The cache of this store object (one per store per process: an API server keeps its own)."""
    with _CACHES_LOCK:
        cache = _CACHES.get(store)
        if cache is None:
            cache = _CACHES[store] = CalculationCache(backend=load_settings().solver_backend or None)
        return cache
