"""GraphQL types of the unfolded footprint: tree nodes, jumps between models, footprints."""

from __future__ import annotations

import strawberry

from api.graphql.context import Ctx
from api.graphql.types import Database, ImpactCategory, Model, Process, load_database
from graph.tree import Tree, TreeNode


@strawberry.type(
    name="TreeNode",
    description=(
        "A node of the upstream tree. Every expanded node satisfies total = direct + Σ children totals. "
        "Pass `path` back to `upstream` to unfold this node."
    ),
)
class TreeNodeType:
    id: strawberry.ID
    path: list[strawberry.ID] = strawberry.field(description="Process ids from the root to this node.")
    process_id: strawberry.ID | None = strawberry.field(description="Null for the merged rest.")
    name: str
    database_id: strawberry.ID | None
    amount: float | None = strawberry.field(description="In the process's reference unit.")
    unit: str | None
    direct: float
    total: float
    share: float | None = strawberry.field(description="total / root total (null when the root total is 0).")
    crosses_database: bool = strawberry.field(description="This node's database differs from its parent's.")
    loop: bool = strawberry.field(description="The process already stands on the path (a supply loop).")
    is_rest: bool = strawberry.field(description="The children below the cutoff, merged (exact sum).")
    rest_count: int
    child_count: int = strawberry.field(description="Distinct providers (0: nothing to unfold).")
    unlinked_count: int = strawberry.field(description="Unlinked inputs (cut-offs): listed, contribute 0.")
    expanded: bool = strawberry.field(description="Children are included (false: unfold it with its path).")
    truncated: bool = strawberry.field(description="Not unfolded because maxNodes was reached.")
    children: list[TreeNodeType]
    category: strawberry.ID
    impact_unit: str
    graph_version: int
    root_total: float

    @strawberry.field
    async def process(self, info: Ctx) -> Process | None:
        if self.process_id is None:
            return None
        found = await info.context.loaders.process.load(self.process_id)
        return Process.of(found) if found else None

    @strawberry.field
    async def database(self, info: Ctx) -> Database | None:
        return await load_database(info, self.database_id) if self.database_id else None


def tree_node(node: TreeNode, tree: Tree, impact_unit: str) -> TreeNodeType:
    """Convert a graph.tree node (and its children) to the GraphQL type."""
    return TreeNodeType(
        id=strawberry.ID(node.id),
        path=[strawberry.ID(p) for p in node.path],
        process_id=strawberry.ID(node.process) if node.process else None,
        name=node.name,
        database_id=strawberry.ID(node.database) if node.database else None,
        amount=node.amount,
        unit=node.unit,
        direct=node.direct,
        total=node.total,
        share=node.share,
        crosses_database=node.crosses_database,
        loop=node.loop,
        is_rest=node.process is None,
        rest_count=node.rest_count,
        child_count=node.child_count,
        unlinked_count=node.unlinked_count,
        expanded=node.expanded,
        truncated=node.truncated,
        children=[tree_node(c, tree, impact_unit) for c in node.children],
        category=strawberry.ID(tree.category),
        impact_unit=impact_unit,
        graph_version=tree.graph_version,
        root_total=tree.root_total,
    )


@strawberry.type(description="A step of the way back: where the user came from.")
class Crumb:
    process_id: strawberry.ID
    name: str
    database_id: strawberry.ID
    path: list[strawberry.ID] = strawberry.field(description="Give this path to `upstream` to go back here.")
    crosses_database: bool


@strawberry.type(description="A process opened in its own database or model, with the way back.")
class Jump:
    process_id: strawberry.ID
    database_id: strawberry.ID
    root: TreeNodeType = strawberry.field(description="The process as a new root (its reference amount).")
    breadcrumb: list[Crumb]
    back_path: list[strawberry.ID] = strawberry.field(description="The path the user came from.")
    models: list[Model] = strawberry.field(description="Product systems of that database (this one first).")

    @strawberry.field
    async def database(self, info: Ctx) -> Database | None:
        return await load_database(info, self.database_id)

    @strawberry.field
    async def process(self, info: Ctx) -> Process | None:
        found = await info.context.loaders.process.load(self.process_id)
        return Process.of(found) if found else None


@strawberry.type(description="The footprint of an amount of a process's product (as `lcagraph footprint`).")
class Footprint:
    process_id: strawberry.ID
    name: str
    amount: float
    unit: str
    category: ImpactCategory
    impact_unit: str
    direct: float
    total: float
    graph_version: int
