"""Accuracy and completeness of every process's total (issue 12), once per graph version and
impact category, kept in memory next to the factorisation (:func:`quality_table`).

- uncertainty: each link and elementary cell gets its given distribution, else a lognormal from
  its pedigree entry plus the basic uncertainty (the graph stores none per exchange: the
  ecoinvent default for demand, solver.pedigree.DEFAULT_BASIC, applies to every cell); first-order
  propagation (solver.uncertainty) gives GSD² and the 95 % interval of every total;
- quality: per-process DQR (api/services/quality_inputs.py; none -> "no data", USLCI FY17),
  contribution-weighted up the tree (solver.quality.aggregate_dqr);
- completeness: per process its link states (graph/data_quality.py) and, for a climate
  category, the emitted greenhouse gases without a factor (api/services/coverage.py); coverage
  is the share of the total from sub-trees without unlinked exchanges or such gases. Declared
  cut-offs (USLCI "CUTOFF ..." flows) are deliberate and do not lower the coverage.

The multipliers, DQRs and link states do not depend on the category: they are the quality
section of the version's matrix snapshot (api/services/quality_inputs.py), read from the graph
once for a snapshot without one and carried on by every later import inside its unit of work.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from api.services.calculation import CalculationCache, calculation_cache, with_categories
from api.services.coverage import find_missed_greenhouse_gases, is_climate_category
from api.services.matrices import Loaded, load_quality, save_snapshot, snapshot_rows
from api.services.quality_inputs import read_quality_inputs
from api.services.readmodels import Completeness, NodeQuality, QualityScore, UncertaintyRange
from graph.snapshot_location import read_identity
from graph.store import GraphStore
from graph.technosphere import read_technosphere
from lcagraph.collector import collection_paused
from lcagraph.errors import NodeNotFound, StoreBusy
from solver import (
    ElementaryTable,
    LinkTable,
    ProcessTable,
    SystemUncertainty,
    TechnosphereSystem,
    aggregate_dqr,
    compute_coverage,
    compute_intensities,
    find_complete_subtrees,
    find_incomplete_processes,
    place_table_uncertainty,
    propagate_uncertainty,
)
from solver.snapshot import SnapshotQuality, SnapshotRows

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class QualityTable:
    """Per process (per unit of reference product) of one graph version and category."""

    graph_version: int
    category: str
    nodes: dict[str, NodeQuality]
    system: TechnosphereSystem  # of this one category (Monte Carlo samples it)
    uncertainty: SystemUncertainty


# Per calculation cache: the tables of the current graph version, by category (older versions dropped).
_TABLES: weakref.WeakKeyDictionary[CalculationCache, dict[str, QualityTable]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def quality_table(
    store: GraphStore, category: str, *, cache: CalculationCache | None = None, fresh: bool = False,
) -> QualityTable:
    """The figures of every process for ``category`` (id) at the current graph version: from
    memory, else (or with ``fresh``) computed: one re-read of the technosphere, one propagation."""
    cache = cache or calculation_cache(store)
    with cache.lock:
        version = store.graph_version()
        with _LOCK:
            kept = _TABLES.get(cache, {}).get(category)
        if kept is not None and kept.graph_version == version and not fresh:
            return kept
        table = _compute(store, category, cache)
        with _LOCK:
            kept_now = _TABLES.get(cache, {}).items()
            current = {c: t for c, t in kept_now if t.graph_version == table.graph_version}
            _TABLES[cache] = current | {category: table}
        return table


def node_quality(store: GraphStore, process: str, category: str, *,
                 cache: CalculationCache | None = None) -> NodeQuality:
    """One process's figures per unit of reference product."""
    found = quality_table(store, category, cache=cache).nodes.get(process)
    if found is None:
        raise NodeNotFound(f"process {process!r} is not in the graph")
    return found


def _compute(store: GraphStore, category: str, cache: CalculationCache) -> QualityTable:
    loaded = cache.load(store)
    system = loaded.system
    if category not in system.category_ids:
        raise NodeNotFound(f"impact category {category!r} is not in the graph")
    rows, inputs = _quality_inputs(store, loaded, cache.snapshots)
    subset = with_categories(system, [category])
    factorisation = loaded.solved.factorisation
    uncertainty = place_table_uncertainty(subset, *_tables(subset, rows), inputs.links, inputs.elementary)
    intensities = compute_intensities(subset, factorisation)
    spread = propagate_uncertainty(subset, factorisation, intensities, uncertainty)
    rating = aggregate_dqr(subset, factorisation, inputs.process_dqr)
    missed = _missed_flows(store, category, subset.flow_ids)
    completeness = _completeness(subset, inputs.process_links, missed)
    unlinked = np.array([c.unlinked for c in completeness], dtype=np.int64)
    complete = find_complete_subtrees(subset, find_incomplete_processes(subset, unlinked, missed))
    coverage = np.minimum(compute_coverage(subset, factorisation, complete), _linked_share(completeness))
    nodes = {}
    for j, pid in enumerate(subset.process_ids):
        node_dqr = float(rating.dqr[j])
        nodes[pid] = NodeQuality(
            process=pid, graph_version=loaded.graph_version,
            quality=QualityScore(node_dqr if np.isfinite(node_dqr) else None, rating.rating[j],
                                 _finite(rating.without_data[j], 1.0)),
            uncertainty=UncertaintyRange(float(spread.gsd2[j]), float(spread.low[j]), float(spread.high[j]),
                                         spread.method),
            completeness=_with_coverage(completeness[j], coverage[j]),
        )
    return QualityTable(loaded.graph_version, category, nodes, subset, uncertainty)


def _quality_inputs(
    store: GraphStore, loaded: Loaded, snapshots: bool,
) -> tuple[SnapshotRows, SnapshotQuality]:
    """The rows and quality section of the loaded version: from its snapshot, else read from the
    graph (and written into the snapshot, so that the next start and the next import have it)."""
    identity = read_identity(store)
    if identity.version != loaded.graph_version:
        raise StoreBusy("the graph changed while its data quality was read (imports are running); try again")
    found = load_quality(store, identity, loaded.system) if snapshots else None
    if found is not None:
        return found
    with collection_paused():  # every exchange's uncertainty: see lcagraph/collector.py
        rows = read_technosphere(store)
        inputs = read_quality_inputs(store, rows.links.exchanges, rows.elementary.exchanges,
                                     loaded.system.process_ids)
    if rows.graph_version != loaded.graph_version or store.graph_version() != loaded.graph_version:
        raise StoreBusy("the graph changed while its data quality was read (imports are running); try again")
    if snapshots:
        save_snapshot(store, identity, loaded.system, loaded.meta, rows, inputs)
    return snapshot_rows(loaded.system, rows), inputs


def _tables(
    system: TechnosphereSystem, rows: SnapshotRows,
) -> tuple[ProcessTable, LinkTable, ElementaryTable]:
    """The solver tables of the rows (reference amounts signed as in the system: no process is
    flagged an input, which builds the same cells)."""
    ids, flows = np.array(system.process_ids, dtype=object), np.array(system.flow_ids, dtype=object)
    return (
        ProcessTable(system.process_ids, system.reference_amounts),
        LinkTable(ids[rows.link_consumers].tolist(), ids[rows.link_providers].tolist(), rows.link_amounts,
                  rows.link_is_input, rows.link_is_avoided),
        ElementaryTable(ids[rows.elementary_processes].tolist(), flows[rows.elementary_flows].tolist(),
                        rows.elementary_amounts, np.zeros(rows.elementary_amounts.size, dtype=bool)),
    )


def _linked_share(completeness: list[Completeness]) -> FloatArray:
    """(n,) linked / (linked + unlinked) inputs of each node, by count. An unlinked input adds
    nothing to the total, so a node without direct emissions would show the coverage of its
    linked providers alone (1 when they are complete): without a proxy for the missing input's
    size, its count share caps the node's coverage (issue 12: "by count, where a proxy exists by
    mass"). Only the node itself: its consumers do not inherit the cap yet."""
    linked = np.array([c.linked for c in completeness], dtype=np.float64)
    unlinked = np.array([c.unlinked for c in completeness], dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(unlinked > 0, linked / (linked + unlinked), 1.0), dtype=np.float64)


def _finite(value: float, default: float) -> float:
    return float(value) if np.isfinite(value) else default


def _with_coverage(c: Completeness, coverage: float) -> Completeness:
    return Completeness(c.linked, c.cut_off, c.ambiguous, c.reference_set, c.unlinked, c.uncharacterised,
                        float(coverage) if np.isfinite(coverage) else None)


def _missed_flows(store: GraphStore, category: str, flow_ids: tuple[str, ...]) -> npt.NDArray[np.bool_]:
    """(F,) elementary flows that need a factor of this category and have none."""
    mask = np.zeros(len(flow_ids), dtype=bool)
    if not is_climate_category(store, category):
        return mask
    missed = {m.flow for m in find_missed_greenhouse_gases(store, category)}
    mask[[i for i, f in enumerate(flow_ids) if f in missed]] = True
    return mask


def _completeness(
    system: TechnosphereSystem, process_links: npt.NDArray[np.int64], missed: npt.NDArray[np.bool_],
) -> list[Completeness]:
    """Link states per process (columns linked, cut_off, unlinked, ambiguous); exchanges the
    technosphere read found without provider edge (linked into a database not imported: the
    system's cut-offs) beyond the stored 'unlinked' ones count as unlinked."""
    flows = np.asarray(sp.csc_matrix(system.B != 0, dtype=np.float64).T @ missed.astype(np.float64)).ravel()
    out = []
    for j, (linked, cut_off, unlinked, ambiguous) in enumerate(process_links.tolist()):
        missing = max(int(system.cutoffs[j]) - cut_off - unlinked, 0)
        out.append(Completeness(linked=linked - missing, cut_off=cut_off, ambiguous=ambiguous,
                                unlinked=unlinked + missing, uncharacterised=int(flows[j])))
    return out
