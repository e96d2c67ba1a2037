"""All-process analytic uncertainty next to the all-process solve, on USLCI and on the synthetic
ecoinvent-sized database (target: uncertainty <= 3 x the solve).

    .venv/bin/python bench/bench_uncertainty.py [--processes 20000] [--seed 42] [--budgets 16 32 64]
                                                [--exact-limit 25000] [--backend NAME] [--skip-uslci]

Both use one factorisation (not timed in the ratio: the cached one is reused). "solve" is
compute_intensities (direct + total of every process, one category); "uncertainty" is
propagate_uncertainty with every link and elementary cell lognormal (pedigree (2;2;2;2;2), basic
0.0006): exact (one solve per row of R) where R has at most --exact-limit rows, and the sketch
at each budget with its error against the exact figures. Times are CPU times of this process
(BLAS and MKL single-threaded), best of ROUNDS with the solve and the task alternating.
USLCI is imported into a throw-away embedded graph (about 3 s, not timed).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import generate_database
from solver.distributions import SystemUncertainty, place_system_uncertainty
from solver.factorisation import factorise, select_backend
from solver.intensities import compute_intensities
from solver.matrices import TechnosphereSystem, build_system
from solver.pedigree import Kind, Multipliers, describe_multipliers
from solver.quality import aggregate_dqr
from solver.uncertainty import propagate_uncertainty

ROUNDS = 15  # the machine is shared: each figure is the best of ROUNDS, solve and task alternating
# One BLAS/MKL thread unless told otherwise: on this shared 2-core machine a threaded BLAS
# spin-waits against the other developers' processes, and 32-column solves took 432 ms instead of 37.
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def run_single_threaded() -> None:
    """Re-run this script with THREAD_VARS = 1 where none is set (they act at numpy's import)."""
    if not any(v in os.environ for v in THREAD_VARS):
        single = {**os.environ, **dict.fromkeys(THREAD_VARS, "1")}
        os.execve(sys.executable, [sys.executable, *sys.argv], single)


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    """(result, CPU seconds of this process): single-threaded, so the CPU time is the work done,
    unlike wall time, which on the shared machine also counts waiting for a core."""
    start = time.process_time()
    result = action()
    return result, time.process_time() - start


def versus_solve(
    solve: Callable[[], Any], task: Callable[[], Any], rounds: int = ROUNDS
) -> tuple[Any, float, float]:
    """(task's result, best solve time, best task time), the two run alternately."""
    best_solve, best_task, result = math.inf, math.inf, None
    for _ in range(rounds):
        best_solve = min(best_solve, timed(solve)[1])
        result, elapsed = timed(task)
        best_task = min(best_task, elapsed)
    return result, best_solve, best_task


def report(label: str, t_task: float, t_solve: float) -> None:
    line(label, f"{t_task * 1e3:9.1f} ms  = {t_task / t_solve:5.2f} x solve ({t_solve * 1e3:.1f} ms)")


def small(count: int) -> Multipliers:
    return describe_multipliers([Kind.NONE] * count, np.ones(count), np.full((count, 3), math.nan),
                                scores=np.full((count, 5), 2))


def every_cell_uncertain(system: TechnosphereSystem) -> SystemUncertainty:
    a, b = system.A.tocoo(), system.B.tocoo()
    off = (a.row != a.col) & (a.data != 0)
    bio = b.data != 0
    return place_system_uncertainty(system, (a.row[off], a.col[off], a.data[off], small(int(off.sum()))),
                                    (b.row[bio], b.col[bio], b.data[bio], small(int(bio.sum()))))


def line(label: str, value: str) -> None:
    print(f"  {label:<56} {value}")


def bench(label: str, system: TechnosphereSystem, backend: str, budgets: list[int], exact_limit: int) -> None:
    print(f"{label}: {system.size} processes, A nnz {system.A.nnz}, B nnz {system.B.nnz} (backend {backend})")
    factors = factorise(system, backend)
    intensities = compute_intensities(system, factors)
    uncertainty = every_cell_uncertain(system)

    def solve() -> Any:
        return compute_intensities(system, factors)

    _, t_solve, t_dqr = versus_solve(solve, lambda: aggregate_dqr(system, factors, np.full(system.size, 2.0)))
    line("all-process solve (direct + total, 1 category), best", f"{t_solve * 1e3:9.1f} ms")
    report("contribution-weighted DQR (all processes)", t_dqr, t_solve)
    exact = None
    rows = propagate_uncertainty(system, factors, intensities, uncertainty, budget=2).rows
    if rows <= exact_limit:
        exact, t_exact = timed(lambda: propagate_uncertainty(system, factors, intensities, uncertainty,
                                                             budget=rows))
        report(f"all-process uncertainty, exact ({rows} solves, one run)", t_exact, t_solve)
    for budget in budgets:
        result, t_base, t_unc = versus_solve(solve, lambda budget=budget: propagate_uncertainty(  # type: ignore[misc]
            system, factors, intensities, uncertainty, budget=budget))
        report(f"all-process uncertainty, {result.method} ({result.solves} solves)", t_unc, t_base)
        if exact is not None and result.method == "sketch":
            ok = np.isfinite(exact.variance_ln) & (exact.variance_ln > 0)
            gap = np.abs(np.sqrt(result.variance_ln[ok] / exact.variance_ln[ok]) - 1)
            line("    relative error of sd(ln) vs exact: median / 95th pct / max",
                 f"{np.median(gap):.3f} / {np.percentile(gap, 95):.3f} / {gap.max():.3f}")
    reference = exact or result
    sd = np.sqrt(reference.variance_ln[np.isfinite(reference.variance_ln) & (reference.variance_ln > 0)])
    line("GSD^2 of totals: median / 95th pct", f"{np.exp(2 * np.median(sd)):.3f} / "
         f"{np.exp(2 * np.percentile(sd, 95)):.3f}")


def uslci_system() -> TechnosphereSystem:
    from api.services.calculation import system_from_rows
    from api.services.importing import import_database
    from graph.connect import open_embedded
    from graph.embedded import start_server, stop_server
    from graph.technosphere import read_technosphere
    from lcagraph.config import find_data_dir

    with tempfile.TemporaryDirectory(prefix="lcg-") as folder:
        server = start_server(Path(folder))
        try:
            store = open_embedded(server.data_dir, graph="bench", stop_on_close=False)
            store.ensure_schema()
            import_database(store, find_data_dir() / "uslci/uslci_fy17q4_jsonld.zip", "USLCI FY17 Q4")
            system = system_from_rows(read_technosphere(store))
            store.close()
        finally:
            stop_server(server)
    return system


def main() -> None:
    run_single_threaded()
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--budgets", type=int, nargs="+", default=[16, 32, 64])
    parser.add_argument("--exact-limit", type=int, default=25_000,
                        help="largest R also solved exactly, for the sketch's error")
    parser.add_argument("--backend", default=None)
    parser.add_argument("--skip-uslci", action="store_true")
    args = parser.parse_args()
    print("threads: " + ", ".join(f"{v}={os.environ.get(v, '-')}" for v in THREAD_VARS)
          + f"; best of {ROUNDS} rounds, solve and uncertainty alternating")
    backend = select_backend(args.backend)
    if not args.skip_uslci:
        bench("USLCI FY17 Q4", uslci_system(), backend, args.budgets, args.exact_limit)
    db = generate_database(args.processes, seed=args.seed)
    system = build_system(db.processes, db.links, db.elementary, db.factors, unlinked=db.unlinked)
    bench("synthetic ecoinvent-sized", system, backend, args.budgets, args.exact_limit)


if __name__ == "__main__":
    main()
