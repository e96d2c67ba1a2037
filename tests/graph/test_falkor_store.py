"""The FalkorDB store: read-only reads, units of work, versions, locks, value fidelity."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from graph import queries as q
from graph.connect import open_embedded
from graph.falkor import STAGE_SUFFIX, FalkorStore
from lcagraph.errors import EngineError, InvalidArgument, ReadOnlyViolation, StoreBusy


def node_count(store: FalkorStore) -> int:
    return int(store.read("MATCH (n) RETURN count(n) AS n")[0]["n"])


@pytest.mark.parametrize("statement", [
    "CREATE (n:Process {id: 'x'})",
    "MATCH (m:Meta) SET m.version = 99",
    "MERGE (n:Flow {id: 'y'}) RETURN n.id",
    "MATCH (n) DETACH DELETE n",
    "UNWIND [1, 2] AS i CREATE (:X {i: i})",
])
def test_read_refuses_every_write_and_executes_nothing(store: FalkorStore, statement: str) -> None:
    with store.unit_of_work() as writer:
        writer.run("CREATE (:Database {id: 'd'})")
    before = store.read("MATCH (n) RETURN labels(n)[0] AS label, n.version AS v ORDER BY label")
    with pytest.raises(ReadOnlyViolation, match="only read-only statements"):
        store.read(statement)
    assert store.read("MATCH (n) RETURN labels(n)[0] AS label, n.version AS v ORDER BY label") == before


def test_version_counts_committed_units_only(store: FalkorStore) -> None:
    assert store.graph_version() == 0
    with store.unit_of_work() as writer:
        writer.run("CREATE (:Database {id: 'a'})")
    with store.unit_of_work() as writer:
        writer.run("CREATE (:Database {id: 'b'})")
    assert store.graph_version() == 2
    store.write("MERGE (r:Result {id: 'p|c'}) SET r.total = 1.5")  # a cache write
    store.write_batches("UNWIND $rows AS row MERGE (r:Result {id: row.id}) SET r.v = $v",
                        [{"id": "r1"}, {"id": "r2"}, {"id": "r3"}], batch_size=2, params={"v": 7})
    assert store.graph_version() == 2
    assert store.read("MATCH (r:Result) RETURN r.id AS id, r.v AS v ORDER BY id") == [
        {"id": "p|c", "v": None}, {"id": "r1", "v": 7}, {"id": "r2", "v": 7}, {"id": "r3", "v": 7}]


def test_a_failed_unit_leaves_the_graph_and_version_unchanged(store: FalkorStore) -> None:
    with store.unit_of_work() as writer:
        writer.run("CREATE (:Database {id: 'a'})")
    with pytest.raises(RuntimeError, match="boom"), store.unit_of_work() as writer:
        writer.run("MATCH (d:Database) DETACH DELETE d")
        writer.run("CREATE (:Process {id: 'p'})")
        assert writer.run("MATCH (n:Process) RETURN count(n) AS n") == [{"n": 1}]  # visible inside
        raise RuntimeError("boom")
    assert store.read("MATCH (n) RETURN labels(n)[0] AS label ORDER BY label") == [
        {"label": "Database"}, {"label": "Meta"}]
    assert store.graph_version() == 1
    assert not store._conn.exists(store.graph_name + STAGE_SUFFIX)


def test_a_statement_error_inside_a_unit_rolls_back_everything(store: FalkorStore) -> None:
    with pytest.raises(EngineError, match="rejected the statement"), store.unit_of_work() as writer:
        writer.run("CREATE (:Database {id: 'a'})")
        writer.run("CREATE (:Database {id: 'a'})")  # violates the uniqueness constraint
    assert node_count(store) == 0
    assert store.graph_version() == 0


def test_readers_see_the_last_committed_graph_during_a_unit(store: FalkorStore) -> None:
    with store.unit_of_work() as writer:
        writer.run("CREATE (:Database {id: 'a'})")
        assert node_count(store) == 0
    assert node_count(store) == 2  # the database and Meta


def test_writes_outside_the_writer_are_refused_inside_a_unit(store: FalkorStore) -> None:
    with store.unit_of_work():
        with pytest.raises(InvalidArgument, match="unit's writer"):
            store.write("CREATE (:Result {id: 'x'})")
        with pytest.raises(InvalidArgument, match="inside an open unit"), store.unit_of_work():
            pass


def test_reset_deletes_the_model_and_keeps_counting(store: FalkorStore) -> None:
    with store.unit_of_work() as writer:
        writer.run("UNWIND range(1, 50) AS i CREATE (:Process {id: toString(i)})")
    store.reset()
    assert store.read("MATCH (n) RETURN labels(n) AS labels") == [{"labels": ["Meta"]}]
    assert store.graph_version() == 2
    with pytest.raises(EngineError, match="unique"), store.unit_of_work() as writer:
        writer.run("UNWIND [1, 1] AS i CREATE (:Process {id: 'dup'})")  # constraints survive a reset


def test_schema_has_the_contract_indexes_and_constraints(store: FalkorStore) -> None:
    constraints = store._main.list_constraints()
    assert {c["label"] for c in constraints if c["type"] == "UNIQUE"} == set(q.UNIQUE_ID_LABELS)
    indexed = {(r["label"], p) for r in store.read("CALL db.indexes() YIELD label, properties "
                                                     "RETURN label, properties") for p in r["properties"]}
    assert {("Process", "name"), ("Process", "database"), ("Flow", "name"), ("Flow", "cas")} <= indexed
    store.ensure_schema()  # idempotent


def test_read_time_out(store: FalkorStore) -> None:
    with pytest.raises(EngineError, match="time-out"):
        store.read("UNWIND range(1, 4000) AS x UNWIND range(1, 4000) AS y WITH x, y WHERE x = y + 5000 "
                   "RETURN x", timeout_s=0.001)


def test_values_round_trip(store: FalkorStore) -> None:
    values: dict[str, Any] = {
        "text": "quote \" backslash \\ newline \n tab \t unicode é 中 🙂 $x {`y`}",
        "decimal": 0.18143695, "tiny": 1.2e-09, "huge": 6.02214076e23, "negative": -3.5,
        "integer": 12345678901234567, "flag": False, "list": ["a", "b"], "floats": [0.1, 2.5e-7],
        "none": None,
    }
    with store.unit_of_work() as writer:
        writer.run("CREATE (r:Result {id: 'v'}) SET r += $values", {"values": values})
    row = store.read("MATCH (r:Result {id: 'v'}) RETURN r.text AS text, r.decimal AS decimal, "
                     "r.tiny AS tiny, r.huge AS huge, r.negative AS negative, r.integer AS integer, "
                     "r.flag AS flag, r.list AS list, r.floats AS floats, r.none AS none")[0]
    assert row == values


def test_doubles_come_back_with_fifteen_significant_digits(store: FalkorStore) -> None:
    """FalkorDB stores doubles exactly but prints 15 digits in replies (documented limitation)."""
    third = 1 / 3
    with store.unit_of_work() as writer:
        writer.run("CREATE (:Result {id: 'x', v: $v})", {"v": third})
    back = store.read("MATCH (r:Result {id: 'x'}) RETURN r.v AS v, r.v = $v AS same", {"v": third})[0]
    assert back["same"] is True  # stored exactly
    assert math.isclose(back["v"], third, rel_tol=5e-15)


def test_nodes_relationships_and_paths_become_plain_data(store: FalkorStore) -> None:
    with store.unit_of_work() as writer:
        writer.run("CREATE (:Process {id: 'c'})-[:PROVIDER {amount: 2.0}]->(:Process {id: 'p'})")
    row = store.read("MATCH path = (c:Process {id: 'c'})-[l:PROVIDER]->(p) RETURN c, l, path")[0]
    assert row["c"] == {"labels": ["Process"], "properties": {"id": "c"}}
    assert row["l"] == {"type": "PROVIDER", "properties": {"amount": 2.0}}
    assert [n["properties"]["id"] for n in row["path"]["nodes"]] == ["c", "p"]
    assert row["path"]["relationships"][0]["type"] == "PROVIDER"


def test_a_second_process_waits_for_the_write_lock_then_reports_busy(embedded_dir: Path) -> None:
    first = open_embedded(embedded_dir)
    second = open_embedded(embedded_dir)
    try:
        second.lock.timeout_s = 0.2  # type: ignore[attr-defined]
        with first.unit_of_work() as writer:
            writer.run("CREATE (:Database {id: 'a'})")
            busy = r"another lcagraph process \(pid \d+\)"
            with pytest.raises(StoreBusy, match=busy), second.unit_of_work():
                pass
        with second.unit_of_work() as writer:  # free again
            writer.run("CREATE (:Database {id: 'b'})")
        assert first.graph_version() == 2
    finally:
        second.close()
        first.close()
