"""``lcagraph serve`` (the web app) and ``lcagraph cypher`` (read-only Cypher for analysts).

    lcagraph serve [--host 127.0.0.1] [--port 8000] [--workers 1] [--no-access-log]
    lcagraph cypher 'MATCH (p:Process) RETURN p.name AS name LIMIT 5' [--param k=v ...] [--json]

``serve`` listens on 127.0.0.1 unless told otherwise. ``cypher`` runs through the store's
read-only path (see api/services/cypher.py); ``--param name=value`` values are parsed as JSON where they
can be (numbers, lists), else kept as text.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from api.cli.listen import bind_socket, bound_port
from api.services.cypher import ROW_LIMIT, TIMEOUT_S, run_cypher
from api.services.session import open_store
from lcagraph.config import load_settings
from lcagraph.errors import EngineUnavailable, InvalidArgument

if TYPE_CHECKING:
    from fastapi import FastAPI

HostOpt = Annotated[str, typer.Option("--host", help="address to listen on (127.0.0.1: this machine only)")]
PortOpt = Annotated[int, typer.Option("--port", help="TCP port")]
WorkersOpt = Annotated[int, typer.Option("--workers", help="worker processes (they share one engine)")]
AccessLogOpt = Annotated[bool, typer.Option("--access-log/--no-access-log", help="log every request")]


def serve_command(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    workers: WorkersOpt = 1,
    access_log: AccessLogOpt = True,
) -> None:
    """Serve GraphQL at /graphql (GraphiQL in a browser), /health and the OpenAPI docs at /docs."""
    if workers < 1:
        raise InvalidArgument(f"--workers {workers}: give 1 or more")
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    sock = bind_socket(host, port)  # a taken port: one line (PortInUse), before uvicorn logs anything
    config = uvicorn.Config("api.app:create_app", factory=True, host=host, port=bound_port(sock),
                            workers=workers, log_level="info", access_log=access_log)
    with sock:
        if workers > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            uvicorn.Server(config).run(sockets=[sock])


def parse_params(pairs: Sequence[str]) -> dict[str, Any]:
    """``["k=v", ...]`` -> {k: JSON value of v, or v as text}."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidArgument(f"--param {pair!r}: write NAME=VALUE, e.g. --param name=Diesel")
        try:
            params[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            params[key.strip()] = value
    return params


QueryArg = Annotated[str, typer.Argument(help="a read-only Cypher statement (MATCH … RETURN …)")]
ParamOpt = Annotated[list[str] | None, typer.Option("--param", help="parameter NAME=VALUE (repeat)")]
LimitOpt = Annotated[int, typer.Option("--limit", help="at most this many rows")]
TimeoutOpt = Annotated[float, typer.Option("--timeout", help="seconds before the engine stops the statement")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print {columns, rows, truncated} as JSON")]


def cypher_command(
    query: QueryArg, param: ParamOpt = None, limit: LimitOpt = ROW_LIMIT, timeout: TimeoutOpt = TIMEOUT_S,
    as_json: JsonOpt = False,
) -> None:
    """Run a read-only Cypher statement on the graph; writes are refused by the engine."""
    store = open_store(load_settings())
    try:
        got = run_cypher(store, query, parse_params(param or ()), row_limit=limit, timeout_s=timeout)
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps({"columns": got.columns, "rows": got.rows, "truncated": got.truncated}))
        return
    table = Table(*got.columns) if got.columns else Table("(no rows)")
    for row in got.rows:
        table.add_row(*(json.dumps(v) if not isinstance(v, str) else v for v in row))
    console = Console()
    console.print(table)
    more = " (more rows matched: raise --limit)" if got.truncated else ""
    console.print(f"{len(got.rows)} rows in {got.elapsed_ms:.1f} ms{more}", style="dim")


@contextmanager
def serve_in_thread(app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run ``app`` with uvicorn in a thread (tests, benches); yields its base URL (port 0: any free)."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name="lcagraph-serve", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise EngineUnavailable(f"the API server did not start on {host}:{port} (see the log above)")
        time.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
