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
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from api.services.matrices import CalculationCache, Loaded, calculation_cache, system_from_rows
from graph import browse
from graph.results import CategoryResults, result_coverage, write_results
from graph.store import GraphStore
from lcagraph.errors import NodeNotFound, StaleResult
from solver import Intensities, TechnosphereSystem, compute_intensities, measure_layer_identity

__all__ = [
    "CalculationCache", "CalculationReport", "CategorySummary", "calculate", "calculate_method",
    "calculation_cache", "ensure_results", "resolve_categories", "system_from_rows", "with_fresh_results",
]
FloatArray = npt.NDArray[np.float64]
T = TypeVar("T")
Progress = Callable[[str], None]
SHOWN_NEGATIVE = 10  # processes with a negative scaling factor named in a footprint


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
    matrices_from: str  # "memory", "snapshot" (the matrix file of this version) or "graph"
    read_s: float  # the graph read, or the snapshot load
    build_s: float
    snapshot_s: float  # writing the snapshot after a graph read
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
        loaded = cache.load(store, say)
        system = loaded.system
        wanted = list(system.category_ids) if categories is None else list(categories)
        unknown = [c for c in wanted if c not in system.category_ids]
        if unknown:
            raise NodeNotFound(f"impact category {unknown[0]!r} is not in the graph; "
                               f"use one of {', '.join(system.category_ids[:12])}")
        say(f"solving {system.size:,} processes × {len(wanted)} categories (one multi-right-hand-side solve)")
        start = time.perf_counter()
        subset = with_categories(system, wanted)
        intensities = compute_intensities(subset, loaded.solved.factorisation)
        gaps = measure_layer_identity(subset, intensities) if subset.size else np.zeros((0, len(wanted)))
        solve_s = time.perf_counter() - start
        start = time.perf_counter()
        results = [_category_results(loaded, intensities, c, category) for c, category in enumerate(wanted)]
        write_results(store, results, layout=system.category_ids,
                      progress=lambda done, total: say(f"writing results {done:,}/{total:,}"))
        write_s = time.perf_counter() - start
    summaries = tuple(CategorySummary(
        id=r.category, method=r.method, unit=r.unit, residual=r.residual,
        backward_error=float(intensities.backward_errors[c]), identity_gap=float(gaps[:, c].max(initial=0.0)),
        negative_totals=int(intensities.negative_totals[c]),
        negative_contributions=int(intensities.negative_contributions[c]), results=len(r.process_ids),
    ) for c, r in enumerate(results))
    return CalculationReport(
        graph_version=loaded.graph_version, processes=system.size, links=_links(system),
        elementary_exchanges=int(system.B.nnz), cutoffs=system.cutoff_count,
        uncharacterised=system.uncharacterised, backend=loaded.solved.factorisation.backend,
        categories=summaries, factorisation_cached=loaded.cached, matrices_from=loaded.source,
        read_s=loaded.read_s, build_s=loaded.build_s, snapshot_s=loaded.snapshot_s,
        factorise_s=loaded.factorise_s, solve_s=solve_s, write_s=write_s,
    )


def _category_results(loaded: Loaded, intensities: Intensities, c: int, category: str) -> CategoryResults:
    return CategoryResults(
        category=category, method=loaded.meta.methods.get(category, ""),
        unit=loaded.meta.units.get(category, ""),
        graph_version=loaded.graph_version, residual=float(intensities.residuals[c]),
        process_ids=loaded.system.process_ids, direct=intensities.direct[:, c].tolist(),
        total=intensities.total[:, c].tolist(),
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
