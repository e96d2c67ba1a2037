"""The result cache on the graph: ``(:Process)-[:HAS_RESULT]->(:Result)`` (docs/graph-model.md).

One Result per process (``id`` = ``process`` = the process's id) holding every calculated impact
category's numbers as lists aligned with ``categories``: ``direct``, ``total`` (per unit of the
process's reference product, in its flow's reference unit), ``graph_version`` (the version each
category's numbers were solved on), ``residual`` (the relative residual of that category's
solve), ``method`` and ``unit`` (of the impact). A category whose ``graph_version`` is not the
graph's version is stale. Cache writes are batched, outside units of work, and do not bump the
version.

Why lists and not one node per category: the engine's cost of a write-back is per node touched
and per number sent; with a node per (process, category), every category of 20,000 processes
took 7 × the one-category time (bench/bench_cold.py), with one node per process about 2 ×.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from graph import queries as q
from graph.store import GraphStore, Row
from graph.tree_records import reference_scale
from lcagraph.errors import InvalidArgument

#: Processes per statement of the write-back (bench/bench_calculate.py --alternatives: batches of
#: 2,000 to 20,000 differ by less than the machine's noise).
BATCH_SIZE = 5_000


@dataclass(frozen=True, slots=True)
class CategoryResults:
    """Per-unit results of every process for one category, solved at ``graph_version``."""

    category: str
    method: str
    unit: str
    graph_version: int
    residual: float
    process_ids: Sequence[str]
    direct: Sequence[float]
    total: Sequence[float]


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many processes the graph has, and how many have a fresh result of a category."""

    processes: int
    fresh: int

    @property
    def complete(self) -> bool:
        return self.processes > 0 and self.fresh == self.processes


def write_results(
    store: GraphStore, results: CategoryResults | Sequence[CategoryResults], batch_size: int = BATCH_SIZE,
    *, layout: Sequence[str] = (), progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the numbers of one category or of several (every category of a calculation: one
    stream of batches, one row per process) into the Results; returns the numbers written
    (processes × categories). ``progress(written, total)`` is called after each batch.

    ``layout`` is the order of every category of the graph, in which a calculation of all of them
    writes its lists: one category recalculated then goes to its place in the lists (the other
    categories' numbers stay). Results are changed in place, so readers never see a process
    without results; Results of the old one-node-per-category layout are dropped when the new
    ones are made."""
    categories = [results] if isinstance(results, CategoryResults) else list(results)
    if not categories:
        return 0
    processes = categories[0].process_ids
    if any(list(c.process_ids) != list(processes) for c in categories[1:]):
        raise InvalidArgument("the categories of one write-back must have the same processes in the "
                              "same order: write them in separate calls")
    params = _shared_params(categories, layout)
    total = len(processes) * len(categories)
    written = 0
    for start in range(0, len(processes), batch_size):
        stop = min(start + batch_size, len(processes))
        rows = [[processes[i], [float(c.direct[i]) for c in categories],
                 [float(c.total[i]) for c in categories]] for i in range(start, stop)]
        written += _write_batch(store, rows, params) * len(categories)
        if progress is not None:
            progress(written, total)
    return written


def _shared_params(categories: Sequence[CategoryResults], layout: Sequence[str]) -> dict[str, object]:
    ids = [c.category for c in categories]
    at = layout.index(ids[0]) if len(ids) == 1 and ids[0] in layout else None
    return {"categories": ids, "position": {c: i for i, c in enumerate(ids)}, "k": at,
            "graph_version": [c.graph_version for c in categories],
            "residual": [float(c.residual) for c in categories],
            "method": [c.method for c in categories], "unit": [c.unit for c in categories]}


def _write_batch(store: GraphStore, rows: Sequence[list[Any]], params: dict[str, object]) -> int:
    """First the fast path (all lists as given, or one category at its place), then new Results,
    then the Results whose categories differ from the lists' (merged)."""
    first = q.WRITE_RESULT_LISTS if params["k"] is None else q.WRITE_RESULT_AT
    done = _updated(store.write(first, {**params, "rows": rows}))
    if done == len(rows):
        return done
    missing = set(store.read(q.READ_MISSING_RESULTS, {"ids": [row[0] for row in rows]})[0]["missing"])
    if missing:
        # New Results are made only here, so the old layout's nodes are dropped here too (once
        # after an upgrade: their ids '<process>|<category>' never match these), not per calculation.
        store.write(q.DELETE_RESULTS_OF_OLD_LAYOUT)
        store.write(q.CREATE_EMPTY_RESULTS, {"ids": sorted(missing)})
        new = [row for row in rows if row[0] in missing]
        done += _updated(store.write(q.WRITE_RESULT_LISTS, {**params, "rows": new}))
    if done < len(rows):
        old = [row for row in rows if row[0] not in missing]
        done += _updated(store.write(q.MERGE_RESULT_LISTS, {**params, "rows": old}))
    return done


def _updated(rows: list[Row]) -> int:
    return int(rows[0]["updated"]) if rows else 0


def result_coverage(store: GraphStore, category: str, version: int | None = None) -> Coverage:
    """Processes, and fresh Results of ``category`` at ``version`` (default: the graph's)."""
    at = store.graph_version() if version is None else version
    rows = store.read(q.COUNT_FRESH_RESULTS, {"category": category, "version": at})
    if not rows:
        return Coverage(0, 0)
    return Coverage(int(rows[0]["processes"]), int(rows[0]["fresh"]))


@dataclass(frozen=True, slots=True)
class CachedResult:
    """One category's numbers of a Result as read back: per unit of the process's reference
    product in its flow's reference unit; ``reference_unit`` is the dataset's own unit and
    ``scale`` how many flow units one of it is (:meth:`per_own_unit` gives direct and total per
    one of it)."""

    process: str
    category: str
    method: str
    unit: str
    direct: float
    total: float
    graph_version: int
    residual: float | None
    reference_unit: str = ""
    scale: float = 1.0

    def per_own_unit(self) -> tuple[float, float]:
        """(direct, total) per one of the dataset's own reference unit (per kWh, not per MJ)."""
        return self.direct * self.scale, self.total * self.scale


def result_from_row(r: Row) -> CachedResult:
    """The one mapping of a READ_RESULTS_WITH_REFERENCE row to its record."""
    return CachedResult(
        process=str(r["process"]), category=str(r["category"]), method=str(r["method"] or ""),
        unit=str(r["unit"] or ""), direct=float(r["direct"]), total=float(r["total"]),
        graph_version=int(r["graph_version"]),
        residual=None if r["residual"] is None else float(r["residual"]),
        reference_unit=str(r["own_unit"] or ""), scale=reference_scale(r["ref_amount_ref"], r["own_amount"]),
    )


def read_results(store: GraphStore, processes: Sequence[str], category: str) -> dict[str, CachedResult]:
    """Results of ``processes`` for ``category``, by process id (absent where none)."""
    return {r.process: r for r in read_result_keys(store, [(p, category) for p in processes]).values()}


def read_result_keys(
    store: GraphStore, keys: Sequence[tuple[str, str]],
) -> dict[tuple[str, str], CachedResult]:
    """Results by (process, category); absent where not calculated."""
    pairs = [[p, c] for p, c in keys]
    rows = store.read(q.READ_RESULTS_WITH_REFERENCE, {"keys": pairs}) if keys else []
    return {(r.process, r.category): r for r in map(result_from_row, rows)}
