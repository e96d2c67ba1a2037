"""Latency of tree expansions through GraphQL against `lcagraph serve` on the embedded engine.

    .venv/bin/python bench/bench_api.py [--graph-url embedded:///path] [--clients 20] [--seconds 30]

Without --graph-url, a temporary store is built first: USLCI FY17 Q4 and the 2025 transport
module imported, then `lcagraph calculate` (cached results). The server runs as a separate
process (`lcagraph serve` on 127.0.0.1, a free port); N async httpx clients send requests
back to back for the given time (each client at most MAX_REQUESTS). Two cases:

- one level: `upstream(depth: 1)` of the process whose number of providers is closest to 20;
- three levels: `upstream(depth: 3)` of "Transport; average mix; basic chemicals".

Prints p50 / p95 / p99 latency, throughput and the tree size per case. Targets (issue 5):
p95 < 50 ms for one level, < 150 ms for three levels.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from graph import queries
from graph.connect import open_embedded

DATA = Path(os.environ.get("LCAGRAPH_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
TRANSPORT_MIX = "08155f91-742c-3717-9f6c-16e9f143839b"
MAX_REQUESTS = 200_000
FIELDS = (
    "path processId name databaseId amount unit direct total share crossesDatabase loop childCount expanded"
)
QUERY = """query($id: ID!, $depth: Int!) { upstream(processId: $id, depth: $depth) {
  __typename ... on Problem { message }
  ... on TreeNode { %s children { %s children { %s children { %s } } } } } }""" % ((FIELDS,) * 4)


def run(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "api.cli", *args], env=env, check=True, stdout=subprocess.DEVNULL)


def build_store(folder: Path, env: dict[str, str]) -> None:
    started = time.perf_counter()
    run("import", str(DATA / "uslci" / "uslci_fy17q4_jsonld.zip"), "--database", "USLCI", env=env)
    run(
        "import",
        str(DATA / "flcac" / "uslci-transport_v1.1_jsonld.zip"),
        "--database",
        "USLCI transport",
        "--background",
        "USLCI",
        env=env,
    )
    run("calculate", env=env)
    print(f"store built in {folder} in {time.perf_counter() - started:.1f} s")


def process_with_providers(graph_dir: Path, wanted: int = 20) -> tuple[str, int]:
    store = open_embedded(graph_dir)
    try:
        rows = store.read(queries.PROCESS_WITH_PROVIDER_COUNT, {"wanted": wanted})
    finally:
        store.close()
    return str(rows[0]["id"]), int(rows[0]["n"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def client_loop(base: str, payload: dict[str, Any], deadline: float, out: list[float]) -> int:
    errors = 0
    known: set[bytes] = set()  # answers already checked: decoded once, as raw_client_loop does
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for _ in range(MAX_REQUESTS):
            if time.perf_counter() >= deadline:
                break
            started = time.perf_counter()
            reply = await client.post("/graphql", json=payload)
            elapsed = time.perf_counter() - started
            if reply.status_code == 200 and reply.content in known:
                out.append(elapsed)
                continue
            body = reply.json()
            if (
                reply.status_code != 200
                or body.get("errors")
                or body["data"]["upstream"]["__typename"] != "TreeNode"
            ):
                errors += 1
            else:
                known.add(reply.content)
            out.append(elapsed)
    return errors


async def raw_client_loop(base: str, payload: dict[str, Any], deadline: float, out: list[float]) -> int:
    """Like client_loop on one keep-alive HTTP/1.1 connection written by hand: about a tenth of the
    client CPU of httpx, so that on a small machine the clients do not starve the server."""
    host, port = base.removeprefix("http://").split(":")
    body = json.dumps(payload).encode()
    request = (f"POST /graphql HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
               f"Accept: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    reader, writer = await asyncio.open_connection(host, int(port))
    errors = 0
    known: set[bytes] = set()  # answers already checked (the cached answer is the same bytes)
    try:
        for _ in range(MAX_REQUESTS):
            if time.perf_counter() >= deadline:
                break
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(int(line.split(b":", 1)[1]) for line in head.lower().split(b"\r\n")
                          if line.startswith(b"content-length:"))
            answer = await reader.readexactly(length)
            elapsed = time.perf_counter() - started
            if answer not in known:
                reply = json.loads(answer)
                if not head.startswith(b"HTTP/1.1 200") or reply.get("errors") \
                        or reply["data"]["upstream"]["__typename"] != "TreeNode":
                    errors += 1
                else:
                    known.add(answer)
            out.append(elapsed)
    finally:
        writer.close()
    return errors


def count_nodes(node: dict[str, Any]) -> int:
    return 1 + sum(count_nodes(c) for c in node.get("children") or [])


async def measure(
    base: str, name: str, variables: dict[str, Any], clients: int, seconds: float, raw: bool = False
) -> None:
    payload = {"query": QUERY, "variables": variables}
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for _ in range(20):  # warm-up: caches, parser, validation, connections
            body = (await client.post("/graphql", json=payload)).json()
    tree = body["data"]["upstream"]
    if tree["__typename"] != "TreeNode":
        raise SystemExit(f"{name}: {tree}")
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    loop = raw_client_loop if raw else client_loop
    errors = sum(await asyncio.gather(*(loop(base, payload, deadline, latencies) for _ in range(clients))))
    ms = sorted(x * 1000 for x in latencies)
    q = statistics.quantiles(ms, n=100)
    print(
        f"{name}: {count_nodes(tree)} nodes, {clients} clients x {seconds:.0f} s: {len(ms)} requests "
        f"({len(ms) / seconds:.0f}/s), errors {errors}; latency p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, "
        f"p99 {q[98]:.1f} ms, max {ms[-1]:.1f} ms"
    )


def wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit("lcagraph serve exited; see its output above")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("lcagraph serve did not answer /health within 60 s")


def start_server(env: dict[str, str], workers: int) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    command = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers), "--no-access-log"]
    return f"http://127.0.0.1:{port}", subprocess.Popen(command, env=env)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--graph-url", help="an embedded:// store with USLCI + transport calculated")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=1, help="lcagraph serve --workers")
    parser.add_argument("--no-response-cache", action="store_true",
                        help="serve with LCAGRAPH_API_RESPONSE_CACHE=0: every request expands the tree")
    parser.add_argument("--schema-cache-only", action="store_true",
                        help="serve with LCAGRAPH_API_RESPONSE_CACHE=schema: no ASGI-level byte cache")
    parser.add_argument("--client", choices=("httpx", "raw"), default="httpx",
                        help="httpx.AsyncClient per client, or a hand-written keep-alive HTTP/1.1 client "
                             "(much less client CPU; the clients share the machine with the server)")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    with tempfile.TemporaryDirectory(prefix="lcg-bench-") as tmp:
        url = args.graph_url or f"embedded://{tmp}/graph"
        env = {**os.environ, "LCAGRAPH_GRAPH_URL": url,
               "LCAGRAPH_API_RESPONSE_CACHE":
                   "0" if args.no_response_cache else "schema" if args.schema_cache_only else "1"}
        if not args.graph_url:
            build_store(Path(tmp), env)
        node, providers = process_with_providers(Path(url.split("://", 1)[1]))
        base, server = start_server(env, args.workers)
        try:
            wait_ready(base, server)
            cache = "off" if args.no_response_cache else "schema only" if args.schema_cache_only else "on"
            print(f"lcagraph serve on {base}: workers {args.workers}, response cache {cache}, "
                  f"{args.client} clients, "
                  f"embedded FalkorDB, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
            for name, variables in ((f"one level ({providers} providers)", {"id": node, "depth": 1}),
                                    ("three levels (transport mix)", {"id": TRANSPORT_MIX, "depth": 3})):
                asyncio.run(measure(base, name, variables, args.clients, args.seconds, args.client == "raw"))
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
