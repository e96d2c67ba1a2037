"""The PACT v3.0 HTTP interface: /auth/token, /3/footprints, /3/footprints/{id}, /3/events.

Mounted into the lcagraph app by :func:`mount_pact`. Errors are PACT ``Error`` objects
(``{"code", "message"}``); token errors are OAuth2 ones (RFC 6749 5.2). With
``LCAGRAPH_PACT_REQUIRE_HTTPS`` set, every PACT route refuses plain HTTP (TLS is ended by uvicorn
or, with ``--proxy-headers``, by a reverse proxy that says so in X-Forwarded-Proto).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, BackgroundTasks, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from api.pact import listing
from api.pact.credentials import issue_token, token_key
from api.pact.delivery import CLOUDEVENTS_JSON, deliver, find_callback
from api.pact.events import (
    REQUEST_CREATED,
    CloudEvent,
    fulfilled_event,
    parse_event,
    rejected_event,
    request_selection,
)
from api.pact.gate import authenticate_client, authenticated_client
from api.pact.publishing import document_of
from graph import pact_store
from graph.store import GraphStore
from lcagraph.config import PactCallback, Settings
from lcagraph.errors import InvalidArgument, LcaGraphError, NodeNotFound, NotAuthenticated, TokenExpired

Next = Callable[[Request], Awaitable[Response]]
PACT_PATHS = ("/auth/token", "/3/")
EVENT_TYPES_ACCEPTED = ("application/cloudevents+json", "application/json")
_BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
log = logging.getLogger("lcagraph.pact")
REQUEST_MATCH_LIMIT = 1000  # footprints sent back for one RequestCreatedEvent at most


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status, headers=headers)


class PactRoute(APIRoute):
    """Turns lcagraph's expected errors into PACT Error responses (for these routes only)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except TokenExpired as e:
                return error(401, "TokenExpired", str(e), _BEARER_CHALLENGE)
            except NotAuthenticated as e:
                return error(401, "BadRequest", str(e), _BEARER_CHALLENGE)
            except NodeNotFound as e:
                return error(404, "NotFound", str(e))
            except InvalidArgument as e:
                return error(400, "BadRequest", str(e))
            except LcaGraphError:  # engine down, store busy, …: a PACT Error, the details in the log
                log.exception("PACT %s %s failed", request.method, request.url.path)
                return error(500, "InternalError", "The request could not be completed; try again later.")
        return handle


router = APIRouter(route_class=PactRoute, tags=["PACT v3.0"])


def _store(request: Request) -> GraphStore:
    store: GraphStore = request.app.state.lcagraph.store
    return store


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.lcagraph.settings
    return settings


@router.post("/auth/token")
async def token(request: Request) -> Response:
    """OAuth2 client credentials grant; the client authenticates with HTTP Basic."""
    form = await request.form()
    oauth = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    try:
        client_id = await _in_thread(authenticate_client, _store(request),
                                     request.headers.get("authorization", ""))
    except NotAuthenticated as e:
        return JSONResponse({"error": "invalid_client", "error_description": str(e)}, status_code=401,
                            headers={**oauth, "WWW-Authenticate": 'Basic realm="pact"'})
    if form.get("grant_type") != "client_credentials":
        return JSONResponse({"error": "unsupported_grant_type",
                             "error_description": "grant_type must be client_credentials"},
                            status_code=400, headers=oauth)
    pact = _settings(request).pact
    issued = issue_token(client_id, request.app.state.pact_token_key, pact.token_lifetime_s)
    return JSONResponse({"access_token": issued.value, "token_type": "Bearer",
                         "expires_in": issued.expires_in, "scope": "footprint:list footprint:read"},
                        headers=oauth)


@router.get("/3/footprints")
def list_footprints(request: Request) -> Response:
    """Action ListFootprints: filters (OR within one parameter, AND across), pages with Link headers."""
    _authorise(request)
    pairs = list(request.query_params.multi_items())
    page = listing.page_of(pairs)
    found, total = pact_store.list_footprints(_store(request), listing.selection_of(pairs), page.offset,
                                              page.limit)
    link = listing.link_header(str(request.url.replace(query="")), pairs, page, total)
    return JSONResponse({"data": [document_of(f) for f in found]}, headers={"Link": link} if link else None)


@router.get("/3/footprints/{footprint_id}")
def get_footprint(request: Request, footprint_id: str) -> Response:
    """Action GetFootprint (Deprecated footprints too, with their status)."""
    _authorise(request)
    try:
        uuid.UUID(footprint_id)
    except ValueError as e:
        raise InvalidArgument(f"{footprint_id!r} is not a footprint id (a UUID)") from e
    found = pact_store.read_footprint(_store(request), footprint_id)
    if found is None:
        raise NodeNotFound(f"Footprint with ID {footprint_id!r} does not exist")
    return JSONResponse({"data": document_of(found)})


@router.post("/3/events")
async def events(request: Request, background: BackgroundTasks) -> Response:
    """Action Events: a RequestCreatedEvent is answered later, on the callback its source names;
    Published, RequestFulfilled and RequestRejected events are checked and acknowledged."""
    await _in_thread(_authorise, request)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in EVENT_TYPES_ACCEPTED:
        raise InvalidArgument(f"content-type {kind!r}: send {CLOUDEVENTS_JSON}")
    event = parse_event(await request.body())
    if event.type == REQUEST_CREATED:
        callback = find_callback(_settings(request).pact, event.source)
        if callback is None:
            raise InvalidArgument(f"source {event.source!r} is not a configured callback of this host; "
                                  "ask its operator to add it to LCAGRAPH_PACT_CALLBACKS")
        background.add_task(answer_request, _store(request), callback, event, _event_source(request))
    return Response(status_code=200)


def answer_request(store: GraphStore, callback: PactCallback, event: CloudEvent, source: str) -> None:
    """Send a RequestFulfilledEvent with the matching footprints, or a RequestRejectedEvent."""
    found, _ = pact_store.list_footprints(store, request_selection(event), 0, REQUEST_MATCH_LIMIT)
    if found:
        answer = fulfilled_event(event.id, [document_of(f) for f in found], source)
    else:
        answer = rejected_event(event.id, "NotFound", "The requested footprint could not be found.", source)
    delivery = deliver(callback, answer)
    if not delivery.ok:  # nobody waits for this answer: the operator learns of it from the log
        log.warning("PACT %s for request %r was not delivered to %s: %s", answer["type"], event.id,
                    callback.url, delivery.error)


def _authorise(request: Request) -> str:
    return authenticated_client(_store(request), request.headers.get("authorization", ""),
                                request.app.state.pact_token_key)


def _event_source(request: Request) -> str:
    return str(request.url.replace(path="/3/events", query=""))


async def _in_thread(func: Callable[..., Any], *args: Any) -> Any:
    return await to_thread.run_sync(lambda: func(*args))


def mount_pact(app: FastAPI, settings: Settings) -> None:
    """Add the PACT routes, their token key and (when configured) the refusal of plain HTTP."""
    app.state.pact_token_key = token_key(settings.pact.token_key)
    app.include_router(router)
    if not settings.pact.require_https:
        return

    @app.middleware("http")
    async def refuse_plain_http(request: Request, call_next: Next) -> Response:
        if request.url.scheme != "https" and request.url.path.startswith(PACT_PATHS):
            return error(400, "BadRequest", "plain HTTP is refused: call this API over https://")
        return await call_next(request)
