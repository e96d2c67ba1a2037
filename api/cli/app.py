"""The ``lcagraph`` command line (console script ``lcagraph = api.cli:main``).

Commands live in modules ``api/commands_*.py``; this module builds the typer app and registers
them, so a new command needs no edit here. A command module either defines
``register(app: typer.Typer) -> None`` or module-level functions named ``<name>_command``
(registered as ``lcagraph <name>``, underscores as hyphens; the docstring is the help text).

Expected failures (:class:`~lcagraph.errors.LcaGraphError`) print one line, ``error: …``, on
stderr and exit with code 1; usage errors exit with code 2 (click's convention).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import typer
from rich.console import Console

import api
from lcagraph.errors import LcaGraphError

COMMAND_MODULE_PREFIX = "commands_"
COMMAND_SUFFIX = "_command"


def command_modules() -> list[ModuleType]:
    """Every ``api.commands_*`` module, in name order."""
    names = sorted(m.name for m in pkgutil.iter_modules(api.__path__)
                   if m.name.startswith(COMMAND_MODULE_PREFIX))
    return [importlib.import_module(f"api.{name}") for name in names]


def module_commands(module: ModuleType) -> dict[str, Callable[..., Any]]:
    """The ``*_command`` functions a module defines (not those it imports), by command name."""
    return {
        name.removesuffix(COMMAND_SUFFIX).replace("_", "-"): func
        for name, func in inspect.getmembers(module, inspect.isfunction)
        if name.endswith(COMMAND_SUFFIX) and func.__module__ == module.__name__
    }


def build_app() -> typer.Typer:
    """The typer app with every command registered; a name defined twice is a programming error."""
    app = typer.Typer(
        name="lcagraph", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
        help="lcagraph: open, traceable carbon footprints — LCA supply-chain models stored as a graph.",
    )
    seen: dict[str, str] = {}
    for module in command_modules():
        register = getattr(module, "register", None)
        if callable(register):
            register(app)
            continue
        for name, func in module_commands(module).items():
            if name in seen:
                raise RuntimeError(f"command {name!r} is defined in {seen[name]} and {module.__name__}")
            seen[name] = module.__name__
            app.command(name)(func)
    return app


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI; ``argv`` defaults to ``sys.argv[1:]``."""
    try:
        build_app()(args=list(argv) if argv is not None else None, prog_name="lcagraph")
    except LcaGraphError as e:
        Console(stderr=True, soft_wrap=True).print(f"error: {e}", markup=False, highlight=False)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
