"""Reads for browsing the graph (api/services): records by id, batched; search; models; categories.

Every function takes many ids and makes one round trip, so the API's DataLoaders can batch a
whole response level into one statement.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph import queries as q
from graph import reader
from graph.store import GraphStore
from lcagraph.errors import InvalidArgument, NodeNotFound
from lcagraph.records import Database, Exchange, Flow, Process, ProductSystem

#: The built-in IPCC AR6 GWP100 category (loaders/methods.py), the default everywhere.
DEFAULT_CATEGORY = "ipcc-ar6-gwp100/climate-change"
_PREFERRED_CATEGORY = re.compile(r"AR6.*(GWP)?.?100|GWP.?100.*AR6", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DatabaseView:
    """A database with what the graph knows about it beyond the record."""

    database: Database
    imported_at: str
    process_count: int


@dataclass(frozen=True, slots=True)
class LinkedExchange:
    """An exchange with its link state: provider (linked), candidates (ambiguous), reason (unlinked)."""

    exchange: Exchange
    link: str | None
    provider: str | None
    candidates: tuple[str, ...]
    link_reason: str


@dataclass(frozen=True, slots=True)
class Consumer:
    """A process that takes a provider's product through one of its exchanges."""

    process: str
    flow: str
    exchange: str
    amount: float


@dataclass(frozen=True, slots=True)
class Category:
    """An impact category with its method."""

    id: str
    name: str
    unit: str
    method: str
    method_name: str


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def storable_id(value: str) -> bool:
    """Whether a graph node can have this id: imports refuse control characters in ids (and
    FalkorDB's statement text cannot carry a NUL), so a lookup of such an id finds nothing."""
    return not any(ord(c) < 32 or ord(c) == 127 for c in value)


def read_processes(store: GraphStore, ids: Sequence[str]) -> dict[str, Process]:
    """The processes with these ids by id (one row-to-record mapping: graph.reader)."""
    ids = [i for i in ids if storable_id(i)]
    rows = store.read(q.READ_PROCESSES_BY_ID, {"ids": list(ids)}) if ids else []
    return {str(r["id"]): reader.process_from_row(r, str(r["database"] or "")) for r in rows}


def read_flows(store: GraphStore, ids: Sequence[str]) -> dict[str, Flow]:
    """The flows with these ids by id (one row-to-record mapping: graph.reader)."""
    return {f.id: f for f in reader.read_flows(store, [i for i in ids if storable_id(i)])}


def read_databases(store: GraphStore) -> list[DatabaseView]:
    return [
        DatabaseView(
            database=Database(
                id=str(r["id"]),
                name=_s(r["name"]),
                source=_s(r["source"]),
                version=_s(r["version"]),
                licence=_s(r["licence"]),
                format=_s(r["format"]),
                kind=r["kind"] or "background",
                description=_s(r["description"]),
            ),
            imported_at=_s(r["imported_at"]),
            process_count=int(r["processes"]),
        )
        for r in reader.read_databases(store)
    ]


def _linked_exchange(process: str, x: Sequence[Any]) -> LinkedExchange:
    (
        xid,
        flow,
        is_input,
        amount,
        unit,
        amount_ref,
        is_ref,
        avoided,
        allocation,
        link,
        provider,
        cands,
        why,
        formula,
    ) = x
    exchange = Exchange(
        id=str(xid),
        process=process,
        flow=str(flow),
        is_input=bool(is_input),
        amount=float(amount),
        unit=_s(unit),
        amount_ref=float(amount_ref if amount_ref is not None else amount),
        is_reference=bool(is_ref),
        is_avoided=bool(avoided),
        allocation=1.0 if allocation is None else float(allocation),
        formula=_s(formula),
    )
    return LinkedExchange(exchange, link, provider, tuple(cands or ()), _s(why))


def read_exchanges(store: GraphStore, ids: Sequence[str]) -> dict[str, list[LinkedExchange]]:
    """Exchanges by process: reference first, then inputs, then outputs, each in dataset order."""
    rows = store.read(q.READ_EXCHANGES_OF_PROCESSES, {"ids": list(ids)}) if ids else []
    out: dict[str, list[LinkedExchange]] = {i: [] for i in ids}
    for r in rows:
        items = [_linked_exchange(str(r["process"]), x) for x in r["exchanges"]]
        items.sort(
            key=lambda e: (not e.exchange.is_reference, not e.exchange.is_input, _order(e.exchange.id))
        )
        out[str(r["process"])] = items
    return out


def _order(exchange_id: str) -> tuple[int, str]:
    tail = exchange_id.rsplit("/", 1)[-1]
    return (int(tail), "") if tail.isdigit() else (1 << 30, tail)


def read_link_counts(store: GraphStore, ids: Sequence[str]) -> dict[str, dict[str, int]]:
    """Per process: its product and waste exchanges counted by link state."""
    out: dict[str, dict[str, int]] = {i: {} for i in ids}
    for r in store.read(q.READ_LINK_COUNTS, {"ids": list(ids)}) if ids else []:
        out[str(r["process"])][str(r["link"])] = int(r["exchanges"])
    return out


def read_consumers(store: GraphStore, ids: Sequence[str]) -> dict[str, list[Consumer]]:
    rows = store.read(q.READ_CONSUMERS_OF_PROCESSES, {"ids": list(ids)}) if ids else []
    out: dict[str, list[Consumer]] = {i: [] for i in ids}
    for r in rows:
        out[str(r["provider"])] = sorted(
            (Consumer(str(c), _s(f), _s(x), float(a)) for c, f, x, a in r["consumers"]),
            key=lambda c: (c.process, c.exchange),
        )
    return out


def search_processes(store: GraphStore, text: str, database: str | None) -> list[tuple[str, str]]:
    """(id, name) of processes whose name holds every word of ``text``, best match first."""
    words = [w for w in text.lower().split() if w and storable_id(w)]
    rows = store.read(q.SEARCH_PROCESSES, {"words": words, "database": database})
    found = [(str(r["id"]), _s(r["name"])) for r in rows]
    return sorted(found, key=lambda item: (*rank_key(item[1], text, words), item[0]))


def rank_key(name: str, text: str, words: Sequence[str]) -> tuple[bool, int, bool, int, int, str]:
    """Sort key: exact name; words matching whole name words; prefix; words starting a name word;
    earliest and shortest."""
    low = name.lower()
    tokens = [t for t in re.split(r"[^0-9a-z]+", low) if t]
    whole = sum(1 for w in words if w in tokens)
    starts = sum(1 for w in words if any(t.startswith(w) for t in tokens))
    first = min((low.find(w) for w in words), default=0)
    query = " ".join(words)
    return (low != query, -whole, not low.startswith(query), -starts, first + len(low), low)


def read_models(store: GraphStore, database: str | None = None) -> list[ProductSystem]:
    return [
        ProductSystem(
            id=str(r["id"]),
            name=_s(r["name"]),
            database=_s(r["database"]),
            ref_process=_s(r["ref_process"]),
            ref_flow=_s(r["ref_flow"]),
            amount=float(r["amount"] if r["amount"] is not None else 1.0),
            unit=_s(r["unit"]),
            description=_s(r["description"]),
        )
        for r in store.read(q.READ_PRODUCT_SYSTEMS, {"database": database})
    ]


def read_categories(store: GraphStore) -> list[Category]:
    return [
        Category(str(r["id"]), _s(r["name"]), _s(r["unit"]), _s(r["method"]), _s(r["method_name"]))
        for r in store.read(q.READ_CATEGORIES)
    ]


def default_category(categories: Sequence[Category]) -> Category | None:
    """The built-in IPCC AR6 GWP100, else one named AR6 GWP100, else the only one (None: no such)."""
    preferred = [c for c in categories if c.id == DEFAULT_CATEGORY] or [
        c for c in categories if _PREFERRED_CATEGORY.search(f"{c.method_name} {c.name}")
    ]
    if preferred:
        return preferred[0]
    return categories[0] if len(categories) == 1 else None


def resolve_category(categories: Sequence[Category], method: str | None) -> Category:
    """The category ``method`` names (category id or name, or a method id or name with one
    category); without ``method``: the built-in IPCC AR6 GWP100, else one named AR6 GWP100, else the
    only one."""
    if not categories:
        raise NodeNotFound("no impact method is in the graph: import one (e.g. the FEDEFL IPCC method) first")
    if method is None:
        found = default_category(categories)
        if found is None:
            raise InvalidArgument(f"give a method: one of {_names(categories)}")
        return found
    key = method.lower()
    for pick in (
        [c for c in categories if c.id == method],
        [c for c in categories if c.name.lower() == key],
        [c for c in categories if method in (c.method, c.method_name) or c.method_name.lower() == key],
    ):
        if len(pick) == 1:
            return pick[0]
        if len(pick) > 1:
            raise InvalidArgument(f"method {method!r} has {len(pick)} categories: give one of {_names(pick)}")
    raise NodeNotFound(
        f"impact category or method {method!r} is not in the graph: use one of {_names(categories)}"
    )


def _names(categories: Sequence[Category]) -> str:
    shown = [f"{c.id} ({c.method_name} / {c.name})" for c in categories[:12]]
    return ", ".join(shown) + (f" and {len(categories) - 12} more" if len(categories) > 12 else "")
