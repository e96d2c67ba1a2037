"""loaders.units: the built-in openLCA unit table and conversion by unit name."""

from __future__ import annotations

import json
import zipfile

import pytest

from lcagraph.config import find_data_dir
from lcagraph.errors import UnresolvedReference
from loaders.units import builtin_units, table_from_olca, unit_factor_by_name

MASS = "93a60a56-a3c8-11da-a746-0800200b9a66"
ENERGY = "f6811440-ee37-11de-8a39-0800200c9a66"
VOLUME = "93a60a56-a3c8-22da-a746-0800200c9a66"
DURATION = "c0447923-0e60-4b3c-97c2-a86dddd9eea5"


def test_builtin_table_equals_the_uslci_unit_groups() -> None:
    # independent: read the unit groups straight from the USLCI release
    with zipfile.ZipFile(find_data_dir() / "uslci" / "uslci_fy17q4_jsonld.zip") as zf:
        groups = [
            json.loads(zf.read(n))
            for n in zf.namelist()
            if n.startswith("unit_groups/") and n.endswith(".json")
        ]
        props = [
            json.loads(zf.read(n))
            for n in zf.namelist()
            if n.startswith("flow_properties/") and n.endswith(".json")
        ]
    table = builtin_units()
    assert len(table.groups) == len(groups) == 27
    assert len(table.units) == sum(len(g["units"]) for g in groups) == 193
    assert len(table.properties) == len(props)
    from_release = table_from_olca(groups, props)
    assert from_release.units == table.units
    assert {g.id: g.reference for g in from_release.groups.values()} == {
        g.id: g.reference for g in table.groups.values()
    }
    assert from_release.properties == table.properties


@pytest.mark.parametrize(
    ("name", "prop", "factor"),
    [
        ("kg", MASS, 1.0),
        ("g", MASS, 0.001),
        ("t", MASS, 1000.0),
        ("kWh", ENERGY, 3.6),
        ("MJ", ENERGY, 1.0),
        ("l", VOLUME, 0.001),
        ("m3", VOLUME, 1.0),
        ("d", DURATION, 1.0),
        ("h", DURATION, 1 / 24),  # the day is openLCA's reference time unit
        ("a", DURATION, 365.0),  # annum, not are
        ("kgkm", "838aaa20-0117-11db-92e3-0800200c9a66", 0.001),  # a synonym of kg*km
    ],
)
def test_unit_factor_by_name(name: str, prop: str, factor: float) -> None:
    found_prop, found_factor = unit_factor_by_name(name)
    assert found_prop == prop
    assert found_factor == pytest.approx(factor, rel=1e-15)


def test_flow_property_disambiguates() -> None:
    assert unit_factor_by_name("h", "Length")[1] == 0.1016  # the hand, 4 inches
    assert unit_factor_by_name("kg", MASS) == (MASS, 1.0)
    with pytest.raises(UnresolvedReference, match="ambiguous"):
        unit_factor_by_name("t*mi")  # two units of that name (1.6 and 1.45 t*km) in openLCA's table
    with pytest.raises(UnresolvedReference, match="not among"):
        unit_factor_by_name("furlong")
    with pytest.raises(UnresolvedReference, match="not among"):
        unit_factor_by_name("KG")  # case matters: mg is not Mg
    with pytest.raises(UnresolvedReference, match="unknown flow property"):
        unit_factor_by_name("kg", "Weight")


def test_package_units_override_and_reference_unit() -> None:
    group: dict[str, object] = {
        "@id": "g1",
        "name": "Units of widgets",
        "units": [
            {"@id": "u1", "name": "widget", "referenceUnit": True, "conversionFactor": 1.0},
            {"@id": "u2", "name": "dozen", "conversionFactor": 12.0},
        ],
    }
    prop: dict[str, object] = {"@id": "p1", "name": "Widgets", "unitGroup": {"@id": "g1"}}
    table = builtin_units().merged(table_from_olca([group], [prop]))
    assert table.reference_unit("p1").name == "widget"
    assert table.units["u2"].factor == 12.0
    assert table.reference_unit(MASS).name == "kg"
    with pytest.raises(UnresolvedReference, match="export the package with its unit groups"):
        table.reference_unit("nope")
