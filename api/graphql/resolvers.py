"""Query resolvers: thin. They call the use-cases (api/services) in the thread pool and render
their read models as GraphQL types; expected errors become typed results (api/graphql/errors.py)."""

from __future__ import annotations

from typing import Annotated, cast

import strawberry
from strawberry.scalars import JSON

from api.graphql import errors as gql_errors
from api.graphql.battery import DeclarationResult, battery_declaration
from api.graphql.context import Ctx
from api.graphql.pagination import ProcessConnection, check_page_size, connection, decode_cursor
from api.graphql.quality_types import MonteCarlo
from api.graphql.tree_types import Footprint, Jump, NodeViewType, TreeNodeType, tree_node
from api.graphql.types import Database, Flow, ImpactCategory, Model, Process
from api.services import models, tree
from api.services.cypher import ROW_LIMIT, TIMEOUT_S, run_cypher
from api.services.footprint import footprint
from api.services.montecarlo import monte_carlo
from api.services.nodes import NodeRequest, node_view
from lcagraph.errors import InvalidArgument, LcaGraphError, NodeNotFound

E = gql_errors
Lookup = E.NotFound | E.InvalidArgumentProblem
TreeProblems = (E.NotFound | E.InvalidArgumentProblem | E.StaleResultProblem | E.CalculationFailed
                | E.Busy | E.EngineUnavailable)
ProcessLookup = Annotated[Process | Lookup, strawberry.union("ProcessLookup")]
FlowLookup = Annotated[Flow | Lookup, strawberry.union("FlowLookup")]
DatabaseLookup = Annotated[Database | Lookup, strawberry.union("DatabaseLookup")]
UpstreamResult = Annotated[TreeNodeType | TreeProblems, strawberry.union("UpstreamResult")]
JumpResult = Annotated[Jump | TreeProblems, strawberry.union("JumpResult")]
FootprintResult = Annotated[Footprint | TreeProblems, strawberry.union("FootprintResult")]
MonteCarloResult = Annotated[MonteCarlo | TreeProblems, strawberry.union("MonteCarloResult")]
GRAPHQL_RUNS = 10_000  # a request's Monte Carlo runs (the CLI allows more)
NodeResult = Annotated[NodeViewType | TreeProblems, strawberry.union("NodeResult")]


@strawberry.type(description="Columns and rows of a read-only Cypher statement, as JSON.")
class CypherRows:
    columns: list[str]
    rows: JSON
    truncated: bool = strawberry.field(description="More rows matched than rowLimit.")
    elapsed_ms: float


CypherResult = Annotated[
    CypherRows
    | E.Unauthorized
    | E.ReadOnlyProblem
    | E.QueryFailed
    | E.InvalidArgumentProblem
    | E.Busy
    | E.EngineUnavailable,
    strawberry.union("CypherResult"),
]


@strawberry.type
class Health:
    status: str
    engine: str
    graph_version: int


async def _process(info: Ctx, process_id: str) -> Process:
    found = await info.context.loaders.process.load(process_id)
    if found is None:
        raise NodeNotFound(
            f"process {process_id!r} is not in the graph; find its id with processes(search: …)"
        )
    return Process.of(found)


Refresh = Annotated[
    bool,
    strawberry.argument(
        description="Where results are missing or stale, calculate them first (once per graph version)."
    ),
]


@strawberry.type
class Query:
    battery_declaration: DeclarationResult = strawberry.field(
        resolver=battery_declaration,
        description="A battery's carbon-footprint declaration per kWh of service-life energy, per stage.")

    @strawberry.field(description="Engine and graph version.")
    async def health(self, info: Ctx) -> Health:
        ctx = info.context
        return Health(status="ok", engine=ctx.store.engine, graph_version=await ctx.graph_version())

    @strawberry.field(description="Every database and model collection in the graph.")
    async def databases(self, info: Ctx) -> list[Database]:
        return [
            Database.of(d) for d in await info.context.run(lambda: models.read_databases(info.context.store))
        ]

    @strawberry.field
    async def database(self, info: Ctx, id: strawberry.ID) -> DatabaseLookup:
        found = await info.context.loaders.database.load(id)
        if found is None:
            return E.NotFound(message=f"database {id!r} is not in the graph; list them with `databases`")
        return Database.of(found)

    @strawberry.field
    async def process(self, info: Ctx, id: strawberry.ID) -> ProcessLookup:
        try:
            return await _process(info, id)
        except LcaGraphError as e:
            return info.context.problem(e)  # type: ignore[no-any-return]

    @strawberry.field
    async def flow(self, info: Ctx, id: strawberry.ID) -> FlowLookup:
        found = await info.context.loaders.flow.load(id)
        if found is None:
            return E.NotFound(message=f"flow {id!r} is not in the graph")
        return Flow.of(found)

    @strawberry.field(description="Processes by name words (case-insensitive, best match first), paginated.")
    async def processes(
        self,
        info: Ctx,
        search: str | None = None,
        database: strawberry.ID | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> ProcessConnection:
        check_page_size(first)
        start = decode_cursor(after)
        ctx = info.context
        ranked = await ctx.run(lambda: models.search_processes(ctx.store, search or "", database))
        if not (search or "").split():
            ranked.sort(key=lambda item: (item[1].lower(), item[0]))
        page = ranked[start : start + first]
        found = await ctx.loaders.process.load_many([pid for pid, _ in page])
        return connection([Process.of(p) for p in found if p is not None], start, len(ranked))

    @strawberry.field(description="Product systems imported with the data (and later user-built models).")
    async def models(self, info: Ctx, database: strawberry.ID | None = None) -> list[Model]:
        return [
            Model.of(m)
            for m in await info.context.run(lambda: models.read_models(info.context.store, database))
        ]

    @strawberry.field(description="Impact categories that results can be asked for (`method` arguments).")
    async def impact_categories(self, info: Ctx) -> list[ImpactCategory]:
        return [ImpactCategory.of(c) for c in await info.context.categories()]

    @strawberry.field(
        description="Unfold the footprint of `amount` of a process, `depth` levels below `path`."
    )
    async def upstream(
        self,
        info: Ctx,
        process_id: strawberry.ID,
        amount: float | None = None,
        method: strawberry.ID | None = None,
        path: list[strawberry.ID] = [],  # noqa: B006
        depth: int = 1,
        cutoff: float = 0.0,
        max_nodes: int = 200,
        refresh: Refresh = False,
    ) -> UpstreamResult:
        ctx = info.context
        try:
            category = models.resolve_category(await ctx.categories(), method)
            version = await ctx.graph_version()
            view = await ctx.run(lambda: tree.unfold(
                ctx.state, process_id, amount=amount, path=path, depth=depth, cutoff=cutoff,
                max_nodes=max_nodes, refresh=refresh, version=version, category=category,
            ))
            return tree_node(view)
        except LcaGraphError as e:
            return info.context.problem(e)  # type: ignore[no-any-return]

    @strawberry.field(
        description="Open a process in its own database/model as a new root, with the way back."
    )
    async def jump(
        self,
        info: Ctx,
        process_id: strawberry.ID,
        path: list[strawberry.ID] = [],  # noqa: B006
        method: strawberry.ID | None = None,
        depth: int = 1,
        cutoff: float = 0.0,
        max_nodes: int = 200,
        refresh: Refresh = False,
    ) -> JumpResult:
        ctx = info.context
        try:
            version = await ctx.graph_version()
            found = await ctx.run(lambda: tree.jump(
                ctx.state, process_id, path, method=method, depth=depth, cutoff=cutoff, max_nodes=max_nodes,
                refresh=refresh, version=version,
            ))
            return Jump.of(found)
        except LcaGraphError as e:
            return info.context.problem(e)  # type: ignore[no-any-return]

    @strawberry.field(
        description="The footprint of an amount of a process's product (as `lcagraph footprint`)."
    )
    async def footprint(
        self,
        info: Ctx,
        process_id: strawberry.ID,
        amount: float | None = None,
        method: strawberry.ID | None = None,
        refresh: Refresh = False,
    ) -> FootprintResult:
        ctx = info.context
        try:
            category = models.resolve_category(await ctx.categories(), method)
            found = await ctx.run(
                lambda: footprint(ctx.store, process_id, amount, category.id, refresh=refresh)
            )
            return Footprint.of(found, category)
        except LcaGraphError as e:
            return info.context.problem(e)  # type: ignore[no-any-return]

    @strawberry.field(description="Monte Carlo of one reference amount of a process (as `lcagraph "
                      f"montecarlo`), at most {GRAPHQL_RUNS:,} runs; the same seed gives the same samples.")
    async def monte_carlo(
        self, info: Ctx, process_id: strawberry.ID, runs: int = 1000, seed: int = 0,
        method: strawberry.ID | None = None,
    ) -> MonteCarloResult:
        ctx = info.context
        try:
            if runs > GRAPHQL_RUNS:
                raise InvalidArgument(f"runs {runs}: ask for at most {GRAPHQL_RUNS:,} (more with the CLI)")
            category = models.resolve_category(await ctx.categories(), method)
            found = await ctx.run(lambda: monte_carlo(ctx.store, process_id, runs=runs, seed=seed,
                                                      method=category.id))
            return MonteCarlo.of(found)
        except LcaGraphError as e:
            return info.context.problem(e)  # type: ignore[no-any-return]

    @strawberry.field(description="One node in its context (`path` from the root, root `amount`), as the "
                      "phone viewer's page shows it: facts, footprint, largest contributors, the way back.")
    async def node(
        self,
        info: Ctx,
        process_id: strawberry.ID,
        path: list[strawberry.ID] = [],  # noqa: B006
        amount: float | None = None,
        method: strawberry.ID | None = None,
        refresh: Refresh = False,
    ) -> NodeResult:
        ctx = info.context
        try:
            version = await ctx.graph_version()
            req = NodeRequest(process_id, tuple(path), amount, method)
            view = await ctx.run(lambda: node_view(ctx.state, req, refresh=refresh, version=version))
            return NodeViewType.of(view, ctx.base_url)
        except LcaGraphError as e:
            return info.context.problem(e)  # type: ignore[no-any-return]

    @strawberry.field(description="Run a read-only Cypher statement (needs the API token).")
    async def cypher(
        self,
        info: Ctx,
        query: str,
        params: JSON | None = None,
        row_limit: int = ROW_LIMIT,
        timeout: float = TIMEOUT_S,
    ) -> CypherResult:
        ctx = info.context
        try:
            ctx.require_token()
            if params is not None and not isinstance(params, dict):
                raise gql_errors.RequestRefusedError("params must be a JSON object of parameter values")
            got = await ctx.run(
                lambda: run_cypher(ctx.store, query, params, row_limit=row_limit, timeout_s=timeout)
            )
        except LcaGraphError as e:
            return info.context.problem(e, own_statement=True)  # type: ignore[no-any-return]
        return CypherRows(
            columns=got.columns, rows=cast(JSON, got.rows), truncated=got.truncated, elapsed_ms=got.elapsed_ms
        )
