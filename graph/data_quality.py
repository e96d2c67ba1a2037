"""Reads of what the accuracy and completeness of a total rest on (issue 12): the uncertainty and
pedigree entry of each exchange, the process-level DQ entry, and each process's link states.

Rows only (graph/ knows no solver type); api/services/quality.py turns them into solver inputs.
Exchanges are keyed by exchange id, which the bulk read (graph/technosphere.py) carries per
link and elementary row, so every matrix cell finds its own distribution.

Each reader reads the whole graph of a store, or of a :class:`ProcessScope` only some processes
through an open unit of work's writer (what an import changed: api/services/quality_inputs.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from graph import queries as q
from graph.store import GraphStore, Params, Row, Writer


@dataclass(frozen=True, slots=True)
class ProcessScope:
    """The processes of ``databases`` and the processes ``consumers``, as a unit of work sees them."""

    writer: Writer
    databases: tuple[str, ...]
    consumers: tuple[str, ...]


def _read(source: GraphStore | ProcessScope, whole: str, part: str) -> list[Row]:
    if not isinstance(source, ProcessScope):
        return source.read(whole)
    params: Params = {"databases": list(source.databases), "consumers": list(source.consumers)}
    return source.writer.run(part, params)


@dataclass(frozen=True, slots=True)
class ExchangeUncertainty:
    """One exchange's given distribution (None: none given) with its parameters in the unit of
    ``amount`` (the amount as given), its pedigree entry and the process's exchange DQ system."""

    distribution: str | None
    amount: float
    geosd: float | None
    mean: float | None
    sd: float | None
    minimum: float | None
    mode: float | None
    maximum: float | None
    entry: str
    dq_system: str


@dataclass(frozen=True, slots=True)
class ProcessDataQuality:
    """A process-level DQ entry "(1;2;3;4;5)" and/or named indicators (EF/ILCD: "DQR" = 1.6)."""

    system: str
    entry: str
    indicators: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class LinkStates:
    """Per process: exchanges that need a provider, by state. ``cut_off`` are declared cut-offs,
    ``unlinked`` the other exchanges without a provider in the store; ``ambiguous`` are linked to
    one of several equally good candidates (also counted in ``linked``)."""

    linked: int = 0
    cut_off: int = 0
    unlinked: int = 0
    ambiguous: int = 0


def read_exchange_uncertainty(
    source: GraphStore | ProcessScope,
) -> dict[str, ExchangeUncertainty]:
    """Exchanges with a distribution or a pedigree entry, by exchange id."""
    out: dict[str, ExchangeUncertainty] = {}
    for row in _read(source, q.READ_EXCHANGE_UNCERTAINTY, q.READ_EXCHANGE_UNCERTAINTY_OF_PROCESSES):
        system = str(row["dq_system"] or "")
        for exchange, dist, amount, geosd, mean, sd, low, mode, high, entry in row["exchanges"]:
            out[exchange] = ExchangeUncertainty(
                distribution=dist, amount=float(amount or 0.0), geosd=geosd, mean=mean, sd=sd,
                minimum=low, mode=mode, maximum=high, entry=str(entry or ""), dq_system=system,
            )
    for row in _read(source, q.READ_EXCHANGE_PEDIGREE, q.READ_EXCHANGE_PEDIGREE_OF_PROCESSES):
        system = str(row["dq_system"] or "")
        for exchange, entry in zip(row["ids"], row["entries"], strict=True):
            # no distribution: the amount is not read (a pedigree entry is relative to it)
            out[exchange] = ExchangeUncertainty(None, 0.0, None, None, None, None, None, None,
                                                str(entry), system)
    return out


def read_process_data_quality(
    source: GraphStore | ProcessScope,
) -> dict[str, ProcessDataQuality]:
    """Process-level DQ data by process id (processes without any are left out)."""
    rows = _read(source, q.READ_PROCESS_DATA_QUALITY, q.READ_PROCESS_DATA_QUALITY_OF_PROCESSES)
    return {
        str(row["process"]): ProcessDataQuality(
            system=str(row["system"] or ""), entry=str(row["entry"] or ""),
            indicators=tuple(_indicator(text) for text in row["indicators"] or ()),
        )
        for row in rows
    }


def _indicator(text: str) -> tuple[str, float]:
    # graph/writer.py stores each as "name=value" (value as repr(float)).
    name, _, value = str(text).rpartition("=")
    try:
        return name, float(value)
    except ValueError:
        return name, float("nan")


def read_link_states(source: GraphStore | ProcessScope) -> dict[str, LinkStates]:
    """Link states, as stored, of every process with exchanges that need a provider."""
    out: dict[str, LinkStates] = {}
    for row in _read(source, q.READ_PROCESS_LINK_STATES, q.READ_PROCESS_LINK_STATES_OF_PROCESSES):
        linked = cut_off = unlinked = ambiguous = 0
        for link, declared in zip(row["links"], row["declared"], strict=True):
            if link == "unlinked":
                cut_off += bool(declared)
                unlinked += not declared
            else:
                linked += 1
                ambiguous += link == "ambiguous"
        out[str(row["process"])] = LinkStates(linked, cut_off, unlinked, ambiguous)
    return out
