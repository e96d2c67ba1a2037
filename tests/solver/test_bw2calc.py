"""Cross-check against Brightway: bw2calc 3 given the same A, B and C (as bw_processing
datapackages) gives the same scores and supply arrays.

Ids for Brightway: process j is activity j + 1 and its product is product j + 1 (as in a bw2data
database); flow e is biosphere flow 1_000_000 + e.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pytest
import scipy.sparse as sp

from solver.factorisation import factorise
from solver.intensities import compute_intensities
from solver.inventory import solve_inventory
from solver.matrices import TechnosphereSystem

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # bw2calc warns at import when no fast solver is installed
    import bw2calc
    import bw_processing as bwp

MakeSystem = Callable[..., TechnosphereSystem]
FLOW_OFFSET = 1_000_000


def _vector(package: bwp.Datapackage, matrix: str, coo: sp.coo_matrix, rows: int, cols: int) -> None:
    indices = np.empty(coo.nnz, dtype=bwp.INDICES_DTYPE)
    indices["row"], indices["col"] = coo.row + rows, coo.col + cols
    package.add_persistent_vector(
        matrix=matrix, indices_array=indices, data_array=coo.data.copy(), name=matrix
    )


def to_datapackages(system: TechnosphereSystem, category: int) -> list[bwp.Datapackage]:
    """Technosphere + biosphere, and the characterisation of one category (a diagonal in bw2calc)."""
    inventory = bwp.create_datapackage(sum_intra_duplicates=True)
    _vector(inventory, "technosphere_matrix", sp.coo_matrix(system.A), 1, 1)
    _vector(inventory, "biosphere_matrix", sp.coo_matrix(system.B), FLOW_OFFSET, 1)
    method = bwp.create_datapackage()
    row = sp.coo_matrix(system.C[category])
    indices = np.empty(row.nnz, dtype=bwp.INDICES_DTYPE)
    indices["row"], indices["col"] = row.col + FLOW_OFFSET, 0
    method.add_persistent_vector(
        matrix="characterization_matrix", indices_array=indices, data_array=row.data.copy(),
        name="characterization", global_index=0,
    )
    return [inventory, method]


def brightway_lca(system: TechnosphereSystem, process: int, amount: float, category: int) -> bw2calc.LCA:
    lca = bw2calc.LCA({process + 1: amount}, data_objs=to_datapackages(system, category))
    lca.lci()
    lca.lcia()
    return lca


def test_hand_system_matches_bw2calc(make_system: MakeSystem) -> None:
    system = make_system(
        processes=[("p1", 1.0), ("p2", 2.0), ("t", 1.0, True)],
        links=[("p1", "p2", 1.0), ("p2", "p1", 0.5), ("p1", "t", 0.3, False)],
        elementary=[("p1", "co2", 1.0), ("p2", "ch4", 0.01), ("t", "co2", 0.9)],
        factors=[("gwp", "co2", 1.0), ("gwp", "ch4", 29.8)],
    )
    factors = factorise(system)
    total = compute_intensities(system, factors).total
    for j, process_id in enumerate(system.process_ids):
        lca = brightway_lca(system, j, float(system.orientation[j]), 0)
        np.testing.assert_allclose(lca.score, total[j, 0], rtol=1e-12)
        ours = solve_inventory(system, factors, {process_id: 1.0})
        supply = np.array([lca.supply_array[lca.dicts.activity[k + 1]] for k in range(system.size)])
        np.testing.assert_allclose(supply, ours.supply, rtol=1e-12)


@pytest.mark.parametrize("category", [0, 1])
def test_looped_system_matches_bw2calc(looped_system: TechnosphereSystem, category: int) -> None:
    factors = factorise(looped_system)
    total = compute_intensities(looped_system, factors).total[:, category]
    sample = np.random.default_rng(11).choice(looped_system.size, size=10, replace=False)
    sigma = looped_system.orientation
    for j in sample:
        lca = brightway_lca(looped_system, int(j), float(sigma[j]), category)
        np.testing.assert_allclose(lca.score, total[j], rtol=1e-9)
