"""``lcagraph demo``: the whole experience in one command.

    lcagraph demo [--host 127.0.0.1] [--port 8000] [--no-serve] [--light-background]

1. finds the open data (``$LCAGRAPH_DATA``, ``../shared/data``, else a sha256-checked download
   into the cache, see api/services/datasets.py);
2. imports USLCI, the 2025 transport, rail and marine modules (USLCI as their background) and
   the FEDEFL IPCC methods — each only if its database is not in the graph yet;
3. calculates footprints if the cached results are missing or stale;
4. imports the worked battery example (examples/lfp-battery-pack.json) and publishes it;
5. serves the app and prints the address of a transport-module node with its QR code, and
   beside it the battery's carbon-footprint declaration with the QR code of its published version.

A second run finds everything in the store and starts in seconds.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from api.cli.listen import bind_socket, bound_port
from api.services.battery import declare_battery
from api.services.calculation import ensure_results
from api.services.datasets import DEMO_FILES, locate_data
from api.services.demo import (
    BATTERY_MODEL,
    BATTERY_PROCESS,
    BATTERY_USE,
    BATTERY_VERSION,
    DEMO_IMPORTS,
    DemoImport,
    demo_node,
    ensure_battery_model,
    present_databases,
)
from api.services.importing import import_database
from api.services.links import deep_link
from api.services.publishing import publish
from api.services.qr import render_terminal
from api.services.session import AppState, GraphStore, open_store
from lcagraph.config import Settings, load_settings
from lcagraph.errors import EngineUnavailable

if TYPE_CHECKING:
    import uvicorn


def import_missing(
    store: GraphStore, data: Path, console: Console, imports: tuple[DemoImport, ...] = DEMO_IMPORTS,
) -> int:
    """Import each demo database that is not in the graph yet; returns how many were imported."""
    present = present_databases(store)
    files = {f.key: f for f in DEMO_FILES}
    imported = 0
    for item in imports:
        if item.database in present:
            console.print(f"✓ {item.name} is in the graph")
            continue
        started = time.monotonic()
        with console.status(f"importing {item.name} …"):
            report = import_database(store, data / files[item.key].path, item.name, item.background,
                                     licence=item.licence, version=item.version)
        counts = dict(report.datasets)
        what = (f"{counts['processes']} processes" if counts.get("processes")
                else f"{counts.get('lcia_categories', 0)} impact categories")
        console.print(f"✓ imported {item.name}: {what} in {time.monotonic() - started:.1f} s")
        imported += 1
    return imported


def ensure_footprints(store: GraphStore, console: Console) -> None:
    """Calculate the default category (IPCC AR6 GWP100) unless every result is current."""
    with console.status("calculating footprints …"):
        report = ensure_results(store)
    if report is None:
        console.print("✓ footprints are calculated for this graph version")
        return
    took = report.read_s + report.build_s + report.factorise_s + report.solve_s + report.write_s
    console.print(f"✓ calculated {report.processes:,} footprints in {took:.1f} s "
                  f"(relative residual {report.residual:.1e})")


def start_server(
    settings: Settings, store: GraphStore, sock: socket.socket,
) -> tuple[uvicorn.Server, threading.Thread, int]:
    """Serve the app in a thread on a bound socket; returns the server and its port."""
    import uvicorn

    from api.app import create_app

    port = bound_port(sock)
    config = uvicorn.Config(create_app(settings, store), host=str(sock.getsockname()[0]), port=port,
                            log_level="warning")
    server = uvicorn.Server(config)  # in a thread uvicorn installs no signal handlers: signals reach us
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="lcagraph-demo",
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise EngineUnavailable(f"the web server did not start on port {port} (see the log above)")
        time.sleep(0.02)
    return server, thread, port


def show_node(console: Console, name: str, link: str, dark_background: bool) -> None:
    """The address of the demo node and its QR code, for a phone on the same network."""
    qr = render_terminal(link, dark_background=dark_background)
    console.print(qr, end="", markup=False, highlight=False)
    console.print(f"\n[bold]{name}[/bold]")
    console.print(f"Open on this computer or scan with a phone: {link}", markup=False, highlight=False)


def show_battery(console: Console, store: GraphStore, base: str, dark_background: bool) -> None:
    """The battery example's declaration beside the transport node: per kWh, stages, QR of the study."""
    d = declare_battery(store, BATTERY_PROCESS, *BATTERY_USE, base_url=base)
    shares = ", ".join(f"{s.stage} {s.share:.1%}" for s in d.stages)
    console.print(f"\n[bold]{d.name}[/bold]: {d.per_kwh:.4g} {d.impact_unit}/kWh over "
                  f"E = {d.energy_kwh:,.0f} kWh ({d.total:,.0f} {d.impact_unit} per pack; {shares})",
                  highlight=False)
    if d.study_link:
        console.print(render_terminal(d.study_link, dark_background=dark_background), end="", markup=False,
                      highlight=False)
        console.print(f"Battery declaration, published version {d.version_label}: {d.study_link}",
                      markup=False, highlight=False)


HostOpt = Annotated[str, typer.Option("--host", help="address to listen on (0.0.0.0: reachable by phones)")]
PortOpt = Annotated[int, typer.Option("--port", help="TCP port (0: any free port)")]
ServeOpt = Annotated[bool, typer.Option("--serve/--no-serve", help="start the web server (default) or stop")]
LightOpt = Annotated[bool, typer.Option("--light-background", help="terminal with a light background")]


def demo_command(
    host: HostOpt = "127.0.0.1", port: PortOpt = 8000, serve: ServeOpt = True,
    light_background: LightOpt = False,
) -> None:
    """Import USLCI and the 2025 transport, rail and marine modules, calculate, serve, show a QR code."""
    console = Console(soft_wrap=True)
    settings = load_settings()
    sock = bind_socket(host, port) if serve else None  # a taken port says so before any import
    try:
        data = locate_data(DEMO_FILES, settings)
        console.print(f"open data: {data}", markup=False, highlight=False)
        store = open_store(settings)
        try:
            import_missing(store, data, console)
            added = ensure_battery_model(store)
            console.print(f"✓ battery example: model {BATTERY_MODEL} " + ("loaded" if added else "present"))
            ensure_footprints(store, console)
            publish(AppState(settings, store), BATTERY_MODEL, BATTERY_VERSION)
            node, name = demo_node(store)
            if sock is None:
                base = settings.public_base_url or f"http://{reachable_host(host)}:{port}"
                show_node(console, name, deep_link(base, node), not light_background)
                show_battery(console, store, base, not light_background)
                return
            serve_demo(settings, store, (host, sock), (node, name), console, not light_background)
        finally:
            store.close()
    finally:
        if sock is not None:
            sock.close()


def serve_demo(
    settings: Settings, store: GraphStore, address: tuple[str, socket.socket], node: tuple[str, str],
    console: Console, dark_background: bool,
) -> None:
    """Serve until Ctrl-C or SIGTERM, showing the node's address and QR code once the server listens."""
    server, thread, bound = start_server(settings, store, address[1])
    try:
        base = settings.public_base_url or f"http://{reachable_host(address[0])}:{bound}"
        show_node(console, node[1], deep_link(base, node[0]), dark_background)
        show_battery(console, store, base, dark_background)
        console.print("Press Ctrl-C to stop.")
        while thread.is_alive():
            thread.join(timeout=0.5)
    except KeyboardInterrupt:  # SIGINT, and SIGTERM too (api/cli/app.py)
        console.print("stopping …")
    finally:
        server.should_exit = True  # Ctrl-C at any moment of serving: a clean stop
        thread.join(timeout=30)


def reachable_host(host: str) -> str:
    """The address others can use: for a wildcard bind, this machine's address on its network."""
    if host not in ("0.0.0.0", "::", ""):  # noqa: S104 - comparing, not binding
        return host
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: picks the outgoing interface, sends nothing
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"
