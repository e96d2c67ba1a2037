"""``lcagraph check``: completeness of the imported databases.

    lcagraph check [DATABASE ...] [--method ID] [--json] [--strict]

For each database (default: every database with processes): processes without a reference flow
or with a zero reference amount, product/waste exchanges by link state (default provider, unique,
ambiguous, override, model, unlinked — the unlinked split into declared cut-offs and missing
providers), exchanges without an amount or unit, and elementary flows the impact category does
not characterise. ``--strict`` exits with 1 when anything is missing.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.services.check import DatabaseCompleteness, check_databases
from api.services.session import opened_store

DatabasesArg = Annotated[list[str] | None, typer.Argument(help="database ids (default: all)")]
MethodOpt = Annotated[str | None, typer.Option("--method", help="impact category or method id")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print the findings as JSON")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="exit 1 when anything is missing")]


def check_command(
    databases: DatabasesArg = None, method: MethodOpt = None, as_json: JsonOpt = False,
    strict: StrictOpt = False,
) -> None:
    """Check that inputs are linked or cut off, references set, amounts present, flows characterised."""
    with opened_store() as store:
        findings = check_databases(store, databases or (), method)
    if as_json:
        rows = [dataclasses.asdict(f) | {"complete": f.complete, "linked": f.linked} for f in findings]
        typer.echo(json.dumps(rows, indent=1))
    else:
        _print_findings(findings)
    if strict and not all(f.complete for f in findings):
        raise typer.Exit(1)


def _print_findings(findings: list[DatabaseCompleteness]) -> None:
    table = Table(title="completeness", show_lines=False)
    for column in ("database", "processes", "no reference", "linked", "ambiguous", "declared cut-offs",
                   "missing providers", "missing amounts", "elementary", "uncharacterised", "complete"):
        table.add_column(column, justify="left" if column == "database" else "right")
    for f in findings:
        links = dict(f.links)
        table.add_row(
            f.database, str(f.processes), str(len(f.without_reference) + len(f.zero_reference)),
            str(f.linked), str(links.get("ambiguous", 0)), str(f.declared_cutoffs), str(f.missing_providers),
            str(f.missing_amounts), str(f.elementary_flows), str(f.uncharacterised),
            "yes" if f.complete else "no",
        )
    console = Console()
    console.print(table)
    for f in findings:
        if f.uncharacterised_names:
            console.print(f"[bold]{f.database}[/]: not characterised by {f.category}: "
                          + "; ".join(f.uncharacterised_names), highlight=False)
