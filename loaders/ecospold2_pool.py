"""EcoSpold2 members parsed by a pool of worker processes (one activity per file: the work splits
cleanly; the XML parse and the records of 20,000 activities take tens of CPU seconds in one
process).

The main process reads the package (loaders/xml.py ``iter_members``, with its input limits) and
hands (file label, bytes) to the workers in chunks; each worker runs
:func:`loaders.ecospold2.read_member` and sends back records (no XML). Results come back in the
package's order, so the records equal those of a serial read. A member that fails in a worker is
read again in the main process, which raises its error with file, dataset and field as a serial
read would (exceptions are not sent across processes: their context would not survive pickling).

Workers start with ``spawn`` (a fork of a process holding threads and sockets, such as the API
server, is unsafe); a package of fewer than MIN_FILES members is read serially.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from lcagraph.errors import LcaGraphError

if TYPE_CHECKING:
    from loaders.ecospold2 import _Scan
    from loaders.ecospold2_activity import ActivityResult

    Outcome = tuple["_Scan | None", "ActivityResult | None"]

MAX_WORKERS = 8
#: Serial unless a caller asks for workers: measured on the synthetic ecoinvent-sized database on
#: the shared 2-core machine (bench/bench_readers.py), 2 workers took 1.6x the serial wall time
#: (EcoSpold2 74 s vs 45 s, JSON-LD 55 s vs 34 s) with the cores already busy: the main process
#: still spends 70 % of its serial CPU receiving the records (unpickling 600,000 exchanges), and
#: the workers' parse adds to a full machine. Where cores are free, ``workers=N`` can pay off.
DEFAULT_WORKERS = 1
MIN_FILES = 500  # below this, starting the workers costs more than they save
CHUNK = 64  # members per message to a worker


def worker_count(requested: int | None = None) -> int:
    """``requested`` (0: one per CPU, at most MAX_WORKERS), else DEFAULT_WORKERS."""
    if requested is None:
        return DEFAULT_WORKERS
    if requested == 0:
        return max(1, min(os.cpu_count() or 1, MAX_WORKERS))
    return max(1, requested)


def map_members(
    members: Iterable[tuple[str, bytes]], database: str, workers: int | None = None,
) -> Iterator[tuple[str, Outcome]]:
    """(file, read_member's outcome) per member, in order."""
    from loaders.ecospold2 import read_member

    items = list(members)
    count = worker_count(workers)
    if count == 1 or len(items) < MIN_FILES:
        for file, data in items:
            yield file, read_member(file, data, database)
        return
    jobs = [(file, data, database) for file, data in items]
    with multiprocessing.get_context("spawn").Pool(count) as pool:
        outcomes = pool.imap(_read_in_worker, jobs, chunksize=CHUNK)
        for (file, data), outcome in zip(items, outcomes, strict=True):
            yield file, outcome if outcome is not None else read_member(file, data, database)


def _read_in_worker(job: tuple[str, bytes, str]) -> Outcome | None:
    from loaders.ecospold2 import read_member

    try:
        return read_member(*job)
    except LcaGraphError:
        return None  # read again in the main process, which raises it with its context
