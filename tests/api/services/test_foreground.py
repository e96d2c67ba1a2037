"""Foreground models on a hand-made background: import, stages, export, bad files, publish.

Background (per unit): steel 1 kg = 2 kg CO2 + 0.5 kWh power; power 1 kWh = 0.5 kg CO2;
truck 1 t*km = 0.1 kg CO2. So steel's total is 2 + 0.5 x 0.5 = 2.25 kg CO2-eq per kg.
Model: a cell (2 kg steel raw-material, 3 kWh power main-production, 0.1 kg CO2 main-production;
co-product scrap, allocation 0.8 to the cell) and a pack (4 cells untagged, 50 kg*km truck
distribution, 1 kWh power end-of-life). Per cell: 0.8 x (4.5 + 1.5 + 0.1) = 4.88; per pack:
raw 4 x 0.8 x 4.5 = 14.4, production 4 x 0.8 x 1.6 = 5.12, distribution 0.005, end of life 0.5,
total 20.025.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from api.services.calculation import calculate
from api.services.foreground import export_model, import_model_text
from api.services.importing import commit_content
from api.services.stages import stage_footprint
from graph.falkor import FalkorStore
from lcagraph.errors import (
    InvalidArgument,
    MalformedDataset,
    SingularTechnosphere,
    UnitMismatch,
    UnresolvedReference,
)
from lcagraph.records import Database, DatabaseContent, Exchange, Flow, Process

CO2 = Flow("bg-co2", "Carbon dioxide, fossil", "elementary", "kg", cas="124-38-9", compartment=("air",))


def background() -> DatabaseContent:
    flows = (
        CO2,
        Flow("bg-steel", "steel", "product", "kg"),
        Flow("bg-power", "electricity", "product", "kWh"),
        Flow("bg-truck", "transport, truck", "product", "t*km"),
    )
    processes = tuple(
        Process(pid, name, "bg", location="US", ref_flow=f"bg-{pid}", ref_unit=unit)
        for pid, name, unit in (
            ("steel", "steel, at plant", "kg"),
            ("power", "electricity, at grid", "kWh"),
            ("truck", "transport, truck", "t*km"),
        )
    )
    x = Exchange
    exchanges = (
        x("steel/1", "steel", "bg-steel", False, 1.0, "kg", 1.0, is_reference=True),
        x("steel/2", "steel", "bg-co2", False, 2.0, "kg", 2.0),
        x("steel/3", "steel", "bg-power", True, 0.5, "kWh", 0.5, default_provider="power"),
        x("power/1", "power", "bg-power", False, 1.0, "kWh", 1.0, is_reference=True),
        x("power/2", "power", "bg-co2", False, 0.5, "kg", 0.5),
        x("truck/1", "truck", "bg-truck", False, 1.0, "t*km", 1.0, is_reference=True),
        x("truck/2", "truck", "bg-co2", False, 0.1, "kg", 0.1),
    )
    from loaders.linking import link_providers

    return link_providers(DatabaseContent(Database("bg", "Background"), flows, processes, exchanges))


def model() -> dict[str, Any]:
    return {
        "lcagraphModel": 1,
        "id": "pack",
        "name": "Test pack",
        "version": "1",
        "background": ["bg"],
        "parameters": [{"name": "cells", "value": 4}],
        "processes": [
            {
                "id": "cell",
                "name": "cell",
                "reference": {"product": "cell", "amount": 1, "unit": "Item(s)", "allocation": 0.8},
                "coProducts": [{"product": "scrap", "amount": 0.1, "unit": "kg", "allocation": 0.2}],
                "inputs": [
                    {
                        "provider": {"id": "steel"},
                        "amount": 2000,
                        "unit": "g",
                        "stage": "raw-material-acquisition",
                    },
                    {
                        "provider": {"name": "electricity, at grid", "database": "Background"},
                        "formula": "1.5 * 2",
                        "unit": "kWh",
                        "stage": "main-production",
                    },
                ],
                "emissions": [
                    {
                        "substance": "Carbon dioxide, fossil",
                        "cas": "124-38-9",
                        "compartment": "air",
                        "amount": 0.1,
                        "unit": "kg",
                        "stage": "main-production",
                    }
                ],
            },
            {
                "id": "pack",
                "name": "pack",
                "reference": {"product": "pack", "amount": 1, "unit": "Item(s)"},
                "inputs": [
                    {"provider": {"process": "cell"}, "formula": "cells", "unit": "Item(s)"},
                    {"provider": {"id": "truck"}, "amount": 50, "unit": "kg*km", "stage": "distribution"},
                    {"provider": {"id": "power"}, "amount": 1, "unit": "kWh", "stage": "end-of-life"},
                ],
            },
        ],
    }


@pytest.fixture
def with_background(store: FalkorStore) -> FalkorStore:
    commit_content(store, background(), lambda _n, _r: None)
    return store


def test_model_stages_sum_to_the_solved_total(with_background: FalkorStore) -> None:
    imported = import_model_text(with_background, json.dumps(model()), "pack.json")
    assert imported.processes == ("pack:cell", "pack:pack")
    calculate(with_background)
    found = stage_footprint(with_background, "pack:pack")
    np.testing.assert_allclose(found.total, 20.025, rtol=1e-12)
    np.testing.assert_allclose([s.impact for s in found.stages], [14.4, 5.12, 0.005, 0.5], rtol=1e-12)
    assert found.gap <= 1e-12
    np.testing.assert_allclose(stage_footprint(with_background, "pack:cell").total, 4.88, rtol=1e-12)


def test_export_gives_the_model_back(with_background: FalkorStore) -> None:
    import_model_text(with_background, json.dumps(model()), "pack.json")
    exported = json.loads(export_model(with_background, "pack"))
    assert exported == model()


def _broken(change: Any) -> str:
    data = copy.deepcopy(model())
    change(data)
    return json.dumps(data, indent=1)


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        (
            lambda d: d["processes"][0]["inputs"][0]["provider"].update(id="nope"),
            UnresolvedReference,
            "'nope' is not a process",
        ),
        (lambda d: d["processes"][0]["inputs"][0].update(unit="kWh"), UnitMismatch, "unit mismatch"),
        (lambda d: d["processes"][1].pop("reference"), MalformedDataset, "has no reference product"),
        (
            lambda d: d["processes"][0]["inputs"].append(
                {"provider": {"process": "cell"}, "amount": 1.25, "unit": "Item(s)"}
            ),
            SingularTechnosphere,
            "singular.*pack:cell",
        ),
    ],
)
def test_bad_model_files_leave_the_graph_unchanged(
    with_background: FalkorStore,
    change: Any,
    error: type[Exception],
    words: str,
) -> None:
    version = with_background.graph_version()
    with pytest.raises(error, match=words) as raised:
        import_model_text(with_background, _broken(change), "bad.json")
    assert "bad.json" in str(raised.value)
    assert with_background.graph_version() == version


def test_errors_name_the_line_and_field(with_background: FalkorStore) -> None:
    text = _broken(lambda d: d["processes"][1]["inputs"][1].update(stage="use"))
    with pytest.raises(MalformedDataset, match=r"processes\[1\]\.inputs\[1\]\.stage \(line \d+\)"):
        import_model_text(with_background, text, "bad.json")


def test_published_version_keeps_its_figures_after_the_background_changes(
    with_background: FalkorStore,
) -> None:
    from api.services.battery import declare_battery, passport_fields
    from api.services.publishing import publish, published_node
    from api.services.session import AppState
    from lcagraph.config import load_settings

    import_model_text(with_background, json.dumps(model()), "pack.json")
    state = AppState(load_settings(), with_background)
    first = publish(state, "pack", "1.0")
    assert first.created
    again = publish(state, "pack", "1.0")
    assert again.version.hash == first.version.hash and not again.created
    live = declare_battery(with_background, "pack:pack", 2.0, 300, 10, base_url="http://x")
    assert live.study_link == f"http://x/n/pack%3Apack?v={first.version.key}"
    np.testing.assert_allclose(live.per_kwh * live.energy_kwh, live.total, rtol=1e-15)
    np.testing.assert_allclose(sum(s.impact for s in live.stages), live.total, rtol=1e-9)
    assert passport_fields(live)["absoluteCarbonFootprint"] == live.total
    node = published_node(with_background, "pack:pack", first.version.key)
    changed = background()
    changed = DatabaseContent(
        changed.database,
        changed.flows,
        changed.processes,
        tuple(
            x if x.id != "steel/2" else Exchange("steel/2", "steel", "bg-co2", False, 3.0, "kg", 3.0)
            for x in changed.exchanges
        ),
        changed.links,
    )
    commit_content(with_background, changed, lambda _n, _r: None)
    calculate(with_background)
    assert stage_footprint(with_background, "pack:pack").total > 20.03  # the live model moved
    frozen = published_node(with_background, "pack:pack", first.version.key)
    assert frozen == node and frozen.node.total == pytest.approx(20.025, rel=1e-12)
    declared = declare_battery(
        with_background, "pack:pack", 2.0, 300, 10, base_url="http://x", version=first.version.key
    )
    assert declared.total == live.total and declared.stages == live.stages
    assert declare_battery(with_background, "pack:pack", 2.0, 300, 10, base_url="http://x").study_link is None
    with pytest.raises(InvalidArgument, match="published with other content"):
        publish(state, "pack", "1.0")
    assert publish(state, "pack", "1.1").version.hash != first.version.hash


def test_performance_classes_come_from_a_configurable_table(tmp_path: Path) -> None:
    from api.services.battery import performance_class, read_performance_classes

    path = tmp_path / "classes.json"
    path.write_text('[["A", 0.05], ["B", 0.08]]')
    table = read_performance_classes(path)
    assert [performance_class(x, table) for x in (0.05, 0.07, 0.09)] == ["A", "B", None]
    assert performance_class(0.01, ()) is None  # no classes until the Commission sets them
    path.write_text('[["A", 0.08], ["B", 0.05]]')
    with pytest.raises(InvalidArgument, match="must increase"):
        read_performance_classes(path)


def test_the_upstream_tree_crosses_from_the_model_into_the_background(with_background: FalkorStore) -> None:
    from api.services.session import AppState
    from api.services.tree import unfold
    from lcagraph.config import load_settings

    import_model_text(with_background, json.dumps(model()), "pack.json")
    view = unfold(AppState(load_settings(), with_background), "pack:pack", depth=2, refresh=True)
    children = {c.process: c for c in view.node.children}
    assert not children["pack:cell"].crosses_database and children["pack:cell"].database == "pack"
    assert children["truck"].crosses_database and children["truck"].database == "bg"
    steel = next(c for c in children["pack:cell"].children if c.process == "steel")
    assert steel.crosses_database and steel.total == pytest.approx(4 * 0.8 * 2 * 2.25, rel=1e-12)
    assert view.node.total == pytest.approx(20.025, rel=1e-12)


def test_a_model_never_replaces_a_database_it_did_not_come_from(with_background: FalkorStore) -> None:
    data = model()
    data["id"] = "bg"
    with pytest.raises(InvalidArgument, match="not imported from a model file"):
        import_model_text(with_background, json.dumps(data), "pack.json")
