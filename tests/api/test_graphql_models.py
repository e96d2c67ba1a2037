"""GraphQL ``saveModel`` (token) and ``batteryDeclaration`` on the hand-made background of
tests/api/services/test_foreground.py: the same figures as the service the CLI renders."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest

from api.app import create_app
from api.cli.serve import serve_in_thread
from api.services.battery import declare_battery
from api.services.importing import commit_content
from graph.falkor import FalkorStore
from tests.shared_cases import load_test_module

FOREGROUND = load_test_module("api/services/test_foreground.py")
GRAPHQL = load_test_module("api/test_graphql.py")
TOKEN, Api, settings, background, model = (
    GRAPHQL.TOKEN,
    GRAPHQL.Api,
    GRAPHQL.settings,
    FOREGROUND.background,
    FOREGROUND.model,
)

SAVE = """mutation($doc: String!) { saveModel(document: $doc, file: "pack.json") {
  __typename ... on Problem { message } ... on ImportFailed { file field }
  ... on ModelSaved { databaseId processIds graphVersion report } } }"""
DECLARE = """query($id: ID!) {
  batteryDeclaration(processId: $id, capacityKwh: 2, cyclesPerYear: 300, years: 10) {
  __typename ... on Problem { message }
  ... on BatteryDeclarationType { total perKwh energyKwh gap stages { stage impact perKwh share }
    passport } } }"""


@pytest.fixture
def api(store: FalkorStore) -> Iterator[Any]:
    commit_content(store, background(), lambda _n, _r: None)
    with serve_in_thread(create_app(settings(), store)) as base, httpx.Client(base_url=base) as client:
        yield Api(client)


def test_save_model_needs_the_token_and_declares_like_the_cli(api: Any, store: FalkorStore) -> None:
    doc = json.dumps(model())
    assert api.data(SAVE, doc=doc)["saveModel"]["__typename"] == "Unauthorized"
    saved = api.data(SAVE, token=TOKEN, doc=doc)["saveModel"]
    assert saved["__typename"] == "ModelSaved" and saved["processIds"] == ["pack:cell", "pack:pack"]
    found = api.data(DECLARE, id="pack:pack")["batteryDeclaration"]
    assert found["__typename"] == "BatteryDeclarationType"
    service = declare_battery(store, "pack:pack", 2, 300, 10, base_url="https://lca.example")
    assert found["total"] == service.total == pytest.approx(20.025, rel=1e-12)
    assert found["energyKwh"] == 6000
    np.testing.assert_allclose([s["impact"] for s in found["stages"]], [14.4, 5.12, 0.005, 0.5], rtol=1e-12)
    assert found["passport"]["absoluteCarbonFootprint"] == service.total


def test_a_bad_model_is_a_typed_import_failure(api: Any) -> None:
    data = model()
    data["processes"][0]["inputs"][0]["provider"] = {"id": "nope"}
    failed = api.data(SAVE, token=TOKEN, doc=json.dumps(data))["saveModel"]
    assert failed["__typename"] == "ImportFailed" and "nope" in failed["message"]
    assert failed["file"] == "pack.json"
