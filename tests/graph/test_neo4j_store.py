"""The Neo4j adapter against a live Neo4j 5 (NEO4J_URI, NEO4J_PASSWORD; skipped otherwise).

These tests RESET the database named by NEO4J_DATABASE (default "neo4j"): point them at a
throw-away server, e.g. the one of docker-compose.yml.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from graph import queries
from graph.connect import open_store
from graph.reader import count_labels, read_database_content
from graph.store import GraphStore
from graph.writer import write_database_content
from lcagraph.config import load_settings
from lcagraph.errors import ReadOnlyViolation
from lcagraph.records import DatabaseContent

pytestmark = pytest.mark.neo4j


@pytest.fixture
def neo4j_store(monkeypatch: pytest.MonkeyPatch) -> Iterator[GraphStore]:
    monkeypatch.setenv("LCAGRAPH_GRAPH_URL", os.environ["NEO4J_URI"])
    opened = open_store(load_settings())
    opened.reset()
    try:
        yield opened
    finally:
        opened.close()


def test_engine_and_schema(neo4j_store: GraphStore) -> None:
    assert neo4j_store.engine == "neo4j"
    names = {r["name"] for r in neo4j_store.read("SHOW CONSTRAINTS YIELD name RETURN name")}
    assert {"process_id", "flow_id", "database_id", "meta_id"} <= names
    neo4j_store.ensure_schema()


def test_round_trip_and_version(
    neo4j_store: GraphStore, make_content: Callable[..., DatabaseContent],
) -> None:
    version = neo4j_store.graph_version()
    content = make_content()
    with neo4j_store.unit_of_work() as writer:
        write_database_content(writer, content)
    assert neo4j_store.graph_version() == version + 1
    back = read_database_content(neo4j_store, "sample")
    assert back.exchanges == tuple(sorted(content.exchanges, key=lambda x: x.id))
    assert back.processes == tuple(sorted(content.processes, key=lambda p: p.id))
    assert back.report == content.report
    assert back.database == content.database


def test_read_refuses_writes(neo4j_store: GraphStore) -> None:
    with pytest.raises(ReadOnlyViolation):
        neo4j_store.read("CREATE (:Process {id: 'x'})")
    assert count_labels(neo4j_store) == {"Meta": 1}


def test_failed_unit_rolls_back(neo4j_store: GraphStore) -> None:
    version = neo4j_store.graph_version()
    with pytest.raises(RuntimeError), neo4j_store.unit_of_work() as writer:
        writer.run("CREATE (:Database {id: 'a'})")
        raise RuntimeError("boom")
    assert neo4j_store.graph_version() == version
    assert count_labels(neo4j_store) == {"Meta": 1}


def test_every_shared_constant_is_planned_by_neo4j(neo4j_store: GraphStore) -> None:
    """EXPLAIN parses and plans without executing; Neo4j DDL runs in ensure_schema instead."""
    for name, statement in vars(queries).items():
        if name.isupper() and isinstance(statement, str) and not name.startswith(("FALKOR_", "NEO4J_")):
            params: dict[str, Any] = dict.fromkeys(re.findall(r"\$(\w+)", statement))
            neo4j_store.write("EXPLAIN " + statement, params)
    assert count_labels(neo4j_store) == {"Meta": 1}
