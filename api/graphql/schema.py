"""The GraphQL schema of lcagraph. ``python -m api.graphql.schema > schema.graphql`` writes its SDL.

The committed ``schema.graphql`` is the contract front ends build against; a test fails when
the schema changes without it.
"""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaskErrors
from strawberry.schema.config import StrawberryConfig

from api.graphql.cache import ResponseCache
from api.graphql.errors import should_mask
from api.graphql.limits import limit_extensions
from api.graphql.mutations import Mutation
from api.graphql.resolvers import Query


def build_schema() -> strawberry.Schema:
    """Query + Mutation with limits, caches and error masking."""
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=[*limit_extensions(), ResponseCache, lambda: MaskErrors(should_mask_error=should_mask)],
        config=StrawberryConfig(auto_camel_case=True),
    )


schema = build_schema()


def schema_sdl() -> str:
    """The schema in SDL, as committed in schema.graphql."""
    return schema.as_str() + "\n"


if __name__ == "__main__":
    print(schema_sdl(), end="")
