"""A full disk and a read-only data folder give one clear error (tmpfs mounts: needs root with
mount rights, skipped otherwise); committed data are kept."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.connect import open_embedded
from graph.writer import write_database_content
from lcagraph.errors import ConfigurationError, EngineUnavailable
from tests.graph.test_fault_trials import chain_content


@pytest.fixture
def tiny_disk() -> Iterator[Path]:
    """A 600 kB tmpfs (the engine's append-only file fills it)."""
    folder = Path(tempfile.mkdtemp(prefix="lcg-"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(folder)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip("mounting a tmpfs needs root with mount rights")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        folder.rmdir()


def test_full_disk_gives_a_clear_error(tiny_disk: Path) -> None:
    store = open_embedded(tiny_disk / "graph")
    try:
        with store.unit_of_work() as writer:
            write_database_content(writer, chain_content("small", 5))
        full = pytest.raises(EngineUnavailable, match=r"disk holding .* is full")
        with full, store.unit_of_work() as writer:
            write_database_content(writer, chain_content("big", 3000))
    finally:
        store.close()
    subprocess.run(["mount", "-o", "remount,size=64m", str(tiny_disk)], check=True)
    again = open_embedded(tiny_disk / "graph")
    try:
        counts = again.read("MATCH (p:Process) RETURN p.database AS db, count(p) AS n ORDER BY db")
        assert counts == [{"db": "small", "n": 5}]  # the committed import kept, the unfinished one absent
    finally:
        again.close()


def test_read_only_data_folder_gives_a_clear_error(tiny_disk: Path) -> None:
    store = open_embedded(tiny_disk / "graph")
    store.close()
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], check=True)
    for folder in (tiny_disk / "graph", tiny_disk / "new"):
        with pytest.raises(ConfigurationError, match=r"read-only|cannot create the data folder"):
            open_embedded(folder)
