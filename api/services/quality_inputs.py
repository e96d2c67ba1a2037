"""What the quality table of a graph version (api/services/quality.py) needs beyond the
matrices, as the quality section of the version's matrix snapshot (solver.snapshot
SnapshotQuality): the uncertainty multipliers of every link and elementary row, and per process
its DQR and link states.

It is category-independent, so it is kept per graph version like the matrices, and it is built
the same two ways: from full reads of the graph (the first quality table of a snapshot without
it), or inside an import's unit of work from the previous version's section and the rows of the
processes the import changed (:func:`merge_quality`), which is exactly what full reads of the new
version give (up to row order, which follows the snapshot's rows).

- a row's multipliers: its given distribution (parameters in the amount as given), else a
  lognormal from its pedigree entry plus the basic uncertainty (solver.pedigree);
- a process's DQR: the EF/ILCD "DQR" indicator where given, else the mean of the given scores of
  its process-level pedigree entry (each indicator 1..5 weighs alike, as the PEF DQR averages
  TeR, GeR, TiR and P); NaN without DQ data (USLCI FY17).

The exchange DQ system's indicator order is read from its name: FLCAC modules use the US EPA
flow pedigree (reliability, temporal, geographical, technological, data collection).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from graph.data_quality import (
    ExchangeUncertainty,
    LinkStates,
    ProcessDataQuality,
    ProcessScope,
    read_exchange_uncertainty,
    read_link_states,
    read_process_data_quality,
)
from graph.store import GraphStore
from lcagraph.errors import InvalidArgument
from solver import Kind, Multipliers, describe_multipliers, parse_pedigree_entry
from solver.snapshot import SnapshotQuality, SnapshotRows

US_EPA_ORDER = ("reliability", "temporal", "geographical", "technological", "data collection")
KINDS = {"lognormal": Kind.LOGNORMAL, "normal": Kind.NORMAL, "triangular": Kind.TRIANGULAR,
         "uniform": Kind.UNIFORM}
BoolArray = npt.NDArray[np.bool_]


def read_quality_inputs(
    source: GraphStore | ProcessScope, link_exchanges: Sequence[str], elementary_exchanges: Sequence[str],
    process_ids: Sequence[str],
) -> SnapshotQuality:
    """The quality section of rows whose exchange ids are ``link_exchanges`` (L,) and
    ``elementary_exchanges`` (E,) and of the processes ``process_ids`` (n,): read from the whole
    graph of a store, or from a scope's processes only (those outside it would get nothing)."""
    known = read_exchange_uncertainty(source)
    dq = read_process_data_quality(source)
    states = read_link_states(source)
    return SnapshotQuality(
        links=exchange_multipliers(link_exchanges, known),
        elementary=exchange_multipliers(elementary_exchanges, known),
        process_dqr=np.array([process_dqr(dq.get(p)) for p in process_ids], dtype=np.float64),
        process_links=_link_counts([states.get(p, LinkStates()) for p in process_ids]),
    )


def merge_quality(
    baseline: SnapshotQuality, rows: SnapshotRows, dropped: BoolArray, replaced: BoolArray,
    part: SnapshotQuality,
) -> SnapshotQuality:
    """The section of rows merged as api/services/snapshot_update.py ``merge_rows`` merges them:
    the baseline's rows (``rows``) without those of ``replaced`` consumers' links and ``dropped``
    processes' elementary exchanges, then the part's; the baseline's processes without
    ``dropped``, then the part's. ``replaced`` processes that stay (consumers of other databases)
    take their link states from ``part``, whose process arrays hold the part's processes first and
    those consumers after them (:func:`part_processes`)."""
    link, elem = kept_rows(rows, dropped, replaced)
    keep = ~dropped
    stayed = replaced & keep
    links = baseline.process_links.copy()
    links[stayed] = part.process_links[part.process_links.shape[0] - int(stayed.sum()):]
    new = part.process_dqr.size - int(stayed.sum())
    return SnapshotQuality(
        links=_concat(_select(baseline.links, link), part.links),
        elementary=_concat(_select(baseline.elementary, elem), part.elementary),
        process_dqr=np.concatenate([baseline.process_dqr[keep], part.process_dqr[:new]]),
        process_links=np.concatenate([links[keep], part.process_links[:new]]),
    )


def part_processes(new_ids: Sequence[str], process_ids: Sequence[str], stayed: BoolArray) -> list[str]:
    """The process order :func:`merge_quality` expects of the part: its new processes, then the
    baseline's ``stayed`` processes (replaced consumers of other databases) in baseline order."""
    ids = np.array(process_ids, dtype=object)
    return [*new_ids, *map(str, ids[stayed])]


def kept_rows(rows: SnapshotRows, dropped: BoolArray, replaced: BoolArray) -> tuple[BoolArray, BoolArray]:
    """(L,), (E,): the baseline's link rows whose consumer is not replaced, and its elementary
    rows whose process is not dropped."""
    return ~replaced[rows.link_consumers], ~dropped[rows.elementary_processes]


def exchange_multipliers(ids: Sequence[str], known: dict[str, ExchangeUncertainty]) -> Multipliers:
    """Per row: the given distribution (parameters in the amount as given), else pedigree."""
    k = len(ids)
    kinds = np.zeros(k, dtype=np.int8)
    amounts = np.ones(k)
    params = np.full((k, 3), np.nan)
    scores = np.zeros((k, 5), dtype=np.int64)
    for i, exchange in enumerate(ids):
        u = known.get(exchange)
        if u is None:
            continue
        if u.distribution is not None:
            kinds[i], amounts[i], params[i] = _given(u)
        if u.entry:
            scores[i] = _scores(exchange, u)
    return describe_multipliers(kinds, amounts, params, scores)


def _given(u: ExchangeUncertainty) -> tuple[int, float, list[float]]:
    kind = KINDS.get(u.distribution or "", Kind.NONE)
    if (kind >= Kind.NORMAL and u.amount == 0) or (kind == Kind.LOGNORMAL and not (u.geosd or 0) > 0):
        # a spread about a zero cell changes nothing in A or B; a geometric sd of 0 is
        # openLCA's "not given" (4,811 USLCI FY17 exchanges): pedigree and basic apply
        kind = Kind.NONE
    return kind, u.amount or 1.0, _params(kind, u)


def process_dqr(dq: ProcessDataQuality | None) -> float:
    """A process's DQR in [1, 5] (module docstring), NaN without DQ data."""
    if dq is None:
        return float("nan")
    for name, value in dq.indicators:
        if name.strip().lower() == "dqr" and np.isfinite(value):
            return float(np.clip(value, 1.0, 5.0))
    scores = [int(s) for s in dq.entry.strip().strip("()").split(";") if s.strip().isdigit()]
    given = [s for s in scores if 1 <= s <= 5]
    return float(np.mean(given)) if given else float("nan")


def _params(kind: int, u: ExchangeUncertainty) -> list[float]:
    nan = float("nan")
    given = {Kind.LOGNORMAL: (u.geosd, nan, nan), Kind.NORMAL: (u.mean, u.sd, nan),
             Kind.TRIANGULAR: (u.minimum, u.mode, u.maximum), Kind.UNIFORM: (u.minimum, u.maximum, nan)}
    return [nan if v is None else float(v) for v in given.get(Kind(kind), (nan, nan, nan))]


def _scores(exchange: str, u: ExchangeUncertainty) -> tuple[int, ...]:
    try:
        return _parsed_entry(u.entry, "epa" in u.dq_system.lower())
    except InvalidArgument as e:
        raise InvalidArgument(f"exchange {exchange!r} (DQ system {u.dq_system!r}): {e}") from e


@functools.lru_cache(maxsize=8192)
def _parsed_entry(entry: str, us_epa: bool) -> tuple[int, ...]:
    # an ecoinvent-sized database repeats a few thousand entries over 600,000 exchanges
    return parse_pedigree_entry(entry, US_EPA_ORDER if us_epa else ())


def _link_counts(states: list[LinkStates]) -> npt.NDArray[np.int64]:
    counts = [(s.linked, s.cut_off, s.unlinked, s.ambiguous) for s in states]
    return np.array(counts, dtype=np.int64).reshape(len(states), 4)


def _select(m: Multipliers, mask: BoolArray) -> Multipliers:
    return Multipliers(m.kind[mask], m.params[mask], m.variance_ln[mask])


def _concat(a: Multipliers, b: Multipliers) -> Multipliers:
    return Multipliers(np.concatenate([a.kind, b.kind]), np.concatenate([a.params, b.params]).reshape(-1, 3),
                       np.concatenate([a.variance_ln, b.variance_ln]))
