"""kill -9 at random moments: of the lcagraph process and, separately, of the embedded engine,
during an import and during a calculation (LCAGRAPH_FAULT_TRIALS trials each, default 20).

After each kill and a restart the graph is the old state or the complete new one (a database's
processes all there with the version moved by one, or none with the old version), and every
Result is tagged with a graph version no newer than the graph's; Results at the graph's version
equal a clean calculation's. Marked slow: about two minutes on two cores.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from api.services.calculation import calculate
from graph.connect import open_embedded
from graph.falkor import FalkorStore
from graph.writer import write_database_content
from lcagraph.config import PROJECT_ROOT
from lcagraph.errors import EngineUnavailable, LcaGraphError
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
)

pytestmark = pytest.mark.slow
TRIALS = int(os.environ.get("LCAGRAPH_FAULT_TRIALS", "20"))
CHAIN = 400
COUNT = "MATCH (p:Process {database: $db}) RETURN count(p) AS n"
RESULTS = """
MATCH (r:Result)
UNWIND range(0, size(r.categories) - 1) AS i
RETURN r.process AS process, r.graph_version[i] AS version, r.total[i] AS total
"""


def chain_content(db: str, n: int = CHAIN) -> DatabaseContent:
    """n processes in a supply chain, each emitting 1 kg CO2 and needing 0.5 of the previous one;
    the method and its one factor come with the first database ("base")."""
    flows = (
        Flow("co2", "Carbon dioxide", "elementary", "kg"),
        *(Flow(f"{db}-f{i}", f"product {i}", "product", "kg") for i in range(n)),
    )
    processes = tuple(Process(f"{db}-p{i}", f"process {i}", db, ref_flow=f"{db}-f{i}") for i in range(n))
    exchanges = tuple(
        x
        for i in range(n)
        for x in (
            Exchange(f"{db}-p{i}/0", f"{db}-p{i}", f"{db}-f{i}", False, 1.0, "kg", 1.0, is_reference=True),
            Exchange(f"{db}-p{i}/1", f"{db}-p{i}", "co2", False, 1.0, "kg", 1.0),
            *((Exchange(f"{db}-p{i}/2", f"{db}-p{i}", f"{db}-f{i - 1}", True, 0.5, "kg", 0.5),) if i else ()),
        )
    )
    links = tuple(
        ProviderLink(f"{db}-p{i}", f"{db}-p{i - 1}", f"{db}-f{i - 1}", f"{db}-p{i}/2", 0.5, "unique")
        for i in range(1, n)
    )
    method = (ImpactMethod("m", "test method"),) if db == "base" else ()
    categories = (ImpactCategory("gwp", "climate change", "m", "kg CO2-eq"),) if db == "base" else ()
    factors = (CharacterisationFactor("gwp", "co2", 1.0),) if db == "base" else ()
    return DatabaseContent(
        Database(db, db),
        flows=flows,
        processes=processes,
        exchanges=exchanges,
        links=links,
        methods=method,
        categories=categories,
        factors=factors,
    )


CHILD = """
import sys
from pathlib import Path
from graph.connect import open_embedded
from graph.writer import write_database_content
from api.services.calculation import calculate
from tests.graph.test_fault_trials import chain_content
folder, mode, db = sys.argv[1:4]
store = open_embedded(Path(folder), stop_on_close=False)
print("ready", flush=True)
if mode == "import":
    with store.unit_of_work() as writer:
        write_database_content(writer, chain_content(db))
else:
    calculate(store)
"""


@pytest.fixture
def base(embedded_dir: Path) -> Iterator[FalkorStore]:
    store = open_embedded(embedded_dir)
    with store.unit_of_work() as writer:
        write_database_content(writer, chain_content("base"))
    calculate(store)
    try:
        yield store
    finally:
        store.close()


def expected_totals(n: int = CHAIN) -> np.ndarray:
    """t_i = 1 + 0.5 t_{i-1}, t_0 = 1 (solved by hand: t_i = 2 - 0.5^i)."""
    return 2.0 - 0.5 ** np.arange(n)


def check_state(store: FalkorStore, db: str, before: int) -> bool:
    """Old or complete new state, and the Results' invariant. Returns whether the database arrived."""
    version = store.graph_version()
    count = int(store.read(COUNT, {"db": db})[0]["n"])
    assert (count, version) in ((0, before), (CHAIN, before + 1)), (
        f"partial state: {count} of {CHAIN} processes of {db}, version {version} (was {before})"
    )
    check_results(store)
    return count == CHAIN


def check_results(store: FalkorStore) -> None:
    """Results are never newer than the graph, and those at its version are exact."""
    version = store.graph_version()
    totals = expected_totals()
    for row in store.read(RESULTS):
        assert int(row["version"]) <= version, row
        if int(row["version"]) == version:
            index = str(row["process"]).rsplit("-p", 1)[1]
            np.testing.assert_allclose(row["total"], totals[int(index)], rtol=1e-12)


def run_child(folder: Path, mode: str, db: str, delay: float) -> None:
    """Start the child, wait until it has opened the store, kill -9 it ``delay`` s later."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(folder), mode, db],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == b"ready"
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)


def test_kill_of_the_lcagraph_process_mid_import_and_mid_calculation(
    base: FalkorStore, embedded_dir: Path
) -> None:
    rng = random.Random(16)
    arrived = 0
    for trial in range(TRIALS):
        db, before = f"t{trial}", base.graph_version()
        run_child(embedded_dir, "import", db, rng.uniform(0.0, 2.5))
        arrived += check_state(base, db, before)
        run_child(embedded_dir, "calculate", db, rng.uniform(0.0, 1.2))
        check_results(base)
    print(
        f"lcagraph killed mid-import {TRIALS} times: {arrived} imports had committed, the rest left nothing"
    )


def kill_engine_during(store: FalkorStore, action: threading.Thread, delay: float) -> None:
    pid = store.server.pid() if store.server else None
    assert pid is not None
    action.start()
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    action.join(timeout=60)


def test_kill_of_the_engine_mid_import_and_mid_calculation(base: FalkorStore, embedded_dir: Path) -> None:
    rng = random.Random(61)
    store, arrived = base, 0
    failures: list[BaseException] = []

    def guarded(fn: object) -> threading.Thread:
        def run() -> None:
            try:
                fn()  # type: ignore[operator]
            except (EngineUnavailable, LcaGraphError) as e:
                failures.append(e)

        return threading.Thread(target=run)

    for trial in range(TRIALS):
        db, before = f"e{trial}", store.graph_version()

        def do_import(s: FalkorStore = store, name: str = db) -> None:
            with s.unit_of_work() as writer:
                write_database_content(writer, chain_content(name))

        kill_engine_during(store, guarded(do_import), rng.uniform(0.0, 1.5))
        store.close()
        store = open_embedded(embedded_dir)
        arrived += check_state(store, db, before)
        kill_engine_during(store, guarded(lambda s=store: calculate(s)), rng.uniform(0.0, 0.3))
        store.close()
        store = open_embedded(embedded_dir)
        check_results(store)
    store.close()
    assert all(isinstance(f, LcaGraphError) for f in failures)
    print(
        f"engine killed {2 * TRIALS} times: {len(failures)} operations failed with a clear error, "
        f"{arrived} of {TRIALS} imports had committed"
    )
