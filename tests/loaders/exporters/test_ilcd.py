"""loaders.exporters.ilcd: structure of the written zip and round trips through loaders.ilcd.

Round trips compare, per exchange: process, flow, direction, amount in reference units (1e-9
relative), the reference flag and the provider (ILCD carries it as olca:defaultProvider).
"""

from __future__ import annotations

import math
import time
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from lcagraph.config import find_data_dir
from lcagraph.errors import UnresolvedReference
from lcagraph.records import Database, DatabaseContent, Exchange
from loaders.exporters.ilcd import write_ilcd
from loaders.ilcd import read_ilcd

DATA = find_data_dir()
ILCD = "http://lca.jrc.it/ILCD/"
# the sequence of ILCD 1.1 ExchangeType
EXCHANGE_ORDER = [
    "referenceToFlowDataSet", "location", "functionType", "exchangeDirection", "referenceToVariable",
    "meanAmount", "resultingAmount", "minimumAmount", "maximumAmount", "uncertaintyDistributionType",
    "relativeStandardDeviation95In", "allocations", "dataSourceType", "dataDerivationTypeStatus",
    "referencesToDataSource", "generalComment", "other",
]

Key = tuple[str, str, bool, bool, str | None]


def _provider(e: Exchange, content: DatabaseContent) -> str | None:
    linked = {link.exchange: link.provider for link in content.links}
    return e.default_provider or linked.get(e.id)


def _exchanges(content: DatabaseContent) -> dict[Key, list[float]]:
    """Exchanges keyed without their amount; amounts sorted, compared with a relative tolerance."""
    out: dict[Key, list[float]] = {}
    for e in content.exchanges:
        key = (e.process, e.flow, e.is_input, e.is_reference, _provider(e, content))
        out.setdefault(key, []).append(e.amount_ref)
    return {k: sorted(v) for k, v in out.items()}


def _assert_same_exchanges(before: DatabaseContent, after: DatabaseContent) -> None:
    a, b = _exchanges(before), _exchanges(after)
    assert a.keys() == b.keys()
    for key, amounts in a.items():
        assert len(amounts) == len(b[key])
        for x, y in zip(amounts, b[key], strict=True):
            assert math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-300), key


def _round_trip(content: DatabaseContent, tmp_path: Path) -> DatabaseContent:
    out = tmp_path / "export" / "ilcd.zip"
    assert write_ilcd(content, out) == ()
    return read_ilcd(out, content.database)


@pytest.mark.parametrize("sample", ["samples/ilcd/ilcd_example.zip", "samples/ilcd/olca_abs_granulate"])
def test_ilcd_round_trip(sample: str, tmp_path: Path) -> None:
    before = read_ilcd(DATA / sample, "sample")
    after = _round_trip(before, tmp_path)
    _assert_same_exchanges(before, after)
    flows = {f.id: f for f in after.flows}
    for f in before.flows:
        assert (flows[f.id].name, flows[f.id].type, flows[f.id].unit, flows[f.id].compartment,
                flows[f.id].cas) == (f.name, f.type, f.unit, f.compartment, f.cas)
    processes = {p.id: p for p in after.processes}
    for p in before.processes:
        q = processes[p.id]
        assert (q.name, q.ref_flow, q.location, q.category, q.type, q.data_quality) == (
            p.name, p.ref_flow, p.location, p.category, p.type, p.data_quality)


def test_structure_of_the_zip(tmp_path: Path, make_content: Callable[..., DatabaseContent]) -> None:
    out = tmp_path / "x.zip"
    write_ilcd(make_content(), out)
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        roots = {n: ET.fromstring(zf.read(n)) for n in names}
    folders = {n.split("/")[1] for n in names}
    assert folders == {"processes", "flows", "flowproperties", "unitgroups", "lciamethods"}
    expected_root = {
        "processes": "Process}processDataSet", "flows": "Flow}flowDataSet",
        "flowproperties": "FlowProperty}flowPropertyDataSet", "unitgroups": "UnitGroup}unitGroupDataSet",
        "lciamethods": "LCIAMethod}LCIAMethodDataSet",
    }
    for name, root in roots.items():
        folder, file = name.split("/")[1:]
        assert name.startswith("ILCD/") and root.tag == "{" + ILCD + expected_root[folder]
        assert root.get("version") == "1.1"
        assert root.findtext(f".//{{{ILCD}Common}}UUID") == file.removesuffix(".xml")
        for ref in root.iter():
            uri = ref.get("uri")
            if uri is not None:  # every reference points to a dataset in the zip
                assert "ILCD/" + uri.removeprefix("../") in names, (name, uri)
        for exchange in root.iter(f"{{{ILCD}Process}}exchange"):
            tags = [child.tag.split("}")[1] for child in exchange]
            assert tags == sorted(tags, key=EXCHANGE_ORDER.index)


def test_hand_made_content_round_trip(tmp_path: Path, make_content: Callable[..., DatabaseContent]) -> None:
    before = make_content()
    after = _round_trip(before, tmp_path)
    _assert_same_exchanges(before, after)
    flows = {f.id: f for f in after.flows}
    assert flows["f-power"].unit == "kWh"  # a flow whose reference unit is no openLCA reference unit
    assert {(f.id, f.type, f.unit, f.compartment) for f in before.flows} == {
        (f.id, f.type, f.unit, f.compartment) for f in after.flows}
    ex = {e.id: e for e in after.exchanges}
    assert ex["power/3"].allocation == pytest.approx(0.875)
    assert ex["steel/2"].uncertainty is not None and ex["steel/2"].uncertainty.geosd == pytest.approx(1.2)
    assert ex["power/2"].uncertainty is not None and ex["power/2"].uncertainty.sd == pytest.approx(0.05)
    tri = ex["steel/3"].uncertainty
    assert tri is not None and (tri.minimum, tri.mode, tri.maximum) == (1.5, 1.85, 2.25)
    assert {p.id: p.ref_flow for p in after.processes} == {p.id: p.ref_flow for p in before.processes}
    assert [(m.id, m.name, m.version) for m in after.methods] == [
        (m.id, m.name, m.version) for m in before.methods]
    assert [(c.id, c.name, c.method, c.unit) for c in after.categories] == [
        (c.id, c.name, c.method, c.unit) for c in before.categories]
    assert {(f.category, f.flow, f.value) for f in after.factors} == {
        (f.category, f.flow, f.value) for f in before.factors}
    dq = {p.id: p.data_quality for p in after.processes}["steel"]
    assert dq is not None and dict(dq.indicators) == {"TeR": 2.0, "GR": 2.0, "DQR": 2.0}  # ratings: rounded


def test_failed_export_leaves_nothing(tmp_path: Path, make_content: Callable[..., DatabaseContent]) -> None:
    content = make_content()
    broken = replace(content, exchanges=(*content.exchanges,
                                         Exchange("bike/9", "bike", "f-nowhere", True, 1.0, "kg", 1.0)))
    out = tmp_path / "out" / "ilcd.zip"
    out.parent.mkdir()
    with pytest.raises(UnresolvedReference, match="f-nowhere"):
        write_ilcd(broken, out)
    assert not out.exists() and list(out.parent.iterdir()) == []


def test_jsonld_module_with_providers_round_trip(tmp_path: Path) -> None:
    from loaders.jsonld import read_jsonld

    before = read_jsonld(DATA / "flcac/uslci-transport_v1.1_jsonld.zip", Database("transport", "Transport"))
    assert sum(1 for e in before.exchanges if e.default_provider) > 10
    _assert_same_exchanges(before, _round_trip(before, tmp_path))


@pytest.mark.slow
def test_uslci_jsonld_round_trip(tmp_path: Path) -> None:
    from loaders.jsonld import read_jsonld

    before = read_jsonld(DATA / "uslci/uslci_fy17q4_jsonld.zip", Database("uslci-fy17-q4", "USLCI FY17 Q4"))
    started = time.perf_counter()
    after = _round_trip(before, tmp_path)
    print(f"\nUSLCI JSON-LD records → ILCD → records: {time.perf_counter() - started:.2f} s")
    assert len(after.processes) == len(before.processes) == 766
    assert len(after.exchanges) == len(before.exchanges) == 32526
    _assert_same_exchanges(before, after)
    flows = {f.id: f for f in after.flows}
    for f in before.flows:
        g = flows[f.id]
        assert (g.type, g.unit, g.compartment) == (f.type, f.unit, f.compartment)
    assert {p.id: p.ref_flow for p in after.processes} == {p.id: p.ref_flow for p in before.processes}
