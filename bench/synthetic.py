"""A seeded, ecoinvent-sized random LCA database, as the plain row arrays the solver takes.

Default size (ecoinvent 3.x cut-off has about 21,000 activities and 4,700 elementary flows):
20,000 processes, about 250,000 linked technosphere exchanges, 350,000 elementary exchanges.

Structure, so that the factorisation sees what real data gives it rather than a random graph
(whose LU fill is near dense and which no LCA database resembles) - ecoinvent's market model:
- 4,000 products, each with one *market* process that buys it from its 1 to ~30 *producers*
  (16,000 transforming activities) in mix shares, plus transport; a few markets (electricity)
  consume their own product as losses (self-loops);
- a transforming activity buys from markets only, preferring a few popular products
  (electricity, heat, transport, chemicals) with a Zipf law, so supply loops run through markets
  and close one large strongly connected component, as in ecoinvent;
- 3 % of products are wastes: their producers are treatments (reference = waste input,
  A[j, j] < 0) and their markets are treatment markets; activities send waste outputs to them;
- 0.5 % of links are avoided products (credits), 10 % of activities carry an allocation factor,
  reference amounts and units vary over six orders of magnitude;
- technical coefficients, in common units, sum to at most 0.7 per activity, market shares to 1,
  so every supply loop has a gain below one and the system is solvable, credits included.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from solver.matrices import ElementaryTable, FactorTable, LinkTable, ProcessTable

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# AR6 GWP100 / GWP20 of the flows put at the top of the emission ranking.
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


def _zipf(rng: np.random.Generator, count: int, exponent: float) -> npt.NDArray[np.float64]:
    """Probabilities over ``count`` items, Zipf-ranked in a random order."""
    weights = 1.0 / np.arange(1, count + 1) ** exponent
    return rng.permutation(weights / weights.sum())


def _shares(rng: np.random.Generator, consumers: IntArray, n: int, total: npt.NDArray[np.float64]) -> FloatArray:
    """Lognormal coefficients rescaled so that each consumer's sum is ``total[consumer]``."""
    raw = rng.lognormal(0.0, 1.5, size=consumers.size)
    column_sum = np.bincount(consumers, weights=raw, minlength=n)
    return raw / column_sum[consumers] * total[consumers]


def _market_links(
    rng: np.random.Generator, products: int, product_of: IntArray, waste: BoolArray, popular: IntArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """Mix (market -> its producers), transport (market -> popular markets) and loss self-loops."""
    n = products + product_of.size
    mix_consumer = product_of
    mix_provider = products + np.arange(product_of.size, dtype=np.int64)
    mix = _shares(rng, mix_consumer, n, np.ones(n))
    goods = np.flatnonzero(~waste)
    carriers = np.repeat(goods, rng.integers(0, 4, size=goods.size))
    carried_by = popular[rng.integers(0, popular.size, size=carriers.size)]
    transport = _shares(rng, carriers, n, rng.uniform(0.005, 0.05, size=n))
    lossy = rng.choice(goods, size=max(1, products // 20), replace=False)
    losses = rng.uniform(0.01, 0.08, size=lossy.size)
    return (
        np.concatenate([mix_consumer, carriers, lossy]),
        np.concatenate([mix_provider, carried_by, lossy]),
        np.concatenate([mix, transport, losses]),
    )


def _inputs(
    rng: np.random.Generator, product_of: IntArray, products: int, waste: BoolArray, mean_inputs: float,
    hubs: IntArray,
) -> tuple[IntArray, IntArray]:
    """Producer inputs (producer number, provider product): 45 % from hub products (Zipf-weighted),
    5 % waste outputs, 1 % anywhere (extra loops), the rest from upstream in the value chain."""
    counts = 1 + rng.negative_binomial(3, 3 / (3 + mean_inputs - 1), size=product_of.size)
    consumers = np.repeat(np.arange(product_of.size, dtype=np.int64), counts)
    rank = product_of[consumers]  # a product's number is its place in the value chain
    hub_p = 1.0 / np.arange(1, hubs.size + 1)
    hub_p /= hub_p.sum()
    draw = rng.random(consumers.size)
    upstream = rank - 1 - np.floor(rng.exponential(float(os.environ.get("LOC", "1e9")), size=consumers.size)).astype(np.int64)
    upstream = np.where(upstream >= 0, upstream, np.floor(rank * rng.random(consumers.size)).astype(np.int64))
    providers = np.where(rank > 0, upstream, hubs[0])
    providers = np.where(draw < 0.45, rng.choice(hubs, size=consumers.size, p=hub_p), providers)
    wastes = np.flatnonzero(waste)
    providers = np.where((draw >= 0.45) & (draw < 0.50), rng.choice(wastes, size=consumers.size), providers)
    anywhere = rng.integers(0, products, size=consumers.size)
    back = float(os.environ.get("BACK", "0.01"))
    return consumers, np.where((draw >= 0.50) & (draw < 0.50 + back), anywhere, providers)


def generate_links(
    rng: np.random.Generator, n: int, mean_inputs: float
) -> tuple[IntArray, IntArray, FloatArray, BoolArray, BoolArray]:
    """Consumer, provider, coefficient (common units, per unit of reference), avoided flag, and
    the treatment flag of every process (markets are processes 0..P-1, producers P..n-1)."""
    products = n // 5
    waste = np.zeros(products, dtype=bool)
    waste[rng.choice(products, size=max(1, products // 100), replace=False)] = True
    product_of = np.concatenate([
        np.arange(products), rng.choice(products, size=n - 2 * products, p=_zipf(rng, products, 0.8)),
    ]).astype(np.int64)
    treatment = np.concatenate([waste, waste[product_of]])
    hubs = rng.choice(np.flatnonzero(~waste), size=max(5, products // int(os.environ.get("HUBDIV", "60"))), replace=False)
    consumers, providers = _inputs(rng, product_of, products, waste, mean_inputs, hubs)
    consumers += products
    m_cons, m_prov, m_coef = _market_links(rng, products, product_of, waste, hubs[:20])
    coefficients = _shares(rng, consumers, n, rng.uniform(0.2, 0.7, size=n))
    avoided = (rng.random(consumers.size) < 0.005) & ~treatment[providers]
    return (
        np.concatenate([m_cons, consumers]), np.concatenate([m_prov, providers]),
        np.concatenate([m_coef, coefficients]), np.concatenate([np.zeros(m_cons.size, bool), avoided]),
        treatment,
    )


def generate_elementary(
    rng: np.random.Generator, n: int, flow_count: int, mean_exchanges: float
) -> tuple[IntArray, IntArray, FloatArray, BoolArray]:
    """Process, flow, amount (positive) and is-input (resource) flag; markets (the first n // 5
    processes) have few elementary exchanges, as in ecoinvent."""
    counts = 1 + rng.poisson(mean_exchanges - 1, size=n)
    counts[: n // 5] = rng.poisson(1.0, size=n // 5)
    processes = np.repeat(np.arange(n, dtype=np.int64), counts)
    weights = 1.0 / np.arange(1, flow_count + 1) ** 1.05
    flows = rng.choice(flow_count, size=processes.size, p=weights / weights.sum())
    amounts = rng.lognormal(-4.0, 3.0, size=processes.size)
    is_input = (flows % 7 == 3) & (flows >= len(GREENHOUSE_GASES))
    return processes, flows, amounts, is_input


def generate_database(
    n: int = 20_000, *, seed: int = 42, mean_inputs: float = 14.0, flow_count: int = 4_000,
    mean_elementary: float = 21.0, categories: int = 1,
) -> SyntheticDatabase:
    """Generate the row tables; see the module docstring for the structure."""
    rng = np.random.default_rng(seed)
    consumers, providers, coefficients, avoided, treatment = generate_links(rng, n, mean_inputs)
    unit = 10.0 ** rng.integers(-3, 4, size=n)  # size of each product's unit, in a common one
    ref = rng.choice(np.array([1.0, 1.0, 1.0, 1.0, 1000.0, 0.001, 2.5, 100.0]), size=n)
    allocation = np.where(rng.random(n) < 0.1, rng.uniform(0.2, 0.95, size=n), 1.0)
    allocation[: n // 5] = 1.0  # markets are not allocated
    # coefficient (common units per common unit, after allocation) -> amount as the dataset gives it
    amounts = coefficients * ref[consumers] * unit[consumers] / unit[providers] / allocation[consumers]
    ids = make_ids(rng, n)
    order = rng.permutation(n)  # datasets come in no particular order
    e_proc, e_flow, e_amount, e_input = generate_elementary(rng, n, flow_count, mean_elementary * 1.25)
    flow_ids = [f"flow-{k:05d}" for k in range(flow_count)]
    return SyntheticDatabase(
        processes=ProcessTable(
            [ids[k] for k in order], ref[order], ref_is_input=treatment[order], allocation=allocation[order]
        ),
        links=LinkTable(
            [ids[c] for c in consumers], [ids[p] for p in providers], amounts,
            is_input=~treatment[providers] & ~avoided, is_avoided=avoided,
        ),
        elementary=ElementaryTable([ids[p] for p in e_proc], [flow_ids[f] for f in e_flow], e_amount, e_input),
        factors=_factors(flow_ids, categories),
        unlinked=tuple(ids[j] for j in rng.choice(n, size=n // 50)),
    )


def _factors(flow_ids: list[str], categories: int) -> FactorTable:
    rows = [
        (CATEGORY_NAMES[c] if c < len(CATEGORY_NAMES) else f"category-{c}", flow_ids[k], gas[1 + min(c, 1)])
        for c in range(categories) for k, gas in enumerate(GREENHOUSE_GASES)
    ]
    return FactorTable([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
