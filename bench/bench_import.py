"""Import speed: the full USLCI release and an ecoinvent-sized synthetic database, each imported
into a fresh embedded FalkorDB (temporary folder) with the import pipeline (api/services/importing.py).

    .venv/bin/python bench/bench_import.py [--processes 20000] [--exchanges 600000] [--seed 1]
                                           [--skip-uslci] [--skip-synthetic] [--records-only]
                                           [--profile DIR]

Rows of the table:
- ``USLCI JSON-LD``: uslci_fy17q4_jsonld.zip (766 processes, 32,526 exchanges) from the file;
- ``synthetic JSON-LD``: the synthetic database (bench/synthetic_database.py) written as a JSON-LD
  zip first (not timed), then imported from the file like USLCI;
- ``synthetic records``: the same records handed to the pipeline in memory (no file to parse),
  which isolates linking, characterisation and the graph write.

Columns: phases of the pipeline (read the package, link providers, match elementary flows,
write in one unit of work), total wall time, exchanges per second, and where the write's time
went: Cypher statements (round trips), of which the FalkorDB python client's parameter
serialisation (``CYPHER rows=[…]`` text), the server's CPU (redis INFO), the unit of work's
GRAPH.COPY and RENAME. Wall times on a shared machine vary with its load; CPU times less so.
Targets: USLCI under 10 s, the synthetic database under 60 s (for scale: Brightway's README
reports 19 s to read and 2.5 min to write ecoinvent 3.8).
"""

from __future__ import annotations

import argparse
import cProfile
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import falkordb
import redis

import api.services.importing as importing
from bench.synthetic_database import synthetic_database
from graph import falkor_reply
from graph.connect import open_embedded
from graph.falkor import FalkorStore
from lcagraph.config import find_data_dir
from lcagraph.records import Database, DatabaseContent
from loaders.exporters.jsonld import write_jsonld

USLCI = find_data_dir() / "uslci/uslci_fy17q4_jsonld.zip"
# Matching runs inside the unit of work, after the database is written (it re-derives every
# factor over the whole graph); the commit after it counts as write.
PIPELINE_STEPS = {"read datasets": "read", "linked providers": "link", "wrote the database": "write",
                  "matched elementary flows (whole graph)": "match"}


@dataclass
class Timing:
    """One import: phases (s), counters of the write, CPU seconds of client and server."""

    name: str
    processes: int = 0
    exchanges: int = 0
    phases: dict[str, float] = field(default_factory=dict)
    total: float = 0.0
    statements: int = 0
    statement_s: float = 0.0
    serialise_s: float = 0.0
    copy_s: float = 0.0
    rename_s: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    target: float | None = None
    steps: list[tuple[str, int, float]] = field(default_factory=list)


@contextmanager
def instrumented(timing: Timing) -> Iterator[None]:
    """Count time in statements, in the client's parameter serialisation, GRAPH.COPY and RENAME."""
    originals: list[tuple[Any, str, Any]] = []

    def wrap(owner: Any, name: str, record: Callable[[float], None]) -> None:
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                record(time.perf_counter() - start)

        originals.append((owner, name, original))
        setattr(owner, name, timed)

    def statement(s: float) -> None:
        timing.statements += 1
        timing.statement_s += s

    def serialise(s: float) -> None:
        timing.serialise_s += s

    def copy(s: float) -> None:
        timing.copy_s += s

    def rename(s: float) -> None:
        timing.rename_s += s

    wrap(FalkorStore, "run_query", statement)
    if hasattr(falkor_reply, "command"):  # lcagraph builds the GRAPH.QUERY text itself
        wrap(falkor_reply, "command", serialise)
    else:
        wrap(falkordb.Graph, "_build_params_header", serialise)
    wrap(falkordb.Graph, "copy", copy)
    wrap(redis.Redis, "rename", rename)
    try:
        yield
    finally:
        for owner, name, original in reversed(originals):
            setattr(owner, name, original)


def server_cpu(store: FalkorStore) -> float:
    info: dict[str, Any] = store._client.connection.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def run_import(timing: Timing, path: Path, name: str, profile: Path | None) -> None:
    """Import ``path`` into a fresh embedded store; fill ``timing``."""
    with tempfile.TemporaryDirectory(prefix="lcg-bench-") as folder:
        store = open_embedded(Path(folder) / "graph")
        try:
            store.ensure_schema()
            marks = [time.perf_counter()]

            def step(what: str, rows: int) -> None:
                now = time.perf_counter()
                timing.steps.append((what, rows, now - marks[-1]))
                marks.append(now)

            cpu0, server0, start = time.process_time(), server_cpu(store), time.perf_counter()
            marks[0] = start
            profiler = cProfile.Profile() if profile else None
            with instrumented(timing):
                if profiler:
                    profiler.enable()
                report = importing.import_database(store, path, name, progress=step)
                if profiler:
                    profiler.disable()
            timing.total = time.perf_counter() - start
            timing.client_cpu = time.process_time() - cpu0
            timing.server_cpu = server_cpu(store) - server0
            if profiler and profile:
                profile.mkdir(parents=True, exist_ok=True)
                profiler.dump_stats(profile / f"{name}.prof")
        finally:
            store.close()
    timing.exchanges = timing.exchanges or report.exchanges
    timing.processes = timing.processes or dict(report.datasets).get("processes", 0)
    _phases(timing)


def _phases(timing: Timing) -> None:
    """Pipeline phases from the steps: read, link, write, match; the commit counts as write."""
    elapsed = done = 0.0
    for what, _, seconds in timing.steps:
        elapsed += seconds
        phase = PIPELINE_STEPS.get(what)
        if phase and phase not in timing.phases:
            timing.phases[phase] = elapsed - done
            done = elapsed
    timing.phases["write"] = timing.phases.get("write", 0.0) + timing.total - done


@contextmanager
def records_as_package(content: DatabaseContent) -> Iterator[None]:
    """The pipeline's read step hands over ``content`` (renamed to the import's database)."""
    original = importing.read_package

    def read(path: Path, database: Database, fmt: str = "auto") -> DatabaseContent:
        db = replace(database, format="records")
        processes = tuple(replace(p, database=db.id) for p in content.processes)
        return replace(content, database=db, processes=processes)

    importing.read_package = read
    try:
        yield
    finally:
        importing.read_package = original


def print_table(timings: list[Timing]) -> None:
    head = (f"{'import':<20}{'processes':>10}{'exchanges':>10}{'read':>7}{'link':>7}{'match':>7}{'write':>7}"
            f"{'total':>8}{'exch/s':>9}  target")
    print(head)
    print("-" * len(head))
    for t in timings:
        met = "" if t.target is None else f"< {t.target:.0f} s " + ("met" if t.total < t.target else "MISSED")
        print(f"{t.name:<20}{t.processes:>10,}{t.exchanges:>10,}" + "".join(
            f"{t.phases.get(p, 0.0):>7.1f}" for p in ("read", "link", "match", "write"))
              + f"{t.total:>8.1f}{t.exchanges / t.total:>9,.0f}  {met}")
    print()
    head = (f"{'write of':<20}{'statements':>11}{'in them s':>10}{'params s':>9}{'copy s':>7}{'rename s':>9}"
            f"{'client cpu':>11}{'server cpu':>11}")
    print(head)
    print("-" * len(head))
    for t in timings:
        print(f"{t.name:<20}{t.statements:>11,}{t.statement_s:>10.1f}{t.serialise_s:>9.1f}{t.copy_s:>7.1f}"
              f"{t.rename_s:>9.2f}{t.client_cpu:>11.1f}{t.server_cpu:>11.1f}")


def print_steps(timing: Timing) -> None:
    print(f"\n{timing.name}: steps (rows, seconds since the previous step)")
    for what, rows, seconds in timing.steps:
        print(f"  {what:<40}{rows:>9,}{seconds:>8.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=20_000)
    parser.add_argument("--exchanges", type=int, default=600_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-uslci", action="store_true")
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--records-only", action="store_true", help="synthetic: skip the JSON-LD file")
    parser.add_argument("--steps", action="store_true", help="print every step of each import")
    parser.add_argument("--profile", type=Path, help="write a cProfile file per import into DIR")
    args = parser.parse_args(argv)
    timings: list[Timing] = []
    if not args.skip_uslci:
        timing = Timing("USLCI JSON-LD", target=10.0)
        run_import(timing, USLCI, "USLCI", args.profile)
        timings.append(timing)
    if not args.skip_synthetic:
        timings += bench_synthetic(args)
    print()
    print_table(timings)
    if args.steps:
        for timing in timings:
            print_steps(timing)


def bench_synthetic(args: argparse.Namespace) -> list[Timing]:
    start = time.perf_counter()
    content = synthetic_database(args.processes, args.exchanges, args.seed)
    print(f"synthetic database: {len(content.processes):,} processes, {len(content.exchanges):,} exchanges, "
          f"{len(content.flows):,} flows generated in {time.perf_counter() - start:.1f} s", flush=True)
    timings = []
    if not args.records_only:
        with tempfile.TemporaryDirectory(prefix="lcg-bench-") as folder:
            package = Path(folder) / "synthetic.zip"
            start = time.perf_counter()
            write_jsonld(content, package)
            print(f"written as JSON-LD ({package.stat().st_size / 1e6:,.0f} MB zip) in "
                  f"{time.perf_counter() - start:.1f} s", flush=True)
            timing = Timing("synthetic JSON-LD", target=60.0)
            run_import(timing, package, "synthetic-jsonld", args.profile)
            timings.append(timing)
    timing = Timing("synthetic records", len(content.processes), len(content.exchanges), target=60.0)
    with records_as_package(content):
        run_import(timing, Path("synthetic (records)"), "synthetic-records", args.profile)
    timings.append(timing)
    return timings


if __name__ == "__main__":
    main()
