"""Per-request context: the app's shared state (api/services/session.AppState), DataLoaders of this
request, and the caller's rights.

Store and solver calls block, so they run in the thread pool (``Context.run``); the event loop
keeps serving other requests meanwhile. DataLoaders live for one request: a tree of 100 nodes
asks for its 100 processes in one batched read, not 100.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any, TypeVar

from anyio import to_thread
from starlette.requests import Request
from strawberry.fastapi import BaseContext
from strawberry.types import Info

from api.graphql.errors import to_problem
from api.graphql.loaders import Loaders, make_loaders
from api.services.models import read_categories
from api.services.readmodels import Category
from api.services.session import AppState, GraphStore
from lcagraph.config import Settings
from lcagraph.errors import LcaGraphError, NotAuthorized, StaleResult

T = TypeVar("T")


class Context(BaseContext):
    """Strawberry context of one GraphQL request."""

    def __init__(self, state: AppState, request: Request | None = None) -> None:
        super().__init__()
        self.state = state
        self.request = request
        self.loaders: Loaders = make_loaders(state.store, self.run)
        self._categories: list[Category] | None = None
        self._version: int | None = None
        self.uncacheable = False  # set when the response depends on missing or stale results

    @property
    def store(self) -> GraphStore:
        return self.state.store

    @property
    def settings(self) -> Settings:
        return self.state.settings

    async def run(self, fn: Callable[[], T]) -> T:
        """Run a blocking call in the thread pool."""
        return await to_thread.run_sync(fn)

    async def categories(self) -> list[Category]:
        """Impact categories in the graph (read once per request)."""
        if self._categories is None:
            self._categories = await self.run(lambda: read_categories(self.store))
        return self._categories

    def problem(self, error: LcaGraphError, *, own_statement: bool = False) -> Any:
        """The typed result of an expected error (a StaleResult keeps the response out of the cache)."""
        if isinstance(error, StaleResult):
            self.uncacheable = True
        return to_problem(error, own_statement=own_statement)

    async def graph_version(self) -> int:
        """The graph version (read once per request)."""
        if self._version is None:
            self._version = await self.run(self.store.graph_version)
        return self._version

    @property
    def base_url(self) -> str:
        """PUBLIC_BASE_URL when set, else the URL this request came in on."""
        if self.settings.public_base_url:
            return self.settings.public_base_url
        if isinstance(self.request, Request):
            return str(self.request.base_url).rstrip("/")
        return ""

    def require_token(self) -> None:
        """Raise NotAuthorized unless the request carries the configured API token."""
        token = self.settings.api_token
        if not token:
            raise NotAuthorized(
                "this operation is disabled: the server has no API token; set LCAGRAPH_API_TOKEN "
                "where `lcagraph serve` runs and send it as `Authorization: Bearer <token>`"
            )
        header = self.request.headers.get("authorization", "") if isinstance(self.request, Request) else ""
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            raise NotAuthorized(
                "this operation needs the API token: send the header `Authorization: Bearer <token>` "
                "with the value of LCAGRAPH_API_TOKEN"
            )


Ctx = Info[Context, None]
