"""The wired issue-12 pipeline (api/services/quality.py) on USLCI FY17 Q4 + the transport, rail and
marine modules + FEDEFL IPCC, next to the all-process solve of the same graph version:

    .venv/bin/python bench/bench_quality.py [--rounds 3]

"solve": compute_intensities, one category, every process (the factorisation is cached and not
timed). "uncertainty": propagate_uncertainty with the distributions the graph holds (given,
else pedigree + basic), as quality_table runs it. "quality table": everything quality_table does
for a new graph version (technosphere re-read, DQ reads, uncertainty, DQR, coverage). Wall-clock
seconds, best of --rounds. The data are imported into a throw-away embedded graph (not timed).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.services import quality
from api.services.calculation import CalculationCache, with_categories
from api.services.importing import import_database
from graph.connect import open_embedded
from graph.embedded import start_server, stop_server
from lcagraph.config import find_data_dir
from solver import compute_intensities, propagate_uncertainty

GWP = "ipcc-ar6-gwp100/climate-change"
USLCI = "USLCI FY17 Q4"


def best(action: Callable[[], Any], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    data = find_data_dir()
    with tempfile.TemporaryDirectory(prefix="lcg-") as folder:
        server = start_server(Path(folder))
        try:
            store = open_embedded(server.data_dir, graph="bench", stop_on_close=False)
            store.ensure_schema()
            import_database(store, data / "uslci/uslci_fy17q4_jsonld.zip", USLCI)
            for module in ("uslci-transport_v1.1", "uslci-rail_v1.0", "uslci-marine_v1.0"):
                import_database(store, data / "flcac" / f"{module}_jsonld.zip", module, (USLCI,))
            import_database(store, data / "methods/fedefl_ipcc_v1.0.3_jsonld.zip", "FEDEFL IPCC")
            cache = CalculationCache()
            loaded = cache.load(store)
            table = quality.quality_table(store, GWP, cache=cache)
            system, factorisation = table.system, loaded.solved.factorisation
            intensities = compute_intensities(system, factorisation)
            t_solve = best(lambda: compute_intensities(with_categories(loaded.system, [GWP]), factorisation),
                           rounds)
            t_unc = best(lambda: propagate_uncertainty(system, factorisation, intensities, table.uncertainty),
                         rounds)

            t_table = best(lambda: quality.quality_table(store, GWP, cache=cache, fresh=True), rounds)
            store.close()
        finally:
            stop_server(server)
    spread = propagate_uncertainty(system, factorisation, intensities, table.uncertainty)
    print(f"processes {system.size:,} · uncertain cells: A {table.uncertainty.technosphere.rows.size:,}, "
          f"B {table.uncertainty.biosphere.rows.size:,} · method {spread.method} ({spread.solves} solves, "
          f"{spread.rows:,} rows of R)")
    print(f"all-process solve      {t_solve * 1e3:8.1f} ms")
    print(f"all-process uncertainty{t_unc * 1e3:8.1f} ms  ({t_unc / t_solve:.2f} x the solve; target <= 3)")
    print(f"whole quality table    {t_table * 1e3:8.1f} ms  (reads, uncertainty, DQR, coverage)")


if __name__ == "__main__":
    main()
