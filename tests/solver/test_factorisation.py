"""Backends, their agreement, and singular technospheres named down to the processes."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from lcagraph.errors import ConfigurationError, InvalidArgument, SingularTechnosphere
from solver import factorisation as factorisation_module
from solver.factorisation import (
    PardisoFactorisation,
    SuperLUFactorisation,
    available_backends,
    equilibrate,
    factorise,
    factorise_matrix,
    select_backend,
)
from solver.intensities import compute_intensities
from solver.matrices import TechnosphereSystem

MakeSystem = Callable[..., TechnosphereSystem]

# Units over twelve orders of magnitude, a loop and a treatment: A x = b by dense LAPACK.
DENSE = np.array([
    [1000.0, -2e-3, 0.0, 0.0],
    [-50.0, 1.0, -0.3, 0.0],
    [0.0, -1e-6, 2.0, 5.0],
    [-0.2, 0.0, 0.0, -1.0],
])


def test_every_backend_solves_both_systems(backend: str) -> None:
    factors = factorise_matrix(sp.csc_matrix(DENSE), ("a", "b", "c", "d"), backend)
    assert factors.backend == backend
    rhs = np.array([1.0, 0.0, -2.0, 0.5])
    many = np.column_stack([rhs, np.arange(4.0)])
    np.testing.assert_allclose(factors.solve(rhs), np.linalg.solve(DENSE, rhs), rtol=1e-12)
    np.testing.assert_allclose(factors.solve_transposed(rhs), np.linalg.solve(DENSE.T, rhs), rtol=1e-12)
    np.testing.assert_allclose(factors.solve(many), np.linalg.solve(DENSE, many), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(factors.solve_transposed(many), np.linalg.solve(DENSE.T, many), rtol=1e-12)
    with pytest.raises(InvalidArgument, match="shape"):
        factors.solve(np.ones(3))


def test_backends_give_the_same_totals(looped_system: TechnosphereSystem) -> None:
    reference = compute_intensities(looped_system, factorise(looped_system, "superlu")).total
    for name in available_backends():
        total = compute_intensities(looped_system, factorise(looped_system, name)).total
        np.testing.assert_allclose(total, reference, rtol=1e-10, atol=1e-12 * np.abs(reference).max())


def test_backend_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LCAGRAPH_SOLVER", "mumps")  # the solver reads no environment (Settings does)
    assert select_backend() == available_backends()[0]
    assert available_backends()[-1] == "superlu"
    assert select_backend("SuperLU") == "superlu"
    with pytest.raises(ConfigurationError, match="'mumps'"):
        select_backend("mumps")
    monkeypatch.setattr(factorisation_module, "_importable", lambda name: name == "superlu")
    with pytest.raises(ConfigurationError, match=r"lcagraph\[pardiso\]"):
        select_backend("pardiso")


def test_equilibration_uses_powers_of_two() -> None:
    rows, cols = equilibrate(sp.csc_matrix(DENSE))
    np.testing.assert_array_equal(np.log2(rows), np.round(np.log2(rows)))
    np.testing.assert_array_equal(np.log2(cols), np.round(np.log2(cols)))
    scaled = np.abs(np.diag(rows) @ DENSE @ np.diag(cols))
    assert scaled.max() <= 4.0 and scaled.max(axis=1).min() >= 0.25


def test_supply_loop_of_gain_one_is_named(make_system: MakeSystem, backend: str) -> None:
    # p1 needs 1 p2 per p1 and p2 needs 1 p1 per p2: any demand on the loop is unbounded.
    system = make_system(
        processes=[("ok", 1.0), ("p1", 1.0), ("p2", 1.0)],
        links=[("p1", "p2", 1.0), ("p2", "p1", 1.0), ("ok", "p1", 0.5)],
    )
    with pytest.raises(SingularTechnosphere, match="numerically singular") as info:
        factorise(system, backend)
    assert info.value.processes == ("p1", "p2")


def test_three_process_loop_is_named(make_system: MakeSystem) -> None:
    system = make_system(
        processes=[("a", 1.0), ("b", 1.0), ("c", 1.0), ("d", 1.0)],
        links=[("a", "b", 0.5), ("b", "c", 2.0), ("c", "a", 1.0), ("d", "a", 1.0)],
    )
    with pytest.raises(SingularTechnosphere) as info:
        factorise(system, "superlu")
    assert info.value.processes == ("a", "b", "c")


def test_reference_cancelled_by_own_input_is_structural(make_system: MakeSystem, backend: str) -> None:
    # A process consuming its whole output leaves an empty column: no product row to match.
    system = make_system(processes=[("p", 1.0), ("q", 1.0)], links=[("p", "p", 1.0)])
    with pytest.raises(SingularTechnosphere, match="structurally") as info:
        factorise(system, backend)
    assert info.value.processes == ("p",)


def test_pardiso_perturbed_pivots_are_checked(make_system: MakeSystem) -> None:
    if "pardiso" not in available_backends():
        pytest.skip("pypardiso is not installed (extra lcagraph[pardiso])")
    healthy = factorise(make_system(processes=[("p", 1.0), ("q", 2.0)], links=[("p", "q", 0.5)]), "pardiso")
    assert isinstance(healthy, PardisoFactorisation)
    assert healthy.perturbed_pivots == 0


def test_superlu_falls_back_to_partial_pivoting() -> None:
    # Diagonal pivots of 1e-20 would grow the factors by 1e20: the probe solve catches it.
    matrix = np.array([[1e-20, 1.0], [1.0, 1e-20]])
    factors = factorise_matrix(sp.csc_matrix(matrix), ("a", "b"), "superlu")
    assert isinstance(factors, SuperLUFactorisation)
    assert factors.pivoting == "partial"
    np.testing.assert_allclose(factors.solve(np.array([1.0, 2.0])), [2.0, 1.0], rtol=1e-15)
    healthy = factorise_matrix(sp.csc_matrix(DENSE), ("a", "b", "c", "d"), "superlu")
    assert isinstance(healthy, SuperLUFactorisation)
    assert healthy.pivoting == "diagonal"


def test_pypardiso_is_pointed_at_this_environments_mkl_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    """Found without pypardiso's recursive search; a path the user set is kept."""
    locate = factorisation_module.locate_mkl_runtime
    monkeypatch.delenv("PYPARDISO_MKL_RT", raising=False)
    locate.cache_clear()
    locate()
    found = os.environ.get("PYPARDISO_MKL_RT")
    if "pardiso" in factorisation_module.available_backends():
        assert found is not None and Path(found).is_file() and "mkl_rt" in Path(found).name
    monkeypatch.setenv("PYPARDISO_MKL_RT", "/opt/mkl/libmkl_rt.so.2")
    locate.cache_clear()
    locate()
    assert os.environ["PYPARDISO_MKL_RT"] == "/opt/mkl/libmkl_rt.so.2"
    locate.cache_clear()
