"""EcoSpold2 unit names → openLCA reference units (via :func:`loaders.units.unit_factor_by_name`).

EcoSpold2 (ecoinvent 3 and openLCA's EcoSpold2 export) spells some units out where openLCA's unit
table uses short names; the USLCI FY18 Q1 EcoSpold2 release uses 'metric ton*km', 'hour',
'person*km' and 'm2*year', none of which is in the table. This alias table maps them (and the
other ecoinvent 3 spellings of the same units) before the lookup. Units the table has under
their EcoSpold2 name ('kg', 'kWh', 'l', 'sh tn', 'btu', 'cu ft' …) need no alias.
"""

from __future__ import annotations

from functools import cache

from loaders.units import builtin_units, unit_factor_by_name

ECOSPOLD2_ALIASES: dict[str, str] = {
    "metric ton*km": "t*km",
    "person*km": "p*km",
    "hour": "h",
    "m2*year": "m2*a",
    "m3*year": "m3*a",
    "kg*day": "kg*d",
    "km*year": "km*a",
    "m*year": "m*a",
    "kilometer": "km",
    "metric ton": "t",
    "short ton": "sh tn",
}


@cache
def unit_of(name: str) -> tuple[str, float, str]:
    """(flow property id, factor to the reference unit, reference unit name) of an EcoSpold2 unit.

    Raises UnresolvedReference (from loaders.units) for names neither table knows.
    """
    prop, factor = unit_factor_by_name(ECOSPOLD2_ALIASES.get(name, name))
    return prop, factor, builtin_units().reference_unit(prop).name


def property_name(prop_id: str) -> str:
    """Name of a built-in flow property (Mass, Energy …)."""
    prop = builtin_units().properties.get(prop_id)
    return prop.name if prop is not None else prop_id
