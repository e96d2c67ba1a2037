"""Cold starts on the synthetic ecoinvent-sized database (bench/synthetic.py, 20,000 processes,
written into an embedded graph as bench/bench_calculate.py does): every figure is taken in a fresh
Python process (nothing in memory), so it is what a user's ``lcagraph calculate`` / ``footprint``
costs.

    .venv/bin/python bench/bench_cold.py [--dir DIR] [--processes 20000] [--categories 4]

Rows:
- ``calculate, no snapshot``: the matrices read from the graph (the snapshot is deleted first),
  built, factorised, solved for every category, written back; the snapshot is written on the way;
- ``first quality table, no section``: a footprint on a version whose snapshot has no quality
  section yet (issue 12's accuracy and completeness need every exchange's uncertainty, DQ entry
  and link state): read from the graph once and written into the snapshot; later imports carry it on;
- ``import a module linking into it``: a small database (``--module`` processes, 5 product inputs
  each from synthetic processes) imported as ``lcagraph import`` commits it; the snapshot of the
  version it commits is written inside its unit of work from the previous one and the rows the
  import touched (api/services/snapshot_update.py), its quality section with it, timed apart (the
  rows below then read it);
- ``calculate, snapshot``: the same with the snapshot of this version present (issue 15: < 5 s);
- ``calculate 1 category, snapshot`` vs ``all categories``: one factorisation and one
  multi-right-hand-side solve serve every category (target: all < 2 × one);
- ``footprint after an engine restart``: the embedded server is stopped, a fresh process starts it
  and asks one footprint (results current, snapshot present; target < 3 s for the footprint call).

Columns: wall time and CPU time (user+sys of the bench process; the engine's own CPU is not in it)
of the whole call, its phases, and the peak RSS of the process (target < 4 GB). The machine is
shared: wall times vary with its load, CPU times less so.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.services.calculation import calculate
from api.services.footprint import footprint
from api.services.importing import commit_content
from api.services.matrices import CalculationCache, snapshot_path
from bench.bench_calculate import synthetic_content
from bench.synthetic import generate_database
from graph import queries
from graph.connect import open_embedded
from graph.embedded import start_server, stop_server
from graph.reader import read_provider_candidates
from graph.snapshot_location import read_identity
from graph.writer import write_database_content
from lcagraph.records import Database, DatabaseContent, Exchange, Flow, Process, ProviderLink

CO2 = Flow("module-co2", "Carbon dioxide, fossil", "elementary", "kg", "Mass", cas="000124-38-9")


def graph_name(args: argparse.Namespace) -> str:
    return f"bench-cold-{args.processes}-c{args.categories}"


def prepare(args: argparse.Namespace) -> None:
    """Write the synthetic database once (kept in --dir)."""
    store = open_embedded(args.dir, graph=graph_name(args), stop_on_close=False)
    store.ensure_schema()
    if store.graph_version() == 0:
        db = generate_database(args.processes, seed=42, categories=args.categories)
        content = synthetic_content(db)
        start = time.perf_counter()
        with store.unit_of_work() as writer:
            write_database_content(writer, content)
        print(f"synthetic database written in {time.perf_counter() - start:.1f} s "
              f"({len(content.exchanges):,} exchanges, {args.categories} categories)")
    store.close()


def module_content(store: Any, processes: int) -> DatabaseContent:
    """``processes`` processes, each with 5 product inputs from synthetic processes and some CO2."""
    candidates = [c for c in read_provider_candidates(store, ["synthetic"]) if not c.is_treatment]
    rows: list[Exchange] = []
    links: list[ProviderLink] = []
    for k in range(processes):
        pid = f"module-{k}"
        rows += [Exchange(f"{pid}/0", pid, f"module-product-{k}", False, 1.0, "kg", 1.0, is_reference=True),
                 Exchange(f"{pid}/1", pid, CO2.id, False, 0.1 * (k % 7 + 1), "kg", 0.1 * (k % 7 + 1))]
        for n in range(2, 7):
            c = candidates[(k * 7919 + n * 104729) % len(candidates)]
            rows.append(Exchange(f"{pid}/{n}", pid, c.flow, True, 0.5 / n, "kg", 0.5 / n))
            links.append(ProviderLink(pid, c.process, c.flow, f"{pid}/{n}", 0.5 / n, "default"))
    products = [Flow(f"module-product-{k}", f"part {k}", "product", "kg", "Mass") for k in range(processes)]
    made = [Process(f"module-{k}", f"part {k}", "module", ref_flow=f.id, ref_amount=1.0, ref_unit="kg")
            for k, f in enumerate(products)]
    return DatabaseContent(database=Database("module", "module linking into synthetic"),
                           flows=(CO2, *products), processes=tuple(made), exchanges=tuple(rows),
                           links=tuple(links))


def import_module(args: argparse.Namespace) -> None:
    """Import (or re-import) the module and print the snapshot part of the import."""
    store = open_embedded(args.dir, graph=graph_name(args), stop_on_close=False)
    content = module_content(store, args.module)
    marks: dict[str, float] = {}

    def step(name: str, rows: int) -> None:
        marks[name] = time.perf_counter()
        if name == "wrote the matrix snapshot":
            marks["snapshot processes"] = rows

    start = time.perf_counter()
    commit_content(store, content, step)
    total = time.perf_counter() - start
    snapshot_s = marks["wrote the matrix snapshot"] - marks["matched elementary flows (whole graph)"]
    written = snapshot_path(store, read_identity(store)).is_file()
    print(f"  {'import a module linking into it':<34} {total:6.2f} s wall  ({args.module} processes; "
          f"snapshot of {int(marks['snapshot processes']):,} processes written inside the unit in "
          f"{snapshot_s:.2f} s, published: {written})")
    store.close()


def child(args: argparse.Namespace) -> None:
    """One measurement in this (fresh) process; prints one JSON line."""
    wall, cpu = time.perf_counter(), time.process_time()
    store = open_embedded(args.dir, graph=graph_name(args), stop_on_close=False)
    opened = time.perf_counter() - wall
    out: dict[str, Any] = {"open_s": opened}
    if args.child == "footprint":
        start, cpu = time.perf_counter(), time.process_time()
        pid = store.read(queries.FIRST_PROCESS)[0]["id"]
        report = footprint(store, pid, method="GWP100")
        out.update(footprint_s=time.perf_counter() - start, from_cache=report.from_cache,
                   flows=len(report.by_flow))
    else:
        categories = ["GWP100"] if args.child == "one" else None
        if args.child == "graph":
            snapshot_path(store, read_identity(store)).unlink(missing_ok=True)
        start, cpu = time.perf_counter(), time.process_time()
        report = calculate(store, categories, cache=CalculationCache())
        out.update(calculate_s=time.perf_counter() - start, source=report.matrices_from,
                   read_s=report.read_s, build_s=report.build_s, snapshot_s=report.snapshot_s,
                   factorise_s=report.factorise_s, solve_s=report.solve_s, write_s=report.write_s,
                   categories=len(report.categories), results=sum(c.results for c in report.categories),
                   residual=report.residual)
    out["cpu_s"] = time.process_time() - cpu
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    store.close()
    print(json.dumps(out))


def measure(args: argparse.Namespace, what: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--dir", str(args.dir), "--processes", str(args.processes),
               "--categories", str(args.categories), "--child", what]
    started = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - started
    return result


def show(label: str, r: dict[str, Any]) -> None:
    if "calculate_s" in r:
        print(f"  {label:<34} {r['calculate_s']:6.2f} s wall  {r['cpu_s']:6.2f} s CPU  "
              f"= read ({r['source']}) {r['read_s']:.2f} + build {r['build_s']:.2f} + snapshot write "
              f"{r['snapshot_s']:.2f} + factorise {r['factorise_s']:.2f} + solve {r['solve_s']:.2f} "
              f"+ write-back {r['write_s']:.2f} ({r['results']:,} Results, {r['categories']} categories)  "
              f"peak RSS {r['peak_rss_mb']:,.0f} MB")
    else:
        print(f"  {label:<34} {r['footprint_s']:6.2f} s wall  {r['cpu_s']:6.2f} s CPU  (engine start + open "
              f"{r['open_s']:.2f} s, from cache {r['from_cache']}, {r['flows']:,} flows)  peak RSS "
              f"{r['peak_rss_mb']:,.0f} MB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, help="embedded data folder kept between runs")
    parser.add_argument("--processes", type=int, default=20_000)
    parser.add_argument("--categories", type=int, default=4)
    parser.add_argument("--module", type=int, default=50, help="processes of the module imported")
    parser.add_argument("--child", choices=("graph", "snapshot", "one", "footprint"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args)
        return
    with tempfile.TemporaryDirectory(prefix="lcg-cold-") as tmp:
        args.dir = args.dir or Path(tmp) / "graph"
        prepare(args)
        print(f"\nsynthetic {args.processes:,} processes, {args.categories} categories, "
              "each row a fresh process:")
        show("calculate, no snapshot", measure(args, "graph"))
        show("first quality table, no section", measure(args, "footprint"))
        import_module(args)
        show("calculate all categories, snapshot", measure(args, "snapshot"))
        one = measure(args, "one")
        show("calculate 1 category, snapshot", one)
        every = measure(args, "snapshot")
        show("calculate all categories, snapshot", every)
        print(f"  all categories / one category: {every['calculate_s'] / one['calculate_s']:.2f} (wall), "
              f"{every['cpu_s'] / one['cpu_s']:.2f} (CPU)")
        stop_server(start_server(args.dir))
        show("footprint after an engine restart", measure(args, "footprint"))
        stop_server(start_server(args.dir))  # the children leave it running (stop_on_close=False)


if __name__ == "__main__":
    main()
