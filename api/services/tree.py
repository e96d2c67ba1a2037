"""Unfold a footprint layer by layer (graph/tree.py) and jump between databases, for every
interface: ``lcagraph tree``, GraphQL ``upstream``/``jump``, the phone viewer's contributors.

Where cached results are missing or stale, ``refresh`` calculates them on demand (once per
graph version: api/services/calculation.with_fresh_results), else StaleResult.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from api.services.calculation import with_fresh_results
from api.services.models import choose_category, database_names
from api.services.quality import quality_table
from api.services.readmodels import Category, Crumb, JumpView, TreeView
from api.services.session import AppState
from graph.browse import read_databases, read_models
from graph.tree import TreeRequest, TreeSource, expand_tree
from graph.tree_records import MAX_AMOUNT, MAX_DEPTH, MAX_NODES
from lcagraph.errors import InvalidArgument

__all__ = ["MAX_AMOUNT", "MAX_DEPTH", "MAX_NODES", "crumbs", "jump", "unfold"]


def unfold(
    state: AppState, process: str, *, amount: float | None = None, method: str | None = None,
    path: Sequence[str] = (), depth: int = 1, cutoff: float = 0.0, max_nodes: int = 200,
    refresh: bool = False, version: int | None = None, category: Category | None = None,
) -> TreeView:
    """``depth`` levels below the node ``path`` leads to (the root ``process`` when empty)."""
    chosen = category or choose_category(state.store, method)
    req = TreeRequest(process=process, category=chosen.id, amount=amount, path=tuple(path), depth=depth,
                      cutoff=cutoff, max_nodes=max_nodes)
    source = state.tree_source(version)
    tree = with_fresh_results(state.store, chosen.id, lambda: expand_tree(source, req), refresh=refresh)
    figures = quality_table(state.store, chosen.id)
    return TreeView(tree, chosen, figures.nodes if figures.graph_version == tree.graph_version else {})


def jump(
    state: AppState, process: str, path: Sequence[str] = (), *, method: str | None = None, depth: int = 1,
    cutoff: float = 0.0, max_nodes: int = 200, refresh: bool = False, version: int | None = None,
) -> JumpView:
    """The process as a new root of its own database, with crumbs back along ``path``."""
    steps = tuple(path)
    if steps and steps[-1] != process:
        raise InvalidArgument(
            f"path ends at {steps[-1]!r}, not at {process!r}: give the path of the node you jump from"
        )
    category = choose_category(state.store, method)
    root = unfold(state, process, depth=depth, cutoff=cutoff, max_nodes=max_nodes, refresh=refresh,
                  version=version, category=category)
    back: tuple[Crumb, ...] = ()
    if len(steps) > 1:
        unfold(state, steps[0], path=steps, depth=0, version=version, category=category)  # the path exists
        back = crumbs(state.tree_source(version), steps, database_names(read_databases(state.store)))
    database = root.node.database or ""
    models = sorted(read_models(state.store, database), key=lambda m: m.ref_process != process)
    return JumpView(root=root, crumbs=back, back_path=steps, models=tuple(models))


def crumbs(source: TreeSource, path: Sequence[str], names: Mapping[str, str]) -> tuple[Crumb, ...]:
    """The way back from the last node of ``path``: one crumb per step before it."""
    if len(path) < 2:
        return ()
    source.graph_version()  # the source's cache belongs to the current version
    infos = source.processes(list(path[:-1]))
    out: list[Crumb] = []
    previous = ""
    for i, pid in enumerate(path[:-1]):
        db = infos[pid].database
        out.append(Crumb(process=pid, name=infos[pid].name, database=db, database_name=names.get(db, db),
                         path=tuple(path[: i + 1]), crosses_database=bool(previous) and db != previous))
        previous = db
    return tuple(out)
