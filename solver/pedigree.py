"""Uncertainty of one exchange as the variance of ln(amount): from its given distribution, else
from its pedigree scores and a basic uncertainty (docs/quality.md has the tables and sources).

Every distribution is turned into a *multiplier* of the deterministic amount (the value in A, B
or C), so that signs, units and allocation factors stay with the matrix entry:

- lognormal: median 1, ``sigma2 = ln(GSD)^2`` (JSON-LD ``geomSd`` and ILCD/EcoSpold's GSD are the
  geometric standard deviation; the 95 % factor is GSD^2);
- normal, triangular, uniform: parameters divided by the amount as given; their variance of ln
  by moment matching, i.e. the lognormal with the same mean m and standard deviation s:
  ``sigma2 = ln(1 + (s / m)^2)`` (Muller et al. 2016), with

      triangular (a, c, b): m = (a + b + c) / 3,  s^2 = (a^2 + b^2 + c^2 - ab - ac - bc) / 18
      uniform (a, b):       m = (a + b) / 2,      s^2 = (b - a)^2 / 12

- no distribution: lognormal, ``sigma2 = basic + sum_i pedigree[i][score_i]`` (ecoinvent v3
  additive variances: Weidema et al. 2013, eq. 10.3) with either factor table below.

Scores are ordered (reliability, completeness, temporal, geographical, further technological
correlation); 0 means "not given" and adds nothing. Shapes: k exchanges, scores (k, 5).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

import numpy as np
import numpy.typing as npt

from lcagraph.errors import InvalidArgument

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
PedigreeTable = Literal["ecoinvent3", "ciroth2016"]
INDICATORS = ("reliability", "completeness", "temporal", "geographical", "technological")


class Kind(IntEnum):
    """Distribution of a multiplier; codes kept in int8 arrays."""

    NONE = 0
    LOGNORMAL = 1
    NORMAL = 2
    TRIANGULAR = 3
    UNIFORM = 4


# Weidema et al. 2013, table 10.5: variance of ln added per indicator score 1..5.
ECOINVENT3 = np.array([
    [0.0, 0.0006, 0.002, 0.008, 0.04],      # reliability
    [0.0, 0.0001, 0.0006, 0.002, 0.008],    # completeness
    [0.0, 0.0002, 0.002, 0.008, 0.04],      # temporal correlation
    [0.0, 0.000025, 0.0001, 0.0006, 0.002],  # geographical correlation
    [0.0, 0.0006, 0.008, 0.04, 0.12],       # further technological correlation
])

# Ciroth et al. 2016, uncertainty factors U (95 % factors, GSD^2 = U) per score 1..5; the paper
# gives none for score 5 of reliability, completeness and geographical correlation ("n.a."):
# the score-4 factor is used there, a lower bound (docs/quality.md).
CIROTH2016_FACTORS = np.array([
    [1.0, 1.54, 1.61, 1.69, 1.69],
    [1.0, 1.03, 1.04, 1.08, 1.08],
    [1.0, 1.03, 1.10, 1.19, 1.29],
    [1.0, 1.04, 1.08, 1.11, 1.11],
    [1.0, 1.18, 1.65, 2.08, 2.80],
])
CIROTH2016 = (np.log(CIROTH2016_FACTORS) / 2.0) ** 2  # sigma = ln(U) / 2

TABLES: dict[str, FloatArray] = {"ecoinvent3": ECOINVENT3, "ciroth2016": CIROTH2016}

# Weidema et al. 2013, table 10.4: basic uncertainty (variance of ln) by exchange group and
# process kind (c combustion, p process, a agricultural), here converted from the ecoinvent v2
# factors U as (ln U / 2)^2 and rounded as the table does (docs/quality.md); groups without a
# value for a kind take the value of the first kind listed.
BASIC_VARIANCE: dict[str, dict[str, float]] = {
    "demand": {"c": 0.0006, "p": 0.0006, "a": 0.0006},  # energy, materials, waste treatment
    "transport": {"c": 0.12, "p": 0.12, "a": 0.12},
    "infrastructure": {"c": 0.3, "p": 0.3, "a": 0.3},
    "resource": {"c": 0.0006, "p": 0.0006, "a": 0.0006},  # energy carriers, metals, salts
    "land occupation": {"c": 0.04, "p": 0.04, "a": 0.002},
    "land transformation": {"c": 0.12, "p": 0.12, "a": 0.008},
    "water: BOD, COD, DOC, TOC, inorganic": {"p": 0.04},
    "water: hydrocarbons, PAH": {"p": 0.3},
    "water: heavy metals": {"p": 0.04, "a": 0.04},
    "water: NO3, PO4": {"a": 0.008},
    "soil: oil, hydrocarbons": {"p": 0.04},
    "soil: heavy metals": {"p": 0.04, "a": 0.04},
    "soil: pesticides": {"a": 0.008},
    "air: CO2": {"c": 0.0006, "p": 0.0006},
    "air: SO2": {"c": 0.0006},
    "air: NMVOC": {"c": 0.04},
    "air: NOx, N2O": {"c": 0.04, "a": 0.03},
    "air: CH4, NH3": {"c": 0.04, "a": 0.008},
    "air: hydrocarbons": {"c": 0.04, "p": 0.12},
    "air: PM>10": {"c": 0.04, "p": 0.04},
    "air: PM10": {"c": 0.12, "p": 0.12},
    "air: PM2.5": {"c": 0.3, "p": 0.3},
    "air: PAH": {"c": 0.3},
    "air: CO, heavy metals": {"c": 0.65},
    "air: inorganic, others": {"p": 0.04},
    "air: radionuclides": {"p": 0.3},
}
DEFAULT_BASIC = BASIC_VARIANCE["demand"]["p"]


def look_up_basic_variance(group: str, kind: str = "p") -> float:
    """Basic variance of ln for an exchange group and process kind ("c", "p" or "a")."""
    try:
        values = BASIC_VARIANCE[group]
    except KeyError as e:
        raise InvalidArgument(
            f"no basic uncertainty group {group!r}; use one of {sorted(BASIC_VARIANCE)}"
        ) from e
    return values.get(kind, next(iter(values.values())))


def compute_pedigree_variance(scores: npt.ArrayLike, table: PedigreeTable = "ecoinvent3") -> FloatArray:
    """(k,) added variance of ln for pedigree scores (k, 5), 0 = not given."""
    if table not in TABLES:
        raise InvalidArgument(f"pedigree table {table!r} is unknown; use one of {sorted(TABLES)}")
    s = np.asarray(scores, dtype=np.int64).reshape(-1, len(INDICATORS))
    if ((s < 0) | (s > 5)).any():
        raise InvalidArgument("pedigree scores run from 1 to 5 (0 = not given); fix the data-quality entry")
    factors = np.hstack([np.zeros((5, 1)), TABLES[table]])  # column 0: not given
    return np.asarray(factors[np.arange(len(INDICATORS)), s].sum(axis=1), dtype=np.float64)


_KEYWORDS = (("reliab",), ("complet", "collection"), ("tempor", "time"), ("geograph",), ("techn",))


def order_indicators(names: tuple[str, ...] | list[str]) -> tuple[int, ...]:
    """Position in INDICATORS of each indicator name of a DQ system, in the system's order (the
    US EPA flow pedigree lists reliability, temporal, geographical, technological, data
    collection; "data collection methods" is read as completeness)."""
    positions = []
    for name in names:
        low = name.lower()
        hit = [i for i, words in enumerate(_KEYWORDS) if any(w in low for w in words)]
        if len(hit) != 1:
            raise InvalidArgument(f"DQ indicator {name!r} matches no pedigree indicator (or several); "
                                  f"expected names like {', '.join(INDICATORS)}")
        positions.append(hit[0])
    if len(set(positions)) != len(positions):
        raise InvalidArgument(f"DQ indicators {list(names)} name one pedigree indicator twice")
    return tuple(positions)


def parse_pedigree_entry(entry: str, indicators: tuple[str, ...] | list[str] = ()) -> tuple[int, ...]:
    """Scores (reliability, completeness, temporal, geographical, technological) from an entry
    "(1;2;3;1;2)"; "n.a." or "" -> 0. ``indicators``: the DQ system's indicator names in the
    entry's order (default: openLCA's / EcoSpold2's ecoinvent order, as INDICATORS)."""
    parts = [p.strip() for p in entry.strip().strip("()").split(";")]
    order = order_indicators(indicators) if indicators else tuple(range(len(INDICATORS)))
    if len(parts) != len(order):
        raise InvalidArgument(
            f"pedigree entry {entry!r} has {len(parts)} scores; give {len(order)} as (1;2;3;4;5)"
        )
    scores = [0] * len(INDICATORS)
    for position, part in zip(order, parts, strict=True):
        scores[position] = int(part) if part.isdigit() else 0
    return tuple(scores)


@dataclass(frozen=True)
class Multipliers:
    """Per exchange (k,): ``kind`` (Kind codes), ``params`` (k, 3) of the multiplier of the
    deterministic amount (lognormal: sigma, -, -; normal: mean, sd, -; triangular: min, mode,
    max; uniform: min, max, -), and ``variance_ln`` (k,) as in the module docstring."""

    kind: npt.NDArray[np.int8]
    params: FloatArray
    variance_ln: FloatArray


def _moment_matched(mean: FloatArray, sd: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        cv2 = np.where(mean != 0, (sd / mean) ** 2, np.inf)
    return np.asarray(np.log1p(cv2), dtype=np.float64)


def _relative(params: FloatArray, amounts: FloatArray, kind: npt.NDArray[np.int8]) -> FloatArray:
    given = kind >= Kind.NORMAL
    bad = np.flatnonzero(given & (amounts == 0))
    if bad.size:
        raise InvalidArgument(f"exchange(s) {bad[:10].tolist()} have a distribution but a zero amount; "
                              "give the amount the distribution is about")
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = params / np.where(amounts == 0, 1.0, amounts)[:, np.newaxis]
    return np.asarray(np.where(given[:, np.newaxis], scaled, params), dtype=np.float64)


def _given_variance(kind: npt.NDArray[np.int8], raw: FloatArray, rel: FloatArray) -> FloatArray:
    variance = np.zeros(kind.size)
    lognormal = kind == Kind.LOGNORMAL
    with np.errstate(divide="ignore", invalid="ignore"):
        variance[lognormal] = np.log(raw[lognormal, 0]) ** 2
    normal, tri, uni = kind == Kind.NORMAL, kind == Kind.TRIANGULAR, kind == Kind.UNIFORM
    variance[normal] = _moment_matched(rel[normal, 0], np.abs(rel[normal, 1]))
    a, c, b = rel[tri, 0], rel[tri, 1], rel[tri, 2]
    spread = np.sqrt(np.maximum(a * a + b * b + c * c - a * b - a * c - b * c, 0.0) / 18)
    variance[tri] = _moment_matched((a + b + c) / 3, spread)
    lo, hi = rel[uni, 0], rel[uni, 1]
    variance[uni] = _moment_matched((lo + hi) / 2, np.abs(hi - lo) / np.sqrt(12.0))
    return variance


def describe_multipliers(
    kinds: npt.ArrayLike,
    amounts: npt.ArrayLike,
    params: npt.ArrayLike,
    scores: npt.ArrayLike | None = None,
    basic: npt.ArrayLike | float = DEFAULT_BASIC,
    table: PedigreeTable = "ecoinvent3",
) -> Multipliers:
    """Multipliers of k exchanges. ``kinds`` (k,) Kind codes of the *given* distribution (NONE:
    derive a lognormal from ``scores`` (k, 5) and ``basic``); ``amounts`` (k,) the amount as
    given (same unit as ``params``); ``params`` (k, 3) as given: lognormal (GSD, -, -), normal
    (mean, sd, -), triangular (min, mode, max), uniform (min, max, -); NaN where unused.
    An exchange without distribution and without scores gets ``basic`` only (0 for none)."""
    kind = np.asarray(kinds, dtype=np.int8).reshape(-1)
    k = kind.size
    amount = np.asarray(amounts, dtype=np.float64).reshape(k)
    raw = np.asarray(params, dtype=np.float64).reshape(k, 3)
    rel = _relative(raw, amount, kind)
    variance = _given_variance(kind, raw, rel)
    derived = kind == Kind.NONE
    pedigree = compute_pedigree_variance(scores, table) if scores is not None else np.zeros(k)
    variance[derived] = (np.broadcast_to(np.asarray(basic, dtype=np.float64), (k,)) + pedigree)[derived]
    if not np.isfinite(variance).all() or (variance < 0).any():
        bad = np.flatnonzero(~np.isfinite(variance) | (variance < 0))[:10].tolist()
        raise InvalidArgument(f"exchange(s) {bad} have an invalid distribution (GSD <= 0, mean 0, or NaN "
                              "parameters); fix them in the source data")
    lognormal = kind == Kind.LOGNORMAL
    rel[lognormal, 0] = np.sqrt(variance[lognormal])
    out_kind = np.where(derived & (variance > 0), np.int8(Kind.LOGNORMAL), kind).astype(np.int8)
    rel[derived] = np.column_stack([np.sqrt(variance[derived]), np.full((int(derived.sum()), 2), np.nan)])
    return Multipliers(out_kind, rel, variance)
