"""Relay-style cursor pagination over a ranked list of processes."""

from __future__ import annotations

import base64
import binascii

import strawberry

from api.graphql.errors import RequestRefusedError
from api.graphql.limits import MAX_PAGE
from api.graphql.types import Process

_PREFIX = "offset:"


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """Offset after ``cursor`` (0 without one); a cursor not made here is refused."""
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as e:
        raise RequestRefusedError(
            f"cursor {cursor!r} is not valid: pass an endCursor or edge cursor as `after`"
        ) from e
    if not text.startswith(_PREFIX) or not text[len(_PREFIX) :].isdigit():
        raise RequestRefusedError(f"cursor {cursor!r} is not valid: pass an endCursor or an edge cursor")
    return int(text[len(_PREFIX) :]) + 1


def check_page_size(first: int) -> None:
    if not 0 <= first <= MAX_PAGE:
        raise RequestRefusedError(f"first={first} is out of range: ask for 0 to {MAX_PAGE} items per page")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class ProcessEdge:
    cursor: str
    node: Process


@strawberry.type(description="A page of processes; `totalCount` counts every match.")
class ProcessConnection:
    edges: list[ProcessEdge]
    page_info: PageInfo
    total_count: int


def connection(nodes: list[Process], start: int, total: int) -> ProcessConnection:
    """The page of ``nodes`` that starts at offset ``start`` of ``total`` matches."""
    edges = [ProcessEdge(cursor=encode_cursor(start + i), node=n) for i, n in enumerate(nodes)]
    return ProcessConnection(
        edges=edges,
        total_count=total,
        page_info=PageInfo(
            has_next_page=start + len(nodes) < total,
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
