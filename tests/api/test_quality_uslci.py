"""Issue 12's done-when checks on real data: USLCI FY17 Q4 + the transport, rail and marine modules
+ FEDEFL IPCC: `lcagraph footprint ID --json` has quality, uncertainty (low < total < high) and
completeness.coverage in [0, 1]; `lcagraph tree --json`, GraphQL and the phone viewer show the
same figures for the same node.

USLCI FY17 has no DQ data (rating "no data"), 4,811 lognormal exchanges with a geometric sd of 0
("not given": pedigree/basic apply) and 182 processes with inputs that are neither linked nor
declared cut-offs, upstream of the transport mixes: their coverage is < 1 and says so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

import api.services.session as session
from api.app import create_app
from api.cli import build_app
from api.cli.serve import serve_in_thread
from api.services.importing import import_database
from api.viewer.format import fmt_number
from graph.connect import open_embedded
from graph.embedded import EmbeddedServer
from graph.falkor import STAGE_SUFFIX, FalkorStore
from lcagraph.config import Settings, find_data_dir

pytestmark = pytest.mark.slow
ROOT = "08155f91-742c-3717-9f6c-16e9f143839b"  # Transport; average mix; basic chemicals
USLCI = "USLCI FY17 Q4"
QUALITY = "quality { dqr rating } uncertainty { gsd2 low high method } " \
          "completeness { coverage linked cutOff unlinked ambiguous uncharacterised }"


@pytest.fixture(scope="module")
def store(falkordb_server: EmbeddedServer) -> Iterator[FalkorStore]:
    opened = open_embedded(falkordb_server.data_dir, graph="uslci-quality", stop_on_close=False)
    opened.ensure_schema()
    data = find_data_dir()
    try:
        import_database(opened, data / "uslci" / "uslci_fy17q4_jsonld.zip", USLCI)
        for module in ("uslci-transport_v1.1", "uslci-rail_v1.0", "uslci-marine_v1.0"):
            import_database(opened, data / "flcac" / f"{module}_jsonld.zip", module, (USLCI,))
        import_database(opened, data / "methods" / "fedefl_ipcc_v1.0.3_jsonld.zip", "FEDEFL IPCC")
        yield opened
    finally:
        conn: Any = opened._client.connection
        conn.delete("uslci-quality", "uslci-quality" + STAGE_SUFFIX)
        opened.close()


def cli_json(store: FalkorStore, *args: str) -> dict[str, Any]:
    class Kept:
        def __getattr__(self, name: str) -> Any:
            return getattr(store, name)

        def close(self) -> None:
            pass

    patch = pytest.MonkeyPatch()
    patch.setattr(session, "open_store", lambda _settings: Kept())
    try:
        result = CliRunner().invoke(build_app(), [*args, "--json"])
    finally:
        patch.undo()
    assert result.exit_code == 0, result.output
    out: dict[str, Any] = json.loads(result.output)
    return out


@pytest.fixture(scope="module")
def footprint(store: FalkorStore) -> dict[str, Any]:
    return cli_json(store, "footprint", ROOT)


def test_footprint_json_has_quality_uncertainty_and_completeness(footprint: dict[str, Any]) -> None:
    q, u, c = footprint["quality"], footprint["uncertainty"], footprint["completeness"]
    assert q["rating"] == "no data" and q["dqr"] is None and q["without_data"] == 1.0  # USLCI FY17
    assert 0 < u["low"] < footprint["total"] < u["high"]
    assert u["gsd2"] > 1 and u["method"] in ("exact", "sketch")
    assert 0.0 <= c["coverage"] <= 1.0
    assert c["linked"] == 7 and c["unlinked"] == 0  # the mix's own inputs are all linked
    assert c["coverage"] < 1  # but processes upstream have unlinked inputs


def test_tree_graphql_and_viewer_show_the_same_figures(store: FalkorStore, footprint: dict[str, Any]) -> None:
    root = cli_json(store, "tree", ROOT, "--depth", "1")["node"]
    assert root["quality"] == footprint["quality"]
    assert root["completeness"] == footprint["completeness"]
    for bound in ("low", "high", "gsd2"):
        assert root["uncertainty"][bound] == pytest.approx(footprint["uncertainty"][bound], rel=1e-12)
    assert any(child["completeness"]["coverage"] < 1 for child in root["children"])
    settings = Settings(graph_url="embedded://unused", data_dir=Path("."), neo4j_user="", neo4j_password="",
                        neo4j_database="", public_base_url="", api_token="")
    with serve_in_thread(create_app(settings, store)) as base, httpx.Client(base_url=base, timeout=120) as c:
        body = c.post("/graphql", json={"query": f"""{{
            footprint(processId: "{ROOT}") {{ ... on Footprint {{ total {QUALITY} }} }}
            upstream(processId: "{ROOT}", depth: 1) {{ ... on TreeNode {{ total {QUALITY} }} }} }}"""}).json()
        page = c.get(f"/n/{ROOT}").text
    assert not body.get("errors"), body
    for field in ("footprint", "upstream"):
        got = body["data"][field]
        assert got["uncertainty"]["low"] == pytest.approx(footprint["uncertainty"]["low"], rel=1e-12)
        assert got["uncertainty"]["high"] == pytest.approx(footprint["uncertainty"]["high"], rel=1e-12)
        assert got["completeness"]["coverage"] == pytest.approx(footprint["completeness"]["coverage"])
        assert got["quality"] == {"dqr": None, "rating": "no data"}
    u = footprint["uncertainty"]
    sentence = re.findall(r'<span class="sr-only">(data quality [^<]*)</span>', page)[0]
    assert f"{fmt_number(u['low'])} to {fmt_number(u['high'])}" in sentence
    assert f"coverage {100 * footprint['completeness']['coverage']:.0f} %" in sentence


def test_monte_carlo_in_graphql_and_the_cli_agree_with_the_analytic_interval(
    store: FalkorStore, footprint: dict[str, Any],
) -> None:
    cli = cli_json(store, "montecarlo", ROOT, "--runs", "400", "--seed", "7")
    settings = Settings(graph_url="embedded://unused", data_dir=Path("."), neo4j_user="", neo4j_password="",
                        neo4j_database="", public_base_url="", api_token="")
    query = f"""{{ monteCarlo(processId: "{ROOT}", runs: 400, seed: 7) {{ ... on MonteCarlo {{
        deterministic runs low high gsd2 analytic {{ low high }} }} ... on Problem {{ message }} }} }}"""
    with serve_in_thread(create_app(settings, store)) as base, httpx.Client(base_url=base, timeout=120) as c:
        got = c.post("/graphql", json={"query": query}).json()["data"]["monteCarlo"]
        too_many = c.post("/graphql", json={"query": query.replace("400", "20000")}).json()["data"]
    assert got["runs"] == 400 and got["low"] == cli["low"] and got["high"] == cli["high"]  # same seed
    assert got["deterministic"] == pytest.approx(footprint["total"], rel=1e-9)
    assert got["low"] < got["deterministic"] < got["high"]
    assert got["analytic"]["low"] == pytest.approx(footprint["uncertainty"]["low"], rel=1e-12)
    # 400 runs: the 2.5/97.5 percentiles within 10 % of the first-order bounds (small uncertainty)
    assert got["low"] == pytest.approx(got["analytic"]["low"], rel=0.1)
    assert got["high"] == pytest.approx(got["analytic"]["high"], rel=0.1)
    assert "at most 10,000" in too_many["monteCarlo"]["message"]


def test_check_nodes_json_names_the_coverage_of_every_transport_node(store: FalkorStore) -> None:
    report = cli_json(store, "check", "uslci-transport-v1-1", "--nodes")
    assert [d["database"] for d in report["databases"]] == ["uslci-transport-v1-1"]
    nodes = {n["process"]: n for n in report["nodes"]}
    assert len(nodes) == 41 and ROOT in nodes
    assert all(0.0 <= n["coverage"] <= 1.0 for n in nodes.values() if n["coverage"] is not None)
    assert nodes[ROOT]["linked"] == 7 and nodes[ROOT]["state"] == "complete"
