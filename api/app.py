"""The web app: GraphQL at /graphql (GraphiQL in a browser), REST health check, OpenAPI at /docs.

``create_app()`` opens the configured store at start-up and closes it at shutdown; tests pass
an open store instead (it stays open). Nothing listens here: ``lcagraph serve`` runs the app
with uvicorn on 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import escape
from typing import Any

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from strawberry.fastapi import GraphQLRouter

from api.graphql.context import Context
from api.graphql.response_cache import GraphQLResponseCache
from api.graphql.schema import schema
from api.guard import RequestGuard, html_with_csp
from api.pact.routes import mount_pact
from api.services.session import AppState, GraphStore, open_store
from api.viewer.routes import router as viewer_router
from api.webassets import PREFIX, graphiql_html, vendor_dir
from lcagraph import __version__
from lcagraph.config import Settings, load_settings
from lcagraph.errors import ConfigurationError


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


class OfflineGraphQLRouter(GraphQLRouter[Any, None]):
    """strawberry's router with GraphiQL's scripts served by this app, not a CDN."""

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        try:
            return html_with_csp(graphiql_html())
        except ConfigurationError as e:
            return HTMLResponse(f"<p>{escape(str(e))}</p>", status_code=503)


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
        docs_url=None,  # /docs below, with Swagger UI served from /assets
        redoc_url=None,
    )
    app.mount(PREFIX, StaticFiles(directory=vendor_dir(), check_dir=False), name="assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url="/openapi.json", title="lcagraph API",
            swagger_js_url=f"{PREFIX}/swagger-ui-bundle.js", swagger_css_url=f"{PREFIX}/swagger-ui.css",
            swagger_favicon_url=f"{PREFIX}/favicon-32x32.png")
        return html_with_csp(bytes(page.body).decode())

    graphql = OfflineGraphQLRouter(
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
    app.add_middleware(RequestGuard, settings=config)
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
