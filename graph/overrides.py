"""Override the provider of one exchange (a user's choice between candidates, or a fix).

The override is model data: it is written in a unit of work (the graph version moves on, so
cached results show as stale until the next calculation), the exchange keeps ``link =
'override'`` and the new ``provider``, and its PROVIDER edge is replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph import queries as q
from graph.store import GraphStore, Writer
from lcagraph.errors import InvalidArgument, NodeNotFound


@dataclass(frozen=True, slots=True)
class ProviderOverride:
    """What changed: the exchange, its consumer, the old and the new provider, the new version."""

    exchange: str
    consumer: str
    flow: str
    previous: str | None
    provider: str
    graph_version: int


@dataclass(frozen=True, slots=True)
class PlannedOverride:
    """A checked override, ready to be written in a unit of work."""

    exchange: str
    consumer: str
    flow: str
    previous: str | None
    provider: str
    link: list[Any]  # a PROVIDER_LINK_ROW row


def plan_override(store: GraphStore, exchange_id: str, provider_id: str) -> PlannedOverride:
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
    return PlannedOverride(exchange_id, str(x["consumer"]), str(x["flow"]), x["provider"], provider_id, link)


def write_override(writer: Writer, plan: PlannedOverride) -> None:
    """The override's writes, inside the caller's unit of work."""
    params = {"consumer": plan.consumer, "exchange": plan.exchange, "provider": plan.provider}
    writer.run(q.SET_EXCHANGE_OVERRIDE, params)
    writer.run(q.DELETE_PROVIDER_LINK_OF_EXCHANGE, params)
    writer.run_batches(q.UPSERT_PROVIDER_LINKS, [plan.link])


def set_provider(store: GraphStore, exchange_id: str, provider_id: str) -> ProviderOverride:
    """Link ``exchange_id`` to ``provider_id`` in a unit of work of its own (:func:`plan_override`)."""
    plan = plan_override(store, exchange_id, provider_id)
    with store.unit_of_work() as writer:
        write_override(writer, plan)
    return done_override(store, plan)


def done_override(store: GraphStore, plan: PlannedOverride) -> ProviderOverride:
    """What changed, with the graph version the override committed."""
    return ProviderOverride(plan.exchange, plan.consumer, plan.flow, plan.previous, plan.provider,
                            store.graph_version())
