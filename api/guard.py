"""The web app's outer guard (pure ASGI), applied before any route reads a byte of the body:

- the Host header: without PUBLIC_BASE_URL, deep links, QR URLs and the CSP are built from the
  request's address, so only hosts on ``Settings.allowed_hosts`` are served (400 otherwise);
- the body: at most ``Settings.max_request_bytes``, refused with 413 from Content-Length before it
  is received, or as soon as a chunked body passes the limit; a multipart upload (GraphQL
  ``importDataset``) is refused with 401 before its body is read unless it carries the API token,
  and is bounded by ``MAX_UPLOAD_BYTES``;
- a GraphQL body must be one JSON object (``null``, a list of batched operations or JSON nested
  deeper than ``MAX_JSON_DEPTH`` give 400 with one line);
- security headers on every response: ``X-Content-Type-Options``, ``Referrer-Policy``, and a CSP
  without inline scripts on HTML that has none of its own (GraphiQL and Swagger UI set theirs with
  :func:`html_with_csp`: their own inline scripts by hash only).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi.responses import HTMLResponse

from lcagraph.config import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_UPLOAD_BYTES = 512 * 1024 * 1024
MAX_JSON_DEPTH = 64
HEADERS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"))
HTML_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)


def page_csp(page: str) -> str:
    """CSP of a page whose own inline scripts (GraphiQL, Swagger UI) are allowed by their sha256
    only; every other script from this server — no 'unsafe-inline' for scripts."""
    hashes = "".join(
        " 'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in _INLINE_SCRIPT.findall(page)
    )
    return HTML_CSP.replace("script-src 'self'", "script-src 'self'" + hashes)


def html_with_csp(page: str, status_code: int = 200) -> HTMLResponse:
    """An HTML response whose CSP allows exactly its own inline scripts."""
    return HTMLResponse(page, status_code=status_code, headers={"Content-Security-Policy": page_csp(page)})


def json_depth(body: bytes) -> int:
    """Deepest nesting of arrays and objects, brackets inside strings not counted (one pass)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def graphql_body_problem(body: bytes) -> str:
    """Why a GraphQL JSON body is refused, or "" if it is one operation object."""
    if json_depth(body) > MAX_JSON_DEPTH:
        return f"the request body is JSON nested deeper than {MAX_JSON_DEPTH} levels"
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return "the request body is not valid JSON"
    if isinstance(value, list):
        return "batched operations are not supported: send one operation per request"
    if not isinstance(value, dict):
        return "the request body must be a JSON object with a `query`"
    return ""


class RequestGuard:
    """ASGI middleware: host allow-list, body limits, GraphQL body shape, security headers."""

    def __init__(self, app: App, settings: Settings, graphql_path: str = "/graphql") -> None:
        self.app = app
        self.settings = settings
        self.graphql_path = graphql_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await _reply(send, *refusal)
            return
        if _is_multipart(headers):
            await self._stream(scope, receive, send)
            return
        received = await _read_body(receive, self.settings.max_request_bytes) if _has_body(scope) else b""
        if received is None:
            await _reply(
                send, 413, f"the request body is larger than {self.settings.max_request_bytes} bytes"
            )
            return
        if self._is_graphql_json(scope, headers):
            problem = graphql_body_problem(received)
            if problem:
                await _reply(send, 400, problem)
                return
        await self.app(
            scope,
            replay_body(received, receive) if _has_body(scope) else receive,
            self._with_headers(scope, send),
        )

    async def _stream(self, scope: Scope, receive: Receive, send: Send) -> None:
        """An upload goes through as it arrives (the multipart parser spools it to disk), counted."""
        started = False
        inner = self._with_headers(scope, send)

        async def send_counted(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await inner(message)

        try:
            await self.app(scope, _counted(receive, MAX_UPLOAD_BYTES), send_counted)
        except BodyTooLarge:
            if not started:
                await _reply(send, 413, f"the upload is larger than {MAX_UPLOAD_BYTES} bytes")

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        if not self.settings.public_base_url:
            host = headers.get("host", "")
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if name.strip("[]").lower() not in self.settings.allowed_hosts:
                return 400, (
                    "this host name is not served: set PUBLIC_BASE_URL, or add it to LCAGRAPH_ALLOWED_HOSTS"
                )
        length = headers.get("content-length", "")
        multipart = _is_multipart(headers)
        limit = MAX_UPLOAD_BYTES if multipart else self.settings.max_request_bytes
        if length and (not length.isdigit() or int(length) > limit):
            return 413, f"the request body is larger than {limit} bytes"
        if multipart and not self._has_token(headers):
            return 401, (
                "uploads need the API token: send `Authorization: Bearer <token>` with the "
                "value of LCAGRAPH_API_TOKEN"
            )
        return None

    def _has_token(self, headers: dict[str, str]) -> bool:
        token = self.settings.api_token
        scheme, _, given = headers.get("authorization", "").partition(" ")
        return (
            bool(token)
            and scheme.lower() == "bearer"
            and hmac.compare_digest(given.strip().encode(), token.encode())
        )

    def _is_graphql_json(self, scope: Scope, headers: dict[str, str]) -> bool:
        return (
            scope["path"].rstrip("/") == self.graphql_path
            and scope["method"] == "POST"
            and headers.get("content-type", "").split(";")[0].strip() == "application/json"
        )

    def _with_headers(self, scope: Scope, send: Send) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                added = [h for h in HEADERS if h[0] not in present]
                kind = dict(message.get("headers", [])).get(b"content-type", b"")
                if kind.startswith(b"text/html") and b"content-security-policy" not in present:
                    added.append((b"content-security-policy", HTML_CSP.encode()))
                message["headers"] = [*message.get("headers", []), *added]
            await send(message)

        return send_with_headers


class BodyTooLarge(Exception):
    """An upload passed its limit while it was being received."""


def _has_body(scope: Scope) -> bool:
    return scope["method"] in ("POST", "PUT", "PATCH")


def _counted(receive: Receive, limit: int) -> Receive:
    size = 0

    async def counted() -> Message:
        nonlocal size
        message = await receive()
        size += len(message.get("body", b""))
        if size > limit:
            raise BodyTooLarge
        return message

    return counted


def _is_multipart(headers: dict[str, str]) -> bool:
    return headers.get("content-type", "").lower().startswith("multipart/")


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None as soon as it passes ``limit`` bytes (the rest is not read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay_body(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then the connection's own messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _reply(send: Send, status: int, message: str) -> None:
    body = json.dumps({"errors": [{"message": message}]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
