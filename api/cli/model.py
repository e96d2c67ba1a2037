"""``lcagraph model import FILE`` / ``lcagraph model export MODEL`` / ``lcagraph publish MODEL``.

    lcagraph model import FILE [--json]          a foreground-model file (docs/model-format.md)
    lcagraph model export MODEL [--out FILE]     the model file back (stdout without --out)
    lcagraph publish MODEL --version V [--json]  an immutable version with its content hash

A model import is all or nothing like any import and prints the same report.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.cli.importing import print_report
from api.services.foreground import export_model, import_model
from api.services.links import deep_link
from api.services.publishing import publish
from api.services.session import opened_state, opened_store
from lcagraph.config import load_settings
from lcagraph.errors import InvalidArgument

DEFAULT_BASE_URL = "http://127.0.0.1:8000"

app = typer.Typer(no_args_is_help=True, help="Foreground models: import a model file, export it back.")

FileArg = Annotated[Path, typer.Argument(help="model file (JSON, docs/model-format.md)")]
ModelArg = Annotated[str, typer.Argument(help="model (its database id or name)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="write the file here instead of stdout")]
VersionOpt = Annotated[str, typer.Option("--version", help="version label, e.g. 1.0")]
BaseOpt = Annotated[str | None, typer.Option("--base-url", help="public address of the viewer")]


@app.command("import")
def model_import_command(path: FileArg, as_json: JsonOpt = False) -> None:
    """Import a foreground model as its own database linked to its backgrounds (all or nothing)."""
    with opened_store() as store:
        imported = import_model(store, path)
        version = store.graph_version()
    if as_json:
        typer.echo(
            json.dumps(
                {
                    **dataclasses.asdict(imported.report),
                    "processes": list(imported.processes),
                    "graph_version": version,
                },
                indent=1,
            )
        )
        return
    print_report(Console(), imported.report, imported.database, version)
    Console().print("processes: " + ", ".join(imported.processes), markup=False, highlight=False)


@app.command("export")
def model_export_command(model: ModelArg, out: OutOpt = None) -> None:
    """Write the model file of a foreground model (importing it again gives the same model)."""
    with opened_store() as store:
        text = export_model(store, model)
    if out is None:
        typer.echo(text, nl=False)
        return
    if out.is_dir():
        raise InvalidArgument(f"{out} is a folder; give the path of the file to write")
    out.write_text(text, encoding="utf-8")


def publish_command(
    model: ModelArg, version: VersionOpt, base_url: BaseOpt = None, as_json: JsonOpt = False
) -> None:
    """Publish a model as an immutable version: a content hash and frozen figures for ?v= links."""
    settings = load_settings()
    base = base_url or settings.public_base_url or DEFAULT_BASE_URL
    with opened_state(settings) as state:
        done = publish(state, model, version)
    v = done.version
    links = {pid: deep_link(base, pid, version=v.key) for pid in _processes(v.snapshot)}
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "model": v.model,
                    "version": v.label,
                    "key": v.key,
                    "hash": v.hash,
                    "published_at": v.published_at,
                    "created": done.created,
                    "links": links,
                },
                indent=1,
            )
        )
        return
    said = "published" if done.created else f"already published as version {v.label!r} (same content)"
    typer.echo(f"{v.model} {said}: hash {v.hash}")
    for pid, link in links.items():
        typer.echo(f"  {pid}: {link}")


def _processes(snapshot: str) -> list[str]:
    return sorted(json.loads(snapshot)["nodes"]) if snapshot else []
