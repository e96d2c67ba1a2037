"""ASGI-level cache of GraphQL responses: a repeated read skips strawberry, graphql-core and JSON.

Sits in front of the app (``app.add_middleware(GraphQLResponseCache)``) and looks only at
``POST /graphql`` with a JSON body. The rule of what may be cached is the one of
``api.graphql.cache`` (plain queries, no ``cypher``, no errors, nothing built from missing or
stale results): a request whose operation passes the cheap text check gets a marker in its
ASGI scope, and the schema extension ``ResponseCache`` sets the marker's ``cacheable`` and
``version`` only when it would itself cache the result. Only then are the exact response bytes
and headers stored here.

Key: the graph version (read once per request, one round trip to the store) and the sha256 of
the normalised JSON body (query, operation name, variables, extensions, keys sorted), the
scheme, Host and root path (links in answers use the base URL), the Accept header and a hash
of the Authorization header (so an anonymous request never gets an answer stored for a token
holder; token-dependent fields are not cacheable anyway). Bounded LRU: MAX_ENTRIES entries and
MAX_BYTES of bodies per worker process. ``LCAGRAPH_API_RESPONSE_CACHE=0`` turns it off (and the
schema-level cache); ``=schema`` keeps only the schema-level cache (to measure this one's gain).
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from anyio import to_thread

from api.graphql.cache import SCOPE_KEY, CacheMarker, enabled, is_cacheable_operation
from api.guard import replay_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_ENTRIES = 2000
MAX_BYTES = 64 * 1024 * 1024
MAX_ENTRY_BYTES = 8 * 1024 * 1024  # a larger answer is served but not stored
MAX_REQUEST_BYTES = 1024 * 1024  # a larger request body is passed through untouched


@dataclass(frozen=True)
class CachedResponse:
    """One stored answer: status, headers and body exactly as the app sent them."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


@dataclass
class ResponseStore:
    """LRU bounded by entry count and total body bytes (used from the event loop only)."""

    max_entries: int = MAX_ENTRIES
    max_bytes: int = MAX_BYTES
    _items: OrderedDict[tuple[int, str], CachedResponse] = field(default_factory=OrderedDict)
    size_bytes: int = 0
    hits: int = 0
    misses: int = 0

    def get(self, key: tuple[int, str]) -> CachedResponse | None:
        hit = self._items.get(key)
        if hit is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return hit

    def put(self, key: tuple[int, str], value: CachedResponse) -> None:
        if len(value.body) > min(MAX_ENTRY_BYTES, self.max_bytes):
            return
        old = self._items.pop(key, None)
        if old is not None:
            self.size_bytes -= len(old.body)
        self._items[key] = value
        self.size_bytes += len(value.body)
        while len(self._items) > self.max_entries or self.size_bytes > self.max_bytes:
            _, dropped = self._items.popitem(last=False)
            self.size_bytes -= len(dropped.body)

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        self._items.clear()
        self.size_bytes = 0


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return bytes(value)
    return b""


def request_digest(scope: Scope, body: bytes) -> str | None:
    """sha256 of what the answer depends on, or None when the request is not a cacheable read."""
    if b"json" not in _header(scope, b"content-type").lower():
        return None
    try:
        payload = json.loads(body)
    except ValueError:
        return None
    if not isinstance(payload, dict):
        return None
    query = payload.get("query")
    operation = payload.get("operationName")
    if not isinstance(query, str) or not (operation is None or isinstance(operation, str)):
        return None
    if not is_cacheable_operation(query, operation):
        return None
    authorization = _header(scope, b"authorization")
    parts = {
        "body": payload,
        "scheme": scope.get("scheme", "http"),
        "host": _header(scope, b"host").decode("latin-1"),
        "root": scope.get("root_path", ""),
        "qs": bytes(scope.get("query_string", b"")).decode("latin-1"),
        "accept": _header(scope, b"accept").decode("latin-1"),
        "auth": hashlib.sha256(authorization).hexdigest() if authorization else "",
    }
    try:
        text = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        return None
    return hashlib.sha256(text.encode()).hexdigest()


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The request body; False when the client went away or the body is too large to key."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), size <= MAX_REQUEST_BYTES


def _byte_cache_on(scope: Scope) -> bool:
    """Settings.response_cache: "1" both caches, "schema" only the strawberry one, "0" none."""
    state = getattr(getattr(scope.get("app"), "state", None), "lcagraph", None)
    settings = getattr(state, "settings", None)
    return settings is None or (enabled(settings) and settings.response_cache != "schema")


def _default_version(scope: Scope) -> Callable[[], int] | None:
    app = scope.get("app")
    state = getattr(getattr(app, "state", None), "lcagraph", None)
    store = getattr(state, "store", None)
    return None if store is None else store.graph_version


class GraphQLResponseCache:
    """Pure ASGI middleware serving repeated cacheable GraphQL reads from stored bytes."""

    def __init__(self, app: AsgiApp, path: str = "/graphql", max_entries: int = MAX_ENTRIES,
                 max_bytes: int = MAX_BYTES) -> None:
        self.app = app
        self.path = path
        self.store = ResponseStore(max_entries, max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("path") != self.path \
                or not _byte_cache_on(scope):
            await self.app(scope, receive, send)
            return
        body, complete = await _read_body(receive)
        receive = replay_body(body, receive)
        digest = request_digest(scope, body) if complete else None
        read_version = _default_version(scope) if digest is not None else None
        if digest is None or read_version is None:
            await self.app(scope, receive, send)
            return
        version = await to_thread.run_sync(read_version)
        hit = self.store.get((version, digest))
        if hit is not None:
            await send({"type": "http.response.start", "status": hit.status, "headers": hit.headers})
            await send({"type": "http.response.body", "body": hit.body, "more_body": False})
            return
        marker = CacheMarker(version=version)
        scope[SCOPE_KEY] = marker
        start: Message | None = None
        chunks: list[bytes] = []
        storable = True

        async def capture(message: Message) -> None:
            nonlocal start, storable
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body" and storable:
                chunks.append(bytes(message.get("body", b"")))
                if sum(map(len, chunks)) > MAX_ENTRY_BYTES:
                    storable = False
                    chunks.clear()
            else:
                storable = False
            await send(message)

        await self.app(scope, receive, capture)
        if not (storable and marker.cacheable and marker.version is not None and start is not None):
            return
        headers = [(bytes(k), bytes(v)) for k, v in start.get("headers") or ()]
        content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
        if start.get("status") != 200 or not content_type.startswith(b"application/json"):
            return
        self.store.put((marker.version, digest), CachedResponse(200, headers, b"".join(chunks)))
