"""Direct and total intensities and inventories against hand-solved and published cases.

Published cases: openLCA's olca-core tests (SelfLoopAnalysisTest, AllocationTest,
WasteCalculationTest) and bw2calc's basic fixture; the numbers are theirs, the systems are
rebuilt here from the exchanges those tests declare.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from lcagraph.errors import InvalidArgument, NodeNotFound, NonFiniteResult
from solver.factorisation import factorise
from solver.intensities import compute_intensities, measure_layer_identity, supply_coefficients
from solver.inventory import compute_flow_contributions, solve_inventory
from solver.matrices import TechnosphereSystem

MakeSystem = Callable[..., TechnosphereSystem]


@pytest.fixture
def openlca_loop(make_system: MakeSystem) -> TechnosphereSystem:
    """SelfLoopAnalysisTest: p1 makes 1 kg p1 from 1 kg p2 (f1 1 in, f2 2 out); p2 makes 1 kg p2
    from 0.5 kg p1 (f1 2 in, f2 1 out). Categories read each flow (f1 is an input: factor -1)."""
    return make_system(
        processes=[("p1", 1.0), ("p2", 1.0)],
        links=[("p1", "p2", 1.0), ("p2", "p1", 0.5)],
        elementary=[("p1", "f1", 1.0, True), ("p1", "f2", 2.0), ("p2", "f1", 2.0, True), ("p2", "f2", 1.0)],
        factors=[("f1", "f1", -1.0), ("f2", "f2", 1.0)],
    )


def test_openlca_loop_scaling_and_direct_results(openlca_loop: TechnosphereSystem, backend: str) -> None:
    factors = factorise(openlca_loop, backend)
    inventory = solve_inventory(openlca_loop, factors, {"p1": 2.0})
    np.testing.assert_allclose(inventory.supply, [4.0, 4.0], rtol=1e-12)
    direct = compute_flow_contributions(openlca_loop, inventory).toarray()
    f1, f2 = openlca_loop.flow_ids.index("f1"), openlca_loop.flow_ids.index("f2")
    np.testing.assert_allclose(direct[f1], [-4.0, -8.0], rtol=1e-12)  # inputs are negative in B
    np.testing.assert_allclose(direct[f2], [8.0, 4.0], rtol=1e-12)
    np.testing.assert_allclose(inventory.scores, [12.0, 12.0], rtol=1e-12)
    assert inventory.residual < 1e-15 and inventory.negative_scaling == ()


def test_openlca_loop_upstream_results(openlca_loop: TechnosphereSystem, backend: str) -> None:
    # openLCA's upstream result of a process in a loop is t_j * lambda_j / (A^-1[j, j] * A[j, j])
    # (its "loop factor"): 12, 12 for p1 and 10, 8 for p2 under a demand of 2 kg p1.
    factors = factorise(openlca_loop, backend)
    intensities = compute_intensities(openlca_loop, factors)
    np.testing.assert_allclose(intensities.total, [[6.0, 6.0], [5.0, 4.0]], rtol=1e-12)
    np.testing.assert_allclose(intensities.direct, [[1.0, 2.0], [2.0, 1.0]], rtol=1e-12)
    supply = solve_inventory(openlca_loop, factors, {"p1": 2.0}).supply
    diagonal = openlca_loop.A.diagonal()
    inverse_diagonal = np.array([factors.solve(np.eye(2)[j])[j] for j in range(2)])
    upstream = (supply / (inverse_diagonal * diagonal))[:, np.newaxis] * intensities.total
    np.testing.assert_allclose(upstream, [[12.0, 12.0], [10.0, 8.0]], rtol=1e-12)
    assert measure_layer_identity(openlca_loop, intensities).max() < 1e-15


@pytest.mark.parametrize("reference_is_waste", [False, True])
def test_openlca_physical_allocation(make_system: MakeSystem, reference_is_waste: bool) -> None:
    # AllocationTest: 1 kg p1 (or waste w1 treated) + 3 kg co-product, 2 kg CO2, factors
    # 0.25 / 0.75: 0.5 kg CO2 for the reference, whichever kinds reference and co-product are.
    system = make_system(
        processes=[("p", 1.0, reference_is_waste, 0.25)],
        elementary=[("p", "co2", 2.0)],
        factors=[("gwp", "co2", 1.0)],
    )
    factors = factorise(system)
    intensities = compute_intensities(system, factors)
    np.testing.assert_allclose(intensities.total, [[0.5]], rtol=1e-15)
    np.testing.assert_allclose(intensities.direct, [[0.5]], rtol=1e-15)
    np.testing.assert_allclose(solve_inventory(system, factors, {"p": 1.0}).inventory, [0.5], rtol=1e-15)


def test_openlca_waste_downstream(make_system: MakeSystem, backend: str) -> None:
    # WasteCalculationTest.testDownstream: p emits 2 w, treatment w emits 2 e per w: 4.0.
    system = make_system(
        processes=[("p", 1.0), ("w", 1.0, True)],
        links=[("p", "w", 2.0, False)],
        elementary=[("w", "e", 2.0)],
        factors=[("e", "e", 1.0)],
    )
    factors = factorise(system, backend)
    inventory = solve_inventory(system, factors, {"p": 1.0})
    np.testing.assert_allclose(inventory.inventory, [4.0], rtol=1e-15)
    np.testing.assert_allclose(inventory.supply, [1.0, 2.0], rtol=1e-15)
    np.testing.assert_allclose(compute_intensities(system, factors).total, [[4.0], [2.0]], rtol=1e-15)


def test_openlca_waste_treatment_as_reference(make_system: MakeSystem, backend: str) -> None:
    # testReference: treating 1 kg w needs 2 kg p, which emits 2 e per kg: 4.0.
    system = make_system(
        processes=[("w", 1.0, True), ("p", 1.0)],
        links=[("w", "p", 2.0)],
        elementary=[("p", "e", 2.0)],
        factors=[("e", "e", 1.0)],
    )
    factors = factorise(system, backend)
    inventory = solve_inventory(system, factors, {"w": 1.0})
    np.testing.assert_allclose(inventory.inventory, [4.0], rtol=1e-15)
    np.testing.assert_allclose(inventory.supply, [1.0, 2.0], rtol=1e-15)
    np.testing.assert_allclose(compute_intensities(system, factors).total[:, 0], [4.0, 2.0], rtol=1e-15)


def test_openlca_waste_linked_to_an_aggregated_result(make_system: MakeSystem) -> None:
    # testLinkedWasteResult: P emits 2 w, treated by a result of impact 21 per w: 42.
    system = make_system(
        processes=[("P", 1.0), ("R", 1.0, True)],
        links=[("P", "R", 2.0, False)],
        elementary=[("R", "i", 21.0)],
        factors=[("I", "i", 1.0)],
    )
    np.testing.assert_allclose(compute_intensities(system, factorise(system)).total[0], [42.0], rtol=1e-15)


def test_bw2calc_basic_case(make_system: MakeSystem, backend: str) -> None:
    # bw2calc's basic fixture: 101 makes 1 of product 1 from 0.5 of product 2 (made by 102) and
    # emits 1 of flow 1 (factor 1): supply 1 and 0.5, score 1.
    system = make_system(
        processes=[("101", 1.0), ("102", 1.0)],
        links=[("101", "102", 0.5)],
        elementary=[("101", "1", 1.0)],
        factors=[("m", "1", 1.0)],
    )
    inventory = solve_inventory(system, factorise(system, backend), {"101": 1.0})
    np.testing.assert_allclose(inventory.supply, [1.0, 0.5], rtol=1e-15)
    np.testing.assert_allclose(inventory.scores, [1.0], rtol=1e-15)


def test_avoided_product_is_a_credit(make_system: MakeSystem) -> None:
    # p emits 5 and delivers 2 MJ that replace grid power (1 per MJ): 5 - 2 = 3; the grid's
    # scaling factor turns negative and is reported.
    system = make_system(
        processes=[("p", 1.0), ("grid", 1.0)],
        links=[("p", "grid", 2.0, True, True)],
        elementary=[("p", "co2", 5.0), ("grid", "co2", 1.0)],
        factors=[("gwp", "co2", 1.0)],
    )
    factors = factorise(system)
    intensities = compute_intensities(system, factors)
    np.testing.assert_allclose(intensities.total[:, 0], [3.0, 1.0], rtol=1e-15)
    assert intensities.of("p", "gwp") == pytest.approx((5.0, 3.0), rel=1e-15)
    with pytest.raises(NodeNotFound, match="'q'"):
        intensities.of("q", "gwp")
    np.testing.assert_array_equal(intensities.negative_contributions, [1])
    inventory = solve_inventory(system, factors, {"p": 1.0})
    assert inventory.negative_scaling == (("grid", -2.0),)


def test_own_consumption_and_reference_amounts(make_system: MakeSystem) -> None:
    # "loss" uses 0.2 of its own output per unit: 1 / (1 - 0.2) = 1.25. "t" treats 2 kg waste
    # per dataset and emits 4: 2 per kg treated. "big" is given per 1000 kg.
    system = make_system(
        processes=[("loss", 1.0), ("t", 2.0, True), ("big", 1000.0)],
        links=[("loss", "loss", 0.2), ("big", "t", 500.0, False), ("big", "loss", 1000.0)],
        elementary=[("loss", "co2", 1.0), ("t", "co2", 4.0), ("big", "co2", 3000.0)],
        factors=[("gwp", "co2", 1.0)],
    )
    intensities = compute_intensities(system, factorise(system))
    np.testing.assert_allclose(intensities.direct[:, 0], [1.0, 2.0, 3.0], rtol=1e-15)
    np.testing.assert_allclose(intensities.total[:, 0], [1.25, 2.0, 3.0 + 1.0 + 1.25], rtol=1e-14)
    assert measure_layer_identity(system, intensities).max() < 1e-15
    coefficients = supply_coefficients(system).toarray()
    np.testing.assert_allclose(coefficients[:, 2], [1.0, 0.5, 0.0])
    assert coefficients[0, 0] == pytest.approx(0.2)


def test_layer_identity_at_every_process_of_a_looped_system(
    looped_system: TechnosphereSystem, backend: str
) -> None:
    intensities = compute_intensities(looped_system, factorise(looped_system, backend))
    assert intensities.total.shape == (500, 2)
    assert measure_layer_identity(looped_system, intensities).max() < 1e-13
    assert intensities.backward_errors.max() < 1e-14
    assert np.all(intensities.residuals < 1e-6)
    assert intensities.negative_contributions.min() > 0  # the generator includes credits
    assert intensities.cutoffs == looped_system.cutoff_count > 0


def test_totals_equal_a_fresh_solve_for_each_product(looped_system: TechnosphereSystem, backend: str) -> None:
    factors = factorise(looped_system, backend)
    total = compute_intensities(looped_system, factors).total
    sample = np.random.default_rng(3).choice(looped_system.size, size=25, replace=False)
    for j in sample:
        inventory = solve_inventory(looped_system, factors, {looped_system.process_ids[j]: 1.0})
        np.testing.assert_allclose(inventory.scores, total[j], rtol=1e-9)
        assert inventory.residual < 1e-9


def test_demand_is_validated(openlca_loop: TechnosphereSystem) -> None:
    factors = factorise(openlca_loop)
    with pytest.raises(NodeNotFound, match="'p9'"):
        solve_inventory(openlca_loop, factors, {"p9": 1.0})
    with pytest.raises(InvalidArgument, match="empty"):
        solve_inventory(openlca_loop, factors, {})
    with pytest.raises(InvalidArgument, match="zero"):
        solve_inventory(openlca_loop, factors, {"p1": 0.0})
    with pytest.raises(NonFiniteResult, match="'p1'"):
        solve_inventory(openlca_loop, factors, {"p1": float("nan")})


def test_overflow_is_an_error_not_a_result(make_system: MakeSystem) -> None:
    system = make_system(
        processes=[("tiny", 1e-300)], elementary=[("tiny", "co2", 1e300)], factors=[("gwp", "co2", 1.0)]
    )
    with pytest.raises(NonFiniteResult, match="'tiny'"):
        compute_intensities(system, factorise(system))
    with pytest.raises(NonFiniteResult, match="'tiny'"):
        solve_inventory(system, factorise(system), {"tiny": 1e300})
