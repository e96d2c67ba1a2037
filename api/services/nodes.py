"""Fill a node page from the graph: process facts, the cached footprint and one tree level.

The contributors come from ``graph.tree.expand_tree`` (the same expansion GraphQL's ``upstream``
uses), so the page, the API and the unfolding script show the same exact numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from api.services.calculation import ensure_results
from api.services.links import deep_link, qr_url
from api.services.readmodels import (
    Completeness,
    Contributor,
    Crumb,
    DatabaseInfo,
    Footprint,
    NodePage,
)
from graph import queries
from graph.browse import Category, read_categories, resolve_category
from graph.store import GraphStore
from graph.tree import Tree, TreeNode, TreeRequest, TreeSource, expand_tree
from lcagraph.errors import InvalidArgument, NodeNotFound, StaleResult

CONTRIBUTOR_CUTOFF = 0.001
MAX_CONTRIBUTORS = 60


@dataclass(frozen=True, slots=True)
class PageRequest:
    """What a deep link asks for: a process, optionally in context (path), amount and category."""

    process: str
    path: tuple[str, ...] = ()
    amount: float | None = None
    category: str | None = None

    def tree_request(self, category: str) -> TreeRequest:
        """The expansion of one level below this node."""
        root = self.path[0] if self.path else self.process
        return TreeRequest(
            process=root, category=category, amount=self.amount, path=self.path, depth=1,
            cutoff=CONTRIBUTOR_CUTOFF, max_nodes=MAX_CONTRIBUTORS + 1,
        )


def _one(rows: list[dict[str, Any]], what: str) -> dict[str, Any]:
    if not rows:
        raise NodeNotFound(f"{what} is not in the graph")
    return rows[0]


def choose_category(store: GraphStore, method: str | None) -> Category:
    """The category ``method`` names, else the default (IPCC AR6 GWP100) — as GraphQL chooses."""
    return resolve_category(read_categories(store), method)


def check_path(req: PageRequest) -> None:
    """A path runs from the root to this very node."""
    if req.path and req.path[-1] != req.process:
        raise InvalidArgument(
            f"path ends at {req.path[-1]!r}, not at process {req.process!r}: a path runs from the "
            "model's root to the node the link opens"
        )


def _database(row: dict[str, Any]) -> DatabaseInfo:
    return DatabaseInfo(
        id=row.get("database") or "", name=row.get("database_name") or row.get("database") or "",
        version=row.get("database_version") or "", licence=row.get("licence") or "",
        source=row.get("database_source") or "", kind=row.get("database_kind") or "background",
    )


def _contributor(node: TreeNode, names: dict[str, str], link: LinkMaker) -> Contributor:
    db = node.database or ""
    return Contributor(
        process=node.process, name=node.name, database=node.database, database_name=names.get(db, db),
        amount=node.amount, unit=node.unit or "", direct=node.direct, total=node.total, path=node.path,
        href=link.page(node.process, node.path) if node.process else "",
        crosses_database=node.crosses_database, loop=node.loop, child_count=node.child_count,
        rest_count=node.rest_count,
    )


@dataclass(frozen=True, slots=True)
class LinkMaker:
    """Deep links of one page's context (base URL, root amount, category) via ``api.services.links``."""

    base: str
    amount: float | None
    category: str | None

    def page(self, process: str, path: Sequence[str]) -> str:
        """Deep link to a node at ``path`` (a one-step path is the root itself: no path)."""
        steps = tuple(path) if len(path) > 1 else ()
        return deep_link(self.base, process, path=steps, amount=self.amount, method=self.category)

    def qr(self, process: str, path: Sequence[str], fmt: str) -> str:
        """QR image URL of the same deep link."""
        steps = tuple(path) if len(path) > 1 else ()
        return qr_url(self.base, process, fmt=fmt, path=steps, amount=self.amount, method=self.category)


def _crumbs(
    source: TreeSource, path: tuple[str, ...], names: dict[str, str], link: LinkMaker,
) -> tuple[Crumb, ...]:
    if len(path) < 2:
        return ()
    infos = source.processes(list(path[:-1]))
    return tuple(
        Crumb(name=infos[pid].name, database=names.get(infos[pid].database, infos[pid].database),
              href=link.page(pid, path[: i + 1]))
        for i, pid in enumerate(path[:-1])
    )


def _footprint(tree: Tree, category: Category) -> Footprint:
    node = tree.node
    return Footprint(
        amount=node.amount or 0.0, unit=category.unit, total=node.total, direct=node.direct,
        category=category.id, category_name=category.name or category.id,
        method_name=category.method_name or category.method, root_total=tree.root_total,
        graph_version=tree.graph_version,
    )


def build_page(store: GraphStore, source: TreeSource, req: PageRequest, base: str) -> NodePage:
    """Read everything the page of ``req`` shows (NodeNotFound / StaleResult / InvalidArgument)."""
    check_path(req)
    row = _one(store.read(queries.VIEWER_PROCESS, {"id": req.process}), f"process {req.process!r}")
    category = choose_category(store, req.category)
    try:
        tree = expand_tree(source, req.tree_request(category.id))
    except StaleResult:
        # a phone reader cannot run `lcagraph calculate`: refresh on demand, once per graph version
        ensure_results(store, category.id)
        tree = expand_tree(source, req.tree_request(category.id))
    names = {str(r["id"]): str(r["name"] or r["id"]) for r in store.read(queries.VIEWER_DATABASE_NAMES)}
    link_rows = store.read(queries.VIEWER_LINK_COUNTS, {"id": req.process})
    counts = {str(r["link"]): int(r["exchanges"]) for r in link_rows}
    link = LinkMaker(base=base, amount=req.amount, category=req.category)  # as asked: short links
    path = req.path or (req.process,)
    return NodePage(
        process=req.process, name=row["name"] or req.process, database=_database(row),
        footprint=_footprint(tree, category), location=row.get("location") or "",
        category=row.get("category") or "", description=row.get("description") or "",
        reference_product=row.get("ref_flow_name") or "", ref_amount=float(row.get("ref_amount") or 1.0),
        ref_unit=row.get("ref_unit") or "", type=row.get("type") or "unit", path=req.path,
        root_amount=req.amount, method=req.category, crumbs=_crumbs(source, path, names, link),
        contributors=tuple(_contributor(c, names, link) for c in tree.node.children),
        truncated=tree.truncated, completeness=Completeness.from_counts(counts, bool(row.get("ref_flow"))),
        sources=tuple(str(s) for s in row.get("sources") or ()), deep_link=link.page(req.process, path),
        qr_svg=link.qr(req.process, path, "svg"), qr_png=link.qr(req.process, path, "png"),
    )
