"""Matrix snapshots of graph versions on the real embedded engine (the hand system of
tests/graph/test_technosphere.py): a cold cache reads the snapshot instead of the graph, gets the
same matrices and writes the same results; a snapshot of another version or of another graph
(uid) is ignored and replaced."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from api.services.calculation import calculate
from api.services.footprint import footprint
from api.services.matrices import CalculationCache, load_snapshot, snapshot_path
from graph import queries as q
from graph.results import read_results
from graph.snapshot_location import GraphIdentity, read_identity, snapshot_folder
from graph.store import GraphStore
from lcagraph.errors import ConfigurationError
from tests.shared_cases import technosphere_hand

HAND = technosphere_hand()
GWP = "gwp"


@pytest.fixture
def hand(store: GraphStore) -> GraphStore:
    HAND.write_hand_system(store)
    return store


def _totals(store: GraphStore) -> dict[str, tuple[float, float]]:
    got = read_results(store, list(HAND.HAND_TOTALS), GWP)
    return {pid: (r.direct, r.total) for pid, r in got.items()}


def test_cold_calculation_reads_the_snapshot_and_writes_identical_results(hand: GraphStore) -> None:
    identity = read_identity(hand)
    assert identity.version == 2 and len(identity.uid) == 32
    first = calculate(hand, cache=CalculationCache())
    assert first.matrices_from == "graph" and snapshot_path(hand, identity).is_file()
    from_graph = _totals(hand)
    hand.write(q.DELETE_RESULTS)
    cold = CalculationCache()
    again = calculate(hand, cache=cold)
    assert again.matrices_from == "snapshot" and again.graph_version == 2
    assert _totals(hand) == from_graph  # bit for bit
    for pid, total in HAND.HAND_TOTALS.items():
        assert abs(from_graph[pid][1] - total) <= 1e-13 * abs(total), pid
    assert calculate(hand, cache=cold).matrices_from == "memory"
    unsnapped = calculate(hand, cache=CalculationCache(snapshots=False))
    assert unsnapped.matrices_from == "graph" and _totals(hand) == from_graph


def test_matrices_from_the_snapshot_equal_those_from_the_graph(hand: GraphStore) -> None:
    from_graph = CalculationCache(snapshots=False).load(hand).system
    CalculationCache().load(hand)
    loaded = CalculationCache().load(hand)
    assert loaded.source == "snapshot" and loaded.databases == ("bg", "bg", "bg", "fg", "fg")
    system = loaded.system
    assert system.process_ids == from_graph.process_ids and system.flow_ids == from_graph.flow_ids
    for name in ("A", "B", "C"):
        assert (getattr(system, name) != getattr(from_graph, name)).nnz == 0, name
    assert loaded.meta.methods[GWP] == "m" and loaded.meta.units[GWP] == "kg CO2-eq"
    fresh = footprint(hand, "steel", method=GWP, cache=CalculationCache())
    assert abs(fresh.total - HAND.HAND_TOTALS["steel"]) <= 1e-13 * HAND.HAND_TOTALS["steel"]


def test_a_stale_snapshot_is_ignored_and_replaced(hand: GraphStore) -> None:
    old = read_identity(hand)
    CalculationCache().load(hand)
    with hand.unit_of_work() as writer:  # any committed change of the graph
        writer.run("MATCH (:Process {id: 'power'})-[x:OUTPUT]->(:Flow {id: 'co2'}) DELETE x")
    new = read_identity(hand)
    assert new == GraphIdentity(old.version + 1, old.uid)
    assert load_snapshot(hand, new) is None
    # the old file under the new version's name: its header still says the old version
    shutil.copy(snapshot_path(hand, old), snapshot_path(hand, new))
    assert load_snapshot(hand, new) is None
    snapshot_path(hand, new).unlink()
    loaded = CalculationCache().load(hand)
    assert loaded.source == "graph" and loaded.graph_version == new.version
    assert sorted(p.name for p in snapshot_folder(hand).glob("*.npz")) == [snapshot_path(hand, new).name]
    report = calculate(hand, [GWP], cache=CalculationCache())
    assert report.matrices_from == "snapshot"
    power = read_results(hand, ["power"], GWP)["power"]
    assert power.graph_version == new.version and power.direct == 0.0


def test_a_snapshot_of_another_graph_is_ignored(hand: GraphStore) -> None:
    identity = read_identity(hand)
    CalculationCache().load(hand)
    assert load_snapshot(hand, identity) is not None
    assert load_snapshot(hand, GraphIdentity(identity.version, "0" * 32)) is None
    snapshot_path(hand, identity).write_bytes(b"not a snapshot")
    loaded = CalculationCache().load(hand)
    assert loaded.source == "graph"
    assert np.isfinite(loaded.system.A.data).all() and load_snapshot(hand, identity) is not None


def test_an_unwritable_snapshot_folder_is_a_clear_error(hand: GraphStore) -> None:
    folder = snapshot_folder(hand)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("a file where the folder should be")
    try:
        with pytest.raises(ConfigurationError, match="cannot write the matrix snapshot"):
            CalculationCache().load(hand)
        assert CalculationCache(snapshots=False).load(hand).source == "graph"
    finally:
        folder.unlink()
