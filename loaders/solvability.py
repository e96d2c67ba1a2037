"""Refuse an import that would make the technosphere unsolvable, before it is written.

The graph's technosphere matrix A is block-triangular with respect to an import: the new
database's processes use the background databases' products, not the other way round, so
``det A = det A_new * det A_rest``, where ``A_new`` is the square block of the import's own
processes and of the links between them (solver/matrices.py conventions: ``A[j, j]`` the signed
reference amount, ``A[k, j]`` the link entries). One singular ``A_new`` (a loop that consumes
exactly what it produces, a reference amount cancelled by an own input, a zero reference) breaks
every footprint of every database; checking ``A_new`` alone, n x n for n processes of the import,
is enough to refuse it and name the processes.

Only exactly singular blocks and reference amounts too small to divide by are refused:
ill-conditioned but solvable data passes (USLCI's whole A has cond ~ 1e15 and solves; its
residual is reported with every result).
"""

from __future__ import annotations

import sys

import numpy as np

from lcagraph.errors import SingularTechnosphere, quoted
from lcagraph.records import DatabaseContent
from solver.matrices import build_system
from solver.singularity import find_structural_defects, locate_singular_loops
from solver.tables import ElementaryTable, FactorTable, LinkTable, ProcessTable

_SHOWN = 10  # processes named in a message before "and N more"
_SMALLEST = sys.float_info.min  # below it a reference amount is subnormal: 1/r overflows


def check_solvable(content: DatabaseContent) -> None:
    """Raise SingularTechnosphere naming the processes if the import's own block of A is singular.

    Call it on linked content (after loaders.linking.link_providers), before the write.
    """
    ids, ref_amounts, ref_is_input = _process_rows(content)
    _check_reference_amounts(content, ids, ref_amounts)
    processes = ProcessTable(ids, ref_amounts, ref_is_input)
    system = build_system(processes, _link_rows(content, set(ids)), _NO_ELEMENTARY, _NO_FACTORS)
    # A reference product used up exactly by the process itself leaves a zero on the diagonal: name
    # that process alone (a maximum matching would also name the consumers it leaves unmatched).
    defects = np.flatnonzero(system.A.diagonal() == 0)
    if not defects.size:
        defects = find_structural_defects(system.A)
    kind = "structurally"
    if not defects.size:
        defects, kind = locate_singular_loops(system.A), "numerically"
        if not defects.size:
            return
    raise _unsolvable(content, [ids[i] for i in defects], kind)


_NO_ELEMENTARY = ElementaryTable((), (), np.zeros(0), np.zeros(0, dtype=bool))
_NO_FACTORS = FactorTable((), (), np.zeros(0))


def _process_rows(content: DatabaseContent) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Ids, reference amounts in the flow's reference unit (as the graph's A takes them) and
    whether the reference is an input (waste treatment)."""
    reference: dict[str, float] = {}
    for x in content.exchanges:
        if x.is_reference:
            reference.setdefault(x.process, x.amount_ref)
    ids = [p.id for p in content.processes]
    amounts = np.array([reference.get(p.id, p.ref_amount) for p in content.processes], dtype=float)
    inputs = np.array([p.ref_is_input for p in content.processes], dtype=bool)
    return ids, amounts, inputs


def _link_rows(content: DatabaseContent, inside: set[str]) -> LinkTable:
    """The links between the import's own processes, amounts in the provider's reference product
    times the exchange's allocation factor (as the graph's bulk read gives them)."""
    exchanges = {x.id: x for x in content.exchanges}
    rows = [
        (link, exchanges[link.exchange])
        for link in content.links
        if link.provider in inside and link.consumer in inside and link.exchange in exchanges
    ]
    return LinkTable(
        [link.consumer for link, _ in rows],
        [link.provider for link, _ in rows],
        np.array([link.amount_ref * link.provider_scale * x.allocation for link, x in rows], dtype=float),
        np.array([x.is_input for _, x in rows], dtype=bool),
        np.array([x.is_avoided for _, x in rows], dtype=bool),
    )


def _check_reference_amounts(content: DatabaseContent, ids: list[str], amounts: np.ndarray) -> None:
    tiny = np.flatnonzero(np.abs(amounts) < _SMALLEST)
    if tiny.size:
        named = [ids[i] for i in tiny]
        raise SingularTechnosphere(
            f"reference amount {amounts[tiny[0]]:g} is zero or too small to divide by (below {_SMALLEST:g}) "
            f"in process {_describe(content, named[:_SHOWN])}{_more(named)}; the import is refused: set "
            "the quantitative reference amount in the dataset",
            tuple(named),
        )


def _unsolvable(content: DatabaseContent, named: list[str], kind: str) -> SingularTechnosphere:
    return SingularTechnosphere(
        f"the import would make the technosphere {kind} singular (no footprint could be computed for "
        f"any database); processes involved: {_describe(content, named[:_SHOWN])}{_more(named)}. "
        "Check their reference amounts and the links between them: a supply loop that consumes as much "
        "as it produces, or a process that uses up its own reference product",
        tuple(named),
    )


def _describe(content: DatabaseContent, ids: list[str]) -> str:
    names = {p.id: p.name for p in content.processes}
    return ", ".join(f"{quoted(pid)} ({quoted(names.get(pid, ''))})" for pid in ids)


def _more(named: list[str]) -> str:
    return f" and {len(named) - _SHOWN} more" if len(named) > _SHOWN else ""
