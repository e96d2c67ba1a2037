"""loaders.jsonld on small handwritten packages: bad input named by file, dataset and field;
allocation, global parameters, schema variants."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from lcagraph.errors import MalformedDataset, UnresolvedReference, UnsafeArchive, UnsupportedFormat
from lcagraph.records import Database, DatabaseContent
from loaders.jsonld import read_jsonld

MASS = {"@type": "FlowProperty", "@id": "93a60a56-a3c8-11da-a746-0800200b9a66", "name": "Mass"}
KG = {"@type": "Unit", "@id": "20aadc24-a391-41cf-b340-3e4529f44bde", "name": "kg"}
G = {"@type": "Unit", "@id": "e1317ffc-7f83-4a85-bc65-4fb229a25cf8", "name": "g"}
P1 = "11111111-1111-1111-1111-111111111111"


def flow(fid: str, kind: str = "PRODUCT_FLOW", category: str = "") -> dict[str, Any]:
    return {
        "@type": "Flow",
        "@id": fid,
        "name": f"flow {fid}",
        "flowType": kind,
        "category": category,
        "flowProperties": [{"flowProperty": MASS, "conversionFactor": 1.0, "isRefFlowProperty": True}],
    }


def exchange(
    fid: str,
    amount: Any,
    *,
    is_input: bool = True,
    ref: bool = False,
    unit: dict[str, str] = KG,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "@type": "Exchange",
        "flow": {"@type": "Flow", "@id": fid},
        "amount": amount,
        "isInput": is_input,
        "isQuantitativeReference": ref,
        "unit": unit,
        "flowProperty": MASS,
        **extra,
    }


def process(exchanges: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"@type": "Process", "@id": P1, "name": "test process", "exchanges": exchanges, **extra}


def base_exchanges() -> list[dict[str, Any]]:
    return [
        exchange("out", 2.0, is_input=False, ref=True),
        exchange("in", 500.0, unit=G),
        exchange("co2", 3.0, is_input=False),
    ]


def package(tmp_path: Path, members: dict[str, Any], *, top: str = "") -> Path:
    path = tmp_path / "pkg.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, obj in members.items():
            zf.writestr(top + name, obj if isinstance(obj, str) else json.dumps(obj))
    return path


def standard(proc: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "olca-schema.json": {"version": 2},
        "flows/out.json": flow("out"),
        "flows/in.json": flow("in"),
        "flows/co2.json": flow("co2", "ELEMENTARY_FLOW", "Elementary flows/emission/air"),
        f"processes/{P1}.json": proc,
        **more,
    }


def read(path: Path) -> DatabaseContent:
    return read_jsonld(path, Database(id="fixture", name="fixture"))


def test_minimal_package_with_top_folder(tmp_path: Path) -> None:
    content = read(package(tmp_path, standard(process(base_exchanges())), top="module_v1/"))
    assert [e.id for e in content.exchanges] == [f"{P1}/1", f"{P1}/2", f"{P1}/3"]
    grams = content.exchanges[1]
    assert (grams.amount, grams.unit, grams.amount_ref) == (500.0, "g", 0.5)
    (proc,) = content.processes
    assert (proc.ref_flow, proc.ref_amount, proc.ref_unit, proc.database) == ("out", 2.0, "kg", "fixture")
    co2 = next(f for f in content.flows if f.id == "co2")
    assert co2.compartment == ("Elementary flows", "emission", "air")


def test_malformed_json_names_the_file(tmp_path: Path) -> None:
    members = standard(process(base_exchanges()))
    members[f"processes/{P1}.json"] = '{"@type": "Process", "exchanges": ['
    with pytest.raises(MalformedDataset) as info:
        read(package(tmp_path, members))
    assert info.value.file.endswith(f"pkg.zip!processes/{P1}.json")
    assert "not valid JSON" in str(info.value)


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        (lambda ex: ex[1].update(flow={"@id": "missing-flow"}), UnresolvedReference, "exchanges[2].flow"),
        (
            lambda ex: ex[1].update(unit={"@id": "no-such-unit", "name": "zz"}),
            UnresolvedReference,
            "exchanges[2].unit",
        ),
        (lambda ex: ex[1].update(amount="12,5"), MalformedDataset, "exchanges[2].amount"),
        (lambda ex: ex[1].update(amount=None), MalformedDataset, "exchanges[2].amount"),
        (lambda ex: ex[1].update(amount=True), MalformedDataset, "exchanges[2].amount"),
        (lambda ex: ex[1].update(amountFormula="2 *"), MalformedDataset, "exchanges[2].amountFormula"),
        (
            lambda ex: ex[1].update(amountFormula="nope * 2"),
            UnresolvedReference,
            "exchanges[2].amountFormula",
        ),
        (lambda ex: ex[1].pop("unit"), MalformedDataset, "exchanges[2].unit"),
        (
            lambda ex: ex[1].update(flowProperty={"@id": "f6811440-ee37-11de-8a39-0800200c9a66"}),
            MalformedDataset,
            "exchanges[2].unit",
        ),  # kg is not an energy unit
        (
            lambda ex: ex[1].update(uncertainty={"distributionType": "NORMAL_DISTRIBUTION", "mean": "x"}),
            MalformedDataset,
            "exchanges[2].uncertainty.mean",
        ),
    ],
)
def test_bad_exchange_named(tmp_path: Path, change: Any, error: type[Exception], field: str) -> None:
    exchanges = base_exchanges()
    change(exchanges)
    with pytest.raises(error) as info:
        read(package(tmp_path, standard(process(exchanges))))
    assert isinstance(info.value, MalformedDataset)
    assert type(info.value) is error
    assert info.value.file.endswith(f"processes/{P1}.json")
    assert info.value.dataset == P1
    assert info.value.field == field
    assert P1 in str(info.value) and field in str(info.value)


def test_parameter_formulas_and_cycle(tmp_path: Path) -> None:
    exchanges = base_exchanges()
    exchanges[1]["amountFormula"] = "mass_g * (1 + loss)"
    params = [
        {"name": "loss", "value": 0.25},
        {"name": "mass_g", "formula": "base * 2"},
        {"name": "base", "value": 100.0},
    ]
    content = read(package(tmp_path, standard(process(exchanges, parameters=params))))
    assert content.exchanges[1].amount == 100.0 * 2 * 1.25
    assert content.exchanges[1].amount_ref == 0.25  # 250 g
    assert content.report is not None and content.report.formulas_evaluated == 2
    cyclic = [{"name": "a", "formula": "b"}, {"name": "b", "formula": "a * 2"}]
    with pytest.raises(MalformedDataset) as info:
        read(package(tmp_path, standard(process(base_exchanges(), parameters=cyclic))))
    assert "cycle" in str(info.value) and info.value.field.startswith("parameters.")
    assert info.value.dataset == P1


def test_global_parameters(tmp_path: Path) -> None:
    exchanges = base_exchanges()
    exchanges[2]["amountFormula"] = "ef * 2"
    members = standard(process(exchanges, parameters=[{"name": "local", "value": 1.0}]))
    members["parameters/g1.json"] = {
        "@type": "Parameter",
        "@id": "g1",
        "name": "EF",
        "formula": "raw / 10",
        "parameterScope": "GLOBAL_SCOPE",
    }
    members["parameters/g2.json"] = {
        "@type": "Parameter",
        "@id": "g2",
        "name": "raw",
        "value": 15.0,
        "parameterScope": "GLOBAL_SCOPE",
    }
    content = read(package(tmp_path, members))
    assert content.exchanges[2].amount == 3.0
    params = {(q.name, q.scope): q.value for q in content.processes[0].parameters}
    assert params == {("local", "process"): 1.0, ("EF", "global"): 1.5, ("raw", "global"): 15.0}


def two_outputs(**extra: Any) -> dict[str, Any]:
    exchanges = [*base_exchanges(), exchange("side", 1.0, is_input=False)]
    for i, e in enumerate(exchanges, start=1):
        e["internalId"] = i
    return process(exchanges, **extra)


def test_physical_allocation(tmp_path: Path) -> None:
    factors = [
        {"allocationType": "PHYSICAL_ALLOCATION", "product": {"@id": "out"}, "value": 0.7},
        {"allocationType": "PHYSICAL_ALLOCATION", "product": {"@id": "side"}, "value": 0.3},
        {"allocationType": "ECONOMIC_ALLOCATION", "product": {"@id": "out"}, "value": 0.9},
    ]
    proc = two_outputs(defaultAllocationMethod="PHYSICAL_ALLOCATION", allocationFactors=factors)
    content = read(package(tmp_path, {**standard(proc), "flows/side.json": flow("side")}))
    assert {e.allocation for e in content.exchanges} == {0.7}
    assert content.report is not None and content.report.co_products == ()


def test_unallocated_co_products_reported(tmp_path: Path) -> None:
    proc = two_outputs(defaultAllocationMethod="PHYSICAL_ALLOCATION")
    content = read(package(tmp_path, {**standard(proc), "flows/side.json": flow("side")}))
    assert {e.allocation for e in content.exchanges} == {1.0}
    assert content.report is not None and content.report.co_products == (f"{P1}/4",)


def test_causal_allocation(tmp_path: Path) -> None:
    factors = [
        {
            "allocationType": "CAUSAL_ALLOCATION",
            "product": {"@id": "out"},
            "value": 0.2,
            "exchange": {"internalId": 3},
        },
        {
            "allocationType": "CAUSAL_ALLOCATION",
            "product": {"@id": "out"},
            "formula": "1 - 0.4",
            "exchange": {"internalId": 2},
        },
    ]
    proc = two_outputs(defaultAllocationMethod="CAUSAL_ALLOCATION", allocationFactors=factors)
    content = read(package(tmp_path, {**standard(proc), "flows/side.json": flow("side")}))
    assert [e.allocation for e in content.exchanges] == [1.0, 0.6, 0.2, 1.0]


def test_schema1_names_and_category_refs(tmp_path: Path) -> None:
    ex = [
        {
            "flow": {"@id": "out"},
            "amount": 1.0,
            "input": False,
            "quantitativeReference": True,
            "unit": KG,
            "flowProperty": MASS,
        },
        {
            "flow": {"@id": "co2"},
            "amount": 1500.0,
            "input": False,
            "unit": G,
            "flowProperty": MASS,
            "avoidedProduct": False,
            "pedigreeUncertainty": "(1;2;3;4;5)",
        },
    ]
    co2 = flow("co2", "ELEMENTARY_FLOW")
    co2["category"] = {"@type": "Category", "@id": "c2"}
    co2["flowProperties"][0] = {"flowProperty": MASS, "conversionFactor": 1.0, "referenceFlowProperty": True}
    members = {
        "flows/out.json": flow("out"),
        "flows/co2.json": co2,
        f"processes/{P1}.json": process(ex),
        "categories/c1.json": {"@id": "c1", "name": "air"},
        "categories/c2.json": {"@id": "c2", "name": "unspecified", "category": {"@id": "c1"}},
    }
    content = read(package(tmp_path, members))
    assert content.report is not None and content.report.format == "openLCA JSON-LD 1.x"
    assert next(f for f in content.flows if f.id == "co2").compartment == ("air", "unspecified")
    out, emission = content.exchanges
    assert out.is_reference and not out.is_input
    assert (emission.amount_ref, emission.data_quality) == (1.5, "(1;2;3;4;5)")


def test_refusals(tmp_path: Path) -> None:
    with pytest.raises(UnsafeArchive):
        read(package(tmp_path, {**standard(process(base_exchanges())), "../evil.json": {}}))
    empty = tmp_path / "empty"
    (empty / "actors").mkdir(parents=True)
    (empty / "actors" / "a.json").write_text("{}")
    with pytest.raises(UnsupportedFormat, match="no openLCA JSON-LD datasets"):
        read(empty)
    members = standard(process(base_exchanges()))
    members["flows/in.json"] = {**flow("in"), "flowProperties": []}
    with pytest.raises(MalformedDataset) as info:
        read(package(tmp_path, members))
    assert info.value.dataset == "in" and info.value.field == "flowProperties"


def test_duplicate_and_broken_unit_datasets(tmp_path: Path) -> None:
    members = standard(process(base_exchanges()))
    members["flows/again.json"] = flow("in")
    with pytest.raises(MalformedDataset, match="defined twice") as info:
        read(package(tmp_path, members))
    assert info.value.file.endswith("flows/in.json") or info.value.file.endswith("flows/again.json")
    members = standard(process(base_exchanges()))
    members["unit_groups/ug.json"] = {
        "@id": "ug",
        "name": "bad",
        "units": [{"@id": "u", "name": "x", "referenceUnit": True, "conversionFactor": "one"}],
    }
    with pytest.raises(MalformedDataset, match="not a positive number") as info:
        read(package(tmp_path, members))
    assert info.value.file.endswith("unit_groups/ug.json")
    members["unit_groups/ug.json"] = {
        "@id": "ug",
        "name": "no reference",
        "units": [{"@id": "u", "name": "x", "conversionFactor": 2.0}],
    }
    with pytest.raises(MalformedDataset, match="without a reference unit"):
        read(package(tmp_path, members))
