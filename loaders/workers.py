"""A pool of worker processes for the readers (one dataset per file: the work splits cleanly).

Workers start with ``spawn`` (a fork of a process holding threads and sockets, such as the API
server, is unsafe). concurrent.futures rather than multiprocessing.Pool, whose failure modes
hang: a worker that dies loses its tasks and the pool waits for them for ever, and
``Pool.terminate()`` with tasks in flight can block for ever on its feeder thread (a reader that
raised on a bad dataset while the pool was still being fed hung a CI run that way). Here a dead
worker raises :class:`WorkerFailed`, and no exception leaves the pool while tasks are in flight:
a task that raises in its worker comes back as ``None`` once all tasks are done.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from lcagraph.errors import WorkerFailed

J = TypeVar("J")
R = TypeVar("R")

MAX_WORKERS = 8
#: Serial unless a caller asks for workers: measured on the synthetic ecoinvent-sized database on
#: the shared 2-core machine (bench/bench_readers.py), 2 workers took 1.6x the serial wall time
#: (EcoSpold2 74 s vs 45 s, JSON-LD 55 s vs 34 s) with the cores already busy: the main process
#: still spends 70 % of its serial CPU receiving the records (unpickling 600,000 exchanges), and
#: the workers' parse adds to a full machine. Where cores are free, ``workers=N`` can pay off.
DEFAULT_WORKERS = 1
CHUNK = 64  # tasks per message to a worker


def worker_count(requested: int | None = None) -> int:
    """``requested`` (0: one per CPU, at most MAX_WORKERS), else DEFAULT_WORKERS."""
    if requested is None:
        return DEFAULT_WORKERS
    if requested == 0:
        return max(1, min(os.cpu_count() or 1, MAX_WORKERS))
    return max(1, requested)


def map_in_workers(
    task: Callable[[J], R], jobs: Sequence[J], count: int,
    initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = (),
) -> list[R | None]:
    """``task(job)`` for every job, computed by ``count`` spawned workers, in order; ``None`` where
    the task raised in its worker (the caller runs that job again in its own process, where the
    error is raised with its full context: exceptions lose it when pickled across processes)."""
    context = multiprocessing.get_context("spawn")
    guarded = functools.partial(_guarded, task)
    try:
        with ProcessPoolExecutor(count, context, initializer, initargs) as pool:
            return list(pool.map(guarded, jobs, chunksize=CHUNK))
    except BrokenProcessPool as e:
        raise WorkerFailed(
            f"a reader worker process ended abnormally ({e}); it may have run out of memory: "
            "read with one worker (workers=1) or free memory"
        ) from e


def _guarded(task: Callable[[J], R], job: J) -> R | None:
    try:
        return task(job)
    except Exception:  # noqa: BLE001 - not swallowed: the caller re-runs the job and raises there
        return None
