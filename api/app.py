"""The web app: GraphQL at /graphql (GraphiQL in a browser), REST health check, OpenAPI at /docs.

``create_app()`` opens the configured store at start-up and closes it at shutdown; tests pass
an open store instead (it stays open). Nothing listens here: ``lcagraph serve`` runs the app
with uvicorn on 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel
from strawberry.fastapi import GraphQLRouter

from api.graphql.context import Context
from api.graphql.response_cache import GraphQLResponseCache
from api.graphql.schema import schema
from api.guard import RequestGuard
from api.pact.routes import mount_pact
from api.services.session import AppState, GraphStore, open_store
from api.viewer.routes import router as viewer_router
from lcagraph import __version__
from lcagraph.config import Settings, load_settings


class HealthReport(BaseModel):
    """What /health reports."""

    status: str
    engine: str
    graph_version: int
    version: str


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.lcagraph
    return state


async def _context(request: Request) -> Context:
    return Context(_state(request), request)


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    """The FastAPI app; ``store`` given: used as is and left open at shutdown."""
    config = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = store if store is not None else await to_thread.run_sync(lambda: open_store(config))
        app.state.lcagraph = AppState(settings=config, store=opened)
        try:
            yield
        finally:
            if store is None:
                await to_thread.run_sync(opened.close)

    app = FastAPI(
        title="lcagraph",
        version=__version__,
        lifespan=lifespan,
        description="Open, traceable carbon footprints. GraphQL at /graphql; REST for health.",
    )
    graphql: GraphQLRouter[Any, None] = GraphQLRouter(
        schema,
        context_getter=_context,
        graphql_ide="graphiql",
        multipart_uploads_enabled=True,
    )
    app.include_router(graphql, prefix="/graphql", include_in_schema=False)
    app.add_middleware(GraphQLResponseCache, path="/graphql")  # repeated reads skip strawberry
    if config.cors_origins:  # off unless configured: browsers elsewhere cannot read responses
        app.add_middleware(CORSMiddleware, allow_origins=list(config.cors_origins),
                           allow_methods=["GET", "POST"], allow_headers=["Authorization", "Content-Type"])
    # Outermost: host, body size and shape are checked before any route reads the body.
    app.add_middleware(RequestGuard, settings=config, ide_page=graphql.graphql_ide_html or "")
    app.include_router(viewer_router)  # /n/{id} pages, /qr/{id}.svg|png, /static/viewer
    mount_pact(app, config)  # PACT v3.0: /auth/token, /3/footprints, /3/events

    @app.get("/health", tags=["health"])
    async def health(request: Request) -> HealthReport:
        """Engine and graph version (the version moves with every import and link override)."""
        state = _state(request)
        version = await to_thread.run_sync(state.store.graph_version)
        return HealthReport(status="ok", engine=state.store.engine, graph_version=version,
                            version=__version__)

    return app
