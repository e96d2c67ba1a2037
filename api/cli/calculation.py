"""``lcagraph calculate`` and ``lcagraph footprint``.

    lcagraph calculate [--method ID] [--json]
    lcagraph footprint PROCESS_ID [--amount X] [--method ID] [--json]

``calculate`` solves every process of every database for every impact category (or the one
``--method`` names) and caches the results on the graph as Result nodes tagged with the graph
version; it prints the read, factorisation, solve and write-back times and the residual and
backward error of the solve. ``footprint`` gives the total and direct footprint of an amount of
a process's reference product (default: one reference amount of its dataset, in the reference
flow's unit), its contributions per elementary flow and per database, the graph version and
whether the total came from the cache (a stale cache is refreshed first).

``--method`` takes an impact category id (e.g. the FEDEFL pack's AR6 GWP100 category) or name,
or a method id with one category (``ipcc-ar6-gwp100``, the built-in default).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from api.cli.progress import progress_line
from api.services.calculation import CalculationReport, calculate, resolve_categories
from api.services.footprint import footprint
from api.services.readmodels import Footprint
from api.services.session import opened_store

SHOWN = 10

MethodOpt = Annotated[str | None, typer.Option(
    "--method", help="impact category id or name, or a method id with one category "
    "(default for footprint: ipcc-ar6-gwp100; calculate: every category)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print the result as one JSON object")]
ProcessArg = Annotated[str, typer.Argument(help="process id (see `lcagraph search` or the API)")]
AmountOpt = Annotated[float | None, typer.Option(
    "--amount", help="amount of the reference product, in the dataset's own reference unit "
    "(e.g. kWh where the flow is in MJ; default: the dataset's reference amount)")]


def calculate_command(method: MethodOpt = None, as_json: JsonOpt = False) -> None:
    """Solve every process for every impact category (or one) and cache the results on the graph."""
    with opened_store() as store:
        categories = [c.id for c in resolve_categories(store, method)]
        with progress_line("calculating", quiet=as_json) as say:
            report = calculate(store, categories, progress=say)
    if as_json:
        typer.echo(json.dumps(calculation_json(report), indent=1))
    else:
        print_calculation(Console(), report)


def calculation_json(report: CalculationReport) -> dict[str, Any]:
    """The report as JSON-ready data, with the worst residual and backward error."""
    worst = {"residual": report.residual, "backward_error": report.backward_error}
    return {**dataclasses.asdict(report), **worst}


def print_calculation(console: Console, r: CalculationReport) -> None:
    console.print(
        f"[bold]Calculated[/] {r.processes:,} processes × {len(r.categories)} categories at graph version "
        f"{r.graph_version} ({r.backend}{', factorisation reused' if r.factorisation_cached else ''})")
    read = {"snapshot": "matrix snapshot", "graph": "graph", "memory": "in memory"}.get(r.matrices_from, "")
    console.print(
        f"read ({read}) {r.read_s:.2f} s · build {r.build_s:.2f} s · snapshot written {r.snapshot_s:.2f} s · "
        f"factorise {r.factorise_s:.2f} s · solve {r.solve_s:.2f} s · write-back {r.write_s:.2f} s")
    console.print(
        f"links {r.links:,} · elementary exchanges {r.elementary_exchanges:,} · cut-offs (unlinked, no "
        f"contribution) {r.cutoffs:,} · uncharacterised elementary entries {r.uncharacterised:,}")
    table = Table(title_justify="left")
    for column in ("category", "method", "unit", "residual", "backward error", "identity gap",
                   "negative totals", "results"):
        table.add_column(column, justify="left" if column in ("category", "method", "unit") else "right")
    for c in r.categories:
        table.add_row(c.id, c.method, c.unit, f"{c.residual:.1e}", f"{c.backward_error:.1e}",
                      f"{c.identity_gap:.1e}", f"{c.negative_totals:,}", f"{c.results:,}")
    console.print(table)
    console.print(f"residual {r.residual:.2e} (||Aᵀλ - q|| / ||q||, worst category) · backward error "
                  f"{r.backward_error:.2e}")


def footprint_command(
    process_id: ProcessArg, amount: AmountOpt = None, method: MethodOpt = None, as_json: JsonOpt = False,
) -> None:
    """The footprint of a process: total, direct, per gas and per database (from the cache if current).

    Its accuracy is the residual, ||A s - f|| / ||f|| of this demand's solve (s: scaling factors,
    f: the demand). No backward error is given: most scaling factors of a supply chain are 0, and
    rounding makes that componentwise measure 1 in their rows whatever the accuracy; `lcagraph
    calculate` reports it for the cached totals."""
    with opened_store() as store, progress_line("footprint", quiet=as_json) as say:
        report = footprint(store, process_id, amount, method, progress=say)
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(report), indent=1))
    else:
        print_footprint(Console(), report)


def print_footprint(console: Console, r: Footprint) -> None:
    console.print(f"[bold]{r.name}[/] ({r.process}, database {r.database})", highlight=False)
    console.print(f"{r.amount:g} {r.unit} · {r.category_name} ({r.category}) · graph version "
                  f"{r.graph_version} · {'from the cache' if r.from_cache else 'calculated now'}",
                  highlight=False)
    console.print(f"[bold]total {r.total:.6g} {r.impact_unit}[/] · direct {r.direct:.6g} {r.impact_unit}")
    flows = Table(title="Per elementary flow", title_justify="left")
    for column in ("flow", "compartment", "amount", "factor", "impact", "share"):
        flows.add_column(column, justify="left" if column in ("flow", "compartment") else "right")
    for f in r.by_flow[:SHOWN]:
        flows.add_row(f.name or f.flow, f.compartment, f"{f.amount:.4g} {f.unit}", f"{f.factor:.4g}",
                      f"{f.impact:.4g}", _share(f.impact, r.total))
    console.print(flows)
    if len(r.by_flow) > SHOWN:
        console.print(f"  … {len(r.by_flow) - SHOWN:,} more flows (all of them with --json)")
    dbs = Table(title="Per database (direct emissions of its processes in this supply chain)",
                title_justify="left")
    for column in ("database", "processes", "impact", "share"):
        dbs.add_column(column, justify="left" if column == "database" else "right")
    for d in r.by_database:
        dbs.add_row(d.database, f"{d.processes:,}", f"{d.impact:.4g}", _share(d.impact, r.total))
    console.print(dbs)
    console.print(f"residual {r.residual:.1e} · cut-offs in the "
                  f"supply chain {r.cutoffs:,} · negative scaling factors {r.negative_scaling_count:,} · "
                  f"{r.backend}")
    for pid, value in r.negative_scaling:
        console.print(f"  negative scaling {value:.4g}: {pid}", highlight=False)
    c = r.completeness
    console.print(f"inputs of this process: {c.linked:,} linked · {c.cut_off:,} cut off · {c.ambiguous:,} "
                  f"ambiguous ({c.state})")


def _share(value: float, total: float) -> str:
    return f"{100 * value / total:.1f} %" if total else ""
