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
from collections.abc import Mapping, Sequence
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from api.cli.layout import print_records
from api.services.check import DatabaseCompleteness, MissedGas, check_databases
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
        report = check_databases(store, databases or (), method)
    findings, missed = report.findings, report.missed
    if as_json:
        rows = [dataclasses.asdict(f) | {"complete": f.complete, "linked": f.linked,
                                         "missed_greenhouse_gases": [dataclasses.asdict(m) for m in
                                                                     missed[f.database]]}
                for f in findings]
        typer.echo(json.dumps(rows, indent=1))
    else:
        _print_findings(findings)
        _print_missed(report.category, missed)
    if strict and not all(f.complete and not missed[f.database] for f in findings):
        Console(stderr=True).print(f"check --strict: defects in {_defects(findings, missed)}", markup=False,
                                   highlight=False)
        raise typer.Exit(1)


def _defects(findings: Sequence[DatabaseCompleteness], missed: Mapping[str, tuple[MissedGas, ...]]) -> str:
    """What makes ``--strict`` fail, per database (elementary flows outside the method never do)."""
    parts = []
    for f in findings:
        counts = {"processes without a reference": len(f.without_reference) + len(f.zero_reference),
                  "missing providers": f.missing_providers, "missing amounts": f.missing_amounts,
                  "greenhouse gases without a factor": len(missed[f.database])}
        found = ", ".join(f"{n:,} {what}" for what, n in counts.items() if n)
        if found:
            parts.append(f"{f.database} ({found})")
    return "; ".join(parts)


SHOWN_NAMES = 5


def _print_findings(findings: Sequence[DatabaseCompleteness]) -> None:
    """One record per database: a table on a wide terminal, else a list (api/cli/layout.py)."""
    rows = []
    for f in findings:
        links = dict(f.links)
        rows.append({
            "database": f.database, "processes": f"{f.processes:,}",
            "no reference": f"{len(f.without_reference) + len(f.zero_reference):,}",
            "linked": f"{f.linked:,}", "ambiguous": f"{links.get('ambiguous', 0):,}",
            "declared cut-offs": f"{f.declared_cutoffs:,}", "missing providers": f"{f.missing_providers:,}",
            "missing amounts": f"{f.missing_amounts:,}", "elementary flows": f"{f.elementary_flows:,}",
            "not covered by the method": f"{f.uncharacterised:,} (information)",
            "complete": "yes" if f.complete else "no",
        })
    console = Console()
    numbers = [k for k in rows[0] if k != "database"] if rows else []
    print_records(console, rows, title="completeness", right=numbers)
    for f in findings:
        names = f.uncharacterised_names
        if names:
            console.print(f"{f.database}: {f.uncharacterised:,} elementary flows not covered by {f.category} "
                          f"(information, not a defect), e.g. {'; '.join(names[:SHOWN_NAMES])}",
                          markup=False, highlight=False)


def _print_missed(category: str, missed: Mapping[str, tuple[MissedGas, ...]]) -> None:
    console = Console()
    for database, gases in missed.items():
        if not gases:
            continue
        console.print(f"[bold red]{escape(database)}[/]: {len(gases)} greenhouse gases emitted without a "
                      f"factor in {escape(category)}:", highlight=False)
        for m in gases:
            console.print(f"  {m.flow} {m.name!r} [{m.compartment}] is {m.gas} (CAS {m.cas}): "
                          f"{m.exchanges} exchanges, {m.amount:.4g} {m.unit}", markup=False, highlight=False)
