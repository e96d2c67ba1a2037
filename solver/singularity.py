"""Find the processes that make a technosphere matrix singular.

Two kinds of defect, both reported as :class:`SingularTechnosphere` naming processes:

- *structural*: no assignment of one product row to each process column exists (an empty row or
  column, a reference amount cancelled exactly by the process's own input); found with a maximum
  bipartite matching (the structural rank of A is then below n).
- *numerical*: A is structurally fine but exactly singular, e.g. a supply loop of gain one
  (p1 needs 1 p2 per p1 and p2 needs 1 p1 per p2). A permuted to block-triangular form by its
  strongly connected components has those components as diagonal blocks, so
  ``det A = prod det(block)``: the singular blocks are the loops to name.

A block is first tried for a cheap certificate of regularity before it is factorised (an LU of a
large supply loop can take minutes where its fill-in explodes): with ``D`` its diagonal and ``O``
the rest, ``B = D (I - D^-1 O)`` is regular when ``rho(|D^-1 O|) < 1`` (then
``rho(D^-1 O) <= rho(|D^-1 O|) < 1``), and for the nonnegative ``M = |D^-1 O|`` and any positive
``x`` the Collatz-Wielandt bound gives ``rho(M) <= max_i (M x)_i / x_i``. A few power iterations
find such an ``x`` for every productive economy (one that makes more of each product than its
supply loops use up, Hawkins-Simon: the usual case); a block that is not certified is factorised.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, maximum_bipartite_matching
from scipy.sparse.linalg import splu

from lcagraph.errors import SingularTechnosphere

IntArray = npt.NDArray[np.int64]


def _pattern(matrix: sp.spmatrix | sp.sparray) -> sp.csr_matrix:
    pattern = sp.csr_matrix(matrix, copy=True)
    pattern.eliminate_zeros()
    return pattern


def find_structural_defects(matrix: sp.spmatrix | sp.sparray) -> IntArray:
    """Process indices left unmatched by a maximum matching of product rows to process columns
    (empty when the structural rank is full)."""
    pattern = _pattern(matrix)
    n = pattern.shape[0]
    row_match = maximum_bipartite_matching(pattern, perm_type="column")
    unmatched_rows = np.flatnonzero(row_match < 0)
    matched_cols = np.zeros(n, dtype=bool)
    matched_cols[row_match[row_match >= 0]] = True
    return np.union1d(unmatched_rows, np.flatnonzero(~matched_cols)).astype(np.int64)


CERTIFY_ITERATIONS = 200
CERTIFY_MARGIN = 1e-9  # far above the rounding of the products and ratios (relative ~1e-15 per term)


def certify_regular(block: sp.csc_matrix) -> bool:
    """True when the Collatz-Wielandt bound proves ``rho(|D^-1 O|) < 1`` (module docstring), so the
    block is regular; False when no proof was found (the block may still be regular)."""
    diagonal = block.diagonal()
    if not np.all(diagonal):
        return False
    off = abs(sp.csr_matrix(block - sp.diags(diagonal)))
    ratio = sp.diags(1.0 / np.abs(diagonal)) @ off  # M = |D^-1 O|, nonnegative
    x = np.ones(block.shape[0])
    for _ in range(CERTIFY_ITERATIONS):
        y = ratio @ x
        quotients = y / x
        if quotients.max() <= 1.0 - CERTIFY_MARGIN:
            return True
        if quotients.min() >= 1.0:  # also a lower bound of rho(M) (an irreducible block): no proof
            return False
        x = (y + 1e-12 * y.max()) / y.max()  # positive where a row of M is empty; scaled to 1
    return False


def _block_is_singular(block: sp.csc_matrix) -> bool:
    if certify_regular(block):
        return False
    # Only an exactly zero pivot counts: ill-conditioned real data (USLCI: cond(A) ~ 1e15) has
    # tiny pivots that are not singularities, and its residual is reported with every result.
    try:
        splu(block, permc_spec="COLAMD")
    except RuntimeError:  # SuperLU: "Factor is exactly singular"
        return True
    return False


def locate_singular_loops(matrix: sp.spmatrix | sp.sparray) -> IntArray:
    """Process indices in the strongly connected components whose diagonal block is singular
    (a zero diagonal for a process in no loop)."""
    pattern = _pattern(matrix)
    count, labels = connected_components(pattern, directed=True, connection="strong")
    sizes = np.bincount(labels, minlength=count)
    singular = [np.flatnonzero((sizes[labels] == 1) & (pattern.diagonal() == 0))]
    csc = sp.csc_matrix(matrix)
    for component in np.flatnonzero(sizes > 1):
        members = np.flatnonzero(labels == component)
        if _block_is_singular(csc[members][:, members].tocsc()):
            singular.append(members)
    return np.sort(np.concatenate(singular)).astype(np.int64)


def singular_error(process_ids: Sequence[str], indices: IntArray, kind: str) -> SingularTechnosphere:
    """SingularTechnosphere naming the processes at ``indices``."""
    named = tuple(process_ids[i] for i in indices)
    if not named:
        return SingularTechnosphere(
            f"the technosphere matrix is {kind} singular, but no single supply loop is: the system "
            "is ill-conditioned as a whole; check reference amounts and unit conversions",
        )
    shown = ", ".join(repr(p) for p in named[:10])
    more = f" and {len(named) - 10} more" if len(named) > 10 else ""
    return SingularTechnosphere(
        f"the technosphere matrix is {kind} singular; processes involved: {shown}{more}. "
        "Check their reference amounts and the links between them (a supply loop that consumes "
        "as much as it produces, a process without its reference product)",
        named,
    )


def check_structure(matrix: sp.spmatrix | sp.sparray, process_ids: Sequence[str]) -> None:
    """Raise SingularTechnosphere if A is structurally singular (structural rank < n)."""
    defects = find_structural_defects(matrix)
    if defects.size:
        raise singular_error(process_ids, defects, "structurally")


def explain_singularity(matrix: sp.spmatrix | sp.sparray, process_ids: Sequence[str]) -> SingularTechnosphere:
    """The error to raise once a backend found A singular, naming the singular loops."""
    return singular_error(process_ids, locate_singular_loops(matrix), "numerically")
