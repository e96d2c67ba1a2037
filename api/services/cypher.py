"""Read-only Cypher for analysts (GraphQL ``cypher`` and ``lcagraph cypher``).

The statement runs through the store's read path: FalkorDB ``GRAPH.RO_QUERY`` and a Neo4j
session in READ access mode, so a statement that writes is refused by the engine itself and
nothing runs. A time-out bounds the work; at most ``row_limit`` rows come back (``truncated``
says when there were more). Values are plain JSON: nodes and relationships as
``{labels|type, properties}``, non-finite numbers as strings.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graph.store import GraphStore
from lcagraph.errors import InvalidArgument

ROW_LIMIT = 1000
MAX_ROW_LIMIT = 10_000
TIMEOUT_S = 10.0
MAX_TIMEOUT_S = 60.0
MAX_QUERY_CHARS = 20_000
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
    started = time.perf_counter()
    rows = store.read(query, dict(params or {}), timeout_s=timeout_s)
    elapsed = (time.perf_counter() - started) * 1000
    columns = list(rows[0].keys()) if rows else []
    values = [[json_value(r.get(c)) for c in columns] for r in rows[:row_limit]]
    return CypherRows(columns=columns, rows=values, truncated=len(rows) > row_limit, elapsed_ms=elapsed)
