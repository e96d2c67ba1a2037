"""The node page as rendered: number formats, escaping of every value, structure, colours."""

from __future__ import annotations

import html.parser
import re
from dataclasses import replace
from pathlib import Path

import pytest

from api.services.readmodels import (
    Category,
    Completeness,
    Crumb,
    Database,
    NodeView,
    Process,
    Tree,
    TreeNode,
    TreeView,
)
from api.viewer.format import fmt_number, fmt_share
from api.viewer.render import render_message, render_node_page

EVIL = '<script>alert("x")</script>&"\''


@pytest.mark.parametrize(("x", "text"), [
    (0.0, "0"), (1.0, "1"), (12.3456, "12.35"), (-0.5, "−0.5"), (123456.7, "123457"),
    (0.001234567, "0.001235"),
    (1234567.0, "1.235×10⁶"), (0.000012345, "1.234×10⁻⁵"), (-2.5e-7, "−2.5×10⁻⁷"), (9.99996, "10"),
    (100.0, "100"),
])
def test_fmt_number(x: float, text: str) -> None:
    assert fmt_number(x) == text


def test_fmt_share() -> None:
    assert fmt_share(1, 4) == "25.0 %"
    assert fmt_share(-1, 4) == "−25.0 %"
    assert fmt_share(1e-5, 1) == "<0.1 %"
    assert fmt_share(1, 0) == "–"


CATEGORY = Category("cat", "GWP100", "kg CO2-eq", "ipcc", "IPCC AR6")


def _tree(node: TreeNode, category: Category = CATEGORY) -> TreeView:
    return TreeView(Tree(node, node.total, 7, category.id, 1 + len(node.children), False), category)


def _page(**changes: object) -> NodeView:
    kids = [
        TreeNode(("p1", "p2"), "p2", "Diesel, at refinery", "uslci", 0.01, "l", 0.1, 0.12,
                 crosses_database=True, child_count=3),
        TreeNode(("p1", "p3"), "p3", "Truck maintenance", "transport", 1.0, "p", 0.03, 0.03, child_count=0),
    ]
    node = TreeNode(("p1",), "p1", "Transport, truck", "transport", 1.0, "t*km", 0.05, 0.2, children=kids,
                    expanded=True)
    view = NodeView(
        process=Process("p1", "Transport, truck", "transport", location="US", ref_amount=1.0, ref_unit="t*km",
                        sources=("EPA 2020",)),
        database=Database("transport", "USLCI transport", source="US LCA Commons", version="1.1",
                          licence="CC0"),
        reference_product="transport, truck", tree=_tree(node),
        completeness=Completeness(linked=3, cut_off=1, ambiguous=0),
        database_names={"transport": "USLCI transport", "uslci": "USLCI FY17 Q4"},
    )
    return replace(view, **changes)  # type: ignore[arg-type]


class _Collector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(doc: str) -> _Collector:
    c = _Collector()
    c.feed(doc)
    return c


def test_page_shows_what_the_issue_lists() -> None:
    doc = render_node_page(_page(), "/static/viewer", "/graphql", "http://h")
    text = " ".join(_parse(doc).text)
    for shown in ("Transport, truck", "USLCI transport 1.1", "CC0", "US", "transport, truck", "0.2",
                  "kg CO2-eq", "IPCC AR6", "GWP100", "Diesel, at refinery", "Jump to USLCI FY17 Q4",
                  "Has cut-offs", "EPA 2020", "Pass it on"):
        assert shown in text, shown
    assert "Jump to USLCI transport" not in text  # same database: no jump
    tags = _parse(doc).tags
    assert ("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}) in tags
    imgs = [a for t, a in tags if t == "img"]
    assert imgs[0]["src"] == "http://h/qr/p1.svg" and "http://h/n/p1" in (imgs[0]["alt"] or "")
    buttons = [a for t, a in tags if t == "button"]
    assert len(buttons) == 1 and buttons[0]["aria-expanded"] == "false"  # only p2 has providers


def test_every_value_is_escaped() -> None:
    kid = TreeNode((EVIL, EVIL), EVIL, EVIL, EVIL, 1.0, EVIL, 0.0, 1.0, crosses_database=True, child_count=1)
    node = TreeNode((EVIL, "p1"), "p1", EVIL, EVIL, 1.0, EVIL, 0.0, 1.0, children=[kid], expanded=True)
    page = _page(
        process=Process("p1", EVIL, EVIL, location=EVIL, category=EVIL, ref_unit=EVIL, sources=(EVIL,)),
        database=Database(EVIL, EVIL, EVIL, EVIL, EVIL), reference_product=EVIL, database_names={EVIL: EVIL},
        tree=_tree(node, Category(EVIL, EVIL, EVIL, EVIL, EVIL)),
        crumbs=(Crumb(EVIL, EVIL, EVIL, EVIL, (EVIL,)),),
        path=(EVIL, "p1"), method=EVIL,
    )
    doc = render_node_page(page, "/s", "/graphql", "http://h")
    assert "<script>alert" not in doc
    assert doc.count("<script") == 1  # the page's own viewer.js
    parsed = _parse(doc)
    assert any(EVIL in t for t in parsed.text)
    hrefs = [a["href"] for t, a in parsed.tags if t == "a" and a.get("href")]
    assert hrefs and all(h.startswith(("http://h/", "#")) and "<" not in h for h in hrefs)  # built from ids


def test_breadcrumb_links_back_and_marks_current() -> None:
    crumbs = (Crumb("p0", "Root model", "transport", "USLCI transport", ("p0",)),)
    doc = render_node_page(_page(crumbs=crumbs, path=("p0", "p1")), "/s", "/graphql", "http://h")
    assert '<nav class="crumbs" aria-label="Breadcrumb">' in doc
    assert '<a href="http://h/n/p0">Root model</a>' in doc
    assert '<li aria-current="page">Transport, truck</li>' in doc
    assert 'data-path="p0/p1"' in doc and 'data-root="p0"' in doc


def test_message_page_is_escaped() -> None:
    doc = render_message("Not found", f"process {EVIL} is unknown", "search by name", "/s", "http://h")
    assert "<script>alert" not in doc and "&lt;script&gt;" in doc


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_text_colours_meet_wcag_aa() -> None:
    css = (Path(__file__).parents[2] / "api" / "viewer" / "static" / "viewer.css").read_text(encoding="utf-8")
    var = dict(re.findall(r"--([a-z]+):\s*(#[0-9a-fA-F]{6})", css))
    pairs = [("ink", "paper"), ("muted", "paper"), ("accent", "paper"), ("muted", "soft"), ("accent", "soft"),
             ("ink", "soft"), ("neg", "paper"), ("paper", "accent")]
    for fg, bg in pairs:
        assert _contrast(var[fg], var[bg]) >= 4.5, (fg, bg, _contrast(var[fg], var[bg]))
    for literal in re.findall(r"(?<!-)color:\s*(#[0-9a-fA-F]{6})", css):
        assert _contrast(literal, var["paper"]) >= 4.5, literal
