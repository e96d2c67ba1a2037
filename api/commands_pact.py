"""``lcagraph pact …`` (client add/list/remove, publish): commands live in api/pact/cli.py."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from api.pact.cli import pact_app  # loaded only when the CLI is built, like the other commands

    app.add_typer(pact_app)
