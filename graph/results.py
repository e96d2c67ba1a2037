"""The result cache on the graph: ``(:Process)-[:HAS_RESULT]->(:Result)`` (docs/graph-model.md).

One Result per process and impact category, per unit of the process's reference product (in its
flow's reference unit): ``id`` = ``'<process>|<category>'`` (graph.tree_source.result_id),
``process``, ``category``, ``method``, ``unit`` (of the impact), ``direct``, ``total``,
``graph_version`` (the version the numbers were solved on) and ``residual`` (the relative
residual of that category's solve). A result whose ``graph_version`` is not the graph's version
is stale. Cache writes are batched, outside units of work, and do not bump the version.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from graph import queries as q
from graph.store import GraphStore, Row
from graph.tree_records import reference_scale
from graph.tree_source import result_id

#: Rows per statement of the write-back (bench/bench_calculate.py: MERGE in 5,000s was fastest;
#: delete + CREATE was no faster and leaves a moment without results).
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


def result_rows(results: CategoryResults) -> list[dict[str, object]]:
    """The rows UPSERT_RESULTS takes."""
    c = results
    return [
        {"id": result_id(pid, c.category), "process": pid, "category": c.category, "method": c.method,
         "unit": c.unit, "direct": float(d), "total": float(t), "graph_version": c.graph_version,
         "residual": float(c.residual)}
        for pid, d, t in zip(c.process_ids, c.direct, c.total, strict=True)
    ]


def write_results(
    store: GraphStore, results: CategoryResults | Sequence[CategoryResults], batch_size: int = BATCH_SIZE,
    *, progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write (or overwrite) the Result nodes of one category or of several (every category of a
    calculation, one stream of batches); returns the rows written. ``progress(written, total)``
    is called after each batch.

    A batch first overwrites the numbers of the Results that exist (UPDATE_RESULT_VALUES: a
    recalculation finds all of them); where some are missing (READ_MISSING_RESULTS), those are
    upserted (UPSERT_RESULTS, MERGE on the Result id: idempotent under concurrent writers). Older
    results are replaced in place, so readers never see a category without results."""
    categories = [results] if isinstance(results, CategoryResults) else list(results)
    total = sum(len(c.process_ids) for c in categories)
    written = 0
    for category in categories:
        for start in range(0, len(category.process_ids), batch_size):
            written += _write_batch(store, category, start, start + batch_size)
            if progress is not None:
                progress(written, total)
    return written


def _write_batch(store: GraphStore, c: CategoryResults, start: int, stop: int) -> int:
    ids = [result_id(pid, c.category) for pid in c.process_ids[start:stop]]
    values = [[i, float(d), float(t)] for i, d, t in zip(ids, c.direct[start:stop], c.total[start:stop],
                                                           strict=True)]
    params = {"rows": values, "graph_version": c.graph_version, "residual": float(c.residual),
              "method": c.method, "unit": c.unit}
    found = store.write(q.UPDATE_RESULT_VALUES, params)
    if not found or int(found[0]["updated"]) < len(values):
        missing = set(store.read(q.READ_MISSING_RESULTS, {"ids": ids})[0]["missing"])
        part = CategoryResults(c.category, c.method, c.unit, c.graph_version, c.residual,
                               c.process_ids[start:stop], c.direct[start:stop], c.total[start:stop])
        rows = [row for row in result_rows(part) if row["id"] in missing]
        store.write_batches(q.UPSERT_RESULTS, rows, len(values))
    return len(values)


def result_coverage(store: GraphStore, category: str, version: int | None = None) -> Coverage:
    """Processes, and fresh Results of ``category`` at ``version`` (default: the graph's)."""
    at = store.graph_version() if version is None else version
    rows = store.read(q.COUNT_FRESH_RESULTS, {"category": category, "version": at})
    if not rows:
        return Coverage(0, 0)
    return Coverage(int(rows[0]["processes"]), int(rows[0]["fresh"]))


@dataclass(frozen=True, slots=True)
class CachedResult:
    """One Result node as read back: per unit of the process's reference product in its flow's
    reference unit; ``reference_unit`` is the dataset's own unit and ``scale`` how many flow
    units one of it is (:meth:`per_own_unit` gives direct and total per one of it)."""

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
    """Result nodes of ``processes`` for ``category``, by process id (absent where none)."""
    return {r.process: r for r in read_result_keys(store, [(p, category) for p in processes]).values()}


def read_result_keys(
    store: GraphStore, keys: Sequence[tuple[str, str]],
) -> dict[tuple[str, str], CachedResult]:
    """Result nodes by (process, category); absent where not calculated."""
    ids = [result_id(p, c) for p, c in keys]
    rows = store.read(q.READ_RESULTS_WITH_REFERENCE, {"ids": ids}) if keys else []
    return {(r.process, r.category): r for r in map(result_from_row, rows)}
