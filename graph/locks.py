"""Inter-process locks: a file lock (embedded store, start-up) and a Redis lock (remote FalkorDB).

Both are held by one thread of one process at a time and re-entrant within that thread, so a
unit of work can call helpers that take the same lock. A file lock dies with its process (the
kernel drops ``flock`` locks), so a crashed writer never blocks the store.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

from lcagraph.errors import StoreBusy

POLL_S = 0.05


class WriteLock(Protocol):
    """Serialises writers of one store across processes."""

    def held(self) -> AbstractContextManager[None]:
        """Context manager: acquire (waiting up to the lock's timeout, then StoreBusy), release on exit."""
        ...

    def refresh(self) -> None:
        """Keep a lease-based lock alive during long work (no-op for file locks)."""
        ...


class _Reentrancy:
    """Counts nested acquisitions by the owning thread."""

    def __init__(self) -> None:
        self.owner: int | None = None
        self.depth = 0

    def is_mine(self) -> bool:
        return self.owner == threading.get_ident()


class FileLock:
    """``flock`` on ``path``; the holder's pid is written into the file for error messages."""

    def __init__(self, path: Path, *, timeout_s: float = 30.0, purpose: str = "write to") -> None:
        self.path = path
        self.timeout_s = timeout_s
        self.purpose = purpose
        self._state = _Reentrancy()
        self._fd: int | None = None
        self._thread_lock = threading.Lock()

    @contextmanager
    def held(self) -> Iterator[None]:
        if self._state.is_mine():
            self._state.depth += 1
            try:
                yield
            finally:
                self._state.depth -= 1
            return
        self._acquire()
        try:
            yield
        finally:
            self._release()

    def refresh(self) -> None:
        return None

    def _acquire(self) -> None:
        deadline = time.monotonic() + self.timeout_s
        if not self._thread_lock.acquire(timeout=self.timeout_s):
            raise StoreBusy(f"another thread of this process holds the lock {self.path}; retry later")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise StoreBusy(self._busy_message(fd)) from None
                    time.sleep(POLL_S)
        except BaseException:
            os.close(fd)
            self._thread_lock.release()
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        self._state.owner = threading.get_ident()
        self._state.depth = 1

    def _release(self) -> None:
        fd = self._fd
        self._fd = None
        self._state.owner = None
        self._state.depth = 0
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        self._thread_lock.release()

    def _busy_message(self, fd: int) -> str:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
        return (
            f"another lcagraph process (pid {holder}) is using the lock to {self.purpose} {self.path.parent} "
            f"and did not release it within {self.timeout_s:g} s; retry when it has finished"
        )


class RedisLock:
    """A lease in Redis (``SET NX PX``) for a FalkorDB server shared over the network.

    The lease expires after ``lease_s`` unless refreshed, so a crashed writer frees it.
    """

    def __init__(
        self, redis_client: Any, name: str, *, timeout_s: float = 30.0, lease_s: float = 120.0
    ) -> None:
        self._lock = redis_client.lock(name, timeout=lease_s, blocking=True, thread_local=False)
        self.name = name
        self.timeout_s = timeout_s
        self._state = _Reentrancy()

    @contextmanager
    def held(self) -> Iterator[None]:
        if self._state.is_mine():
            self._state.depth += 1
            try:
                yield
            finally:
                self._state.depth -= 1
            return
        if not self._lock.acquire(blocking_timeout=self.timeout_s):
            raise StoreBusy(
                f"another lcagraph process holds the write lock {self.name!r} of this FalkorDB server "
                f"and did not release it within {self.timeout_s:g} s; retry when it has finished"
            )
        self._state.owner = threading.get_ident()
        try:
            yield
        finally:
            self._state.owner = None
            self._lock.release()

    def refresh(self) -> None:
        if self._state.is_mine():
            self._lock.reacquire()
