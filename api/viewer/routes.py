"""Routes of the phone viewer: node pages, QR images of deep links, the viewer's static files.

    GET /[?q=words]                                   start page: process search, databases
    GET /n/{processId}[?path=…&amount=…&method=…&v=…] server-rendered node page (v: published version)
    GET /qr/{processId}.svg | .png[?path=…&amount=…&method=…&size=…&v=…]
    GET /declaration/battery/{processId}?capacity_kwh=…&cycles_per_year=…&years=…[&v=…]
                                                      printable battery carbon-footprint declaration
    GET /static/viewer/viewer.css | viewer.js

Expected failures give a friendly HTML page with the right status (404 unknown id, 400 bad
parameter, 409 not calculated yet, 503 engine down), never a stack trace.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from importlib import resources
from typing import TypeVar
from urllib.parse import urlsplit

from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.services.battery import declare_battery
from api.services.errors import outcome_of, public_message
from api.services.links import deep_link, parse_path
from api.services.models import read_databases, search_hits
from api.services.nodes import NodeRequest, check_path, node_link, node_view
from api.services.publishing import published_node
from api.services.qr import DEFAULT_SIZE, render_png, render_svg
from api.services.session import AppState
from api.services.tree import MAX_AMOUNT
from api.viewer.declaration import render_declaration
from api.viewer.home import MAX_HITS, render_home
from api.viewer.render import render_message, render_node_page
from lcagraph.errors import InvalidArgument, LcaGraphError, NodeNotFound

T = TypeVar("T")
STATIC = "/static/viewer"
STATIC_FILES = {"viewer.css": "text/css; charset=utf-8", "viewer.js": "text/javascript; charset=utf-8"}
HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
# Scripts and styles only from this server; the QR image may come from PUBLIC_BASE_URL's origin.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: {img}; "
       "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

router = APIRouter(include_in_schema=False)


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.lcagraph
    return state


def html_headers(request: Request, **extra: str) -> dict[str, str]:
    """Security headers of a page (CSP allows the public base URL's origin for the QR image)."""
    parts = urlsplit(base_url(request))
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""
    return {**HEADERS, "Content-Security-Policy": CSP.format(img=origin).replace("  ", " "), **extra}


def base_url(request: Request) -> str:
    """PUBLIC_BASE_URL when set, else the address this request came in on."""
    configured = _state(request).settings.public_base_url
    return configured or str(request.base_url).rstrip("/")


def parse_amount(text: str | None) -> float | None:
    """The root amount of a deep link: a finite number, or none."""
    if text is None or text == "":
        return None
    try:
        value = float(text)
    except ValueError as e:
        raise InvalidArgument(f"amount={text!r} is not a number") from e
    if not math.isfinite(value):
        raise InvalidArgument(f"amount={text!r} is not a finite number")
    if abs(value) > MAX_AMOUNT:
        raise InvalidArgument(f"amount={text!r} is out of range: give a number of at most {MAX_AMOUNT:g}")
    return value


def page_request(process_id: str, path: str | None, amount: str | None, method: str | None) -> NodeRequest:
    """Parse and check the deep link's parameters."""
    req = NodeRequest(process_id, parse_path(path), parse_amount(amount), method or None)
    check_path(req)
    return req


def message_response(request: Request, error: LcaGraphError) -> HTMLResponse:
    """The friendly page of an expected failure (status, title and hint: api/services/errors.py)."""
    outcome = outcome_of(error)
    doc = render_message(outcome.title, public_message(error), outcome.hint, STATIC, base_url(request))
    return HTMLResponse(doc, status_code=outcome.status, headers=html_headers(request))


async def _run(fn: Callable[[], T]) -> T:
    return await to_thread.run_sync(fn)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, q: str = "") -> HTMLResponse:
    """Start page: search processes by name; the databases in the graph."""
    state, base = _state(request), base_url(request)
    try:
        hits = await _run(lambda: search_hits(state.store, q, MAX_HITS + 1))
        databases = await _run(lambda: read_databases(state.store))
    except LcaGraphError as e:
        return message_response(request, e)
    return HTMLResponse(render_home(q, hits, databases, STATIC, base), headers=html_headers(request))


@router.get("/n/{process_id}", response_class=HTMLResponse)
async def node_page(
    request: Request, process_id: str, path: str | None = None, amount: str | None = None,
    method: str | None = None, v: str | None = None,
) -> HTMLResponse:
    """The node page: footprint, contributors, completeness, sources, its own QR code; with ``v``
    the figures a published version froze."""
    state, base = _state(request), base_url(request)
    try:
        req = page_request(process_id, path, amount, method)
        if v:
            view = await _run(lambda: published_node(state.store, process_id, v))
        else:
            view = await _run(lambda: node_view(state, req))
    except LcaGraphError as e:
        return message_response(request, e)
    doc = render_node_page(view, STATIC, "/graphql", base, version=v or None)
    return HTMLResponse(doc, headers=html_headers(request, **{"Cache-Control": "no-cache"}))


def _qr_size(text: str | None) -> int:
    if text is None or text == "":
        return DEFAULT_SIZE
    if not text.isdigit():
        raise InvalidArgument(f"size={text!r} is not a whole number of pixels")
    return int(text)


async def _qr(request: Request, process_id: str, fmt: str, params: dict[str, str | None]) -> Response:
    state = _state(request)
    try:
        req = page_request(process_id, params["path"], params["amount"], params["method"])
        size = _qr_size(params["size"])
        link, name = await _run(lambda: node_link(
            state.store, base_url(request), process_id, req.path, req.amount, req.category))
        if params.get("v"):
            key = str(params["v"])
            await _run(lambda: published_node(state.store, process_id, key))  # the version holds it
            link = deep_link(base_url(request), process_id, path=req.path, amount=req.amount,
                             method=req.category, version=key)
        if fmt == "png":
            return Response(render_png(link, size), media_type="image/png", headers=_qr_headers())
        svg = render_svg(link, size, title=f"QR code: {name}")
        return Response(svg, media_type="image/svg+xml", headers=_qr_headers())
    except LcaGraphError as e:
        return message_response(request, e)


def _qr_headers() -> dict[str, str]:
    return {**HEADERS, "Cache-Control": "public, max-age=3600"}


@router.get("/qr/{process_id}.svg")
async def qr_svg(
    request: Request, process_id: str, path: str | None = None, amount: str | None = None,
    method: str | None = None, size: str | None = None, v: str | None = None,
) -> Response:
    """QR code (SVG) of the node's deep link."""
    params = {"path": path, "amount": amount, "method": method, "size": size, "v": v}
    return await _qr(request, process_id, "svg", params)


@router.get("/qr/{process_id}.png")
async def qr_png(
    request: Request, process_id: str, path: str | None = None, amount: str | None = None,
    method: str | None = None, size: str | None = None, v: str | None = None,
) -> Response:
    """QR code (PNG) of the node's deep link."""
    params = {"path": path, "amount": amount, "method": method, "size": size, "v": v}
    return await _qr(request, process_id, "png", params)


@router.get("/declaration/battery/{process_id}", response_class=HTMLResponse)
async def battery_declaration_page(
    request: Request, process_id: str, capacity_kwh: str | None = None, cycles_per_year: str | None = None,
    years: str | None = None, v: str | None = None,
) -> HTMLResponse:
    """The printable declaration of a battery modelled as a foreground-model process."""
    state, base = _state(request), base_url(request)
    try:
        given = (("capacity_kwh", capacity_kwh), ("cycles_per_year", cycles_per_year), ("years", years))
        c, n, y = (_positive(name, text) for name, text in given)
        found = await _run(lambda: declare_battery(state.store, process_id, c, n, y, base_url=base,
                                                   version=v or None))
    except LcaGraphError as e:
        return message_response(request, e)
    headers = html_headers(request, **{"Cache-Control": "no-cache"})
    return HTMLResponse(render_declaration(found), headers=headers)


def _positive(name: str, text: str | None) -> float:
    value = parse_amount(text)
    if value is None:
        raise InvalidArgument(f"{name}= is missing: give capacity_kwh, cycles_per_year and years")
    return value


@router.get(STATIC + "/{name}")
async def static_file(request: Request, name: str) -> Response:
    """The viewer's stylesheet and script (no other file is served)."""
    if name not in STATIC_FILES:
        return message_response(request, NodeNotFound(f"file {name!r} does not exist"))
    body = resources.files("api.viewer").joinpath("static", name).read_bytes()
    headers = {**HEADERS, "Cache-Control": "public, max-age=300"}
    return Response(body, media_type=STATIC_FILES[name], headers=headers)
