"""Read-only Cypher for analysts (GraphQL ``cypher`` and ``lcagraph cypher``).

The statement runs through the store's read path: FalkorDB ``GRAPH.RO_QUERY`` and a Neo4j
session in READ access mode, so a statement that writes is refused by the engine itself and
nothing runs. A time-out bounds the work; the row limit is applied in the statement (it runs as a
subquery with ``LIMIT``: graph/queries.bounded_statement), so at most ``row_limit + 1`` rows are
ever fetched (``truncated`` says when there were more). At most ``ANALYST_SLOTS`` statements run at
once, fewer than the engine's query threads (2 on the embedded engine), so the viewer and GraphQL
keep a thread while an analyst's statement runs; another one meanwhile is refused (Busy).
Values are plain JSON: nodes and relationships as ``{labels|type, properties}``, non-finite
numbers as strings.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graph.queries import bounded_statement
from graph.store import GraphStore
from lcagraph.errors import InvalidArgument, StoreBusy

ROW_LIMIT = 1000
MAX_ROW_LIMIT = 10_000
TIMEOUT_S = 10.0
MAX_TIMEOUT_S = 60.0
MAX_QUERY_CHARS = 20_000
RETURNS = re.compile(r"\bRETURN\b", re.IGNORECASE)
PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


@dataclass(frozen=True, slots=True)
class CypherRows:
    """Columns and rows of one statement (rows as lists, in column order)."""

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool
    elapsed_ms: float


def json_value(value: Any) -> Any:
    """A value JSON can carry exactly (NaN and infinities become strings)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def check_arguments(query: str, params: Mapping[str, Any] | None, row_limit: int, timeout_s: float) -> None:
    if not query.strip():
        raise InvalidArgument("the Cypher statement is empty: give a MATCH … RETURN statement")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidArgument(
            f"the statement has {len(query)} characters, over {MAX_QUERY_CHARS}: shorten it"
        )
    if params is not None and not all(isinstance(k, str) and PARAM_NAME.fullmatch(k) for k in params):
        raise InvalidArgument(
            "params must be an object whose keys are parameter names ($name in the statement): "
            "letters, digits and underscores, not starting with a digit"
        )
    if not 1 <= row_limit <= MAX_ROW_LIMIT:
        raise InvalidArgument(f"rowLimit={row_limit} is out of range: use 1 to {MAX_ROW_LIMIT}")
    if not 0 < timeout_s <= MAX_TIMEOUT_S:
        raise InvalidArgument(
            f"timeout={timeout_s} s is out of range: use more than 0 and up to {MAX_TIMEOUT_S}"
        )


#: Analyst statements at once; the embedded FalkorDB has one query thread per core (2 here).
ANALYST_SLOTS = 1
_slots = threading.BoundedSemaphore(ANALYST_SLOTS)


def check_braces(query: str) -> None:
    """Braces outside strings and comments never close more than they opened (else the statement
    could end the subquery that carries the row limit)."""
    depth, i, n = 0, 0, len(query)
    while i < n:
        c = query[i]
        if c in "'\"`":
            end = i + 1
            while end < n and query[end] != c:
                end += 2 if query[end] == "\\" else 1
            i = end + 1
            continue
        if query.startswith("//", i):
            i = query.find("\n", i)
            i = n if i < 0 else i
            continue
        if query.startswith("/*", i):
            end = query.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        depth += (c == "{") - (c == "}")
        if depth < 0:
            raise InvalidArgument("the statement closes a brace it did not open: check its { }")
        i += 1


def run_cypher(
    store: GraphStore,
    query: str,
    params: Mapping[str, Any] | None = None,
    *,
    row_limit: int = ROW_LIMIT,
    timeout_s: float = TIMEOUT_S,
) -> CypherRows:
    """Run one read-only statement; ReadOnlyViolation if it writes, EngineError if it fails."""
    check_arguments(query, params, row_limit, timeout_s)
    check_braces(query)
    # A statement without RETURN sends no rows (and cannot stand in a subquery that returns them).
    returns = RETURNS.search(query) is not None
    statement, bound = bounded_statement(query, dict(params or {}), row_limit + 1) if returns else (
        query, dict(params or {}))
    if not _slots.acquire(blocking=False):
        raise StoreBusy(
            f"{ANALYST_SLOTS} analyst statement is already running (the rest of the engine stays free for "
            "the viewer and GraphQL): try again when it has finished"
        )
    started = time.perf_counter()
    try:
        rows = store.read(statement, bound, timeout_s=timeout_s)
    finally:
        _slots.release()
    elapsed = (time.perf_counter() - started) * 1000
    columns = list(rows[0].keys()) if rows else []
    values = [[json_value(r.get(c)) for c in columns] for r in rows[:row_limit]]
    return CypherRows(columns=columns, rows=values, truncated=len(rows) > row_limit, elapsed_ms=elapsed)
