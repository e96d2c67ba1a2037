"""First-order (analytic) uncertainty of every process's total at once.

For a unit demand of process j (f = sigma_j e_j, s = A^-1 f, h = c B s, lambda^T = c B A^-1):

    dh/da_ik = -lambda_i s_k,    dh/db_ek = c_e s_k,    dh/dc_e = (B s)_e

and, every cell x lognormal with variance sigma2_x of ln x and independent of the others,

    Var(ln h) ~= sum_x (x dh/dx / h)^2 sigma2_x                       (elasticity^2 x sigma2)

With S = A^-1 and s_k = sigma_j S[k, j], this is d_j / lambda_j^2 with

    d_j = sum_k S[k, j]^2 w_k + sum_e (c_e sigma_e (B S)[e, j])^2 = || R S e_j ||^2
    w_k = sum_i (lambda_i a_ik)^2 sigma2_ik + sum_e (c_e b_ek)^2 sigma2_ek

R (p x n, sparse) stacks sqrt(w_k) e_k^T for the p_A processes with uncertain cells and
c_e sigma_e B[e, :] for the p_C uncertain factors. d is the squared column norms of R A^-1:

- ``exact``: Y = A^-T R^T, p transposed solves (blocked), d_j = sum_t Y[j, t]^2;
- ``sketch`` when p exceeds the budget b: m = b Gaussian probes G (m x p) and the control variate
  c_j = R P e_j, P = D^-1 + D^-1 L D^-1 (A^-1 to its first layer of links, D = diag A, L = D - A):

      d_j ~= ||c_j||^2 + (||G R A^-1 e_j||^2 - ||G c_j||^2) / m

  unbiased (E ||G x||^2 / m = ||x||^2, Johnson-Lindenstrauss), with an error that shrinks with
  what the first layer leaves out instead of sqrt(2/m) of the whole. Cost: O(nnz(A) + nnz(B))
  for w and R, m transposed solves, O(m (nnz(R P) + p)) for the sketches.

GSD^2 = exp(2 sqrt(Var)); the 95 % interval is total * exp(+-1.96 sqrt(Var)) (lognormal around
the deterministic total, which is the median to first order; for a negative total the bounds
swap). Where the total is 0 the relative variance is undefined: GSD^2 = 1 if no uncertain cell
reaches it, else inf. docs/quality.md says where first order breaks down.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from lcagraph.errors import InvalidArgument
from solver.distributions import SystemUncertainty
from solver.factorisation import Factorisation
from solver.intensities import Intensities
from solver.matrices import TechnosphereSystem

FloatArray = npt.NDArray[np.float64]
Z95 = 1.959963984540054
BLOCK = 256  # right-hand sides per solve call: bounds memory at n x BLOCK doubles


@dataclass(frozen=True)
class TotalUncertainty:
    """Per process (n,), one category: ``variance_ln`` Var(ln |total|), ``gsd2`` = exp(2 sd),
    ``low``/``high`` the 95 % interval of the total; ``method`` "exact" or "sketch", ``solves``
    the right-hand sides solved, ``rows`` the rows p of R."""

    process_ids: tuple[str, ...]
    category_id: str
    total: FloatArray
    variance_ln: FloatArray
    gsd2: FloatArray
    low: FloatArray
    high: FloatArray
    method: str
    solves: int
    rows: int


def build_weights(
    system: TechnosphereSystem, uncertainty: SystemUncertainty, lam: FloatArray, category: int
) -> sp.csr_matrix:
    """R (p x n, CSR) of the module docstring for one category; lam (n,) = A^-T (c B)^T."""
    a, b = uncertainty.technosphere, uncertainty.biosphere
    c_row = np.asarray(system.C[category].toarray()).ravel()
    # float from the start: np.bincount of no cells (a system without uncertain links) is int64
    w = np.zeros(system.size)
    w += np.bincount(a.cols, weights=(lam[a.rows] * a.values) ** 2 * a.multipliers.variance_ln,
                     minlength=system.size)
    w += np.bincount(b.cols, weights=(c_row[b.rows] * b.values) ** 2 * b.multipliers.variance_ln,
                     minlength=system.size)
    # The sketch draws one Gaussian per row of R: rows in process-id (and flow-id) order keep its
    # estimate independent of the order the processes arrived in (imports, snapshot merges).
    processes = _by_id(np.flatnonzero(w > 0), system.process_ids)
    rows = [sp.csr_matrix((np.sqrt(w[processes]), (np.arange(processes.size), processes)),
                          shape=(processes.size, system.size))]
    characterisation = uncertainty.characterisation
    if characterisation is not None:
        mine = np.flatnonzero(characterisation.rows == category)
        mine = mine[np.argsort(np.asarray(system.flow_ids, dtype=object)[characterisation.cols[mine]],
                               kind="stable")]
        flows = characterisation.cols[mine]
        scale = c_row[flows] * np.sqrt(characterisation.multipliers.variance_ln[mine])
        rows.append(sp.csr_matrix(sp.diags(scale) @ sp.csr_matrix(system.B)[flows]))
    weights = sp.csr_matrix(sp.vstack(rows, format="csr"))
    weights.eliminate_zeros()
    nonempty = np.flatnonzero(np.diff(weights.indptr))
    return sp.csr_matrix(weights[nonempty])


def _by_id(positions: npt.NDArray[np.int64], ids: tuple[str, ...]) -> npt.NDArray[np.int64]:
    order = np.argsort(np.asarray(ids, dtype=object)[positions], kind="stable")
    return np.asarray(positions[order], dtype=np.int64)


def _squared_norms(factorisation: Factorisation, weights: sp.csr_matrix) -> FloatArray:
    """sum over rows t of (A^-T R_t^T)^2: the squared column norms of R A^-1."""
    d = np.zeros(factorisation.size)
    for start in range(0, weights.shape[0], BLOCK):
        block = weights[start:start + BLOCK].toarray().T
        d += np.square(factorisation.solve_transposed(block)).sum(axis=1)
    return d


def _sketched_norms(
    system: TechnosphereSystem, factorisation: Factorisation, weights: sp.csr_matrix, probes: int, seed: int
) -> FloatArray:
    """||R A^-1 e_j||^2 ~= ||c_j||^2 + (||G R A^-1 e_j||^2 - ||G c_j||^2) / m with c_j = R P e_j:
    unbiased for any c_j (E ||G x||^2 / m = ||x||^2); P captures the process's own and first-layer
    cells exactly, so only the deeper part carries the sketch's noise."""
    gauss = np.random.default_rng(seed).standard_normal((probes, weights.shape[0]))
    sketch = np.asarray(weights.T @ gauss.T)  # (n, m) = (G R)^T
    solved = factorisation.solve_transposed_unrefined(sketch)  # (n, m) = (G R A^-1)^T
    near_sketch = np.asarray(system.first_layer.T @ sketch)  # (n, m) = (G R P)^T
    near = sp.csc_matrix(weights @ system.first_layer)  # (p, n): columns c_j
    exact_near = np.asarray(near.multiply(near).sum(axis=0)).ravel()
    estimate = exact_near + (np.square(solved).sum(axis=1) - np.square(near_sketch).sum(axis=1)) / probes
    return np.asarray(np.maximum(estimate, 0.0), dtype=np.float64)


def propagate_uncertainty(
    system: TechnosphereSystem, factorisation: Factorisation, intensities: Intensities,
    uncertainty: SystemUncertainty, *, category: int = 0, budget: int = 16, seed: int = 0,
) -> TotalUncertainty:
    """Var(ln total) of every process in one category (module docstring). ``budget`` caps the
    right-hand sides solved (exact when R has at most that many rows); ``seed`` fixes the sketch."""
    if not 0 <= category < len(system.category_ids):
        raise InvalidArgument(f"category index {category} is out of range for {len(system.category_ids)}")
    if budget < 2:
        raise InvalidArgument(f"budget {budget} must be at least 2 solves")
    total = intensities.total[:, category]
    lam = system.orientation * total
    weights = build_weights(system, uncertainty, lam, category)
    p = weights.shape[0]
    if p <= budget:
        d, method = _squared_norms(factorisation, weights), "exact"
    else:
        d, method = _sketched_norms(system, factorisation, weights, budget, seed), "sketch"
    return _summarise(system, total, d, lam, method, min(p, budget), p, category)


def _summarise(
    system: TechnosphereSystem, total: FloatArray, d: FloatArray, lam: FloatArray, method: str,
    solves: int, rows: int, category: int,
) -> TotalUncertainty:
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = np.where(lam != 0, d / lam**2, np.where(d > 0, np.inf, 0.0))
    sd = np.sqrt(variance)
    with np.errstate(over="ignore", invalid="ignore"):
        spread = np.exp(Z95 * sd)
        low = np.where(total >= 0, total / spread, total * spread)
        high = np.where(total >= 0, total * spread, total / spread)
        gsd2 = np.exp(2 * sd)
    return TotalUncertainty(
        process_ids=system.process_ids, category_id=system.category_ids[category], total=total,
        variance_ln=variance, gsd2=gsd2, low=low, high=high, method=method, solves=solves, rows=rows,
    )
