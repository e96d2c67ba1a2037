"""The bulk read of the technosphere: every process, supply link, elementary exchange and
characterisation factor of the graph, as plain row lists (the solver's input; graph/ knows no
solver type, api/services/calculation.py turns these rows into solver tables).

Six statements (graph/queries.py ``READ_TECHNOSPHERE_*``), run side by side, each grouped with
``collect()`` into parallel lists (one row per process, database or category: the FalkorDB client
parses rows and nested lists slowly), and the graph version read before and after: a read that
straddles a commit is repeated, so the rows always belong to the version they are tagged with.

Amounts follow solver/matrices.py:

- the reference amount is the reference exchange's ``amount_ref`` (the flow's reference unit;
  ``Process.ref_amount`` is as given, e.g. 3.6 MJ of a kWh flow), signed as in the dataset;
- a link's amount is ``PROVIDER.amount × PROVIDER.scale`` (units of the provider's reference
  product, also for links into a co-product) × the exchange's own ``allocation`` factor, so the
  process table's allocation is 1 (causal allocation differs per exchange);
- an elementary amount is ``amount_ref × allocation``, negative for an input (a resource);
- exchanges that need a provider and have none in the graph (``link = 'unlinked'``, or a
  provider in a database not imported) are cut-offs: listed in ``unlinked`` (one entry per
  exchange), they contribute nothing.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from graph import queries as q
from graph.store import GraphStore, Row
from lcagraph.errors import StoreBusy

INPUT, AVOIDED, UNLINKED = 1, 2, 4  # bits of a link code (READ_TECHNOSPHERE_LINK_EXCEPTIONS)
ATTEMPTS = 3
READERS = 3


@dataclass(slots=True)
class ProcessRows:
    """One row per process: id, database, signed reference amount (flow reference unit), and
    whether the reference is an input (a waste treatment)."""

    ids: list[str] = field(default_factory=list)
    databases: list[str] = field(default_factory=list)
    ref_amounts: list[float] = field(default_factory=list)
    ref_is_input: list[bool] = field(default_factory=list)


@dataclass(slots=True)
class LinkRows:
    """One row per linked exchange: amounts in units of the provider's reference product per the
    consumer's reference amount, allocation applied; direction and avoided flag as stored."""

    consumers: list[str] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)
    amounts: list[float] = field(default_factory=list)
    is_input: list[bool] = field(default_factory=list)
    is_avoided: list[bool] = field(default_factory=list)
    exchanges: list[str] = field(default_factory=list)  # exchange ids (uncertainty, data quality)


@dataclass(slots=True)
class ElementaryRows:
    """One row per elementary exchange: signed amount (outputs +, inputs -), allocation applied."""

    processes: list[str] = field(default_factory=list)
    flows: list[str] = field(default_factory=list)
    amounts: list[float] = field(default_factory=list)
    exchanges: list[str] = field(default_factory=list)


@dataclass(slots=True)
class FactorRows:
    """One row per characterisation factor; ``categories`` holds every category read (also those
    without factors) with its method and unit."""

    categories: list[str] = field(default_factory=list)
    flows: list[str] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    category_methods: dict[str, str] = field(default_factory=dict)
    category_units: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class TechnosphereRows:
    """Everything the solver needs, read at ``graph_version``; ``unlinked`` names the consumer
    process of every cut-off exchange."""

    graph_version: int
    processes: ProcessRows
    links: LinkRows
    elementary: ElementaryRows
    factors: FactorRows
    unlinked: list[str]


def read_technosphere(store: GraphStore, categories: list[str] | None = None) -> TechnosphereRows:
    """Read the whole technosphere of the current graph version (factors of ``categories`` only,
    all categories when None). StoreBusy if the graph kept changing during three reads."""
    for _ in range(ATTEMPTS):
        version = store.graph_version()
        rows = _read(store, version, categories)
        if store.graph_version() == version:
            return rows
    raise StoreBusy(
        "the graph changed while it was being read for a calculation (imports are running); "
        "try again when they are done"
    )


def _read(store: GraphStore, version: int, categories: list[str] | None) -> TechnosphereRows:
    # The statements run side by side (the engine answers reads in parallel; parsing overlaps).
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        links = pool.submit(read_links, store)
        elementary = pool.submit(read_elementary, store)
        factors = pool.submit(read_factors, store, categories)
        processes = read_processes(store)
        link_rows, unlinked = links.result()
        return TechnosphereRows(
            graph_version=version, processes=processes, links=link_rows, elementary=elementary.result(),
            factors=factors.result(), unlinked=unlinked,
        )


def read_processes(store: GraphStore) -> ProcessRows:
    """Every process with its database and signed reference amount in the flow's reference unit."""
    return collect_processes(store.read(q.READ_TECHNOSPHERE_PROCESSES))


def collect_processes(rows: list[Row]) -> ProcessRows:
    """ProcessRows of the rows of READ_TECHNOSPHERE_PROCESSES (or a statement returning the same)."""
    processes = ProcessRows()
    for row in rows:
        database = str(row["database"] or "")
        for pid, ref, is_input in row["processes"]:
            processes.ids.append(pid)
            processes.databases.append(database)
            processes.ref_amounts.append(1.0 if ref is None else float(ref))
            processes.ref_is_input.append(bool(is_input))
    return processes


def read_links(store: GraphStore) -> tuple[LinkRows, list[str]]:
    """Supply links (PROVIDER edges, with their exchange's direction, avoided flag and allocation)
    and the consumers of cut-off exchanges."""
    return collect_links(store.read(q.READ_TECHNOSPHERE_LINK_EXCEPTIONS),
                         store.read(q.READ_TECHNOSPHERE_LINKS), store.read(q.READ_TECHNOSPHERE_LINK_COUNTS))


def collect_links(exceptions: list[Row], edges: list[Row], counts: list[Row]) -> tuple[LinkRows, list[str]]:
    """Links and cut-off consumers of the rows of READ_TECHNOSPHERE_LINK_EXCEPTIONS, _LINKS and
    _LINK_COUNTS (or statements returning the same for part of the consumers)."""
    special: dict[str, tuple[int, float]] = {}
    unlinked: list[str] = []
    for row in exceptions:
        columns = zip(row["exchanges"], row["codes"], row["allocations"], strict=True)
        for exchange, code, allocation in columns:
            if code & UNLINKED:
                unlinked.append(row["consumer"])
            else:
                special[exchange] = (int(code), float(allocation))
    links = LinkRows()
    linked: dict[str, int] = {}
    for row in edges:
        consumer = row["consumer"]
        providers = row["providers"]
        linked[consumer] = len(providers)
        links.consumers.extend([consumer] * len(providers))
        links.providers.extend(providers)
        links.exchanges.extend(row["exchanges"])
        for exchange, amount in zip(row["exchanges"], row["amounts"], strict=True):
            code, allocation = special.get(exchange, (INPUT, 1.0))
            links.amounts.append(float(amount) * allocation)
            links.is_input.append(bool(code & INPUT))
            links.is_avoided.append(bool(code & AVOIDED))
    for row in counts:
        pending = int(row["linked"]) - linked.get(row["consumer"], 0)
        unlinked.extend([row["consumer"]] * max(pending, 0))
    return links, unlinked


def read_elementary(store: GraphStore) -> ElementaryRows:
    """Elementary exchanges of every process."""
    return collect_elementary(store.read(q.READ_TECHNOSPHERE_ELEMENTARY))


def collect_elementary(rows: list[Row]) -> ElementaryRows:
    """ElementaryRows of the rows of READ_TECHNOSPHERE_ELEMENTARY (or a statement returning the same)."""
    out = ElementaryRows()
    for row in rows:
        flows = row["flows"]
        out.processes.extend([row["process"]] * len(flows))
        out.flows.extend(flows)
        out.exchanges.extend(row["exchanges"])
        out.amounts.extend(row["amounts"])
    return out


def read_factors(store: GraphStore, categories: list[str] | None = None) -> FactorRows:
    """Characterisation factors of ``categories`` (every category of a method when None)."""
    return collect_factors(store.read(q.READ_TECHNOSPHERE_FACTORS, {"categories": categories}))


def collect_factors(rows: list[Row]) -> FactorRows:
    """FactorRows of the rows of READ_TECHNOSPHERE_FACTORS."""
    out = FactorRows()
    for row in rows:
        category = str(row["category"])
        out.category_methods[category] = str(row["method"] or "")
        out.category_units[category] = str(row["unit"] or "")
        for flow, value in row["factors"]:
            if flow is None:  # a category without factors (OPTIONAL MATCH)
                continue
            out.categories.append(category)
            out.flows.append(flow)
            out.values.append(float(value))
    return out
