"""Contribution-weighted DQR and coverage against hand-solved systems."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from lcagraph.errors import InvalidArgument
from solver.completeness import find_complete_subtrees, find_incomplete_processes
from solver.factorisation import factorise
from solver.matrices import TechnosphereSystem
from solver.quality import aggregate_dqr, compute_coverage, rate_dqr

MakeSystem = Callable[..., TechnosphereSystem]
NAN = math.nan


def test_pef_thresholds() -> None:
    assert [rate_dqr(v) for v in (1.0, 1.5, 1.51, 2.0, 3.0, 3.5, 4.0, 4.01, NAN)] == [
        "excellent", "excellent", "very good", "very good", "good", "fair", "fair", "poor", "no data"]


def test_dqr_up_a_chain(make_system: MakeSystem, backend: str) -> None:
    """p1 (3 kg CO2, DQR 4) needs 1 p2; p2 (2 kg, no DQ data) needs 2 p3; p3 (1 kg, DQR 2);
    p4 (1 kg, no data) alone. Totals 7, 4, 1, 1. Direct contributions to p1: 3, 2, 2 ->
    DQR (3*4 + 2*2) / 5 = 3.2 "fair", without data 2/7; p2: 2 (no data), 2 (DQR 2) -> 2.0
    "very good", without 1/2; p3: 2.0, 0; p4: no data, share 1."""
    system = make_system(
        processes=[("p1", 1.0), ("p2", 1.0), ("p3", 1.0), ("p4", 1.0)],
        links=[("p1", "p2", 1.0), ("p2", "p3", 2.0)],
        elementary=[("p1", "co2", 3.0), ("p2", "co2", 2.0), ("p3", "co2", 1.0), ("p4", "co2", 1.0)],
        factors=[("gwp", "co2", 1.0)],
    )
    result = aggregate_dqr(system, factorise(system, backend), [4.0, NAN, 2.0, NAN])
    np.testing.assert_allclose(result.dqr, [3.2, 2.0, 2.0, NAN], rtol=1e-12)
    np.testing.assert_allclose(result.without_data, [2 / 7, 0.5, 0.0, 1.0], rtol=1e-12, atol=1e-15)
    assert result.rating == ("fair", "very good", "very good", "no data")


def test_dqr_weighs_uptakes_by_size_and_refuses_credit_dominated_averages(make_system: MakeSystem) -> None:
    """q: p1 emits 3 (DQR 1) and takes up 1 kg CO2 via p2 (q2 = -1, DQR 5): gross weights 3 and
    1 -> (3 + 5) / 4 = 2.0. p3 (3 kg, DQR 1) avoids 1 p4 (2 kg, DQR 5): weights 3 and -2 give
    (3 - 10) / 1 = -7, outside [1, 5]: undetermined, not 'excellent'."""
    system = make_system(
        processes=[("p1", 1.0), ("p2", 1.0), ("p3", 1.0), ("p4", 1.0)],
        links=[("p1", "p2", 1.0), ("p3", "p4", 1.0, True, True)],
        elementary=[("p1", "co2", 3.0), ("p2", "co2", 1.0, True), ("p3", "co2", 3.0), ("p4", "co2", 2.0)],
        factors=[("gwp", "co2", 1.0)],
    )
    result = aggregate_dqr(system, factorise(system), [1.0, 5.0, 1.0, 5.0])
    assert result.dqr[0] == pytest.approx(2.0, rel=1e-12)
    assert math.isnan(result.dqr[2]) and result.rating[2] == "undetermined"
    with pytest.raises(InvalidArgument, match="between 1 and 5"):
        aggregate_dqr(system, factorise(system), [0.5, 1.0, 1.0, 1.0])


def test_coverage_counts_complete_subtrees_only(make_system: MakeSystem, backend: str) -> None:
    """p1 (3 kg) needs p2 (2 kg, complete) and p3 (1 kg, one unlinked input): total 6, coverage
    2/6 (p1's own emissions reach p3, so they are not from a complete sub-tree); p2 1; p3 0.
    The loop p4 <-> p5 (complete) covers 1; p6 buys from p4 and has an uncharacterised
    greenhouse gas: 0 of its own part, p4/p5's part counted: (20/9) / (20/9 + 1)."""
    system = make_system(
        processes=[(f"p{k}", 1.0) for k in range(1, 7)],
        links=[("p1", "p2", 1.0), ("p1", "p3", 1.0), ("p4", "p5", 0.5), ("p5", "p4", 0.2), ("p6", "p4", 1.0)],
        elementary=[("p1", "co2", 3.0), ("p2", "co2", 2.0), ("p3", "co2", 1.0), ("p4", "co2", 1.0),
                    ("p5", "co2", 2.0), ("p6", "co2", 1.0), ("p6", "sf6", 1.0)],
        factors=[("gwp", "co2", 1.0)], unlinked=["p3"],
    )
    sf6 = np.array([flow == "sf6" for flow in system.flow_ids])
    incomplete = find_incomplete_processes(system, uncharacterised_flows=sf6)
    assert incomplete.tolist() == [False, False, True, False, False, True]
    complete = find_complete_subtrees(system, incomplete)
    assert complete.tolist() == [False, True, False, True, True, False]
    coverage = compute_coverage(system, factorise(system, backend), complete)
    np.testing.assert_allclose(coverage, [1 / 3, 1.0, 0.0, 1.0, 1.0, (20 / 9) / (20 / 9 + 1)], rtol=1e-12)
    declared = find_incomplete_processes(system, unlinked=np.zeros(6, dtype=np.int64))
    assert not declared.any()  # the cut-off declared deliberate: nothing incomplete
