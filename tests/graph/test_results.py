"""The result cache on the real embedded engine: one Result per process, its categories' numbers
as lists, written in batches, read back, kept unique under rewrites, merged when one category or
a subset is recalculated, readable by Cypher, and stale once the graph version moves."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from graph import queries as q
from graph.results import CategoryResults, read_results, result_coverage, write_results
from graph.store import GraphStore
from graph.tree_source import StoreTreeSource
from graph.writer import write_database_content
from lcagraph.errors import InvalidArgument
from lcagraph.records import DatabaseContent

PROCESSES = ("steel", "power", "power2", "landfill", "bike")


@pytest.fixture
def sample(store: GraphStore, make_content: Callable[..., DatabaseContent]) -> GraphStore:
    """The store holding the sample database (its processes are PROCESSES)."""
    with store.unit_of_work() as writer:
        write_database_content(writer, make_content())
    return store


def _results(version: int, scale: float = 1.0, category: str = "gwp") -> CategoryResults:
    return CategoryResults(
        category=category, method="ipcc", unit="kg CO2-eq", graph_version=version, residual=1e-15,
        process_ids=PROCESSES, direct=[scale * i for i in range(5)],
        total=[scale * (i + 0.5) for i in range(5)],
    )


def test_write_read_and_rewrite(sample: GraphStore) -> None:
    store = sample
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
                        "RETURN r.id AS id, r.categories AS categories, r.total AS total")
    assert cypher == [{"id": "steel", "categories": ["gwp"], "total": [1.0]}]
    assert result_coverage(store, "gwp").complete and not result_coverage(store, "other").complete


def test_results_go_stale_when_the_version_moves(sample: GraphStore) -> None:
    store = sample
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
    sample: GraphStore, make_content: Callable[..., DatabaseContent],
) -> None:
    store = sample
    write_results(store, _results(store.graph_version()))
    with store.unit_of_work() as writer:
        write_database_content(writer, make_content())
    assert store.read("MATCH (r:Result) RETURN count(r) AS n") == [{"n": 0}]


def test_a_batch_partly_new_overwrites_the_old_and_adds_only_the_missing(sample: GraphStore) -> None:
    store = sample
    version = store.graph_version()
    first = _results(version)
    write_results(store, CategoryResults(first.category, first.method, first.unit, version, first.residual,
                                         PROCESSES[:3], first.direct[:3], first.total[:3]))
    store.write("MATCH (r:Result {id: 'power'}) SET r.marker = 'kept'")
    write_results(store, _results(version, scale=3.0), batch_size=5)  # one batch: 3 old, 2 new
    got = read_results(store, list(PROCESSES), "gwp")
    assert {pid: (r.direct, r.total) for pid, r in got.items()} == {
        pid: (3.0 * i, 3.0 * (i + 0.5)) for i, pid in enumerate(PROCESSES)}
    assert store.read("MATCH (r:Result) RETURN count(r) AS n") == [{"n": 5}]
    assert store.read("MATCH (:Process)-[h:HAS_RESULT]->(:Result) RETURN count(h) AS n") == [{"n": 5}]
    # the old node was updated, not replaced: its other properties are still there
    assert store.read("MATCH (r:Result {id: 'power'}) RETURN r.marker AS m") == [{"m": "kept"}]


LAYOUT = ["gwp", "acid", "eutro"]


def _numbers(store: GraphStore, category: str) -> dict[str, tuple[float, float, int]]:
    return {pid: (r.direct, r.total, r.graph_version) for pid, r in read_results(store, list(PROCESSES),
                                                                                   category).items()}


def test_every_category_then_one_at_its_place_then_a_subset_merged(sample: GraphStore) -> None:
    store = sample
    v = store.graph_version()
    every = [_results(v, scale=k + 1.0, category=c) for k, c in enumerate(LAYOUT)]
    assert write_results(store, every, batch_size=2, layout=LAYOUT) == 15
    assert store.read("MATCH (r:Result {id: 'bike'}) RETURN r.categories AS c, r.total AS t") == [
        {"c": LAYOUT, "t": [4.5, 9.0, 13.5]}]
    # one category again (at a later version): its place changes, the others keep number and version
    assert write_results(store, _results(v + 7, scale=10.0, category="acid"), layout=LAYOUT) == 5
    assert _numbers(store, "acid")["bike"] == (40.0, 45.0, v + 7)
    assert _numbers(store, "gwp")["bike"] == (4.0, 4.5, v)
    assert _numbers(store, "eutro")["bike"] == (12.0, 13.5, v)
    # a subset in another order, with a new category: the old places stay, the new one is appended
    subset = [_results(v + 8, scale=-1.0, category="new"), _results(v + 8, scale=-2.0, category="eutro")]
    assert write_results(store, subset, layout=[*LAYOUT, "new"]) == 10
    assert store.read("MATCH (r:Result {id: 'bike'}) RETURN r.categories AS c, r.graph_version AS v") == [
        {"c": [*LAYOUT, "new"], "v": [v, v + 7, v + 8, v + 8]}]
    assert _numbers(store, "new")["steel"] == (-0.0, -0.5, v + 8)
    assert _numbers(store, "eutro")["power"] == (-2.0, -3.0, v + 8)
    assert _numbers(store, "gwp")["power"] == (1.0, 1.5, v)
    coverage = {c: result_coverage(store, c, version=v).fresh for c in [*LAYOUT, "new"]}
    assert coverage == {"gwp": 5, "acid": 0, "eutro": 0, "new": 0}
    # every category again puts them back in the layout's order
    write_results(store, [_results(v, category=c) for c in ["new", *LAYOUT]], layout=["new", *LAYOUT])
    assert store.read("MATCH (r:Result {id: 'bike'}) RETURN r.categories AS c") == [{"c": ["new", *LAYOUT]}]
    assert store.read("MATCH (r:Result) RETURN count(r) AS n") == [{"n": 5}]


def test_one_category_into_results_of_another_layout_is_merged(sample: GraphStore) -> None:
    store = sample
    v = store.graph_version()
    pair = [_results(v, category="eutro"), _results(v, category="gwp")]
    write_results(store, pair, layout=["eutro", "gwp"])
    # layout says gwp is at place 0; these Results have it at place 1 (and 'bike' has none yet)
    store.write("MATCH (r:Result {id: 'bike'}) DETACH DELETE r")
    write_results(store, _results(v + 1, scale=5.0), layout=LAYOUT)
    assert _numbers(store, "gwp")["steel"] == (0.0, 2.5, v + 1) and _numbers(store, "gwp")["bike"][2] == v + 1
    assert _numbers(store, "eutro")["steel"] == (0.0, 0.5, v)


def test_results_of_the_one_node_per_category_layout_are_dropped(sample: GraphStore) -> None:
    store = sample
    store.write("MATCH (p:Process {id: 'steel'}) CREATE (p)-[:HAS_RESULT]->"
                "(:Result {id: 'steel|gwp', process: 'steel', category: 'gwp', total: 9.0})")
    write_results(store, _results(store.graph_version()))
    assert store.read("MATCH (:Process {id: 'steel'})-[:HAS_RESULT]->(r:Result) RETURN r.id AS id") == [
        {"id": "steel"}]


def test_the_documented_cypher_finds_one_category(sample: GraphStore) -> None:
    store = sample
    v = store.graph_version()
    every = [_results(v, scale=k + 1.0, category=c) for k, c in enumerate(LAYOUT)]
    write_results(store, every, layout=LAYOUT)
    rows = store.read(
        "MATCH (p:Process)-[:HAS_RESULT]->(r:Result)\n"
        "UNWIND range(0, size(r.categories) - 1) AS i\n"
        "WITH p, r, i WHERE r.categories[i] = $category\n"
        "RETURN p.id AS process, r.total[i] AS total ORDER BY total DESC LIMIT 2", {"category": "acid"})
    assert rows == [{"process": "bike", "total": 9.0}, {"process": "landfill", "total": 7.0}]


def test_categories_of_other_processes_in_one_write_back_are_refused(sample: GraphStore) -> None:
    short = CategoryResults("acid", "ipcc", "kg", 1, 0.0, PROCESSES[:2], [1.0, 2.0], [1.0, 2.0])
    with pytest.raises(InvalidArgument, match="same processes"):
        write_results(sample, [_results(1), short])
    assert sample.read("MATCH (r:Result) RETURN count(r) AS n") == [{"n": 0}]
