"""DataLoaders of one request: every key asked for in one resolver wave goes in one batched read."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from api.services.models import (
    read_consumers,
    read_databases,
    read_exchanges,
    read_flows,
    read_processes,
    read_result_keys,
)
from api.services.readmodels import Consumer, DatabaseView, Flow, LinkedExchange, Process, Result
from api.services.session import GraphStore

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
Runner = Callable[[Callable[[], Any]], Awaitable[Any]]


@dataclass(frozen=True)
class Loaders:
    """One loader per kind of record; values are None where a key does not exist."""

    process: DataLoader[str, Process | None]
    flow: DataLoader[str, Flow | None]
    database: DataLoader[str, DatabaseView | None]
    exchanges: DataLoader[str, list[LinkedExchange]]
    consumers: DataLoader[str, list[Consumer]]
    result: DataLoader[tuple[str, str], Result | None]


def _batched(
    run: Runner,
    read: Callable[[list[K]], Mapping[K, V]],
    default: Callable[[], V | None] = lambda: None,
) -> DataLoader[K, V | None]:
    async def load(keys: list[K]) -> Sequence[V | None]:
        unique = list(dict.fromkeys(keys))
        found: Mapping[K, V] = await run(lambda: read(unique))
        return [found[k] if k in found else default() for k in keys]

    return DataLoader(load_fn=load)


def make_loaders(store: GraphStore, run: Runner) -> Loaders:
    def databases(ids: list[str]) -> dict[str, DatabaseView]:
        return {d.database.id: d for d in read_databases(store) if d.database.id in ids}

    return Loaders(
        process=_batched(run, lambda ids: read_processes(store, ids)),
        flow=_batched(run, lambda ids: read_flows(store, ids)),
        database=_batched(run, databases),
        exchanges=_batched(run, lambda ids: read_exchanges(store, ids), list),  # type: ignore[arg-type]
        consumers=_batched(run, lambda ids: read_consumers(store, ids), list),  # type: ignore[arg-type]
        result=_batched(run, lambda keys: read_result_keys(store, keys)),
    )
