"""A technosphere system as one compact binary file: the matrix snapshot of a graph version.

Layout: an uncompressed ``.npz`` (numpy's zip of raw ``.npy`` arrays, read with
``allow_pickle=False``, so a file can carry no code):

- ``A_data, A_indices, A_indptr`` (CSC, n x n), ``B_*`` (CSC, F x n), ``C_*`` (CSR, m x F):
  the three matrices as built (float64 values, index arrays in their own dtype), bit for bit;
- ``reference_amounts`` (n,) float64, ``cutoffs`` (n,) int64;
- ``process_ids`` (n,), ``flow_ids`` (F,), ``category_ids`` (m,): fixed-width unicode arrays;
- ``header``: UTF-8 JSON as uint8 — the format number, ``uncharacterised`` and whatever the
  caller keys the file by (graph version, graph id) or needs beside the matrices.

Writes go to a temporary file renamed over the target, so a reader never sees half a snapshot.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from solver.matrices import TechnosphereSystem

FORMAT = 1
_MATRICES = {"A": sp.csc_matrix, "B": sp.csc_matrix, "C": sp.csr_matrix}
_IDS = ("process_ids", "flow_ids", "category_ids")


class SnapshotUnreadable(ValueError):
    """The file is missing, truncated, of another format or inconsistent (callers rebuild it)."""


def write_snapshot(path: Path, system: TechnosphereSystem, header: dict[str, Any]) -> int:
    """Write ``system`` and ``header`` (JSON-serialisable) to ``path``; returns the bytes written."""
    arrays: dict[str, Any] = {}  # numpy arrays (Any: savez types its keywords as allow_pickle)
    for name in _MATRICES:
        matrix = getattr(system, name)
        arrays[f"{name}_data"] = np.asarray(matrix.data, dtype=np.float64)
        arrays[f"{name}_indices"] = np.asarray(matrix.indices)  # index dtype kept as built
        arrays[f"{name}_indptr"] = np.asarray(matrix.indptr)
        arrays[f"{name}_shape"] = np.asarray(matrix.shape, dtype=np.int64)
    arrays["reference_amounts"] = np.asarray(system.reference_amounts, dtype=np.float64)
    arrays["cutoffs"] = np.asarray(system.cutoffs, dtype=np.int64)
    for name in _IDS:
        arrays[name] = np.array(getattr(system, name), dtype=str)
    meta = {**header, "format": FORMAT, "uncharacterised": system.uncharacterised}
    arrays["header"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    with partial.open("wb") as out:
        np.savez(out, **arrays)
    partial.replace(path)
    return path.stat().st_size


def read_header(path: Path) -> dict[str, Any]:
    """Only the JSON header (cheap: one member of the zip)."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            return _header(archive)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as e:
        raise SnapshotUnreadable(f"{path}: {e}") from e


def read_snapshot(path: Path) -> tuple[TechnosphereSystem, dict[str, Any]]:
    """The system and header written by :func:`write_snapshot`; SnapshotUnreadable otherwise."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            header = _header(archive)
            matrices = {name: _matrix(archive, name, kind) for name, kind in _MATRICES.items()}
            ids = {name: tuple(archive[name].tolist()) for name in _IDS}
            reference, cutoffs = archive["reference_amounts"], archive["cutoffs"]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as e:
        raise SnapshotUnreadable(f"{path}: {e}") from e
    n = len(ids["process_ids"])
    shapes = (matrices["A"].shape, matrices["B"].shape, matrices["C"].shape)
    wanted = ((n, n), (len(ids["flow_ids"]), n), (len(ids["category_ids"]), len(ids["flow_ids"])))
    if shapes != wanted or reference.shape != (n,) or cutoffs.shape != (n,):
        raise SnapshotUnreadable(f"{path}: matrix shapes {shapes} do not match the index maps {wanted}")
    system = TechnosphereSystem(
        process_ids=ids["process_ids"], flow_ids=ids["flow_ids"], category_ids=ids["category_ids"],
        A=matrices["A"], B=matrices["B"], C=matrices["C"], reference_amounts=reference, cutoffs=cutoffs,
        uncharacterised=int(header["uncharacterised"]),
        process_index={pid: j for j, pid in enumerate(ids["process_ids"])},
    )
    return system, header


def _header(archive: Any) -> dict[str, Any]:
    header = json.loads(archive["header"].tobytes().decode())
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError(f"snapshot format {header.get('format') if isinstance(header, dict) else '?'}, "
                         f"expected {FORMAT}")
    return header


def _matrix(archive: Any, name: str, kind: type[sp.csc_matrix] | type[sp.csr_matrix]) -> Any:
    shape = tuple(int(v) for v in archive[f"{name}_shape"])
    return kind((archive[f"{name}_data"], archive[f"{name}_indices"], archive[f"{name}_indptr"]), shape=shape)
