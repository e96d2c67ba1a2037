"""``lcagraph check``: completeness of the imported databases.

    lcagraph check [DATABASE ...] [--method ID] [--json] [--strict]

For each database (default: every database with processes): processes without a reference flow
or with a zero reference amount, product/waste exchanges by link state (default provider, unique,
ambiguous, override, model, unlinked — the unlinked split into declared cut-offs and missing
providers), exchanges without an amount or unit, and elementary flows the impact category does
not characterise (information: not covered by the method). For a climate category, the
greenhouse gases that are emitted but have no factor (api/services/coverage.py) - a defect.
``--strict`` exits with 1 when anything is missing or a greenhouse gas was missed.
``--nodes``: per node and per model, the link states of its inputs and the coverage of its total
(the share from fully linked, fully characterised sub-trees); with ``--json`` one object
``{"databases": [...], "nodes": [...], "models": [...]}``.
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
from api.services.check import DatabaseCompleteness, MissedGas, NodeCompleteness, check_databases
from api.services.session import opened_store

DatabasesArg = Annotated[list[str] | None, typer.Argument(help="database ids (default: all)")]
MethodOpt = Annotated[str | None, typer.Option("--method", help="impact category or method id")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print the findings as JSON")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="exit 1 when anything is missing")]
NodesOpt = Annotated[bool, typer.Option("--nodes", help="also per node and model: link states and coverage")]
SHOWN_NODES = 15


def check_command(
    databases: DatabasesArg = None, method: MethodOpt = None, as_json: JsonOpt = False,
    strict: StrictOpt = False, nodes: NodesOpt = False,
) -> None:
    """Check that inputs are linked or cut off, references set, amounts present, flows characterised."""
    with opened_store() as store:
        report = check_databases(store, databases or (), method, nodes=nodes)
    findings, missed = report.findings, report.missed
    if as_json:
        rows = [dataclasses.asdict(f) | {"complete": f.complete, "linked": f.linked,
                                         "missed_greenhouse_gases": [dataclasses.asdict(m) for m in
                                                                     missed[f.database]]}
                for f in findings]
        by_node = {"databases": rows, "nodes": [_node_json(n) for n in report.nodes],
                   "models": [_node_json(n) for n in report.models]}
        typer.echo(json.dumps(by_node if nodes else rows, indent=1))
    else:
        _print_findings(findings)
        _print_missed(report.category, missed)
        if nodes:
            _print_nodes(report.nodes, report.models)
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


def _node_json(n: NodeCompleteness) -> dict[str, object]:
    c = n.completeness
    return {"process": n.process, "name": n.name, "database": n.database, "model": n.model or None,
            "state": c.state, "coverage": c.coverage, "linked": c.linked, "cutOff": c.cut_off,
            "unlinked": c.unlinked, "ambiguous": c.ambiguous, "uncharacterised": c.uncharacterised}


def _print_nodes(nodes: Sequence[NodeCompleteness], models: Sequence[NodeCompleteness]) -> None:
    console = Console()
    per_db: dict[str, list[NodeCompleteness]] = {}
    for n in nodes:
        per_db.setdefault(n.database, []).append(n)
    for database, in_db in per_db.items():
        unlinked = [n for n in in_db if n.completeness.unlinked]
        partial = [n for n in in_db if (n.completeness.coverage or 0.0) < 1.0]
        console.print(f"[bold]{escape(database)}[/]: {len(in_db):,} nodes · {len(unlinked):,} with unlinked "
                      f"inputs · {len(partial):,} with coverage < 100 %", highlight=False)
        for n in sorted(unlinked, key=lambda n: -n.completeness.unlinked)[:SHOWN_NODES]:
            console.print(f"  {n.completeness.unlinked} unlinked: {n.name} ({n.process})", markup=False,
                          highlight=False)
    table = [{"model": m.name, "database": m.database,
             "coverage": "–" if m.completeness.coverage is None else f"{100 * m.completeness.coverage:.0f} %",
             "linked": str(m.completeness.linked), "cut off": str(m.completeness.cut_off),
             "unlinked": str(m.completeness.unlinked), "ambiguous": str(m.completeness.ambiguous)}
            for m in models]
    print_records(console, table, "models", right=("coverage", "linked", "cut off", "unlinked", "ambiguous"))
