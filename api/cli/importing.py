"""``lcagraph import``: read a JSON-LD / EcoSpold2 / ILCD package into the graph, with a report.

    lcagraph import PATH [--database NAME] [--background NAME ...] [--format auto|jsonld|ecospold2|ilcd]
                         [--provider EXCHANGE_ID=PROVIDER_ID ...] [--json]

The report (also stored in the graph as the database's ImportReport node) gives datasets by
type, exchanges, provider links by kind, unit conversions, formulas evaluated, elementary flows
characterised per impact category and those left unmatched, and warnings naming dataset and
field. ``--json`` prints it as one JSON object on stdout (progress goes to stderr).
The built-in IPCC AR6 GWP100 method is written with every import (see api/services/importing.py).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from api.cli.progress import progress_line
from api.services.importing import FORMATS, import_database
from api.services.session import open_store
from lcagraph.config import load_settings
from lcagraph.errors import InvalidArgument
from lcagraph.records import ImportReport

SHOWN = 15  # lines of a long list shown in the human report (--json gives all)


def parse_overrides(pairs: Sequence[str]) -> dict[str, str]:
    """``["<process>/<n>=<provider>", ...]`` -> {exchange id: provider id}."""
    overrides: dict[str, str] = {}
    for pair in pairs:
        exchange, sep, provider = pair.partition("=")
        if not sep or not exchange.strip() or not provider.strip():
            raise InvalidArgument(f"--provider {pair!r}: write EXCHANGE_ID=PROVIDER_ID, e.g. "
                                  "'<process uuid>/3=<provider process uuid>'")
        if exchange.strip() in overrides:
            raise InvalidArgument(f"--provider names exchange {exchange.strip()!r} twice; keep one")
        overrides[exchange.strip()] = provider.strip()
    return overrides


PathArg = Annotated[Path, typer.Argument(help="zip file or folder of a JSON-LD, EcoSpold2 or ILCD package")]
DatabaseOpt = Annotated[str | None, typer.Option("--database", help="database name (default: file name)")]
BackgroundOpt = Annotated[list[str] | None, typer.Option(
    "--background", help="database in the graph whose processes may supply inputs (repeat)")]
FormatOpt = Annotated[str, typer.Option("--format", help="auto|jsonld|ecospold2|ilcd")]
ProviderOpt = Annotated[list[str] | None, typer.Option(
    "--provider", help="link override EXCHANGE_ID=PROVIDER_ID (repeat)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print the report as JSON")]
LicenceOpt = Annotated[str | None, typer.Option(
    "--licence", help="licence shown with the database, e.g. 'CC0 1.0 (public domain)'")]
VersionOpt = Annotated[str | None, typer.Option(
    "--version", help="release shown with the database, e.g. FY17 Q4")]


def import_command(
    path: PathArg, database: DatabaseOpt = None, background: BackgroundOpt = None, fmt: FormatOpt = "auto",
    provider: ProviderOpt = None, as_json: JsonOpt = False, licence: LicenceOpt = None,
    version: VersionOpt = None,
) -> None:
    """Import a database (or a method pack) into the graph: all or nothing, with a report.

    A database name that is already in the graph replaces that database (the report begins with
    "Replaced"); --licence and --version set what the viewer and the API show with it."""
    if fmt not in FORMATS:
        raise typer.BadParameter(f"{fmt!r} is not one of {', '.join(FORMATS)}", param_hint="--format")
    try:
        overrides = parse_overrides(provider or [])
    except InvalidArgument as e:
        raise typer.BadParameter(str(e), param_hint="--provider") from e
    name = database or path.name.removesuffix(".zip")
    store = open_store(load_settings())
    try:
        with progress_line(f"importing {path.name}", quiet=as_json) as say:

            def step(what: str, rows: int) -> None:
                say(f"{path.name}: {what} ({rows:,})")

            report = import_database(store, path, name, background or [], fmt, overrides, progress=step,
                                     licence=licence, version=version)
        graph_version = store.graph_version()
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps({**dataclasses.asdict(report), "graph_version": graph_version}, indent=1))
    else:
        print_report(Console(), report, name, graph_version)


def print_report(console: Console, report: ImportReport, name: str, version: int) -> None:
    """The human-readable import report."""
    done = "Replaced" if report.replaced else "Imported"
    console.print(f"[bold]{done} {name!r}[/] as database [bold]{report.database}[/] from {report.file} "
                  f"({report.format}); graph version {version}")
    console.print(_pairs("Datasets", report.datasets))
    console.print(_pairs("Provider links", report.links))
    console.print(f"exchanges {report.exchanges:,} · unit conversions {report.unit_conversions:,} · "
                  f"formulas evaluated {report.formulas_evaluated:,} · "
                  f"co-products {len(report.co_products):,}")
    if report.characterised:
        console.print(_pairs("Elementary flows characterised", report.characterised))
    if report.matched_by:
        console.print(_pairs("Matched by rule (category / rule)",
                             [(f"{category} / {rule}", n) for category, rule, n in report.matched_by]))
    _print_list(console, "Unmatched elementary flows (non-zero, no factor in any category)",
                report.unmatched_flows)
    _print_list(console, "Ambiguous (several candidate factors disagree; no factor given)",
                report.ambiguous_factors)
    _print_list(console, "Warnings", report.warnings)


def _pairs(title: str, pairs: Sequence[tuple[str, int]] | Sequence[Any]) -> Table:
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column(style="cyan")
    table.add_column(justify="right")
    for key, count in pairs:
        table.add_row(str(key), f"{int(count):,}")
    return table


def _print_list(console: Console, title: str, lines: Sequence[str]) -> None:
    console.print(f"[bold]{title}:[/] {len(lines):,}")
    for line in lines[:SHOWN]:
        console.print(f"  {line}", markup=False, highlight=False)
    if len(lines) > SHOWN:
        console.print(f"  … {len(lines) - SHOWN:,} more (all of them with --json)")
