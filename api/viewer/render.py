"""HTML of the node page: every value from the graph goes through ``escape`` exactly once.

The page is complete without scripts (total, contributors, completeness, sources, QR code);
``viewer.js`` only adds unfolding in place. Numbers show four significant digits (the same rule
as ``viewer.js``) and carry their full value in ``data-value`` for machines and tests.
"""

from __future__ import annotations

import math
from functools import cache
from html import escape
from importlib import resources
from string import Template

from api.services.readmodels import Completeness, Contributor, Crumb, Footprint, NodePage

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


def render_breadcrumb(crumbs: tuple[Crumb, ...], current: str) -> str:
    """Path from the root: each ancestor reopens that node in context; the current one is text."""
    if not crumbs:
        return ""
    items = [
        f'<li><a href="{e(c.href)}">{e(c.name)}</a> <span class="db">{e(c.database)}</span></li>'
        for c in crumbs
    ]
    items.append(f'<li aria-current="page">{e(current)}</li>')
    return f'<nav class="crumbs" aria-label="Breadcrumb"><ol>{"".join(items)}</ol></nav>'


def render_jumped(page: NodePage) -> str:
    """After a jump into another database: where the reader is and the way back."""
    if not page.crumbs or page.crumbs[-1].database == page.database.name:
        return ""
    parent = page.crumbs[-1]
    return (
        f'<p class="jumped">You jumped from <strong>{e(parent.database)}</strong> into '
        f"<strong>{e(page.database.name)}</strong>.<br>"
        f'<a class="back" href="{e(parent.href)}">← Back to {e(parent.name)}</a></p>'
    )


def render_facts(page: NodePage) -> str:
    """Database (version, licence), location, reference product, type."""
    db = page.database
    db_text = e(db.name) + (f" {e(db.version)}" if db.version else "")
    rows = [
        ("Database", f'<span class="dbname">{db_text}</span>'
         + (f' · <span class="licence">{e(db.licence)}</span>' if db.licence else "")),
        ("Location", e(page.location or "not given")),
        ("Reference product",
         f"{e(fmt_number(page.ref_amount))} {e(page.ref_unit)} {e(page.reference_product or 'not set')}"),
        ("Dataset", e("unit process" if page.type == "unit" else "aggregated (system) process")),
    ]
    if page.category:
        rows.append(("Category", e(page.category)))
    body = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows)
    return f'<dl class="facts">{body}</dl>'


def render_footprint(fp: Footprint, page: NodePage) -> str:
    """Total (big), direct and upstream, amount, method and the share of the model root."""
    upstream = fp.total - fp.direct
    in_model = ""
    if page.path and len(page.path) > 1 and page.crumbs:
        in_model = (f'<p class="context">{e(fmt_share(fp.total, fp.root_total))} of '
                    f"{e(page.crumbs[0].name)}</p>")
    return (
        '<section class="footprint" aria-labelledby="fp-h"><h2 id="fp-h">Footprint</h2>'
        f'<p class="total">{_value(fp.total, fp.unit, "value total-value")}</p>'
        f'<p class="for">for {e(fmt_number(fp.amount))} {e(page.ref_unit)} of {e(page.reference_product)}</p>'
        f'<ul class="split"><li>Direct: {_value(fp.direct, fp.unit, "value direct-value")}</li>'
        f"<li>Upstream: {_value(upstream, fp.unit)}</li></ul>"
        f'<p class="method">{e(fp.method_name)} — {e(fp.category_name)}</p>{in_model}</section>'
    )


def render_contributor(c: Contributor, node_total: float) -> str:
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
    name = e(c.name) if c.process is None else f'<a class="name" href="{e(c.href)}">{e(c.name)}</a>'
    flags = ' <span class="flag">loop</span>' if c.loop else ""
    jump = (f'<a class="jump" href="{e(c.href)}">Jump to {e(c.database_name)} →</a>'
            if c.crosses_database and c.process else "")
    path = "/".join(c.path)
    return (
        f'<li class="node" data-process="{e(c.process or "")}" data-path="{e(path)}">'
        f'<div class="row">{button}<div class="what">{name}{flags}'
        f'<span class="db">{e(c.database_name)}</span>{jump}</div>'
        f'<div class="num">{_value(c.total, "")}<span class="share">{e(share)}</span></div>'
        f'<div class="bar{sign}" aria-hidden="true"><span style="width:{width:.1f}%"></span></div>'
        "</div></li>"
    )


def render_contributors(page: NodePage) -> str:
    """The bar chart of the largest contributors, each unfoldable in place."""
    fp = page.footprint
    if not page.contributors:
        body = '<p class="none">No providers: this dataset is a leaf of the supply chain.</p>'
    else:
        rows = "".join(render_contributor(c, fp.total) for c in page.contributors)
        body = f'<ol class="tree" id="tree">{rows}</ol>'
    note = '<p class="note">Showing the largest contributors only.</p>' if page.truncated else ""
    return (
        '<section class="contributors" aria-labelledby="ct-h">'
        f'<h2 id="ct-h">Largest contributors <span class="unit">({e(fp.unit)})</span></h2>'
        f'<p class="direct-row">Direct emissions of this process: {_value(fp.direct, fp.unit)}</p>'
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


def render_sources(page: NodePage) -> str:
    """Data sources of the dataset and the database's own source."""
    items = [f"<li>{e(s)}</li>" for s in page.sources]
    db = page.database
    if db.source:
        items.append(f"<li>Database: {e(db.name)} — {e(db.source)}</li>")
    body = f'<ul>{"".join(items)}</ul>' if items else "<p>No sources given in the dataset.</p>"
    head = '<section class="sources" aria-labelledby="src-h"><h2 id="src-h">Data sources</h2>'
    return f"{head}{body}</section>"


def render_share(page: NodePage) -> str:
    """The page's own QR code (SVG, with a PNG download) and its link."""
    return (
        '<section class="pass" aria-labelledby="qr-h"><h2 id="qr-h">Pass it on</h2>'
        f'<img class="qr" src="{e(page.qr_svg)}" width="200" height="200" '
        f'alt="QR code that opens this page: {e(page.deep_link)}">'
        f'<div class="pass-text"><p><a href="{e(page.qr_png)}" download>Download QR code (PNG)</a></p>'
        f'<p class="link"><a href="{e(page.deep_link)}">{e(page.deep_link)}</a></p></div></section>'
    )


def render_node_page(page: NodePage, static: str, graphql: str, base: str) -> str:
    """The whole node page."""
    fp = page.footprint
    root = page.path[0] if page.path else page.process
    return template("page.html").substitute(
        title=e(page.name), description=e(f"{page.name}: {fmt_number(fp.total)} {fp.unit}"),
        static=e(static), home=e(base + "/"), breadcrumb=render_breadcrumb(page.crumbs, page.name),
        jumped=render_jumped(page), root=e(root), path=e("/".join(page.path or (page.process,))),
        category=e(fp.category),
        method=e(page.method or ""),
        amount=e("" if page.root_amount is None else repr(page.root_amount)), node_total=e(repr(fp.total)),
        unit=e(fp.unit), graphql=e(graphql), base=e(base), name=e(page.name), facts=render_facts(page),
        footprint=render_footprint(fp, page), contributors=render_contributors(page),
        completeness=render_completeness(page.completeness), sources=render_sources(page),
        share=render_share(page), graph_version=fp.graph_version, deep_link=e(page.deep_link),
    )


def render_message(title: str, message: str, hint: str, static: str, base: str) -> str:
    """A friendly page for unknown ids, missing results and bad parameters."""
    return template("message.html").substitute(
        title=e(title), message=e(message), hint=e(hint), static=e(static), home=e(base + "/"),
    )
