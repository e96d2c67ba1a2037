"""openLCA JSON-LD flows → Flow records, and amounts → the flow's reference unit.

openLCA's flow property factor ``f_P`` of a flow is the amount of property P per one reference
unit of the flow's reference property (Diesel, reference Volume: Mass factor 849 kg/m3). An
amount ``a`` in unit ``u`` of property ``P`` is therefore, in the flow's reference unit::

    a_ref = a * factor(u) / f_P          (factor(u): u in P's reference unit, e.g. kWh -> 3.6 MJ)

which is what openLCA computes (``amount * unit.conversionFactor / propertyFactor.conversionFactor``).
"""

from __future__ import annotations

from dataclasses import dataclass

from lcagraph.errors import UnresolvedReference
from lcagraph.records import Flow, FlowType
from loaders.jsonld_common import Context, Json, Where, dicts, flag, number, ref_id, ref_name, text
from loaders.units import Unit

FLOW_TYPES: dict[str, FlowType] = {
    "ELEMENTARY_FLOW": "elementary",
    "PRODUCT_FLOW": "product",
    "WASTE_FLOW": "waste",
}


@dataclass(frozen=True, slots=True)
class FlowUnits:
    """How amounts of one flow convert: reference property and unit, factors per property id."""

    flow: Flow
    ref_property: str
    ref_unit: Unit
    factors: dict[str, float]


def read_flow(obj: Json, where: Where, ctx: Context) -> FlowUnits:
    """One Flow dataset; raises MalformedDataset / UnresolvedReference naming the field."""
    fid = text(obj, "@id")
    if not fid:
        raise where.error("flow without '@id'", "@id")
    kind = FLOW_TYPES.get(text(obj, "flowType"))
    if kind is None:
        raise where.error(f"flowType {obj.get('flowType')!r} is not one of {sorted(FLOW_TYPES)}", "flowType")
    factors: dict[str, float] = {}
    ref_property = ""
    for i, fpf in enumerate(dicts(obj.get("flowProperties"))):
        pid = ref_id(fpf, "flowProperty")
        if pid is None:
            raise where.error("flow property factor without a flow property", f"flowProperties[{i}]")
        if pid not in ctx.units.properties:
            raise where.unresolved(
                f"flow property {pid} is not in the package nor among openLCA's reference properties",
                f"flowProperties[{i}].flowProperty",
            )
        value = number(fpf.get("conversionFactor", 1.0), where, f"flowProperties[{i}].conversionFactor")
        if value <= 0:
            raise where.error(f"conversion factor {value} must be positive", f"flowProperties[{i}]")
        is_ref = flag(fpf, "isRefFlowProperty", "referenceFlowProperty")
        if is_ref and not ref_property:
            ref_property = pid
            factors[pid] = value
        elif pid not in factors:  # USLCI lists some properties twice; the reference entry wins
            factors[pid] = value
    if not ref_property:
        raise where.error("flow has no reference flow property", "flowProperties")
    try:
        ref_unit = ctx.units.reference_unit(ref_property)
    except UnresolvedReference as e:
        raise where.relocate(e, "flowProperties") from e
    prop = ctx.units.properties[ref_property]
    compartment = ctx.category_path(obj.get("category")) if kind == "elementary" else ()
    synonyms = tuple(s.strip() for s in text(obj, "synonyms").split(";") if s.strip())
    flow = Flow(
        id=fid,
        name=text(obj, "name"),
        type=kind,
        unit=ref_unit.name,
        flow_property=prop.name,
        cas=text(obj, "cas").strip(),
        formula=text(obj, "formula"),
        compartment=compartment,
        location=ctx.location(obj.get("location")),
        synonyms=synonyms,
        property_factors=tuple(
            sorted((ctx.units.properties[p].name, f) for p, f in factors.items() if p != ref_property)
        ),
    )
    return FlowUnits(flow, ref_property, ref_unit, factors)


@dataclass(frozen=True, slots=True)
class Quantity:
    """An amount as given (value, unit) and in the flow's reference unit."""

    unit: Unit
    amount_ref: float
    converted: bool


def to_reference(amount: float, obj: Json, fu: FlowUnits, ctx: Context, where: Where, field: str) -> Quantity:
    """Convert an exchange/factor amount given with `unit` and `flowProperty` refs in `obj`."""
    unit_id = ref_id(obj, "unit")
    prop_id = ref_id(obj, "flowProperty") or fu.ref_property
    if unit_id is None:
        raise where.error("no unit given; every amount needs a unit", f"{field}.unit")
    unit = ctx.units.units.get(unit_id)
    if unit is None:
        name = ref_name(obj, "unit")
        raise where.unresolved(
            f"unit {unit_id} ({name!r}) is not in the package's unit groups nor in openLCA's reference "
            "units; export the package with its unit groups",
            f"{field}.unit",
        )
    prop = ctx.units.properties.get(prop_id)
    if prop is None:
        raise where.unresolved(f"flow property {prop_id} is not defined", f"{field}.flowProperty")
    if unit.group != prop.unit_group:
        raise where.error(f"unit {unit.name!r} is not a unit of flow property {prop.name!r}", f"{field}.unit")
    factor = fu.factors.get(prop_id)
    if factor is None:
        raise where.error(
            f"flow {fu.flow.name!r} ({fu.flow.id}) has no factor for flow property {prop.name!r}; "
            "add it to the flow's flowProperties",
            f"{field}.flowProperty",
        )
    return Quantity(unit, amount * unit.factor / factor, unit.id != fu.ref_unit.id)
