"""loaders.exporters.jsonld: DatabaseContent → JSON-LD 2.x zip, read back by loaders.jsonld unchanged."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from lcagraph.config import find_data_dir
from lcagraph.errors import InvalidArgument
from lcagraph.records import (
    CharacterisationFactor,
    Database,
    DatabaseContent,
    DataQuality,
    Exchange,
    Flow,
    ImpactCategory,
    ImpactMethod,
    Parameter,
    Process,
    Uncertainty,
)
from loaders.exporters.jsonld import write_jsonld
from loaders.jsonld import read_jsonld

DATA = find_data_dir()
DB = Database(id="rt", name="round trip")


def round_trip(content: DatabaseContent, tmp_path: Path) -> tuple[DatabaseContent, Path]:
    out = tmp_path / "export.zip"
    assert write_jsonld(content, out) == ()
    return read_jsonld(out, DB), out


def assert_same(a: DatabaseContent, b: DatabaseContent) -> None:
    assert b.exchanges == a.exchanges  # ids, amounts, units, amount_ref, flags, providers, dq, uncertainty
    assert b.flows == a.flows
    assert b.processes == a.processes
    assert b.product_systems == a.product_systems
    assert (b.methods, b.categories, b.factors) == (a.methods, a.categories, a.factors)


@pytest.mark.parametrize(
    "relative",
    [
        "samples/jsonld/beef-cattle-finishing",  # 1.x folder: product system, inferred reference
        "flcac/uslci-transport_v1.1_jsonld.zip",  # 2.x: parameters, formulas, default providers, DQ
        "flcac/uslci-marine_v1.0_jsonld.zip",  # g, kg of a flow measured in m3 (property factors)
        "flcac/uslci-rail_v1.0_jsonld.zip",
        "methods/fedefl_ipcc_v1.0.3_jsonld.zip",  # impact method, factors of flows not in the pack
    ],
)
def test_round_trip_real_packages(relative: str, tmp_path: Path) -> None:
    original = read_jsonld(DATA / relative, DB)
    again, out = round_trip(original, tmp_path)
    assert_same(original, again)
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert json.loads(zf.read("olca-schema.json")) == {"version": 2}
    assert again.report is not None and again.report.format == "openLCA JSON-LD 2.x"
    # only the unit groups of the units in use
    used_groups = {n for n in names if n.startswith("unit_groups/")}
    assert len(used_groups) <= 27


def handwritten() -> DatabaseContent:
    flows = (
        Flow("steel", "steel", "product", "kg", "Mass"),
        Flow("slag", "slag", "product", "kg", "Mass"),
        Flow("power", "electricity", "product", "MJ", "Energy"),
        Flow("fuel", "fuel oil", "product", "m3", "Volume", property_factors=(("Mass", 944.0),)),
        Flow(
            "co2", "Carbon dioxide", "elementary", "kg", "Mass", cas="124-38-9", compartment=("air", "urban")
        ),
        Flow("widgets", "widgets", "product", "widget", "Widget count"),  # a unit openLCA does not know
    )
    params = (
        Parameter("eff", 0.8, description="efficiency"),
        Parameter("need", 100 / 0.8, "100 / eff"),
        Parameter("ef", 3.0, scope="global"),
    )
    p = Process(
        "p1",
        "steel making",
        "rt",
        location="US",
        category="Metals/Steel",
        ref_flow="steel",
        ref_amount=1.0,
        ref_unit="kg",
        allocation_method="PHYSICAL_ALLOCATION",
        data_quality=DataQuality("pedigree", "(1;2)"),
        exchange_dq_system="flow pedigree",
        valid_from="2020-01-01",
        sources=("a report",),
        parameters=params,
    )
    phi = 0.75
    exchanges = (
        Exchange("p1/1", "p1", "steel", False, 1.0, "kg", 1.0, is_reference=True, allocation=phi),
        Exchange("p1/2", "p1", "slag", False, 0.2, "kg", 0.2, allocation=phi),
        Exchange(
            "p1/3",
            "p1",
            "power",
            True,
            125.0,
            "kWh",
            450.0,
            formula="need",
            default_provider="grid",
            allocation=phi,
            data_quality="(1;1;2;3;1)",
        ),
        Exchange(
            "p1/4",
            "p1",
            "fuel",
            True,
            9.44,
            "kg",
            0.01,
            allocation=phi,
            uncertainty=Uncertainty("lognormal", geomean=9.44, geosd=1.1),
        ),
        Exchange(
            "p1/5",
            "p1",
            "co2",
            False,
            6.0,
            "kg",
            6.0,
            formula="ef * 2",
            allocation=phi,
            uncertainty=Uncertainty("triangular", minimum=5.0, mode=6.0, maximum=7.0),
        ),
        Exchange(
            "p1/6", "p1", "widgets", True, 3.0, "widget", 3.0, allocation=phi, description="spare parts"
        ),
        Exchange("p1/7", "p1", "steel", True, 0.1, "t", 100.0, is_avoided=True, allocation=phi),
    )
    method = ImpactMethod("m1", "GWP", "1.0")
    return DatabaseContent(
        database=DB,
        flows=flows,
        processes=(p,),
        exchanges=exchanges,
        methods=(method,),
        categories=(ImpactCategory("c1", "GWP100", "m1", "kg CO2-eq"),),
        factors=(CharacterisationFactor("c1", "co2", 1.0), CharacterisationFactor("c1", "other-co2", 0.5)),
    )


def test_round_trip_handwritten(tmp_path: Path) -> None:
    content = handwritten()
    again, out = round_trip(content, tmp_path)
    assert again.exchanges == content.exchanges
    assert sorted(again.flows, key=lambda f: f.id) == sorted(content.flows, key=lambda f: f.id)
    assert again.processes == content.processes  # parameters too: process ones, then the globals used
    assert (again.methods, again.categories, again.factors) == (
        content.methods,
        content.categories,
        content.factors,
    )
    assert again.report is not None and again.report.co_products == ()  # allocated: physical factor 0.75
    with zipfile.ZipFile(out) as zf:
        process = json.loads(zf.read("processes/p1.json"))
        assert process["allocationFactors"] == [
            {
                "@type": "AllocationFactor",
                "allocationType": "PHYSICAL_ALLOCATION",
                "product": {"@type": "Flow", "@id": "steel"},
                "value": 0.75,
            }
        ]
        fuel = json.loads(zf.read("flows/fuel.json"))
        assert {f["flowProperty"]["name"]: f["conversionFactor"] for f in fuel["flowProperties"]} == {
            "Volume": 1.0,
            "Mass": 944.0,
        }
        assert any(
            json.loads(zf.read(n))["@type"] == "Parameter"
            for n in zf.namelist()
            if n.startswith("parameters/")
        )


def test_missing_flow_refused_and_nothing_written(tmp_path: Path) -> None:
    content = handwritten()
    broken = DatabaseContent(
        database=DB, flows=content.flows[1:], processes=content.processes, exchanges=content.exchanges
    )
    out = tmp_path / "broken.zip"
    with pytest.raises(InvalidArgument, match="steel"):
        write_jsonld(broken, out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_unknown_unit_written_in_reference_unit(tmp_path: Path) -> None:
    content = handwritten()
    odd = Exchange("p1/8", "p1", "co2", False, 2.0, "pound-ish", 0.9, allocation=0.75)
    changed = DatabaseContent(
        database=DB,
        flows=content.flows,
        processes=content.processes,
        exchanges=(*content.exchanges, odd),
        methods=content.methods,
        categories=content.categories,
        factors=content.factors,
    )
    out = tmp_path / "odd.zip"
    warnings = write_jsonld(changed, out)
    assert len(warnings) == 1 and "pound-ish" in warnings[0]
    again = read_jsonld(out, DB)
    back = next(e for e in again.exchanges if e.id == "p1/8")
    assert (back.amount, back.unit, back.amount_ref) == (0.9, "kg", 0.9)
