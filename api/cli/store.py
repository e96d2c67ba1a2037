"""``lcagraph info`` and ``lcagraph reset``: what the graph store holds, and wiping it.

    lcagraph info [--json]     engine, URL, graph version, nodes per label, relationships per
                               type and the databases (for embedded://, starts the server)
    lcagraph reset --yes       delete every node and relationship (the version keeps counting)
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.services.session import count_labels, describe_store, opened_store
from lcagraph.errors import InvalidArgument

JsonOpt = Annotated[bool, typer.Option("--json", help="print the information as JSON")]
YesOpt = Annotated[bool, typer.Option("--yes", help="confirm: delete everything in the graph")]


def info_command(as_json: JsonOpt = False) -> None:
    """Show the graph engine, its URL, the graph version and what the graph holds."""
    with opened_store() as store:
        info = describe_store(store)
    if as_json:
        typer.echo(json.dumps(info, indent=1))
        return
    console = Console()
    console.print(f"[bold]engine[/]         {info['engine']}")
    console.print(f"[bold]url[/]            {info['url']}", highlight=False)
    console.print(f"[bold]graph version[/]  {info['graph_version']}")
    console.print(_counts("label", "nodes", info["nodes"]))
    console.print(_counts("relationship type", "relationships", info["relationships"]))
    if info["databases"]:
        table = Table("database", "name", "kind", "format", "processes", "imported")
        for db in info["databases"]:
            table.add_row(db["id"], db["name"], db["kind"], db["format"], f"{db['processes']:,}",
                          db["imported_at"] or "")
        console.print(table)
    else:
        console.print("no databases yet: import one with `lcagraph import PATH`")


def _counts(what: str, unit: str, counts: dict[str, int]) -> Table:
    table = Table(what)
    table.add_column(unit, justify="right")
    for key, value in counts.items():
        table.add_row(key, f"{value:,}")
    if not counts:
        table.add_row("(none)", "0")
    return table


def reset_command(yes: YesOpt = False) -> None:
    """Delete every node and relationship of the graph (all databases, methods and results)."""
    if not yes:
        if not sys.stdin.isatty():
            raise InvalidArgument("reset deletes every database in the graph; run `lcagraph reset --yes`")
        typer.confirm("Delete every node and relationship in the graph?", abort=True)
    with opened_store() as store:
        before = sum(n for label, n in count_labels(store).items() if label != "Meta")
        with Console(stderr=True).status("deleting the graph…"):
            store.reset()
        version = store.graph_version()
        url = store.url
    typer.echo(f"reset {url}: {before:,} nodes deleted; graph version {version}")
