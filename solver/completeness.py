"""Which processes, and which whole sub-trees, are complete (the masks of solver.quality's coverage).

A process is *complete* when every product input / waste output of it is linked to a provider or
declared a cut-off, and every elementary flow it has is characterised by the method (or known not
to need a factor). The caller says which flows count as uncharacterised: a flow without a GWP
factor is usually right (water, metals), so only flows that *should* have one (e.g. greenhouse
gases the method did not match) belong in that mask.

A process's *sub-tree is complete* when it and every process it draws on, directly or through
any chain of links (supply loops included), is complete: i.e. no incomplete process is reachable
from it along provider links. Found with one breadth-first search over the reversed supply graph
from all incomplete processes at once, O(n + nnz(A)).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order

from lcagraph.errors import InvalidArgument
from solver.matrices import TechnosphereSystem

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


def find_incomplete_processes(
    system: TechnosphereSystem, unlinked: npt.ArrayLike | None = None,
    uncharacterised_flows: npt.ArrayLike | None = None,
) -> BoolArray:
    """(n,) True where a process is incomplete: ``unlinked`` (n,) counts its product inputs and
    waste outputs that are neither linked nor declared cut-offs (default: ``system.cutoffs``,
    every unlinked exchange); ``uncharacterised_flows`` (F,) marks flows that need a factor and
    have none (default: none)."""
    count = np.asarray(system.cutoffs if unlinked is None else unlinked, dtype=np.int64).reshape(-1)
    if count.size != system.size:
        raise InvalidArgument(f"{count.size} unlinked counts for {system.size} processes")
    incomplete = count > 0
    if uncharacterised_flows is not None:
        flows = np.asarray(uncharacterised_flows, dtype=bool).reshape(-1)
        if flows.size != len(system.flow_ids):
            raise InvalidArgument(f"{flows.size} flow flags for {len(system.flow_ids)} elementary flows")
        pattern = sp.csc_matrix(system.B != 0, dtype=np.float64)
        incomplete |= np.asarray(pattern.T @ flows.astype(np.float64)).ravel() > 0
    return incomplete


def find_complete_subtrees(system: TechnosphereSystem, incomplete: npt.ArrayLike) -> BoolArray:
    """(n,) True where no incomplete process is reachable upstream (module docstring)."""
    bad = np.asarray(incomplete, dtype=bool).reshape(-1)
    if bad.size != system.size:
        raise InvalidArgument(f"{bad.size} completeness flags for {system.size} processes")
    n = system.size
    links = sp.coo_matrix(system.A)
    off = links.row != links.col
    # Edge provider -> consumer (row i supplies column j), plus a source node n -> incomplete.
    sources = np.flatnonzero(bad)
    rows = np.concatenate([links.row[off], np.full(sources.size, n)])
    cols = np.concatenate([links.col[off], sources])
    graph = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n + 1, n + 1))
    reached = breadth_first_order(graph, n, directed=True, return_predecessors=False)
    tainted = np.zeros(n + 1, dtype=bool)
    tainted[reached] = True
    return np.asarray(~tainted[:n], dtype=bool)
