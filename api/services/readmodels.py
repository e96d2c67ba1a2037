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
    "MonteCarloSummary",
    "NodeQuality",
    "NodeView",
    "Process",
    "ProductSystem",
    "QualityScore",
    "Result",
    "Tree",
    "TreeNode",
    "TreeView",
    "UncertaintyRange",
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
    # Filled by api/services/quality.py (None/0 where only link counts were read):
    unlinked: int = 0  # no provider and not a declared cut-off (cut_off then counts declared ones)
    uncharacterised: int = 0  # elementary flows that need a factor and have none
    coverage: float | None = None  # share of the total from fully linked, characterised sub-trees

    @property
    def state(self) -> str:
        """``complete``, ``unlinked``, ``ambiguous`` (providers to choose), ``cut-off``, ``no reference``."""
        if not self.reference_set:
            return "no reference"
        if self.unlinked:
            return "unlinked"
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
class QualityScore:
    """Contribution-weighted EU PEF DQR of a total (None: no DQ data upstream) and its rating;
    ``without_data`` is the share of the total from datasets without DQ data."""

    dqr: float | None
    rating: str
    without_data: float


@dataclass(frozen=True, slots=True)
class UncertaintyRange:
    """First-order uncertainty of a total: GSD² and the 95 % interval (same amount as the total)."""

    gsd2: float
    low: float
    high: float
    method: str  # exact | sketch (solver/uncertainty.py)


@dataclass(frozen=True, slots=True)
class NodeQuality:
    """Accuracy and completeness of one process's total (per unit of reference product until
    :meth:`scaled`), computed once per graph version and impact category."""

    process: str
    graph_version: int
    quality: QualityScore
    uncertainty: UncertaintyRange
    completeness: Completeness

    def scaled(self, amount: float) -> NodeQuality:
        """The same figures for ``amount`` units of reference product (the interval scales)."""
        u = self.uncertainty
        low, high = sorted((u.low * amount, u.high * amount))
        return NodeQuality(self.process, self.graph_version, self.quality,
                           UncertaintyRange(u.gsd2, low, high, u.method), self.completeness)


@dataclass(frozen=True, slots=True)
class MonteCarloSummary:
    """``runs`` samples of the total of ``amount`` of a process (2.5 and 97.5 percentiles as
    ``low``/``high``, GSD² of ln) next to the analytic first-order interval of the same amount."""

    process: str
    category: str
    impact_unit: str
    amount: float
    graph_version: int
    runs: int
    seed: int
    backend: str
    deterministic: float
    mean: float
    median: float
    sd: float
    low: float
    high: float
    gsd2: float
    analytic: UncertaintyRange


@dataclass(frozen=True, slots=True)
class TreeView:
    """An unfolded tree with the impact category its numbers are in."""

    tree: Tree
    category: Category
    quality: Mapping[str, NodeQuality] = field(default_factory=dict)  # by process, per unit

    @property
    def node(self) -> TreeNode:
        return self.tree.node

    def quality_of(self, node: TreeNode) -> NodeQuality | None:
        """The node's figures for its amount (None for the merged rest, or a node unknown)."""
        found = self.quality.get(node.process or "")
        if found is None:
            return None
        amount = node.amount_ref if node.amount_ref is not None else node.amount  # per unit of A's column
        return found.scaled(amount if amount is not None else 1.0)


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
    quality: QualityScore | None = None
    uncertainty: UncertaintyRange | None = None


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
