"""Monte Carlo of one node (``lcagraph montecarlo``, GraphQL ``monteCarlo``): ``runs`` samples of
the total of one reference amount of a process, from the same distributions as the analytic
uncertainty (api/services/quality.py), which it is shown next to. Read model: MonteCarloSummary."""

from __future__ import annotations

from collections.abc import Callable

from api.services.calculation import calculation_cache
from api.services.quality import quality_table
from api.services.readmodels import MonteCarloSummary
from graph import browse
from graph.store import GraphStore
from lcagraph.errors import InvalidArgument, NodeNotFound
from solver import run_monte_carlo

MAX_RUNS = 100_000
Progress = Callable[[int, int], None]  # (runs done, runs asked)


def monte_carlo(
    store: GraphStore, process_id: str, *, runs: int = 1000, seed: int = 0, method: str | None = None,
    progress: Progress | None = None,
) -> MonteCarloSummary:
    """Sample the total of one reference amount of ``process_id`` (NodeNotFound, InvalidArgument)."""
    if not 2 <= runs <= MAX_RUNS:
        raise InvalidArgument(f"--runs {runs}: give 2 to {MAX_RUNS:,} runs")
    category = browse.resolve_category(browse.read_categories(store), method)
    cache = calculation_cache(store)
    with cache.lock:
        table = quality_table(store, category.id, cache=cache)
    analytic = table.nodes.get(process_id)
    if analytic is None:
        raise NodeNotFound(f"process {process_id!r} is not in the graph")
    system = table.system
    amount = abs(float(system.reference_amounts[system.index_of(process_id)]))
    result = run_monte_carlo(system, table.uncertainty, {process_id: amount}, runs=runs, seed=seed,
                             progress=progress)
    return MonteCarloSummary(
        process=process_id, category=category.id, impact_unit=category.unit, amount=amount,
        graph_version=table.graph_version, runs=result.runs, seed=result.seed, backend=result.backend,
        deterministic=result.deterministic, mean=result.mean, median=result.median, sd=result.sd,
        low=result.percentiles[2.5], high=result.percentiles[97.5], gsd2=result.gsd2,
        analytic=analytic.scaled(amount).uncertainty,
    )
