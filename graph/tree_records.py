"""Records of the upstream tree (see graph/tree.py for the equations) and its pure helpers."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

MAX_DEPTH = 8
MAX_NODES = 2000
#: Largest amount a tree, footprint or deep link is asked for: 1e308 would overflow every total.
MAX_AMOUNT = 1e15
REST = "rest"


def reference_scale(ref_amount_ref: float | None, ref_amount: float | None) -> float:
    """How many of the flow's reference unit one of the dataset's own reference unit is (3.6 MJ
    per kWh for a reference exchange of 1 kWh of an MJ flow; 1 where either is missing or 0)."""
    if not ref_amount_ref or not ref_amount:
        return 1.0
    return abs(float(ref_amount_ref) / float(ref_amount))


def in_own_unit(amount_ref: float, ref_amount_ref: float | None, ref_amount: float | None) -> float:
    """An amount in the flow's reference unit, in the dataset's own reference unit; written as
    ``x / |r_ref| · |r_own|`` so that the reference amount itself comes back exactly as given."""
    if not ref_amount_ref or not ref_amount:
        return amount_ref
    return amount_ref / abs(float(ref_amount_ref)) * abs(float(ref_amount))


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """What the tree shows of a process; ``providers`` counts distinct supplying processes.

    ``ref_amount``/``ref_unit`` are in the flow's reference unit (the diagonal of A);
    ``own_unit`` is the unit of the dataset's reference exchange and ``scale`` how many
    ``ref_unit`` one ``own_unit`` is: amounts are shown, and asked for, in ``own_unit``."""

    id: str
    name: str
    database: str
    ref_amount: float
    ref_unit: str
    ref_is_input: bool = False
    providers: int = 0
    unlinked: int = 0
    own_unit: str = ""
    own_amount: float = 0.0  # the reference exchange as given; 0: not known (shown in ref_unit)

    @property
    def signed_ref(self) -> float:
        """r_j: the reference amount as it enters A (negative for a waste treatment)."""
        return -self.ref_amount if self.ref_is_input else self.ref_amount

    @property
    def unit(self) -> str:
        """The unit amounts of this process are shown in: the dataset's own reference unit."""
        return self.own_unit if self.own_amount else self.ref_unit

    def shown(self, amount_ref: float) -> float:
        """An amount in ``ref_unit`` as shown, in :attr:`unit`."""
        return in_own_unit(amount_ref, self.ref_amount, self.own_amount)

    def asked(self, amount: float) -> float:
        """An amount given in :attr:`unit` (a reader's ``amount=``) in ``ref_unit``."""
        return amount * reference_scale(self.ref_amount, self.own_amount)


@dataclass(frozen=True, slots=True)
class Supply:
    """One PROVIDER edge: amount a as stored on the consumer's exchange, its direction, the
    avoided flag and the consumer's allocation factor φ."""

    consumer: str
    provider: str
    amount: float
    is_input: bool = True
    avoided: bool = False
    allocation: float = 1.0


@dataclass(frozen=True, slots=True)
class Intensity:
    """Cached result of one process for one category, per unit of its reference product."""

    process: str
    direct: float
    total: float
    graph_version: int


@dataclass(frozen=True, slots=True)
class TreeRequest:
    """Arguments of an expansion; ``path`` runs from the root (``process``) to the node to unfold."""

    process: str
    category: str
    amount: float | None = None
    path: tuple[str, ...] = ()
    depth: int = 1
    cutoff: float = 0.0
    max_nodes: int = 200


@dataclass(slots=True)
class TreeNode:
    """One node of the unfolded tree; ``share`` is total / root total (None when that is 0)."""

    path: tuple[str, ...]
    process: str | None
    name: str
    database: str | None
    amount: float | None  # in ``unit``, the dataset's own reference unit
    unit: str | None
    direct: float
    total: float
    share: float | None = None
    crosses_database: bool = False
    loop: bool = False
    rest_count: int = 0
    child_count: int = 0
    unlinked_count: int = 0
    expanded: bool = False
    truncated: bool = False
    children: list[TreeNode] = field(default_factory=list)
    amount_ref: float | None = None  # ``amount`` in the flow's reference unit (what A is in)

    @property
    def id(self) -> str:
        """Stable node id: the path, and ``/rest`` for the merged remainder."""
        base = "/".join(self.path)
        return f"{base}/{REST}" if self.process is None else base


@dataclass(frozen=True, slots=True)
class Tree:
    """An expansion: its top node (the root or the node the path leads to) and bookkeeping."""

    node: TreeNode
    root_total: float
    graph_version: int
    category: str
    node_count: int
    truncated: bool


class TreeSource(Protocol):
    """Batched reads the tree needs (one round trip per call, any number of ids)."""

    def graph_version(self) -> int:
        """Current graph version."""
        ...

    def processes(self, ids: Sequence[str]) -> dict[str, NodeInfo]:
        """Node info for the ids that exist."""
        ...

    def supplies(self, ids: Sequence[str]) -> dict[str, list[Supply]]:
        """PROVIDER edges by consumer id."""
        ...

    def intensities(self, ids: Sequence[str], category: str) -> dict[str, Intensity]:
        """Cached results by process id (missing where not calculated)."""
        ...


def link_entry(edge: Supply, provider_sign: float) -> float:
    """L[i, j] of one edge, as solver/matrices.py builds it."""
    if edge.avoided:
        value = edge.amount if provider_sign > 0 else -edge.amount
    else:
        value = -edge.amount if edge.is_input else edge.amount
    return edge.allocation * value


def demand_per_unit(
    edges: Iterable[Supply], consumer: NodeInfo, infos: Mapping[str, NodeInfo]
) -> dict[str, float]:
    """m_ji: amount of each provider's reference product per unit of the consumer's."""
    out: dict[str, float] = {}
    scale = abs(consumer.signed_ref)
    for e in edges:
        sign = 1.0 if infos[e.provider].signed_ref > 0 else -1.0
        out[e.provider] = out.get(e.provider, 0.0) - sign * link_entry(e, sign) / scale
    return out


def identity_residual(node: TreeNode) -> float:
    """|total - direct - Σ children totals| of an expanded node (0 for leaves)."""
    if not node.expanded:
        return 0.0
    return abs(node.total - node.direct - math.fsum(c.total for c in node.children))


def walk(node: TreeNode) -> Iterable[TreeNode]:
    """Every node of a (sub)tree, depth first."""
    yield node
    for child in node.children:
        yield from walk(child)
