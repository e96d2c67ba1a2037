"""Data quality and coverage of every process's total, weighted by where the total comes from.

Direct contributions. For a unit demand of process j, process k contributes its own characterised
flows scaled by its supply: t_kj = q_k S[k, j] sigma_j with q = (c B)^T, S = A^-1, and
sum_k t_kj = total_j. Weights use the *gross* direct contributions |q_k| S[k, j] sigma_j, so that
an uptake (q_k < 0, e.g. biogenic CO2) counts by its size, not against the emissions; then, for
any per-process value x_k, one transposed solve gives every node at once:

    weighted_j = sum_k x_k |q_k| S[k, j] / sum_k |q_k| S[k, j] = [A^-T (x |q|)]_j / [A^-T |q|]_j

Negative supply (avoided products, co-product loops: S[k, j] < 0) stays signed: such weights
lower the node's sums. Shares are clipped to [0, 1]; a weighted DQR that leaves [1, 5] (credits
weighing more than the burdens they offset) is not clipped into a rating but reported NaN and
rated "undetermined". A node whose gross sum is not positive (nothing characterised upstream,
or credits outweighing burdens) gets NaN.

- DQR_j: x = DQR_k over processes with data; ``without_data`` = share of processes without DQ
  data (x = 1 for them), which is never rated: the DQR is the average over the part with data;
- coverage_j: x = 1 for processes whose whole sub-tree is complete (solver.completeness).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lcagraph.errors import InvalidArgument
from solver.factorisation import Factorisation
from solver.intensities import characterised_direct
from solver.matrices import TechnosphereSystem

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
# EU PEF (Commission Recommendation (EU) 2021/2279, Annex I, table 17): DQR <= bound -> rating.
SLACK = 1e-9  # round-off of the weighted sums
RATINGS = ((1.5, "excellent"), (2.0, "very good"), (3.0, "good"), (4.0, "fair"), (np.inf, "poor"))


@dataclass(frozen=True)
class QualityRating:
    """Per process (n,), one category: ``dqr`` (NaN where undefined), ``rating`` (PEF words;
    "no data" where no contribution has DQ data, "undetermined" where credits make the average
    meaningless), ``without_data`` share of the gross total from processes without DQ data."""

    process_ids: tuple[str, ...]
    category_id: str
    dqr: FloatArray
    rating: tuple[str, ...]
    without_data: FloatArray


def rate_dqr(dqr: float) -> str:
    """PEF rating of one DQR value ("no data" for NaN)."""
    if not np.isfinite(dqr):
        return "no data"
    return next(word for bound, word in RATINGS if dqr <= bound)


def weigh_by_contribution(
    system: TechnosphereSystem, factorisation: Factorisation, values: FloatArray, category: int = 0
) -> FloatArray:
    """(n, v): for per-process values (n, v), the contribution-weighted average at every node
    (module docstring); NaN where the gross sum is not positive."""
    if not 0 <= category < len(system.category_ids):
        raise InvalidArgument(f"category index {category} is out of range for {len(system.category_ids)}")
    gross = np.abs(characterised_direct(system)[:, category])
    x = np.asarray(values, dtype=np.float64).reshape(system.size, -1)
    solved = factorisation.solve_transposed(np.column_stack([gross, x * gross[:, np.newaxis]]))
    denominator = system.orientation * solved[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        weighted = system.orientation[:, np.newaxis] * solved[:, 1:] / denominator[:, np.newaxis]
    return np.asarray(np.where((denominator > 0)[:, np.newaxis], weighted, np.nan), dtype=np.float64)


def aggregate_dqr(
    system: TechnosphereSystem, factorisation: Factorisation, dqr: npt.ArrayLike, category: int = 0
) -> QualityRating:
    """Contribution-weighted DQR of every node from per-process DQR values (n,), NaN = no data
    (DQR in [1, 5]: the EU PEF overall DQR, or the mean of a process's pedigree scores)."""
    values = np.asarray(dqr, dtype=np.float64).reshape(-1)
    if values.size != system.size:
        raise InvalidArgument(f"{values.size} DQR values for {system.size} processes; give one per process")
    has = np.isfinite(values)
    if ((values[has] < 1) | (values[has] > 5)).any():
        raise InvalidArgument("DQR values lie between 1 and 5; fix the data-quality entries")
    columns = np.column_stack([np.where(has, values, 0.0), ~has, has])
    weighted = weigh_by_contribution(system, factorisation, columns, category)
    # "No data" is decided on the share *with* data, which is exactly 0 when no contribution has
    # any (a sum of zeros), not on 1 - without, which round-off leaves at 1 - 1e-16 (or not) depending
    # on the order the processes were solved in.
    with_data = weighted[:, 2]
    nodata = ~np.isfinite(with_data) | (with_data == 0.0)
    without = np.where(nodata & np.isfinite(with_data), 1.0, np.clip(weighted[:, 1], 0.0, 1.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        node = np.where(nodata, np.nan, weighted[:, 0] / with_data)
    inside = np.isfinite(node) & (node >= 1.0 - SLACK) & (node <= 5.0 + SLACK)
    node = np.where(inside, np.clip(node, 1.0, 5.0), np.nan)
    words = tuple(rate_dqr(v) if np.isfinite(v) or n else "undetermined"
                  for v, n in zip(node, nodata, strict=True))
    return QualityRating(system.process_ids, system.category_ids[category], node, words, without)


def compute_coverage(
    system: TechnosphereSystem, factorisation: Factorisation, complete_subtree: BoolArray, category: int = 0
) -> FloatArray:
    """(n,) share of every node's gross total that comes from processes whose whole sub-tree is
    complete (solver.completeness.find_complete_subtrees), in [0, 1]; NaN where undefined."""
    mask = np.asarray(complete_subtree, dtype=bool).reshape(-1)
    if mask.size != system.size:
        raise InvalidArgument(f"{mask.size} completeness flags for {system.size} processes")
    share = weigh_by_contribution(system, factorisation, mask.astype(np.float64), category)[:, 0]
    return np.asarray(np.where(np.isfinite(share), np.clip(share, 0.0, 1.0), np.nan), dtype=np.float64)
