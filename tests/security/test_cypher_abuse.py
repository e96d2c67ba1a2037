"""Analyst Cypher under abuse, on the real embedded engine: writes in every disguise refused,
the row limit applied by the engine, one analyst statement at a time, the time-out, and reads
of the viewer and GraphQL answering while an expensive statement runs."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from api.app import create_app
from api.cli.serve import serve_in_thread
from api.services.cypher import check_braces, run_cypher
from graph import queries as q
from graph.store import GraphStore
from lcagraph.errors import EngineError, InvalidArgument, ReadOnlyViolation, StoreBusy
from tests.security.api_fixtures import TOKEN, settings, write_hand_system

COUNT = "MATCH (p:Process) RETURN count(p) AS n"
WRITES = [
    "CREATE (:Process {id: 'evil'}) RETURN 1 AS x",
    "create (:Process {id: 'evil'}) return 1 as x",
    "MaTcH (p:Process) SeT p.name = 'x' ReTuRn p.id AS id",
    "MATCH (p:Process) /* only a read */ DETACH DELETE p RETURN 1 AS x",
    "MATCH (p:Process) // a comment\nSET p.name = 'x' RETURN 1 AS x",
    "MATCH (p:Process) RETURN p.id AS x UNION MERGE (e:Process {id: 'evil'}) RETURN e.id AS x",
    "CALL { CREATE (e:Process {id: 'evil'}) RETURN e } RETURN e.id AS x",
    "MATCH (p:Process) CALL { WITH p SET p.name = 'x' } RETURN p.id AS x",
    "MATCH (p:Process) REMOVE p.name RETURN p.id AS x",
    "UNWIND [1] AS i MERGE (:Process {id: 'evil'}) RETURN i",
    "CALL db.idx.fulltext.createNodeIndex('Process', 'name') RETURN 1 AS x",
    "CALL db.idx.fulltext.drop('Process') RETURN 1 AS x",
]
REFUSED_OTHERWISE = [
    "MATCH (p) RETURN p; CREATE (:Process {id: 'evil'})",  # several statements: a syntax error
    "LOAD CSV FROM 'file:///etc/passwd' AS row CREATE (:Process {id: row[0]}) RETURN 1 AS x",
    "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "RETURN 1 AS x } MATCH (n) DETACH DELETE n WITH 1 AS y CALL { RETURN 2 AS z",  # breaks out of the wrapper
    "RETURN 1 AS x } UNWIND range(1, 100000000) AS y RETURN y //",
]


@pytest.fixture
def hand(store: GraphStore) -> GraphStore:
    write_hand_system(store)
    return store


def processes(store: GraphStore) -> int:
    return int(run_cypher(store, COUNT).rows[0][0])


@pytest.mark.parametrize("statement", WRITES)
def test_writes_in_every_disguise_are_refused(hand: GraphStore, statement: str) -> None:
    before = processes(hand)
    with pytest.raises((ReadOnlyViolation, EngineError)):
        run_cypher(hand, statement)
    assert processes(hand) == before
    assert run_cypher(hand, "MATCH (p:Process {id: 'evil'}) RETURN p.id AS id").rows == []


@pytest.mark.parametrize("statement", REFUSED_OTHERWISE)
def test_several_statements_load_csv_and_breakouts_are_refused(hand: GraphStore, statement: str) -> None:
    before = processes(hand)
    with pytest.raises((ReadOnlyViolation, EngineError, InvalidArgument)) as refused:
        run_cypher(hand, statement, timeout_s=5)
    assert "root:" not in str(refused.value)  # no content of the file
    assert processes(hand) == before


def test_row_limit_is_applied_by_the_engine(hand: GraphStore) -> None:
    got = run_cypher(hand, "UNWIND range(1, 5000000) AS x RETURN x", row_limit=10)
    assert got.rows == [[i] for i in range(1, 11)] and got.truncated
    statement, params = q.bounded_statement("UNWIND range(1, 5000000) AS x RETURN x", {}, 11)
    assert len(hand.read(statement, params)) == 11  # the engine sends 11 rows, not 5 million
    exact = run_cypher(hand, "UNWIND range(1, 10) AS x RETURN x", row_limit=10)
    assert len(exact.rows) == 10 and not exact.truncated


def test_union_and_order_keep_their_meaning_under_the_limit(hand: GraphStore) -> None:
    got = run_cypher(hand, "UNWIND range(1, 5) AS x RETURN x ORDER BY x DESC", row_limit=3)
    assert got.rows == [[5], [4], [3]]
    both = run_cypher(hand, "RETURN 1 AS x UNION RETURN 2 AS x", row_limit=10)
    assert sorted(both.rows) == [[1], [2]]


@pytest.mark.parametrize(
    "name", ["a`b", "x` = 1 MATCH (n) DETACH DELETE n //", "1x", "a b", "lcagraph_row_limit"]
)
def test_parameter_names_cannot_rewrite_the_statement(hand: GraphStore, name: str) -> None:
    with pytest.raises(InvalidArgument):
        run_cypher(hand, "RETURN 1 AS x", {name: 1})
    assert processes(hand) > 0


def test_braces_in_strings_and_comments_do_not_count() -> None:
    check_braces("MATCH (p) WHERE p.name = '}' /* } */ RETURN p // }\n")
    with pytest.raises(InvalidArgument):
        check_braces("RETURN 1 } RETURN 2")


def test_expensive_statement_is_stopped_and_reads_keep_answering(hand: GraphStore) -> None:
    """MATCH (a),(b),(c) on ~2,000 nodes (8e9 rows) runs until its 3 s time-out; meanwhile a
    second analyst statement is refused (Busy) and viewer pages and GraphQL reads answer."""
    hand.write("UNWIND range(1, 2000) AS i CREATE (:Filler {i: i})", {})
    outcome: dict[str, object] = {}

    def expensive() -> None:
        started = time.perf_counter()
        try:
            run_cypher(hand, "MATCH (a),(b),(c) RETURN count(*) AS n", timeout_s=3)
            outcome["result"] = "finished"
        except EngineError as e:
            outcome["result"] = str(e)
        outcome["seconds"] = time.perf_counter() - started

    with serve_in_thread(create_app(settings(), hand)) as base, httpx.Client(base_url=base, timeout=30) as c:
        runner = threading.Thread(target=expensive)
        runner.start()
        time.sleep(0.3)
        with pytest.raises(StoreBusy):
            run_cypher(hand, "RETURN 1 AS x")
        busy = c.post(
            "/graphql",
            headers={"Authorization": f"Bearer {TOKEN}"},
            json={"query": '{ cypher(query: "RETURN 1 AS x") { __typename } }'},
        )
        assert busy.json()["data"]["cypher"]["__typename"] == "Busy"
        latencies = []
        while runner.is_alive():
            started = time.perf_counter()
            page = c.get("/n/R")
            read = c.post("/graphql", json={"query": '{ process(id: "S") { ... on Process { name } } }'})
            latencies.append(time.perf_counter() - started)
            assert page.status_code == 200 and read.json()["data"]["process"]["name"] == "process S"
        runner.join()
    assert "time-out" in str(outcome["result"]), outcome
    assert float(str(outcome["seconds"])) < 10
    assert len(latencies) >= 3 and max(latencies) < 2.5, latencies
    assert run_cypher(hand, "RETURN 1 AS x").rows == [[1]]  # the slot is free again
