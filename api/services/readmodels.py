"""Read models: what the use-cases answer, one class per concept, rendered by every interface.

The CLI (text and ``--json``), the GraphQL types and the phone viewer's HTML all render these
records, so the same question gives the same fields and numbers everywhere. A new per-node
figure is added to the record here (or to the graph record re-exported here), filled by its
use-case, and rendered by each interface.

- :class:`TreeNode` / :class:`Tree` (graph/tree.py builds them) with :class:`TreeView` (the tree
  and its impact category): ``lcagraph tree``, GraphQL ``upstream``/``jump``, the viewer's
  contributors.
- :class:`Footprint` with :class:`FlowContribution` and :class:`DatabaseContribution`:
  ``lcagraph footprint``, GraphQL ``footprint``.
- :class:`Result` (the cached per-unit result of a process), :class:`Crumb` (a step of the way
  back), :class:`Completeness` (link states of a node's inputs), :class:`NodeView` (the page of
  one node in its context) and :class:`JumpView`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graph.browse import Category, Consumer, DatabaseView, LinkedExchange
from graph.results import CachedResult as Result
from graph.tree import Tree, TreeNode
from lcagraph.records import Database, Flow, Process, ProductSystem

__all__ = [
    "Category",
    "Completeness",
    "Consumer",
    "Crumb",
    "Database",
    "DatabaseContribution",
    "DatabaseView",
    "Flow",
    "FlowContribution",
    "Footprint",
    "JumpView",
    "LinkedExchange",
    "NodeView",
    "Process",
    "ProductSystem",
    "Result",
    "Tree",
    "TreeNode",
    "TreeView",
]

LINKED_KINDS = ("default", "unique", "override", "model")


@dataclass(frozen=True, slots=True)
class Crumb:
    """One step of the path from the root to a node: reopen it with ``path``."""

    process: str
    name: str
    database: str
    database_name: str
    path: tuple[str, ...]
    crosses_database: bool = False


@dataclass(frozen=True, slots=True)
class Completeness:
    """How a node's product and waste exchanges are linked to providers."""

    linked: int = 0
    cut_off: int = 0
    ambiguous: int = 0
    reference_set: bool = True

    @property
    def state(self) -> str:
        """``complete``, ``ambiguous`` (providers to choose), ``cut-off`` or ``no reference``."""
        if not self.reference_set:
            return "no reference"
        if self.ambiguous:
            return "ambiguous"
        return "cut-off" if self.cut_off else "complete"

    @classmethod
    def from_counts(cls, counts: Mapping[str, int], reference_set: bool) -> Completeness:
        """Fold exchange counts by ``link`` kind into the three states."""
        return cls(
            linked=sum(n for kind, n in counts.items() if kind in LINKED_KINDS),
            cut_off=counts.get("unlinked", 0),
            ambiguous=counts.get("ambiguous", 0),
            reference_set=reference_set,
        )


@dataclass(frozen=True, slots=True)
class TreeView:
    """An unfolded tree with the impact category its numbers are in."""

    tree: Tree
    category: Category

    @property
    def node(self) -> TreeNode:
        return self.tree.node


@dataclass(frozen=True, slots=True)
class JumpView:
    """A process opened as a new root of its own database, with the way back."""

    root: TreeView
    crumbs: tuple[Crumb, ...]
    back_path: tuple[str, ...]
    models: tuple[ProductSystem, ...]  # of the root's database, the root's own first


@dataclass(frozen=True, slots=True)
class FlowContribution:
    """An elementary flow's part of a footprint: its inventory amount × its factor."""

    flow: str
    name: str
    compartment: str
    unit: str
    amount: float
    factor: float
    impact: float


@dataclass(frozen=True, slots=True)
class DatabaseContribution:
    """What the processes of one database emit directly in this footprint's supply chain."""

    database: str
    impact: float
    processes: int  # processes of the database with a non-zero scaling factor


@dataclass(frozen=True, slots=True)
class Footprint:
    """Total and direct of ``amount`` of a process's reference product, with its contributions."""

    process: str
    name: str
    database: str
    amount: float
    unit: str
    category: str
    category_name: str
    method: str
    impact_unit: str
    total: float
    direct: float
    graph_version: int
    from_cache: bool
    by_flow: tuple[FlowContribution, ...]
    by_database: tuple[DatabaseContribution, ...]
    residual: float  # ||A s - f|| / ||f|| of this demand (no componentwise backward error: see footprint)
    cutoffs: int  # unlinked exchanges of the processes in the supply chain
    negative_scaling: tuple[tuple[str, float], ...]
    negative_scaling_count: int
    backend: str
    completeness: Completeness = field(default_factory=Completeness)
    amount_ref: float = 0.0  # ``amount`` in the reference flow's unit (``unit_ref``), e.g. 3.6 MJ for 1 kWh
    unit_ref: str = ""


@dataclass(frozen=True, slots=True)
class NodeView:
    """One node in its context (``path`` from the root, root ``amount``): facts, its footprint
    there (``tree.node``), its largest contributors (the node's children) and the way back."""

    process: Process
    database: Database
    reference_product: str
    tree: TreeView
    completeness: Completeness
    crumbs: tuple[Crumb, ...] = ()
    path: tuple[str, ...] = ()
    amount: float | None = None
    method: str | None = None
    database_names: Mapping[str, str] = field(default_factory=dict)

    @property
    def node(self) -> TreeNode:
        return self.tree.node

    def database_name(self, database: str | None) -> str:
        """The name of a database of this view (its id where unknown)."""
        return self.database_names.get(database or "", database or "")
