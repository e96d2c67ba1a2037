"""Unfold a footprint one layer at a time: the upstream (supply) tree of a process.

Conventions are those of ``solver/matrices.py``: ``A[j, j] = r_j`` (negative for a waste
treatment, σ_j = sign r_j), link entries ``L[i, j] = φ_j · (-a | +a)`` for input | output
exchanges, and the opposite of a plain exchange with provider i for an avoided one. With the
cached per-unit intensities t_j = σ_j λ_j (``A^T λ = (CB)^T``) and d_j = (CB)_j / |r_j|, row j of
the transposed system reads

    t_j = d_j + Σ_i m_ji t_i,      m_ji = -σ_i Σ_e L_e[i, j] / |r_j|

so for a node = process j with amount x (in j's reference unit; kg treated for a treatment)::

    direct = x · d_j      total = x · t_j      child i: amount = x · m_ji, total = amount · t_i

Nodes show x in the dataset's own reference unit (x · own_j / r_j, e.g. 1 kWh for 3.6 MJ) and keep
x as ``amount_ref``; a requested root amount is in that own unit too.

and ``total = direct + Σ children totals`` holds at every expanded node, also in loops (a
process already on its path is marked ``loop`` and not unfolded further unless asked for by
path). m_ji is positive for product inputs and waste outputs (both demand their provider) and
negative for avoided products and avoided waste (credits). Unlinked inputs (cut-offs)
contribute nothing; nodes report how many they have.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from graph.browse import storable_id
from graph.tree_records import (
    MAX_AMOUNT,
    MAX_DEPTH,
    MAX_NODES,
    Intensity,
    NodeInfo,
    Supply,
    Tree,
    TreeNode,
    TreeRequest,
    TreeSource,
    demand_per_unit,
    identity_residual,
    link_entry,
    walk,
)
from lcagraph.errors import InvalidArgument, NodeNotFound, StaleResult, process_not_found

__all__ = [
    "Intensity",
    "NodeInfo",
    "Supply",
    "Tree",
    "TreeNode",
    "TreeRequest",
    "TreeSource",
    "demand_per_unit",
    "expand_tree",
    "identity_residual",
    "link_entry",
    "merge_rest",
    "validate_request",
    "walk",
]


def validate_request(req: TreeRequest) -> None:
    """Refuse out-of-range arguments with a message that says the allowed range."""
    if not 0 <= req.depth <= MAX_DEPTH:
        raise InvalidArgument(f"depth={req.depth} is out of range: use 0 to {MAX_DEPTH}")
    if not 1 <= req.max_nodes <= MAX_NODES:
        raise InvalidArgument(f"maxNodes={req.max_nodes} is out of range: use 1 to {MAX_NODES}")
    if not (math.isfinite(req.cutoff) and 0.0 <= req.cutoff < 1.0):
        raise InvalidArgument(f"cutoff={req.cutoff} is out of range: give a share of the root total, 0 to <1")
    if req.amount is not None and not math.isfinite(req.amount):
        raise InvalidArgument(f"amount={req.amount} is not a finite number")
    if req.amount is not None and abs(req.amount) > MAX_AMOUNT:
        raise InvalidArgument(
            f"amount={req.amount} is out of range: give a number of at most {MAX_AMOUNT:g} "
            "(in the reference unit)"
        )
    unknown = next((pid for pid in (req.process, *req.path) if not storable_id(pid)), None)
    if unknown is not None:
        raise NodeNotFound(f"process {unknown!r} is not in the graph (ids hold no control characters)")
    if req.path and req.path[0] != req.process:
        raise InvalidArgument(
            f"path starts at {req.path[0]!r} but processId is {req.process!r}: a path runs from the root"
        )


def merge_rest(children: list[TreeNode], threshold: float, parent: TreeNode) -> list[TreeNode]:
    """Sort by |total| and merge those below ``threshold`` (two or more) into one exact "rest" child."""
    ordered = sorted(children, key=lambda n: (-abs(n.total), n.name))
    small = [n for n in ordered if abs(n.total) < threshold]
    if len(small) < 2:
        return ordered
    total = math.fsum(n.total for n in small)
    rest = TreeNode(
        path=parent.path,
        process=None,
        name=f"rest ({len(small)} processes below the cutoff)",
        database=None,
        amount=None,
        unit=None,
        direct=total,
        total=total,
        rest_count=len(small),
    )
    return [n for n in ordered if abs(n.total) >= threshold] + [rest]


def _share(total: float, root_total: float) -> float | None:
    return total / root_total if root_total != 0 else None


def _node(
    path: tuple[str, ...],
    amount: float,
    info: NodeInfo,
    ints: Intensity,
    parent_db: str | None,
    root_total: float,
) -> TreeNode:
    """``amount`` in the flow's reference unit; the node shows it in the dataset's own unit."""
    total = amount * ints.total
    return TreeNode(
        path=path,
        process=info.id,
        name=info.name,
        database=info.database,
        amount=info.shown(amount),
        unit=info.unit,
        amount_ref=amount,
        direct=amount * ints.direct,
        total=total,
        share=_share(total, root_total),
        crosses_database=parent_db is not None and parent_db != info.database,
        loop=info.id in path[:-1],
        child_count=info.providers,
        unlinked_count=info.unlinked,
    )


class _Expansion:
    """State of one expansion: the source, the caches of this request and the node budget."""

    def __init__(self, source: TreeSource, req: TreeRequest) -> None:
        self.source = source
        self.req = req
        self.version = source.graph_version()
        self.infos: dict[str, NodeInfo] = {}
        self.ints: dict[str, Intensity] = {}
        self.count = 1
        self.truncated = False

    def load(self, ids: Iterable[str]) -> None:
        """Read node info and fresh intensities for ids not yet known; missing ones raise."""
        new = sorted(set(ids) - self.infos.keys())
        if not new:
            return
        self.infos.update(self.source.processes(new))
        absent = [i for i in new if i not in self.infos]
        if absent:
            raise process_not_found(absent[0])
        self.ints.update(self.source.intensities(new, self.req.category))
        for pid in new:
            self._check_fresh(pid)

    def _check_fresh(self, pid: str) -> None:
        got = self.ints.get(pid)
        if got is None:
            raise StaleResult(
                f"no cached result for process {pid!r} and category {self.req.category!r}: "
                "run `lcagraph calculate` (or the calculate mutation) first"
            )
        if got.graph_version != self.version:
            raise StaleResult(
                f"cached results are from graph version {got.graph_version}, the graph is at version "
                f"{self.version}: run `lcagraph calculate` (or the calculate mutation) to refresh them"
            )

    def follow_path(self) -> tuple[TreeNode, float]:
        """The node the path leads to, with amounts carried down from the root; and the root total."""
        route = self.req.path or (self.req.process,)
        self.load(route)
        root_info = self.infos[route[0]]  # req.amount is in the root's own reference unit
        amount = abs(root_info.signed_ref) if self.req.amount is None else root_info.asked(self.req.amount)
        root_total = amount * self.ints[route[0]].total
        supplies = self.source.supplies(sorted(set(route[:-1]))) if len(route) > 1 else {}
        self.load(e.provider for edges in supplies.values() for e in edges)
        for i in range(1, len(route)):
            consumer = self.infos[route[i - 1]]
            per_unit = demand_per_unit(supplies.get(consumer.id, []), consumer, self.infos)
            if route[i] not in per_unit:
                raise NodeNotFound(
                    f"path step {i}: process {route[i]!r} does not supply {consumer.id!r} "
                    f"({consumer.name}); expand {consumer.id!r} to see its providers"
                )
            amount *= per_unit[route[i]]
        parent_db = self.infos[route[-2]].database if len(route) > 1 else None
        last = route[-1]
        return _node(route, amount, self.infos[last], self.ints[last], parent_db, root_total), root_total

    def children(self, node: TreeNode, edges: list[Supply], root_total: float) -> list[TreeNode]:
        """Children of a node from its supply edges (intensities already loaded)."""
        assert node.process is not None and node.amount_ref is not None
        info = self.infos[node.process]
        kids = [
            _node(
                (*node.path, pid),
                node.amount_ref * per_unit,
                self.infos[pid],
                self.ints[pid],
                info.database,
                root_total,
            )
            for pid, per_unit in demand_per_unit(edges, info, self.infos).items()
        ]
        return merge_rest(kids, self.req.cutoff * abs(root_total), node)

    def unfold(self, top: TreeNode, root_total: float) -> None:
        """Breadth-first, level by level (two batched reads per level), within the node budget."""
        frontier = [top]
        for _ in range(self.req.depth):
            todo = [n for n in frontier if n.process is not None and (n is top or not n.loop)]
            for n in todo:
                n.expanded = n.child_count == 0
            todo = [n for n in todo if n.child_count]
            if not todo:
                return
            supplies = self.source.supplies(sorted({n.process for n in todo if n.process}))
            self.load(e.provider for edges in supplies.values() for e in edges)
            frontier = []
            for n in todo:
                kids = self.children(n, supplies.get(n.process or "", []), root_total)
                if self.count + len(kids) > self.req.max_nodes:
                    n.truncated = self.truncated = True
                    continue
                n.children, n.expanded = kids, True
                self.count += len(kids)
                frontier.extend(kids)


def expand_tree(source: TreeSource, req: TreeRequest) -> Tree:
    """Unfold ``req.depth`` levels below the node ``req.path`` leads to (the root if empty)."""
    validate_request(req)
    run = _Expansion(source, req)
    top, root_total = run.follow_path()
    run.unfold(top, root_total)
    return Tree(
        node=top,
        root_total=root_total,
        graph_version=run.version,
        category=req.category,
        node_count=run.count,
        truncated=run.truncated,
    )
