"""ILCD LCIAMethodDataSet → ImpactMethod / ImpactCategory / CharacterisationFactor.

In ILCD one LCIA method dataset is one indicator (an impact category in openLCA terms); the method
it belongs to is named by ``methodology``. Its id is a name-based UUID unless the dataset carries
lcagraph's own method reference (written by :mod:`loaders.exporters.ilcd`) in ``common:other``.
"""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass

from lcagraph.errors import UnresolvedReference
from lcagraph.records import CharacterisationFactor, ImpactCategory, ImpactMethod
from loaders.ilcd_datasets import FlowProperty, ResolvedFlow, UnitGroup
from loaders.xml import Element, lang_text, text_at, to_float, warning

METHOD_NAMESPACE = uuidlib.UUID("6f1c1a52-5d0b-4a3e-9a3c-4c2b8f0e7d11")


@dataclass(frozen=True, slots=True)
class MethodResult:
    """The method and category of one dataset, its factors, and warnings."""

    method: ImpactMethod
    category: ImpactCategory
    factors: tuple[CharacterisationFactor, ...]
    warnings: tuple[str, ...]


def method_id(name: str) -> str:
    """A stable id for a method known only by name."""
    return str(uuidlib.uuid5(METHOD_NAMESPACE, name))


def read_method(root: Element, file: str, uuid: str, flows: dict[str, ResolvedFlow],
                properties: dict[str, FlowProperty], groups: dict[str, UnitGroup]) -> MethodResult:
    """One indicator with its factors (per unit of each flow's reference unit)."""
    info = root.find("LCIAMethodInformation/dataSetInformation")
    name = lang_text(info, "name")
    method = _method(info, name)
    unit = _unit(root, properties, groups)
    category = ImpactCategory(id=uuid, name=name, method=method.id, unit=unit)
    factors: dict[str, CharacterisationFactor] = {}
    warnings: list[str] = []
    for position, el in enumerate(root.findall("characterisationFactors/factor")):
        factor = _factor(el, position, uuid, file, flows)
        known = factors.get(factor.flow)
        if known is None:
            factors[factor.flow] = factor
        elif known.value != factor.value:
            warnings.append(warning(f"flow {factor.flow} has factors {known.value} and {factor.value}; the "
                                    "first is kept", file=file, dataset=uuid,
                                    field="characterisationFactors"))
    return MethodResult(method, category, tuple(factors.values()), tuple(warnings))


def _method(info: Element | None, category_name: str) -> ImpactMethod:
    own = info.find("other/method") if info is not None else None
    if own is not None and own.get("id"):
        return ImpactMethod(id=own.get("id", ""), name=own.get("name", ""), version=own.get("version", ""),
                            source=own.get("source", ""))
    names = [t.text.strip() for t in info.findall("methodology") if t.text and t.text.strip()] \
        if info is not None else []
    name = names[0] if names else category_name
    return ImpactMethod(id=method_id(name), name=name)


def _unit(root: Element, properties: dict[str, FlowProperty], groups: dict[str, UnitGroup]) -> str:
    """Reference unit of the indicator's reference quantity, else its short description."""
    ref = root.find("LCIAMethodInformation/quantitativeReference/referenceQuantity")
    if ref is None:
        return ""
    prop = properties.get(ref.get("refObjectId", "").strip())
    group = groups.get(prop.unit_group) if prop is not None else None
    return group.reference_unit if group is not None else lang_text(ref, "shortDescription")


def _factor(el: Element, position: int, uuid: str, file: str,
            flows: dict[str, ResolvedFlow]) -> CharacterisationFactor:
    ref = el.find("referenceToFlowDataSet")
    flow_id = ref.get("refObjectId", "").strip() if ref is not None else ""
    if flow_id not in flows:
        raise UnresolvedReference(f"flow {flow_id!r} is not in the package; add flows/{flow_id}.xml",
                                  file=file, dataset=uuid, field=f"factor[{position}]/referenceToFlowDataSet")
    value = to_float(text_at(el, "meanValue"), file=file, dataset=uuid, field=f"factor[{position}]/meanValue")
    return CharacterisationFactor(category=uuid, flow=flow_id, value=value)
