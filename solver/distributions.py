"""Uncertain entries of A, B and C: the per-exchange multipliers of solver.pedigree placed on the
matrix cells they multiply (solver.uncertainty propagates them, solver.montecarlo samples them).

A cell can sum several exchanges (two links to one provider, a reference amount and a self-input
on A's diagonal). Its relative variance is then, to first order,

    sigma2_cell = sum_t (a_t / a_cell)^2 * sigma2_t

and the cell is sampled as one lognormal multiplier with that variance; a cell that holds exactly
one exchange keeps that exchange's distribution. Reference amounts are certain (they define the
unit the process is described in).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from lcagraph.errors import InvalidArgument
from solver.matrices import TechnosphereSystem, allocation_factors, link_entries
from solver.pedigree import Kind, Multipliers
from solver.tables import ElementaryTable, LinkTable, ProcessTable

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class EntryDistributions:
    """k uncertain cells of one matrix: ``rows``, ``cols`` (k,), the cells' deterministic
    ``values`` (k,) and their multipliers (solver.pedigree.Multipliers, relative to the value)."""

    rows: IntArray
    cols: IntArray
    values: FloatArray
    multipliers: Multipliers

    @property
    def size(self) -> int:
        """Number of uncertain cells."""
        return int(self.rows.size)


@dataclass(frozen=True)
class SystemUncertainty:
    """Uncertain cells of A (technosphere), B (biosphere) and, optionally, C."""

    technosphere: EntryDistributions
    biosphere: EntryDistributions
    characterisation: EntryDistributions | None = None


def _empty() -> EntryDistributions:
    none = Multipliers(np.zeros(0, dtype=np.int8), np.zeros((0, 3)), np.zeros(0))
    return EntryDistributions(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0), none)


def place_entries(
    matrix: sp.spmatrix | sp.sparray, rows: npt.ArrayLike, cols: npt.ArrayLike, amounts: npt.ArrayLike,
    multipliers: Multipliers,
) -> EntryDistributions:
    """Cells of ``matrix`` from k exchanges at (rows, cols) with their signed contribution
    ``amounts`` to the cell (as in the matrix: allocation applied) and multipliers; exchanges
    without variance or amount are dropped, cells summing several are combined (module docstring)."""
    r = np.asarray(rows, dtype=np.int64).reshape(-1)
    c = np.asarray(cols, dtype=np.int64).reshape(-1)
    a = np.asarray(amounts, dtype=np.float64).reshape(-1)
    if not (r.size == c.size == a.size == multipliers.variance_ln.size):
        raise InvalidArgument("rows, cols, amounts and multipliers must have one value per exchange")
    keep = (multipliers.variance_ln > 0) & (a != 0)
    if not keep.any():
        return _empty()
    r, c, a = r[keep], c[keep], a[keep]
    kind, params, variance = (multipliers.kind[keep], multipliers.params[keep], multipliers.variance_ln[keep])
    cell = np.asarray(sp.csr_matrix(matrix)[r, c]).reshape(-1)
    if (cell == 0).any():
        raise InvalidArgument("an uncertain exchange points at an empty matrix cell; place exchanges with "
                              "the indices the system was built with")
    key = r * np.int64(matrix.shape[1]) + c
    unique, first, group = np.unique(key, return_index=True, return_inverse=True)
    weight = a / cell
    combined = np.asarray(np.bincount(group, weights=weight**2 * variance, minlength=unique.size),
                          dtype=np.float64)
    alone = (np.bincount(group, minlength=unique.size) == 1) & np.isclose(weight[first], 1.0, rtol=1e-12)
    out_kind = np.where(alone, kind[first], np.int8(Kind.LOGNORMAL)).astype(np.int8)
    out_params = np.where(alone[:, np.newaxis], params[first], np.nan)
    out_params[~alone, 0] = np.sqrt(combined[~alone])
    return EntryDistributions(r[first], c[first], cell[first], Multipliers(out_kind, out_params, combined))


def place_system_uncertainty(
    system: TechnosphereSystem, technosphere: tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike, Multipliers],
    biosphere: tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike, Multipliers],
    characterisation: tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike, Multipliers] | None = None,
) -> SystemUncertainty:
    """SystemUncertainty from (rows, cols, amounts, multipliers) per matrix (see place_entries):
    A rows are providers and cols consumers, B rows flows, C rows categories (system order)."""
    return SystemUncertainty(
        place_entries(system.A, *technosphere), place_entries(system.B, *biosphere),
        None if characterisation is None else place_entries(system.C, *characterisation),
    )


def place_table_uncertainty(
    system: TechnosphereSystem, processes: ProcessTable, links: LinkTable, elementary: ElementaryTable,
    link_multipliers: Multipliers, elementary_multipliers: Multipliers,
) -> SystemUncertainty:
    """SystemUncertainty from multipliers given row by row for the LinkTable and ElementaryTable
    the system was built from (solver.matrices.build_system): each row's cell and signed amount
    follow the same rules as A and B (credits, waste, allocation)."""
    phi = allocation_factors(processes, system.process_ids)
    rows, cols, values = link_entries(links, system.process_index, phi, system.reference_amounts)
    flow_index = {f: i for i, f in enumerate(system.flow_ids)}
    flows = np.fromiter(map(flow_index.__getitem__, elementary.flows), dtype=np.int64,
                        count=len(elementary.flows))
    owners = np.fromiter(map(system.process_index.__getitem__, elementary.processes), dtype=np.int64,
                         count=flows.size)
    inputs = np.asarray(elementary.is_input, dtype=bool).reshape(-1)
    signed = np.where(inputs, -1.0, 1.0) * np.asarray(elementary.amounts, dtype=np.float64) * phi[owners]
    return SystemUncertainty(place_entries(system.A, rows, cols, values, link_multipliers),
                             place_entries(system.B, flows, owners, signed, elementary_multipliers))
