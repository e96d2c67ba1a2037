"""The demo: where its data comes from (local copy or sha256-checked download)."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import http.server
import io
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import zxingcpp
from PIL import Image

from api.services.datasets import DEMO_FILES, DataFile, fetch_file, locate_data, sha256_of, source_url
from api.services.qr import render_terminal
from graph.connect import open_embedded
from lcagraph.config import PROJECT_ROOT, Settings, find_data_dir, load_settings
from lcagraph.errors import ChecksumMismatch, ConfigurationError


class _Server:
    """A static file server on 127.0.0.1 that counts the requests it answers."""

    def __init__(self, root: Path) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                outer.requests.append(self.path)

        handler = functools.partial(Handler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[tuple[_Server, list[DataFile]]]:
    root = tmp_path / "mirror"
    files = []
    for key, rel, body in (("a", "flcac/a module.zip", b"A" * 3_000_000), ("b", "methods/b.csv", b"x,y\n")):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(body)
        files.append(DataFile(key, rel, hashlib.sha256(body).hexdigest(), "test mirror"))
    server = _Server(root)
    yield server, files
    server.close()


def _leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_fetch_over_http_checks_sha256(mirror: tuple[_Server, list[DataFile]], tmp_path: Path) -> None:
    server, files = mirror
    dest = tmp_path / "cache" / "a.zip"
    fetch_file(f"{server.url}/flcac/a%20module.zip", dest, files[0].sha256)
    assert sha256_of(dest) == files[0].sha256


def test_wrong_sha256_leaves_nothing(mirror: tuple[_Server, list[DataFile]], tmp_path: Path) -> None:
    server, _ = mirror
    cache = tmp_path / "cache"
    wrong = "0" * 64
    with pytest.raises(ChecksumMismatch, match=f"expected {wrong}"):
        fetch_file(f"{server.url}/flcac/a%20module.zip", cache / "a.zip", wrong)
    assert _leftovers(cache) == []


def test_fetch_from_file_url(tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    src.write_bytes(b"open data")
    dest = tmp_path / "out" / "copy.bin"
    fetch_file(src.as_uri(), dest, hashlib.sha256(b"open data").hexdigest())
    assert dest.read_bytes() == b"open data"
    with pytest.raises(ChecksumMismatch):
        fetch_file(src.as_uri(), tmp_path / "out" / "bad.bin", hashlib.sha256(b"other").hexdigest())
    assert not (tmp_path / "out" / "bad.bin").exists()


def test_unreachable_and_unsupported_urls_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="ftp://"):
        fetch_file("ftp://example.org/x.zip", tmp_path / "x.zip", "0" * 64)
    with pytest.raises(ConfigurationError, match="cannot download"):
        fetch_file((tmp_path / "missing.zip").as_uri(), tmp_path / "x.zip", "0" * 64)
    assert _leftovers(tmp_path) == []


def _settings(data: Path, cache: Path, url: str) -> Settings:
    """Settings whose data folder, download cache and mirror are these."""
    return dataclasses.replace(load_settings(), data_dir=data, data_cache=cache, data_url=url)


def test_locate_downloads_missing_files_once(mirror: tuple[_Server, list[DataFile]], tmp_path: Path) -> None:
    server, files = mirror
    env = _settings(tmp_path / "nowhere", tmp_path / "cache", server.url)
    folder = locate_data(files, env)
    assert folder == tmp_path / "cache"
    assert all(sha256_of(folder / f.path) == f.sha256 for f in files)
    assert len(server.requests) == 2
    assert locate_data(files, env) == folder
    assert len(server.requests) == 2


def test_locate_prefers_a_complete_local_folder(
    mirror: tuple[_Server, list[DataFile]], tmp_path: Path,
) -> None:
    server, files = mirror
    local = tmp_path / "local"
    for f in files:
        (local / f.path).parent.mkdir(parents=True, exist_ok=True)
        (local / f.path).write_bytes(b"local copy")
    env = _settings(local, tmp_path / "cache", server.url)
    assert locate_data(files, env) == local
    assert server.requests == []


def test_file_without_single_file_source_needs_a_mirror(tmp_path: Path) -> None:
    folder_release = DataFile(
        "m", "flcac/m.zip", "0" * 64, "FLCAC-admin/uslci-marine, folder output/marine_v1.0",
    )
    env = _settings(tmp_path / "none", tmp_path / "cache", "")
    with pytest.raises(ConfigurationError, match=r"flcac/m\.zip.*uslci-marine.*LCAGRAPH_DATA_URL"):
        locate_data([folder_release], env)
    assert source_url(folder_release, "file:///mirror/") == "file:///mirror/flcac/m.zip"


def test_demo_checksums_are_the_published_ones() -> None:
    readme = (find_data_dir() / "README.md").read_text(encoding="utf-8")
    published = {path: sha for sha, path in re.findall(r"^([0-9a-f]{64})\s+(\S+)$", readme, re.M)}
    for item in DEMO_FILES:
        assert published[item.path] == item.sha256, item.path
        assert sha256_of(find_data_dir() / item.path) == item.sha256, item.path
    assert all(f.url is None or f.url.startswith("https://raw.githubusercontent.com/FLCAC-admin/")
               for f in DEMO_FILES)


# --- lcagraph demo, as a newcomer runs it --------------------------------------------------------

URL_LINE = re.compile(r"scan with a phone: (http://127\.0\.0\.1:\d+/n/\S+)")


def _as_background_job() -> None:
    """What a non-interactive shell does for a job started with ``&``: SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start_demo(
    env: dict[str, str], background: bool = False,
) -> tuple[subprocess.Popen[str], list[str], str]:
    """Run `lcagraph demo --port 0` until it prints the node's address; returns process, output, URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "demo", "--port", "0"], cwd=PROJECT_ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        preexec_fn=_as_background_job if background else None,
    )
    lines: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        found = URL_LINE.search(line)
        if found:
            return proc, lines, found.group(1)
    proc.wait(timeout=60)
    raise AssertionError("the demo stopped before printing an address:\n" + "".join(lines))


def _stop(proc: subprocess.Popen[str], sig: signal.Signals = signal.SIGINT) -> int:
    proc.send_signal(sig)
    return proc.wait(timeout=60)


@pytest.mark.slow
def test_demo_imports_calculates_serves_and_restarts_without_work(embedded_dir: Path, engine: Any) -> None:
    env = {**os.environ, "LCAGRAPH_GRAPH_URL": f"embedded://{embedded_dir}", "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("PUBLIC_BASE_URL", None)
    proc, lines, url = _start_demo(env)
    try:
        page = httpx.get(url, timeout=30)
        assert page.status_code == 200 and "Transport; average mix" in page.text
        node = url.rsplit("/n/", 1)[1]
        png = httpx.get(url.replace(f"/n/{node}", f"/qr/{node}.png"), timeout=30)
        assert [c.text for c in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))] == [url]
        assert render_terminal(url) in "".join(lines)  # the terminal QR code of the printed address
    finally:
        assert _stop(proc) == 0
    first = "".join(lines)
    assert first.count("✓ imported") == 5, first
    version = _graph_version(embedded_dir)

    engine.wait_gone(embedded_dir)

    proc, lines, again = _start_demo(env, background=True)
    assert engine.pids(embedded_dir), "the demo started the embedded engine"
    assert _stop(proc, signal.SIGTERM) == 0
    engine.wait_gone(embedded_dir)  # SIGTERM stops the engine the demo started
    second = "".join(lines)
    assert again.split("/n/")[1] == node
    assert second.count("is in the graph") == 5 and "imported" not in second, second
    assert "footprints are calculated" in second
    assert _graph_version(embedded_dir) == version

    proc, _, _ = _start_demo(env, background=True)
    assert _stop(proc, signal.SIGINT) == 0  # Ctrl-C's signal reaches a background job too
    engine.wait_gone(embedded_dir)


def _graph_version(embedded_dir: Path) -> int:
    store = open_embedded(embedded_dir)
    try:
        return store.graph_version()
    finally:
        store.close()
