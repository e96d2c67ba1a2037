"""``lcagraph declare battery``: the carbon-footprint declaration of a battery (EU 2023/1542 Art. 7).

    lcagraph declare battery MODEL_PROCESS_ID --capacity-kwh C --cycles-per-year N --years Y
                             [--version V] [--json] [--html FILE] [--base-url URL]

``--json`` prints the declaration with the battery passport's CarbonFootprint fields
(``passport``); ``--html`` writes the printable declaration page with its QR code.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.services.battery import (
    STAGE_NAMES,
    BatteryDeclaration,
    declare_battery,
    passport_fields,
    read_performance_classes,
)
from api.services.session import opened_store
from api.viewer.declaration import render_declaration
from lcagraph.config import load_settings

DEFAULT_BASE_URL = "http://127.0.0.1:8000"

app = typer.Typer(no_args_is_help=True, help="Carbon-footprint declarations.")

ProcessArg = Annotated[str, typer.Argument(help="the battery's process in a foreground model")]
CapacityOpt = Annotated[float, typer.Option("--capacity-kwh", help="rated capacity in kWh")]
CyclesOpt = Annotated[float, typer.Option("--cycles-per-year", help="full equivalent cycles per year")]
YearsOpt = Annotated[float, typer.Option("--years", help="service life in years")]
VersionOpt = Annotated[str | None, typer.Option("--version", help="published version (key, hash or label)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON (with the passport fields)")]
HtmlOpt = Annotated[Path | None, typer.Option("--html", help="write the printable declaration page")]
BaseOpt = Annotated[str | None, typer.Option("--base-url", help="public address of the viewer")]
ClassesOpt = Annotated[
    Path | None,
    typer.Option(
        "--classes",
        help="performance-class table (JSON [[class, upper bound kg CO2-eq/kWh], ...]); the "
        "Commission sets the classes, none are built in",
    ),
]


@app.command("battery")
def battery_command(
    process: ProcessArg,
    capacity_kwh: CapacityOpt,
    cycles_per_year: CyclesOpt,
    years: YearsOpt,
    version: VersionOpt = None,
    as_json: JsonOpt = False,
    html: HtmlOpt = None,
    base_url: BaseOpt = None,
    classes: ClassesOpt = None,
) -> None:
    """Declare a battery's carbon footprint per kWh of service-life energy, per life-cycle stage."""
    settings = load_settings()
    base = base_url or settings.public_base_url or DEFAULT_BASE_URL
    with opened_store(settings) as store:
        table = read_performance_classes(classes) if classes else ()
        found = declare_battery(
            store, process, capacity_kwh, cycles_per_year, years, base_url=base, version=version,
            classes=table,
        )
    if html is not None:
        html.write_text(render_declaration(found), encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(declaration_json(found), indent=1))
    else:
        print_declaration(Console(), found)


def declaration_json(d: BatteryDeclaration) -> dict[str, object]:
    """The declaration's fields with the passport's CarbonFootprint attributes under ``passport``."""
    return {**dataclasses.asdict(d), "passport": passport_fields(d)}


def print_declaration(console: Console, d: BatteryDeclaration) -> None:
    console.print(f"[bold]{d.name}[/] ({d.process}) · {d.category}")
    console.print(
        f"E = {d.capacity_kwh:g} kWh × {d.cycles_per_year:g} cycles/year × {d.years:g} years "
        f"= {d.energy_kwh:,.6g} kWh"
    )
    console.print(
        f"life-cycle footprint {d.total:,.6g} {d.impact_unit} per battery; "
        f"[bold]{d.per_kwh:.6g} {d.impact_unit}/kWh[/]"
    )
    table = Table("stage", "per battery", "per kWh", "share", title_justify="left")
    for s in d.stages:
        table.add_row(
            STAGE_NAMES[s.stage], f"{s.impact:,.6g}", f"{s.impact / d.energy_kwh:.6g}", f"{s.share:.2%}"
        )
    console.print(table)
    console.print(
        f"completeness {d.completeness} ({d.linked} linked, {d.cut_offs} cut-offs) · "
        f"performance class {d.performance_class or 'not set (the Commission sets the classes)'}"
    )
    study = (
        f"version {d.version_label} ({d.version_key}): {d.study_link}"
        if d.study_link
        else ("not published: `lcagraph publish MODEL --version V` makes a version the declaration can link")
    )
    console.print(f"study: {study}", markup=False, highlight=False)
