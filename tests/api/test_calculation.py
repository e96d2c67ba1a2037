"""Calculations on the real embedded engine: read → build → solve → write-back → read.

Hand systems (tests/graph/test_technosphere.py: unit conversion of the reference, co-product link
with scale, per-exchange allocation, waste treatment, avoided product, cut-offs) give the
numbers solved by hand; on USLCI FY17 Q4 (one import for the module) the cached totals equal a
fresh solve s = A⁻¹f, bw2calc (given the same A, B, C) gives the same scores, and the layer
identity holds at every node of sampled trees.
"""

from __future__ import annotations

import json
import math
import random
import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse.linalg as spla
from typer.testing import CliRunner

import api.services.session as session
from api.cli import build_app
from api.services.calculation import CalculationCache, calculate, ensure_results, system_from_rows
from api.services.footprint import footprint
from api.services.importing import import_database
from graph.connect import open_embedded
from graph.embedded import EmbeddedServer
from graph.falkor import STAGE_SUFFIX, FalkorStore
from graph.results import read_results, result_coverage
from graph.store import GraphStore
from graph.technosphere import read_technosphere
from graph.tree import TreeRequest, expand_tree, identity_residual, walk
from graph.tree_source import StoreTreeSource
from graph.writer import write_database_content
from lcagraph.config import find_data_dir
from lcagraph.errors import NodeNotFound, NonFiniteResult, SingularTechnosphere
from lcagraph.records import Database, DatabaseContent, Exchange, Flow, Process, ProviderLink
from tests.shared_cases import technosphere_hand

HAND = technosphere_hand()
GWP = "gwp"
AR6 = "ipcc-ar6-gwp100/climate-change"


@pytest.fixture
def hand(store: GraphStore) -> GraphStore:
    HAND.write_hand_system(store)
    return store


def test_hand_system_results_are_the_hand_numbers(hand: GraphStore) -> None:
    report = calculate(hand, cache=CalculationCache())
    assert report.graph_version == 2 and report.processes == 5 and report.cutoffs == 2
    assert [c.id for c in report.categories] == [GWP, "empty"]
    assert report.residual < 1e-14 and report.backward_error < 1e-15
    assert report.categories[0].identity_gap < 1e-14 and report.categories[0].results == 5
    got = read_results(hand, list(HAND.HAND_TOTALS), GWP)
    for pid, total in HAND.HAND_TOTALS.items():
        assert math.isclose(got[pid].total, total, rel_tol=1e-13), pid
        assert math.isclose(got[pid].direct, HAND.HAND_DIRECT[pid], rel_tol=1e-13), pid
        assert (got[pid].graph_version, got[pid].method, got[pid].unit) == (2, "m", "kg CO2-eq")
        residual = got[pid].residual
        assert residual is not None and residual < 1e-14
    empty = read_results(hand, ["steel"], "empty")["steel"]
    assert (empty.total, empty.direct, empty.unit) == (0.0, 0.0, "x")


def test_tree_on_calculated_results_holds_the_identity_with_reference_units(hand: GraphStore) -> None:
    calculate(hand, [GWP], cache=CalculationCache())
    tree = expand_tree(StoreTreeSource(hand), TreeRequest("steel", GWP, depth=3))
    root = tree.node
    assert math.isclose(root.total, HAND.HAND_TOTALS["steel"], rel_tol=1e-13) and root.unlinked_count == 1
    for node in walk(root):
        assert identity_residual(node) <= 1e-13 * max(1.0, abs(node.total)), node.path
    kids = {c.process: c for c in root.children}
    # 1.6 kWh of power, shown in the power dataset's own reference unit (3.6 MJ for 1 kWh)
    assert kids["power"].unit == "MJ" and math.isclose(kids["power"].amount or 0, 1.6 * 3.6, rel_tol=1e-14)
    assert math.isclose(kids["power"].amount_ref or 0, 1.6, rel_tol=1e-14)
    assert math.isclose(kids["power"].total, 1.6 * 0.5, rel_tol=1e-13)
    assert math.isclose(kids["landfill"].total, 0.1 * 0.596, rel_tol=1e-13)
    boiler = expand_tree(StoreTreeSource(hand), TreeRequest("boiler", GWP, depth=1)).node
    refinery = boiler.children[0]
    assert refinery.unit == "l" and math.isclose(refinery.amount or 0, HAND.SCALE, rel_tol=1e-14)
    assert identity_residual(boiler) <= 1e-13 * boiler.total
    power = expand_tree(StoreTreeSource(hand), TreeRequest("power", GWP)).node  # 3.6 MJ as given = 1 kWh
    assert (power.amount, power.unit) == (3.6, "MJ") and math.isclose(power.total, 0.5, rel_tol=1e-14)
    asked = expand_tree(StoreTreeSource(hand), TreeRequest("power", GWP, amount=1.0)).node  # 1 MJ
    assert (asked.amount, asked.unit) == (1.0, "MJ") and math.isclose(asked.total, 0.5 / 3.6, rel_tol=1e-14)


def test_footprint_from_a_fresh_solve_then_from_the_cache(hand: GraphStore) -> None:
    cache = CalculationCache()
    first = footprint(hand, "steel", method=GWP, cache=cache)
    assert not first.from_cache and first.graph_version == 2
    again = footprint(hand, "steel", amount=2.0, method=GWP, cache=cache)
    assert again.from_cache and again.amount == 2.0 and again.unit == "kg"
    assert math.isclose(again.total, 2 * HAND.HAND_TOTALS["steel"], rel_tol=1e-13)
    assert math.isclose(again.direct, 2 * 0.7, rel_tol=1e-13)
    flows = {f.flow: f for f in again.by_flow}
    assert set(flows) == {"co2", "ch4"} and again.by_flow[0].flow == "co2"
    assert math.isclose(flows["co2"].impact, 2 * (0.7 + 1.6 * 0.5), rel_tol=1e-13)
    assert math.isclose(flows["ch4"].impact, 2 * 0.1 * 0.02 * 29.8, rel_tol=1e-13)
    assert flows["ch4"].name == "Methane, fossil" and flows["ch4"].factor == 29.8
    dbs = {d.database: d for d in again.by_database}
    assert math.isclose(dbs["fg"].impact, 1.4, rel_tol=1e-13) and dbs["fg"].processes == 1
    assert math.isclose(dbs["bg"].impact, 2 * (0.8 + 0.0596), rel_tol=1e-13) and dbs["bg"].processes == 2
    assert math.isclose(sum(d.impact for d in again.by_database), again.total, rel_tol=1e-12)
    assert again.cutoffs == 2 and again.negative_scaling_count == 0 and again.residual < 1e-14
    power = footprint(hand, "power", method=GWP, cache=cache)  # the dataset's 3.6 MJ (= 1 kWh)
    assert (power.amount, power.unit) == (3.6, "MJ") and math.isclose(power.total, 0.5, rel_tol=1e-14)
    one = footprint(hand, "power", 1.0, method=GWP, cache=cache)  # --amount is in MJ, its own unit
    assert (one.amount, one.unit) == (1.0, "MJ") and math.isclose(one.total, 0.5 / 3.6, rel_tol=1e-14)
    with pytest.raises(NodeNotFound, match="nope"):
        footprint(hand, "nope", method=GWP, cache=cache)


def test_negative_scaling_is_allowed_and_reported(hand: GraphStore) -> None:
    credit = DatabaseContent(
        database=Database("cr", "credits"),
        flows=(Flow("f-credit", "credit", "product", "kg"),),
        processes=(Process("credit", "makes power on the side", "cr", ref_flow="f-credit", ref_amount=1.0),),
        exchanges=(Exchange("credit/0", "credit", "f-credit", False, 1.0, "kg", 1.0, is_reference=True),
                   Exchange("credit/1", "credit", "f-power", False, 0.5, "kWh", 0.5, is_avoided=True),
                   Exchange("credit/2", "credit", "co2", False, 0.1, "kg", 0.1)),
        links=(ProviderLink("credit", "power", "f-power", "credit/1", 0.5, "default"),),
    )
    with hand.unit_of_work() as writer:
        write_database_content(writer, credit)
    report = calculate(hand, [GWP], cache=CalculationCache())
    assert report.categories[0].negative_totals == 1
    got = footprint(hand, "credit", method=GWP)
    assert math.isclose(got.total, 0.1 - 0.25, rel_tol=1e-13)
    assert got.negative_scaling_count == 1 and got.negative_scaling[0][0] == "power"
    assert math.isclose(got.negative_scaling[0][1], -0.5, rel_tol=1e-14)


def test_singular_loops_name_processes_and_non_finite_amounts_are_errors(store: GraphStore) -> None:
    loop = DatabaseContent(
        database=Database("loop", "loop"),
        flows=(Flow("a", "a", "product", "kg"), Flow("b", "b", "product", "kg")),
        processes=(Process("pa", "A", "loop", ref_flow="a"), Process("pb", "B", "loop", ref_flow="b")),
        exchanges=(Exchange("pa/0", "pa", "a", False, 1.0, "kg", 1.0, is_reference=True),
                   Exchange("pa/1", "pa", "b", True, 1.0, "kg", 1.0),
                   Exchange("pb/0", "pb", "b", False, 1.0, "kg", 1.0, is_reference=True),
                   Exchange("pb/1", "pb", "a", True, 1.0, "kg", 1.0)),
        links=(ProviderLink("pa", "pb", "b", "pa/1", 1.0, "default"),
               ProviderLink("pb", "pa", "a", "pb/1", 1.0, "default")),
    )
    with store.unit_of_work() as writer:
        write_database_content(writer, replace(HAND.background()))
        write_database_content(writer, loop)
    with pytest.raises(SingularTechnosphere, match="pa") as caught:
        calculate(store, cache=CalculationCache())
    assert set(caught.value.processes) == {"pa", "pb"}
    with store.unit_of_work() as writer:  # a value no dataset format can hold, set behind the writer's back
        writer.run("MATCH (:Process {id: 'pb'})-[l:PROVIDER]->() SET l.amount = 1e308 * 10")
    with pytest.raises(NonFiniteResult, match="pb"):
        calculate(store, cache=CalculationCache())


def test_results_go_stale_with_an_import_and_calculate_makes_them_current(hand: GraphStore) -> None:
    cache = CalculationCache()
    assert ensure_results(hand, GWP, cache=cache) is not None
    assert result_coverage(hand, GWP).complete
    assert ensure_results(hand, GWP, cache=cache) is None  # fresh: nothing to do
    with hand.unit_of_work() as writer:
        write_database_content(writer, HAND.background())  # a re-import: version 3
    coverage = result_coverage(hand, GWP)
    assert coverage.processes == 5 and coverage.fresh == 0
    report = calculate(hand, [GWP], cache=cache)
    assert report.graph_version == 3 and not report.factorisation_cached
    assert result_coverage(hand, GWP).complete
    assert calculate(hand, [GWP], cache=cache).factorisation_cached  # one factorisation per version


class _Kept:
    """The test's store, left open when the command closes it."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def close(self) -> None:
        pass


def _cli(store: GraphStore, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    kept = _Kept(store)
    monkeypatch.setattr(session, "open_store", lambda _settings: kept)
    result = CliRunner().invoke(build_app(), list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_calculate_and_footprint_json(hand: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    text = _cli(hand, monkeypatch, "calculate", "--method", GWP)
    assert "factorise" in text and "write-back" in text and "residual" in text and "backward error" in text
    got = json.loads(_cli(hand, monkeypatch, "footprint", "steel", "--method", GWP, "--json"))
    assert {"total", "direct", "by_flow", "by_database", "graph_version", "from_cache", "amount", "unit",
            "residual", "cutoffs", "negative_scaling", "category", "impact_unit"} <= set(got)
    assert "backward_error" not in got  # a componentwise omega of 1 in rows where s_j = 0: left out
    assert 0 <= got["residual"] < 1e-14
    assert got["from_cache"] is True and got["graph_version"] == 2
    assert math.isclose(got["total"], HAND.HAND_TOTALS["steel"], rel_tol=1e-13)
    assert {f["flow"] for f in got["by_flow"]} == {"co2", "ch4"}
    assert {d["database"] for d in got["by_database"]} == {"fg", "bg"}
    human = _cli(hand, monkeypatch, "footprint", "boiler", "--method", GWP, "--amount", "3")
    assert "from the cache" in human and "Per database" in human
    calculated = json.loads(_cli(hand, monkeypatch, "calculate", "--json"))
    assert {c["id"] for c in calculated["categories"]} == {GWP, "empty"} and calculated["residual"] < 1e-14


# --- USLCI ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def uslci(falkordb_server: EmbeddedServer) -> Iterator[FalkorStore]:
    store = open_embedded(falkordb_server.data_dir, graph="uslci-calc", stop_on_close=False)
    store.ensure_schema()
    try:
        import_database(store, find_data_dir() / "uslci" / "uslci_fy17q4_jsonld.zip", "USLCI FY17 Q4")
        calculate(store)
        yield store
    finally:
        conn: Any = store._client.connection
        conn.delete("uslci-calc", "uslci-calc" + STAGE_SUFFIX)
        store.close()


@pytest.mark.slow
def test_uslci_cached_totals_equal_a_fresh_solve_and_bw2calc(uslci: FalkorStore) -> None:
    system = system_from_rows(read_technosphere(uslci))
    assert system.size == 766
    c = system.category_ids.index(AR6)
    cached = read_results(uslci, list(system.process_ids), AR6)
    assert all(r.graph_version == uslci.graph_version() for r in cached.values()) and len(cached) == 766
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bw2calc
        import bw_processing as bwp
    sample = random.Random(4).sample(range(system.size), 25)
    technosphere = system.A.tocsc()
    characterised = np.asarray((system.C[c] @ system.B).todense()).ravel()
    checked = 0
    for j in sample:
        pid = system.process_ids[j]
        demand = np.zeros(system.size)
        demand[j] = system.reference_amounts[j]  # one reference amount (flow reference unit, signed)
        fresh = float(characterised @ spla.spsolve(technosphere, demand))
        total = abs(system.reference_amounts[j]) * cached[pid].total
        assert math.isclose(total, fresh, rel_tol=1e-9, abs_tol=1e-12 * max(1.0, abs(fresh))), pid
        lca = _bw2calc(bw2calc, bwp, system, j, float(system.reference_amounts[j]), c)
        assert math.isclose(lca.score, fresh, rel_tol=1e-9, abs_tol=1e-12 * max(1.0, abs(fresh))), pid
        checked += fresh != 0
    assert checked > 15


def _bw2calc(bw2calc: Any, bwp: Any, system: Any, j: int, amount: float, category: int) -> Any:
    import scipy.sparse as sp

    def vector(package: Any, matrix: str, coo: Any, rows: int, cols: int) -> None:
        indices = np.empty(coo.nnz, dtype=bwp.INDICES_DTYPE)
        indices["row"], indices["col"] = coo.row + rows, coo.col + cols
        package.add_persistent_vector(
            matrix=matrix, indices_array=indices, data_array=coo.data.copy(), name=matrix)

    inventory = bwp.create_datapackage(sum_intra_duplicates=True)
    vector(inventory, "technosphere_matrix", sp.coo_matrix(system.A), 1, 1)
    vector(inventory, "biosphere_matrix", sp.coo_matrix(system.B), 1_000_000, 1)
    method = bwp.create_datapackage()
    row = sp.coo_matrix(system.C[category])
    indices = np.empty(row.nnz, dtype=bwp.INDICES_DTYPE)
    indices["row"], indices["col"] = row.col + 1_000_000, 0
    method.add_persistent_vector(matrix="characterization_matrix", indices_array=indices,
                                 data_array=row.data.copy(), name="characterization", global_index=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = bw2calc.LCA({j + 1: amount}, data_objs=[inventory, method])
        lca.lci()
        lca.lcia()
    return lca


@pytest.mark.slow
def test_uslci_identity_at_every_node_of_sampled_trees(uslci: FalkorStore) -> None:
    ids = [str(r["id"]) for r in uslci.read("MATCH (p:Process) RETURN p.id AS id ORDER BY id")]
    source = StoreTreeSource(uslci)
    nodes = 0
    for pid in random.Random(7).sample(ids, 12):
        tree = expand_tree(source, TreeRequest(pid, AR6, depth=3, max_nodes=2000))
        for node in walk(tree.node):
            nodes += 1
            assert identity_residual(node) <= 1e-9 * max(abs(node.total), 1e-12), (pid, node.path)
    assert nodes > 100


@pytest.mark.slow
def test_uslci_footprint_json(uslci: FalkorStore, monkeypatch: pytest.MonkeyPatch) -> None:
    electricity = uslci.read("MATCH (p:Process) WHERE p.ref_amount <> p.ref_amount_ref "
                             "RETURN p.id AS id, p.ref_amount AS given, p.ref_unit AS unit LIMIT 1")
    assert electricity, "USLCI has processes whose reference is not given in the flow's unit"
    pid = str(electricity[0]["id"])
    got = json.loads(_cli(uslci, monkeypatch, "footprint", pid, "--json"))
    assert got["from_cache"] is True and got["category"] == AR6 and got["impact_unit"] == "kg CO2-eq"
    assert (got["amount"], got["unit"]) == (abs(electricity[0]["given"]), electricity[0]["unit"])
    assert got["by_flow"] and got["by_database"][0]["database"] == "uslci-fy17-q4"
    assert math.isclose(math.fsum(f["impact"] for f in got["by_flow"]), got["total"], rel_tol=1e-9)
    tree = expand_tree(StoreTreeSource(uslci), TreeRequest(pid, AR6, depth=0)).node
    assert tree.total == got["total"]


def test_graphql_calculate_mutation_and_refresh_on_demand(hand: GraphStore) -> None:
    import httpx

    from api.app import create_app
    from api.cli.serve import serve_in_thread
    from lcagraph.config import Settings

    token = "calc-token"
    settings = Settings(graph_url="embedded://unused", data_dir=Path("."), neo4j_user="", neo4j_password="",
                        neo4j_database="", public_base_url="", api_token=token)
    mutation = """mutation($m: ID) { calculate(method: $m) { __typename ... on Problem { message }
        ... on CalculationSummary { graphVersion processes categories results residual cutoffs } } }"""
    upstream = """query($r: Boolean!) { upstream(processId: "steel", method: "gwp", refresh: $r) {
        __typename ... on TreeNode { total } ... on Problem { message } } }"""

    def post(client: httpx.Client, query: str, auth: str | None = None, **variables: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {auth}"} if auth else {}
        body = client.post("/graphql", json={"query": query, "variables": variables}, headers=headers).json()
        assert not body.get("errors"), body
        data: dict[str, Any] = body["data"]
        return data

    with serve_in_thread(create_app(settings, hand)) as base, \
            httpx.Client(base_url=base, timeout=60) as client:
        assert post(client, mutation, m=GWP)["calculate"]["__typename"] == "Unauthorized"
        done = post(client, mutation, token, m=GWP)["calculate"]
        assert done["__typename"] == "CalculationSummary" and done["categories"] == [GWP]
        assert (done["graphVersion"], done["processes"], done["results"], done["cutoffs"]) == (2, 5, 5, 2)
        unknown = post(client, mutation, token, m="nope")["calculate"]
        assert unknown["__typename"] == "NotFound"
        with hand.unit_of_work() as writer:
            writer.run("MATCH (m:Meta {id: 'graph'}) RETURN m.version AS v")  # a new version: stale
        assert post(client, upstream, r=False)["upstream"]["__typename"] == "StaleResult"
        fresh = post(client, upstream, r=True)["upstream"]
        assert fresh["__typename"] == "TreeNode"
        assert math.isclose(fresh["total"], HAND.HAND_TOTALS["steel"], rel_tol=1e-13)
        assert result_coverage(hand, GWP).complete and not result_coverage(hand, "empty").complete


def test_footprint_help_explains_why_no_backward_error() -> None:
    shown = CliRunner().invoke(build_app(), ["footprint", "--help"], terminal_width=200).output
    text = " ".join(shown.split())
    assert "residual, ||A s - f|| / ||f||" in text
    assert "No backward error is given" in text and "`lcagraph calculate` reports it" in text
