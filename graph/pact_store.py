"""PACT clients and published footprints in the graph (nodes ``PactClient`` and ``PactFootprint``).

Footprints are written with ``store.write``, not a unit of work: publishing does not change the
LCA model, so it must not bump the graph version (that would make every cached result stale).
Rows are mapped to records here, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graph import queries as q
from graph.store import GraphStore, Row
from lcagraph.records import PactClient, PactFootprint


@dataclass(frozen=True, slots=True)
class FootprintKeys:
    """What ListFootprints filters on, lower-cased (matches are case-insensitive); validity as
    UTC text 'YYYY-MM-DDTHH:MM:SSZ'."""

    product_ids: tuple[str, ...]
    company_ids: tuple[str, ...]
    classifications: tuple[str, ...]
    geographies: tuple[str, ...]
    valid_from: str
    valid_until: str


@dataclass(frozen=True, slots=True)
class FootprintSelection:
    """ListFootprints criteria: ``None`` = not filtered; a tuple matches when any value does."""

    product_ids: tuple[str, ...] | None = None
    company_ids: tuple[str, ...] | None = None
    classifications: tuple[str, ...] | None = None
    geographies: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    valid_on: str | None = None
    valid_after: str | None = None
    valid_before: str | None = None


def create_client(store: GraphStore, client: PactClient) -> PactClient:
    rows = store.write(q.CREATE_PACT_CLIENT, {
        "id": client.id, "name": client.name, "secret_hash": client.secret_hash, "created": client.created,
    })
    return _client(rows[0])


def read_client(store: GraphStore, client_id: str) -> PactClient | None:
    rows = store.read(q.READ_PACT_CLIENT, {"id": client_id})
    return _client(rows[0]) if rows else None


def read_clients(store: GraphStore) -> list[PactClient]:
    return [_client(r) for r in store.read(q.READ_PACT_CLIENTS)]


def delete_client(store: GraphStore, client_id: str) -> bool:
    """True when the client was there."""
    return bool(store.write(q.DELETE_PACT_CLIENT, {"id": client_id}))


def publish_footprint(
    store: GraphStore, footprint: PactFootprint, keys: FootprintKeys, supersedes: str | None,
) -> bool:
    """Write ``footprint`` as Active and mark ``supersedes`` (if any) Deprecated, in one statement;
    False (nothing written) when ``supersedes`` is no longer the process's Active footprint."""
    return bool(store.write(q.PUBLISH_PACT_FOOTPRINT, {
        "id": footprint.id, "process": footprint.process, "created": footprint.created,
        "document": footprint.document, "content_hash": footprint.content_hash,
        "product_keys": list(keys.product_ids), "company_keys": list(keys.company_ids),
        "classification_keys": list(keys.classifications), "geography_keys": list(keys.geographies),
        "valid_from": keys.valid_from, "valid_until": keys.valid_until, "supersedes": supersedes,
    }))


def read_footprint(store: GraphStore, footprint_id: str) -> PactFootprint | None:
    rows = store.read(q.READ_PACT_FOOTPRINT, {"id": footprint_id})
    return _footprint(rows[0]) if rows else None


def read_active_footprint(store: GraphStore, process_id: str) -> PactFootprint | None:
    """The Active footprint published for a process, if any."""
    rows = store.read(q.READ_ACTIVE_PACT_FOOTPRINT, {"process": process_id})
    return _footprint(rows[0]) if rows else None


def list_footprints(
    store: GraphStore, selection: FootprintSelection, offset: int, limit: int,
) -> tuple[list[PactFootprint], int]:
    """One page of the footprints matching ``selection`` (oldest first) and how many match in all."""
    params = _selection_params(selection)
    total = int(store.read(q.COUNT_PACT_FOOTPRINTS, params)[0]["footprints"])
    rows = store.read(q.LIST_PACT_FOOTPRINTS, {**params, "offset": offset, "limit": limit}) if limit else []
    return [_footprint(r) for r in rows], total


def _selection_params(s: FootprintSelection) -> dict[str, object]:
    return {
        "product_keys": _lower(s.product_ids), "company_keys": _lower(s.company_ids),
        "classification_keys": _lower(s.classifications), "geography_keys": _lower(s.geographies),
        "statuses": _lower(s.statuses), "valid_on": s.valid_on, "valid_after": s.valid_after,
        "valid_before": s.valid_before,
    }


def _lower(values: Sequence[str] | None) -> list[str] | None:
    return None if values is None else [v.lower() for v in values]


def _client(r: Row) -> PactClient:
    return PactClient(id=str(r["id"]), name=str(r["name"]), secret_hash=str(r["secret_hash"]),
                      created=str(r["created"]))


def _footprint(r: Row) -> PactFootprint:
    return PactFootprint(id=str(r["id"]), process=str(r["process"]), status=str(r["status"]),
                         created=str(r["created"]), document=str(r["document"]),
                         content_hash=str(r["content_hash"]))
