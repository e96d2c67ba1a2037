"""First-order uncertainty of every total against hand-derived elasticities and Monte Carlo.

The loop system: p1 makes 1 kg from 0.5 kg p2 and emits 1 kg CO2; p2 makes 1 kg from 0.2 kg p1
and emits 2 kg CO2 (GWP 1). A = [[1, -0.2], [-0.5, 1]], det 0.9, A^-1 = [[1, 0.2], [0.5, 1]] / 0.9,
lambda = A^-T (1, 2) = (20/9, 22/9). Every link and emission lognormal with sigma2 = 0.01.

Demand 1 kg p1: s = (10/9, 5/9), h = 20/9; elasticities x dh/dx / h:
  a21 (p2 into p1): lambda_2 * 0.5 * s_1 / h = 11/18;  a12 (p1 into p2): lambda_1 * 0.2 * s_2 / h = 1/9;
  b11: s_1 / h = 1/2;  b12: 2 s_2 / h = 1/2   ->  Var = 0.01 (121 + 4 + 81 + 81) / 324 = 0.01 * 287/324.
Demand 1 kg p2: s = (2/9, 10/9), h = 22/9:
  a21: 1/9;  a12: 20/99;  b11: 1/11;  b12: 10/11  ->  Var = 0.01 (1/81 + 400/9801 + 1/121 + 100/121).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import ModuleType

import numpy as np
import pytest

from lcagraph.errors import InvalidArgument
from solver.distributions import (
    SystemUncertainty,
    place_entries,
    place_system_uncertainty,
    place_table_uncertainty,
)
from solver.factorisation import factorise
from solver.intensities import compute_intensities
from solver.matrices import TechnosphereSystem, build_system
from solver.montecarlo import run_monte_carlo
from solver.pedigree import Kind, Multipliers, describe_multipliers
from solver.tables import ElementaryTable, FactorTable, LinkTable, ProcessTable
from solver.uncertainty import propagate_uncertainty

MakeSystem = Callable[..., TechnosphereSystem]
NAN = math.nan
VAR_P1 = 0.01 * 287 / 324
VAR_P2 = 0.01 * (1 / 81 + 400 / 9801 + 1 / 121 + 100 / 121)


def lognormal(count: int, variance: float) -> Multipliers:
    return describe_multipliers([Kind.LOGNORMAL] * count, [1.0] * count,
                                [[math.exp(math.sqrt(variance)), NAN, NAN]] * count)


@pytest.fixture
def loop(make_system: MakeSystem) -> TechnosphereSystem:
    return make_system(
        processes=[("p1", 1.0), ("p2", 1.0)], links=[("p1", "p2", 0.5), ("p2", "p1", 0.2)],
        elementary=[("p1", "co2", 1.0), ("p2", "co2", 2.0)], factors=[("gwp", "co2", 1.0)],
    )


def loop_uncertainty(system: TechnosphereSystem, factor_variance: float = 0.0) -> SystemUncertainty:
    characterisation = None
    if factor_variance:
        characterisation = ([0], [0], [1.0], lognormal(1, factor_variance))
    return place_system_uncertainty(
        system, ([1, 0], [0, 1], [-0.5, -0.2], lognormal(2, 0.01)),
        ([0, 0], [0, 1], [1.0, 2.0], lognormal(2, 0.01)), characterisation,
    )


def test_hand_solved_loop(loop: TechnosphereSystem, backend: str) -> None:
    factors = factorise(loop, backend)
    result = propagate_uncertainty(loop, factors, compute_intensities(loop, factors), loop_uncertainty(loop))
    assert result.method == "exact" and result.solves == 2
    np.testing.assert_allclose(result.variance_ln, [VAR_P1, VAR_P2], rtol=1e-12)
    np.testing.assert_allclose(result.gsd2, np.exp(2 * np.sqrt([VAR_P1, VAR_P2])), rtol=1e-12)
    spread = np.exp(1.959963984540054 * np.sqrt([VAR_P1, VAR_P2]))
    np.testing.assert_allclose(result.low, np.array([20 / 9, 22 / 9]) / spread, rtol=1e-12)
    np.testing.assert_allclose(result.high, np.array([20 / 9, 22 / 9]) * spread, rtol=1e-12)


def test_uncertain_factor_adds_its_variance(loop: TechnosphereSystem) -> None:
    # One flow: dh/dc * c / h = 1, so sigma2_c = 0.04 adds 0.04 to both totals.
    factors = factorise(loop)
    result = propagate_uncertainty(loop, factors, compute_intensities(loop, factors),
                                   loop_uncertainty(loop, factor_variance=0.04))
    np.testing.assert_allclose(result.variance_ln, [VAR_P1 + 0.04, VAR_P2 + 0.04], rtol=1e-12)


def test_cells_summing_exchanges_combine_to_first_order(make_system: MakeSystem) -> None:
    # Two links (0.3 and 0.2 kg of p2) share A[p2, p1] = -0.5: sigma2 = (0.6^2 + 0.4^2) 0.01.
    system = make_system(processes=[("p1", 1.0), ("p2", 1.0)], links=[("p1", "p2", 0.3), ("p1", "p2", 0.2)])
    cells = place_entries(system.A, [1, 1], [0, 0], [-0.3, -0.2], lognormal(2, 0.01))
    assert cells.size == 1 and cells.multipliers.kind.tolist() == [Kind.LOGNORMAL]
    np.testing.assert_allclose(cells.multipliers.variance_ln, [0.0052], rtol=1e-12)
    alone = place_entries(system.A, [1], [0], [-0.5],
                          describe_multipliers([Kind.UNIFORM], [1.0], [[0.9, 1.1, NAN]]))
    assert alone.multipliers.kind.tolist() == [Kind.UNIFORM]  # one exchange keeps its shape
    with pytest.raises(InvalidArgument, match="empty matrix cell"):
        place_entries(system.A, [0], [1], [1.0], lognormal(1, 0.01))


def test_exchanges_that_cancel_in_a_cell_are_dropped(make_system: MakeSystem) -> None:
    # p1 takes 0.3 kg of p2 and gives 0.3 kg back: A[p2, p1] = 0, no first-order elasticity;
    # the uncertain link of the other cell stays. A lone exchange on an empty cell still fails.
    system = make_system(processes=[("p1", 1.0), ("p2", 1.0)], links=[("p2", "p1", 0.5)])
    cells = place_entries(system.A, [1, 1, 0], [0, 0, 1], [-0.3, 0.3, -0.5], lognormal(3, 0.01))
    assert cells.size == 1 and (int(cells.rows[0]), int(cells.cols[0])) == (0, 1)
    np.testing.assert_allclose(cells.multipliers.variance_ln, [0.01], rtol=1e-12)
    with pytest.raises(InvalidArgument, match="empty matrix cell"):
        place_entries(system.A, [1, 1], [0, 0], [-0.3, 0.2], lognormal(2, 0.01))


def test_monte_carlo_agrees_with_the_analytic_interval(loop: TechnosphereSystem) -> None:
    # SuperLU: PARDISO's per-call overhead makes 20,000 runs of a 2 x 2 system slow; its path is
    # checked by test_montecarlo (same samples) and the USLCI test (the default backend there).
    backend = "superlu"
    uncertainty = loop_uncertainty(loop)
    factors = factorise(loop, backend)
    analytic = propagate_uncertainty(loop, factors, compute_intensities(loop, factors), uncertainty)
    for j, process in enumerate(("p1", "p2")):
        mc = run_monte_carlo(loop, uncertainty, {process: 1.0}, runs=10_000, seed=11, backend=backend)
        assert mc.percentiles[2.5] == pytest.approx(analytic.low[j], rel=0.10)
        assert mc.percentiles[97.5] == pytest.approx(analytic.high[j], rel=0.10)
        width = math.log(mc.percentiles[97.5] / mc.percentiles[2.5])
        assert width == pytest.approx(math.log(analytic.high[j] / analytic.low[j]), rel=0.10)
        assert mc.deterministic == pytest.approx(analytic.total[j], rel=1e-12)


def test_sketch_matches_exact_within_its_error(looped_system: TechnosphereSystem) -> None:
    """500 processes with loops, credits and waste; every link and emission sigma2 = 0.01. With
    128 probes plain Johnson-Lindenstrauss has a relative sd of sqrt(2/128) = 12.5 % on the
    variance (6 % on sd, 12 % at the 95th percentile); the first-layer control variate brings the
    sd's median error to about 3.5 % (measured: 3.4 %, 95th percentile 9.7 %, worst 14 %)."""
    system = looped_system
    factors = factorise(system)
    intensities = compute_intensities(system, factors)
    a, b = system.A.tocoo(), system.B.tocoo()
    off = a.row != a.col
    uncertainty = place_system_uncertainty(
        system, (a.row[off], a.col[off], a.data[off], lognormal(int(off.sum()), 0.01)),
        (b.row, b.col, b.data, lognormal(b.nnz, 0.01)),
    )
    exact = propagate_uncertainty(system, factors, intensities, uncertainty, budget=10_000)
    sketch = propagate_uncertainty(system, factors, intensities, uncertainty, budget=128, seed=3)
    assert exact.method == "exact" and sketch.method == "sketch" and sketch.solves == 128
    finite = np.isfinite(exact.variance_ln) & (exact.variance_ln > 0)
    gap = np.sqrt(sketch.variance_ln[finite] / exact.variance_ln[finite]) - 1  # relative error of sd
    assert np.median(np.abs(gap)) < 0.05 and np.percentile(np.abs(gap), 95) < 0.15 and np.abs(gap).max() < 0.3
    assert abs(gap.mean()) < 0.04  # no bias


def _sketched(system: TechnosphereSystem) -> dict[str, float]:
    a, b = system.A.tocoo(), system.B.tocoo()
    off = a.row != a.col
    uncertainty = place_system_uncertainty(
        system, (a.row[off], a.col[off], a.data[off], lognormal(int(off.sum()), 0.01)),
        (b.row, b.col, b.data, lognormal(b.nnz, 0.01)),
    )
    factors = factorise(system)
    intensities = compute_intensities(system, factors)
    spread = propagate_uncertainty(system, factors, intensities, uncertainty, budget=16)
    assert spread.method == "sketch"
    return dict(zip(system.process_ids, spread.variance_ln.tolist(), strict=True))


def test_the_sketch_does_not_depend_on_the_order_of_the_processes(synthetic: ModuleType) -> None:
    """The same database with its processes listed backwards (as another import order or a
    snapshot merge lists them): the random probes go to the same rows of R, so each process gets
    the same estimate, not another draw."""
    db = synthetic.generate_database(300, seed=11, categories=1)
    p = db.processes
    backwards = ProcessTable(list(p.ids)[::-1], np.asarray(p.ref_amounts)[::-1],
                             None if p.ref_is_input is None else np.asarray(p.ref_is_input)[::-1],
                             None if p.allocation is None else np.asarray(p.allocation)[::-1])
    forward = _sketched(build_system(p, db.links, db.elementary, db.factors, unlinked=db.unlinked))
    reverse = _sketched(build_system(backwards, db.links, db.elementary, db.factors, unlinked=db.unlinked))
    assert forward.keys() == reverse.keys()
    ids = sorted(forward)
    np.testing.assert_allclose([reverse[k] for k in ids], [forward[k] for k in ids], rtol=1e-9, atol=1e-300)


def test_arguments_are_checked(loop: TechnosphereSystem) -> None:
    factors = factorise(loop)
    intensities = compute_intensities(loop, factors)
    with pytest.raises(InvalidArgument, match="category index"):
        propagate_uncertainty(loop, factors, intensities, loop_uncertainty(loop), category=3)
    with pytest.raises(InvalidArgument, match="at least 2"):
        run_monte_carlo(loop, loop_uncertainty(loop), {"p1": 1.0}, runs=1)


def test_rows_of_the_input_tables_find_their_cells() -> None:
    """The loop from tables: p1 has allocation 0.5 (its link and emission halve: cells -0.25 and
    0.5), p2 also avoids 0.1 kg of p1's product (A[p1, p2] = -0.2 + 0.1 = -0.1) and takes 3 kg of
    ore (a resource: -3). Each row finds its cell with the sign and factor build_system gave it."""
    processes = ProcessTable(["p1", "p2"], [1.0, 1.0], [False, False], [0.5, 1.0])
    links = LinkTable(["p1", "p2", "p2"], ["p2", "p1", "p1"], [0.5, 0.2, 0.1], [True, True, False],
                      [False, False, True])
    elementary = ElementaryTable(["p1", "p2", "p2"], ["co2", "co2", "ore"], [1.0, 2.0, 3.0],
                                 [False, False, True])
    system = build_system(processes, links, elementary, FactorTable(["gwp"], ["co2"], [1.0]))
    cells = place_table_uncertainty(system, processes, links, elementary, lognormal(3, 0.01),
                                    lognormal(3, 0.01))
    a = cells.technosphere
    cells_a = sorted(zip(a.rows.tolist(), a.cols.tolist(), a.values.tolist(), strict=True))
    assert cells_a == [(0, 1, pytest.approx(-0.1)), (1, 0, -0.25)]
    # two exchanges share A[p1, p2] = -0.2 + 0.1: first order (2^2 + 1^2) 0.01
    shared = a.multipliers.variance_ln[a.cols.tolist().index(1)]
    assert shared == pytest.approx(0.05, rel=1e-12)
    b = cells.biosphere
    assert sorted(b.values.tolist()) == [-3.0, 0.5, 2.0]  # the ore is a resource input
