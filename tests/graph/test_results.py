"""The result cache on the real embedded engine: Result nodes written in batches, read back, kept
unique under rewrites, readable by Cypher, and stale once the graph version moves."""

from __future__ import annotations

from collections.abc import Callable

from graph import queries as q
from graph.results import CategoryResults, read_results, result_coverage, write_results
from graph.store import GraphStore
from graph.tree_source import StoreTreeSource
from graph.writer import write_database_content
from lcagraph.records import DatabaseContent

PROCESSES = ("steel", "power", "power2", "landfill", "bike")


def _results(version: int, scale: float = 1.0, category: str = "gwp") -> CategoryResults:
    return CategoryResults(
        category=category, method="ipcc", unit="kg CO2-eq", graph_version=version, residual=1e-15,
        process_ids=PROCESSES, direct=[scale * i for i in range(5)],
        total=[scale * (i + 0.5) for i in range(5)],
    )


def test_write_read_and_rewrite(store: GraphStore, make_content: Callable[..., DatabaseContent]) -> None:
    with store.unit_of_work() as writer:
        write_database_content(writer, make_content())
    version = store.graph_version()
    assert result_coverage(store, "gwp").fresh == 0
    assert write_results(store, _results(version), batch_size=2) == 5
    got = read_results(store, ["power", "bike", "nope"], "gwp")
    assert set(got) == {"power", "bike"}
    assert (got["power"].direct, got["power"].total, got["power"].graph_version) == (1.0, 1.5, version)
    assert (got["power"].method, got["power"].unit, got["power"].residual) == ("ipcc", "kg CO2-eq", 1e-15)
    write_results(store, _results(version, scale=2.0))  # overwrite in place: still one node per id
    assert store.read("MATCH (r:Result) RETURN count(r) AS n") == [{"n": 5}]
    assert store.read("MATCH (:Process)-[h:HAS_RESULT]->(:Result) RETURN count(h) AS n") == [{"n": 5}]
    assert read_results(store, ["power"], "gwp")["power"].total == 3.0
    cypher = store.read("MATCH (p:Process {id: 'steel'})-[:HAS_RESULT]->(r:Result) "
                        "RETURN r.id AS id, r.category AS category, r.total AS total")
    assert cypher == [{"id": "steel|gwp", "category": "gwp", "total": 1.0}]
    assert result_coverage(store, "gwp").complete and not result_coverage(store, "other").complete


def test_results_go_stale_when_the_version_moves(
    store: GraphStore, make_content: Callable[..., DatabaseContent],
) -> None:
    with store.unit_of_work() as writer:
        write_database_content(writer, make_content())
    write_results(store, _results(store.graph_version()))
    assert store.graph_version() == 1  # cache writes do not bump the version
    with store.unit_of_work() as writer:
        writer.run(q.GRAPH_VERSION)
    coverage = result_coverage(store, "gwp")
    assert (coverage.processes, coverage.fresh, coverage.complete) == (5, 0, False)
    assert result_coverage(store, "gwp", version=1).complete
    # the tree reads the same nodes (graph/tree_source.py) and sees the old version
    seen = StoreTreeSource(store).intensities(["steel"], "gwp")
    assert seen["steel"].graph_version == 1 and seen["steel"].total == 0.5


def test_results_of_a_replaced_database_are_deleted(
    store: GraphStore, make_content: Callable[..., DatabaseContent],
) -> None:
    with store.unit_of_work() as writer:
        write_database_content(writer, make_content())
    write_results(store, _results(store.graph_version()))
    with store.unit_of_work() as writer:
        write_database_content(writer, make_content())
    assert store.read("MATCH (r:Result) RETURN count(r) AS n") == [{"n": 0}]


def test_a_batch_partly_new_overwrites_the_old_and_adds_only_the_missing(
    store: GraphStore, make_content: Callable[..., DatabaseContent],
) -> None:
    with store.unit_of_work() as writer:
        write_database_content(writer, make_content())
    version = store.graph_version()
    first = _results(version)
    write_results(store, CategoryResults(first.category, first.method, first.unit, version, first.residual,
                                         PROCESSES[:3], first.direct[:3], first.total[:3]))
    store.write("MATCH (r:Result {id: 'power|gwp'}) SET r.marker = 'kept'")
    write_results(store, _results(version, scale=3.0), batch_size=5)  # one batch: 3 old, 2 new
    got = read_results(store, list(PROCESSES), "gwp")
    assert {pid: (r.direct, r.total) for pid, r in got.items()} == {
        pid: (3.0 * i, 3.0 * (i + 0.5)) for i, pid in enumerate(PROCESSES)}
    assert store.read("MATCH (r:Result) RETURN count(r) AS n") == [{"n": 5}]
    assert store.read("MATCH (:Process)-[h:HAS_RESULT]->(:Result) RETURN count(h) AS n") == [{"n": 5}]
    # the old node was updated, not replaced: its other properties are still there
    assert store.read("MATCH (r:Result {id: 'power|gwp'}) RETURN r.marker AS m") == [{"m": "kept"}]
