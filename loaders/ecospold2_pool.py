"""EcoSpold2 members parsed by a pool of worker processes (one activity per file: the work splits
cleanly; the XML parse and the records of 20,000 activities take tens of CPU seconds in one
process).

The main process reads the package (loaders/xml.py ``iter_members``, with its input limits) and
hands (file label, bytes) to the workers in chunks; each worker runs
:func:`loaders.ecospold2.read_member` and sends back records (no XML). Results come back in the
package's order, so the records equal those of a serial read. A member that fails in a worker is
read again in the main process, which raises its error with file, dataset and field as a serial
read would (exceptions are not sent across processes: their context would not survive pickling).

Workers: loaders/workers.py. A package of fewer than MIN_FILES members is read serially.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from loaders.workers import map_in_workers, worker_count

if TYPE_CHECKING:
    from loaders.ecospold2 import _Scan
    from loaders.ecospold2_activity import ActivityResult

    Outcome = tuple["_Scan | None", "ActivityResult | None"]

MIN_FILES = 500  # below this, starting the workers costs more than they save


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
    outcomes = map_in_workers(_read_job, jobs, count)
    for (file, data), outcome in zip(items, outcomes, strict=True):
        yield file, outcome if outcome is not None else read_member(file, data, database)


def _read_job(job: tuple[str, bytes, str]) -> Outcome:
    from loaders.ecospold2 import read_member

    return read_member(*job)
