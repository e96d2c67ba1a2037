"""Cached results as GraphQL values: the per-unit Result of a process, with its stale flag."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.graphql.errors import InvalidArgumentProblem, NotFound, StaleResultProblem
from api.services.models import resolve_category
from lcagraph.errors import StaleResult

if TYPE_CHECKING:
    from api.graphql.context import Context


@strawberry.type(name="CachedResult", description=(
    "A cached footprint per one referenceUnit of the reference product (the dataset's own unit)."))
class CachedResultType:
    process_id: strawberry.ID
    category: strawberry.ID
    method: str
    unit: str
    direct: float
    total: float
    reference_unit: str = strawberry.field(
        description="The unit direct and total are per (one of it): the dataset's reference unit.")
    graph_version: int
    stale: bool = strawberry.field(description="True when the graph changed after this was calculated.")
    residual: float | None


ResultLookup = Annotated[
    CachedResultType | NotFound | InvalidArgumentProblem | StaleResultProblem,
    strawberry.union("ResultLookup"),
]


async def cached_result(ctx: Context, process_id: str, method: str | None) -> CachedResultType:
    """The Result node of a process for a category (StaleResult where none was calculated)."""
    category = resolve_category(await ctx.categories(), method)
    found = await ctx.loaders.result.load((process_id, category.id))
    if found is None:
        ctx.uncacheable = True
        raise StaleResult(
            f"no cached result for process {process_id!r} and category {category.id!r} "
            f"({category.method_name} / {category.name}): run `lcagraph calculate` (or the mutation)"
        )
    version = await ctx.graph_version()
    if found.graph_version != version:
        ctx.uncacheable = True
    return CachedResultType(
        process_id=strawberry.ID(found.process),
        category=strawberry.ID(found.category),
        method=found.method,
        unit=found.unit,
        direct=found.per_own_unit()[0],
        total=found.per_own_unit()[1],
        reference_unit=found.reference_unit,
        graph_version=found.graph_version,
        stale=found.graph_version != version,
        residual=found.residual,
    )
