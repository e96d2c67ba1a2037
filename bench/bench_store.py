"""Write and read speed of the graph store on the embedded engine (FalkorDB).

    .venv/bin/python bench/bench_store.py [--processes 2000] [--exchanges-per-process 25]

Builds a synthetic database (each process: a reference output, product inputs linked to
earlier processes, elementary outputs), then times on a fresh embedded store in a temporary
folder: the whole import in one unit of work, the same import again (a replacement), reading
the database back into records, and provider candidates. Prints rows per second.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph.connect import open_embedded
from graph.reader import read_database_content, read_provider_candidates
from graph.writer import write_database_content
from lcagraph.records import Database, DatabaseContent, Exchange, Flow, Process, ProviderLink


def synthetic(n: int, per_process: int, seed: int = 1) -> DatabaseContent:
    rng = random.Random(seed)
    db = "bench"
    elementary = [Flow(f"e{i}", f"emission {i}", "elementary", "kg", compartment=("air",))
                  for i in range(200)]
    products = [Flow(f"f{i}", f"product {i}", "product", "kg") for i in range(n)]
    processes = [Process(f"p{i}", f"process {i}", db, ref_flow=f"f{i}", ref_unit="kg") for i in range(n)]
    exchanges: list[Exchange] = []
    links: list[ProviderLink] = []
    for i in range(n):
        exchanges.append(Exchange(f"p{i}/0", f"p{i}", f"f{i}", False, 1.0, "kg", 1.0, is_reference=True))
        for k in range(1, per_process):
            if i > 0 and k <= per_process // 3:
                j = rng.randrange(i)
                amount = round(rng.uniform(0.001, 2.0), 6)
                exchanges.append(Exchange(f"p{i}/{k}", f"p{i}", f"f{j}", True, amount, "kg", amount))
                links.append(ProviderLink(f"p{i}", f"p{j}", f"f{j}", f"p{i}/{k}", amount, "unique"))
            else:
                amount = round(rng.uniform(1e-6, 1.0), 9)
                flow = elementary[rng.randrange(len(elementary))].id
                exchanges.append(Exchange(f"p{i}/{k}", f"p{i}", flow, False, amount, "kg", amount))
    return DatabaseContent(Database(db, "bench"), flows=tuple(elementary + products),
                           processes=tuple(processes), exchanges=tuple(exchanges), links=tuple(links))


def timed(label: str, rows: int, action: object) -> None:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    seconds = time.perf_counter() - start
    print(f"{label:<34} {seconds:8.2f} s   {rows / seconds:10,.0f} rows/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2000)
    parser.add_argument("--exchanges-per-process", type=int, default=25)
    args = parser.parse_args()
    content = synthetic(args.processes, args.exchanges_per_process)
    rows = len(content.processes) + len(content.exchanges) + len(content.links) + len(content.flows)
    print(f"{len(content.processes):,} processes, {len(content.exchanges):,} exchanges, "
          f"{len(content.links):,} provider links, {len(content.flows):,} flows")
    with tempfile.TemporaryDirectory(prefix="lcg-bench-") as folder:
        store = open_embedded(Path(folder) / "graph")
        try:
            def write() -> None:
                with store.unit_of_work() as writer:
                    write_database_content(writer, content)

            timed("import (one unit of work)", rows, write)
            timed("import again (replacement)", rows, write)
            timed("read back into records", rows, lambda: read_database_content(store, "bench"))
            timed("provider candidates", len(content.processes), lambda: read_provider_candidates(store))
        finally:
            store.close()


if __name__ == "__main__":
    main()
