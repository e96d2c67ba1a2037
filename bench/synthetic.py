"""A seeded, ecoinvent-sized random LCA database, as the plain row arrays the solver takes.

Default size (ecoinvent 3.x cut-off has about 21,000 activities and 4,700 elementary flows):
20,000 processes, about 250,000 linked technosphere exchanges and 350,000 elementary exchanges.

A uniformly random sparse matrix of that size factorises with near-dense fill, which no LCA
database does, so the generator follows ecoinvent's market model instead:
- n/5 products, each with one *market* process buying it from its *producers* (the other 4n/5
  processes, 1 to ~30 per product) in mix shares, plus some transport; 5 % of the markets
  consume their own product as losses (self-loops);
- products are numbered along the value chain; a producer buys from markets only: 45 % of its
  inputs from a few *hub* products (electricity, heat, transport: n/1000 of them, Zipf-weighted),
  5 % waste outputs, ``back_links`` from anywhere, the rest from products a little upstream of its
  own (``locality`` products on average: sectors). Hubs bought by everyone and made from
  upstream products close one strongly connected component over almost every process, as in
  ecoinvent;
- 1 % of products are wastes: their producers are treatments (reference = waste input,
  A[j, j] < 0) and their markets are treatment markets;
- 0.5 % of producer inputs are avoided products (credits), 10 % of producers carry an allocation
  factor, reference amounts and units vary over six orders of magnitude;
- coefficients in common units sum to 0.2-0.7 per producer and market shares to 1 (losses and
  transport at most 0.13 on top), so every supply loop has a gain below one: solvable.

The defaults (``locality=30``) make SuperLU factorise A^T of the 20,000-process system in about a
second here, the order of bw2calc's published figure for ecoinvent 3.9 (1.7 s); the fill, and so
every factorisation time, grows with ``locality`` (100: 2.1 s instead of 0.9 s), so bench_solver.py
prints the structure it ran on and takes ``--locality``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from solver.matrices import ElementaryTable, FactorTable, LinkTable, ProcessTable

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# AR6 GWP100 and GWP20 (kg CO2-eq/kg) of the flows put at the top of the emission ranking.
GREENHOUSE_GASES: tuple[tuple[str, float, float], ...] = (
    ("carbon dioxide, fossil", 1.0, 1.0),
    ("methane, fossil", 29.8, 82.5),
    ("dinitrogen monoxide", 273.0, 273.0),
    ("methane, non-fossil", 27.0, 79.7),
    ("sulfur hexafluoride", 25200.0, 18300.0),
    ("carbon monoxide, fossil", 1.57, 1.57),
    ("ethane, 1,1,1,2-tetrafluoro-, HFC-134a", 1530.0, 4140.0),
    ("methane, tetrafluoro-, CFC-14", 7380.0, 5300.0),
)
CATEGORY_NAMES = ("GWP100", "GWP20")


@dataclass(frozen=True, slots=True)
class Shape:
    """Structure parameters (see the module docstring)."""

    mean_inputs: float = 14.0
    hub_share: float = 0.45
    waste_share: float = 0.05
    back_links: float = 0.002
    locality: float = 30.0
    flow_count: int = 4_000
    mean_elementary: float = 21.0


@dataclass(frozen=True, slots=True)
class SyntheticDatabase:
    """The row tables of one generated database."""

    processes: ProcessTable
    links: LinkTable
    elementary: ElementaryTable
    factors: FactorTable
    unlinked: tuple[str, ...]

    @property
    def exchange_count(self) -> int:
        """Linked technosphere + elementary + reference exchanges."""
        return len(self.links.consumers) + len(self.elementary.flows) + len(self.processes.ids)


def make_ids(rng: np.random.Generator, count: int) -> list[str]:
    """Reproducible UUID4-shaped ids."""
    raw = rng.integers(0, 2**63, size=(count, 2), dtype=np.int64).astype(np.uint64)
    return [str(uuid.UUID(int=(int(hi) << 64) | int(lo), version=4)) for hi, lo in raw]


def _zipf(count: int, exponent: float) -> FloatArray:
    weights = 1.0 / np.arange(1, count + 1, dtype=np.float64) ** exponent
    return np.asarray(weights / weights.sum(), dtype=np.float64)


def _shares(rng: np.random.Generator, consumers: IntArray, n: int, total: FloatArray) -> FloatArray:
    """Lognormal coefficients rescaled so that each consumer's sum is ``total[consumer]``."""
    raw = rng.lognormal(0.0, 1.5, size=consumers.size)
    column_sum = np.bincount(consumers, weights=raw, minlength=n)
    return raw / column_sum[consumers] * total[consumers]


def _market_links(
    rng: np.random.Generator, product_of: IntArray, waste: BoolArray, hubs: IntArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """Mix (market -> its producers), transport (market -> hub markets) and loss self-loops."""
    products = waste.size
    n = products + product_of.size
    mix_provider = products + np.arange(product_of.size, dtype=np.int64)
    mix = _shares(rng, product_of, n, np.ones(n))
    goods = np.flatnonzero(~waste)
    carriers = np.repeat(goods, rng.integers(0, 4, size=goods.size))
    carried_by = hubs[rng.integers(0, min(20, hubs.size), size=carriers.size)]
    transport = _shares(rng, carriers, n, rng.uniform(0.005, 0.05, size=n))
    lossy = rng.choice(goods, size=max(1, products // 20), replace=False)
    return (
        np.concatenate([product_of, carriers, lossy]),
        np.concatenate([mix_provider, carried_by, lossy]),
        np.concatenate([mix, transport, rng.uniform(0.01, 0.08, size=lossy.size)]),
    )


def _producer_inputs(
    rng: np.random.Generator, product_of: IntArray, waste: BoolArray, hubs: IntArray, shape: Shape
) -> tuple[IntArray, IntArray]:
    """(producer number, provider product) for every producer input."""
    counts = 1 + rng.negative_binomial(3, 3 / (3 + shape.mean_inputs - 1), size=product_of.size)
    consumers = np.repeat(np.arange(product_of.size, dtype=np.int64), counts)
    rank = product_of[consumers]
    near = rank - 1 - np.floor(rng.exponential(shape.locality, size=consumers.size)).astype(np.int64)
    far = np.floor(rank * rng.random(consumers.size)).astype(np.int64)
    providers = np.where(rank == 0, hubs[0], np.where(near >= 0, near, far))
    draw = rng.random(consumers.size)
    cut_hub, cut_waste = shape.hub_share, shape.hub_share + shape.waste_share
    hub_pick = rng.choice(hubs, size=consumers.size, p=_zipf(hubs.size, 1.0))
    waste_pick = rng.choice(np.flatnonzero(waste), size=consumers.size)
    anywhere = rng.integers(0, waste.size, size=consumers.size)
    providers = np.where(draw < cut_hub, hub_pick, providers)
    providers = np.where((draw >= cut_hub) & (draw < cut_waste), waste_pick, providers)
    back = (draw >= cut_waste) & (draw < cut_waste + shape.back_links)
    return consumers, np.where(back, anywhere, providers)


def generate_links(
    rng: np.random.Generator, n: int, shape: Shape
) -> tuple[IntArray, IntArray, FloatArray, BoolArray, BoolArray]:
    """Consumer, provider, coefficient (common units per unit of reference), avoided flag, and
    the treatment flag of every process (markets are processes 0..n/5-1, producers the rest)."""
    products = n // 5
    waste = np.zeros(products, dtype=bool)
    waste[rng.choice(products, size=max(1, products // 100), replace=False)] = True
    extra = rng.choice(products, size=n - 2 * products, p=rng.permutation(_zipf(products, 0.8)))
    product_of = np.concatenate([np.arange(products), extra]).astype(np.int64)
    treatment = np.concatenate([waste, waste[product_of]])
    hubs = rng.choice(np.flatnonzero(~waste), size=max(5, n // 1000), replace=False)
    consumers, providers = _producer_inputs(rng, product_of, waste, hubs, shape)
    consumers += products
    m_cons, m_prov, m_coef = _market_links(rng, product_of, waste, hubs)
    coefficients = _shares(rng, consumers, n, rng.uniform(0.2, 0.7, size=n))
    avoided = (rng.random(consumers.size) < 0.005) & ~treatment[providers]
    return (
        np.concatenate([m_cons, consumers]), np.concatenate([m_prov, providers]),
        np.concatenate([m_coef, coefficients]), np.concatenate([np.zeros(m_cons.size, bool), avoided]),
        treatment,
    )


def generate_elementary(
    rng: np.random.Generator, n: int, shape: Shape
) -> tuple[IntArray, IntArray, FloatArray, BoolArray]:
    """Process, flow, amount (positive) and resource-input flag; markets (the first n/5
    processes) have few elementary exchanges, as in ecoinvent."""
    counts = 1 + rng.poisson(shape.mean_elementary - 1, size=n)
    counts[: n // 5] = rng.poisson(1.0, size=n // 5)
    processes = np.repeat(np.arange(n, dtype=np.int64), counts)
    flows = rng.choice(shape.flow_count, size=processes.size, p=_zipf(shape.flow_count, 1.05))
    amounts = rng.lognormal(-4.0, 3.0, size=processes.size)
    is_input = (flows % 7 == 3) & (flows >= len(GREENHOUSE_GASES))
    return processes, flows, amounts, is_input


def flow_names(count: int) -> list[str]:
    """Elementary flow ids, most emitted first (the greenhouse gases lead)."""
    return [f"flow-{k:05d}" for k in range(count)]


def generate_database(
    n: int = 20_000, *, seed: int = 42, categories: int = 1, shape: Shape | None = None
) -> SyntheticDatabase:
    """Generate the row tables; see the module docstring for the structure."""
    shape = shape or Shape()
    rng = np.random.default_rng(seed)
    consumers, providers, coefficients, avoided, treatment = generate_links(rng, n, shape)
    unit = 10.0 ** rng.integers(-3, 4, size=n)  # size of each product's unit, in a common one
    ref = rng.choice(np.array([1.0, 1.0, 1.0, 1.0, 1000.0, 0.001, 2.5, 100.0]), size=n)
    allocation = np.where(rng.random(n) < 0.1, rng.uniform(0.2, 0.95, size=n), 1.0)
    allocation[: n // 5] = 1.0  # markets are not allocated
    # coefficient (common units per common unit, allocated) -> amount as the dataset gives it
    amounts = coefficients * ref[consumers] * unit[consumers] / unit[providers] / allocation[consumers]
    ids, flow_ids = make_ids(rng, n), flow_names(shape.flow_count)
    order = rng.permutation(n)  # datasets come in no particular order
    e_proc, e_flow, e_amount, e_input = generate_elementary(rng, n, shape)
    return SyntheticDatabase(
        processes=ProcessTable(
            [ids[k] for k in order], ref[order], ref_is_input=treatment[order], allocation=allocation[order]
        ),
        links=LinkTable(
            [ids[c] for c in consumers], [ids[p] for p in providers], amounts,
            is_input=~treatment[providers] & ~avoided, is_avoided=avoided,
        ),
        elementary=ElementaryTable(
            [ids[p] for p in e_proc], [flow_ids[f] for f in e_flow], e_amount, e_input
        ),
        factors=make_factors(flow_ids, categories),
        unlinked=tuple(ids[j] for j in rng.choice(n, size=n // 50)),
    )


def make_factors(flow_ids: list[str], categories: int) -> FactorTable:
    """GWP-like factors for the first flows; category c > 1 reuses the GWP20 values."""
    names = [CATEGORY_NAMES[c] if c < len(CATEGORY_NAMES) else f"category-{c}" for c in range(categories)]
    rows: list[tuple[str, str, float]] = [
        (names[c], flow_ids[k], gas[2] if c else gas[1])
        for c in range(categories) for k, gas in enumerate(GREENHOUSE_GASES)
    ]
    return FactorTable([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
