"""loaders.workers: results in order; a task that raises in its worker comes back as None (the
caller re-runs it where the error keeps its context) and the pool still ends, also when the first
task fails while large tasks are still being fed to the workers (multiprocessing.Pool's
terminate() could hang there: that hung a CI run in tests/loaders/test_jsonld_pool.py); a worker
that dies is a WorkerFailed error, not a wait for ever. The tasks are builtins: a spawned worker
cannot import the test modules."""

from __future__ import annotations

import os

import pytest

from lcagraph.errors import WorkerFailed
from loaders.workers import DEFAULT_WORKERS, MAX_WORKERS, map_in_workers, worker_count

PAD = " " * (256 * 1024)  # per job: a chunk of jobs is far larger than a pipe's buffer


@pytest.mark.timeout(120)
def test_results_in_order_with_none_where_a_task_raised() -> None:
    jobs = ["x" + PAD] + [f"{n}{PAD}" for n in range(1, 300)]  # int("x...") raises ValueError
    assert map_in_workers(int, jobs, 2) == [None, *range(1, 300)]


@pytest.mark.timeout(120)
def test_a_worker_that_dies_is_an_error() -> None:
    with pytest.raises(WorkerFailed, match="workers=1"):
        map_in_workers(os._exit, [3, 3], 2)


@pytest.mark.parametrize(("requested", "expected"), [(None, DEFAULT_WORKERS), (1, 1), (3, 3), (-2, 1)])
def test_worker_count(requested: int | None, expected: int) -> None:
    assert worker_count(requested) == expected


def test_zero_workers_means_one_per_cpu_within_the_cap() -> None:
    assert 1 <= worker_count(0) <= MAX_WORKERS
