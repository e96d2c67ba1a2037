"""Accuracy and completeness of every process's total (issue 12), once per graph version and
impact category, kept in memory next to the factorisation (:func:`quality_table`).

- uncertainty: each link and elementary cell gets its given distribution, else a lognormal from
  its pedigree entry plus the basic uncertainty (the graph stores none per exchange: the
  ecoinvent default for demand, solver.pedigree.DEFAULT_BASIC, applies to every cell); first-order
  propagation (solver.uncertainty) gives GSD² and the 95 % interval of every total;
- quality: per-process DQR = the EF/ILCD "DQR" indicator where given, else the mean of the
  given scores of the process-level pedigree entry (our mapping: each indicator 1..5 weighs
  alike, as the PEF DQR averages TeR, GeR, TiR and P); none -> "no data" (USLCI FY17), then
  contribution-weighted up the tree (solver.quality.aggregate_dqr);
- completeness: per process its link states (graph/data_quality.py) and, for a climate
  category, the emitted greenhouse gases without a factor (api/services/coverage.py); coverage
  is the share of the total from sub-trees without unlinked exchanges or such gases. Declared
  cut-offs (USLCI "CUTOFF ..." flows) are deliberate and do not lower the coverage.

The exchange DQ system's indicator order is read from its name: FLCAC modules use the US EPA
flow pedigree (reliability, temporal, geographical, technological, data collection).
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from api.services.calculation import CalculationCache, calculation_cache, with_categories
from api.services.coverage import find_missed_greenhouse_gases, is_climate_category
from api.services.matrices import tables_from_rows
from api.services.readmodels import Completeness, NodeQuality, QualityScore, UncertaintyRange
from graph.data_quality import (
    ExchangeUncertainty,
    LinkStates,
    ProcessDataQuality,
    read_exchange_uncertainty,
    read_link_states,
    read_process_data_quality,
)
from graph.store import GraphStore
from graph.technosphere import read_technosphere
from lcagraph.errors import InvalidArgument, NodeNotFound, StoreBusy
from solver import (
    Kind,
    Multipliers,
    SystemUncertainty,
    TechnosphereSystem,
    aggregate_dqr,
    compute_coverage,
    compute_intensities,
    describe_multipliers,
    find_complete_subtrees,
    find_incomplete_processes,
    parse_pedigree_entry,
    place_table_uncertainty,
    propagate_uncertainty,
)

FloatArray = npt.NDArray[np.float64]
US_EPA_ORDER = ("reliability", "temporal", "geographical", "technological", "data collection")
KINDS = {"lognormal": Kind.LOGNORMAL, "normal": Kind.NORMAL, "triangular": Kind.TRIANGULAR,
         "uniform": Kind.UNIFORM}


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
    rows = read_technosphere(store)
    exchanges = read_exchange_uncertainty(store)
    process_dq = read_process_data_quality(store)
    if rows.graph_version != loaded.graph_version or store.graph_version() != loaded.graph_version:
        raise StoreBusy("the graph changed while its data quality was read (imports are running); try again")
    system = loaded.system
    if category not in system.category_ids:
        raise NodeNotFound(f"impact category {category!r} is not in the graph")
    subset = with_categories(system, [category])
    factorisation = loaded.solved.factorisation
    processes, links, elementary, _ = tables_from_rows(rows)
    uncertainty = place_table_uncertainty(
        subset, processes, links, elementary,
        _multipliers(rows.links.exchanges, exchanges), _multipliers(rows.elementary.exchanges, exchanges))
    intensities = compute_intensities(subset, factorisation)
    spread = propagate_uncertainty(subset, factorisation, intensities, uncertainty)
    dqr = [_process_dqr(process_dq.get(p)) for p in subset.process_ids]
    rating = aggregate_dqr(subset, factorisation, dqr)
    missed = _missed_flows(store, category, subset.flow_ids)
    completeness = _completeness(store, subset.process_ids, rows.unlinked, subset.B, missed)
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


def _multipliers(ids: list[str], known: dict[str, ExchangeUncertainty]) -> Multipliers:
    """Per matrix row: the given distribution (parameters in the amount as given), else pedigree."""
    k = len(ids)
    kinds = np.zeros(k, dtype=np.int8)
    amounts = np.ones(k)
    params = np.full((k, 3), np.nan)
    scores = np.zeros((k, 5), dtype=np.int64)
    for i, exchange in enumerate(ids):
        u = known.get(exchange)
        if u is None:
            continue
        kind = KINDS.get(u.distribution or "", Kind.NONE)
        if (kind >= Kind.NORMAL and u.amount == 0) or (kind == Kind.LOGNORMAL and not (u.geosd or 0) > 0):
            # a spread about a zero cell changes nothing in A or B; a geometric sd of 0 is
            # openLCA's "not given" (4,811 USLCI FY17 exchanges): pedigree and basic apply
            kind = Kind.NONE
        kinds[i], amounts[i] = kind, u.amount or 1.0
        params[i] = _params(kind, u)
        if u.entry:
            scores[i] = _scores(exchange, u)
    return describe_multipliers(kinds, amounts, params, scores)


def _params(kind: int, u: ExchangeUncertainty) -> list[float]:
    nan = float("nan")
    given = {Kind.LOGNORMAL: (u.geosd, nan, nan), Kind.NORMAL: (u.mean, u.sd, nan),
             Kind.TRIANGULAR: (u.minimum, u.mode, u.maximum), Kind.UNIFORM: (u.minimum, u.maximum, nan)}
    return [nan if v is None else float(v) for v in given.get(Kind(kind), (nan, nan, nan))]


def _scores(exchange: str, u: ExchangeUncertainty) -> tuple[int, ...]:
    order = US_EPA_ORDER if "epa" in u.dq_system.lower() else ()
    try:
        return parse_pedigree_entry(u.entry, order)
    except InvalidArgument as e:
        raise InvalidArgument(f"exchange {exchange!r} (DQ system {u.dq_system!r}): {e}") from e


def _process_dqr(dq: ProcessDataQuality | None) -> float:
    """A process's DQR in [1, 5] (module docstring), NaN without DQ data."""
    if dq is None:
        return float("nan")
    for name, value in dq.indicators:
        if name.strip().lower() == "dqr" and np.isfinite(value):
            return float(np.clip(value, 1.0, 5.0))
    scores = [int(s) for s in dq.entry.strip().strip("()").split(";") if s.strip().isdigit()]
    given = [s for s in scores if 1 <= s <= 5]
    return float(np.mean(given)) if given else float("nan")


def _missed_flows(store: GraphStore, category: str, flow_ids: tuple[str, ...]) -> npt.NDArray[np.bool_]:
    """(F,) elementary flows that need a factor of this category and have none."""
    mask = np.zeros(len(flow_ids), dtype=bool)
    if not is_climate_category(store, category):
        return mask
    missed = {m.flow for m in find_missed_greenhouse_gases(store, category)}
    mask[[i for i, f in enumerate(flow_ids) if f in missed]] = True
    return mask


def _completeness(
    store: GraphStore, process_ids: tuple[str, ...], cut: list[str], b: sp.spmatrix | sp.sparray,
    missed: npt.NDArray[np.bool_],
) -> list[Completeness]:
    """Link states per process; exchanges the technosphere read found without provider edge
    (linked into a database not imported) beyond the stored 'unlinked' ones count as unlinked."""
    per_process = Counter(cut)
    states = read_link_states(store)
    flows = np.asarray(sp.csc_matrix(b != 0, dtype=np.float64).T @ missed.astype(np.float64)).ravel()
    out = []
    for j, pid in enumerate(process_ids):
        s = states.get(pid, LinkStates())
        missing = max(per_process[pid] - s.cut_off - s.unlinked, 0)
        out.append(Completeness(linked=s.linked - missing, cut_off=s.cut_off, ambiguous=s.ambiguous,
                                unlinked=s.unlinked + missing, uncharacterised=int(flows[j])))
    return out
