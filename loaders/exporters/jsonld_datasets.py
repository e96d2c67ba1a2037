"""Parts of the JSON-LD 2.x export that are not processes: flows, product systems, LCIA methods."""

from __future__ import annotations

from collections import defaultdict

from lcagraph.records import DatabaseContent, Exchange, Flow, ProductSystem
from loaders.exporters.jsonld_units import ExportUnits, name_id

_FLOW_TYPES = {"elementary": "ELEMENTARY_FLOW", "product": "PRODUCT_FLOW", "waste": "WASTE_FLOW"}
Obj = dict[str, object]


def flow_json(f: Flow, units: ExportUnits) -> Obj:
    prop = units.flow_property(f)
    factors = [
        {
            "@type": "FlowPropertyFactor",
            "flowProperty": units.ref("FlowProperty", prop.id, prop.name),
            "conversionFactor": 1.0,
            "isRefFlowProperty": True,
        }
    ]
    for name, value in f.property_factors:
        known = units.table.property_by_name(name)
        if known is not None and known.id != prop.id:
            units.extra_factors.setdefault(f.id, {}).setdefault(known.id, value)
            units.used_props.add(known.id)
    for pid, value in units.extra_factors.get(f.id, {}).items():
        other = units.table.properties[pid]
        factors.append(
            {
                "@type": "FlowPropertyFactor",
                "flowProperty": units.ref("FlowProperty", pid, other.name),
                "conversionFactor": value,
                "isRefFlowProperty": False,
            }
        )
    obj: Obj = {
        "@type": "Flow",
        "@id": f.id,
        "name": f.name,
        "flowType": _FLOW_TYPES[f.type],
        "flowProperties": factors,
    }
    for key, given in (
        ("cas", f.cas),
        ("formula", f.formula),
        ("category", "/".join(f.compartment)),
        ("synonyms", ";".join(f.synonyms)),
    ):
        if given:
            obj[key] = given
    if f.location:
        obj["location"] = units.ref("Location", name_id("location", f.location), f.location)
    return obj


def product_system_json(
    s: ProductSystem,
    iids: dict[str, int],
    by_process: dict[str, list[Exchange]],
    flows: dict[str, Flow],
    units: ExportUnits,
) -> Obj:
    links = [
        {
            "@type": "ProcessLink",
            "process": {"@type": "Process", "@id": link.consumer},
            "provider": {"@type": "Process", "@id": link.provider},
            "flow": {"@type": "Flow", "@id": link.flow},
            "exchange": {"@type": "Exchange", "internalId": iids[link.exchange]},
        }
        for link in s.links
        if link.exchange in iids
    ]
    obj: Obj = {
        "@type": "ProductSystem",
        "@id": s.id,
        "name": s.name,
        "description": s.description,
        "referenceProcess": {"@type": "Process", "@id": s.ref_process},
        "targetAmount": s.amount,
        "processLinks": links,
    }
    ref = next(
        (e for e in by_process.get(s.ref_process, []) if e.flow == s.ref_flow and e.is_reference), None
    )
    if ref is not None:
        obj["referenceExchange"] = {"@type": "Exchange", "internalId": iids[ref.id]}
    flow = flows.get(s.ref_flow)
    if s.unit and flow is not None:
        prop = units.flow_property(flow)
        unit = next(iter(units.named(s.unit, prop.unit_group)), None)
        obj["targetFlowProperty"] = units.ref("FlowProperty", prop.id, prop.name)
        obj["targetUnit"] = units.ref("Unit", unit.id if unit else name_id("unit", s.unit), s.unit)
    return obj


def add_methods(
    content: DatabaseContent, flows: dict[str, Flow], units: ExportUnits, members: dict[str, Obj]
) -> None:
    by_category: dict[str, list[Obj]] = defaultdict(list)
    for cf in content.factors:
        factor: Obj = {"@type": "ImpactFactor", "flow": {"@type": "Flow", "@id": cf.flow}, "value": cf.value}
        flow = flows.get(cf.flow)
        if flow is not None:  # value is per reference unit: state it
            prop = units.flow_property(flow)
            ref_unit = units.table.units[units.table.groups[prop.unit_group].reference]
            factor["flowProperty"] = units.ref("FlowProperty", prop.id, prop.name)
            factor["unit"] = units.ref("Unit", ref_unit.id, ref_unit.name)
        by_category[cf.category].append(factor)
    for m in content.methods:
        members[f"lcia_methods/{m.id}.json"] = {
            "@type": "ImpactMethod",
            "@id": m.id,
            "name": m.name,
            "version": m.version,
            "description": m.description,
            "impactCategories": [
                units.ref("ImpactCategory", c.id, c.name) for c in content.categories if c.method == m.id
            ],
        }
    for c in content.categories:
        members[f"lcia_categories/{c.id}.json"] = {
            "@type": "ImpactCategory",
            "@id": c.id,
            "name": c.name,
            "referenceUnitName": c.unit,
            "impactFactors": by_category[c.id],
        }
