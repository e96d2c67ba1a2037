"""ListFootprints: query parameters -> selection, one page, and the RFC 8288 ``Link`` header.

Several values of one parameter match if any matches (OR); different parameters must all match
(AND); matches ignore case. ``offset`` and ``limit`` page through the footprints, oldest first;
a page link stays valid as long as no footprint is published meanwhile (it is a plain offset).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from api.pact.documents import utc_text
from graph.pact_store import FootprintSelection
from lcagraph.errors import InvalidArgument

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_LISTS = {"productId": "product_ids", "companyId": "company_ids", "geography": "geographies",
          "classification": "classifications", "status": "statuses"}
_TIMES = {"validOn": "valid_on", "validAfter": "valid_after", "validBefore": "valid_before"}


@dataclass(frozen=True, slots=True)
class Page:
    """Which slice of the matching footprints to return."""

    offset: int
    limit: int


def selection_of(pairs: Iterable[tuple[str, str]]) -> FootprintSelection:
    """The selection the filter parameters among ``pairs`` ask for (others are left to the caller)."""
    lists: dict[str, list[str]] = {}
    times: dict[str, str] = {}
    for name, value in pairs:
        if name in _LISTS:
            lists.setdefault(_LISTS[name], []).append(value)
        elif name in _TIMES:
            if _TIMES[name] in times:
                raise InvalidArgument(f"{name} is given twice: give one date-time")
            times[_TIMES[name]] = utc_text(value)
    return FootprintSelection(
        product_ids=_values(lists, "product_ids"), company_ids=_values(lists, "company_ids"),
        classifications=_values(lists, "classifications"), geographies=_values(lists, "geographies"),
        statuses=_values(lists, "statuses"), valid_on=times.get("valid_on"),
        valid_after=times.get("valid_after"), valid_before=times.get("valid_before"),
    )


def _values(lists: dict[str, list[str]], name: str) -> tuple[str, ...] | None:
    return tuple(lists[name]) if name in lists else None


def page_of(pairs: Iterable[tuple[str, str]]) -> Page:
    """``offset`` (default 0) and ``limit`` (default and most: see DEFAULT_LIMIT, MAX_LIMIT)."""
    given = dict(pairs)
    if "$filter" in given:
        raise InvalidArgument("$filter (OData, PACT v2) is not supported by v3.0: use the filter parameters "
                              "productId, companyId, geography, classification, validOn, validAfter, "
                              "validBefore, status")
    limit = _whole("limit", given.get("limit", str(DEFAULT_LIMIT)))
    if limit == 0:
        raise InvalidArgument("limit=0: give 1 or more")
    return Page(offset=_whole("offset", given.get("offset", "0")), limit=min(limit, MAX_LIMIT))


def link_header(url: str, pairs: Iterable[tuple[str, str]], page: Page, total: int) -> str | None:
    """``first``, ``prev``, ``next`` and ``last`` links (absolute, the request's host) or None when
    every match fits in this page."""
    if page.offset == 0 and page.limit >= total:
        return None
    kept = [(k, v) for k, v in pairs if k not in {"offset", "limit"}]
    size = page.limit
    last = max(total - 1, 0) // size * size

    def link(offset: int, rel: str) -> str:
        return f'<{url}?{urlencode([*kept, ("offset", str(offset)), ("limit", str(size))])}>; rel="{rel}"'

    links = [link(0, "first")]
    if page.offset > 0:
        links.append(link(max(page.offset - size, 0), "prev"))
    if page.offset + size < total:
        links.append(link(page.offset + size, "next"))
    links.append(link(last, "last"))
    return ", ".join(links)


def _whole(name: str, text: str) -> int:
    if not text.isdigit():
        raise InvalidArgument(f"{name}={text!r}: give a whole number >= 0")
    return int(text)
