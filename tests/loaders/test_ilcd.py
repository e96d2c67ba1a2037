"""loaders.ilcd on the two ILCD samples and on edited copies of them.

Expected values come from the raw XML (xml.etree) or are computed by hand in the test.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from lcagraph.config import find_data_dir
from lcagraph.errors import MalformedDataset, UnresolvedReference, UnsafeArchive
from lcagraph.records import DatabaseContent
from loaders.ilcd import read_ilcd
from loaders.ilcd_method import method_id

DATA = find_data_dir()
EXAMPLE = DATA / "samples/ilcd/ilcd_example.zip"
ABS = DATA / "samples/ilcd/olca_abs_granulate"
P = "{http://lca.jrc.it/ILCD/Process}"
C = "{http://lca.jrc.it/ILCD/Common}"
PROCESS = "ILCD/processes/3a46bc36-4321-4d82-bbf6-05cf3e175bbd_09.00.000.xml"
DIESEL = "55a4c166-2eb6-43a3-9a13-2e4f2c4fee60"
CO2 = "fe0acd60-3ddc-11dd-af54-0050c2490048"
CH4 = "08a91e70-3ddc-11dd-960b-0050c2490048"


@pytest.fixture
def example_dir(tmp_path: Path) -> Path:
    """The ILCD example unpacked into a folder the test may edit."""
    with zipfile.ZipFile(EXAMPLE) as zf:
        zf.extractall(tmp_path / "pkg")
    return tmp_path / "pkg"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_example_counts_match_the_raw_files() -> None:
    content = read_ilcd(EXAMPLE, "ILCD example")
    with zipfile.ZipFile(EXAMPLE) as zf:
        folders = Counter(n.split("/")[1] for n in zf.namelist() if n.endswith(".xml"))
        root = ET.fromstring(zf.read(PROCESS))
    assert content.report is not None
    assert dict(content.report.datasets) == dict(folders)
    assert (len(content.processes), len(content.flows)) == (folders["processes"], folders["flows"])
    raw = root.findall(f"{P}exchanges/{P}exchange")
    assert len(raw) == len(content.exchanges) == content.report.exchanges == 15
    by_id = {e.id.split("/")[1]: e for e in content.exchanges}
    for el in raw:
        e = by_id[el.get("dataSetInternalID", "")]
        assert e.flow == el.find(f"{P}referenceToFlowDataSet").get("refObjectId")  # type: ignore[union-attr]
        assert e.is_input == (el.findtext(f"{P}exchangeDirection") == "Input")
        assert e.amount == e.amount_ref == float(el.findtext(f"{P}resultingAmount") or "nan")
        assert e.unit == "kg"
    reference = root.findtext(f"{P}processInformation/{P}quantitativeReference/{P}referenceToReferenceFlow")
    assert [e.id.split("/")[1] for e in content.exchanges if e.is_reference] == [reference]
    assert content.links == () and content.unlinked == ()


def test_example_process_metadata_and_ef_data_quality() -> None:
    (process,) = read_ilcd(EXAMPLE, "x").processes
    assert process.name == "Light duty vehicle, diesel driven, Euro 3, cargo, technology mix"
    assert (process.location, process.category) == ("GLO", "Processes/Transport/Road/Truck")
    assert (process.valid_from, process.valid_until, process.type) == ("2013", "2016", "unit")
    cargo = "e9fd08fb-8067-4d90-91e3-4c92fc1803f7"
    assert (process.ref_flow, process.ref_amount, process.ref_unit) == (cargo, 1.0, "kg")
    dq = process.data_quality
    assert dq is not None and dq.system == "EF DQR"
    # raw: TeR, TiR, GR 'Very good' (1); Completeness, Precision, Methodology, Overall 'Good' (2)
    assert dict(dq.indicators) == {"TeR": 1, "TiR": 1, "GR": 1, "C": 2, "P": 2, "M": 2, "DQR": 2}
    assert dq.entry == "(1;1;1;2;2)"


def test_example_flows_and_compartments() -> None:
    flows = {f.id: f for f in read_ilcd(EXAMPLE, "x").flows}
    assert flows[CO2].type == "elementary" and flows[CO2].name == "carbon dioxide"
    assert flows[CO2].compartment == ("Emissions", "Emissions to air", "Emissions to air, unspecified")
    assert flows[CO2].cas == "000124-38-9" and flows[CO2].unit == "kg" and flows[CO2].flow_property == "Mass"
    # a product flow's GaBi categories are no compartment
    assert flows[DIESEL].type == "product" and flows[DIESEL].compartment == ()


def test_abs_granulate_loose_files() -> None:
    content = read_ilcd(ABS, "abs")
    assert content.report is not None
    roots = Counter(ET.fromstring(p.read_bytes()).tag.split("}")[1] for p in ABS.glob("*.xml"))
    assert sum(roots.values()) == 6 == sum(n for _, n in content.report.datasets)
    (process,) = content.processes
    assert process.type == "system" and process.allocation_method == "Allocation - element content"
    (flow,) = content.flows
    # whitespace around the category stripped; the reference unit (internal id 0, listed second) is kg
    assert flow.compartment[-1] == "Emissions to lower stratosphere and upper troposphere"
    assert (flow.unit, flow.cas, flow.formula) == ("kg", "000556-52-5", "C3H6O2")


def test_exchange_in_another_property_and_unit(example_dir: Path) -> None:
    """Diesel: Mass is the reference (1), C_wt 0.8658 kg C per kg; 866 g C → 866e-3 / 0.8658 kg."""
    process = example_dir / PROCESS
    _edit(process, "<resultingAmount>0.00732498729182225</resultingAmount>",
          '<resultingAmount>866</resultingAmount><common:other>'
          '<referenceToFlowPropertyDataSet refObjectId="88de7063-fd9e-47d2-b182-1960dbaec530"/>'
          "<referenceToUnit>g</referenceToUnit></common:other>")
    _edit(process, "<resultingAmount>0.0221221067660462</resultingAmount>",
          "<resultingAmount>0.5</resultingAmount><referenceToUnit>t</referenceToUnit>")
    content = read_ilcd(example_dir, "x")
    ex = {e.flow: e for e in content.exchanges}
    assert (ex[DIESEL].amount, ex[DIESEL].unit) == (866.0, "g")
    assert ex[DIESEL].amount_ref == pytest.approx(866 * 0.001 / 0.8658, rel=1e-12)
    assert (ex[CO2].unit, ex[CO2].amount_ref) == ("t", 500.0)
    assert content.report is not None and content.report.unit_conversions == 2


def test_uncertainty_and_allocation(example_dir: Path) -> None:
    process = example_dir / PROCESS
    _edit(process, "<resultingAmount>0.0221221067660462</resultingAmount>\n"
                   "      <relativeStandardDeviation95In>0.000</relativeStandardDeviation95In>",
          "<resultingAmount>0.0221221067660462</resultingAmount>"
          "<uncertaintyDistributionType>log-normal</uncertaintyDistributionType>"
          "<relativeStandardDeviation95In>1.5</relativeStandardDeviation95In>"
          '<allocations><allocation internalReferenceToCoProduct="2" allocatedFraction="60"/></allocations>')
    _edit(process, "<resultingAmount>2.67434652093524E-8</resultingAmount>",
          "<resultingAmount>2.67434652093524E-8</resultingAmount><minimumAmount>1E-8</minimumAmount>"
          "<maximumAmount>4E-8</maximumAmount><uncertaintyDistributionType>triangular</uncertaintyDistributionType>")
    ex = {e.flow: e for e in read_ilcd(example_dir, "x").exchanges}
    lognormal = ex[CO2].uncertainty
    assert lognormal is not None and (lognormal.distribution, lognormal.geosd) == ("lognormal", 1.5)
    assert ex[CO2].allocation == pytest.approx(0.6)
    tri = ex[CH4].uncertainty
    assert tri is not None and (tri.minimum, tri.mode, tri.maximum) == (1e-8, 2.67434652093524e-8, 4e-8)
    assert ex[DIESEL].uncertainty is None  # 0.000 without a distribution type


def test_lcia_method_dataset(example_dir: Path) -> None:
    folder = example_dir / "ILCD" / "lciamethods"
    folder.mkdir()
    (folder / "m.xml").write_text(
        '<LCIAMethodDataSet xmlns="http://lca.jrc.it/ILCD/LCIAMethod" '
        'xmlns:common="http://lca.jrc.it/ILCD/Common" version="1.1">'
        "<LCIAMethodInformation><dataSetInformation>"
        '<common:UUID>c0ffee00-0000-4000-8000-000000000001</common:UUID>'
        '<common:name xml:lang="en">Climate change</common:name><methodology>IPCC AR6 GWP100</methodology>'
        '</dataSetInformation><quantitativeReference><referenceQuantity type="flow property data set" '
        'refObjectId="00000000-0000-0000-0000-00000000beef"><common:shortDescription xml:lang="en">kg CO2-eq'
        '</common:shortDescription></referenceQuantity></quantitativeReference></LCIAMethodInformation>'
        f'<characterisationFactors><factor><referenceToFlowDataSet refObjectId="{CO2}"/>'
        '<exchangeDirection>Output</exchangeDirection><meanValue>1</meanValue></factor>'
        f'<factor><referenceToFlowDataSet refObjectId="{CH4}"/><exchangeDirection>Output</exchangeDirection>'
        "<meanValue>29.8</meanValue></factor></characterisationFactors></LCIAMethodDataSet>")
    content = read_ilcd(example_dir, "x")
    (method,), (category,) = content.methods, content.categories
    assert (method.name, method.id) == ("IPCC AR6 GWP100", method_id("IPCC AR6 GWP100"))
    assert (category.id, category.name, category.unit, category.method) == (
        "c0ffee00-0000-4000-8000-000000000001", "Climate change", "kg CO2-eq", method.id)
    assert {(f.flow, f.value) for f in content.factors} == {(CO2, 1.0), (CH4, 29.8)}
    assert content.report is not None and dict(content.report.datasets)["lciamethods"] == 1


def test_newer_version_of_a_dataset_wins(example_dir: Path) -> None:
    old = example_dir / PROCESS
    new = old.with_name("3a46bc36-4321-4d82-bbf6-05cf3e175bbd_10.00.000.xml")
    text = old.read_text(encoding="utf-8")
    text = text.replace("09.00.000</common:dataSetVersion>", "10.00.000</common:dataSetVersion>")
    text = text.replace('<baseName xml:lang="en">Light duty vehicle', '<baseName xml:lang="en">LDV v10')
    new.write_text(text, encoding="utf-8")
    content = read_ilcd(example_dir, "x")
    assert [p.name.split(",")[0] for p in content.processes] == ["LDV v10"]
    assert content.report is not None and any("two versions" in w for w in content.report.warnings)


def test_missing_flow_names_file_dataset_field(example_dir: Path) -> None:
    (example_dir / "ILCD/flows/55a4c166-2eb6-43a3-9a13-2e4f2c4fee60_27.00.000.xml").unlink()
    pattern = (r"3a46bc36[^']*\.xml', dataset '3a46bc36-4321-4d82-bbf6-05cf3e175bbd', "
               r"field 'exchange\[1\]/referenceToFlowDataSet'")
    with pytest.raises(UnresolvedReference, match=pattern):
        read_ilcd(example_dir, "x")


def test_missing_unit_group(example_dir: Path) -> None:
    (example_dir / "ILCD/unitgroups/93a60a57-a4c8-11da-a746-0800200c9a66_03.00.003.xml").unlink()
    with pytest.raises(UnresolvedReference, match=r"unit group '93a60a57-a4c8-11da-a746-0800200c9a66'.*Mass"):
        read_ilcd(example_dir, "x")


def test_non_numeric_amount(example_dir: Path) -> None:
    _edit(example_dir / PROCESS, "<resultingAmount>1.46499745836445E-7</resultingAmount>",
          "<resultingAmount>n/a</resultingAmount>")
    pattern = r"field 'exchange\[14\]/resultingAmount': 'n/a' is not a number"
    with pytest.raises(MalformedDataset, match=pattern):
        read_ilcd(example_dir, "x")


def test_unknown_unit_on_an_exchange(example_dir: Path) -> None:
    _edit(example_dir / PROCESS, "<resultingAmount>1.46499745836445E-7</resultingAmount>",
          "<resultingAmount>1</resultingAmount><referenceToUnit>furlong</referenceToUnit>")
    with pytest.raises(UnresolvedReference, match=r"field 'exchange\[14\]/referenceToUnit': unit 'furlong'"):
        read_ilcd(example_dir, "x")


def test_malformed_xml_and_entities_name_the_file(example_dir: Path) -> None:
    flow = example_dir / "ILCD/flows/e9fd08fb-8067-4d90-91e3-4c92fc1803f7_27.00.000.xml"
    flow.write_text(flow.read_text(encoding="utf-8")[:-40], encoding="utf-8")
    name = r"e9fd08fb-8067-4d90-91e3-4c92fc1803f7_27\.00\.000\.xml"
    with pytest.raises(MalformedDataset, match=name + ".*not well"):
        read_ilcd(example_dir, "x")
    flow.write_text('<?xml version="1.0"?><!DOCTYPE f [<!ENTITY a "aaaa">]><flowDataSet>&a;</flowDataSet>')
    with pytest.raises(UnsafeArchive, match=name):
        read_ilcd(example_dir, "x")


def test_ef_dqr_computed_when_overall_missing(example_dir: Path) -> None:
    _edit(example_dir / PROCESS, '<dataQualityIndicator name="Overall quality" value="Good"/>', "")
    _edit(example_dir / PROCESS, '<dataQualityIndicator name="Precision" value="Good"/>',
          '<dataQualityIndicator name="Precision" value="Poor"/>')
    dq = read_ilcd(example_dir, "x").processes[0].data_quality
    assert dq is not None
    # EF 3.0: DQR = (TeR + GR + TiR + P) / 4 = (1 + 1 + 1 + 4) / 4
    assert math.isclose(dict(dq.indicators)["DQR"], 7 / 4)


def _content_is_whole(content: DatabaseContent) -> bool:
    flows = {f.id for f in content.flows}
    return all(e.flow in flows for e in content.exchanges)


def test_every_exchange_flow_is_imported() -> None:
    assert _content_is_whole(read_ilcd(EXAMPLE, "x")) and _content_is_whole(read_ilcd(ABS, "x"))
