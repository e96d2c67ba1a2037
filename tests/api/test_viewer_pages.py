"""The viewer served on the real engine: node pages with hand-solved numbers, breadcrumbs, friendly
errors, QR images of the public deep link, static files, the unfolding query, the start page."""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import numpy as np
import pytest
import zxingcpp
from PIL import Image

from api.app import create_app
from api.cli.serve import serve_in_thread
from graph.results import CategoryResults, write_results
from graph.store import GraphStore
from graph.writer import write_database_content
from lcagraph.config import Settings
from lcagraph.records import (
    CharacterisationFactor,
    Database,
    DatabaseContent,
    Exchange,
    Flow,
    ImpactCategory,
    ImpactMethod,
    Process,
    ProviderLink,
    Unlinked,
)

# A hand-solved system: truck transport T (foreground "freight") uses 0.05 kg diesel D from
# "bgdb" (crosses databases), 0.001 kg lubricant from L1 (ambiguous: L1 or L2) and a cut-off
# input. D uses 1.2 kg crude C. Direct kg CO2-eq per unit: T 0.1, D 0.5, C 0.2, L1 3, L2 2.
#   t_C = 0.2, t_D = 0.5 + 1.2·0.2 = 0.74, t_L1 = 3, t_T = 0.1 + 0.05·0.74 + 0.001·3 = 0.14

T_D = 0.5 + 1.2 * 0.2
T_T = 0.1 + 0.05 * T_D + 0.001 * 3.0
HAND_DIRECT = {"T": 0.1, "D": 0.5, "C": 0.2, "L1": 3.0, "L2": 2.0}
HAND_TOTAL = {"T": T_T, "D": T_D, "C": 0.2, "L1": 3.0, "L2": 2.0}
EVIL_NAME = 'Lubricant <img src=x onerror="alert(1)">'


def _hand_contents() -> list[DatabaseContent]:
    flows = (Flow("f-t", "transport, truck", "product", "t*km"), Flow("f-d", "diesel", "product", "kg"),
             Flow("f-c", "crude oil", "product", "kg"), Flow("f-l", "lubricant", "product", "kg"),
             Flow("f-cut", "CUTOFF tyres", "product", "kg"),
             Flow("co2", "Carbon dioxide", "elementary", "kg"))

    def x(pid: str, n: int, flow: str, is_input: bool, amount: float, **kw: Any) -> Exchange:
        return Exchange(f"{pid}/{n}", pid, flow, is_input, amount, "kg", amount, **kw)

    def proc(pid: str, name: str, db: str, flow: str, **kw: Any) -> Process:
        return Process(pid, name, db, location="US", ref_flow=flow, ref_unit="kg", **kw)

    bg = DatabaseContent(
        database=Database("bgdb", "Background LCI", "test", "FY17", "CC0", "JSON-LD", "background"),
        flows=flows,
        processes=(proc("D", "Diesel, at refinery", "bgdb", "f-d"),
                   proc("C", "Crude oil, extracted", "bgdb", "f-c"),
                   proc("L1", EVIL_NAME, "bgdb", "f-l"), proc("L2", "Lubricant, other", "bgdb", "f-l")),
        exchanges=(x("D", 0, "f-d", False, 1.0, is_reference=True), x("D", 1, "f-c", True, 1.2),
                   x("D", 2, "co2", False, 0.5), x("C", 0, "f-c", False, 1.0, is_reference=True),
                   x("C", 1, "co2", False, 0.2), x("L1", 0, "f-l", False, 1.0, is_reference=True),
                   x("L1", 1, "co2", False, 3.0), x("L2", 0, "f-l", False, 1.0, is_reference=True),
                   x("L2", 1, "co2", False, 2.0)),
        links=(ProviderLink("D", "C", "f-c", "D/1", 1.2, "unique"),),
        methods=(ImpactMethod("m", "IPCC AR6 GWP100"),),
        categories=(ImpactCategory("gwp", "Climate change", "m", "kg CO2-eq"),),
        factors=(CharacterisationFactor("gwp", "co2", 1.0),),
    )
    fg = DatabaseContent(
        database=Database("freight", "Freight module", "test", "1.1", "CC0 1.0", "JSON-LD", "background"),
        processes=(Process("T", "Transport, truck", "freight", location="US", ref_flow="f-t", ref_unit="t*km",
                           sources=("EPA SmartWay 2020",)),),
        exchanges=(x("T", 0, "f-t", False, 1.0, is_reference=True), x("T", 1, "f-d", True, 0.05),
                   x("T", 2, "f-l", True, 0.001), x("T", 3, "f-cut", True, 0.2),
                   x("T", 4, "co2", False, 0.1)),
        links=(ProviderLink("T", "D", "f-d", "T/1", 0.05, "default"),
               ProviderLink("T", "L1", "f-l", "T/2", 0.001, "ambiguous", candidates=("L1", "L2"))),
        unlinked=(Unlinked("T", "f-cut", "T/3", "no provider of CUTOFF tyres"),),
    )
    return [bg, fg]


@pytest.fixture
def hand_viewer_store(store: GraphStore) -> GraphStore:
    for content in _hand_contents():
        with store.unit_of_work() as writer:
            write_database_content(writer, content)
    version = store.graph_version()
    direct, total = [HAND_DIRECT[p] for p in HAND_DIRECT], [HAND_TOTAL[p] for p in HAND_DIRECT]
    write_results(store, CategoryResults("gwp", "m", "kg CO2-eq", version, 0.0, list(HAND_DIRECT),
                                         direct, total))
    return store


def _settings(base: str = "") -> Settings:
    return Settings(graph_url="embedded://unused", data_dir=Path("."), neo4j_user="", neo4j_password="",
                    neo4j_database="", public_base_url=base, api_token="")


@pytest.fixture
def client(hand_viewer_store: GraphStore) -> Iterator[httpx.Client]:
    app = create_app(_settings(), hand_viewer_store)
    with serve_in_thread(app) as base, httpx.Client(base_url=base) as c:
        yield c


def _kid_totals(doc: str) -> list[float]:
    return [float(v) for v in re.findall(r'<div class="num"><span class="value" data-value="([^"]+)"', doc)]


def _values(doc: str, cls: str) -> list[float]:
    return [float(v) for v in re.findall(rf'class="[^"]*\b{cls}\b[^"]*" data-value="([^"]+)"', doc)]


def test_node_page_shows_hand_solved_numbers(client: httpx.Client) -> None:
    reply = client.get("/n/T")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/html")
    doc = reply.text
    assert _values(doc, "total-value") == [pytest.approx(T_T, rel=1e-12)]
    assert _values(doc, "direct-value") == [pytest.approx(0.1, rel=1e-12)]
    assert "0.14" in doc and "kg CO2-eq" in doc and "IPCC AR6 GWP100" in doc
    rows = re.findall(r'<li class="node dq-([a-z-]+)" data-process="([^"]*)" data-path="([^"]*)">', doc)
    assert [r[1:] for r in rows] == [("D", "T/D"), ("L1", "T/L1")]  # largest first
    # the node and each contributor: DQR band, 95 % interval and coverage, also as a sentence
    sentences = re.findall(r'<span class="sr-only">(data quality [^<]*)</span>', doc)
    assert len(sentences) == 3 and all("95 % interval" in s and "coverage" in s for s in sentences)
    kid_totals = _kid_totals(doc)
    np.testing.assert_allclose(kid_totals, [0.05 * T_D, 0.001 * 3.0], rtol=1e-12)
    assert math.isclose(0.1 + sum(kid_totals), T_T, rel_tol=1e-12)
    assert "Jump to Background LCI →" in doc and "26.4 %" in doc
    assert "Freight module 1.1" in doc and "CC0 1.0" in doc and "EPA SmartWay 2020" in doc
    for count, label in ((1, "linked"), (1, "cut off"), (1, "ambiguous")):
        assert f'<span class="count">{count}</span> {label}' in doc
    assert "Ambiguous links" in doc
    assert "<img src=x" not in doc and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in doc


def test_page_in_context_has_breadcrumb_back(client: httpx.Client) -> None:
    doc = client.get("/n/D", params={"path": "T/D"}).text
    assert _values(doc, "total-value") == [pytest.approx(0.05 * T_D, rel=1e-12)]
    crumb = re.search(r'aria-label="Breadcrumb"><ol><li><a href="([^"]+)">([^<]+)</a>', doc)
    assert crumb is not None and crumb.group(2) == "Transport, truck"
    back = urlsplit(html.unescape(crumb.group(1)))
    assert back.path == "/n/T" and back.query == ""
    assert "26.4 % of Transport, truck" in doc
    assert 'data-root="T"' in doc and 'data-path="T/D"' in doc


@pytest.mark.parametrize(("url", "status", "says"), [
    ("/n/nope", 404, "not in the graph"),
    ("/n/T?amount=lots", 400, "is not a number"),
    ("/n/T?amount=inf", 400, "not a finite number"),
    ("/n/D?path=T/C", 400, "path ends at"),
    ("/n/C?path=T/C", 404, "does not supply"),
    ("/n/T?method=nope", 404, "nope"),
    ("/qr/nope.svg", 404, "not in the graph"),
    ("/qr/T.png?size=5000", 400, "out of range"),
    ("/qr/T.png?size=big", 400, "whole number"),
    ("/static/viewer/secret.py", 404, "does not exist"),
])
def test_friendly_errors(client: httpx.Client, url: str, status: int, says: str) -> None:
    reply = client.get(url)
    assert reply.status_code == status
    assert reply.headers["content-type"].startswith("text/html")
    assert says in html.unescape(reply.text) and "Traceback" not in reply.text
    assert '<meta name="viewport"' in reply.text


def test_missing_results_are_calculated_on_demand(store: GraphStore) -> None:
    """A reader with a phone cannot run `lcagraph calculate`: the page solves the graph once."""
    for content in _hand_contents():
        with store.unit_of_work() as writer:
            write_database_content(writer, content)
    with serve_in_thread(create_app(_settings(), store)) as base:
        reply = httpx.get(f"{base}/n/T")
    assert reply.status_code == 200
    doc = html.unescape(reply.text)
    assert f"{T_T:.4g}" in doc and "kg CO2-eq" in doc


def test_qr_images_encode_the_public_deep_link(hand_viewer_store: GraphStore) -> None:
    public = "https://lca.example.org"
    with serve_in_thread(create_app(_settings(public), hand_viewer_store)) as base, \
            httpx.Client(base_url=base) as c:
        png = c.get("/qr/D.png", params={"path": "T/D", "size": "300"})
        svg = c.get("/qr/T.svg")
        reply = c.get("/n/T")
        page, c_headers = reply.text, reply.headers
        gql = c.post("/graphql", json={"query": '{ process(id: "T") { ... on Process { deepLink qrUrl } } }'})
    assert png.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(png.content))
    assert image.size == (300, 300)
    decoded = zxingcpp.read_barcodes(image.convert("L"))
    assert [d.text for d in decoded] == [f"{public}/n/D?path=T/D"]
    assert svg.headers["content-type"].startswith("image/svg+xml") and "Transport, truck" in svg.text
    assert f'src="{public}/qr/T.svg"' in page
    csp = c_headers["content-security-policy"]
    assert "script-src 'self';" in csp and f"img-src 'self' data: {public};" in csp
    links = gql.json()["data"]["process"]
    assert links["deepLink"] == f"{public}/n/T" and links["qrUrl"] == f"{public}/qr/T.svg"


def test_static_files_and_unfolding_query_match_the_page(client: httpx.Client) -> None:
    js = client.get("/static/viewer/viewer.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert client.get("/static/viewer/viewer.css").headers["content-type"].startswith("text/css")
    query = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', js.text.split("var QUERY =")[1].split(";")[0]))
    body = client.post("/graphql", json={"query": query, "variables": {
        "processId": "T", "path": ["T"], "method": "gwp", "amount": None}}).json()
    assert not body.get("errors"), body
    kids = body["data"]["upstream"]["children"]
    assert [(k["processId"], k["database"]["name"]) for k in kids] == [
        ("D", "Background LCI"), ("L1", "Background LCI")]
    page = client.get("/n/T").text
    shown = _kid_totals(page)
    assert [k["total"] for k in kids] == shown


def test_home_page_searches_and_lists_databases(client: httpx.Client) -> None:
    doc = client.get("/", params={"q": "truck"}).text
    assert '<a href="http://127.0.0.1' in doc and "/n/T" in doc and "Transport, truck" in doc
    assert "Background LCI" in doc and "4 processes" in doc and "Freight module" in doc
    assert 'value="truck"' in doc
    evil = client.get("/", params={"q": '"><script>x</script>'}).text
    assert "<script>x" not in evil and "No process name holds every word" in evil
