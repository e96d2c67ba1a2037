"""Shared fixtures.

- ``falkordb_server`` (session): one embedded FalkorDB server in a temporary folder.
- ``store``: a FalkorStore on that server with a fresh, empty graph for each test (schema
  created); deleted afterwards. Use it for every test that needs the real engine.
- ``embedded_dir``: a short temporary folder for a test's own server (socket paths are limited).
- ``make_content``: builds a small DatabaseContent with every record type and field set.

Tests marked ``neo4j`` run only when NEO4J_URI is set.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.connect import open_embedded
from graph.embedded import EmbeddedServer, start_server, stop_server
from graph.falkor import STAGE_SUFFIX, FalkorStore
from lcagraph.records import (
    CharacterisationFactor,
    Database,
    DatabaseContent,
    DataQuality,
    Exchange,
    Flow,
    ImpactCategory,
    ImpactMethod,
    ImportReport,
    Parameter,
    Process,
    ProductSystem,
    ProviderLink,
    Uncertainty,
    Unlinked,
)

_graph_numbers = itertools.count()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("NEO4J_URI"):
        return
    skip = pytest.mark.skip(reason="needs a live Neo4j 5 server: set NEO4J_URI (and NEO4J_PASSWORD)")
    for item in items:
        if "neo4j" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _no_test_touches_the_users_graph() -> Iterator[None]:
    """LCAGRAPH_GRAPH_URL points at a throw-away folder for the whole session (tests that need
    another URL set it themselves), so the per-user default store is never opened by a test."""
    with tempfile.TemporaryDirectory(prefix="lcg-") as folder, pytest.MonkeyPatch.context() as patch:
        patch.setenv("LCAGRAPH_GRAPH_URL", f"embedded://{folder}/graph")
        yield


@pytest.fixture(scope="session")
def falkordb_server() -> Iterator[EmbeddedServer]:
    with tempfile.TemporaryDirectory(prefix="lcg-") as folder:
        server = start_server(Path(folder))
        try:
            yield server
        finally:
            stop_server(server)


@pytest.fixture
def store(falkordb_server: EmbeddedServer) -> Iterator[FalkorStore]:
    with _fresh_graph(falkordb_server) as opened:
        yield opened


@pytest.fixture(scope="module")
def make_store(falkordb_server: EmbeddedServer) -> Iterator[Callable[[], FalkorStore]]:
    """Opens as many fresh, empty graphs as a test module asks for (deleted after the module)."""
    with contextlib.ExitStack() as stack:
        yield lambda: stack.enter_context(_fresh_graph(falkordb_server))


@contextlib.contextmanager
def _fresh_graph(server: EmbeddedServer) -> Iterator[FalkorStore]:
    graph = f"test{next(_graph_numbers)}"
    opened = open_embedded(server.data_dir, graph=graph, stop_on_close=False)
    opened.ensure_schema()
    try:
        yield opened
    finally:
        conn: Any = opened._client.connection
        conn.delete(graph, graph + STAGE_SUFFIX)
        opened.close()


@pytest.fixture
def embedded_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="lcg-") as folder:
        yield Path(folder) / "graph"


@pytest.fixture
def make_content() -> Callable[..., DatabaseContent]:
    return sample_content


def sample_content(database: str = "sample", *, prefix: str = "", amount: float = 2.5) -> DatabaseContent:
    """A hand-made database: two producers, a treatment, a consumer with linked, ambiguous and
    cut-off inputs, a method with factors, a product system and a report. ``prefix`` makes the
    process ids distinct so that two sample databases can live side by side."""
    p = prefix
    flows = (
        Flow("f-steel", "steel, low-alloyed", "product", "kg", "Mass", location="GLO"),
        Flow("f-power", "electricity, \"medium\" voltage \\ grid\nUS", "product", "kWh", "Energy",
             property_factors=(("Mass", 0.12), ("Volume", 1.5e-4))),
        Flow("f-waste", "waste plastic", "waste", "kg", "Mass"),
        Flow("f-co2", "Carbon dioxide, fossil", "elementary", "kg", "Mass", cas="000124-38-9", formula="CO2",
             compartment=("Elementary flows", "Emission to air", "unspecified"),
             synonyms=("CO2", "carbon dioxide")),
        Flow("f-ch4", "Methane, fossil — é 中", "elementary", "kg", "Mass", cas="000074-82-8",
             compartment=("air",)),
        Flow("f-unused", "a flow no exchange uses", "product", "m3", "Volume"),
    )
    processes = (
        Process(f"{p}steel", "steel production", database, location="US", category="C/24",
                description="makes steel", ref_flow="f-steel", ref_amount=1.0, ref_unit="kg",
                allocation_method="physical",
                data_quality=DataQuality("EF 3.0", "(1;2;3;1;2)", (("TeR", 1.5), ("GR", 2.0), ("DQR", 1.75))),
                exchange_dq_system="ecoinvent pedigree", valid_from="2016-01-01", valid_until="2016-12-31",
                sources=("USLCI 2017", "AISI"),
                parameters=(Parameter("yield", 0.95, "1 - loss", "process", "material yield"),
                            Parameter("loss", 0.05))),
        Process(f"{p}power", "electricity, at grid", database, type="system", location="US",
                ref_flow="f-power", ref_amount=1.0, ref_unit="kWh"),
        Process(f"{p}power2", "electricity, at plant", database, location="US-WECC",
                ref_flow="f-power", ref_amount=3.6, ref_unit="MJ"),
        Process(f"{p}landfill", "landfill of plastic", database, ref_flow="f-waste", ref_amount=1.0,
                ref_unit="kg", ref_is_input=True),
        Process(f"{p}bike", "bicycle assembly", database, ref_flow=None, ref_amount=1.0, ref_unit="p"),
    )
    exchanges = (
        Exchange(f"{p}steel/1", f"{p}steel", "f-steel", False, 1.0, "kg", 1.0, is_reference=True),
        Exchange(f"{p}steel/2", f"{p}steel", "f-power", True, 0.3, "kWh", 0.3, default_provider=f"{p}power",
                 formula="0.1 * 3", data_quality="(1;2;1;1;3)",
                 uncertainty=Uncertainty("lognormal", geomean=0.3, geosd=1.2)),
        Exchange(f"{p}steel/3", f"{p}steel", "f-co2", False, 1.85, "kg", 1.85,
                 uncertainty=Uncertainty("triangular", minimum=1.5, mode=1.85, maximum=2.25),
                 description="process emissions"),
        Exchange(f"{p}power/1", f"{p}power", "f-power", False, 1.0, "kWh", 1.0, is_reference=True),
        Exchange(f"{p}power/2", f"{p}power", "f-co2", False, 0.45, "kg", 0.45,
                 uncertainty=Uncertainty("normal", mean=0.45, sd=0.05)),
        Exchange(f"{p}power/3", f"{p}power", "f-ch4", False, 1.2e-06, "g", 1.2e-09, allocation=0.875),
        Exchange(f"{p}power2/1", f"{p}power2", "f-power", False, 3.6, "MJ", 1.0, is_reference=True),
        Exchange(f"{p}power2/2", f"{p}power2", "f-co2", False, 0.5, "kg", 0.5,
                 uncertainty=Uncertainty("uniform", minimum=0.4, maximum=0.6)),
        Exchange(f"{p}landfill/1", f"{p}landfill", "f-waste", True, 1.0, "kg", 1.0, is_reference=True),
        Exchange(f"{p}landfill/2", f"{p}landfill", "f-ch4", False, 0.02, "kg", 0.02),
        Exchange(f"{p}bike/1", f"{p}bike", "f-steel", True, amount, "kg", amount),
        Exchange(f"{p}bike/2", f"{p}bike", "f-power", True, 5.0, "kWh", 5.0),
        Exchange(f"{p}bike/3", f"{p}bike", "f-waste", False, 0.4, "lb", 0.18143695),
        Exchange(f"{p}bike/4", f"{p}bike", "f-steel", True, 0.1, "kg", 0.1, is_avoided=True),
    )
    links = (
        ProviderLink(f"{p}steel", f"{p}power", "f-power", f"{p}steel/2", 0.3, "default"),
        ProviderLink(f"{p}bike", f"{p}steel", "f-steel", f"{p}bike/1", amount, "unique"),
        ProviderLink(f"{p}bike", f"{p}power", "f-power", f"{p}bike/2", 5.0, "ambiguous",
                     candidates=(f"{p}power", f"{p}power2")),
        ProviderLink(f"{p}bike", f"{p}landfill", "f-waste", f"{p}bike/3", 0.18143695, "unique",
                     is_waste=True),
    )
    unlinked = (Unlinked(f"{p}bike", "f-steel", f"{p}bike/4", "avoided product without provider"),)
    method = ImpactMethod(f"{p}ipcc", "IPCC AR6 GWP100", "2021", "IPCC", "sample method")
    category = ImpactCategory(f"{p}gwp", "Climate change", f"{p}ipcc", "kg CO2-eq")
    factors = (CharacterisationFactor(f"{p}gwp", "f-co2", 1.0, "uuid"),
               CharacterisationFactor(f"{p}gwp", "f-ch4", 29.8, "cas"))
    system = ProductSystem(f"{p}ps-bike", "bike system", database, f"{p}bike", "f-steel", 1.0, "p",
                           links=links[1:], description="a bicycle")
    report = ImportReport(database, "/data/sample.zip", "JSON-LD", datasets=(("processes", 5), ("flows", 6)),
                          exchanges=len(exchanges), links=(("unique", 2), ("ambiguous", 1)),
                          unit_conversions=2, formulas_evaluated=1, unmatched_flows=("f-x",),
                          co_products=(), warnings=("a warning",))
    return DatabaseContent(
        database=Database(database, f"Sample {database}", "hand-made", "1.0", "CC0", "JSON-LD", "foreground",
                          "a tiny database"),
        flows=flows, processes=processes, exchanges=exchanges, links=links, unlinked=unlinked,
        methods=(method,), categories=(category,), factors=factors, product_systems=(system,), report=report,
    )


class EngineWatch:
    """Finds the redis-server processes of a data folder (their title names its socket)."""

    def pids(self, folder: Path) -> list[int]:
        found = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                title = (proc / "cmdline").read_bytes()
            except OSError:
                continue
            if b"redis-server" in title and f"{folder}/".encode() in title:
                found.append(int(proc.name))
        return found

    def wait_gone(self, folder: Path, timeout_s: float = 30.0) -> None:
        """Assert that no redis-server of ``folder`` is left (within ``timeout_s``)."""
        deadline = time.monotonic() + timeout_s
        while self.pids(folder) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert self.pids(folder) == [], f"the embedded engine of {folder} outlived the lcagraph process"


@pytest.fixture
def engine() -> EngineWatch:
    """Watch embedded engines: ``engine.pids(folder)``, ``engine.wait_gone(folder)``."""
    return EngineWatch()
