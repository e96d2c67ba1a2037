"""The embedded engine's operating-system processes, read from /proc: whether a pid is a live
redis-server, how much CPU time it has used, and the fork children (an append-only file rewrite,
FalkorDB's GRAPH.COPY) that outlive a server killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

PROC = Path("/proc")


def is_alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie is gone for our purposes)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    fields = _stat_fields(pid)
    return fields is None or fields[0] != "Z"


def is_redis_server(pid: int) -> bool:
    """Guards against a stale pid file whose pid now belongs to another program."""
    try:
        cmdline = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return True  # no /proc: trust the pid file
    return b"redis-server" in cmdline


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of ``pid`` (all its threads), None without /proc or once it is gone."""
    fields = _stat_fields(pid)
    if fields is None:
        return None
    # /proc/<pid>/stat fields 14 and 15 (utime, stime), in clock ticks; fields[0] is field 3
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def processes_of_socket(socket_path: Path) -> list[int]:
    """Live processes whose title names ``socket_path``: a redis-server and its fork children
    ("redis-aof-rewrite unixsocket:<path>", GRAPH.COPY's "redis-module-fork unixsocket:<path>")."""
    token = f"unixsocket:{socket_path}".encode()
    found = []
    for entry in PROC.glob("[0-9]*"):
        try:
            words = (entry / "cmdline").read_bytes().replace(b"\0", b" ").split()
        except OSError:
            continue
        if token in words and is_alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def kill_processes(pids: list[int], timeout_s: float = 10.0) -> None:
    """SIGKILL ``pids`` and wait until they are gone."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue
    deadline = time.monotonic() + timeout_s
    while any(is_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.01)


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the command name (which may hold spaces and parentheses)."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()
