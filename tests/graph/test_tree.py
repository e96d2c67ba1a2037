"""Tree expansion on a hand-solved system (pure: an in-memory source, no engine).

System (per reference amount as given; d = direct kg CO2-eq per unit of reference product):
  R (fg, ref 2 kg):  inputs 4 MJ E, 1 kg S, 0.02 kg P; avoided product 1 MJ heat H; d_R = 0.3
  E (bg, ref 1 MJ):  inputs 0.1 MJ E (self loop, losses), 0.5 kg S; d_E = 0.2
  S (bg, ref 1 kg, allocation φ = 0.75): input 2 MJ E; waste outputs 0.2 kg to W, 0.1 kg to W2; d_S = 1
  W (bg, treatment, reference = waste input 1 kg): d_W = 0.5
  W2 (bg, treatment as in ecoinvent, reference = output of -1 kg): d_W2 = 0.4
  H (db2, ref 1 MJ): d_H = 0.08        P (fg, ref 1 kg): d_P = 0.1
By hand: t_S = 1 + 1.5 t_E + 0.15·0.5 + 0.075·0.4 = 1.105 + 1.5 t_E;  t_E = 0.2 + 0.1 t_E + 0.5 t_S
=> 0.15 t_E = 0.7525, t_E = 301/60, t_S = 8.63;  t_R = 0.3 + 2 t_E + 0.5 t_S - 0.5 t_H + 0.01 t_P.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
import scipy.sparse.linalg as spla

from graph.tree import (
    Intensity,
    NodeInfo,
    Supply,
    Tree,
    TreeRequest,
    demand_per_unit,
    expand_tree,
    identity_residual,
    walk,
)
from lcagraph.errors import InvalidArgument, NodeNotFound, StaleResult
from solver.matrices import ElementaryTable, FactorTable, LinkTable, ProcessTable, build_system

T_E = 301 / 60
T_S = 8.63
T_R = 0.3 + 2 * T_E + 0.5 * T_S - 0.5 * 0.08 + 0.01 * 0.1
ORDER = ["R", "E", "S", "W", "W2", "H", "P"]
DIRECT = {"R": 0.3, "E": 0.2, "S": 1.0, "W": 0.5, "W2": 0.4, "H": 0.08, "P": 0.1}
TOTAL = {"R": T_R, "E": T_E, "S": T_S, "W": 0.5, "W2": 0.4, "H": 0.08, "P": 0.1}
PHI = {"S": 0.75}
INFOS = {
    "R": NodeInfo("R", "root product", "fg", 2.0, "kg", providers=4, unlinked=1),
    "E": NodeInfo("E", "electricity", "bg", 1.0, "MJ", providers=2),
    "S": NodeInfo("S", "steel", "bg", 1.0, "kg", providers=3),
    "W": NodeInfo("W", "waste treatment", "bg", 1.0, "kg", ref_is_input=True),
    "W2": NodeInfo("W2", "waste treatment, ecoinvent style", "bg", -1.0, "kg"),
    "H": NodeInfo("H", "heat", "db2", 1.0, "MJ"),
    "P": NodeInfo("P", "packaging", "fg", 1.0, "kg"),
}
SUPPLIES = {
    "R": [
        Supply("R", "E", 4.0),
        Supply("R", "S", 1.0),
        Supply("R", "P", 0.02),
        Supply("R", "H", 1.0, is_input=True, avoided=True),
    ],
    "E": [Supply("E", "E", 0.1), Supply("E", "S", 0.5)],
    "S": [
        Supply("S", "E", 2.0, allocation=0.75),
        Supply("S", "W", 0.2, is_input=False, allocation=0.75),
        Supply("S", "W2", 0.1, is_input=False, allocation=0.75),
    ],
}


class DictSource:
    """In-memory TreeSource over the hand system; counts reads to check batching."""

    def __init__(self, version: int = 7, result_version: int = 7, missing: str = "") -> None:
        self.version, self.result_version, self.missing = version, result_version, missing
        self.reads = 0

    def graph_version(self) -> int:
        return self.version

    def processes(self, ids: Sequence[str]) -> dict[str, NodeInfo]:
        self.reads += 1
        return {i: INFOS[i] for i in ids if i in INFOS}

    def supplies(self, ids: Sequence[str]) -> dict[str, list[Supply]]:
        self.reads += 1
        return {i: SUPPLIES[i] for i in ids if i in SUPPLIES}

    def intensities(self, ids: Sequence[str], category: str) -> dict[str, Intensity]:
        self.reads += 1
        return {
            i: Intensity(i, DIRECT[i], TOTAL[i], self.result_version)
            for i in ids
            if i in TOTAL and i != self.missing
        }


def expand(**kw: object) -> Tree:
    return expand_tree(DictSource(), TreeRequest(process="R", category="gwp", **kw))  # type: ignore[arg-type]


def test_hand_totals_solve_the_solvers_transposed_system() -> None:
    """Build A, B, C with solver/matrices.py and solve A^T λ = (CB)^T: t = σλ, d = CB/|r|."""
    links = [(e, k) for k, edges in SUPPLIES.items() for e in edges]
    system = build_system(
        ProcessTable(
            ORDER,
            [INFOS[k].ref_amount for k in ORDER],
            [INFOS[k].ref_is_input for k in ORDER],
            [PHI.get(k, 1.0) for k in ORDER],
        ),
        LinkTable(
            [k for _, k in links],
            [e.provider for e, _ in links],
            [e.amount for e, _ in links],
            [e.is_input for e, _ in links],
            [e.avoided for e, _ in links],
        ),
        ElementaryTable(
            ORDER,
            ["co2"] * len(ORDER),
            [DIRECT[k] * abs(INFOS[k].ref_amount) / PHI.get(k, 1.0) for k in ORDER],
            [False] * len(ORDER),
        ),
        FactorTable(["gwp"], ["co2"], [1.0]),
    )
    scores = (system.C @ system.B).toarray().ravel()
    lam = spla.spsolve(system.A.T.tocsc(), scores)
    np.testing.assert_allclose(system.orientation * lam, [TOTAL[k] for k in ORDER], rtol=1e-13)
    np.testing.assert_allclose(
        scores / np.abs(system.reference_amounts), [DIRECT[k] for k in ORDER], rtol=1e-14
    )


def test_root_level_numbers_and_order() -> None:
    tree = expand()
    root = tree.node
    assert root.amount == 2.0 and root.unit == "kg" and root.unlinked_count == 1
    np.testing.assert_allclose([root.direct, root.total], [0.6, 2 * T_R], rtol=1e-14)
    assert [c.process for c in root.children] == ["E", "S", "H", "P"]
    got = [(c.amount, c.total) for c in root.children]
    np.testing.assert_allclose(got, [(4.0, 4 * T_E), (1.0, T_S), (-1.0, -0.08), (0.02, 0.002)], rtol=1e-14)
    assert root.children[0].share == pytest.approx(4 * T_E / (2 * T_R), rel=1e-14)
    assert identity_residual(root) < 1e-12 * abs(root.total)


def test_identity_holds_at_every_node_including_loops() -> None:
    tree = expand(depth=5, max_nodes=2000)
    expanded = [n for n in walk(tree.node) if n.expanded]
    assert len(expanded) > 6
    for n in expanded:
        assert identity_residual(n) <= 1e-12 * max(1.0, abs(n.total)), n.path
    loops = [n for n in walk(tree.node) if n.loop]
    assert loops and all(not n.children for n in loops)
    assert ("R", "E", "E") in {n.path for n in loops}


def test_path_expands_a_deep_node_with_carried_amounts() -> None:
    tree = expand(path=("R", "S", "E"), depth=1)
    node = tree.node
    assert node.path == ("R", "S", "E") and not node.crosses_database
    np.testing.assert_allclose([node.amount, node.total], [1.5, 1.5 * T_E], rtol=1e-14)
    assert node.share == pytest.approx(1.5 * T_E / (2 * T_R), rel=1e-14)
    assert [c.path for c in node.children] == [("R", "S", "E", "S"), ("R", "S", "E", "E")]
    assert all(c.loop for c in node.children)
    assert identity_residual(node) < 1e-12 * node.total


def test_waste_and_avoided_signs() -> None:
    waste = expand(path=("R", "S", "W"), depth=0).node
    assert waste.amount == pytest.approx(0.15) and waste.total == pytest.approx(0.075)
    waste = expand(path=("R", "S", "W2"), depth=0).node
    assert waste.amount == pytest.approx(0.075) and waste.total == pytest.approx(0.03)
    credit = expand(path=("R", "H"), depth=0).node
    assert credit.amount == -1.0 and credit.total == pytest.approx(-0.08) and credit.crosses_database


def test_cutoff_merges_small_children_into_an_exact_rest() -> None:
    tree = expand(cutoff=0.01)
    kids = tree.node.children
    assert [c.process for c in kids] == ["E", "S", None]
    rest = kids[-1]
    assert rest.rest_count == 2 and rest.total == pytest.approx(-0.08 + 0.002, rel=1e-14)
    assert identity_residual(tree.node) < 1e-12 * tree.node.total


def test_database_borders_are_marked() -> None:
    kids = {c.process: c for c in expand().node.children}
    assert kids["E"].crosses_database and kids["H"].crosses_database and not kids["P"].crosses_database
    assert not expand().node.crosses_database


def test_max_nodes_stops_unfolding_without_breaking_exactness() -> None:
    tree = expand(depth=3, max_nodes=3)
    assert tree.truncated and tree.node.truncated and not tree.node.children
    tree = expand(depth=3, max_nodes=8)
    assert tree.truncated and tree.node_count <= 8
    for n in walk(tree.node):
        assert identity_residual(n) < 1e-12 * max(1.0, abs(n.total))


def test_reads_are_batched_per_level() -> None:
    source = DictSource()
    expand_tree(source, TreeRequest(process="R", category="gwp", depth=3, max_nodes=2000))
    assert source.reads <= 2 + 3 * 3


@pytest.mark.parametrize(
    ("kw", "error"),
    [
        ({"path": ("R", "W")}, NodeNotFound),
        ({"path": ("R", "X")}, NodeNotFound),
        ({"path": ("E", "S")}, InvalidArgument),
        ({"depth": 99}, InvalidArgument),
        ({"cutoff": 1.5}, InvalidArgument),
        ({"max_nodes": 0}, InvalidArgument),
        ({"amount": float("nan")}, InvalidArgument),
    ],
)
def test_bad_requests_are_refused(kw: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        expand(**kw)


def test_stale_or_missing_results_are_refused() -> None:
    with pytest.raises(StaleResult, match="version 6"):
        expand_tree(DictSource(result_version=6), TreeRequest(process="R", category="gwp"))
    with pytest.raises(StaleResult, match="calculate"):
        expand_tree(DictSource(missing="S"), TreeRequest(process="R", category="gwp"))


def test_duplicate_edges_to_one_provider_are_summed() -> None:
    edges = [
        Supply("K", "A", 2.0),
        Supply("K", "A", 1.0, allocation=0.5),
        Supply("K", "B", 3.0, avoided=True),
    ]
    infos = {k: NodeInfo(k, k, "db", 1.0, "kg") for k in "AB"}
    assert demand_per_unit(edges, NodeInfo("K", "K", "db", 2.0, "kg"), infos) == {"A": 1.25, "B": -1.5}
