"""loaders.ecospold2 on the USLCI FY18 Q1 EcoSpold2 release, the sample activity and small fixtures.

Expected numbers are computed here from the raw XML (xml.etree, no loader code), and the JSON-LD
comparison from the raw JSON of the FY17 Q4 release.
"""

from __future__ import annotations

import json
import math
import time
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from lcagraph.config import find_data_dir
from lcagraph.errors import MalformedDataset, UnresolvedReference
from lcagraph.records import Database, DatabaseContent, Exchange
from loaders.ecospold2 import read_ecospold2

DATA = find_data_dir()
ES2_ZIP = DATA / "uslci/uslci_fy18q1_ecospold2.zip"
JSONLD_ZIP = DATA / "uslci/uslci_fy17q4_jsonld.zip"
NS = "{http://www.EcoInvent.org/EcoSpold02}"
Key = tuple[str, bool, float]


@dataclass
class Raw:
    """What the raw XML says, per activity id."""

    files: int = 0
    exchanges: Counter[str] = field(default_factory=Counter)  # tag → count
    flows: set[str] = field(default_factory=set)
    no_reference: set[str] = field(default_factory=set)
    units: dict[str, list[tuple[str, float, str]]] = field(default_factory=lambda: defaultdict(list))
    by_process: dict[str, Counter[Key]] = field(default_factory=dict)
    non_finite_uncertainty: int = 0


@pytest.fixture(scope="module")
def raw() -> Raw:
    out = Raw()
    with zipfile.ZipFile(ES2_ZIP) as zf:
        for name in zf.namelist():
            out.files += 1
            root = ET.fromstring(zf.read(name))
            activity = root.find(f"{NS}activityDataset/{NS}activityDescription/{NS}activity")
            assert activity is not None
            pid = activity.get("id", "")
            keys: Counter[Key] = Counter()
            has_reference = False
            for ex in root.iter():
                tag = ex.tag.removeprefix(NS)
                if tag not in ("intermediateExchange", "elementaryExchange") or ex.get("amount") is None:
                    continue  # usedUserMasterData repeats exchanges without amounts
                out.exchanges[tag] += 1
                flow = ex.get("intermediateExchangeId") or ex.get("elementaryExchangeId") or ""
                out.flows.add(flow)
                amount = float(ex.get("amount", "nan"))
                out.units[ex.findtext(f"{NS}unitName") or ""].append((pid, amount, flow))
                keys[(flow, ex.find(f"{NS}inputGroup") is not None, amount)] += 1
                has_reference |= tag == "intermediateExchange" and ex.findtext(f"{NS}outputGroup") == "0"
                variances = [v for d in ex.iterfind(f"{NS}uncertainty/*") for k, v in d.attrib.items()
                             if k.startswith("variance")]
                out.non_finite_uncertainty += any(not math.isfinite(float(v)) for v in variances)
            out.by_process[pid] = keys
            if not has_reference:
                out.no_reference.add(pid)
    return out


@pytest.fixture(scope="module")
def uslci() -> DatabaseContent:
    started = time.perf_counter()
    content = read_ecospold2(ES2_ZIP, "USLCI FY18 Q1")
    print(f"\nread_ecospold2(USLCI FY18 Q1, 767 activities): {time.perf_counter() - started:.2f} s")
    return content


def _by_unit(content: DatabaseContent, unit: str) -> list[Exchange]:
    return [e for e in content.exchanges if e.unit == unit]


@pytest.mark.slow
def test_counts_match_raw_xml(uslci: DatabaseContent, raw: Raw) -> None:
    assert raw.files == 767
    report = uslci.report
    assert report is not None
    assert dict(report.datasets) == {"processes": raw.files, "flows": len(raw.flows)}
    assert len(uslci.processes) == raw.files
    assert {f.id for f in uslci.flows} == raw.flows
    assert report.exchanges == len(uslci.exchanges) == sum(raw.exchanges.values())
    flows = {f.id: f for f in uslci.flows}
    kinds = Counter("elementaryExchange" if flows[e.flow].type == "elementary" else "intermediateExchange"
                    for e in uslci.exchanges)
    assert kinds == raw.exchanges
    assert len({e.id for e in uslci.exchanges}) == len(uslci.exchanges)
    assert all(e.id.startswith(f"{e.process}/") for e in uslci.exchanges)
    assert report.links == () and uslci.links == () and uslci.unlinked == ()
    with zipfile.ZipFile(JSONLD_ZIP) as zf:
        jsonld_ids = {n.split("/")[1].removesuffix(".json") for n in zf.namelist()
                      if n.startswith("processes/")}
    assert len(jsonld_ids & {p.id for p in uslci.processes}) == 754


@pytest.mark.slow
def test_activities_without_reference_product(uslci: DatabaseContent, raw: Raw) -> None:
    assert len(raw.no_reference) == 21
    missing = {p.id for p in uslci.processes if p.ref_flow is None}
    assert missing == raw.no_reference
    assert uslci.report is not None
    warned = [w for w in uslci.report.warnings if "no reference product" in w]
    assert len(warned) == 21
    assert all(any(f"dataset '{pid}', field 'intermediateExchange/outputGroup'" in w for w in warned)
               for pid in missing)
    with_ref = [p for p in uslci.processes if p.ref_flow is not None]
    refs = {e.process: e for e in uslci.exchanges if e.is_reference}
    assert all(refs[p.id].flow == p.ref_flow and refs[p.id].amount == p.ref_amount for p in with_ref)


@pytest.mark.slow
def test_unit_conversions_short_ton_kwh_litre(uslci: DatabaseContent, raw: Raw) -> None:
    with zipfile.ZipFile(JSONLD_ZIP) as zf:
        groups = [json.loads(zf.read(n)) for n in zf.namelist()
                  if n.startswith("unit_groups/") and n.endswith(".json")]
    factor = {u["name"]: u["conversionFactor"] for g in groups for u in g["units"]}
    # the USLCI unit table's short ton is 907.18 kg (the exact value is 907.18474)
    assert math.isclose(factor["sh tn"], 907.18474, rel_tol=1e-5)
    flows = {f.id: f for f in uslci.flows}
    cases = (("sh tn", factor["sh tn"], "kg"), ("kWh", 3.6, "MJ"), ("l", 0.001, "m3"))
    for unit, expected, ref_unit in cases:
        exchanges = _by_unit(uslci, unit)
        assert len(exchanges) == len(raw.units[unit]) > 0
        for e in exchanges:
            assert e.amount_ref == pytest.approx(e.amount * expected, rel=1e-12)
            assert flows[e.flow].unit == ref_unit
    # one flow in kWh here and MJ there: both in MJ after import
    kwh_flows = {e.flow for e in _by_unit(uslci, "kWh")} & {e.flow for e in _by_unit(uslci, "MJ")}
    assert kwh_flows
    assert uslci.report is not None
    converted = sum(1 for e in uslci.exchanges if e.amount_ref != e.amount)
    assert uslci.report.unit_conversions == converted >= len(_by_unit(uslci, "kWh"))


@pytest.mark.slow
def test_units_missing_from_the_openlca_table_by_alias(uslci: DatabaseContent) -> None:
    flows = {f.id: f for f in uslci.flows}
    for unit, ref_unit, factor in (("hour", "d", 1 / 24), ("metric ton*km", "t*km", 1.0),
                                   ("person*km", "p*km", 1.0), ("m2*year", "m2*a", 1.0)):
        exchanges = _by_unit(uslci, unit)
        assert exchanges, unit
        for e in exchanges:
            assert flows[e.flow].unit == ref_unit
            assert e.amount_ref == pytest.approx(e.amount * factor, rel=1e-12)


@pytest.mark.slow
def test_non_finite_uncertainty_dropped_and_reported(uslci: DatabaseContent, raw: Raw) -> None:
    assert uslci.report is not None
    dropped = [w for w in uslci.report.warnings if "uncertainty of" in w]
    counted = sum(int(w.split("uncertainty of ")[1].split(" ")[0]) for w in dropped)
    assert counted == raw.non_finite_uncertainty > 4000
    for e in uslci.exchanges:
        u = e.uncertainty
        if u is not None:
            values = (u.geomean, u.geosd, u.mean, u.sd, u.minimum, u.mode, u.maximum)
            assert all(math.isfinite(v) for v in values if v is not None)


@pytest.mark.slow
def test_same_exchanges_as_the_jsonld_release(uslci: DatabaseContent, raw: Raw) -> None:
    """Processes whose raw exchanges agree in both releases give the same exchanges in reference units."""
    from loaders.jsonld import read_jsonld

    raw_json: dict[str, Counter[Key]] = {}
    with zipfile.ZipFile(JSONLD_ZIP) as zf:
        for name in zf.namelist():
            if name.startswith("processes/") and name.endswith(".json"):
                p = json.loads(zf.read(name))
                raw_json[p["@id"]] = Counter((e["flow"]["@id"], bool(e.get("input")), float(e["amount"]))
                                             for e in p.get("exchanges", []))
    identical = sorted(p for p in raw_json.keys() & raw.by_process.keys() if raw_json[p] == raw.by_process[p])
    assert len(identical) == 292  # the rest changed between FY17 Q4 and FY18 Q1
    jsonld = read_jsonld(JSONLD_ZIP, Database(id="uslci-fy17-q4", name="USLCI FY17 Q4"))

    def per_process(content: DatabaseContent) -> dict[str, Counter[Key]]:
        out: dict[str, Counter[Key]] = defaultdict(Counter)
        for e in content.exchanges:
            out[e.process][(e.flow, e.is_input, float(f"{e.amount_ref:.9e}"))] += 1
        return out

    ours, theirs = per_process(uslci), per_process(jsonld)
    assert [p for p in identical if ours[p] != theirs[p]] == []
    # the agreement covers units spelled differently: 'hour'/'h', 'metric ton*km'/'t*km', 'unit'/'Item(s)'
    units = {e.unit for e in uslci.exchanges if e.process in set(identical)}
    assert {"hour", "metric ton*km", "unit", "kWh", "l"} <= units


# ---------------------------------------------------------------- small activities


ACTIVITY = """<?xml version="1.0" encoding="UTF-8"?>
<ecoSpold xmlns="http://www.EcoInvent.org/EcoSpold02"><activityDataset>
<activityDescription><activity id="{pid}" type="1">
<activityName xml:lang="en">{name}</activityName></activity>
<geography><shortname xml:lang="en">US</shortname></geography></activityDescription>
<flowData>{exchanges}</flowData></activityDataset></ecoSpold>
"""


def _ix(flow: str, amount: str, unit: str, group: str, xid: str) -> str:
    return (f'<intermediateExchange id="{xid}" intermediateExchangeId="{flow}" amount="{amount}">'
            f'<name xml:lang="en">{flow} name</name><unitName xml:lang="en">{unit}</unitName>{group}'
            "</intermediateExchange>")


def _write(folder: Path, pid: str, *exchanges: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{pid}.spold").write_text(ACTIVITY.format(pid=pid, name=pid, exchanges="".join(exchanges)))
    return folder


def test_sample_activity() -> None:
    content = read_ecospold2(DATA / "samples/ecospold2/sample_ecospold2.xml", Database("s", "Sample"))
    (process,) = content.processes
    assert (process.id, process.name, process.location) == ("08a78e38-fdbe-4ea8-869f-7735b41ecf85", "Sample",
                                                            "AX")
    assert (process.valid_from, process.valid_until) == ("2013-01-01", "2014-12-31")
    assert (process.ref_flow, process.ref_amount, process.ref_unit) == (
        "d3a29af5-314a-4659-a574-6bfd53a6bde0", 33.0, "kg")
    ex = {e.flow: e for e in content.exchanges}
    assert len(ex) == 5
    ref = ex["d3a29af5-314a-4659-a574-6bfd53a6bde0"]
    assert ref.default_provider == "487444bd-76ac-4cbe-8d5f-6e2e43b21275"  # activityLinkId
    assert ref.formula == "23 + SUM(8;2)" and ref.id == f"{process.id}/b2711dd3-2b58-4370-ab4a-808784c472a7"
    assert ref.uncertainty is not None and ref.uncertainty.geomean == 33.0
    assert ref.uncertainty.geosd == pytest.approx(math.exp(math.sqrt(2.21)))
    assert ex["9a9d71c7-79f7-42d0-af47-282d22a7cf07"].uncertainty.sd == pytest.approx(math.sqrt(2))  # type: ignore[union-attr]
    tri = ex["41bae23f-237d-4ba6-9b1d-73d5f4baee55"].uncertainty
    assert tri is not None and (tri.minimum, tri.mode, tri.maximum) == (2.0, 25.0, 5.0)
    assert ex["c5035ce2-5ee5-431f-a287-4b25da42be74"].data_quality == "(1;2;3;4;5)"
    assert ex["c5035ce2-5ee5-431f-a287-4b25da42be74"].is_input
    assert process.exchange_dq_system == "ecoinvent pedigree matrix"
    flows = {f.id: f for f in content.flows}
    assert flows["9a9d71c7-79f7-42d0-af47-282d22a7cf07"].compartment == ("natural resource", "in water")
    assert flows["9a9d71c7-79f7-42d0-af47-282d22a7cf07"].unit == "m3*a"  # 'm3*year' by alias
    assert flows["b1991748-2151-4b51-8cdb-a8b4203677dc"].cas == "016887-00-6"


def test_master_data_gives_compartments_and_synonyms(tmp_path: Path) -> None:
    folder = _write(tmp_path / "pkg" / "datasets", "p1",
                    _ix("prod", "1", "kg", "<outputGroup>0</outputGroup>", "x1"),
                    '<elementaryExchange id="x2" elementaryExchangeId="co2" amount="2.5">'
                    '<name xml:lang="en">CO2</name><unitName xml:lang="en">kg</unitName>'
                    "<outputGroup>4</outputGroup></elementaryExchange>")
    master = folder.parent / "MasterData"
    master.mkdir()
    (master / "ElementaryExchanges.xml").write_text(
        '<validElementaryExchanges xmlns="http://www.EcoInvent.org/EcoSpold02">'
        '<elementaryExchange id="co2" casNumber="000124-38-9" formula="CO2">'
        '<name xml:lang="en">Carbon dioxide, fossil</name><unitName xml:lang="en">kg</unitName>'
        '<compartment><compartment xml:lang="en">air'
        '</compartment><subcompartment xml:lang="en">urban air close to ground</subcompartment></compartment>'
        '<synonym xml:lang="en">carbonic anhydride</synonym></elementaryExchange></validElementaryExchanges>')
    content = read_ecospold2(tmp_path / "pkg", "x")
    co2 = {f.id: f for f in content.flows}["co2"]
    assert co2.name == "Carbon dioxide, fossil" and co2.cas == "000124-38-9" and co2.formula == "CO2"
    assert co2.compartment == ("air", "urban air close to ground") and co2.synonyms == ("carbonic anhydride",)
    assert content.report is not None and dict(content.report.datasets)["masterdata"] == 1


def test_waste_treatment_reference(tmp_path: Path) -> None:
    reference = _ix("waste", "-1", "kg", "<outputGroup>0</outputGroup>", "x1")
    content = read_ecospold2(_write(tmp_path, "landfill", reference), "x")
    (e,) = content.exchanges
    assert (e.is_input, e.amount, e.is_reference) == (True, 1.0, True)
    assert content.processes[0].ref_is_input and content.flows[0].type == "waste"


def test_duplicate_activity_ids_refused(tmp_path: Path) -> None:
    _write(tmp_path / "a", "p", _ix("f", "1", "kg", "<outputGroup>0</outputGroup>", "x1"))
    _write(tmp_path / "b", "p", _ix("f", "2", "kg", "<outputGroup>0</outputGroup>", "x1"))
    with pytest.raises(MalformedDataset, match=r"b/p\.spold', dataset 'p'.*also in .*a/p\.spold"):
        read_ecospold2(tmp_path, "x")


def test_one_flow_in_two_flow_properties_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "a", _ix("fuel", "1", "kg", "<inputGroup>5</inputGroup>", "x1"))
    _write(tmp_path, "b", _ix("fuel", "1", "MJ", "<inputGroup>5</inputGroup>", "x1"))
    pattern = r"b\.spold.*dataset 'b'.*flow fuel .*'Mass'.*a\.spold.*'Energy'"
    with pytest.raises(UnresolvedReference, match=pattern):
        read_ecospold2(tmp_path, "x")


@pytest.mark.parametrize(("amount", "unit", "error", "pattern"), [
    ("1", "furlong", UnresolvedReference,
     r"p\.spold', dataset 'p', field 'intermediateExchange\[x1\]/unitName'"),
    ("abc", "kg", MalformedDataset,
     r"p\.spold', dataset 'p', field 'intermediateExchange\[x1\]/@amount'.*'abc'"),
])
def test_bad_values_name_file_dataset_field(tmp_path: Path, amount: str, unit: str, error: type[Exception],
                                            pattern: str) -> None:
    _write(tmp_path, "p", _ix("f", amount, unit, "<inputGroup>5</inputGroup>", "x1"))
    with pytest.raises(error, match=pattern):
        read_ecospold2(tmp_path, "x")
