"""FalkorDB's compact replies to plain rows, fast.

The falkordb client parses every value through several Python calls; lcagraph reads hundreds
of thousands of values per import or matrix build, so the common types (null, string, integer,
boolean, double, array) are decoded here in one small function, and only graph objects (nodes,
relationships, paths, maps, temporal values) go through the client's parser. With hiredis
installed (a dependency), reading 50,000 exchanges drops from ~30 s to ~2 s.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from falkordb import Graph
from falkordb.edge import Edge
from falkordb.helpers import stringify_param_value
from falkordb.node import Node
from falkordb.path import Path as GraphPath
from falkordb.query_result import parse_scalar
from redis.exceptions import ResponseError

from graph.store import Params, Row

NULL, STRING, INTEGER, BOOLEAN, DOUBLE, ARRAY = 1, 2, 3, 4, 5, 6


def command(graph: Graph, query: str, params: Params | None, *, read_only: bool,
            timeout_ms: int | None) -> list[Any]:
    """The GRAPH.QUERY / GRAPH.RO_QUERY command for ``query`` with its parameter header."""
    header = "".join(f"`{name}`={stringify_param_value(value)} " for name, value in (params or {}).items())
    text = f"CYPHER {header}{query}" if header else query
    args: list[Any] = ["GRAPH.RO_QUERY" if read_only else "GRAPH.QUERY", graph.name, text, "--compact"]
    if timeout_ms is not None:
        args += ["timeout", timeout_ms]
    return args


def rows_of(response: list[Any], graph: Graph) -> list[Row]:
    """Rows of a compact reply as dicts keyed by the RETURN names; errors in the reply raise."""
    if response and isinstance(response[0], ResponseError):
        raise response[0]
    if response and isinstance(response[-1], ResponseError):
        raise response[-1]
    if len(response) < 3:  # statistics only: a statement without RETURN
        return []
    names = [str(column[1]) for column in response[0]]
    return [dict(zip(names, (value_of(cell, graph) for cell in row), strict=True)) for row in response[1]]


def value_of(cell: list[Any], graph: Graph) -> Any:
    """One ``[type, value]`` cell as plain data."""
    kind, raw = cell
    if kind == DOUBLE:
        return float(raw)
    if kind in (STRING, INTEGER):
        return raw
    if kind == NULL:
        return None
    if kind == BOOLEAN:
        return raw == "true"
    if kind == ARRAY:
        return [value_of(item, graph) for item in raw]
    return plain_value(parse_scalar(cell, graph))


def plain_value(value: Any) -> Any:
    """Driver objects to plain data: nodes and relationships become dicts, paths lists of them."""
    if isinstance(value, Node):
        return {"labels": list(value.labels or []), "properties": plain_value(value.properties)}
    if isinstance(value, Edge):
        return {"type": value.relation, "properties": plain_value(value.properties)}
    if isinstance(value, GraphPath):
        return {"nodes": [plain_value(n) for n in value.nodes()],
                "relationships": [plain_value(e) for e in value.edges()]}
    if isinstance(value, list):
        return [plain_value(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): plain_value(v) for k, v in value.items()}
    return value
