"""Allocation of multi-output openLCA processes to their reference product.

A process with several product outputs (or waste inputs) is multi-output. Under its default
allocation method openLCA keeps the reference product and scales every other exchange by the
reference product's allocation factor:

- PHYSICAL_ALLOCATION / ECONOMIC_ALLOCATION: one factor ``phi`` per product; every exchange of
  the process gets ``Exchange.allocation = phi`` (the record's contract: the factor of the
  reference product, the same on every exchange; solvers apply it to the non-reference entries).
- CAUSAL_ALLOCATION: a factor per (product, exchange); each exchange gets its own, 1.0 where the
  dataset gives none.

Without a default method, or without a factor for the reference product, nothing is allocated
(1.0) and the co-product exchanges are listed in the import report as unallocated.
"""

from __future__ import annotations

from dataclasses import replace

from lcagraph.errors import MalformedDataset
from lcagraph.records import Exchange, Process
from loaders.formulas import evaluate
from loaders.jsonld_common import Json, Where, dicts, number, ref_id, text
from loaders.jsonld_flows import FlowUnits

_PER_PRODUCT = ("PHYSICAL_ALLOCATION", "ECONOMIC_ALLOCATION")


def is_provided(e: Exchange, flows: dict[str, FlowUnits]) -> bool:
    """A product output or waste input (not avoided): something this process supplies."""
    kind = flows[e.flow].flow.type
    return not e.is_avoided and ((kind == "product" and not e.is_input) or (kind == "waste" and e.is_input))


def apply_allocation(
    obj: Json,
    process: Process,
    exchanges: list[Exchange],
    raw: list[Json],
    flows: dict[str, FlowUnits],
    scope: dict[str, float],
    where: Where,
) -> tuple[list[Exchange], list[str], list[str], int]:
    """(exchanges with allocation set, unallocated co-product exchange ids, warnings, formulas)."""
    provided = [e for e in exchanges if is_provided(e, flows)]
    ref = next((e for e in exchanges if e.is_reference), None)
    if len(provided) <= 1 or ref is None:
        return exchanges, [], [], 0
    co_products = [e.id for e in provided if e.id != ref.id]
    method = text(obj, "defaultAllocationMethod")
    factors = [f for f in dicts(obj.get("allocationFactors")) if ref_id(f, "product") == ref.flow]
    if method not in (*_PER_PRODUCT, "CAUSAL_ALLOCATION"):
        warn = (
            [
                where.warning(
                    "allocation factors given but no default allocation method; none applied",
                    "defaultAllocationMethod",
                )
            ]
            if obj.get("allocationFactors")
            else []
        )
        return exchanges, co_products, warn, 0
    typed = [
        (i, f)
        for i, f in enumerate(dicts(obj.get("allocationFactors")))
        if text(f, "allocationType") == method and ref_id(f, "product") == ref.flow
    ]
    if not typed:
        return (
            exchanges,
            co_products,
            (
                [where.warning(f"no {method} factor for the reference product", "allocationFactors")]
                if factors
                else []
            ),
            0,
        )
    values = [(_value(f, i, scope, where), f) for i, f in typed]
    formulas = sum(1 for _, f in typed if text(f, "formula").strip())
    if method in _PER_PRODUCT:
        phi = values[0][0]
        warn = (
            [where.warning("allocation factor 0 for the reference product", "allocationFactors")]
            if phi == 0
            else []
        )
        return [replace(e, allocation=phi) for e in exchanges], [], warn, formulas
    return _causal(exchanges, raw, values), [], [], formulas


def _value(f: Json, i: int, scope: dict[str, float], where: Where) -> float:
    formula = text(f, "formula").strip()
    if formula:
        try:
            return evaluate(formula, scope)
        except MalformedDataset as e:
            raise where.relocate(e, f"allocationFactors[{i}].formula") from e
    return number(f.get("value"), where, f"allocationFactors[{i}].value")


def _causal(exchanges: list[Exchange], raw: list[Json], values: list[tuple[float, Json]]) -> list[Exchange]:
    by_iid: dict[int, float] = {}
    by_flow: dict[str, float] = {}
    for factor, f in values:
        ex = f.get("exchange")
        if not isinstance(ex, dict):
            continue
        if isinstance(ex.get("internalId"), int):
            by_iid[int(ex["internalId"])] = factor
        elif (flow := ref_id(ex, "flow")) is not None:
            by_flow[flow] = factor  # 1.x names the exchange by its flow only
    out = []
    for e, r in zip(exchanges, raw, strict=True):
        iid = r.get("internalId")
        value = by_iid.get(iid) if isinstance(iid, int) else None
        if value is None:
            value = by_flow.get(e.flow)
        out.append(replace(e, allocation=1.0 if value is None or e.is_reference else value))
    return out
