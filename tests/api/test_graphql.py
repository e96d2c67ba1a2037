"""GraphQL API on the hand-solved system of tests/graph/test_tree_store.py, through a real client:
httpx against the app served by uvicorn on 127.0.0.1 (random port), real embedded engine."""

from __future__ import annotations

import dataclasses
import json
import math
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.cli.serve import serve_in_thread
from api.services.footprint import footprint
from api.services.nodes import NodeRequest, node_view
from api.services.session import AppState
from graph.store import GraphStore
from lcagraph.config import Settings, find_data_dir
from tests.shared_cases import tree_store_hand

TOKEN = "s3cret-token"



HAND = tree_store_hand()


def settings(token: str = TOKEN) -> Settings:
    return Settings(
        graph_url="embedded://unused",
        data_dir=Path("."),
        neo4j_user="",
        neo4j_password="",
        neo4j_database="",
        public_base_url="https://lca.example",
        api_token=token,
    )


class Api:
    """A GraphQL client: post a query, return data (errors fail the test unless allowed)."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def post(self, query: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        reply = self.client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
        body: dict[str, Any] = reply.json()
        return body

    def data(self, query: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
        body = self.post(query, token, **variables)
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture
def hand_store(store: GraphStore) -> GraphStore:
    HAND.write_hand_system(store)
    HAND.write_results(store, store.graph_version())
    return store


@pytest.fixture
def api(hand_store: GraphStore) -> Iterator[Api]:
    with serve_in_thread(create_app(settings(), hand_store)) as base, httpx.Client(base_url=base) as client:
        yield Api(client)


def nested(fields: str, depth: int) -> str:
    """``fields children { fields children { … } }``, ``depth`` levels of children."""
    return fields if depth == 0 else f"{fields} children {{ {nested(fields, depth - 1)} }}"


NODE = (
    "path processId name databaseId amount unit direct total share crossesDatabase loop isRest restCount "
    "childCount unlinkedCount expanded"
)
UPSTREAM = """query($id: ID!, $path: [ID!]! = [], $depth: Int! = 1, $cutoff: Float! = 0,
    $method: ID = "gwp") {
  upstream(processId: $id, path: $path, depth: $depth, cutoff: $cutoff, method: $method) {
    __typename ... on Problem { message }
    ... on TreeNode { FIELDS }
  }
}""".replace("FIELDS", nested(NODE, 3))


def walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("children") or []:
        yield from walk(child)


def test_upstream_numbers_identity_and_borders(api: Api) -> None:
    root = api.data(UPSTREAM, id="R", depth=3)["upstream"]
    assert root["__typename"] == "TreeNode"
    assert math.isclose(root["total"], 2 * HAND.T_R, rel_tol=1e-14) and root["unlinkedCount"] == 1
    expanded = [n for n in walk(root) if n["expanded"]]
    assert len(expanded) >= 5
    for n in expanded:
        assert abs(n["total"] - n["direct"] - math.fsum(c["total"] for c in n["children"])) <= 1e-12 * abs(
            n["total"]
        )
    kids = {c["processId"]: c for c in root["children"]}
    assert [c["processId"] for c in root["children"]] == ["E", "S", "H", "P"]
    assert (
        kids["E"]["crossesDatabase"] and kids["E"]["databaseId"] == "bg" and not kids["P"]["crossesDatabase"]
    )
    assert math.isclose(kids["H"]["amount"], -1.0) and math.isclose(
        kids["E"]["share"], 4 * HAND.T_E / (2 * HAND.T_R)
    )


def test_lazy_unfolding_by_path_and_rest(api: Api) -> None:
    node = api.data(UPSTREAM, id="R", path=["R", "S"])["upstream"]
    assert node["path"] == ["R", "S"] and node["expanded"]
    assert {c["processId"] for c in node["children"]} == {"E", "W", "W2"}
    assert all(c["path"][:2] == ["R", "S"] for c in node["children"])
    rest = api.data(UPSTREAM, id="R", cutoff=0.01)["upstream"]["children"][-1]
    assert rest["isRest"] and rest["restCount"] == 2 and rest["processId"] is None
    assert math.isclose(rest["total"], -0.08 + 0.002, rel_tol=1e-12)


def test_typed_errors(api: Api) -> None:
    bad_path = api.data(UPSTREAM, id="R", path=["R", "W"])["upstream"]
    assert bad_path["__typename"] == "NotFound" and "does not supply" in bad_path["message"]
    assert api.data(UPSTREAM, id="R", depth=99)["upstream"]["__typename"] == "InvalidArgument"
    assert api.data(UPSTREAM, id="nope")["upstream"]["__typename"] == "NotFound"
    assert api.data(UPSTREAM, id="R", method="no-such")["upstream"]["__typename"] == "NotFound"
    got = api.data('{ process(id: "nope") { __typename ... on Problem { message } } }')["process"]
    assert got["__typename"] == "NotFound" and "nope" in got["message"]


def test_search_ranking_and_pagination(api: Api) -> None:
    query = """query($q: String, $after: String) { processes(search: $q, first: 3, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name } } } }"""
    seen: list[str] = []
    after = None
    while True:
        page = api.data(query, q="PROCESS", after=after)["processes"]
        assert page["totalCount"] == 7
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == sorted(["R", "E", "S", "W", "W2", "H", "P"]) and len(seen) == 7
    ranked = api.data(query, q="p process")["processes"]["edges"]
    assert ranked[0]["node"]["id"] == "P"
    bad = api.post("{ processes(first: 1000) { totalCount } }")
    assert "first=1000" in bad["errors"][0]["message"]


def test_process_exchanges_consumers_result_links(api: Api) -> None:
    query = """{ process(id: "R") { ... on Process { name databaseId reference_amount: referenceAmount
        deepLink qrUrl result(method: "gwp") { ... on CachedResult { total stale graphVersion } }
        exchanges(direction: INPUT) { id link providerId unlinkedReason provider { name } flow { name } } } }
      s: process(id: "S") { ... on Process { consumers { processId amount } } } }"""
    data = api.data(query)
    p = data["process"]
    assert p["deepLink"] == "https://lca.example/n/R" and p["qrUrl"].startswith("https://lca.example/qr/R.")
    assert math.isclose(p["result"]["total"], HAND.T_R) and p["result"]["stale"] is False
    cut = [x for x in p["exchanges"] if x["link"] == "unlinked"]
    assert len(cut) == 1 and cut[0]["unlinkedReason"] == "cut-off" and cut[0]["provider"] is None
    assert {x["providerId"] for x in p["exchanges"] if x["providerId"]} == {"E", "S", "P", "H"}
    assert {c["processId"] for c in data["s"]["consumers"]} == {"R", "E"}


def test_footprint_and_jump(api: Api) -> None:
    fp = api.data(
        '{ footprint(processId: "R", amount: 3, method: "gwp") { ... on Footprint { total direct } } }'
    )
    assert math.isclose(fp["footprint"]["total"], 3 * HAND.T_R, rel_tol=1e-14)
    query = """{ jump(processId: "E", path: ["R", "S", "E"], method: "gwp") { ... on Jump {
        databaseId root { path amount total } backPath breadcrumb { processId path databaseId } } } }"""
    jump = api.data(query)["jump"]
    assert jump["databaseId"] == "bg" and jump["root"]["path"] == ["E"] and jump["root"]["amount"] == 1.0
    assert math.isclose(jump["root"]["total"], HAND.T_E) and jump["backPath"] == ["R", "S", "E"]
    assert [c["path"] for c in jump["breadcrumb"]] == [["R"], ["R", "S"]]


FOOTPRINT_FIELDS = """processId name databaseId amount unit amountRef unitRef categoryName method impactUnit
    total direct graphVersion fromCache residual cutoffs negativeScalingCount backend
    byFlow { flowId name compartment unit amount factor impact } byDatabase { databaseId impact processes }
    negativeScaling { processId value }
    completeness { linked cutOff ambiguous referenceSet unlinked uncharacterised coverage }
    quality { dqr rating withoutData } uncertainty { gsd2 low high method }"""


def test_footprint_has_every_field_of_the_cli_json(api: Api, hand_store: GraphStore) -> None:
    fields = f"... on Footprint {{ {FOOTPRINT_FIELDS} category {{ id }} }}"
    got = api.data(f'{{ footprint(processId: "R", amount: 3, method: "gwp") {{ {fields} }} }}')["footprint"]
    got["category"] = got["category"]["id"]
    cli = dataclasses.asdict(footprint(hand_store, "R", 3.0, "gwp", refresh=False))
    renamed = {"process": "processId", "database": "databaseId"}
    for key, value in cli.items():
        name = renamed.get(key, re.sub(r"_(\w)", lambda m: m.group(1).upper(), key))
        assert name in got, key
        if key == "by_flow":
            value = [{"flowId": f["flow"], **{k: v for k, v in f.items() if k != "flow"}} for f in value]
        elif key == "by_database":
            value = [{"databaseId": d["database"], "impact": d["impact"], "processes": d["processes"]}
                     for d in value]
        elif key == "negative_scaling":
            value = [{"processId": p, "value": v} for p, v in value]
        elif key == "completeness":
            value = {"linked": value["linked"], "cutOff": value["cut_off"], "ambiguous": value["ambiguous"],
                     "referenceSet": value["reference_set"], "unlinked": value["unlinked"],
                     "uncharacterised": value["uncharacterised"], "coverage": value["coverage"]}
        elif key == "quality":
            value = {"dqr": value["dqr"], "rating": value["rating"], "withoutData": value["without_data"]}
        assert got[name] == value, key
    assert math.isclose(got["total"], 3 * HAND.T_R, rel_tol=1e-14) and got["fromCache"]


def test_node_view_is_the_viewer_page(api: Api, hand_store: GraphStore) -> None:
    query = """{ node(processId: "S", path: ["R", "S"], method: "gwp") { ... on NodeView {
        process { id } databaseId path deepLink breadcrumb { processId databaseName path }
        completeness { linked cutOff state }
        node { amount total direct children { processId total } } } } }"""
    got = api.data(query)["node"]
    page = node_view(AppState(settings(), hand_store), NodeRequest("S", ("R", "S"), None, "gwp"))
    assert got["process"]["id"] == "S" and got["databaseId"] == page.database.id and got["path"] == ["R", "S"]
    assert got["deepLink"] == "https://lca.example/n/S?path=R/S&method=gwp"
    crumbs = [{"processId": c.process, "databaseName": c.database_name, "path": list(c.path)}
              for c in page.crumbs]
    assert got["breadcrumb"] == crumbs and crumbs[0]["processId"] == "R"
    assert got["completeness"] == {"linked": page.completeness.linked, "cutOff": page.completeness.cut_off,
                                   "state": page.completeness.state}
    node = page.node
    assert (got["node"]["amount"], got["node"]["total"], got["node"]["direct"]) == (node.amount, node.total,
                                                                                  node.direct)
    assert got["node"]["children"] == [{"processId": c.process, "total": c.total} for c in node.children]
    assert math.isclose(node.total, node.direct + math.fsum(c.total for c in node.children), rel_tol=1e-12)


def test_cypher_is_read_only_and_needs_the_token(api: Api) -> None:
    query = """query($q: String!, $p: JSON) { cypher(query: $q, params: $p) { __typename
        ... on Problem { message } ... on CypherRows { columns rows truncated } } }"""
    read = "MATCH (p:Process {database: $db}) RETURN p.id AS id ORDER BY id"
    assert api.data(query, q=read, p={"db": "bg"})["cypher"]["__typename"] == "Unauthorized"
    assert api.data(query, "wrong", q=read, p={"db": "bg"})["cypher"]["__typename"] == "Unauthorized"
    rows = api.data(query, TOKEN, q=read, p={"db": "bg"})["cypher"]
    assert rows["columns"] == ["id"] and rows["rows"] == [["E"], ["S"], ["W"], ["W2"]]
    write = api.data(query, TOKEN, q="MATCH (p:Process) SET p.name = 'x' RETURN count(p) AS n")["cypher"]
    assert write["__typename"] == "ReadOnlyViolation"
    assert (
        api.data(query, TOKEN, q="CREATE (:Process {id: 'evil'})")["cypher"]["__typename"]
        == "ReadOnlyViolation"
    )
    assert (
        api.data(query, TOKEN, q="MATCH (p:Process {id: 'evil'}) RETURN p.id AS id")["cypher"]["rows"] == []
    )
    assert api.data(query, TOKEN, q="MATCH (p RETURN p")["cypher"]["__typename"] == "QueryFailed"


def test_set_provider_bumps_version_and_results_go_stale(api: Api) -> None:
    mutation = """mutation($x: ID!, $p: ID!) { setProvider(exchangeId: $x, providerId: $p) { __typename
        ... on Problem { message } ... on ProviderOverride { previousProviderId graphVersion } } }"""
    assert api.data(mutation, x="E/1", p="E")["setProvider"]["__typename"] == "Unauthorized"
    wrong = api.data(mutation, TOKEN, x="E/1", p="S")["setProvider"]
    assert wrong["__typename"] == "InvalidArgument" and "quantitative reference" in wrong["message"]
    done = api.data(mutation, TOKEN, x="E/1", p="E")["setProvider"]
    assert done["__typename"] == "ProviderOverride" and done["previousProviderId"] == "E"
    stale = api.data(UPSTREAM, id="R")["upstream"]
    assert stale["__typename"] == "StaleResult" and "calculate" in stale["message"]
    link = api.data('{ process(id: "E") { ... on Process { exchanges(direction: INPUT) { id link } } } }')
    assert {"id": "E/1", "link": "override"} in link["process"]["exchanges"]


def test_responses_are_cached_per_graph_version_but_never_when_stale(
    store: GraphStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import api.services.tree as jumps

    calls: list[str] = []
    real = jumps.expand_tree

    def counted(source: Any, req: Any) -> Any:
        calls.append(req.process)
        return real(source, req)

    monkeypatch.setattr(jumps, "expand_tree", counted)
    HAND.write_hand_system(store)
    with serve_in_thread(create_app(settings(), store)) as base, httpx.Client(base_url=base) as client:
        api = Api(client)
        assert api.data(UPSTREAM, id="P")["upstream"]["__typename"] == "StaleResult"
        HAND.write_results(store, store.graph_version())  # results arrive without a new graph version
        first = api.data(UPSTREAM, id="P")["upstream"]
        assert first["__typename"] == "TreeNode" and math.isclose(first["total"], 0.1)
        assert api.data(UPSTREAM, id="P")["upstream"] == first
        assert len(calls) == 2  # the stale answer was not kept; the good one was
        with store.unit_of_work() as writer:
            writer.run("MATCH (m:Meta {id: 'graph'}) RETURN m.version AS v")
        HAND.write_results(store, store.graph_version())
        assert api.data(UPSTREAM, id="P")["upstream"] == first
        assert len(calls) == 3  # a new graph version is a new key


def test_import_dataset_upload_needs_the_token_and_commits_all(store: GraphStore, tmp_path: Path) -> None:
    folder = find_data_dir() / "samples" / "jsonld" / "beef-cattle-finishing"
    archive = Path(shutil.make_archive(str(tmp_path / "beef"), "zip", folder))
    operations = json.dumps({
        "query": """mutation($file: Upload!) { importDataset(file: $file, name: "Beef") { __typename
            ... on Problem { message } ... on ImportSummary { databaseId graphVersion report
            database { name processCount models { name referenceProcess { name } } } } } }""",
        "variables": {"file": None},
    })
    form = {"operations": operations, "map": json.dumps({"0": ["variables.file"]})}
    with serve_in_thread(create_app(settings(), store)) as base, httpx.Client(base_url=base) as client:
        def upload(token: str | None) -> dict[str, Any]:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            with archive.open("rb") as fh:
                reply = client.post("/graphql", data=form, files={"0": ("beef.zip", fh, "application/zip")},
                                    headers=headers)
            body: dict[str, Any] = reply.json()
            if reply.status_code == 401:  # refused from the headers, before the upload is read
                return {"__typename": "Unauthorized", "message": body["errors"][0]["message"]}
            assert not body.get("errors"), body
            return body["data"]["importDataset"]  # type: ignore[no-any-return]

        assert upload(None)["__typename"] == "Unauthorized" and store.graph_version() == 0
        assert upload("wrong")["__typename"] == "Unauthorized" and store.graph_version() == 0
        done = upload(TOKEN)
    assert done["__typename"] == "ImportSummary" and done["databaseId"] == "beef"
    assert done["graphVersion"] == store.graph_version() >= 1
    assert done["database"]["processCount"] == 8 and done["database"]["models"]
    assert done["report"]["database"] == "beef"
