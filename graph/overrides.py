"""Override the provider of one exchange (a user's choice between candidates, or a fix).

The override is model data: it is written in a unit of work (the graph version moves on, so
cached results show as stale until the next calculation), the exchange keeps ``link =
'override'`` and the new ``provider``, and its PROVIDER edge is replaced. The unit of work is the
caller's (api/services/providers.py, which also writes the matrix snapshot in it).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from graph import queries as q
from graph.store import GraphStore, Writer
from lcagraph.errors import InvalidArgument, NodeNotFound


@dataclass(frozen=True, slots=True)
class ProviderOverride:
    """What changes: the exchange, its consumer, the old and the new provider; the PROVIDER row it
    writes; the graph version it committed (0 until it is written: versions start at 1)."""

    exchange: str
    consumer: str
    flow: str
    previous: str | None
    provider: str
    link: list[Any] = field(repr=False, compare=False)  # a PROVIDER_LINK_ROW row
    graph_version: int = 0


def plan_override(store: GraphStore, exchange_id: str, provider_id: str) -> ProviderOverride:
    """Check that ``provider_id`` can supply ``exchange_id`` (a product input or waste output): its
    quantitative reference must be the exchange's flow. NodeNotFound / InvalidArgument name what is
    wrong."""
    rows = store.read(q.READ_EXCHANGE_LINK, {"exchange": exchange_id})
    if not rows:
        raise NodeNotFound(f"exchange {exchange_id!r} is not in the graph; see a process's exchanges for ids")
    x = rows[0]
    if x["is_reference"] or x["flow_type"] == "elementary":
        what = "the quantitative reference" if x["is_reference"] else "an elementary flow"
        raise InvalidArgument(
            f"exchange {exchange_id!r} is {what}; only product inputs and waste outputs have providers"
        )
    found = store.read(q.READ_PROVIDER_REFERENCE, {"id": provider_id})
    if not found:
        raise NodeNotFound(f"provider process {provider_id!r} is not in the graph")
    if found[0]["ref_flow"] != x["flow"]:
        raise InvalidArgument(
            f"process {provider_id!r} ({found[0]['name']}) does not have flow {x['flow']!r} "
            f"({x['flow_name']}) as its quantitative reference, so it cannot supply this exchange; "
            "pick a process that produces (or treats) that flow"
        )
    # scale None: 1.0 (per unit of the provider's reference)
    link = q.PROVIDER_LINK_ROW.row(
        consumer=x["consumer"], provider=provider_id, flow=x["flow"], exchange=exchange_id,
        amount=float(x["amount_ref"]), kind="override", is_waste=x["flow_type"] == "waste", scale=None)
    return ProviderOverride(exchange_id, str(x["consumer"]), str(x["flow"]), x["provider"], provider_id, link)


def write_override(writer: Writer, plan: ProviderOverride) -> None:
    """The override's writes, inside the caller's unit of work."""
    params = {"consumer": plan.consumer, "exchange": plan.exchange, "provider": plan.provider}
    writer.run(q.SET_EXCHANGE_OVERRIDE, params)
    writer.run(q.DELETE_PROVIDER_LINK_OF_EXCHANGE, params)
    writer.run_batches(q.UPSERT_PROVIDER_LINKS, [plan.link])


def committed(store: GraphStore, plan: ProviderOverride) -> ProviderOverride:
    """``plan`` with the graph version it committed."""
    return replace(plan, graph_version=store.graph_version())
