"""The ``lcagraph`` command line: one module per group of commands, registered in api/cli/app.py."""

from api.cli.app import build_app, main

__all__ = ["build_app", "main"]
