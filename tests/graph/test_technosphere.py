"""The bulk read of the technosphere on the real embedded engine: a hand-made system written with
graph.writer (two databases), read back as rows with the amounts solver/matrices.py expects.

The system (``hand_contents``; tests/api/test_calculation.py solves it):

- bg/power: reference 3.6 MJ as given = 1 kWh (the flow's unit), emits 0.5 kg CO2 per reference;
- bg/landfill: treats 1 kg waste (reference input), emits 0.02 kg CH4;
- bg/refinery: reference 0.252 l diesel, co-product 0.0518 l residual oil, 1 kg CO2 with the
  exchange's allocation factor 0.8;
- fg/steel: 1 kg; 2 kWh power (exchange allocation 0.9), 1 kg CO2 (allocation 0.7), 0.1 kg
  waste to landfill, an avoided 0.2 kWh of power, an unlinked input (cut-off) and an input whose
  provider is in a database that is not imported;
- fg/boiler: 1 kg steam from 1 l residual oil of the refinery (a co-product link, scale
  0.252 / 0.0518) and 0.1 kg CO2.

Per unit of reference product, with GWP CO2 = 1, CH4 = 29.8 (openLCA's numbers, by hand):
power 0.5 per kWh; landfill 0.596 per kg; refinery 0.8 / 0.252 per l diesel; steel
0.7 + 1.8·0.5 + 0.1·0.596 - 0.2·0.5 = 1.5596; boiler 0.1 + (0.252/0.0518)·(0.8/0.252) = 0.1 + 0.8/0.0518.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from graph import queries as q
from graph.store import GraphStore
from graph.technosphere import read_technosphere
from graph.writer import write_database_content
from lcagraph.records import (
    CharacterisationFactor,
    Database,
    DatabaseContent,
    Exchange,
    Flow,
    ImpactCategory,
    ImpactMethod,
    Process,
    ProviderLink,
    Unlinked,
)

SCALE = 0.252 / 0.0518
HAND_TOTALS = {
    "power": 0.5,
    "landfill": 0.02 * 29.8,
    "refinery": 0.8 / 0.252,
    "steel": 0.7 + 1.8 * 0.5 + 0.1 * 0.02 * 29.8 - 0.2 * 0.5,
    "boiler": 0.1 + SCALE * 0.8 / 0.252,
}
HAND_DIRECT = {"power": 0.5, "landfill": 0.596, "refinery": 0.8 / 0.252, "steel": 0.7, "boiler": 0.1}
FLOWS = (
    Flow("f-power", "electricity", "product", "kWh", "Energy"),
    Flow("f-waste", "waste", "waste", "kg", "Mass"),
    Flow("f-diesel", "diesel", "product", "l", "Volume"),
    Flow("f-oil", "residual fuel oil", "product", "l", "Volume"),
    Flow("f-steel", "steel", "product", "kg", "Mass"),
    Flow("f-steam", "steam", "product", "kg", "Mass"),
    Flow("f-cut", "a product nobody makes", "product", "kg", "Mass"),
    Flow("f-ghost", "a product of a database not imported", "product", "kg", "Mass"),
    Flow("co2", "Carbon dioxide, fossil", "elementary", "kg", "Mass", cas="000124-38-9"),
    Flow("ch4", "Methane, fossil", "elementary", "kg", "Mass", cas="000074-82-8"),
)


def _x(process: str, n: int, flow: str, is_input: bool, amount: float, **kw: Any) -> Exchange:
    unit = kw.pop("unit", "kg")
    ref = kw.pop("amount_ref", amount)
    return Exchange(f"{process}/{n}", process, flow, is_input, amount, unit, ref, **kw)


def background() -> DatabaseContent:
    processes = (
        Process("power", "electricity, at plant", "bg", ref_flow="f-power", ref_amount=3.6, ref_unit="MJ"),
        Process("landfill", "landfill", "bg", ref_flow="f-waste", ref_amount=1.0, ref_unit="kg",
                ref_is_input=True),
        Process("refinery", "petroleum refining", "bg", ref_flow="f-diesel", ref_amount=0.252, ref_unit="l"),
    )
    exchanges = (
        _x("power", 0, "f-power", False, 3.6, unit="MJ", amount_ref=1.0, is_reference=True),
        _x("power", 1, "co2", False, 0.5),
        _x("landfill", 0, "f-waste", True, 1.0, is_reference=True),
        _x("landfill", 1, "ch4", False, 0.02),
        _x("refinery", 0, "f-diesel", False, 0.252, unit="l", is_reference=True),
        _x("refinery", 1, "f-oil", False, 0.0518, unit="l", allocation=0.2),
        _x("refinery", 2, "co2", False, 1.0, allocation=0.8),
    )
    method = ImpactMethod("m", "hand method")
    return DatabaseContent(
        database=Database("bg", "background"), flows=FLOWS, processes=processes, exchanges=exchanges,
        methods=(method,),
        categories=(ImpactCategory("gwp", "climate change", "m", "kg CO2-eq"),
                    ImpactCategory("empty", "a category without factors", "m", "x")),
        factors=(CharacterisationFactor("gwp", "co2", 1.0), CharacterisationFactor("gwp", "ch4", 29.8)),
    )


def foreground() -> DatabaseContent:
    processes = (
        Process("steel", "steel", "fg", ref_flow="f-steel", ref_amount=1.0, ref_unit="kg"),
        Process("boiler", "steam from residual oil", "fg", ref_flow="f-steam", ref_amount=1.0, ref_unit="kg"),
    )
    exchanges = (
        _x("steel", 0, "f-steel", False, 1.0, is_reference=True),
        _x("steel", 1, "f-power", True, 2.0, unit="kWh", allocation=0.9),
        _x("steel", 2, "co2", False, 1.0, allocation=0.7),
        _x("steel", 3, "f-waste", False, 0.1),
        _x("steel", 4, "f-power", False, 0.2, unit="kWh", is_avoided=True),
        _x("steel", 5, "f-cut", True, 3.0),
        _x("steel", 6, "f-ghost", True, 1.0),
        _x("boiler", 0, "f-steam", False, 1.0, is_reference=True),
        _x("boiler", 1, "f-oil", True, 1.0, unit="l"),
        _x("boiler", 2, "co2", False, 0.1),
    )
    links = (
        ProviderLink("steel", "power", "f-power", "steel/1", 2.0, "default"),
        ProviderLink("steel", "landfill", "f-waste", "steel/3", 0.1, "unique", is_waste=True),
        ProviderLink("steel", "power", "f-power", "steel/4", 0.2, "default"),
        ProviderLink("steel", "elsewhere", "f-ghost", "steel/6", 1.0, "default"),
        ProviderLink("boiler", "refinery", "f-oil", "boiler/1", 1.0, "unique", provider_scale=SCALE),
    )
    return DatabaseContent(
        database=Database("fg", "foreground", kind="foreground"), processes=processes, exchanges=exchanges,
        links=links, unlinked=(Unlinked("steel", "f-cut", "steel/5", "no provider"),),
    )


def write_hand_system(store: GraphStore) -> None:
    """Both databases; the link into 'elsewhere' stays on its exchange (no PROVIDER edge)."""
    fg = foreground()
    with store.unit_of_work() as writer:
        write_database_content(writer, background())
    with store.unit_of_work() as writer:
        present = tuple(k for k in fg.links if k.provider != "elsewhere")
        write_database_content(writer, replace(fg, links=present))
        writer.run("MATCH (:Process {id: 'steel'})-[x:INPUT]->(:Flow {id: 'f-ghost'}) "
                   "SET x.link = 'default', x.provider = 'elsewhere'")


@pytest.fixture
def hand_store(store: GraphStore) -> GraphStore:
    write_hand_system(store)
    return store


def test_processes_use_the_reference_amount_in_the_flows_unit(hand_store: GraphStore) -> None:
    rows = read_technosphere(hand_store)
    assert rows.graph_version == hand_store.graph_version() == 2
    p = rows.processes
    got = dict(zip(p.ids, zip(p.databases, p.ref_amounts, p.ref_is_input, strict=True), strict=True))
    assert got == {"power": ("bg", 1.0, False), "landfill": ("bg", 1.0, True),
                   "refinery": ("bg", 0.252, False), "steel": ("fg", 1.0, False),
                   "boiler": ("fg", 1.0, False)}
    stored = hand_store.read("MATCH (p:Process {id: 'power'}) RETURN p.ref_amount AS given, "
                             "p.ref_amount_ref AS ref")
    assert stored == [{"given": 3.6, "ref": 1.0}]


def test_links_carry_scale_and_the_exchanges_allocation(hand_store: GraphStore) -> None:
    links = read_technosphere(hand_store).links
    got = sorted(zip(links.consumers, links.providers, links.amounts, links.is_input, links.is_avoided,
                     strict=True))
    want = sorted([
        ("steel", "power", 1.8, True, False),
        ("steel", "landfill", 0.1, False, False),
        ("steel", "power", 0.2, False, True),
        ("boiler", "refinery", SCALE, True, False),
    ])
    assert [(g[0], g[1], g[3], g[4]) for g in got] == [(w[0], w[1], w[3], w[4]) for w in want]
    assert [g[2] for g in got] == pytest.approx([w[2] for w in want], rel=1e-14)


def test_cutoffs_count_unlinked_and_links_into_missing_databases(hand_store: GraphStore) -> None:
    assert sorted(read_technosphere(hand_store).unlinked) == ["steel", "steel"]


def test_elementary_amounts_are_signed_and_allocated(hand_store: GraphStore) -> None:
    e = read_technosphere(hand_store).elementary
    got = sorted(zip(e.processes, e.flows, e.amounts, strict=True))
    expected = [("boiler", "co2", 0.1), ("landfill", "ch4", 0.02), ("power", "co2", 0.5),
                ("refinery", "co2", 0.8), ("steel", "co2", 0.7)]
    assert [g[:2] for g in got] == [x[:2] for x in expected]
    assert [g[2] for g in got] == pytest.approx([x[2] for x in expected], rel=1e-14)
    with hand_store.unit_of_work() as writer:  # a resource input comes out negative
        writer.run("MATCH (:Process {id: 'power'})-[x:OUTPUT]->(:Flow {id: 'co2'}) DELETE x")
        writer.run("MATCH (p:Process {id: 'power'}), (f:Flow {id: 'co2'}) "
                   "CREATE (p)-[:INPUT {id: 'power/9', amount_ref: 0.25, allocation: 1.0}]->(f)")
    e = read_technosphere(hand_store).elementary
    assert ("power", "co2", -0.25) in list(zip(e.processes, e.flows, e.amounts, strict=True))


def test_factors_of_every_category_or_the_ones_named(hand_store: GraphStore) -> None:
    rows = read_technosphere(hand_store)
    f = rows.factors
    got = sorted(zip(f.categories, f.flows, f.values, strict=True))
    assert got == [("gwp", "ch4", 29.8), ("gwp", "co2", 1.0)]
    assert f.category_methods == {"gwp": "m", "empty": "m"}
    assert f.category_units == {"gwp": "kg CO2-eq", "empty": "x"}
    only = read_technosphere(hand_store, ["empty"]).factors
    assert only.categories == [] and list(only.category_methods) == ["empty"]


def test_graphs_without_ref_amount_ref_fall_back_to_the_amount_as_given(hand_store: GraphStore) -> None:
    with hand_store.unit_of_work() as writer:
        writer.run("MATCH (p:Process) REMOVE p.ref_amount_ref")
    p = read_technosphere(hand_store).processes
    assert dict(zip(p.ids, p.ref_amounts, strict=True))["power"] == 3.6


def test_statements_are_named_constants() -> None:
    for name in ("READ_TECHNOSPHERE_PROCESSES", "READ_TECHNOSPHERE_LINKS", "READ_TECHNOSPHERE_ELEMENTARY",
                 "READ_TECHNOSPHERE_FACTORS"):
        assert "collect(" in getattr(q, name)
