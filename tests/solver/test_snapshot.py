"""The matrix snapshot file: an exact round trip of A, B, C and the index maps, and refusal of
files that are truncated, of another format or inconsistent."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from solver import compute_intensities, factorise
from solver.matrices import TechnosphereSystem
from solver.pedigree import Multipliers, describe_multipliers
from solver.snapshot import (
    FORMAT,
    SnapshotQuality,
    SnapshotRows,
    SnapshotUnreadable,
    read_header,
    read_snapshot,
    read_snapshot_quality,
    read_snapshot_rows,
    write_snapshot,
)


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


def _rows(n: int, flows: int) -> SnapshotRows:
    return SnapshotRows(
        link_consumers=np.array([0, n - 1]), link_providers=np.array([n - 1, 0]),
        link_amounts=np.array([0.1, 1 / 3]), link_is_input=np.array([True, False]),
        link_is_avoided=np.array([False, True]), elementary_processes=np.array([1, 2, 2]),
        elementary_flows=np.array([0, flows - 1, 0]), elementary_amounts=np.array([-2.5, 1e-300, 7.0]),
    )


def test_rows_travel_beside_the_matrices_exactly(tmp_path: Path, looped_system: TechnosphereSystem) -> None:
    path = tmp_path / "v1.npz"
    rows = _rows(looped_system.size, len(looped_system.flow_ids))
    write_snapshot(path, looped_system, {}, rows)
    system, _ = read_snapshot(path)
    got = read_snapshot_rows(path, system)
    assert got is not None
    for name in SnapshotRows.__slots__:
        a, b = getattr(got, name), getattr(rows, name)
        assert a.dtype == (np.float64 if "amounts" in name else bool if "_is_" in name else np.int64), name
        assert np.array_equal(a, b), name
    write_snapshot(path, looped_system, {})  # a file without rows loads, but cannot be updated
    assert read_snapshot_rows(path, read_snapshot(path)[0]) is None


def test_rows_that_do_not_fit_the_matrices_are_unreadable(
    tmp_path: Path, looped_system: TechnosphereSystem,
) -> None:
    path = tmp_path / "v1.npz"
    rows = _rows(looped_system.size + 1, len(looped_system.flow_ids))  # a provider beyond the last process
    write_snapshot(path, looped_system, {}, rows)
    with pytest.raises(SnapshotUnreadable, match="rows do not fit"):
        read_snapshot_rows(path, looped_system)
    short = _rows(looped_system.size, len(looped_system.flow_ids))
    write_snapshot(path, looped_system, {}, SnapshotRows(**{
        name: getattr(short, name)[:1] if name == "link_amounts" else getattr(short, name)
        for name in SnapshotRows.__slots__}))
    with pytest.raises(SnapshotUnreadable, match="rows do not fit"):
        read_snapshot_rows(path, looped_system)


def _quality(links: int, elementary: int, n: int) -> SnapshotQuality:
    def multipliers(k: int) -> Multipliers:
        kinds = np.arange(k, dtype=np.int8) % 4
        return describe_multipliers(kinds, np.full(k, 2.0), [[1.2, 1.5, 2.5]] * k,
                                    np.tile([1, 2, 3, 4, 5], (k, 1)))
    return SnapshotQuality(multipliers(links), multipliers(elementary),
                           np.where(np.arange(n) % 3 == 0, np.nan, 1.0 + np.arange(n) % 4),
                           np.arange(4 * n, dtype=np.int64).reshape(n, 4))


def test_the_quality_section_travels_beside_the_rows_exactly(
    tmp_path: Path, looped_system: TechnosphereSystem,
) -> None:
    path = tmp_path / "v1.npz"
    rows = _rows(looped_system.size, len(looped_system.flow_ids))
    quality = _quality(rows.link_amounts.size, rows.elementary_amounts.size, looped_system.size)
    write_snapshot(path, looped_system, {}, rows, quality)
    got = read_snapshot_quality(path, looped_system, rows)
    assert got is not None
    for part in ("links", "elementary"):
        for name in ("kind", "params", "variance_ln"):
            a, b = getattr(getattr(got, part), name), getattr(getattr(quality, part), name)
            assert a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True), (part, name)
    assert np.array_equal(got.process_dqr, quality.process_dqr, equal_nan=True)
    assert np.array_equal(got.process_links, quality.process_links)
    write_snapshot(path, looped_system, {}, rows)  # rows without the section: nothing to read
    assert read_snapshot_quality(path, looped_system, rows) is None


def test_a_quality_section_that_does_not_fit_is_unreadable(
    tmp_path: Path, looped_system: TechnosphereSystem,
) -> None:
    path = tmp_path / "v1.npz"
    rows = _rows(looped_system.size, len(looped_system.flow_ids))
    for links, n in ((rows.link_amounts.size + 1, looped_system.size), (rows.link_amounts.size, 3)):
        write_snapshot(path, looped_system, {}, rows, _quality(links, rows.elementary_amounts.size, n))
        with pytest.raises(SnapshotUnreadable, match="quality arrays do not fit"):
            read_snapshot_quality(path, looped_system, rows)
