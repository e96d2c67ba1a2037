"""The model-file reader: JSON with lines kept, errors naming line and field, the documented schema."""

from __future__ import annotations

import json

import pytest

from lcagraph.config import PROJECT_ROOT
from lcagraph.errors import MalformedDataset
from loaders.located_json import load_json
from loaders.model_dump import model_to_json
from loaders.model_file import FIELDS, STAGES, read_model_text

HEAD = '{"lcagraphModel": 1, "id": "m", "processes": [{"id": "p", "reference": {"product": "x", "amount": 1, '
SCHEMA = json.loads((PROJECT_ROOT / "docs" / "model.schema.json").read_text())
EXAMPLE = PROJECT_ROOT / "examples" / "lfp-battery-pack.json"


def test_the_schema_documents_exactly_the_fields_the_reader_accepts() -> None:
    defs = SCHEMA["$defs"]
    documented = {
        "model": SCHEMA["properties"],
        "process": defs["process"]["properties"],
        "output": defs["output"]["properties"],
        "input": defs["input"]["properties"],
        "provider": defs["provider"]["properties"],
        "emission": defs["emission"]["properties"],
        "parameter": defs["parameters"]["items"]["properties"],
    }
    assert {k: set(v) for k, v in documented.items()} == {k: set(v) for k, v in FIELDS.items()}
    assert tuple(defs["stage"]["enum"]) == STAGES


def test_objects_keep_their_line() -> None:
    data = load_json('{\n "a": [\n  {"b": 1},\n\n  {"c": 2}\n ]\n}', "x.json")
    assert [item.line for item in data["a"]] == [3, 5] and data.line == 1


def test_the_example_reads_and_dumps_back_to_the_same_model() -> None:
    model = read_model_text(EXAMPLE.read_text(), EXAMPLE.name)
    assert [p.id for p in model.processes] == ["cathode", "cell", "pack", "recycling"]
    again = read_model_text(json.dumps(model_to_json(model), indent=2), EXAMPLE.name)
    assert model_to_json(again) == model_to_json(model)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"lcagraphModel": 1, "id": "m", "processes": [}', r"line 1, column \d+"),
        ('{"lcagraphModel": 2, "id": "m", "processes": []}', "lcagraphModel"),
        (
            '{"lcagraphModel": 1, "id": "m",\n "processes": [\n'
            ' {"id": "p", "reference": {"product": "x", "unit": "kg"}}]}',
            r"processes\[0\]\.reference\.amount \(line 3\)",
        ),
        (
            '{"lcagraphModel": 1, "id": "m", "processes": [{"id": "p", "colour": 1}]}',
            "unknown field 'colour'",
        ),
        (
            HEAD
            + '"unit": "kg"}, "inputs": [{"provider": {"process": "q"}, "amount": 1, "unit": "kg"}]}]}',
            "provider process 'q' is not a process of this model",
        ),
        (
            HEAD
            + '"unit": "kg"}, "inputs": [{"provider": {"id": "q"}, "amount": 1, "unit": "kg"}]}]}',
            r"stage.*missing",
        ),
    ],
)
def test_bad_files_name_line_and_field(text: str, words: str) -> None:
    with pytest.raises(MalformedDataset, match=words) as raised:
        read_model_text(text, "bad.json")
    assert "bad.json" in str(raised.value)
