"""The ``lcagraph`` command line (console script ``lcagraph = api.cli:main``).

Every command is listed in :data:`COMMANDS` (name, function): a new command is one line there.
A command's docstring is its help text. Commands call use-cases (api/services) and print their
read models; they never touch the graph store's statements.

Expected failures (:class:`~lcagraph.errors.LcaGraphError`) print one line, ``error: …``, on
stderr and exit with code 1; usage errors exit with code 2 (click's convention).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

import typer
from rich.console import Console

from api.cli import (
    calculation,
    check,
    declare,
    demo,
    export,
    importing,
    model,
    qr,
    search,
    serve,
    store,
    tree,
)
from lcagraph.errors import LcaGraphError

#: Every command of ``lcagraph``, in the order of ``lcagraph --help``.
COMMANDS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("import", importing.import_command),
    ("search", search.search_command),
    ("calculate", calculation.calculate_command),
    ("footprint", calculation.footprint_command),
    ("tree", tree.tree_command),
    ("check", check.check_command),
    ("export", export.export_command),
    ("publish", model.publish_command),
    ("qr", qr.qr_command),
    ("serve", serve.serve_command),
    ("cypher", serve.cypher_command),
    ("demo", demo.demo_command),
    ("info", store.info_command),
    ("reset", store.reset_command),
)
#: Command groups: ``lcagraph model import|export``, ``lcagraph declare battery`` (and ``pact``).
GROUPS: tuple[tuple[str, typer.Typer], ...] = (("model", model.app), ("declare", declare.app))


def build_app() -> typer.Typer:
    """The typer app with every command of :data:`COMMANDS` and the ``pact`` group."""
    from api.pact.cli import pact_app  # lcagraph pact …: client add/list/remove, publish, footprints

    app = typer.Typer(
        name="lcagraph", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
        help="lcagraph: open, traceable carbon footprints — LCA supply-chain models stored as a graph.",
    )
    for name, func in COMMANDS:
        app.command(name)(func)
    for name, group in GROUPS:
        app.add_typer(group, name=name)
    app.add_typer(pact_app)
    return app


def stop_on_signals() -> dict[int, Any]:
    """SIGTERM and SIGINT raise KeyboardInterrupt in the main thread, so that ``finally`` blocks and
    atexit hooks run and the embedded engine this process started is stopped. Python's default
    SIGTERM ends the process without them, and a job started in the background by a
    non-interactive shell inherits an ignored SIGINT."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGTERM, signal.SIGINT)}


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI; ``argv`` defaults to ``sys.argv[1:]``."""
    previous = stop_on_signals()
    try:
        build_app()(args=list(argv) if argv is not None else None, prog_name="lcagraph")
    except LcaGraphError as e:
        Console(stderr=True, soft_wrap=True).print(f"error: {e}", markup=False, highlight=False)
        raise SystemExit(1) from None
    finally:
        for sig, handler in previous.items():  # main() called in-process (tests) leaves them as found
            signal.signal(sig, handler)
