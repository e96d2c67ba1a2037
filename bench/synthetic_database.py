"""A seeded, ecoinvent-sized LCA database as a DatabaseContent, to time imports.

    synthetic_database(processes=20_000, exchanges=600_000, seed=1) -> DatabaseContent

Shape (ecoinvent 3.x cut-off: about 21,000 activities, 600,000+ exchanges, 4,700 elementary
flows), everything a real import meets:
- one reference product per process, in kg, MJ or m3; 2 % of the processes are waste treatments
  (reference = a waste input), and 1 % share their product with another process, so that their
  consumers meet two candidates (ambiguous links);
- product inputs (about 40 % of the exchanges), lognormal amounts scaled so that no process uses
  more than 0.8 units of products per unit of its own (a productive economy, as real databases
  are): half from a few hundred hubs (electricity, heat,
  transport, chemicals), Zipf-weighted, the rest from upstream in the value chain; hubs buy from
  anywhere, which closes supply loops; some processes consume their own product; 5 % of the
  technosphere exchanges are waste outputs to a treatment. Half of them carry a default provider
  (as ecoinvent's activity links do), the rest are linked by the import (unique / ambiguous);
  a few name a product nobody makes (cut-offs);
- elementary exchanges (the rest) over 4,000 flows under ecoinvent-style compartments, among
  them the common greenhouse gases by name and CAS, so the built-in AR6 method characterises them;
- 70 % of the exchanges carry a lognormal uncertainty and a pedigree entry, 5 % a formula,
  10 % of the processes an allocation factor below 1.

Its supply structure draws upstream providers uniformly, which suits an import (every linking rule
and a large write) but makes a hard LU problem (SuperLU: minutes); the solver and calculate benches
use bench/synthetic.py's market structure instead, which matches published ecoinvent factorisation
times. The records are built directly (no file); bench/bench_import.py writes them as a JSON-LD package
(loaders/exporters/jsonld.py) to time the whole import from a file, as a user runs it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from bench.synthetic import make_ids
from lcagraph.records import Database, DatabaseContent, DataQuality, Exchange, Flow, Process, Uncertainty

# (name, CAS) of greenhouse gases the built-in AR6 GWP100 table knows, emitted by many processes
GREENHOUSE_GASES = (
    ("Carbon dioxide, fossil", "000124-38-9"),
    ("Methane, fossil", "000074-82-8"),
    ("Dinitrogen monoxide", "010024-97-2"),
    ("Methane, non-fossil", "000074-82-8"),
    ("Sulfur hexafluoride", "002551-62-4"),
    ("Ethane, 1,1,1,2-tetrafluoro-, HFC-134a", "000811-97-2"),
)
COMPARTMENTS = (
    ("Elementary flows", "Emission to air", "unspecified"),
    ("Elementary flows", "Emission to air", "high population density"),
    ("Elementary flows", "Emission to water", "surface water"),
    ("Elementary flows", "Emission to soil", "agricultural"),
    ("Elementary flows", "Resource", "in ground"),
)
UNITS = (("kg", "Mass"), ("MJ", "Energy"), ("m3", "Volume"))
LOCATIONS = ("GLO", "RER", "RoW", "US", "CN", "DE", "FR", "IN", "BR", "CA-QC")
IntArray = npt.NDArray[np.int64]


def synthetic_database(
    processes: int = 20_000, exchanges: int = 600_000, seed: int = 1, database: str = "synthetic",
    elementary_flows: int = 4_000,
) -> DatabaseContent:
    """The database; the same arguments give the same records."""
    rng = np.random.default_rng(seed)
    n = processes
    plan = _Plan(rng, n)
    elementary = _elementary_flows(rng, elementary_flows)
    cutoff = Flow(make_ids(rng, 1)[0], "CUTOFF product nobody makes", "product", "kg", "Mass")
    flows = [
        Flow(plan.product_ids[i], f"{'waste' if plan.treatment[i] else 'product'} {i:05d}",
             "waste" if plan.treatment[i] else "product", *UNITS[plan.units[i]])
        for i in range(n) if plan.product_of[i] == i
    ]
    records = [_process(rng, i, plan, database) for i in range(n)]
    budget = exchanges - n
    technosphere = int(budget * 0.4)
    consumers, providers = _supply(rng, n, technosphere, plan.treatment)
    weights = 1.0 / np.arange(1, len(elementary) + 1) ** 0.9  # a few substances everywhere (CO2 first)
    e_consumers = np.sort(rng.integers(0, n, size=budget - technosphere))
    e_flows = rng.choice(len(elementary), size=e_consumers.size, p=weights / weights.sum())
    per_process = _technosphere(rng, plan, consumers, providers, cutoff.id)
    _add_elementary(rng, plan, per_process, e_consumers, e_flows, elementary)
    return DatabaseContent(
        database=Database(database, f"Synthetic {n:,} processes", kind="background",
                          source=f"bench/synthetic_database.py seed {seed}",
                          description="ecoinvent-sized synthetic database for benchmarks"),
        flows=(*flows, *elementary, cutoff), processes=tuple(records),
        exchanges=tuple(x for xs in per_process for x in xs),
    )


class _Plan:
    """Who makes what: process ids, product per process, treatments, units."""

    def __init__(self, rng: np.random.Generator, n: int) -> None:
        self.ids = make_ids(rng, n)
        self.treatment = rng.random(n) < 0.02
        self.product_of = np.arange(n)
        shared = rng.choice(np.flatnonzero(~self.treatment), size=max(2, n // 200 * 2), replace=False)
        self.product_of[shared[1::2]] = shared[0::2]  # pairs of processes making the same product
        self.product_ids = make_ids(rng, n)
        self.units = rng.integers(0, len(UNITS), size=n)

    def product(self, i: int) -> tuple[str, str]:
        """(flow id, unit) of process i's reference product."""
        j = int(self.product_of[i])
        return self.product_ids[j], UNITS[self.units[j]][0]


def _elementary_flows(rng: np.random.Generator, count: int) -> list[Flow]:
    ids = make_ids(rng, count)
    flows = []
    for i, fid in enumerate(ids):
        compartment = COMPARTMENTS[i % len(COMPARTMENTS)] if i >= len(GREENHOUSE_GASES) else COMPARTMENTS[0]
        name, cas = GREENHOUSE_GASES[i] if i < len(GREENHOUSE_GASES) else (f"substance {i:04d}", "")
        unit = "m3" if compartment[1] == "Resource" and i % 3 == 0 else "kg"
        flows.append(Flow(fid, name, "elementary", unit, "Volume" if unit == "m3" else "Mass", cas=cas,
                          compartment=compartment))
    return flows


def _process(rng: np.random.Generator, i: int, plan: _Plan, database: str) -> Process:
    location = LOCATIONS[int(rng.integers(0, len(LOCATIONS)))]
    treatment = bool(plan.treatment[i])
    flow, unit = plan.product(i)
    return Process(
        plan.ids[i], f"{'treatment' if treatment else 'production'} of {i:05d}, {location}", database,
        location=location, category=f"Sector {i % 40:02d}/Activity group {i % 400:03d}",
        ref_flow=flow, ref_amount=1.0, ref_unit=unit, ref_is_input=treatment,
        allocation_method="PHYSICAL_ALLOCATION" if i % 10 == 0 else "",
        data_quality=DataQuality("ecoinvent pedigree", "(2;3;1;2;3)") if i % 3 == 0 else None,
        valid_from="2015-01-01", valid_until="2022-12-31",
    )


def _supply(rng: np.random.Generator, n: int, count: int, treatment: npt.NDArray[np.bool_]) -> tuple[
        IntArray, IntArray]:
    """(consumer, provider) pairs: hubs (Zipf), upstream, waste to treatments, a few self-loops."""
    consumers = np.sort(rng.integers(0, n, size=count))
    producers = np.flatnonzero(~treatment)
    hubs = rng.choice(producers, size=max(5, n // 60), replace=False)
    weights = 1.0 / np.arange(1, hubs.size + 1)
    draw = rng.random(count)
    upstream = np.floor(consumers * rng.random(count)).astype(np.int64)
    providers = np.where(treatment[upstream], hubs[0], upstream)
    providers = np.where(draw < 0.5, rng.choice(hubs, size=count, p=weights / weights.sum()), providers)
    providers = np.where(draw >= 0.95, rng.choice(np.flatnonzero(treatment), size=count), providers)
    providers = np.where((draw >= 0.5) & (draw < 0.502), consumers, providers)  # own product: loop
    hub_buyer = np.isin(consumers, hubs) & (draw >= 0.5) & (draw < 0.6)
    return consumers, np.where(hub_buyer, rng.integers(0, n, size=count), providers)  # hubs: anywhere


def _technosphere(rng: np.random.Generator, plan: _Plan, consumers: IntArray, providers: IntArray,
                  cutoff: str) -> list[list[Exchange]]:
    """Reference exchanges, then product inputs and waste outputs, per process."""
    per_process: list[list[Exchange]] = []
    for i, pid in enumerate(plan.ids):
        flow, unit = plan.product(i)
        per_process.append([Exchange(f"{pid}/1", pid, flow, bool(plan.treatment[i]), 1.0, unit, 1.0,
                                     is_reference=True)])
    amounts = rng.lognormal(-3.0, 2.0, size=consumers.size)
    # A productive economy, as every real database is (Hawkins-Simon): no process uses more than 0.8
    # units of products per unit of its own, so rho(|D^-1 O|) < 1 (see solver/singularity.py).
    used = np.bincount(consumers, weights=amounts, minlength=len(plan.ids))
    amounts *= np.minimum(1.0, 0.8 / np.maximum(used, 1e-300))[consumers]
    extras = rng.random(consumers.size)
    for k, (c, p) in enumerate(zip(consumers.tolist(), providers.tolist(), strict=True)):
        flow, unit = plan.product(p) if extras[k] > 0.001 else (cutoff, "kg")
        default = plan.ids[p] if extras[k] < 0.5 and flow != cutoff else None
        xs = per_process[c]
        is_input = flow == cutoff or not plan.treatment[p]  # a waste is an output, to its treatment
        xs.append(_exchange(plan.ids[c], len(xs) + 1, flow, is_input, float(amounts[k]), unit,
                            float(extras[k]), default, c % 10 == 0))
    return per_process


def _add_elementary(rng: np.random.Generator, plan: _Plan, per_process: list[list[Exchange]],
                    consumers: IntArray, flows: IntArray, elementary: list[Flow]) -> None:
    amounts = rng.lognormal(-6.0, 3.0, size=consumers.size)
    extras = rng.random(consumers.size)
    for k, (c, f) in enumerate(zip(consumers.tolist(), flows.tolist(), strict=True)):
        flow = elementary[f]
        xs = per_process[c]
        xs.append(_exchange(plan.ids[c], len(xs) + 1, flow.id, flow.compartment[1] == "Resource",
                            float(amounts[k]), flow.unit, float(extras[k]), None, c % 10 == 0))


def _exchange(process: str, number: int, flow: str, is_input: bool, amount: float, unit: str, extra: float,
              default: str | None, allocated: bool) -> Exchange:
    uncertain = extra < 0.7
    return Exchange(
        f"{process}/{number}", process, flow, bool(is_input), amount, unit, amount, default_provider=default,
        allocation=0.8 if allocated else 1.0, formula=f"{amount!r} * 1" if extra > 0.95 else "",
        data_quality="(2;3;1;2;3)" if uncertain else "",
        uncertainty=Uncertainty("lognormal", geomean=amount, geosd=1.2) if uncertain else None,
    )
