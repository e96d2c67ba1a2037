"""The technosphere rows of part of the graph, read through an open unit of work's writer (the
staging graph): what an import wrote, for the matrix snapshot built incrementally inside the import
(api/services/snapshot_update.py).

The statements (graph/queries.py ``READ_TECHNOSPHERE_*_OF_*``) are graph/technosphere.py's bulk
reads restricted to the processes of some databases (and, for supply links and cut-offs, to some
consumers of other databases), and their rows go through the same converters, so a row read here
is the row a full read of the same graph returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graph import queries as q
from graph.snapshot_location import GraphIdentity
from graph.store import Writer
from graph.technosphere import (
    ElementaryRows,
    FactorRows,
    LinkRows,
    ProcessRows,
    collect_elementary,
    collect_factors,
    collect_links,
    collect_processes,
)


@dataclass(slots=True)
class TechnospherePart:
    """The processes and elementary exchanges of ``databases``, the supply links and cut-offs of
    their processes and of ``consumers``, and every factor of the graph."""

    databases: tuple[str, ...]
    consumers: tuple[str, ...]
    processes: ProcessRows
    links: LinkRows
    elementary: ElementaryRows
    factors: FactorRows
    unlinked: list[str]


def read_technosphere_part(
    writer: Writer, databases: Sequence[str], consumers: Sequence[str],
) -> TechnospherePart:
    """The rows of :class:`TechnospherePart` as the unit of work sees the graph."""
    params = {"databases": list(databases), "consumers": list(consumers)}
    links, unlinked = collect_links(
        writer.run(q.READ_TECHNOSPHERE_LINK_EXCEPTIONS_OF_CONSUMERS, params),
        writer.run(q.READ_TECHNOSPHERE_LINKS_OF_CONSUMERS, params),
        writer.run(q.READ_TECHNOSPHERE_LINK_COUNTS_OF_CONSUMERS, params),
    )
    return TechnospherePart(
        databases=tuple(databases), consumers=tuple(consumers),
        processes=collect_processes(writer.run(q.READ_TECHNOSPHERE_PROCESSES_OF_DATABASES, params)),
        links=links, unlinked=unlinked,
        elementary=collect_elementary(writer.run(q.READ_TECHNOSPHERE_ELEMENTARY_OF_DATABASES, params)),
        factors=collect_factors(writer.run(q.READ_TECHNOSPHERE_FACTORS, {"categories": None})),
    )


def read_linked_consumers(writer: Writer, databases: Sequence[str]) -> list[str]:
    """Processes of other databases with a supply link into ``databases``."""
    rows = writer.run(q.READ_CONSUMERS_LINKED_INTO_DATABASES, {"databases": list(databases)})
    return [str(c) for c in rows[0]["consumers"]] if rows else []


def read_flow_types(writer: Writer, ids: Sequence[str]) -> dict[str, str]:
    """Type of each of the flows ``ids`` that is in the graph."""
    rows = writer.run(q.READ_FLOW_TYPES, {"ids": list(ids)}) if ids else []
    return {str(f): str(t or "") for f, t in rows[0]["flows"]} if rows else {}


def claim_graph_version(writer: Writer) -> GraphIdentity:
    """The identity the unit starts from (version 0, uid '' for a graph never written); the unit
    commits exactly version + 1 with the same uid (graph/queries.py CLAIM_GRAPH_VERSION)."""
    rows = writer.run(q.CLAIM_GRAPH_VERSION)
    if not rows:
        return GraphIdentity(0, "")
    return GraphIdentity(int(rows[0]["version"] or 0), str(rows[0]["uid"] or ""))
