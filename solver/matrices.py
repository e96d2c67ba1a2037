"""Sparse technosphere A, biosphere B and characterisation C, built from plain row arrays.

Conventions (openLCA / Brightway; one product row per process, so A is square):

- Column ``j`` is process ``j``; row ``i`` is the flow of process ``i``'s quantitative reference.
- ``A[j, j] = r_j``, the reference amount as given in the dataset: positive for a product output,
  ``-w`` for a waste-treatment process whose reference is a waste *input* of ``w``.
- A product input of amount ``a`` linked to provider ``k``: ``A[k, j] -= phi_j * a``.
  A waste output of amount ``a`` linked to treatment ``k``: ``A[k, j] += phi_j * a``.
  In general the entry is ``+a`` for an output exchange and ``-a`` for an input exchange (so the
  negative waste inputs of EcoSpold2 come out right), times ``phi_j``.
- An avoided product is a credit: ``A[k, j] = +phi_j * a`` for a product provider ``k`` (and
  ``-phi_j * a`` for an avoided waste sent to a treatment ``k``), i.e. the opposite of the entry a
  plain input of product ``k`` (a plain waste output to ``k``) would get, whichever side the dataset
  lists the avoided exchange on (openLCA moves avoided products to the input side).
- ``phi_j`` is the allocation factor of process ``j``'s reference product; it multiplies every
  non-reference entry of column ``j`` (product inputs, waste outputs and elementary flows), never
  ``A[j, j]``.
- ``B[e, j] = phi_j * a`` for an elementary output, ``-phi_j * a`` for an elementary (resource) input.
- ``C[c, e]`` = characterisation factor of flow ``e`` in category ``c``, per flow reference unit.
- Unlinked product inputs / waste outputs (cut-offs) are not in A; they are counted per process.

Amounts are in the flow's reference unit per the process's reference amount *as given*.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain

import numpy as np
import scipy.sparse as sp

from lcagraph.errors import InvalidArgument, NodeNotFound, NonFiniteResult, SingularTechnosphere
from solver.tables import (
    BoolArray,
    Bools,
    ElementaryTable,
    FactorTable,
    FloatArray,
    Floats,
    IntArray,
    LinkTable,
    ProcessTable,
)

__all__ = [
    "ElementaryTable", "FactorTable", "LinkTable", "ProcessTable", "TechnosphereSystem", "build_system",
    "name_ids",
]
_SHOWN = 10  # ids named in a message before "... and N more"


@dataclass(frozen=True)
class TechnosphereSystem:
    """The matrices of one graph version with the ids of their rows and columns.

    Shapes: ``A`` n x n (CSC), ``B`` F x n (CSC), ``C`` m x F (CSR) for n processes, F elementary
    flows and m impact categories. ``reference_amounts`` (n,) holds the signed ``r_j`` (the reference
    part of ``A[j, j]``, which differs from ``A[j, j]`` when a process consumes its own product).
    ``cutoffs`` (n,) counts unlinked exchanges per process; ``uncharacterised`` counts entries of
    B whose flow has no factor in any category (they contribute to no score).
    """

    process_ids: tuple[str, ...]
    flow_ids: tuple[str, ...]
    category_ids: tuple[str, ...]
    A: sp.csc_matrix
    B: sp.csc_matrix
    C: sp.csr_matrix
    reference_amounts: FloatArray
    cutoffs: IntArray
    uncharacterised: int = 0
    process_index: Mapping[str, int] = field(default_factory=dict, repr=False)

    @property
    def size(self) -> int:
        """Number of processes n."""
        return len(self.process_ids)

    @property
    def cutoff_count(self) -> int:
        """Unlinked product inputs and waste outputs in the whole system."""
        return int(self.cutoffs.sum())

    @property
    def orientation(self) -> FloatArray:
        """sigma_j: +1 for a product provider, -1 for a waste treatment (negative r_j)."""
        return np.where(self.reference_amounts < 0, -1.0, 1.0)

    @cached_property
    def operators(self) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]:
        """(A, |A|, A^T, |A^T|) in CSR, built once, for residuals and refinement."""
        forward = sp.csr_matrix(self.A)
        transposed = sp.csr_matrix((self.A.data, self.A.indices, self.A.indptr), shape=self.A.shape[::-1])
        return forward, abs(forward), transposed, abs(transposed)

    @cached_property
    def first_layer(self) -> sp.csc_matrix:
        """P = D^-1 + D^-1 L D^-1 (n x n, pattern of A), D = diag(A), L = D - A: A^-1 up to the
        first layer of links (two Neumann terms), built once; solver.uncertainty's control variate."""
        inverse = sp.diags(1.0 / self.A.diagonal())
        links = sp.diags(self.A.diagonal()) - self.A
        return sp.csc_matrix(inverse + inverse @ links @ inverse)

    def index_of(self, process_id: str) -> int:
        """Column of a process; NodeNotFound names an unknown id."""
        try:
            return self.process_index[process_id]
        except KeyError as e:
            raise NodeNotFound(f"process {process_id!r} is not in the technosphere of this graph") from e


def name_ids(ids: Sequence[str]) -> str:
    """A short list of ids for a message."""
    shown = ", ".join(repr(i) for i in ids[:_SHOWN])
    return shown + (f" and {len(ids) - _SHOWN} more" if len(ids) > _SHOWN else "")


def _floats(values: Floats, what: str, length: int) -> FloatArray:
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if array.size != length:
        raise InvalidArgument(f"{what} has {array.size} values for {length} rows; give one per row")
    return array


def _bools(values: Bools | None, what: str, length: int, default: bool = False) -> BoolArray:
    if values is None:
        return np.full(length, default, dtype=bool)
    array = np.asarray(values, dtype=bool).reshape(-1)
    if array.size != length:
        raise InvalidArgument(f"{what} has {array.size} values for {length} rows; give one per row")
    return array


def _require_finite(values: FloatArray, what: str, label: Callable[[int], str]) -> None:
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        named = [f"{label(int(i))} = {values[i]!r}" for i in bad[:_SHOWN]]
        raise NonFiniteResult(
            f"{what}: {bad.size} non-finite value(s): {'; '.join(named)}; "
            "fix or remove them in the source data"
        )


def _lookup(index: Mapping[str, int], ids: Sequence[str], what: str) -> IntArray:
    try:
        return np.fromiter(map(index.__getitem__, ids), dtype=np.int64, count=len(ids))
    except KeyError as e:
        raise NodeNotFound(
            f"{what} refers to process {e.args[0]!r}, which is not in the process table; "
            "read links and exchanges from the same graph version as the processes"
        ) from e


def _index_processes(table: ProcessTable) -> tuple[tuple[str, ...], dict[str, int], FloatArray]:
    ids = tuple(table.ids)
    index = {pid: j for j, pid in enumerate(ids)}
    if len(index) != len(ids):
        seen: set[str] = set()
        dup = [pid for pid in ids if pid in seen or seen.add(pid)]  # type: ignore[func-returns-value]
        raise InvalidArgument(f"process ids are not unique: {name_ids(dup)}")
    ref = _floats(table.ref_amounts, "ref_amounts", len(ids))
    _require_finite(ref, "reference amounts", lambda i: f"process {ids[i]!r}")
    zero = np.flatnonzero(ref == 0.0)
    if zero.size:
        named = tuple(ids[j] for j in zero)
        raise SingularTechnosphere(
            f"{zero.size} process(es) have a zero reference amount: {name_ids(named)}; "
            "set the quantitative reference amount in the dataset",
            named,
        )
    inputs = _bools(table.ref_is_input, "ref_is_input", len(ids))
    return ids, index, np.where(inputs, -ref, ref)


def allocation_factors(table: ProcessTable, ids: tuple[str, ...]) -> FloatArray:
    """phi (n,): allocation factor of each process's reference product (1 where none)."""
    if table.allocation is None:
        return np.ones(len(ids))
    phi = _floats(table.allocation, "allocation", len(ids))
    _require_finite(phi, "allocation factors", lambda i: f"process {ids[i]!r}")
    negative = np.flatnonzero(phi < 0)
    if negative.size:
        raise InvalidArgument(
            f"negative allocation factor for {name_ids([ids[j] for j in negative])}; factors are >= 0"
        )
    return phi


def link_entries(
    links: LinkTable, index: Mapping[str, int], phi: FloatArray, ref: FloatArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """(rows, cols, values): each link row's cell of A and its signed contribution."""
    rows = _lookup(index, links.providers, "a link's provider")
    cols = _lookup(index, links.consumers, "a link's consumer")
    amounts = _floats(links.amounts, "link amounts", rows.size)
    _require_finite(
        amounts, "link amounts", lambda i: f"link {links.consumers[i]!r} -> provider {links.providers[i]!r}"
    )
    inputs = _bools(links.is_input, "link is_input", rows.size)
    avoided = _bools(links.is_avoided, "link is_avoided", rows.size)
    plain = np.where(inputs, -amounts, amounts)
    # A credit is the opposite of what a plain exchange with that provider would be: a product
    # provider (r > 0) is normally an input (-a), a treatment (r < 0) a waste output (+a).
    credit = np.where(ref[rows] > 0, amounts, -amounts)
    return rows, cols, np.where(avoided, credit, plain) * phi[cols]


def _biosphere(
    elementary: ElementaryTable, index: Mapping[str, int], flow_index: Mapping[str, int], phi: FloatArray
) -> sp.csc_matrix:
    cols = _lookup(index, elementary.processes, "an elementary exchange")
    rows = np.fromiter(map(flow_index.__getitem__, elementary.flows), dtype=np.int64, count=cols.size)
    amounts = _floats(elementary.amounts, "elementary amounts", cols.size)
    _require_finite(
        amounts, "elementary amounts",
        lambda i: f"process {elementary.processes[i]!r} flow {elementary.flows[i]!r}",
    )
    signed = np.where(_bools(elementary.is_input, "elementary is_input", cols.size), -amounts, amounts)
    matrix = sp.csc_matrix((signed * phi[cols], (rows, cols)), shape=(len(flow_index), phi.size))
    matrix.sum_duplicates()
    return matrix


def _characterisation(
    factors: FactorTable, flow_index: Mapping[str, int], categories: Sequence[str] | None
) -> tuple[tuple[str, ...], sp.csr_matrix]:
    order = tuple(categories) if categories is not None else tuple(dict.fromkeys(factors.categories))
    category_index = {c: i for i, c in enumerate(order)}
    values = _floats(factors.values, "factor values", len(factors.flows))
    _require_finite(
        values, "characterisation factors",
        lambda i: f"category {factors.categories[i]!r} flow {factors.flows[i]!r}",
    )
    try:
        rows = np.fromiter(
            map(category_index.__getitem__, factors.categories), dtype=np.int64, count=values.size
        )
    except KeyError as e:
        raise InvalidArgument(f"factor for category {e.args[0]!r}, which is not in categories {order}") from e
    cols = np.fromiter(map(flow_index.__getitem__, factors.flows), dtype=np.int64, count=values.size)
    matrix = sp.csr_matrix((values, (rows, cols)), shape=(len(order), len(flow_index)))
    matrix.sum_duplicates()
    return order, matrix


def _technosphere(ref: FloatArray, rows: IntArray, cols: IntArray, values: FloatArray) -> sp.csc_matrix:
    """A: the signed reference amounts on the diagonal plus the link entries (summed)."""
    diagonal = np.arange(ref.size, dtype=np.int64)
    matrix = sp.csc_matrix(
        (np.concatenate([ref, values]), (np.concatenate([diagonal, rows]), np.concatenate([diagonal, cols]))),
        shape=(ref.size, ref.size),
    )
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    return matrix


def build_system(
    processes: ProcessTable,
    links: LinkTable,
    elementary: ElementaryTable,
    factors: FactorTable,
    *,
    unlinked: Sequence[str] = (),
    categories: Sequence[str] | None = None,
) -> TechnosphereSystem:
    """Build A, B, C (see the module docstring for signs) and validate them.

    ``unlinked`` lists the process id of every cut-off exchange (one entry per exchange).
    ``categories`` fixes the row order of C (default: order of first appearance in ``factors``).
    Raises SingularTechnosphere for a zero reference amount, NonFiniteResult for NaN/inf in any
    amount or factor, NodeNotFound for a link or exchange naming an unknown process.
    """
    ids, index, ref = _index_processes(processes)
    phi = allocation_factors(processes, ids)
    n = len(ids)
    technosphere = _technosphere(ref, *link_entries(links, index, phi, ref))
    flow_ids = tuple(dict.fromkeys(chain(elementary.flows, factors.flows)))
    flow_index = {f: i for i, f in enumerate(flow_ids)}
    biosphere = _biosphere(elementary, index, flow_index, phi)
    order, characterisation = _characterisation(factors, flow_index, categories)
    cutoffs = np.bincount(_lookup(index, unlinked, "an unlinked exchange"), minlength=n).astype(np.int64)
    characterised = np.asarray(abs(characterisation).sum(axis=0)).ravel() > 0
    uncharacterised = int((~characterised[biosphere.indices]).sum())
    return TechnosphereSystem(
        process_ids=ids, flow_ids=flow_ids, category_ids=order, A=technosphere, B=biosphere,
        C=characterisation, reference_amounts=ref, cutoffs=cutoffs, uncharacterised=uncharacterised,
        process_index=index,
    )
