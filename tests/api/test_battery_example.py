"""The worked battery example (examples/lfp-battery-pack.json) on real open data: USLCI FY17 Q4 and
the 2025 transport module, imported with `lcagraph model import`, declared with `lcagraph declare
battery --json`, published, and its deep link served by the viewer.

The stage figures are sums over the model's tagged exchanges of background totals (cached
Results) and characterised emissions; the total is the solver's own result for the pack. They are
independent, so their agreement (≤ 1e-9 relative) checks that no stage is lost or counted twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import api.services.session as session
from api.app import create_app
from api.cli import build_app
from api.services.importing import import_database
from graph.connect import open_embedded
from graph.embedded import EmbeddedServer
from graph.falkor import STAGE_SUFFIX, FalkorStore
from lcagraph.config import PROJECT_ROOT, find_data_dir, load_settings

pytestmark = pytest.mark.slow
EXAMPLE = PROJECT_ROOT / "examples" / "lfp-battery-pack.json"
PACK = "lfp-pack-60kwh:pack"
GRAPH = "battery-example"


@pytest.fixture(scope="module")
def store(falkordb_server: EmbeddedServer) -> Iterator[FalkorStore]:
    opened = open_embedded(falkordb_server.data_dir, graph=GRAPH, stop_on_close=False)
    opened.ensure_schema()
    data = find_data_dir()
    try:
        import_database(opened, data / "uslci" / "uslci_fy17q4_jsonld.zip", "USLCI FY17 Q4")
        import_database(
            opened,
            data / "flcac" / "uslci-transport_v1.1_jsonld.zip",
            "USLCI transport v1.1",
            ("USLCI FY17 Q4",),
        )
        yield opened
    finally:
        conn: Any = opened._client.connection
        conn.delete(GRAPH, GRAPH + STAGE_SUFFIX)
        opened.close()


def cli(store: FalkorStore, *args: str) -> str:
    """Run `lcagraph ARGS` on the test's store (left open)."""

    class Kept:
        def __getattr__(self, name: str) -> Any:
            return getattr(store, name)

        def close(self) -> None:
            pass

    patch = pytest.MonkeyPatch()
    patch.setattr(session, "open_store", lambda _settings: Kept())
    try:
        result = CliRunner().invoke(build_app(), list(args))
    finally:
        patch.undo()
    assert result.exit_code == 0, result.output
    return result.output


def declare(store: FalkorStore, *extra: str) -> dict[str, Any]:
    out = cli(
        store,
        "declare",
        "battery",
        PACK,
        "--capacity-kwh",
        "60",
        "--cycles-per-year",
        "200",
        "--years",
        "12",
        "--json",
        "--base-url",
        "http://phone.example",
        *extra,
    )
    found: dict[str, Any] = json.loads(out)
    return found


def test_the_example_declares_stages_that_sum_to_the_total(store: FalkorStore) -> None:
    imported = json.loads(cli(store, "model", "import", str(EXAMPLE), "--json"))
    assert imported["processes"] == [
        "lfp-pack-60kwh:cathode",
        "lfp-pack-60kwh:cell",
        PACK,
        "lfp-pack-60kwh:recycling",
    ]
    assert dict(imported["links"])["unlinked"] == 0 and imported["warnings"] == []
    d = declare(store)
    assert d["energy_kwh"] == 60 * 200 * 12
    stages = [s["impact"] for s in d["stages"]]
    assert all(s > 0 for s in stages)
    np.testing.assert_allclose(sum(stages), d["total"], rtol=1e-9)
    np.testing.assert_allclose(d["per_kwh"] * d["energy_kwh"], d["total"], rtol=1e-15)
    np.testing.assert_allclose(sum(s["share"] for s in d["stages"]), 1.0, rtol=1e-9)
    passport = d["passport"]
    assert passport["absoluteCarbonFootprint"] == d["total"]
    assert passport["batteryCarbonFootprint"] == d["per_kwh"]
    assert [s["lifecycleStage"] for s in passport["carbonFootprintPerLifecycleStage"]] == [
        "RawMaterialExtraction",
        "MainProduction",
        "Distribution",
        "Recycling",
    ]
    assert passport["carbonFootprintStudy"] is None  # not published yet
    footprint = json.loads(cli(store, "footprint", PACK, "--json"))
    np.testing.assert_allclose(footprint["total"], d["total"], rtol=1e-12)
    assert {"lfp-pack-60kwh", "uslci-fy17-q4", "uslci-transport-v1-1"} <= {
        row["database"] for row in footprint["by_database"]
    }


def test_the_published_example_keeps_its_figures_in_the_viewer(store: FalkorStore, tmp_path: Any) -> None:
    before = declare(store)
    published = json.loads(
        cli(
            store,
            "publish",
            "lfp-pack-60kwh",
            "--version",
            "2026.1",
            "--json",
            "--base-url",
            "http://phone.example",
        )
    )
    study = declare(store, "--html", str(tmp_path / "declaration.html"))["passport"]["carbonFootprintStudy"]
    assert (
        study
        == published["links"][PACK]
        == f"http://phone.example/n/lfp-pack-60kwh%3Apack?v={published['key']}"
    )
    page = (tmp_path / "declaration.html").read_text()
    assert "<svg" in page and published["hash"] in page and "Main product production" in page
    app = create_app(replace(load_settings(), public_base_url="http://phone.example"), store)
    with TestClient(app) as client:
        frozen = client.get(f"/n/{PACK}", params={"v": published["key"]}).text
        # a changed model: twice the assembly electricity; the live page moves, the published one not
        changed = json.loads(EXAMPLE.read_text())
        changed["processes"][2]["inputs"][4]["amount"] = 120
        (tmp_path / "changed.json").write_text(json.dumps(changed))
        cli(store, "model", "import", str(tmp_path / "changed.json"))
        after = declare(store)
        assert after["total"] > before["total"] and after["passport"]["carbonFootprintStudy"] is None
        assert client.get(f"/n/{PACK}", params={"v": published["key"]}).text == frozen
        assert f'data-value="{before["total"]!r}"' in frozen
        assert f'data-frozen="{published["key"]}"' in frozen and "published version" in frozen
        again = declare(store, "--version", published["key"])
        assert again["total"] == before["total"] and again["stages"] == before["stages"]
        second = json.loads(cli(store, "publish", "lfp-pack-60kwh", "--version", "2026.2", "--json"))
        assert second["hash"] != published["hash"]
        printable = client.get(f"/declaration/battery/{PACK}", params={
            "capacity_kwh": "60", "cycles_per_year": "200", "years": "12", "v": published["key"]})
        assert printable.status_code == 200 and published["hash"] in printable.text
        assert "<svg" in printable.text
        missing = client.get(f"/declaration/battery/{PACK}", params={"capacity_kwh": "60"})
        assert missing.status_code == 400 and "cycles_per_year" in missing.text
        qr = client.get(f"/qr/{PACK}.svg", params={"v": published["key"]})
        assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg")
