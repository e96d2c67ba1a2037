"""Life-cycle inventory of one demand: s = A^-1 f, g = B s, h = C g.

The demand names processes and an amount of each one's quantitative reference (kg of product
supplied, or kg of waste treated for a treatment process); f_j = sigma_j * amount, as the row
of a treatment process counts its waste with the sign of a waste output. The scaling factor s_j
is relative to the process's reference amount as given in its dataset (openLCA's convention).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from lcagraph.errors import InvalidArgument, NonFiniteResult
from solver.factorisation import Factorisation
from solver.matrices import TechnosphereSystem, name_ids
from solver.refinement import solve_refined

FloatArray = npt.NDArray[np.float64]
# A scaling factor counts as negative below -NEGATIVE_TOLERANCE * max|s|: round-off around an
# exact zero is not a co-product loop.
NEGATIVE_TOLERANCE = 1e-12


@dataclass(frozen=True)
class Inventory:
    """Results of one demand. ``supply`` (n,) scaling factors; ``inventory`` (F,) elementary flows
    (outputs positive, resource inputs negative); ``scores`` (m,) per category; ``residual``
    ||A s - f|| / ||f|| and ``backward_error`` the componentwise omega (solver.refinement);
    ``negative_scaling`` the processes with s_j < 0 and their factors."""

    demand: FloatArray
    supply: FloatArray
    inventory: FloatArray
    scores: FloatArray
    residual: float
    backward_error: float
    negative_scaling: tuple[tuple[str, float], ...]
    backend: str
    cutoffs: int


def build_demand(system: TechnosphereSystem, demand: Mapping[str, float]) -> FloatArray:
    """f (n,) from {process id: amount of its reference}; NodeNotFound names an unknown id."""
    f = np.zeros(system.size)
    if not demand:
        raise InvalidArgument("the demand is empty; give at least one process id and an amount")
    sigma = system.orientation
    for process_id, amount in demand.items():
        value = float(amount)
        if not np.isfinite(value):
            raise NonFiniteResult(f"demand for {process_id!r} is {value!r}; give a finite amount")
        j = system.index_of(process_id)
        f[j] += sigma[j] * value
    if not f.any():
        raise InvalidArgument("every demand amount is zero; give a non-zero amount")
    return f


def solve_inventory(
    system: TechnosphereSystem, factorisation: Factorisation, demand: Mapping[str, float]
) -> Inventory:
    """s = A^-1 f with the residual ||A s - f|| / ||f||, g = B s and h = C g."""
    f = build_demand(system, demand)
    solution = solve_refined(factorisation, system, f, transposed=False)
    s = solution.x
    bad = np.flatnonzero(~np.isfinite(s))
    if bad.size:
        raise NonFiniteResult(
            f"the scaling factor is NaN or infinite for {name_ids([system.process_ids[j] for j in bad])}; "
            "the technosphere is (nearly) singular there: check reference amounts and supply loops"
        )
    with np.errstate(over="ignore", invalid="ignore"):
        g = system.B @ s
        h = system.C @ g
    if not (np.isfinite(g).all() and np.isfinite(h).all()):
        raise NonFiniteResult("the inventory overflows (NaN or infinite); check the demand's magnitude")
    negative = np.flatnonzero(s < -NEGATIVE_TOLERANCE * np.abs(s).max())
    return Inventory(
        demand=f, supply=s, inventory=g, scores=h, residual=float(solution.residuals[0]),
        backward_error=float(solution.backward_errors[0]),
        negative_scaling=tuple((system.process_ids[j], float(s[j])) for j in negative),
        backend=factorisation.backend, cutoffs=system.cutoff_count,
    )


def compute_flow_contributions(system: TechnosphereSystem, inventory: Inventory) -> sp.csc_matrix:
    """B diag(s) (F x n): each process's own elementary flows in this inventory."""
    return sp.csc_matrix(system.B @ sp.diags(inventory.supply))
