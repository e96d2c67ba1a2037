"""``lcagraph tree``: unfold a footprint layer by layer in the terminal.

    lcagraph tree PROCESS_ID [--depth N] [--amount X] [--method ID] [--cutoff SHARE]
                  [--path ROOT/…/NODE] [--max-nodes N] [--json]

The same expansion as GraphQL's ``upstream`` (graph/tree.py): at every node
total = direct + Σ children (a "rest" child merges those below ``--cutoff`` of the root total),
``↗ database`` marks a node whose database differs from its parent's, ``⟲`` a supply loop.
Results are calculated first if the graph changed since the last ``lcagraph calculate``.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.tree import Tree as RichTree

from api.services.links import parse_path
from api.services.readmodels import NodeQuality, TreeNode, TreeView
from api.services.session import opened_state
from api.services.tree import unfold

ProcessArg = Annotated[str, typer.Argument(help="process id (dataset UUID)")]
DepthOpt = Annotated[int, typer.Option("--depth", help="levels to unfold (1-8)")]
AmountOpt = Annotated[float | None, typer.Option("--amount", help="amount of the root's reference product")]
MethodOpt = Annotated[str | None, typer.Option("--method", help="impact category or method id")]
CutoffOpt = Annotated[float, typer.Option("--cutoff", help="merge children below this share of the root")]
PathOpt = Annotated[str | None, typer.Option("--path", help="ids from the root to the node, '/'-separated")]
MaxOpt = Annotated[int, typer.Option("--max-nodes", help="stop unfolding after this many nodes")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print the tree as JSON")]


def tree_command(
    process_id: ProcessArg, depth: DepthOpt = 2, amount: AmountOpt = None, method: MethodOpt = None,
    cutoff: CutoffOpt = 0.01, path: PathOpt = None, max_nodes: MaxOpt = 200, as_json: JsonOpt = False,
) -> None:
    """Unfold the footprint of a process, with direct, total and share at every node."""
    with opened_state() as state:
        view = unfold(state, process_id, amount=amount, method=method, path=parse_path(path), depth=depth,
                      cutoff=cutoff, max_nodes=max_nodes, refresh=True)
    if as_json:
        typer.echo(json.dumps(tree_json(view), indent=1))
        return
    category = view.category
    heading = f"{category.name} [{category.unit}] · graph version {view.tree.graph_version}"
    root = RichTree(_label(view, view.node), guide_style="dim")
    _add_children(root, view, view.node)
    Console().print(heading, highlight=False)
    Console().print(root, highlight=False)


def node_json(view: TreeView, node: TreeNode) -> dict[str, Any]:
    """A node (every field of the read model, camelCase, with its quality figures) and its
    unfolded children."""
    out = {_camel(f.name): getattr(node, f.name) for f in dataclasses.fields(node) if f.name != "children"}
    out["path"] = list(node.path)
    figures = view.quality_of(node)
    if figures is not None:
        out |= {"quality": dataclasses.asdict(figures.quality),
                "uncertainty": dataclasses.asdict(figures.uncertainty),
                "completeness": dataclasses.asdict(figures.completeness)}
    return {**out, "children": [node_json(view, child) for child in node.children]}


def tree_json(view: TreeView) -> dict[str, Any]:
    tree = view.tree
    return {"graph_version": tree.graph_version, "category": tree.category, "root_total": tree.root_total,
            "truncated": tree.truncated, "node": node_json(view, tree.node)}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def badge(figures: NodeQuality | None) -> str:
    """Compact: DQR rating, 95 % factor (GSD²), coverage and unlinked inputs, e.g.
    ``[DQR good 2.4 · ×÷1.09 · cov 85 % · 2 unlinked]``."""
    if figures is None:
        return ""
    q, u, c = figures.quality, figures.uncertainty, figures.completeness
    parts = [f"DQR {q.rating}" + (f" {q.dqr:.1f}" if q.dqr is not None else ""), f"×÷{u.gsd2:.3g}"]
    if c.coverage is not None:
        parts.append(f"cov {100 * c.coverage:.0f} %")
    if c.unlinked:
        parts.append(f"{c.unlinked} unlinked")
    return " [" + " · ".join(parts) + "]"


def _label(view: TreeView, node: TreeNode) -> str:
    unit = view.category.unit
    share = "" if node.share is None else f"{node.share:7.2%} "
    amount = "" if node.amount is None else f"{node.amount:.4g} {node.unit or ''} "
    marks = (" ↗ " + (node.database or "") if node.crosses_database else "") + (" ⟲" if node.loop else "")
    return (f"{share}{node.total:.6g} {unit} (direct {node.direct:.4g}) · {amount}{node.name}{marks}"
            f"{badge(view.quality_of(node))}")


def _add_children(branch: RichTree, view: TreeView, node: TreeNode) -> None:
    for child in node.children:
        _add_children(branch.add(_label(view, child)), view, child)
