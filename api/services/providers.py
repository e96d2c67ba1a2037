"""Override the provider of one exchange (graph/overrides.py), in a unit of work that also writes
the matrix snapshot of the version it commits (api/services/snapshot_update.py): the override
changes the links of one consumer, so only that consumer's links are read again."""

from __future__ import annotations

from api.services.snapshot_update import snapshot_update
from graph.overrides import ProviderOverride, committed, plan_override, write_override
from graph.store import GraphStore


def set_provider(store: GraphStore, exchange_id: str, provider_id: str) -> ProviderOverride:
    """Link ``exchange_id`` (a product input or waste output) to ``provider_id``; NodeNotFound /
    InvalidArgument name what is wrong."""
    plan = plan_override(store, exchange_id, provider_id)
    with snapshot_update(store, (), consumers=(plan.consumer,)) as snapshot, \
            store.unit_of_work() as writer:
        snapshot.begin(writer)
        write_override(writer, plan)
        snapshot.write(writer)
    return committed(store, plan)
