"""What the embedded engine's log says: whether a starting server gave up, the tail that goes into
a start-up error, and whether the engine stopped for want of disk space."""

from __future__ import annotations

import shutil
from pathlib import Path

LOG_NAME = "falkordb.log"
#: Below this much free space the engine may have stopped for want of it (append-only file writes).
LOW_SPACE_BYTES = 16 << 20


def log_size(log_path: Path) -> int:
    try:
        return log_path.stat().st_size
    except FileNotFoundError:
        return 0


def log_says_aborted(log_path: Path, start: int) -> bool:
    """The server logged after byte ``start`` that it gives up (it may exit before writing its pid
    file). Only the server launched after ``start`` may write to the log then: fork children of an
    earlier server are stopped before the launch (graph/embedded.py)."""
    try:
        with log_path.open("rb") as log:
            log.seek(start)
            text = log.read().decode(errors="replace")
    except FileNotFoundError:
        return False
    return any(sign in text for sign in ("aborting", "FATAL", "Fatal error", "exiting"))


def start_failure(data_dir: Path, what: str) -> str:
    """The message of a failed start: what happened and the log's last lines."""
    log_path = data_dir / LOG_NAME
    try:
        lines = log_path.read_text(errors="replace").strip().splitlines()
    except FileNotFoundError:
        lines = []
    tail = " | ".join(line.strip() for line in lines[-4:]) or "no log output"
    return (
        f"the embedded FalkorDB server for {data_dir} {what}; log {log_path}: {tail}. "
        "Check that the data folder is writable and not damaged, or set LCAGRAPH_GRAPH_URL to another folder"
    )


def disk_full_note(data_dir: Path) -> str:
    """A sentence about the disk when the engine's folder is (nearly) full, else "". The engine
    stops when it cannot append to its file; its log says so."""
    free = shutil.disk_usage(data_dir).free if data_dir.exists() else LOW_SPACE_BYTES
    log = data_dir / LOG_NAME
    tail = ""
    if log.exists():
        with log.open("rb") as f:
            f.seek(max(0, log.stat().st_size - 4096))
            tail = f.read().decode(errors="replace")
    if free < LOW_SPACE_BYTES or "No space left on device" in tail:
        return (f"the disk holding {data_dir} is full ({free:,} bytes free): the engine stopped because it "
                "could not write its append-only file; free space, then run the command again "
                "(committed data are kept, the unfinished write was not applied)")
    return ""
