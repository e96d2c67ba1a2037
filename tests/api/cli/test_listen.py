"""A taken port: one line on stderr and exit code 1 (``lcagraph serve`` and ``lcagraph demo``);
SIGTERM and SIGINT stop the server and the embedded engine it started (no redis-server left)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.cli.listen import bind_socket, bound_port
from lcagraph.config import PROJECT_ROOT
from lcagraph.errors import PortInUse

LCAGRAPH = [sys.executable, "-m", "api.cli"]


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        yield int(held.getsockname()[1])


def _env(folder: Path) -> dict[str, str]:
    env = {**os.environ, "LCAGRAPH_GRAPH_URL": f"embedded://{folder}", "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("PUBLIC_BASE_URL", None)
    return env


def test_bind_socket_names_the_taken_port(taken_port: int) -> None:
    with pytest.raises(PortInUse, match=rf"port {taken_port} on 127\.0\.0\.1 is in use.*another --port"):
        bind_socket("127.0.0.1", taken_port)
    with bind_socket("127.0.0.1", 0) as free:
        assert bound_port(free) > 0


@pytest.mark.parametrize("command", [["serve"], ["demo"]])
def test_busy_port_is_one_line_and_exit_1(command: list[str], taken_port: int, embedded_dir: Path) -> None:
    run = subprocess.run([*LCAGRAPH, *command, "--port", str(taken_port)], env=_env(embedded_dir),
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 1, run.stderr
    assert run.stderr.splitlines() == [
        f"error: port {taken_port} on 127.0.0.1 is in use by another program: stop it or give another "
        "--port (0 picks a free one)"
    ]
    assert "Traceback" not in run.stdout + run.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ignore_sigint() -> None:
    """What a non-interactive shell does for a job it starts with ``&``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_serve_and_its_engine_also_in_the_background(
    sig: signal.Signals, embedded_dir: Path, engine: Any,
) -> None:
    port = _free_port()
    proc = subprocess.Popen([*LCAGRAPH, "serve", "--port", str(port), "--no-access-log"],
                            env=_env(embedded_dir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True,
                            preexec_fn=_ignore_sigint)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        assert engine.pids(embedded_dir), "serve started the embedded engine"
        proc.send_signal(sig)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    engine.wait_gone(embedded_dir)
