"""The embedded engine's append-only file is rewritten by the store once it has grown by
AOF_MIN_GROWTH (redis's own automatic rewrite is off: its fork raced GRAPH.COPY's), under
the write lock, so a start does not replay every statement ever written."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

import graph.embedded as embedded
from graph.connect import open_embedded
from graph.falkor import FalkorStore
from graph.locks import FileLock
from graph.writer import write_database_content
from lcagraph.records import DatabaseContent


def _sizes(store: FalkorStore) -> tuple[int, int]:
    info = store._conn.info("persistence")
    return int(info["aof_current_size"]), int(info["aof_base_size"])


@pytest.mark.parametrize(("min_growth", "rewritten", "stop_on_close"),
                         [(1_000, True, True), (1_000, True, False), (10**12, False, True)])
def test_a_grown_aof_is_rewritten_after_a_unit_of_work(
    embedded_dir: Path, monkeypatch: pytest.MonkeyPatch, make_content: Callable[..., DatabaseContent],
    min_growth: int, rewritten: bool, stop_on_close: bool,
) -> None:
    """Also by a store that leaves the engine running when it closes (a session's or a bench's)."""
    monkeypatch.setattr(embedded, "AOF_MIN_GROWTH", min_growth)
    store = open_embedded(embedded_dir, stop_on_close=stop_on_close)
    try:
        assert isinstance(store, FalkorStore)
        store.ensure_schema()
        _, base_before = _sizes(store)
        with store.unit_of_work() as writer:
            write_database_content(writer, make_content())
        current, base = _sizes(store)
        assert (base != base_before) == rewritten
        assert embedded.aof_has_grown(store._conn) is False or not rewritten
        if rewritten:
            assert current - base < min_growth  # nothing left to replay but what followed the rewrite
        assert store.graph_version() == 1
    finally:
        store.close()
        if store.server is not None and not stop_on_close:
            embedded.stop_server(store.server)  # the store left it running, as asked


def test_a_unit_copies_its_graph_only_while_no_other_store_forks_the_server(
    embedded_dir: Path, make_content: Callable[..., DatabaseContent],
) -> None:
    """Stores of two graphs share the server but not a write lock: the fork lock (held by any
    store's rewrite or GRAPH.COPY) makes the second unit's copy wait until the first is done."""
    first = open_embedded(embedded_dir, graph="first")
    other = open_embedded(embedded_dir, graph="other")
    try:
        other.ensure_schema()
        with other.unit_of_work() as writer:  # the graph exists: the next unit copies it
            write_database_content(writer, make_content())
        assert first.server is not None
        entered = threading.Event()

        def unit() -> None:
            with other.unit_of_work():
                entered.set()

        worker = threading.Thread(target=unit)
        with FileLock(embedded_dir / embedded.FORK_LOCK_NAME, purpose="fork").held():  # as another process
            worker.start()
            assert not entered.wait(0.5)
        worker.join(timeout=30)
        assert entered.is_set() and other.graph_version() == 2
    finally:
        first.close()
        other.close()


def test_batched_writes_start_a_rewrite_that_the_next_fork_waits_for(
    embedded_dir: Path, monkeypatch: pytest.MonkeyPatch, make_content: Callable[..., DatabaseContent],
) -> None:
    """A calculation's results do not wait for the rewrite they start; the next unit's GRAPH.COPY
    (a fork) waits for it, so the two never overlap, and the graph is whole after a restart."""
    monkeypatch.setattr(embedded, "AOF_MIN_GROWTH", 1_000)
    store = open_embedded(embedded_dir)
    try:
        assert isinstance(store, FalkorStore)
        with store.unit_of_work() as writer:
            write_database_content(writer, make_content())
        _, base_before = _sizes(store)
        rows = [{"id": f"note-{i}", "text": "x" * 200} for i in range(2_000)]
        store.write_batches("UNWIND $rows AS row CREATE (:Note {id: row.id, text: row.text})", rows, 500)
        waited: list[bool] = []
        real_wait = embedded.wait_for_aof_rewrite

        def wait(conn: object, timeout_s: float) -> None:
            waited.append(True)
            real_wait(conn, timeout_s)  # type: ignore[arg-type]

        monkeypatch.setattr("graph.falkor.wait_for_aof_rewrite", wait)
        with store.unit_of_work() as writer:
            writer.run("CREATE (:Note {id: 'after'})")
        assert waited, "the unit's GRAPH.COPY did not wait for a running rewrite"
        _, base = _sizes(store)
        assert base != base_before
        assert store.read("MATCH (n:Note) RETURN count(n) AS n") == [{"n": 2_001}]
    finally:
        store.close()
    again = open_embedded(embedded_dir)
    try:
        assert again.read("MATCH (n:Note) RETURN count(n) AS n") == [{"n": 2_001}]
        assert again.graph_version() == 2
    finally:
        again.close()
