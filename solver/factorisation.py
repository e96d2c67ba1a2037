"""One LU factorisation of the technosphere matrix A, reused for every right-hand side.

Backends, chosen once per call of :func:`select_backend` (the ``LCAGRAPH_SOLVER`` setting forces one):

- ``pardiso``: Intel MKL PARDISO through pypardiso (extra ``lcagraph[pardiso]``), preferred when
  installed;
- ``umfpack``: SuiteSparse UMFPACK through scikit-umfpack (extra ``lcagraph[umfpack]``);
- ``superlu``: scipy's SuperLU, always available, the default otherwise.

Whichever is used, ``solve(b)`` returns x with ``A x = b`` and ``solve_transposed(b)`` x with
``A^T x = b``, for b of shape (n,) or (n, k). Results agree to the round-off of the data's
conditioning; callers check residuals (see solver.intensities).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from lcagraph.errors import ConfigurationError, InvalidArgument, SingularTechnosphere
from solver.matrices import TechnosphereSystem
from solver.singularity import check_structure, explain_singularity, locate_singular_loops, singular_error

FloatArray = npt.NDArray[np.float64]
PREFERENCE = ("pardiso", "umfpack", "superlu")
EXTRAS = {"pardiso": "pypardiso (pip install 'lcagraph[pardiso]')",
          "umfpack": "scikit-umfpack (pip install 'lcagraph[umfpack]')"}


@cache
def _importable(backend: str) -> bool:
    if backend == "superlu":
        return True
    module = "pypardiso" if backend == "pardiso" else "scikits.umfpack"
    try:
        if importlib.util.find_spec(module) is None:
            return False
        if backend == "pardiso":
            from pypardiso import PyPardisoSolver

            locate_mkl_runtime()
            PyPardisoSolver()  # raises ImportError when MKL's runtime library is missing
        else:
            import scikits.umfpack  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


@cache
def locate_mkl_runtime() -> None:
    """Point pypardiso at MKL's runtime library in this environment's ``lib`` (pip's ``mkl``
    wheel puts it there). Without PYPARDISO_MKL_RT, every PyPardisoSolver() runs ctypes'
    find_library (a subprocess) and then globs the whole environment recursively: 0.25 s each,
    0.75 s of a cold footprint's 1.7 s. A path the user set is kept."""
    if os.environ.get("PYPARDISO_MKL_RT"):
        return
    prefix = Path(sys.prefix)
    found = sorted([*prefix.glob("lib/libmkl_rt.so*"), *prefix.glob("Library/bin/mkl_rt*.dll")],
                   key=lambda path: len(str(path)))
    if found:
        os.environ["PYPARDISO_MKL_RT"] = str(found[0])


def available_backends() -> tuple[str, ...]:
    """Backends that import on this machine, most preferred first."""
    return tuple(name for name in PREFERENCE if _importable(name))


def select_backend(requested: str | None = None) -> str:
    """``requested`` (lcagraph.config.Settings.solver_backend), else the first available of PARDISO,
    UMFPACK, SuperLU. ConfigurationError names an unknown or uninstalled backend and the fix."""
    name = (requested or "").strip().lower()
    if not name:
        return available_backends()[0]
    if name not in PREFERENCE:
        raise ConfigurationError(
            f"LCAGRAPH_SOLVER={name!r} is not a solver backend; use one of {', '.join(PREFERENCE)}"
        )
    if not _importable(name):
        raise ConfigurationError(f"solver backend {name!r} is not installed here; install {EXTRAS[name]}")
    return name


class Factorisation(ABC):
    """LU factors of one n x n technosphere matrix."""

    backend: str = ""

    def __init__(self, size: int) -> None:
        self.size = size

    def solve(self, rhs: npt.ArrayLike) -> FloatArray:
        """x with A x = rhs; rhs of shape (n,) or (n, k)."""
        return self._solve(self._check(rhs), transposed=False)

    def solve_transposed(self, rhs: npt.ArrayLike) -> FloatArray:
        """x with A^T x = rhs; rhs of shape (n,) or (n, k)."""
        return self._solve(self._check(rhs), transposed=True)

    def solve_transposed_unrefined(self, rhs: npt.ArrayLike) -> FloatArray:
        """x with A^T x = rhs without the backend's own iterative refinement, for estimates that
        do not need the last digits (solver.uncertainty's sketch); default: solve_transposed."""
        return self.solve_transposed(rhs)

    def _check(self, rhs: npt.ArrayLike) -> FloatArray:
        array = np.asarray(rhs, dtype=np.float64)
        if array.ndim not in (1, 2) or array.shape[0] != self.size:
            raise InvalidArgument(
                f"right-hand side of shape {array.shape} for a {self.size} x {self.size} system; "
                "give one row per process"
            )
        return array

    @abstractmethod
    def _solve(self, rhs: FloatArray, transposed: bool) -> FloatArray: ...


def equilibrate(matrix: sp.csc_matrix, sweeps: int = 4) -> tuple[FloatArray, FloatArray]:
    """Row and column scalings (powers of two, so scaling adds no round-off) that bring every
    row and column maximum of ``diag(r) A diag(c)`` near 1 (Ruiz's iteration). Units spanning
    1e-6..1e6 otherwise steer partial pivoting to the wrong pivots."""
    scaled = sp.csr_matrix(abs(matrix))
    rows, cols = np.ones(matrix.shape[0]), np.ones(matrix.shape[1])
    for _ in range(sweeps):
        row_max = scaled.max(axis=1).toarray().ravel()
        r = np.exp2(-np.round(np.log2(np.where(row_max > 0, row_max, 1.0)) / 2))
        scaled = sp.csr_matrix(sp.diags(r) @ scaled)
        col_max = scaled.max(axis=0).toarray().ravel()
        c = np.exp2(-np.round(np.log2(np.where(col_max > 0, col_max, 1.0)) / 2))
        scaled = sp.csr_matrix(scaled @ sp.diags(c))
        rows, cols = rows * r, cols * c
    return rows, cols


def probe_backward_error(matrix: sp.csc_matrix, solve: Callable[[FloatArray], FloatArray]) -> float:
    """Componentwise backward error of solving A x = A 1 (see solver.refinement)."""
    ones = np.ones(matrix.shape[1])
    rhs = matrix @ ones
    with np.errstate(over="ignore", invalid="ignore"):
        x = solve(rhs)
        scale = abs(matrix) @ np.abs(x) + np.abs(rhs)
        residual = np.abs(rhs - matrix @ x)
    if not np.isfinite(x).all():
        return float("inf")
    return float(np.max(residual / np.where(scale > 0, scale, 1.0), initial=0.0))


class SuperLUFactorisation(Factorisation):
    """scipy SuperLU of the equilibrated A^T (COLAMD ordering). A^T because technosphere
    matrices fill in far less transposed (bw2calc measured 52 s vs 1.7 s on ecoinvent 3.9);
    equilibrated because scipy's SuperLU neither scales nor refines.

    Pivots are taken on the diagonal first: a productive technosphere is column diagonally
    dominant in value units, so elimination needs no row exchanges, and here partial pivoting
    left a componentwise backward error of 1e-4 where diagonal pivots give 1e-15 (with less fill).
    A probe solve checks that; where the diagonal fails (a zero pivot, a backward error above
    PROBE_LIMIT: co-product loops, negative entries) the factorisation is redone with partial
    pivoting. ``pivoting`` says which was kept.

    With S = diag(r) A diag(c): A x = b is S y = r * b, x = c * y; A^T x = b is S^T y = c * b,
    x = r * y. The factors are of S^T: trans="T" solves with S, trans="N" with S^T.
    """

    backend = "superlu"
    PROBE_LIMIT = 1e-10

    def __init__(self, matrix: sp.csc_matrix) -> None:
        super().__init__(matrix.shape[0])
        self._rows, self._cols = equilibrate(matrix)
        scaled_transpose = sp.csc_matrix((sp.diags(self._rows) @ matrix @ sp.diags(self._cols)).T)
        scaled_transpose.sort_indices()
        self.pivoting = "diagonal"
        try:
            self._lu = splu(scaled_transpose, permc_spec="COLAMD", diag_pivot_thresh=0.0)
            stable = probe_backward_error(matrix, self.solve) <= self.PROBE_LIMIT
        except RuntimeError:  # a zero diagonal pivot: the matrix may still be regular
            stable = False
        if not stable:
            self.pivoting = "partial"
            self._lu = splu(scaled_transpose, permc_spec="COLAMD", diag_pivot_thresh=1.0)

    def _solve(self, rhs: FloatArray, transposed: bool) -> FloatArray:
        into, out = (self._cols, self._rows) if transposed else (self._rows, self._cols)
        if rhs.ndim == 2:
            into, out = into[:, np.newaxis], out[:, np.newaxis]
        y = self._lu.solve(np.ascontiguousarray(into * rhs), trans="N" if transposed else "T")
        return np.asarray(out * y, dtype=np.float64)


class UmfpackFactorisation(Factorisation):
    """SuiteSparse UMFPACK (scikit-umfpack) of A^T, 64-bit indices ("dl": the 32-bit family sizes
    its workspace in int32, scipy/scipy#8278). A^T for the same reason as SuperLU (here A took
    minutes where A^T takes a second). UMFPACK re-reads the matrix for iterative refinement in
    every solve, so it keeps its own copy."""

    backend = "umfpack"

    def __init__(self, matrix: sp.csc_matrix) -> None:
        import scikits.umfpack as umfpack

        super().__init__(matrix.shape[0])
        self._csc = sp.csc_matrix(matrix.T, dtype=np.float64, copy=True)
        self._csc.sort_indices()
        self._csc.indices = self._csc.indices.astype(np.int64)
        self._csc.indptr = self._csc.indptr.astype(np.int64)
        # Factors of A^T: UMFPACK_A solves A^T x = b, UMFPACK_At solves A x = b.
        self._systems = (umfpack.UMFPACK_At, umfpack.UMFPACK_A)
        self._context: Any = umfpack.UmfpackContext("dl")
        self._context.maxCond = np.inf  # conditioning is reported through residuals, not warnings
        with warnings.catch_warnings():
            warnings.simplefilter("error", umfpack.UmfpackWarning)  # "Singular matrix"
            self._context.numeric(self._csc)

    def _solve(self, rhs: FloatArray, transposed: bool) -> FloatArray:
        system = self._systems[1 if transposed else 0]
        columns = rhs.reshape(self.size, -1)
        with np.errstate(divide="ignore", invalid="ignore"):  # non-finite results are checked by callers
            solved = [self._context.solve(system, self._csc, np.ascontiguousarray(columns[:, k]))
                      for k in range(columns.shape[1])]
        return np.column_stack(solved).astype(np.float64).reshape(rhs.shape)


class PardisoFactorisation(Factorisation):
    """Intel MKL PARDISO (pypardiso), its own solver instance (pypardiso's module-level one is
    shared by every caller). ``perturbed_pivots`` is MKL's iparm(14)."""

    backend = "pardiso"

    def __init__(self, matrix: sp.csc_matrix) -> None:
        from pypardiso import PyPardisoSolver

        super().__init__(matrix.shape[0])
        self._csr = sp.csr_matrix(matrix, dtype=np.float64)
        self._csr.sort_indices()
        # The same arrays read as CSC are A^T; pypardiso solves a CSC matrix with the factors of
        # its CSR reading (iparm(12) = 1), so both share this one factorisation.
        self._csc_of_transpose = sp.csc_matrix((self._csr.data, self._csr.indices, self._csr.indptr))
        locate_mkl_runtime()
        self._solver = PyPardisoSolver()
        self._solver.factorize(self._csr)
        self.perturbed_pivots = int(self._solver.get_iparm(14))

    def _solve(self, rhs: FloatArray, transposed: bool) -> FloatArray:
        matrix = self._csc_of_transpose if transposed else self._csr
        return np.asarray(self._solver.solve(matrix, rhs), dtype=np.float64)

    def solve_transposed_unrefined(self, rhs: npt.ArrayLike) -> FloatArray:
        """iparm(8) = 0 for this solve: PARDISO's default two refinement steps tripled the cost
        of 32 right-hand sides on the synthetic 20,000-process system (161 ms -> 61 ms)."""
        steps = int(self._solver.get_iparm(8))
        self._solver.set_iparm(8, 0)
        try:
            return self.solve_transposed(rhs)
        finally:
            self._solver.set_iparm(8, steps)


_BACKENDS: dict[str, type[Factorisation]] = {
    "superlu": SuperLUFactorisation, "umfpack": UmfpackFactorisation, "pardiso": PardisoFactorisation,
}


def _library_errors(backend: str) -> tuple[type[BaseException], ...]:
    if backend == "pardiso":
        from pypardiso.pardiso_wrapper import PyPardisoError

        return (RuntimeError, PyPardisoError)
    if backend == "umfpack":
        import scikits.umfpack as umfpack

        return (RuntimeError, umfpack.UmfpackWarning)
    return (RuntimeError,)


def factorise_matrix(
    matrix: sp.csc_matrix, process_ids: Sequence[str], backend: str | None = None
) -> Factorisation:
    """Factorise A once. SingularTechnosphere names the processes of a structurally deficient A
    (checked first) or of the exactly singular supply loops (after the backend fails)."""
    name = select_backend(backend)
    if matrix.shape[0] == 0:
        raise InvalidArgument("the technosphere has no process; import a database before solving")
    check_structure(matrix, process_ids)
    try:
        factorisation = _BACKENDS[name](matrix)
    except _library_errors(name) as e:
        raise explain_singularity(matrix, process_ids) from e
    if isinstance(factorisation, PardisoFactorisation) and factorisation.perturbed_pivots:
        # PARDISO perturbs zero pivots instead of failing; only exact singular loops are errors.
        loops = locate_singular_loops(matrix)
        if loops.size:
            raise singular_error(process_ids, loops, "numerically")
    return factorisation


def factorise(system: TechnosphereSystem, backend: str | None = None) -> Factorisation:
    """Factorise the technosphere matrix of ``system`` (see :func:`factorise_matrix`)."""
    return factorise_matrix(system.A, system.process_ids, backend)


__all__ = [
    "Factorisation", "SingularTechnosphere", "available_backends", "factorise",
    "factorise_matrix", "select_backend",
]
