"""The tree, jumps between models and footprints: argument checks and the call into graph/tree.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from api.graphql.tree_types import Crumb, Footprint, Jump, TreeNodeType, tree_node
from api.graphql.types import ImpactCategory, Model
from graph import browse
from graph.tree import Tree, TreeRequest, expand_tree
from lcagraph.errors import InvalidArgument

if TYPE_CHECKING:
    from api.graphql.context import Context


async def _expand(ctx: Context, req: TreeRequest) -> Tree:
    source = ctx.state.tree_source(await ctx.graph_version())
    return await ctx.run(lambda: expand_tree(source, req))


async def _category(ctx: Context, method: str | None) -> browse.Category:
    return browse.resolve_category(await ctx.categories(), method)


async def upstream_tree(
    ctx: Context,
    process_id: str,
    amount: float | None,
    method: str | None,
    path: tuple[str, ...],
    depth: int,
    cutoff: float,
    max_nodes: int,
) -> TreeNodeType:
    """``depth`` levels of the tree below the node ``path`` leads to (the root when empty)."""
    category = await _category(ctx, method)
    req = TreeRequest(
        process=process_id,
        category=category.id,
        amount=amount,
        path=path,
        depth=depth,
        cutoff=cutoff,
        max_nodes=max_nodes,
    )
    tree = await _expand(ctx, req)
    return tree_node(tree.node, tree, category.unit)


async def jump_to(
    ctx: Context,
    process_id: str,
    path: tuple[str, ...],
    method: str | None,
    depth: int,
    cutoff: float,
    max_nodes: int,
) -> Jump:
    """The process as a new root of its own database, with breadcrumbs back along ``path``."""
    if path and path[-1] != process_id:
        raise InvalidArgument(
            f"path ends at {path[-1]!r}, not at {process_id!r}: give the path of the node you jump from"
        )
    category = await _category(ctx, method)
    root = await _expand(
        ctx,
        TreeRequest(
            process=process_id, category=category.id, depth=depth, cutoff=cutoff, max_nodes=max_nodes
        ),
    )
    crumbs: list[Crumb] = []
    if len(path) > 1:
        await _expand(
            ctx, TreeRequest(process=path[0], category=category.id, path=path, depth=0)
        )  # path exists
        source = ctx.state.tree_source(await ctx.graph_version())
        infos = await ctx.run(lambda: (source.graph_version(), source.processes(list(path)))[1])
        previous = ""
        for i, pid in enumerate(path[:-1]):
            db = infos[pid].database
            crumbs.append(
                Crumb(
                    process_id=strawberry.ID(pid),
                    name=infos[pid].name,
                    database_id=strawberry.ID(db),
                    path=[strawberry.ID(p) for p in path[: i + 1]],
                    crosses_database=bool(previous) and db != previous,
                )
            )
            previous = db
    database = root.node.database or ""
    models = await ctx.run(lambda: browse.read_models(ctx.store, database))
    models.sort(key=lambda m: m.ref_process != process_id)
    return Jump(
        process_id=strawberry.ID(process_id),
        database_id=strawberry.ID(database),
        root=tree_node(root.node, root, category.unit),
        breadcrumb=crumbs,
        back_path=[strawberry.ID(p) for p in path],
        models=[Model.of(m) for m in models],
    )


async def footprint_of(ctx: Context, process_id: str, amount: float | None, method: str | None) -> Footprint:
    """Total and direct footprint of ``amount`` (default: the reference amount) of a process."""
    category = await _category(ctx, method)
    tree = await _expand(ctx, TreeRequest(process=process_id, category=category.id, amount=amount, depth=0))
    node = tree.node
    return Footprint(
        process_id=strawberry.ID(process_id),
        name=node.name,
        amount=node.amount or 0.0,
        unit=node.unit or "",
        category=ImpactCategory.of(category),
        impact_unit=category.unit,
        direct=node.direct,
        total=node.total,
        graph_version=tree.graph_version,
    )
