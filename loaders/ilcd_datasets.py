"""ILCD reference datasets: unit groups, flow properties and flows, with their conversion factors.

ILCD amounts are in the reference unit of a flow's *reference flow property* unless an exchange
names another property/unit. A flow lists each property with a ``meanValue``: the amount of that
property per unit of the reference property (e.g. Diesel: Mass 1 kg, carbon content 0.8658 kg C).
So an amount ``a`` in unit ``u`` of property ``p`` is ``a · f(u) · m(ref) / m(p)`` in the
reference unit, where ``f(u)`` is the unit's ``meanValue`` in its unit group.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lcagraph.errors import MalformedDataset, UnresolvedReference
from lcagraph.records import Flow, FlowType
from loaders.xml import Element, lang_text, text_at, to_float

FLOW_TYPES: dict[str, FlowType] = {
    "Elementary flow": "elementary",
    "Product flow": "product",
    "Waste flow": "waste",
    "Other flow": "product",
}
_REF_PROPERTY = "referenceToReferenceFlowProperty"
_NAME_PARTS = ("baseName", "treatmentStandardsRoutes", "mixAndLocationTypes", "flowProperties")


@dataclass(frozen=True, slots=True)
class UnitGroup:
    """Units by name with their factor to the reference unit; internal ids map to names."""

    id: str
    name: str
    reference_unit: str
    factors: dict[str, float]
    internal_ids: dict[str, str]
    file: str = ""


@dataclass(frozen=True, slots=True)
class FlowProperty:
    """A quantity (Mass, Net calorific value …) measured in the units of one unit group."""

    id: str
    name: str
    unit_group: str
    file: str = ""


@dataclass(frozen=True, slots=True)
class RawFlow:
    """A flow as written: its reference property (internal id) and each property's meanValue."""

    id: str
    name: str
    type: FlowType
    file: str
    reference_property: str
    properties: dict[str, tuple[str, float]]
    cas: str = ""
    formula: str = ""
    compartment: tuple[str, ...] = ()
    location: str = ""
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ResolvedFlow:
    """A flow with its record and the factors of its properties relative to the reference one."""

    record: Flow
    file: str
    property_factors: dict[str, float] = field(default_factory=dict)
    reference_group: UnitGroup | None = None


def dataset_uuid(root: Element, info_path: str, file: str) -> str:
    """The UUID in ``<info_path>/dataSetInformation/UUID``; MalformedDataset when missing."""
    uuid = text_at(root, f"{info_path}/dataSetInformation/UUID")
    if not uuid:
        raise MalformedDataset("dataset has no UUID", file=file, field=f"{info_path}/dataSetInformation/UUID")
    return uuid


def read_unit_group(root: Element, file: str) -> UnitGroup:
    """A unitGroupDataSet: units, factors and the reference unit."""
    uuid = dataset_uuid(root, "unitGroupInformation", file)
    factors: dict[str, float] = {}
    internal: dict[str, str] = {}
    for unit in root.findall("units/unit"):
        name = text_at(unit, "name")
        factors[name] = to_float(text_at(unit, "meanValue"), file=file, dataset=uuid,
                                 field=f"units/unit[{name}]/meanValue")
        internal[unit.get("dataSetInternalID", "").strip()] = name
    ref_id = text_at(root, "unitGroupInformation/quantitativeReference/referenceToReferenceUnit")
    if ref_id not in internal:
        raise UnresolvedReference(f"reference unit {ref_id!r} is not among the units {sorted(internal)}",
                                  file=file, dataset=uuid,
                                  field="quantitativeReference/referenceToReferenceUnit")
    name = lang_text(root, "unitGroupInformation/dataSetInformation/name")
    return UnitGroup(uuid, name, internal[ref_id], factors, internal, file)


def read_flow_property(root: Element, file: str) -> FlowProperty:
    """A flowPropertyDataSet: name and unit group."""
    uuid = dataset_uuid(root, "flowPropertiesInformation", file)
    ref = root.find("flowPropertiesInformation/quantitativeReference/referenceToReferenceUnitGroup")
    group = ref.get("refObjectId", "").strip() if ref is not None else ""
    if not group:
        raise MalformedDataset("flow property names no unit group", file=file, dataset=uuid,
                               field="quantitativeReference/referenceToReferenceUnitGroup")
    name = lang_text(root, "flowPropertiesInformation/dataSetInformation/name")
    return FlowProperty(uuid, name, group, file)


def read_flow(root: Element, file: str) -> RawFlow:
    """A flowDataSet as written (references unresolved)."""
    uuid = dataset_uuid(root, "flowInformation", file)
    info = root.find("flowInformation/dataSetInformation")
    kind = text_at(root, "modellingAndValidation/LCIMethod/typeOfDataSet")
    if kind not in FLOW_TYPES:
        raise MalformedDataset(f"unknown flow type {kind!r}; expected one of {sorted(FLOW_TYPES)}",
                               file=file, dataset=uuid, field="LCIMethod/typeOfDataSet")
    properties: dict[str, tuple[str, float]] = {}
    for prop in root.findall("flowProperties/flowProperty"):
        ref = prop.find("referenceToFlowPropertyDataSet")
        internal = prop.get("dataSetInternalID", "").strip()
        mean = text_at(prop, "meanValue") or "1"
        properties[internal] = (
            ref.get("refObjectId", "").strip() if ref is not None else "",
            to_float(mean, file=file, dataset=uuid, field=f"flowProperty[{internal}]/meanValue"),
        )
    synonyms = lang_text(info, "synonyms")
    return RawFlow(
        id=uuid, name=compose_name(info), type=FLOW_TYPES[kind], file=file,
        reference_property=text_at(root, f"flowInformation/quantitativeReference/{_REF_PROPERTY}"),
        properties=properties, cas=text_at(info, "CASNumber"), formula=text_at(info, "sumFormula"),
        compartment=_compartment(info) if FLOW_TYPES[kind] == "elementary" else (),
        location=text_at(root, "flowInformation/geography/locationOfSupply"),
        synonyms=tuple(s.strip() for s in synonyms.split(";") if s.strip()),
    )


def compose_name(info: Element | None) -> str:
    """baseName, treatment/routes, mix/location and flow properties, joined by ', ' (as openLCA does)."""
    parts = (lang_text(info, f"name/{part}") for part in _NAME_PARTS)
    return ", ".join(p for p in parts if p)


def category_path(parent: Element | None, tag: str) -> tuple[str, ...]:
    """Category/class names under `parent` ordered by their ``level`` attribute."""
    if parent is None:
        return ()
    items = [(int(c.get("level", "0") or 0), (c.text or "").strip()) for c in parent.findall(tag)]
    return tuple(name for _, name in sorted(items, key=lambda item: item[0]) if name)


def _compartment(info: Element | None) -> tuple[str, ...]:
    if info is None:
        return ()
    categorisation = info.find("classificationInformation/elementaryFlowCategorization")
    path = category_path(categorisation, "category")
    return path or category_path(info.find("classificationInformation/classification"), "class")


def resolve_flow(raw: RawFlow, properties: dict[str, FlowProperty],
                 groups: dict[str, UnitGroup]) -> ResolvedFlow:
    """The flow record (reference unit, property name) and factors per property id."""
    if raw.reference_property not in raw.properties:
        raise UnresolvedReference(
            f"reference flow property {raw.reference_property!r} is not among the flow's properties "
            f"{sorted(raw.properties)}", file=raw.file, dataset=raw.id,
            field="quantitativeReference/referenceToReferenceFlowProperty")
    ref_id, ref_mean = raw.properties[raw.reference_property]
    prop = _property(ref_id, properties, raw)
    group = _group(prop, groups, raw)
    if ref_mean == 0:
        raise MalformedDataset("reference flow property has meanValue 0", file=raw.file, dataset=raw.id,
                               field="flowProperties/flowProperty/meanValue")
    factors = {fp: mean / ref_mean for fp, mean in raw.properties.values() if fp}
    record = Flow(id=raw.id, name=raw.name, type=raw.type, unit=group.reference_unit, flow_property=prop.name,
                  cas=raw.cas, formula=raw.formula, compartment=raw.compartment, location=raw.location,
                  synonyms=raw.synonyms)
    return ResolvedFlow(record, raw.file, factors, group)


def _property(fp_id: str, properties: dict[str, FlowProperty], raw: RawFlow) -> FlowProperty:
    prop = properties.get(fp_id)
    if prop is None:
        raise UnresolvedReference(
            f"flow property {fp_id!r} is not in the package; add flowproperties/{fp_id}.xml",
            file=raw.file, dataset=raw.id, field="flowProperties/flowProperty/referenceToFlowPropertyDataSet")
    return prop


def _group(prop: FlowProperty, groups: dict[str, UnitGroup], raw: RawFlow) -> UnitGroup:
    group = groups.get(prop.unit_group)
    if group is None:
        raise UnresolvedReference(
            f"unit group {prop.unit_group!r} of flow property {prop.name!r} is not in the package; "
            f"add unitgroups/{prop.unit_group}.xml", file=prop.file or raw.file, dataset=prop.id,
            field="quantitativeReference/referenceToReferenceUnitGroup")
    return group
