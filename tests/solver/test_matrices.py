"""Building A, B, C from row arrays: signs, allocation, ids <-> indices, validation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from lcagraph.errors import InvalidArgument, NodeNotFound, NonFiniteResult, SingularTechnosphere
from solver.matrices import (
    ElementaryTable,
    FactorTable,
    LinkTable,
    ProcessTable,
    TechnosphereSystem,
    build_system,
)

MakeSystem = Callable[..., TechnosphereSystem]


def test_signs_of_every_kind_of_link(make_system: MakeSystem) -> None:
    system = make_system(
        processes=[("p", 2.0), ("q", 1.0), ("t", 4.0, True), ("u", 1.0)],
        links=[
            ("p", "q", 0.5),  # product input
            ("p", "t", 3.0, False),  # waste output to a treatment
            ("p", "u", 0.25, False, True),  # avoided product, listed as an output
            ("q", "u", 0.125, True, True),  # avoided product, listed as an input (openLCA)
            ("q", "t", 0.75, True, True),  # avoided waste
        ],
    )
    dense = system.A.toarray()
    p, q, t, u = (system.index_of(x) for x in "pqtu")
    assert dense[p, p] == 2.0 and dense[t, t] == -4.0
    assert dense[q, p] == -0.5
    assert dense[t, p] == 3.0
    assert dense[u, p] == 0.25 and dense[u, q] == 0.125
    assert dense[t, q] == -0.75
    np.testing.assert_array_equal(system.reference_amounts, [2.0, 1.0, -4.0, 1.0])
    np.testing.assert_array_equal(system.orientation, [1.0, 1.0, -1.0, 1.0])


def test_allocation_scales_inputs_and_emissions_not_the_reference(make_system: MakeSystem) -> None:
    system = make_system(
        processes=[("p", 1.0, False, 0.25), ("q", 1.0)],
        links=[("p", "q", 2.0)],
        elementary=[("p", "co2", 2.0), ("p", "water", 8.0, True)],
        factors=[("gwp", "co2", 1.0)],
    )
    np.testing.assert_array_equal(system.A.toarray(), [[1.0, 0.0], [-0.5, 1.0]])
    co2, water = system.flow_ids.index("co2"), system.flow_ids.index("water")
    assert system.B[co2, 0] == 0.5
    assert system.B[water, 0] == -2.0  # resource inputs are negative


def test_ids_and_indices_are_kept_with_the_matrices(make_system: MakeSystem) -> None:
    system = make_system(
        processes=[("b", 1.0), ("a", 1.0)],
        elementary=[("a", "ch4", 1.0), ("b", "co2", 1.0)],
        factors=[("gwp20", "ch4", 82.5), ("gwp100", "ch4", 29.8), ("gwp100", "co2", 1.0)],
    )
    assert system.process_ids == ("b", "a")
    assert system.index_of("a") == 1
    assert system.flow_ids == ("ch4", "co2")
    assert system.category_ids == ("gwp20", "gwp100")
    assert system.C.shape == (2, 2) and system.B.shape == (2, 2)
    assert system.C[1, 0] == 29.8
    with pytest.raises(NodeNotFound, match="'nope'"):
        system.index_of("nope")


def test_explicit_category_order_and_unknown_category(make_system: MakeSystem) -> None:
    system = make_system(
        processes=[("a", 1.0)], elementary=[("a", "co2", 1.0)], factors=[("gwp", "co2", 1.0)],
        categories=["other", "gwp"],
    )
    assert system.category_ids == ("other", "gwp")
    with pytest.raises(InvalidArgument, match="'gwp'"):
        make_system(processes=[("a", 1.0)], factors=[("gwp", "co2", 1.0)], categories=["other"])


def test_duplicate_exchanges_are_summed(make_system: MakeSystem) -> None:
    system = make_system(
        processes=[("p", 1.0), ("q", 1.0)],
        links=[("p", "q", 0.5), ("p", "q", 0.25)],
        elementary=[("p", "co2", 1.0), ("p", "co2", 2.0)],
    )
    assert system.A[1, 0] == -0.75
    assert system.B[0, 0] == 3.0


def test_cutoffs_and_uncharacterised_flows_are_counted(make_system: MakeSystem) -> None:
    system = make_system(
        processes=[("p", 1.0), ("q", 1.0)],
        elementary=[("p", "co2", 1.0), ("p", "noise", 1.0), ("q", "noise", 2.0)],
        factors=[("gwp", "co2", 1.0)],
        unlinked=["p", "p", "q"],
    )
    np.testing.assert_array_equal(system.cutoffs, [2, 1])
    assert system.cutoff_count == 3
    assert system.uncharacterised == 2


def test_zero_reference_amount_names_the_process(make_system: MakeSystem) -> None:
    with pytest.raises(SingularTechnosphere, match="'broken'") as info:
        make_system(processes=[("fine", 1.0), ("broken", 0.0)])
    assert info.value.processes == ("broken",)


@pytest.mark.parametrize(
    ("where", "kwargs", "named"),
    [
        ("reference", {"processes": [("p", float("nan"))]}, "'p'"),
        ("allocation", {"processes": [("p", 1.0, False, float("inf"))]}, "'p'"),
        ("link", {"processes": [("p", 1.0), ("q", 1.0)], "links": [("p", "q", float("nan"))]}, "'q'"),
        ("elementary", {"processes": [("p", 1.0)], "elementary": [("p", "co2", float("-inf"))]}, "'co2'"),
        ("factor", {"processes": [("p", 1.0)], "factors": [("gwp", "co2", float("nan"))]}, "'gwp'"),
    ],
)
def test_non_finite_input_names_the_entry(
    make_system: MakeSystem, where: str, kwargs: dict[str, Any], named: str
) -> None:
    with pytest.raises(NonFiniteResult, match=named):
        make_system(**kwargs)


def test_reference_to_an_unknown_process(make_system: MakeSystem) -> None:
    with pytest.raises(NodeNotFound, match="'ghost'"):
        make_system(processes=[("p", 1.0)], links=[("p", "ghost", 1.0)])
    with pytest.raises(NodeNotFound, match="'ghost'"):
        make_system(processes=[("p", 1.0)], elementary=[("ghost", "co2", 1.0)])


def test_inconsistent_tables_are_rejected(make_system: MakeSystem) -> None:
    with pytest.raises(InvalidArgument, match="not unique: 'p'"):
        make_system(processes=[("p", 1.0), ("p", 2.0)])
    with pytest.raises(InvalidArgument, match="negative allocation"):
        make_system(processes=[("p", 1.0, False, -0.5)])
    with pytest.raises(InvalidArgument, match="2 values for 1 rows"):
        build_system(
            ProcessTable(["p"], [1.0, 2.0]), LinkTable([], [], [], []), ElementaryTable([], [], [], []),
            FactorTable([], [], []),
        )


def test_exact_cancellation_leaves_no_stored_zero(make_system: MakeSystem) -> None:
    system = make_system(processes=[("p", 1.0), ("q", 1.0)], links=[("p", "q", 0.5), ("p", "q", -0.5)])
    assert system.A.nnz == 2
