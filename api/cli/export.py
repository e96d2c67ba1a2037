"""``lcagraph export``: write a database of the graph as an ILCD or openLCA JSON-LD zip.

    lcagraph export DATABASE --format ilcd|jsonld --out FILE [--force] [--json]

DATABASE is the id, the name or the name's slug (``lcagraph info`` lists them). The package
holds the database's processes, exchanges (amounts in the flows' reference units for ILCD, as
given for JSON-LD), the flows they use (also flows another database brought), its methods and
product systems, and every resolved supply link as the exchange's default provider, so that
``lcagraph import`` of the file links the same providers again (see api/services/exporting.py).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.cli.progress import progress_line
from api.services.exporting import EXPORT_FORMATS, FORMAT_NAMES, ExportResult, export_database
from api.services.session import open_store
from lcagraph.config import load_settings

SHOWN = 15  # warnings shown in the human summary (--json gives all)
DatabaseArg = Annotated[str, typer.Argument(help="database id or name (see `lcagraph info`)")]
FormatOpt = Annotated[str, typer.Option("--format", help="ilcd|jsonld")]
OutOpt = Annotated[Path, typer.Option("--out", help="zip file to write", dir_okay=False)]
ForceOpt = Annotated[bool, typer.Option("--force", help="replace FILE if it exists")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print what was written as JSON")]


def export_command(
    database: DatabaseArg, fmt: FormatOpt, out: OutOpt, force: ForceOpt = False, as_json: JsonOpt = False,
) -> None:
    """Export a database as an ILCD or JSON-LD zip, with its supply links as default providers."""
    if fmt not in EXPORT_FORMATS:
        raise typer.BadParameter(f"{fmt!r} is not one of {', '.join(EXPORT_FORMATS)}", param_hint="--format")
    store = open_store(load_settings())
    try:
        with progress_line(f"exporting {database}", quiet=as_json) as say:

            def step(what: str, rows: int) -> None:
                say(f"{database}: {what} ({rows:,})")

            result = export_database(store, database, fmt, out, overwrite=force, progress=step)
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(result), indent=1))
    else:
        print_result(Console(), result)


def print_result(console: Console, result: ExportResult) -> None:
    """The human-readable summary of an export."""
    console.print(f"[bold]Exported database {result.database!r}[/] as {FORMAT_NAMES[result.format]} to "
                  f"{result.file}", highlight=False)
    console.print(f"processes {result.processes:,} · exchanges {result.exchanges:,} · flows {result.flows:,} "
                  f"({result.foreign_flows:,} from other databases) · providers {result.providers:,} · "
                  f"impact methods {result.methods:,}")
    console.print(f"[bold]Warnings:[/] {len(result.warnings):,}")
    for line in result.warnings[:SHOWN]:
        console.print(f"  {line}", markup=False, highlight=False)
    if len(result.warnings) > SHOWN:
        console.print(f"  … {len(result.warnings) - SHOWN:,} more (all of them with --json)")
