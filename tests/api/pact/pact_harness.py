"""PACT test harness (fixtures in conftest.py): a hand-made model with both built-in climate
categories, the app in-process and over real TLS on 127.0.0.1, a data recipient's receiver for
callbacks, and the OpenAPI checker.

The model (hand-solvable; kg CO2-eq per 1 kg or 1 kWh):

- power (US, 1 kWh): 0.5 kg fossil CO2, 0.001 kg fossil CH4 (29.8) -> 0.5298 in both categories.
- wood (DE, 1 kg): takes up 1.6 kg CO2 from air, emits 0.1 kg fossil and 0.2 kg biogenic CO2
  -> excluding uptake 0.1 + 0.2 = 0.3; including uptake 0.3 - 1.6 = -1.3; fossil 0.1.
- steel (US, 1 kg): 1.5 kg fossil CO2, 2 kWh power, 0.5 kg wood, 0.01 kg "CUTOFF paint" (unlinked)
  -> excluding 1.5 + 2 x 0.5298 + 0.5 x 0.3 = 2.7096; including 1.5 + 1.0596 - 0.65 = 1.9096;
  fossil 1.5 + 1.0596 + 0.5 x 0.1 = 2.6096.
- 1 of the database's 3 inputs needing a provider has none: exemptedEmissionsPercent 33.3333.
"""

from __future__ import annotations

import itertools
import ssl
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme
import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from pact_openapi import OpenApi, load_openapi

from api.app import create_app
from api.cli.serve import serve_in_thread
from api.pact.credentials import hash_secret
from api.pact.documents import ProductDeclaration
from api.pact.publishing import Publication, publish
from graph import pact_store
from graph.connect import open_embedded
from graph.embedded import EmbeddedServer
from graph.falkor import STAGE_SUFFIX, FalkorStore
from graph.writer import write_database_content
from lcagraph.config import PactCallback, PactSettings, Settings
from lcagraph.records import (
    CharacterisationFactor,
    Database,
    DatabaseContent,
    Exchange,
    Flow,
    ImpactCategory,
    ImpactMethod,
    PactClient,
    Process,
    ProviderLink,
    Unlinked,
)

AR6 = "ipcc-ar6-gwp100/climate-change"  # the carbon-neutral one: not used by PACT, here to be ignored
EXCL = "ipcc-ar6-gwp100/climate-change-excl-biogenic-uptake"
INCL = "ipcc-ar6-gwp100/climate-change-incl-biogenic"
CLIENT_ID, CLIENT_SECRET = "conformance-client", "a-secret-only-for-tests"
RECEIVER_ID, RECEIVER_SECRET = "lcagraph-at-recipient", "another-secret-only-for-tests"
GRANT = b"grant_type=client_credentials"
_graphs = itertools.count()


def model() -> DatabaseContent:
    air = ("Elementary flows", "Emission to air", "unspecified")
    flows = (
        Flow("f-steel", "steel, hot rolled", "product", "kg", "Mass"),
        Flow("f-power", "electricity, medium voltage", "product", "kWh", "Energy"),
        Flow("f-wood", "sawn wood", "product", "kg", "Mass"),
        Flow("f-paint", "CUTOFF paint", "product", "kg", "Mass"),
        Flow("f-co2", "Carbon dioxide, fossil", "elementary", "kg", "Mass", compartment=air),
        Flow("f-ch4", "Methane, fossil", "elementary", "kg", "Mass", compartment=air),
        Flow("f-co2-bio", "Carbon dioxide, biogenic", "elementary", "kg", "Mass", compartment=air),
        Flow("f-co2-air", "Carbon dioxide, in air", "elementary", "kg", "Mass",
             compartment=("resource", "in air")),
    )
    processes = (
        Process("power", "electricity, at grid", "pactfix", location="US", ref_flow="f-power", ref_unit="kWh",
                valid_from="2024-01-01", valid_until="2024-12-31"),
        Process("wood", "sawn wood, at mill", "pactfix", location="DE", ref_flow="f-wood", ref_unit="kg",
                valid_from="2023-01-01", valid_until="2023-12-31"),
        Process("steel", "steel, at mill", "pactfix", location="US", ref_flow="f-steel", ref_unit="kg",
                valid_from="2024-01-01", valid_until="2024-12-31"),
    )
    x = Exchange
    exchanges = (
        x("power/1", "power", "f-power", False, 1.0, "kWh", 1.0, is_reference=True),
        x("power/2", "power", "f-co2", False, 0.5, "kg", 0.5),
        x("power/3", "power", "f-ch4", False, 0.001, "kg", 0.001),
        x("wood/1", "wood", "f-wood", False, 1.0, "kg", 1.0, is_reference=True),
        x("wood/2", "wood", "f-co2-air", True, 1.6, "kg", 1.6),
        x("wood/3", "wood", "f-co2", False, 0.1, "kg", 0.1),
        x("wood/4", "wood", "f-co2-bio", False, 0.2, "kg", 0.2),
        x("steel/1", "steel", "f-steel", False, 1.0, "kg", 1.0, is_reference=True),
        x("steel/2", "steel", "f-co2", False, 1.5, "kg", 1.5),
        x("steel/3", "steel", "f-power", True, 2.0, "kWh", 2.0),
        x("steel/4", "steel", "f-wood", True, 0.5, "kg", 0.5),
        x("steel/5", "steel", "f-paint", True, 0.01, "kg", 0.01),
    )
    links = (ProviderLink("steel", "power", "f-power", "steel/3", 2.0, "unique"),
             ProviderLink("steel", "wood", "f-wood", "steel/4", 0.5, "unique"))
    method = ImpactMethod("ipcc-ar6-gwp100", "IPCC AR6 GWP100", "AR6 (2021)")
    categories = (ImpactCategory(AR6, "Climate change - GWP100", method.id, "kg CO2-eq"),
                  ImpactCategory(EXCL, "Climate change - GWP100, uptake excluded", method.id, "kg CO2-eq"),
                  ImpactCategory(INCL, "Climate change - GWP100, uptake included", method.id, "kg CO2-eq"))
    f = CharacterisationFactor
    factors = (f(AR6, "f-co2", 1.0), f(AR6, "f-ch4", 29.8), f(AR6, "f-co2-bio", 0.0),
               f(EXCL, "f-co2", 1.0), f(EXCL, "f-ch4", 29.8), f(EXCL, "f-co2-bio", 1.0),
               f(INCL, "f-co2", 1.0), f(INCL, "f-ch4", 29.8), f(INCL, "f-co2-bio", 1.0),
               f(INCL, "f-co2-air", 1.0))  # a resource input is negative in B: uptake lowers the total
    return DatabaseContent(
        database=Database("pactfix", "PACT fixture", kind="foreground"), flows=flows, processes=processes,
        exchanges=exchanges, links=links, unlinked=(Unlinked("steel", "f-paint", "steel/5", "cut-off"),),
        methods=(method,), categories=categories, factors=factors,
    )


def declaration(process: str, **changes: Any) -> ProductDeclaration:
    base: dict[str, Any] = {
        "steel": {"product_ids": ("urn:gtin:4012345000016",), "classifications": ("urn:pact:un-cpc:4112",),
                  "company_ids": ("urn:uuid:2b0b8e8e-6f1f-4c8a-9a53-0d3f3c1f0001",)},
        "wood": {"product_ids": ("urn:gtin:4012345000023", "urn:pact:example.com:wood-1"),
                 "classifications": ("urn:pact:un-cpc:3110",),
                 "company_ids": ("urn:uuid:2b0b8e8e-6f1f-4c8a-9a53-0d3f3c1f0002",)},
        "power": {"product_ids": ("urn:pact:example.com:power-mv",),
                  "company_ids": ("urn:uuid:2b0b8e8e-6f1f-4c8a-9a53-0d3f3c1f0001",)},
    }[process]
    return ProductDeclaration(process=process, company_name="Acme Steel", **{**base, **changes})


@dataclass
class Receiver:
    """A data recipient's PACT host, as far as callbacks need one: its token endpoint and /3/events."""

    url: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    token_requests: int = 0

    def wait_for(self, kind: str, request_id: str | None = None, timeout_s: float = 20.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for event in list(self.events):
                if event["type"].endswith(kind) and (request_id is None
                                                     or event["data"].get("requestEventId") == request_id):
                    return event
            time.sleep(0.05)
        raise AssertionError(f"no {kind} for {request_id!r} arrived; got {self.events}")


def receiver_app(receiver: Receiver) -> FastAPI:
    app = FastAPI()

    @app.post("/auth/token")
    async def token(request: Request) -> Response:
        receiver.token_requests += 1
        expected = httpx.BasicAuth(RECEIVER_ID, RECEIVER_SECRET)._auth_header
        if request.headers.get("authorization") != expected:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        return JSONResponse({"access_token": "receiver-token", "token_type": "Bearer", "expires_in": 60})

    @app.post("/3/events")
    async def events(request: Request) -> Response:
        if request.headers.get("authorization") != "Bearer receiver-token":
            return JSONResponse({"code": "BadRequest", "message": "Invalid token provided"}, status_code=401)
        receiver.headers.append(dict(request.headers))
        receiver.events.append(await request.json())
        return Response(status_code=200)

    return app


@pytest.fixture(scope="session")
def openapi() -> OpenApi:
    return load_openapi()


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    with serve_in_thread(receiver_app(found)) as url:
        found.url = url
        yield found


@pytest.fixture(scope="module")
def pact_graph(falkordb_server: EmbeddedServer) -> Iterator[FalkorStore]:
    """A graph with the model and one registered client (module scope: publishing calculates)."""
    name = f"pact{next(_graphs)}"
    opened = open_embedded(falkordb_server.data_dir, graph=name, stop_on_close=False)
    opened.ensure_schema()
    with opened.unit_of_work() as writer:
        write_database_content(writer, model())
    client = PactClient(CLIENT_ID, "conformance", hash_secret(CLIENT_SECRET), "2026-01-01T00:00:00Z")
    pact_store.create_client(opened, client)
    try:
        yield opened
    finally:
        conn: Any = opened._client.connection
        conn.delete(name, name + STAGE_SUFFIX)
        opened.close()


def pact_settings(receiver: Receiver, *, require_https: bool = True) -> Settings:
    return Settings(
        graph_url="embedded://unused", data_dir=Path("."), neo4j_user="", neo4j_password="",
        neo4j_database="", public_base_url="", api_token="",
        allowed_hosts=("127.0.0.1", "localhost", "pact.example.com"),  # the in-process clients' host
        pact=PactSettings(require_https=require_https, token_key="test-signing-key",
                          callbacks=(PactCallback(receiver.url, RECEIVER_ID, RECEIVER_SECRET),)),
    )


def publish_all(store: FalkorStore, settings: Settings) -> list[Publication]:
    """steel (then a new version of it), wood and power, at fixed times (list order = created)."""
    def at(minute: int) -> datetime:
        return datetime(2026, 1, 15, 10, minute, tzinfo=UTC)

    return [
        publish(store, settings, declaration("steel"), now=at(0)),
        publish(store, settings, declaration("wood", validity=("2024-01-01", "2026-12-31")), now=at(1)),
        publish(store, settings, declaration("power"), now=at(2)),
        publish(store, settings, declaration("steel", product_name="Steel, hot rolled coil"), now=at(3)),
    ]


@pytest.fixture(scope="module")
def publications(pact_graph: FalkorStore, receiver: Receiver) -> list[Publication]:
    return publish_all(pact_graph, pact_settings(receiver))


@dataclass
class Pact:
    """The PACT API under test, reached one way (``mode``): ``secure`` over https, ``plain`` over
    plain HTTP (the same settings, so the same token is valid on both)."""

    mode: str
    secure: httpx.Client
    plain: httpx.Client
    receiver: Receiver
    openapi: OpenApi
    publications: list[Publication]
    token: str = ""

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}"}

    def basic(self, client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> dict[str, str]:
        return {"Authorization": httpx.BasicAuth(client_id, secret)._auth_header,
                "Content-Type": "application/x-www-form-urlencoded"}


@contextmanager
def serve_tls(app: FastAPI, ca: trustme.CA) -> Iterator[str]:
    """Run ``app`` with uvicorn over TLS on 127.0.0.1 (a certificate of ``ca`` for that address)."""
    with tempfile.TemporaryDirectory(prefix="lcg-tls-") as folder:
        pem = Path(folder) / "server.pem"
        ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(pem))
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on",
                                ssl_certfile=str(pem), ssl_keyfile=str(pem))
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="pact-tls", daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the TLS server did not start"
            time.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        try:
            yield f"https://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=30)


@contextmanager
def reach(mode: str, store: FalkorStore, settings: Settings) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """(secure, plain) clients of two app instances with ``settings``: in-process (ASGI, scheme
    from the base URL) or over real sockets (TLS with a fresh CA, and plain HTTP)."""
    secure_app, plain_app = create_app(settings, store), create_app(settings, store)
    if mode == "in-process":
        with TestClient(secure_app, base_url="https://pact.example.com") as secure, \
                TestClient(plain_app, base_url="http://pact.example.com") as plain:
            yield secure, plain
        return
    ca = trustme.CA()
    context = ssl.create_default_context()
    ca.configure_trust(context)
    with serve_tls(secure_app, ca) as secure_url, serve_in_thread(plain_app) as plain_url, \
            httpx.Client(base_url=secure_url, verify=context) as secure, \
            httpx.Client(base_url=plain_url) as plain:
        assert secure_url.startswith("https://") and plain_url.startswith("http://")
        yield secure, plain


@pytest.fixture(scope="module", params=["in-process", "tls"])
def pact(request: pytest.FixtureRequest, pact_graph: FalkorStore, receiver: Receiver, openapi: OpenApi,
         publications: list[Publication]) -> Iterator[Pact]:
    with reach(request.param, pact_graph, pact_settings(receiver)) as (secure, plain):
        harness = Pact(request.param, secure, plain, receiver, openapi, publications)
        granted = secure.post("/auth/token", content=GRANT, headers=harness.basic())
        assert granted.status_code == 200, granted.text
        harness.token = granted.json()["access_token"]
        yield harness

