"""The ASGI response cache in front of GraphQL: byte-identical hits, a new key per graph version,
never a stale, erroneous, mutation or token-holder answer. Real uvicorn + embedded engine."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

import api.graphql.cache as h6_cache
from api.app import create_app
from api.cli.serve import serve_in_thread
from api.graphql.response_cache import GraphQLResponseCache
from graph.store import GraphStore
from graph.tree import expand_tree
from tests.shared_cases import load_test_module

GQL = load_test_module("api/test_graphql.py")
HAND = GQL.HAND
TOKEN = GQL.TOKEN
UPSTREAM = GQL.UPSTREAM
SET_PROVIDER = """mutation($x: ID!, $p: ID!) { setProvider(exchangeId: $x, providerId: $p) { __typename
    ... on ProviderOverride { graphVersion } } }"""
CYPHER = """query($q: String!) { cypher(query: $q) { __typename ... on CypherRows { rows } } }"""


@pytest.fixture(autouse=True)
def fresh_h6_cache(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A clean schema-level cache per test, and a count of real tree expansions."""
    import api.services.tree as jumps

    monkeypatch.setattr(h6_cache, "RESPONSES", h6_cache._Lru(h6_cache.MAX_ENTRIES))
    calls: list[str] = []
    real = expand_tree

    def counted(source: Any, req: Any) -> Any:
        calls.append(req.process)
        return real(source, req)

    monkeypatch.setattr(jumps, "expand_tree", counted)
    return calls


def middleware(app: FastAPI) -> GraphQLResponseCache:
    node: Any = app.middleware_stack
    while node is not None:
        if isinstance(node, GraphQLResponseCache):
            return node
        node = getattr(node, "app", None)
    raise AssertionError("GraphQLResponseCache is not in the middleware stack")


class Served:
    def __init__(self, app: FastAPI, client: httpx.Client) -> None:
        self.app, self.client = app, client

    @property
    def cache(self) -> GraphQLResponseCache:
        return middleware(self.app)

    def post(self, query: str, token: str | None = None, **variables: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


@pytest.fixture
def served(store: GraphStore) -> Iterator[Served]:
    HAND.write_hand_system(store)
    HAND.write_results(store, store.graph_version())
    app = create_app(GQL.settings(), store)
    with serve_in_thread(app) as base, httpx.Client(base_url=base) as client:
        yield Served(app, client)


def _headers(reply: httpx.Response) -> list[tuple[str, str]]:
    return [(k, v) for k, v in reply.headers.multi_items() if k not in ("date", "server")]


def test_hit_is_byte_identical_and_skips_the_schema(served: Served, fresh_h6_cache: list[str]) -> None:
    first = served.post(UPSTREAM, id="R")
    assert first.json()["data"]["upstream"]["__typename"] == "TreeNode"
    h6_cache.RESPONSES = h6_cache._Lru(h6_cache.MAX_ENTRIES)  # a hit now can only come from the ASGI cache
    second = served.post(UPSTREAM, id="R")
    assert second.content == first.content and _headers(second) == _headers(first)
    assert served.cache.store.hits == 1 and len(served.cache.store) == 1
    assert fresh_h6_cache == ["R"]  # expanded once
    other = served.post(UPSTREAM, id="R", depth=2)  # other variables: another key
    assert other.content != first.content and len(served.cache.store) == 2


def test_graph_version_bump_is_a_new_key(
    served: Served, store: GraphStore, fresh_h6_cache: list[str]
) -> None:
    first = served.post(UPSTREAM, id="R").content
    assert served.post(UPSTREAM, id="R").content == first and served.cache.store.hits == 1
    with store.unit_of_work() as writer:  # a write through a unit of work bumps the version
        writer.run("MATCH (m:Meta {id: 'graph'}) RETURN m.version AS v")
    HAND.write_results(store, store.graph_version())
    assert served.post(UPSTREAM, id="R").content == first  # same numbers, recomputed
    assert served.cache.store.hits == 1 and fresh_h6_cache == ["R", "R"]
    moved = served.post(SET_PROVIDER, TOKEN, x="E/1", p="E").json()["data"]["setProvider"]
    assert moved["__typename"] == "ProviderOverride" and moved["graphVersion"] == store.graph_version()
    stale = served.post(UPSTREAM, id="R")
    assert stale.json()["data"]["upstream"]["__typename"] == "StaleResult"
    assert served.cache.store.hits == 1


def test_stale_answers_are_never_stored(store: GraphStore, fresh_h6_cache: list[str]) -> None:
    HAND.write_hand_system(store)  # no results yet: StaleResult
    app = create_app(GQL.settings(), store)
    with serve_in_thread(app) as base, httpx.Client(base_url=base) as client:
        served = Served(app, client)
        for _ in range(2):
            assert served.post(UPSTREAM, id="P").json()["data"]["upstream"]["__typename"] == "StaleResult"
        assert len(served.cache.store) == 0 and served.cache.store.hits == 0
        HAND.write_results(store, store.graph_version())  # results arrive without a new graph version
        fresh = served.post(UPSTREAM, id="P").json()["data"]["upstream"]
        assert fresh["__typename"] == "TreeNode"
        assert len(served.cache.store) == 1 and fresh_h6_cache == ["P", "P", "P"]


def test_token_answers_mutations_and_errors_are_not_served_to_others(served: Served) -> None:
    read = "MATCH (p:Process {id: 'R'}) RETURN p.id AS id"
    held = served.post(CYPHER, TOKEN, q=read).json()["data"]["cypher"]
    assert held == {"__typename": "CypherRows", "rows": [["R"]]}
    assert served.post(CYPHER, TOKEN, q=read).json()["data"]["cypher"] == held
    anonymous = served.post(CYPHER, q=read).json()["data"]["cypher"]
    assert anonymous["__typename"] == "Unauthorized"
    assert len(served.cache.store) == 0 and served.cache.store.hits == 0  # cypher is never stored
    # a cacheable read asked with a token and without is two keys, never one answer for both
    served.post(UPSTREAM, TOKEN, id="R")
    served.post(UPSTREAM, id="R")
    assert len(served.cache.store) == 2 and served.cache.store.hits == 0
    for _ in range(2):  # refused mutation, GraphQL errors: not stored
        assert served.post(SET_PROVIDER, x="E/1", p="E").json()["data"]["setProvider"]["__typename"] \
            == "Unauthorized"
        assert served.post("{ noSuchField }").json()["errors"]
        assert "errors" in served.post(UPSTREAM, id=None).json()
    assert len(served.cache.store) == 2 and served.cache.store.hits == 0


def test_not_json_or_not_a_query_passes_through(served: Served) -> None:
    reply = served.client.post("/graphql", content=b"{not json", headers={"content-type": "application/json"})
    assert reply.status_code == 400
    body = json.dumps({"query": "query A { __typename } mutation B { __typename }", "operationName": "A"})
    for _ in range(2):
        got = served.client.post("/graphql", content=body, headers={"content-type": "application/json"})
        assert got.json()["data"] == {"__typename": "Query"}
    assert served.cache.store.hits == 1  # the query operation of a mixed document is cacheable
