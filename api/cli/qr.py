"""``lcagraph qr``: the QR code of a node's deep link, in the terminal or as a PNG/SVG file.

    lcagraph qr PROCESS_ID [--path ROOT/…/PROCESS_ID] [--amount X] [--method CATEGORY]
                [--out FILE.png|FILE.svg] [--size PIXELS] [--base-url URL] [--light-background]

The link is the one ``GET /qr/{id}.png`` encodes: ``{PUBLIC_BASE_URL}/n/{id}[?path=…]``, with
the base from ``--base-url``, else ``PUBLIC_BASE_URL``, else the address ``lcagraph serve``
listens on by default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.services.links import parse_path
from api.services.nodes import node_link
from api.services.qr import DEFAULT_SIZE, render_png, render_svg, render_terminal
from api.services.session import open_store
from lcagraph.config import load_settings
from lcagraph.errors import InvalidArgument

DEFAULT_BASE_URL = "http://127.0.0.1:8000"

ProcessArg = Annotated[str, typer.Argument(help="process id (dataset UUID)")]
PathOpt = Annotated[str | None, typer.Option(
    "--path", help="tree path from the model root to this process: ids joined with '/'")]
AmountOpt = Annotated[float | None, typer.Option("--amount", help="amount of the root's reference product")]
MethodOpt = Annotated[str | None, typer.Option("--method", help="impact category id (default: IPCC AR6)")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="write a .png or .svg file instead of printing")]
SizeOpt = Annotated[int, typer.Option("--size", help="image size in pixels (64 to 2048)")]
BaseOpt = Annotated[str | None, typer.Option("--base-url", help="public address of the viewer")]
LightOpt = Annotated[bool, typer.Option("--light-background", help="terminal with a light background")]


def write_qr(out: Path, link: str, size: int, title: str) -> None:
    """Write the QR code of ``link`` to a .png or .svg file."""
    suffix = out.suffix.lower()
    if suffix == ".png":
        out.write_bytes(render_png(link, size))
    elif suffix == ".svg":
        out.write_text(render_svg(link, size, title=title), encoding="utf-8")
    else:
        raise InvalidArgument(f"--out {str(out)!r}: give a file name ending in .png or .svg")


def qr_command(
    process_id: ProcessArg, path: PathOpt = None, amount: AmountOpt = None, method: MethodOpt = None,
    out: OutOpt = None, size: SizeOpt = DEFAULT_SIZE, base_url: BaseOpt = None,
    light_background: LightOpt = False,
) -> None:
    """Show the QR code that opens a process in the phone viewer (or write it as PNG/SVG)."""
    settings = load_settings()
    base = base_url or settings.public_base_url or DEFAULT_BASE_URL
    store = open_store(settings)
    try:
        link, name = node_link(store, base, process_id, parse_path(path), amount, method)
    finally:
        store.close()
    if out is not None:
        write_qr(out, link, size, f"QR code: {name}")
        typer.echo(f"wrote {out} — {name}: {link}")
        return
    typer.echo(render_terminal(link, dark_background=not light_background), nl=False)
    typer.echo(f"{name}\n{link}")
