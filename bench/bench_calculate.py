"""``lcagraph calculate`` on the embedded engine, phase by phase: graph read, build, factorise, all
totals, write-back of the Result nodes, one demand; for USLCI FY17 Q4 and for the synthetic
ecoinvent-sized database of bench/synthetic.py (20,000 processes) written into the graph with
graph.writer. Also times the write-back's paths (``--alternatives``: every category,
one category at its place, a subset merged; batch sizes).

    .venv/bin/python bench/bench_calculate.py [--processes 20000] [--dir DIR] [--skip-uslci]
                                              [--skip-synthetic] [--alternatives]

``--dir`` keeps the graphs between runs (written once). The synthetic totals read back from the
graph are checked against a solve of the generator's own arrays (same A, B, C).

Note: bench/synthetic_database.py (H3's import benchmark) draws upstream providers uniformly,
which gives A near-dense LU fill (SuperLU took ~580 s here); bench/synthetic.py follows
ecoinvent's market structure and is the one to time solves on.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.services.calculation import CalculationCache, calculate, system_from_rows
from api.services.importing import import_database
from bench.synthetic import SyntheticDatabase, generate_database
from graph import queries as q
from graph.connect import open_embedded
from graph.falkor import FalkorStore
from graph.results import BATCH_SIZE, CategoryResults, write_results
from graph.technosphere import read_technosphere
from graph.writer import write_database_content
from lcagraph.config import find_data_dir
from lcagraph.records import (
    CharacterisationFactor,
    Database,
    DatabaseContent,
    Exchange,
    Flow,
    ImpactCategory,
    ImpactMethod,
    Process,
    ProviderLink,
    Unlinked,
)
from solver import build_system, compute_intensities, factorise, solve_inventory


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def synthetic_content(db: SyntheticDatabase, name: str = "synthetic") -> DatabaseContent:
    """The generator's arrays as records: one product flow per process, exchanges with the
    process's allocation factor on each, provider links, cut-offs on a flow nobody makes."""
    p, links, elem = db.processes, db.links, db.elementary
    ids = list(p.ids)
    allocation = np.asarray(p.allocation if p.allocation is not None else np.ones(len(ids)))
    phi = dict(zip(ids, allocation, strict=True))
    treat = dict(zip(ids, np.asarray(p.ref_is_input, dtype=bool), strict=True))
    product = {pid: f"product-{k}" for k, pid in enumerate(ids)}
    flows = [Flow(product[pid], f"product {k}", "waste" if treat[pid] else "product", "kg", "Mass")
             for k, pid in enumerate(ids)]
    elementary = sorted(set(elem.flows))
    flows += [Flow(f, f, "elementary", "kg", "Mass") for f in elementary]
    flows.append(Flow("cut", "cut-off product", "product", "kg", "Mass"))
    refs = [float(r) for r in np.asarray(p.ref_amounts)]
    processes = [Process(pid, f"process {k}", name, ref_flow=product[pid], ref_amount=r, ref_unit="kg",
                         ref_is_input=treat[pid]) for k, (pid, r) in enumerate(zip(ids, refs, strict=True))]
    exchanges = [Exchange(f"{pid}/0", pid, product[pid], treat[pid], r, "kg", r, is_reference=True)
                 for pid, r in zip(ids, refs, strict=True)]
    counter: dict[str, int] = {}

    def next_id(pid: str) -> str:
        counter[pid] = counter.get(pid, 0) + 1
        return f"{pid}/{counter[pid]}"

    provider_links = []
    avoided = np.asarray(links.is_avoided if links.is_avoided is not None else np.zeros(len(links.consumers)))
    for c, prov, amount, is_input, av in zip(links.consumers, links.providers, np.asarray(links.amounts),
                                             np.asarray(links.is_input), avoided, strict=True):
        xid = next_id(c)
        exchanges.append(Exchange(xid, c, product[prov], bool(is_input), float(amount), "kg", float(amount),
                                  is_avoided=bool(av), allocation=float(phi[c])))
        provider_links.append(ProviderLink(c, prov, product[prov], xid, float(amount), "default",
                                           is_waste=treat[prov]))
    for pid, f, amount, is_input in zip(elem.processes, elem.flows, np.asarray(elem.amounts),
                                        np.asarray(elem.is_input), strict=True):
        exchanges.append(Exchange(next_id(pid), pid, f, bool(is_input), float(amount), "kg", float(amount),
                                  allocation=float(phi[pid])))
    unlinked = []
    for pid in db.unlinked:
        xid = next_id(pid)
        exchanges.append(Exchange(xid, pid, "cut", True, 1.0, "kg", 1.0))
        unlinked.append(Unlinked(pid, "cut", xid, "no provider"))
    table = db.factors
    categories = list(dict.fromkeys(table.categories))
    return DatabaseContent(
        database=Database(name, "synthetic (bench/synthetic.py)"), flows=tuple(flows),
        processes=tuple(processes),
        exchanges=tuple(exchanges), links=tuple(provider_links), unlinked=tuple(unlinked),
        methods=(ImpactMethod("synthetic-method", "synthetic GWP"),),
        categories=tuple(ImpactCategory(c, c, "synthetic-method", "kg CO2-eq") for c in categories),
        factors=tuple(CharacterisationFactor(c, fl, float(v)) for c, fl, v in
                      zip(table.categories, table.flows, np.asarray(table.values), strict=True)),
    )


def phases(store: FalkorStore, label: str, reference: dict[str, float] | None = None) -> dict[str, float]:
    """Time each phase once, then the whole ``calculate`` (cold cache), and print them."""
    rows, read_s = timed(lambda: read_technosphere(store))
    system, build_s = timed(lambda: system_from_rows(rows))
    factors, factorise_s = timed(lambda: factorise(system))
    intensities, totals_s = timed(lambda: compute_intensities(system, factors))
    c = 0
    results = CategoryResults(
        category=system.category_ids[c], method="m", unit="kg CO2-eq", graph_version=rows.graph_version,
        residual=float(intensities.residuals[c]), process_ids=system.process_ids,
        direct=intensities.direct[:, c].tolist(), total=intensities.total[:, c].tolist())
    written, write_s = timed(lambda: write_results(store, results))
    demand = {system.process_ids[len(system.process_ids) // 2]: 1.0}
    inventory, demand_s = timed(lambda: solve_inventory(system, factors, demand))
    report, end_s = timed(lambda: calculate(store, [system.category_ids[c]], cache=CalculationCache()))
    print(f"\n{label}: {system.size:,} processes, {len(rows.links.amounts):,} links, "
          f"{len(rows.elementary.amounts):,} elementary exchanges, {len(rows.unlinked):,} cut-offs, "
          f"graph version {rows.graph_version}")
    print(f"  read {read_s:7.2f} s   build {build_s:5.2f} s   factorise {factorise_s:5.2f} s   "
          f"all totals {totals_s:5.2f} s   write-back {write_s:5.2f} s ({written:,} Results)   "
          f"one demand {demand_s:5.3f} s")
    print(f"  calculate() end to end (cold): {end_s:.2f} s = read {report.read_s:.2f} "
          f"+ build {report.build_s:.2f} + factorise {report.factorise_s:.2f} + solve {report.solve_s:.2f} "
          f"+ write-back {report.write_s:.2f}; without the read: {end_s - report.read_s:.2f} s")
    print(f"  residual {report.residual:.1e}, backward error {report.backward_error:.1e}, identity gap "
          f"{report.categories[0].identity_gap:.1e}, demand residual {inventory.residual:.1e}, "
          f"backend {report.backend}")
    if reference is not None:
        got = intensities.total[:, c]
        want = np.array([reference[p] for p in system.process_ids])
        print(f"  graph round trip vs the generator's arrays: max relative difference of totals "
              f"{float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-300))):.1e}")
    return {"read": read_s, "factorise": factorise_s, "totals": totals_s, "write": write_s, "end": end_s}


def write_alternatives(store: FalkorStore, categories: int = 7) -> None:
    """The write-back paths of graph/results.py: every category into new Results, again over
    them (the fast path, in several batch sizes), one category at its place, and a subset merged."""
    system = system_from_rows(read_technosphere(store))
    n, ids = system.size, [f"bench-alt-{k}" for k in range(categories)]
    version = store.graph_version()

    def results(chosen: list[str]) -> list[CategoryResults]:
        return [CategoryResults(c, "m", "u", version, 0.0, system.process_ids, [1.0 + k] * n, [2.0 + k] * n)
                for k, c in enumerate(chosen)]

    def write(chosen: list[str], size: int = BATCH_SIZE) -> Callable[[], int]:
        return lambda: write_results(store, results(chosen), size, layout=ids)

    store.write(q.DELETE_RESULTS)
    print(f"\n  write-back paths ({n:,} processes, {categories} categories, one Result per process):")
    rows = [("every category, new Results", write(ids)), ("every category, over them", write(ids))]
    rows += [(f"every category, batches of {size:,}", write(ids, size)) for size in (2_000, 10_000, 20_000)]
    rows += [("one category at its place", write(ids[3:4])), ("two categories (merged)", write(ids[1:3]))]
    for label, action in rows:
        written, spent = timed(action)
        print(f"    {label:<34} {spent:6.2f} s ({written:,} numbers)")
    store.write(q.DELETE_RESULTS)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--dir", type=Path, help="keep the embedded graphs here (reused if present)")
    parser.add_argument("--skip-uslci", action="store_true")
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--alternatives", action="store_true", help="time write-back alternatives")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lcg-calc-") as tmp:
        folder = args.dir or Path(tmp) / "graph"
        if not args.skip_uslci:
            store = open_embedded(folder, graph="bench-uslci", stop_on_close=False)
            store.ensure_schema()
            if store.graph_version() == 0:
                _, spent = timed(lambda: import_database(
                    store, find_data_dir() / "uslci" / "uslci_fy17q4_jsonld.zip", "USLCI FY17 Q4"))
                print(f"USLCI imported in {spent:.1f} s")
            phases(store, "USLCI FY17 Q4")
            if args.alternatives:
                write_alternatives(store)
            store.close()
        if not args.skip_synthetic:
            db = generate_database(args.processes, seed=args.seed)
            store = open_embedded(folder, graph=f"bench-synthetic-{args.processes}", stop_on_close=False)
            store.ensure_schema()
            if store.graph_version() == 0:
                content = synthetic_content(db)
                def write() -> None:
                    with store.unit_of_work() as writer:
                        write_database_content(writer, content)
                _, spent = timed(write)
                print(f"synthetic database written in {spent:.1f} s ({len(content.exchanges):,} exchanges)")
            system = build_system(db.processes, db.links, db.elementary, db.factors, unlinked=db.unlinked)
            reference = compute_intensities(system, factorise(system))
            totals = dict(zip(system.process_ids, reference.total[:, 0], strict=True))
            phases(store, f"synthetic {args.processes:,} (bench/synthetic.py)", totals)
            if args.alternatives:
                write_alternatives(store)
            store.close()


if __name__ == "__main__":
    main()
