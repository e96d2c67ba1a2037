"""The web app under abuse: typed failures of a singular graph, NUL ids, huge amounts, hostile
bodies, uploads without a token, Host headers, security headers and reflected payloads. The
app is served by uvicorn on 127.0.0.1 (random port) on the real embedded engine."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.cli.serve import serve_in_thread
from api.graphql.mutations import upload_name
from graph.store import GraphStore
from tests.security.api_fixtures import TOKEN, settings, write_hand_system, write_singular_loop

LEAKS = re.compile(r"Traceback|File \"|/tmp/|\.py\b|MATCH |UNWIND |RETURN |CYPHER ")


@pytest.fixture
def hand(store: GraphStore) -> GraphStore:
    write_hand_system(store)
    return store


@pytest.fixture
def client(hand: GraphStore) -> Iterator[httpx.Client]:
    with serve_in_thread(create_app(settings(), hand)) as base, httpx.Client(base_url=base, timeout=60) as c:
        yield c


def gql(client: httpx.Client, query: str) -> httpx.Response:
    return client.post("/graphql", json={"query": query})


def typename(reply: httpx.Response, field: str) -> str:
    body = reply.json()
    assert reply.status_code == 200 and not body.get("errors"), body
    assert not LEAKS.search(reply.text), reply.text
    return str(body["data"][field]["__typename"])


def test_singular_graph_gives_typed_failures_everywhere(client: httpx.Client, hand: GraphStore) -> None:
    write_singular_loop(hand)
    for field in ("footprint", "upstream", "node"):
        reply = gql(
            client,
            f'{{ {field}(processId: "R", refresh: true) {{ __typename ... on Problem {{ message }} }} }}',
        )
        assert typename(reply, field) == "CalculationFailed"
        assert "'X'" in reply.text and "'Y'" in reply.text
    page = client.get("/n/R")
    assert page.status_code == 422 and "No footprint" in page.text and not LEAKS.search(page.text)


def test_nul_in_ids_is_not_found(client: httpx.Client) -> None:
    for field, arg in (
        ("process", "id"),
        ("flow", "id"),
        ("footprint", "processId"),
        ("upstream", "processId"),
    ):
        reply = gql(client, f'{{ {field}({arg}: "R\\u0000") {{ __typename }} }}')
        assert typename(reply, field) == "NotFound"
    page = client.get("/n/R%00")
    assert page.status_code == 404 and not LEAKS.search(page.text)
    assert client.get("/qr/R%00.svg").status_code == 404
    assert client.get("/", params={"q": "process\x00"}).status_code == 200


def test_huge_amounts_are_refused_clearly(client: httpx.Client) -> None:
    for field in ("upstream", "footprint"):
        reply = gql(
            client,
            f'{{ {field}(processId: "R", amount: 1e308) {{ __typename ... on Problem {{ message }} }} }}',
        )
        assert typename(reply, field) == "InvalidArgument" and "out of range" in reply.text
    page = client.get("/n/R", params={"amount": "1e308"})
    assert page.status_code == 400 and "out of range" in page.text
    assert not re.search(r"\binf\b|\bnan\b", page.text)


@pytest.mark.parametrize(
    "body",
    [
        b"null",
        b"[" * 100_000 + b"]" * 100_000,
        b'[{"query": "{ health { engine } }"}]',
        b'"text"',
        b"{not json",
    ],
)
def test_hostile_graphql_bodies_give_400(client: httpx.Client, body: bytes) -> None:
    reply = client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert reply.status_code == 400 and not LEAKS.search(reply.text)
    assert client.get("/health").status_code == 200  # the server is still serving


def test_request_body_over_the_limit_is_refused_before_reading(client: httpx.Client) -> None:
    reply = client.post(
        "/graphql", content=b"{" + b" " * (2 << 20) + b"}", headers={"content-type": "application/json"}
    )
    assert reply.status_code == 413


def test_upload_without_token_refused_before_it_is_received(client: httpx.Client) -> None:
    """100 MB announced, 1 MB sent: the 401 arrives while 99 MB were never sent."""
    url = httpx.URL(str(client.base_url))
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{url.port}\r\n"
        f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {100 << 20}\r\n\r\n"
    )
    with socket.create_connection((url.host, url.port), timeout=10) as sock:
        sock.sendall(head.encode() + b"--b\r\n" + b"x" * (1 << 20))
        answer = sock.recv(4096).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 401") and "API token" in answer
    small = client.post("/graphql", files={"x": ("a.zip", b"x")}, data={"operations": "{}", "map": "{}"})
    assert small.status_code == 401 and "API token" in small.text


@pytest.mark.parametrize("given", ["", ".", "..", "../..", "/", "a/../..", "..\\..", "x\x00y"])
def test_upload_names_fall_back_to_a_safe_name(given: str) -> None:
    assert upload_name(given) == "upload.zip"


def test_upload_name_keeps_the_base_name() -> None:
    assert upload_name("../../etc/USLCI.zip") == "USLCI.zip"


def test_import_errors_do_not_show_server_paths(client: httpx.Client, tmp_path: Path) -> None:
    query = (
        'mutation($f: Upload!) { importDataset(file: $f, name: "x") { __typename '
        "... on Problem { message } ... on ImportFailed { file } } }"
    )
    operations = json.dumps({"query": query, "variables": {"f": None}})
    reply = client.post(
        "/graphql",
        headers={"Authorization": f"Bearer {TOKEN}"},
        data={"operations": operations, "map": json.dumps({"0": ["variables.f"]})},
        files={"0": ("broken.zip", b"PK\x03\x04 not a zip")},
    )
    assert reply.status_code == 200, reply.text
    assert "lcagraph-upload-" not in reply.text and "/tmp" not in reply.text
    assert reply.json()["data"]["importDataset"]["__typename"] == "ImportFailed"


def test_host_header_is_not_trusted_without_public_base_url(client: httpx.Client) -> None:
    reply = client.get("/n/R", headers={"Host": "evil.example"})
    assert reply.status_code == 400 and "evil.example" not in reply.text
    assert client.get("/qr/R.svg", headers={"Host": "evil.example:80"}).status_code == 400
    assert client.get("/n/R", headers={"Host": "localhost"}).status_code == 200


def test_public_base_url_builds_the_links_whatever_the_host(hand: GraphStore) -> None:
    app = create_app(settings(public_base_url="https://lca.example"), hand)
    with serve_in_thread(app) as base, httpx.Client(base_url=base) as c:
        page = c.get("/n/R", headers={"Host": "evil.example"})
    assert page.status_code == 200 and "evil.example" not in page.text and "https://lca.example" in page.text


@pytest.mark.parametrize("path", ["/n/R", "/", "/health", "/graphql", "/docs", "/qr/R.svg", "/n/missing"])
def test_security_headers_everywhere(client: httpx.Client, path: str) -> None:
    reply = client.get(path, headers={"Accept": "text/html"})
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["referrer-policy"] == "no-referrer"
    if reply.headers["content-type"].startswith("text/html"):
        csp = reply.headers["content-security-policy"]
        script = re.search(r"script-src ([^;]*)", csp)
        assert script and "unsafe-inline" not in script.group(1), csp


def test_cors_is_off_unless_configured(client: httpx.Client, hand: GraphStore) -> None:
    origin = {"Origin": "https://evil.example"}
    assert "access-control-allow-origin" not in client.get("/health", headers=origin).headers
    assert "access-control-allow-origin" not in gql(client, "{ health { engine } }").headers
    app = create_app(settings(cors_origins=("https://front.example",)), hand)
    with serve_in_thread(app) as base, httpx.Client(base_url=base) as c:
        allowed = c.get("/health", headers={"Origin": "https://front.example"})
        other = c.get("/health", headers=origin)
    assert allowed.headers["access-control-allow-origin"] == "https://front.example"
    assert "access-control-allow-origin" not in other.headers


XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


@pytest.mark.parametrize("params", [{"path": XSS}, {"amount": XSS}, {"method": XSS}, {"path": f"R,{XSS}"}])
def test_reflected_parameters_are_escaped(client: httpx.Client, params: dict[str, str]) -> None:
    page = client.get("/n/R", params=params)
    assert page.status_code in (400, 404), page.status_code
    assert "<script>alert" not in page.text and "<img src=x" not in page.text, page.text


def test_reflected_ids_are_escaped(client: httpx.Client) -> None:
    for url in (f"/n/{XSS}", f"/?q={XSS}", f"/qr/{XSS}.svg"):
        page = client.get(url)
        assert "<script>alert" not in page.text and "<img src=x" not in page.text, url


def test_error_responses_hold_no_internals(client: httpx.Client) -> None:
    for query in (
        '{ process(id: "R\\u0000") { __typename } }',
        "{ nosuchfield }",
        '{ upstream(processId: "R", depth: 99) { __typename ... on Problem { message } } }',
    ):
        assert not LEAKS.search(gql(client, query).text)


def errors_of(reply: httpx.Response) -> list[str]:
    assert reply.status_code < 500 and not LEAKS.search(reply.text), reply.text
    return [e["message"] for e in reply.json().get("errors") or []]


def test_depth_aliases_fragment_cycles_and_page_sizes_are_bounded(client: httpx.Client) -> None:
    cycle = "query { health { ...A } } fragment A on Health { engine ...B } fragment B on Health { ...A }"
    assert any("Cannot spread fragment" in m for m in errors_of(gql(client, cycle)))
    levels = "children { " * 40 + "total" + " }" * 40
    deep = '{ upstream(processId: "R") { ... on TreeNode { ' + levels + " } } }"
    assert any("depth" in m for m in errors_of(gql(client, deep)))
    aliases = "{ " + " ".join(f"a{i}: health {{ engine }}" for i in range(200)) + " }"
    assert errors_of(gql(client, aliases))
    assert any("first" in m for m in errors_of(gql(client, "{ processes(first: 100000) { totalCount } }")))
    tokens = "{ health { " + "engine " * 10_000 + "} }"
    assert errors_of(gql(client, tokens))


def test_long_names_are_not_amplified_by_the_qr_image(hand: GraphStore) -> None:
    """A name at the import's string limit (100,000 bytes) appears once, shortened, in the QR SVG."""
    hand.write("MATCH (p:Process {id: 'R'}) SET p.name = $name", {"name": "N" * 100_000})
    with serve_in_thread(create_app(settings(), hand)) as base, httpx.Client(base_url=base) as c:
        svg = c.get("/qr/R.svg")
    assert svg.status_code == 200 and len(svg.text) < 20_000 and "N" * 200 not in svg.text
