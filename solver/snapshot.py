"""A technosphere system as one compact binary file: the matrix snapshot of a graph version.

Layout: an uncompressed ``.npz`` (numpy's zip of raw ``.npy`` arrays, read with
``allow_pickle=False``, so a file can carry no code):

- ``A_data, A_indices, A_indptr`` (CSC, n x n), ``B_*`` (CSC, F x n), ``C_*`` (CSR, m x F):
  the three matrices as built (float64 values, index arrays in their own dtype), bit for bit;
- ``reference_amounts`` (n,) float64, ``cutoffs`` (n,) int64;
- ``process_ids`` (n,), ``flow_ids`` (F,), ``category_ids`` (m,): fixed-width unicode arrays;
- ``header``: UTF-8 JSON as uint8 — the format number, ``uncharacterised`` and whatever the
  caller keys the file by (graph version, graph id) or needs beside the matrices;
- optionally ``rows_*``: the link and elementary rows the matrices were built from
  (:class:`SnapshotRows`), so that a later version can be built from these rows with part of them
  replaced, exactly as from a full read (files without them still load; they just cannot be updated);
- optionally ``quality_*`` (with the rows only): what the accuracy and completeness of every
  process need beyond the matrices (:class:`SnapshotQuality`), row by row beside ``rows_*`` and
  process by process, so that a first footprint needs no read of every exchange's uncertainty.

Writes go to a temporary file renamed over the target, so a reader never sees half a snapshot.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from solver.matrices import TechnosphereSystem
from solver.pedigree import Multipliers
from solver.tables import BoolArray, FloatArray, IntArray

FORMAT = 1
_MATRICES = {"A": sp.csc_matrix, "B": sp.csc_matrix, "C": sp.csr_matrix}
_IDS = ("process_ids", "flow_ids", "category_ids")


class SnapshotUnreadable(ValueError):
    """The file is missing, truncated, of another format or inconsistent (callers rebuild it)."""


@dataclass(frozen=True, slots=True)
class SnapshotRows:
    """The link and elementary rows of a system, by position: ``link_consumers`` and
    ``link_providers`` (L,) and ``elementary_processes`` (E,) index ``process_ids``,
    ``elementary_flows`` (E,) indexes ``flow_ids``. Amounts as solver.LinkTable / ElementaryTable
    (allocation applied, elementary inputs already negative). With ``reference_amounts`` (the
    signed r_j) and ``cutoffs`` they are every row the system was built from."""

    link_consumers: IntArray
    link_providers: IntArray
    link_amounts: FloatArray
    link_is_input: BoolArray
    link_is_avoided: BoolArray
    elementary_processes: IntArray
    elementary_flows: IntArray
    elementary_amounts: FloatArray


@dataclass(frozen=True, slots=True)
class SnapshotQuality:
    """Beside :class:`SnapshotRows`: the uncertainty multipliers of each link row (L,) and each
    elementary row (E,), and per process in ``process_ids`` order (n,) its DQR (NaN: no data) and
    ``process_links`` (n, 4) = its exchanges that need a provider: linked, declared cut-off,
    unlinked, ambiguous (graph/data_quality.py LinkStates, as stored)."""

    links: Multipliers
    elementary: Multipliers
    process_dqr: FloatArray
    process_links: IntArray


_MULTIPLIER_KINDS = {"kind": np.int8, "params": np.float64, "variance_ln": np.float64}
_ROW_KINDS = {f.name: (np.float64 if "amounts" in f.name else bool if "_is_" in f.name else np.int64)
              for f in fields(SnapshotRows)}


def write_snapshot(
    path: Path, system: TechnosphereSystem, header: dict[str, Any], rows: SnapshotRows | None = None,
    quality: SnapshotQuality | None = None,
) -> int:
    """Write ``system``, ``header`` (JSON-serialisable) and ``rows`` and ``quality`` if given to
    ``path`` (``quality`` only with ``rows``); returns the bytes written."""
    arrays: dict[str, Any] = {}  # numpy arrays (Any: savez types its keywords as allow_pickle)
    if rows is not None:
        arrays.update({f"rows_{name}": np.asarray(getattr(rows, name), dtype=kind)
                       for name, kind in _ROW_KINDS.items()})
        if quality is not None:
            arrays.update(_quality_arrays(quality))
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


def read_snapshot_rows(path: Path, system: TechnosphereSystem) -> SnapshotRows | None:
    """The rows written beside ``system`` (read from the same file), None for a file without them;
    SnapshotUnreadable for a damaged file or rows that index outside the system."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            if f"rows_{next(iter(_ROW_KINDS))}" not in archive.files:
                return None
            arrays = {name: archive[f"rows_{name}"] for name in _ROW_KINDS}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as e:
        raise SnapshotUnreadable(f"{path}: {e}") from e
    rows = SnapshotRows(**arrays)
    if not _rows_fit(rows, system.size, len(system.flow_ids)):
        raise SnapshotUnreadable(f"{path}: the rows do not fit the matrices ({system.size} processes)")
    return rows


def read_snapshot_quality(
    path: Path, system: TechnosphereSystem, rows: SnapshotRows,
) -> SnapshotQuality | None:
    """The quality section written beside ``rows`` (same file), None for a file without one;
    SnapshotUnreadable for a damaged file or arrays that do not fit the rows and processes."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            if "quality_process_dqr" not in archive.files:
                return None
            found = {name: archive[name] for name in archive.files if name.startswith("quality_")}
            quality = SnapshotQuality(
                links=_multipliers(found, "links"), elementary=_multipliers(found, "elementary"),
                process_dqr=found["quality_process_dqr"], process_links=found["quality_process_links"])
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as e:
        raise SnapshotUnreadable(f"{path}: {e}") from e
    sizes = ((quality.links, rows.link_amounts.size), (quality.elementary, rows.elementary_amounts.size))
    fits = all(m.kind.shape == (k,) and m.params.shape == (k, 3) and m.variance_ln.shape == (k,)
               for m, k in sizes)
    n = system.size
    if not fits or quality.process_dqr.shape != (n,) or quality.process_links.shape != (n, 4):
        raise SnapshotUnreadable(f"{path}: the quality arrays do not fit the rows ({system.size} processes)")
    return quality


def _quality_arrays(quality: SnapshotQuality) -> dict[str, Any]:
    arrays: dict[str, Any] = {
        "quality_process_dqr": np.asarray(quality.process_dqr, dtype=np.float64),
        "quality_process_links": np.asarray(quality.process_links, dtype=np.int64),
    }
    for part in ("links", "elementary"):
        multipliers = getattr(quality, part)
        arrays.update({f"quality_{part}_{name}": np.asarray(getattr(multipliers, name), dtype=kind)
                       for name, kind in _MULTIPLIER_KINDS.items()})
    return arrays


def _multipliers(found: dict[str, Any], part: str) -> Multipliers:
    return Multipliers(**{name: found[f"quality_{part}_{name}"] for name in _MULTIPLIER_KINDS})


def _rows_fit(rows: SnapshotRows, n: int, flows: int) -> bool:
    links = {a.size for a in (rows.link_consumers, rows.link_providers, rows.link_amounts, rows.link_is_input,
                              rows.link_is_avoided)}
    elementary = {a.size for a in (rows.elementary_processes, rows.elementary_flows, rows.elementary_amounts)}
    bounds = ((rows.link_consumers, n), (rows.link_providers, n), (rows.elementary_processes, n),
              (rows.elementary_flows, flows))
    inside = all(not a.size or (a.min() >= 0 and a.max() < limit) for a, limit in bounds)
    return len(links) == 1 and len(elementary) == 1 and inside


def _header(archive: Any) -> dict[str, Any]:
    header = json.loads(archive["header"].tobytes().decode())
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError(f"snapshot format {header.get('format') if isinstance(header, dict) else '?'}, "
                         f"expected {FORMAT}")
    return header


def _matrix(archive: Any, name: str, kind: type[sp.csc_matrix] | type[sp.csr_matrix]) -> Any:
    shape = tuple(int(v) for v in archive[f"{name}_shape"])
    return kind((archive[f"{name}_data"], archive[f"{name}_indices"], archive[f"{name}_indptr"]), shape=shape)
