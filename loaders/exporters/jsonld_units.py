"""Units for the JSON-LD exporter: each flow's reference property, each exchange's unit.

Records carry unit and property NAMES; openLCA JSON-LD refers to them by UUID. Names are looked
up in openLCA's reference unit groups (loaders/units.py). A flow whose reference unit is not
there gets its own unit group and flow property with name-derived (uuid5) ids. An exchange in a
unit of another property (kg of a flow measured in m3) gets that property, with the flow
property factor recovered from the amounts: ``f_P = amount * factor(u) / amount_ref``.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field

from lcagraph.records import Exchange, Flow
from loaders.units import FlowProperty, Unit, UnitGroup, UnitTable, builtin_units

_NAMESPACE = uuid.UUID("6f1c6c86-2f5e-4c43-9a57-3c1d2b7e8a10")


def name_id(*parts: str) -> str:
    """A stable UUID for something the records know only by name."""
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts)))


def reproduces(value: float, expected: float) -> bool:
    """Whether a unit conversion gives the amount the records hold (to 1e-12, relative)."""
    return math.isclose(value, expected, rel_tol=1e-12)


@dataclass(slots=True)
class ExportUnits:
    """Resolves names to table entries and remembers which groups, properties and factors are used."""

    table: UnitTable = field(default_factory=builtin_units)
    flow_props: dict[str, str] = field(default_factory=dict)  # flow id -> reference property id
    extra_factors: dict[str, dict[str, float]] = field(default_factory=dict)  # flow id -> {prop: f}
    used_props: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    named_cache: dict[tuple[str, str | None], list[Unit]] = field(default_factory=dict)

    def flow_property(self, flow: Flow) -> FlowProperty:
        """The reference flow property of `flow` (created where the table lacks its unit)."""
        if flow.id in self.flow_props:
            return self.table.properties[self.flow_props[flow.id]]
        prop = self._known_property(flow)
        if prop is None:
            prop = self._custom_property(flow)
        self.flow_props[flow.id] = prop.id
        self.used_props.add(prop.id)
        return prop

    def _known_property(self, flow: Flow) -> FlowProperty | None:
        named = self.table.property_by_name(flow.flow_property) if flow.flow_property else None
        if named and self.table.units[self.table.groups[named.unit_group].reference].name == flow.unit:
            return named
        for unit in self.named(flow.unit):
            if self.table.groups[unit.group].reference == unit.id:
                return self.table.property_of_group(unit.group)
        return None

    def _custom_property(self, flow: Flow) -> FlowProperty:
        name = flow.flow_property or f"Quantity in {flow.unit}"
        gid, pid, uid = (
            name_id("group", flow.unit),
            name_id("property", name, flow.unit),
            name_id("unit", flow.unit),
        )
        unit = Unit(uid, flow.unit, 1.0, gid)
        group = UnitGroup(gid, f"Units of {flow.unit}", uid, (uid,), pid)
        prop = FlowProperty(pid, name, gid)
        self.table = self.table.merged(UnitTable({uid: unit}, {gid: group}, {pid: prop}))
        self.named_cache.clear()
        return prop

    def exchange_unit(self, e: Exchange, flow: Flow) -> tuple[Unit, FlowProperty, float]:
        """(unit, property, amount to write) for an exchange; falls back to amount_ref in the ref unit."""
        ref_prop = self.flow_property(flow)
        group = ref_prop.unit_group
        same = self.named(e.unit, group)
        if same:
            # ambiguous names (t*mi twice): take the unit that reproduces amount_ref; a unit that only
            # shares the name ("lb" is openLCA's "lb av", 0.45 kg) would change the amount on re-import
            unit = min(same, key=lambda u: abs(e.amount * u.factor - e.amount_ref))
            if reproduces(e.amount * unit.factor, e.amount_ref):
                return unit, ref_prop, e.amount
            reference = self.table.units[self.table.groups[group].reference]
            self.warnings.append(
                f"exchange {e.id}: {e.amount!r} {e.unit} is {e.amount_ref!r} {flow.unit}, but openLCA's "
                f"unit {unit.name!r} is {unit.factor!r} {reference.name}; "
                f"written as {e.amount_ref!r} {reference.name}"
            )
            return reference, ref_prop, e.amount_ref
        for name, factor in flow.property_factors:
            prop = self.table.property_by_name(name)
            units = self.named(e.unit, prop.unit_group) if prop else []
            if prop is not None and units:
                return units[0], self._other_property(flow, prop, factor), e.amount
        if e.amount != 0 and e.amount_ref != 0:
            for unit in self.named(e.unit):
                prop = self.table.property_of_group(unit.group)
                if prop is not None:
                    return (
                        unit,
                        self._other_property(flow, prop, e.amount * unit.factor / e.amount_ref),
                        e.amount,
                    )
        self.warnings.append(
            f"exchange {e.id}: unit {e.unit!r} not found for flow {flow.name!r}; "
            f"written as {e.amount_ref!r} {flow.unit}"
        )
        return self.table.units[self.table.groups[group].reference], ref_prop, e.amount_ref

    def _other_property(self, flow: Flow, prop: FlowProperty, factor: float) -> FlowProperty:
        known = self.extra_factors.setdefault(flow.id, {})
        if prop.id in known and not math.isclose(known[prop.id], factor, rel_tol=1e-9):
            self.warnings.append(
                f"flow {flow.id}: {prop.name} factor {factor!r} differs from "
                f"{known[prop.id]!r} given by another exchange; the first is kept"
            )
        known.setdefault(prop.id, factor)
        self.used_props.add(prop.id)
        return prop

    def named(self, name: str, group: str | None = None) -> list[Unit]:
        key = (name, group)
        if key not in self.named_cache:
            self.named_cache[key] = self.table.units_named(name, group)
        return self.named_cache[key]

    def ref(self, kind: str, id_: str, name: str) -> dict[str, str]:
        """A JSON-LD reference object."""
        return {"@type": kind, "@id": id_, "name": name}

    def unit_groups_json(self) -> list[dict[str, object]]:
        """UnitGroup objects of every used property, each with all its units."""
        groups = sorted({self.table.properties[p].unit_group for p in self.used_props})
        out: list[dict[str, object]] = []
        for gid in groups:
            group = self.table.groups[gid]
            units = [self.table.units[u] for u in group.units]
            prop = self.table.property_of_group(gid)
            out.append(
                {
                    "@type": "UnitGroup",
                    "@id": gid,
                    "name": group.name,
                    **({"defaultFlowProperty": self.ref("FlowProperty", prop.id, prop.name)} if prop else {}),
                    "units": [
                        {
                            "@type": "Unit",
                            "@id": u.id,
                            "name": u.name,
                            "conversionFactor": u.factor,
                            "isRefUnit": u.id == group.reference,
                            **({"synonyms": list(u.synonyms)} if u.synonyms else {}),
                        }
                        for u in units
                    ],
                }
            )
        return out

    def flow_properties_json(self) -> list[dict[str, object]]:
        """FlowProperty objects of every used property."""
        return [
            {
                "@type": "FlowProperty",
                "@id": p.id,
                "name": p.name,
                "flowPropertyType": "PHYSICAL_QUANTITY",
                "unitGroup": {"@type": "UnitGroup", "@id": p.unit_group},
            }
            for p in sorted((self.table.properties[i] for i in self.used_props), key=lambda p: p.id)
        ]
