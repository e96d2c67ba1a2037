"""FalkorDB's compact replies to plain rows, fast.

The falkordb client parses every value through several Python calls; lcagraph reads hundreds
of thousands of values per import or matrix build, so the common types (null, string, integer,
boolean, double, array) are decoded here in one small function, and only graph objects (nodes,
relationships, paths, maps, temporal values) go through the client's parser. With hiredis
installed (a dependency), reading 50,000 exchanges drops from ~30 s to ~2 s.
"""

from __future__ import annotations

import json
import re
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
from lcagraph.errors import InvalidArgument

NULL, STRING, INTEGER, BOOLEAN, DOUBLE, ARRAY = 1, 2, 3, 4, 5, 6


def command(graph: Graph, query: str, params: Params | None, *, read_only: bool,
            timeout_ms: int | None) -> list[Any]:
    """The GRAPH.QUERY / GRAPH.RO_QUERY command for ``query`` with its parameter header."""
    header = "".join(f"{param_name(name)}={param_text(value)} " for name, value in (params or {}).items())
    text = f"CYPHER {header}{query}" if header else query
    args: list[Any] = ["GRAPH.RO_QUERY" if read_only else "GRAPH.QUERY", graph.name, text, "--compact"]
    if timeout_ms is not None:
        args += ["timeout", timeout_ms]
    return args


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def param_name(name: str) -> str:
    """A parameter name for the statement's header: letters, digits and underscores only. A name is
    text inside the statement, so one holding a backtick or a space could rewrite the statement."""
    if not _NAME.fullmatch(name):
        raise InvalidArgument(
            f"parameter name {name[:80]!r} is not allowed: use letters, digits and underscores "
            "(at most 64, not starting with a digit)"
        )
    return name


_JSON = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
# FalkorDB's string literals know the escapes \\ \" \n \r \t, not json's \uXXXX \b \f
_NOT_CYPHER = ("\\u", "\\b", "\\f")


def param_text(value: Any) -> str:
    """A parameter as Cypher literal text. A list of row lists (the writer's positional batches,
    graph/queries.py EXCHANGE_ROW) is written by json, in C, about 5x faster than the
    client's per-value ``stringify_param_value``; json's text is a valid Cypher literal for it
    unless it escapes a control character as \\uXXXX, \\b or \\f (then the client's text is used)."""
    if isinstance(value, list) and value and isinstance(value[0], list):
        try:
            text = _JSON(value)
        except (TypeError, ValueError):  # NaN, infinity, or a value json cannot write
            text = ""
        if text and not any(escape in text for escape in _NOT_CYPHER):
            return text
    text = str(stringify_param_value(value))
    if "\x00" in text:  # FalkorDB ends a string literal at a NUL: the statement would be cut
        raise InvalidArgument(
            "a parameter value holds a NUL character, which the graph cannot store or match"
        )
    return text


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
