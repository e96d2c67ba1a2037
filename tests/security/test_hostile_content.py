"""Pathological content in a JSON-LD package: each is refused with one exact line naming the file,
the dataset and the field or limit (issue 16, point 1); limits come from the environment."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lcagraph.config import find_data_dir, input_limits
from lcagraph.errors import LimitExceeded, MalformedDataset, UnresolvedReference
from lcagraph.records import Database, DatabaseContent
from loaders.ecospold2 import read_ecospold2
from loaders.formulas import evaluate
from loaders.ilcd import read_ilcd
from loaders.jsonld import read_jsonld

MASS = {"@type": "FlowProperty", "@id": "93a60a56-a3c8-11da-a746-0800200b9a66", "name": "Mass"}
KG = {"@type": "Unit", "@id": "20aadc24-a391-41cf-b340-3e4529f44bde", "name": "kg"}
P1 = "11111111-1111-1111-1111-111111111111"
DB = Database(id="hostile", name="hostile")
WritePackage = Callable[..., Path]


def flow(fid: str, kind: str = "PRODUCT_FLOW") -> dict[str, Any]:
    return {
        "@type": "Flow", "@id": fid, "name": f"flow {fid}", "flowType": kind,
        "flowProperties": [{"flowProperty": MASS, "conversionFactor": 1.0, "isRefFlowProperty": True}],
    }


def exchange(fid: str, amount: Any, *, is_input: bool = True, ref: bool = False) -> dict[str, Any]:
    return {
        "@type": "Exchange", "flow": {"@type": "Flow", "@id": fid}, "amount": amount, "isInput": is_input,
        "isQuantitativeReference": ref, "unit": KG, "flowProperty": MASS,
    }


def process(exchanges: Any = None, **extra: Any) -> dict[str, Any]:
    if exchanges is None:
        exchanges = [exchange("out", 1.0, is_input=False, ref=True), exchange("in", 2.0)]
    return {"@type": "Process", "@id": P1, "name": "a process", "exchanges": exchanges, **extra}


def members(*processes: Any, **more: Any) -> dict[str, Any]:
    """A schema-2 package: product flows out/in, and processes/<i>.json for each process given."""
    found: dict[str, Any] = {
        "olca-schema.json": {"version": 2}, "flows/out.json": flow("out"), "flows/in.json": flow("in"),
    }
    found.update({f"processes/{i}.json": p for i, p in enumerate(processes)})
    found.update(more)
    return found


def refused(path: Path, kind: type[Exception] = MalformedDataset) -> str:
    with pytest.raises(kind) as info:
        read_jsonld(path, DB)
    message = str(info.value)
    assert "\n" not in message and len(message) < 600
    return message


def test_the_fixture_package_is_accepted(write_package: WritePackage) -> None:
    content = read_jsonld(write_package(members(process())), DB)
    assert [p.name for p in content.processes] == ["a process"]


def test_50_mb_process_name_refused(write_package: WritePackage) -> None:
    name = base64.b64encode(os.urandom(50 * 3 << 20 >> 2)).decode()  # 50 MiB of letters, no zip ratio
    path = write_package(members(process(name=name)))
    assert refused(path, LimitExceeded) == (
        f"file '{path}!processes/0.json': a string of {len(name)} bytes, more than "
        "LCAGRAPH_MAX_STRING_BYTES=100000; refused"
    )


def test_10000_deep_json_refused(write_package: WritePackage) -> None:
    deep = '{"@type": "Process", "x": ' + "[" * 10_000 + "]" * 10_000 + "}"
    path = write_package(members(**{"processes/deep.json": deep}))
    assert refused(path, LimitExceeded) == (
        f"file '{path}!processes/deep.json': arrays and objects nested 10001 deep, more than "
        "LCAGRAPH_MAX_JSON_DEPTH=64; refused"
    )


def test_a_million_exchanges_in_one_process_refused(write_package: WritePackage) -> None:
    path = write_package(members(process([{}] * 1_000_000)))
    assert refused(path, LimitExceeded) == (
        f"file '{path}!processes/0.json', dataset '{P1}', field 'exchanges': 1000000 exchanges in one "
        "process, more than LCAGRAPH_MAX_EXCHANGES=100000; refused"
    )


def test_exchange_limit_from_the_environment(
    write_package: WritePackage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LCAGRAPH_MAX_EXCHANGES", "1")
    path = write_package(members(process()))
    assert refused(path, LimitExceeded).endswith(
        "2 exchanges in one process, more than LCAGRAPH_MAX_EXCHANGES=1; refused")


@pytest.mark.parametrize(("literal", "shown"), [
    ("NaN", "nan"), ("Infinity", "inf"), ("-Infinity", "-inf"), ("1e400", "inf"),
])
def test_non_finite_amounts_refused(write_package: WritePackage, literal: str, shown: str) -> None:
    text = json.dumps(process([exchange("out", 1.0, is_input=False, ref=True), exchange("in", 999.0)]))
    path = write_package(members(text.replace("999.0", literal)))
    assert refused(path) == (
        f"file '{path}!processes/0.json', dataset '{P1}', field 'exchanges[2].amount': "
        f"{shown} is not a finite number"
    )


def test_1000_digit_integer_amount_refused(write_package: WritePackage) -> None:
    text = json.dumps(process([exchange("out", 999.0, is_input=False, ref=True)]))
    path = write_package(members(text.replace("999.0", "9" * 1000)))
    assert refused(path) == (
        f"file '{path}!processes/0.json', dataset '{P1}', field 'exchanges[1].amount': "
        "9999999999999999999999999999999999999999… (1000 characters) is too large for a number; "
        "give a value below 1e308"
    )


def test_string_for_a_number_refused(write_package: WritePackage) -> None:
    path = write_package(members(process([exchange("out", "1.5", is_input=False, ref=True)])))
    assert refused(path) == (
        f"file '{path}!processes/0.json', dataset '{P1}', field 'exchanges[1].amount': "
        "'1.5' is not a number; give a numeric value"
    )


def test_5000_digit_integer_amount_refused(write_package: WritePackage) -> None:
    text = json.dumps(process([exchange("out", 999.0, is_input=False, ref=True)]))
    path = write_package(members(text.replace("999.0", "9" * 5000)))
    assert refused(path) == (
        f"file '{path}!processes/0.json': an integer of more than 4300 digits is too large for a number; "
        "give a value below 1e308"
    )


def test_exchanges_that_are_no_list_refused(write_package: WritePackage) -> None:
    path = write_package(members(process("oops")))
    assert refused(path) == (
        f"file '{path}!processes/0.json', dataset '{P1}', field 'exchanges': 'oops' is a str, "
        "not a list of objects"
    )


def test_exchange_that_is_no_object_refused(write_package: WritePackage) -> None:
    path = write_package(members(process([exchange("out", 1.0, is_input=False, ref=True), 7])))
    assert refused(path) == (
        f"file '{path}!processes/0.json', dataset '{P1}', field 'exchanges[1]': 7 is a int, not an object"
    )


def test_duplicate_id_refused(write_package: WritePackage) -> None:
    path = write_package(members(process(), process()))
    assert refused(path) == (
        f"file '{path}!processes/1.json', dataset '{P1}', field '@id': process {P1} is defined twice "
        "in the package"
    )


def test_exchange_of_a_missing_flow_refused(write_package: WritePackage) -> None:
    path = write_package(members(process([exchange("ghost", 1.0, is_input=False, ref=True)])))
    assert refused(path, UnresolvedReference) == (
        f"file '{path}!processes/0.json', dataset '{P1}', field 'exchanges[1].flow': flow ghost ('') "
        "is not in the package's flows"
    )


def test_process_without_reference_exchange_cannot_be_a_provider(write_package: WritePackage) -> None:
    content: DatabaseContent = read_jsonld(write_package(members(process([exchange("in", 2.0)]))), DB)
    assert content.processes[0].ref_flow is None
    assert content.report is not None
    assert content.report.warnings == (
        f"dataset '{P1}', field 'exchanges': no quantitative reference; the process cannot be a provider",
    )


def test_nul_in_an_id_refused(write_package: WritePackage) -> None:
    path = write_package(members(process(**{"@id": "a\u0000b"})))
    assert refused(path) == (
        f"file '{path}!processes/0.json': contains a NUL character (\\u0000); remove it from the dataset"
    )


def test_control_character_in_an_id_refused(write_package: WritePackage) -> None:
    path = write_package(members(process(**{"@id": "a\u0007b"})))
    assert refused(path) == (
        f"file '{path}!processes/0.json', field '@id': id 'a\\x07b' contains a control character; "
        "use printable ids"
    )


def test_long_id_refused(write_package: WritePackage) -> None:
    path = write_package(members(process(**{"@id": "x" * 5000})))
    assert refused(path) == (
        f"file '{path}!processes/0.json', field '@id': id 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… "
        "(5002 characters) is longer than 255 characters; use a UUID"
    )


def test_parameter_name_with_a_backtick_refused(write_package: WritePackage) -> None:
    path = write_package(members(process(parameters=[{"name": "a`b", "value": 1.0}])))
    assert refused(path) == (
        f"file '{path}!processes/0.json', dataset '{P1}', field 'parameters': parameter name 'a`b' is not "
        "a name formulas can use (letters, digits and '_', not starting with a digit); rename the parameter"
    )


def test_formula_with_400_nested_parentheses_refused(write_package: WritePackage) -> None:
    formula = "(" * 400 + "1" + ")" * 400
    path = write_package(members(process(parameters=[{"name": "p", "formula": formula}])))
    assert refused(path, LimitExceeded) == (
        f"file '{path}!processes/0.json', dataset '{P1}', field 'parameters.p.formula': formula "
        "'(((((((((((((((((((((((((((((((((((((((… (803 characters) nests parentheses 400 deep, more "
        "than LCAGRAPH_MAX_FORMULA_DEPTH=50; refused"
    )


def test_formula_with_200000_terms_refused(write_package: WritePackage) -> None:
    # 400 kB in one JSON string: the string limit refuses it before the formula is looked at
    formula = "+".join(["1"] * 200_000)
    path = write_package(members(process(parameters=[{"name": "p", "formula": formula}])))
    assert refused(path, LimitExceeded) == (
        f"file '{path}!processes/0.json': a string of 399999 bytes, more than "
        "LCAGRAPH_MAX_STRING_BYTES=100000; refused"
    )
    with pytest.raises(LimitExceeded) as info:
        evaluate(formula)
    assert str(info.value) == (
        "formula '1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1… (400001 characters) has 399999 characters, more "
        "than LCAGRAPH_MAX_FORMULA_CHARS=10000; refused"
    )


def test_formula_with_5000_terms_is_evaluated() -> None:
    # below the length limit, a left-deep chain of 5,000 '+' must not exhaust Python's stack
    assert evaluate("+".join(["1"] * 5000)) == 5000.0
    assert evaluate("-".join(["1"] * 5000)) == -4998.0


def test_parameter_chain_of_3000_steps_is_evaluated(write_package: WritePackage) -> None:
    chain = [{"name": "p0", "value": 1.0}]
    chain += [{"name": f"p{i}", "formula": f"p{i - 1} + 1"} for i in range(1, 3000)]
    exchanges = [exchange("out", 1.0, is_input=False, ref=True),
                 {**exchange("in", 0.0), "amountFormula": "p2999"}]
    content = read_jsonld(write_package(members(process(exchanges, parameters=chain))), DB)
    assert [x.amount for x in content.exchanges] == [1.0, 3000.0]


def test_exchange_limit_in_the_xml_formats(monkeypatch: pytest.MonkeyPatch) -> None:
    samples = find_data_dir() / "samples"
    monkeypatch.setenv("LCAGRAPH_MAX_EXCHANGES", "4")
    with pytest.raises(LimitExceeded) as spold:
        read_ecospold2(samples / "ecospold2" / "sample_ecospold2.xml", "x")
    assert str(spold.value).endswith(
        "field 'flowData': 5 exchanges in one process, more than LCAGRAPH_MAX_EXCHANGES=4; refused")
    with pytest.raises(LimitExceeded) as ilcd:
        read_ilcd(samples / "ilcd" / "ilcd_example.zip", "x")
    assert str(ilcd.value).endswith(
        "field 'exchanges': 15 exchanges in one process, more than LCAGRAPH_MAX_EXCHANGES=4; refused")
    monkeypatch.setenv("LCAGRAPH_MAX_EXCHANGES", "15")
    input_limits.cache_clear()
    assert read_ecospold2(samples / "ecospold2" / "sample_ecospold2.xml", "x").processes
    assert read_ilcd(samples / "ilcd" / "ilcd_example.zip", "x").processes
