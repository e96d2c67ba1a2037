"""GraphQL on real data: USLCI FY17 Q4 + the 2025 transport module on the embedded engine, served
by uvicorn on 127.0.0.1 and queried with httpx; and every Cypher example of docs/cypher.md.

Results are calculated with api/services/calculation.py (read from the graph, solved, written back as Result
nodes); the tree's root total is checked against an independent solve of the demand system
(A s = f, h = C B s) for the root's reference amount and against `lcagraph footprint --json`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import scipy.sparse.linalg as spla
from typer.testing import CliRunner

import api.services.session as session
from api.app import create_app
from api.cli import build_app
from api.cli.serve import serve_in_thread
from api.services.calculation import calculate, system_from_rows
from api.services.cypher import run_cypher
from api.services.importing import import_database
from graph.connect import open_embedded
from graph.embedded import EmbeddedServer
from graph.falkor import STAGE_SUFFIX, FalkorStore
from graph.technosphere import read_technosphere
from lcagraph.config import PROJECT_ROOT, Settings, find_data_dir
from solver.matrices import TechnosphereSystem

pytestmark = pytest.mark.slow
ROOT = "08155f91-742c-3717-9f6c-16e9f143839b"  # Transport; average mix; basic chemicals
GWP = "ipcc-ar6-gwp100/climate-change"
TOKEN = "token-for-tests"


@pytest.fixture(scope="module")
def uslci(falkordb_server: EmbeddedServer) -> Iterator[tuple[FalkorStore, TechnosphereSystem]]:
    store = open_embedded(falkordb_server.data_dir, graph="uslci-api", stop_on_close=False)
    store.ensure_schema()
    data = find_data_dir()
    try:
        import_database(store, data / "uslci" / "uslci_fy17q4_jsonld.zip", "USLCI FY17 Q4")
        import_database(
            store,
            data / "flcac" / "uslci-transport_v1.1_jsonld.zip",
            "USLCI transport v1.1",
            ("USLCI FY17 Q4",),
        )
        calculate(store)  # every category; the Result nodes the tree reads
        system = system_from_rows(read_technosphere(store))
        yield store, system
    finally:
        conn: Any = store._client.connection
        conn.delete("uslci-api", "uslci-api" + STAGE_SUFFIX)
        store.close()


@pytest.fixture(scope="module")
def client(uslci: tuple[FalkorStore, TechnosphereSystem]) -> Iterator[httpx.Client]:
    settings = Settings(
        graph_url="embedded://unused",
        data_dir=Path("."),
        neo4j_user="",
        neo4j_password="",
        neo4j_database="",
        public_base_url="",
        api_token=TOKEN,
    )
    with (
        serve_in_thread(create_app(settings, uslci[0])) as base,
        httpx.Client(base_url=base, timeout=60) as c,
    ):
        yield c


def gql(client: httpx.Client, query: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = client.post("/graphql", json={"query": query, "variables": variables}, headers=headers).json()
    assert not body.get("errors"), body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def nested(fields: str, depth: int) -> str:
    return fields if depth == 0 else f"{fields} children {{ {nested(fields, depth - 1)} }}"


NODE = (
    "path processId name databaseId amount unit direct total share crossesDatabase loop expanded childCount"
)
TREE = """query($id: ID!, $path: [ID!]! = [], $depth: Int!) {
  upstream(processId: $id, path: $path, depth: $depth, maxNodes: 2000) { __typename ... on Problem { message }
    ... on TreeNode { FIELDS } } }""".replace("FIELDS", nested(NODE, 3))


def walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("children") or []:
        yield from walk(child)


def test_transport_tree_three_levels_into_uslci(client: httpx.Client, uslci: Any) -> None:
    root = gql(client, TREE, id=ROOT, depth=3)["upstream"]
    assert root["__typename"] == "TreeNode" and root["name"] == "Transport; average mix; basic chemicals"
    assert root["databaseId"] == "uslci-transport-v1-1" and root["amount"] == 1.0
    nodes = list(walk(root))
    assert max(len(n["path"]) for n in nodes) == 4  # three levels below the root
    borders = [n for n in nodes if n["crossesDatabase"]]
    assert borders and all(n["databaseId"] == "uslci-fy17-q4" for n in borders)
    expanded = [n for n in nodes if n["expanded"] and n["childCount"]]
    assert len(expanded) > 5
    for n in expanded:
        residual = n["total"] - n["direct"] - math.fsum(c["total"] for c in n["children"])
        assert abs(residual) <= 1e-9 * max(abs(n["total"]), 1e-12), (n["path"], residual)
    system: TechnosphereSystem = uslci[1]
    demand = np.zeros(system.size)
    j = system.index_of(ROOT)
    demand[j] = system.reference_amounts[j]  # one reference amount of the root (1 kg delivered)
    scaling = spla.spsolve(system.A.tocsc(), demand)
    independent = float((system.C @ (system.B @ scaling))[0])
    assert math.isclose(root["total"], independent, rel_tol=1e-9)
    footprint = gql(
        client, "query($id: ID!) { footprint(processId: $id) { ... on Footprint { total } } }", id=ROOT
    )
    assert footprint["footprint"]["total"] == root["total"]
    cli = json.loads(_footprint_cli(uslci[0], ROOT))
    assert cli["from_cache"] and cli["graph_version"] == uslci[0].graph_version()
    assert cli["total"] == root["total"] and cli["amount"] == root["amount"]


def _footprint_cli(store: FalkorStore, process: str, *args: str) -> str:
    """`lcagraph footprint PROCESS --json` on the test's store (left open)."""

    class Kept:
        def __getattr__(self, name: str) -> Any:
            return getattr(store, name)

        def close(self) -> None:
            pass

    patch = pytest.MonkeyPatch()
    patch.setattr(session, "open_store", lambda _settings: Kept())
    try:
        result = CliRunner().invoke(build_app(), ["footprint", process, "--json", *args])
    finally:
        patch.undo()
    assert result.exit_code == 0, result.output
    return result.output


def test_lazy_expansion_of_a_uslci_node_and_a_jump_there(client: httpx.Client) -> None:
    root = gql(client, TREE, id=ROOT, depth=1)["upstream"]
    truck = root["children"][0]
    assert truck["crossesDatabase"] and truck["path"] == [ROOT, truck["processId"]]
    below = gql(client, TREE, id=ROOT, path=truck["path"], depth=1)["upstream"]
    assert below["total"] == truck["total"] and below["path"] == truck["path"]
    assert abs(
        below["total"] - below["direct"] - math.fsum(c["total"] for c in below["children"])
    ) <= 1e-9 * abs(below["total"])
    query = """query($id: ID!, $path: [ID!]!) { jump(processId: $id, path: $path) { ... on Jump {
        databaseId root { path amount } breadcrumb { processId databaseId path } } } }"""
    jump = gql(client, query, id=truck["processId"], path=truck["path"])["jump"]
    assert jump["databaseId"] == "uslci-fy17-q4" and jump["root"]["path"] == [truck["processId"]]
    assert jump["breadcrumb"] == [{"processId": ROOT, "databaseId": "uslci-transport-v1-1", "path": [ROOT]}]
    missing = gql(client, TREE, id=ROOT, path=[ROOT, ROOT], depth=1)["upstream"]
    assert missing["__typename"] == "NotFound"


def test_search_and_pagination_on_uslci(client: httpx.Client) -> None:
    query = """query($q: String!, $after: String) { processes(search: $q, first: 10, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { id name } } } }"""
    best = gql(client, query, q="REFINING petroleum")["processes"]
    assert best["edges"][0]["node"]["name"] == "Petroleum refining, at refinery"
    seen: list[str] = []
    after = None
    for _ in range(100):
        page = gql(client, query, q="transport diesel", after=after)["processes"]
        seen += [e["node"]["id"] for e in page["edges"]]
        assert all(
            "transport" in e["node"]["name"].lower() and "diesel" in e["node"]["name"].lower()
            for e in page["edges"]
        )
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == page["totalCount"] > 20
    everything = gql(
        client,
        '{ processes(first: 100, database: "uslci-transport-v1-1") { totalCount '
        "pageInfo { hasNextPage } edges { node { id } } } }",
    )["processes"]
    assert everything["totalCount"] == 41 and len(everything["edges"]) == 41
    assert not everything["pageInfo"]["hasNextPage"]


def test_cypher_refuses_writes_on_uslci(client: httpx.Client) -> None:
    query = """query($q: String!) { cypher(query: $q) { __typename ... on CypherRows { rows } } }"""
    write = gql(client, query, TOKEN, q="MATCH (p:Process) DETACH DELETE p")["cypher"]
    assert write["__typename"] == "ReadOnlyViolation"
    count = gql(client, query, TOKEN, q="MATCH (p:Process) RETURN count(p) AS n")["cypher"]
    assert count["rows"] == [[766 + 41]]


def docs_queries() -> list[str]:
    text = (PROJECT_ROOT / "docs" / "cypher.md").read_text(encoding="utf-8")
    return re.findall(r"```cypher\n(.*?)```", text, flags=re.DOTALL)


def test_docs_have_ten_examples() -> None:
    assert len(docs_queries()) == 10


@pytest.mark.parametrize("number", range(1, 11))
def test_every_docs_cypher_query_runs_on_uslci(uslci: Any, number: int) -> None:
    got = run_cypher(uslci[0], docs_queries()[number - 1], timeout_s=30)
    assert got.columns and got.rows, f"example {number} of docs/cypher.md returned no rows"


def test_every_reference_is_shown_in_the_unit_the_dataset_gives(client: httpx.Client, uslci: Any) -> None:
    """159 USLCI processes give their reference in another unit than their flow's (kWh of an MJ
    flow, t of a kg flow, ...): tree, CachedResult and footprint carry the dataset's amount and unit."""
    store = uslci[0]
    rows = store.read("MATCH (p:Process)-[:IN]->(:Database {id: 'uslci-fy17-q4'}) "
                      "MATCH (f:Flow {id: p.ref_flow}) WHERE f.unit <> p.ref_unit "
                      "RETURN p.id AS id, p.ref_amount AS amount, p.ref_unit AS unit, f.unit AS flow_unit")
    assert len(rows) == 159
    query = """query($id: ID!) { upstream(processId: $id, depth: 0) { ... on TreeNode { amount unit total } }
      process(id: $id) { ... on Process { result { ... on CachedResult { total referenceUnit } } } } }"""
    for row in rows:
        got = gql(client, query, id=row["id"])
        node, result = got["upstream"], got["process"]["result"]
        assert (node["amount"], node["unit"]) == (abs(row["amount"]), row["unit"]), row
        assert result["referenceUnit"] == row["unit"]
        assert math.isclose(node["total"], abs(row["amount"]) * result["total"], rel_tol=1e-12)
    electricity = "89389d98-1ba6-30c5-9c33-92443694936b"
    cli = json.loads(_footprint_cli(store, electricity, "--amount", "1"))
    per_kwh = gql(client, query, id=electricity)["process"]["result"]["total"]
    assert (cli["amount"], cli["unit"]) == (1.0, "kWh") and math.isclose(cli["total"], per_kwh, rel_tol=1e-12)
