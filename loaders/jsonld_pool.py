"""JSON-LD process datasets decoded and read by a pool of worker processes.

Processes are most of a package (ecoinvent-sized: 20,000 files, 600,000 exchanges) and each is
read on its own given what the rest of the package defines (units, categories, locations, DQ
systems, global parameters: the Context; and the flows), so the work splits per file: each
worker gets the Context and the flows once (pool initializer), then (file label, bytes) in
chunks, and sends back records. Results come back in the package's order, so the records are
those of a serial read. A dataset that fails in a worker is read again in the main process,
which raises the error with file, dataset and field as a serial read would.

Workers: loaders/workers.py. Fewer than MIN_FILES processes are read serially.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from loaders.jsonld_common import Context, Where
from loaders.jsonld_process import ProcessResult, read_process
from loaders.workers import map_in_workers, worker_count

if TYPE_CHECKING:
    from loaders.jsonld_flows import FlowUnits

MIN_FILES = 500  # below this, starting the workers costs more than they save
_shared: tuple[Context, dict[str, FlowUnits], str] | None = None  # in a worker: set by _start


def read_process_members(
    members: Sequence[tuple[str, bytes]], ctx: Context, flows: dict[str, FlowUnits], database: str,
    workers: int | None = None,
) -> Iterator[tuple[Where, ProcessResult]]:
    """(where, records) of every process dataset, in order."""
    count = worker_count(workers)
    if count == 1 or len(members) < MIN_FILES:
        for label, data in members:
            yield read_member(label, data, ctx, flows, database)
        return
    outcomes = map_in_workers(_read_in_worker, members, count, _start, (ctx, flows, database))
    for (label, data), outcome in zip(members, outcomes, strict=True):
        yield outcome if outcome is not None else read_member(label, data, ctx, flows, database)


def read_member(
    label: str, data: bytes, ctx: Context, flows: dict[str, FlowUnits], database: str,
) -> tuple[Where, ProcessResult]:
    """One process dataset: decoded, checked, read."""
    from loaders.jsonld import decode_dataset

    where, obj = decode_dataset(label, data, ctx.limits)
    return where, read_process(obj, where, ctx, flows, database)


def _start(ctx: Context, flows: dict[str, FlowUnits], database: str) -> None:
    global _shared
    _shared = (ctx, flows, database)


def _read_in_worker(member: tuple[str, bytes]) -> tuple[Where, ProcessResult]:
    assert _shared is not None, "the pool initializer sets the shared context"
    ctx, flows, database = _shared
    label, data = member
    return read_member(label, data, ctx, flows, database)
