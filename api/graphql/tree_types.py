"""GraphQL types of the unfolded footprint: tree nodes, jumps between models, footprints."""

from __future__ import annotations

import strawberry

from api.graphql.context import Ctx
from api.graphql.types import Database, ImpactCategory, Model, Process, load_database
from api.services import links
from api.services import readmodels as rm


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


def tree_node(view: rm.TreeView, node: rm.TreeNode | None = None) -> TreeNodeType:
    """A node of the read model (default: the view's top node) and its children, as the GraphQL type."""
    node = view.node if node is None else node
    tree = view.tree
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
        children=[tree_node(view, c) for c in node.children],
        category=strawberry.ID(tree.category),
        impact_unit=view.category.unit,
        graph_version=tree.graph_version,
        root_total=tree.root_total,
    )


@strawberry.type(description="A step of the way back: where the user came from.")
class Crumb:
    process_id: strawberry.ID
    name: str
    database_id: strawberry.ID
    database_name: str
    path: list[strawberry.ID] = strawberry.field(description="Give this path to `upstream` to go back here.")
    crosses_database: bool

    @classmethod
    def of(cls, c: rm.Crumb) -> Crumb:
        return cls(process_id=strawberry.ID(c.process), name=c.name, database_id=strawberry.ID(c.database),
                   database_name=c.database_name, path=[strawberry.ID(p) for p in c.path],
                   crosses_database=c.crosses_database)


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

    @classmethod
    def of(cls, j: rm.JumpView) -> Jump:
        root = j.root.node
        return cls(process_id=strawberry.ID(root.process or ""),
                   database_id=strawberry.ID(root.database or ""), root=tree_node(j.root),
                   breadcrumb=[Crumb.of(c) for c in j.crumbs],
                   back_path=[strawberry.ID(p) for p in j.back_path], models=[Model.of(m) for m in j.models])


@strawberry.type(description="How the product and waste exchanges of a process are linked to providers.")
class Completeness:
    linked: int
    cut_off: int = strawberry.field(description="Unlinked: no provider, contribute nothing.")
    ambiguous: int = strawberry.field(description="Several possible providers.")
    reference_set: bool
    state: str = strawberry.field(description="complete | cut-off | ambiguous | no reference")

    @classmethod
    def of(cls, c: rm.Completeness) -> Completeness:
        return cls(linked=c.linked, cut_off=c.cut_off, ambiguous=c.ambiguous, reference_set=c.reference_set,
                   state=c.state)


@strawberry.type(description="An elementary flow's part of a footprint: inventory amount × factor.")
class FlowContribution:
    flow_id: strawberry.ID
    name: str
    compartment: str
    unit: str
    amount: float
    factor: float
    impact: float


@strawberry.type(description="Direct emissions of one database's processes in a footprint's supply chain.")
class DatabaseContribution:
    database_id: strawberry.ID
    impact: float
    processes: int = strawberry.field(description="Processes of the database with a non-zero scaling factor.")


@strawberry.type(description="A process whose scaling factor in this supply chain is negative.")
class NegativeScaling:
    process_id: strawberry.ID
    value: float


@strawberry.type(description="The footprint of an amount of a process's product (as `lcagraph footprint`).")
class Footprint:
    process_id: strawberry.ID
    name: str
    amount: float = strawberry.field(description="In unit: the dataset's own reference unit (kWh, t, ...).")
    unit: str
    amount_ref: float = strawberry.field(description="The amount in the reference flow's unit (unitRef).")
    unit_ref: str
    category: ImpactCategory
    impact_unit: str
    direct: float
    total: float
    graph_version: int
    database_id: strawberry.ID
    category_name: str
    method: strawberry.ID
    from_cache: bool = strawberry.field(description="Total and direct came from current cached results.")
    by_flow: list[FlowContribution] = strawberry.field(description="Per elementary flow, largest first.")
    by_database: list[DatabaseContribution] = strawberry.field(description="Per database, largest first.")
    residual: float = strawberry.field(
        description="Relative residual ||A s - f|| / ||f|| of the inventory solve.")
    cutoffs: int = strawberry.field(description="Unlinked exchanges of the processes in the supply chain.")
    negative_scaling: list[NegativeScaling] = strawberry.field(description="The first ten, largest first.")
    negative_scaling_count: int
    backend: str = strawberry.field(description="Sparse solver that factorised the technosphere.")
    completeness: Completeness

    @strawberry.field
    async def database(self, info: Ctx) -> Database | None:
        return await load_database(info, self.database_id)

    @classmethod
    def of(cls, f: rm.Footprint, category: rm.Category) -> Footprint:
        return cls(
            process_id=strawberry.ID(f.process), name=f.name, amount=f.amount, unit=f.unit,
            amount_ref=f.amount_ref, unit_ref=f.unit_ref,
            category=ImpactCategory.of(category), impact_unit=f.impact_unit, direct=f.direct, total=f.total,
            graph_version=f.graph_version, database_id=strawberry.ID(f.database),
            category_name=f.category_name, method=strawberry.ID(f.method), from_cache=f.from_cache,
            by_flow=[FlowContribution(flow_id=strawberry.ID(c.flow), name=c.name, compartment=c.compartment,
                                      unit=c.unit, amount=c.amount, factor=c.factor, impact=c.impact)
                     for c in f.by_flow],
            by_database=[DatabaseContribution(database_id=strawberry.ID(d.database), impact=d.impact,
                                              processes=d.processes) for d in f.by_database],
            residual=f.residual, cutoffs=f.cutoffs,
            negative_scaling=[NegativeScaling(process_id=strawberry.ID(p), value=v)
                              for p, v in f.negative_scaling],
            negative_scaling_count=f.negative_scaling_count, backend=f.backend,
            completeness=Completeness.of(f.completeness),
        )


@strawberry.type(name="NodeView", description="One node in its context: what the phone viewer's page shows.")
class NodeViewType:
    process: Process
    database_id: strawberry.ID
    reference_product: str = strawberry.field(description="Name of the reference flow.")
    node: TreeNodeType = strawberry.field(
        description="The node at `path`; its largest contributors as children.",
    )
    completeness: Completeness
    breadcrumb: list[Crumb]
    path: list[strawberry.ID]
    deep_link: str = strawberry.field(description="The link of this node's page (and QR code).")

    @strawberry.field
    async def database(self, info: Ctx) -> Database | None:
        return await load_database(info, self.database_id)

    @classmethod
    def of(cls, v: rm.NodeView, base_url: str) -> NodeViewType:
        steps = v.path if len(v.path) > 1 else ()
        return cls(
            process=Process.of(v.process), database_id=strawberry.ID(v.database.id),
            reference_product=v.reference_product, node=tree_node(v.tree),
            completeness=Completeness.of(v.completeness),
            breadcrumb=[Crumb.of(c) for c in v.crumbs], path=[strawberry.ID(p) for p in v.path],
            deep_link=links.deep_link(base_url, v.process.id, path=steps, amount=v.amount, method=v.method),
        )
