"""Plain row tables, the solver's input: ids and numbers as the graph's bulk read returns them.

Amounts are in the flow's reference unit per the process's reference amount as given in its
dataset; see solver.matrices for how each row enters A, B and C.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Floats = Sequence[float] | FloatArray
Bools = Sequence[bool] | BoolArray


@dataclass(frozen=True, slots=True)
class ProcessTable:
    """One row per process: id, reference amount as given, reference-is-input (waste treatment)
    flag and allocation factor of the reference product (1 where no allocation applies)."""

    ids: Sequence[str]
    ref_amounts: Floats
    ref_is_input: Bools | None = None
    allocation: Floats | None = None


@dataclass(frozen=True, slots=True)
class LinkTable:
    """One row per linked product input / waste output: consumer process, provider process,
    amount per the consumer's reference amount as given, direction as stored, avoided flag.

    The amount must be in units of the provider's *reference* flow: for a link into a co-product
    of the provider, multiply the exchange's ``amount_ref`` by ``ProviderLink.provider_scale``
    (r/c: c of the co-product per r of the reference; PROVIDER.scale on the graph)."""

    consumers: Sequence[str]
    providers: Sequence[str]
    amounts: Floats
    is_input: Bools
    is_avoided: Bools | None = None


@dataclass(frozen=True, slots=True)
class ElementaryTable:
    """One row per elementary exchange: process, flow, amount (positive as given), direction."""

    processes: Sequence[str]
    flows: Sequence[str]
    amounts: Floats
    is_input: Bools


@dataclass(frozen=True, slots=True)
class FactorTable:
    """One row per characterisation factor: category, flow, value per flow reference unit."""

    categories: Sequence[str]
    flows: Sequence[str]
    values: Floats
