"""ILCD 1.1 XML for flows, flow properties, unit groups and LCIA methods (element order per the XSDs).

Builders return ElementTree roots written as ILCD tools write them: the dataset type's namespace
is the default one, ILCD Common elements carry ``common:``, extensions ``olca:``/``lcagraph:``.
ElementTree cannot mix a default namespace with plain attributes, so names are built prefixed
and the root declares the namespaces itself (ElementTree still escapes text and attributes).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from lcagraph.records import CharacterisationFactor, Flow, ImpactCategory, ImpactMethod
from loaders.units import FlowProperty, UnitTable

ILCD = "http://lca.jrc.it/ILCD"
COMMON = f"{ILCD}/Common"
PROCESS, FLOW, FLOW_PROPERTY = f"{ILCD}/Process", f"{ILCD}/Flow", f"{ILCD}/FlowProperty"
UNIT_GROUP, LCIA_METHOD = f"{ILCD}/UnitGroup", f"{ILCD}/LCIAMethod"
OLCA = "http://openlca.org/ilcd-extensions"
LCAGRAPH = "http://lcagraph.org/ilcd-extensions"
VERSION = "01.00.000"
FLOW_TYPES = {"elementary": "Elementary flow", "product": "Product flow", "waste": "Waste flow"}
_CAS = re.compile(r"^0*(\d{1,6})-(\d{2})-(\d)$")

PREFIXES = {COMMON: "common", OLCA: "olca", LCAGRAPH: "lcagraph"}


def sub(parent: ET.Element, ns: str, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    """Append `tag` of namespace `ns` (the dataset's own: unprefixed) with optional text and attributes."""
    el = ET.SubElement(parent, f"{PREFIXES[ns]}:{tag}" if ns in PREFIXES else tag, attrs)
    if text is not None:
        el.text = text
    return el


def lang(parent: ET.Element, ns: str, tag: str, text: str) -> ET.Element:
    """An English multi-language string element."""
    return sub(parent, ns, tag, text, **{"xml:lang": "en"})


def number(value: float) -> str:
    """Shortest text that reads back to the same double."""
    return repr(float(value))


def reference(parent: ET.Element, ns: str, tag: str, kind: str, folder: str, uuid: str, name: str) -> None:
    """A GlobalReference (``refObjectId``, ``uri``) with its short description."""
    ref = sub(parent, ns, tag, type=kind, refObjectId=uuid, version=VERSION, uri=f"../{folder}/{uuid}.xml")
    lang(ref, COMMON, "shortDescription", name)


def root_element(ns: str, tag: str, *extensions: str) -> ET.Element:
    """A dataset root declaring its namespaces, with the ILCD version attribute."""
    declared = {"xmlns": ns, "xmlns:common": COMMON, **{f"xmlns:{PREFIXES[e]}": e for e in extensions}}
    return ET.Element(tag, {**declared, "version": "1.1"})


def admin(parent: ET.Element, ns: str) -> None:
    """administrativeInformation with the dataset version (required by ILCD 1.1)."""
    publication = sub(sub(parent, ns, "administrativeInformation"), ns, "publicationAndOwnership")
    sub(publication, COMMON, "dataSetVersion", VERSION)


def to_bytes(root: ET.Element) -> bytes:
    """UTF-8 XML with its declaration.

    Serialising to str and encoding once is several times faster than ``encoding="utf-8"``, which
    writes every fragment through a codec.
    """
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode").encode("utf-8")


def padded_cas(cas: str) -> str:
    """ILCD's CAS form (six-digit first group, e.g. 000124-38-9); '' when `cas` is not a CAS number."""
    match = _CAS.match(cas.strip())
    return f"{int(match.group(1)):06d}-{match.group(2)}-{match.group(3)}" if match else ""


def flow_dataset(flow: Flow, prop: FlowProperty) -> ET.Element:
    """A flowDataSet whose reference flow property is `prop` (meanValue 1)."""
    root = root_element(FLOW, "flowDataSet")
    info = sub(root, FLOW, "flowInformation")
    data = sub(info, FLOW, "dataSetInformation")
    sub(data, COMMON, "UUID", flow.id)
    lang(sub(data, FLOW, "name"), FLOW, "baseName", flow.name)
    if flow.synonyms:
        lang(data, COMMON, "synonyms", "; ".join(flow.synonyms))
    if flow.compartment and flow.type == "elementary":
        categories = sub(sub(data, FLOW, "classificationInformation"), COMMON, "elementaryFlowCategorization")
        for level, name in enumerate(flow.compartment):
            sub(categories, COMMON, "category", name, level=str(level))
    if padded_cas(flow.cas):
        sub(data, FLOW, "CASNumber", padded_cas(flow.cas))
    if flow.formula:
        sub(data, FLOW, "sumFormula", flow.formula)
    sub(sub(info, FLOW, "quantitativeReference"), FLOW, "referenceToReferenceFlowProperty", "0")
    if flow.location:
        sub(sub(info, FLOW, "geography"), FLOW, "locationOfSupply", flow.location)
    sub(sub(sub(root, FLOW, "modellingAndValidation"), FLOW, "LCIMethod"), FLOW, "typeOfDataSet",
        FLOW_TYPES[flow.type])
    admin(root, FLOW)
    item = sub(sub(root, FLOW, "flowProperties"), FLOW, "flowProperty", dataSetInternalID="0")
    reference(item, FLOW, "referenceToFlowPropertyDataSet", "flow property data set", "flowproperties",
              prop.id, prop.name)
    sub(item, FLOW, "meanValue", "1.0")
    return root


def flow_property_dataset(prop: FlowProperty, table: UnitTable) -> ET.Element:
    """A flowPropertyDataSet pointing to its unit group."""
    root = root_element(FLOW_PROPERTY, "flowPropertyDataSet")
    info = sub(root, FLOW_PROPERTY, "flowPropertiesInformation")
    data = sub(info, FLOW_PROPERTY, "dataSetInformation")
    sub(data, COMMON, "UUID", prop.id)
    lang(data, COMMON, "name", prop.name)
    group = table.groups[prop.unit_group]
    quantitative = sub(info, FLOW_PROPERTY, "quantitativeReference")
    reference(quantitative, FLOW_PROPERTY, "referenceToReferenceUnitGroup", "unit group data set",
              "unitgroups", group.id, group.name)
    admin(root, FLOW_PROPERTY)
    return root


def unit_group_dataset(group_id: str, table: UnitTable) -> ET.Element:
    """A unitGroupDataSet with every unit of the group and its factor to the reference unit."""
    group = table.groups[group_id]
    root = root_element(UNIT_GROUP, "unitGroupDataSet")
    info = sub(root, UNIT_GROUP, "unitGroupInformation")
    data = sub(info, UNIT_GROUP, "dataSetInformation")
    sub(data, COMMON, "UUID", group.id)
    lang(data, COMMON, "name", group.name)
    quantitative = sub(info, UNIT_GROUP, "quantitativeReference")
    sub(quantitative, UNIT_GROUP, "referenceToReferenceUnit", str(group.units.index(group.reference)))
    admin(root, UNIT_GROUP)
    units = sub(root, UNIT_GROUP, "units")
    for index, unit_id in enumerate(group.units):
        unit = table.units[unit_id]
        item = sub(units, UNIT_GROUP, "unit", dataSetInternalID=str(index))
        sub(item, UNIT_GROUP, "name", unit.name)
        sub(item, UNIT_GROUP, "meanValue", number(unit.factor))
    return root


def method_dataset(category: ImpactCategory, method: ImpactMethod | None, prop: FlowProperty,
                   factors: list[CharacterisationFactor], flows: dict[str, Flow]) -> ET.Element:
    """An LCIAMethodDataSet (one indicator) with lcagraph's method reference in ``common:other``."""
    root = root_element(LCIA_METHOD, "LCIAMethodDataSet", LCAGRAPH)
    info = sub(root, LCIA_METHOD, "LCIAMethodInformation")
    data = sub(info, LCIA_METHOD, "dataSetInformation")
    sub(data, COMMON, "UUID", category.id)
    lang(data, COMMON, "name", category.name)
    if method is not None:
        sub(data, LCIA_METHOD, "methodology", method.name)
        own = {"id": method.id, "name": method.name, "version": method.version, "source": method.source}
        sub(sub(data, COMMON, "other"), LCAGRAPH, "method", **{k: v for k, v in own.items() if v})
    reference(sub(info, LCIA_METHOD, "quantitativeReference"), LCIA_METHOD, "referenceQuantity",
              "flow property data set", "flowproperties", prop.id, prop.name)
    sub(root, LCIA_METHOD, "modellingAndValidation")
    admin(root, LCIA_METHOD)
    block = sub(root, LCIA_METHOD, "characterisationFactors")
    for factor in factors:
        flow = flows[factor.flow]
        item = sub(block, LCIA_METHOD, "factor")
        reference(item, LCIA_METHOD, "referenceToFlowDataSet", "flow data set", "flows", flow.id, flow.name)
        resource = any("resource" in part.lower() for part in flow.compartment)
        sub(item, LCIA_METHOD, "exchangeDirection", "Input" if resource else "Output")
        sub(item, LCIA_METHOD, "meanValue", number(factor.value))
    return root
