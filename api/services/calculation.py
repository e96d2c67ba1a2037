"""Calculations on the graph: read (graph/technosphere.py) → build and solve (solver/) → write back
(graph/results.py). Used by ``lcagraph calculate`` / ``lcagraph footprint``, the ``calculate``
mutation, the API's on-demand refresh of stale results and ``lcagraph demo``.

- :func:`calculate`: direct and total per unit of reference product of every process, for every
  impact category (or the ones named), written as Result nodes tagged with the graph version.
- :func:`ensure_results`: the same for one category, only when its results are missing or stale.
- :func:`with_fresh_results`: run a read that needs fresh results; where they are missing or
  stale, refresh them on demand (once per graph version) and run it again. Every interface that
  refreshes (tree, viewer, GraphQL ``refresh: true``, footprint) goes through it.
- api/services/footprint.py builds ``lcagraph footprint`` on the same cache.

The matrices and their factorisation are kept per store and graph version
(:func:`calculation_cache`), so a server factorises A once per version.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from graph import browse
from graph.results import CategoryResults, result_coverage, write_results
from graph.store import GraphStore
from graph.technosphere import TechnosphereRows, read_technosphere
from lcagraph.config import load_settings
from lcagraph.errors import NodeNotFound, StaleResult
from solver import (
    ElementaryTable,
    FactorisationCache,
    FactorTable,
    LinkTable,
    ProcessTable,
    SolvedVersion,
    TechnosphereSystem,
    build_system,
    compute_intensities,
    measure_layer_identity,
)

FloatArray = npt.NDArray[np.float64]
T = TypeVar("T")
Progress = Callable[[str], None]
SHOWN_NEGATIVE = 10  # processes with a negative scaling factor named in a footprint


# --- the factorisation of each graph version, per store -------------------------------------

@dataclass(frozen=True)
class Loaded:
    """A graph version's system and factorisation with what the rows said beyond the matrices."""

    solved: SolvedVersion
    databases: tuple[str, ...]  # per process, as system.process_ids
    methods: dict[str, str]  # category -> method id
    units: dict[str, str]  # category -> impact unit
    read_s: float = 0.0
    build_s: float = 0.0
    factorise_s: float = 0.0
    cached: bool = False

    @property
    def system(self) -> TechnosphereSystem:
        return self.solved.system

    @property
    def graph_version(self) -> int:
        return self.solved.graph_version


class CalculationCache:
    """Factorisations (solver.FactorisationCache) and row metadata of recent graph versions."""

    def __init__(self, capacity: int = 2, backend: str | None = None) -> None:
        self.factorisations = FactorisationCache(capacity, backend)
        self._meta: dict[int, tuple[tuple[str, ...], dict[str, str], dict[str, str]]] = {}
        self.lock = threading.RLock()  # one calculation or load at a time per store

    def load(self, store: GraphStore) -> Loaded:
        """The current version's matrices and factorisation: from the cache, else read and factorise."""
        with self.lock:
            version = store.graph_version()
            if version in self.factorisations and version in self._meta:
                solved = self.factorisations.fetch(version, _never)
                return Loaded(solved, *self._meta[version], cached=True)
            start = time.perf_counter()
            rows = read_technosphere(store)
            read_s = time.perf_counter() - start
            start = time.perf_counter()
            system = system_from_rows(rows)
            build_s = time.perf_counter() - start
            start = time.perf_counter()
            solved = self.factorisations.fetch(rows.graph_version, lambda: system)
            factorise_s = time.perf_counter() - start
            factors = rows.factors
            meta = (tuple(rows.processes.databases), factors.category_methods, factors.category_units)
            self._meta = {v: m for v, m in self._meta.items() if v in self.factorisations}
            self._meta[rows.graph_version] = meta
            return Loaded(solved, *meta, read_s=read_s, build_s=build_s, factorise_s=factorise_s)


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


# --- calculate --------------------------------------------------------------------------------

@dataclass(frozen=True)
class CategorySummary:
    """One category's solve: worst-case numbers over all processes."""

    id: str
    method: str
    unit: str
    residual: float  # ||A^T λ - q|| / ||q||
    backward_error: float  # componentwise omega
    identity_gap: float  # max relative |total - direct - Σ children| over processes
    negative_totals: int
    negative_contributions: int
    results: int  # Result nodes written


@dataclass(frozen=True)
class CalculationReport:
    """What ``lcagraph calculate`` did, with timings in seconds."""

    graph_version: int
    processes: int
    links: int
    elementary_exchanges: int
    cutoffs: int
    uncharacterised: int
    backend: str
    categories: tuple[CategorySummary, ...]
    factorisation_cached: bool
    read_s: float
    build_s: float
    factorise_s: float
    solve_s: float
    write_s: float

    @property
    def residual(self) -> float:
        return max((c.residual for c in self.categories), default=0.0)

    @property
    def backward_error(self) -> float:
        return max((c.backward_error for c in self.categories), default=0.0)


def resolve_categories(store: GraphStore, method: str | None) -> list[browse.Category]:
    """Every category (``method`` None) or the one ``method`` names: a category id or name, or
    a method id or name with one category (e.g. ``ipcc-ar6-gwp100``)."""
    categories = browse.read_categories(store)
    if method is None:
        if not categories:
            raise NodeNotFound("no impact method is in the graph: import a database first "
                               "(every import brings the built-in IPCC AR6 GWP100)")
        return categories
    return [browse.resolve_category(categories, method)]


def calculate_method(
    store: GraphStore, method: str | None = None, *, progress: Progress | None = None,
) -> CalculationReport:
    """:func:`calculate` for every category, or the one ``method`` names (see resolve_categories)."""
    return calculate(store, [c.id for c in resolve_categories(store, method)], progress=progress)


def calculate(
    store: GraphStore, categories: Sequence[str] | None = None, *, progress: Progress | None = None,
    cache: CalculationCache | None = None,
) -> CalculationReport:
    """Solve every process for ``categories`` (ids; all when None) and write the Result nodes.

    Raises SingularTechnosphere (naming processes), NonFiniteResult, NodeNotFound (an unknown
    category)."""
    say = progress or (lambda _message: None)
    cache = cache or calculation_cache(store)
    with cache.lock:
        say("reading the graph and factorising")
        loaded = cache.load(store)
        system = loaded.system
        wanted = list(system.category_ids) if categories is None else list(categories)
        unknown = [c for c in wanted if c not in system.category_ids]
        if unknown:
            raise NodeNotFound(f"impact category {unknown[0]!r} is not in the graph; "
                               f"use one of {', '.join(system.category_ids[:12])}")
        say(f"solving {system.size:,} processes for {len(wanted)} categories")
        start = time.perf_counter()
        subset = with_categories(system, wanted)
        intensities = compute_intensities(subset, loaded.solved.factorisation)
        gaps = measure_layer_identity(subset, intensities) if subset.size else np.zeros((0, len(wanted)))
        solve_s = time.perf_counter() - start
        start = time.perf_counter()
        summaries = []
        for c, category in enumerate(wanted):
            method, unit = loaded.methods.get(category, ""), loaded.units.get(category, "")
            say(f"writing {system.size:,} results of {category}")
            written = write_results(store, CategoryResults(
                category=category, method=method, unit=unit,
                graph_version=loaded.graph_version, residual=float(intensities.residuals[c]),
                process_ids=system.process_ids, direct=intensities.direct[:, c].tolist(),
                total=intensities.total[:, c].tolist(),
            ))
            summaries.append(CategorySummary(
                id=category, method=method, unit=unit, residual=float(intensities.residuals[c]),
                backward_error=float(intensities.backward_errors[c]),
                identity_gap=float(gaps[:, c].max(initial=0.0)),
                negative_totals=int(intensities.negative_totals[c]),
                negative_contributions=int(intensities.negative_contributions[c]), results=written,
            ))
        write_s = time.perf_counter() - start
    return CalculationReport(
        graph_version=loaded.graph_version, processes=system.size, links=_links(system),
        elementary_exchanges=int(system.B.nnz), cutoffs=system.cutoff_count,
        uncharacterised=system.uncharacterised, backend=loaded.solved.factorisation.backend,
        categories=tuple(summaries), factorisation_cached=loaded.cached, read_s=loaded.read_s,
        build_s=loaded.build_s, factorise_s=loaded.factorise_s, solve_s=solve_s, write_s=write_s,
    )


def with_categories(system: TechnosphereSystem, wanted: Sequence[str]) -> TechnosphereSystem:
    if list(wanted) == list(system.category_ids):
        return system
    rows = [system.category_ids.index(c) for c in wanted]
    return dataclasses.replace(system, category_ids=tuple(wanted), C=system.C[rows])


def _links(system: TechnosphereSystem) -> int:
    """Off-diagonal entries of A (supply links, summed per provider and consumer)."""
    return int(system.A.nnz - np.count_nonzero(system.A.diagonal()))


def ensure_results(
    store: GraphStore, category: str | None = None, *, cache: CalculationCache | None = None,
    progress: Progress | None = None,
) -> CalculationReport | None:
    """Calculate ``category`` (default: the built-in IPCC AR6 GWP100, see graph.browse) when any
    process lacks a result of the current graph version; None when all were fresh. Concurrent
    callers wait for one calculation (the second finds the results fresh)."""
    chosen = browse.resolve_category(browse.read_categories(store), category).id
    cache = cache or calculation_cache(store)
    if result_coverage(store, chosen).complete:
        return None
    with cache.lock:
        if result_coverage(store, chosen).complete:
            return None
        return calculate(store, [chosen], progress=progress, cache=cache)



def with_fresh_results(
    store: GraphStore, category: str, read: Callable[[], T], *, refresh: bool = True,
    cache: CalculationCache | None = None, progress: Progress | None = None,
) -> T:
    """``read()``; where it raises StaleResult and ``refresh`` is set, calculate ``category`` (id)
    first (:func:`ensure_results`: once per graph version) and read again."""
    try:
        return read()
    except StaleResult:
        if not refresh:
            raise
    ensure_results(store, category, cache=cache, progress=progress)
    return read()
