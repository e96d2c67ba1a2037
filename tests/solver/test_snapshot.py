"""The matrix snapshot file: an exact round trip of A, B, C and the index maps, and refusal of
files that are truncated, of another format or inconsistent."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from solver import compute_intensities, factorise
from solver.matrices import TechnosphereSystem
from solver.snapshot import FORMAT, SnapshotUnreadable, read_header, read_snapshot, write_snapshot


def _same_matrix(got: object, want: object) -> None:
    assert type(got) is type(want)
    for part in ("data", "indices", "indptr"):
        a, b = getattr(got, part), getattr(want, part)
        assert a.dtype == b.dtype and np.array_equal(a, b), part
    assert got.shape == want.shape  # type: ignore[attr-defined]


def test_round_trip_is_exact(tmp_path: Path, looped_system: TechnosphereSystem) -> None:
    path = tmp_path / "matrices" / "v3.npz"
    size = write_snapshot(path, looped_system, {"graph_version": 3, "note": "é"})
    assert size == path.stat().st_size and not list(path.parent.glob(".*partial"))
    system, header = read_snapshot(path)
    assert header == {"graph_version": 3, "note": "é", "format": FORMAT,
                      "uncharacterised": looped_system.uncharacterised}
    for name in ("A", "B", "C"):
        _same_matrix(getattr(system, name), getattr(looped_system, name))
    assert system.process_ids == looped_system.process_ids and system.flow_ids == looped_system.flow_ids
    assert system.category_ids == looped_system.category_ids and len(system.category_ids) == 2
    assert np.array_equal(system.reference_amounts, looped_system.reference_amounts)
    assert np.array_equal(system.cutoffs, looped_system.cutoffs) and system.cutoff_count > 0
    assert system.index_of(looped_system.process_ids[17]) == 17
    before = compute_intensities(looped_system, factorise(looped_system, "superlu"))
    after = compute_intensities(system, factorise(system, "superlu"))
    assert np.array_equal(before.total, after.total) and np.array_equal(before.direct, after.direct)
    assert read_header(path)["graph_version"] == 3


def test_truncated_file_is_unreadable(tmp_path: Path, looped_system: TechnosphereSystem) -> None:
    path = tmp_path / "v1.npz"
    write_snapshot(path, looped_system, {})
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(SnapshotUnreadable, match=r"v1\.npz"):
        read_snapshot(path)
    with pytest.raises(SnapshotUnreadable):
        read_snapshot(tmp_path / "missing.npz")


def test_other_format_or_inconsistent_shapes_are_unreadable(
    tmp_path: Path, looped_system: TechnosphereSystem,
) -> None:
    path = tmp_path / "v1.npz"
    write_snapshot(path, looped_system, {})
    with np.load(path) as archive:
        arrays = {name: archive[name] for name in archive.files}
    old = dict(arrays, header=np.frombuffer(json.dumps({"format": FORMAT + 1}).encode(), dtype=np.uint8))
    np.savez(path, **old)
    with pytest.raises(SnapshotUnreadable, match="format"):
        read_snapshot(path)
    np.savez(path, **dict(arrays, process_ids=arrays["process_ids"][:-1]))
    with pytest.raises(SnapshotUnreadable, match="shapes"):
        read_snapshot(path)
