"""HTML of the node page: every value from the graph goes through ``escape`` exactly once.

The page is complete without scripts (total, contributors, completeness, sources, QR code);
``viewer.js`` only adds unfolding in place. Numbers show four significant digits (the same rule
as ``viewer.js``) and carry their full value in ``data-value`` for machines and tests.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from importlib import resources
from string import Template

from api.services.links import deep_link, qr_url
from api.services.readmodels import Completeness, Crumb, NodeView, TreeNode

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def fmt_number(x: float) -> str:
    """Four significant digits; fixed notation from 1e-3 to 1e6, else ``1.234×10⁻⁵``."""
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else str(x)
    exponent = math.floor(math.log10(abs(x)))
    if -3 <= exponent < 6:
        text = f"{x:.{max(0, 3 - exponent)}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
        return "0" if text in ("-0", "") else text.replace("-", "−")
    mantissa, exp = f"{x:.3e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}×10{str(int(exp)).translate(_SUPERSCRIPT)}".replace("-", "−", 1)


def fmt_share(part: float, whole: float) -> str:
    """``part`` as a percentage of ``whole`` with one decimal; "–" where whole is 0."""
    if whole == 0:
        return "–"
    pct = 100.0 * part / whole
    if 0 < abs(pct) < 0.05:
        return "<0.1 %" if pct > 0 else ">−0.1 %"
    return f"{pct:.1f} %".replace("-", "−")


def e(value: object) -> str:
    """Escape a value for HTML text and attributes."""
    return escape(str(value), quote=True)


@cache
def template(name: str) -> Template:
    """A page skeleton from api/viewer/templates (values are substituted pre-escaped)."""
    text = resources.files("api.viewer").joinpath("templates", name).read_text(encoding="utf-8")
    return Template(text)


def _value(x: float, unit: str, cls: str = "value") -> str:
    shown = f'<span class="{cls}" data-value="{x!r}">{e(fmt_number(x))}</span>'
    return f'{shown} <span class="u">{e(unit)}</span>' if unit else shown


@dataclass(frozen=True, slots=True)
class LinkMaker:
    """Deep links of one page's context (base URL, root amount, category) via ``api.services.links``."""

    base: str
    amount: float | None
    category: str | None
    version: str | None = None  # a published version: the page's own link and QR code keep it

    def page(self, process: str, path: Sequence[str]) -> str:
        """Deep link to a node at ``path`` (a one-step path is the root itself: no path)."""
        steps = tuple(path) if len(path) > 1 else ()
        return deep_link(self.base, process, path=steps, amount=self.amount, method=self.category)

    def own(self, process: str, path: Sequence[str]) -> str:
        """The page's own deep link (with the published version it shows, if any)."""
        steps = tuple(path) if len(path) > 1 else ()
        return deep_link(self.base, process, path=steps, amount=self.amount, method=self.category,
                         version=self.version)

    def qr(self, process: str, path: Sequence[str], fmt: str) -> str:
        """QR image URL of the page's own deep link."""
        steps = tuple(path) if len(path) > 1 else ()
        return qr_url(self.base, process, fmt=fmt, path=steps, amount=self.amount, method=self.category,
                      version=self.version)


def render_breadcrumb(crumbs: Sequence[Crumb], current: str, link: LinkMaker) -> str:
    """Path from the root: each ancestor reopens that node in context; the current one is text."""
    if not crumbs:
        return ""
    items = [
        f'<li><a href="{e(link.page(c.process, c.path))}">{e(c.name)}</a> '
        f'<span class="db">{e(c.database_name)}</span></li>'
        for c in crumbs
    ]
    items.append(f'<li aria-current="page">{e(current)}</li>')
    return f'<nav class="crumbs" aria-label="Breadcrumb"><ol>{"".join(items)}</ol></nav>'


def render_jumped(view: NodeView, link: LinkMaker) -> str:
    """After a jump into another database: where the reader is and the way back."""
    here = view.database_name(view.database.id)
    if not view.crumbs or view.crumbs[-1].database_name == here:
        return ""
    parent = view.crumbs[-1]
    return (
        f'<p class="jumped">You jumped from <strong>{e(parent.database_name)}</strong> into '
        f"<strong>{e(here)}</strong>.<br>"
        f'<a class="back" href="{e(link.page(parent.process, parent.path))}">'
        f"← Back to {e(parent.name)}</a></p>"
    )


def render_facts(view: NodeView) -> str:
    """Database (version, licence), location, reference product, type."""
    db, p = view.database, view.process
    db_text = e(view.database_name(db.id)) + (f" {e(db.version)}" if db.version else "")
    rows = [
        ("Database", f'<span class="dbname">{db_text}</span>'
         + (f' · <span class="licence">{e(db.licence)}</span>' if db.licence else "")),
        ("Location", e(p.location or "not given")),
        ("Reference product",
         f"{e(fmt_number(p.ref_amount))} {e(p.ref_unit)} {e(view.reference_product or 'not set')}"),
        ("Dataset", e("unit process" if p.type == "unit" else "aggregated (system) process")),
    ]
    if p.category:
        rows.append(("Category", e(p.category)))
    body = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows)
    return f'<dl class="facts">{body}</dl>'


def render_footprint(view: NodeView) -> str:
    """Total (big), direct and upstream, amount, method and the share of the model root."""
    node, category, unit = view.node, view.tree.category, view.tree.category.unit
    upstream = node.total - node.direct
    in_model = ""
    if len(view.path) > 1 and view.crumbs:
        in_model = (f'<p class="context">{e(fmt_share(node.total, view.tree.tree.root_total))} of '
                    f"{e(view.crumbs[0].name)}</p>")
    return (
        '<section class="footprint" aria-labelledby="fp-h"><h2 id="fp-h">Footprint</h2>'
        f'<p class="total">{_value(node.total, unit, "value total-value")}</p>'
        f'<p class="for">per <span class="amount" data-value="{node.amount or 0.0!r}">'
        f"{e(fmt_number(node.amount or 0.0))}</span> {e(node.unit or '')} of {e(view.reference_product)}</p>"
        f'<ul class="split"><li>Direct: {_value(node.direct, unit, "value direct-value")}</li>'
        f"<li>Upstream: {_value(upstream, unit)}</li></ul>"
        f'<p class="method">{e(category.method_name or category.method)} — {e(category.name or category.id)}'
        f"</p>{in_model}</section>"
    )


def render_contributor(c: TreeNode, node_total: float, view: NodeView, link: LinkMaker) -> str:
    """One row: unfold button, name (deep link), database, value, share bar, jump link."""
    share = fmt_share(c.total, node_total)
    width = 0.0 if node_total == 0 else min(100.0, 100.0 * abs(c.total) / abs(node_total))
    sign = " neg" if c.total < 0 else ""
    can_unfold = c.process is not None and c.child_count > 0 and not c.loop
    button = (
        f'<button type="button" class="unfold" aria-expanded="false" '
        f'aria-label="Unfold {e(c.name)}">+</button>'
        if can_unfold else '<span class="leaf" aria-hidden="true"></span>'
    )
    href = link.page(c.process, c.path) if c.process else ""
    name = e(c.name) if c.process is None else f'<a class="name" href="{e(href)}">{e(c.name)}</a>'
    flags = ' <span class="flag">loop</span>' if c.loop else ""
    if c.unlinked_count:  # its own inputs without a provider count 0: say so where the 0 shows
        flags += (f' <span class="flag unlinked">{c.unlinked_count} '
                  f'{"input" if c.unlinked_count == 1 else "inputs"} not linked</span>')
    database = view.database_name(c.database)
    jump = (f'<a class="jump" href="{e(href)}">Jump to {e(database)} →</a>'
            if c.crosses_database and c.process else "")
    path = "/".join(c.path)
    return (
        f'<li class="node" data-process="{e(c.process or "")}" data-path="{e(path)}">'
        f'<div class="row">{button}<div class="what">{name}{flags}'
        f'<span class="db">{e(database)}</span>{jump}</div>'
        f'<div class="num">{_value(c.total, "")}<span class="share">{e(share)}</span></div>'
        f'<div class="bar{sign}" aria-hidden="true"><span style="width:{width:.1f}%"></span></div>'
        "</div></li>"
    )


def render_contributors(view: NodeView, link: LinkMaker) -> str:
    """The bar chart of the largest contributors, each unfoldable in place."""
    node, unit = view.node, view.tree.category.unit
    if not node.children:
        body = '<p class="none">No providers: this dataset is a leaf of the supply chain.</p>'
    else:
        rows = "".join(render_contributor(c, node.total, view, link) for c in node.children)
        body = f'<ol class="tree" id="tree">{rows}</ol>'
    note = '<p class="note">Showing the largest contributors only.</p>' if view.tree.tree.truncated else ""
    return (
        '<section class="contributors" aria-labelledby="ct-h">'
        f'<h2 id="ct-h">Largest contributors <span class="unit">({e(unit)})</span></h2>'
        f'<p class="direct-row">Direct emissions of this process: {_value(node.direct, unit)}</p>'
        f"{body}{note}</section>"
    )


def render_completeness(c: Completeness) -> str:
    """Link state of the node's product/waste exchanges."""
    labels = {"complete": "Complete", "cut-off": "Has cut-offs", "ambiguous": "Ambiguous links",
              "no reference": "No reference flow"}
    items = [
        f'<li><span class="count">{c.linked}</span> linked to a provider</li>',
        f'<li><span class="count">{c.cut_off}</span> cut off (no provider, contribute nothing)</li>',
        f'<li><span class="count">{c.ambiguous}</span> ambiguous (several possible providers)</li>',
    ]
    return (
        '<section class="completeness" aria-labelledby="cp-h"><h2 id="cp-h">Completeness</h2>'
        f'<p class="state state-{e(c.state.replace(" ", "-"))}">{e(labels[c.state])}</p>'
        f'<ul>{"".join(items)}</ul></section>'
    )


def render_sources(view: NodeView) -> str:
    """Data sources of the dataset and the database's own source."""
    items = [f"<li>{e(s)}</li>" for s in view.process.sources]
    db = view.database
    if db.source:
        items.append(f"<li>Database: {e(view.database_name(db.id))} — {e(db.source)}</li>")
    body = f'<ul>{"".join(items)}</ul>' if items else "<p>No sources given in the dataset.</p>"
    head = '<section class="sources" aria-labelledby="src-h"><h2 id="src-h">Data sources</h2>'
    return f"{head}{body}</section>"


def render_share(view: NodeView, link: LinkMaker) -> str:
    """The page's own QR code (SVG, with a PNG download) and its link."""
    path = view.path or (view.process.id,)
    here = link.own(view.process.id, path)
    return (
        '<section class="pass" aria-labelledby="qr-h"><h2 id="qr-h">Pass it on</h2>'
        f'<img class="qr" src="{e(link.qr(view.process.id, path, "svg"))}" width="200" height="200" '
        f'alt="QR code that opens this page: {e(here)}">'
        f'<div class="pass-text"><p><a href="{e(link.qr(view.process.id, path, "png"))}" download>'
        f"Download QR code (PNG)</a></p>"
        f'<p class="link"><a href="{e(here)}">{e(here)}</a></p></div></section>'
    )


def render_node_page(view: NodeView, static: str, graphql: str, base: str, version: str | None = None) -> str:
    """The whole node page (links as asked: short, with the root amount and category given);
    ``version``: the page shows that published version's frozen figures."""
    link = LinkMaker(base=base, amount=view.amount, category=view.method, version=version)
    shown = str(view.tree.tree.graph_version) + (f" · published version {version} (frozen figures)"
                                                  if version else "")
    node, p = view.node, view.process
    unit = view.tree.category.unit
    root = view.path[0] if view.path else p.id
    return template("page.html").substitute(
        title=e(p.name), description=e(f"{p.name}: {fmt_number(node.total)} {unit}"),
        static=e(static), home=e(base + "/"), breadcrumb=render_breadcrumb(view.crumbs, p.name, link),
        jumped=render_jumped(view, link), root=e(root), path=e("/".join(view.path or (p.id,))),
        category=e(view.tree.category.id),
        method=e(view.method or ""),
        amount=e("" if view.amount is None else repr(view.amount)), node_total=e(repr(node.total)),
        unit=e(unit), graphql=e(graphql), base=e(base), name=e(p.name), facts=render_facts(view),
        footprint=render_footprint(view), contributors=render_contributors(view, link),
        completeness=render_completeness(view.completeness), sources=render_sources(view),
        share=render_share(view, link), graph_version=e(shown),
        deep_link=e(link.own(p.id, view.path or (p.id,))), frozen=e(version or ""),
    )


def render_message(title: str, message: str, hint: str, static: str, base: str) -> str:
    """A friendly page for unknown ids, missing results and bad parameters."""
    return template("message.html").substitute(
        title=e(title), message=e(message), hint=e(hint), static=e(static), home=e(base + "/"),
    )
