"""Tree expansion on the real embedded engine: a hand-solved system written with graph.writer
in three databases, with Result nodes holding the totals solved by hand (see test_tree.py for
the same system and its derivation: t_E = 301/60, t_S = 8.63)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from graph import queries as q
from graph.results import CategoryResults
from graph.results import write_results as write_category
from graph.store import GraphStore
from graph.tree import TreeRequest, expand_tree, identity_residual, walk
from graph.tree_source import StoreTreeSource, TreeCache
from graph.writer import write_database_content
from lcagraph.errors import NodeNotFound, StaleResult
from lcagraph.records import (
    CharacterisationFactor,
    Database,
    DatabaseContent,
    Exchange,
    Flow,
    ImpactCategory,
    ImpactMethod,
    Process,
    ProviderLink,
    Unlinked,
)

T_E, T_S = 301 / 60, 8.63
T_R = 0.3 + 2 * T_E + 0.5 * T_S - 0.5 * 0.08 + 0.01 * 0.1
DIRECT = {"R": 0.3, "E": 0.2, "S": 1.0, "W": 0.5, "W2": 0.4, "H": 0.08, "P": 0.1}
TOTAL = {"R": T_R, "E": T_E, "S": T_S, "W": 0.5, "W2": 0.4, "H": 0.08, "P": 0.1}
FLOWS = (
    *(
        Flow(f"f-{k}", f"product {k}", "waste" if k.startswith("w") else "product", "kg")
        for k in ("r", "e", "s", "w", "w2", "h", "p")
    ),
    Flow("co2", "Carbon dioxide", "elementary", "kg"),
    Flow("cut", "CUTOFF thing", "product", "kg"),
)


def _x(pid: str, n: int, flow: str, is_input: bool, amount: float, **kw: Any) -> Exchange:
    return Exchange(f"{pid}/{n}", pid, flow, is_input, amount, "kg", amount, **kw)


def _content(
    db: str,
    processes: list[tuple[str, float, bool]],
    exchanges: list[Exchange],
    links: list[tuple[str, str, int, float]],
    flows: tuple[Flow, ...] = (),
) -> DatabaseContent:
    return DatabaseContent(
        database=Database(db, f"database {db}"),
        flows=flows,
        processes=tuple(
            Process(
                pid,
                f"process {pid}",
                db,
                ref_flow=f"f-{pid.lower()}",
                ref_amount=ref,
                ref_unit="kg",
                ref_is_input=is_in,
            )
            for pid, ref, is_in in processes
        ),
        exchanges=tuple(exchanges),
        links=tuple(ProviderLink(c, p, "f-" + p.lower(), f"{c}/{n}", a, "default") for c, p, n, a in links),
        unlinked=tuple(Unlinked(x.process, x.flow, x.id, "cut-off") for x in exchanges if x.flow == "cut"),
    )


def write_hand_system(store: GraphStore) -> None:
    phi = {"allocation": 0.75}
    bg = _content(
        "bg",
        [("E", 1.0, False), ("S", 1.0, False), ("W", 1.0, True), ("W2", -1.0, False)],
        [
            _x("E", 0, "f-e", False, 1.0, is_reference=True),
            _x("E", 1, "f-e", True, 0.1),
            _x("E", 2, "f-s", True, 0.5),
            _x("E", 3, "co2", False, 0.2),
            _x("S", 0, "f-s", False, 1.0, is_reference=True),
            _x("S", 1, "f-e", True, 2.0, **phi),
            _x("S", 2, "f-w", False, 0.2, **phi),
            _x("S", 3, "f-w2", False, 0.1, **phi),
            _x("S", 4, "co2", False, 1 / 0.75, **phi),
            _x("W", 0, "f-w", True, 1.0, is_reference=True),
            _x("W", 1, "co2", False, 0.5),
            _x("W2", 0, "f-w2", False, -1.0, is_reference=True),
            _x("W2", 1, "co2", False, 0.4),
        ],
        [("E", "E", 1, 0.1), ("E", "S", 2, 0.5), ("S", "E", 1, 2.0), ("S", "W", 2, 0.2), ("S", "W2", 3, 0.1)],
        FLOWS,
    )
    db2 = _content(
        "db2",
        [("H", 1.0, False)],
        [_x("H", 0, "f-h", False, 1.0, is_reference=True), _x("H", 1, "co2", False, 0.08)],
        [],
    )
    fg = _content(
        "fg",
        [("R", 2.0, False), ("P", 1.0, False)],
        [
            _x("R", 0, "f-r", False, 2.0, is_reference=True),
            _x("R", 1, "f-e", True, 4.0),
            _x("R", 2, "f-s", True, 1.0),
            _x("R", 3, "f-p", True, 0.02),
            _x("R", 4, "f-h", True, 1.0, is_avoided=True),
            _x("R", 5, "co2", False, 0.6),
            _x("R", 6, "cut", True, 3.0),
            _x("P", 0, "f-p", False, 1.0, is_reference=True),
            _x("P", 1, "co2", False, 0.1),
        ],
        [("R", "E", 1, 4.0), ("R", "S", 2, 1.0), ("R", "P", 3, 0.02), ("R", "H", 4, 1.0)],
    )
    bg = replace(
        bg,
        methods=(ImpactMethod("m", "test method"),),
        categories=(ImpactCategory("gwp", "climate change", "m", "kg CO2-eq"),),
        factors=(CharacterisationFactor("gwp", "co2", 1.0),),
    )
    for content in (bg, db2, fg):
        with store.unit_of_work() as writer:
            write_database_content(writer, content)


def write_results(store: GraphStore, version: int, category: str = "gwp") -> None:
    write_category(store, CategoryResults(category, "m", "kg CO2-eq", version, 0.0, list(DIRECT),
                                          [DIRECT[p] for p in DIRECT], [TOTAL[p] for p in DIRECT]))


@pytest.fixture
def hand_store(store: GraphStore) -> GraphStore:
    write_hand_system(store)
    write_results(store, store.graph_version())
    return store


def test_store_tree_matches_hand_numbers_and_identity(hand_store: GraphStore) -> None:
    tree = expand_tree(StoreTreeSource(hand_store), TreeRequest("R", "gwp", depth=4, max_nodes=2000))
    root = tree.node
    assert root.unlinked_count == 1 and root.child_count == 4 and root.database == "fg"
    np.testing.assert_allclose([root.direct, root.total], [0.6, 2 * T_R], rtol=1e-14)
    kids = {c.process: c for c in root.children}
    np.testing.assert_allclose([kids[p].amount for p in "ESHP"], [4.0, 1.0, -1.0, 0.02], rtol=1e-14)
    assert kids["E"].crosses_database and kids["H"].crosses_database and not kids["P"].crosses_database
    for n in walk(root):
        assert identity_residual(n) <= 1e-12 * max(1.0, abs(n.total)), n.path
    waste = {c.process: c for c in kids["S"].children}
    np.testing.assert_allclose([waste["W"].amount, waste["W2"].amount], [0.15, 0.075], rtol=1e-14)
    np.testing.assert_allclose([waste["W"].total, waste["W2"].total], [0.075, 0.03], rtol=1e-14)


def test_cache_serves_a_second_request_and_drops_on_new_version(hand_store: GraphStore) -> None:
    cache = TreeCache()
    req = TreeRequest("R", "gwp", depth=2)
    first = expand_tree(StoreTreeSource(hand_store, cache), req)
    assert cache.infos and cache.supplies and cache.results
    again = expand_tree(StoreTreeSource(hand_store, cache), req)
    assert [n.total for n in walk(again.node)] == [n.total for n in walk(first.node)]
    with hand_store.unit_of_work() as writer:
        writer.run(q.GRAPH_VERSION)
    with pytest.raises(StaleResult, match="graph version"):
        expand_tree(StoreTreeSource(hand_store, cache), req)


def test_missing_path_and_process(hand_store: GraphStore) -> None:
    source = StoreTreeSource(hand_store)
    with pytest.raises(NodeNotFound, match="does not supply"):
        expand_tree(source, TreeRequest("R", "gwp", path=("R", "W")))
    with pytest.raises(NodeNotFound, match="nope"):
        expand_tree(source, TreeRequest("nope", "gwp"))
    with pytest.raises(StaleResult, match="no cached result"):
        expand_tree(source, TreeRequest("R", "other-category"))
