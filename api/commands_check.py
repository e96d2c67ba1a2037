"""``lcagraph check``: completeness of the imported databases.

    lcagraph check [DATABASE ...] [--method ID] [--json] [--strict]

For each database (default: every database with processes): processes without a reference flow
or with a zero reference amount, product/waste exchanges by link state (default provider, unique,
ambiguous, override, model, unlinked — the unlinked split into declared cut-offs and missing
providers), exchanges without an amount or unit, and elementary flows the impact category does
not characterise (information: not covered by the method). For a climate category, the
greenhouse gases that are emitted but have no factor (api/services/coverage.py) - a defect.
``--strict`` exits with 1 when anything is missing or a greenhouse gas was missed.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from api.commands_store import opened_store
from api.services.coverage import MissedGas, find_missed_greenhouse_gases, is_climate_category
from graph.browse import read_categories, resolve_category
from graph.completeness import Completeness, check_database
from graph.reader import read_databases

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
        category = resolve_category(read_categories(store), method)
        wanted = databases or [str(r["id"]) for r in read_databases(store) if int(r["processes"] or 0)]
        findings = [check_database(store, db, category.id) for db in wanted]
        climate = is_climate_category(store, category.id)
        missed = {db: find_missed_greenhouse_gases(store, category.id, db) if climate else ()
                  for db in wanted}
    if as_json:
        rows = [dataclasses.asdict(f) | {"complete": f.complete, "linked": f.linked,
                                         "missed_greenhouse_gases": [dataclasses.asdict(m) for m in
                                                                     missed[f.database]]}
                for f in findings]
        typer.echo(json.dumps(rows, indent=1))
    else:
        _print_findings(findings)
        _print_missed(category.id, missed)
    if strict and not all(f.complete and not missed[f.database] for f in findings):
        raise typer.Exit(1)


def _print_findings(findings: list[Completeness]) -> None:
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
            console.print(f"[bold]{escape(f.database)}[/]: not covered by {escape(f.category)} "
                          "(information): " + escape("; ".join(f.uncharacterised_names)), highlight=False)


def _print_missed(category: str, missed: dict[str, tuple[MissedGas, ...]]) -> None:
    console = Console()
    for database, gases in missed.items():
        if not gases:
            continue
        console.print(f"[bold red]{escape(database)}[/]: {len(gases)} greenhouse gases emitted without a "
                      f"factor in {escape(category)}:", highlight=False)
        for m in gases:
            console.print(f"  {m.flow} {m.name!r} [{m.compartment}] is {m.gas} (CAS {m.cas}): "
                          f"{m.exchanges} exchanges, {m.amount:.4g} {m.unit}", markup=False, highlight=False)
