"""The node page as rendered: number formats, escaping of every value, structure, colours."""

from __future__ import annotations

import html.parser
import re
from dataclasses import replace
from pathlib import Path

import pytest

from api.services.readmodels import Completeness, Contributor, Crumb, DatabaseInfo, Footprint, NodePage
from api.viewer.render import fmt_number, fmt_share, render_message, render_node_page

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


def _page(**changes: object) -> NodePage:
    db = DatabaseInfo("transport", "USLCI transport", "1.1", "CC0", "US LCA Commons")
    fp = Footprint(amount=1.0, unit="kg CO2-eq", total=0.2, direct=0.05, category="cat",
                   category_name="GWP100", method_name="IPCC AR6", root_total=0.2, graph_version=7)
    kids = (
        Contributor("p2", "Diesel, at refinery", "uslci", "USLCI FY17 Q4", 0.01, "l", 0.1, 0.12, ("p1", "p2"),
                    "http://h/n/p2?path=p1/p2", crosses_database=True, child_count=3),
        Contributor("p3", "Truck maintenance", "transport", "USLCI transport", 1.0, "p", 0.03, 0.03,
                    ("p1", "p3"), "http://h/n/p3?path=p1/p3", child_count=0),
    )
    page = NodePage(
        process="p1", name="Transport, truck", database=db, footprint=fp, location="US",
        reference_product="transport, truck", ref_amount=1.0, ref_unit="t*km", contributors=kids,
        completeness=Completeness(linked=3, cut_off=1, ambiguous=0), sources=("EPA 2020",),
        deep_link="http://h/n/p1", qr_svg="http://h/qr/p1.svg", qr_png="http://h/qr/p1.png",
    )
    return replace(page, **changes)  # type: ignore[arg-type]


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
    db = DatabaseInfo(EVIL, EVIL, EVIL, EVIL, EVIL)
    kid = Contributor(EVIL, EVIL, EVIL, EVIL, 1.0, EVIL, 0.0, 1.0, (EVIL, EVIL), EVIL, crosses_database=True,
                      child_count=1)
    page = _page(name=EVIL, database=db, location=EVIL, category=EVIL, reference_product=EVIL, ref_unit=EVIL,
                 contributors=(kid,), sources=(EVIL,), deep_link=EVIL, qr_svg=EVIL, qr_png=EVIL,
                 crumbs=(Crumb(EVIL, EVIL, EVIL),), path=(EVIL, "p1"),
                 footprint=replace(_page().footprint, unit=EVIL, category=EVIL, category_name=EVIL,
                                   method_name=EVIL))
    doc = render_node_page(page, "/s", "/graphql", "http://h")
    assert "<script>alert" not in doc
    assert doc.count("<script") == 1  # the page's own viewer.js
    parsed = _parse(doc)
    assert any(EVIL in t for t in parsed.text)
    assert any(a.get("href") == EVIL for _, a in parsed.tags)


def test_breadcrumb_links_back_and_marks_current() -> None:
    crumbs = (Crumb("Root model", "USLCI transport", "http://h/n/p0"),)
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
