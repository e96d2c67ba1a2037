"""Solver speed on the synthetic ecoinvent-sized database, side by side with Brightway (bw2calc).

    .venv/bin/python bench/bench_solver.py [--processes 20000] [--seed 42] [--locality 30]
                                           [--sample 50] [--fresh 3] [--demands 20] [--backend NAME]

lcagraph: build A, B, C from row arrays; factorise once; direct and total per unit of reference
product for every process (one transposed solve per category); one demand's supply vector.
bw2calc 3 (same A, B, C as bw_processing datapackages; its own backend choice: PARDISO if
pypardiso is installed, else scipy, as ours): its way to all-process totals is one LCA per
process, timed on a sample and EXTRAPOLATED to every process, both with one factorisation reused
(``lca.lcia(demand)``) and with a fresh LCA per process; one extra demand is ``redo_lci``.
The graph write-back is not part of this script (graph/ owns it).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import Shape, generate_database
from solver.factorisation import factorise, select_backend
from solver.intensities import compute_intensities, measure_layer_identity
from solver.inventory import solve_inventory
from solver.matrices import TechnosphereSystem, build_system

FLOW_OFFSET = 1_000_000


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def time_each(action: Callable[[int], Any], items: list[int]) -> list[float]:
    """Wall time of ``action(item)`` for each item."""
    times = []
    for item in items:
        start = time.perf_counter()
        action(item)
        times.append(time.perf_counter() - start)
    return times


def line(label: str, value: str) -> None:
    print(f"  {label:<52} {value}")


def describe(system: TechnosphereSystem, links: int, elementary: int) -> None:
    _, labels = connected_components(system.A, directed=True, connection="strong")
    print(f"synthetic database: {system.size} processes, {links} linked exchanges, {elementary} elementary "
          f"exchanges ({links + elementary + system.size} with references)")
    print(f"  A nnz {system.A.nnz}, B nnz {system.B.nnz}, {len(system.flow_ids)} flows, "
          f"{len(system.category_ids)} category; largest supply loop (SCC) "
          f"{np.bincount(labels).max()} processes")


def bench_lcagraph(system: TechnosphereSystem, backend: str, demands: list[int]) -> dict[str, Any]:
    print(f"lcagraph (backend {backend})")
    factors, t_factor = timed(lambda: factorise(system, backend))
    intensities, t_totals = timed(lambda: compute_intensities(system, factors))
    line("factorise A", f"{t_factor:8.3f} s")
    line("direct + total for every process (1 method)", f"{t_totals:8.3f} s")
    ids = system.process_ids
    times = time_each(lambda j: solve_inventory(system, factors, {ids[j]: 1.0}), demands)
    inventory = solve_inventory(system, factors, {ids[demands[0]]: 1.0})
    line("one demand: s, g, h, residual (median)", f"{statistics.median(times) * 1e3:8.2f} ms")
    line("  residual ||As-f||/||f||, backward error",
         f"{inventory.residual:.1e}, {inventory.backward_error:.1e}")
    line("totals: residual ||A'l-q||/||q||, backward error",
         f"{intensities.residuals.max():.1e}, {intensities.backward_errors.max():.1e}")
    identity = measure_layer_identity(system, intensities).max()
    line("layer identity, worst process (relative)", f"{identity:.1e}")
    line("negative link contributions / negative totals",
         f"{intensities.negative_contributions.sum()} / {intensities.negative_totals.sum()}")
    line("peak RSS so far", f"{peak_rss_mb():8.0f} MB")
    return {"factor": t_factor, "totals": t_totals, "demand": statistics.median(times),
            "total": intensities.total}


def to_datapackages(system: TechnosphereSystem) -> list[Any]:
    import bw_processing as bwp

    def vector(package: Any, matrix: str, coo: sp.coo_matrix, row_offset: int, col_offset: int) -> None:
        indices = np.empty(coo.nnz, dtype=bwp.INDICES_DTYPE)
        indices["row"], indices["col"] = coo.row + row_offset, coo.col + col_offset
        package.add_persistent_vector(matrix=matrix, indices_array=indices, data_array=coo.data.copy(),
                                      name=matrix)

    inventory, method = bwp.create_datapackage(), bwp.create_datapackage()
    vector(inventory, "technosphere_matrix", sp.coo_matrix(system.A), 1, 1)
    vector(inventory, "biosphere_matrix", sp.coo_matrix(system.B), FLOW_OFFSET, 1)
    row = sp.coo_matrix(system.C[0])
    indices = np.empty(row.nnz, dtype=bwp.INDICES_DTYPE)
    indices["row"], indices["col"] = row.col + FLOW_OFFSET, 0
    method.add_persistent_vector(matrix="characterization_matrix", indices_array=indices,
                                 data_array=row.data.copy(), name="characterization", global_index=0)
    return [inventory, method]


def bench_brightway(
    system: TechnosphereSystem, sample: list[int], fresh: int, demands: list[int]
) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bw2calc
    backend = "pardiso" if bw2calc.PYPARDISO else ("umfpack" if bw2calc.UMFPACK else "superlu")
    print(f"bw2calc {bw2calc.__version__} (backend {backend})")
    sigma, n = system.orientation, system.size
    packages, t_pack = timed(lambda: to_datapackages(system))
    line("datapackages from A, B, C", f"{t_pack:8.3f} s")
    lca, t_first = timed(lambda: _first_lca(bw2calc, packages, sample[0], sigma))
    line("first LCA: load matrices, factorise, lci, lcia", f"{t_first:8.3f} s")
    scores, t_loop = timed(lambda: [_score(lca, j, sigma) for j in sample])
    per_process = t_loop / len(sample)
    line(f"one LCA per process, factorisation reused (n={len(sample)})", f"{per_process * 1e3:8.2f} ms each")
    line("  -> all processes, EXTRAPOLATED", f"{t_first + per_process * n:8.1f} s")
    t_fresh = statistics.mean(time_each(lambda j: _fresh_score(bw2calc, packages, j, sigma), sample[:fresh]))
    line(f"one fresh LCA per process (n={fresh})", f"{t_fresh:8.3f} s each")
    line("  -> all processes, EXTRAPOLATED", f"{t_fresh * n:8.0f} s")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        times = time_each(lambda j: lca.redo_lci({j + 1: float(sigma[j])}), demands)
    line("one demand: redo_lci (median)", f"{statistics.median(times) * 1e3:8.2f} ms")
    line("peak RSS so far", f"{peak_rss_mb():8.0f} MB")
    return {"first": t_first, "per_process": per_process, "fresh": t_fresh,
            "demand": statistics.median(times), "scores": np.array(scores)}


def _first_lca(bw2calc: Any, packages: list[Any], j: int, sigma: np.ndarray) -> Any:
    lca = bw2calc.LCA({j + 1: float(sigma[j])}, data_objs=packages)
    lca.lci(factorize=True)
    lca.lcia()
    return lca


def _score(lca: Any, j: int, sigma: np.ndarray) -> float:
    lca.lcia(demand={j + 1: float(sigma[j])})
    return float(lca.score)


def _fresh_score(bw2calc: Any, packages: list[Any], j: int, sigma: np.ndarray) -> float:
    lca = bw2calc.LCA({j + 1: float(sigma[j])}, data_objs=packages)
    lca.lci()
    lca.lcia()
    return float(lca.score)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--locality", type=float, default=Shape().locality)
    parser.add_argument("--sample", type=int, default=50, help="processes timed in bw2calc's reused loop")
    parser.add_argument("--fresh", type=int, default=3, help="processes timed with a fresh bw2calc LCA each")
    parser.add_argument("--demands", type=int, default=20, help="demands timed one by one")
    parser.add_argument("--backend", default=None, help="superlu, umfpack or pardiso")
    return parser.parse_args()


def compare(
    system: TechnosphereSystem, ours: dict[str, Any], theirs: dict[str, Any], sample: list[int]
) -> None:
    ours_total = ours["total"][sample, 0]
    gap = np.abs(theirs["scores"] - ours_total) / np.maximum(np.abs(ours_total), 1e-300)
    print("side by side")
    line("scores of the sample, max relative difference", f"{gap.max():.1e}")
    all_ours = ours["build"] + ours["factor"] + ours["totals"]
    line("all-process totals: lcagraph build+factorise+solve", f"{all_ours:8.3f} s (write-back not included)")
    line("  speed-up vs bw2calc reused factorisation (extrap.)",
         f"{(theirs['first'] + theirs['per_process'] * system.size) / all_ours:8.0f} x")
    line("  speed-up vs bw2calc fresh LCA per process (extrap.)",
         f"{theirs['fresh'] * system.size / all_ours:8.0f} x")
    line("one extra demand: lcagraph / bw2calc redo_lci", f"{ours['demand'] / theirs['demand']:8.2f}")
    line("peak RSS of the whole run", f"{peak_rss_mb():8.0f} MB")


def main() -> None:
    args = parse_arguments()
    shape = Shape(locality=args.locality)
    db, t_gen = timed(lambda: generate_database(args.processes, seed=args.seed, shape=shape))
    system, t_build = timed(lambda: build_system(db.processes, db.links, db.elementary, db.factors,
                                                 unlinked=db.unlinked))
    describe(system, len(db.links.consumers), len(db.elementary.flows))
    print(f"  generated in {t_gen:.2f} s; build_system (ids -> indices, A, B, C, checks) {t_build:.3f} s")
    rng = np.random.default_rng(args.seed)
    sample = [int(j) for j in rng.choice(system.size, size=args.sample, replace=False)]
    demands = [int(j) for j in rng.choice(system.size, size=args.demands, replace=False)]
    ours = bench_lcagraph(system, select_backend(args.backend), demands) | {"build": t_build}
    theirs = bench_brightway(system, sample, args.fresh, demands)
    compare(system, ours, theirs, sample)


if __name__ == "__main__":
    main()
