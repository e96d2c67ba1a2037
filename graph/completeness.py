"""Completeness of a database: is every input linked or a declared cut-off, every reference flow
set, every amount and unit present, every elementary flow characterised by the chosen category?

A *declared cut-off* is an unlinked exchange of a flow the dataset marks as cut off (USLCI names
them "CUTOFF ..."); any other unlinked exchange is a *missing provider*.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph import queries as q
from graph.store import GraphStore
from lcagraph.errors import NodeNotFound

SHOWN = 20  # ids/names listed per finding; the counts are always complete


@dataclass(frozen=True, slots=True)
class Completeness:
    """Findings for one database and one impact category."""

    database: str
    category: str
    processes: int
    without_reference: tuple[str, ...]
    zero_reference: tuple[str, ...]
    links: tuple[tuple[str, int], ...]
    declared_cutoffs: int
    missing_providers: int
    missing_amounts: int
    elementary_flows: int
    uncharacterised: int
    uncharacterised_names: tuple[str, ...]

    @property
    def linked(self) -> int:
        """Exchanges with a provider (every link kind but 'unlinked')."""
        return sum(n for kind, n in self.links if kind != "unlinked")

    @property
    def complete(self) -> bool:
        """True when nothing is missing: no process without a reference, no missing provider,
        amount or unit. Elementary flows the category does not characterise are information
        (most substances are outside a climate method); a gas the method covers but matching
        missed is a defect, found by api/services/coverage.py."""
        return not (self.without_reference or self.zero_reference or self.missing_providers
                    or self.missing_amounts)


def check_database(store: GraphStore, database: str, category: str) -> Completeness:
    """Read the findings for ``database`` (id) under impact category ``category`` (id)."""
    params = {"database": database}
    processes = store.read(q.CHECK_PROCESSES, params)
    if not processes:
        raise NodeNotFound(f"database {database!r} has no processes in the graph; see `lcagraph info`")
    link_rows = store.read(q.CHECK_LINK_STATES, params)
    missing = store.read(q.CHECK_MISSING_AMOUNTS, params)
    flows = store.read(q.CHECK_ELEMENTARY_FLOWS, {"database": database, "category": category})
    links: dict[str, int] = {}
    for row in link_rows:
        links[str(row["link"])] = links.get(str(row["link"]), 0) + int(row["exchanges"])
    unlinked = [r for r in link_rows if r["link"] == "unlinked"]
    bare = sorted(f"{r['name']} [{r['compartment'] or 'no compartment'}]" for r in flows
                  if not r["characterised"])
    return Completeness(
        database=database, category=category, processes=len(processes),
        without_reference=tuple(sorted(str(r["id"]) for r in processes if r["ref_flow"] is None)),
        zero_reference=tuple(sorted(str(r["id"]) for r in processes
                                    if r["ref_flow"] is not None and not r["ref_amount"])),
        links=tuple(sorted(links.items())),
        declared_cutoffs=sum(int(r["exchanges"]) for r in unlinked if r["declared"]),
        missing_providers=sum(int(r["exchanges"]) for r in unlinked if not r["declared"]),
        missing_amounts=int(missing[0]["exchanges"]) if missing else 0,
        elementary_flows=len(flows), uncharacterised=len(bare), uncharacterised_names=tuple(bare[:SHOWN]),
    )
