"""Response cache for read-only queries, keyed by the graph version.

Everything a query reads is model data, which changes only with the graph version, or cached
results, which for a given graph version are one deterministic solve. So a response computed
at version v is the response at version v, with two exceptions that are never cached: a
response built from missing or stale results (``StaleResult``, ``stale: true``: a later
``calculate`` changes it without a new version), and operations that are not plain queries
(mutations; ``cypher``, which may read anything). Responses with errors are not cached either.

Key: query text, operation name, variables, the base URL of links, and the graph version
(read once per request). Each worker process has its own bounded LRU.

In front of this, ``api.graphql.response_cache`` stores the response bytes of the same
requests: it puts a ``CacheMarker`` in the ASGI scope (with the graph version it already read)
and this extension sets ``cacheable`` on it only when it would cache the result itself.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Hashable
from dataclasses import dataclass
from typing import Any

from graphql import ExecutionResult, FieldNode, GraphQLError, OperationDefinitionNode, parse, visit
from graphql import OperationType as Op
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from lcagraph.config import Settings

MAX_ENTRIES = 2048
UNCACHED_FIELDS = frozenset({"cypher"})
SCOPE_KEY = "lcagraph.response_cache"  # ASGI scope entry holding the CacheMarker of a request


@dataclass
class CacheMarker:
    """Set by the ASGI response cache; ``cacheable`` set here when the result is clean."""

    version: int | None = None
    cacheable: bool = False


class _Lru:
    """A small thread-safe LRU map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


RESPONSES = _Lru(MAX_ENTRIES)
_CACHEABLE_TEXT = _Lru(MAX_ENTRIES)


class _FieldNames(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        self.names.add(node.name.value)


def _reads_only_model(query: str) -> bool:
    known = _CACHEABLE_TEXT.get(query)
    if known is None:
        names = _FieldNames()
        visit(parse(query), names)
        known = not (names.names & UNCACHED_FIELDS)
        _CACHEABLE_TEXT.put(query, known)
    return bool(known)


_CACHEABLE_OPERATION = _Lru(MAX_ENTRIES)


def is_cacheable_operation(query: str, operation_name: str | None) -> bool:
    """Whether the operation chosen from ``query`` is a plain query without uncached fields."""
    key = (query, operation_name)
    known = _CACHEABLE_OPERATION.get(key)
    if known is None:
        try:
            document = parse(query)
        except GraphQLError:
            known = False
        else:
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            chosen = [o for o in operations
                      if operation_name is None or (o.name is not None and o.name.value == operation_name)]
            known = len(chosen) == 1 and chosen[0].operation == Op.QUERY and _reads_only_model(query)
        _CACHEABLE_OPERATION.put(key, known)
    return bool(known)


def _marker(context: Any) -> CacheMarker | None:
    request = getattr(context, "request", None)
    scope = getattr(request, "scope", None)
    marker = scope.get(SCOPE_KEY) if isinstance(scope, dict) else None
    return marker if isinstance(marker, CacheMarker) else None


def store_identity(store: Any) -> str:
    """Which graph an answer came from: the module-level cache outlives apps (tests open many
    stores whose versions coincide), so the key names the store's URL and graph or database."""
    return f"{store.url}#{getattr(store, 'graph_name', '') or getattr(store, 'database', '')}"


def enabled(settings: Settings) -> bool:
    """LCAGRAPH_API_RESPONSE_CACHE=0 turns the caches off (e.g. to measure cold requests)."""
    return settings.response_cache != "0"


class ResponseCache(SchemaExtension):
    """Serve a cached response of the same query at the same graph version; store clean ones."""

    async def on_execute(self) -> AsyncIterator[None]:
        ec = self.execution_context
        context = ec.context
        key = None
        query = ec.query
        marker = _marker(context)
        if enabled(context.settings) and query and ec.operation_type == OperationType.QUERY \
                and _reads_only_model(query):
            variables = json.dumps(ec.variables or {}, sort_keys=True, default=str)
            if marker is not None and marker.version is not None:
                version = marker.version  # read by the ASGI cache for this request already
            else:
                version = await context.graph_version()
            where = (context.base_url, store_identity(context.store))
            key = (query, ec.operation_name, variables, *where, version)
            hit = RESPONSES.get(key)
            if hit is not None:
                ec.result = ExecutionResult(data=hit, errors=None)
                if marker is not None:
                    marker.version, marker.cacheable = version, True
                yield
                return
        yield
        result = ec.result
        if key is not None and isinstance(result, ExecutionResult) and not result.errors \
                and result.data is not None and not context.uncacheable:
            RESPONSES.put(key, result.data)
            if marker is not None:
                marker.version, marker.cacheable = key[-1], True
