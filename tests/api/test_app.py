"""The web app: REST health, OpenAPI, GraphiQL page, the committed schema, request limits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.cli.serve import serve_in_thread
from api.graphql.limits import MAX_COST
from api.graphql.schema import schema_sdl
from graph.store import GraphStore
from lcagraph.config import PROJECT_ROOT, Settings


def settings() -> Settings:
    return Settings(
        graph_url="embedded://unused",
        data_dir=Path("."),
        neo4j_user="",
        neo4j_password="",
        neo4j_database="",
        public_base_url="",
        api_token="",
    )


@pytest.fixture
def client(store: GraphStore) -> Iterator[httpx.Client]:
    with serve_in_thread(create_app(settings(), store)) as base, httpx.Client(base_url=base) as c:
        yield c


def test_schema_graphql_is_committed_and_current() -> None:
    committed = (PROJECT_ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed == schema_sdl(), (
        "the GraphQL schema changed: review the change for front ends, then run "
        "`python -m api.graphql.schema > schema.graphql` and commit it"
    )


def test_health_reports_engine_and_graph_version(client: httpx.Client, store: GraphStore) -> None:
    with store.unit_of_work() as writer:
        writer.run("MATCH (m:Meta {id: 'graph'}) RETURN m.version AS version")
    body = client.get("/health").json()
    assert (
        body["status"] == "ok"
        and body["engine"] == "falkordb"
        and body["graph_version"] == store.graph_version()
    )
    assert body["graph_version"] >= 1
    gql = client.post("/graphql", json={"query": "{ health { engine graphVersion } }"}).json()
    assert gql["data"]["health"] == {"engine": "falkordb", "graphVersion": body["graph_version"]}


def test_openapi_and_graphiql(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    assert "/health" in spec["paths"]
    page = client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()


def _errors(client: httpx.Client, query: str) -> list[str]:
    body = client.post("/graphql", json={"query": query}).json()
    return [e["message"] for e in body.get("errors") or []]


def test_oversized_requests_are_refused(client: httpx.Client) -> None:
    deep = (
        '{ upstream(processId: "x") { ... on TreeNode { ' + "children { " * 30 + "id" + " }" * 30 + " } } }"
    )
    assert any("exceeds maximum operation depth" in m for m in _errors(client, deep))
    aliases = "{ " + " ".join(f"a{i}: health {{ engine }}" for i in range(40)) + " }"
    assert _errors(client, aliases)
    costly = (
        "{ processes(first: 100) { edges { node { exchanges { flow { name } provider { name "
        "consumers { process { name } } } } } } } }"
    )
    messages = _errors(client, costly)
    assert any(f"{MAX_COST:,}" in m for m in messages), messages
    assert any("out of range" in m for m in _errors(client, "{ processes(first: 101) { totalCount } }"))
    bad_cursor = _errors(client, '{ processes(after: "bm90LWEtY3Vyc29y") { totalCount } }')
    assert any("cursor" in m for m in bad_cursor)


def test_unexpected_errors_are_masked_and_logged(
    client: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr("api.services.models.read_databases", broken)
    body = client.post("/graphql", json={"query": "{ databases { id } }"}).json()
    assert body["errors"][0]["message"] == "Unexpected error."
    assert "secret internal detail" not in str(body)
    assert "secret internal detail" in caplog.text


def test_mutations_are_disabled_without_a_configured_token(client: httpx.Client) -> None:
    query = (
        'mutation { setProvider(exchangeId: "x", providerId: "y") { __typename ... on Problem { message } } }'
    )
    got = client.post("/graphql", json={"query": query}, headers={"Authorization": "Bearer anything"}).json()
    assert got["data"]["setProvider"]["__typename"] == "Unauthorized"
    assert "LCAGRAPH_API_TOKEN" in got["data"]["setProvider"]["message"]


JUMP = """query($id: ID!, $path: [ID!]!, $maxNodes: Int) {
  jump(processId: $id, path: $path, depth: 1, maxNodes: $maxNodes) { __typename
    ... on Problem { message }
    ... on Jump { processId databaseId backPath database { id name version licence }
      root { id path processId name databaseId amount unit direct total share crossesDatabase loop expanded
             childCount unlinkedCount restCount truncated database { name }
             children { id path processId name databaseId amount unit direct total share crossesDatabase loop
                        expanded childCount unlinkedCount restCount truncated database { name } } }
      breadcrumb { processId name databaseId databaseName path crossesDatabase }
      models { id name databaseId referenceProcessId amount unit } } } }"""


def _cost_errors(client: httpx.Client, query: str, **variables: Any) -> list[str]:
    body = client.post("/graphql", json={"query": query, "variables": variables}).json()
    errors = [e["message"] for e in body.get("errors") or []]
    assert all("field resolutions" in m for m in errors), errors  # the query is valid
    return errors


def test_cost_is_estimated_from_the_arguments_given(client: httpx.Client) -> None:
    assert _cost_errors(client, JUMP, id="x", path=[]) == []  # the viewer's jump at depth 1 (maxNodes 200)
    assert _cost_errors(client, JUMP, id="x", path=[], maxNodes=500) == []  # a variable counts as given
    paged = ("query($n: Int) { processes(first: $n) { edges { node { exchanges { flow { name } provider { "
             "name consumers { process { name } } } } } } } }")
    assert _cost_errors(client, paged, n=2) == []  # 2 processes, not the largest page
    over = _cost_errors(client, paged, n=100)
    assert over and f"{MAX_COST:,}" in over[0]
    single = '{ upstream(processId: "x", depth: 0, maxNodes: 2000) { ... on TreeNode { ' + " ".join(
        f"a{i}: total" for i in range(25)) + " } } }"
    assert _cost_errors(client, single) == []  # depth 0: one node, whatever maxNodes says
