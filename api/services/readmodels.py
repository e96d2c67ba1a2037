"""What a node page shows, as plain records (filled from the graph, rendered to HTML)."""

from __future__ import annotations

from dataclasses import dataclass, field

LINKED_KINDS = ("default", "unique", "override", "model")


@dataclass(frozen=True, slots=True)
class DatabaseInfo:
    """The database a process belongs to, as shown with it."""

    id: str
    name: str
    version: str = ""
    licence: str = ""
    source: str = ""
    kind: str = "background"


@dataclass(frozen=True, slots=True)
class Crumb:
    """One step of the path from the root to the page's node; ``href`` reopens it in context."""

    name: str
    database: str
    href: str


@dataclass(frozen=True, slots=True)
class Contributor:
    """A child of the page's node: a provider, or the merged rest (``process`` None)."""

    process: str | None
    name: str
    database: str | None
    database_name: str
    amount: float | None
    unit: str
    direct: float
    total: float
    path: tuple[str, ...]
    href: str
    crosses_database: bool = False
    loop: bool = False
    child_count: int = 0
    rest_count: int = 0


@dataclass(frozen=True, slots=True)
class Completeness:
    """How the node's product and waste exchanges are linked to providers."""

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
    def from_counts(cls, counts: dict[str, int], reference_set: bool) -> Completeness:
        """Fold exchange counts by ``link`` kind into the three states."""
        return cls(
            linked=sum(n for kind, n in counts.items() if kind in LINKED_KINDS),
            cut_off=counts.get("unlinked", 0),
            ambiguous=counts.get("ambiguous", 0),
            reference_set=reference_set,
        )


@dataclass(frozen=True, slots=True)
class Footprint:
    """Result of the page's node for its amount in the model (the path's amount)."""

    amount: float
    unit: str
    total: float
    direct: float
    category: str
    category_name: str
    method_name: str
    root_total: float
    graph_version: int


@dataclass(frozen=True, slots=True)
class NodePage:
    """Everything one node page shows."""

    process: str
    name: str
    database: DatabaseInfo
    footprint: Footprint
    location: str = ""
    category: str = ""
    description: str = ""
    reference_product: str = ""
    ref_amount: float = 1.0
    ref_unit: str = ""
    type: str = "unit"
    path: tuple[str, ...] = ()
    root_amount: float | None = None
    method: str | None = None
    crumbs: tuple[Crumb, ...] = ()
    contributors: tuple[Contributor, ...] = ()
    truncated: bool = False
    completeness: Completeness = field(default_factory=Completeness)
    sources: tuple[str, ...] = ()
    deep_link: str = ""
    qr_svg: str = ""
    qr_png: str = ""
