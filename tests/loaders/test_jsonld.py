"""loaders.jsonld on the real packages: counts checked against the README and against counts taken
independently from the raw JSON; unit conversions and formulas checked on real exchanges."""

from __future__ import annotations

import json
import math
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from lcagraph.config import find_data_dir
from lcagraph.records import Database, DatabaseContent
from loaders.jsonld import read_jsonld

DATA = find_data_dir()
USLCI = DATA / "uslci" / "uslci_fy17q4_jsonld.zip"
TRANSPORT = DATA / "flcac" / "uslci-transport_v1.1_jsonld.zip"
MARINE = DATA / "flcac" / "uslci-marine_v1.0_jsonld.zip"
RAIL = DATA / "flcac" / "uslci-rail_v1.0_jsonld.zip"
IPCC = DATA / "methods" / "fedefl_ipcc_v1.0.3_jsonld.zip"
BEEF = DATA / "samples" / "jsonld" / "beef-cattle-finishing"


def read(path: Path) -> DatabaseContent:
    return read_jsonld(path, Database(id="test-db", name="test db"))


def raw_objects(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Objects by type folder, straight from the zip (independent of loaders.archive/jsonld)."""
    out: dict[str, list[dict[str, Any]]] = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            parts = name.split("/")
            if name.endswith(".json") and len(parts) >= 2:
                out.setdefault(parts[-2], []).append(json.loads(zf.read(name)))
    return out


@pytest.fixture(scope="module")
def uslci() -> DatabaseContent:
    return read(USLCI)


@pytest.fixture(scope="module")
def uslci_raw() -> dict[str, list[dict[str, Any]]]:
    return raw_objects(USLCI)


@pytest.mark.slow
def test_uslci_counts(uslci: DatabaseContent, uslci_raw: dict[str, list[dict[str, Any]]]) -> None:
    raw_exchanges = [e for p in uslci_raw["processes"] for e in p["exchanges"]]
    assert len(uslci.processes) == 766 == len(uslci_raw["processes"])
    assert len(uslci.flows) == 4601 == len(uslci_raw["flows"])
    elementary = sum(1 for f in uslci_raw["flows"] if f["flowType"] == "ELEMENTARY_FLOW")
    assert sum(1 for f in uslci.flows if f.type == "elementary") == 2918 == elementary
    assert len(uslci.exchanges) == 32526 == len(raw_exchanges)
    assert len({e.id for e in uslci.exchanges}) == len(uslci.exchanges)
    assert (
        sum(1 for e in uslci.exchanges if e.formula)
        == 259
        == sum(1 for e in raw_exchanges if e.get("amountFormula"))
    )
    assert sum(1 for p in uslci.processes if p.parameters) == 24
    assert uslci.links == () and uslci.unlinked == ()
    report = uslci.report
    assert report is not None
    assert report.format == "openLCA JSON-LD 1.x"
    assert dict(report.datasets)["processes"] == 766
    assert dict(report.datasets)["elementary_flows"] == 2918
    assert report.exchanges == 32526
    param_formulas = sum(
        1 for p in uslci_raw["processes"] for q in p.get("parameters", []) if q.get("formula")
    )
    assert report.formulas_evaluated == 259 + param_formulas


@pytest.mark.slow
def test_uslci_unit_conversions_counted(
    uslci: DatabaseContent, uslci_raw: dict[str, list[dict[str, Any]]]
) -> None:
    # independent: the exchange's unit id differs from the reference unit of the flow's reference property
    group_ref = {
        g["@id"]: next(u["@id"] for u in g["units"] if u.get("referenceUnit"))
        for g in uslci_raw["unit_groups"]
    }
    prop_group = {p["@id"]: p["unitGroup"]["@id"] for p in uslci_raw["flow_properties"]}
    ref_unit = {
        f["@id"]: group_ref[
            prop_group[
                next(x for x in f["flowProperties"] if x.get("referenceFlowProperty"))["flowProperty"]["@id"]
            ]
        ]
        for f in uslci_raw["flows"]
    }
    expected = sum(
        1
        for p in uslci_raw["processes"]
        for e in p["exchanges"]
        if e["unit"]["@id"] != ref_unit[e["flow"]["@id"]]
    )
    assert uslci.report is not None and uslci.report.unit_conversions == expected == 3228


@pytest.mark.slow
def test_uslci_hours_kwh_litres(uslci: DatabaseContent) -> None:
    flows = {f.id: f for f in uslci.flows}
    by_unit: dict[str, list[Any]] = {}
    for e in uslci.exchanges:
        by_unit.setdefault(e.unit, []).append(e)
    # openLCA's time unit group has the day as reference unit: h = 1/24 d
    hours = by_unit["h"]
    assert len(hours) == 57
    for e in hours:
        assert flows[e.flow].unit == "d"
        assert e.amount_ref == pytest.approx(e.amount / 24, rel=1e-15)
    for e in by_unit["kWh"]:
        assert flows[e.flow].unit == "MJ"
        assert e.amount_ref == pytest.approx(e.amount * 3.6, rel=1e-15)
    for e in by_unit["l"]:
        assert flows[e.flow].unit == "m3"
        assert e.amount_ref == pytest.approx(e.amount * 0.001, rel=1e-15)
    assert len(by_unit["kWh"]) == 1661 and len(by_unit["l"]) == 737
    for e in by_unit["kg"]:
        assert e.amount_ref == e.amount


@pytest.mark.slow
def test_uslci_formulas(uslci: DatabaseContent, uslci_raw: dict[str, list[dict[str, Any]]]) -> None:
    # hand-computed: coal crusher, Portland_Cement = Concrete * Cement_Fraction = 2259000 kg * 0.141
    crusher = next(p for p in uslci.processes if p.id == "cb09cf38-4b97-4374-b526-72d02a7ab8e1")
    assert {q.name: q.value for q in crusher.parameters}["Portland_Cement"] == 2259000.0 * 0.141
    cement = next(e for e in uslci.exchanges if e.process == crusher.id and e.formula == "Portland_Cement")
    assert cement.amount == 2259000.0 * 0.141
    # every formula amount equals the amount openLCA evaluated and stored next to it
    stored = {
        (p["@id"], i): e["amount"] for p in uslci_raw["processes"] for i, e in enumerate(p["exchanges"], 1)
    }
    formula_exchanges = [e for e in uslci.exchanges if e.formula]
    for e in formula_exchanges:
        pid, _, pos = e.id.partition("/")
        assert math.isclose(e.amount, stored[pid, int(pos)], rel_tol=1e-12), e
    assert uslci.report is not None
    assert not [w for w in uslci.report.warnings if "amountFormula" in w]


@pytest.mark.slow
def test_uslci_flows_as_given(uslci: DatabaseContent) -> None:
    names = {f.id: f for f in uslci.flows}
    co2 = names["63af114b-afcb-3a82-801a-9c66208a673a"]
    assert co2.name == "Carbon dioxide, fossil "  # trailing space kept; matching is another step's job
    assert co2.compartment == ("air", "unspecified")
    assert co2.type == "elementary" and co2.unit == "kg" and co2.flow_property == "Mass"
    products = [f for f in uslci.flows if f.type == "product"]
    assert all(f.compartment == () for f in products)


@pytest.mark.slow
def test_uslci_multi_output_and_uncertainty(
    uslci: DatabaseContent, uslci_raw: dict[str, list[dict[str, Any]]]
) -> None:
    multi = {
        p["@id"]
        for p in uslci_raw["processes"]
        if sum(1 for e in p["exchanges"] if not e["input"] and e["flow"]["flowType"] == "PRODUCT_FLOW") > 1
    }
    assert uslci.report is not None
    assert {c.split("/")[0] for c in uslci.report.co_products} == multi
    assert len(multi) == 132
    # no default allocation method in USLCI: nothing allocated, the 3 multi-output processes with
    # (all-zero) factors are named in the warnings
    assert all(e.allocation == 1.0 for e in uslci.exchanges)
    flagged = [w for w in uslci.report.warnings if "'defaultAllocationMethod'" in w]
    assert len(flagged) == 3
    raw_kinds = Counter(
        e["uncertainty"]["distributionType"]
        for p in uslci_raw["processes"]
        for e in p["exchanges"]
        if "uncertainty" in e
    )
    kinds = Counter(e.uncertainty.distribution for e in uslci.exchanges if e.uncertainty)
    assert kinds == {
        "lognormal": raw_kinds["LOG_NORMAL_DISTRIBUTION"],
        "triangular": raw_kinds["TRIANGLE_DISTRIBUTION"],
        "uniform": raw_kinds["UNIFORM_DISTRIBUTION"],
    }
    triangle = next(
        e for e in uslci.exchanges if e.uncertainty and e.uncertainty.distribution == "triangular"
    )
    assert triangle.uncertainty is not None
    assert triangle.uncertainty.minimum is not None and triangle.uncertainty.maximum is not None
    assert triangle.uncertainty.minimum <= triangle.uncertainty.mode <= triangle.uncertainty.maximum  # type: ignore[operator]
    assert sum(1 for e in uslci.exchanges if e.data_quality) == 478  # pedigreeUncertainty entries


def raw_folder(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Objects by type folder of an unzipped package (independent of loaders.archive/jsonld)."""
    return {
        d.name: [json.loads(f.read_text()) for f in d.glob("*.json")] for d in path.iterdir() if d.is_dir()
    }


@pytest.mark.parametrize(
    ("path", "processes", "exchanges"),
    [(TRANSPORT, 41, None), (MARINE, 72, 6264), (RAIL, 11, None), (BEEF, 8, None), (IPCC, 0, 0)],
)
def test_counts_against_raw_json(path: Path, processes: int, exchanges: int | None) -> None:
    content = read(path)
    raw = raw_folder(path) if path.is_dir() else raw_objects(path)
    raw_exchanges = [e for p in raw.get("processes", []) for e in p["exchanges"]]
    assert len(content.processes) == len(raw.get("processes", [])) == processes  # README figures
    assert len(content.exchanges) == len(raw_exchanges)
    if exchanges is not None:
        assert len(content.exchanges) == exchanges
    assert len(content.flows) == len(raw.get("flows", []))
    elementary = sum(1 for f in raw.get("flows", []) if f["flowType"] == "ELEMENTARY_FLOW")
    assert sum(1 for f in content.flows if f.type == "elementary") == elementary
    assert len(content.product_systems) == len(raw.get("product_systems", []))
    assert content.report is not None
    counts = dict(content.report.datasets)
    for folder in ("processes", "flows", "lcia_categories", "lcia_methods", "product_systems"):
        assert counts.get(folder, 0) == len(raw.get(folder, []))


def test_transport_schema2_top_folder_formulas_providers() -> None:
    content = read(TRANSPORT)
    raw = raw_objects(TRANSPORT)
    assert content.report is not None and content.report.format == "openLCA JSON-LD 2.x"
    assert len(content.processes) == 41 == len(raw["processes"])
    raw_exchanges = [e for p in raw["processes"] for e in p["exchanges"]]
    assert len(content.exchanges) == len(raw_exchanges) == 238
    providers = sum(1 for e in raw_exchanges if "defaultProvider" in e)
    assert sum(1 for e in content.exchanges if e.default_provider) == providers == 197
    # parameters without values, defined by formulas: longHaul_kgkm = longHaul_dist * longHaul_mass_frac
    process = next(p for p in content.processes if p.id == "0001b273-4a23-3c9f-b790-840b628d1bf5")
    values = {q.name: q.value for q in process.parameters}
    assert values["longHaul_kgkm"] == 794.58 * 0.7575387371841468
    long_haul = next(e for e in content.exchanges if e.process == process.id and e.formula == "longHaul_kgkm")
    assert long_haul.amount == 794.58 * 0.7575387371841468
    assert long_haul.unit == "kg*km"
    assert long_haul.amount_ref == pytest.approx(long_haul.amount * 0.001, rel=1e-15)  # in t*km
    assert long_haul.default_provider == "a685da05-1a42-3fe1-a68b-6db458be5e07"
    assert long_haul.data_quality == "(2;3;1;1;3)"
    dq = process.data_quality
    assert dq is not None and dq.system == "US EPA - Process Pedigree Matrix" and dq.entry == "(4;1)"
    assert [v for _, v in dq.indicators] == [4.0, 1.0] and all(name for name, _ in dq.indicators)
    assert process.category == "48-49: Transportation and Warehousing/Commodity Transport"
    assert content.report.formulas_evaluated == 197 + sum(
        1 for p in raw["processes"] for q in p.get("parameters", []) if q.get("formula")
    )
    assert all(e.id.startswith(f"{e.process}/") for e in content.exchanges)


def test_marine_grams_and_density() -> None:
    content = read(MARINE)
    assert len(content.processes) == 72 and len(content.exchanges) == 6264
    flows = {f.id: f for f in content.flows}
    grams = [e for e in content.exchanges if e.unit == "g"]
    assert len(grams) == 6120
    for e in grams:
        assert flows[e.flow].unit == "kg"
        assert e.amount_ref == pytest.approx(e.amount * 0.001, rel=1e-15)
    # diesel is measured in m3 (reference) and given in kg: 849 kg per m3 (openLCA divides)
    diesel = [e for e in content.exchanges if flows[e.flow].name == "Diesel, at refinery" and e.unit == "kg"]
    assert diesel
    for e in diesel:
        assert flows[e.flow].unit == "m3" and dict(flows[e.flow].property_factors)["Mass"] == 849.0
        assert e.amount_ref == pytest.approx(e.amount / 849.0, rel=1e-15)
    assert content.report is not None and content.report.unit_conversions == 6192


def test_rail_gallons() -> None:
    content = read(RAIL)
    gallons = [e for e in content.exchanges if e.unit == "gal (US fl)"]
    assert len(gallons) == 11
    for e in gallons:
        assert e.amount_ref == pytest.approx(e.amount * 0.00379, rel=1e-15)  # the openLCA table's gallon


def test_beef_folder_product_system() -> None:
    content = read(BEEF)
    assert len(content.processes) == 8 and len(content.flows) == 48
    (system,) = content.product_systems
    assert system.ref_process == "1b97b691-7c00-4150-9e97-df2020bfd203"
    assert system.amount == 2914841.44 and system.unit == "kg"
    assert len(system.links) == 8 and {link.kind for link in system.links} == {"model"}
    exchanges = {e.id: e for e in content.exchanges}
    for link in system.links:
        consumer = exchanges[link.exchange]
        assert consumer.process == link.consumer and consumer.flow == link.flow and consumer.is_input
        assert link.amount_ref == consumer.amount_ref
    silage = next(link for link in system.links if link.exchange.endswith("/12"))
    assert silage.amount_ref == 6991000.0  # 6991 t as kg
    # the alfalfa process has no quantitative reference; its single product output is taken, with a warning
    alfalfa = next(p for p in content.processes if p.id == "bb4f02fd-2277-400d-92ef-0b712aef4baf")
    assert alfalfa.ref_flow == "db8473a8-61dc-4ab0-ad3a-562833a2bb06"
    assert content.report is not None
    assert any("bb4f02fd" in w and "'exchanges'" in w for w in content.report.warnings)
    raw_providers = sum(
        1
        for f in (BEEF / "processes").glob("*.json")
        for e in json.loads(f.read_text())["exchanges"]
        if "defaultProvider" in e
    )
    assert sum(1 for e in content.exchanges if e.default_provider) == raw_providers == 5


def test_ipcc_method_pack() -> None:
    content = read(IPCC)
    raw = raw_objects(IPCC)
    assert [m.name for m in content.methods] == ["IPCC"]
    assert len(content.categories) == 8 and {c.unit for c in content.categories} == {"kg CO2 eq"}
    assert {c.method for c in content.categories} == {content.methods[0].id}
    assert sum(len(c["impactFactors"]) for c in raw["lcia_categories"]) == 20383
    pairs = {(c["@id"], f["flow"]["@id"]) for c in raw["lcia_categories"] for f in c["impactFactors"]}
    assert len(content.factors) == len(pairs)  # one factor per (category, flow)
    ar6 = next(c for c in content.categories if c.name == "AR6-100")
    by_flow = {f.flow: f.value for f in content.factors if f.category == ar6.id}
    raw_ar6 = next(c for c in raw["lcia_categories"] if c["name"] == "AR6-100")
    assert len(raw_ar6["impactFactors"]) == 3519 and len(by_flow) == 3349
    first: dict[str, float] = {}
    for f in raw_ar6["impactFactors"]:
        first.setdefault(f["flow"]["@id"], f["value"])
    assert by_flow == first  # given per kg: unchanged; of conflicting duplicates the first is kept
    assert by_flow["0903fe4b-4584-3673-882f-b87448158f6d"] == 328.0  # 328 and 229 given (HFE-254cb1 / HG'-02)
    assert content.report is not None
    assert any(
        ar6.id in w and "119 flows have several different factors" in w for w in content.report.warnings
    )
    # the pack has no flows/ folder: factors are keyed by FEDEFL flow UUID only
    assert content.flows == ()
    assert any("3893 flows" in w for w in content.report.warnings)


def test_marine_flows_meet_ipcc_factors() -> None:
    marine, ipcc = read(MARINE), read(IPCC)
    ar6 = next(c.id for c in ipcc.categories if c.name == "AR6-100")
    factors = {f.flow: f.value for f in ipcc.factors if f.category == ar6}
    co2 = [f for f in marine.flows if f.name == "Carbon dioxide" and f.type == "elementary"]
    assert co2 and all(factors.get(f.id) == 1.0 for f in co2 if f.id in factors)
    assert any(f.id in factors for f in co2)
