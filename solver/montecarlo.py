"""Monte Carlo of one demand: N runs, each with A, B (and C) sampled cell by cell from their
multipliers (solver.distributions), A re-factorised, h = C B A^-1 f.

Re-factorisation keeps what depends on the sparsity pattern only, which every run shares:

- ``superlu``: the COLAMD column order and the power-of-two equilibration of the deterministic A^T
  are computed once; each run factorises the scaled, permuted A^T with ``permc_spec="NATURAL"``
  and refines the solve once against the sampled A. scipy exposes no way to keep SuperLU's
  elimination tree and supernodes, so that part of the symbolic analysis is redone every run;
- ``pardiso``: analysis (phase 11) once, then numeric factorisation only (phase 22) per run;
- ``umfpack``: scikit-umfpack has no numeric-only entry point for a new matrix here: each run is a
  full factorisation (solver.factorisation.factorise_matrix).

Deterministic for a seed: one numpy Generator draws every run's multipliers in run order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from lcagraph.errors import InvalidArgument, NonFiniteResult
from solver.distributions import EntryDistributions, SystemUncertainty
from solver.factorisation import equilibrate, factorise_matrix, select_backend
from solver.inventory import build_demand
from solver.matrices import TechnosphereSystem
from solver.pedigree import Kind

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
PERCENTILES = (2.5, 5.0, 25.0, 50.0, 75.0, 95.0, 97.5)
Progress = Callable[[int, int], None]  # (runs done, runs asked)


@dataclass(frozen=True)
class MonteCarloResult:
    """Scores of one category over the runs: ``samples`` (N,), their ``mean``, ``median``, ``sd``,
    ``percentiles`` {p: value} for PERCENTILES, ``gsd2`` = exp(2 sd(ln |h|)) over runs with the
    deterministic sign, ``deterministic`` h of the unsampled system; ``backend`` and ``seed``."""

    samples: FloatArray
    deterministic: float
    mean: float
    median: float
    sd: float
    percentiles: Mapping[float, float]
    gsd2: float
    runs: int
    seed: int
    backend: str


def sample_multipliers(entries: EntryDistributions, rng: np.random.Generator) -> FloatArray:
    """One draw of every cell's multiplier (k,), in cell order."""
    kind, p = entries.multipliers.kind, entries.multipliers.params
    z = rng.standard_normal(kind.size)
    u = rng.random(kind.size)
    out = np.ones(kind.size)
    ln = kind == Kind.LOGNORMAL
    out[ln] = np.exp(p[ln, 0] * z[ln])
    normal = kind == Kind.NORMAL
    out[normal] = p[normal, 0] + p[normal, 1] * z[normal]
    uni = kind == Kind.UNIFORM
    out[uni] = p[uni, 0] + (p[uni, 1] - p[uni, 0]) * u[uni]
    tri = kind == Kind.TRIANGULAR
    out[tri] = _triangular(p[tri], u[tri])
    return out


def _triangular(p: FloatArray, u: FloatArray) -> FloatArray:
    """Inverse CDF of triangular(min, mode, max); bounds sorted (a negative amount flips them)."""
    lo, hi = np.minimum(p[:, 0], p[:, 2]), np.maximum(p[:, 0], p[:, 2])
    mode = np.clip(p[:, 1], lo, hi)
    width = np.where(hi > lo, hi - lo, 1.0)
    split = (mode - lo) / width
    left = lo + np.sqrt(u * width * (mode - lo))
    right = hi - np.sqrt((1 - u) * width * (hi - mode))
    return np.asarray(np.where(u < split, left, right), dtype=np.float64)


def _positions(matrix: sp.csc_matrix, entries: EntryDistributions) -> IntArray:
    """Index into matrix.data of each cell (CSC, sorted indices)."""
    positions = np.empty(entries.size, dtype=np.int64)
    for t, (i, j) in enumerate(zip(entries.rows, entries.cols, strict=True)):
        start, stop = matrix.indptr[j], matrix.indptr[j + 1]
        positions[t] = start + np.searchsorted(matrix.indices[start:stop], i)
    return positions


class _Sampler:
    """A, B, C as CSC with the data positions of their uncertain cells."""

    def __init__(self, system: TechnosphereSystem, uncertainty: SystemUncertainty) -> None:
        self.parts: list[tuple[sp.csc_matrix, EntryDistributions | None, IntArray]] = []
        for matrix, entries in ((system.A, uncertainty.technosphere), (system.B, uncertainty.biosphere),
                                (system.C, uncertainty.characterisation)):
            csc = sp.csc_matrix(matrix, copy=True)
            csc.sort_indices()
            where = _positions(csc, entries) if entries is not None else np.zeros(0, dtype=np.int64)
            self.parts.append((csc, entries, where))

    def draw(self, rng: np.random.Generator) -> list[sp.csc_matrix]:
        drawn = []
        for csc, entries, where in self.parts:
            data = csc.data.copy()
            if entries is not None and entries.size:
                data[where] *= sample_multipliers(entries, rng)
            drawn.append(sp.csc_matrix((data, csc.indices, csc.indptr), shape=csc.shape))
        return drawn


def _reorder(
    template: sp.csc_matrix, move: Callable[[sp.csc_matrix], sp.spmatrix]
) -> tuple[IntArray, IntArray, IntArray]:
    """(positions, indices, indptr) of move(template) (a transpose, a column permutation, a format
    change: values moved, never summed): its data is template.data[positions] for any values on
    the template's pattern, so each run fills one array instead of redoing the sparse operations."""
    marks = np.arange(1, template.nnz + 1, dtype=np.float64)
    moved = move(sp.csc_matrix((marks, template.indices, template.indptr), shape=template.shape))
    moved = sp.csc_matrix(moved) if moved.format == "csc" else sp.csr_matrix(moved)
    moved.sort_indices()
    return moved.data.astype(np.int64) - 1, moved.indices, moved.indptr


class _SuperLU:
    def __init__(self, template: sp.csc_matrix) -> None:
        rows, cols = equilibrate(template)
        self.rows, self.cols, self.shape = rows, cols, template.shape
        scaled = sp.csc_matrix((sp.diags(rows) @ template @ sp.diags(cols)).T)
        self.order = splu(scaled, permc_spec="COLAMD").perm_c
        self.positions, self.indices, self.indptr = _reorder(
            template, lambda m: sp.csc_matrix(sp.csc_matrix(m.T)[:, self.order]))
        col_of = np.repeat(np.arange(template.shape[1]), np.diff(template.indptr))
        self.scale = (rows[template.indices] * cols[col_of])[self.positions]

    def solve(self, matrix: sp.csc_matrix, f: FloatArray) -> FloatArray:
        # S = diag(r) A diag(c); the factors are of S^T Pi (columns in COLAMD order): A s = f is
        # S^T-transposed with right-hand side (r f) permuted, s = c * y.
        permuted = sp.csc_matrix((matrix.data[self.positions] * self.scale, self.indices, self.indptr),
                                 shape=self.shape)
        lu = splu(permuted, permc_spec="NATURAL")
        y = lu.solve(np.ascontiguousarray((self.rows * f)[self.order]), trans="T")
        s = self.cols * y
        correction = lu.solve(np.ascontiguousarray((self.rows * (f - matrix @ s))[self.order]), trans="T")
        return np.asarray(s + self.cols * correction, dtype=np.float64)


class _Pardiso:
    def __init__(self, template: sp.csc_matrix) -> None:
        from pypardiso import PyPardisoSolver

        self.positions, self.indices, self.indptr = _reorder(template, sp.csr_matrix)
        self.shape = template.shape
        self.solver = PyPardisoSolver()
        self.solver.factorize(self._csr(template))  # phases 11 + 22: the analysis is kept for the runs

    def _csr(self, matrix: sp.csc_matrix) -> sp.csr_matrix:
        return sp.csr_matrix((matrix.data[self.positions], self.indices, self.indptr), shape=self.shape)

    def solve(self, matrix: sp.csc_matrix, f: FloatArray) -> FloatArray:
        # pypardiso has no public numeric-only step: its phases are driven directly.
        csr = self._csr(matrix)
        self.solver.set_phase(22)  # numeric factorisation only, same pattern
        self.solver._call_pardiso(csr, np.zeros(csr.shape[0]))
        self.solver.set_phase(33)  # solve with those factors
        return np.asarray(self.solver._call_pardiso(csr, np.ascontiguousarray(f)), dtype=np.float64)


class _Fresh:
    def __init__(self, process_ids: tuple[str, ...], backend: str) -> None:
        self.process_ids, self.backend = process_ids, backend

    def solve(self, matrix: sp.csc_matrix, f: FloatArray) -> FloatArray:
        return factorise_matrix(matrix, self.process_ids, self.backend).solve(f)


def _solver(
    template: sp.csc_matrix, process_ids: tuple[str, ...], backend: str
) -> _SuperLU | _Pardiso | _Fresh:
    if backend == "superlu":
        return _SuperLU(template)
    if backend == "pardiso":
        return _Pardiso(template)
    return _Fresh(process_ids, backend)


def run_monte_carlo(
    system: TechnosphereSystem, uncertainty: SystemUncertainty, demand: Mapping[str, float], *,
    runs: int = 1000, seed: int = 0, category: int = 0, backend: str | None = None,
    progress: Progress | None = None,
) -> MonteCarloResult:
    """``runs`` samples of the score of ``demand`` in one category (module docstring);
    ``progress(done, runs)`` is called after every run."""
    if runs < 2:
        raise InvalidArgument(f"{runs} Monte Carlo runs: ask for at least 2")
    if not 0 <= category < len(system.category_ids):
        raise InvalidArgument(f"category index {category} is out of range for {len(system.category_ids)}")
    name = select_backend(backend)
    f = build_demand(system, demand)
    sampler = _Sampler(system, uncertainty)
    template = sampler.parts[0][0]
    solver = _solver(template, system.process_ids, name)
    rng = np.random.default_rng(seed)
    samples = np.empty(runs)
    for run in range(runs):
        a, b, c = sampler.draw(rng)
        samples[run] = float((c @ (b @ solver.solve(a, f)))[category])
        if progress is not None:
            progress(run + 1, runs)
    if not np.isfinite(samples).all():
        raise NonFiniteResult("a Monte Carlo run gave a non-finite score: a sampled technosphere is "
                              "singular; check the distributions of loop exchanges")
    deterministic = float((system.C @ (system.B @ solver.solve(template, f)))[category])
    return _summarise(samples, deterministic, seed, name)


def _summarise(samples: FloatArray, deterministic: float, seed: int, backend: str) -> MonteCarloResult:
    sign = 1.0 if deterministic >= 0 else -1.0
    same_sign = samples[samples * sign > 0] * sign
    spread = float(np.std(np.log(same_sign), ddof=1)) if same_sign.size > 1 else float("nan")
    values = np.percentile(samples, PERCENTILES)
    return MonteCarloResult(
        samples=samples, deterministic=deterministic, mean=float(samples.mean()),
        median=float(np.median(samples)), sd=float(samples.std(ddof=1)),
        percentiles=dict(zip(PERCENTILES, map(float, values), strict=True)),
        gsd2=float(np.exp(2 * spread)), runs=samples.size, seed=seed, backend=backend,
    )
