"""``lcagraph search WORDS``: find a process id by name.

    lcagraph search electricity grid [--database ID] [--limit 20] [--json]
"""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated

import typer
from rich.console import Console

from api.cli.layout import print_records
from api.services.search import search
from api.services.session import open_store
from lcagraph.config import load_settings

WordsArg = Annotated[list[str], typer.Argument(help="words of the process name (all must occur)")]
DatabaseOpt = Annotated[str | None, typer.Option("--database", help="only this database (id)")]
LimitOpt = Annotated[int, typer.Option("--limit", help="at most this many processes")]
MethodOpt = Annotated[str | None, typer.Option(
    "--method", help="impact category of the totals (default: ipcc-ar6-gwp100)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print the processes as a JSON list")]


def search_command(
    words: WordsArg, database: DatabaseOpt = None, limit: LimitOpt = 20, method: MethodOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Find processes by name: id, name, database, location, reference and total where calculated."""
    store = open_store(load_settings())
    try:
        hits = search(store, " ".join(words), limit=limit, database=database, method=method)
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps([dataclasses.asdict(h) for h in hits], indent=1))
        return
    console = Console()
    if not hits:
        wanted = " ".join(words)
        console.print(f"no process name holds every word of {wanted!r}", markup=False, highlight=False)
        return
    rows = [
        {"process": h.name, "id": h.process, "database": h.database_name, "location": h.location or "–",
         "reference": f"{h.reference_amount:g} {h.reference_unit}",
         "total": "not calculated" if h.total is None else f"{h.total:.4g} {h.impact_unit}"}
        for h in hits
    ]
    print_records(console, rows, title=f"{len(hits)} processes")
