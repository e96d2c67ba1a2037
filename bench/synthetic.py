"""A seeded, ecoinvent-sized random LCA database, as the plain row arrays the solver takes.

Shape of the default (ecoinvent 3.x cut-off is about 21,000 processes, 4,700 elementary flows):
20,000 processes, about 250,000 linked technosphere exchanges, 350,000 elementary exchanges.

Structure, so that the factorisation sees what real data gives it rather than a random graph
(whose LU fill is near dense and which no LCA database resembles):
- processes sit in supply order; an ordinary process buys mostly from processes a little
  upstream of it (sectors), and from a few hundred *hubs* (electricity, heat, transport,
  chemical markets) chosen with a Zipf-like preference;
- hubs buy from anywhere, downstream included, which closes supply loops through them, like the
  one large strongly connected component of ecoinvent; a few processes consume their own product;
- 2 % of the processes are waste treatments (reference = waste input, A[j, j] < 0), 5 % of links are
  waste outputs sent to them, 0.5 % are avoided products (credits), 10 % of processes carry an
  allocation factor, and reference amounts and units vary over six orders of magnitude;
- technical coefficients, measured in each product's own unit, sum to at most 0.8 per column, so
  the economy is productive (spectral radius < 1) and the system is solvable, credits included.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from solver.matrices import ElementaryTable, FactorTable, LinkTable, ProcessTable

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


def _providers(
    rng: np.random.Generator, consumers: npt.NDArray[np.int64], n: int, hubs: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    is_hub_consumer = np.isin(consumers, hubs)
    hub_weights = 1.0 / np.arange(1, hubs.size + 1) ** 1.1
    to_hub = rng.random(consumers.size) < 0.35
    picked_hub = hubs[rng.choice(hubs.size, size=consumers.size, p=hub_weights / hub_weights.sum())]
    distance = 1 + np.floor(rng.exponential(60.0, size=consumers.size)).astype(np.int64)
    upstream = consumers - distance
    anywhere = rng.integers(0, n, size=consumers.size)
    providers = np.where(upstream >= 0, upstream, anywhere)
    providers = np.where(to_hub, picked_hub, providers)
    # Hubs buy from anywhere (downstream included): these close the supply loops.
    return np.where(is_hub_consumer & ~to_hub, anywhere, providers)


def _coefficients(
    rng: np.random.Generator, consumers: npt.NDArray[np.int64], n: int, budget: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    raw = rng.lognormal(0.0, 1.5, size=consumers.size)
    column_sum = np.bincount(consumers, weights=raw, minlength=n)
    return raw / column_sum[consumers] * budget[consumers]


def generate_links(
    rng: np.random.Generator, n: int, mean_inputs: float, treatment: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Consumer, provider, coefficient (own units, per unit of reference) and avoided flag."""
    counts = 1 + rng.negative_binomial(3, 3 / (3 + mean_inputs - 1), size=n)
    consumers = np.repeat(np.arange(n, dtype=np.int64), counts)
    hubs = rng.choice(np.flatnonzero(~treatment), size=max(2, n // 70), replace=False)
    providers = _providers(rng, consumers, n, hubs)
    treatments = np.flatnonzero(treatment)
    waste = rng.random(consumers.size) < 0.05
    providers = np.where(waste, treatments[rng.integers(0, treatments.size, consumers.size)], providers)
    self_loops = rng.choice(n, size=max(1, n // 100), replace=False)
    consumers = np.concatenate([consumers, self_loops])
    providers = np.concatenate([providers, self_loops])
    avoided = (rng.random(consumers.size) < 0.005) & ~treatment[providers]
    coefficients = _coefficients(rng, consumers, n, rng.uniform(0.2, 0.8, size=n))
    return consumers, providers, coefficients, avoided


def generate_elementary(
    rng: np.random.Generator, n: int, flow_count: int, mean_exchanges: float
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Process, flow, amount (positive) and is-input (resource) flag."""
    counts = 1 + rng.poisson(mean_exchanges - 1, size=n)
    processes = np.repeat(np.arange(n, dtype=np.int64), counts)
    weights = 1.0 / np.arange(1, flow_count + 1) ** 1.05
    flows = rng.choice(flow_count, size=processes.size, p=weights / weights.sum())
    amounts = rng.lognormal(-4.0, 3.0, size=processes.size)
    is_input = (flows % 7 == 3) & (flows >= len(GREENHOUSE_GASES))
    return processes, flows, amounts, is_input


def generate_database(
    n: int = 20_000, *, seed: int = 42, mean_inputs: float = 12.5, flow_count: int = 4_000,
    mean_elementary: float = 17.5, categories: int = 1,
) -> SyntheticDatabase:
    """Generate the row tables; see the module docstring for the structure."""
    rng = np.random.default_rng(seed)
    treatment = rng.random(n) < 0.02
    consumers, providers, coefficients, avoided = generate_links(rng, n, mean_inputs, treatment)
    unit = 10.0 ** rng.integers(-3, 4, size=n)  # size of each product's unit, in a common one
    ref = rng.choice(np.array([1.0, 1.0, 1.0, 1.0, 1000.0, 0.001, 2.5, 100.0]), size=n)
    allocation = np.where(rng.random(n) < 0.1, rng.uniform(0.2, 0.95, size=n), 1.0)
    # coefficient c (provider units per consumer unit, unallocated) -> dataset amount.
    amounts = coefficients * ref[consumers] * unit[consumers] / unit[providers] / allocation[consumers]
    ids = make_ids(rng, n)
    e_proc, e_flow, e_amount, e_input = generate_elementary(rng, n, flow_count, mean_elementary)
    flow_ids = [f"flow-{k:05d}" for k in range(flow_count)]
    return SyntheticDatabase(
        processes=ProcessTable(ids, ref, ref_is_input=treatment, allocation=allocation),
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
