"""Load: N clients for S seconds against `lcagraph serve` on USLCI, while an import and a calculate run.

    .venv/bin/python bench/load.py [--clients 20] [--seconds 60] [--port 8765]

USLCI FY17 Q4 is imported into a fresh embedded FalkorDB (temporary folder) and calculated; then
`lcagraph serve` runs as its own process on that folder and N client threads send a mix of
requests for S seconds: GraphQL ``process``, ``upstream`` depth 1 and 3, ``processes(search:)``,
``footprint``, and viewer pages ``/n/<id>``. A quarter into the run this process imports the USLCI
transport module (the graph version moves) and then calculates — as `lcagraph import` and
`lcagraph calculate` would beside the server.

Prints requests, errors (HTTP status >= 500, a GraphQL error, or a page other than 200/409),
p50/p95/p99 latency per kind and overall, and the responses that mixed graph versions: each
GraphQL read asks for ``graphVersion`` of every part it returns (the tree node, the footprint,
the cached result of the process) and all of them must be one version.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import numpy as np

from api.services.calculation import calculate
from api.services.importing import import_database
from graph.browse import search_processes
from graph.connect import open_embedded
from lcagraph.config import PROJECT_ROOT, find_data_dir

MIXED = """query($id: ID!, $depth: Int!) {
  upstream(processId: $id, depth: $depth, maxNodes: 200) {
    __typename ... on TreeNode { graphVersion total children { processId total } }
    ... on Problem { message } }
  footprint(processId: $id) {
    __typename ... on Footprint { graphVersion total } ... on Problem { message } }
  process(id: $id) { ... on Process { name result { ... on CachedResult { graphVersion stale } } } }
}"""
PROCESS = 'query($id: ID!) { process(id: $id) { __typename ... on Process { name exchanges { amount } } } }'
SEARCH = 'query($q: String!) { processes(search: $q, first: 20) { totalCount edges { node { id name } } } }'
WORDS = ("electricity", "diesel", "steel", "transport", "natural gas", "corn", "plastic", "cement")


class Tally:
    """Latencies and errors per kind of request, shared by the client threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.mixed = 0
        self.examples: list[str] = []

    def add(self, kind: str, seconds: float, error: str = "", mixed: bool = False) -> None:
        with self.lock:
            self.latency[kind].append(seconds)
            if error:
                self.errors[kind] += 1
                if len(self.examples) < 5:
                    self.examples.append(f"{kind}: {error[:200]}")
            self.mixed += mixed


def versions_of(data: dict[str, Any]) -> set[int]:
    """Graph versions named anywhere in one response (stale cached results excepted: they say so)."""
    found = set()
    for key in ("upstream", "footprint"):
        part = data.get(key) or {}
        if "graphVersion" in part:
            found.add(int(part["graphVersion"]))
    result = ((data.get("process") or {}).get("result")) or {}
    if "graphVersion" in result and not result.get("stale"):
        found.add(int(result["graphVersion"]))
    return found


def one_request(client: httpx.Client, rng: random.Random, ids: list[str], tally: Tally) -> None:
    pid = rng.choice(ids)
    kind = rng.choice(("process", "upstream1", "upstream3", "search", "footprint", "viewer"))
    started = time.perf_counter()
    try:
        if kind == "viewer":
            reply = client.get(f"/n/{pid}")
            elapsed = time.perf_counter() - started
            bad = reply.status_code not in (200, 409)
            tally.add(kind, elapsed, f"HTTP {reply.status_code}" if bad else "")
            return
        if kind == "process":
            body = {"query": PROCESS, "variables": {"id": pid}}
        elif kind == "search":
            body = {"query": SEARCH, "variables": {"q": rng.choice(WORDS)}}
        else:
            body = {"query": MIXED, "variables": {"id": pid, "depth": 3 if kind == "upstream3" else 1}}
        reply = client.post("/graphql", json=body)
        elapsed = time.perf_counter() - started
        if reply.status_code >= 500 or reply.status_code != 200:
            tally.add(kind, elapsed, f"HTTP {reply.status_code}: {reply.text}")
            return
        payload = reply.json()
        if payload.get("errors"):
            tally.add(kind, elapsed, str(payload["errors"]))
            return
        tally.add(kind, elapsed, mixed=len(versions_of(payload.get("data") or {})) > 1)
    except httpx.HTTPError as e:
        tally.add(kind, time.perf_counter() - started, repr(e))


def run_clients(base: str, ids: list[str], clients: int, seconds: float, tally: Tally) -> None:
    deadline = time.monotonic() + seconds

    def client_loop(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=base, timeout=60) as client:
            while time.monotonic() < deadline:
                one_request(client, rng, ids, tally)

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def start_server(folder: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LCAGRAPH_GRAPH_URL": f"embedded://{folder}", "LCAGRAPH_API_TOKEN": "load-token"}
    command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--no-access-log"]
    server = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start: " + (server.stderr.read().decode() if server.stderr else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    data = find_data_dir()
    with tempfile.TemporaryDirectory(prefix="lcg-load-") as tmp:
        folder = Path(tmp) / "graph"
        store = open_embedded(folder, stop_on_close=False)
        t = time.perf_counter()
        import_database(store, data / "uslci" / "uslci_fy17q4_jsonld.zip", "USLCI FY17 Q4")
        calculate(store)
        print(f"USLCI imported and calculated in {time.perf_counter() - t:.1f} s")
        ids = [pid for pid, _ in search_processes(store, "", None)]
        server = start_server(folder, args.port)
        tally = Tally()
        background: dict[str, float] = {}

        def import_and_calculate() -> None:
            time.sleep(args.seconds / 4)
            t0 = time.perf_counter()
            import_database(store, data / "flcac" / "uslci-transport_v1.1_jsonld.zip", "USLCI transport v1.1",
                            ("USLCI FY17 Q4",))
            background["import_s"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            calculate(store)
            background["calculate_s"] = time.perf_counter() - t0

        writer = threading.Thread(target=import_and_calculate)
        writer.start()
        try:
            run_clients(f"http://127.0.0.1:{args.port}", ids, args.clients, args.seconds, tally)
        finally:
            writer.join()
            server.terminate()
            server.wait(timeout=30)
            store.close()
    report(tally, args, background)


def report(tally: Tally, args: argparse.Namespace, background: dict[str, float]) -> None:
    everything = [x for values in tally.latency.values() for x in values]
    total_errors = sum(tally.errors.values())
    print(f"{args.clients} clients x {args.seconds:.0f} s; beside them: "
          f"import {background.get('import_s', 0):.1f} s, calculate {background.get('calculate_s', 0):.1f} s")
    print(f"{'kind':<10} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind in [*sorted(tally.latency), "all"]:
        values = np.array(everything if kind == "all" else tally.latency[kind]) * 1000
        errors = total_errors if kind == "all" else tally.errors[kind]
        p50, p95, p99 = np.percentile(values, [50, 95, 99]) if values.size else (0, 0, 0)
        print(f"{kind:<10} {values.size:>9,} {errors:>7} {p50:>8.0f} {p95:>8.0f} {p99:>8.0f}")
    print(f"responses mixing two graph versions: {tally.mixed}")
    for example in tally.examples:
        print("  error:", example)


if __name__ == "__main__":
    main()
