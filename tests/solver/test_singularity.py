"""solver.singularity's certificate of regularity (Collatz-Wielandt bound of rho(|D^-1 O|)): it
proves regular blocks of productive economies without an LU, never certifies a singular block, and
leaves regular but non-productive blocks to the LU."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from solver.singularity import _block_is_singular, certify_regular, locate_singular_loops


def _csc(rows: list[list[float]]) -> sp.csc_matrix:
    return sp.csc_matrix(np.array(rows, dtype=float))


def test_a_productive_loop_is_certified() -> None:
    # p1 needs 0.5 p2, p2 needs 0.5 p1: rho(|D^-1 O|) = 0.5
    assert certify_regular(_csc([[1.0, -0.5], [-0.5, 1.0]]))


def test_a_loop_of_gain_one_is_neither_certified_nor_regular() -> None:
    block = _csc([[1.0, -1.0], [-1.0, 1.0]])
    assert not certify_regular(block)
    assert _block_is_singular(block)
    np.testing.assert_array_equal(locate_singular_loops(block), [0, 1])


def test_a_regular_non_productive_loop_goes_to_the_lu() -> None:
    block = _csc([[1.0, -2.0], [-2.0, 1.0]])  # det -3: regular, but rho = 2
    assert not certify_regular(block)
    assert not _block_is_singular(block)


def test_a_zero_diagonal_is_not_certified() -> None:
    assert not certify_regular(_csc([[0.0, -0.5], [-0.5, 1.0]]))


def test_mixed_units_and_signs_of_a_productive_economy() -> None:
    # 3.6 MJ of power per kWh row scaling, an avoided product (positive off-diagonal), a waste
    # treatment (negative reference): the bound is invariant to those, rho here is 0.3
    block = _csc([[3.6, -0.36, 0.0], [0.2, 1.0, -0.1], [0.0, 0.3, -1.0]])
    assert certify_regular(block)
    assert np.linalg.det(block.toarray()) != 0


@pytest.mark.parametrize("seed", range(40))
def test_a_certified_block_is_regular(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 30))
    dense = np.where(rng.random((n, n)) < 0.3, rng.normal(0.0, 0.3, (n, n)), 0.0)
    np.fill_diagonal(dense, rng.choice([-1.0, 1.0], n) * rng.uniform(0.5, 2.0, n))
    block = sp.csc_matrix(dense)
    if certify_regular(block):
        assert abs(np.linalg.det(dense)) > 0
        assert np.linalg.matrix_rank(dense) == n
    assert _block_is_singular(block) == (np.linalg.matrix_rank(dense) < n)


def test_a_large_productive_loop_is_certified_without_lu() -> None:
    rng = np.random.default_rng(7)
    n = 5000
    off = sp.random(n, n, density=6 / n, random_state=rng, data_rvs=lambda k: -rng.uniform(0.0, 0.1, k))
    block = sp.csc_matrix(sp.eye(n) + off - sp.diags(off.diagonal()))
    assert certify_regular(block)
