"""One node in its context, for the phone viewer's page and the links and QR codes that open it.

The contributors come from the same expansion as ``lcagraph tree`` and GraphQL ``upstream``
(api/services/tree.py), so the page, the API and the CLI show the same exact numbers. A phone
reader cannot run ``lcagraph calculate``: missing or stale results are refreshed on demand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from api.services.links import deep_link
from api.services.models import database_names, read_databases, read_flows, read_link_counts, read_processes
from api.services.readmodels import Completeness, Database, NodeView
from api.services.session import AppState
from api.services.tree import crumbs, unfold
from graph.store import GraphStore
from lcagraph.errors import InvalidArgument, process_not_found

CONTRIBUTOR_CUTOFF = 0.001
MAX_CONTRIBUTORS = 60


@dataclass(frozen=True, slots=True)
class NodeRequest:
    """What a deep link asks for: a process, optionally in context (path), amount and category."""

    process: str
    path: tuple[str, ...] = ()
    amount: float | None = None
    category: str | None = None


def check_path(req: NodeRequest) -> None:
    """A path runs from the root to this very node."""
    if req.path and req.path[-1] != req.process:
        raise InvalidArgument(
            f"path ends at {req.path[-1]!r}, not at process {req.process!r}: a path runs from the "
            "model's root to the node the link opens"
        )


def node_view(
    state: AppState, req: NodeRequest, *, refresh: bool = True, version: int | None = None,
) -> NodeView:
    """Everything the page of ``req`` shows (NodeNotFound / StaleResult / InvalidArgument)."""
    check_path(req)
    store = state.store
    process = read_processes(store, [req.process]).get(req.process)
    if process is None:
        raise process_not_found(req.process)
    tree = unfold(state, req.path[0] if req.path else req.process, amount=req.amount, method=req.category,
                  path=req.path, depth=1, cutoff=CONTRIBUTOR_CUTOFF, max_nodes=MAX_CONTRIBUTORS + 1,
                  refresh=refresh, version=version)
    databases = read_databases(store)
    names = database_names(databases)
    found = [d.database for d in databases if d.database.id == process.database]
    ref_flow = read_flows(store, [process.ref_flow]).get(process.ref_flow) if process.ref_flow else None
    counts = read_link_counts(store, [req.process]).get(req.process, {})
    return NodeView(
        process=process, database=found[0] if found else Database(id=process.database, name=process.database),
        reference_product=ref_flow.name if ref_flow else "", tree=tree,
        completeness=Completeness.from_counts(counts, bool(process.ref_flow)),
        crumbs=crumbs(state.tree_source(version), req.path or (req.process,), names), path=req.path,
        amount=req.amount, method=req.category, database_names=names,
    )


def node_link(
    store: GraphStore, base: str, process_id: str, path: Sequence[str] = (), amount: float | None = None,
    method: str | None = None,
) -> tuple[str, str]:
    """(deep link, process name); the process and every path step must be in the graph."""
    check_path(NodeRequest(process_id, tuple(path)))
    found = read_processes(store, [process_id, *path])
    missing = [p for p in (process_id, *path) if p not in found]
    if missing:
        raise process_not_found(missing[0])
    return deep_link(base, process_id, path=tuple(path), amount=amount, method=method), found[process_id].name
