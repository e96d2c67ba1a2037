"""End to end in real headless Chromium (Debian's /usr/bin/chromium driven by Playwright): the QR
code of a transport-module node, decoded by zxing-cpp, opens the viewer on a 390×844 phone
screen; the shown total equals the API's; a child unfolds in place; a jump goes into USLCI and
the breadcrumb comes back. Screenshots go to artifacts/e2e-viewer/ (git-ignored).

Needs ``scripts/install-browser`` (run by scripts/test); a missing browser fails, never skips.
"""

from __future__ import annotations

import io
import math
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import BrowserContext, Page, sync_playwright
from rich.console import Console

from api.app import create_app
from api.cli.demo import ensure_footprints, import_missing
from api.cli.serve import serve_in_thread
from api.services.datasets import DEMO_FILES, locate_data
from api.services.demo import DEMO_IMPORTS, USLCI, DemoImport, demo_node
from api.viewer.render import fmt_number
from graph.connect import open_embedded
from graph.embedded import EmbeddedServer
from graph.falkor import STAGE_SUFFIX, FalkorStore
from graph.store import GraphStore
from lcagraph.config import PROJECT_ROOT, Settings, load_settings

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
ARTIFACTS = PROJECT_ROOT / "artifacts" / "e2e-viewer"
UPSTREAM = """query($id: ID!, $path: [ID!]!) {
  upstream(processId: $id, path: $path, depth: 1, cutoff: 0.001, maxNodes: 61) {
    __typename ... on Problem { message }
    ... on TreeNode { total direct name children { processId name total databaseId crossesDatabase } }
  }
}"""


def _settings() -> Settings:
    return Settings(graph_url="embedded://unused", data_dir=Path("."), neo4j_user="", neo4j_password="",
                    neo4j_database="", public_base_url="", api_token="")


@pytest.fixture(scope="module")
def demo_store(falkordb_server: EmbeddedServer) -> Iterator[FalkorStore]:
    """USLCI and the transport module (USLCI as background), imported and calculated."""
    graph = "e2e-viewer"
    store = open_embedded(falkordb_server.data_dir, graph=graph, stop_on_close=False)
    store.ensure_schema()
    try:
        build_demo_graph(store, DEMO_IMPORTS[:2])  # USLCI (with its version and licence), transport
        yield store
    finally:
        conn: Any = store._client.connection
        conn.delete(graph, graph + STAGE_SUFFIX)
        store.close()


def build_demo_graph(store: GraphStore, imports: tuple[DemoImport, ...]) -> None:
    console = Console(quiet=True)
    import_missing(store, locate_data(DEMO_FILES, load_settings()), console, imports)
    ensure_footprints(store, console)


@pytest.fixture(scope="module")
def browser() -> Iterator[BrowserContext]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run scripts/install-browser (scripts/test does)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lcg-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, viewport=PHONE,
            is_mobile=True, has_touch=True, device_scale_factor=1, locale="en-US",
        )
        try:
            yield context
        finally:
            context.close()


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _no_horizontal_scroll(page: Page, screen: int = PHONE["width"]) -> None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner == screen, f"page is {width} px wide on a {inner} px screen"


def _upstream(api: httpx.Client, root: str, path: list[str]) -> dict[str, Any]:
    body = api.post("/graphql", json={"query": UPSTREAM, "variables": {"id": root, "path": path}}).json()
    assert not body.get("errors"), body
    node: dict[str, Any] = body["data"]["upstream"]
    assert node["__typename"] == "TreeNode", node
    return node


def _shown_total(page: Page) -> tuple[float, str]:
    total = page.locator(".total-value")
    return float(total.get_attribute("data-value") or "nan"), total.inner_text()


def _decode_qr(api: httpx.Client, node: str) -> str:
    """Render the node's QR PNG on the server and decode it with zxing-cpp."""
    png = api.get(f"/qr/{node}.png", params={"size": "480"})
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    (ARTIFACTS / "00-qr.png").write_bytes(png.content)
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)).convert("L"))
    assert len(codes) == 1 and codes[0].ec_level in ("M", "Q", "H")
    return str(codes[0].text)


def _open_page(browser: BrowserContext, errors: list[str]) -> Page:
    page = browser.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "404" not in m.text
            else None)  # the 404 page at the end logs its status as a console error
    return page


def _check_total(page: Page, expected: float) -> None:
    """The page shows the API's total: the exact float in data-value, the text as formatted."""
    value, text = _shown_total(page)
    assert value == expected and text == fmt_number(expected)


def _unfold_first_child(page: Page, api: httpx.Client, node: str, root: dict[str, Any]) -> None:
    """Unfold the largest contributor with the keyboard; its children are the API's."""
    first = page.locator("#tree > li.node").first
    child = first.get_attribute("data-process")
    assert child == root["children"][0]["processId"]
    button = first.locator(":scope > .row > button.unfold")
    button.focus()
    page.keyboard.press("Enter")  # a native button: the keyboard works
    nested = first.locator(":scope > ol > li.node")
    nested.first.wait_for()
    assert button.get_attribute("aria-expanded") == "true"
    below = _upstream(api, node, [node, str(child)])
    values = nested.locator(":scope > .row .num .value")
    shown = values.evaluate_all("els => els.map(e => Number(e.getAttribute('data-value')))")
    assert shown == [c["total"] for c in below["children"]]
    assert values.all_inner_texts() == [fmt_number(c["total"]) for c in below["children"]]


def _jump_and_come_back(page: Page, node: str, name: str, root: dict[str, Any]) -> None:
    """Follow the first "Jump to USLCI" link, check the page there, return by the breadcrumb."""
    jump = page.locator("#tree > li.node a.jump").first
    target = str(jump.locator("xpath=ancestor::li[1]").get_attribute("data-process"))
    assert "Jump to " + USLCI in jump.inner_text()
    jump.click()
    page.wait_for_url(re.compile(rf"/n/{re.escape(target)}\?path={re.escape(node)}/"))
    assert USLCI in page.locator(".facts").inner_text()
    _check_total(page, next(c["total"] for c in root["children"] if c["processId"] == target))
    crumb = page.locator("nav.crumbs a").first
    assert crumb.inner_text() == name
    _no_horizontal_scroll(page)
    _shot(page, "03-jumped-into-uslci")
    crumb.click()
    page.wait_for_url(re.compile(rf"/n/{re.escape(node)}$"))
    assert page.locator("h1").inner_text() == name
    _check_total(page, root["total"])
    assert page.locator("img.qr").evaluate("img => img.complete && img.naturalWidth > 0")
    _shot(page, "04-back")


def _other_widths(page: Page) -> None:
    for width, height, label in ((360, 740, "06-360px"), (1280, 800, "07-desktop")):
        page.set_viewport_size({"width": width, "height": height})
        page.reload()
        page.locator("#tree > li.node button.unfold").first.click()
        page.locator("#tree > li.node > ol > li.node").first.wait_for()
        _no_horizontal_scroll(page, width)
        _shot(page, label)
    page.set_viewport_size(PHONE)


def test_qr_to_phone_viewer_unfold_jump_and_back(demo_store: FalkorStore, browser: BrowserContext) -> None:
    node, name = demo_node(demo_store)
    errors: list[str] = []
    with serve_in_thread(create_app(_settings(), demo_store)) as base, httpx.Client(base_url=base) as api:
        url = _decode_qr(api, node)
        assert url == f"{base}/n/{node}"
        page = _open_page(browser, errors)
        page.goto(url)
        assert page.locator("h1").inner_text() == name
        root = _upstream(api, node, [node])
        _check_total(page, root["total"])
        assert math.isclose(root["total"], root["direct"] + math.fsum(c["total"] for c in root["children"]),
                            rel_tol=1e-9)
        _no_horizontal_scroll(page)
        _shot(page, "01-transport-node")
        _unfold_first_child(page, api, node, root)
        _no_horizontal_scroll(page)
        _shot(page, "02-unfolded")
        _jump_and_come_back(page, node, name, root)
        _other_widths(page)
        page.goto(f"{base}/n/no-such-process")
        assert "Not found" in page.locator("h1").inner_text()
        _no_horizontal_scroll(page)
        _shot(page, "05-not-found")
    assert errors == []


ELECTRICITY = "89389d98-1ba6-30c5-9c33-92443694936b"  # Electricity, at Grid, US, 2010: 1 kWh of an MJ flow
WHEAT_STRAW = "f002e825-5cb6-3949-be51-863c7fe5d5da"  # 1 t of a kg flow
RESULT = """query($id: ID!) { process(id: $id) { ... on Process { referenceAmount referenceUnit
  result { ... on CachedResult { total referenceUnit } } } } }"""


@pytest.mark.parametrize(("process", "per"), [(ELECTRICITY, "per 1 kWh of"), (WHEAT_STRAW, "per 1 t of")])
def test_reference_amounts_in_the_unit_they_are_in(
    demo_store: FalkorStore, browser: BrowserContext, process: str, per: str,
) -> None:
    errors: list[str] = []
    with serve_in_thread(create_app(_settings(), demo_store)) as base, httpx.Client(base_url=base) as api:
        body = api.post("/graphql", json={"query": RESULT, "variables": {"id": process}}).json()["data"]
        facts = body["process"]
        unit = facts["referenceUnit"]
        assert facts["referenceAmount"] == 1.0 and facts["result"]["referenceUnit"] == unit
        per_unit = facts["result"]["total"]  # per one kWh (t), as the page and the tree show it
        page = _open_page(browser, errors)
        page.goto(f"{base}/n/{process}")
        assert page.locator(".for").inner_text().startswith(per)
        facts = page.locator(".facts").inner_text()  # the release and licence the demo import gives
        assert "USLCI FY17 Q4 FY17 Q4" in facts and "CC0 1.0 (public domain)" in facts
        root = _upstream(api, process, [process])
        assert math.isclose(root["total"], per_unit, rel_tol=1e-12)
        _check_total(page, root["total"])
        page.goto(f"{base}/n/{process}?amount=2")  # amount= is in the dataset's own unit
        assert page.locator(".for").inner_text().startswith(per.replace(" 1 ", " 2 "))
        value, _ = _shown_total(page)
        assert math.isclose(value, 2 * per_unit, rel_tol=1e-12)
        _shot(page, f"units-{unit}")
    assert errors == []


def _offline_page(browser: BrowserContext, base: str, outside: list[str], errors: list[str]) -> Page:
    """A page that reaches only the app under test: every other request is refused and noted."""
    page = _open_page(browser, errors)

    def only_local(route: Any) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    return page


def test_graphiql_and_docs_work_offline(store: GraphStore, browser: BrowserContext) -> None:
    outside: list[str] = []
    errors: list[str] = []
    query = "{ health { engine graphVersion } }"
    with serve_in_thread(create_app(_settings(), store)) as base:
        page = _offline_page(browser, base, outside, errors)
        page.goto(f"{base}/graphql?q={quote(query)}", wait_until="networkidle")
        page.locator(".graphiql-execute-button").click()
        page.wait_for_function(
            "() => (document.querySelector('.graphiql-response') || {}).innerText?.includes('graphVersion')",
            timeout=30_000)
        answer = page.locator(".graphiql-response").inner_text()
        assert '"engine"' in answer and "falkordb" in answer.lower()
        _shot(page, "graphiql-offline")
        page.goto(f"{base}/docs", wait_until="networkidle")
        page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
        assert page.locator(".swagger-ui .info .title").inner_text().startswith("lcagraph")
        assert page.locator(".opblock-summary-path", has_text="/health").count() == 1
        _shot(page, "docs-offline")
    assert outside == [], "GraphiQL and /docs asked the network"
    assert errors == []


CHILDREN = """query($id: ID!) { upstream(processId: $id, depth: 1, cutoff: 0.001, maxNodes: 61) {
  ... on TreeNode { children { processId total unlinkedCount } } } }"""


def test_a_child_with_unlinked_inputs_says_so(demo_store: FalkorStore, browser: BrowserContext) -> None:
    errors: list[str] = []
    with serve_in_thread(create_app(_settings(), demo_store)) as base, httpx.Client(base_url=base) as api:
        body = api.post("/graphql", json={"query": CHILDREN, "variables": {"id": ELECTRICITY}}).json()
        children = [c for c in body["data"]["upstream"]["children"] if c["processId"]]
        flagged = {c["processId"]: c["unlinkedCount"] for c in children if c["unlinkedCount"]}
        assert flagged, "the grid mix has suppliers with inputs not linked"
        page = _open_page(browser, errors)
        page.goto(f"{base}/n/{ELECTRICITY}")
        for pid, count in flagged.items():
            row = page.locator(f'li.node[data-process="{pid}"] > .row .flag.unlinked')
            assert row.inner_text() == f"{count} {'input' if count == 1 else 'inputs'} not linked"
        for c in children:
            if not c["unlinkedCount"]:
                flag = page.locator(f'li.node[data-process="{c["processId"]}"] > .row .flag.unlinked')
                assert flag.count() == 0
        _shot(page, "unlinked-children")
    assert errors == []
