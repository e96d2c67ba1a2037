"""Direct and total impact per unit of reference product, for every process and category at once.

With q = (C B)^T (n x m: direct impacts of each process column as given) and the transposed
system ``A^T lambda = q`` (one factorisation, one solve per category), ``lambda[i, c]`` is the
total impact of category c per unit of row i's flow: ``lambda^T f`` is the score of any demand f,
since ``lambda^T f = q^T A^-1 f = C B s``.

Per unit of the quantitative reference of process j (sigma_j = +1 for a product provider, -1 for
a waste treatment, whose row flow is the waste it takes in; r_j the signed reference amount):

    total[j]  = sigma_j * lambda[j]          (per unit of product supplied / of waste treated)
    direct[j] = q[j] / |r_j|                 (its own elementary flows, characterised)

The layer identity holds at every process, supply loops included:

    total[j] = direct[j] + sum_i K[i, j] * total[i],   K[i, j] = -L[i, j] * sigma_i / |r_j|

where L = A - diag(r) holds the links (and self-links) of column j: K[i, j] is the amount of
provider i's reference flow required per unit of j's reference product, negative for credits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from lcagraph.errors import NodeNotFound, NonFiniteResult
from solver.factorisation import Factorisation
from solver.matrices import TechnosphereSystem, name_ids
from solver.refinement import STRICT_TARGET, solve_refined

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Intensities:
    """Per process (rows, as ``process_ids``) and category (columns, as ``category_ids``).

    ``residuals`` (m,): ||A^T lambda - q|| / ||q|| per category; ``backward_errors`` (m,): the
    componentwise omega of solver.refinement (scale-free: ~1e-16 means every process's total is
    as exact as its data allows). ``negative_contributions`` (m,):
    link terms K[i, j] * total[i] below zero (credits, co-product loops); ``negative_totals`` (m,):
    processes whose total is below zero. ``cutoffs``/``uncharacterised`` come from the system.
    """

    process_ids: tuple[str, ...]
    category_ids: tuple[str, ...]
    direct: FloatArray
    total: FloatArray
    residuals: FloatArray
    backward_errors: FloatArray
    negative_contributions: IntArray
    negative_totals: IntArray
    backend: str
    cutoffs: int
    uncharacterised: int

    @cached_property
    def process_index(self) -> dict[str, int]:
        """Row of each process id."""
        return {process_id: j for j, process_id in enumerate(self.process_ids)}

    def of(self, process_id: str, category_id: str) -> tuple[float, float]:
        """(direct, total) of one process in one category; NodeNotFound names an unknown id."""
        if process_id not in self.process_index or category_id not in self.category_ids:
            raise NodeNotFound(f"no result for process {process_id!r} in category {category_id!r}")
        j, c = self.process_index[process_id], self.category_ids.index(category_id)
        return float(self.direct[j, c]), float(self.total[j, c])


def characterised_direct(system: TechnosphereSystem) -> FloatArray:
    """q = (C B)^T, shape (n, m): characterised elementary flows of each column as given."""
    return np.asarray((system.C @ system.B).toarray().T, dtype=np.float64)


def supply_coefficients(system: TechnosphereSystem) -> sp.csc_matrix:
    """K (n x n, CSC): K[i, j] = amount of provider i's reference flow per unit of process j's
    reference product (waste sent to a treatment counts positive; credits negative)."""
    links = sp.csc_matrix(system.A - sp.diags(system.reference_amounts, format="csc"))
    links.eliminate_zeros()
    sigma = system.orientation
    scale = sp.diags(-sigma, format="csr") @ links @ sp.diags(1.0 / np.abs(system.reference_amounts))
    return sp.csc_matrix(scale)


def _require_finite(system: TechnosphereSystem, values: FloatArray, what: str) -> None:
    bad = np.flatnonzero(~np.isfinite(values).all(axis=1))
    if bad.size:
        raise NonFiniteResult(
            f"{what} is NaN or infinite for {bad.size} process(es): "
            f"{name_ids([system.process_ids[j] for j in bad])}; the technosphere is (nearly) singular there: "
            "check their reference amounts and supply loops"
        )


def _count_negative(coefficients: sp.csc_matrix, total: FloatArray) -> IntArray:
    terms = coefficients.data[:, np.newaxis] * total[coefficients.indices, :]
    return np.asarray((terms < 0).sum(axis=0), dtype=np.int64)


def compute_intensities(system: TechnosphereSystem, factorisation: Factorisation) -> Intensities:
    """Direct and total per unit of reference product for every process and category, from one
    factorisation and one transposed solve per category (see the module docstring)."""
    q = characterised_direct(system)
    sigma = system.orientation
    if q.shape[1] == 0:
        lam, residuals, omega = np.zeros_like(q), np.zeros(0), np.zeros(0)
    else:
        solution = solve_refined(factorisation, system, q, transposed=True, target=STRICT_TARGET)
        lam, residuals, omega = solution.x, solution.residuals, solution.backward_errors
    _require_finite(system, lam, "the total impact")
    total = sigma[:, np.newaxis] * lam
    with np.errstate(over="ignore"):
        direct = q / np.abs(system.reference_amounts)[:, np.newaxis]
    _require_finite(system, direct, "the direct impact")
    return Intensities(
        process_ids=system.process_ids, category_ids=system.category_ids, direct=direct, total=total,
        residuals=residuals, backward_errors=omega,
        negative_contributions=_count_negative(supply_coefficients(system), total),
        negative_totals=np.asarray((total < 0).sum(axis=0), dtype=np.int64), backend=factorisation.backend,
        cutoffs=system.cutoff_count, uncharacterised=system.uncharacterised,
    )


def measure_layer_identity(system: TechnosphereSystem, intensities: Intensities) -> FloatArray:
    """(n, m): |total - direct - sum_i K[i, j] total[i]| relative to the size of the terms
    (|direct| + sum_i |K[i, j] total[i]|), 0 where every term is 0. Round-off level means the
    identity holds at that process."""
    coefficients = supply_coefficients(system)
    total, direct = intensities.total, intensities.direct
    children = coefficients.T @ total
    magnitude = np.abs(direct) + abs(coefficients).T @ np.abs(total)
    gap = np.abs(total - direct - children)
    return np.asarray(np.where(magnitude > 0, gap / np.where(magnitude > 0, magnitude, 1.0), gap))
