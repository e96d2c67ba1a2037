"""The embedded engine's append-only file is rewritten by the store once it has grown by
AOF_MIN_GROWTH (redis's own automatic rewrite is off: its fork raced GRAPH.COPY's), under
the write lock, so a start does not replay every statement ever written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import graph.embedded as embedded
from graph.connect import open_embedded
from graph.falkor import FalkorStore
from graph.writer import write_database_content
from lcagraph.records import DatabaseContent


def _sizes(store: FalkorStore) -> tuple[int, int]:
    info = store._conn.info("persistence")
    return int(info["aof_current_size"]), int(info["aof_base_size"])


@pytest.mark.parametrize(("min_growth", "rewritten"), [(1_000, True), (10**12, False)])
def test_a_grown_aof_is_rewritten_after_a_unit_of_work(
    embedded_dir: Path, monkeypatch: pytest.MonkeyPatch, make_content: Callable[..., DatabaseContent],
    min_growth: int, rewritten: bool,
) -> None:
    monkeypatch.setattr(embedded, "AOF_MIN_GROWTH", min_growth)
    store = open_embedded(embedded_dir)
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
