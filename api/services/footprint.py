"""The footprint of one amount of one process (``lcagraph footprint``, GraphQL ``footprint``): total
and direct (from the Result cache when it is current, else calculated and written back first),
and its contributions per elementary flow and per database from the inventory g = B s of
s = A⁻¹f (the factorisation of api/services/calculation.py). Read model: readmodels.Footprint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from api.services.calculation import (
    SHOWN_NEGATIVE,
    CalculationCache,
    Progress,
    calculation_cache,
    with_fresh_results,
)
from api.services.quality import node_quality
from api.services.readmodels import DatabaseContribution, FlowContribution, Footprint
from graph import browse
from graph.results import CachedResult, read_results
from graph.store import GraphStore
from graph.tree_records import MAX_AMOUNT, in_own_unit, reference_scale
from lcagraph.errors import InvalidArgument, StaleResult, process_not_found
from solver import TechnosphereSystem, solve_inventory

FloatArray = npt.NDArray[np.float64]

def footprint(
    store: GraphStore, process_id: str, amount: float | None = None, method: str | None = None, *,
    refresh: bool = True, cache: CalculationCache | None = None, progress: Progress | None = None,
) -> Footprint:
    """The footprint of ``amount`` (default: the dataset's reference amount; in the dataset's own
    reference unit, e.g. kWh where the flow's unit is MJ) of a process. Total and direct come from
    the Result cache when it is current (``from_cache``); otherwise, with ``refresh``, the category
    is calculated for every process and written back first (else StaleResult). Contributions come
    from the inventory of this demand.

    Its accuracy is the relative residual ||A s - f|| / ||f||. The componentwise backward error
    of ``calculate`` is not reported here: a supply chain leaves most scaling factors s_j exactly 0,
    rounding makes them ~1e-30, and in such a row |r_i| = (|A||s|)_i, so that measure is 1 whatever
    the accuracy. ``calculate`` reports it for the cached totals, where it is meaningful."""
    if amount is not None and not np.isfinite(amount):
        raise InvalidArgument(f"--amount {amount!r} is not a finite number")
    if amount is not None and abs(amount) > MAX_AMOUNT:
        raise InvalidArgument(f"--amount {amount!r} is out of range: give a number of at most {MAX_AMOUNT:g}")
    category = browse.resolve_category(browse.read_categories(store), method)
    info = browse.read_processes(store, [process_id]).get(process_id)
    if info is None:
        raise process_not_found(process_id)
    cache = cache or calculation_cache(store)
    with cache.lock:
        stored = read_results(store, [process_id], category.id).get(process_id)
        from_cache = stored is not None and stored.graph_version == store.graph_version()
        if not from_cache:
            stored = with_fresh_results(
                store, category.id, lambda: _fresh_result(store, process_id, category.id), refresh=refresh,
                cache=cache, progress=progress)
        assert stored is not None
        loaded = cache.load(store, progress)
        system = loaded.system
        j = system.index_of(process_id)
        ref = float(system.reference_amounts[j])
        size = abs(ref) if amount is None else float(amount) * reference_scale(ref, info.ref_amount)
        inventory = solve_inventory(system, loaded.solved.factorisation, {process_id: size})
        figures = node_quality(store, process_id, category.id, cache=cache).scaled(size)
    c = system.category_ids.index(category.id)
    factors = np.asarray(system.C[c].toarray()).ravel()
    flows = _by_flow(store, system, inventory.inventory, factors)
    direct_per_process = np.asarray(system.B.T @ factors).ravel() * inventory.supply
    chain = np.flatnonzero(inventory.supply)
    return Footprint(
        process=process_id, name=info.name, database=loaded.databases[j],
        amount=in_own_unit(size, ref, info.ref_amount),
        unit=info.ref_unit or _flow_unit(store, info.ref_flow), category=category.id,
        category_name=category.name, method=category.method, impact_unit=category.unit,
        total=size * stored.total, direct=size * stored.direct, graph_version=loaded.graph_version,
        from_cache=from_cache,
        by_flow=flows, by_database=_by_database(loaded.databases, direct_per_process, chain),
        residual=inventory.residual,
        cutoffs=int(system.cutoffs[chain].sum()),
        negative_scaling=inventory.negative_scaling[:SHOWN_NEGATIVE],
        negative_scaling_count=len(inventory.negative_scaling), backend=inventory.backend,
        completeness=replace(figures.completeness, reference_set=bool(info.ref_flow)),
        quality=figures.quality, uncertainty=figures.uncertainty,
        amount_ref=size, unit_ref=_flow_unit(store, info.ref_flow) or info.ref_unit,
    )


def _fresh_result(store: GraphStore, process_id: str, category: str) -> CachedResult:
    """The Result of a process at the graph's version (StaleResult where missing or older)."""
    stored = read_results(store, [process_id], category).get(process_id)
    version = store.graph_version()
    if stored is None or stored.graph_version != version:
        raise StaleResult(
            f"no current result for process {process_id!r} and category {category!r} (graph version "
            f"{version}): run `lcagraph calculate` (or the calculate mutation), or ask with refresh"
        )
    return stored


def _by_flow(
    store: GraphStore, system: TechnosphereSystem, inventory: FloatArray, factors: FloatArray,
) -> tuple[FlowContribution, ...]:
    impact = inventory * factors
    order = [int(i) for i in np.argsort(-np.abs(impact), kind="stable") if impact[i] != 0.0]
    ids = [system.flow_ids[i] for i in order]
    known = browse.read_flows(store, ids)
    out = []
    for i, fid in zip(order, ids, strict=True):
        flow = known.get(fid)
        out.append(FlowContribution(
            flow=fid, name=flow.name if flow else "", compartment="/".join(flow.compartment) if flow else "",
            unit=flow.unit if flow else "", amount=float(inventory[i]), factor=float(factors[i]),
            impact=float(impact[i]),
        ))
    return tuple(out)


def _by_database(
    databases: Sequence[str], direct: FloatArray, chain: npt.NDArray[np.intp],
) -> tuple[DatabaseContribution, ...]:
    """Direct impacts of the supply chain's processes (s_j != 0), summed per database."""
    sums: dict[str, list[float]] = {}
    for j in chain:
        sums.setdefault(databases[j], []).append(float(direct[j]))
    rows = [DatabaseContribution(db, float(np.sum(values)), len(values)) for db, values in sums.items()]
    return tuple(sorted(rows, key=lambda r: (-abs(r.impact), r.database)))


def _flow_unit(store: GraphStore, ref_flow: str | None) -> str:
    """The reference flow's unit, for a dataset that gives no unit with its reference exchange."""
    flow = browse.read_flows(store, [ref_flow]).get(ref_flow) if ref_flow else None
    return flow.unit if flow is not None else ""
